"""EU CBAM obligation and cost, vectorised over samples and years: a WHAT-IF calculator.

**Cobalt and copper are not CBAM goods.** Annex I of Regulation (EU) 2023/956
(``eu-reg-2023-956``) covers cement, iron and steel, aluminium, fertilisers, electricity and
hydrogen. Cobalt hydroxide (CN 2822 00 00) and copper cathode (CN 7403 11 00) are in the shipped
``cbam_goods`` table with status ``hypothetical``: every figure computed for them answers "what
if they were covered", and :class:`CbamResult` carries ``what_if = True`` and a :attr:`label
<CbamResult.label>` that reporting code must show next to the figures. A result under the
*proposed* schedule (COM(2026) 616, not adopted) is a what-if too.

The rules (project notes tea-lca-and-style.md 4.3; each act is a shipped document, verify on
EUR-Lex):

- certificates ``= m * SEE - FAA`` (not below zero), with the free-allocation adjustment
  ``FAA = m * benchmark * CBAM_factor(year) * CSCF`` (Reg. 2023/956 Art. 31; benchmarks under
  ``eu-impl-reg-2025-2620``). The CBAM factor is the share of free allocation kept: 97.5 % in
  2026 down to 0 in 2034 (``eu-dir-2023-959``; table ``cbam_free_allocation``); CSCF = 1 for
  2026-2030 (``eu-impl-dec-2026-1862``) and is an input after that.
- without verified actual emissions, ``SEE`` is the default value times ``1 + mark-up`` of the
  year: +10 % in 2026, +20 % in 2027, +30 % from 2028 for steel, aluminium, cement, hydrogen
  (``eu-impl-reg-2025-2621``; columns ``markup_*`` of ``cbam_goods``).
- cost ``= certificates * P_CBAM - carbon price effectively paid at origin``, not below zero
  (Art. 9).
- de minimis: an importer of at most 50 t of CBAM goods in a year owes nothing
  (``eu-reg-2025-2083``).
- the definitive period starts on 1 January 2026: no certificates before.

Shapes: per-sample inputs are scalars, ``(N,)`` or ``(N, T)``; per-year inputs (years, CBAM
price path, CSCF) are scalars, ``(T,)`` or ``(N, T)``; every result is ``(N, T)``. Money is in
the currency of the CBAM price (EUR/tCO2e); the origin carbon price must be converted to it first.

Where the seed report disagrees
-------------------------------
3.1 treats the CBAM as a "tax rate of 12-18 %" adding 2,500-3,800 元/t. The CBAM is a charge on
embedded tonnes of CO2, not an ad valorem rate, and does not cover cobalt (claims
``3.1-cbam-cost-low``/``-high``). With the report's own 8.7 tCO2e/t as the default value, no
benchmark and 80 EUR/tCO2e, a full obligation would be 8.7 x 1.3 x 80 = 905 EUR/t of hydroxide
from 2028 (:func:`cbam_what_if`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from valueloop.core.datatables import load_table
from valueloop.core.errors import OptionError, OutOfBoundsError
from valueloop.core.sources import Citation

Schedule = Literal["adopted", "proposal"]
SCHEDULES: tuple[str, ...] = ("adopted", "proposal")
EmissionScope = Literal["direct", "direct_and_indirect"]

DEFINITIVE_PERIOD_START = 2026
"""First year with a financial obligation (Reg. (EU) 2023/956: definitive period from
1 January 2026; 2023-10 to 2025 was reporting only)."""
DE_MINIMIS_T = 50.0
"""Tonnes of CBAM goods per importer and year at or below which nothing is owed
(``eu-reg-2025-2083``; electricity and hydrogen do not count towards it)."""


# --- goods and schedules (shipped tables) -------------------------------------------------------

@dataclass(frozen=True)
class CbamGood:
    """A good for the calculator: CN code, legal status and the figures of one emission scope."""

    good: str
    cn_code: str
    description: str
    status: str
    """``adopted`` (in Annex I), ``proposal`` or ``hypothetical`` (not covered: a what-if)."""
    emission_scope: str
    benchmark: float
    """tCO2e per t of good."""
    default_value: float
    """tCO2e per t of good, before the mark-up."""
    markups: tuple[float, float, float]
    """Mark-up on the default value in 2026, 2027 and from 2028 (fractions)."""
    citation: Citation

    @property
    def what_if(self) -> bool:
        return self.status != "adopted"


@cache
def _goods() -> Mapping[tuple[str, str], CbamGood]:
    table = load_table("cbam_goods")
    goods = {}
    for record, citation in zip(table.records(), table.citations, strict=True):
        good = CbamGood(
            good=str(record["good"]), cn_code=str(record["cn_code"]),
            description=str(record["description"]), status=str(record["status"]),
            emission_scope=str(record["emission_scope"]),
            benchmark=float(record["benchmark"]),  # type: ignore[arg-type]
            default_value=float(record["default_value"]),  # type: ignore[arg-type]
            markups=(float(record["markup_2026"]), float(record["markup_2027"]),  # type: ignore[arg-type]
                     float(record["markup_from_2028"])),  # type: ignore[arg-type]
            citation=citation)
        goods[(good.good, good.emission_scope)] = good
    return MappingProxyType(goods)


def cbam_good(good: str, emission_scope: EmissionScope = "direct") -> CbamGood:
    """A row of the shipped ``cbam_goods`` table.

    ``direct`` is how the Regulation counts emissions of metals; ``direct_and_indirect`` adds
    the electricity, which it counts only for cement and fertilisers.
    """
    found = _goods().get((good, emission_scope))
    if found is None:
        allowed = ", ".join(f"{g}/{s}" for g, s in _goods())
        raise OptionError(f"no CBAM good {good!r} with emission scope {emission_scope!r}",
                          item="good", allowed=allowed)
    return found


@cache
def _schedule(schedule: str) -> tuple[np.ndarray, np.ndarray]:
    table = load_table("cbam_free_allocation").where(status=schedule)
    years = table.array("year")
    order = np.argsort(years)
    known, factors = years[order], table.array("cbam_factor")[order]
    known.flags.writeable = factors.flags.writeable = False  # cached: shared by every caller
    return known, factors


def cbam_factor(years: ArrayLike, schedule: Schedule = "adopted") -> np.ndarray:
    """Share of EU ETS free allocation kept in CBAM sectors, by year.

    1 before the first year of the schedule (no reduction before 2026), the last value after
    its last year (0 from 2034 adopted, from 2038 in the proposal).
    """
    if schedule not in SCHEDULES:
        raise OptionError(f"unknown CBAM schedule {schedule!r}", item="schedule",
                          allowed=", ".join(SCHEDULES))
    known, factors = _schedule(schedule)
    y = np.asarray(years, dtype=float)
    position = np.searchsorted(known, y, side="right") - 1
    return np.where(position < 0, 1.0, factors[np.clip(position, 0, None)])


def default_value_markup(years: ArrayLike, markups: tuple[float, float, float]) -> np.ndarray:
    """Mark-up on default values by year: ``markups`` for 2026, 2027 and 2028 onwards.

    Zero before 2026 (no definitive-period default values before then).
    """
    y = np.asarray(years, dtype=float)
    first, second, later = markups
    return np.select([y < 2026, y < 2027, y < 2028], [0.0, first, second], later)


def default_embedded_emissions(default_value: ArrayLike, years: ArrayLike,
                               markups: tuple[float, float, float]) -> np.ndarray:
    """Specific embedded emissions from a default value: ``default * (1 + markup(year))``.

    ``default_value`` per sample (scalar or ``(N,)``), ``years`` ``(T,)``: result ``(N, T)``.
    """
    value = _per_sample(default_value, "default_value")
    return value * (1.0 + default_value_markup(_years(years), markups)[None, :])


# --- the kernel -------------------------------------------------------------------------------

def free_allocation_adjustment(mass: ArrayLike, benchmark: ArrayLike, factor: ArrayLike,
                               cscf: ArrayLike = 1.0) -> np.ndarray:
    """``FAA = m * benchmark * CBAM_factor * CSCF`` in tCO2e (inputs broadcast together)."""
    return (np.asarray(mass, dtype=float) * np.asarray(benchmark, dtype=float)
            * np.asarray(factor, dtype=float) * np.asarray(cscf, dtype=float))


def certificates(mass: ArrayLike, embedded: ArrayLike, faa: ArrayLike) -> np.ndarray:
    """CBAM certificates to surrender: ``max(m * SEE - FAA, 0)`` in tCO2e."""
    return np.maximum(np.asarray(mass, dtype=float) * np.asarray(embedded, dtype=float)
                      - np.asarray(faa, dtype=float), 0.0)


def net_cost(n_certificates: ArrayLike, cbam_price: ArrayLike,
             paid_at_origin: ArrayLike = 0.0) -> np.ndarray:
    """``max(certificates * P_CBAM - carbon price paid at origin, 0)``, in the price's currency."""
    return np.maximum(np.asarray(n_certificates, dtype=float) * np.asarray(cbam_price, float)
                      - np.asarray(paid_at_origin, dtype=float), 0.0)


