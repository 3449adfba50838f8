"""Inverse design: NSGA-II (pymoo) over composition and processing for a requirement's targets.

The search itself; its parts live in modules of their own:

1. :func:`~valueloop.materials.design_plan.plan_design`: which constraints and objectives are
   designed for, and which are left to the user;
2. :mod:`~valueloop.materials.design_space`: the box searched (elements, bounds, processing);
3. :mod:`~valueloop.materials.design_encoding`: decision vectors to raw feature rows, and the
   vectorised evaluator of objectives and constraints;
4. :mod:`~valueloop.materials.design_frontier`: whether a prediction lies beyond the measured
   data (a flag on every candidate, and a constraint with ``within_measured``).

:func:`design` runs NSGA-II (seeded, reproducible), starting from training rows that use only
the design elements (or, with ``warm_start=False``, from a uniform random population), and
records when the first feasible candidate appeared (a pymoo callback, checked once per
generation). The final population is deduplicated, sorted (feasible Pareto members first),
re-predicted with every model given, and each candidate gets its nearest training alloy
(formula and DOI) for provenance.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from pymoo.algorithms.moo.nsga2 import NSGA2
from pymoo.core.algorithm import Algorithm
from pymoo.core.callback import Callback
from pymoo.core.problem import Problem
from pymoo.optimize import minimize

from valueloop.materials import physics
from valueloop.materials.design_encoding import Encoding, Evaluator
from valueloop.materials.design_frontier import MeasuredFrontier
from valueloop.materials.design_plan import DesignError, DesignPlan, plan_design
from valueloop.materials.design_space import (
    DesignSpace,
    clip_to_domains,
    default_design_space,
)
from valueloop.materials.properties import ELEMENTS, FEATURE_NAMES, AlloyTable, load_shipped
from valueloop.materials.property_models import (
    Prediction,
    PropertyModel,
    nearest_rows,
    predict_all,
)
from valueloop.materials.requirement import Requirement
from valueloop.materials.selection import pareto_front

DEDUPE_TOLERANCE = 0.05
"""Candidates closer than this fraction of every variable's range are one (our assumption);
so are candidates every model predicts identically (random forests are piecewise constant)."""
_N_ELEMENTS = len(ELEMENTS)
_AGED, _SECONDARY = FEATURE_NAMES.index("aged"), FEATURE_NAMES.index("secondary TMT")


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
    within_measured: bool = False
    """Keep every candidate within the measured data: some training row measured in all the
    designed properties is at least as good in each (no candidate ``beyond_measured``)."""
    wf_temperature_k: float = physics.IACS_TEMPERATURE_K

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


@dataclass(frozen=True)
class DesignSetup:
    """Everything a search over one requirement needs, before any evaluation."""

    plan: DesignPlan
    space: DesignSpace
    encoding: Encoding
    evaluator: Evaluator
    settings: DesignSettings
    frontier: MeasuredFrontier
    """The measured frontier of the designed properties (flags, and with ``within_measured``
    a constraint of the evaluator)."""


def prepare(requirement: Requirement, models: Mapping[str, PropertyModel], table: AlloyTable,
            *, space: DesignSpace | None = None, elements: Sequence[str] | None = None,
            settings: DesignSettings | None = None) -> DesignSetup:
    """Plan, design space (default from ``table``, clipped to the models' domains) and evaluator.

    ``space`` wins over ``elements``; without either, the default elements are used.
    Extrapolation keeps a given ``space`` unclipped.

    Raises
    ------
    DesignError
        Nothing is designable, or ``within_measured`` is asked for but no training row measured
        every designed property.
    """
    settings = settings or DesignSettings()
    plan = plan_design(requirement, models, wf_temperature_k=settings.wf_temperature_k)
    used = {name: models[name] for name in plan.models_used()}
    domains = [m.domain for m in used.values()]
    if space is None:
        space = default_design_space(table, domains, elements)
    elif not settings.allow_extrapolation:
        space = clip_to_domains(space, domains)
    frontier = MeasuredFrontier.from_table(plan, table)
    if settings.within_measured and not len(frontier):
        raise DesignError(f"no training row measured all of {', '.join(frontier.models)}, so "
                          "there is no measured data to stay within", item="within_measured",
                          allowed="designed properties measured together in the training "
                                  "data, or no --within-measured")
    encoding = Encoding.from_space(space)
    evaluator = Evaluator(plan, used, encoding, space.max_total_solute_wt,
                          settings.conservative, settings.allow_extrapolation,
                          frontier if settings.within_measured else None)
    return DesignSetup(plan, space, encoding, evaluator, settings, frontier)


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
    of its objective, else of its constraints): a prediction beyond the known frontier
    (:mod:`~valueloop.materials.design_frontier`)."""
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
        The training rows behind the models: defaults, warm start, the measured frontier and
        nearest alloys (default: the shipped Gorsse et al. 2023 data).
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
    pareto[feasible] = pareto_front(evaluation.F[feasible])
    order = np.lexsort((evaluation.F[:, 0], evaluation.violation, ~pareto, ~feasible))
    evaluation = evaluation.take(order)
    feasible, pareto = feasible[order], pareto[order]
    raw = evaluation.raw
    predictions = predict_all(models, raw)
    plan, settings = setup.plan, setup.settings
    by_prediction, by_interval, shortfall = _constraint_table(plan, predictions,
                                                              settings.conservative)
    used = plan.models_used()
    in_domain = np.all([predictions[m].in_domain for m in used], axis=0)
    nearest, distance = _nearest_training(raw, models[used[0]], table)
    beyond = setup.frontier.beyond(predictions)
    values = np.column_stack([predictions[o.model].pred for o in plan.objectives])
    return DesignResult(
        plan, setup.space, settings, raw, predictions, in_domain,
        evaluation.distance_ratio.max(axis=1), by_prediction, by_interval, shortfall, feasible,
        evaluation.violation, pareto, beyond, values, tuple(table.formula[i] for i in nearest),
        tuple(table.doi[i] for i in nearest), distance, timing,
        _notes(setup, feasible, beyond))


def _notes(setup: DesignSetup, feasible: np.ndarray, beyond: np.ndarray) -> tuple[str, ...]:
    """What a reader of the candidates must know: failures first, then the search's options."""
    plan, settings, frontier = setup.plan, setup.settings, setup.frontier
    designed = ", ".join(frontier.models)
    notes = list(plan.notes)
    if np.any(beyond):
        notes.append(f"{int(beyond.sum())} of {len(beyond)} candidates are predicted better in "
                     f"{designed} than any training row measured: the models extrapolate "
                     "in property space there, so treat them as hypotheses to test")
    if not np.any(feasible):
        notes.insert(0, "NO CANDIDATE MET THE TARGETS: the rows are the least infeasible "
                        "candidates, with their shortfalls")
    if settings.conservative:
        notes.append("conservative: constraints were applied to the 90 % interval bound")
    if settings.allow_extrapolation:
        notes.append("extrapolation allowed: candidates outside the models' domain are kept "
                     "and flagged (in_domain False, distance ratio > 1)")
    if settings.within_measured:
        notes.append(f"within measured data: a feasible candidate's predicted {designed} is "
                     f"matched in every one by a training row that measured them all "
                     f"({len(frontier)} such rows on the measured frontier)")
        if not np.any(feasible) and not np.any(frontier.reaching(plan.constraints)):
            notes.insert(1, f"WHY: no training row measured in {designed} meets the designed "
                            "constraints, so no candidate within the measured data can: relax "
                            "them or drop within_measured (--within-measured)")
    return tuple(notes)


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
    """Candidates x constraints: met by the prediction, met by the interval, shortfall."""
    n = len(next(iter(predictions.values())).pred)
    k = len(plan.constraints)
    by_prediction = np.zeros((n, k), dtype=bool)
    by_interval = np.zeros((n, k), dtype=bool)
    shortfall = np.zeros((n, k))
    for j, c in enumerate(plan.constraints):
        p = predictions[c.model]
        by_prediction[:, j] = c.excess(p, conservative=False) <= 0.0
        by_interval[:, j] = c.excess(p, conservative=True) <= 0.0
        shortfall[:, j] = np.maximum(c.excess(p, conservative), 0.0)
    return by_prediction, by_interval, shortfall


def _nearest_training(raw: np.ndarray, model: PropertyModel, table: AlloyTable
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Index of and standardised distance to the nearest training row (``model``'s scaling)."""
    domain = model.domain
    train = (model.imputation.apply(table.raw) - domain.mean) / domain.scale
    query = (model.imputation.apply(raw) - domain.mean) / domain.scale
    return nearest_rows(query, train)
