"""Capacitated facility location of cobalt hydroxide plants (issue 4, item 7; report 1.3).

Which provinces should make the hydroxide that precursor plants use, given transport,
electricity, carbon, environmental and labour costs and the annualised capex of a plant? A
mixed-integer programme over a :class:`~valueloop.models.location_data.LocationInstance`,
solved with HiGHS through :func:`scipy.optimize.milp`:

.. math::

    \\min_{y, x}\\ \\sum_i F_i y_i + \\sum_{i,j} (t_{ij} + p_i)\\, x_{ij}
    \\quad \\text{s.t.}\\quad \\sum_i x_{ij} = D_j,\\quad
    \\sum_j x_{ij} \\le \\mathit{OEE}_i C_i y_i,\\quad y_i \\in \\{0, 1\\},\\ x_{ij} \\ge 0

with ``t`` the transport and ``p`` the production cost per tonne (electricity, carbon,
environment, labour), ``F`` the fixed cost of opening site ``i``. Options fix sites open or
closed, cap the number of sites, require a minimum open capacity, or relax ``y`` to [0, 1].

"Today's layout" is the same problem with today's capacities (report 1.3's shares of 18.6 万吨)
forced open and every other site closed; its flows are still chosen at least cost, so its cost
is a lower bound on today's and the saving of the optimum a lower bound too.

The report (1.3, CNIA model) says re-siting capacity to demand would cut the average cost by
1,800-2,300 元/t, "8.7-11.1 % of the 2024 average price". Against the 2024 price it states
(20.8 万元/t, 1.1) those savings are 0.87-1.11 %: the percentages divide by 2.07 万元/t, a slip
of a factor of ten (claims file ``cobalt-economics.toml``, ``1.3-resiting-saving-share``).
:func:`compare_layouts` computes the saving from the report's own inputs instead.

:func:`locate` is what a command ``valueloop locate [--carbon-price P] [--sweep 0:300:25]``
calls: it returns a :class:`LocateReport` whose :meth:`LocateReport.tables` are ready to print.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy.optimize import Bounds, LinearConstraint, milp

from valueloop.core.errors import (
    OptionError,
    ScenarioStructureError,
    UserInputError,
    ValueloopError,
)
from valueloop.core.native_output import native_stdout_discarded
from valueloop.core.tables import Table
from valueloop.models.location_data import LocationInstance, build_instance

COMPONENTS = ("transport", "electricity", "carbon", "environment", "labour", "fixed")
"""Cost components of a layout; they add up to its objective."""

_INTEGRALITY_TOLERANCE = 1e-6
_STATUS_OPTIMAL = 0
_STATUS_LIMIT = 1
_STATUS_INFEASIBLE = 2


class InfeasibleLocationError(UserInputError):
    """The sites allowed to open cannot serve the demand."""


class LocationSolverError(ValueloopError):
    """HiGHS stopped without a usable solution for a reason other than infeasibility."""


@dataclass(frozen=True, eq=False)
class LocationResult:
    """One solved layout: which sites open, the flows and what they cost.

    Money in 元/yr unless a name says per t; flows in t/yr; emissions in tCO2e/yr.
    """

    label: str
    status: int
    """scipy/HiGHS status: 0 optimal, 1 limit reached with a feasible solution."""
    message: str
    carbon_price: float
    site_ids: tuple[str, ...]
    cluster_ids: tuple[str, ...]
    open: np.ndarray
    """Open fraction of each site: 0/1 for the MILP, in [0, 1] for the LP relaxation."""
    flows: np.ndarray
    """t/yr from site ``i`` to cluster ``j``, shape ``(I, J)``."""
    capacity: np.ndarray
    """Nameplate t/yr of each site in this solve (today's capacities for today's layout)."""
    breakdown: Mapping[str, float]
    """元/yr by component of :data:`COMPONENTS`."""
    solver_objective: float
    """The objective HiGHS reports (元/yr); equals the sum of the breakdown to solver tolerance."""
    mip_gap: float
    emissions: float
    """tCO2e/yr from making the hydroxide (electricity and the rest; transport not counted)."""
    price: float = math.nan
    """Hydroxide price (元/t), for shares of it."""

    @property
    def objective(self) -> float:
        """元/yr: the sum of :attr:`breakdown`."""
        return float(sum(self.breakdown.values()))

    @property
    def production(self) -> np.ndarray:
        """t/yr made at each site."""
        return self.flows.sum(axis=1)

    @property
    def output(self) -> float:
        """t/yr delivered in total."""
        return float(self.flows.sum())

    @property
    def cost_per_t(self) -> float:
        """Average cost per tonne delivered, 元/t (NaN when nothing is delivered)."""
        return _per_t(self.objective, self.output)

    @property
    def emissions_per_t(self) -> float:
        """tCO2e per tonne delivered (NaN when nothing is delivered)."""
        return _per_t(self.emissions, self.output)

    @property
    def open_sites(self) -> tuple[str, ...]:
        """Ids of the sites open (open fraction above one half)."""
        return tuple(s for s, y in zip(self.site_ids, self.open, strict=True) if y > 0.5)

    def breakdown_per_t(self) -> dict[str, float]:
        """元/t by component."""
        return {name: _per_t(value, self.output) for name, value in self.breakdown.items()}

    def cost_at(self, carbon_price: ArrayLike) -> np.ndarray:
        """Cost of this layout and these flows, held fixed, at other carbon prices (元/yr).

        Vectorised: ``carbon_price`` of shape ``(N,)`` gives ``(N,)``.
        """
        price = np.asarray(carbon_price, dtype=float)
        return self.objective - self.breakdown["carbon"] + price * self.emissions


def _per_t(amount: float, output: float) -> float:
    return amount / output if output > 0.0 else math.nan


@dataclass(frozen=True)
class LayoutComparison:
    """Today's layout against the optimum at one carbon price."""

    today: LocationResult
    optimum: LocationResult
    price: float
    """Hydroxide price, 元/t."""

    @property
    def saving_per_t(self) -> float:
        """Total cost per tonne, today minus optimum (元/t), fixed cost included."""
        return self.today.cost_per_t - self.optimum.cost_per_t

    @property
    def variable_saving_per_t(self) -> float:
        """Saving per tonne without the fixed cost (元/t): what moving the output saves.

        Today's fixed cost carries the idle part of 18.6 万吨 of capacity for 11.8 万吨 of
        output; the optimum builds only what it needs. That part of :attr:`saving_per_t` is the
        overcapacity, not the location.
        """
        today, optimum = self.today.breakdown_per_t(), self.optimum.breakdown_per_t()
        return sum(today[c] - optimum[c] for c in COMPONENTS if c != "fixed")

    @property
    def saving_share(self) -> float:
        """:attr:`saving_per_t` as a share of the price."""
        return self.saving_per_t / self.price

    @property
    def variable_saving_share(self) -> float:
        return self.variable_saving_per_t / self.price


