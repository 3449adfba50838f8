"""Diffusion curves for substitution: logistic penetration and Bass adoption.

Report section 5.2 ("替代材料渗透率的动态模拟") exists only as a title. An analyst expects
penetration paths of the cobalt-free and cobalt-lean technologies (LFP, LMFP, sodium-ion,
high-nickel NCM, and routes that bypass cobalt hydroxide) as S-curves with uncertain parameters.
Every function here is vectorised: parameters have a leading sample axis ``(N,)`` (or length 1)
and the result is ``(N, T)`` over the years given.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def _column(value: Array | float) -> Array:
    """Parameters as ``(N, 1)`` so they broadcast against years ``(T,)``."""
    return np.asarray(value, dtype=float).reshape(-1, 1)


def logistic_through(years: Array, anchor_year: float, anchor_share: Array | float,
                     saturation: Array | float, rate: Array | float) -> Array:
    """A logistic share that passes through ``anchor_share`` in ``anchor_year``.

    Growing towards a saturation ``S`` above the anchor ``s0``:
    ``s(t) = S / (1 + (S / s0 - 1) exp(-k (t - t0)))``. Declining towards a floor ``S`` below
    ``s0``, the complement ``1 - s`` grows logistically towards ``1 - S`` by the same formula,
    so the share stays within ``[S, 1]`` for every year, before and after the anchor. ``k > 0`` is
    the speed in both cases; the direction follows from ``S`` against ``s0``.

    Anchoring on the last observed year rather than on the midpoint keeps every sample consistent
    with what is known today, so the uncertainty lies in the saturation and the speed only.
    """
    s0, cap, k = _column(anchor_share), _column(saturation), _column(rate)
    t = np.asarray(years, dtype=float)[None, :] - float(anchor_year)
    growing = cap >= s0
    start = np.clip(np.where(growing, s0, 1.0 - s0), 1e-9, 1.0)
    limit = np.where(growing, cap, 1.0 - cap)
    # limit >= start in both branches, so the denominator stays >= 1 after the anchor and > 0
    # before it: no sign change, whatever the sampled values.
    # path = limit / (1 + (limit / start - 1) exp(-k t)), in place on one (N, T) array.
    path = np.multiply(-k, t, out=np.empty(np.broadcast_shapes(s0.shape, cap.shape, k.shape,
                                                                t.shape)))
    np.exp(path, out=path)
    path *= limit / start - 1.0
    path += 1.0
    np.divide(limit, path, out=path)
    # Declining: 1 - path, as -path + 1 (the same rounding); growing: path * 1 + 0, exactly.
    path *= np.where(growing, 1.0, -1.0)
    path += np.where(growing, 0.0, 1.0)
    return path


def bass_cumulative(years: Array, launch_year: float, innovation: Array | float,
                    imitation: Array | float, potential: Array | float) -> Array:
    """Bass (1969) cumulative adoption, used here as a market share reaching ``potential``.

    ``F(t) = (1 - exp(-(p + q) t)) / (1 + (q / p) exp(-(p + q) t))`` for ``t`` years after launch
    (zero before), scaled by the potential ``m``. Bass, F. M. (1969), "A new product growth
    model for consumer durables", Management Science 15(5), 215-227.
    """
    p, q, m = _column(innovation), _column(imitation), _column(potential)
    t = np.maximum(np.asarray(years, dtype=float)[None, :] - float(launch_year), 0.0)
    decay = np.multiply(-(p + q), t, out=np.empty(np.broadcast_shapes(p.shape, q.shape, m.shape,
                                                                       t.shape)))
    np.exp(decay, out=decay)
    # m (1 - decay) / (1 + (q / p) decay), with one temporary
    share = np.subtract(1.0, decay)
    np.multiply(m, share, out=share)
    decay *= q / p
    decay += 1.0
    share /= decay
    return share
