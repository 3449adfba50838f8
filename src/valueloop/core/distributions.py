"""Uncertainty distributions, each defined by its inverse CDF on the unit interval.

Every sampler (Monte Carlo, Latin hypercube, Sobol, Saltelli, Morris) produces points in the unit
hypercube; a distribution maps a column of those points to values with :meth:`ppf`. Distributions
with unbounded support are truncated exactly at the parameter's bounds by mapping ``u`` into
``[F(low), F(high)]`` before the inverse CDF.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy import special

Array = np.ndarray
Converter = Callable[[float], float]


class _Distribution(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def support(self) -> tuple[float, float]:
        raise NotImplementedError

    def central(self) -> float:
        """The value a deterministic run uses when the distribution is given alone."""
        raise NotImplementedError

    def ppf(self, u: Array, bounds: tuple[float, float] = (-math.inf, math.inf)) -> Array:
        raise NotImplementedError

    def converted(self, convert: Converter, scale: float) -> _Distribution:
        """The same distribution in another unit (``convert`` locations, ``scale`` widths)."""
        raise NotImplementedError

    def arguments(self) -> dict[str, float]:
        return self.model_dump(exclude={"kind"})


class Uniform(_Distribution):
    kind: Literal["uniform"] = "uniform"
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError(f"uniform needs low < high, got low={self.low}, high={self.high}")
        return self

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def central(self) -> float:
        return 0.5 * (self.low + self.high)

    def ppf(self, u: Array, bounds: tuple[float, float] = (-math.inf, math.inf)) -> Array:
        return self.low + (self.high - self.low) * u

    def converted(self, convert: Converter, scale: float) -> Uniform:
        return Uniform(low=convert(self.low), high=convert(self.high))


class Triangular(_Distribution):
    kind: Literal["triangular"] = "triangular"
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                f"triangular needs low <= mode <= high and low < high, got "
                f"low={self.low}, mode={self.mode}, high={self.high}")
        return self

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def central(self) -> float:
        return self.mode

    def ppf(self, u: Array, bounds: tuple[float, float] = (-math.inf, math.inf)) -> Array:
        a, c, b = self.low, self.mode, self.high
        split = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        return np.where(u < split, left, right)

    def converted(self, convert: Converter, scale: float) -> Triangular:
        return Triangular(low=convert(self.low), mode=convert(self.mode), high=convert(self.high))


class Pert(_Distribution):
    """Beta-PERT with shape ``lamb`` (4 is the classic PERT)."""

    kind: Literal["pert"] = "pert"
    low: float
    mode: float
    high: float
    lamb: float = Field(default=4.0, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Pert:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                f"pert needs low <= mode <= high and low < high, got "
                f"low={self.low}, mode={self.mode}, high={self.high}")
        return self

    def _shapes(self) -> tuple[float, float]:
        width = self.high - self.low
        alpha = 1.0 + self.lamb * (self.mode - self.low) / width
        beta = 1.0 + self.lamb * (self.high - self.mode) / width
        return alpha, beta

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def central(self) -> float:
        return self.mode

    def ppf(self, u: Array, bounds: tuple[float, float] = (-math.inf, math.inf)) -> Array:
        alpha, beta = self._shapes()
        return self.low + (self.high - self.low) * special.betaincinv(alpha, beta, u)

    def converted(self, convert: Converter, scale: float) -> Pert:
        return Pert(low=convert(self.low), mode=convert(self.mode), high=convert(self.high),
                    lamb=self.lamb)


class Normal(_Distribution):
    """Normal, truncated exactly at the parameter's bounds."""

    kind: Literal["normal"] = "normal"
    mean: float
    sd: float = Field(gt=0)

    def support(self) -> tuple[float, float]:
        return (-math.inf, math.inf)

    def central(self) -> float:
        return self.mean

    def ppf(self, u: Array, bounds: tuple[float, float] = (-math.inf, math.inf)) -> Array:
        lo_z, hi_z = ((b - self.mean) / self.sd for b in bounds)
        values = self.mean + self.sd * special.ndtri(_truncate(u, special.ndtr(lo_z),
                                                                special.ndtr(hi_z)))
        return _clip(values, bounds)

    def converted(self, convert: Converter, scale: float) -> Normal:
        return Normal(mean=convert(self.mean), sd=self.sd * scale)


class LogNormal(_Distribution):
    """Log-normal given by its median and ``sigma``, the standard deviation of ln(x)."""

    kind: Literal["lognormal"] = "lognormal"
    median: float = Field(gt=0)
    sigma: float = Field(gt=0)

    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)

    def central(self) -> float:
        return self.median

    def ppf(self, u: Array, bounds: tuple[float, float] = (-math.inf, math.inf)) -> Array:
        mu = math.log(self.median)
        lo, hi = bounds
        lo_p = special.ndtr((math.log(lo) - mu) / self.sigma) if lo > 0 else 0.0
        hi_p = special.ndtr((math.log(hi) - mu) / self.sigma) if math.isfinite(hi) else 1.0
        return _clip(np.exp(mu + self.sigma * special.ndtri(_truncate(u, lo_p, hi_p))), bounds)

    def converted(self, convert: Converter, scale: float) -> LogNormal:
        return LogNormal(median=self.median * scale, sigma=self.sigma)


def _clip(values: Array, bounds: tuple[float, float]) -> Array:
    """Keep values inside the truncation bounds: round trips through the CDF and its inverse
    can land a few ulps outside (or at +-inf when a bound lies far in a tail)."""
    if bounds[0] == -math.inf and bounds[1] == math.inf:
        return values
    return np.clip(values, bounds[0], bounds[1])


def _truncate(u: Array, lo_p: float, hi_p: float) -> Array:
    if lo_p == 0.0 and hi_p == 1.0:
        return u
    return lo_p + (hi_p - lo_p) * u


Distribution = Annotated[
    Uniform | Triangular | Pert | Normal | LogNormal, Field(discriminator="kind")
]
DISTRIBUTION_KINDS = ("uniform", "triangular", "pert", "normal", "lognormal")


def dirichlet_from_uniform(u: Array, alpha: Array) -> Array:
    """Dirichlet samples from uniforms: ``u`` is (k, N), ``alpha`` is (k,); returns (k, N).

    Each row is a Gamma(alpha_i) variate by its inverse CDF, normalised by the column sum, so
    the shares of every sample sum to one to rounding error. A member with ``alpha_i = 0`` (a
    baseline share of zero) is the limit of the Dirichlet: always exactly zero.
    """
    gammas = special.gammaincinv(alpha[:, None], u)
    # The inverse CDF can underflow to exactly zero for tiny u and small alpha; a floor keeps the
    # normalisation finite without visibly changing any share.
    np.maximum(gammas, np.finfo(float).tiny, out=gammas)
    gammas[alpha <= 0] = 0.0  # gammaincinv(0, u) is nan
    return gammas / gammas.sum(axis=0, keepdims=True)