@dataclass(frozen=True)
class CarbonSweep:
    """Optimum (and today's layout) at each carbon price of a sweep."""

    prices: tuple[float, ...]
    optima: tuple[LocationResult, ...]
    today: tuple[LocationResult, ...]

    def moves(self) -> tuple[tuple[float, tuple[str, ...], tuple[str, ...]], ...]:
        """Where the optimal set of open sites changes: (price, opened, closed) per change."""
        changes = []
        for before, after in zip(self.optima, self.optima[1:], strict=False):
            opened = tuple(s for s in after.open_sites if s not in before.open_sites)
            closed = tuple(s for s in before.open_sites if s not in after.open_sites)
            if opened or closed:
                changes.append((after.carbon_price, opened, closed))
        return tuple(changes)

    def table(self) -> Table:
        rows = []
        previous: tuple[str, ...] | None = None
        for optimum, today in zip(self.optima, self.today, strict=True):
            rows.append((optimum.carbon_price, " ".join(optimum.open_sites),
                         previous is not None and optimum.open_sites != previous,
                         optimum.cost_per_t, optimum.emissions_per_t, today.cost_per_t,
                         today.emissions_per_t, today.cost_per_t - optimum.cost_per_t))
            previous = optimum.open_sites
        return Table(
            "Optimal layout by carbon price",
            ("carbon_price", "open_sites", "moved", "optimum_cost_per_t", "optimum_tco2e_per_t",
             "today_cost_per_t", "today_tco2e_per_t", "saving_per_t"),
            tuple(rows),
            units={"carbon_price": "CNY/tCO2e", "optimum_cost_per_t": "CNY/t",
                   "optimum_tco2e_per_t": "tCO2e/t", "today_cost_per_t": "CNY/t",
                   "today_tco2e_per_t": "tCO2e/t", "saving_per_t": "CNY/t"},
            notes=tuple(f"at {price:g} CNY/tCO2e the optimum opens {' '.join(o) or '-'} and "
                        f"closes {' '.join(c) or '-'}" for price, o, c in self.moves()))


