"""Stress tests of cobalt-intermediate supply: analytic oracles on the 2024 market's numbers.

China imported 12.4 万吨 of contained cobalt in intermediates in 2024 (seed report 1.2):
M = 124,000 / 12 = 10,333.3 t a month. With demand equal to imports and a normal cover of 28
days, the opening stock is I0 = 28 x M / 30.4375 = 9,505.8 t and the 15-day warning line is
5,092.4 t.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import date

import numpy as np
import pytest
from pydantic import BaseModel, ValidationError

from valueloop.core.errors import OutOfBoundsError, ShareGroupError
from valueloop.models.stress import (
    CASE_BUILDERS,
    CHINA_SHARE_OF_DRC_EXPORTS,
    DRC_QUOTA_ANNUAL_T,
    NO_MITIGATION,
    PERIOD_DAYS,
    PRICE_CAP,
    WARNING_DAYS,
    ComplianceRejection,
    ExportBan,
    ExportQuota,
    Market,
    MassBalanceError,
    Mitigation,
    PortStrike,
    Ramp,
    Reroute,
    StrategicStock,
    StressCase,
    StressResult,
    case_flows,
    catalogue,
    check_mass_balance,
    drc_2025_actual,
    market_2024,
    mass_balance_residual,
    mitigation_catalogue,
    month_position,
    price_multiplier,
    simulate,
)

M = 124_000.0 / 12  # t Co a month
I0 = 28.0 * M / PERIOD_DAYS  # opening stock at 28 days of demand
TWO_MONTHS = 2.0 * PERIOD_DAYS  # a transit of exactly two periods, in days


def simple_market(drc: float | np.ndarray = 0.85, *, transit: float | np.ndarray = 60.0,
                  recycled: float = 0.0) -> Market:
    """Imports M a month, demand equal to supply, no recycling unless asked: the oracles' market."""
    rest = 1.0 - np.asarray(drc)
    return Market(imports=M, shares={"drc": drc, "indonesia": rest * 2 / 3, "other": rest / 3},
                  transit_days={"drc": transit, "indonesia": 10.0, "other": 35.0},
                  recycled=recycled, demand=M + recycled, normal_days=28.0)


def case(*disruptions: object, mitigation: Mitigation = NO_MITIGATION) -> StressCase:
    return StressCase(name="test", disruptions=disruptions, mitigation=mitigation)


def run(market: Market, *cases: StressCase, horizon: int = 36) -> StressResult:
    result = simulate(market, cases, horizon=horizon)
    check_mass_balance(result)
    return result


# --------------------------------------------------------------------------------------------
# Steady state and closed forms
# --------------------------------------------------------------------------------------------

def test_no_disruption_keeps_the_stock_constant() -> None:
    rng = np.random.default_rng(3)
    drc = rng.uniform(0.85, 0.95, 500)
    market = market_2024(shares={"drc": drc, "indonesia": (1 - drc) / 2, "other": (1 - drc) / 2},
                         imports=rng.uniform(9_000, 11_000, 500))
    mitigated = case(mitigation=mitigation_catalogue()["combined"])
    result = run(market, case(), mitigated)
    expected = np.broadcast_to(result.opening_stock[:, :, None], result.closing.shape)
    np.testing.assert_allclose(result.closing, expected, rtol=1e-12)
    np.testing.assert_allclose(result.inventory_days, 28.0, rtol=1e-12)
    assert result.cumulative_shortfall().max() < 1e-6
    assert (result.time_to_recovery() == 0).all()
    np.testing.assert_allclose(result.price_multiplier(), 1.0, rtol=1e-9)
    assert result.strategic_release.max() == 0.0


@pytest.mark.parametrize(("share", "months"), [(0.85, 1.0), (0.85, 2.0), (0.85, 6.0),
                                               (0.95, 3.5), (0.9, 0.75)])
def test_full_ban_shortfall_has_a_closed_form(share: float, months: float) -> None:
    # Demand equals imports and nothing rebuilds the stock, so what is lost beyond I0 is unmet.
    result = run(simple_market(share), case(ExportBan(origin="drc", start=2.0, duration=months)))
    expected = max(0.0, share * M * months - I0)
    assert result.cumulative_shortfall()[0, 0] == pytest.approx(expected, rel=1e-9, abs=1e-6)


