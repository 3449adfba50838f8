"""Inverse design: NSGA-II (pymoo) over composition and processing for a requirement's targets.

The steps, each a function of its own:

1. :func:`plan_design` sorts a requirement's constraints and objectives into those the property
   models can design for (conductivity, hardness, yield strength, UTS) and those nobody can
   predict (stress relaxation, roughness, softening, CTE, ...), which the result lists as "not
   designed for". A thermal-conductivity bound becomes a conductivity bound by Wiedemann-Franz
   (κ = L₀σT at :data:`WF_TEMPERATURE_K`); the plan says so.
2. :class:`Encoding` maps a decision vector (design-element wt%, solution temperature and time,
   cold-rolling reduction, an ageing flag, ageing temperature and time, optionally a secondary
   TMT flag) to raw feature rows in :data:`~valueloop.materials.properties.FEATURE_NAMES` order,
   for a whole population at once. Times are searched in ``log1p(hours)``, the scale the models
   see. A content below the element's smallest addition is 0 wt%. A flag is on when its
   variable is at least 0.5; a row that is not aged gets the rule of
   :mod:`~valueloop.materials.properties`: 293.15 K and 0 h. Values are rounded to what a
   recipe states (0.001 wt%, 1 K, 0.1 %, 0.01 h), so that a candidate written out and read back
   gives the same features.
3. :class:`Evaluator` predicts the population and returns pymoo's objectives ``F`` (minimised:
   a maximised property enters negated) and inequality constraints ``G <= 0``: one per designed
   constraint, in units of that model's interval half-width, so that pymoo's summed violation
   weighs properties alike; total solute at most the space's limit; and, unless extrapolation is
   allowed, for every model used ``distance / threshold - 1 <= 0`` (its applicability domain;
   element ranges are bounds of the decision vector). ``conservative`` compares the interval
   bound (``lo`` for ``>=``, ``hi`` for ``<=``) instead of the point prediction.
4. :func:`design` runs NSGA-II (seeded, reproducible), starting from training rows that use
   only the design elements (or, with ``warm_start=False``, from a uniform random population),
   and records when the first feasible candidate appeared
   (a pymoo callback, checked once per generation). The final population is deduplicated,
   sorted (feasible Pareto members first), re-predicted with every model given, and each
   candidate gets its nearest training alloy (formula and DOI) for provenance.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from pymoo.algorithms.moo.nsga2 import NSGA2
from pymoo.core.algorithm import Algorithm
from pymoo.core.callback import Callback
from pymoo.core.problem import Problem
from pymoo.optimize import minimize

from valueloop.core.errors import UserInputError
from valueloop.materials import physics
from valueloop.materials.design_space import (
    DesignSpace,
    DesignSpaceError,
    clip_to_domains,
    default_design_space,
)
from valueloop.materials.properties import (
    ELEMENTS,
    FEATURE_NAMES,
    ROOM_TEMPERATURE_K,
    AlloyTable,
    load_shipped,
)
from valueloop.materials.property_models import (
    PROPERTIES,
    Prediction,
    PropertyModel,
    predict_all,
)
from valueloop.materials.requirement import PROPERTY_KEYS, Requirement, canonical_value

WF_TEMPERATURE_K = 293.15
"""Temperature of the Wiedemann-Franz conversion: %IACS (IEC 1913) and tabulated κ are 20 °C."""
DEDUPE_TOLERANCE = 0.05
"""Candidates closer than this fraction of every variable's range are one (our assumption);
so are candidates every model predicts identically (random forests are piecewise constant)."""
DIGITS = {"wt": 3, "kelvin": 0, "percent": 1, "hours": 2, "flag": 0}
"""Decimals a recipe states each kind of quantity with (our assumption, as in the data)."""
THERMAL = "thermal_conductivity"
CONDUCTIVITY = "electrical_conductivity_iacs"
Kind = Literal["wt", "kelvin", "percent", "hours", "flag"]
_N_ELEMENTS = len(ELEMENTS)
_COLUMN = {name: FEATURE_NAMES.index(name) for name in FEATURE_NAMES}
_AGED, _AGING_T, _AGING_TIME = _COLUMN["aged"], _COLUMN["Tag (K)"], _COLUMN["log1p tag (h)"]
_SECONDARY = _COLUMN["secondary TMT"]


class DesignError(UserInputError):
    """A requirement or setting the inverse design cannot work with."""


@dataclass(frozen=True)
class DesignSettings:
    """How the search runs (frozen; pass a new one to change anything)."""

    population: int = 40
    generations: int = 50
    seed: int = 0
    conservative: bool = False
    """Constraints on the interval bound (``lo`` for ``>=``, ``hi`` for ``<=``)."""
    allow_extrapolation: bool = False
    """Drop the domain constraint (candidates are still flagged)."""
    warm_start: bool = True
    """Seed the first population with training rows that use only the design elements
    (``benchmarks/bench_materials_design.py``: without them, targets near the edge of the data
    are often not met within 2000 evaluations)."""
    wf_temperature_k: float = WF_TEMPERATURE_K

    def __post_init__(self) -> None:
        if self.population < 4:
            raise DesignError(f"{self.population} is too small", item="population",
                              allowed="an integer >= 4")
        if self.generations < 1:
            raise DesignError(f"{self.generations} is too few", item="generations",
                              allowed="an integer >= 1")
        if not self.wf_temperature_k > 0:
            raise DesignError(f"{self.wf_temperature_k} K", item="wf_temperature_k",
                              allowed="a temperature above 0 K")


# --- 1. what can be designed for -------------------------------------------------------------


@dataclass(frozen=True)
class DesignedConstraint:
    """A requirement constraint as the search applies it to one property model."""

    model: str
    operator: Literal[">=", "<="]
    value: float
    unit: str
    stated: str
    """The requirement's constraint in its canonical unit."""
    reason: str
    treatment: str

    def label(self) -> str:
        """Short text, e.g. ``electrical_conductivity_iacs >= 22.9``."""
        return f"{self.model} {self.operator} {self.value:.4g}"


