"""Decision vectors of an inverse design: raw feature rows, and their objectives and constraints.

* :class:`Encoding` maps a decision vector (design-element wt%, solution temperature and time,
  cold-rolling reduction, an ageing flag, ageing temperature and time, optionally a secondary
  TMT flag) to raw feature rows in :data:`~valueloop.materials.properties.FEATURE_NAMES` order,
  for a whole population at once. Times are searched in ``log1p(hours)``, the scale the models
  see. A content below the element's smallest addition is 0 wt%. A flag is on when its
  variable is at least 0.5; a row that is not aged gets the rule of
  :mod:`~valueloop.materials.properties`: 293.15 K and 0 h. Values are rounded to what a
  recipe states (0.001 wt%, 1 K, 0.1 %, 0.01 h), so that a candidate written out and read back
  gives the same features.
* :class:`Evaluator` predicts the population and returns pymoo's objectives ``F`` (minimised:
  a maximised property enters negated) and inequality constraints ``G <= 0``: one per designed
  constraint, in units of that model's interval half-width, so that pymoo's summed violation
  weighs properties alike; total solute at most the space's limit; unless extrapolation is
  allowed, for every model used ``distance / threshold - 1 <= 0`` (its applicability domain;
  element ranges are bounds of the decision vector); and, when asked to stay within the measured
  data, the gap to the measured frontier
  (:class:`~valueloop.materials.design_frontier.MeasuredFrontier`), in training standard
  deviations. ``conservative`` compares the interval bound (``lo`` for ``>=``, ``hi`` for
  ``<=``) instead of the point prediction.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from valueloop.materials.design_frontier import MeasuredFrontier
from valueloop.materials.design_plan import DesignPlan
from valueloop.materials.design_space import DesignSpace, DesignSpaceError
from valueloop.materials.properties import (
    AGING,
    AGING_T,
    AGING_TIME,
    COLD_ROLLING,
    ELEMENTS,
    FEATURE_NAMES,
    ROOM_TEMPERATURE_K,
    SECONDARY,
    SOLUTION_T,
    SOLUTION_TIME,
    feature_hours,
)
from valueloop.materials.property_models import Prediction, PropertyModel

DIGITS = {"wt": 3, "kelvin": 0, "percent": 1, "hours": 2, "flag": 0}
"""Decimals a recipe states each kind of quantity with (our assumption, as in the data)."""
Kind = Literal["wt", "kelvin", "percent", "hours", "flag"]
_N_ELEMENTS = len(ELEMENTS)
_COLUMN = {name: FEATURE_NAMES.index(name) for name in FEATURE_NAMES}
_AGED, _AGING_T, _AGING_TIME = _COLUMN["aged"], _COLUMN["Tag (K)"], _COLUMN["log1p tag (h)"]
_SECONDARY = _COLUMN["secondary TMT"]


@dataclass(frozen=True)
class Quantity:
    """One quantity of a recipe: fixed when ``low == high``, else a decision variable."""

    name: str
    feature: int
    kind: Kind
    low: float
    high: float
    min_added: float = 0.0
    """wt% only: contents below this are 0 (not added)."""

    @property
    def free(self) -> bool:
        return self.high > self.low

    def bounds(self) -> tuple[float, float]:
        """Decision-variable bounds (``log1p`` hours for times)."""
        if self.kind == "hours":
            return float(np.log1p(self.low)), float(np.log1p(self.high))
        return self.low, self.high

    def value(self, x: np.ndarray) -> np.ndarray:
        """The feature value of decision values ``x`` (rounded as a recipe states it)."""
        if self.kind == "flag":
            return (x >= 0.5).astype(float)
        if self.kind == "hours":
            hours = np.clip(np.round(np.expm1(x), DIGITS["hours"]), self.low, self.high)
            # math.log1p as properties uses when reading a recipe: numpy's log1p can differ in
            # the last bit, and a forest's split may fall in between
            return np.array([math.log1p(h) for h in hours], dtype=float)
        value = np.round(x, DIGITS[self.kind])
        if self.min_added > 0:
            value = np.where(value < self.min_added, 0.0, value)
        return np.clip(value, self.low, self.high)


def _flag_bounds(switch: str) -> tuple[float, float]:
    return {"free": (0.0, 1.0), "on": (1.0, 1.0), "off": (0.0, 0.0)}[switch]


@dataclass(frozen=True)
class Encoding:
    """Decision vector of a :class:`DesignSpace` and its decoding into raw feature rows."""

    quantities: tuple[Quantity, ...]

    @classmethod
    def from_space(cls, space: DesignSpace) -> Encoding:
        """Quantities of ``space``: elements, then processing in feature order."""
        quantities = [Quantity(f"{e.element} (wt%)", ELEMENTS.index(e.element), "wt", e.low,
                               e.high, e.min_added) for e in space.elements]
        quantities += [
            Quantity("solution temperature (K)", _COLUMN["Tss (K)"], "kelvin",
                     space.solution_temperature_k.low, space.solution_temperature_k.high),
            Quantity("solution time (h)", _COLUMN["log1p tss (h)"], "hours",
                     space.solution_time_h.low, space.solution_time_h.high),
            Quantity("cold rolling (%)", _COLUMN["CR reduction (%)"], "percent",
                     space.cold_rolling_pct.low, space.cold_rolling_pct.high),
            Quantity("aged", _AGED, "flag", *_flag_bounds(space.ageing)),
        ]
        if space.ageing != "off":
            quantities += [
                Quantity("ageing temperature (K)", _AGING_T, "kelvin",
                         space.ageing_temperature_k.low, space.ageing_temperature_k.high),
                Quantity("ageing time (h)", _AGING_TIME, "hours", space.ageing_time_h.low,
                         space.ageing_time_h.high)]
        quantities.append(Quantity("secondary TMT", _SECONDARY, "flag",
                                   *_flag_bounds(space.secondary_tmt)))
        encoding = cls(tuple(quantities))
        if not encoding.variables():
            raise DesignSpaceError("every quantity is fixed: nothing to search",
                                   item="design space", allowed="at least one low < high")
        return encoding

    def variables(self) -> tuple[Quantity, ...]:
        """The free quantities, in decision-vector order."""
        return tuple(q for q in self.quantities if q.free)

    def names(self) -> tuple[str, ...]:
        return tuple(q.name for q in self.variables())

    def lower(self) -> np.ndarray:
        return np.array([q.bounds()[0] for q in self.variables()])

    def upper(self) -> np.ndarray:
        return np.array([q.bounds()[1] for q in self.variables()])

    def decode(self, x: np.ndarray) -> np.ndarray:
        """Raw feature rows (``n x len(FEATURE_NAMES)``) of decision vectors ``x`` (``n x d``)."""
        x = np.atleast_2d(np.asarray(x, dtype=float))
        raw = np.zeros((len(x), len(FEATURE_NAMES)))
        column = 0
        for quantity in self.quantities:
            if quantity.free:
                values = x[:, column]
                column += 1
            else:
                values = np.full(len(x), quantity.bounds()[0])
            raw[:, quantity.feature] = quantity.value(values)
        idle = raw[:, _AGED] == 0  # the non-aged rule of valueloop.materials.properties
        raw[idle, _AGING_T] = ROOM_TEMPERATURE_K
        raw[idle, _AGING_TIME] = 0.0
        return raw

    def encode(self, raw: np.ndarray) -> np.ndarray:
        """Decision vectors of complete raw rows, clipped into the bounds (for warm starts)."""
        variables = self.variables()
        x = np.column_stack([raw[:, q.feature] for q in variables])
        return np.clip(x, self.lower(), self.upper())

    def spans(self) -> np.ndarray:
        """Per feature, the range the search covers (1 where fixed): the dedupe scale."""
        scale = np.ones(len(FEATURE_NAMES))
        for quantity in self.variables():
            low, high = quantity.bounds()
            scale[quantity.feature] = high - low
        return scale


def processing_columns(raw: np.ndarray) -> dict[str, np.ndarray]:
    """Processing of raw rows in recipe units, by Gorsse column; ageing is NaN where not aged."""
    aged = raw[:, _AGED] == 1
    return {
        SOLUTION_T: raw[:, _COLUMN["Tss (K)"]],
        SOLUTION_TIME: feature_hours(raw[:, _COLUMN["log1p tss (h)"]]),
        COLD_ROLLING: raw[:, _COLUMN["CR reduction (%)"]],
        AGING: aged,
        AGING_T: np.where(aged, raw[:, _AGING_T], np.nan),
        AGING_TIME: np.where(aged, feature_hours(raw[:, _AGING_TIME]), np.nan),
        SECONDARY: raw[:, _SECONDARY] == 1,
    }


# --- objectives and constraints of a population ------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """Predictions, domain distances and pymoo's ``F`` and ``G`` of one population."""

    raw: np.ndarray
    predictions: Mapping[str, Prediction]
    distance_ratio: np.ndarray
    """Per row and used model, distance to the nearest training row over the threshold."""
    F: np.ndarray  # pymoo's names: objectives and constraints
    G: np.ndarray

    @property
    def feasible(self) -> np.ndarray:
        return np.all(self.G <= 0.0, axis=1)

    @property
    def violation(self) -> np.ndarray:
        """pymoo's constraint violation: the sum of the positive ``G``."""
        return np.sum(np.maximum(self.G, 0.0), axis=1)

    def take(self, rows: np.ndarray) -> Evaluation:
        """The evaluation of ``rows`` only, in that order."""
        return Evaluation(self.raw[rows],
                          {name: Prediction(p.pred[rows], p.lo[rows], p.hi[rows],
                                            p.in_domain[rows],
                                            None if p.sigma is None else p.sigma[rows])
                           for name, p in self.predictions.items()},
                          self.distance_ratio[rows], self.F[rows], self.G[rows])


