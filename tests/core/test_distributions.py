"""Distributions: inverse CDFs against scipy.stats, truncation, unit conversion, Dirichlet."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from scipy import stats

from valueloop.core.distributions import (
    Distribution,
    LogNormal,
    Normal,
    Pert,
    Triangular,
    Uniform,
    dirichlet_from_uniform,
)

GRID = np.concatenate([[0.0, 1e-12], np.linspace(0.001, 0.999, 999), [1 - 1e-12, 1.0]])
INTERIOR = GRID[1:-1]


def test_uniform_ppf_matches_scipy() -> None:
    d = Uniform(low=-2.0, high=5.0)
    np.testing.assert_allclose(d.ppf(GRID), stats.uniform(loc=-2.0, scale=7.0).ppf(GRID),
                               rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize(("low", "mode", "high"), [(1.0, 2.0, 3.5), (0.0, 0.0, 1.0),
                                                    (0.0, 1.0, 1.0), (-5.0, 4.0, 10.0)])
def test_triangular_ppf_matches_scipy(low: float, mode: float, high: float) -> None:
    d = Triangular(low=low, mode=mode, high=high)
    ref = stats.triang(c=(mode - low) / (high - low), loc=low, scale=high - low)
    np.testing.assert_allclose(d.ppf(GRID), ref.ppf(GRID), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("low", "mode", "high", "lamb"), [(150e3, 250e3, 400e3, 4.0),
                                                            (0.0, 0.0, 1.0, 4.0),
                                                            (0.0, 0.9, 1.0, 2.0)])
def test_pert_ppf_matches_scipy_beta(low: float, mode: float, high: float, lamb: float) -> None:
    d = Pert(low=low, mode=mode, high=high, lamb=lamb)
    width = high - low
    a = 1 + lamb * (mode - low) / width
    b = 1 + lamb * (high - mode) / width
    ref = stats.beta(a, b, loc=low, scale=width)
    np.testing.assert_allclose(d.ppf(GRID), ref.ppf(GRID), rtol=1e-10, atol=1e-9 * width)
    # the classic PERT mean (low + 4 mode + high) / 6
    if lamb == 4.0:
        assert ref.mean() == pytest.approx((low + 4 * mode + high) / 6)


def test_normal_ppf_matches_scipy() -> None:
    d = Normal(mean=3.0, sd=0.5)
    np.testing.assert_allclose(d.ppf(INTERIOR), stats.norm(3.0, 0.5).ppf(INTERIOR), rtol=1e-12)


def test_lognormal_ppf_matches_scipy() -> None:
    d = LogNormal(median=300.0, sigma=0.25)
    ref = stats.lognorm(s=0.25, scale=300.0)
    np.testing.assert_allclose(d.ppf(INTERIOR), ref.ppf(INTERIOR), rtol=1e-12)


def test_truncated_normal_matches_scipy_truncnorm() -> None:
    d = Normal(mean=0.2, sd=0.1)
    bounds = (0.05, 0.4)
    ref = stats.truncnorm((bounds[0] - 0.2) / 0.1, (bounds[1] - 0.2) / 0.1, loc=0.2, scale=0.1)
    np.testing.assert_allclose(d.ppf(GRID, bounds), ref.ppf(GRID), rtol=1e-9, atol=1e-12)


def test_truncated_lognormal_matches_conditional_quantiles() -> None:
    d = LogNormal(median=1.0, sigma=0.5)
    bounds = (0.5, 2.0)
    ref = stats.lognorm(s=0.5, scale=1.0)
    lo, hi = ref.cdf(bounds[0]), ref.cdf(bounds[1])
    np.testing.assert_allclose(d.ppf(GRID, bounds), ref.ppf(lo + (hi - lo) * GRID), rtol=1e-9)


@given(mean=st.floats(-100, 100), sd=st.floats(1e-3, 100),
       below=st.floats(0, 60), above=st.floats(0, 60),
       u=st.lists(st.floats(0, 1), min_size=1, max_size=20))
def test_truncated_normal_stays_inside_bounds(mean: float, sd: float, below: float,
                                              above: float, u: list[float]) -> None:
    """Bounds around the mean, as resolution guarantees, up to 60 sd into either tail."""
    bounds = (mean - below * sd, mean + above * sd)
    x = Normal(mean=mean, sd=sd).ppf(np.array(u), bounds)
    assert np.all(np.isfinite(x))
    assert np.all((x >= bounds[0]) & (x <= bounds[1]))


@given(median=st.floats(1e-3, 1e3), sigma=st.floats(1e-2, 3), below=st.floats(0, 30),
       above=st.floats(0, 30), u=st.lists(st.floats(0, 1), min_size=1, max_size=20))
def test_truncated_lognormal_stays_inside_bounds(median: float, sigma: float, below: float,
                                                 above: float, u: list[float]) -> None:
    bounds = (median * math.exp(-below * sigma), median * math.exp(above * sigma))
    x = LogNormal(median=median, sigma=sigma).ppf(np.array(u), bounds)
    assert np.all((x >= bounds[0]) & (x <= bounds[1]))


def test_finite_supports_and_central_values() -> None:
    assert Uniform(low=1, high=3).support() == (1, 3)
    assert Uniform(low=1, high=3).central() == 2
    assert Triangular(low=1, mode=1.5, high=3).central() == 1.5
    assert Pert(low=1, mode=1.5, high=3).support() == (1, 3)
    assert Normal(mean=4, sd=1).support() == (-math.inf, math.inf)
    assert LogNormal(median=4, sigma=1).support() == (0.0, math.inf)
    assert LogNormal(median=4, sigma=1).central() == 4


@pytest.mark.parametrize(
    "arguments",
    [
        {"kind": "uniform", "low": 2, "high": 1},
        {"kind": "uniform", "low": 1, "high": 1},
        {"kind": "triangular", "low": 0, "mode": 2, "high": 1},
        {"kind": "pert", "low": 0, "mode": -1, "high": 1},
        {"kind": "pert", "low": 0, "mode": 0.5, "high": 1, "lamb": 0},
        {"kind": "normal", "mean": 0, "sd": 0},
        {"kind": "normal", "mean": 0},
        {"kind": "lognormal", "median": -1, "sigma": 1},
        {"kind": "lognormal", "median": 1, "sigma": 0},
        {"kind": "beta", "a": 1, "b": 2},
        {"kind": "uniform", "low": 0, "high": 1, "mode": 0.5},
    ],
)
def test_bad_arguments_are_refused(arguments: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Distribution).validate_python(arguments)


def test_discriminated_union_picks_the_kind() -> None:
    adapter = TypeAdapter(Distribution)
    d = adapter.validate_python({"kind": "pert", "low": 0, "mode": 1, "high": 2})
    assert isinstance(d, Pert) and d.lamb == 4.0
    assert d.arguments() == {"low": 0, "mode": 1, "high": 2, "lamb": 4.0}


# --- unit conversion --------------------------------------------------------------------------


def test_conversion_scales_location_and_width() -> None:
    wan_t = 1e4  # wan_t -> t

    def convert(x: float) -> float:
        return x * wan_t

    tri = Triangular(low=1.0, mode=2.0, high=3.5).converted(convert, wan_t)
    assert (tri.low, tri.mode, tri.high) == (1e4, 2e4, 3.5e4)
    np.testing.assert_allclose(tri.ppf(GRID), Triangular(low=1.0, mode=2.0, high=3.5).ppf(GRID)
                               * wan_t, rtol=1e-12)
    pert = Pert(low=1.0, mode=2.0, high=3.5, lamb=3.0).converted(convert, wan_t)
    assert (pert.low, pert.high, pert.lamb) == (1e4, 3.5e4, 3.0)
    uni = Uniform(low=1.0, high=2.0).converted(convert, wan_t)
    assert (uni.low, uni.high) == (1e4, 2e4)
    normal = Normal(mean=2.0, sd=0.5).converted(convert, wan_t)
    assert (normal.mean, normal.sd) == (2e4, 5e3)
    lognormal = LogNormal(median=2.0, sigma=0.3).converted(convert, wan_t)
    assert (lognormal.median, lognormal.sigma) == (2e4, 0.3)


def test_offset_conversion_shifts_location_but_not_width() -> None:
    normal = Normal(mean=20.0, sd=2.0).converted(lambda c: c + 273.15, 1.0)
    assert normal.mean == pytest.approx(293.15) and normal.sd == 2.0


# --- Dirichlet --------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(alpha=st.lists(st.floats(1e-3, 1e3), min_size=2, max_size=8),
       seed=st.integers(0, 2**32 - 1))
def test_dirichlet_shares_sum_to_one(alpha: list[float], seed: int) -> None:
    rng = np.random.default_rng(seed)
    u = rng.random((len(alpha), 200))
    u[:, 0] = 0.0  # the inverse CDF gives exactly zero here; the floor keeps shares finite
    u[:, 1] = 1e-300
    shares = dirichlet_from_uniform(u, np.array(alpha))
    assert shares.shape == u.shape
    assert np.all(np.isfinite(shares)) and np.all(shares >= 0)
    assert np.max(np.abs(shares.sum(axis=0) - 1.0)) <= 1e-12


def test_dirichlet_mean_matches_alpha_proportions() -> None:
    alpha = np.array([20.0, 12.0, 8.0])
    u = np.random.default_rng(1).random((3, 100_000))
    shares = dirichlet_from_uniform(u, alpha)
    expected = alpha / alpha.sum()
    sd = np.sqrt(expected * (1 - expected) / (alpha.sum() + 1))
    assert np.all(np.abs(shares.mean(axis=1) - expected) < 4 * sd / np.sqrt(u.shape[1]))
    np.testing.assert_allclose(shares.std(axis=1), sd, rtol=0.02)


def test_dirichlet_zero_alpha_member_is_always_zero() -> None:
    u = np.random.default_rng(2).random((3, 1000))
    shares = dirichlet_from_uniform(u, np.array([25.0, 15.0, 0.0]))
    assert np.all(shares[2] == 0.0)
    assert np.max(np.abs(shares.sum(axis=0) - 1.0)) <= 1e-12
