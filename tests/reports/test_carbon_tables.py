"""Carbon tables and charts on the shipped process-route scenario, against the model and by hand.

Every expected number is either the model's own output, computed here independently through the
engine, or worked out by hand from the shipped inputs written out in the test.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import numpy as np
import pytest

from valueloop.core.errors import OptionError, ScenarioStructureError
from valueloop.core.sampling import baseline_inputs
from valueloop.core.scenario import load_scenario
from valueloop.core.study import run_study
from valueloop.core.tables import Table
from valueloop.models import energy_benchmark as eb
from valueloop.models.process_route_definitions import FOOTPRINT_COMPONENTS
from valueloop.models.registry import get_model
from valueloop.reports import carbon_tables as ct
from valueloop.reports.energy_tables import energy_charts, energy_tables

ROUTES = ("hydromet", "pyromet", "bioleach", "recycling")
CO_CONTENT = 0.31  # every route's product, cobalt-process-routes.toml


@pytest.fixture(scope="module")
def run() -> ct.CarbonRun:
    return ct.run_carbon()


@pytest.fixture(scope="module")
def model_baseline() -> dict[str, np.ndarray]:
    scenario = load_scenario(ct.DEFAULT_SCENARIO)
    return get_model(scenario.model)(baseline_inputs(scenario), 1)


def by(table: Table, **keys: Any) -> dict[str, Any]:
    (match,) = [r for r in table.records() if all(r[k] == v for k, v in keys.items())]
    return match


def _svg(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag.endswith("svg")
    return root


# --- footprint ------------------------------------------------------------------------------------

def test_footprint_table_is_the_models_baseline(run: ct.CarbonRun,
                                                model_baseline: dict[str, np.ndarray]) -> None:
    table = ct.footprint_table(run)
    assert table.columns == ("route", "per", *FOOTPRINT_COMPONENTS, "total")
    for r, route in enumerate(ROUTES):
        per_co = by(table, route=route, per="t Co")
        per_product = by(table, route=route, per="t product")
        assert per_co["total"] == pytest.approx(model_baseline["footprint"][0, r], rel=1e-12)
        assert per_product["total"] == pytest.approx(model_baseline["footprint_product"][0, r],
                                                     rel=1e-12)
        parts = [per_co[c] for c in FOOTPRINT_COMPONENTS]
        np.testing.assert_allclose(parts, model_baseline["footprint_breakdown"][0, r], rtol=1e-12)
        # per t of product is per t Co times the 31 % Co of the product, part by part
        np.testing.assert_allclose([per_product[c] for c in FOOTPRINT_COMPONENTS],
                                   np.array(parts) * CO_CONTENT, rtol=1e-12)
        assert sum(per_product[c] for c in FOOTPRINT_COMPONENTS) == pytest.approx(
            per_product["total"], rel=1e-9)


def test_bands_are_the_engines_quantiles_with_the_same_seed() -> None:
    banded = ct.run_carbon(samples=256, seed=3)
    scenario = load_scenario(ct.DEFAULT_SCENARIO)
    study = run_study(get_model(scenario.model), scenario, 256, seed=3,
                      keep=("footprint", "carbon_cost"))
    table = ct.footprint_table(banded)
    assert table.columns[-3:] == ("p10", "p50", "p90")
    expected = study.quantiles("footprint")
    for r, route in enumerate(ROUTES):
        row = by(table, route=route, per="t Co")
        np.testing.assert_allclose([row["p10"], row["p50"], row["p90"]], expected[:, r],
                                   rtol=1e-12)
        assert row["p10"] <= row["p50"] <= row["p90"]
    costs = by(ct.carbon_cost_table(banded), route="hydromet")
    np.testing.assert_allclose([costs["p10"], costs["p50"], costs["p90"]],
                               study.quantiles("carbon_cost")[:, 0], rtol=1e-12)


# --- options go through the scenario --------------------------------------------------------------

def test_a_province_sets_every_routes_grid_factor() -> None:
    sichuan, hebei = ct.run_carbon(province="Sichuan"), ct.run_carbon(province="河北")
    np.testing.assert_allclose(sichuan.grid_factor, 0.1404)  # MEE 2022 provincial averages
    np.testing.assert_allclose(hebei.grid_factor, 0.7252)
    low, high = sichuan.baseline["footprint"][0], hebei.baseline["footprint"][0]
    assert np.all(low < high)
    # only electricity changes, in proportion to the grid factor
    elec_low = sichuan.baseline["footprint_breakdown"][0, :, 0]
    elec_high = hebei.baseline["footprint_breakdown"][0, :, 0]
    np.testing.assert_allclose(elec_low / elec_high, 0.1404 / 0.7252, rtol=1e-12)
    np.testing.assert_allclose(high - low, elec_high - elec_low, rtol=1e-9)
    source = sichuan.scenario.parameters["cobalt.process.hydromet.grid_factor"].source
    assert source.document == "mee-electricity-co2-factors-2022"
    assert "Sichuan" in (source.section or "")
    grid = ct.grid_table(sichuan.province)  # type: ignore[arg-type]
    assert by(grid, code="CN-SC", kind="average", year=2022)["value"] == pytest.approx(0.1404)
    assert by(grid, code="CN", kind="residual", year=2022)["value"] == pytest.approx(0.5856)
    assert ct.carbon_tables(sichuan)[-1].title == grid.title


def test_green_share_splits_location_and_market_based_electricity(run: ct.CarbonRun) -> None:
    table = ct.electricity_table(run)
    hydromet = by(table, route="hydromet")
    # 3,000 kWh per t of product at 31 % Co (scenario), Guangxi 0.4044 kgCO2e/kWh
    assert hydromet["electricity"] == pytest.approx(3000 / CO_CONTENT)
    assert hydromet["location_based"] == pytest.approx(3000 / CO_CONTENT * 0.4044e-3)
    assert hydromet["market_based"] == pytest.approx(hydromet["location_based"])
    half = by(ct.electricity_table(ct.run_carbon(green_share=0.5)), route="hydromet")
    assert half["market_based"] == pytest.approx(0.5 * hydromet["location_based"])
    assert half["location_based"] == pytest.approx(hydromet["location_based"])
    assert half["ef_market"] == pytest.approx(0.5 * 0.4044)
    full = ct.electricity_table(ct.run_carbon(green_share=1.0))
    for row in full.records():
        assert row["market_based"] == 0.0
        assert row["location_based"] > 0.0
        assert row["total_location_based"] - row["total_market_based"] == pytest.approx(
            row["location_based"])


def test_options_extend_the_users_override() -> None:
    named = ct.run_carbon(override="green-power-hydromet")
    assert named.green_share[0] == pytest.approx(0.5) and named.green_share[1] == 0.0
    assert named.scenario_label == "cobalt-process-routes/green-power-hydromet"
    both = ct.run_carbon(override="green-power-hydromet", carbon_price=100.0)
    assert both.green_share[0] == pytest.approx(0.5)
    assert both.carbon_price == 100.0
    assert both.scenario.parameters["carbon.price"].distribution is None
    replaced = ct.run_carbon(override="green-power-hydromet", green_share=0.0)
    assert replaced.green_share[0] == 0.0


def test_carbon_cost_is_footprint_times_price(run: ct.CarbonRun) -> None:
    priced = ct.run_carbon(carbon_price=100.0)
    table = ct.carbon_cost_table(priced)
    assert "100 CNY/tCO2e" in table.title
    for r, route in enumerate(ROUTES):
        row = by(table, route=route)
        assert row["carbon_cost"] == pytest.approx(100.0 * run.baseline["footprint"][0, r])
        assert row["carbon_cost_product"] == pytest.approx(
            100.0 * run.baseline["footprint_product"][0, r])
        assert row["share_of_full_cost"] == pytest.approx(
            100.0 * row["carbon_cost"] / run.baseline["full_cost"][0, r])
    # the shipped 60 CNY/tCO2e (seed report 3.1) at baseline
    assert by(ct.carbon_cost_table(run), route="hydromet")["carbon_cost"] == pytest.approx(
        60.0 * run.baseline["footprint"][0, 0])


# --- CBAM -----------------------------------------------------------------------------------------

def test_cbam_table_is_a_labelled_what_if_and_matches_the_rules_by_hand(run: ct.CarbonRun
                                                                        ) -> None:
    table = ct.cbam_table(run)
    assert "WHAT-IF" in table.title and "adopted" in table.title
    assert any("not covered by Annex I" in note for note in table.notes)
    assert {r["status"] for r in table.records()} == {"hypothetical"}
    cobalt = {r["year"]: r for r in table.records()
              if r["good"] == "cobalt_hydroxide" and r["emission_scope"] == "direct"}
    assert sorted(cobalt) == list(range(2026, 2035))
    # default 2.6 tCO2e/t, benchmark 1.3 (cbam_goods); 80 EUR/tCO2e
    assert cobalt[2026]["cost"] == pytest.approx((2.6 * 1.1 - 1.3 * 0.975) * 80)  # 127.4
    assert cobalt[2034]["cost"] == pytest.approx(2.6 * 1.3 * 80)  # 270.4, no free allocation
    for good in ("cobalt_hydroxide", "copper_cathode"):
        rows = {r["year"]: r["cost"] for r in table.records() if r["good"] == good}
        assert rows[2034] >= rows[2026]
    proposal = ct.cbam_table(run, "proposal")
    assert "proposal" in proposal.title
    assert any("COM(2026) 616" in note for note in proposal.notes)
    late = by(proposal, good="cobalt_hydroxide", emission_scope="direct", year=2034)
    assert late["cost"] == pytest.approx((2.6 * 1.3 - 1.3 * 0.15) * 80)  # 254.8
    assert ct.cbam_table(ct.run_carbon(cbam_schedule="proposal")).title == proposal.title


def test_cbam_price_scales_the_cost(run: ct.CarbonRun) -> None:
    dear = ct.cbam_table(ct.run_carbon(cbam_price=160.0))
    for cheap_row, dear_row in zip(ct.cbam_table(run).records(), dear.records(), strict=True):
        assert dear_row["cost"] == pytest.approx(2.0 * cheap_row["cost"])


# --- battery --------------------------------------------------------------------------------------

def test_battery_contribution_per_kwh_and_share_of_the_reference(run: ct.CarbonRun) -> None:
    table = ct.battery_table(run)
    assert "70 kgCO2e/kWh" in table.title
    assert any("seed-004" in note and "2.3" in note for note in table.notes)
    row = by(table, route="hydromet", chemistry="NMC811")
    # shipped NMC811 cobalt intensity 0.0826 kg/kWh (battery_mineral_intensity)
    expected = run.baseline["footprint"][0, 0] * 0.0826
    assert row["contribution"] == pytest.approx(expected, rel=1e-3)
    assert row["share_of_reference"] == pytest.approx(100 * row["contribution"] / 70.0)
    assert len(table.rows) == len(ROUTES) * 6


# --- errors ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("options", "item"), [
    ({"province": "Atlantis"}, "--province"),
    ({"province": "DR Congo"}, "--province"),
    ({"green_share": 1.5}, "--green-share"),
    ({"green_share": -0.1}, "--green-share"),
    ({"cbam_schedule": "maybe"}, "--cbam-schedule"),
    ({"carbon_price": -1.0}, "--carbon-price"),
    ({"cbam_price": float("nan")}, "--cbam-price"),
    ({"samples": -1}, "--samples"),
])
def test_bad_options_name_the_option(options: dict[str, Any], item: str) -> None:
    with pytest.raises(OptionError) as caught:
        ct.run_carbon(**options)
    assert caught.value.item == item
    if item == "--province":
        assert "Sichuan" in (caught.value.allowed or "")


def test_a_scenario_of_another_model_is_refused() -> None:
    with pytest.raises(ScenarioStructureError, match="cobalt-process-routes"):
        ct.run_carbon("valueloop:cobalt-cn-2024-ch1")


# --- charts and the energy adapters ---------------------------------------------------------------

def test_carbon_charts_are_svg(run: ct.CarbonRun) -> None:
    charts = ct.carbon_charts(run)
    assert set(charts) == {"footprint", "cbam"}
    for svg in charts.values():
        _svg(svg)
    assert "WHAT-IF" in charts["cbam"]


def test_energy_tables_are_the_benchmarks_with_units_and_follow_the_grid_factor() -> None:
    tables = energy_tables()
    raw = eb.energy_benchmark_tables()
    for adapted, original in zip(tables, raw, strict=True):
        assert adapted.rows == original.rows and adapted.columns == original.columns
    assert tables.path.units["carbon_t_per_t"] == "tCO2e/t"
    assert any("0.5366 kgCO2e/kWh" in note for note in tables.mac.notes)
    sichuan = energy_tables(grid_factor=0.1404)
    first, clean = tables.path.records()[0], sichuan.path.records()[0]
    # only the electricity part moves: 2,180 kWh x (0.5366 - 0.1404) kg/kWh
    assert first["carbon_t_per_t"] - clean["carbon_t_per_t"] == pytest.approx(
        2180 * (0.5366 - 0.1404) * 1e-3)
    charts = energy_charts(tables)
    assert set(charts) == {"mac", "path"}
    for svg in charts.values():
        _svg(svg)
