"""Dynamic stock model of products in use: analytic oracles, mass balance, vectorisation."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

from valueloop.models.fleet import (
    NegativeInflowWarning,
    StockFlows,
    Survival,
    check_mass_balance,
    fixed_survival,
    inflow_driven,
    lognormal_from_mean_sd,
    lognormal_survival,
    normal_survival,
    stock_driven,
    weibull_scale_from_mean,
    weibull_survival,
)

TIMINGS = ("end", "middle", "start")
OFFSET = {"end": 0.0, "middle": 0.5, "start": 1.0}


def _random_survival(kind: str, n: int, n_ages: int, timing: str, seed: int = 0) -> Survival:
    """One of the four lifetime families with parameters drawn per sample."""
    rng = np.random.default_rng(seed)
    mean = rng.uniform(6.0, 14.0, n)
    if kind == "fixed":
        return fixed_survival(np.round(mean), n_ages, timing=timing)
    if kind == "normal":
        return normal_survival(mean, 0.3 * mean, n_ages, timing=timing)
    if kind == "lognormal":
        median, sigma = lognormal_from_mean_sd(mean, 0.4 * mean)
        return lognormal_survival(median, sigma, n_ages, timing=timing)
    shape = rng.uniform(1.5, 4.0, n)
    return weibull_survival(shape, weibull_scale_from_mean(mean, shape), n_ages, timing=timing)


KINDS = ("fixed", "normal", "lognormal", "weibull")


def _relative_imbalance(result: StockFlows) -> float:
    return check_mass_balance(result) / float(np.max(np.abs(result.stock)))


# --- survival curves against their closed forms ----------------------------------------------


@pytest.mark.parametrize("timing", TIMINGS)
def test_weibull_survival_is_its_closed_form(timing: str) -> None:
    shape = np.array([0.8, 1.0, 2.5, 4.0])
    scale = np.array([5.0, 9.0, 12.0, 20.0])
    survival = weibull_survival(shape, scale, 40, timing=timing)
    ages = np.arange(40.0) + OFFSET[timing]
    expected = np.exp(-((ages[None, :] / scale[:, None]) ** shape[:, None]))
    assert survival.sf.shape == (4, 40)
    assert_allclose(survival.sf, expected, rtol=0.0, atol=1e-12)
    assert survival.kind == "weibull"
    assert survival.timing == timing


@pytest.mark.parametrize("timing", TIMINGS)
def test_normal_and_lognormal_survival_equal_scipy(timing: str) -> None:
    ages = np.arange(50.0) + OFFSET[timing]
    mean, sd = np.array([8.0, 15.0]), np.array([2.0, 4.5])
    normal = normal_survival(mean, sd, 50, timing=timing)
    assert_allclose(normal.sf, stats.norm.sf(ages, loc=mean[:, None], scale=sd[:, None]),
                    rtol=1e-12, atol=1e-15)
    median, sigma = np.array([7.0, 12.0]), np.array([0.3, 0.6])
    lognormal = lognormal_survival(median, sigma, 50, timing=timing)
    assert_allclose(lognormal.sf,
                    stats.lognorm.sf(ages, s=sigma[:, None], scale=median[:, None]),
                    rtol=1e-12, atol=1e-15)


def test_fixed_survival_is_a_step_at_the_lifetime() -> None:
    survival = fixed_survival([3.0, 3.5, 0.0], 8, timing="end")
    assert_array_equal(survival.sf[0], [1, 1, 1, 0, 0, 0, 0, 0])
    assert_array_equal(survival.sf[1], [1, 1, 1, 1, 0, 0, 0, 0])  # ODYM: 3.5 y -> gone after 4
    assert_array_equal(survival.pdf[2], [1, 0, 0, 0, 0, 0, 0, 0])  # lifetime 0: same year


def test_lifetime_parameter_helpers() -> None:
    shape = np.array([1.2, 2.0, 3.5])
    scale = weibull_scale_from_mean(12.0, shape)
    assert_allclose(stats.weibull_min.mean(shape, scale=scale), 12.0, rtol=1e-12)
    median, sigma = lognormal_from_mean_sd(np.array([10.0, 15.0]), np.array([3.0, 9.0]))
    distribution = stats.lognorm(s=sigma, scale=median)
    assert_allclose(distribution.mean(), [10.0, 15.0], rtol=1e-12)
    assert_allclose(distribution.std(), [3.0, 9.0], rtol=1e-12)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("timing", TIMINGS)
def test_pdf_follows_the_convention(kind: str, timing: str) -> None:
    survival = _random_survival(kind, 5, 30, timing)
    assert_allclose(survival.pdf[:, 0], 1.0 - survival.sf[:, 0], rtol=0, atol=0)
    assert_allclose(survival.pdf[:, 1:], survival.sf[:, :-1] - survival.sf[:, 1:], rtol=0, atol=0)
    assert np.all(survival.pdf >= 0.0)
    if timing == "end" and kind != "normal":
        # inflow at the end of its year: nothing of cohort c leaves in year c
        assert np.all(survival.pdf[:, 0] == 0.0)


def test_tabulated_survival_must_not_increase() -> None:
    table = Survival.from_sf([[1.0, 0.8, 0.5, 0.0]], timing="end")
    assert_allclose(table.pdf, [[0.0, 0.2, 0.3, 0.5]])
    with pytest.raises(ValueError, match="increase"):
        Survival.from_sf([[1.0, 0.5, 0.6]], timing="end")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        Survival.from_sf([[1.2, 0.5]], timing="end")


# --- analytic oracles of the stock model -----------------------------------------------------


def test_constant_inflow_with_fixed_lifetime_returns_inflow_after_one_lifetime() -> None:
    """Under "end", cohort c leaves in year index c + L: outflow is 0 before index L, then I."""
    inflow, lifetime, years = 7.0, 8, 30
    result = inflow_driven(np.full((1, years), inflow), fixed_survival([lifetime], years,
                                                                      timing="end"))
    assert_array_equal(result.outflow[0, :lifetime], 0.0)
    assert_allclose(result.outflow[0, lifetime:], inflow, rtol=1e-15)
    assert_allclose(result.stock[0, : lifetime - 1], inflow * np.arange(1, lifetime), rtol=1e-15)
    assert_allclose(result.stock[0, lifetime - 1:], lifetime * inflow, rtol=1e-15)
    assert result.timing == "end"


def test_start_convention_retires_a_fixed_lifetime_one_year_earlier() -> None:
    result = inflow_driven(np.full((1, 20), 1.0), fixed_survival([5.0], 20, timing="start"))
    assert_array_equal(result.outflow[0, :4], 0.0)
    assert_allclose(result.outflow[0, 4:], 1.0)
    assert_allclose(result.stock[0, -1], 4.0)


@pytest.mark.parametrize("kind", ("normal", "lognormal", "weibull"))
def test_steady_stock_is_mean_lifetime_times_inflow_under_middle(kind: str) -> None:
    """Midpoint rule: sum_a S(a + 1/2) = mean lifetime; "end" counts half a year more.

    This is the timing convention made visible: the same lifetime and inflow give stocks half a
    year of inflow apart (12.5 against 12 here, 4 %).
    """
    mean, years = 12.0, 120
    stocks = {}
    for timing in ("middle", "end"):
        if kind == "normal":
            survival = normal_survival(mean, 0.3 * mean, years, timing=timing)
        elif kind == "lognormal":
            survival = lognormal_survival(*lognormal_from_mean_sd(mean, 0.3 * mean), years,
                                          timing=timing)
        else:
            survival = weibull_survival(3.5, weibull_scale_from_mean(mean, 3.5), years,
                                        timing=timing)
        result = inflow_driven(np.full((1, years), 1.0), survival)
        assert_allclose(result.outflow[0, -1], 1.0, rtol=1e-9)
        stocks[timing] = result.stock[0, -1]
    assert_allclose(stocks["middle"], mean, rtol=1e-4)
    assert_allclose(stocks["end"], mean + 0.5, rtol=1e-4)


def test_conventions_differ_and_are_recorded() -> None:
    """A growing fleet (15 %/yr) needs 1.4 % more final-year inflow under "middle" than "end"."""
    target = 100.0 * 1.15 ** np.arange(16)[None, :]
    results = {timing: stock_driven(target, normal_survival(12.0, 3.6, 16, timing=timing))
               for timing in TIMINGS}
    final = {timing: result.inflow[0, -1] for timing, result in results.items()}
    assert final["middle"] / final["end"] - 1.0 > 0.01
    assert final["start"] / final["middle"] - 1.0 > 0.01
    assert {timing: result.timing for timing, result in results.items()} == {
        timing: timing for timing in TIMINGS}


def test_cobalt_by_cohort_leaves_with_its_cohort() -> None:
    """Linearity: content per unit follows each cohort, so end-of-life cobalt lags by L."""
    years, lifetime = 20, 6
    units = np.linspace(10.0, 30.0, years)[None, :]
    co_per_unit = np.linspace(12.0, 4.0, years)[None, :]  # chemistries lose cobalt over time
    survival = fixed_survival([lifetime], years, timing="end")
    cobalt = inflow_driven(units * co_per_unit, survival).outflow
    assert_allclose(cobalt[0, lifetime:], (units * co_per_unit)[0, :-lifetime], rtol=1e-14)
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 5, (4, years)), rng.uniform(0, 5, (4, years))
    curve = _random_survival("weibull", 4, years, "middle")
    combined = inflow_driven(2.0 * x + 3.0 * y, curve)
    assert_allclose(combined.outflow,
                    2.0 * inflow_driven(x, curve).outflow + 3.0 * inflow_driven(y, curve).outflow,
                    rtol=1e-12)


# --- balances and signs ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("timing", TIMINGS)
def test_mass_balance_closes_and_nothing_goes_negative(kind: str, timing: str) -> None:
    rng = np.random.default_rng(11)
    inflow = rng.uniform(0.0, 100.0, (50, 25, 3))
    inflow[:, 5:8] = 0.0  # a gap in sales must not push anything below zero
    result = inflow_driven(inflow, _random_survival(kind, 50, 25, timing))
    assert result.stock.shape == result.outflow.shape == (50, 25, 3)
    assert _relative_imbalance(result) < 1e-12
    assert result.stock.min() >= 0.0
    assert result.outflow.min() >= 0.0


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("timing", ("end", "middle"))
def test_stock_driven_inverts_inflow_driven(kind: str, timing: str) -> None:
    rng = np.random.default_rng(5)
    inflow = rng.uniform(1.0, 100.0, (20, 18, 2))
    survival = _random_survival(kind, 20, 18, timing)
    forward = inflow_driven(inflow, survival)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NegativeInflowWarning)
        back = stock_driven(forward.stock, survival)
    assert_allclose(back.inflow, inflow, rtol=1e-9)
    assert_allclose(back.outflow, forward.outflow, rtol=1e-9, atol=1e-9)
    assert_allclose(back.stock, forward.stock, rtol=1e-12)
    assert not back.negative_inflow.any()
    assert _relative_imbalance(back) < 1e-12


def test_constant_stock_needs_replacement_only() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", NegativeInflowWarning)
        result = stock_driven(np.full((1, 20), 50.0), fixed_survival([5.0], 20, timing="end"))
    assert_allclose(result.inflow[0], [50.0 if t % 5 == 0 else 0.0 for t in range(20)])
    assert_allclose(result.stock, 50.0)


# --- negative inflow -------------------------------------------------------------------------

FALLING = np.linspace(100.0, 20.0, 6)[None, :]
# flodym 1.1 StockDrivenDSM, NormalLifetime(mean=15, std=4.5), inflow_at="end", same stock
FLODYM_END_INFLOW = [100.04292445, -15.95653837, -15.91469893, -15.84095714, -15.71843144,
                     -15.52695606]


def _falling_survival(timing: str = "end") -> Survival:
    return normal_survival(15.0, 4.5, 6, timing=timing)


def test_falling_stock_warns_about_negative_inflow() -> None:
    with pytest.warns(NegativeInflowWarning, match="5 of 6 sample-years"):
        result = stock_driven(FALLING, _falling_survival())
    assert_array_equal(result.negative_inflow[0], [False] + [True] * 5)
    assert_allclose(result.inflow[0], FLODYM_END_INFLOW, rtol=1e-8)
    assert_allclose(result.stock, FALLING, rtol=1e-12)  # uncorrected: follows the path
    assert result.correction == "none"


@pytest.mark.parametrize("option", (True, "retire"))
def test_retire_correction_keeps_the_stock_on_its_path(option: bool | str) -> None:
    """ODYM's NegativeInflowCorrect: no negative inflow, existing cohorts retired early."""
    with pytest.warns(NegativeInflowWarning, match="retired early"):
        result = stock_driven(FALLING, _falling_survival(), correct_negative_inflow=option)
    assert result.correction == "retire"
    assert result.inflow.min() >= 0.0
    assert_array_equal(result.inflow[0, 1:], 0.0)
    assert_allclose(result.stock, FALLING, rtol=1e-12)
    assert result.forced_outflow is not None and result.forced_outflow.min() >= 0.0
    assert result.forced_outflow[0, 1:].min() > 15.0  # the stock loses 16 a year
    assert result.negative_inflow[0, 1:].all()
    assert _relative_imbalance(result) < 1e-12