def test_full_ban_closed_form_holds_for_every_sample() -> None:
    rng = np.random.default_rng(7)
    n = 1_000
    share = rng.uniform(0.85, 0.95, n)
    months = rng.uniform(0.2, 8.0, n)
    transit = rng.uniform(30.0, 75.0, n)
    ban = ExportBan(origin="drc", start=rng.uniform(0.0, 4.0, n), duration=months)
    result = run(simple_market(share, transit=transit), case(ban))
    expected = np.maximum(0.0, share * M * months - I0)
    np.testing.assert_allclose(result.cumulative_shortfall()[:, 0], expected, rtol=1e-9,
                               atol=1e-6)


def test_worked_example_of_a_two_month_ban() -> None:
    # 0.85 x 10,333.3 x 2 = 17,566.7 t lost; minus I0 = 9,505.8 t leaves 8,060.8 t unmet.
    result = run(simple_market(), case(ExportBan(origin="drc", start=2.0, duration=2.0)))
    assert result.cumulative_shortfall()[0, 0] == pytest.approx(8_060.8, abs=0.1)
    assert result.minimum_days()[0, 0] == 0.0
    assert result.time_to_recovery()[0, 0] == math.inf  # supply only matches demand afterwards


def test_strategic_stock_reduces_shortfall_by_exactly_what_it_releases() -> None:
    ban = ExportBan(origin="drc", start=2.0, duration=6.0)
    reserve = 15_000.0
    released_fast = Mitigation(strategic_stock=StrategicStock(reserve=reserve))
    released_slowly = Mitigation(strategic_stock=StrategicStock(reserve=reserve,
                                                                max_release=3_000.0))
    result = run(simple_market(), case(ban), case(ban, mitigation=released_fast),
                 case(ban, mitigation=released_slowly))
    without = 0.85 * M * 6.0 - I0  # 43,194 t: the reserve is binding
    shortfall = result.cumulative_shortfall()[0]
    assert shortfall[0] == pytest.approx(without, rel=1e-9)
    np.testing.assert_allclose(result.strategic_release[0, 1:].sum(axis=-1), reserve,
                               rtol=1e-12)
    np.testing.assert_allclose(shortfall[1:], without - reserve, rtol=1e-9)
    assert result.strategic_release[0, 2].max() == pytest.approx(3_000.0)


def test_strategic_stock_holds_the_warning_line_while_it_lasts() -> None:
    strike = PortStrike(origin="drc", start=3.0, duration=1.0, share=0.6, catch_up=0.3)
    stock = Mitigation(strategic_stock=StrategicStock(reserve=50_000.0))
    result = run(market_2024(), case(strike), case(strike, mitigation=stock))
    assert result.minimum_days()[0, 0] < WARNING_DAYS  # the report's 2024 dip below 15 days
    assert result.minimum_days()[0, 1] == pytest.approx(WARNING_DAYS, rel=1e-12)
    assert result.periods_below()[0, 1] == 0
    assert result.strategic_release[0, 1].sum() < 50_000.0


def test_port_strike_loses_nothing_but_dips_the_stock() -> None:
    share, port, catch_up = 0.85, 0.6, 0.5
    strike = PortStrike(origin="drc", start=3.0, duration=1.0, share=port, catch_up=catch_up)
    result = run(simple_market(share, transit=TWO_MONTHS), case(), case(strike))
    held = port * share * M  # 5,270 t held in period 3, released 0.3 x 8,783 t in 4 and in 5
    np.testing.assert_allclose(result.arrivals[0, 1].sum(), result.arrivals[0, 0].sum(),
                               rtol=1e-12)
    closing = result.closing[0, 1]
    assert closing.min() == pytest.approx(I0 - held, rel=1e-12)
    assert int(np.argmin(closing)) == 5  # period 3 plus two periods in transit
    assert closing[6] == pytest.approx(I0 - held / 2, rel=1e-12)
    np.testing.assert_allclose(closing[7:], I0, rtol=1e-12)
    assert result.cumulative_shortfall()[0, 1] == pytest.approx(0.0, abs=1e-6)


def test_reroute_delays_arrivals_by_whole_periods() -> None:
    market = simple_market(transit=TWO_MONTHS)
    reroute = Reroute(origin="drc", start=3.0, duration=1.0, extra_days=TWO_MONTHS)
    arrivals = case_flows(market, case(reroute), 12).arrivals["drc"][0]
    normal = 0.85 * M
    expected = np.full(12, normal)
    expected[5] = 0.0  # left in period 3, due in 5, arrives in 7
    expected[7] = 2 * normal
    np.testing.assert_allclose(arrivals, expected, rtol=1e-12)


