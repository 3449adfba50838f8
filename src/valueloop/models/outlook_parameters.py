"""What the cobalt outlook model needs: its parameter declarations, axes and labels.

Kept apart from the computation so that the scenario, the docs and ``valueloop models
cobalt-outlook`` read the same list.
"""

from __future__ import annotations

import math

from valueloop.core.parameters import ParameterDeclaration
from valueloop.models.cobalt_balance import PARAMETERS as BALANCE_PARAMETERS

FLEET_YEARS = tuple(range(2015, 2036))
"""Years the fleet and recycling model runs over (batteries sold before 2020 retire later)."""
OUTPUT_YEARS = tuple(range(2020, 2036))
ANCHOR_YEAR = 2024
"""The last year the report observes; S-curves are anchored on it."""
LAST_OBSERVED_SALES = 2023
"""The last historical year of the IEA Global EV Data 2024."""
HORIZON = 2035

EV_REGIONS = ("china", "europe", "usa", "rest")
VEHICLE_GROUPS = ("light", "heavy")
"""light: cars and vans; heavy: buses and trucks (IEA modes)."""
POWERTRAINS = ("bev", "phev")
MIX_MARKETS = ("china", "rest")
"""Chemistry mixes: China's, and one for the rest of the world."""
NON_BATTERY_USES = ("superalloys", "hard_metals", "catalysts", "pigments_other")
ORIGINS = ("drc", "indonesia", "other")
PROVINCES = ("guangxi", "jiangxi", "hunan", "other")

_POSITIVE = (0.0, math.inf)
_FRACTION = (0.0, 1.0)
_RATE = (-2.0, 2.0)


def _p(name: str, unit: str, description: str,
       bounds: tuple[float, float] = _POSITIVE) -> ParameterDeclaration:
    return ParameterDeclaration(name=name, unit=unit, description=description, bounds=bounds)


def _series(name: str, unit: str, description: str, index_name: str = "year"
            ) -> ParameterDeclaration:
    return ParameterDeclaration(name=name, unit=unit, description=description, bounds=_POSITIVE,
                                shape="series", index_name=index_name)


def _sales() -> list[ParameterDeclaration]:
    declared = []
    for region in EV_REGIONS:
        for group in VEHICLE_GROUPS:
            for powertrain in POWERTRAINS:
                declared.append(_series(
                    f"ev.sales.{region}.{group}.{powertrain}", "vehicle/yr",
                    f"New {powertrain.upper()} {group} EV sales in {region}, 2015-2035"))
        declared.append(_p(f"ev.sales_deviation.{region}", "dimensionless",
                           f"Relative deviation of {region} EV sales from the path by 2035 "
                           "(0 = as projected; history is not changed)", (-0.9, 3.0)))
    return declared


def _packs() -> list[ParameterDeclaration]:
    declared = [_p(f"ev.pack_kwh.{group}.{powertrain}", "kWh/vehicle",
                   f"Average battery capacity of a new {powertrain.upper()} {group} vehicle, "
                   f"{ANCHOR_YEAR}")
                for group in VEHICLE_GROUPS for powertrain in POWERTRAINS]
    declared.append(_p("ev.pack_kwh_growth", "1/yr", "Yearly growth of average pack capacity",
                       _RATE))
    return declared


def _mix(market: str) -> list[ParameterDeclaration]:
    prefix = f"chem.{market}"
    declared = [
        _p(f"{prefix}.lfp_share", "dimensionless",
           f"LFP-family share of non-sodium EV batteries in {market}, {ANCHOR_YEAR}", _FRACTION),
        _p(f"{prefix}.lfp_saturation", "dimensionless", "Long-run LFP-family share", _FRACTION),
        _p(f"{prefix}.lfp_rate", "1/yr", "Logistic rate of the LFP-family share", _RATE),
        _p(f"{prefix}.high_nickel_share", "dimensionless",
           f"NCM811 + 9-series share of ternary EV batteries in {market}, {ANCHOR_YEAR}",
           _FRACTION),
        _p(f"{prefix}.high_nickel_saturation", "dimensionless", "Long-run high-nickel share",
           _FRACTION),
        _p(f"{prefix}.high_nickel_rate", "1/yr", "Logistic rate of the high-nickel share",
           _RATE),
    ]
    for chemistry in ("nmc111", "nmc532", "nmc622", "nca"):
        declared.append(ParameterDeclaration(
            name=f"{prefix}.low_nickel.{chemistry}", unit="dimensionless",
            description=f"{chemistry.upper()} fraction of low-nickel ternary batteries in "
                        f"{market}", bounds=_FRACTION))
    return declared


