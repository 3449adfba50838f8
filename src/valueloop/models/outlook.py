"""China cobalt outlook 2020-2035: demand, substitution, supply, recycling and balance.

Report chapters 1, 4 and 5 as one vectorised model (``cobalt-outlook``):

* **demand**: EV batteries from sales x pack size by region, stationary storage and portables;
  chemistry mixes from S-curves (section 5.2 is only a title in the report); cobalt per kWh by
  chemistry (BatPaC); manufacturing yields; China's share of cathode making; non-battery uses;
* **supply**: China's hydroxide capacity and its province split; primary feed, the part of it
  that bypasses hydroxide, imports by origin, import dependence and concentration (HHI);
  recycled cobalt from a dynamic stock model of batteries in use;
* **balance**: utilisation of hydroxide capacity; the world mine supply against world demand,
  with the DRC's 2026-2027 export quota, and a price response whose flexibility is a labelled
  assumption.

All tonnages are contained cobalt (t Co/yr) unless an output says "physical". The report's
hydroxide tonnages are consistent with its own import figures and its 12.3 万吨 derivation only
as contained cobalt (see the chapter-1 claims), so the scenario reads them that way and keeps the
literal reading as a named alternative.

The chapter-1 snapshot outputs of :mod:`valueloop.models.cobalt_balance` are included unchanged,
so one scenario serves the outlook and the chapter-1 claims.
"""

from __future__ import annotations

import numpy as np

from valueloop.core.model import Inputs, ModelDefinition, OutputDeclaration, Outputs
from valueloop.models import fleet
from valueloop.models.battery_demand import (
    CHEMISTRIES,
    KG_PER_T,
    KWH_PER_GWH,
    TERNARY,
    MixDrivers,
    SodiumDrivers,
    chemistry_index,
    chemistry_mix,
    cobalt_intensity,
    cobalt_tonnes,
    deviation_ramp,
    ev_gwh,
)
from valueloop.models.cobalt_balance import OUTPUTS as BALANCE_OUTPUTS
from valueloop.models.cobalt_balance import YEARS as BALANCE_YEARS
from valueloop.models.cobalt_balance import evaluate as evaluate_balance
from valueloop.models.outlook_parameters import (
    ANCHOR_YEAR,
    EV_REGIONS,
    FLEET_YEARS,
    HORIZON,
    LAST_OBSERVED_SALES,
    MIX_MARKETS,
    NON_BATTERY_USES,
    ORIGINS,
    OUTLOOK_PARAMETERS,
    OUTPUT_YEARS,
    POWERTRAINS,
    PROVINCES,
    VEHICLE_GROUPS,
)
from valueloop.models.substitution import logistic_through

Array = np.ndarray
YEARS = np.asarray(FLEET_YEARS, dtype=float)
OUT = slice(FLEET_YEARS.index(OUTPUT_YEARS[0]), len(FLEET_YEARS))
ANCHOR = FLEET_YEARS.index(ANCHOR_YEAR)
DRC_QUOTA_YEARS = (2026, 2027)
PRICE_BOUNDS = (0.2, 5.0)
"""The price index is clipped to this range of its anchor-year level (our assumption: beyond
it, substitution and stock releases dominate any constant-flexibility response)."""
_TERNARY_INDEX = [chemistry_index(c) for c in TERNARY]
_MARKET_OF_REGION = {"china": "china", "europe": "rest", "usa": "rest", "rest": "rest"}


def _growth_path(level: Array, rate: Array) -> Array:
    """``level x (1 + rate) ** (year - anchor)`` as ``(N, T)``, back-cast before the anchor."""
    level, rate = (np.asarray(a, dtype=float).reshape(-1, 1) for a in (level, rate))
    return level * (1.0 + rate) ** (YEARS[None, :] - ANCHOR_YEAR)


