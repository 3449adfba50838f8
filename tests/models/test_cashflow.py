"""Cash-flow table: analytic oracles (annuity, polynomial roots), hand-computed tax and debt."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from valueloop.core.errors import OutOfBoundsError, ShareGroupError, UserInputError
from valueloop.models.cashflow import (
    CN_INCOME_TAX_RATE,
    CN_LOSS_CARRY_FORWARD_YEARS,
    CashFlowTable,
    PathShapeError,
    ProjectSchedule,
    build_cash_flow_table,
    delay_npv,
    delay_threshold,
    project_cash_flow,
    project_inputs,
    project_metrics,
    replace_inputs,
    solve_for_zero,
    tax_with_loss_carry_forward,
    working_capital_share_from_days,
)
from valueloop.models.finance import IrrStatus, annuity_npv, npv

# Report 2.1: a 10 kt/yr cobalt hydroxide plant, 4.2 亿元 capital, 10-year straight line.
CAPEX = 4.2e8
LIFE = 10


def level_project(n: int, seed: int, **extra: object) -> tuple[ProjectSchedule, CashFlowTable]:
    """Capital at year 0, then a level net inflow for ``LIFE`` years, per sample."""
    rng = np.random.default_rng(seed)
    schedule = ProjectSchedule(construction=(1.0,), operating_years=LIFE,
                               depreciation_years=LIFE)
    values = {"capital": CAPEX, "capacity": 1.0e4, "price": rng.uniform(1.6e5, 2.2e5, n)[:, None],
              "variable_cost": 1.5e5, "fixed_cost": 2.0e7, "tax_rate": 0.0,
              "discount_rate": rng.uniform(0.0, 0.15, n)}
    values.update(extra)
    return schedule, build_cash_flow_table(project_inputs(schedule, **values), schedule)


def test_level_annuity_project_npv_equals_annuity_npv() -> None:
    _, table = level_project(400, seed=1)
    rate = table.discount_rate
    annual = table.net_cash_flow[1]
    assert_allclose(table.net_cash_flow[1:], np.broadcast_to(annual, (LIFE, 400)))
    assert_allclose(table.npv(), annuity_npv(CAPEX, annual, rate, LIFE), rtol=1e-10,
                    atol=1e-3)


def test_zero_tax_no_working_capital_no_debt_is_the_plain_npv() -> None:
    rng = np.random.default_rng(2)
    n, years = 300, 12
    schedule = ProjectSchedule(construction=(0.3, 0.7), operating_years=years,
                               ramp_up=(0.5, 0.8), depreciation="declining_balance",
                               depreciation_years=8)
    price = rng.uniform(1.5e5, 2.5e5, (n, years))  # a path per sample
    utilisation = rng.uniform(0.5, 1.0, n)
    variable = rng.uniform(1.2e5, 1.6e5, n)
    capital = rng.uniform(3e8, 5e8, n)
    rate = rng.uniform(0.02, 0.12, n)
    inputs = project_inputs(schedule, capital=capital, capacity=1e4,
                            utilisation=utilisation[:, None], price=price,
                            variable_cost=variable[:, None], fixed_cost=1.4e7, tax_rate=0.0,
                            discount_rate=rate)
    table = build_cash_flow_table(inputs, schedule)
    output = 1e4 * utilisation * np.r_[0.5, 0.8, np.ones(years - 2)][:, None]
    by_hand = np.vstack([-0.3 * capital, -0.7 * capital,
                         output * (price.T - variable) - 1.4e7])
    assert_allclose(table.net_cash_flow, by_hand, rtol=1e-12, atol=1e-4)
    assert_allclose(table.npv(), npv(by_hand, rate), rtol=1e-12)
    assert_array_equal(table.equity_cash_flow, table.net_cash_flow)
    assert_array_equal(project_cash_flow(inputs, schedule), table.net_cash_flow)


@pytest.mark.parametrize("method", ["straight_line", "declining_balance"])
@pytest.mark.parametrize("life", [1, 5, 10])
def test_depreciation_sums_to_the_depreciable_capital(method: str, life: int) -> None:
    schedule = ProjectSchedule(construction=(0.5, 0.5), operating_years=12, depreciation=method,
                               depreciation_years=life)
    capital = np.array([3e8, 4.2e8])
    inputs = project_inputs(schedule, capital=capital, capacity=1.0, price=1.0,
                            book_residual_share=0.05, discount_rate=0.08)
    table = build_cash_flow_table(inputs, schedule)
    assert_allclose(table.depreciation.sum(axis=0), 0.95 * capital, rtol=1e-12)
    assert_array_equal(table.depreciation[:2], 0.0)  # nothing before operation
    if method == "straight_line":
        assert_allclose(table.depreciation[2:2 + life],
                        np.broadcast_to(0.95 * capital / life, (life, 2)))


def test_double_declining_balance_switches_to_straight_line() -> None:
    schedule = ProjectSchedule(operating_years=5, depreciation="declining_balance",
                               depreciation_years=5)
    # 40 %, 24 %, 14.4 %; then straight line on the 21.6 % left (10.8 % > 40 % of 21.6 %)
    assert_allclose(schedule.depreciation_fractions(), [0.4, 0.24, 0.144, 0.108, 0.108])


def test_book_value_left_at_the_end_is_a_disposal_loss() -> None:
    schedule = ProjectSchedule(construction=(1.0,), operating_years=4, depreciation_years=10)
    inputs = project_inputs(schedule, capital=1000.0, capacity=1.0, price=500.0,
                            salvage_share=0.2, tax_rate=0.25, discount_rate=0.0)
    table = build_cash_flow_table(inputs, schedule)
    # 100 a year depreciated; 600 of book value left against a salvage of 200
    assert_allclose(table.taxable_income[1:], [[400.0], [400.0], [400.0], [400.0 - 400.0]])
    assert_allclose(table.net_cash_flow[:, 0], [-1000.0, 400.0, 400.0, 400.0, 700.0])


@pytest.mark.parametrize(("years", "expected"), [
    (0, [0.0, 0.0, 30.0, 40.0, 200.0]),
    (2, [0.0, 0.0, 0.0, 0.0, 200.0]),  # 70 of year 0's loss expires after year 2
    (5, [0.0, 0.0, 0.0, 0.0, 120.0]),
])
def test_losses_carried_forward_by_hand(years: int, expected: list[float]) -> None:
    income = np.array([-100.0, -50.0, 30.0, 40.0, 200.0])[:, None]
    taxable, tax = tax_with_loss_carry_forward(income, 0.25, years)
    assert_allclose(taxable[:, 0], expected)
    assert_allclose(tax[:, 0], 0.25 * np.asarray(expected))


def test_chinese_loss_expires_after_five_years() -> None:
    assert CN_LOSS_CARRY_FORWARD_YEARS == 5 and CN_INCOME_TAX_RATE == 0.25
    income = np.zeros((8, 2))
    income[0] = -100.0
    income[5, 0] = 100.0  # fifth year after the loss: still usable
    income[6, 1] = 100.0  # sixth year: expired
    taxable, _ = tax_with_loss_carry_forward(income, 0.25, CN_LOSS_CARRY_FORWARD_YEARS)
    assert_allclose(taxable.sum(axis=0), [0.0, 100.0])


def test_tax_in_the_table_by_hand() -> None:
    # capital 300 over 3 years straight line; revenue 50, 200, 300; loss of 50 used in year 2
    schedule = ProjectSchedule(construction=(1.0,), operating_years=3, depreciation_years=3)
    inputs = project_inputs(schedule, capital=300.0, capacity=1.0, price=[50.0, 200.0, 300.0],
                            tax_rate=0.25, discount_rate=0.1)
    table = build_cash_flow_table(inputs, schedule)
    assert_allclose(table.taxable_income[:, 0], [0.0, -50.0, 100.0, 200.0])
    assert_allclose(table.tax[:, 0], [0.0, 0.0, 12.5, 50.0])
    assert_allclose(table.net_cash_flow[:, 0], [-300.0, 50.0, 187.5, 250.0])


def test_irr_of_the_table_is_the_real_root_of_the_polynomial() -> None:
    _, table = level_project(6, seed=3, tax_rate=0.25, working_capital_share=0.12)
    rate, status = table.irr()
    assert_array_equal(status, IrrStatus.UNIQUE)
    for i in range(6):
        roots = np.roots(table.net_cash_flow[::-1, i])
        real = roots[(np.abs(roots.imag) < 1e-9) & (roots.real > 0.0)].real
        assert real.size == 1
        assert rate[i] == pytest.approx(1.0 / real[0] - 1.0, abs=1e-8)


def test_late_decommissioning_gives_two_irrs_reported_as_multiple() -> None:
    # -100, +230, -132: NPV = 0 at 10 % and at 20 %
    schedule = ProjectSchedule(construction=(1.0,), operating_years=2, depreciation_years=1)
    inputs = project_inputs(schedule, capital=100.0, capacity=1.0, price=[230.0, 0.0],
                            decommissioning_share=1.32, tax_rate=0.0, discount_rate=0.15)
    table = build_cash_flow_table(inputs, schedule)
    assert_allclose(table.net_cash_flow[:, 0], [-100.0, 230.0, -132.0])
    rate, status = table.irr()
    assert status[0] == IrrStatus.MULTIPLE
    assert rate[0] == pytest.approx(0.10, abs=1e-8)  # the lowest root, as documented
    assert table.npv()[0] > 0.0  # between the roots NPV is positive: decide on NPV
    assert table.payback()[0] == pytest.approx(100.0 / 230.0)  # first recovery counts


def test_working_capital_builds_up_and_is_recovered() -> None:
    schedule = ProjectSchedule(construction=(1.0,), operating_years=5, ramp_up=(0.5,))
    share = working_capital_share_from_days(73.0)
    assert share == pytest.approx(0.2)
    inputs = project_inputs(schedule, capital=100.0, capacity=10.0, price=[10, 10, 12, 12, 12],
                            working_capital_share=share, tax_rate=0.0, discount_rate=0.0)
    table = build_cash_flow_table(inputs, schedule)
    assert_allclose(table.working_capital_change[:, 0], [0.0, 10.0, 10.0, 4.0, 0.0, -24.0])
    assert table.working_capital_change.sum() == pytest.approx(0.0)


def test_annuity_loan_repays_the_drawdown_and_shields_interest() -> None:
    schedule = ProjectSchedule(construction=(0.4, 0.6), operating_years=10)
    inputs = project_inputs(schedule, capital=4.2e8, capacity=1e4, price=2.08e5,
                            variable_cost=1.67e5, fixed_cost=1.38e8, debt_share=0.5,
                            debt_rate=0.04, debt_tenor=8, tax_rate=0.25, discount_rate=0.07,
                            equity_discount_rate=0.1)
    table = build_cash_flow_table(inputs, schedule)
    assert_allclose(table.principal.sum(), 2.1e8, rtol=1e-12)
    service = (table.interest + table.principal)[2:10, 0]
    assert_allclose(service, service[0], rtol=1e-12)  # level annuity over the tenor
    assert_array_equal(table.principal[10:], 0.0)
    # interest during construction on 40 % drawn in year 0
    assert table.interest[1, 0] == pytest.approx(0.04 * 0.4 * 2.1e8)
    # interest during construction is a loss carried into the first operating year; every
    # loss is used, so over the life the shield is 25 % of all interest
    assert np.all(table.taxable_income[2:] > 0.0)
    shield = table.tax - table.equity_tax
    assert shield.sum() == pytest.approx(0.25 * table.interest.sum(), rel=1e-12)
    assert_allclose(shield[3:], 0.25 * table.interest[3:], rtol=1e-12)
    assert shield[2, 0] == pytest.approx(0.25 * table.interest[1:3].sum(), rel=1e-12)
    assert_allclose(table.equity_cash_flow - table.net_cash_flow,
                    table.debt_drawdown - table.interest - table.principal + shield, atol=1e-6)


def test_debt_at_its_own_rate_is_npv_neutral_without_tax() -> None:
    schedule = ProjectSchedule(construction=(0.5, 0.5), operating_years=15)
    inputs = project_inputs(schedule, capital=5e8, capacity=1e4, price=2.0e5,
                            variable_cost=1.6e5, debt_share=0.6, debt_rate=0.05,
                            debt_tenor=10, tax_rate=0.0, discount_rate=0.05)
    table = build_cash_flow_table(inputs, schedule)
    assert table.npv("equity")[0] == pytest.approx(table.npv("project")[0], rel=1e-10)


def test_a_rate_that_changes_re_prices_the_remaining_annuity() -> None:
    schedule = ProjectSchedule(construction=(1.0,), operating_years=4)
    path = np.array([0.05, 0.05, 0.05, 0.08, 0.08])
    inputs = project_inputs(schedule, capital=100.0, capacity=1.0, price=100.0, debt_share=1.0,
                            debt_rate=path, debt_tenor=4, tax_rate=0.0, discount_rate=0.05)
    table = build_cash_flow_table(inputs, schedule)
    assert table.principal.sum() == pytest.approx(100.0)
    # after two years at 5 % the balance is repaid over the last two at 8 %
    balance = 100.0 - table.principal[1:3].sum()
    payment = balance * 0.08 / (1.0 - 1.08 ** -2)
    assert_allclose((table.interest + table.principal)[3:, 0], payment, rtol=1e-12)


def test_delay_in_whole_years_equals_idle_construction_years() -> None:
    _, table = level_project(50, seed=5, tax_rate=0.25, working_capital_share=0.1,
                             salvage_share=0.05)
    inputs_extra = {"capital": CAPEX, "capacity": 1.0e4, "variable_cost": 1.5e5,
                    "fixed_cost": 2.0e7, "tax_rate": 0.25, "working_capital_share": 0.1,
                    "salvage_share": 0.05, "discount_rate": table.discount_rate}
    price = (table.revenue[1] / 1.0e4)[:, None]
    for delay in (1, 3):
        late = ProjectSchedule(construction=(1.0,) + (0.0,) * delay, operating_years=LIFE,
                               depreciation_years=LIFE)
        delayed = build_cash_flow_table(project_inputs(late, price=price, **inputs_extra), late)
        assert_allclose(delay_npv(table, delay), delayed.npv(), rtol=1e-9)


def test_delay_threshold_makes_npv_zero() -> None:
    _, table = level_project(200, seed=6, tax_rate=0.25)
    delay = delay_threshold(table)
    positive = table.npv() > 0.0
    assert np.all(delay[positive] > 0.0)
    finite = np.isfinite(delay)
    assert_allclose(delay_npv(table, delay)[finite], 0.0, atol=1e-6 * CAPEX)


def test_solve_for_zero_on_piecewise_linear_functions() -> None:
    kink = np.array([1.0, 2.0, 3.0, 4.0])

    def tax_like(x: np.ndarray) -> np.ndarray:  # slope 1, then 0.75 above the kink
        return np.minimum(x, kink) + 0.75 * np.maximum(x - kink, 0.0) - 2.5

    root = solve_for_zero(tax_like, np.zeros(4), np.full(4, 10.0), xtol=1e-12)
    assert_allclose(tax_like(root), 0.0, atol=1e-9)
    assert_allclose(root, [1.0 + 1.5 / 0.75, 2.0 + 0.5 / 0.75, 2.5, 2.5])
    flat = solve_for_zero(lambda x: x * 0.0 + 1.0, np.zeros(2), np.ones(2), xtol=1e-9)
    assert np.all(np.isnan(flat))  # no sign change: no root


def test_metrics_and_sample_table() -> None:
    _, table = level_project(3, seed=7, tax_rate=0.25)
    metrics = project_metrics(table)
    assert_allclose(metrics.npv, table.npv())
    assert_allclose(metrics.capital, CAPEX)
    assert_allclose(metrics.scaled(0.5).npv, 0.5 * table.npv())
    assert_allclose(metrics.scaled(0.5).irr, metrics.irr)
    readable = table.sample_table(1, first_year=2025, scale=1e8, unit="亿元")
    assert readable.columns[:3] == ("line", "2025", "2026")
    lines = [row[0] for row in readable.rows]
    assert lines[:3] == ["capital", "production", "revenue"]
    assert lines[-3:] == ["cumulative", "discounted", "cumulative_discounted"]
    assert readable.rows[0][1] == pytest.approx(4.2)


def test_replace_inputs_varies_one_input() -> None:
    schedule, _ = level_project(4, seed=8)
    inputs = project_inputs(schedule, capital=CAPEX, capacity=1e4, price=2e5,
                            discount_rate=0.08, tax_rate=0.0)
    dearer = replace_inputs(inputs, schedule, capital=2 * CAPEX)
    gap = build_cash_flow_table(inputs, schedule).npv() - build_cash_flow_table(
        dearer, schedule).npv()
    assert gap[0] == pytest.approx(CAPEX)


def test_bad_inputs_name_the_field_and_what_is_allowed() -> None:
    with pytest.raises(ShareGroupError, match=r"schedule\.construction"):
        ProjectSchedule(construction=(0.4, 0.4))
    with pytest.raises(OutOfBoundsError, match="ramp_up"):
        ProjectSchedule(operating_years=2, ramp_up=(0.5, 0.6, 0.7))
    schedule = ProjectSchedule(operating_years=3)
    with pytest.raises(PathShapeError, match="price: is a path of 2 years, the project has 3"):
        project_inputs(schedule, capital=1.0, capacity=1.0, price=[1.0, 2.0],
                       discount_rate=0.1)
    with pytest.raises(OutOfBoundsError, match=r"debt_tenor.*allowed: 1 \.\. 3"):
        project_inputs(schedule, capital=1.0, capacity=1.0, price=1.0, discount_rate=0.1,
                       debt_share=0.5, debt_tenor=5)
    with pytest.raises(OutOfBoundsError, match="capital: has -1"):
        project_inputs(schedule, capital=-1.0, capacity=1.0, price=1.0, discount_rate=0.1)
    with pytest.raises(OutOfBoundsError, match="discount_rate: is missing"):
        project_inputs(schedule, capital=1.0, capacity=1.0, price=1.0)
    with pytest.raises(UserInputError, match="unknown project input"):
        project_inputs(schedule, capital=1.0, capacity=1.0, price=1.0, discount_rate=0.1,
                       royalty=0.1)
