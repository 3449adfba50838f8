"""One exception hierarchy for valueloop.

A :class:`UserInputError` is something the person running valueloop can fix (a scenario file, a
claims file, a command-line option). It renders as one line that names the place, the item, what
was wrong and what is allowed; the CLI prints that line and exits with status 2. Anything else that
escapes is a bug in valueloop and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path


class ValueloopError(Exception):
    """Base class of every error valueloop raises on purpose."""


class UserInputError(ValueloopError):
    """Bad input from the user: rendered as one line, CLI exit status 2."""

    exit_status = 2

    def __init__(
        self,
        problem: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        item: str | None = None,
        allowed: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = Path(file) if file is not None else None
        self.line = line
        self.item = item
        self.allowed = allowed
        super().__init__(self.render())

    def render(self) -> str:
        place = ""
        if self.file is not None:
            place = str(self.file) + (f":{self.line}" if self.line else "") + ": "
        item = f"{self.item}: " if self.item else ""
        allowed = f" (allowed: {self.allowed})" if self.allowed else ""
        return f"{type(self).__name__}: {place}{item}{self.problem}{allowed}"

    def located(self, file: str | Path, line: int | None = None) -> UserInputError:
        """The same error with a file (and line) attached, keeping any that is already set."""
        if self.file is None:
            self.file = Path(file)
        if self.line is None:
            self.line = line
        self.args = (self.render(),)
        return self


class MalformedFileError(UserInputError):
    """A file that cannot be parsed at all (TOML syntax, missing sheet, bad CSV header)."""


class UnknownParameterError(UserInputError):
    """A parameter name that the model does not declare."""


class MissingParameterError(UserInputError):
    """A parameter the model declares but the scenario does not give."""


class DimensionError(UserInputError):
    """A unit whose physical dimension does not match the declared one."""


class OutOfBoundsError(UserInputError):
    """A value or distribution outside the allowed bounds."""


class MissingSourceError(UserInputError):
    """A number without a citation and not marked as an assumption."""


class InvalidDistributionError(UserInputError):
    """A distribution with inconsistent or missing arguments."""


class ShareGroupError(UserInputError):
    """Shares of a whole that do not sum to one, or a malformed share group."""


class ScenarioStructureError(UserInputError):
    """Inheritance cycles, unknown overrides, unknown models and similar structure problems."""


class ClaimError(UserInputError):
    """A claim that cannot be evaluated as written."""


class OptionError(UserInputError):
    """A command-line option with a value outside what it accepts."""
