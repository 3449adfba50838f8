"""Sensitivity of one model output: Sobol' indices, Morris screening and a one-at-a-time tornado.

Sobol' and Morris designs are built by SALib in the unit hypercube of
:class:`~valueloop.core.sampling.UncertainSpace` (one SALib variable per unit column, bounds
``[0, 1]``) and evaluated with :func:`~valueloop.core.study.evaluate_points`, so every
distribution, truncation and share group is mapped exactly as in a Monte Carlo study. A share
group (a Dirichlet over several columns) is passed to SALib as one group, so it is analysed as
one factor: its members cannot move independently without breaking their sum.

Rank correlations are not imposed in these designs; the indices assume independent factors, and
results say so in their notes when the scenario correlates parameters.

References
----------
1. Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M., Tarantola, S. (2010).
   Variance based sensitivity analysis of model output. Design and estimator for the total
   sensitivity index. Computer Physics Communications 181(2), 259-270.
   https://doi.org/10.1016/j.cpc.2009.09.018
2. Morris, M. D. (1991). Factorial sampling plans for preliminary computational experiments.
   Technometrics 33(2), 161-174. https://doi.org/10.1080/00401706.1991.10484804
3. Campolongo, F., Cariboni, J., Saltelli, A. (2007). An effective screening design for
   sensitivity analysis of large models. Environmental Modelling & Software 22(10), 1509-1518.
   https://doi.org/10.1016/j.envsoft.2006.10.004
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from SALib.util import extract_group_names

from valueloop.core.errors import OptionError, ValueloopError
from valueloop.core.model import ModelDefinition, Outputs
from valueloop.core.sampling import Factor, SampleSet, UncertainSpace, baseline_inputs
from valueloop.core.scenario import Scenario
from valueloop.core.study import DEFAULT_MEMORY_BUDGET, Progress, evaluate_points
from valueloop.core.tables import Table

Selector = Callable[[np.ndarray], np.ndarray] | int | tuple[int, ...]
"""Reduces an output ``(N, ...)`` to ``(N,)``: a function, or an index into the trailing axes."""

DEFAULT_SOBOL_SAMPLES = 2**12
DEFAULT_TRAJECTORIES = 100
DEFAULT_LEVELS = 4
DEFAULT_TAIL = 1e-3
DEFAULT_RESAMPLES = 100
DEFAULT_CONFIDENCE = 0.95
_BOOTSTRAP_KEY = 0xB007
"""Spawn key of the bootstrap stream, kept apart from the design's stream of the same seed."""


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, eq=False)
class _SensitivityResult:
    model: str
    scenario: str
    output: str
    unit: str
    factors: tuple[str, ...]
    """Factor names: a scalar parameter's name, or a share group's name."""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, eq=False)
class SobolResult(_SensitivityResult):
    """First-order and total Sobol' indices, one per factor, with bootstrap confidence widths."""

    S1: np.ndarray
    """First-order index: share of the output variance explained by the factor alone."""
    S1_conf: np.ndarray
    """Half-width of the bootstrap confidence interval of S1 at ``conf_level``."""
    ST: np.ndarray
    """Total index: expected share of the variance left if every other factor were fixed."""
    ST_conf: np.ndarray
    n: int
    """Base samples (rows of each Saltelli matrix)."""
    evaluations: int
    seed: int
    conf_level: float

    def table(self) -> Table:
        """Columns factor, S1, S1_conf, ST, ST_conf, sorted by ST (largest first)."""
        rows = [(name, float(self.S1[i]), float(self.S1_conf[i]), float(self.ST[i]),
                 float(self.ST_conf[i])) for i, name in enumerate(self.factors)]
        rows.sort(key=lambda row: -row[3])
        return Table(f"Sobol' indices of {self.output} ({self.scenario})",
                     ("factor", "S1", "S1_conf", "ST", "ST_conf"), tuple(rows),
                     notes=self.notes)