def _shared_mix() -> list[ParameterDeclaration]:
    return [
        _p("chem.lmfp.share", "dimensionless", f"LMFP share of the LFP family, {ANCHOR_YEAR}",
           _FRACTION),
        _p("chem.lmfp.saturation", "dimensionless", "Long-run LMFP share of the LFP family",
           _FRACTION),
        _p("chem.lmfp.rate", "1/yr", "Logistic rate of the LMFP share", _RATE),
        _p("chem.nine_series.share", "dimensionless",
           f"9-series share of high-nickel batteries, {ANCHOR_YEAR}", _FRACTION),
        _p("chem.nine_series.saturation", "dimensionless", "Long-run 9-series share", _FRACTION),
        _p("chem.nine_series.rate", "1/yr", "Logistic rate of the 9-series share", _RATE),
        _p("chem.sib.launch_year", "yr", "Year sodium-ion traction batteries start to diffuse",
           (2015.0, 2035.0)),
        _p("chem.sib.innovation", "dimensionless", "Bass innovation coefficient p of sodium-ion",
           (1e-6, 1.0)),
        _p("chem.sib.imitation", "dimensionless", "Bass imitation coefficient q of sodium-ion",
           (0.0, 2.0)),
        _p("chem.sib.potential", "dimensionless", "Market potential m of sodium-ion (share)",
           _FRACTION),
    ]


def _other_uses() -> list[ParameterDeclaration]:
    return [
        _p("storage.gwh_2024", "GWh/yr", f"Stationary storage batteries deployed, {ANCHOR_YEAR}"),
        _p("storage.growth", "1/yr", "Yearly growth of stationary storage deployments", _RATE),
        _p("storage.ternary_share", "dimensionless",
           f"Share of storage batteries with NCM cathodes, {ANCHOR_YEAR}", _FRACTION),
        _p("storage.ternary_floor", "dimensionless", "Long-run NCM share in storage", _FRACTION),
        _p("storage.ternary_rate", "1/yr", "Logistic rate of the NCM share in storage", _RATE),
        _p("portable.gwh_2024", "GWh/yr",
           f"Batteries for consumer electronics and other portables, {ANCHOR_YEAR}"),
        _p("portable.growth", "1/yr", "Yearly growth of portable battery demand", _RATE),
        _p("portable.lco_share", "dimensionless", "LCO share of portable batteries", _FRACTION),
    ]


def _cobalt_content() -> list[ParameterDeclaration]:
    declared = [_p(f"battery.co_intensity.{chemistry}", "kg/kWh",
                   f"Cobalt per kWh of {chemistry.upper()} battery capacity")
                for chemistry in ("nmc111", "nmc532", "nmc622", "nmc811", "nmc9", "nca", "lco")]
    declared += [
        _p("battery.co_thrifting", "1/yr",
           f"Yearly fall of cobalt per kWh within each chemistry after {ANCHOR_YEAR}", _FRACTION),
        _p("battery.cell_yield", "dimensionless",
           "Share of cathode cobalt that ends in good cells (the rest is manufacturing scrap)",
           (0.5, 1.0)),
        _p("battery.cathode_yield", "dimensionless",
           "Cobalt yield from refined cobalt to cathode active material", (0.5, 1.0)),
        _p("china.share.ternary_cathode", "dimensionless",
           "China's share of the world's ternary precursor and cathode output", _FRACTION),
        _p("china.share.lco_cathode", "dimensionless", "China's share of LCO cathode output",
           _FRACTION),
    ]
    return declared


def _non_battery() -> list[ParameterDeclaration]:
    declared = [_p(f"china.nonbattery.{use}", "t/yr",
                   f"Cobalt used in China for {use.replace('_', ' ')}, {ANCHOR_YEAR}")
                for use in NON_BATTERY_USES]
    declared += [
        _p("china.nonbattery.growth", "1/yr", "Yearly growth of non-battery cobalt use in China",
           _RATE),
        _p("world.nonbattery", "t/yr", f"Non-battery cobalt use worldwide, {ANCHOR_YEAR}"),
        _p("world.nonbattery_growth", "1/yr", "Yearly growth of non-battery cobalt use", _RATE),
    ]
    return declared