@dataclass(frozen=True)
class DesignedObjective:
    """A property to maximise or minimise, on a model's point prediction."""

    model: str
    sense: Literal["max", "min"]
    stated: str
    treatment: str


@dataclass(frozen=True)
class NotDesigned:
    """A constraint or objective on a property no model predicts: listed, not searched for."""

    kind: Literal["constraint", "objective"]
    property: str
    stated: str
    reason: str
    why: str


@dataclass(frozen=True)
class DesignPlan:
    """What the search designs for, and what it leaves to the user."""

    requirement: str
    constraints: tuple[DesignedConstraint, ...]
    objectives: tuple[DesignedObjective, ...]
    not_designed: tuple[NotDesigned, ...]
    notes: tuple[str, ...] = ()

    def models_used(self) -> tuple[str, ...]:
        """Models named by the objectives, then the constraints, each once."""
        return tuple(dict.fromkeys([o.model for o in self.objectives]
                                   + [c.model for c in self.constraints]))


def _wf_iacs(kappa: float, temperature_k: float) -> float:
    sigma = physics.electrical_from_thermal(kappa, temperature_k)
    return float(physics.conductivity_to_iacs(sigma))


def _wf_treatment(temperature_k: float) -> str:
    return (f"Wiedemann-Franz κ = L₀σT at {temperature_k:g} K; the lattice part of κ is ignored, "
            "which asks for more conductivity than needed (most below about 40 %IACS)")


