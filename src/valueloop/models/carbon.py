"""Carbon factors, footprints, electricity factors, carbon cost and battery contribution.

The shared carbon machinery of issue 4 (item 4), kept generic so that issue 5 can reuse it for
per-batch footprints along a genealogy: any inventory times any factors.

1. **Factor registry.** :func:`factor_registry` reads the shipped ``carbon_factors`` table (one
   row per item id: value, low, high, unit, scope, basis and a citation) once. Scenario parameters
   are named ``carbon.factor.<id>`` (:data:`FACTOR_PREFIX`); :meth:`FactorRegistry.declarations`
   declares them in the registry's units and :func:`stack_factors` turns the engine's inputs into
   an ``(N, K)`` factor matrix.
2. **Footprint kernel.** :func:`footprint` multiplies amounts per functional unit by factors,
   ``(N, K)`` or ``(K,)`` each, into a breakdown ``(N, K)`` and a total ``(N,)``.
   :func:`inventory_footprint` takes an inventory as ``{item id: (amount, unit)}`` and converts
   each unit once with pint (pint at the boundary only), then calls the kernel.
3. **Electricity.** :func:`grid_factor` looks a place up in China's MEE/NBS factors
   (``china_grid_emission_factors``: national, seven regional grids, 30 provinces) and in the
   country table (``grid_emission_factors``: Ember averages, IFI margins).
   :func:`electricity_factor` gives both scope-2 figures the GHG Protocol asks for
   (``ghg-protocol-scope2-2015``): location-based (the grid average) and market-based,
   ``(1 - g) * EF_residual`` with ``g`` the certified green share.
4. **Carbon cost** at a carbon price with a share of free allowances: :func:`carbon_cost`.
5. **Battery contribution**: a cobalt (or hydroxide) footprint times the kilograms of cobalt per
   kWh of a chemistry from the shipped ``battery_mineral_intensity`` table, in kgCO2e per kWh
   (:func:`battery_contribution`).

Units: electricity factors are kgCO2e/kWh (= tCO2e/MWh); footprints are whatever unit the caller
asks :func:`inventory_footprint` for (tCO2e per t of product by default). MEE factors are CO2
only and are stored as CO2e, as the country table does.

Where the seed report disagrees
-------------------------------
- 2.3 says a hydroxide at 8.5 tCO2e/t takes 18 % of a 70 kgCO2e/kWh NCM811 battery cap. From the
  shipped NMC811 row (0.0826 kg Co/kWh) and 31 % Co, one kWh needs 0.266 kg of hydroxide (the
  report's own 260 t/GWh agrees), so the contribution is 0.266 x 8.5 = 2.26 kgCO2e/kWh, 3.2 %
  of the cap (:func:`battery_contribution`; claim ``2.3-hydroxide-share-of-battery-cap``).
- 3.1 prices the average 8.7 tCO2e/t at 60 元/tCO2 as "about 120 元/t"; the whole footprint costs
  522 元/t and the excess over the 8.5 t benchmark 12 元/t (:func:`carbon_cost`, with
  ``free_share = 8.5 / 8.7`` for the benchmark case).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import Literal, NamedTuple, get_args

import numpy as np
from numpy.typing import ArrayLike

from valueloop.core.datatables import DataTable, load_table
from valueloop.core.errors import (
    DimensionError,
    OptionError,
    OutOfBoundsError,
    UnknownParameterError,
)
from valueloop.core.model import Inputs
from valueloop.core.parameters import ParameterDeclaration
from valueloop.core.sources import Citation
from valueloop.core.units import conversion_factor

FACTOR_PREFIX = "carbon.factor."
"""Scenario parameters of factors are ``carbon.factor.<item id>``."""
GRID_UNIT = "kgCO2e/kWh"
"""Unit of every electricity factor this module returns (equal to tCO2e/MWh)."""
DEFAULT_FOOTPRINT_UNIT = "tCO2e/t"

Bound = Literal["value", "low", "high"]
GridKind = Literal["average", "residual", "fossil", "reporting", "combined_margin_firm",
                   "combined_margin_intermittent", "operating_margin"]
GRID_KINDS: tuple[str, ...] = get_args(GridKind)

BATTERY_CHEMISTRIES: tuple[str, ...] = ("NMC111", "NMC532", "NMC622", "NMC811", "NCA", "LCO")
"""Default chemistries of :func:`battery_contribution` (``chemistry_id`` in the shipped table)."""


# --- the factor registry ----------------------------------------------------------------------

@dataclass(frozen=True)
class CarbonFactor:
    """One row of a factor registry: a factor, its range, unit, scope and source."""

    item: str
    category: str
    value: float
    low: float
    high: float
    unit: str
    """Per unit of the item, e.g. ``kgCO2e/kg``, ``kgCO2e/m**3``, ``gCO2e/(t*km)``."""
    scope: str
    """``combustion``, ``cradle-to-gate``, ``process``, ``gate-to-grave`` or ``tank-to-wheel``."""
    basis: str
    """What one unit of the item is (e.g. "per kg of NaOH, 100 % basis")."""
    citation: Citation


@dataclass(frozen=True)
class FactorRegistry:
    """Carbon factors by item id, in the order of the table they come from."""

    factors: Mapping[str, CarbonFactor]

    @classmethod
    def from_table(cls, table: DataTable) -> FactorRegistry:
        """A registry from any table with the columns of the shipped ``carbon_factors``."""
        factors = {}
        for record, citation in zip(table.records(), table.citations, strict=True):
            item = str(record["item"])
            factors[item] = CarbonFactor(
                item=item, category=str(record["category"]), value=float(record["value"]),
                low=float(record["low"]), high=float(record["high"]), unit=str(record["unit"]),
                scope=str(record["scope"]), basis=str(record["basis"]), citation=citation)
        return cls(MappingProxyType(factors))

    @property
    def items(self) -> tuple[str, ...]:
        return tuple(self.factors)

    def __contains__(self, item: object) -> bool:
        return item in self.factors

    def __getitem__(self, item: str) -> CarbonFactor:
        try:
            return self.factors[item]
        except KeyError:
            raise UnknownParameterError(
                f"no carbon factor for item {item!r}", item=f"{FACTOR_PREFIX}{item}",
                allowed=", ".join(self.items)) from None

    def values(self, items: Sequence[str] | None = None, which: Bound = "value") -> np.ndarray:
        """Factors of ``items`` (all by default) as a new ``(K,)`` array, each in its own unit."""
        if which not in ("value", "low", "high"):
            raise OptionError(f"unknown bound {which!r}", item="which",
                              allowed="value, low, high")
        chosen = self.items if items is None else items
        return np.array([getattr(self[item], which) for item in chosen], dtype=float)

    def declarations(self, items: Sequence[str] | None = None
                     ) -> tuple[ParameterDeclaration, ...]:
        """Scenario parameters ``carbon.factor.<id>`` in the registry's units, bounds [0, inf)."""
        chosen = self.items if items is None else items
        return tuple(
            ParameterDeclaration(name=f"{FACTOR_PREFIX}{item}", unit=self[item].unit,
                                 description=f"Emission factor of {item} ({self[item].basis}; "
                                             f"{self[item].scope})",
                                 bounds=(0.0, math.inf))
            for item in chosen)

    def defaults(self, items: Sequence[str] | None = None, which: Bound = "value"
                 ) -> dict[str, float]:
        """Baseline values of :meth:`declarations` (a new dict on each call)."""
        chosen = self.items if items is None else tuple(items)
        return {f"{FACTOR_PREFIX}{item}": float(value)
                for item, value in zip(chosen, self.values(chosen, which), strict=True)}


