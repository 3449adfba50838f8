"""The instance of the cobalt hydroxide facility-location model (report section 1.3).

:class:`LocationInstance` holds everything the MILP in :mod:`valueloop.models.location` needs as
plain read-only numpy arrays: candidate sites ``I`` and demand clusters ``J``, road distances,
the per-tonne costs of each site and the fixed cost of opening it. :func:`build_instance` makes
the shipped instance from the province table ``location_provinces`` (every row with its source)
and the scalar :class:`LocationParameters` (every default with its source below);
:func:`jittered_instance` makes larger synthetic instances from it for benchmarks.

Cost of one tonne of hydroxide made at site ``i`` and delivered to cluster ``j`` (元/t):

* transport: ``freight_tariff * distance_ij``, with ``distance = max(great circle * circuity,
  min_distance_km)`` between province capitals;
* electricity: ``kWh/t * power_price_i``;
* carbon: ``carbon_price * (kWh/t * grid_factor_i + other tCO2e/t)``;
* environment: ``environment_cost_share_i * environment_cost_base``;
* labour: ``labour_cost_index_i * wage / output per head``;

plus a fixed cost per open site, ``capital_charge * capacity_i`` (元/yr). Capacity is derated by
OEE: a site delivers at most ``capacity_i * oee_i`` t/yr.

Where the inputs disagree with the report's own derived figures
---------------------------------------------------------------
- The freight tariff is calibrated on the report's Qinzhou-Changzhou road freight, 850-1,100
  元/t (middle 975). That is 0.47 % of the 2024 price of 20.8 万元/t, not the "4.1-5.3 %" the
  report states for logistics; the report's percentages divide by 2.08 万元/t.
- 3.1 attributes 6.1 of 8.7 tCO2e/t to electricity; 3,000 kWh/t at the MEE 2022 provincial
  factors (0.14-0.64 kg/kWh) gives 0.4-1.9 t. We keep 8.7 - 6.1 = 2.6 t as the non-electricity
  part and compute electricity from the grid factors, so our footprints are far below 8.7 t.
- GGII's demand shares, 51.2 % and 28.6 %, leave 20.2 % for the central-west, which the report
  calls "less than 20 %".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict, Field

from valueloop.core.datatables import DataTable, load_table
from valueloop.core.errors import OutOfBoundsError, ScenarioStructureError, ShareGroupError
from valueloop.core.units import convert_value
from valueloop.models.finance import annuity_factor

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), for great-circle distances."""

SITE_QUANTITIES: Mapping[str, str] = MappingProxyType({
    "latitude": "degree", "longitude": "degree", "power_price": "CNY/kWh",
    "grid_factor": "kgCO2e/kWh", "environment_cost_share": "dimensionless",
    "labour_cost_index": "dimensionless", "oee": "dimensionless", "capacity_limit": "t/yr",
    "capacity_share": "dimensionless",
})
"""Quantities every candidate site has in the province table, and the unit the model uses."""
CLUSTER_QUANTITIES: Mapping[str, str] = MappingProxyType({
    "latitude": "degree", "longitude": "degree", "demand_group_share": "dimensionless",
    "demand_within_group_share": "dimensionless",
})
_SHARE_TOLERANCE = 1e-6
"""Shares in the table are rounded to 6 decimals of a percent; they must add up within this."""