def plan_design(requirement: Requirement, models: Mapping[str, PropertyModel], *,
                wf_temperature_k: float = WF_TEMPERATURE_K) -> DesignPlan:
    """Split a requirement into designed constraints/objectives and what is not designed for.

    Raises :class:`DesignError` when nothing in the requirement is on a predicted property.
    """
    constraints: list[DesignedConstraint] = []
    objectives: list[DesignedObjective] = []
    skipped: list[NotDesigned] = []
    notes: list[str] = []
    for constraint in requirement.constraints:
        spec = PROPERTY_KEYS[constraint.property]
        value = canonical_value(constraint)
        stated = f"{constraint.property} {constraint.operator} {value:.4g} {spec.unit}"
        if constraint.property == THERMAL and CONDUCTIVITY in models:
            iacs = _wf_iacs(value, wf_temperature_k)
            constraints.append(DesignedConstraint(
                CONDUCTIVITY, constraint.operator, iacs, models[CONDUCTIVITY].unit, stated,
                constraint.reason, f"as {CONDUCTIVITY} {constraint.operator} {iacs:.4g} %IACS "
                                   f"by {_wf_treatment(wf_temperature_k)}"))
        elif spec.model is not None and spec.model in models:
            constraints.append(DesignedConstraint(
                spec.model, constraint.operator, value, models[spec.model].unit, stated,
                constraint.reason, "as stated"))
        else:
            skipped.append(NotDesigned("constraint", constraint.property, stated,
                                       constraint.reason, _why(spec.model)))
    for objective in requirement.objectives:
        spec = PROPERTY_KEYS[objective.property]
        stated = f"{objective.sense} {objective.property}"
        if objective.property == THERMAL and CONDUCTIVITY in models:
            objectives.append(DesignedObjective(
                CONDUCTIVITY, objective.sense, stated,
                f"as {objective.sense} {CONDUCTIVITY}: κ rises with σ by Wiedemann-Franz"))
        elif spec.model is not None and spec.model in models:
            objectives.append(DesignedObjective(spec.model, objective.sense, stated,
                                                "on the point prediction"))
        else:
            skipped.append(NotDesigned("objective", objective.property, stated, "",
                                       _why(spec.model)))
    if any(o.weight != 1.0 for o in requirement.objectives):
        notes.append("objective weights are not used: NSGA-II returns the Pareto set")
    if not objectives and constraints:
        for c in constraints:  # one objective per constrained model, in the constraint's sense
            sense: Literal["max", "min"] = "max" if c.operator == ">=" else "min"
            if all(o.model != c.model for o in objectives):
                objectives.append(DesignedObjective(c.model, sense, f"from {c.stated}",
                                                    "no objective on a predicted property: "
                                                    "the constraint's direction"))
        notes.append("no objective is on a predicted property: the constrained properties are "
                     "optimised in their constraints' direction")
    unique = list({(o.model, o.sense): o for o in objectives}.values())
    if not unique:
        raise DesignError("no constraint or objective is on a property the models predict",
                          item=f"requirement {requirement.name!r}",
                          allowed=", ".join([*models, THERMAL]))
    return DesignPlan(requirement.name, tuple(constraints), tuple(unique), tuple(skipped),
                      tuple(notes))


def _why(model: str | None) -> str:
    if model is None:
        return "no property model predicts it: check it against measured data (select)"
    return f"the {model} model was not given"


# --- 2. decision vector <-> raw feature rows ---------------------------------------------------


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