def de_minimis_exempt(annual_mass: ArrayLike, threshold: float = DE_MINIMIS_T) -> np.ndarray:
    """True where an importer's CBAM goods in a year weigh at most ``threshold`` tonnes."""
    return np.asarray(annual_mass, dtype=float) <= threshold


# --- the calculator ---------------------------------------------------------------------------

@dataclass(frozen=True)
class CbamResult:
    """CBAM figures by sample and year, ``(N, T)``; report :attr:`label` with them."""

    good: CbamGood
    schedule: str
    years: np.ndarray
    """``(T,)``."""
    embedded_emissions: np.ndarray
    """tCO2e: ``m * SEE`` (SEE the actual or the marked-up default value)."""
    free_allocation_adjustment: np.ndarray
    """tCO2e: ``m * benchmark * CBAM factor * CSCF``."""
    certificates: np.ndarray
    """tCO2e (one certificate per tonne)."""
    gross_cost: np.ndarray
    """Certificates times the CBAM price."""
    origin_deduction: np.ndarray
    """Carbon price effectively paid at origin, up to the gross cost."""
    cost: np.ndarray
    """Gross cost minus the origin deduction, not below zero."""
    exempt: np.ndarray
    """``bool``: de minimis (or before the definitive period); cost and certificates are 0."""
    used_default_values: bool

    @property
    def status(self) -> str:
        """The good's status, or ``proposal`` when the schedule is the unadopted proposal."""
        if self.good.status == "adopted" and self.schedule != "adopted":
            return "proposal"
        return self.good.status

    @property
    def what_if(self) -> bool:
        """True unless an Annex I good under the adopted schedule: reports must say so."""
        return self.good.what_if or self.schedule != "adopted"

    @property
    def label(self) -> str:
        """The line a report shows next to these figures."""
        if self.good.status == "hypothetical":
            text = (f"WHAT-IF: {self.good.description} (CN {self.good.cn_code}) is not covered by "
                    "Annex I of Regulation (EU) 2023/956; figures assume it were")
        elif self.good.status == "proposal":
            text = f"WHAT-IF: {self.good.description} is covered only in a proposal"
        else:
            text = f"{self.good.description} (CN {self.good.cn_code}): CBAM good"
        if self.schedule != "adopted":
            text += "; free-allocation phase-out of COM(2026) 616, a proposal not adopted"
        if self.used_default_values:
            text += "; default values with the mark-up of each year"
        return text


