"""Parameter declarations (what a model needs) and parameter entries (what a file says).

A model declares each input with a :class:`ParameterDeclaration`: dotted name, the unit the model
computes in, bounds that are physically allowed, and whether it is a scalar or a series. A scenario
file gives a :class:`ParameterEntry` for each: a value in any unit of the same dimension, an
optional distribution, optional tighter bounds and a source. Entries are kept exactly as written so
that a scenario round-trips through TOML and Excel; :mod:`valueloop.core.scenario` resolves them
against the declarations into canonical units.
"""

from __future__ import annotations

import math
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from valueloop.core.distributions import Distribution
from valueloop.core.sources import Citation

NAME_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"
_NAME_RE = re.compile(NAME_PATTERN)


def is_parameter_name(name: str) -> bool:
    return bool(_NAME_RE.match(name))


class ParameterDeclaration(BaseModel):
    """One input a model needs, in the unit the model computes in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=NAME_PATTERN)
    unit: str
    description: str
    bounds: tuple[float, float] = (-math.inf, math.inf)
    shape: Literal["scalar", "series"] = "scalar"
    index_name: str | None = None
    """For a series: what its index is (``year``, ``chemistry``...)."""


class ParameterEntry(BaseModel):
    """A parameter as a scenario file writes it (value and distribution in ``unit``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: float | tuple[float, ...] | None = None
    unit: str = "dimensionless"
    index: tuple[int | str, ...] | None = None
    distribution: Distribution | None = None
    bounds: tuple[float, float] | None = None
    share_group: str | None = None
    source: Citation | None = None
    note: str | None = None

    @field_validator("bounds")
    @classmethod
    def _ordered_bounds(cls, bounds: tuple[float, float] | None) -> tuple[float, float] | None:
        if bounds is not None and not bounds[0] <= bounds[1]:
            raise ValueError(f"bounds must be [low, high] with low <= high, got {list(bounds)}")
        return bounds

    @model_validator(mode="after")
    def _value_or_distribution(self) -> ParameterEntry:
        if self.value is None and self.distribution is None:
            raise ValueError("needs a 'value' or a 'distribution'")
        if isinstance(self.value, tuple):
            if self.distribution is not None:
                raise ValueError("a series is fixed: put its uncertainty on a scalar factor")
            if self.index is None or len(self.index) != len(self.value):
                raise ValueError("a series needs an 'index' with one label per value")
        elif self.index is not None:
            raise ValueError("'index' is only for series values (lists)")
        return self

    @property
    def baseline(self) -> float | tuple[float, ...]:
        if self.value is not None:
            return self.value
        assert self.distribution is not None
        return self.distribution.central()


class ParameterPatch(BaseModel):
    """A named override's change to one parameter: only the fields given are replaced."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: float | tuple[float, ...] | None = None
    unit: str | None = None
    index: tuple[int | str, ...] | None = None
    distribution: Distribution | None = None
    fixed: bool = False
    """True removes the distribution, so the parameter is fixed at its value."""
    bounds: tuple[float, float] | None = None
    source: Citation | None = None
    note: str | None = None

    def applied_to(self, entry: ParameterEntry, default_source: Citation | None) -> ParameterEntry:
        changes = {key: getattr(self, key)
                   for key in self.model_dump(exclude_unset=True, exclude={"fixed"})}
        if self.fixed:
            changes["distribution"] = None
            if changes.get("value", entry.value) is None:
                changes["value"] = entry.baseline  # fixed at the distribution's central value
        if "source" not in changes and default_source is not None:
            changes["source"] = default_source
        return ParameterEntry.model_validate({**entry.model_dump(), **changes})


class ShareGroupEntry(BaseModel):
    """Shares of one whole, sampled jointly as a Dirichlet around their baseline values."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    concentration: float | None = Field(default=None, gt=0)
    """Dirichlet concentration: alpha_i = concentration * share_i. None keeps the shares fixed."""
    source: Citation | None = None
    note: str | None = None


class CorrelationEntry(BaseModel):
    """A rank correlation between two uncertain scalar parameters (Iman-Conover)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    parameters: tuple[str, str]
    rank_correlation: float = Field(gt=-1, lt=1)
    source: Citation | None = None
    note: str | None = None


class OverrideEntry(BaseModel):
    """A named variant of the baseline: parameter patches, optionally on top of another override."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    description: str = ""
    extends: str | None = None
    source: Citation | None = None
    parameters: dict[str, ParameterPatch] = Field(default_factory=dict)