# --- 3. objectives and constraints of a population ---------------------------------------------


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

    def constraint_names(self) -> tuple[str, ...]:
        names = [c.label() for c in self.plan.constraints]
        names.append(f"total solute <= {self.max_total_solute_wt:g} wt%")
        if not self.allow_extrapolation:
            names += [f"{m} domain" for m in self.models]
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
            prediction = predictions[c.model]
            width = self.models[c.model].half_width
            width = width if 0.0 < width < np.inf else 1.0  # too few rows: an unbounded interval
            if c.operator == ">=":
                bound = prediction.lo if self.conservative else prediction.pred
                constraints.append((c.value - bound) / width)
            else:
                bound = prediction.hi if self.conservative else prediction.pred
                constraints.append((bound - c.value) / width)
        total = raw[:, :_N_ELEMENTS].sum(axis=1)
        constraints.append(total / self.max_total_solute_wt - 1.0)
        if not self.allow_extrapolation:
            constraints += list((ratio - 1.0).T)
        return Evaluation(raw, predictions, ratio, np.column_stack(columns),
                          np.column_stack(constraints))

    def __call__(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        evaluation = self.evaluate(x)
        return evaluation.F, evaluation.G


class DesignProblem(Problem):
    """The pymoo problem: one vectorised :class:`Evaluator` call per population."""

    def __init__(self, evaluator: Evaluator) -> None:
        super().__init__(n_var=len(evaluator.encoding.variables()),
                         n_obj=len(evaluator.plan.objectives),
                         n_ieq_constr=len(evaluator.constraint_names()),
                         xl=evaluator.encoding.lower(), xu=evaluator.encoding.upper())
        self.evaluator = evaluator

    def _evaluate(self, x: np.ndarray, out: dict, *args: object, **kwargs: object) -> None:
        out["F"], out["G"] = self.evaluator(x)


class FirstFeasible(Callback):
    """Records time, evaluations and generation when a feasible candidate first exists."""

    def __init__(self, start: float) -> None:
        super().__init__()
        self.start = start
        self.seconds: float | None = None
        self.evaluations: int | None = None
        self.generation: int | None = None

    def notify(self, algorithm: Algorithm) -> None:
        # NSGA-II is elitist: a feasible candidate, once found, stays in the population
        if self.seconds is None and np.any(algorithm.pop.get("feas")):
            self.seconds = time.perf_counter() - self.start
            self.evaluations = int(algorithm.evaluator.n_eval)
            self.generation = int(algorithm.n_gen)


# --- 4. the search -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DesignSetup:
    """Everything a search over one requirement needs, before any evaluation."""

    plan: DesignPlan
    space: DesignSpace
    encoding: Encoding
    evaluator: Evaluator
    settings: DesignSettings


def prepare(requirement: Requirement, models: Mapping[str, PropertyModel], table: AlloyTable,
            *, space: DesignSpace | None = None, elements: Sequence[str] | None = None,
            settings: DesignSettings | None = None) -> DesignSetup:
    """Plan, design space (default from ``table``, clipped to the models' domains) and evaluator.

    ``space`` wins over ``elements``; without either, the default elements are used.
    Extrapolation keeps a given ``space`` unclipped.
    """
    settings = settings or DesignSettings()
    plan = plan_design(requirement, models, wf_temperature_k=settings.wf_temperature_k)
    used = {name: models[name] for name in plan.models_used()}
    domains = [m.domain for m in used.values()]
    if space is None:
        space = default_design_space(table, domains, elements)
    elif not settings.allow_extrapolation:
        space = clip_to_domains(space, domains)
    encoding = Encoding.from_space(space)
    evaluator = Evaluator(plan, used, encoding, space.max_total_solute_wt,
                          settings.conservative, settings.allow_extrapolation)
    return DesignSetup(plan, space, encoding, evaluator, settings)


def warm_start_rows(table: AlloyTable, space: DesignSpace) -> np.ndarray:
    """Complete training rows that use only the design elements and fit the fixed switches."""
    raw = table.raw
    design = np.zeros(_N_ELEMENTS, dtype=bool)
    design[[ELEMENTS.index(e) for e in space.element_names()]] = True
    keep = np.all(raw[:, :_N_ELEMENTS][:, ~design] == 0, axis=1) & ~np.any(np.isnan(raw), axis=1)
    for switch, column in ((space.ageing, _AGED), (space.secondary_tmt, _SECONDARY)):
        if switch != "free":
            keep &= raw[:, column] == (1.0 if switch == "on" else 0.0)
    return raw[keep]


def initial_population(setup: DesignSetup, table: AlloyTable) -> np.ndarray:
    """The first population: uniform in the box, or training rows first with ``warm_start``."""
    settings, encoding = setup.settings, setup.encoding
    rng = np.random.default_rng(settings.seed)
    lower, upper = encoding.lower(), encoding.upper()
    start = np.empty((0, len(lower)))
    if settings.warm_start:
        start = np.unique(encoding.encode(warm_start_rows(table, setup.space)), axis=0)
        if len(start) > settings.population:
            start = start[np.sort(rng.choice(len(start), settings.population, replace=False))]
    uniform = lower + rng.random((settings.population - len(start), len(lower))) * (upper - lower)
    return np.vstack([start, uniform])


@dataclass(frozen=True)
class SearchTiming:
    """Wall time and evaluations of a search, and when the first feasible candidate appeared."""

    seconds: float
    evaluations: int
    generations: int
    first_feasible_seconds: float | None
    first_feasible_evaluations: int | None
    first_feasible_generation: int | None


@dataclass(frozen=True)
class DesignResult:
    """Candidates of an inverse design, best first, with predictions and provenance."""

    plan: DesignPlan
    space: DesignSpace
    settings: DesignSettings
    raw: np.ndarray
    """Raw feature rows of the candidates (``FEATURE_NAMES`` order)."""
    predictions: Mapping[str, Prediction]
    """Every model given, not only those designed for."""
    in_domain: np.ndarray
    """Inside the domain of every model designed for (``Domain.contains``)."""
    distance_ratio: np.ndarray
    """Largest distance-to-threshold ratio over the models designed for (> 1: outside)."""
    meets_by_prediction: np.ndarray
    """Candidates x designed constraints: the point prediction meets the constraint."""
    meets_by_interval: np.ndarray
    """Candidates x designed constraints: the whole 90 % interval meets the constraint."""
    shortfall: np.ndarray
    """Candidates x designed constraints: by how much the searched bound misses (model unit)."""
    feasible: np.ndarray
    """Meets every constraint the search applied (the domain too, unless extrapolating)."""
    violation: np.ndarray
    pareto: np.ndarray
    """Non-dominated among the feasible candidates (False for every infeasible one)."""
    beyond_measured: np.ndarray
    """No training row measured at least as good in every designed property (the direction
    of its objective, else of its constraints): a prediction beyond the known frontier."""
    objective_values: np.ndarray
    """Candidates x objectives: the predicted value of each objective's property."""
    nearest_formula: tuple[str, ...]
    nearest_doi: tuple[str, ...]
    nearest_distance: np.ndarray
    timing: SearchTiming
    notes: tuple[str, ...] = field(default=())

    @property
    def found(self) -> bool:
        """Whether any candidate met every target."""
        return bool(np.any(self.feasible))

    def __len__(self) -> int:
        return len(self.raw)


def pareto_mask(objectives: np.ndarray) -> np.ndarray:
    """Rows of ``objectives`` (minimised) that no other row dominates."""
    f = np.asarray(objectives, dtype=float)
    no_worse = np.all(f[:, None, :] <= f[None, :, :], axis=2)  # [j, i]: j no worse than i
    better = np.any(f[:, None, :] < f[None, :, :], axis=2)
    return ~np.any(no_worse & better, axis=0)


def processing_columns(raw: np.ndarray) -> dict[str, np.ndarray]:
    """Processing of raw rows in recipe units; ageing cells are NaN where not aged."""
    aged = raw[:, _AGED] == 1
    # 9 decimals undo expm1(log1p(h)) noise and keep bounds with more decimals than a recipe
    # step (0.083 h from the data), so the hours read back to the same features
    hours = 9
    return {
        "Tss (K)": raw[:, _COLUMN["Tss (K)"]],
        "tss (h)": np.round(np.expm1(raw[:, _COLUMN["log1p tss (h)"]]), hours),
        "CR reduction (%)": raw[:, _COLUMN["CR reduction (%)"]],
        "Aging": aged,
        "Tag (K)": np.where(aged, raw[:, _AGING_T], np.nan),
        "tag (h)": np.where(aged, np.round(np.expm1(raw[:, _AGING_TIME]), hours), np.nan),
        "Secondary thermo-mechanical process": raw[:, _SECONDARY] == 1,
    }


def design(requirement: Requirement, models: Mapping[str, PropertyModel], *,
           settings: DesignSettings | None = None, space: DesignSpace | None = None,
           elements: Sequence[str] | None = None, table: AlloyTable | None = None
           ) -> DesignResult:
    """Search composition and processing for ``requirement`` with NSGA-II.

    Parameters
    ----------
    requirement
        Constraints and objectives (:mod:`valueloop.materials.requirement`).
    models
        Trained property models by name (:func:`~.property_models.train_models`).
    settings
        Population, generations, seed and options (:class:`DesignSettings`).
    space, elements
        The design space, or only its elements (defaults read from ``table``).
    table
        The training rows behind the models: defaults, warm start and nearest alloys
        (default: the shipped Gorsse et al. 2023 data).
    """
    table = table if table is not None else load_shipped()
    setup = prepare(requirement, models, table, space=space, elements=elements,
                    settings=settings)
    settings = setup.settings
    sampling = initial_population(setup, table)
    start = time.perf_counter()
    callback = FirstFeasible(start)
    outcome = minimize(DesignProblem(setup.evaluator),
                       NSGA2(pop_size=settings.population, sampling=sampling,
                             eliminate_duplicates=True),
                       ("n_gen", settings.generations), seed=settings.seed, callback=callback,
                       verbose=False)
    timing = SearchTiming(time.perf_counter() - start, int(outcome.algorithm.evaluator.n_eval),
                          settings.generations, callback.seconds, callback.evaluations,
                          callback.generation)
    return collect(setup, outcome.pop.get("X"), models, table, timing)


def collect(setup: DesignSetup, x: np.ndarray, models: Mapping[str, PropertyModel],
            table: AlloyTable, timing: SearchTiming) -> DesignResult:
    """Deduplicate, sort and re-predict the decision vectors ``x`` into a :class:`DesignResult`."""
    evaluation = setup.evaluator.evaluate(x)
    # best first (then nearest the data), so that of near-identical candidates the best is kept
    order = np.lexsort((evaluation.distance_ratio.max(axis=1), evaluation.F[:, 0],
                        evaluation.violation, ~evaluation.feasible))
    predicted = np.column_stack([p.pred for p in predict_all(models, evaluation.raw).values()])
    kept = _distinct(evaluation.raw[order] / setup.encoding.spans(), predicted[order],
                     DEDUPE_TOLERANCE)
    evaluation = evaluation.take(order[kept])
    feasible = evaluation.feasible
    pareto = np.zeros(len(feasible), dtype=bool)
    pareto[feasible] = pareto_mask(evaluation.F[feasible])
    order = np.lexsort((evaluation.F[:, 0], evaluation.violation, ~pareto, ~feasible))
    evaluation = evaluation.take(order)
    feasible, pareto = feasible[order], pareto[order]
    raw = evaluation.raw
    predictions = predict_all(models, raw)
    plan = setup.plan
    by_prediction, by_interval, shortfall = _constraint_table(plan, predictions,
                                                              setup.settings.conservative)
    used = plan.models_used()
    in_domain = np.all([predictions[m].in_domain for m in used], axis=0)
    nearest, distance = _nearest_training(raw, models[used[0]], table)
    beyond = _beyond_measured(plan, predictions, table)
    notes = list(plan.notes)
    if np.any(beyond):
        notes.append(f"{int(beyond.sum())} of {len(beyond)} candidates are predicted better in "
                     f"{', '.join(used)} than any training row measured: the models extrapolate "
                     "in property space there, so treat them as hypotheses to test")
    if not np.any(feasible):
        notes.insert(0, "NO CANDIDATE MET THE TARGETS: the rows are the least infeasible "
                        "candidates, with their shortfalls")
    if setup.settings.conservative:
        notes.append("conservative: constraints were applied to the 90 % interval bound")
    if setup.settings.allow_extrapolation:
        notes.append("extrapolation allowed: candidates outside the models' domain are kept "
                     "and flagged (in_domain False, distance ratio > 1)")
    values = np.column_stack([predictions[o.model].pred for o in plan.objectives])
    return DesignResult(
        plan, setup.space, setup.settings, raw, predictions, in_domain,
        evaluation.distance_ratio.max(axis=1), by_prediction, by_interval, shortfall, feasible,
        evaluation.violation, pareto, beyond, values, tuple(table.formula[i] for i in nearest),
        tuple(table.doi[i] for i in nearest), distance, timing, tuple(notes))


def _distinct(scaled: np.ndarray, predicted: np.ndarray, tolerance: float) -> np.ndarray:
    """Indices of the rows kept, in order: a row is dropped when an earlier kept row lies
    within ``tolerance`` of it in every scaled feature, or has the same prediction from every
    model (the models cannot tell the two recipes apart)."""
    kept: list[int] = []
    for i in range(len(scaled)):
        if kept:
            near = np.max(np.abs(scaled[kept] - scaled[i]), axis=1) <= tolerance
            same = np.all(np.isclose(predicted[kept], predicted[i], rtol=1e-12, atol=0.0),
                          axis=1)
            if np.any(near | same):
                continue
        kept.append(i)
    return np.array(kept, dtype=int)


def _constraint_table(plan: DesignPlan, predictions: Mapping[str, Prediction],
                      conservative: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(next(iter(predictions.values())).pred)
    k = len(plan.constraints)
    by_prediction = np.zeros((n, k), dtype=bool)
    by_interval = np.zeros((n, k), dtype=bool)
    shortfall = np.zeros((n, k))
    for j, c in enumerate(plan.constraints):
        p = predictions[c.model]
        if c.operator == ">=":
            by_prediction[:, j], by_interval[:, j] = p.pred >= c.value, p.lo >= c.value
            shortfall[:, j] = np.maximum(c.value - (p.lo if conservative else p.pred), 0.0)
        else:
            by_prediction[:, j], by_interval[:, j] = p.pred <= c.value, p.hi <= c.value
            shortfall[:, j] = np.maximum((p.hi if conservative else p.pred) - c.value, 0.0)
    return by_prediction, by_interval, shortfall


def _senses(plan: DesignPlan) -> dict[str, float]:
    """+1 where a designed property is better higher, -1 where lower."""
    senses = {c.model: 1.0 if c.operator == ">=" else -1.0 for c in plan.constraints}
    senses.update({o.model: 1.0 if o.sense == "max" else -1.0 for o in plan.objectives})
    return senses


def _beyond_measured(plan: DesignPlan, predictions: Mapping[str, Prediction],
                     table: AlloyTable) -> np.ndarray:
    """Candidates that no training row, measured in every designed property, matches."""
    senses = _senses(plan)
    measured = np.column_stack([table.number_column(PROPERTIES[m][0]) * s
                                for m, s in senses.items()])
    measured = measured[~np.any(np.isnan(measured), axis=1)]
    predicted = np.column_stack([predictions[m].pred * s for m, s in senses.items()])
    matched = np.all(measured[None, :, :] >= predicted[:, None, :], axis=2)
    return ~np.any(matched, axis=1)


def _nearest_training(raw: np.ndarray, model: PropertyModel, table: AlloyTable
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Index of and standardised distance to the nearest training row (``model``'s scaling)."""
    domain = model.domain
    train = (model.imputation.apply(table.raw) - domain.mean) / domain.scale
    query = (model.imputation.apply(raw) - domain.mean) / domain.scale
    squared = (np.sum(query**2, axis=1)[:, None] + np.sum(train**2, axis=1)[None, :]
               - 2.0 * query @ train.T)
    index = np.argmin(squared, axis=1)
    return index, np.sqrt(np.maximum(squared[np.arange(len(raw)), index], 0.0))