@dataclass(frozen=True)
class Evaluator:
    """Decision vectors to objectives and constraints; the one function every search calls."""

    plan: DesignPlan
    models: Mapping[str, PropertyModel]
    """The models the plan uses."""
    encoding: Encoding
    max_total_solute_wt: float
    conservative: bool = False
    allow_extrapolation: bool = False
    frontier: MeasuredFrontier | None = None
    """Given: candidates must stay within the measured data (``gap <= 0``)."""

    def constraint_names(self) -> tuple[str, ...]:
        names = [c.label() for c in self.plan.constraints]
        names.append(f"total solute <= {self.max_total_solute_wt:g} wt%")
        if not self.allow_extrapolation:
            names += [f"{m} domain" for m in self.models]
        if self.frontier is not None:
            names.append(f"within measured {', '.join(self.frontier.models)}")
        return tuple(names)

    def evaluate(self, x: np.ndarray) -> Evaluation:
        """Evaluate decision vectors ``x`` (``n x d``)."""
        return self.evaluate_raw(self.encoding.decode(x))

    def evaluate_raw(self, raw: np.ndarray) -> Evaluation:
        """Evaluate decoded raw feature rows."""
        predictions = {name: model.predict(raw)
                       for name, model in self.models.items()}
        ratio = np.column_stack([
            model.domain.distance(model.imputation.apply(raw)) / model.domain.threshold
            for model in self.models.values()])
        columns = [-predictions[o.model].pred if o.sense == "max" else predictions[o.model].pred
                   for o in self.plan.objectives]
        constraints = []
        for c in self.plan.constraints:
            width = self.models[c.model].half_width
            width = width if 0.0 < width < np.inf else 1.0  # too few rows: an unbounded interval
            constraints.append(c.excess(predictions[c.model], self.conservative) / width)
        total = raw[:, :_N_ELEMENTS].sum(axis=1)
        constraints.append(total / self.max_total_solute_wt - 1.0)
        if not self.allow_extrapolation:
            constraints += list((ratio - 1.0).T)
        if self.frontier is not None:
            constraints.append(self.frontier.gap(predictions))
        return Evaluation(raw, predictions, ratio, np.column_stack(columns),
                          np.column_stack(constraints))

    def __call__(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        evaluation = self.evaluate(x)
        return evaluation.F, evaluation.G
