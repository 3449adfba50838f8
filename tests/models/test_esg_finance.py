"""ESG rating classes (report 3.3), sustainability-linked margins, WACC and the NPV of a rating."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from valueloop.core.errors import OutOfBoundsError
from valueloop.core.scenario import load_scenario
from valueloop.models.cashflow import ProjectSchedule, build_cash_flow_table, project_inputs
from valueloop.models.esg_finance import (
    BASIS_POINT,
    GEM_SLB_2024,
    RATING_CLASSES,
    RATING_IDS,
    FinancingTerms,
    equity_npv_by_rating,
    loan_spread,
    margin_adjustment,
    project_npv_by_rating,
    rating_class,
    rating_npv_effect,
    rating_table,
    real_rate,
    real_wacc_by_rating,
    slb_rate_path,
    wacc,
)
from valueloop.models.finance import npv


def test_rating_classes_are_the_report_table() -> None:
    assert RATING_IDS == ("a", "bbb", "bb", "ccc")
    assert [c.loan_rate for c in RATING_CLASSES] == [0.032, 0.041, 0.049, 0.058]
    assert [c.bond_rate for c in RATING_CLASSES] == [0.0295, 0.038, 0.043, 0.047]
    assert all(c.source.document == "seed-004" and c.source.section == "3.3, table"
               for c in RATING_CLASSES)
    # report 3.3: "利差达260个基点"
    assert loan_spread("ccc") / BASIS_POINT == pytest.approx(260.0)
    table = rating_table()
    assert table.column("loan_spread_bp") == [0.0, 90.0, 170.0, 260.0]
    with pytest.raises(OutOfBoundsError, match="allowed: a, bbb, bb, ccc"):
        rating_class("b")


def test_shipped_scenario_carries_the_same_class_rates() -> None:
    scenario = load_scenario("valueloop:cobalt-investment")
    for c in RATING_CLASSES:
        parameter = scenario.parameters[f"invest.finance.esg_loan_rate.{c.id}"]
        assert parameter.value == pytest.approx(c.loan_rate, rel=1e-12)
        assert parameter.source.document == "seed-004"


def test_margin_steps_by_kpi_test_with_a_lag() -> None:
    # carbon intensity tested every year against 5.0; met, missed, met, missed
    kpi = np.array([[4.8, 5.3, 4.9, 5.5, 5.5]])
    target = np.array([5.0, 5.0, 5.0, 5.0, 5.0])
    adjustment = margin_adjustment(kpi, target, step_up=0.003, step_down=0.002, lag=1)
    assert_allclose(adjustment, [[0.0, -0.002, 0.003, -0.002, 0.003]])
    same_year = margin_adjustment(kpi, target, step_up=0.003, step_down=0.002, lag=0)
    assert_allclose(same_year, [[-0.002, 0.003, -0.002, 0.003, 0.003]])


def test_untested_years_keep_the_last_outcome_and_kpis_add() -> None:
    # two KPIs: intensity (lower is better) tested in years 1 and 3; recycled share (higher is
    # better) tested in year 2 only. A missing report (NaN) counts as missed.
    kpi = np.array([[[6.0, 0.10], [4.0, 0.10], [4.0, 0.30], [np.nan, 0.30], [4.0, 0.30]],
                    [[6.0, 0.10], [6.0, 0.10], [6.0, 0.10], [4.0, 0.10], [4.0, 0.10]]])
    target = np.array([[np.nan, np.nan], [4.5, np.nan], [np.nan, 0.25], [4.5, np.nan],
                       [np.nan, np.nan]])
    adjustment = margin_adjustment(kpi, target, step_up=[0.003, 0.001],
                                   step_down=[0.002, 0.0005], lower_is_better=[True, False],
                                   lag=0)
    assert_allclose(adjustment, [
        [0.0, -0.002, -0.0025, 0.0025, 0.0025],  # NaN in year 3 is a miss
        [0.0, 0.003, 0.004, -0.001, -0.001],
    ])


def test_gem_sustainability_linked_bond() -> None:
    assert (GEM_SLB_2024.base_rate, GEM_SLB_2024.target, GEM_SLB_2024.test_year) == (
        0.031, 4.5, 2026)
    years = np.arange(2024, 2030)
    footprint = np.array([[5.8, 5.0, 4.4, 4.3, 4.3, 4.3],   # reaches 4.5 by 2026
                          [5.8, 5.6, 5.2, 4.4, 4.3, 4.3]])  # too late
    rate = slb_rate_path(GEM_SLB_2024, footprint, years)
    assert_allclose(rate[0], [0.031, 0.031, 0.031, 0.029, 0.029, 0.029])
    assert_allclose(rate[1], [0.031, 0.031, 0.031, 0.034, 0.034, 0.034])


def test_margin_inputs_are_checked() -> None:
    with pytest.raises(OutOfBoundsError, match="step_up/step_down"):
        margin_adjustment(np.ones((1, 2)), np.ones(2), step_up=-0.001, step_down=0.0)
    with pytest.raises(OutOfBoundsError, match="kpi/target"):
        margin_adjustment(np.ones((1, 3)), np.ones(2), step_up=0.001, step_down=0.001)


def test_wacc_and_fisher_by_hand() -> None:
    assert wacc(0.10, 0.032, 0.25, 0.5) == pytest.approx(0.5 * 0.10 + 0.5 * 0.032 * 0.75)
    assert real_rate(0.0605, 0.015) == pytest.approx(1.0605 / 1.015 - 1.0)
    assert_allclose(wacc(np.array([0.08, 0.12]), 0.05, 0.0, 0.0), [0.08, 0.12])
    with pytest.raises(OutOfBoundsError, match="debt_share"):
        wacc(0.1, 0.05, 0.25, 1.5)
    rates = real_wacc_by_rating(0.10, 0.25, 0.5, 0.015)
    assert rates.shape == (4,)
    assert np.all(np.diff(rates) > 0.0)


def _project(debt_share: float) -> tuple[ProjectSchedule, object]:
    schedule = ProjectSchedule(construction=(0.4, 0.6), operating_years=15,
                               ramp_up=(0.6, 0.85))
    terms = FinancingTerms(cost_of_equity=np.array([0.10]), debt_rate=np.array([0.032]),
                           debt_share=np.array([debt_share]), debt_tenor=np.array([8.0]),
                           inflation=np.array([0.015]), tax_rate=np.array([0.25]))
    inputs = project_inputs(schedule, capital=4.2e8, capacity=1e4, utilisation=0.7,
                            price=2.08e5, variable_cost=1.67e5, fixed_cost=1.38e8,
                            **terms.project_fields())
    return schedule, inputs


def test_project_npv_by_rating_moves_only_the_discount_rate() -> None:
    schedule, inputs = _project(0.5)
    table = build_cash_flow_table(inputs, schedule)
    by_class = project_npv_by_rating(table, 0.10, 0.25, 0.5, 0.015)
    assert by_class.shape == (1, 4)
    assert np.all(np.diff(by_class[0]) < 0.0)  # worse class, higher WACC, lower NPV
    a_rate = real_rate(wacc(0.10, 0.032, 0.25, 0.5), 0.015)
    assert by_class[0, 0] == pytest.approx(npv(table.net_cash_flow, a_rate)[0], rel=1e-12)
    assert by_class[0, 0] == pytest.approx(table.npv()[0], rel=1e-12)


def test_equity_npv_falls_with_the_class_and_not_without_debt() -> None:
    schedule, inputs = _project(0.5)
    by_class = equity_npv_by_rating(inputs, schedule, 0.015)
    assert np.all(np.diff(by_class[0]) < 0.0)
    effect = rating_npv_effect(inputs, schedule, 0.015, "a", "ccc")
    assert effect[0] == pytest.approx(by_class[0, 3] - by_class[0, 0])
    schedule, unlevered = _project(0.0)
    assert_array_equal(rating_npv_effect(unlevered, schedule, 0.015, "a", "ccc"), 0.0)