def test_reroute_by_a_fraction_of_a_period_splits_arrivals_exactly() -> None:
    market = simple_market(transit=TWO_MONTHS)
    extra = 15.0  # days: half a month, rounded on neither side
    reroute = Reroute(origin="drc", start=3.0, duration=1.0, extra_days=extra, share=0.5)
    arrivals = case_flows(market, case(reroute), 12).arrivals["drc"][0]
    normal, late = 0.85 * M, extra / PERIOD_DAYS
    expected = np.full(12, normal)
    expected[5] = normal * (0.5 + 0.5 * (1 - late))
    expected[6] = normal * (1 + 0.5 * late)
    np.testing.assert_allclose(arrivals, expected, rtol=1e-12)


def test_quota_caps_shipments_at_a_twelfth_of_the_annual_quota() -> None:
    market = simple_market()
    to_china = ExportQuota(origin="drc", start=0.0, duration=12.0, quota=DRC_QUOTA_ANNUAL_T)
    shared = ExportQuota(origin="drc", start=0.0, duration=12.0, quota=DRC_QUOTA_ANNUAL_T,
                         share_to_china=CHINA_SHARE_OF_DRC_EXPORTS)
    for quota, cap in ((to_china, 8_050.0), (shared, 96_600 * CHINA_SHARE_OF_DRC_EXPORTS / 12)):
        shipped = case_flows(market, case(quota), 18).departures["drc"][0]
        np.testing.assert_allclose(shipped[:12], cap, rtol=1e-12)
        np.testing.assert_allclose(shipped[12:], 0.85 * M, rtol=1e-12)  # 8,783 t a month


def test_quotas_in_force_together_add_up() -> None:
    # The 2025 allowance carried over into the first quarter of 2026 adds to the 2026 quota.
    share = CHINA_SHARE_OF_DRC_EXPORTS
    quotas = (ExportQuota(origin="drc", start=12.0, duration=3.0, quota=18_125.0,
                          share_to_china=share),
              ExportQuota(origin="drc", start=12.0, duration=12.0, quota=96_600.0,
                          share_to_china=share))
    shipped = case_flows(simple_market(), case(*quotas), 24).departures["drc"][0]
    np.testing.assert_allclose(shipped[12:15], (18_125 / 3 + 96_600 / 12) * share, rtol=1e-12)
    np.testing.assert_allclose(shipped[15:24], 96_600 / 12 * share, rtol=1e-12)
    np.testing.assert_allclose(shipped[:12], 0.85 * M, rtol=1e-12)


def test_quota_above_normal_shipments_changes_nothing() -> None:
    generous = ExportQuota(origin="drc", start=0.0, duration=12.0, quota=200_000.0)
    result = run(simple_market(), case(generous))
    np.testing.assert_allclose(result.inventory_days, 28.0, rtol=1e-12)


def test_compliance_rejection_returns_or_loses_the_rejected_share() -> None:
    market = simple_market(transit=TWO_MONTHS)
    returned = ComplianceRejection(origin="drc", start=3.0, duration=2.0, share=0.35, delay=2.0)
    lost = ComplianceRejection(origin="drc", start=3.0, duration=2.0, share=0.35)
    result = run(market, case(), case(returned), case(lost))
    total = result.arrivals[0].sum(axis=-1)
    assert total[1] == pytest.approx(total[0], rel=1e-12)
    assert total[0] - total[2] == pytest.approx(0.35 * 0.85 * M * 2, rel=1e-9)
    assert result.closing[0, 1].min() == pytest.approx(I0 - 0.35 * 0.85 * M * 2, rel=1e-12)


# --------------------------------------------------------------------------------------------
# Recovery, price, invariants
# --------------------------------------------------------------------------------------------

