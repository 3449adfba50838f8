"""Tables and charts of ``valueloop invest`` against the model they report, on the shipped data."""

from __future__ import annotations

import dataclasses
import math
import xml.etree.ElementTree as ET
from types import MappingProxyType

import numpy as np
import pytest

from valueloop.core.errors import OptionError
from valueloop.core.sampling import baseline_inputs
from valueloop.core.scenario import load_scenario
from valueloop.models.finance import IrrStatus, irr
from valueloop.models.investment_cases import CASES
from valueloop.models.registry import get_model
from valueloop.reports import investment_tables as it

SAMPLES = 200


@pytest.fixture(scope="module")
def run() -> it.InvestmentRun:
    return it.run_investment(samples=SAMPLES, seed=3)


@pytest.fixture(scope="module")
def model_baseline() -> dict[str, np.ndarray]:
    """The model called directly, without the reports module."""
    scenario = load_scenario(it.DEFAULT_SCENARIO)
    return get_model(scenario.model)(baseline_inputs(scenario), 1)


def test_summary_baseline_equals_the_model_called_directly(
        run: it.InvestmentRun, model_baseline: dict[str, np.ndarray]) -> None:
    table = it.case_summary(run)
    assert table.column("case") == list(CASES)
    for k, row in enumerate(table.records()):
        assert row["npv"] == pytest.approx(model_baseline["npv"][0, k] / 1e8, rel=1e-12)
        assert row["capital"] == pytest.approx(model_baseline["capital"][0, k] / 1e8, rel=1e-12)
        assert row["payback"] == pytest.approx(model_baseline["payback"][0, k], rel=1e-12)
        sampled = run.study.outputs["npv"][:, k]
        assert row["p_npv_positive"] == pytest.approx(np.mean(sampled > 0))
        assert row["npv_p50"] == pytest.approx(np.quantile(sampled, 0.5) / 1e8)
        assert row["npv_p10"] <= row["npv_p50"] <= row["npv_p90"]


def test_summary_prints_an_irr_only_for_a_unique_root(run: it.InvestmentRun) -> None:
    status = np.array(run.baseline["irr_status"])
    status[0, 1] = IrrStatus.MULTIPLE
    status[0, 2] = IrrStatus.NO_ROOT
    changed = dataclasses.replace(run, baseline=MappingProxyType(
        {**run.baseline, "irr_status": status}))
    rows = {r["case"]: r for r in it.case_summary(changed).records()}
    assert rows["standalone_refinery"]["irr_status"] == "unique"
    assert rows["standalone_refinery"]["irr"] == pytest.approx(run.baseline["irr"][0, 0])
    assert math.isnan(rows["integrated"]["irr"])
    assert rows["integrated"]["irr_status"].startswith("multiple roots")
    assert math.isnan(rows["green_power"]["irr"])
    assert rows["green_power"]["irr_status"].startswith("no root")


def test_irr_status_words_and_meaningful_irr_for_constructed_statuses() -> None:
    status = np.array([0, 1, 2, 0], dtype=float)
    assert it.irr_status_words(status) == (
        "unique", "no root: IRR undefined, use NPV",
        "multiple roots: IRR not meaningful, use NPV", "unique")
    shown = it.meaningful_irr([0.1, 0.2, 0.3, 0.4], status)
    np.testing.assert_array_equal(np.isnan(shown), [False, True, True, False])
    assert shown[3] == 0.4
    with pytest.raises(ValueError, match="not an IRR status"):
        it.irr_status_words([3])


def test_a_cash_flow_with_two_sign_changes_is_reported_as_multiple_roots() -> None:
    # -1, +5, -6: NPV = 0 at 100 % and 200 %, the roots of -1 + 5x - 6x^2 with x = 1/(1+r)
    rate, status = irr(np.array([[-1.0], [5.0], [-6.0]]))
    assert status[0] == IrrStatus.MULTIPLE
    assert it.irr_status_words(status) == ("multiple roots: IRR not meaningful, use NPV",)
    assert math.isnan(it.meaningful_irr(rate, status)[0])


@pytest.mark.parametrize("case", CASES)
def test_cash_flow_table_adds_up_and_discounts_to_the_model_npv(
        run: it.InvestmentRun, model_baseline: dict[str, np.ndarray], case: str) -> None:
    table = it.cash_flow_table(run, case)
    cols = {name: np.array(table.column(name), dtype=float) for name in table.columns}
    np.testing.assert_allclose(
        cols["cash_flow"], cols["ebitda"] - cols["tax"] - cols["working_capital"]
        + cols["salvage"] - cols["decommissioning"] - cols["capital"], atol=1e-9)
    np.testing.assert_allclose(cols["cumulative_cash_flow"], np.cumsum(cols["cash_flow"]),
                               atol=1e-9)
    np.testing.assert_allclose(cols["cumulative_npv"],
                               np.cumsum(cols["cash_flow"] * cols["discount_factor"]),
                               atol=1e-9)
    # the investor holds all of the supported recycling project at the shipped baseline
    npv = model_baseline["npv"][0, CASES.index(case)] / 1e8
    assert cols["cumulative_npv"][-1] == pytest.approx(npv, rel=1e-9)
    assert cols["year"][0] == 0 and np.all(np.diff(cols["year"]) == 1)
    assert table.units["production"] == it.PRODUCTION_UNITS[case]


def test_with_public_co_investment_the_summary_is_the_investors_share() -> None:
    shared = it.run_investment(override="co-investment", samples=20)
    project = it.cash_flow_table(shared, "recycling_supported").column("cumulative_npv")[-1]
    summary = {r["case"]: r for r in it.case_summary(shared).records()}
    assert summary["recycling_supported"]["npv"] == pytest.approx(0.7 * project, rel=1e-9)