def cbam_what_if(good: str | CbamGood, mass: ArrayLike, years: ArrayLike, cbam_price: ArrayLike,
                 *, emission_scope: EmissionScope = "direct",
                 specific_emissions: ArrayLike | None = None, benchmark: ArrayLike | None = None,
                 schedule: Schedule = "adopted", cscf: ArrayLike = 1.0,
                 origin_carbon_price: ArrayLike = 0.0,
                 importer_annual_mass: ArrayLike | None = None) -> CbamResult:
    """CBAM certificates and cost of importing ``mass`` of a good each year.

    Parameters
    ----------
    good
        Id in ``cbam_goods`` (``cobalt_hydroxide``, ``copper_cathode``) or a :class:`CbamGood`.
    mass : array_like, scalar, (N,) or (N, T)
        Tonnes of the good imported per year.
    years : array_like, (T,)
        Calendar years.
    cbam_price : array_like, scalar, (T,) or (N, T)
        Certificate price, EUR/tCO2e (the EU ETS auction price of the period).
    emission_scope
        Row of ``cbam_goods`` to use when ``good`` is an id.
    specific_emissions : array_like, optional, scalar, (N,) or (N, T)
        Verified actual embedded emissions, tCO2e per t. Without them the good's default value
        with the mark-up of each year is used.
    benchmark : array_like, optional, scalar or (N,)
        tCO2e per t; the good's benchmark by default.
    schedule
        ``adopted`` (Directive (EU) 2023/959) or ``proposal`` (COM(2026) 616, not adopted).
    cscf : array_like, scalar, (T,) or (N, T)
        Cross-sectoral correction factor; 1 for 2026-2030.
    origin_carbon_price : array_like, scalar, (N,) or (N, T)
        Carbon price effectively paid at origin per tCO2e of the embedded emissions, after any
        rebate or free allocation there, in the currency of ``cbam_price``.
    importer_annual_mass : array_like, optional
        The importer's total CBAM goods per year, for the 50 t de minimis; ``mass`` by default.

    Returns
    -------
    CbamResult
        ``(N, T)`` arrays and the labels a report must show (``what_if``, ``label``).
    """
    item = cbam_good(good, emission_scope) if isinstance(good, str) else good
    year = _years(years)
    m = _grid(mass, "mass", axis="sample")
    price = _grid(cbam_price, "cbam_price", axis="year")
    if specific_emissions is None:
        see = default_embedded_emissions(item.default_value, year, item.markups)
    else:
        see = _grid(specific_emissions, "specific_emissions", axis="sample")
    bench = _per_sample(item.benchmark if benchmark is None else benchmark, "benchmark")
    correction = _grid(cscf, "cscf", axis="year")
    origin = _grid(origin_carbon_price, "origin_carbon_price", axis="sample")
    annual = m if importer_annual_mass is None else _grid(importer_annual_mass,
                                                         "importer_annual_mass", axis="sample")
    shape = _common_shape(year.size, mass=m, cbam_price=price, specific_emissions=see,
                          benchmark=bench, cscf=correction, origin_carbon_price=origin,
                          importer_annual_mass=annual)
    factor = cbam_factor(year, schedule)[None, :]
    embedded = m * see
    faa = free_allocation_adjustment(m, bench, factor, correction)
    owed = certificates(m, see, faa)
    gross = owed * price
    paid = embedded * origin
    exempt = de_minimis_exempt(annual) | (year[None, :] < DEFINITIVE_PERIOD_START)
    zero = np.zeros(shape)
    owed = np.where(exempt, zero, owed)
    gross = np.where(exempt, zero, gross)
    deduction = np.minimum(np.broadcast_to(paid, shape), gross)
    return CbamResult(
        good=item, schedule=schedule, years=year,
        embedded_emissions=np.broadcast_to(embedded, shape).copy(),
        free_allocation_adjustment=np.broadcast_to(faa, shape).copy(),
        certificates=owed, gross_cost=gross, origin_deduction=deduction,
        cost=net_cost(owed, np.broadcast_to(price, shape), deduction),
        exempt=np.broadcast_to(exempt, shape).copy(),
        used_default_values=specific_emissions is None)