def _recycling() -> list[ParameterDeclaration]:
    return [
        _p("fleet.ev_lifetime_mean", "yr", "Mean service life of EV batteries (Weibull)",
           (1.0, 40.0)),
        _p("fleet.ev_lifetime_shape", "dimensionless", "Weibull shape of EV battery life",
           (0.5, 20.0)),
        _p("fleet.portable_lifetime", "yr", "Service life of portable batteries (fixed)",
           (1.0, 15.0)),
        _p("recycling.ev_collection", "dimensionless",
           f"Share of end-of-life EV battery cobalt reaching a recycler, {ANCHOR_YEAR}",
           _FRACTION),
        _p("recycling.ev_collection_saturation", "dimensionless",
           "Long-run collection share of EV batteries", _FRACTION),
        _p("recycling.ev_collection_rate", "1/yr", "Logistic rate of EV battery collection",
           _RATE),
        _p("recycling.portable_collection", "dimensionless",
           "Share of end-of-life portable battery cobalt reaching a recycler", _FRACTION),
        _p("recycling.recovery", "dimensionless",
           f"Cobalt recovery of Chinese recyclers, {ANCHOR_YEAR}", _FRACTION),
        _p("recycling.recovery_2031", "dimensionless",
           "Cobalt recovery reached by 2031 (linear from the anchor year)", _FRACTION),
        _p("recycling.scrap_recovery", "dimensionless",
           "Share of manufacturing-scrap cobalt recovered in the same year", _FRACTION),
    ]


def _supply() -> list[ParameterDeclaration]:
    declared = [
        _p("china.hydroxide.capacity_metal", "t/yr",
           f"Hydroxide processing capacity in China, contained cobalt, {ANCHOR_YEAR}"),
        _p("china.hydroxide.capacity_growth", "1/yr",
           f"Yearly capacity growth after {ANCHOR_YEAR} (before exits)", _RATE),
        _p("china.hydroxide.capacity_exit", "dimensionless",
           "Share of capacity that exits by 2026 (small producers)", _FRACTION),
        _p("china.hydroxide.exports_metal", "t/yr",
           f"Hydroxide exports, contained cobalt, {ANCHOR_YEAR}"),
        _p("china.hydroxide.exports_growth", "1/yr", "Yearly growth of hydroxide exports",
           _RATE),
        _p("china.feed.bypass_share", "dimensionless",
           f"Share of China's primary cobalt feed that bypasses hydroxide (sulfate, precursor "
           f"and alloy routes), {ANCHOR_YEAR}", _FRACTION),
        _p("china.feed.bypass_saturation", "dimensionless", "Long-run bypass share", _FRACTION),
        _p("china.feed.bypass_rate", "1/yr", "Logistic rate of the bypass share", _RATE),
        _p("china.mine_output", "t/yr", "China's own cobalt mine output"),
        _p("china.import.indonesia_saturation", "dimensionless",
           "Long-run Indonesian share of China's cobalt imports", _FRACTION),
        _p("china.import.indonesia_rate", "1/yr", "Logistic rate of the Indonesian share",
           _RATE),
    ]
    declared += [ParameterDeclaration(
        name=f"china.import.share.{origin}", unit="dimensionless",
        description=f"Share of China's cobalt intermediate imports from {origin}, "
                    f"{ANCHOR_YEAR}", bounds=_FRACTION) for origin in ORIGINS]
    declared += [ParameterDeclaration(
        name=f"china.capacity.share.{province}", unit="dimensionless",
        description=f"Share of China's hydroxide capacity in {province}", bounds=_FRACTION)
        for province in PROVINCES]
    declared += [
        _p(f"world.mine.{origin}", "t/yr", f"Cobalt mine output of {origin}, {ANCHOR_YEAR}")
        for origin in ORIGINS]
    declared += [
        _p(f"world.mine_growth.{origin}", "1/yr", f"Yearly growth of {origin} mine output",
           _RATE) for origin in ORIGINS]
    declared += [
        _p("world.drc_quota", "t/yr", "DRC export quota for 2026 and 2027 (contained cobalt)"),
        _p("world.drc_quota_in_force", "dimensionless",
           "1 when the DRC quota binds in 2026-2027, 0 for an unconstrained counterfactual",
           _FRACTION),
        _p("world.recycled_share_china", "dimensionless",
           "China's share of the world's recycled cobalt", (0.05, 1.0)),
        _p("price.flexibility", "dimensionless",
           "Price flexibility: % change of the price per % change of demand over supply",
           (0.0, 20.0)),
    ]
    return declared


OUTLOOK_PARAMETERS: tuple[ParameterDeclaration, ...] = tuple(
    BALANCE_PARAMETERS + tuple(
        _sales() + _packs() + _mix("china") + _mix("rest") + _shared_mix() + _other_uses()
        + _cobalt_content() + _non_battery() + _recycling() + _supply()))
