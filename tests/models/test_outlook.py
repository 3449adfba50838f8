"""The cobalt outlook model: mass balances, bounds and behaviour on the shipped scenario."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from valueloop.core.sampling import baseline_inputs
from valueloop.core.scenario import Scenario, load_scenario
from valueloop.core.study import StudyResult, run_study
from valueloop.models.battery_demand import CHEMISTRIES, COBALT_FREE
from valueloop.models.outlook import COBALT_OUTLOOK, OUTPUT_YEARS
from valueloop.models.registry import get_model

N = 4096


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario("valueloop:cobalt-cn-2024")


@pytest.fixture(scope="module")
def study(scenario: Scenario) -> StudyResult:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NaN or overflow anywhere in the model fails the test
        return run_study(COBALT_OUTLOOK, scenario, N, method="lhs", seed=5)


def year(label: int) -> int:
    return OUTPUT_YEARS.index(label)


def test_the_registry_serves_the_outlook(scenario: Scenario) -> None:
    assert get_model(scenario.model) is COBALT_OUTLOOK


def test_chemistry_shares_sum_to_one(study: StudyResult) -> None:
    for name in ("ev_chemistry_share", "china_ev_chemistry_share"):
        shares = study.outputs[name]
        assert np.all(shares >= -1e-12) and np.all(shares <= 1 + 1e-12)
        np.testing.assert_allclose(shares.sum(axis=-1), 1.0, atol=1e-12)


def test_chemistry_lines_sum_to_the_totals(study: StudyResult) -> None:
    by_chemistry = study.outputs["battery_gwh_by_chemistry"].sum(axis=-1)
    total = (study.outputs["ev_gwh"].sum(axis=-1) + study.outputs["storage_gwh"]
             + study.outputs["portable_gwh"])
    np.testing.assert_allclose(by_chemistry, total, rtol=1e-12)
    np.testing.assert_allclose(study.outputs["battery_cobalt_by_chemistry"].sum(axis=-1),
                               study.outputs["world_battery_cobalt"], rtol=1e-12)


def test_cobalt_free_chemistries_need_no_cobalt(study: StudyResult) -> None:
    cobalt = study.outputs["battery_cobalt_by_chemistry"]
    for name in COBALT_FREE:
        assert np.all(cobalt[..., CHEMISTRIES.index(name)] == 0.0)


def test_recycled_supply_never_exceeds_end_of_life_flows_plus_scrap(study: StudyResult) -> None:
    from_use = study.outputs["recycled_cobalt"] - study.outputs["recycled_from_scrap"]
    assert np.all(from_use <= study.outputs["end_of_life_cobalt"] * (1 + 1e-12))
    assert np.all(study.outputs["recycled_cobalt"] >= 0.0)


def test_flows_and_stocks_are_never_negative(study: StudyResult) -> None:
    for name in ("ev_gwh", "world_battery_cobalt", "china_cobalt_demand", "imports",
                 "end_of_life_cobalt", "hydroxide_demand_metal", "hydroxide_capacity",
                 "world_supply", "world_demand", "primary_feed"):
        assert np.all(study.outputs[name] >= 0.0), name


def test_imports_by_origin_sum_to_imports(study: StudyResult) -> None:
    np.testing.assert_allclose(study.outputs["imports_by_origin"].sum(axis=-1),
                               study.outputs["imports"], rtol=1e-12)
    assert np.all((study.outputs["import_hhi"] > 0) & (study.outputs["import_hhi"] <= 1e4))


def test_province_capacity_sums_to_capacity(study: StudyResult) -> None:
    np.testing.assert_allclose(study.outputs["hydroxide_capacity_by_province"].sum(axis=-1),
                               study.outputs["hydroxide_capacity"], rtol=1e-12)


def test_history_does_not_depend_on_sales_uncertainty(study: StudyResult) -> None:
    # Sales deviations ramp up from 2023; historical EV GWh vary only with pack sizes.
    gwh_2022 = study.outputs["ev_gwh"][:, year(2022)].sum(axis=-1)
    gwh_2035 = study.outputs["ev_gwh"][:, year(2035)].sum(axis=-1)
    assert np.std(gwh_2022) / np.mean(gwh_2022) < np.std(gwh_2035) / np.mean(gwh_2035)


def test_the_drc_quota_tightens_the_world_balance(scenario: Scenario) -> None:
    free = load_scenario("valueloop:cobalt-cn-2024", override="no-drc-quota")
    with_quota = COBALT_OUTLOOK(baseline_inputs(scenario), 1)
    without = COBALT_OUTLOOK(baseline_inputs(free), 1)
    for label in (2026, 2027):
        assert with_quota["world_balance"][0, year(label)] < without["world_balance"][0,
                                                                                     year(label)]
        assert with_quota["price_index"][0, year(label)] > without["price_index"][0, year(label)]
    np.testing.assert_array_equal(with_quota["world_balance"][0, year(2030)],
                                  without["world_balance"][0, year(2030)])


def test_the_literal_reading_of_capacity_overloads_it(scenario: Scenario) -> None:
    literal = load_scenario("valueloop:cobalt-cn-2024", override="report-literal")
    metal = COBALT_OUTLOOK(baseline_inputs(scenario), 1)["utilisation"][0, year(2024)]
    physical = COBALT_OUTLOOK(baseline_inputs(literal), 1)["utilisation"][0, year(2024)]
    assert 0.5 < metal < 0.8 < 2.0 < physical


def test_chapter_one_outputs_are_still_there(scenario: Scenario) -> None:
    out = COBALT_OUTLOOK(baseline_inputs(scenario), 1)
    assert out["utilisation_consumption"][0] == pytest.approx(11.8 / 18.6)


@pytest.mark.parametrize("variant", ["fast-lfp", "fast-sodium", "high-nickel", "fast-bypass",
                                     "all-substitution"])
def test_each_substitution_path_lowers_hydroxide_demand(scenario: Scenario,
                                                        variant: str) -> None:
    pushed = load_scenario("valueloop:cobalt-cn-2024", override=variant)
    base = COBALT_OUTLOOK(baseline_inputs(scenario), 1)["hydroxide_demand_metal"]
    lower = COBALT_OUTLOOK(baseline_inputs(pushed), 1)["hydroxide_demand_metal"]
    assert lower[0, year(2035)] < base[0, year(2035)]
    np.testing.assert_allclose(lower[0, year(2020)], base[0, year(2020)], rtol=0.05)