def _mix_drivers(inputs: Inputs, market: str) -> MixDrivers:
    prefix = f"chem.{market}"
    return MixDrivers(
        lfp_share=inputs[f"{prefix}.lfp_share"],
        lfp_saturation=inputs[f"{prefix}.lfp_saturation"],
        lfp_rate=inputs[f"{prefix}.lfp_rate"],
        lmfp_share=inputs["chem.lmfp.share"],
        lmfp_saturation=inputs["chem.lmfp.saturation"],
        lmfp_rate=inputs["chem.lmfp.rate"],
        high_nickel_share=inputs[f"{prefix}.high_nickel_share"],
        high_nickel_saturation=inputs[f"{prefix}.high_nickel_saturation"],
        high_nickel_rate=inputs[f"{prefix}.high_nickel_rate"],
        nine_series_share=inputs["chem.nine_series.share"],
        nine_series_saturation=inputs["chem.nine_series.saturation"],
        nine_series_rate=inputs["chem.nine_series.rate"],
        low_nickel_split={c: inputs[f"{prefix}.low_nickel.{c}"]
                          for c in ("nmc111", "nmc532", "nmc622", "nca")},
    )


def _ev_gwh_by_region(inputs: Inputs) -> Array:
    """New EV battery GWh ``(N, T, R)``."""
    ramp = deviation_ramp(YEARS, LAST_OBSERVED_SALES, HORIZON)[None, :]
    pack_growth = inputs["ev.pack_kwh_growth"]
    regions = []
    for region in EV_REGIONS:
        factor = 1.0 + inputs[f"ev.sales_deviation.{region}"].reshape(-1, 1) * ramp
        total = 0.0
        for group in VEHICLE_GROUPS:
            for powertrain in POWERTRAINS:
                pack = _growth_path(inputs[f"ev.pack_kwh.{group}.{powertrain}"], pack_growth)
                total = total + ev_gwh(inputs[f"ev.sales.{region}.{group}.{powertrain}"], pack)
        regions.append(total * factor)
    return np.stack(regions, axis=-1)


def _battery_gwh_by_chemistry(inputs: Inputs) -> dict[str, Array]:
    sodium = SodiumDrivers(
        launch_year=float(np.asarray(inputs["chem.sib.launch_year"]).ravel()[0]),
        innovation=inputs["chem.sib.innovation"], imitation=inputs["chem.sib.imitation"],
        potential=inputs["chem.sib.potential"])
    mixes = {market: chemistry_mix(YEARS, ANCHOR_YEAR, _mix_drivers(inputs, market), sodium)
             for market in MIX_MARKETS}
    by_region = _ev_gwh_by_region(inputs)
    china = EV_REGIONS.index("china")
    # One product per market, not per region: the regions outside China share one mix.
    ev_china = by_region[..., china, None] * mixes["china"]
    ev_rest = (by_region.sum(axis=-1) - by_region[..., china])[..., None] * mixes["rest"]
    storage = _growth_path(inputs["storage.gwh_2024"], inputs["storage.growth"])
    storage_ternary = logistic_through(YEARS, ANCHOR_YEAR, inputs["storage.ternary_share"],
                                       inputs["storage.ternary_floor"],
                                       inputs["storage.ternary_rate"])
    portable = _growth_path(inputs["portable.gwh_2024"], inputs["portable.growth"])
    lco_share = np.asarray(inputs["portable.lco_share"]).reshape(-1, 1)
    other = np.zeros((*storage.shape, len(CHEMISTRIES)))
    # Storage NCM is counted as NCM622 (utility systems used 532/622 cells); portables that are
    # not LCO as NCM532: both our assumptions, stated in the scenario.
    other[..., chemistry_index("nmc622")] = storage * storage_ternary
    other[..., chemistry_index("lfp")] = storage * (1.0 - storage_ternary)
    other[..., chemistry_index("lco")] = portable * lco_share
    other[..., chemistry_index("nmc532")] += portable * (1.0 - lco_share)
    return {"by_region": by_region, "ev_china": ev_china, "ev_world": ev_china + ev_rest,
            "other": other, "storage": storage, "portable": portable,
            "china_mix": mixes["china"]}


def _intensity(inputs: Inputs) -> Array:
    n = max(np.asarray(inputs[f"battery.co_intensity.{c}"]).size
            for c in ("nmc111", "nmc532", "nmc622", "nmc811", "nmc9", "nca", "lco"))
    table = np.zeros((n, len(CHEMISTRIES)))
    for chemistry in ("nmc111", "nmc532", "nmc622", "nmc811", "nmc9", "nca", "lco"):
        table[:, chemistry_index(chemistry)] = np.broadcast_to(
            np.asarray(inputs[f"battery.co_intensity.{chemistry}"], dtype=float).ravel(), (n,))
    return cobalt_intensity(YEARS, ANCHOR_YEAR, table, inputs["battery.co_thrifting"])