def test_clip_correction_leaves_the_stock_above_its_path() -> None:
    with pytest.warns(NegativeInflowWarning, match="above its path"):
        result = stock_driven(FALLING, _falling_survival(), correct_negative_inflow="clip")
    assert result.inflow.min() >= 0.0
    assert np.all(result.stock >= FALLING - 1e-9)
    assert result.stock[0, -1] > 90.0  # units leave only as the lifetime says
    assert result.forced_outflow is None
    # nothing but the lifetime model acts: the same as driving the clipped inflow forward
    forward = inflow_driven(result.inflow, _falling_survival())
    assert_allclose(result.stock, forward.stock, rtol=1e-12)
    assert_allclose(result.outflow, forward.outflow, rtol=1e-12)


def test_correction_only_where_needed() -> None:
    """A sample whose stock is feasible is untouched by the correction of another."""
    target = np.vstack([FALLING, np.linspace(20.0, 100.0, 6)])
    with pytest.warns(NegativeInflowWarning, match="5 of 12 sample-years"):
        corrected = stock_driven(target, _falling_survival(), correct_negative_inflow=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NegativeInflowWarning)
        alone = stock_driven(target[1:], _falling_survival())
    assert_allclose(corrected.inflow[1], alone.inflow[0], rtol=1e-14)
    assert not corrected.negative_inflow[1].any()