@dataclass(frozen=True, kw_only=True, eq=False)
class MorrisResult(_SensitivityResult):
    """Morris elementary-effect statistics, one per factor.

    Effects are output changes per unit step on the factor's quantile scale (0 to 1), so they
    share the output's unit and are comparable across factors whatever their own units.
    """

    mu: np.ndarray
    mu_star: np.ndarray
    """Mean absolute elementary effect (Campolongo et al. 2007): the screening measure."""
    mu_star_conf: np.ndarray
    sigma: np.ndarray
    """Standard deviation of the effects (non-linearity, interactions); NaN for share groups."""
    trajectories: int
    num_levels: int
    evaluations: int
    seed: int
    conf_level: float

    def table(self) -> Table:
        """Columns factor, mu_star, mu_star_conf, mu, sigma, sorted by mu_star (largest first)."""
        rows = [(name, float(self.mu_star[i]), float(self.mu_star_conf[i]), float(self.mu[i]),
                 float(self.sigma[i])) for i, name in enumerate(self.factors)]
        rows.sort(key=lambda row: -row[1])
        columns = ("factor", "mu_star", "mu_star_conf", "mu", "sigma")
        return Table(f"Morris screening of {self.output} ({self.scenario})", columns,
                     tuple(rows), units=dict.fromkeys(columns[1:], self.unit), notes=self.notes)


@dataclass(frozen=True)
class TornadoBar:
    """One factor of a tornado: the output with that factor at a low and a high quantile."""

    factor: str
    unit: str
    low: float
    high: float
    output_low: float
    output_high: float

    @property
    def swing(self) -> float:
        return abs(self.output_high - self.output_low)


@dataclass(frozen=True, kw_only=True, eq=False)
class TornadoResult(_SensitivityResult):
    """One-at-a-time swings around the baseline, sorted by swing (largest first)."""

    baseline: float
    """The output with every parameter at its baseline value."""
    bars: tuple[TornadoBar, ...]
    quantiles: tuple[float, float]

    def table(self) -> Table:
        """Columns factor, unit, low, high, output_low, output_high, swing."""
        columns = ("factor", "unit", "low", "high", "output_low", "output_high", "swing")
        rows = tuple((b.factor, b.unit, b.low, b.high, b.output_low, b.output_high, b.swing)
                     for b in self.bars)
        low, high = self.quantiles
        notes = (f"baseline {self.output} = {self.baseline:.6g} {self.unit}",
                 f"each factor at its {low:g} and {high:g} quantiles, all others at baseline",
                 *self.notes)
        return Table(f"Tornado of {self.output} ({self.scenario})", columns, rows,
                     units=dict.fromkeys(("output_low", "output_high", "swing"), self.unit),
                     notes=notes)


# --- Sobol' ------------------------------------------------------------------------------------