def _recycled(inputs: Inputs, china_ev_cobalt: Array, portable_cobalt_china: Array,
              scrap_china: Array) -> dict[str, Array]:
    n_ages = len(FLEET_YEARS)
    shape = np.asarray(inputs["fleet.ev_lifetime_shape"], dtype=float).ravel()
    scale = fleet.weibull_scale_from_mean(
        np.asarray(inputs["fleet.ev_lifetime_mean"], dtype=float).ravel(), shape)
    # "end": a battery sold in year c first retires in year c + 1 (ODYM's convention).
    ev = fleet.inflow_driven(china_ev_cobalt,
                             fleet.weibull_survival(shape, scale, n_ages, timing="end"))
    portable = fleet.inflow_driven(
        portable_cobalt_china,
        fleet.fixed_survival(np.asarray(inputs["fleet.portable_lifetime"], dtype=float).ravel(),
                             n_ages, timing="end"))
    collection = logistic_through(YEARS, ANCHOR_YEAR, inputs["recycling.ev_collection"],
                                  inputs["recycling.ev_collection_saturation"],
                                  inputs["recycling.ev_collection_rate"])
    start = np.asarray(inputs["recycling.recovery"]).reshape(-1, 1)
    end = np.asarray(inputs["recycling.recovery_2031"]).reshape(-1, 1)
    progress = np.clip((YEARS[None, :] - ANCHOR_YEAR) / (2031 - ANCHOR_YEAR), 0.0, 1.0)
    recovery = start + (end - start) * progress
    end_of_life = ev.outflow + portable.outflow
    collected = (collection * ev.outflow
                 + np.asarray(inputs["recycling.portable_collection"]).reshape(-1, 1)
                 * portable.outflow)
    from_scrap = np.asarray(inputs["recycling.scrap_recovery"]).reshape(-1, 1) * scrap_china
    return {"end_of_life": end_of_life, "from_use": recovery * collected,
            "from_scrap": from_scrap, "ev_stock": ev.stock}


def _share_path(inputs: Inputs, origin_shares: dict[str, Array]) -> dict[str, Array]:
    """Import shares by origin over time: Indonesia follows an S-curve, the rest keep their
    anchor-year proportions."""
    indonesia = logistic_through(YEARS, ANCHOR_YEAR, origin_shares["indonesia"],
                                 inputs["china.import.indonesia_saturation"],
                                 inputs["china.import.indonesia_rate"])
    rest_anchor = origin_shares["drc"] + origin_shares["other"]
    shares = {"indonesia": indonesia}
    for origin in ("drc", "other"):
        shares[origin] = (1.0 - indonesia) * (origin_shares[origin] / rest_anchor
                                              ).reshape(-1, 1)
    return shares


def _world_balance(inputs: Inputs, world_battery: Array, recycled_china: Array
                   ) -> dict[str, Array]:
    mine = {o: _growth_path(inputs[f"world.mine.{o}"], inputs[f"world.mine_growth.{o}"])
            for o in ORIGINS}
    quota_on = np.asarray(inputs["world.drc_quota_in_force"]).reshape(-1, 1)
    quota_years = np.isin(YEARS, DRC_QUOTA_YEARS)[None, :]
    quota = np.asarray(inputs["world.drc_quota"]).reshape(-1, 1)
    capped = np.minimum(mine["drc"], quota)
    drc = np.where(quota_years & (quota_on > 0.5), capped, mine["drc"])
    recycled_world = recycled_china / np.asarray(inputs["world.recycled_share_china"]
                                                 ).reshape(-1, 1)
    supply = drc + mine["indonesia"] + mine["other"] + recycled_world
    demand = world_battery + _growth_path(inputs["world.nonbattery"],
                                          inputs["world.nonbattery_growth"])
    ratio = demand / supply
    flexibility = np.asarray(inputs["price.flexibility"]).reshape(-1, 1)
    price = np.clip((ratio / ratio[:, ANCHOR:ANCHOR + 1]) ** flexibility, *PRICE_BOUNDS)
    return {"supply": supply, "demand": demand, "balance": supply - demand,
            "price_index": price, "drc_supply": drc}