@cache
def factor_registry() -> FactorRegistry:
    """The shipped carbon factor registry (table ``carbon_factors``), built once."""
    return FactorRegistry.from_table(load_table("carbon_factors"))


def stack_factors(inputs: Inputs, items: Sequence[str]) -> np.ndarray:
    """The engine's ``carbon.factor.<id>`` inputs side by side, ``(N, K)`` (N may be 1)."""
    missing = [item for item in items if f"{FACTOR_PREFIX}{item}" not in inputs]
    if missing:
        raise UnknownParameterError(
            f"inputs lack factor(s) {', '.join(missing)}", item=f"{FACTOR_PREFIX}{missing[0]}",
            allowed=", ".join(sorted(name for name in inputs if name.startswith(FACTOR_PREFIX))))
    columns = [np.atleast_1d(np.asarray(inputs[f"{FACTOR_PREFIX}{item}"], dtype=float))
               for item in items]
    return np.stack(np.broadcast_arrays(*columns), axis=-1)


# --- the footprint kernel ---------------------------------------------------------------------

class FootprintArrays(NamedTuple):
    """What :func:`footprint` returns."""

    breakdown: np.ndarray
    """``(N, K)``: amount times factor of each item."""
    total: np.ndarray
    """``(N,)``: the sum of the breakdown over items."""