def test_time_to_recovery_on_a_hand_computed_case() -> None:
    # No transit, a one-month full ban in period 2, 2,000 t/month of extra recycling from then on.
    # Closing stock:  period 2: I0 - 0.85 M + 2,000 = 2,722.5 t (8.0 days)
    #                 period 3: 4,722.5 t (13.9 days), period 4: 6,722.5 t (19.8 days)
    #                 period 5: 8,722.5 t (25.7 days), period 6: I0 (28 days, the top-up stops)
    market = simple_market(transit=0.0)
    recycling = Mitigation(extra_recycled=Ramp(rate=2_000.0))
    result = run(market, case(ExportBan(origin="drc", start=2.0, duration=1.0),
                              mitigation=recycling), horizon=12)
    closing = result.closing[0, 0]
    step = I0 - 0.85 * M + 2_000.0
    np.testing.assert_allclose(closing[2:6], step + 2_000.0 * np.arange(4), rtol=1e-12)
    np.testing.assert_allclose(closing[6:], I0, rtol=1e-12)
    assert result.periods_below()[0, 0] == 2
    assert result.time_to_recovery()[0, 0] == 2.0  # back above 15 days in period 4
    assert result.time_to_recovery(days=28.0)[0, 0] == 4.0  # back at the pre-event level in 6
    assert result.minimum_days()[0, 0] == pytest.approx(step / (M / PERIOD_DAYS))


def test_ramped_mitigation_starts_after_its_lag() -> None:
    market = simple_market(transit=0.0)
    ramp = Ramp(rate=1_200.0, lag=2.0, ramp=3.0)
    flows = case_flows(market, case(ExportBan(origin="drc", start=1.0, duration=1.0),
                                    mitigation=Mitigation(alternative_origin=ramp)), 9)
    # Starts at period 3; the period means of a linear ramp over [3, 6) are 1/6, 1/2, 5/6.
    expected = 1_200.0 * np.array([0, 0, 0, 1 / 6, 1 / 2, 5 / 6, 1, 1, 1])
    np.testing.assert_allclose(flows.alternative_capacity[0], expected, rtol=1e-12, atol=1e-9)


def test_price_response_is_calibrated_to_the_2024_swing() -> None:
    days = np.array([28.0, WARNING_DAYS, 0.0, 1_000.0])
    multiplier = price_multiplier(days, 28.0)
    np.testing.assert_allclose(multiplier, [1.0, 1.22, PRICE_CAP, 1 / PRICE_CAP], rtol=1e-12)
    assert price_multiplier(np.array([14.0]), 28.0, elasticity=1.0)[0] == pytest.approx(2.0)
    with pytest.raises(OutOfBoundsError):
        price_multiplier(days, 28.0, elasticity=0.0)


def random_cases(rng: np.random.Generator, n: int) -> list[StressCase]:
    """Every kind of disruption and mitigation, with sampled parameters."""
    def u(low: float, high: float) -> np.ndarray:
        return rng.uniform(low, high, n)

    mitigation = Mitigation(
        extra_recycled=Ramp(rate=u(0, 2_000), lag=u(0, 4), ramp=u(0, 6)),
        alternative_origin=Ramp(rate=u(0, 3_000), lag=u(0, 8), ramp=u(0, 12)),
        strategic_stock=StrategicStock(reserve=u(0, 30_000), max_release=u(500, 5_000)))
    disruptions = (
        ExportBan(origin="drc", start=u(0, 10), duration=u(0.1, 12), severity=u(0, 1)),
        ExportQuota(origin="drc", start=u(0, 20), duration=u(1, 15), quota=u(0, 120_000),
                    share_to_china=u(0.3, 1)),
        PortStrike(origin="drc", start=u(0, 10), duration=u(0.1, 3), share=u(0, 1),
                   catch_up=u(0.05, 1)),
        Reroute(origin="indonesia", start=u(0, 10), duration=u(0.1, 3), share=u(0, 1),
                extra_days=u(0, 45)),
        ComplianceRejection(origin="other", start=u(0, 10), duration=u(0.1, 6), share=u(0, 1),
                            delay=u(0, 4)),
        ComplianceRejection(origin="drc", start=u(0, 10), duration=u(0.1, 6), share=u(0, 1)),
    )
    return [case(*disruptions[:i], mitigation=mitigation if i % 2 else NO_MITIGATION)
            for i in range(len(disruptions) + 1)]


def random_market(rng: np.random.Generator, n: int) -> Market:
    shares = rng.dirichlet([17.0, 2.0, 1.0], n)
    return Market(
        imports=rng.uniform(8_000, 12_000, n),
        shares=dict(zip(("drc", "indonesia", "other"), shares.T, strict=True)),
        transit_days={"drc": rng.uniform(20, 90, n), "indonesia": rng.uniform(5, 20, n),
                      "other": rng.uniform(10, 50, n)},
        recycled=rng.uniform(0, 3_000, (n, 24)),
        demand=rng.uniform(8_000, 16_000, (n, 24)),
        normal_days=rng.uniform(10, 45, n))


