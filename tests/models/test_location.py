"""Facility-location MILP (report 1.3): brute-force oracles, constraints, the shipped instance.

Small instances are checked against every open/close combination, each costed independently
(an analytic nearest-site assignment, or a dense transportation LP per combination).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.optimize import linprog

from valueloop.core.datatables import load_table, shipped_tables
from valueloop.core.errors import OptionError, ScenarioStructureError, UserInputError
from valueloop.models import location as loc
from valueloop.models.finance import annuity_factor
from valueloop.models.location_data import (
    EARTH_RADIUS_KM,
    LocationInstance,
    LocationParameters,
    build_instance,
    great_circle_km,
    jittered_instance,
)

PRICE_2024 = 208_000.0  # 元/t, report 1.1 (SMM 2024 average, 20.8 万元/t)


def _instance(unit_cost: np.ndarray, fixed: np.ndarray, capacity: np.ndarray,
              demand: np.ndarray, *, oee: np.ndarray | None = None,
              today: np.ndarray | None = None) -> LocationInstance:
    """An instance whose unit cost is exactly ``unit_cost`` (tariff 1 元/t·km, no production)."""
    n_sites, n_clusters = unit_cost.shape
    zeros = np.zeros(n_sites)
    return LocationInstance(
        site_ids=tuple(f"s{i}" for i in range(n_sites)),
        cluster_ids=tuple(f"c{j}" for j in range(n_clusters)),
        distance_km=unit_cost, freight_tariff=1.0, electricity=0.0, power_price=zeros,
        grid_factor=zeros, other_emissions=0.0, environment_cost=zeros, labour_cost=zeros,
        capacity=capacity, oee=np.ones(n_sites) if oee is None else oee, fixed_cost=fixed,
        demand=demand, today_capacity=capacity if today is None else today,
        capital_charge=1.0, price=PRICE_2024)


def _brute_force_uncapacitated(instance: LocationInstance) -> tuple[float, tuple[str, ...]]:
    """Every non-empty open set; each cluster goes to its cheapest open site."""
    best = (math.inf, ())
    for size in range(1, instance.n_sites + 1):
        for subset in itertools.combinations(range(instance.n_sites), size):
            chosen = list(subset)
            cost = (instance.fixed_cost[chosen].sum()
                    + instance.demand @ instance.unit_cost[chosen].min(axis=0))
            if cost < best[0] - 1e-9:
                best = (float(cost), tuple(instance.site_ids[i] for i in subset))
    return best


def _transport_lp(unit_cost: np.ndarray, capacity: np.ndarray, demand: np.ndarray) -> float:
    """Least transport cost from the given sites, as a dense LP (inf when infeasible)."""
    n_sites, n_clusters = unit_cost.shape
    meets = np.zeros((n_clusters, n_sites * n_clusters))
    for j in range(n_clusters):
        meets[j, j::n_clusters] = 1.0
    within = np.zeros((n_sites, n_sites * n_clusters))
    for i in range(n_sites):
        within[i, i * n_clusters:(i + 1) * n_clusters] = 1.0
    solution = linprog(unit_cost.ravel(), A_ub=within, b_ub=capacity, A_eq=meets, b_eq=demand,
                       bounds=(0, None), method="highs")
    return float(solution.fun) if solution.status == 0 else math.inf


def _brute_force_capacitated(instance: LocationInstance) -> tuple[float, tuple[str, ...]]:
    best = (math.inf, ())
    for size in range(1, instance.n_sites + 1):
        for subset in itertools.combinations(range(instance.n_sites), size):
            chosen = list(subset)
            cost = instance.fixed_cost[chosen].sum() + _transport_lp(
                instance.unit_cost[chosen], instance.effective_capacity[chosen], instance.demand)
            if cost < best[0] - 1e-6:
                best = (float(cost), tuple(instance.site_ids[i] for i in subset))
    return best


@pytest.fixture(scope="module")
def shipped() -> LocationInstance:
    return build_instance()


@pytest.fixture(scope="module")
def comparison(shipped: LocationInstance) -> loc.LayoutComparison:
    return loc.compare_layouts(shipped)


# --- brute-force oracles -----------------------------------------------------------------------


@pytest.mark.parametrize(("fixed", "expected"), [(100.0, ("s0", "s1")), (1_000.0, ("s0",))])
def test_two_by_two_optimum_is_the_obvious_one(fixed: float, expected: tuple[str, ...]) -> None:
    # Each site sits next to one cluster (1 元/t) and far from the other (20 元/t); s0 is a
    # little cheaper. Both open: 2F + 20; one open: F + 10 + 200. Both win iff F < 190.
    instance = _instance(np.array([[1.0, 20.0], [20.0, 1.0]]), np.array([fixed, fixed + 1.0]),
                         np.array([100.0, 100.0]), np.array([10.0, 10.0]))
    result = loc.solve_location(instance)
    assert result.open_sites == expected
    assert result.objective == pytest.approx(_brute_force_uncapacitated(instance)[0], rel=1e-12)
    by_hand = 2 * fixed + 1.0 + 20.0 if len(expected) == 2 else fixed + 10.0 + 200.0
    assert result.objective == pytest.approx(by_hand, rel=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_uncapacitated_random_instance_matches_nearest_site_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    demand = rng.uniform(1.0, 50.0, 6)
    instance = _instance(rng.uniform(1.0, 100.0, (5, 6)), rng.uniform(100.0, 3_000.0, 5),
                         np.full(5, demand.sum()), demand)
    expected_cost, expected_open = _brute_force_uncapacitated(instance)
    result = loc.solve_location(instance)
    assert result.objective == pytest.approx(expected_cost, rel=1e-9)
    assert result.open_sites == expected_open


@pytest.mark.parametrize("seed", range(6))
def test_capacitated_random_instance_matches_brute_force_over_open_sets(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    demand = rng.uniform(5.0, 30.0, 5)
    # capacities of about half the demand each, so one or two sites never suffice alone
    capacity = rng.uniform(0.3, 0.7, 4) * demand.sum()
    instance = _instance(rng.uniform(1.0, 100.0, (4, 5)), rng.uniform(200.0, 2_000.0, 4),
                         capacity, demand, oee=rng.uniform(0.7, 1.0, 4))
    expected_cost, expected_open = _brute_force_capacitated(instance)
    result = loc.solve_location(instance)
    assert result.objective == pytest.approx(expected_cost, rel=1e-7)
    assert result.open_sites == expected_open


def test_lp_relaxation_bounds_the_milp_from_below(shipped: LocationInstance) -> None:
    relaxed = loc.solve_location(shipped, relax=True)
    exact = loc.solve_location(shipped)
    assert relaxed.objective <= exact.objective * (1 + 1e-9)
    assert np.all((relaxed.open >= 0.0) & (relaxed.open <= 1.0))
    assert np.any((relaxed.open > 1e-6) & (relaxed.open < 1 - 1e-6))  # capacity is lumpy


# --- constraints and accounting ----------------------------------------------------------------


@pytest.mark.parametrize("which", ["optimum", "today"])
def test_solution_meets_demand_within_capacity(comparison: loc.LayoutComparison,
                                               shipped: LocationInstance, which: str) -> None:
    result = getattr(comparison, which)
    np.testing.assert_allclose(result.flows.sum(axis=0), shipped.demand, rtol=1e-7)
    deliverable = result.capacity * shipped.oee * result.open
    assert np.all(result.production <= deliverable * (1 + 1e-7) + 1e-6)
    assert np.all(result.flows >= 0.0)
    assert set(np.unique(result.open)) <= {0.0, 1.0}


@pytest.mark.parametrize("which", ["optimum", "today"])
def test_cost_breakdown_adds_up_to_the_solver_objective(comparison: loc.LayoutComparison,
                                                        shipped: LocationInstance,
                                                        which: str) -> None:
    result = getattr(comparison, which)
    assert tuple(result.breakdown) == loc.COMPONENTS
    assert result.objective == pytest.approx(result.solver_objective, rel=1e-9)
    made = result.production
    assert result.breakdown["electricity"] == pytest.approx(
        float(np.sum(made * shipped.electricity * shipped.power_price)), rel=1e-12)
    assert result.breakdown["carbon"] == pytest.approx(
        shipped.carbon_price * result.emissions, rel=1e-12)
    assert result.emissions == pytest.approx(float(np.sum(
        made * (shipped.electricity * shipped.grid_factor / 1e3 + shipped.other_emissions))))
    per_t = result.breakdown_per_t()
    assert sum(per_t.values()) == pytest.approx(result.cost_per_t, rel=1e-12)


def test_cost_at_other_carbon_prices_is_vectorised(comparison: loc.LayoutComparison) -> None:
    result = comparison.optimum
    prices = np.array([0.0, result.carbon_price, 300.0])
    costs = result.cost_at(prices)
    assert costs.shape == (3,)
    assert costs[1] == pytest.approx(result.objective, rel=1e-12)
    assert costs[2] - costs[0] == pytest.approx(300.0 * result.emissions, rel=1e-12)


def test_results_are_read_only(comparison: loc.LayoutComparison) -> None:
    with pytest.raises(ValueError, match="read-only"):
        comparison.optimum.flows[0, 0] = 1.0
    with pytest.raises(TypeError):
        comparison.optimum.breakdown["fixed"] = 0.0  # type: ignore[index]


# --- the shipped instance ----------------------------------------------------------------------


def test_raising_the_carbon_price_never_raises_the_optimum_emissions(
        shipped: LocationInstance) -> None:
    sweep = loc.carbon_price_sweep(shipped, range(0, 1_501, 100))
    emissions = np.array([r.emissions for r in sweep.optima])
    assert np.all(np.diff(emissions) <= 1e-9 * emissions[:-1])
    assert sweep.moves(), "the optimum should move somewhere below 1,500 元/tCO2e"
    assert emissions[-1] < emissions[0]


def test_optimum_costs_no_more_than_today(shipped: LocationInstance) -> None:
    for price in (0.0, 60.0, 300.0):
        comparison = loc.compare_layouts(shipped.with_carbon_price(price))
        assert comparison.today.cost_per_t >= comparison.optimum.cost_per_t
        assert comparison.variable_saving_per_t > 0.0
        # today's sites at the candidate module size are a feasible point of the optimum's
        # problem, so this one holds by construction
        forced = loc.solve_location(
            shipped.with_carbon_price(price),
            must_open=[s for s, k in zip(shipped.site_ids, shipped.today_capacity, strict=True)
                       if k > 0])
        assert forced.objective >= comparison.optimum.objective * (1 - 1e-9)


def test_today_layout_uses_report_capacity_shares(comparison: loc.LayoutComparison,
                                                  shipped: LocationInstance) -> None:
    today = comparison.today
    share = dict(zip(shipped.site_names, today.capacity / 186_000.0, strict=True))
    assert share["Guangxi"] == pytest.approx(0.321)
    assert share["Jiangxi"] == pytest.approx(0.247)
    assert share["Hunan"] == pytest.approx(0.215)
    assert sum(share.values()) == pytest.approx(1.0)
    assert set(today.open_sites) == {code for code, k in zip(shipped.site_ids,
                                     shipped.today_capacity, strict=True) if k > 0}
    assert today.breakdown["fixed"] == pytest.approx(shipped.capital_charge * 186_000.0)


def test_savings_and_their_share_of_the_price(comparison: loc.LayoutComparison) -> None:
    assert comparison.price == PRICE_2024
    assert comparison.saving_share * PRICE_2024 == pytest.approx(comparison.saving_per_t)
    fixed_part = (comparison.today.breakdown_per_t()["fixed"]
                  - comparison.optimum.breakdown_per_t()["fixed"])
    assert comparison.saving_per_t == pytest.approx(comparison.variable_saving_per_t + fixed_part)
    # the report's 1,800-2,300 元/t are 0.87-1.11 % of 20.8 万元/t, not 8.7-11.1 %
    low, high = (saving / PRICE_2024 for saving in loc.REPORT_SAVING)
    assert low == pytest.approx(0.00865, abs=5e-5)
    assert high == pytest.approx(0.01106, abs=5e-5)


def test_freight_tariff_reproduces_the_report_qinzhou_changzhou_freight() -> None:
    parameters = LocationParameters()
    cost = parameters.freight_tariff * parameters.calibration_distance_km
    assert 850.0 <= cost <= 1_100.0
    assert cost == pytest.approx(975.0)
    gc = float(great_circle_km(*parameters.calibration_from, *parameters.calibration_to))
    assert parameters.calibration_distance_km == pytest.approx(1.3 * gc)


def test_demand_follows_ggii_group_shares(shipped: LocationInstance) -> None:
    demand = dict(zip(shipped.cluster_names, shipped.demand, strict=True))
    total = 118_000.0
    assert sum(demand.values()) == pytest.approx(total)
    delta = demand["Jiangsu"] + demand["Zhejiang"] + demand["Shanghai"]
    assert delta == pytest.approx(0.512 * total)
    assert demand["Guangdong"] + demand["Hebei"] + demand["Tianjin"] == pytest.approx(
        0.286 * total)


def test_site_costs_come_from_the_table_and_parameters(shipped: LocationInstance) -> None:
    table = load_table("location_provinces")
    guangxi = shipped.site_index("Guangxi")
    assert shipped.grid_factor[guangxi] == table.value("value", province_code="CN-GX",
                                                       quantity="grid_factor")
    assert shipped.electricity_cost[guangxi] == pytest.approx(3_000 * 0.586)
    hunan, jiangsu = shipped.site_index("Hunan"), shipped.site_index("Jiangsu")
    base = 2_000.0 / 0.072
    assert shipped.environment_cost[hunan] == pytest.approx(0.093 * base)
    assert shipped.environment_cost[jiangsu] == pytest.approx(0.061 * base)
    assert shipped.labour_cost[hunan] / shipped.labour_cost[jiangsu] == pytest.approx(1.25)
    r, n = 0.058, 10
    assert shipped.capital_charge == pytest.approx(42_000.0 * r / (1 - (1 + r) ** -n))
    assert shipped.capital_charge == pytest.approx(42_000.0 / annuity_factor(r, n))
    assert shipped.fixed_cost[jiangsu] == pytest.approx(shipped.capital_charge * 40_000.0)


def test_instance_arrays_are_private_read_only_copies() -> None:
    unit = np.array([[1.0, 2.0]])
    instance = _instance(unit, np.array([1.0]), np.array([10.0]), np.array([1.0, 1.0]))
    unit[0, 0] = 99.0
    assert instance.distance_km[0, 0] == 1.0
    with pytest.raises(ValueError, match="read-only"):
        instance.demand[0] = 5.0


def test_great_circle_against_the_sphere() -> None:
    assert great_circle_km(0.0, 0.0, 0.0, 1.0) == pytest.approx(2 * math.pi * EARTH_RADIUS_KM
                                                                / 360)
    assert great_circle_km(0.0, 10.0, 90.0, 75.0) == pytest.approx(math.pi * EARTH_RADIUS_KM / 2)


def test_jittered_instance_is_seeded_and_keeps_totals(shipped: LocationInstance) -> None:
    first = jittered_instance(shipped, 30, 100, seed=3)
    again = jittered_instance(shipped, 30, 100, seed=3)
    other = jittered_instance(shipped, 30, 100, seed=4)
    assert first.distance_km.shape == (30, 100)
    assert np.array_equal(first.distance_km, again.distance_km)
    assert not np.array_equal(first.distance_km, other.distance_km)
    assert first.demand.sum() == pytest.approx(shipped.demand.sum())
    assert first.capacity.sum() == pytest.approx(shipped.capacity.sum(), rel=0.25)


# --- bad input ---------------------------------------------------------------------------------


def test_demand_above_capacity_raises_saying_by_how_much() -> None:
    instance = _instance(np.ones((2, 2)), np.ones(2), np.array([10.0, 20.0]),
                         np.array([25.0, 15.0]), oee=np.array([1.0, 0.5]))
    with pytest.raises(loc.InfeasibleLocationError, match="by 20 t/yr") as info:
        loc.solve_location(instance)
    assert isinstance(info.value, UserInputError)
    with pytest.raises(loc.InfeasibleLocationError, match="by 30 t/yr"):
        loc.solve_location(instance, must_close=["s1"])
    with pytest.raises(loc.InfeasibleLocationError, match="forced open"):
        loc.solve_location(instance, must_open=["s0", "s1"], max_sites=1)


def test_shipped_instance_is_infeasible_with_too_few_sites(shipped: LocationInstance) -> None:
    with pytest.raises(loc.InfeasibleLocationError, match="exceeds"):
        loc.solve_location(shipped, max_sites=3)


def test_highs_infeasibility_is_reported_with_its_message() -> None:
    # one site may open, but 25 t/yr of open capacity needs both: only HiGHS can see this
    instance = _instance(np.ones((2, 1)), np.ones(2), np.array([15.0, 15.0]), np.array([5.0]))
    with pytest.raises(loc.InfeasibleLocationError, match="HiGHS"):
        loc.solve_location(instance, max_sites=1, min_open_capacity=25.0)


def test_unknown_or_contradictory_sites_raise(shipped: LocationInstance) -> None:
    with pytest.raises(ScenarioStructureError, match="no candidate site 'Atlantis'") as info:
        loc.solve_location(shipped, must_open=["Atlantis"])
    assert "CN-JS" in str(info.value)
    with pytest.raises(ScenarioStructureError, match="both open and closed"):
        loc.solve_location(shipped, must_open=["Jiangsu"], must_close=["CN-JS"])


def test_bad_instance_arrays_raise() -> None:
    with pytest.raises(UserInputError, match="oee"):
        _instance(np.ones((1, 1)), np.ones(1), np.ones(1), np.ones(1), oee=np.array([1.5]))
    with pytest.raises(UserInputError, match="demand"):
        _instance(np.ones((1, 2)), np.ones(1), np.ones(1), np.array([1.0, -1.0]))
    with pytest.raises(UserInputError, match="shape"):
        _instance(np.ones((1, 2)), np.ones(1), np.ones(1), np.ones(3))


# --- the command's entry point -----------------------------------------------------------------


def test_parse_sweep() -> None:
    prices = loc.parse_sweep("0:300:25")
    assert prices[0] == 0.0 and prices[-1] == 300.0 and len(prices) == 13
    assert loc.parse_sweep("10:10:5") == (10.0,)
    for bad in ("0:300", "a:b:c", "0:300:0", "300:0:25", "-5:10:5"):
        with pytest.raises(OptionError):
            loc.parse_sweep(bad)


def test_locate_returns_printable_tables() -> None:
    report = loc.locate(carbon_price=100.0, sweep="0:200:100")
    titles = [t.title for t in report.tables()]
    assert len(titles) == 4
    assert report.comparison.optimum.carbon_price == 100.0
    assert [row[0] for row in report.sweep.table().rows] == [0.0, 100.0, 200.0]
    breakdown = report.breakdown_table()
    assert [row[0] for row in breakdown.rows][:6] == list(loc.COMPONENTS)
    assert "0.87%-1.11%" in breakdown.notes[1]
    flows = report.flows_table()
    assert sum(row[2] for row in flows.rows) == pytest.approx(118_000.0)
    with pytest.raises(OptionError):
        loc.locate(carbon_price=-1.0)


def test_grid_factors_agree_with_the_shared_china_table(shipped: LocationInstance) -> None:
    # the site rows carry the MEE 2022 factors until the model reads the shared table
    if "china_grid_emission_factors" not in shipped_tables():
        pytest.skip("china_grid_emission_factors is not shipped")
    shared = load_table("china_grid_emission_factors")
    for code, factor in zip(shipped.site_ids, shipped.grid_factor, strict=True):
        assert factor == shared.value("value", code=code, factor_kind="average", data_year=2022)