def _matrix(value: ArrayLike, name: str) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    if array.ndim == 1:
        return array[None, :]
    if array.ndim != 2:
        raise OutOfBoundsError(f"must have shape (K,) or (N, K), got {array.shape}", item=name,
                               allowed="a 1-D array over items or a 2-D array samples x items")
    return array


def footprint(inventory: ArrayLike, factors: ArrayLike) -> FootprintArrays:
    """Breakdown and total of a footprint: ``breakdown[n, k] = inventory[n, k] * factors[n, k]``.

    Parameters
    ----------
    inventory : array_like, shape (N, K) or (K,)
        Amount of each of K items per functional unit (kg of reagent per t of product, t*km
        per t...), already in the units that make ``inventory * factors`` the footprint unit.
    factors : array_like, shape (K,) or (N, K)
        Emission factor of each item. A 1-D array is the same for every sample.

    Returns
    -------
    FootprintArrays
        ``breakdown`` ``(N, K)`` and ``total`` ``(N,)``, its sum over items (N is 1 when both
        inputs are 1-D). Negative amounts (credits, exported steam) are allowed.

    Raises
    ------
    OutOfBoundsError
        When the shapes do not have the same number of items or do not broadcast over samples.
    """
    amounts, per_item = _matrix(inventory, "inventory"), _matrix(factors, "factors")
    if amounts.shape[1] != per_item.shape[1]:
        raise OutOfBoundsError(
            f"has {amounts.shape[1]} items but factors has {per_item.shape[1]}",
            item="inventory", allowed="the same number of items K in both")
    if 1 not in (amounts.shape[0], per_item.shape[0]) and amounts.shape[0] != per_item.shape[0]:
        raise OutOfBoundsError(
            f"has {amounts.shape[0]} samples but factors has {per_item.shape[0]}",
            item="inventory", allowed="equal sample counts, or 1 for either")
    breakdown = amounts * per_item
    return FootprintArrays(breakdown, breakdown.sum(axis=-1))


Amount = tuple[ArrayLike, str]
"""An amount and its unit: a number or an ``(N,)`` array of samples, then a pint unit string."""


