"""The user errors of the passport component; each renders as one line (CLI exit status 2)."""

from __future__ import annotations

from valueloop.core.errors import UserInputError


class IdentifierError(UserInputError):
    """A unique identifier that does not follow our ISO/IEC 15459 profile."""


class PassportContentError(UserInputError):
    """A passport file or payload whose content is invalid (names the field)."""


class PassportNotFoundError(UserInputError):
    """An identifier (or version) that no stored passport has."""


class PassportStateError(UserInputError):
    """An operation the passport's status forbids, e.g. updating a recycled passport."""


class ExportError(UserInputError):
    """An export that does not validate against its target schema (names the first path)."""
