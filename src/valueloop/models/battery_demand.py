"""Battery demand: the chemistries, their groups and units, and the sales-deviation ramp.

Report section 5.1 (the sensitivity of hydroxide use to cathode chemistry) and the demand half of
5.2 (substitution) are computed in :mod:`valueloop.models.outlook`, which builds the chemistry
shares as nested fractions (so they sum to one by construction, sample by sample) and the cobalt
they contain. Shapes there: ``N`` samples, ``T`` years, ``C`` chemistries (:data:`CHEMISTRIES`),
``R`` regions.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray

CHEMISTRIES = ("nmc111", "nmc532", "nmc622", "nmc811", "nmc9", "nca", "lfp", "lmfp", "sib",
               "lco")
COBALT_FREE = ("lfp", "lmfp", "sib")
LOW_NICKEL = ("nmc111", "nmc532", "nmc622", "nca")
TERNARY = ("nmc111", "nmc532", "nmc622", "nmc811", "nmc9", "nca")
_INDEX = {name: i for i, name in enumerate(CHEMISTRIES)}
KWH_PER_GWH = 1e6
KG_PER_T = 1e3


def deviation_ramp(years: Array, last_observed: int, horizon: int) -> Array:
    """0 up to the last observed year, rising linearly to 1 at ``horizon``.

    Multiplies a sampled relative deviation, so that history stays fixed while uncertainty
    grows with the projection horizon.
    """
    span = max(horizon - last_observed, 1)
    return np.clip((np.asarray(years, dtype=float) - last_observed) / span, 0.0, 1.0)


def chemistry_index(name: str) -> int:
    return _INDEX[name]
