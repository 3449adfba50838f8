"""Finance kernels: analytic oracles (annuity, polynomial roots), hand-computed paybacks."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from valueloop.models.finance import (
    IrrStatus,
    annuity_factor,
    annuity_npv,
    discounted_payback,
    irr,
    npv,
    payback,
    sign_changes,
)

# Report 2.1: a 10 kt/yr cobalt hydroxide plant, 4.2 亿元 capital, 10-year life.
CAPEX_CNY = 4.2e8
LIFE_YEARS = 10


def conventional_flows(n: int, years: int, seed: int) -> np.ndarray:
    """Year-major (T+1, N): two construction years of outlay, then positive net cash flow."""
    rng = np.random.default_rng(seed)
    flows = np.empty((years + 1, n))
    flows[0] = -CAPEX_CNY * rng.uniform(0.5, 1.0, n)
    flows[1] = -CAPEX_CNY * rng.uniform(0.2, 0.8, n)
    # some projects never earn their capital back: negative IRRs exercise the r < 0 branch
    flows[2:] = CAPEX_CNY * rng.uniform(0.01, 0.2, (years - 1, n))
    return flows


def polynomial_irr(flows: np.ndarray) -> float:
    """The one rate whose discount factor v > 0 is a real root of sum CF_t v^t (np.roots)."""
    roots = np.roots(flows[::-1])
    real = roots[(np.abs(roots.imag) <= 1e-9 * np.abs(roots)) & (roots.real > 0.0)].real
    assert real.size == 1
    return 1.0 / real[0] - 1.0


def test_annuity_npv_equals_general_npv_for_the_hydroxide_plant() -> None:
    annual = 7.6e7  # CNY per year of net cash flow, years 1..10
    flows = np.r_[-CAPEX_CNY, np.full(LIFE_YEARS, annual)]
    for rate in (0.0, 1e-9, 0.06, 0.08, 0.12):
        expected = npv(flows, rate)
        assert_allclose(annuity_npv(CAPEX_CNY, annual, rate, LIFE_YEARS), expected, rtol=1e-9)
    assert_allclose(annuity_factor(0.08, 10), 6.710081399, rtol=1e-9)
    assert annuity_factor(0.0, 10) == 10.0


def test_annuity_npv_vectorised_over_rates_and_lives() -> None:
    rng = np.random.default_rng(3)
    n = 500
    rate = rng.uniform(0.0, 0.2, n)
    annual = rng.uniform(3e7, 1.2e8, n)
    flows = np.vstack([np.full(n, -CAPEX_CNY), np.tile(annual, (LIFE_YEARS, 1))])
    assert_allclose(annuity_npv(CAPEX_CNY, annual, rate, LIFE_YEARS), npv(flows, rate),
                    rtol=1e-9)


def test_npv_by_hand_and_rate_as_array() -> None:
    flows = np.array([[-100.0, -100.0], [110.0, 121.0]])
    assert_allclose(npv(flows, np.array([0.10, 0.21])), [0.0, 0.0], atol=1e-12)
    assert_allclose(npv(flows, 0.10), [0.0, 10.0], atol=1e-12)


def test_npv_axis_and_vectorised_equal_per_sample() -> None:
    flows = conventional_flows(50, 20, seed=4)
    rate = np.linspace(0.02, 0.15, 50)
    together = npv(flows, rate)
    singles = [np.sum(flows[:, i] / (1.0 + rate[i]) ** np.arange(21)) for i in range(50)]
    assert together.shape == (50,)
    assert_allclose(together, singles, rtol=1e-12)
    assert_array_equal(npv(flows.T, rate, axis=1), together)


def test_irr_matches_roots_of_the_cash_flow_polynomial() -> None:
    flows = conventional_flows(200, 12, seed=7)
    rate, status = irr(flows)
    expected = np.array([polynomial_irr(flows[:, i]) for i in range(200)])
    assert_array_equal(status, IrrStatus.UNIQUE)
    assert (expected < 0).any() and (expected > 0).any()  # both bisection branches are used
    assert_allclose(rate, expected, rtol=0, atol=1e-8)
    assert_allclose(npv(flows, rate) / CAPEX_CNY, 0.0, atol=1e-7)


def test_irr_vectorised_equals_per_sample_and_axis() -> None:
    flows = conventional_flows(30, 15, seed=11)
    rate, status = irr(flows)
    for i in range(30):
        one_rate, one_status = irr(flows[:, i])
        assert one_status == status[i]
        assert_allclose(one_rate, rate[i], atol=1e-10)
    rate_t, status_t = irr(flows.T, axis=1)
    assert_array_equal(rate_t, rate)
    assert_array_equal(status_t, status)


def test_two_sign_changes_with_two_irrs_is_flagged() -> None:
    # -100 + 230 v - 132 v^2 = 0  <=>  (1 + r) in {1.1, 1.2}: IRRs of 10 % and 20 %
    flows = np.array([-100.0, 230.0, -132.0])
    assert sign_changes(flows[:, None])[0] == 2
    rate, status = irr(flows)
    assert status == IrrStatus.MULTIPLE
    assert_allclose(rate, 0.10, atol=1e-9)
    assert_allclose(npv(flows, 0.20), 0.0, atol=1e-12)


def test_no_root_cases_give_status_1_and_nan() -> None:
    flows = np.array([
        [10.0, 20.0, 30.0],        # all positive: Descartes count 0
        [-5.0, -1.0, -2.0],        # all negative
        [-100.0, 250.0, -200.0],   # two sign changes, complex roots only
        [-100.0, 1e-3, 1e-3],      # root at about -99.7 %, below low
    ]).T
    rate, status = irr(flows)
    assert_array_equal(status, IrrStatus.NO_ROOT)
    assert np.isnan(rate).all()


def test_mixed_batch_keeps_codes_per_sample() -> None:
    flows = np.array([[-100.0, 230.0, -132.0], [1.0, 2.0, 3.0], [-100.0, 0.0, 121.0]]).T
    rate, status = irr(flows)
    assert_array_equal(status, [IrrStatus.MULTIPLE, IrrStatus.NO_ROOT, IrrStatus.UNIQUE])
    assert_allclose(rate[[0, 2]], [0.10, 0.10], atol=1e-9)
    assert np.isnan(rate[1])


def test_irr_long_horizon_negative_rate_does_not_overflow() -> None:
    # 200 years at -99 %: plain v^t would reach 100^200 and overflow
    flows = np.r_[-100.0, np.full(200, 0.2)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rate, status = irr(flows)
    assert status == IrrStatus.UNIQUE
    assert -0.99 < rate < 0.0
    assert npv(flows, rate - 1e-7) > 0.0 > npv(flows, rate + 1e-7)


def test_sign_changes_skip_zeros() -> None:
    flows = np.array([[1.0, 0.0, -1.0, 0.0, 2.0], [-1.0, 0.0, 0.0, 0.0, 0.0]]).T
    assert_array_equal(sign_changes(flows), [2, 0])


def test_payback_by_hand() -> None:
    flows = np.array([
        [-100.0, 30.0, 30.0, 30.0, 30.0],   # cumulative -10 after year 3: 3 + 10/30
        [-100.0, 50.0, 50.0, 0.0, 0.0],     # exactly 0 at the end of year 2
        [-100.0, 10.0, 10.0, 10.0, 10.0],   # never
        [5.0, 5.0, -1.0, 0.0, 0.0],         # nothing to pay back
    ]).T
    assert_allclose(payback(flows), [3.0 + 1.0 / 3.0, 2.0, np.nan, 0.0])
    assert_allclose(payback(flows.T, axis=1), payback(flows))


def test_discounted_payback_by_hand() -> None:
    # at 10 % the inflows 55, 60.5, 66.55 are each worth 50 today
    flows = np.array([[-120.0, 55.0, 60.5, 66.55], [-100.0, 55.0, 60.5, 66.55],
                      [-200.0, 55.0, 60.5, 66.55]]).T
    assert_allclose(discounted_payback(flows, 0.10), [2.4, 2.0, np.nan])
    assert_allclose(payback(flows[:, 0]), 2.0 + 4.5 / 66.55)
    # per-sample rates: sample 1 at 0 % is simple payback
    rate = np.array([0.10, 0.0, 0.10])
    assert_allclose(discounted_payback(flows, rate)[1], payback(flows[:, 1]))
    assert np.isnan(discounted_payback(flows, rate)[2])


def test_discounted_payback_vectorised_equals_per_sample() -> None:
    flows = conventional_flows(40, 25, seed=5)
    rate = np.linspace(0.0, 0.2, 40)
    together = discounted_payback(flows, rate)
    singles = [discounted_payback(flows[:, i], rate[i]) for i in range(40)]
    assert_allclose(together, singles)
    assert np.isnan(together).any() and np.isfinite(together).any()


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        npv(np.array([-1.0, 2.0]), -1.0)
    with pytest.raises(ValueError):
        irr(np.array([-1.0, 2.0]), low=-1.0)
    with pytest.raises(ValueError):
        npv(np.ones((2, 3, 4)), 0.1, axis=1)