def test_risk_thresholds_are_the_model_outputs_with_headroom(
        run: it.InvestmentRun, model_baseline: dict[str, np.ndarray]) -> None:
    rows = it.risk_thresholds(run).records()
    assert len(rows) == 8
    price = {r["variant"]: r for r in rows if r["threshold"] == "break-even cobalt price"}
    for v, variant in enumerate(("standalone_refinery", "integrated")):
        row = price[variant]
        assert row["threshold_value"] == pytest.approx(model_baseline["breakeven_price"][0, v])
        assert row["assumed"] == pytest.approx(208_000.0)  # 20.8 万元/t, report 1.1
        assert row["headroom"] == pytest.approx(row["assumed"] - row["threshold_value"])
    delay = [r for r in rows if r["threshold"] == "max commissioning delay"]
    assert all(r["headroom"] == r["threshold_value"] for r in delay)


def test_green_window_has_every_path_pair_and_its_positive_years(
        run: it.InvestmentRun, model_baseline: dict[str, np.ndarray]) -> None:
    table = it.green_window_table(run)
    assert len(table.rows) == 9
    window = model_baseline["green_npv_window"][0]
    for row in table.records():
        p, c = it.PATHS.index(row["power_path"]), it.PATHS.index(row["carbon_path"])
        values = np.array([row[str(y)] for y in it.START_YEARS])
        np.testing.assert_allclose(values, window[:, p, c] / 1e8, rtol=1e-12)
        positive = [y for y, v in zip(it.START_YEARS, values, strict=True) if v > 0]
        assert row["positive_years"] == it._year_ranges(positive)
    probability = it.green_probability_table(run)
    assert all(0.0 <= v <= 1.0 for row in probability.rows for v in row[2:])


def test_year_ranges_collapse_runs() -> None:
    assert it._year_ranges([2025, 2026, 2027, 2030, 2032, 2033]) == "2025-2027, 2030, 2032-2033"
    assert it._year_ranges([]) == "none"
    assert it._year_ranges([2031]) == "2031"


def test_rating_table_wacc_and_class_a_npv(run: it.InvestmentRun) -> None:
    rows = [r for r in it.rating_table(run).records() if r["case"] == "standalone_refinery"]
    assert [r["rating"] for r in rows] == ["a", "bbb", "bb", "ccc"]
    # real after-tax WACC: ((1 - 0.5) * 10 % + 0.5 * 5.8 % * (1 - 25 %)) / (1 + 1.5 %)
    expected = (1 + 0.5 * 0.10 + 0.5 * 0.058 * 0.75) / 1.015 - 1
    assert rows[-1]["real_wacc"] == pytest.approx(expected, rel=1e-12)
    # the scenario's debt rate is class A's (3.2 %), so class A's NPV is the baseline NPV
    assert rows[0]["npv"] == pytest.approx(run.baseline["npv"][0, 0] / 1e8, rel=1e-12)
    assert rows[0]["npv_change_vs_a"] == 0.0
    changes = [r["npv_change_vs_a"] for r in rows]
    assert changes == sorted(changes, reverse=True)  # dearer debt, lower NPV


def test_recycling_table_gain_and_public_cost(run: it.InvestmentRun) -> None:
    rows = {r["item"]: r for r in it.recycling_table(run).records()}
    gain = rows["NPV gain from support"]["baseline"]
    assert gain == pytest.approx(rows["investor NPV with support"]["baseline"]
                                 - rows["investor NPV without support"]["baseline"])
    cost = rows["public cost per t Co recovered"]["baseline"]
    assert cost == pytest.approx(float(run.baseline["recycling_public_cost"][0]))
    assert rows["public cost over the cobalt price"]["baseline"] == pytest.approx(cost / 208_000)


def test_tornado_leaves_out_the_inputs_of_other_cases(run: it.InvestmentRun) -> None:
    result = it.npv_tornado(run, "standalone_refinery")
    table = it.tornado_table(result, "standalone_refinery")
    factors = table.column("factor")
    assert factors and all(not f.startswith(("recycle.", "green.", "vi.")) for f in factors)
    assert all(s > 0 for s in table.column("swing"))
    assert len(factors) < len(result.bars)
    assert result.baseline == pytest.approx(run.baseline["npv"][0, 0])


def test_investment_tables_follow_the_case_selection(run: it.InvestmentRun) -> None:
    titles = [t.title for t in it.investment_tables(run, it.select_cases("recycling"))]
    assert not any(t.startswith(("6.1", "6.2")) for t in titles)
    assert "6.3 Recycling network: investor return and public cost" in titles
    assert "Cash flow: recycling_supported" in titles
    everything = [t.title for t in it.investment_tables(run)]
    assert sum(t.startswith("6.2") for t in everything) == 2


def test_selection_errors_name_the_option() -> None:
    with pytest.raises(OptionError, match="--case") as caught:
        it.select_cases("refinery")
    assert "standalone_refinery" in str(caught.value)
    with pytest.raises(OptionError, match="--cash-flow"):
        it.cash_flow_case("all")
    assert it.cash_flow_case("recycling") == "recycling_supported"


def test_charts_are_svg_and_named_as_announced(run: it.InvestmentRun) -> None:
    charts = it.investment_charts(run)
    assert tuple(charts) == it.chart_names(CASES)
    for svg in charts.values():
        assert ET.fromstring(svg).tag.endswith("svg")
    assert charts == it.investment_charts(run)  # deterministic bytes
    recycling = it.investment_charts(run, it.select_cases("recycling"))
    assert tuple(recycling) == ("npv", "cash_flow", "tornado")
