"""The chapter-6 investment cases (model cobalt-investment) on the shipped scenario."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from valueloop.core.sampling import SampleSet, baseline_inputs, sample
from valueloop.core.scenario import Scenario, load_scenario
from valueloop.core.sensitivity import tornado
from valueloop.core.study import run_study
from valueloop.models import investment_cases as ic
from valueloop.models import investment_green_power as green
from valueloop.models import investment_recycling as recycling
from valueloop.models import investment_vertical as vertical
from valueloop.models.cashflow import delay_npv, project_npv
from valueloop.models.finance import IrrStatus
from valueloop.models.registry import get_model

SCENARIO = "valueloop:cobalt-investment"
OVERRIDES = ("report-pv-example", "ccc-borrower", "co-investment", "no-green-premium")


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(SCENARIO)


@pytest.fixture(scope="module")
def base(scenario: Scenario) -> SampleSet:
    return baseline_inputs(scenario)


@pytest.fixture(scope="module")
def outputs(base: SampleSet) -> dict[str, np.ndarray]:
    return ic.COBALT_INVESTMENT(base, 1)


def _with(inputs: SampleSet, **changes: float) -> SampleSet:
    fixed = dict(inputs.fixed)
    for key, value in changes.items():
        fixed[ic.PREFIX + key.replace("__", ".")] = np.atleast_1d(np.asarray(value, float))
    return SampleSet(inputs.n, inputs.sampled, fixed)


# --- the scenario --------------------------------------------------------------------------------

def test_scenario_resolves_against_the_registered_model(scenario: Scenario) -> None:
    assert get_model(scenario.model) is ic.COBALT_INVESTMENT
    assert set(scenario.parameters) == {d.name for d in ic.PARAMETERS}
    uncertain = scenario.uncertain_scalars()
    assert len(uncertain) >= 20
    for name in uncertain:  # every range says why
        source = scenario.parameters[name].source
        assert source.assumption or source.note, name


@pytest.mark.parametrize("override", OVERRIDES)
def test_every_override_resolves(override: str) -> None:
    varied = load_scenario(SCENARIO, override=override)
    assert set(varied.parameters) == {d.name for d in ic.PARAMETERS}


def test_price_paths_cover_every_operating_year(scenario: Scenario) -> None:
    for kind in ("power", "carbon"):
        for path in green.PATHS:
            parameter = scenario.parameters[f"invest.green.{kind}_price.{path}"]
            assert parameter.index == green.PATH_YEARS
    assert green.PATH_YEARS[-1] == green.START_YEARS[-1] + green.SCHEDULE.operating_years
    low, central, high = (np.asarray(scenario.parameters[f"invest.green.carbon_price.{p}"].value)
                          for p in green.PATHS)
    assert np.all(low <= central) and np.all(central <= high)


# --- baseline --------------------------------------------------------------------------------

def test_baseline_outputs(outputs: dict[str, np.ndarray]) -> None:
    for declared in ic.OUTPUTS:
        assert outputs[declared.name].shape[0] == 1, declared.name
    assert outputs["npv"].shape == (1, len(ic.CASES))
    assert outputs["green_npv_window"].shape == (1, 11, 3, 3)
    assert_array_equal(outputs["irr_status"], IrrStatus.UNIQUE)
    assert np.all(np.isfinite(outputs["npv"]))
    # the baseline borrows at the class-A rate, so column A of npv_by_rating is the npv
    assert_allclose(outputs["npv_by_rating"][:, :, 0], outputs["npv"], rtol=1e-12)
    assert np.all(np.diff(outputs["npv_by_rating"][0], axis=-1) < 0.0)


def test_standalone_variable_cost_is_the_reports_at_its_price(base: SampleSet) -> None:
    r = ic.refinery_arrays(base)
    inputs = vertical.vertical_inputs(r, ic.integration_arrays(base), ic.financing_terms(base),
                                      r.reference_price, np.array([60.0]), np.array([0.0]))
    assert inputs.variable_cost[0, 0] == pytest.approx(167_000.0)  # report 2.2
    assert inputs.capital[0] == pytest.approx(4.2e8)  # report 2.1


def test_integration_with_nothing_integrated_is_the_standalone_refinery(base: SampleSet) -> None:
    bare = _with(base, vi__offtake_share=0.0, vi__downstream_share=0.0,
                 vi__working_capital_days=40.0)
    out = ic.COBALT_INVESTMENT(bare, 1)
    assert out["npv"][0, 1] == pytest.approx(out["npv"][0, 0], rel=1e-12)
    assert out["breakeven_price"][0, 1] == pytest.approx(out["breakeven_price"][0, 0], rel=1e-7)


def test_risk_thresholds_give_zero_npv_when_plugged_back(base: SampleSet) -> None:
    points = sample(load_scenario(SCENARIO), 64, seed=3)
    r, v, f = (ic.refinery_arrays(points), ic.integration_arrays(points),
               ic.financing_terms(points))
    price = np.asarray(points[ic.PREFIX + "cobalt_price"])
    carbon = np.asarray(points[ic.PREFIX + "carbon_price"])
    result = vertical.evaluate_vertical(r, v, f, price, carbon)
    capital = result.metrics.capital
    for k, integrated in enumerate((0.0, 1.0)):
        g = np.full(64, integrated)

        def npv_at(p: np.ndarray = price, g: np.ndarray = g,
                   **change: np.ndarray) -> np.ndarray:
            return project_npv(vertical.vertical_inputs(r, v, f, p, carbon, g, **change),
                               vertical.SCHEDULE)

        found = np.isfinite(result.breakeven_price[k])
        assert found.all()
        assert_allclose(npv_at(result.breakeven_price[k]), 0.0, atol=1e-7 * capital[k].max())
        overrun = result.max_capex_overrun[k]
        ok = np.isfinite(overrun)
        plugged = npv_at(overrun=np.where(ok, overrun, 0.0))
        assert_allclose(plugged[ok], 0.0, atol=1e-7 * capital[k].max())
        utilisation = result.min_utilisation[k]
        ok = np.isfinite(utilisation)
        assert ok.any()
        plugged = npv_at(utilisation=np.where(ok, utilisation, 1.0))
        assert_allclose(plugged[ok], 0.0, atol=1e-7 * capital[k].max())
        # a utilisation threshold is missing only where 100 % is not enough
        assert np.all(npv_at(utilisation=np.ones(64))[~ok] < 0.0)
    columns = slice(0, 64), slice(64, 128)
    for k in range(2):
        table = dataclasses.replace(
            result.table, net_cash_flow=result.table.net_cash_flow[:, columns[k]],
            discount_rate=result.table.discount_rate[columns[k]])
        delay = result.max_delay[k]
        assert_allclose(delay_npv(table, delay), 0.0, atol=1e-6 * capital[k].max())
    # the thresholds sit on the side the base case says
    npv = result.metrics.npv
    assert np.all((result.breakeven_price < price) == (npv > 0.0))
    assert np.all((result.max_delay > 0.0) == (npv > 0.0))


# --- 6.2 green power ---------------------------------------------------------------------------

def test_window_is_monotone_in_the_carbon_price(base: SampleSet) -> None:
    windows = [ic.COBALT_INVESTMENT(_with(base, green__carbon_price_factor=factor), 1)[
        "green_npv_window"][0] for factor in (0.0, 0.5, 1.0, 2.0, 4.0)]
    assert np.all(np.diff(np.stack(windows), axis=0) > 0.0)
    # and along the ordered carbon paths, low <= central <= high, for every start and power path
    assert np.all(np.diff(windows[2], axis=-1) >= 0.0)
    # so the set of NPV-positive cells only grows with the carbon price
    positive = np.stack(windows) > 0.0
    assert np.all(positive[1:] >= positive[:-1])


def test_window_shrinks_with_dearer_pv_and_cheaper_power(base: SampleSet) -> None:
    dear = ic.COBALT_INVESTMENT(_with(base, green__pv_capex=6.0, green__power_price_factor=0.5,
                                      green__premium_coverage=0.0,
                                      green__carbon_price_factor=0.5), 1)
    positive = dear["green_positive"][0]
    assert 0 < positive.sum() < positive.size  # a window, open in some cells only
    # cheaper PV later and a rising carbon price: once open, it stays open with time
    assert np.all(np.diff(positive[:, :, 2], axis=0) >= 0.0)


def test_report_pv_example_does_not_give_its_payback() -> None:
    check = green.report_pv_example()
    assert check["local_price"] == pytest.approx(0.38 / 0.68)
    assert check["capex_per_w"] == pytest.approx(0.6)
    assert check["full_load_hours"] == pytest.approx(1200.0)
    # 2.4e8 kWh * (0.5588 - 0.38) + 2.4e8 kWh * 559.55 g/kWh * 60 元/t
    assert check["power_saving"] == pytest.approx(2.4e8 * (0.38 / 0.68 - 0.38))
    assert check["carbon_value"] == pytest.approx(2.4e8 * 559.55e-6 * 60.0)
    assert check["payback"] == pytest.approx(2.354, abs=1e-3)
    assert check["stated_payback"] == 3.7
    assert check["payback_at_capex"] == pytest.approx(5.0 * check["payback"])


# --- 6.3 recycling -------------------------------------------------------------------------------

def test_support_helps_the_investor_and_costs_the_public(outputs: dict[str, np.ndarray],
                                                         base: SampleSet) -> None:
    supported, unsupported = (ic.CASES.index(c) for c in recycling.VARIANTS)
    assert outputs["npv"][0, supported] > outputs["npv"][0, unsupported]
    assert outputs["capital"][0, supported] == pytest.approx(
        0.8 * outputs["capital"][0, unsupported])
    none = ic.COBALT_INVESTMENT(_with(base, recycle__capital_grant_share=0.0,
                                      recycle__subsidy=0.0), 1)
    assert none["npv"][0, supported] == pytest.approx(none["npv"][0, unsupported], rel=1e-12)
    assert none["recycling_public_cost"][0] == pytest.approx(0.0, abs=1e-9)


def test_public_cost_of_a_grant_by_hand(base: SampleSet) -> None:
    grant_only = _with(base, recycle__subsidy=0.0)
    a = ic.recycling_arrays(grant_only)
    result = recycling.evaluate_recycling(a, ic.financing_terms(grant_only),
                                          np.asarray(grant_only[ic.PREFIX + "cobalt_price"]))
    capital = a.capacity * a.plant_capex + a.collection_points * a.point_capex
    rate = a.public_discount_rate
    grant = 0.2 * capital * (0.5 + 0.5 / (1.0 + rate))  # two construction years
    years = np.arange(recycling.SCHEDULE.rows)
    output = np.r_[0.0, 0.0, recycling.SCHEDULE.ramp()] * a.capacity * a.utilisation
    cobalt = np.sum(output * a.co_content * a.recovery / (1.0 + rate) ** years)
    assert result.public_cost_per_t_co[0] == pytest.approx((grant / cobalt)[0], rel=1e-12)
    assert result.cobalt_recovered[0] == pytest.approx(2e4 * 0.8 * 0.0452 * 0.90)


def test_breakeven_subsidy_plugged_back_gives_zero_npv(base: SampleSet) -> None:
    points = sample(load_scenario(SCENARIO), 32, seed=4)
    a, f = ic.recycling_arrays(points), ic.financing_terms(points)
    price = np.asarray(points[ic.PREFIX + "cobalt_price"])
    result = recycling.evaluate_recycling(a, f, price)
    subsidy = result.breakeven_subsidy
    assert np.all(np.isfinite(subsidy))
    again = project_npv(recycling.recycling_inputs(a, f, price, 1.0, subsidy),
                        recycling.SCHEDULE)
    assert_allclose(again, 0.0, atol=1e-6 * result.metrics.capital[0].max())


def test_co_investment_shares_the_project() -> None:
    shared = load_scenario(SCENARIO, override="co-investment")
    alone = ic.COBALT_INVESTMENT(baseline_inputs(load_scenario(SCENARIO)), 1)
    together = ic.COBALT_INVESTMENT(baseline_inputs(shared), 1)
    k = ic.CASES.index("recycling_supported")
    assert together["npv"][0, k] == pytest.approx(0.7 * alone["npv"][0, k], rel=1e-12)
    assert together["irr"][0, k] == pytest.approx(alone["irr"][0, k])
    assert together["recycling_public_cost"][0] != alone["recycling_public_cost"][0]


# --- through the engine ------------------------------------------------------------------------

def test_samples_evaluated_together_equal_one_at_a_time(scenario: Scenario) -> None:
    points = sample(scenario, 4, seed=11)
    together = ic.COBALT_INVESTMENT(points, 4)
    for i in range(4):
        one = SampleSet(1, {k: v[i:i + 1] for k, v in points.sampled.items()}, points.fixed)
        alone = ic.COBALT_INVESTMENT(one, 1)
        for name in ("npv", "irr", "breakeven_price", "min_utilisation", "green_npv_window",
                     "recycling_breakeven_subsidy"):
            assert_allclose(together[name][i], alone[name][0], rtol=1e-9, atol=1e-9,
                            err_msg=name)


def test_study_and_tornado_run_on_the_scenario(scenario: Scenario) -> None:
    result = run_study(ic.COBALT_INVESTMENT, scenario, 300, seed=2)
    assert result.outputs["npv"].shape == (300, len(ic.CASES))
    assert result.outputs["green_positive"].shape == (300, 11, 3, 3)
    again = run_study(ic.COBALT_INVESTMENT, scenario, 300, seed=2, memory_budget=2**20)
    assert_array_equal(again.outputs["npv"], result.outputs["npv"])
    bars = tornado(ic.COBALT_INVESTMENT, scenario, "npv",
                   select=(ic.CASES.index("integrated"),))
    assert bars.factors[0] in (f"{ic.PREFIX}cobalt_price", f"{ic.PREFIX}refinery.utilisation")
    assert bars.baseline == pytest.approx(
        ic.COBALT_INVESTMENT(baseline_inputs(scenario), 1)["npv"][0, 1])


@pytest.mark.parametrize("varied", ["vi.stake_capex", "green.pv_capex", "recycle.subsidy"])
def test_one_case_varying_alone_keeps_the_others_at_baseline(base: SampleSet,
                                                             outputs: dict[str, np.ndarray],
                                                             varied: str) -> None:
    # the cases whose inputs do not vary come back with one column and are broadcast
    name = ic.PREFIX + varied
    sampled = {name: base[name] * np.array([1.0, 1.5, 2.0])}
    fixed = {k: v for k, v in base.fixed.items() if k != name}
    out = ic.COBALT_INVESTMENT(SampleSet(3, sampled, fixed), 3)
    assert_allclose(out["npv_by_rating"][:, :, 0], out["npv"], rtol=1e-12)
    moved = np.ptp(out["npv"], axis=0) > 0.0
    assert moved.sum() == 1
    assert_allclose(out["npv"][:, ~moved], np.broadcast_to(outputs["npv"][:, ~moved], (3, 4)),
                    rtol=1e-12)