def test_negative_target_stock_is_refused() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        stock_driven(-FALLING, _falling_survival())


# --- vectorisation and broadcasting ----------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_samples_equal_separate_one_sample_runs(kind: str) -> None:
    rng = np.random.default_rng(2)
    n, years = 6, 15
    inflow = rng.uniform(0.0, 10.0, (n, years, 2))
    survival = _random_survival(kind, n, years, "middle", seed=4)
    together = inflow_driven(inflow, survival)
    driven = stock_driven(together.stock, survival)
    for i in range(n):
        single = Survival.from_sf(survival.sf[i:i + 1], timing="middle")
        alone = inflow_driven(inflow[i:i + 1], single)
        assert_allclose(together.stock[i:i + 1], alone.stock, rtol=1e-14, atol=0)
        assert_allclose(together.outflow[i:i + 1], alone.outflow, rtol=1e-14, atol=0)
        back = stock_driven(alone.stock, single)
        assert_allclose(driven.inflow[i:i + 1], back.inflow, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("timing", TIMINGS)
def test_survival_curves_of_many_samples_equal_one_sample_curves(timing: str) -> None:
    rng = np.random.default_rng(6)
    a, b = rng.uniform(1.5, 4.0, 5), rng.uniform(5.0, 15.0, 5)
    builders = (
        lambda x, y: fixed_survival(y, 20, timing=timing),
        lambda x, y: normal_survival(y, x, 20, timing=timing),
        lambda x, y: lognormal_survival(y, x / 10.0, 20, timing=timing),
        lambda x, y: weibull_survival(x, y, 20, timing=timing),
    )
    for build in builders:
        together = build(a, b)
        for i in range(5):
            alone = build(a[i:i + 1], b[i:i + 1])
            assert_allclose(together.sf[i:i + 1], alone.sf, rtol=1e-15, atol=0)
            assert_allclose(together.pdf[i:i + 1], alone.pdf, rtol=1e-15, atol=0)


def test_extra_axes_are_independent_series() -> None:
    rng = np.random.default_rng(8)
    inflow = rng.uniform(0.0, 10.0, (4, 12, 3, 2))  # samples, years, regions, chemistries
    survival = _random_survival("weibull", 4, 12, "end")
    result = inflow_driven(inflow, survival)
    assert result.stock.shape == (4, 12, 3, 2)
    for region in range(3):
        for chemistry in range(2):
            alone = inflow_driven(inflow[:, :, region, chemistry], survival)
            assert_allclose(result.stock[:, :, region, chemistry], alone.stock, rtol=1e-14)
            assert_allclose(result.outflow[:, :, region, chemistry], alone.outflow, rtol=1e-14)


def test_lifetime_by_region_broadcasts_over_the_leading_extra_axis() -> None:
    rng = np.random.default_rng(9)
    mean = rng.uniform(8.0, 14.0, (5, 3))  # a lifetime per sample and region
    survival = normal_survival(mean, 0.3 * mean, 10, timing="middle")
    assert survival.sf.shape == (5, 10, 3)
    inflow = rng.uniform(0.0, 10.0, (5, 10, 3, 2))
    result = inflow_driven(inflow, survival)
    for region in range(3):
        own = normal_survival(mean[:, region], 0.3 * mean[:, region], 10, timing="middle")
        alone = inflow_driven(inflow[:, :, region], own)
        assert_allclose(result.stock[:, :, region], alone.stock, rtol=1e-14)


@pytest.mark.parametrize("model", (inflow_driven, stock_driven))
def test_a_single_sample_broadcasts_against_many(model: Callable[..., StockFlows]) -> None:
    series = np.linspace(5.0, 50.0, 10)[None, :]
    many = _random_survival("lognormal", 7, 10, "end")
    result = model(series, many)
    assert result.stock.shape == (7, 10)
    assert result.inflow.shape == (7, 10)
    one = weibull_survival([2.0], [9.0], 10, timing="end")
    assert model(np.repeat(series, 7, axis=0), one).outflow.shape == (7, 10)


def test_results_are_read_only() -> None:
    result = inflow_driven(np.ones((2, 5)), fixed_survival([3.0], 5, timing="end"))
    with pytest.raises(ValueError, match="read-only"):
        result.stock[0, 0] = 1.0


# --- refusals --------------------------------------------------------------------------------


def test_survival_shorter_than_the_horizon_is_refused() -> None:
    with pytest.raises(ValueError, match="fewer than the 12"):
        inflow_driven(np.ones((1, 12)), fixed_survival([3.0], 10, timing="end"))


def test_timing_must_be_chosen_and_known() -> None:
    with pytest.raises(TypeError):
        fixed_survival([3.0], 10)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="timing"):
        fixed_survival([3.0], 10, timing="late")  # type: ignore[arg-type]


@pytest.mark.parametrize("build", (
    lambda: normal_survival([10.0], [0.0], 5, timing="end"),
    lambda: weibull_survival([-1.0], [5.0], 5, timing="end"),
    lambda: lognormal_survival([0.0], [0.5], 5, timing="end"),
    lambda: fixed_survival([-1.0], 5, timing="end"),
))
def test_invalid_lifetime_parameters_are_refused(build: Callable[[], Survival]) -> None:
    with pytest.raises(ValueError, match="must be"):
        build()


def test_mismatched_sample_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="do not broadcast"):
        inflow_driven(np.ones((3, 5)), _random_survival("normal", 4, 5, "end"))