def _common_shape(n_years: int, **arrays: np.ndarray) -> tuple[int, int]:
    """The ``(N, T)`` every 2-D input broadcasts to; the error names the first misfit."""
    n = max(array.shape[0] for array in arrays.values())
    for name, array in arrays.items():
        if array.shape[0] not in (1, n) or array.shape[1] not in (1, n_years):
            raise OutOfBoundsError(
                f"has shape {array.shape}, which does not fit {n} samples x {n_years} years",
                item=name, allowed="scalar, (N,) per sample or (T,) per year, or (N, T)")
    return n, n_years


def _years(years: ArrayLike) -> np.ndarray:
    y = np.atleast_1d(np.asarray(years, dtype=float))
    if y.ndim != 1 or np.any(y != np.round(y)):
        raise OutOfBoundsError("must be a 1-D array of whole calendar years", item="years",
                               allowed="e.g. numpy.arange(2026, 2036)")
    return y.astype(int)


def _per_sample(value: ArrayLike, name: str) -> np.ndarray:
    """A per-sample input, scalar or ``(N,)``, as ``(N, 1)``; must not be negative."""
    array = np.atleast_1d(np.asarray(value, dtype=float))
    if array.ndim != 1:
        raise OutOfBoundsError(f"must be a number or (N,) samples, got shape {array.shape}",
                               item=name, allowed="scalar or (N,)")
    _check_non_negative(array, name)
    return array[:, None]


def _grid(value: ArrayLike, name: str, *, axis: Literal["sample", "year"]) -> np.ndarray:
    """A scalar, a 1-D array along ``axis`` or an ``(N, T)`` array, as a 2-D array."""
    array = np.asarray(value, dtype=float)
    _check_non_negative(array, name)
    if array.ndim == 0:
        return array.reshape(1, 1)
    if array.ndim == 1:
        return array[:, None] if axis == "sample" else array[None, :]
    if array.ndim == 2:
        return array
    raise OutOfBoundsError(f"must have at most 2 axes (N, T), got shape {array.shape}",
                           item=name, allowed="scalar, (N,) or (T,), or (N, T)")


def _check_non_negative(array: np.ndarray, name: str) -> None:
    if np.any(array < 0.0) or np.any(np.isnan(array)):
        raise OutOfBoundsError("must be a non-negative number", item=name, allowed=">= 0")