# --- the solver --------------------------------------------------------------------------------


def solve_location(instance: LocationInstance, *, max_sites: int | None = None,
                   must_open: Iterable[str] = (), must_close: Iterable[str] = (),
                   capacity: ArrayLike | None = None, fixed_cost: ArrayLike | None = None,
                   min_open_capacity: float | None = None, relax: bool = False,
                   time_limit: float | None = None, mip_rel_gap: float = 1e-9,
                   label: str = "optimum") -> LocationResult:
    """Solve the capacitated facility-location MILP of ``instance`` with HiGHS.

    Parameters
    ----------
    instance
        Sites, clusters and costs, at ``instance.carbon_price``.
    max_sites
        At most this many sites open.
    must_open, must_close
        Site ids (or names) forced open or closed.
    capacity, fixed_cost
        Replace the instance's nameplate capacities (t/yr) and fixed costs (元/yr) for this
        solve, shape ``(I,)``; :func:`today_layout` uses them.
    min_open_capacity
        Open nameplate capacity must reach this (t/yr), e.g. to re-site today's capacity.
    relax
        Solve the LP relaxation (``0 <= y <= 1``) instead.
    time_limit
        Seconds; HiGHS returns its best solution when reached (status 1).
    mip_rel_gap
        Relative MIP gap at which HiGHS stops; the default proves optimality to rounding.
    label
        Name of the result in tables.

    Returns
    -------
    LocationResult

    Raises
    ------
    InfeasibleLocationError
        If the sites allowed to open cannot serve the demand; says by how many t/yr.
    ScenarioStructureError
        On unknown site names or a site both forced open and closed.
    LocationSolverError
        If HiGHS fails otherwise; carries its message.
    """
    problem = milp_problem(instance, max_sites=max_sites, must_open=must_open,
                           must_close=must_close, capacity=capacity, fixed_cost=fixed_cost,
                           min_open_capacity=min_open_capacity, relax=relax)
    options: dict[str, float | bool] = {"mip_rel_gap": mip_rel_gap, "disp": False}
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    with native_stdout_discarded():
        solution = milp(problem.cost, integrality=problem.integrality, bounds=problem.bounds,
                        constraints=problem.constraints, options=options)
    if solution.status == _STATUS_INFEASIBLE:
        raise InfeasibleLocationError(f"HiGHS finds no feasible layout ({solution.message})",
                                      item="location", allowed="fewer forced closures, a "
                                      "larger max_sites or a smaller min_open_capacity")
    if solution.x is None or solution.status not in (_STATUS_OPTIMAL, _STATUS_LIMIT):
        raise LocationSolverError(f"HiGHS stopped with status {solution.status}: "
                                  f"{solution.message}")
    return _result(instance, solution, problem, relax, label)


@dataclass(frozen=True, eq=False)
class MilpProblem:
    """The arrays :func:`scipy.optimize.milp` receives, in the solver's scaled units.

    Variables are ``[y (I), x (I*J) row-major]``; ``x`` is in units of ``flow_scale`` t/yr and
    the objective in units of ``cost_scale`` 元/yr.
    """

    cost: np.ndarray
    integrality: np.ndarray
    bounds: Bounds
    constraints: LinearConstraint
    flow_scale: float
    cost_scale: float
    nameplate: np.ndarray
    """t/yr of each site in this problem."""
    fixed: np.ndarray
    """元/yr of each site in this problem."""