def test_mass_balance_holds_and_stocks_stay_non_negative_for_random_inputs() -> None:
    rng = np.random.default_rng(11)
    result = run(random_market(rng, 400), *random_cases(rng, 400), horizon=24)
    assert np.abs(mass_balance_residual(result)).max() < 1e-7
    assert result.closing.min() >= 0.0
    assert (result.consumption <= result.demand + 1e-9).all()
    # Consumption is min(demand, available): below demand only when the stock is emptied.
    short = result.shortfall > 1e-6
    np.testing.assert_allclose(result.closing[short], 0.0, atol=1e-6)
    assert short.any()


def test_check_mass_balance_catches_a_broken_balance() -> None:
    result = run(simple_market(), case())
    with pytest.raises(MassBalanceError, match="balance"):
        check_mass_balance(dataclasses.replace(result, closing=result.closing + 1.0))
    with pytest.raises(MassBalanceError, match="consumption exceeds demand"):
        more = result.consumption + 5.0
        check_mass_balance(dataclasses.replace(result, consumption=more,
                                               closing=result.closing - 5.0 * np.arange(1, 37)))


def test_stock_never_negative_when_every_origin_stops() -> None:
    bans = [ExportBan(origin=o, start=0.0, duration=math.inf) for o in ("drc", "indonesia",
                                                                         "other")]
    instant = {"drc": 0.0, "indonesia": 0.0, "other": 0.0}
    market = dataclasses.replace(simple_market(), transit_days=instant)
    result = run(market, case(*bans), horizon=6)
    assert result.closing.min() == 0.0
    np.testing.assert_allclose(result.consumption[0, 0, 0], I0)  # the stock, then nothing
    np.testing.assert_allclose(result.consumption[0, 0, 1:], 0.0)


def test_vectorised_results_equal_per_sample_runs() -> None:
    rng = np.random.default_rng(5)
    n = 12
    market, cases = random_market(rng, n), random_cases(rng, n)
    joint = simulate(market, cases, horizon=24)

    def sample(value: object, i: int) -> object:
        if isinstance(value, np.ndarray) and value.ndim >= 1 and value.shape[0] == n:
            return value[i:i + 1]
        if isinstance(value, dict):
            return {key: sample(item, i) for key, item in value.items()}
        if isinstance(value, tuple):
            return tuple(sample(item, i) for item in value)
        if isinstance(value, BaseModel):
            return type(value).model_validate(
                {name: sample(getattr(value, name), i) for name in type(value).model_fields})
        return value

    for i in range(n):
        market_i = Market(**{f.name: sample(getattr(market, f.name), i)
                             for f in dataclasses.fields(market)})
        alone = simulate(market_i, [sample(c, i) for c in cases], horizon=24)
        for name in ("closing", "consumption", "arrivals", "recycled", "strategic_release"):
            np.testing.assert_allclose(getattr(alone, name)[0], getattr(joint, name)[i],
                                       rtol=1e-12, atol=1e-9, err_msg=name)
        np.testing.assert_array_equal(alone.time_to_recovery()[0], joint.time_to_recovery()[i])


# --------------------------------------------------------------------------------------------
# Catalogue, the 2025 DRC measures, validation
# --------------------------------------------------------------------------------------------

def test_catalogue_has_the_named_cases() -> None:
    cases = catalogue()
    assert list(cases) == ["drc-export-ban", "drc-export-quota", "durban-port-strike",
                           "durban-reroute", "compliance-rejection", "drc-2025-actual"]
    assert list(cases) == list(CASE_BUILDERS)
    assert all(c.name == name and c.source for name, c in cases.items())
    result = run(market_2024(), *cases.values())
    assert result.closing.shape == (1, 6, 36)
    summary = result.summary()
    assert set(summary) >= {"inventory_days", "cumulative_shortfall", "time_to_recovery",
                            "peak_price_multiplier", "periods_below_warning", "minimum_days"}
    # The strike reproduces the report's 2024 dip just below the line, with no shortfall.
    strike = list(cases).index("durban-port-strike")
    assert 13.0 < summary["minimum_days"][0, strike] < WARNING_DAYS
    assert summary["cumulative_shortfall"][0, strike] == pytest.approx(0.0, abs=1e-6)