class LocationParameters(BaseModel):
    """Scalar inputs of the location model; every default has its source in the table below.

    "report" is the seed report ``seed-004`` by section.

    ====================  ==========  ======================================================
    field                 default     source
    ====================  ==========  ======================================================
    total_demand          118,000     report 1.1: hydroxide actually consumed in 2024, 11.8
                                      万吨 (t/yr). The README questions its basis (contained
                                      cobalt or hydroxide); it is a parameter.
    capacity_today        186,000     report 1.1: national capacity end-2024, 18.6 万吨 (CNIA)
    electricity           3,000       report 1.3: 2,800-3,200 kWh/t of hydroxide, middle
    other_emissions       2.6         report 3.1: 8.7 tCO2e/t in total less 6.1 indirect
                                      (electricity): steam, reagents, hazardous waste
    carbon_price          60          report 2.2, 3.1: national carbon market about 60 元/t
    environment_cost_ref  2,000       report 3.2 table: primary hydromet after the new rules,
                                      2,000 元/t ...
    environment_share_ref 0.072       ... being 7.2 % of operating cost, so the base on which
                                      1.3's shares (9.3 %, 6.1 %) are read is 27,778 元/t
    wage                  120,000     assumption: all-in cost per head of a Chinese chemical
                                      plant, order 10-15 万元/yr; no document
    output_per_head       100         assumption: between report 2.1's 60 t (semi-automatic)
                                      and 150 t (automatic) per head and year
    capex_per_capacity    42,000      report 2.1: 4.2 亿元 for a 10,000 t/yr plant (元 per t/yr)
    capex_life            10          report 2.1: depreciated over 10 years
    capital_rate          0.058       report 2.3: average loan rate of smaller producers
                                      (5.8 %; 3.2 % for leaders); a loan rate, not a WACC
    circuity              1.3         assumption: road over great-circle distance; typical
                                      road-network detour factors lie around 1.2-1.4
    min_distance_km       100         assumption: delivery inside one province still travels
    freight_low/high      850, 1,100  report 1.3: road freight Qinzhou-Changzhou, 元/t
    calibration_from/to   Qinzhou, Changzhou city coordinates (assumption: public
                                      geographic facts, rounded to 0.01 degree)
    price                 208,000     report 1.1: SMM 2024 average of hydroxide (Co 31 %),
                                      20.8 万元/t
    ====================  ==========  ======================================================
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    total_demand: float = Field(118_000.0, gt=0.0, description="t/yr of hydroxide")
    capacity_today: float = Field(186_000.0, gt=0.0, description="t/yr nameplate, today")
    electricity: float = Field(3_000.0, ge=0.0, description="kWh/t")
    other_emissions: float = Field(2.6, ge=0.0, description="tCO2e/t, not from electricity")
    carbon_price: float = Field(60.0, ge=0.0, description="元/tCO2e")
    environment_cost_ref: float = Field(2_000.0, ge=0.0, description="元/t")
    environment_share_ref: float = Field(0.072, gt=0.0, le=1.0, description="share of opex")
    wage: float = Field(120_000.0, ge=0.0, description="元 per head and year")
    output_per_head: float = Field(100.0, gt=0.0, description="t per head and year")
    capex_per_capacity: float = Field(42_000.0, ge=0.0, description="元 per t/yr of capacity")
    capex_life: float = Field(10.0, gt=0.0, description="years")
    capital_rate: float = Field(0.058, gt=-1.0, description="per year")
    circuity: float = Field(1.3, ge=1.0, description="road / great-circle distance")
    min_distance_km: float = Field(100.0, ge=0.0, description="km")
    freight_low: float = Field(850.0, gt=0.0, description="元/t, Qinzhou-Changzhou")
    freight_high: float = Field(1_100.0, gt=0.0, description="元/t, Qinzhou-Changzhou")
    calibration_from: tuple[float, float] = (21.98, 108.65)
    """Qinzhou (latitude, longitude), degrees."""
    calibration_to: tuple[float, float] = (31.81, 119.97)
    """Changzhou (latitude, longitude), degrees."""
    price: float = Field(208_000.0, gt=0.0, description="元/t of hydroxide, 2024 average")

    @property
    def environment_cost_base(self) -> float:
        """Operating cost on which the environmental shares are read, 元/t (27,778)."""
        return self.environment_cost_ref / self.environment_share_ref

    @property
    def labour_cost_reference(self) -> float:
        """Labour per tonne at index 1, 元/t (wage / output per head)."""
        return self.wage / self.output_per_head

    @property
    def capital_charge(self) -> float:
        """Annualised capex per t/yr of capacity, 元/yr: capex / annuity factor (5,653)."""
        return self.capex_per_capacity / float(annuity_factor(self.capital_rate,
                                                              self.capex_life))

    @property
    def calibration_distance_km(self) -> float:
        """Road distance Qinzhou-Changzhou as the model measures it (2,034 km)."""
        gc = great_circle_km(*self.calibration_from, *self.calibration_to)
        return max(float(gc) * self.circuity, self.min_distance_km)

    @property
    def freight_tariff(self) -> float:
        """元 per t·km such that Qinzhou-Changzhou costs the middle of 850-1,100 元/t (0.479)."""
        return 0.5 * (self.freight_low + self.freight_high) / self.calibration_distance_km


def great_circle_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike,
                    lon2: ArrayLike) -> np.ndarray:
    """Great-circle distance in km (haversine), broadcasting over its arguments (degrees)."""
    p1, l1, p2, l2 = (np.radians(np.asarray(a, dtype=float)) for a in (lat1, lon1, lat2, lon2))
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def road_distance_km(site_lat: ArrayLike, site_lon: ArrayLike, cluster_lat: ArrayLike,
                     cluster_lon: ArrayLike, *, circuity: float,
                     min_distance_km: float) -> np.ndarray:
    """Road distances ``(I, J)``: great circle times circuity, at least ``min_distance_km``."""
    gc = great_circle_km(np.asarray(site_lat, float)[:, None], np.asarray(site_lon, float)[:, None],
                         np.asarray(cluster_lat, float)[None, :],
                         np.asarray(cluster_lon, float)[None, :])
    return np.maximum(gc * circuity, min_distance_km)


def _frozen(values: ArrayLike, name: str, shape: tuple[int, ...]) -> np.ndarray:
    array = np.array(values, dtype=float)  # a private copy: callers keep theirs mutable
    if array.shape != shape:
        raise ScenarioStructureError(f"has shape {array.shape}", item=name,
                                     allowed=f"shape {shape}")
    if not np.all(np.isfinite(array)):
        raise OutOfBoundsError("has values that are not finite numbers", item=name)
    if np.any(array < 0.0):
        raise OutOfBoundsError(f"has negative values (smallest {array.min():g})", item=name,
                               allowed="values >= 0")
    array.flags.writeable = False
    return array


_ARRAY_FIELDS = ("distance_km", "power_price", "grid_factor", "environment_cost",
                 "labour_cost", "capacity", "oee", "fixed_cost", "demand", "today_capacity")


@dataclass(frozen=True, eq=False)
class LocationInstance:
    """One facility-location problem: ``I`` candidate sites, ``J`` demand clusters.

    Arrays are copied and made read-only on construction. Units: t/yr for flows, capacities
    and demand; 元 for money; km; kWh; kgCO2e/kWh for grid factors; tCO2e for emissions.
    """

    site_ids: tuple[str, ...]
    cluster_ids: tuple[str, ...]
    distance_km: np.ndarray
    """Road distance from site ``i`` to cluster ``j``, shape ``(I, J)``."""
    freight_tariff: float
    """元 per t·km."""
    electricity: float
    """kWh per t of hydroxide."""
    power_price: np.ndarray
    """元/kWh, shape ``(I,)``."""
    grid_factor: np.ndarray
    """kgCO2e/kWh, shape ``(I,)``."""
    other_emissions: float
    """tCO2e per t not from electricity (steam, reagents, waste), the same everywhere."""
    environment_cost: np.ndarray
    """元/t, shape ``(I,)``."""
    labour_cost: np.ndarray
    """元/t, shape ``(I,)``."""
    capacity: np.ndarray
    """Nameplate capacity of a plant opened at site ``i``, t/yr."""
    oee: np.ndarray
    """Share of nameplate a site delivers, in (0, 1]."""
    fixed_cost: np.ndarray
    """元/yr paid if site ``i`` opens (annualised capex of its capacity)."""
    demand: np.ndarray
    """t/yr of cluster ``j``."""
    today_capacity: np.ndarray
    """Nameplate capacity in place today, t/yr (zero where there is none)."""
    capital_charge: float
    """元/yr per t/yr of nameplate: the fixed cost of today's capacity is this times it."""
    carbon_price: float = 0.0
    """元/tCO2e."""
    price: float = math.nan
    """Hydroxide price, 元/t, to express savings as a share of it."""
    site_names: tuple[str, ...] = field(default=())
    cluster_names: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        n_sites, n_clusters = len(self.site_ids), len(self.cluster_ids)
        for ids, label in ((self.site_ids, "site_ids"), (self.cluster_ids, "cluster_ids")):
            if not ids or len(set(ids)) != len(ids):
                raise ScenarioStructureError("must be non-empty and unique", item=label)
        shapes = {"distance_km": (n_sites, n_clusters), "demand": (n_clusters,)}
        for name in _ARRAY_FIELDS:
            value = _frozen(getattr(self, name), name, shapes.get(name, (n_sites,)))
            object.__setattr__(self, name, value)
        if np.any((self.oee <= 0.0) | (self.oee > 1.0)):
            raise OutOfBoundsError("must lie in (0, 1]", item="oee")
        for name in ("freight_tariff", "electricity", "other_emissions", "capital_charge",
                     "carbon_price"):
            value = float(getattr(self, name))
            if not math.isfinite(value) or value < 0.0:
                raise OutOfBoundsError(f"is {value!r}", item=name, allowed="a finite value >= 0")
        for names, ids, label in ((self.site_names, self.site_ids, "site_names"),
                                  (self.cluster_names, self.cluster_ids, "cluster_names")):
            if names and len(names) != len(ids):
                raise ScenarioStructureError(f"has {len(names)} names for {len(ids)} ids",
                                             item=label)
            if not names:
                object.__setattr__(self, label, tuple(ids))

    # --- derived costs (元/t unless stated) -------------------------------------------------

    @property
    def n_sites(self) -> int:
        return len(self.site_ids)

    @property
    def n_clusters(self) -> int:
        return len(self.cluster_ids)

    @cached_property
    def transport_cost(self) -> np.ndarray:
        """元/t from site ``i`` to cluster ``j``, shape ``(I, J)``."""
        return _readonly(self.distance_km * self.freight_tariff)

    @cached_property
    def electricity_cost(self) -> np.ndarray:
        return _readonly(self.electricity * self.power_price)

    @cached_property
    def emission_intensity(self) -> np.ndarray:
        """tCO2e per t made at site ``i``: electricity at the grid factor plus the rest."""
        return _readonly(self.electricity * self.grid_factor / 1_000.0 + self.other_emissions)

    @cached_property
    def carbon_cost(self) -> np.ndarray:
        return _readonly(self.carbon_price * self.emission_intensity)

    @cached_property
    def production_cost(self) -> np.ndarray:
        """Electricity + carbon + environment + labour, 元/t at site ``i``."""
        return _readonly(self.electricity_cost + self.carbon_cost + self.environment_cost
                         + self.labour_cost)

    @cached_property
    def unit_cost(self) -> np.ndarray:
        """Cost of one tonne made at ``i`` and delivered to ``j``, shape ``(I, J)``."""
        return _readonly(self.transport_cost + self.production_cost[:, None])

    @cached_property
    def effective_capacity(self) -> np.ndarray:
        """t/yr a plant at site ``i`` delivers: nameplate times OEE."""
        return _readonly(self.capacity * self.oee)

    @property
    def today_fixed_cost(self) -> np.ndarray:
        """元/yr of today's capacity: capital charge times today's nameplate."""
        return _readonly(self.capital_charge * self.today_capacity)

    def site_index(self, site: str) -> int:
        """Index of a site by id or name."""
        for labels in (self.site_ids, self.site_names):
            if site in labels:
                return labels.index(site)
        raise ScenarioStructureError(f"no candidate site {site!r}", item="site",
                                     allowed=", ".join(self.site_ids))

    def with_carbon_price(self, carbon_price: float) -> LocationInstance:
        """The same instance at another carbon price (元/tCO2e)."""
        return replace(self, carbon_price=float(carbon_price))

    def replace(self, **changes: object) -> LocationInstance:
        """A copy with some fields changed (validated again)."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ScenarioStructureError(f"unknown field(s) {', '.join(unknown)}",
                                         item="LocationInstance", allowed=", ".join(sorted(known)))
        return replace(self, **changes)  # type: ignore[arg-type]


def _readonly(array: np.ndarray) -> np.ndarray:
    out = np.array(array, dtype=float)
    out.flags.writeable = False
    return out


# --- the shipped instance ------------------------------------------------------------------


@dataclass(frozen=True)
class _Province:
    name: str
    code: str
    region: str
    demand_group: str | None
    values: Mapping[str, float]


def _provinces(table: DataTable) -> tuple[_Province, ...]:
    """Rows grouped by province, each value converted to the unit the model uses."""
    first: dict[str, dict[str, object]] = {}
    values: dict[str, dict[str, float]] = {}
    for index, row in enumerate(table.records()):
        code = str(row["province_code"])
        first.setdefault(code, row)
        quantity = str(row["quantity"])
        unit = SITE_QUANTITIES.get(quantity) or CLUSTER_QUANTITIES[quantity]
        values.setdefault(code, {})[quantity] = convert_value(
            float(row["value"] or 0.0), str(row["unit"]), unit,
            item=f"{table.name} row {index + 1} ({code} {quantity})")
    return tuple(
        _Province(name=str(row["province"]), code=code, region=str(row["region"]),
                  demand_group=str(row["demand_group"]) if row["demand_group"] else None,
                  values=MappingProxyType(values[code]))
        for code, row in first.items())


def _check_shares(shares: Sequence[float], label: str) -> None:
    total = float(np.sum(shares))
    if abs(total - 1.0) > _SHARE_TOLERANCE:
        raise ShareGroupError(f"add up to {total:.6%}", item=label, allowed="100 %")


def build_instance(parameters: LocationParameters | None = None,
                   table: DataTable | None = None) -> LocationInstance:
    """The shipped instance: candidate sites and demand clusters of ``location_provinces``.

    Parameters
    ----------
    parameters
        Scalar inputs; :class:`LocationParameters` defaults (each with its source) when None.
    table
        The province table; the shipped ``location_provinces`` when None (pass a table read
        with :func:`valueloop.core.datatables.read_table` to try another).

    Returns
    -------
    LocationInstance
        Sites: provinces with every quantity of :data:`SITE_QUANTITIES`. Clusters: provinces
        with a demand group; demand = total * group share * share within the group.

    Raises
    ------
    ShareGroupError
        If today's capacity shares, the group shares or the within-group shares do not add up.
    ScenarioStructureError
        If a province has only some of the site or cluster quantities.
    """
    p = parameters or LocationParameters()
    provinces = _provinces(table or load_table("location_provinces"))
    sites = [v for v in provinces if _has(v, SITE_QUANTITIES, "site")]
    clusters = [v for v in provinces if _has(v, CLUSTER_QUANTITIES, "cluster")]
    if not sites or not clusters:
        raise ScenarioStructureError("needs at least one candidate site and one demand cluster",
                                     item="location_provinces")
    for cluster in clusters:
        if cluster.demand_group is None:
            raise ScenarioStructureError("has demand shares but no demand_group",
                                         item=f"location_provinces {cluster.code}")

    def column(rows: Sequence[_Province], quantity: str) -> np.ndarray:
        return np.array([r.values[quantity] for r in rows])

    groups: dict[str, list[_Province]] = {}
    for cluster in clusters:
        groups.setdefault(str(cluster.demand_group), []).append(cluster)
    group_share = {}
    for name, members in groups.items():
        shares = {m.values["demand_group_share"] for m in members}
        if len(shares) != 1:
            raise ShareGroupError(f"group {name!r} has different shares {sorted(shares)}",
                                  item="demand_group_share")
        group_share[name] = shares.pop()
        _check_shares(column(members, "demand_within_group_share"),
                      f"demand_within_group_share of {name}")
    _check_shares(list(group_share.values()), "demand_group_share")
    capacity_share = column(sites, "capacity_share")
    _check_shares(capacity_share, "capacity_share")

    demand = p.total_demand * np.array([group_share[str(c.demand_group)]
                                        * c.values["demand_within_group_share"]
                                        for c in clusters])
    capacity = column(sites, "capacity_limit")
    return LocationInstance(
        site_ids=tuple(s.code for s in sites), cluster_ids=tuple(c.code for c in clusters),
        site_names=tuple(s.name for s in sites), cluster_names=tuple(c.name for c in clusters),
        distance_km=road_distance_km(column(sites, "latitude"), column(sites, "longitude"),
                                     column(clusters, "latitude"), column(clusters, "longitude"),
                                     circuity=p.circuity, min_distance_km=p.min_distance_km),
        freight_tariff=p.freight_tariff, electricity=p.electricity,
        power_price=column(sites, "power_price"), grid_factor=column(sites, "grid_factor"),
        other_emissions=p.other_emissions,
        environment_cost=column(sites, "environment_cost_share") * p.environment_cost_base,
        labour_cost=column(sites, "labour_cost_index") * p.labour_cost_reference,
        capacity=capacity, oee=column(sites, "oee"), fixed_cost=p.capital_charge * capacity,
        demand=demand, today_capacity=capacity_share * p.capacity_today,
        capital_charge=p.capital_charge, carbon_price=p.carbon_price, price=p.price)


def _has(province: _Province, quantities: Mapping[str, str], kind: str) -> bool:
    """Whether a province is a site (cluster); an incomplete set of quantities is an error."""
    own = set(quantities) - {"latitude", "longitude"}
    present = own & set(province.values)
    if present and present != own:
        raise ScenarioStructureError(
            f"has {kind} quantities {sorted(present)} but lacks {sorted(own - present)}",
            item=f"location_provinces {province.code}")
    if present and not {"latitude", "longitude"} <= set(province.values):
        raise ScenarioStructureError("lacks latitude/longitude",
                                     item=f"location_provinces {province.code}")
    return bool(present)


def jittered_instance(base: LocationInstance, n_sites: int, n_clusters: int, *,
                      seed: int = 0, coordinate_jitter_km: float = 150.0,
                      cost_jitter: float = 0.1) -> LocationInstance:
    """A larger synthetic instance: copies of ``base``'s sites and clusters, jittered.

    Site ``k`` copies base site ``k mod I``, cluster ``m`` base cluster ``m mod J``. Distances
    move by a uniform random factor ``1 ± coordinate_jitter_km / mean distance`` (at least the
    base's smallest distance), per-site costs and grid factors by ``1 ± cost_jitter``. Each base
    cluster's demand is split evenly over its copies, so total demand is unchanged, and
    capacities (candidate and today's) are scaled by ``I / n_sites``, so their totals stay about
    the base's.

    Parameters
    ----------
    base
        The instance to copy (the shipped one for the benchmark).
    n_sites, n_clusters
        Sizes of the new instance (at least 1 each).
    seed
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same instance.
    """
    if n_sites < 1 or n_clusters < 1:
        raise OutOfBoundsError(f"got {n_sites} sites and {n_clusters} clusters",
                               item="n_sites/n_clusters", allowed="at least 1 each")
    rng = np.random.default_rng(seed)
    si = np.arange(n_sites) % base.n_sites
    cj = np.arange(n_clusters) % base.n_clusters
    copies = np.bincount(cj, minlength=base.n_clusters)[cj]
    relative = coordinate_jitter_km / float(np.mean(base.distance_km))
    distance = base.distance_km[np.ix_(si, cj)] * rng.uniform(1 - relative, 1 + relative,
                                                               (n_sites, n_clusters))
    distance = np.maximum(distance, float(base.distance_km.min()))

    def jitter(values: np.ndarray) -> np.ndarray:
        return values[si] * rng.uniform(1 - cost_jitter, 1 + cost_jitter, n_sites)

    scale = base.n_sites / n_sites  # keeps total capacity about the base's
    capacity = base.capacity[si] * scale
    return LocationInstance(
        site_ids=tuple(f"{base.site_ids[k]}-{n}" for n, k in enumerate(si)),
        cluster_ids=tuple(f"{base.cluster_ids[k]}-{m}" for m, k in enumerate(cj)),
        distance_km=distance, freight_tariff=base.freight_tariff, electricity=base.electricity,
        power_price=jitter(base.power_price), grid_factor=jitter(base.grid_factor),
        other_emissions=base.other_emissions,
        environment_cost=jitter(base.environment_cost), labour_cost=jitter(base.labour_cost),
        capacity=capacity, oee=base.oee[si],
        fixed_cost=base.capital_charge * capacity,
        demand=base.demand[cj] / copies,
        today_capacity=base.today_capacity[si] * scale,
        capital_charge=base.capital_charge, carbon_price=base.carbon_price, price=base.price)