@dataclass(frozen=True)
class Footprint:
    """A footprint by item, with the unit and the source of each factor."""

    items: tuple[str, ...]
    breakdown: np.ndarray
    """``(N, K)`` in :attr:`unit`."""
    total: np.ndarray
    """``(N,)`` in :attr:`unit`."""
    unit: str
    citations: tuple[Citation | None, ...] = field(default=())
    """Source of each factor (``None`` where the caller supplied the factor)."""

    def shares(self) -> np.ndarray:
        """Each item's share of the total, ``(N, K)`` (NaN where the total is zero)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.breakdown / self.total[:, None]


def inventory_footprint(inventory: Mapping[str, Amount], *,
                        registry: FactorRegistry | None = None,
                        factors: Mapping[str, Amount] | None = None,
                        unit: str = DEFAULT_FOOTPRINT_UNIT, which: Bound = "value") -> Footprint:
    """Footprint of an inventory given as ``{item id: (amount, unit)}``.

    Units are converted once per item with pint: the amount unit times the factor unit must
    convert to ``unit``. ``{"sulfuric_acid": (1.8, "t/t"), "steam": (4.97, "t/t"),
    "road": (7360.0, "t*km/t")}`` per t of hydroxide gives tCO2e/t with the registry's
    ``kgCO2e/kg``, ``kgCO2e/t`` and ``gCO2e/(t*km)`` factors.

    Parameters
    ----------
    inventory
        Amount of each item per functional unit: a number or ``(N,)`` samples, and its unit.
    registry
        Factors by item; the shipped :func:`factor_registry` by default.
    factors
        Factors that replace the registry's (sampled factors, a grid factor for
        ``electricity``...): ``{item: (value or (N,) samples, unit)}``. Items not in the registry
        must be given here.
    unit
        Unit of the footprint (``tCO2e/t`` per t of product by default).
    which
        ``value``, ``low`` or ``high``: which registry figure to use.

    Raises
    ------
    UnknownParameterError
        For an item with no factor in ``factors`` or the registry.
    DimensionError
        When an amount's unit times its factor's unit does not convert to ``unit``.
    """
    registry = factor_registry() if registry is None else registry
    overrides = {} if factors is None else factors
    items = tuple(inventory)
    if not items:
        raise UnknownParameterError("the inventory is empty", item="inventory",
                                    allowed="at least one item id")
    amount_columns: list[np.ndarray] = []
    factor_columns: list[np.ndarray] = []
    citations: list[Citation | None] = []
    for item in items:
        amount, amount_unit = inventory[item]
        if item in overrides:
            factor, factor_unit = overrides[item]
            citations.append(None)
        else:
            row = registry[item]
            factor, factor_unit = getattr(row, which), row.unit
            citations.append(row.citation)
        scale = _scale(item, amount_unit, factor_unit, unit)
        amount_columns.append(np.atleast_1d(np.asarray(amount, dtype=float)) * scale)
        factor_columns.append(np.atleast_1d(np.asarray(factor, dtype=float)))
    amounts = np.stack(np.broadcast_arrays(*amount_columns), axis=-1)
    per_item = np.stack(np.broadcast_arrays(*factor_columns), axis=-1)
    result = footprint(amounts, per_item)
    return Footprint(items, result.breakdown, result.total, unit, tuple(citations))


def _scale(item: str, amount_unit: str, factor_unit: str, unit: str) -> float:
    try:
        return conversion_factor(f"({amount_unit})*({factor_unit})", unit, item=item)
    except DimensionError:
        raise DimensionError(
            f"amount unit {amount_unit!r} times factor unit {factor_unit!r} does not give "
            f"{unit!r}", item=f"inventory.{item}",
            allowed=f"an amount unit that times {factor_unit} converts to {unit}") from None


# --- grid electricity factors -----------------------------------------------------------------

@dataclass(frozen=True)
class GridFactor:
    """One electricity emission factor, in kgCO2e/kWh, with where it comes from."""

    place: str
    code: str
    kind: str
    year: int
    value: float
    """kgCO2e/kWh (:data:`GRID_UNIT`)."""
    table: str
    citation: Citation
    unit: str = GRID_UNIT


@dataclass(frozen=True)
class _Place:
    name: str
    code: str
    aliases: tuple[str, ...]
    table: str
    factors: tuple[GridFactor, ...]


@cache
def _grid_places() -> Mapping[str, _Place]:
    """Every place of both grid tables under its lower-case names and codes."""
    index: dict[str, _Place] = {}
    # Countries first, so that the MEE table wins on a shared name ("China"); the Ember/IFI
    # China stays reachable by its alpha-3 code CHN.
    countries = load_table("grid_emission_factors")
    china = load_table("china_grid_emission_factors")
    places = (*_places(countries, code="region_code", aliases=()),
              *_places(china, code="code", aliases=("region_zh",)))
    for place in places:
        for key in (place.name, place.code, *place.aliases):
            index[key.strip().lower()] = place
    return MappingProxyType(index)


def _places(table: DataTable, *, code: str, aliases: tuple[str, ...]) -> list[_Place]:
    scale = {unit: conversion_factor(str(unit), GRID_UNIT) for unit in set(table.column("unit"))}
    grouped: dict[str, list[GridFactor]] = {}
    first: dict[str, Mapping[str, object]] = {}
    for record, citation in zip(table.records(), table.citations, strict=True):
        place_code = str(record[code])
        first.setdefault(place_code, record)
        grouped.setdefault(place_code, []).append(GridFactor(
            place=str(record["region"]), code=place_code, kind=str(record["factor_kind"]),
            year=int(record["data_year"]),  # type: ignore[arg-type]
            value=float(record["value"]) * scale[record["unit"]],  # type: ignore[arg-type]
            table=table.name, citation=citation))
    return [_Place(str(first[c]["region"]), c, tuple(str(first[c][a]) for a in aliases),
                   table.name, tuple(factors))
            for c, factors in grouped.items()]


def grid_places() -> tuple[str, ...]:
    """The places :func:`grid_factor` knows, as ``name (code)``: MEE places, then countries."""
    unique = {(p.table, p.code): p for p in _grid_places().values()}
    ordered = sorted(unique.values(), key=lambda p: p.table != "china_grid_emission_factors")
    return tuple(f"{p.name} ({p.code})" for p in ordered)


def grid_factor(place: str, year: int | None = None, kind: GridKind = "average"
                ) -> GridFactor:
    """Electricity emission factor of a Chinese province or grid, or of a country.

    Parameters
    ----------
    place
        English or Chinese name, or code: ``"Guangxi"``, ``"广西"``, ``"CN-GX"``, ``"South
        China"`` (regional grid), ``"China"`` (MEE national); a country by name or ISO alpha-3
        code (``"DR Congo"``, ``"COD"``). ``"China"`` is the MEE national factor; the Ember
        figure for China is ``"CHN"``.
    year
        Data year; the latest available for the place and kind by default.
    kind
        ``average`` (location-based), ``residual`` (national average excluding market-traded
        non-fossil power, China only), ``fossil``, ``reporting`` (the 0.5703 carbon-market
        factor), or an IFI margin (``combined_margin_firm``, ``combined_margin_intermittent``,
        ``operating_margin``) for countries.

    Returns
    -------
    GridFactor
        The factor in kgCO2e/kWh with its table and citation.

    Raises
    ------
    OptionError
        For an unknown place (the message lists the known ones), a kind the place does not
        have, or a year without data (the message lists the years there are).
    """
    found = _grid_places().get(place.strip().lower())
    if found is None:
        raise OptionError(f"no grid factor for place {place!r}", item="place",
                          allowed=", ".join(grid_places()))
    if kind not in GRID_KINDS:
        raise OptionError(f"unknown kind of grid factor {kind!r}", item="kind",
                          allowed=", ".join(GRID_KINDS))
    of_kind = [f for f in found.factors if f.kind == kind]
    if not of_kind:
        kinds = sorted({f.kind for f in found.factors})
        raise OptionError(f"{found.name} has no {kind!r} factor", item="kind",
                          allowed=", ".join(kinds))
    years = sorted({f.year for f in of_kind})
    chosen_year = years[-1] if year is None else int(year)
    matches = [f for f in of_kind if f.year == chosen_year]
    if not matches:
        raise OptionError(f"{found.name} has no {kind!r} factor for {chosen_year}", item="year",
                          allowed=", ".join(str(y) for y in years))
    if len(matches) > 1:
        raise LookupError(f"{len(matches)} {kind} factors for {found.name} in {chosen_year}")
    return matches[0]


@dataclass(frozen=True)
class ElectricityFactors:
    """Scope-2 electricity factors, both ways (GHG Protocol Scope 2 Guidance), in kgCO2e/kWh."""

    location_based: np.ndarray
    """The grid average, whatever is bought: it describes the grid the plant draws on."""
    market_based: np.ndarray
    """``(1 - g) * EF_residual``: certified green power at zero, the rest at the residual mix."""
    sources: tuple[GridFactor, ...] = ()
    note: str = ""
    """How the residual factor was chosen, e.g. the fallback to the average (to disclose)."""
    unit: str = GRID_UNIT


def electricity_factor(average: ArrayLike, residual: ArrayLike,
                       green_share: ArrayLike = 0.0) -> ElectricityFactors:
    """Location-based and market-based electricity factors.

    .. math:: EF_{loc} = EF_{avg}, \\qquad EF_{mkt} = (1 - g)\\,EF_{residual}

    Parameters
    ----------
    average : array_like
        Grid average factor (kgCO2e/kWh), scalar or ``(N,)``.
    residual : array_like
        Residual-mix factor (kgCO2e/kWh): the average without the non-fossil power sold under
        certificates, so that green power is not counted twice. Where none is published, the
        GHG Protocol falls back to the average.
    green_share : array_like
        Certified green share ``g`` of the electricity bought, in [0, 1]. Power from the plant's
        own panels is not bought from the grid: take it out of the kWh instead.

    Returns
    -------
    ElectricityFactors
        Both arrays broadcast to the common shape of the inputs.
    """
    g = np.asarray(green_share, dtype=float)
    if np.any((g < 0.0) | (g > 1.0)) or np.any(np.isnan(g)):
        raise OutOfBoundsError("must lie in [0, 1]", item="green_share", allowed="0 <= g <= 1")
    location, share, ef_residual = np.broadcast_arrays(
        _non_negative(average, "average"), g, _non_negative(residual, "residual"))
    return ElectricityFactors(location.copy(), (1.0 - share) * ef_residual)


def grid_electricity_factors(place: str, year: int | None = None, green_share: ArrayLike = 0.0,
                             *, residual_place: str | None = None) -> ElectricityFactors:
    """:func:`electricity_factor` with both factors looked up by :func:`grid_factor`.

    The residual mix is that of ``residual_place`` (``place`` by default) for the same year. MEE
    publishes a residual factor only nationally: for a province it falls back to the province's
    average, as the GHG Protocol does when no residual mix exists, and :attr:`~ElectricityFactors.
    note` says so; pass ``residual_place="China"`` to use the national residual mix instead.
    """
    average = grid_factor(place, year, "average")
    target = place if residual_place is None else residual_place
    try:
        residual = grid_factor(target, average.year, "residual")
        note = f"residual mix of {residual.place} {residual.year}"
    except OptionError:
        if residual_place is not None:
            raise
        residual = average
        note = (f"no residual mix for {average.place} {average.year}: market-based uses the "
                "average (GHG Protocol Scope 2 fallback; disclose it)")
    factors = electricity_factor(average.value, residual.value, green_share)
    return ElectricityFactors(factors.location_based, factors.market_based,
                              (average, residual), note)


def _non_negative(value: ArrayLike, name: str) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    if np.any(array < 0.0) or np.any(np.isnan(array)):
        raise OutOfBoundsError("must be a non-negative number", item=name, allowed=">= 0")
    return array


# --- carbon cost --------------------------------------------------------------------------------

def carbon_cost(footprint: ArrayLike, carbon_price: ArrayLike,
                free_share: ArrayLike = 0.0) -> np.ndarray:
    """Cost of the emissions not covered by free allowances: ``F * P * (1 - s)``.

    Parameters
    ----------
    footprint : array_like
        Emissions per unit of product (tCO2e/t), e.g. ``(N,)``; use ``footprint[:, None]``
        against a price path ``(T,)``.
    carbon_price : array_like
        Price per tCO2e in any currency (60 CNY/tCO2e is the national ETS price report 2.2
        uses); the cost is in that currency per unit of product.
    free_share : array_like
        Share of the emissions covered by free allowances, in [0, 1]. A benchmark allocation
        ``B`` gives ``s = min(B / F, 1)``; 0 (the default) prices the whole footprint.

    Returns
    -------
    ndarray
        The inputs broadcast together.
    """
    share = np.asarray(free_share, dtype=float)
    if np.any((share < 0.0) | (share > 1.0)) or np.any(np.isnan(share)):
        raise OutOfBoundsError("must lie in [0, 1]", item="free_share", allowed="0 <= s <= 1")
    return (np.asarray(footprint, dtype=float) * np.asarray(carbon_price, dtype=float)
            * (1.0 - share))


# --- battery contribution -----------------------------------------------------------------------

@cache
def _cobalt_per_kwh() -> Mapping[str, float]:
    table = load_table("battery_mineral_intensity").where(mineral="Cobalt")
    scale = {unit: conversion_factor(str(unit), "kg/kWh") for unit in set(table.column("unit"))}
    return MappingProxyType({
        str(record["chemistry_id"]): float(record["kg_per_kwh"]) * scale[record["unit"]]
        for record in table.records()})


def cobalt_intensity(chemistries: Iterable[str] = BATTERY_CHEMISTRIES) -> np.ndarray:
    """Kilograms of cobalt per kWh of battery for each chemistry, ``(C,)``.

    From the shipped ``battery_mineral_intensity`` table (BatPaC 5.1 via Busch et al.; LCO by
    stoichiometry), keyed by ``chemistry_id``.
    """
    known = _cobalt_per_kwh()
    chosen = tuple(chemistries)
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise OptionError(f"no cobalt intensity for chemistry {unknown[0]!r}", item="chemistry",
                          allowed=", ".join(known))
    return np.array([known[c] for c in chosen], dtype=float)


def battery_contribution_kernel(footprint_per_t_cobalt: ArrayLike,
                                cobalt_per_kwh: ArrayLike) -> np.ndarray:
    """kgCO2e per kWh: ``footprint[n] * cobalt_per_kwh[c]``, shape ``(N, C)``.

    tCO2e per t of cobalt equals kgCO2e per kg of cobalt, so times kg Co/kWh it is kgCO2e/kWh.
    """
    per_cobalt = np.atleast_1d(np.asarray(footprint_per_t_cobalt, dtype=float))
    return per_cobalt[:, None] * np.asarray(cobalt_per_kwh, dtype=float)[None, :]


@dataclass(frozen=True)
class BatteryContribution:
    """A cobalt product's footprint per kWh of battery, by chemistry."""

    chemistries: tuple[str, ...]
    cobalt_per_kwh: np.ndarray
    """``(C,)`` kg Co per kWh of battery."""
    product_per_kwh: np.ndarray
    """``(C,)`` kg of the product (cobalt, or hydroxide at its Co content) per kWh, after the
    refining yield; kg/kWh equals t/GWh."""
    contribution: np.ndarray
    """``(N, C)`` kgCO2e per kWh of battery."""
    unit: str = "kgCO2e/kWh"