def test_catalogue_takes_sampled_parameters() -> None:
    severity = np.array([0.25, 0.5, 1.0])
    cases = catalogue(parameters={"drc-export-ban": {"severity": severity, "duration": 4.0}})
    result = run(simple_market(), cases["drc-export-ban"])
    np.testing.assert_allclose(result.cumulative_shortfall()[:, 0],
                               np.maximum(0.0, severity * 0.85 * M * 4 - I0), rtol=1e-9)
    with pytest.raises(OutOfBoundsError):
        catalogue(parameters={"suez": {}})


def test_month_positions_of_the_2025_measures() -> None:
    month0 = date(2025, 1, 1)
    assert month_position(date(2025, 2, 22), month0) == pytest.approx(1 + 21 / 28)
    assert month_position(date(2025, 10, 16), month0) == pytest.approx(9 + 15 / 31)
    assert month_position(date(2026, 1, 1), month0) == 12.0
    ban, *quotas = drc_2025_actual(month0=month0).disruptions
    assert isinstance(ban, ExportBan)
    assert ban.start + ban.duration == pytest.approx(9 + 15 / 31)
    assert [q.quota for q in quotas] == [18_125.0, 96_600.0, 96_600.0]
    assert quotas[1].start == 12.0 and quotas[1].duration == 12.0


def test_drc_2025_actual_gives_a_deficit_that_mitigations_reduce() -> None:
    actual = drc_2025_actual(month0=date(2025, 1, 1))
    market = market_2024()
    shipped = case_flows(market, actual, 36).departures["drc"][0]
    assert shipped[2:9].max() == 0.0  # March to September 2025: suspended
    np.testing.assert_allclose(shipped[12:36], DRC_QUOTA_ANNUAL_T * CHINA_SHARE_OF_DRC_EXPORTS
                               / 12, rtol=1e-12)
    packages = mitigation_catalogue()
    result = run(market, *(actual.with_mitigation(m, label) for label, m in packages.items()))
    shortfall = dict(zip(packages, result.cumulative_shortfall()[0], strict=True))
    assert shortfall["none"] > 100_000.0  # t over 2025-2027
    for lever in ("recycling", "diversification", "strategic-stock"):
        assert shortfall[lever] < shortfall["none"]
    assert shortfall["combined"] < min(shortfall[lever] for lever in
                                       ("recycling", "diversification", "strategic-stock"))
    # The strategic stock cannot do better than its whole reserve.
    assert shortfall["none"] - shortfall["strategic-stock"] == pytest.approx(15_000.0)


@pytest.mark.parametrize("build", [
    lambda: ExportBan(origin="drc", severity=1.5),
    lambda: ExportBan(origin="drc", duration=0.0),
    lambda: ExportBan(origin="drc", start=-1.0),
    lambda: ExportBan(origin="drc", severity=np.ones((2, 2))),
    lambda: ExportBan(origin="drc", severity=[0.5, float("nan")]),
    lambda: ExportBan(origin="congo"),
    lambda: ExportQuota(origin="drc", quota=1_000.0, duration=math.inf),
    lambda: ComplianceRejection(origin="drc", share=0.2, delay=-1.0),
    lambda: StressCase(name="Bad Name"),
    lambda: Ramp(rate=-1.0),
])
def test_definitions_reject_bad_values(build: object) -> None:
    with pytest.raises(ValidationError):
        build()  # type: ignore[operator]


def test_market_rejects_bad_shares_and_mismatched_samples() -> None:
    with pytest.raises(OutOfBoundsError):
        simple_market(drc=1.2)  # the other shares would be negative
    with pytest.raises(ShareGroupError, match=r"sum to 1\.1"):
        Market(imports=M, shares={"drc": 0.9, "indonesia": 0.2, "other": 0.0},
               transit_days={"drc": 60.0, "indonesia": 10.0, "other": 35.0}, recycled=0.0,
               demand=M, normal_days=28.0)
    with pytest.raises(ShareGroupError):
        Market(imports=M, shares={"drc": 1.0}, transit_days={"drc": 1.0}, recycled=0.0,
               demand=M, normal_days=28.0)
    with pytest.raises(ValueError, match="sample counts"):
        simulate(simple_market(np.full(3, 0.9)),
                 [case(ExportBan(origin="drc", severity=np.full(4, 0.5)))])
