"""Cross-check of the vectorised stock model against flodym (optional: skipped without it).

flodym's ``inflow_at="end"`` reproduces ODYM (the reference notes measured 4e-15), so agreement
here also pins the ODYM convention. flodym runs one sample at a time; the vectorised model runs
all of them at once and must agree with each.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from numpy.testing import assert_allclose

from valueloop.models.fleet import (
    Survival,
    fixed_survival,
    inflow_driven,
    lognormal_from_mean_sd,
    lognormal_survival,
    normal_survival,
    stock_driven,
    weibull_scale_from_mean,
    weibull_survival,
)

fd = pytest.importorskip("flodym")

YEARS, REGIONS, SAMPLES = 15, 3, 4
RNG = np.random.default_rng(21)
MEAN = RNG.uniform(6.0, 14.0, SAMPLES)
SPREAD = RNG.uniform(0.2, 0.5, SAMPLES)  # sd / mean
SHAPE = RNG.uniform(1.5, 4.0, SAMPLES)
INFLOW = RNG.uniform(0.0, 100.0, (SAMPLES, YEARS, REGIONS))


def _dims() -> Any:
    return fd.DimensionSet(dim_list=[
        fd.Dimension(name="time", letter="t", items=list(range(2020, 2020 + YEARS))),
        fd.Dimension(name="region", letter="r", items=["CN", "EU", "US"]),
    ])


def _flodym_lifetime(kind: str, i: int, timing: str) -> Any:
    dims = _dims()
    if kind == "fixed":
        return fd.FixedLifetime(dims=dims, inflow_at=timing, mean=MEAN[i])
    if kind == "normal":
        return fd.NormalLifetime(dims=dims, inflow_at=timing, mean=MEAN[i],
                                 std=SPREAD[i] * MEAN[i])
    if kind == "lognormal":
        return fd.LogNormalLifetime(dims=dims, inflow_at=timing, mean=MEAN[i],
                                    std=SPREAD[i] * MEAN[i])
    return fd.WeibullLifetime(dims=dims, inflow_at=timing, weibull_shape=SHAPE[i],
                              weibull_scale=float(weibull_scale_from_mean(MEAN[i], SHAPE[i])[0]))


def _ours(kind: str, timing: str) -> Survival:
    if kind == "fixed":
        return fixed_survival(MEAN, YEARS, timing=timing)  # fractional: conventions differ
    if kind == "normal":
        return normal_survival(MEAN, SPREAD * MEAN, YEARS, timing=timing)
    if kind == "lognormal":
        return lognormal_survival(*lognormal_from_mean_sd(MEAN, SPREAD * MEAN), YEARS,
                                  timing=timing)
    return weibull_survival(SHAPE, weibull_scale_from_mean(MEAN, SHAPE), YEARS, timing=timing)


KINDS = ("fixed", "normal", "lognormal", "weibull")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("timing", ("end", "middle"))
def test_inflow_driven_matches_flodym(kind: str, timing: str) -> None:
    ours = inflow_driven(INFLOW, _ours(kind, timing))
    for i in range(SAMPLES):
        dsm = fd.InflowDrivenDSM(dims=_dims(), lifetime_model=_flodym_lifetime(kind, i, timing))
        dsm.inflow.values[...] = INFLOW[i]
        dsm.compute()
        assert_allclose(ours.stock[i], dsm.stock.values, rtol=1e-12, atol=1e-10)
        assert_allclose(ours.outflow[i], dsm.outflow.values, rtol=1e-12, atol=1e-10)


@pytest.mark.parametrize("kind", ("normal", "lognormal", "weibull"))
@pytest.mark.parametrize("timing", ("end", "middle"))
def test_stock_driven_matches_flodym(kind: str, timing: str) -> None:
    stock = np.cumsum(INFLOW, axis=1)  # a growing fleet
    ours = stock_driven(stock, _ours(kind, timing))
    for i in range(SAMPLES):
        dsm = fd.StockDrivenDSM(dims=_dims(), lifetime_model=_flodym_lifetime(kind, i, timing))
        dsm.stock.values[...] = stock[i]
        dsm.compute()
        assert_allclose(ours.inflow[i], dsm.inflow.values, rtol=1e-10, atol=1e-9)
        assert_allclose(ours.outflow[i], dsm.outflow.values, rtol=1e-10, atol=1e-9)


@pytest.mark.parametrize("timing", ("end", "middle"))
def test_negative_inflow_case_matches_flodym(timing: str) -> None:
    """flodym returns the same negative inflows, without a warning or a correction option."""
    dims = fd.DimensionSet(dim_list=[
        fd.Dimension(name="time", letter="t", items=list(range(2020, 2026)))])
    dsm = fd.StockDrivenDSM(dims=dims, lifetime_model=fd.NormalLifetime(
        dims=dims, inflow_at=timing, mean=15.0, std=4.5))
    falling = np.linspace(100.0, 20.0, 6)
    dsm.stock.values[...] = falling
    dsm.compute()
    with pytest.warns(UserWarning, match="5 of 6"):
        ours = stock_driven(falling[None, :], normal_survival(15.0, 4.5, 6, timing=timing))
    assert_allclose(ours.inflow[0], dsm.inflow.values, rtol=1e-12)
