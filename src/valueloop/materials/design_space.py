"""The box an inverse design searches: which elements vary, their wt% bounds, and processing.

A :class:`DesignSpace` is a pydantic definition, validated once; the search
(:mod:`valueloop.materials.design_encoding`) turns it into decision-variable bounds. Nothing in
it is typed in: :func:`default_design_space` reads every default from the training data.

* **Elements** (default): the solutes that occur in at least :data:`MIN_FORMULAS` distinct alloy
  formulas of the training table (our assumption: an element seen in fewer alloys has too little
  data behind its effect for a model to be trusted on it). On the shipped Gorsse et al. 2023 data
  these are Al, Co, Cr, Fe, Mg, Ni, P, Si, Ti and Zr. A user may name any other list.
* **wt% bounds**: the training range of the element in every model the design uses (the
  intersection of their :class:`~valueloop.materials.property_models.Domain` ranges); bounds a
  user gives are clipped to it by :func:`clip_to_domains`.
* **Smallest addition**: a content below the smallest non-zero content of the element in the
  training data counts as not added (0 wt%): nothing is known between 0 and that level, and a
  recipe does not add 0.002 wt% of anything.
* **Total solute**: at most the largest total solute of any training row.
* **Processing**: solution temperature and time, cold-rolling reduction, ageing temperature and
  time span the training rows' ranges (ageing ranges over the aged rows only). Ageing is free
  (the search decides) unless fixed on or off; the secondary thermo-mechanical step, which the
  data record only as a flag without details, stays off unless asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from valueloop.core.errors import UnknownParameterError, UserInputError
from valueloop.materials.properties import (
    AGING_T,
    COLD_ROLLING,
    ELEMENTS,
    FEATURE_NAMES,
    SOLUTION_T,
    AlloyTable,
    feature_hours,
)
from valueloop.materials.property_models import Domain

MIN_FORMULAS = 5
"""Default elements occur in at least this many training alloy formulas (our assumption)."""
Switch = Literal["free", "on", "off"]
_FROZEN = ConfigDict(frozen=True, extra="forbid")
_AGED = FEATURE_NAMES.index("aged")
_SOLUTION_TIME = FEATURE_NAMES.index("log1p tss (h)")
_AGING_TIME = FEATURE_NAMES.index("log1p tag (h)")


class DesignSpaceError(UserInputError):
    """A design space that cannot be searched (unknown element, empty range, bad bound)."""


class Span(BaseModel):
    """A closed range ``low <= value <= high``; ``low == high`` fixes the value."""

    model_config = _FROZEN

    low: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.low > self.high:
            raise ValueError(f"low {self.low:g} exceeds high {self.high:g}")
        return self


class ElementSpan(Span):
    """The wt% range of one solute (Cu is the balance)."""

    element: str
    high: float = Field(ge=0, le=100)
    min_added: float = Field(default=0.0, ge=0, le=100)
    """Contents below this are 0 wt% (not added); default: none."""

    @field_validator("element")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in ELEMENTS:
            raise ValueError(f"unknown element {value!r}; allowed: {', '.join(ELEMENTS)}")
        return value


class DesignSpace(BaseModel):
    """Elements with wt% bounds, total solute limit and processing bounds of a design search."""

    model_config = _FROZEN

    elements: tuple[ElementSpan, ...] = Field(min_length=1)
    max_total_solute_wt: float = Field(gt=0, le=100)
    solution_temperature_k: Span
    solution_time_h: Span
    cold_rolling_pct: Span
    ageing: Switch = "free"
    ageing_temperature_k: Span
    ageing_time_h: Span
    secondary_tmt: Switch = "off"

    @field_validator("elements")
    @classmethod
    def _unique(cls, value: tuple[ElementSpan, ...]) -> tuple[ElementSpan, ...]:
        names = [e.element for e in value]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"element {repeated[0]} is listed twice")
        return value

    @field_validator("solution_temperature_k", "ageing_temperature_k")
    @classmethod
    def _absolute(cls, value: Span) -> Span:
        if value.low <= 0:
            raise ValueError("a temperature in K must be above 0")
        return value

    @field_validator("cold_rolling_pct")
    @classmethod
    def _percent(cls, value: Span) -> Span:
        if value.high > 100:
            raise ValueError("a reduction cannot exceed 100 %")
        return value

    def element_names(self) -> tuple[str, ...]:
        """The design elements, in the order given."""
        return tuple(e.element for e in self.elements)


@dataclass(frozen=True)
class TrainingRanges:
    """What the defaults are read from: per-element formula counts and processing ranges."""

    formulas_per_element: Mapping[str, int]
    smallest_addition: Mapping[str, float]
    """Smallest non-zero wt% of each element (0 where never added)."""
    max_total_solute_wt: float
    solution_temperature_k: tuple[float, float]
    solution_time_h: tuple[float, float]
    cold_rolling_pct: tuple[float, float]
    ageing_temperature_k: tuple[float, float]
    ageing_time_h: tuple[float, float]

    @classmethod
    def from_table(cls, table: AlloyTable) -> TrainingRanges:
        """Ranges over the rows of ``table`` (blank cells ignored)."""
        raw = table.raw
        formulas = np.asarray(table.formula)
        counts = {e: len(set(formulas[raw[:, j] > 0])) for j, e in enumerate(ELEMENTS)}
        smallest = {e: float(np.min(raw[raw[:, j] > 0, j], initial=np.inf)) if counts[e] else 0.0
                    for j, e in enumerate(ELEMENTS)}
        aged = raw[:, _AGED] == 1

        def span(column: int, rows: np.ndarray | None = None, hours: bool = False
                 ) -> tuple[float, float]:
            values = raw[:, column] if rows is None else raw[rows, column]
            values = values[~np.isnan(values)]
            if hours:
                values = feature_hours(values)
            return float(values.min()), float(values.max())

        return cls(counts, smallest, float(np.max(raw[:, :len(ELEMENTS)].sum(axis=1))),
                   span(FEATURE_NAMES.index(SOLUTION_T)), span(_SOLUTION_TIME, hours=True),
                   span(FEATURE_NAMES.index(COLD_ROLLING)),
                   span(FEATURE_NAMES.index(AGING_T), aged),
                   span(_AGING_TIME, aged, hours=True))

    def default_elements(self, min_formulas: int = MIN_FORMULAS) -> tuple[str, ...]:
        """Elements found in at least ``min_formulas`` training formulas, in Gorsse order."""
        return tuple(e for e in ELEMENTS if self.formulas_per_element[e] >= min_formulas)


def domain_element_range(domains: Sequence[Domain]) -> tuple[np.ndarray, np.ndarray]:
    """wt% range of every element inside all ``domains`` (the intersection of their ranges)."""
    low = np.max([d.element_min for d in domains], axis=0)
    high = np.min([d.element_max for d in domains], axis=0)
    return low, high


def default_design_space(table: AlloyTable, domains: Sequence[Domain],
                         elements: Sequence[str] | None = None, *, ageing: Switch = "free",
                         secondary_tmt: Switch = "off",
                         min_formulas: int = MIN_FORMULAS) -> DesignSpace:
    """The design space read from the training ``table`` and the models' ``domains``.

    Parameters
    ----------
    table
        The training rows (the shipped Gorsse et al. 2023 data for the shipped models).
    domains
        The domains of the models the design uses; element bounds are their common range.
    elements
        Design elements; default: those in at least ``min_formulas`` training formulas.
    ageing, secondary_tmt
        ``"free"`` lets the search decide, ``"on"``/``"off"`` fix the step.
    """
    if not domains:
        raise ValueError("at least one model domain is needed")
    ranges = TrainingRanges.from_table(table)
    low, high = domain_element_range(domains)
    chosen = tuple(elements) if elements is not None else ranges.default_elements(min_formulas)
    seen = [e for e in ELEMENTS if high[ELEMENTS.index(e)] > 0]
    spans = []
    for name in chosen:
        if name not in ELEMENTS or high[ELEMENTS.index(name)] <= 0:
            raise UnknownParameterError(
                f"element {name!r} does not occur in the training data of the models",
                item="elements", allowed=", ".join(seen))
        j = ELEMENTS.index(name)
        spans.append({"element": name, "low": float(low[j]), "high": float(high[j]),
                      "min_added": ranges.smallest_addition[name]})
    return parse_design_space({
        "elements": spans, "max_total_solute_wt": ranges.max_total_solute_wt,
        "solution_temperature_k": _span(ranges.solution_temperature_k),
        "solution_time_h": _span(ranges.solution_time_h),
        "cold_rolling_pct": _span(ranges.cold_rolling_pct), "ageing": ageing,
        "ageing_temperature_k": _span(ranges.ageing_temperature_k),
        "ageing_time_h": _span(ranges.ageing_time_h), "secondary_tmt": secondary_tmt})


def _span(bounds: tuple[float, float]) -> dict[str, float]:
    return {"low": bounds[0], "high": bounds[1]}


def clip_to_domains(space: DesignSpace, domains: Sequence[Domain]) -> DesignSpace:
    """``space`` with each element's bounds clipped to the models' common training range.

    Raises :class:`DesignSpaceError` naming the element when nothing of its range is left.
    """
    low, high = domain_element_range(domains)
    spans = []
    for span in space.elements:
        j = ELEMENTS.index(span.element)
        clipped = (max(span.low, float(low[j])), min(span.high, float(high[j])))
        if clipped[0] > clipped[1] or high[j] <= 0:
            raise DesignSpaceError(
                f"{span.low:g}-{span.high:g} wt% lies outside the training data of the models",
                item=f"elements.{span.element}",
                allowed=f"{low[j]:g}-{high[j]:g} wt%, or allow extrapolation")
        spans.append(span.model_copy(update={"low": clipped[0], "high": clipped[1]}))
    return space.model_copy(update={"elements": tuple(spans)})


def parse_design_space(data: Mapping[str, Any], *, source: str = "design space") -> DesignSpace:
    """Validate a mapping into a :class:`DesignSpace`; errors name the field and what is allowed.

    The mapping has the fields of :class:`DesignSpace`; ``elements`` is a list of
    ``{"element": "Cr", "low": 0, "high": 1.0}`` tables, each range a ``{"low", "high"}`` table.
    """
    try:
        return DesignSpace.model_validate(dict(data))
    except ValidationError as exc:
        error = exc.errors()[0]
        location = [str(p) for p in error["loc"]]
        if len(location) >= 2 and location[0] == "elements" and location[1].isdigit():
            entry = data.get("elements", ())[int(location[1])]
            name = entry.get("element") if isinstance(entry, Mapping) else None
            location[1] = str(name or location[1])
        item = ".".join(location) or "design space"
        field = location[0] if location else ""
        raise DesignSpaceError(error["msg"].removeprefix("Value error, "),
                               item=f"{source}: {item}" if source else item,
                               allowed=_ALLOWED.get(field, ", ".join(DesignSpace.model_fields))
                               ) from None


_ALLOWED = {
    "elements": f"a non-empty list of {{element, low, high}} with element one of "
                f"{', '.join(ELEMENTS)}, 0 <= low <= high <= 100 wt%",
    "max_total_solute_wt": "a number above 0 and at most 100 wt%",
    "solution_temperature_k": "{low, high} in K, 0 < low <= high",
    "ageing_temperature_k": "{low, high} in K, 0 < low <= high",
    "solution_time_h": "{low, high} in h, 0 <= low <= high",
    "ageing_time_h": "{low, high} in h, 0 <= low <= high",
    "cold_rolling_pct": "{low, high} in %, 0 <= low <= high <= 100",
    "ageing": "free, on, off",
    "secondary_tmt": "free, on, off",
}