def sobol_indices(model: ModelDefinition, scenario: Scenario, output: str, *,
                  n: int = DEFAULT_SOBOL_SAMPLES, select: Selector | None = None, seed: int = 0,
                  num_resamples: int = DEFAULT_RESAMPLES,
                  conf_level: float = DEFAULT_CONFIDENCE,
                  memory_budget: int = DEFAULT_MEMORY_BUDGET,
                  progress: Progress | None = None) -> SobolResult:
    """First-order and total Sobol' indices of one output (Saltelli et al. 2010).

    Parameters
    ----------
    model, scenario
        The model and a scenario resolved against it.
    output
        Name of a declared output.
    n
        Base samples, a power of two; the design has ``n * (factors + 2)`` evaluations.
    select
        Reduces a multi-axis output ``(N, ...)`` to ``(N,)``: a function, or an index tuple into
        the trailing axes (``(5,)`` is the sixth year of a yearly output).
    seed
        Seeds the scrambled Sobol' sequence and the bootstrap of the confidence widths.
    num_resamples, conf_level
        Bootstrap resamples and the level of the confidence widths.
    memory_budget, progress
        Passed to :func:`~valueloop.core.study.evaluate_points`.

    Returns
    -------
    SobolResult
        S1 and ST per factor; a share group is one factor.

    Notes
    -----
    The design is SALib's Saltelli scheme on a scrambled Sobol' sequence without second-order
    columns; the estimators are those of Saltelli et al. (2010), table 2 (b) and (f).
    """
    _check_seed(seed)
    if n < 2 or n & (n - 1):
        raise OptionError(f"the number of base samples must be a power of two, got {n}",
                          item="samples", allowed="2, 4, 8, ..., e.g. 4096")
    _check_resampling(num_resamples, conf_level)
    reduce = _reducer(model, output, select)
    space = _space(scenario)
    if len(space.factors) < 2:
        # SALib folds a lone group into its columns, and one factor owns all the variance anyway.
        raise OptionError(
            f"Sobol' indices need at least two uncertain factors; scenario {scenario.label!r} "
            f"has only {space.factors[0].name!r}", item="scenario",
            allowed="a scenario with two or more uncertain parameters or share groups")
    problem = _problem(space, (0.0, 1.0))
    rows = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    y = _evaluate(model, scenario, rows, reduce, memory_budget, progress)
    notes = _notes(scenario)
    if np.ptp(y) == 0.0:
        zeros = np.zeros(len(space.factors))
        return _sobol_result(model, scenario, output, space, (zeros,) * 4, n, y.size, seed,
                             conf_level, (*notes, f"{output} is constant over the design"))
    indices = sobol_analyze.analyze(problem, y, calc_second_order=False,
                                    num_resamples=num_resamples, conf_level=conf_level,
                                    seed=_bootstrap_rng(seed))
    order = _salib_order(problem, space)
    arrays = tuple(np.asarray(indices[key], dtype=float)[order]
                   for key in ("S1", "S1_conf", "ST", "ST_conf"))
    return _sobol_result(model, scenario, output, space, arrays, n, y.size, seed, conf_level,
                         notes)


def _sobol_result(model: ModelDefinition, scenario: Scenario, output: str, space: UncertainSpace,
                  arrays: tuple[np.ndarray, ...], n: int, evaluations: int, seed: int,
                  conf_level: float, notes: tuple[str, ...]) -> SobolResult:
    s1, s1_conf, st, st_conf = (_frozen(a) for a in arrays)
    return SobolResult(
        model=model.name, scenario=scenario.label, output=output,
        unit=model.output(output).unit, factors=_factor_names(space), S1=s1, S1_conf=s1_conf,
        ST=st, ST_conf=st_conf, n=n,
        evaluations=evaluations, seed=seed, conf_level=conf_level, notes=notes)


# --- Morris ------------------------------------------------------------------------------------