def evaluate(inputs: Inputs) -> Outputs:
    gwh = _battery_gwh_by_chemistry(inputs)
    intensity = _intensity(inputs)
    yields = (np.asarray(inputs["battery.cell_yield"]).reshape(-1, 1, 1)
              * np.asarray(inputs["battery.cathode_yield"]).reshape(-1, 1, 1))
    ev_world = gwh["ev_world"]
    all_gwh = ev_world + gwh["other"]
    cells_world = cobalt_tonnes(all_gwh, intensity)
    input_world = cells_world / yields

    china_share = _china_cathode_shares(inputs, input_world.shape[0])
    china_battery_input = np.einsum("ntc,nc->nt", input_world, china_share)
    scrap_china = china_battery_input * (1.0 - np.asarray(inputs["battery.cell_yield"]
                                                          ).reshape(-1, 1))
    china_ev_cobalt = np.einsum("ntc,ntc->nt", gwh["ev_china"], intensity) * (
        KWH_PER_GWH / KG_PER_T)
    portable_china = (cells_world[..., chemistry_index("lco")]
                      * np.asarray(inputs["china.share.lco_cathode"]).reshape(-1, 1))
    recycled = _recycled(inputs, china_ev_cobalt, portable_china, scrap_china)
    recycled_supply = recycled["from_use"] + recycled["from_scrap"]

    non_battery = np.stack([_growth_path(inputs[f"china.nonbattery.{use}"],
                                         inputs["china.nonbattery.growth"])
                            for use in NON_BATTERY_USES], axis=-1)
    china_demand = china_battery_input + non_battery.sum(axis=-1)
    exports = _growth_path(inputs["china.hydroxide.exports_metal"],
                           inputs["china.hydroxide.exports_growth"])
    primary = np.maximum(china_demand - recycled_supply, 0.0)
    bypass = logistic_through(YEARS, ANCHOR_YEAR, inputs["china.feed.bypass_share"],
                              inputs["china.feed.bypass_saturation"],
                              inputs["china.feed.bypass_rate"])
    hydroxide_metal = primary * (1.0 - bypass) + exports
    co_content = np.asarray(inputs["cobalt.hydroxide.co_content"]).reshape(-1, 1)

    capacity = _capacity(inputs)
    imports = np.maximum(primary + exports - np.asarray(inputs["china.mine_output"]
                                                        ).reshape(-1, 1), 0.0)
    origin_anchor = {o: np.asarray(inputs[f"china.import.share.{o}"], dtype=float).ravel()
                     for o in ORIGINS}
    shares = _share_path(inputs, origin_anchor)
    by_origin = np.stack([imports * shares[o] for o in ORIGINS], axis=-1)
    total_supply = imports + recycled_supply + np.asarray(inputs["china.mine_output"]
                                                          ).reshape(-1, 1)
    hhi = 1e4 * sum(shares[o] ** 2 for o in ORIGINS)
    world = _world_balance(inputs, input_world.sum(axis=-1), recycled_supply)
    province = np.stack([capacity * np.asarray(inputs[f"china.capacity.share.{p}"]
                                               ).reshape(-1, 1) for p in PROVINCES], axis=-1)
    world_ev_share = ev_world.sum(axis=-1, keepdims=True)

    outputs = evaluate_balance(inputs)
    outputs.update({
        "ev_gwh": gwh["by_region"][:, OUT],
        "storage_gwh": gwh["storage"][:, OUT],
        "portable_gwh": gwh["portable"][:, OUT],
        "battery_gwh_by_chemistry": all_gwh[:, OUT],
        "ev_chemistry_share": (ev_world / np.where(world_ev_share > 0, world_ev_share, 1.0)
                               )[:, OUT],
        "world_lfp_share": ((ev_world[..., chemistry_index("lfp")]
                             + ev_world[..., chemistry_index("lmfp")])
                            / np.where(world_ev_share[..., 0] > 0, world_ev_share[..., 0], 1.0)
                            )[:, OUT],
        "china_ev_chemistry_share": np.broadcast_to(
            gwh["china_mix"], (ev_world.shape[0], *gwh["china_mix"].shape[1:]))[:, OUT],
        "battery_cobalt_by_chemistry": input_world[:, OUT],
        "world_battery_cobalt": input_world.sum(axis=-1)[:, OUT],
        "china_battery_cobalt": china_battery_input[:, OUT],
        "china_nonbattery_cobalt": non_battery[:, OUT],
        "china_cobalt_demand": china_demand[:, OUT],
        "end_of_life_cobalt": recycled["end_of_life"][:, OUT],
        "recycled_cobalt": recycled_supply[:, OUT],
        "recycled_from_scrap": recycled["from_scrap"][:, OUT],
        "recycled_share": (recycled_supply / np.maximum(total_supply, 1e-9))[:, OUT],
        "primary_feed": primary[:, OUT],
        "hydroxide_demand_metal": hydroxide_metal[:, OUT],
        "hydroxide_demand_physical": (hydroxide_metal / co_content)[:, OUT],
        "hydroxide_capacity": capacity[:, OUT],
        "hydroxide_capacity_by_province": province[:, OUT],
        "utilisation": (hydroxide_metal / capacity)[:, OUT],
        "imports": imports[:, OUT],
        "imports_by_origin": by_origin[:, OUT],
        "import_dependence": (imports / np.maximum(total_supply, 1e-9))[:, OUT],
        "import_hhi": hhi[:, OUT],
        "world_supply": world["supply"][:, OUT],
        "world_demand": world["demand"][:, OUT],
        "world_balance": world["balance"][:, OUT],
        "price_index": world["price_index"][:, OUT],
        "hydroxide_price": (world["price_index"] * np.asarray(
            inputs["cobalt.price.hydroxide_2024"]).reshape(-1, 1))[:, OUT],
    })
    return outputs