def battery_contribution(footprint: ArrayLike, chemistries: Iterable[str] = BATTERY_CHEMISTRIES,
                         *, co_content: float | None = None,
                         refining_yield: float = 1.0) -> BatteryContribution:
    """Contribution of a cobalt product's footprint to a battery's footprint per kWh.

    Parameters
    ----------
    footprint : array_like, scalar or (N,)
        tCO2e per t of contained cobalt, or per t of product when ``co_content`` is given.
    chemistries
        ``chemistry_id`` values of the shipped ``battery_mineral_intensity`` table.
    co_content : float, optional
        Cobalt mass fraction of the product (0.31 for the commercial hydroxide of report 1.1):
        the footprint is then per t of product and is divided by it.
    refining_yield : float, default 1
        Share of the product's cobalt that reaches the cathode; losses raise the product
        needed per kWh.

    Returns
    -------
    BatteryContribution
        ``contribution[n, c] = footprint_per_t_Co[n] * kgCo_per_kWh[c] / refining_yield``.
        Only this stage's footprint: refining to sulphate, precursor and cathode add their own.
    """
    if co_content is not None and not 0.0 < co_content <= 1.0:
        raise OutOfBoundsError(f"must lie in (0, 1], got {co_content}", item="co_content",
                               allowed="0 < co_content <= 1")
    if not 0.0 < refining_yield <= 1.0:
        raise OutOfBoundsError(f"must lie in (0, 1], got {refining_yield}",
                               item="refining_yield", allowed="0 < refining_yield <= 1")
    chosen = tuple(chemistries)
    cobalt = cobalt_intensity(chosen)
    content = 1.0 if co_content is None else float(co_content)
    per_cobalt = np.asarray(footprint, dtype=float) / content
    return BatteryContribution(
        chemistries=chosen, cobalt_per_kwh=cobalt,
        product_per_kwh=cobalt / (content * refining_yield),
        contribution=battery_contribution_kernel(per_cobalt, cobalt / refining_yield))