def morris_screening(model: ModelDefinition, scenario: Scenario, output: str, *,
                     trajectories: int = DEFAULT_TRAJECTORIES, num_levels: int = DEFAULT_LEVELS,
                     optimal_trajectories: int | None = None, tail: float = DEFAULT_TAIL,
                     select: Selector | None = None, seed: int = 0,
                     num_resamples: int = DEFAULT_RESAMPLES,
                     conf_level: float = DEFAULT_CONFIDENCE,
                     memory_budget: int = DEFAULT_MEMORY_BUDGET,
                     progress: Progress | None = None) -> MorrisResult:
    """Morris elementary effects of one output (Morris 1991; mu* of Campolongo et al. 2007).

    Parameters
    ----------
    model, scenario, output, select, seed, num_resamples, conf_level, memory_budget, progress
        As for :func:`sobol_indices`.
    trajectories
        Trajectories sampled; each costs ``factors + 1`` evaluations.
    num_levels
        Levels of the grid, an even number (4 is the usual choice).
    optimal_trajectories
        When given, keep this many of the sampled trajectories, chosen to spread over the
        space (Campolongo et al. 2007, SALib's local optimisation).
    tail
        The grid spans the ``tail`` to ``1 - tail`` quantiles of every factor; 0 gives the
        classic grid, which only bounded scalar factors allow.

    Returns
    -------
    MorrisResult
        mu*, its bootstrap confidence width, mu and sigma per factor.

    Notes
    -----
    Morris's grid, ``i / (num_levels - 1)``, is laid on the quantile scale of each factor, pulled
    in by ``tail`` at both ends: the 0 and 1 quantiles are infinite for unbounded distributions
    and degenerate for Dirichlet shares. Mid-bin levels, ``(i + 1/2) / num_levels``, would avoid
    them too but alias periodic responses (for Ishigami's ``sin(x2)**2`` every such level gives
    the same value, so x2 would look inert).
    """
    _check_seed(seed)
    if trajectories < 2:
        raise OptionError(f"Morris needs at least 2 trajectories, got {trajectories}",
                          item="trajectories", allowed="an integer >= 2, typically 10 to 100")
    if num_levels < 2 or num_levels % 2:
        raise OptionError(f"the number of Morris levels must be even, got {num_levels}",
                          item="num_levels", allowed="an even integer >= 2, typically 4")
    if optimal_trajectories is not None and not 2 <= optimal_trajectories <= trajectories:
        raise OptionError(f"optimal_trajectories must be between 2 and {trajectories}, got "
                          f"{optimal_trajectories}", item="optimal_trajectories")
    _check_resampling(num_resamples, conf_level)
    reduce = _reducer(model, output, select)
    space = _space(scenario)
    _check_tail(space, tail)
    problem = _problem(space, (tail, 1.0 - tail))
    rows = morris_sample.sample(problem, trajectories, num_levels=num_levels,
                                optimal_trajectories=optimal_trajectories, seed=seed)
    y = _evaluate(model, scenario, rows, reduce, memory_budget, progress)
    statistics = morris_analyze.analyze(problem, rows, y, num_resamples=num_resamples,
                                        conf_level=conf_level, num_levels=num_levels,
                                        seed=_bootstrap_rng(seed))
    # SALib divides by its step on [0, 1]; the levels span only 1 - 2 * tail of it.
    scale = 1.0 / (1.0 - 2.0 * tail)
    order = _salib_order(problem, space, list(statistics["names"]))
    mu, mu_star, mu_star_conf, sigma = (
        _frozen(np.ma.filled(np.ma.asarray(statistics[key], dtype=float), np.nan)[order] * scale)
        for key in ("mu", "mu_star", "mu_star_conf", "sigma"))
    return MorrisResult(
        model=model.name, scenario=scenario.label, output=output,
        unit=model.output(output).unit, factors=_factor_names(space), mu=mu, mu_star=mu_star,
        mu_star_conf=mu_star_conf, sigma=sigma, trajectories=len(y) // (len(space.factors) + 1),
        num_levels=num_levels, evaluations=len(y), seed=seed, conf_level=conf_level,
        notes=_notes(scenario))


# --- tornado -----------------------------------------------------------------------------------


