"""Operating models (report 4.1, 4.2): route costs and footprints, and the EU closed loop.

Every expected number is worked out by hand in the test, from the inputs the test gives.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

import numpy as np
import pytest
from pydantic import ValidationError

from valueloop.core.parameters import ParameterDeclaration
from valueloop.core.units import parse_unit
from valueloop.models import operating as op

N_SAMPLES = 64


def _default_inputs() -> dict[str, np.ndarray]:
    return {name: np.array([value]) for name, value in op.default_route_values().items()}


def _random_inputs(n: int, seed: int = 7) -> dict[str, np.ndarray]:
    """Every declared input drawn around its default, independently per sample."""
    rng = np.random.default_rng(seed)
    inputs = {}
    for declared in op.ROUTE_PARAMETERS:
        base = op.default_route_values()[declared.name]
        low, high = declared.bounds
        draws = base * rng.uniform(0.5, 1.5, n) + rng.uniform(0.0, 0.01, n)
        inputs[declared.name] = np.clip(draws, low, high)
    return inputs


def _results(inputs: dict[str, np.ndarray]) -> op.RouteResults:
    return op.evaluate_routes(op.route_arrays(inputs))


def _route(route_id: str) -> int:
    return [r.id for r in op.DEFAULT_ROUTES].index(route_id)


def _component(name: str) -> int:
    return op.COST_COMPONENTS.index(name)


# --- route costs -------------------------------------------------------------------------------

def test_components_sum_exactly_to_the_totals() -> None:
    results = _results(_random_inputs(N_SAMPLES))
    breakdown = results.cost_breakdown
    assert breakdown.shape == (N_SAMPLES, len(op.DEFAULT_ROUTES), len(op.COST_COMPONENTS))
    assert np.array_equal(np.sum(breakdown, axis=-1), results.risk_adjusted_cost)
    assert np.array_equal(np.sum(breakdown[..., :-1], axis=-1), results.landed_cost)
    assert op.COST_COMPONENTS[-1] == "disruption"
    np.testing.assert_allclose(results.landed_cost + breakdown[..., -1],
                               results.risk_adjusted_cost, rtol=1e-14)
    assert np.array_equal(np.sum(results.footprint_breakdown, axis=-1), results.footprint)


def test_drc_cost_components_by_hand() -> None:
    drc = _results(_default_inputs()).cost_breakdown[0, _route("drc_hydroxide")]
    value = 19780.0
    hydroxide_per_t_co = 1.0 / 0.31  # co_allocation 1, Co 31 %
    expected = {
        "production": 9000.0,
        "royalty": 0.10 * value,  # 1978: the 10 % strategic-substance rate
        "export_duty": 0.0,
        "power": 10000.0 * 0.28,  # 2800
        "inland_freight": 180.0 * hydroxide_per_t_co,
        "port": 40.0 * hydroxide_per_t_co,
        "sea_freight": 100.0 * hydroxide_per_t_co,
        "insurance": 0.028 * value,  # 553.84
        "working_capital": value * 0.07 * 67.5 / 365.0,  # 256.06
        "compliance": 450.0 + 0.175 * 3000.0,  # 975
        "disruption": 0.5 * 1000.0,
    }
    for name, amount in expected.items():
        assert drc[_component(name)] == pytest.approx(amount, rel=1e-12), name
    assert drc.sum() == pytest.approx(sum(expected.values()), rel=1e-12)


def test_mhp_freight_is_charged_through_the_cobalt_allocation() -> None:
    mhp = _results(_default_inputs()).cost_breakdown[0, _route("indonesia_mhp")]
    product_charged = 0.12 / 0.025  # 4.8 t of wet MHP per t Co after allocation
    assert mhp[_component("sea_freight")] == pytest.approx(35.0 * product_charged)
    assert mhp[_component("royalty")] == pytest.approx(0.02 * 19780.0)


def test_rankings_follow_the_totals() -> None:
    results = _results(_random_inputs(N_SAMPLES))
    for sample in range(N_SAMPLES):
        by_cost = np.argsort(results.risk_adjusted_cost[sample])
        assert list(results.cost_rank[sample][by_cost]) == [1, 2, 3]
        by_footprint = np.argsort(results.footprint[sample])
        assert list(results.footprint_rank[sample][by_footprint]) == [1, 2, 3]
    assert list(op.rank_routes([5.0, 5.0, 1.0])) == [2, 3, 1]  # ties keep route order


def test_higher_artisanal_share_raises_compliance_cost_only() -> None:
    shares = np.linspace(0.0, 1.0, 11)
    cost = op.compliance_cost(450.0, shares, 3000.0)
    assert np.all(np.diff(cost) > 0)
    np.testing.assert_allclose(cost, 450.0 + 3000.0 * shares)

    low, high = _default_inputs(), _default_inputs()
    high["cobalt.route.drc_hydroxide.artisanal_share"] = np.array([0.40])
    before = _results(low).cost_breakdown[0, _route("drc_hydroxide")]
    after = _results(high).cost_breakdown[0, _route("drc_hydroxide")]
    changed = np.flatnonzero(after != before)
    assert list(changed) == [_component("compliance")]
    assert after[_component("compliance")] - before[_component("compliance")] == pytest.approx(
        (0.40 - 0.175) * 3000.0)


# --- route footprints --------------------------------------------------------------------------

def test_drc_hydropower_footprint_below_indonesia_coal_grid_at_equal_kwh() -> None:
    inputs = _default_inputs()
    drc, idn = "cobalt.route.drc_hydroxide.", "cobalt.route.indonesia_mhp."
    # make the two routes identical except for the grid factor
    for quantity in ("power_intensity", "green_share", "process_emissions", "co_content",
                     "co_allocation"):
        inputs[drc + quantity] = inputs[idn + quantity]
    inputs[drc + "distance_road"] = np.array([0.0])
    inputs[drc + "distance_sea"] = inputs[idn + "distance_sea"]
    results = _results(inputs)
    electricity = results.footprint_breakdown[0, :, op.FOOTPRINT_COMPONENTS.index("electricity")]
    assert electricity[_route("drc_hydroxide")] == pytest.approx(8000 * 27.04e-6)  # 0.216 t
    assert electricity[_route("indonesia_mhp")] == pytest.approx(8000 * 682.43e-6)  # 5.459 t
    footprint = results.footprint[0]
    assert footprint[_route("drc_hydroxide")] < footprint[_route("indonesia_mhp")]
    assert footprint[_route("indonesia_mhp")] - footprint[_route("drc_hydroxide")] == (
        pytest.approx(8000 * (682.43 - 27.04) * 1e-6))


def test_green_share_and_transport_by_hand() -> None:
    inputs = _default_inputs()
    inputs["cobalt.route.other.green_share"] = np.array([0.25])
    row = _results(inputs).footprint_breakdown[0, _route("other")]
    assert row[0] == pytest.approx(10000 * 472.94 * 0.75 / 1e6)
    tonne_km = (500 * 90.3 + 8000 * 10.0) / 0.30  # road + sea, per t Co of 30 % product
    assert row[2] == pytest.approx(tonne_km / 1e6)


# --- vectorisation -----------------------------------------------------------------------------

def test_vectorised_over_samples_equals_per_sample() -> None:
    inputs = _random_inputs(N_SAMPLES)
    batch = op.OPERATING_ROUTES(inputs, N_SAMPLES)
    for sample in range(N_SAMPLES):
        single = op.OPERATING_ROUTES(
            {name: value[sample:sample + 1] for name, value in inputs.items()}, 1)
        for name, array in batch.items():
            assert np.array_equal(array[sample:sample + 1], single[name]), name


def test_fixed_inputs_broadcast_against_uncertain_ones() -> None:
    inputs = _default_inputs()
    inputs["cobalt.route.drc_hydroxide.power_price"] = np.array([0.10, 0.20, 0.30])
    outputs = op.OPERATING_ROUTES(inputs, 3)
    power = outputs["cost_breakdown"][:, _route("drc_hydroxide"), _component("power")]
    np.testing.assert_allclose(power, [1000.0, 2000.0, 3000.0])
    assert outputs["footprint"].shape == (3, 3)


def test_closed_loop_vectorised_equals_per_sample() -> None:
    rng = np.random.default_rng(11)
    eol = rng.uniform(0, 1e4, N_SAMPLES)
    collection = rng.uniform(0, 1, N_SAMPLES)
    recovery = rng.uniform(0.8, 1.0, N_SAMPLES)
    r = rng.uniform(0, 1, N_SAMPLES)
    sigma = rng.uniform(0, 0.3, N_SAMPLES)
    eps = -rng.uniform(0.1, 1.0, N_SAMPLES)
    imports = rng.uniform(0, 100, (N_SAMPLES, 3))
    batch_supply = op.recycled_supply(eol, collection, recovery)
    batch_vol = op.price_volatility(sigma, r, eps)
    batch_hhi = op.supply_hhi(imports, batch_supply)
    for i in range(N_SAMPLES):
        assert op.recycled_supply(eol[i], collection[i], recovery[i]) == batch_supply[i]
        assert op.price_volatility(sigma[i], r[i], eps[i]) == batch_vol[i]
        assert op.supply_hhi(imports[i], batch_supply[i]) == batch_hhi[i]
    # one import mix against many recycled volumes broadcasts too
    assert op.supply_hhi(imports[0], batch_supply).shape == (N_SAMPLES,)


# --- declarations and defaults ------------------------------------------------------------------

def _docstring_table(doc: str) -> dict[str, tuple[float, str]]:
    """Rows of the ``| prefix | value | source |`` tables: full name -> (value, source)."""
    lines = [line.strip() for line in doc.splitlines()]
    table: dict[str, tuple[float, str]] = {}
    prefix, name = "", ""
    for i, line in enumerate(lines):
        if not line.startswith("|") or line.startswith("|-"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if i + 1 < len(lines) and lines[i + 1].startswith("|-"):
            prefix = cells[0]
        elif cells[0]:
            name = prefix + cells[0]
            table[name] = (float(cells[1]), cells[2])
        else:
            value, source = table[name]
            table[name] = (value, f"{source} {cells[2]}")
    return table


@pytest.mark.parametrize(("function", "declarations"), [
    (op.default_route_values, op.ROUTE_PARAMETERS),
    (op.default_closed_loop_values, op.CLOSED_LOOP_PARAMETERS),
])
def test_every_default_is_declared_in_bounds_and_sourced(
        function: Callable[[], dict[str, float]],
        declarations: tuple[ParameterDeclaration, ...]) -> None:
    defaults = function()
    assert set(defaults) == {d.name for d in declarations}
    for declared in declarations:
        low, high = declared.bounds
        assert low <= defaults[declared.name] <= high, declared.name
        parse_unit(declared.unit, item=declared.name)
    table = _docstring_table(function.__doc__)
    assert set(table) == set(defaults)
    for name, (value, source) in table.items():
        assert value == defaults[name], name
        assert source, name


def test_declarations_follow_the_route_structure() -> None:
    names = {d.name for d in op.ROUTE_PARAMETERS}
    assert all(name.startswith("cobalt.route.") for name in names)
    assert "cobalt.route.drc_hydroxide.distance_road" in names
    assert "cobalt.route.indonesia_mhp.distance_road" not in names  # plant at its jetty
    rail = op.RouteDefinition(id="drc_lobito", title="DRC via Lobito", origin="drc",
                              product="cobalt hydroxide", legs=("rail", "sea"))
    declared = {d.name for d in op.route_parameters((op.DRC_HYDROXIDE, rail))}
    assert "cobalt.route.drc_lobito.distance_rail" in declared
    with pytest.raises(ValueError, match="unique"):
        op.route_parameters((op.DRC_HYDROXIDE, op.DRC_HYDROXIDE))
    with pytest.raises(ValidationError):
        op.RouteDefinition(id="x", title="x", origin="x", product="x", legs=("air",))


def test_drc_royalty_is_the_strategic_substance_rate() -> None:
    assert op.default_route_values()["cobalt.route.drc_hydroxide.royalty_rate"] == 0.10


# --- EU Art. 8 recycled content -----------------------------------------------------------------

def test_art8_cobalt_minimum_at_given_years() -> None:
    years = [2030.0, 2031.5, 2032.0, 2037.0]
    np.testing.assert_array_equal(op.art8_minimum_share(years), [0.0, 0.0, 0.16, 0.26])


def test_art8_dates_apply_from_the_start_of_the_day() -> None:
    start = op.decimal_year(dt.date(2031, 8, 18))
    assert start == pytest.approx(2031 + 229 / 365)
    day_before = op.decimal_year(dt.date(2031, 8, 17))
    second = op.decimal_year(dt.date(2036, 8, 18))  # 2036 is a leap year: day 231 of 366
    assert second == pytest.approx(2036 + 230 / 366)
    np.testing.assert_array_equal(
        op.art8_minimum_share([day_before, start, second - 1e-9, second]),
        [0.0, 0.16, 0.16, 0.26])


def test_art8_dates_and_shares_are_arguments() -> None:
    assert op.art8_minimum_share(2033.0, op.ART8_NICKEL) == 0.06
    assert op.art8_minimum_share(2037.0, op.ART8_LITHIUM) == 0.12
    earlier = ((dt.date(2027, 1, 1), 0.16), (dt.date(2031, 1, 1), 0.26))  # the report's reading
    np.testing.assert_array_equal(op.art8_minimum_share([2026.9, 2027.0, 2031.0], earlier),
                                  [0.0, 0.16, 0.26])


def test_art8_year_average_weights_days_in_force() -> None:
    average = op.art8_minimum_share_year_average([2030, 2031, 2032, 2036, 2037])
    expected_2036 = 0.16 + 0.10 * (366 - 230) / 366  # 26 % from day 231 of the leap year
    np.testing.assert_allclose(average, [0.0, 0.16 * 136 / 365, 0.16, expected_2036, 0.26])
    with pytest.raises(ValueError, match="whole years"):
        op.art8_minimum_share_year_average(2031.5)


def test_recycled_cobalt_required() -> None:
    # 12,000 t Co in batteries placed on the EU market in 2037 at the 26 % minimum
    required = op.recycled_cobalt_required(12_000.0, op.art8_minimum_share(2037.0))
    assert required == pytest.approx(3120.0)


# --- recycled supply and the compliance gap ----------------------------------------------------

def test_recycled_supply_never_exceeds_end_of_life_cobalt() -> None:
    rng = np.random.default_rng(3)
    eol = rng.uniform(0.0, 5e4, 10_000)
    supply = op.recycled_supply(eol, rng.uniform(0, 1, eol.size), rng.uniform(0, 1, eol.size))
    assert np.all(supply <= eol)
    assert np.all(op.recycled_supply(eol, 1.0, 1.0) == eol)  # the limit is reached, not passed
    with pytest.raises(ValueError, match="collection_rate"):
        op.recycled_supply(100.0, 1.2, 0.9)
    with pytest.raises(ValueError, match="recovery_rate"):
        op.recycled_supply(100.0, 0.5, -0.1)
    with pytest.raises(ValueError, match="negative"):
        op.recycled_supply(-1.0, 0.5, 0.9)
    with pytest.raises(ValueError, match="mass balance"):
        op.check_recycled_within_eol([10.0, 12.0], [11.0, 11.0])


def test_recycled_supply_defaults_to_annex_xii_recovery() -> None:
    np.testing.assert_array_equal(op.annex_xii_recovery([2026.0, 2027.99, 2028.0, 2031.99, 2032.0]),
                                  [0.90, 0.90, 0.90, 0.90, 0.95])
    assert op.annex_xii_recovery(2026.0, before=0.85) == 0.85
    # 1,000 t Co at end of life, 80 % collected, 95 % recovered in 2033
    assert op.recycled_supply(1000.0, 0.8, year=2033.0) == pytest.approx(760.0)
    with pytest.raises(ValueError, match="year"):
        op.recycled_supply(1000.0, 0.8)


def test_compliance_gap_and_shortfall() -> None:
    required = op.recycled_cobalt_required(1000.0, 0.16)  # 160 t
    available = op.recycled_supply(200.0, 0.5, 0.95)  # 95 t
    assert op.compliance_gap(required, available) == pytest.approx(65.0)
    assert op.compliance_shortfall(required, available) == pytest.approx(65.0)
    assert op.compliance_gap(50.0, 95.0) == pytest.approx(-45.0)
    assert op.compliance_shortfall(50.0, 95.0) == 0.0


# --- supply risk and volatility ------------------------------------------------------------------

def test_hhi_on_the_0_to_10000_scale() -> None:
    assert op.hhi([0.85, 0.10, 0.05]) == pytest.approx(7350.0)  # 7225 + 100 + 25
    assert op.hhi([85.0, 10.0, 5.0]) == pytest.approx(7350.0)  # volumes are normalised
    assert op.hhi([3.0]) == pytest.approx(10_000.0)
    assert op.hhi([1.0, 1.0, 1.0, 1.0]) == pytest.approx(2500.0)


def test_recycled_supply_counts_as_its_own_source() -> None:
    # imports of 85 t from one origin and 10 t from another, 5 t recycled at home
    assert op.supply_hhi([85.0, 10.0], 5.0) == pytest.approx(7350.0)
    assert op.supply_hhi([85.0, 10.0], 0.0) == pytest.approx(
        10_000 * ((85 / 95) ** 2 + (10 / 95) ** 2))
    assert op.import_dependence([85.0, 10.0], 5.0) == pytest.approx(0.95)
    assert op.import_dependence([60.0, 20.0], 15.0, 5.0) == pytest.approx(0.80)
    assert op.recycled_share(5.0, 100.0) == pytest.approx(0.05)


def test_volatility_falls_linearly_with_recycled_share() -> None:
    shares = np.linspace(0.0, 1.0, 21)
    sigma, elasticity = 0.10, -0.3
    supply = op.supply_shock_sd(sigma, shares)
    np.testing.assert_allclose(supply, (1.0 - shares) * sigma, atol=1e-15)
    price = op.price_volatility(sigma, shares, elasticity)
    np.testing.assert_allclose(price, (1.0 - shares) * sigma / 0.3, atol=1e-15)
    np.testing.assert_allclose(np.diff(price, 2), 0.0, atol=1e-12)  # a straight line
    assert price[0] == pytest.approx(1 / 3)  # 10 % supply shocks, |eps| 0.3: 33 % price s.d.
    assert price[-1] == 0.0
    assert op.price_volatility(sigma, 0.2, 0.3) == op.price_volatility(sigma, 0.2, -0.3)
    with pytest.raises(ValueError, match="elasticity"):
        op.price_volatility(sigma, 0.2, 0.0)


def test_independent_recycled_shocks_add_in_quadrature() -> None:
    assert op.supply_shock_sd(0.10, 0.5, 0.04) == pytest.approx(math.hypot(0.05, 0.02))