def milp_problem(instance: LocationInstance, *, max_sites: int | None = None,
                 must_open: Iterable[str] = (), must_close: Iterable[str] = (),
                 capacity: ArrayLike | None = None, fixed_cost: ArrayLike | None = None,
                 min_open_capacity: float | None = None, relax: bool = False) -> MilpProblem:
    """Build (and check) the MILP of :func:`solve_location` without solving it.

    Raises the same :class:`InfeasibleLocationError` and :class:`ScenarioStructureError` as
    :func:`solve_location` for problems infeasible on their face.
    """
    n_sites, n_clusters = instance.n_sites, instance.n_clusters
    nameplate = instance.capacity if capacity is None else _vector(capacity, "capacity", n_sites)
    fixed = instance.fixed_cost if fixed_cost is None else _vector(fixed_cost, "fixed_cost",
                                                                   n_sites)
    effective = nameplate * instance.oee
    lower, upper = _site_bounds(instance, must_open, must_close)
    _check_feasible(instance, effective, lower, upper, max_sites, nameplate, min_open_capacity)
    # HiGHS sees flows in units of the largest demand and money in units of the largest cost
    # term, so every coefficient is O(1) whatever the units of the instance.
    flow_scale = max(float(instance.demand.max()), 1e-300)
    unit_cost = instance.unit_cost.ravel() * flow_scale
    cost_scale = max(float(fixed.max(initial=0.0)), float(unit_cost.max(initial=0.0)), 1e-300)
    rows, row_lower, row_upper = _constraints(instance, effective / flow_scale,
                                              instance.demand / flow_scale, nameplate,
                                              max_sites, min_open_capacity)
    # x_ij <= D_j: a flow never exceeds its cluster's demand; tightens presolve for free
    bounds = Bounds(np.concatenate([lower, np.zeros(n_sites * n_clusters)]),
                    np.concatenate([upper, np.tile(instance.demand / flow_scale, n_sites)]))
    return MilpProblem(
        cost=np.concatenate([fixed, unit_cost]) / cost_scale,
        integrality=np.concatenate([np.full(n_sites, 0 if relax else 1),
                                    np.zeros(n_sites * n_clusters)]),
        bounds=bounds, constraints=LinearConstraint(rows, row_lower, row_upper),
        flow_scale=flow_scale, cost_scale=cost_scale, nameplate=np.array(nameplate),
        fixed=np.array(fixed))


def _vector(values: ArrayLike, name: str, n: int) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.shape != (n,) or not np.all(np.isfinite(array)) or np.any(array < 0.0):
        raise UserInputError(f"must be {n} finite values >= 0, got shape {array.shape}",
                             item=name)
    return array