def tornado(model: ModelDefinition, scenario: Scenario, output: str, *,
            select: Selector | None = None,
            quantiles: tuple[float, float] = (0.1, 0.9)) -> TornadoResult:
    """One-at-a-time swings: each uncertain scalar at two quantiles, all else at baseline.

    All ``2 k + 1`` cases (baseline first, then low and high of each factor) are evaluated in one
    vectorised model call, stacked along the sample axis. Share groups are left at their
    baseline shares and listed in the notes: moving one share alone breaks their sum, and a
    Dirichlet has no single low or high point.

    Parameters
    ----------
    model, scenario, output, select
        As for :func:`sobol_indices`.
    quantiles
        The low and high quantile of each factor's distribution (within its bounds).

    Returns
    -------
    TornadoResult
        Bars sorted by swing ``|output_high - output_low|``, largest first.
    """
    low_q, high_q = quantiles
    if not 0.0 <= low_q < high_q <= 1.0:
        raise OptionError(f"tornado quantiles must satisfy 0 <= low < high <= 1, got "
                          f"{quantiles}", item="quantiles", allowed="e.g. (0.1, 0.9)")
    reduce = _reducer(model, output, select)
    names = scenario.uncertain_scalars()
    points = _tornado_points(scenario, names, low_q, high_q)
    fixed = {k: v for k, v in baseline_inputs(scenario).fixed.items() if k not in points}
    size = 2 * len(names) + 1
    y = reduce(model(SampleSet(size, points, fixed), size), size)
    bars = [TornadoBar(name, scenario.parameters[name].unit, float(points[name][2 * i + 1]),
                       float(points[name][2 * i + 2]), float(y[2 * i + 1]), float(y[2 * i + 2]))
            for i, name in enumerate(names)]
    bars.sort(key=lambda bar: -bar.swing)
    skipped = [g.name for g in scenario.uncertain_groups()]
    notes = (f"share groups kept at baseline shares: {', '.join(skipped)}",) if skipped else ()
    return TornadoResult(
        model=model.name, scenario=scenario.label, output=output,
        unit=model.output(output).unit, factors=tuple(b.factor for b in bars),
        baseline=float(y[0]), bars=tuple(bars), quantiles=(low_q, high_q),
        notes=notes + _notes(scenario))


def _tornado_points(scenario: Scenario, names: Sequence[str], low_q: float,
                    high_q: float) -> dict[str, np.ndarray]:
    """Each factor's column: baseline everywhere except its own low and high case."""
    size = 2 * len(names) + 1
    points: dict[str, np.ndarray] = {}
    for i, name in enumerate(names):
        parameter = scenario.parameters[name]
        assert parameter.distribution is not None
        column = np.full(size, float(parameter.value))  # type: ignore[arg-type]
        column[2 * i + 1:2 * i + 3] = parameter.distribution.ppf(np.array([low_q, high_q]),
                                                                 parameter.bounds)
        if not np.all(np.isfinite(column)):
            raise OptionError(f"the {low_q:g} or {high_q:g} quantile of {name} is infinite",
                              item="quantiles", allowed="quantiles strictly between 0 and 1")
        points[name] = column
    return points


# --- shared ------------------------------------------------------------------------------------


def _check_seed(seed: int) -> None:
    if seed < 0:
        raise OptionError(f"the seed must be a non-negative integer, got {seed}", item="seed")


def _check_tail(space: UncertainSpace, tail: float) -> None:
    if not 0.0 <= tail < 0.5:
        raise OptionError(f"the Morris tail must be in [0, 0.5), got {tail}", item="tail",
                          allowed="e.g. 0.001")
    ends = space.values(np.array([[tail, 1.0 - tail]] * space.dimension), correlate=False)
    infinite = [name for name, values in ends.items() if not np.all(np.isfinite(values))]
    if infinite:
        raise OptionError(f"the {tail:g} or {1 - tail:g} quantile of {', '.join(infinite)} is "
                          "not finite", item="tail", allowed="a tail > 0, e.g. 0.001")


def _check_resampling(num_resamples: int, conf_level: float) -> None:
    if num_resamples < 2:
        raise OptionError(f"need at least 2 bootstrap resamples, got {num_resamples}",
                          item="num_resamples")
    if not 0.0 < conf_level < 1.0:
        raise OptionError(f"the confidence level must be between 0 and 1, got {conf_level}",
                          item="conf_level", allowed="e.g. 0.95")


def _bootstrap_rng(seed: int) -> np.random.Generator:
    # SALib's Sobol' analysis reads a seed of 0 as "unseeded" and falls back to NumPy's global
    # generator; a Generator of our own makes every seed, 0 included, reproducible.
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(
        seed, spawn_key=(_BOOTSTRAP_KEY,))))


def _space(scenario: Scenario) -> UncertainSpace:
    space = UncertainSpace(scenario)
    if not space.factors:
        raise OptionError(f"scenario {scenario.label!r} has no uncertain parameters",
                          item="scenario", allowed="a scenario with distributions or "
                          "share groups with a concentration")
    return space


