"""Dynamic stock model of products in use (batteries, vehicles), vectorised over samples.

Cohort ``c`` is the inflow of model year ``c``; year ``t`` runs over ``0 .. T-1`` and stocks are
measured at the *end* of each year (ODYM convention 1). Every array has a leading sample axis
``N`` (one scenario is ``N = 1``), then the time axis ``T``, then any extra axes (region,
chemistry...), which broadcast.

Timing convention
-----------------
A lifetime model gives a continuous survival function ``S(x)``: the probability that a unit is
still in use ``x`` years after it entered. Where in its year a cohort enters decides at which age
``S`` is read, so the convention is a required argument of every survival-curve builder and is
recorded in each :class:`Survival` and :class:`StockFlows`. With lag ``a = t - c`` (whole years
between the cohort's year and the reporting year):

============ =========================== ============== ================================
``timing``   cohort ``c`` enters         ``sf[a]``      as in
============ =========================== ============== ================================
``"end"``    at the end of year ``c``    ``S(a)``       ODYM; flodym ``inflow_at="end"``
``"middle"`` in the middle of year ``c`` ``S(a + 1/2)`` flodym's default
``"start"``  at the start of year ``c``  ``S(a + 1)``   flodym ``inflow_at="start"``
============ =========================== ============== ================================

The discrete outflow pdf is ``pdf[0] = 1 - sf[0]``, ``pdf[a] = sf[a-1] - sf[a]`` for
``a >= 1``: the share of a cohort that leaves in year ``c + a``. Under ``"end"`` nothing of cohort
``c`` leaves in year ``c`` when ``S(0) = 1`` (fixed, lognormal and Weibull lifetimes); a normal
lifetime puts its negative-age mass ``Phi(-mean/sd)`` there, as ODYM does. Stock and outflow are

    stock[t]   = sum_{c <= t} inflow[c] * sf[t - c]
    outflow[t] = sum_{c <= t} inflow[c] * pdf[t - c]

so ``stock[t] - stock[t-1] = inflow[t] - outflow[t]`` holds exactly.

The convention matters. Under ``"end"`` and ``"middle"`` an integer fixed lifetime ``L`` retires
cohort ``c`` in year ``c + L`` (under ``"start"``, a year earlier). A constant inflow ``I`` builds
a steady stock of about ``mean lifetime x I`` under ``"middle"`` (the midpoint rule) and half a
year of inflow more under ``"end"``. For a fleet growing 15 %/yr with a 12-year normal lifetime,
``"middle"`` needs 1.4 % more final-year inflow than ``"end"``; the reference notes measured
4-9 % on their case. Choose the convention deliberately and report it with the results.

References
----------
.. [1] Pauliuk, S. and Heeren, N. (2020). ODYM - An open software framework for studying dynamic
   material systems: Principles, implementation, and data structures. Journal of Industrial
   Ecology 24(3), 446-458. https://doi.org/10.1111/jiec.12952
.. [2] Lauinger, D., Billy, R. G., Vásquez, F. and Müller, D. B. (2021). A general framework for
   stock dynamics of populations and built and natural environments. Journal of Industrial
   Ecology. https://doi.org/10.1111/jiec.13117 (the stock-driven model as a lower-triangular
   system in the survival matrix).
.. [3] flodym (pik-piam/flodym, v1.1), ``flodym/lifetime_models.py``: ``inflow_at`` and the
   survival and pdf tables that ``"end"`` and ``"middle"`` reproduce.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammaln, ndtr

Timing = Literal["start", "middle", "end"]
Correction = Literal["none", "retire", "clip"]

_AGE_OFFSET: dict[str, float] = {"start": 1.0, "middle": 0.5, "end": 0.0}
_NEGATIVE_TOLERANCE = 1e-12
"""An inflow counts as negative below ``-tolerance x`` the largest stock of its series, so that
rounding in a stock that the lifetime model can follow exactly never raises a warning."""
_MONOTONE_TOLERANCE = 1e-12


class NegativeInflowWarning(UserWarning):
    """A stock-driven model needed negative inflow: the stock falls faster than lifetimes allow."""


@dataclass(frozen=True, eq=False)
class Survival:
    """Discrete survival table and outflow pdf over cohort lags ``a = 0 .. A-1``.

    Attributes
    ----------
    sf : ndarray, shape (N, A, *extra)
        Share of a cohort still in use at the end of year ``c + a`` (see the module docstring for
        how ``timing`` maps ``a`` to an age).
    pdf : ndarray, shape (N, A, *extra)
        Share of a cohort leaving in year ``c + a``: ``1 - sf[0]``, then ``sf[a-1] - sf[a]``.
    timing : {"start", "middle", "end"}
        When in its year a cohort enters.
    kind : str
        The lifetime family (``"fixed"``, ``"normal"``, ``"lognormal"``, ``"weibull"`` or
        ``"tabulated"``), for reports.
    """

    sf: np.ndarray
    pdf: np.ndarray
    timing: Timing
    kind: str

    def __post_init__(self) -> None:
        if self.timing not in _AGE_OFFSET:
            raise ValueError(f"timing must be one of {sorted(_AGE_OFFSET)}, got {self.timing!r}")
        if self.sf.ndim < 2 or self.sf.shape != self.pdf.shape:
            raise ValueError(f"sf {self.sf.shape} and pdf {self.pdf.shape} must both be "
                             "(N, A, ...)")
        for array in (self.sf, self.pdf):
            array.flags.writeable = False

    @property
    def n_ages(self) -> int:
        return self.sf.shape[1]

    @classmethod
    def from_sf(cls, sf: ArrayLike, *, timing: Timing, kind: str = "tabulated") -> Survival:
        """A survival table given directly, e.g. a coupled vehicle-battery curve.

        ``sf`` has shape ``(N, A, *extra)``, values in ``[0, 1]`` and must not increase with the
        lag, so that no outflow is negative.
        """
        table = np.array(sf, dtype=float)
        if table.ndim < 2:
            raise ValueError(f"sf must be (N, A, ...), got shape {table.shape}")
        if np.any((table < 0.0) | (table > 1.0)):
            raise ValueError("survival shares must lie in [0, 1]")
        if np.any(np.diff(table, axis=1) > _MONOTONE_TOLERANCE):
            raise ValueError("survival must not increase with age")
        return cls(sf=table, pdf=_outflow_pdf(table), timing=timing, kind=kind)


@dataclass(frozen=True, eq=False)
class StockFlows:
    """Stock, inflow and outflow of a dynamic stock model, each ``(N, T, *extra)``.

    Attributes
    ----------
    stock : ndarray
        Stock in use at the end of each year.
    inflow : ndarray
        Inflow (sales, installations) in each year; given for an inflow-driven model, solved for
        a stock-driven one.
    outflow : ndarray
        End-of-life outflow in each year, including ``forced_outflow``.
    timing : {"start", "middle", "end"}
        The timing convention of the survival table used; report it with the results.
    lifetime : str
        The lifetime family of the survival table.
    negative_inflow : ndarray of bool or None
        Stock-driven only: where the stock path needed negative inflow (before any correction).
    correction : {"none", "retire", "clip"}
        Stock-driven only: how negative inflow was handled (see :func:`stock_driven`).
    forced_outflow : ndarray or None
        Stock-driven with ``correction="retire"`` only: the part of ``outflow`` retired early to
        keep the stock on its path, which the lifetime model did not predict.

    Arrays are read-only; they may be views in time-major memory order.
    """

    stock: np.ndarray
    inflow: np.ndarray
    outflow: np.ndarray
    timing: Timing
    lifetime: str
    negative_inflow: np.ndarray | None = None
    correction: Correction = "none"
    forced_outflow: np.ndarray | None = None

    def __post_init__(self) -> None:
        for array in (self.stock, self.inflow, self.outflow, self.negative_inflow,
                      self.forced_outflow):
            if array is not None and array.flags.writeable:
                array.flags.writeable = False


# --- survival curves -------------------------------------------------------------------------


def fixed_survival(lifetime: ArrayLike, n_ages: int, *, timing: Timing) -> Survival:
    """Every unit leaves when it reaches ``lifetime`` years: ``S(x) = 1 if x < L else 0``.

    Parameters
    ----------
    lifetime : array_like, shape (N,) or (N, *extra)
        Lifetime ``L >= 0`` in years; a lifetime of 0 leaves in the year of entry (as in ODYM).
    n_ages : int
        Number of lags ``A``; must be at least the number of model years.
    timing : {"start", "middle", "end"}
        See the module docstring.

    Returns
    -------
    Survival
    """
    (life,) = _parameters(lifetime)
    _require(life >= 0.0, "lifetime must be >= 0")
    ages = _ages(n_ages, timing, life.ndim)
    return _survival((ages < life[:, None]).astype(float), timing, "fixed")


def normal_survival(mean: ArrayLike, sd: ArrayLike, n_ages: int, *, timing: Timing) -> Survival:
    """Normally distributed lifetime: ``S(x) = Phi((mean - x) / sd)``.

    The mass at negative ages, ``Phi(-mean / sd)``, leaves in the year of entry (ODYM's choice);
    prefer a lognormal or Weibull lifetime when ``sd`` is large against ``mean``.

    Parameters
    ----------
    mean, sd : array_like, shape (N,) or (N, *extra)
        Mean and standard deviation ``sd > 0`` of the lifetime in years.
    n_ages : int
        Number of lags ``A``.
    timing : {"start", "middle", "end"}
        See the module docstring.
    """
    mu, sigma = _parameters(mean, sd)
    _require(sigma > 0.0, "sd must be > 0")
    ages = _ages(n_ages, timing, mu.ndim)
    return _survival(ndtr((mu[:, None] - ages) / sigma[:, None]), timing, "normal")


def lognormal_survival(median: ArrayLike, sigma: ArrayLike, n_ages: int, *,
                       timing: Timing) -> Survival:
    """Lognormal lifetime: ``S(x) = Phi(-ln(x / median) / sigma)``, ``S(0) = 1``.

    Parameters
    ----------
    median : array_like, shape (N,) or (N, *extra)
        Median lifetime ``exp(mu) > 0`` in years.
    sigma : array_like
        Standard deviation ``> 0`` of the log lifetime. ODYM and flodym take the mean and standard
        deviation of the lifetime itself: convert with :func:`lognormal_from_mean_sd`.
    n_ages : int
        Number of lags ``A``.
    timing : {"start", "middle", "end"}
        See the module docstring.
    """
    med, log_sd = _parameters(median, sigma)
    _require(med > 0.0, "median must be > 0")
    _require(log_sd > 0.0, "sigma must be > 0")
    ages = _ages(n_ages, timing, med.ndim)
    with np.errstate(divide="ignore"):  # ln(0) = -inf gives S(0) = 1, which is right
        z = -np.log(ages / med[:, None]) / log_sd[:, None]
    return _survival(ndtr(z), timing, "lognormal")


def weibull_survival(shape: ArrayLike, scale: ArrayLike, n_ages: int, *,
                     timing: Timing) -> Survival:
    """Weibull lifetime: ``S(x) = exp(-(x / scale) ** shape)``.

    Parameters
    ----------
    shape : array_like, shape (N,) or (N, *extra)
        Shape ``k > 0`` (``k > 1``: wear-out, the usual case for batteries).
    scale : array_like
        Scale ``lambda > 0`` in years; from a mean lifetime use :func:`weibull_scale_from_mean`.
    n_ages : int
        Number of lags ``A``.
    timing : {"start", "middle", "end"}
        See the module docstring.
    """
    k, lam = _parameters(shape, scale)
    _require(k > 0.0, "shape must be > 0")
    _require(lam > 0.0, "scale must be > 0")
    ages = _ages(n_ages, timing, k.ndim)
    return _survival(np.exp(-np.power(ages / lam[:, None], k[:, None])), timing, "weibull")


def weibull_scale_from_mean(mean: ArrayLike, shape: ArrayLike) -> np.ndarray:
    """Weibull scale that gives mean lifetime ``mean``: ``mean / Gamma(1 + 1/shape)``."""
    mu, k = _parameters(mean, shape)
    _require(k > 0.0, "shape must be > 0")
    return mu / np.exp(gammaln(1.0 + 1.0 / k))


def lognormal_from_mean_sd(mean: ArrayLike, sd: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """``(median, sigma)`` of the lognormal with arithmetic mean ``mean`` and deviation ``sd``.

    This is the parameterisation of ODYM's and flodym's ``LogNormal`` lifetime:
    ``sigma**2 = ln(1 + (sd/mean)**2)`` and ``median = mean / sqrt(1 + (sd/mean)**2)``.
    """
    mu, dev = _parameters(mean, sd)
    _require(mu > 0.0, "mean must be > 0")
    spread = 1.0 + (dev / mu) ** 2
    return mu / np.sqrt(spread), np.sqrt(np.log(spread))


# --- stock models ----------------------------------------------------------------------------


def inflow_driven(inflow: ArrayLike, survival: Survival) -> StockFlows:
    """Stock and end-of-life outflow from inflows and a survival table.

    The model is linear in the inflow, which is what makes material accounting simple: the
    cobalt in end-of-life batteries is ``inflow_driven(inflow * co_content, survival).outflow``
    when ``co_content`` (N, T, ...) is the cobalt per unit of each *cohort* (its chemistry at the
    time of sale), and the same holds for any other content by cohort.

    Parameters
    ----------
    inflow : array_like, shape (N, T, *extra)
        Inflow by sample and year; extra axes (region, chemistry) are carried along. ``N`` may be
        1 when only the survival table varies by sample.
    survival : Survival
        Survival table with ``A >= T`` lags and ``N`` (or 1) samples. Its extra axes, if any,
        align with the leading extra axes of ``inflow``.

    Returns
    -------
    StockFlows
        ``stock[t] = sum_c inflow[c] sf[t-c]`` and ``outflow[t] = sum_c inflow[c] pdf[t-c]``.

    Notes
    -----
    The survival matrix is Toeplitz (it depends on ``t - c`` only), so the model is a
    convolution: one vectorised multiply-add per lag, ``T`` lags, in time-major memory order so
    that each lag touches contiguous blocks. No ``(T, T)`` cohort table is built.
    """
    flows = _as_series(inflow, "inflow")
    n_years = flows.shape[1]
    sf, pdf = _lag_tables(survival, n_years, flows.ndim - 2)
    shape = _result_shape(flows, sf)
    cohorts = _time_major(flows)
    stock = np.zeros((n_years, *shape[:1], *shape[2:]))
    outflow = np.zeros_like(stock)
    scratch = np.empty_like(stock)
    for lag in range(n_years):
        span = n_years - lag
        # year t = c + lag gets cohort c's survivors (stock) and leavers (outflow)
        np.multiply(cohorts[:span], sf[lag], out=scratch[:span])
        stock[lag:] += scratch[:span]
        np.multiply(cohorts[:span], pdf[lag], out=scratch[:span])
        outflow[lag:] += scratch[:span]
    return StockFlows(stock=_sample_major(stock), inflow=np.broadcast_to(flows, shape),
                      outflow=_sample_major(outflow), timing=survival.timing,
                      lifetime=survival.kind)


def stock_driven(stock: ArrayLike, survival: Survival, *,
                 correct_negative_inflow: bool | Literal["retire", "clip"] = False,
                 ) -> StockFlows:
    """Inflow and outflow that make the stock in use follow a given path.

    Year by year, the inflow is what the target stock needs beyond the survivors of earlier
    cohorts: ``inflow[t] = (stock[t] - sum_{c<t} inflow[c] sf[t-c]) / sf[0]`` (forward
    substitution in the lower-triangular survival matrix, [2]_), vectorised over samples and
    extra axes. Where ``sf[0] = 0`` no inflow can survive its first year and inflow is set to 0,
    as in ODYM.

    When the stock falls faster than the lifetime model lets units leave, the required inflow is
    negative. This emits a :class:`NegativeInflowWarning` naming how many sample-years are
    affected, and ``negative_inflow`` marks them.

    Parameters
    ----------
    stock : array_like, shape (N, T, *extra)
        Target stock at the end of each year, non-negative.
    survival : Survival
        Survival table with ``A >= T`` lags.
    correct_negative_inflow : bool or {"retire", "clip"}
        ``False`` (default): keep the negative inflows, the stock follows its path exactly.
        ``True`` or ``"retire"``: ODYM's ``NegativeInflowCorrect`` [1]_: inflow is set to 0 and
        every existing cohort is retired early in the same proportion, so that the stock still
        follows its path exactly; the extra outflow is reported as ``forced_outflow`` and the
        early-retired cohorts stay smaller in later years.
        ``"clip"``: inflow is set to 0 and nothing else changes, so units leave only as the
        lifetime model says; the stock then follows its path where that is feasible and lies
        above it where it is not (outflow is never raised).

    Returns
    -------
    StockFlows
        With ``negative_inflow`` (bool, ``(N, T, *extra)``) and ``correction`` set.

    Raises
    ------
    ValueError
        If the target stock is negative anywhere.
    """
    target = _as_series(stock, "stock")
    if np.any(target < 0.0):
        raise ValueError("target stock must be non-negative")
    correction = _correction(correct_negative_inflow)
    n_years = target.shape[1]
    sf, pdf = _lag_tables(survival, n_years, target.ndim - 2)
    shape = _result_shape(target, sf)
    solved = _forward_substitution(_time_major(target), sf, pdf, correction,
                                   (n_years, *shape[:1], *shape[2:]))
    inflow, model_stock, outflow, negative, forced = (_sample_major(a) for a in solved)
    if negative.any():
        _warn_negative(negative, inflow, correction)
    return StockFlows(stock=model_stock, inflow=inflow, outflow=outflow, timing=survival.timing,
                      lifetime=survival.kind, negative_inflow=negative, correction=correction,
                      forced_outflow=forced if correction == "retire" else None)


def check_mass_balance(result: StockFlows, initial_stock: ArrayLike = 0.0) -> float:
    """Largest absolute ``stock[t] - stock[t-1] - inflow[t] + outflow[t]`` over all cells.

    ``stock[-1]`` is ``initial_stock`` (0 for the models here, which start empty). Compare the
    result with the size of the stock: rounding leaves about ``1e-15`` of it.
    """
    stock = np.asarray(result.stock)
    start = np.broadcast_to(np.asarray(initial_stock, dtype=float),
                            (stock.shape[0], 1, *stock.shape[2:]))
    change = np.diff(stock, axis=1, prepend=start)
    imbalance = change - result.inflow + result.outflow
    return float(np.max(np.abs(imbalance))) if imbalance.size else 0.0


# --- internals -------------------------------------------------------------------------------


def _parameters(*values: ArrayLike) -> tuple[np.ndarray, ...]:
    """Lifetime parameters as float arrays of a common shape ``(N, *extra)``."""
    arrays = [np.asarray(v, dtype=float) for v in values]
    arrays = [a.reshape(1) if a.ndim == 0 else a for a in arrays]
    return tuple(np.broadcast_arrays(*arrays))


def _require(condition: np.ndarray, message: str) -> None:
    if not np.all(condition):
        raise ValueError(message)


def _ages(n_ages: int, timing: Timing, param_ndim: int) -> np.ndarray:
    """Age at the end of year ``c + a`` for lags ``a``, shaped ``(1, A, 1, ...)`` for params."""
    if timing not in _AGE_OFFSET:
        raise ValueError(f"timing must be one of {sorted(_AGE_OFFSET)}, got {timing!r}")
    if n_ages < 1:
        raise ValueError("n_ages must be >= 1")
    ages = np.arange(n_ages, dtype=float) + _AGE_OFFSET[timing]
    return ages.reshape(1, n_ages, *([1] * (param_ndim - 1)))


def _survival(sf: np.ndarray, timing: Timing, kind: str) -> Survival:
    return Survival(sf=sf, pdf=_outflow_pdf(sf), timing=timing, kind=kind)


def _outflow_pdf(sf: np.ndarray) -> np.ndarray:
    pdf = np.empty_like(sf)
    pdf[:, 0] = 1.0 - sf[:, 0]
    pdf[:, 1:] = sf[:, :-1] - sf[:, 1:]
    return pdf


def _as_series(values: ArrayLike, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim < 2:
        raise ValueError(f"{name} must be (N, T, ...) with a sample axis, got shape {array.shape}")
    return array


def _lag_tables(survival: Survival, n_years: int,
                n_extra: int) -> tuple[np.ndarray, np.ndarray]:
    """``sf`` and ``pdf`` as ``(T, N, *extra)`` time-major tables that broadcast on flows."""
    if survival.n_ages < n_years:
        raise ValueError(f"survival covers {survival.n_ages} lags, fewer than the {n_years} "
                         "model years")
    extra = survival.sf.ndim - 2
    if extra > n_extra:
        raise ValueError(f"survival has {extra} extra axes, the flows only {n_extra}")
    padding = (1,) * (n_extra - extra)

    def lagged(table: np.ndarray) -> np.ndarray:
        head = np.moveaxis(table[:, :n_years], 1, 0)
        return np.ascontiguousarray(head).reshape(*head.shape, *padding)

    return lagged(survival.sf), lagged(survival.pdf)


def _result_shape(flows: np.ndarray, sf: np.ndarray) -> tuple[int, ...]:
    """``(N, T, *extra)`` of the result, broadcasting samples (and extra axes) of both inputs."""
    try:
        tail = np.broadcast_shapes((flows.shape[0], *flows.shape[2:]), sf.shape[1:])
    except ValueError as error:
        raise ValueError(f"flows of shape {flows.shape} and a survival table with "
                         f"{sf.shape[1]} samples and extra axes {sf.shape[2:]} do not broadcast "
                         "(sample counts must match or be 1)") from error
    return (tail[0], flows.shape[1], *tail[1:])


def _time_major(array: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.moveaxis(array, 1, 0))


def _sample_major(array: np.ndarray) -> np.ndarray:
    return np.moveaxis(array, 0, 1)


def _correction(option: bool | str) -> Correction:
    if option is False:
        return "none"
    if option is True or option == "retire":
        return "retire"
    if option == "clip":
        return "clip"
    raise ValueError(f"correct_negative_inflow must be a bool, 'retire' or 'clip', got {option!r}")


def _forward_substitution(target: np.ndarray, sf: np.ndarray, pdf: np.ndarray,
                          correction: Correction, shape: tuple[int, ...],
                          ) -> tuple[np.ndarray, ...]:
    """Solve the stock-driven model year by year on time-major ``(T, N, *extra)`` arrays."""
    n_years = shape[0]
    inflow = np.zeros(shape)
    stock = np.zeros(shape)
    outflow = np.zeros(shape)
    forced = np.zeros(shape)
    negative = np.zeros(shape, dtype=bool)
    # share of each cohort not retired early; only "retire" changes it
    kept = np.ones(shape) if correction == "retire" else None
    tolerance = _NEGATIVE_TOLERANCE * np.max(np.abs(target), axis=0)
    first_year = sf[0] > 0.0
    first_year_sf = np.where(first_year, sf[0], 1.0)
    for year in range(n_years):
        cohorts = inflow[:year] if kept is None else inflow[:year] * kept[:year]
        # cohort c is year - c years old: lags year .. 1 for cohorts 0 .. year-1
        survivors = np.sum(cohorts * sf[year:0:-1], axis=0)
        leaving = np.sum(cohorts * pdf[year:0:-1], axis=0)
        gap = target[year] - survivors
        short = gap < -tolerance
        negative[year] = short
        new = np.where(first_year, gap / first_year_sf, 0.0)
        if correction != "none":
            new = np.maximum(new, 0.0)
        if kept is not None:
            retired = np.where(short, -gap / np.where(survivors > 0.0, survivors, 1.0), 0.0)
            kept[:year] *= 1.0 - retired
            forced[year] = retired * survivors
            survivors = survivors - forced[year]
        inflow[year] = new
        stock[year] = survivors + new * sf[0]
        outflow[year] = leaving + forced[year] + new * pdf[0]
    return inflow, stock, outflow, negative, forced


def _warn_negative(negative: np.ndarray, inflow: np.ndarray, correction: Correction) -> None:
    n_samples, n_years = negative.shape[:2]
    by_year = negative.reshape(n_samples, n_years, -1).any(axis=2)
    cells = "" if negative.ndim == 2 else f" ({int(negative.sum())} cells)"
    handled = {
        "none": "kept as negative values; pass correct_negative_inflow to correct them",
        "retire": "set to 0, existing cohorts retired early to keep the stock on its path",
        "clip": "set to 0, stock left above its path",
    }[correction]
    message = (f"stock-driven model needs negative inflow in {int(by_year.sum())} of "
               f"{by_year.size} sample-years{cells}: the stock falls faster than the lifetime "
               f"model lets units leave. Inflow {handled}.")
    if correction == "none":
        message += f" Lowest inflow {float(inflow.min()):.6g}."
    warnings.warn(message, NegativeInflowWarning, stacklevel=3)
