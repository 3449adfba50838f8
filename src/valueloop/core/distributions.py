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

    Each row is a Gamma(alpha_i) variate by its inverse CDF (:func:`gamma_ppf`), normalised by
    the column sum, so the shares of every sample sum to one to rounding error. A member with
    ``alpha_i = 0`` (a baseline share of zero) is the limit of the Dirichlet: always exactly zero.
    """
    u = np.asarray(u, dtype=float)
    alpha = np.asarray(alpha, dtype=float)
    gammas = np.zeros(u.shape)
    for row, a in enumerate(alpha):
        if a > 0:
            gammas[row] = gamma_ppf(float(a), u[row])
    # The inverse CDF can underflow to exactly zero for tiny u and small alpha; a floor keeps the
    # normalisation finite without visibly changing any share.
    np.maximum(gammas, np.finfo(float).tiny, out=gammas)
    gammas[alpha <= 0] = 0.0
    return gammas / gammas.sum(axis=0, keepdims=True)


_TABLE_Z = 8.5
"""The table covers normal quantiles ``|z| <= 8.5``: every u from 1e-17 to 1 - 1e-17."""
_TABLE_NODES = 1024
_TABLE_ALPHA = (0.5, 1e6)
"""Shapes the table serves; others (and u outside the table) go to scipy directly."""
_UPPER = 0.9
"""Above this u, the Halley step works on the upper function Q = 1 - P, as scipy does."""
_tables: dict[float, tuple[Array, Array]] = {}


def _gamma_table(alpha: float) -> tuple[Array, Array]:
    """``log x`` and its derivative (times the node spacing) at equally spaced normal
    quantiles ``z`` of the Gamma(alpha) inverse CDF, for cubic Hermite interpolation."""
    table = _tables.get(alpha)
    if table is None:
        z = np.linspace(-_TABLE_Z, _TABLE_Z, _TABLE_NODES)
        x = np.where(z <= 0.0, special.gammaincinv(alpha, special.ndtr(z)),
                     special.gammainccinv(alpha, special.ndtr(-z)))
        log_x = np.log(x)
        # d log x / dz = phi(z) / (x f(x)), with x f(x) = x^alpha e^-x / Gamma(alpha)
        slope = np.exp(-0.5 * z * z - 0.5 * math.log(2.0 * math.pi)
                       - (alpha * log_x - x - special.gammaln(alpha)))
        table = (log_x, slope * (z[1] - z[0]))
        _tables[alpha] = table
    return table


def gamma_ppf(alpha: float, u: Array) -> Array:
    """The Gamma(alpha) inverse CDF, ``scipy.special.gammaincinv(alpha, u)``, about 2-3 times
    faster and equal to it within 1e-13 relative (both are the root of the regularised
    incomplete gamma function to double precision).

    scipy refines an initial guess with three Halley steps; here the initial guess is a cubic
    Hermite interpolation of ``log x`` over the normal quantile of ``u`` (a table computed once
    per ``alpha`` with scipy, accurate to about 1e-10), so one Halley step reaches full
    precision. As in scipy, the step solves ``P(alpha, x) = u`` for ``u <= 0.9`` and
    ``Q(alpha, x) = 1 - u`` above, where ``1 - u`` is exact. Shapes below 0.5 or above 1e6 and
    ``u`` beyond the table's range (below about 1e-17, or 0) are left to scipy.
    """
    u = np.asarray(u, dtype=float)
    if not _TABLE_ALPHA[0] <= alpha <= _TABLE_ALPHA[1] or u.ndim != 1:
        return special.gammaincinv(alpha, u)
    log_x, slope = _gamma_table(alpha)
    spacing = 2.0 * _TABLE_Z / (_TABLE_NODES - 1)
    with np.errstate(all="ignore"):
        s = special.ndtri(u)
        s += _TABLE_Z
        s /= spacing
        inside = (s >= 0.0) & (s <= _TABLE_NODES - 1)  # False for NaN (u = 0 or 1)
        np.clip(s, 0.0, _TABLE_NODES - 1.001, out=s)
        i = s.astype(np.intp)
        t = s - i
        # cubic Hermite on [i, i + 1]: y0 + t (d0 + t (c2 + t c3))
        y0, y1, d0, d1 = log_x[i], log_x[i + 1], slope[i], slope[i + 1]
        step = y1 - y0
        c3 = d0 + d1 - 2.0 * step
        c2 = 3.0 * step - 2.0 * d0 - d1
        x = c3 * t
        x += c2
        x *= t
        x += d0
        x *= t
        x += y0
        np.exp(x, out=x)
        # One Halley step (scipy's formulas): f / f' = (P(x) - u) x / fac, f'' / f' =
        # (alpha - 1) / x - 1, fac = x^alpha e^-x / Gamma(alpha).
        fac = np.log(x)
        fac *= alpha
        fac -= x
        fac -= special.gammaln(alpha)
        np.exp(fac, out=fac)
        upper = u > _UPPER
        f_fp = np.empty_like(x)
        if upper.any():
            lower = ~upper
            f_fp[lower] = special.gammainc(alpha, x[lower]) - u[lower]
            f_fp[upper] = (1.0 - u[upper]) - special.gammaincc(alpha, x[upper])
        else:
            np.subtract(special.gammainc(alpha, x), u, out=f_fp)
        f_fp *= x
        f_fp /= fac
        fpp_fp = (alpha - 1.0) / x - 1.0
        halley = f_fp / (1.0 - 0.5 * f_fp * fpp_fp)
        halley = np.where(np.isinf(fpp_fp), f_fp, halley)  # scipy falls back to Newton here
        x = np.where(fac == 0.0, x, x - halley)  # and keeps x where fac underflows
    if not inside.all():
        x[~inside] = special.gammaincinv(alpha, u[~inside])
    return x