def _factor_names(space: UncertainSpace) -> tuple[str, ...]:
    return tuple(factor.name for factor in space.factors)


def _problem(space: UncertainSpace, bounds: tuple[float, float]) -> dict[str, Any]:
    """A SALib problem over the unit columns, one group per factor (a share group is one)."""
    names: list[str] = []
    groups: list[str] = []
    for factor in space.factors:
        names.extend(_column_names(factor))
        groups.extend([factor.name] * len(factor.members))
    return {"num_vars": space.dimension, "names": names, "groups": groups,
            "bounds": [list(bounds)] * space.dimension}


def _column_names(factor: Factor) -> tuple[str, ...]:
    return factor.members if factor.is_group else (factor.name,)


def _salib_order(problem: dict[str, Any], space: UncertainSpace,
                 salib_names: Sequence[str] | None = None) -> np.ndarray:
    """Positions in SALib's results of each of our factors, in our order."""
    names = salib_names if salib_names is not None else extract_group_names(problem)[0]
    position = {str(name): i for i, name in enumerate(names)}
    return np.array([position[factor.name] for factor in space.factors], dtype=int)


def _evaluate(model: ModelDefinition, scenario: Scenario, rows: np.ndarray,
              reduce: Callable[[Outputs, int], np.ndarray], memory_budget: int,
              progress: Progress | None) -> np.ndarray:
    """Evaluate SALib's design rows ``(n, dimension)`` and reduce to one value per row."""
    points = np.ascontiguousarray(rows.T)
    y = reduce(evaluate_points(model, scenario, points, memory_budget=memory_budget,
                               progress=progress), rows.shape[0])
    bad = int(np.count_nonzero(~np.isfinite(y)))
    if bad:
        raise ValueloopError(f"model {model.name!r} gave {bad} non-finite values of the "
                             f"analysed output in {y.size} evaluations")
    return y


def _reducer(model: ModelDefinition, output: str, select: Selector | None
             ) -> Callable[[Outputs, int], np.ndarray]:
    """A function from model outputs to one value per sample, checked for shape."""
    declared = {o.name: o for o in model.outputs}
    if output not in declared:
        raise OptionError(f"model {model.name!r} has no output {output!r}", item="output",
                          allowed=", ".join(declared))
    axes = declared[output].axes

    def reduce(outputs: Outputs, n: int) -> np.ndarray:
        array = outputs[output]
        if select is None:
            reduced = array
        elif callable(select):
            reduced = np.asarray(select(array), dtype=float)
        else:
            index = (select,) if isinstance(select, int) else tuple(select)
            try:
                reduced = array[(slice(None), *index)]
            except IndexError as exc:
                raise OptionError(f"cannot select {index} from output {output!r} of shape "
                                  f"{array.shape[1:]} per sample ({exc})", item="select"
                                  ) from None
        if reduced.shape != (n,):
            hint = f" over axes {', '.join(axes)}" if axes else ""
            raise OptionError(
                f"output {output!r}{hint} reduces to shape {reduced.shape[1:] or reduced.shape}"
                f" per sample, not one value", item="select",
                allowed="a function or index that leaves one value per sample")
        if n and not np.isfinite(reduced).any():
            # An undefined cell (a growth rate in the first year) is a wrong choice of cell, not
            # a model failure: say so before SALib divides by a zero variance.
            raise OptionError(f"output {output!r} has no finite value in the selected cell "
                              f"for this scenario", item="select",
                              allowed="a cell where the output is defined")
        return reduced

    return reduce


def _notes(scenario: Scenario) -> tuple[str, ...]:
    if not scenario.correlations:
        return ()
    return ("rank correlations in the scenario are not imposed: factors are treated as "
            "independent",)


def _frozen(array: np.ndarray) -> np.ndarray:
    result = np.array(array, dtype=float)
    result.setflags(write=False)
    return result