def _site_bounds(instance: LocationInstance, must_open: Iterable[str],
                 must_close: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    lower = np.zeros(instance.n_sites)
    upper = np.ones(instance.n_sites)
    opened = {instance.site_index(s) for s in must_open}
    closed = {instance.site_index(s) for s in must_close}
    both = sorted(instance.site_ids[i] for i in opened & closed)
    if both:
        raise ScenarioStructureError(f"sites {', '.join(both)} are forced both open and closed",
                                     item="must_open/must_close")
    lower[list(opened)] = 1.0
    upper[list(closed)] = 0.0
    return lower, upper


def _check_feasible(instance: LocationInstance, effective: np.ndarray, lower: np.ndarray,
                    upper: np.ndarray, max_sites: int | None, nameplate: np.ndarray,
                    min_open_capacity: float | None) -> None:
    """Reject the cases that need no solver to see they are infeasible, saying by how much."""
    demand = float(instance.demand.sum())
    allowed = upper > 0.0
    reachable = float(effective[allowed].sum())
    if max_sites is not None:
        forced = int(lower.sum())
        if max_sites < forced:
            raise InfeasibleLocationError(f"{forced} sites are forced open", item="max_sites",
                                          allowed=f"at least {forced}")
        optional = np.sort(effective[allowed & (lower == 0.0)])[::-1]
        reachable = float(effective[lower > 0.0].sum() + optional[:max_sites - forced].sum())
    if demand > reachable * (1.0 + 1e-12):
        raise InfeasibleLocationError(
            f"demand of {demand:,.0f} t/yr exceeds the {reachable:,.0f} t/yr the sites allowed "
            f"to open can deliver (capacity x OEE) by {demand - reachable:,.0f} t/yr",
            item="capacity", allowed="total deliverable capacity >= total demand")
    if min_open_capacity is not None:
        most = float(nameplate[allowed].sum())
        if min_open_capacity > most:
            raise InfeasibleLocationError(
                f"asks for {min_open_capacity:,.0f} t/yr but the sites allowed to open have "
                f"{most:,.0f} t/yr, {min_open_capacity - most:,.0f} t/yr short",
                item="min_open_capacity", allowed=f"at most {most:,.0f} t/yr")


def _constraints(instance: LocationInstance, effective: np.ndarray, demand: np.ndarray,
                 nameplate: np.ndarray, max_sites: int | None, min_open_capacity: float | None
                 ) -> tuple[sp.csr_array, np.ndarray, np.ndarray]:
    """Sparse rows over ``[y (I), x (I*J) row-major]`` with their bounds.

    ``effective`` and ``demand`` are in the solver's flow unit; ``nameplate`` and
    ``min_open_capacity`` in t/yr (their row involves ``y`` only).
    """
    n_sites, n_clusters = instance.n_sites, instance.n_clusters
    no_sites = sp.csr_array((n_clusters, n_sites))
    # demand: each cluster's column sum of x; capacity: each site's row sum of x minus C y
    demand_rows = sp.hstack([no_sites, sp.kron(np.ones((1, n_sites)), sp.eye_array(n_clusters))])
    capacity_rows = sp.hstack([sp.diags_array(-effective),
                               sp.kron(sp.eye_array(n_sites), np.ones((1, n_clusters)))])
    blocks = [demand_rows, capacity_rows]
    lower = [demand, np.full(n_sites, -np.inf)]
    upper = [demand, np.zeros(n_sites)]
    empty_x = sp.csr_array((1, n_sites * n_clusters))
    if max_sites is not None:
        blocks.append(sp.hstack([sp.csr_array(np.ones((1, n_sites))), empty_x]))
        lower.append(np.array([-np.inf]))
        upper.append(np.array([float(max_sites)]))
    if min_open_capacity is not None:
        blocks.append(sp.hstack([sp.csr_array(nameplate[None, :]), empty_x]))
        lower.append(np.array([float(min_open_capacity)]))
        upper.append(np.array([np.inf]))
    return sp.vstack(blocks, format="csr"), np.concatenate(lower), np.concatenate(upper)


def _result(instance: LocationInstance, solution: object, problem: MilpProblem, relax: bool,
            label: str) -> LocationResult:
    n_sites = instance.n_sites
    nameplate, fixed = problem.nameplate, problem.fixed
    flow_scale, cost_scale = problem.flow_scale, problem.cost_scale
    x = np.asarray(solution.x, dtype=float)  # type: ignore[attr-defined]
    y = np.clip(x[:n_sites], 0.0, 1.0)
    if not relax:
        if np.any(np.abs(y - np.round(y)) > _INTEGRALITY_TOLERANCE):
            raise LocationSolverError(f"HiGHS returned fractional open variables {y}")
        y = np.round(y)
    flows = np.clip(x[n_sites:].reshape(n_sites, instance.n_clusters) * flow_scale, 0.0, None)
    made = flows.sum(axis=1)
    breakdown = {
        "transport": float(np.sum(flows * instance.transport_cost)),
        "electricity": float(made @ instance.electricity_cost),
        "carbon": float(made @ instance.carbon_cost),
        "environment": float(made @ instance.environment_cost),
        "labour": float(made @ instance.labour_cost),
        "fixed": float(fixed @ y),
    }
    capacity = np.array(nameplate)
    for array in (y, flows, capacity):
        array.flags.writeable = False
    gap = getattr(solution, "mip_gap", None)
    return LocationResult(
        label=label, status=int(solution.status),  # type: ignore[attr-defined]
        message=str(solution.message),  # type: ignore[attr-defined]
        carbon_price=instance.carbon_price, site_ids=instance.site_ids,
        cluster_ids=instance.cluster_ids, open=y, flows=flows, capacity=capacity,
        breakdown=MappingProxyType(breakdown),
        solver_objective=float(solution.fun) * cost_scale,  # type: ignore[attr-defined]
        mip_gap=0.0 if gap is None else float(gap),
        emissions=float(made @ instance.emission_intensity), price=instance.price)


# --- today's layout, comparison, sweep -------------------------------------------------------


def today_layout(instance: LocationInstance, **options: object) -> LocationResult:
    """Today's layout: today's capacities open, all other sites closed, flows at least cost.

    Fixed cost is the capital charge on today's nameplate capacity. ``options`` go to
    :func:`solve_location` (e.g. ``time_limit``).
    """
    existing = instance.today_capacity > 0.0
    return solve_location(
        instance, must_open=[s for s, e in zip(instance.site_ids, existing, strict=True) if e],
        must_close=[s for s, e in zip(instance.site_ids, existing, strict=True) if not e],
        capacity=instance.today_capacity, fixed_cost=instance.today_fixed_cost, label="today",
        **options)  # type: ignore[arg-type]


def compare_layouts(instance: LocationInstance, **options: object) -> LayoutComparison:
    """Today's layout and the optimum at ``instance.carbon_price``."""
    return LayoutComparison(today=today_layout(instance),
                            optimum=solve_location(instance, **options),  # type: ignore[arg-type]
                            price=instance.price)


def carbon_price_sweep(instance: LocationInstance, prices: Iterable[float],
                       **options: object) -> CarbonSweep:
    """Solve the optimum and today's layout at each carbon price (元/tCO2e).

    Each price is one MILP (the open set is discrete, so there is nothing to vectorise across
    prices); the moves of the optimum are in :meth:`CarbonSweep.moves`. ``options`` go to
    :func:`solve_location` for the optimum.
    """
    values = tuple(float(p) for p in prices)
    if not values or any(not math.isfinite(p) or p < 0.0 for p in values):
        raise OptionError(f"needs one or more finite prices >= 0, got {values}",
                          item="carbon prices")
    optima = []
    today = []
    for price in values:
        priced = instance.with_carbon_price(price)
        optima.append(solve_location(priced, **options))  # type: ignore[arg-type]
        today.append(today_layout(priced))
    return CarbonSweep(values, tuple(optima), tuple(today))


def parse_sweep(text: str) -> tuple[float, ...]:
    """Prices of ``start:stop:step`` (stop included), e.g. ``0:300:25`` -> 0, 25, ..., 300."""
    parts = text.split(":")
    try:
        start, stop, step = (float(p) for p in parts)
    except ValueError:
        raise OptionError(f"{text!r} is not start:stop:step", item="--sweep",
                          allowed="three numbers, e.g. 0:300:25") from None
    if step <= 0.0 or stop < start or start < 0.0 or not math.isfinite(stop):
        raise OptionError(f"{text!r} needs 0 <= start <= stop and step > 0", item="--sweep",
                          allowed="e.g. 0:300:25")
    count = math.floor((stop - start) / step + 1e-9) + 1
    return tuple(start + k * step for k in range(count))


# --- what a command prints -------------------------------------------------------------------


REPORT_SAVING = (1_800.0, 2_300.0)
"""元/t: the CNIA re-siting saving report 1.3 states ("8.7-11.1 % of the 2024 average price")."""


@dataclass(frozen=True)
class LocateReport:
    """Everything ``valueloop locate`` shows: the comparison and an optional sweep."""

    instance: LocationInstance
    comparison: LayoutComparison
    sweep: CarbonSweep | None = None

    def tables(self) -> tuple[Table, ...]:
        tables = [self.sites_table(), self.breakdown_table(), self.flows_table()]
        if self.sweep is not None:
            tables.append(self.sweep.table())
        return tuple(tables)

    def sites_table(self) -> Table:
        inst, today, best = self.instance, self.comparison.today, self.comparison.optimum
        rows = tuple(
            (inst.site_names[i], inst.site_ids[i], float(today.capacity[i]),
             float(today.production[i]), float(best.capacity[i] * best.open[i]),
             float(best.production[i]), float(inst.production_cost[i]),
             float(inst.emission_intensity[i]))
            for i in range(inst.n_sites))
        return Table(
            f"Sites: today and optimum at {inst.carbon_price:g} CNY/tCO2e",
            ("province", "code", "today_capacity", "today_output", "optimum_capacity",
             "optimum_output", "production_cost", "tco2e_per_t"), rows,
            units={"today_capacity": "t/yr", "today_output": "t/yr", "optimum_capacity": "t/yr",
                   "optimum_output": "t/yr", "production_cost": "CNY/t",
                   "tco2e_per_t": "tCO2e/t"})

    def breakdown_table(self) -> Table:
        c = self.comparison
        today, best = c.today.breakdown_per_t(), c.optimum.breakdown_per_t()
        rows = [(name, today[name], best[name], today[name] - best[name]) for name in COMPONENTS]
        rows.append(("total", c.today.cost_per_t, c.optimum.cost_per_t, c.saving_per_t))
        rows.append(("tCO2e per t", c.today.emissions_per_t, c.optimum.emissions_per_t,
                     c.today.emissions_per_t - c.optimum.emissions_per_t))
        low, high = REPORT_SAVING
        notes = (
            f"saving without fixed cost {c.variable_saving_per_t:,.0f} CNY/t = "
            f"{c.variable_saving_share:.2%} of the price ({c.price:,.0f} CNY/t); with fixed "
            f"cost {c.saving_per_t:,.0f} CNY/t = {c.saving_share:.2%}",
            f"report 1.3 states {low:,.0f}-{high:,.0f} CNY/t as 8.7-11.1 % of the 2024 price; "
            f"at {c.price:,.0f} CNY/t that is {low / c.price:.2%}-{high / c.price:.2%}",
            "today's flows are chosen at least cost from today's plants, so the saving is a "
            "lower bound; fixed cost includes capex on today's idle capacity",
        )
        return Table(f"Cost per t: today and optimum at {self.instance.carbon_price:g} "
                     "CNY/tCO2e", ("component", "today", "optimum", "saving"), tuple(rows),
                     units={"today": "CNY/t", "optimum": "CNY/t", "saving": "CNY/t"},
                     notes=notes)

    def flows_table(self) -> Table:
        inst, best = self.instance, self.comparison.optimum
        rows = tuple((inst.site_names[i], inst.cluster_names[j], float(best.flows[i, j]),
                      float(inst.distance_km[i, j]), float(inst.unit_cost[i, j]))
                     for i, j in zip(*np.nonzero(best.flows > 1e-6), strict=True))
        return Table("Optimal flows", ("site", "cluster", "flow", "distance", "unit_cost"), rows,
                     units={"flow": "t/yr", "distance": "km", "unit_cost": "CNY/t"})


def locate(carbon_price: float | None = None, sweep: Sequence[float] | str | None = None,
           instance: LocationInstance | None = None) -> LocateReport:
    """Today's layout against the optimum, and optionally a carbon-price sweep.

    Parameters
    ----------
    carbon_price
        元/tCO2e; the instance's (60, report 2.2) when None.
    sweep
        Carbon prices, or ``"start:stop:step"`` as :func:`parse_sweep` reads it.
    instance
        The shipped instance (:func:`~valueloop.models.location_data.build_instance`) when None.
    """
    base = instance or build_instance()
    if carbon_price is not None:
        if not math.isfinite(carbon_price) or carbon_price < 0.0:
            raise OptionError(f"{carbon_price!r} is not a price", item="--carbon-price",
                              allowed="a finite number >= 0 (CNY/tCO2e)")
        base = base.with_carbon_price(carbon_price)
    prices = parse_sweep(sweep) if isinstance(sweep, str) else sweep
    return LocateReport(base, compare_layouts(base),
                        None if prices is None else carbon_price_sweep(base, prices))