def _china_cathode_shares(inputs: Inputs, n: int) -> Array:
    """China's share of each chemistry's cathode making, ``(N, C)``; cobalt-free ones are 0."""
    shares = np.zeros((n, len(CHEMISTRIES)))
    shares[:, _TERNARY_INDEX] = np.asarray(inputs["china.share.ternary_cathode"],
                                           dtype=float).reshape(-1, 1)
    shares[:, chemistry_index("lco")] = np.asarray(inputs["china.share.lco_cathode"],
                                                   dtype=float).ravel()
    return shares


def _capacity(inputs: Inputs) -> Array:
    """Capacity path: the report's 2020 and 2024 figures (geometric in between), growth after,
    and a one-off exit of small producers by 2026."""
    start = np.asarray(inputs["cobalt.hydroxide.capacity_2020"]).reshape(-1, 1)
    anchor = np.asarray(inputs["china.hydroxide.capacity_metal"]).reshape(-1, 1)
    report_anchor = np.asarray(inputs["cobalt.hydroxide.capacity_2024"]).reshape(-1, 1)
    # The 2020 figure is scaled by the same reading (metal or physical) as the anchor.
    start = start * anchor / report_anchor
    before = start * (anchor / start) ** ((YEARS[None, :] - 2020) / (ANCHOR_YEAR - 2020))
    after = _growth_path(anchor, inputs["china.hydroxide.capacity_growth"])
    exit_share = np.asarray(inputs["china.hydroxide.capacity_exit"]).reshape(-1, 1)
    exits = np.clip((YEARS[None, :] - ANCHOR_YEAR) / 2.0, 0.0, 1.0) * exit_share
    return np.where(YEARS[None, :] <= ANCHOR_YEAR, before, after * (1.0 - exits))


