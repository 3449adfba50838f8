"""Project finance kernels vectorised over samples: NPV, IRR, payback, annuities.

A cash-flow table holds one column per sample and one row per year ``t = 0 .. T``: the layout is
*year-major*, shape ``(T+1, N)``, because Horner's scheme walks the years and each step then reads
one contiguous row (column access on ``(N, T+1)`` arrays made it about 2.5x slower). Every
function also takes ``axis=1`` for sample-major ``(N, T+1)`` tables and copies them once.
Year ``0`` is undiscounted; a cash flow in year ``t`` is discounted by ``(1 + r) ** t``
(end-of-year convention, as BioSTEAM's ``TEA.NPV``).

With ``v = 1 / (1 + r)`` the net present value is a polynomial in ``v``,

    NPV(r) = sum_{t=0}^{T} CF_t v^t = CF_0 + v (CF_1 + v (CF_2 + ... + v CF_T)),

so the internal rate of return is a root of that polynomial with ``v > 0``. By Descartes' rule of
signs the number of such roots is the number of sign changes of ``CF_0, ..., CF_T`` (zeros
skipped) or less by an even number: a conventional project (outflows, then inflows) has exactly
one IRR, and a project with a late outflow (decommissioning, a relining) can have two.

References
----------
.. [1] BioSTEAM, ``biosteam/_tea.py``: ``TEA.NPV`` and ``TEA.solve_IRR`` (one sample per call).
.. [2] numpy-financial, ``npf.npv``, ``npf.irr`` (roots of the same polynomial, one sample per
   call); the benchmark's per-sample baseline follows them.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
from numpy.typing import ArrayLike

_GRID_CHUNK = 1 << 14
"""Samples per block when scanning NPV on the rate grid; bounds the ``(M, chunk)`` scratch."""


class IrrStatus(IntEnum):
    """What :func:`irr` found for one sample.

    Attributes
    ----------
    UNIQUE : 0
        Exactly one change of sign of NPV on the rate grid (or one sign change of the cash flows,
        which by Descartes' rule proves the root unique): the IRR is that root.
    NO_ROOT : 1
        NPV never changes sign in ``[low, high]`` (all-positive or all-negative flows, a root
        outside the range, or a pair of roots closer than one grid cell): the IRR is NaN.
    MULTIPLE : 2
        NPV changes sign more than once on the grid: the lowest root is reported, and the IRR
        should not be used as a decision rule for that sample (use NPV).
    """

    UNIQUE = 0
    NO_ROOT = 1
    MULTIPLE = 2


def _year_major(cash_flows: ArrayLike, axis: int) -> np.ndarray:
    """Cash flows as a C-contiguous float array with years on axis 0."""
    table = np.asarray(cash_flows, dtype=float)
    if table.ndim == 0:
        raise ValueError("cash_flows must have a year axis")
    if axis not in (0, 1, -1) or (axis != 0 and table.ndim != 2):
        raise ValueError(f"axis must be 0 (years first) or 1 for an (N, T+1) table, got {axis}")
    if axis != 0:
        table = table.T
    return np.ascontiguousarray(table)


def _discount_factor(rate: ArrayLike) -> np.ndarray:
    r = np.asarray(rate, dtype=float)
    if np.any(r <= -1.0):
        raise ValueError("discount rates must exceed -100 %")
    return 1.0 / (1.0 + r)


def npv(cash_flows: ArrayLike, rate: ArrayLike, *, axis: int = 0) -> np.ndarray:
    """Net present value by Horner's scheme.

    .. math:: \\mathrm{NPV} = \\sum_{t=0}^{T} \\frac{CF_t}{(1+r)^t}
              = CF_0 + v\\,(CF_1 + v\\,(CF_2 + \\dots + v\\,CF_T)),\\quad v = \\frac{1}{1+r}

    Parameters
    ----------
    cash_flows : array_like, shape (T+1, N) or (T+1,)
        Net cash flow of each year (negative: outflow), year 0 first. With ``axis=1``, shape
        ``(N, T+1)``.
    rate : array_like, scalar or shape (N,)
        Discount rate per year (0.08 for 8 %), greater than -1.
    axis : {0, 1}, default 0
        The year axis of ``cash_flows``.

    Returns
    -------
    ndarray, shape (N,)
        NPV in the currency of the cash flows (0-d for a single 1-D series and scalar rate).
    """
    table = _year_major(cash_flows, axis)
    v = _discount_factor(rate)
    # T multiply-adds on contiguous rows; no (T+1, N) power table is ever built.
    value = table[-1] * np.ones_like(v)
    for row in table[-2::-1]:
        value *= v
        value += row
    return value


def sign_changes(cash_flows: ArrayLike, *, axis: int = 0) -> np.ndarray:
    """Sign changes of each cash-flow sequence, zeros skipped: Descartes' bound on its IRRs.

    The number of rates ``r > -1`` with NPV = 0 (counted with multiplicity) equals this count or
    is less by an even number.

    Parameters
    ----------
    cash_flows : array_like, shape (T+1, N)
        Year-major cash flows (``axis=1`` for ``(N, T+1)``).
    axis : {0, 1}, default 0
        The year axis of ``cash_flows``.

    Returns
    -------
    ndarray of int, shape (N,)
    """
    signs = np.sign(_year_major(cash_flows, axis))
    last = signs[0].copy()
    count = np.zeros(signs.shape[1:], dtype=np.int64)
    for row in signs[1:]:
        count += (row * last) < 0
        # carry the last non-zero sign across zero years
        np.copyto(last, row, where=row != 0)
    return count


def _rate_grid(low: float, high: float, points: int) -> np.ndarray:
    """Rates evenly spaced in ``log(1 + r)``, with ``r = 0`` inserted as a node.

    Even spacing in ``log(1 + r)`` keeps the relative resolution in the discount factor constant
    from -99 % to +1000 %; the node at 0 means no bracket straddles ``r = 0``, so each bracket
    can be bisected with one of the two overflow-free polynomials of :func:`_scaled_npv`.
    """
    grid = np.expm1(np.linspace(np.log1p(low), np.log1p(high), points))
    if low < 0.0 < high:
        grid = np.union1d(grid, [0.0])
    return grid


def _scaled_npv(table: np.ndarray, rate: np.ndarray, reverse: bool) -> np.ndarray:
    """NPV times a positive factor, so its sign is the sign of NPV and no power exceeds 1.

    ``reverse=False`` (for ``r >= 0``): ``sum CF_t v^t`` with ``v = 1/(1+r) <= 1``.
    ``reverse=True`` (for ``r <= 0``): ``(1+r)^T NPV = sum CF_t w^(T-t)`` with ``w = 1+r <= 1``;
    at ``r = -0.99`` and ``T = 200`` the plain form would overflow (``100 ** 200``).
    """
    if reverse:
        w = 1.0 + rate
        value = table[0].copy()
        for row in table[1:]:
            value *= w
            value += row
        return value
    v = 1.0 / (1.0 + rate)
    value = table[-1].copy()
    for row in table[-2::-1]:
        value *= v
        value += row
    return value


def _grid_powers(grid: np.ndarray, years: int) -> np.ndarray:
    """Matrix ``P (M, T+1)`` with ``P @ CF`` the scaled NPV of :func:`_scaled_npv` per grid rate."""
    t = np.arange(years + 1)
    negative = grid < 0.0
    powers = np.empty((grid.size, years + 1))
    # each row is built only with the base <= 1 (np.where would also evaluate the overflowing one)
    powers[~negative] = (1.0 / (1.0 + grid[~negative]))[:, None] ** t
    powers[negative] = (1.0 + grid[negative])[:, None] ** (years - t)
    return powers


def _bisect(table: np.ndarray, lo: np.ndarray, hi: np.ndarray, reverse: bool, tol: float,
            max_iter: int) -> np.ndarray:
    lo_positive = _scaled_npv(table, lo, reverse) >= 0.0
    for _ in range(max_iter):
        if lo.size == 0 or np.max(hi - lo) <= tol:
            break
        mid = 0.5 * (lo + hi)
        same = (_scaled_npv(table, mid, reverse) >= 0.0) == lo_positive
        lo = np.where(same, mid, lo)
        hi = np.where(same, hi, mid)
    return 0.5 * (lo + hi)


def irr(cash_flows: ArrayLike, *, low: float = -0.99, high: float = 10.0, tol: float = 1e-10,
        max_iter: int = 200, grid_points: int = 128,
        axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Internal rate of return for every sample, with a status saying how far to trust it.

    The IRR is a rate ``r`` in ``[low, high]`` with

    .. math:: \\sum_{t=0}^{T} \\frac{CF_t}{(1+r)^t} = 0 .

    NPV is evaluated on ``grid_points`` rates evenly spaced in ``log(1 + r)`` (plus ``r = 0``),
    as one matrix product per block of samples. The first cell where NPV changes sign is
    bisected to width ``tol``; the number of sign changes on the grid, together with the
    Descartes count of :func:`sign_changes`, gives the :class:`IrrStatus`. Bisection cannot
    diverge or leave its bracket, unlike Newton or secant steps from a warm start.

    Parameters
    ----------
    cash_flows : array_like, shape (T+1, N)
        Year-major cash flows, year 0 first (``axis=1`` for ``(N, T+1)``).
    low, high : float
        Search range for the rate; ``-1 < low < high``.
    tol : float
        Width of the final bracket in rate (absolute).
    max_iter : int
        Cap on bisection steps; about ``log2(cell width / tol)`` (~30) are used.
    grid_points : int
        Rates on the scan grid. Two roots closer than one cell (about 6 % in ``1 + r`` at the
        default) look like none (status ``NO_ROOT``) or like one; a unique root is never missed.
    axis : {0, 1}, default 0
        The year axis of ``cash_flows``.

    Returns
    -------
    rate : ndarray, shape (N,)
        The IRR (the lowest one when there are several), NaN when ``status`` is ``NO_ROOT``.
    status : ndarray of int8, shape (N,)
        :class:`IrrStatus` codes: 0 unique root, 1 no root in range, 2 multiple roots.
    """
    if not -1.0 < low < high:
        raise ValueError(f"need -1 < low < high, got low={low}, high={high}")
    if grid_points < 2:
        raise ValueError("grid_points must be at least 2")
    table = _year_major(cash_flows, axis)
    single = table.ndim == 1
    if single:
        table = table[:, None]
    batch_shape = table.shape[1:]
    table = table.reshape(table.shape[0], -1)
    years, n = table.shape[0] - 1, table.shape[1]

    grid = _rate_grid(low, high, grid_points)
    powers = _grid_powers(grid, years)
    crossings = np.empty(n, dtype=np.int64)
    first = np.empty(n, dtype=np.int64)
    for start in range(0, n, _GRID_CHUNK):
        block = slice(start, start + _GRID_CHUNK)
        positive = (powers @ table[:, block]) >= 0.0
        changes = positive[1:] != positive[:-1]
        crossings[block] = changes.sum(axis=0)
        first[block] = changes.argmax(axis=0)

    descartes = sign_changes(table)
    # no sign change in the flows means no root at all, whatever rounding on the grid says
    found = (crossings > 0) & (descartes > 0)
    status = np.full(n, IrrStatus.NO_ROOT, dtype=np.int8)
    status[found & ((crossings == 1) | (descartes == 1))] = IrrStatus.UNIQUE
    status[found & (crossings > 1) & (descartes > 1)] = IrrStatus.MULTIPLE

    rate = np.full(n, np.nan)
    lo, hi = grid[first], grid[first + 1]
    for reverse in (False, True):
        # r = 0 is a grid node, so every bracket lies wholly on one side of it
        chosen = found & ((hi <= 0.0) if reverse else (lo >= 0.0))
        if chosen.any():
            rate[chosen] = _bisect(np.ascontiguousarray(table[:, chosen]), lo[chosen],
                                   hi[chosen], reverse, tol, max_iter)
    rate, status = rate.reshape(batch_shape), status.reshape(batch_shape)
    if single:
        return rate[0], status[0]
    return rate, status


def _payback_of(table: np.ndarray) -> np.ndarray:
    cumulative = np.cumsum(table, axis=0)
    recovered = cumulative >= 0.0
    ever = recovered.any(axis=0)
    year = recovered.argmax(axis=0)
    previous = np.maximum(year - 1, 0)
    shortfall = -np.take_along_axis(cumulative, previous[None], axis=0)[0]
    inflow = np.take_along_axis(table, year[None], axis=0)[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        # the year's cash flow is spread evenly over the year, so the crossing is linear in it
        period = np.where(year > 0, previous + shortfall / inflow, 0.0)
    return np.where(ever, period, np.nan)


def payback(cash_flows: ArrayLike, *, axis: int = 0) -> np.ndarray:
    """Simple payback period in years, interpolated within the year of recovery.

    With cumulative cash flow ``C_t = sum_{k<=t} CF_k`` and ``t*`` the first year with
    ``C_t >= 0``,

    .. math:: \\text{payback} = (t^* - 1) + \\frac{-C_{t^*-1}}{CF_{t^*}} ,

    0 when ``C_0 >= 0`` and NaN when the cumulative cash flow never reaches 0. The first recovery
    counts: a late outflow that makes ``C_t`` negative again does not move it.

    Parameters
    ----------
    cash_flows : array_like, shape (T+1, N)
        Year-major cash flows, year 0 first (``axis=1`` for ``(N, T+1)``).
    axis : {0, 1}, default 0
        The year axis of ``cash_flows``.

    Returns
    -------
    ndarray, shape (N,)
        Years from the start of year 0's outflow.
    """
    return _payback_of(_year_major(cash_flows, axis))


def discounted_payback(cash_flows: ArrayLike, rate: ArrayLike, *, axis: int = 0) -> np.ndarray:
    """Discounted payback period: :func:`payback` of ``CF_t / (1 + r)^t``.

    Parameters
    ----------
    cash_flows : array_like, shape (T+1, N)
        Year-major cash flows, year 0 first (``axis=1`` for ``(N, T+1)``).
    rate : array_like, scalar or shape (N,)
        Discount rate per year, greater than -1.
    axis : {0, 1}, default 0
        The year axis of ``cash_flows``.

    Returns
    -------
    ndarray, shape (N,)
        Years until the cumulative discounted cash flow reaches 0; NaN if it never does (then
        NPV < 0).
    """
    table = _year_major(cash_flows, axis)
    v = _discount_factor(rate)
    years = np.arange(table.shape[0], dtype=float).reshape((-1,) + (1,) * (table.ndim - 1))
    discount = v ** years
    return _payback_of(table * discount)


def annuity_factor(rate: ArrayLike, years: ArrayLike) -> np.ndarray:
    """Present value of 1 per year at the end of years ``1 .. n``.

    .. math:: a(r, n) = \\sum_{t=1}^{n} (1+r)^{-t} = \\frac{1 - (1+r)^{-n}}{r},
              \\qquad a(0, n) = n

    Evaluated as ``-expm1(-n log1p(r)) / r``, accurate as ``r -> 0``.

    Parameters
    ----------
    rate : array_like
        Discount rate per year, greater than -1.
    years : array_like
        Number of payments ``n`` (may be fractional); broadcasts with ``rate``.

    Returns
    -------
    ndarray
    """
    r = np.asarray(rate, dtype=float)
    n = np.asarray(years, dtype=float)
    _discount_factor(r)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = -np.expm1(-n * np.log1p(r)) / r
    return np.where(r == 0.0, n + 0.0 * r, factor)


def annuity_npv(investment: ArrayLike, annual: ArrayLike, rate: ArrayLike,
                years: ArrayLike) -> np.ndarray:
    """NPV of an investment at ``t = 0`` followed by a level annual cash flow.

    .. math:: \\mathrm{NPV} = -I + A\\, a(r, n)

    the closed form of :func:`npv` for ``CF = (-I, A, ..., A)``; see :func:`annuity_factor`.

    Parameters
    ----------
    investment : array_like
        Capital outlay ``I`` at year 0, positive.
    annual : array_like
        Net cash flow ``A`` at the end of each of years ``1 .. n``.
    rate : array_like
        Discount rate per year.
    years : array_like
        Project life ``n`` in years.

    Returns
    -------
    ndarray
        Broadcast of the arguments.
    """
    return (np.asarray(annual, dtype=float) * annuity_factor(rate, years)
            - np.asarray(investment, dtype=float))
