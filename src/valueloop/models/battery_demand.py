"""Battery demand: GWh by use and region, chemistry mix, and the cobalt it contains.

Pure, vectorised kernels for report section 5.1 (the sensitivity of hydroxide use to cathode
chemistry) and the demand half of 5.2 (substitution). Shapes: ``N`` samples, ``T`` years,
``C`` chemistries (:data:`CHEMISTRIES`), ``R`` regions. Chemistry shares are built as nested
fractions, so they sum to one by construction, sample by sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from valueloop.models.substitution import bass_cumulative, logistic_through

Array = np.ndarray

CHEMISTRIES = ("nmc111", "nmc532", "nmc622", "nmc811", "nmc9", "nca", "lfp", "lmfp", "sib",
               "lco")
COBALT_FREE = ("lfp", "lmfp", "sib")
LOW_NICKEL = ("nmc111", "nmc532", "nmc622", "nca")
TERNARY = ("nmc111", "nmc532", "nmc622", "nmc811", "nmc9", "nca")
_INDEX = {name: i for i, name in enumerate(CHEMISTRIES)}
KWH_PER_GWH = 1e6
KG_PER_T = 1e3


@dataclass(frozen=True)
class MixDrivers:
    """S-curve parameters of one market's chemistry mix (each ``(N,)`` or length 1)."""

    lfp_share: Array
    """LFP-family (LFP + LMFP) share of non-sodium batteries in the anchor year."""
    lfp_saturation: Array
    lfp_rate: Array
    lmfp_share: Array
    """LMFP share within the LFP family in the anchor year."""
    lmfp_saturation: Array
    lmfp_rate: Array
    high_nickel_share: Array
    """NCM811 + 9-series share of ternary batteries in the anchor year."""
    high_nickel_saturation: Array
    high_nickel_rate: Array
    nine_series_share: Array
    """9-series share within high-nickel in the anchor year."""
    nine_series_saturation: Array
    nine_series_rate: Array
    low_nickel_split: dict[str, Array]
    """Fractions of the remaining ternary: nmc111, nmc532, nmc622, nca (sum to one)."""


@dataclass(frozen=True)
class SodiumDrivers:
    launch_year: float
    innovation: Array
    imitation: Array
    potential: Array


def chemistry_mix(years: Array, anchor_year: int, mix: MixDrivers,
                  sodium: SodiumDrivers) -> Array:
    """Shares ``(N, T, C)`` of new battery capacity by chemistry; ``lco`` is zero here.

    Nesting: sodium-ion takes a Bass share of the whole market; the LFP family takes a logistic
    share of the rest, LMFP a logistic share of that family; the ternary remainder splits into
    high-nickel (itself split into NCM811 and 9-series) and the low-nickel mix.
    """
    sib = bass_cumulative(years, sodium.launch_year, sodium.innovation, sodium.imitation,
                          sodium.potential)
    lfp_family = (1.0 - sib) * logistic_through(years, anchor_year, mix.lfp_share,
                                                mix.lfp_saturation, mix.lfp_rate)
    lmfp = lfp_family * logistic_through(years, anchor_year, mix.lmfp_share,
                                         mix.lmfp_saturation, mix.lmfp_rate)
    ternary = 1.0 - sib - lfp_family
    high_nickel = ternary * logistic_through(years, anchor_year, mix.high_nickel_share,
                                             mix.high_nickel_saturation, mix.high_nickel_rate)
    nine = high_nickel * logistic_through(years, anchor_year, mix.nine_series_share,
                                          mix.nine_series_saturation, mix.nine_series_rate)
    low_nickel = ternary - high_nickel
    shares = np.zeros((*sib.shape, len(CHEMISTRIES)))
    shares[..., _INDEX["sib"]] = sib
    shares[..., _INDEX["lfp"]] = lfp_family - lmfp
    shares[..., _INDEX["lmfp"]] = lmfp
    shares[..., _INDEX["nmc811"]] = high_nickel - nine
    shares[..., _INDEX["nmc9"]] = nine
    for name in LOW_NICKEL:
        shares[..., _INDEX[name]] = low_nickel * np.asarray(mix.low_nickel_split[name]
                                                            ).reshape(-1, 1)
    return shares


def ev_gwh(sales: Array, pack_kwh: Array) -> Array:
    """GWh of new EV batteries: vehicles per year x kWh per vehicle (broadcast), / 1e6."""
    return sales * pack_kwh / KWH_PER_GWH


def deviation_ramp(years: Array, last_observed: int, horizon: int) -> Array:
    """0 up to the last observed year, rising linearly to 1 at ``horizon``.

    Multiplies a sampled relative deviation, so that history stays fixed while uncertainty
    grows with the projection horizon.
    """
    span = max(horizon - last_observed, 1)
    return np.clip((np.asarray(years, dtype=float) - last_observed) / span, 0.0, 1.0)


def cobalt_intensity(years: Array, anchor_year: int, intensity: Array,
                     thrifting: Array) -> Array:
    """Cobalt per kWh ``(N, T, C)`` for cells made in each year.

    ``intensity`` is ``(N, C)`` in kg/kWh at the anchor year; after it, each chemistry sheds
    ``thrifting`` per year (cathode and cell design improvements); before it, the anchor value
    holds (the BatPaC figures describe recent designs).
    """
    elapsed = np.maximum(np.asarray(years, dtype=float) - anchor_year, 0.0)
    factor = (1.0 - np.asarray(thrifting, dtype=float).reshape(-1, 1)) ** elapsed[None, :]
    return intensity[:, None, :] * factor[:, :, None]


def cobalt_tonnes(gwh_by_chemistry: Array, intensity_kg_per_kwh: Array) -> Array:
    """Tonnes of cobalt: GWh x kg/kWh x 1e6 kWh/GWh / 1e3 kg/t."""
    return gwh_by_chemistry * intensity_kg_per_kwh * (KWH_PER_GWH / KG_PER_T)


def chemistry_index(name: str) -> int:
    return _INDEX[name]