_YEAR = ("year",)
OUTPUTS = (*BALANCE_OUTPUTS,
    OutputDeclaration("ev_gwh", "GWh/yr", "New EV battery capacity by region", (*_YEAR, "region")),
    OutputDeclaration("storage_gwh", "GWh/yr", "Stationary storage batteries", _YEAR),
    OutputDeclaration("portable_gwh", "GWh/yr", "Portable batteries", _YEAR),
    OutputDeclaration("battery_gwh_by_chemistry", "GWh/yr", "All new batteries by chemistry",
                      (*_YEAR, "chemistry")),
    OutputDeclaration("ev_chemistry_share", "dimensionless",
                      "Chemistry shares of new EV batteries, world", (*_YEAR, "chemistry")),
    OutputDeclaration("world_lfp_share", "dimensionless",
                      "LFP-family share of new EV batteries, world", _YEAR),
    OutputDeclaration("china_ev_chemistry_share", "dimensionless",
                      "Chemistry shares of new EV batteries, China", (*_YEAR, "chemistry")),
    OutputDeclaration("battery_cobalt_by_chemistry", "t/yr",
                      "Refined cobalt needed for batteries by chemistry, world (incl. yields)",
                      (*_YEAR, "chemistry")),
    OutputDeclaration("world_battery_cobalt", "t/yr", "Refined cobalt for batteries, world",
                      _YEAR),
    OutputDeclaration("china_battery_cobalt", "t/yr", "Refined cobalt for batteries made in "
                      "China", _YEAR),
    OutputDeclaration("china_nonbattery_cobalt", "t/yr", "Non-battery cobalt use in China",
                      (*_YEAR, "use")),
    OutputDeclaration("china_cobalt_demand", "t/yr", "China's refined cobalt demand", _YEAR),
    OutputDeclaration("end_of_life_cobalt", "t/yr",
                      "Cobalt in China's end-of-life EV and portable batteries", _YEAR),
    OutputDeclaration("recycled_cobalt", "t/yr", "Recycled cobalt supply in China", _YEAR),
    OutputDeclaration("recycled_from_scrap", "t/yr",
                      "Recycled cobalt from manufacturing scrap", _YEAR),
    OutputDeclaration("recycled_share", "dimensionless",
                      "Recycled share of China's cobalt supply", _YEAR),
    OutputDeclaration("primary_feed", "t/yr", "Primary cobalt China's refiners need", _YEAR),
    OutputDeclaration("hydroxide_demand_metal", "t/yr",
                      "Hydroxide demand (refining feed plus exports), contained cobalt", _YEAR),
    OutputDeclaration("hydroxide_demand_physical", "t/yr",
                      "Hydroxide demand, physical tonnes at the stated Co content", _YEAR),
    OutputDeclaration("hydroxide_capacity", "t/yr", "Hydroxide capacity, contained cobalt",
                      _YEAR),
    OutputDeclaration("hydroxide_capacity_by_province", "t/yr",
                      "Hydroxide capacity by province, contained cobalt", (*_YEAR, "province")),
    OutputDeclaration("utilisation", "dimensionless", "Hydroxide demand over capacity", _YEAR),
    OutputDeclaration("imports", "t/yr", "Cobalt intermediate imports", _YEAR),
    OutputDeclaration("imports_by_origin", "t/yr", "Cobalt intermediate imports by origin",
                      (*_YEAR, "origin")),
    OutputDeclaration("import_dependence", "dimensionless",
                      "Imports over China's total cobalt supply", _YEAR),
    OutputDeclaration("import_hhi", "dimensionless",
                      "Herfindahl-Hirschman index of import origins (0-10,000)", _YEAR),
    OutputDeclaration("world_supply", "t/yr", "World mine and recycled cobalt supply", _YEAR),
    OutputDeclaration("world_demand", "t/yr", "World refined cobalt demand", _YEAR),
    OutputDeclaration("world_balance", "t/yr", "World supply minus demand", _YEAR),
    OutputDeclaration("price_index", "dimensionless",
                      f"Cobalt price relative to {ANCHOR_YEAR}", _YEAR),
    OutputDeclaration("hydroxide_price", "CNY/t", "Hydroxide price path", _YEAR),
)

COBALT_OUTLOOK = ModelDefinition(
    name="cobalt-outlook",
    title="China cobalt outlook 2020-2035",
    parameters=OUTLOOK_PARAMETERS,
    outputs=OUTPUTS,
    evaluate=evaluate,
    axis_labels={"year": OUTPUT_YEARS, "report_year": BALANCE_YEARS, "region": EV_REGIONS,
                 "chemistry": CHEMISTRIES, "use": NON_BATTERY_USES, "origin": ORIGINS,
                 "province": PROVINCES},
)
