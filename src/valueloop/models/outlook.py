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

Performance notes (studies evaluate chunks of thousands of samples at a time, see
``benchmarks/bench_outlook.py``): quantities that need no history are computed over the output
years only; only the inflows of the stock model (China's EV and portable battery cobalt) run over
every fleet year. Shares and GWh by chemistry are built chemistry-major, ``(C, N, T)``, one
contiguous plane per chemistry; the cobalt by chemistry, which two einsums read, is ``(N, T, C)``.
Growth factors are computed once per rate, large temporaries are freed before the large outputs
are allocated, and the stock model's stock (not an output) is not computed. Every operation is
the one the straightforward formulation does, in the same order (sums over chemistries add the
planes as numpy's pairwise ``sum(axis=-1)`` does), so the outputs are bit-identical to it.
"""

from __future__ import annotations

import numpy as np

from valueloop.core.model import Inputs, ModelDefinition, OutputDeclaration, Outputs
from valueloop.models import fleet
from valueloop.models.battery_demand import (
    CHEMISTRIES,
    COBALT_FREE,
    KG_PER_T,
    KWH_PER_GWH,
    LOW_NICKEL,
    TERNARY,
    chemistry_index,
    deviation_ramp,
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
from valueloop.models.substitution import bass_cumulative, logistic_through

Array = np.ndarray
YEARS = np.asarray(FLEET_YEARS, dtype=float)
OUT = slice(FLEET_YEARS.index(OUTPUT_YEARS[0]), len(FLEET_YEARS))
ANCHOR = FLEET_YEARS.index(ANCHOR_YEAR)
DRC_QUOTA_YEARS = (2026, 2027)
PRICE_BOUNDS = (0.2, 5.0)
"""The price index is clipped to this range of its anchor-year level (our assumption: beyond
it, substitution and stock releases dominate any constant-flexibility response)."""
_MARKET_OF_REGION = {"china": "china", "europe": "rest", "usa": "rest", "rest": "rest"}

_OUT_YEARS = YEARS[OUT]
_ANCHOR_OUT = ANCHOR - OUT.start
_OBSERVED_OUT = int(np.count_nonzero(_OUT_YEARS <= ANCHOR_YEAR))
"""Output years up to the anchor: the hydroxide capacity interpolates there, grows after."""
_RAMP = deviation_ramp(YEARS, LAST_OBSERVED_SALES, HORIZON)
_THRIFT_YEARS = np.maximum(YEARS - ANCHOR_YEAR, 0.0)
_CAPACITY_BACKCAST = ((_OUT_YEARS[:_OBSERVED_OUT] - 2020) / (ANCHOR_YEAR - 2020))[None, :]
_CAPACITY_EXITS = np.clip((_OUT_YEARS[_OBSERVED_OUT:] - ANCHOR_YEAR) / 2.0, 0.0, 1.0)[None, :]
_RECOVERY_PROGRESS = np.clip((_OUT_YEARS[None, :] - ANCHOR_YEAR) / (2031 - ANCHOR_YEAR),
                             0.0, 1.0)
_QUOTA_YEARS = np.isin(_OUT_YEARS, DRC_QUOTA_YEARS)[None, :]
_C = {name: chemistry_index(name) for name in CHEMISTRIES}
_COBALT_BEARING = tuple(c for c in CHEMISTRIES if c not in COBALT_FREE)
"""Chemistries with cobalt per kWh (the intensity table's columns); the rest need none."""
_EV_CHEMISTRIES = tuple(c for c in CHEMISTRIES if c != "lco")
"""Chemistries of the EV mixes (LCO is portable-only)."""
_PACKS = tuple((group, powertrain) for group in VEHICLE_GROUPS for powertrain in POWERTRAINS)
_PARAMETER_NAMES = tuple(p.name for p in OUTLOOK_PARAMETERS)


def _column(value: Array | float) -> Array:
    return np.asarray(value, dtype=float).reshape(-1, 1)


def _sample_count(inputs: Inputs) -> int:
    """The length of the sample axis: 1 when every input is fixed."""
    n = 1
    for name in _PARAMETER_NAMES:
        shape = np.shape(inputs[name])
        if shape and shape[0] != 1:
            n = shape[0]
    return n


class _Samples:
    """Inputs with every fixed scalar broadcast (as a view) to the ``n`` samples.

    Every array derived from them then has the full sample axis, so results can be written in
    place and into preallocated arrays whichever inputs a scenario samples.
    """

    def __init__(self, inputs: Inputs, n: int) -> None:
        self.raw = inputs
        self._n = n

    def __getitem__(self, name: str) -> Array:
        value = np.asarray(self.raw[name], dtype=float)
        if value.size == 1 and value.ndim <= 1:
            return np.broadcast_to(value.reshape(1), (self._n,))
        return value


def _growth_factor(rate: Array, years: Array) -> Array:
    """``(1 + rate) ** (year - anchor)`` as ``(N, T)``; a path is ``level x`` this."""
    return (1.0 + _column(rate)) ** (years - ANCHOR_YEAR)[None, :]


def _growth_path(level: Array, rate: Array, years: Array = YEARS) -> Array:
    """``level x (1 + rate) ** (year - anchor)`` as ``(N, T)``, back-cast before the anchor."""
    return _column(level) * _growth_factor(rate, years)


def _pairwise_sum(planes: dict[int, Array]) -> Array:
    """Sum of chemistry planes ``{index: (N, T)}`` (missing ones are zero), associated as
    numpy's pairwise ``sum(axis=-1)`` adds the 10 chemistries:
    ``((((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7))) + x8) + x9``."""

    def add(a: Array | None, b: Array | None) -> Array | None:
        if a is None:
            return b
        return a if b is None else a + b

    x = [planes.get(i) for i in range(len(CHEMISTRIES))]
    eight = add(add(add(x[0], x[1]), add(x[2], x[3])), add(add(x[4], x[5]), add(x[6], x[7])))
    total = add(add(eight, x[8]), x[9])
    assert total is not None
    return total


def _ev_gwh_by_region(inputs: Inputs, n: int) -> Array:
    """New EV battery GWh, region-major ``(R, N, T)``: sales x pack size, summed over vehicle
    group and powertrain, times the sales deviation."""
    growth = _growth_factor(inputs["ev.pack_kwh_growth"], YEARS)
    packs = [_column(inputs[f"ev.pack_kwh.{group}.{powertrain}"]) * growth
             for group, powertrain in _PACKS]
    by_region = np.empty((len(EV_REGIONS), n, len(YEARS)))
    term = np.empty((n, len(YEARS)))
    for r, region in enumerate(EV_REGIONS):
        total = by_region[r]
        for k, (group, powertrain) in enumerate(_PACKS):
            sales = np.asarray(inputs[f"ev.sales.{region}.{group}.{powertrain}"], dtype=float
                               ).reshape(-1, len(YEARS))
            np.multiply(sales, packs[k], out=term)
            if k == 0:
                np.divide(term, KWH_PER_GWH, out=total)
            else:
                term /= KWH_PER_GWH
                total += term
        deviation = _column(inputs[f"ev.sales_deviation.{region}"])
        total *= 1.0 + deviation * _RAMP[None, :]
    return by_region


def _mix_planes(inputs: Inputs, market: str, span: slice, shared: dict[str, Array],
                n: int) -> Array:
    """Shares of new EV battery capacity by chemistry, ``(C, N, T)`` over ``YEARS[span]``.

    Nesting: sodium-ion takes a Bass share of the whole market; the LFP family takes a logistic
    share of the rest, LMFP a logistic share of that family; the ternary remainder splits into
    high-nickel (itself split into NCM811 and 9-series) and the low-nickel mix. LCO is zero.
    """
    years = YEARS[span]
    prefix = f"chem.{market}"
    planes = np.empty((len(CHEMISTRIES), n, len(years)))
    planes[_C["lco"]] = 0.0
    sib = shared["sib"][:, span]
    rest = shared["not_sib"][:, span]
    lfp_family = rest * logistic_through(years, ANCHOR_YEAR, inputs[f"{prefix}.lfp_share"],
                                         inputs[f"{prefix}.lfp_saturation"],
                                         inputs[f"{prefix}.lfp_rate"])
    lmfp = np.multiply(lfp_family, shared["lmfp"][:, span], out=planes[_C["lmfp"]])
    ternary = rest - lfp_family
    high_nickel = ternary * logistic_through(years, ANCHOR_YEAR,
                                             inputs[f"{prefix}.high_nickel_share"],
                                             inputs[f"{prefix}.high_nickel_saturation"],
                                             inputs[f"{prefix}.high_nickel_rate"])
    nine = np.multiply(high_nickel, shared["nine"][:, span], out=planes[_C["nmc9"]])
    planes[_C["sib"]] = sib
    np.subtract(lfp_family, lmfp, out=planes[_C["lfp"]])
    np.subtract(high_nickel, nine, out=planes[_C["nmc811"]])
    low_nickel = np.subtract(ternary, high_nickel, out=ternary)
    for name in LOW_NICKEL:
        np.multiply(low_nickel, _column(inputs[f"{prefix}.low_nickel.{name}"]),
                    out=planes[_C[name]])
    return planes


def _shared_mix_curves(inputs: Inputs) -> dict[str, Array]:
    """The S-curves both markets share (sodium-ion, LMFP, 9-series), over every fleet year."""
    sib = bass_cumulative(YEARS, float(np.asarray(inputs["chem.sib.launch_year"]).ravel()[0]),
                          inputs["chem.sib.innovation"], inputs["chem.sib.imitation"],
                          inputs["chem.sib.potential"])
    return {
        "sib": sib,
        "not_sib": 1.0 - sib,
        "lmfp": logistic_through(YEARS, ANCHOR_YEAR, inputs["chem.lmfp.share"],
                                 inputs["chem.lmfp.saturation"], inputs["chem.lmfp.rate"]),
        "nine": logistic_through(YEARS, ANCHOR_YEAR, inputs["chem.nine_series.share"],
                                 inputs["chem.nine_series.saturation"],
                                 inputs["chem.nine_series.rate"]),
    }


def _outflow(inflow: Array, survival: fleet.Survival) -> Array:
    """``fleet.inflow_driven(inflow, survival).outflow`` for ``(N, T)`` inflows, without the
    stock: the same products, added in the same order."""
    n_years = inflow.shape[1]
    cohorts = np.ascontiguousarray(inflow.T)
    pdf = np.ascontiguousarray(survival.pdf[:, :n_years].T)
    outflow = np.zeros(cohorts.shape)
    scratch = np.empty_like(outflow)
    for lag in range(n_years):
        span = n_years - lag
        np.multiply(cohorts[:span], pdf[lag], out=scratch[:span])
        outflow[lag:] += scratch[:span]
    return outflow.T


def _fixed_lifetime_outflow(inflow: Array, survival: fleet.Survival) -> Array:
    """The outflow of a fixed lifetime: every cohort leaves whole after the same lag.

    Equal to :func:`_outflow` (the one-hot outflow pdf only adds zeros), at the cost of a copy.
    """
    n, n_years = inflow.shape
    lags = np.count_nonzero(survival.sf[:, :n_years] > 0.0, axis=1)
    outflow = np.zeros((n, n_years))
    if np.all(lags == lags[0]):
        lag = int(lags[0])
        outflow[:, lag:] = inflow[:, :n_years - lag]
        return outflow
    years = np.arange(n_years)[None, :]
    source = years - np.broadcast_to(lags, (n,))[:, None]
    np.copyto(outflow, np.take_along_axis(inflow, np.maximum(source, 0), axis=1),
              where=source >= 0)
    return outflow


def _recycled(inputs: Inputs, china_ev_cobalt: Array, portable_cobalt_china: Array,
              scrap_china: Array) -> dict[str, Array]:
    """Recycled cobalt over the output years; the stock model runs over every fleet year."""
    n_ages = len(FLEET_YEARS)
    raw = inputs.raw if isinstance(inputs, _Samples) else inputs
    shape = np.asarray(raw["fleet.ev_lifetime_shape"], dtype=float).ravel()
    scale = fleet.weibull_scale_from_mean(
        np.asarray(raw["fleet.ev_lifetime_mean"], dtype=float).ravel(), shape)
    # "end": a battery sold in year c first retires in year c + 1 (ODYM's convention).
    ev_outflow = _outflow(china_ev_cobalt,
                          fleet.weibull_survival(shape, scale, n_ages, timing="end"))[:, OUT]
    portable_outflow = _fixed_lifetime_outflow(
        portable_cobalt_china,
        fleet.fixed_survival(np.asarray(raw["fleet.portable_lifetime"], dtype=float).ravel(),
                             n_ages, timing="end"))[:, OUT]
    collection = logistic_through(_OUT_YEARS, ANCHOR_YEAR, inputs["recycling.ev_collection"],
                                  inputs["recycling.ev_collection_saturation"],
                                  inputs["recycling.ev_collection_rate"])
    start = _column(inputs["recycling.recovery"])
    end = _column(inputs["recycling.recovery_2031"])
    recovery = start + (end - start) * _RECOVERY_PROGRESS
    end_of_life = ev_outflow + portable_outflow
    collection *= ev_outflow
    collected = collection + _column(inputs["recycling.portable_collection"]) * portable_outflow
    from_scrap = _column(inputs["recycling.scrap_recovery"]) * scrap_china
    return {"end_of_life": end_of_life, "from_use": recovery * collected,
            "from_scrap": from_scrap}


def _share_path(inputs: Inputs) -> dict[str, Array]:
    """Import shares by origin over the output years: Indonesia follows an S-curve, the rest
    keep their anchor-year proportions."""
    origin_shares = {o: np.asarray(inputs[f"china.import.share.{o}"], dtype=float).ravel()
                     for o in ORIGINS}
    indonesia = logistic_through(_OUT_YEARS, ANCHOR_YEAR, origin_shares["indonesia"],
                                 inputs["china.import.indonesia_saturation"],
                                 inputs["china.import.indonesia_rate"])
    rest_anchor = origin_shares["drc"] + origin_shares["other"]
    shares = {"indonesia": indonesia}
    not_indonesia = 1.0 - indonesia
    for origin in ("drc", "other"):
        shares[origin] = not_indonesia * (origin_shares[origin] / rest_anchor).reshape(-1, 1)
    return shares


def _world_balance(inputs: Inputs, world_battery: Array, recycled_china: Array
                   ) -> dict[str, Array]:
    """World supply, demand and price over the output years."""
    mine = {o: _growth_path(inputs[f"world.mine.{o}"], inputs[f"world.mine_growth.{o}"],
                            _OUT_YEARS) for o in ORIGINS}
    quota_on = _column(inputs["world.drc_quota_in_force"])
    quota = _column(inputs["world.drc_quota"])
    capped = np.minimum(mine["drc"], quota)
    drc = np.where(_QUOTA_YEARS & (quota_on > 0.5), capped, mine["drc"])
    recycled_world = recycled_china / _column(inputs["world.recycled_share_china"])
    supply = drc + mine["indonesia"]
    supply += mine["other"]
    supply += recycled_world
    demand = world_battery + _growth_path(inputs["world.nonbattery"],
                                          inputs["world.nonbattery_growth"], _OUT_YEARS)
    ratio = demand / supply
    flexibility = _column(inputs["price.flexibility"])
    ratio /= ratio[:, _ANCHOR_OUT:_ANCHOR_OUT + 1].copy()
    price = np.clip(ratio ** flexibility, *PRICE_BOUNDS)
    return {"supply": supply, "demand": demand, "balance": supply - demand,
            "price_index": price, "drc_supply": drc}


def _capacity(inputs: Inputs, n: int) -> Array:
    """Capacity path over the output years: the report's 2020 and 2024 figures (geometric in
    between), growth after, and a one-off exit of small producers by 2026."""
    start = _column(inputs["cobalt.hydroxide.capacity_2020"])
    anchor = _column(inputs["china.hydroxide.capacity_metal"])
    report_anchor = _column(inputs["cobalt.hydroxide.capacity_2024"])
    # The 2020 figure is scaled by the same reading (metal or physical) as the anchor.
    start = start * anchor / report_anchor
    capacity = np.empty((n, len(_OUT_YEARS)))
    capacity[:, :_OBSERVED_OUT] = start * (anchor / start) ** _CAPACITY_BACKCAST
    after = _growth_path(anchor, inputs["china.hydroxide.capacity_growth"],
                         _OUT_YEARS[_OBSERVED_OUT:])
    exits = _CAPACITY_EXITS * _column(inputs["china.hydroxide.capacity_exit"])
    np.multiply(after, 1.0 - exits, out=capacity[:, _OBSERVED_OUT:])
    return capacity


def _columns_by(n: int, count: int) -> Array:
    """A ``(N, T_out, count)`` output filled column by column."""
    return np.empty((n, len(_OUT_YEARS), count))


def evaluate(inputs: Inputs) -> Outputs:
    n = _sample_count(inputs)
    n_out = len(_OUT_YEARS)
    outputs = evaluate_balance(inputs)
    if n > 1:
        inputs = _Samples(inputs, n)  # type: ignore[assignment]

    # --- demand: GWh by region and chemistry ------------------------------------------------
    # Ordered so that large temporaries are freed before the large outputs are allocated: the
    # peak memory of a chunk decides how much fresh memory every chunk touches.
    by_region = _ev_gwh_by_region(inputs, n)
    assert EV_REGIONS[0] == "china" and MIX_MARKETS == ("china", "rest")
    ev_gwh = np.ascontiguousarray(by_region[:, :, OUT].transpose(1, 2, 0))
    china_gwh = by_region[0].copy()
    # The regions outside China share one mix; their total as sum(axis=-1) minus China.
    rest_out = by_region[0, :, OUT] + by_region[1, :, OUT]
    for r in range(2, len(EV_REGIONS)):
        rest_out += by_region[r, :, OUT]
    del by_region
    china_out = china_gwh[:, OUT]
    rest_out -= china_out

    shared = _shared_mix_curves(inputs)
    china_mix = _mix_planes(inputs, "china", slice(None), shared, n)

    # --- cobalt: kg/kWh by chemistry, thrifting after the anchor, yields -------------------
    thrift = (1.0 - _column(inputs["battery.co_thrifting"])) ** _THRIFT_YEARS[None, :]
    table = {name: _column(inputs[f"battery.co_intensity.{name}"]) for name in _COBALT_BEARING}
    intensity = np.zeros((n, len(YEARS), len(CHEMISTRIES)))  # every year: China's EV cohorts
    for name in _COBALT_BEARING:
        np.multiply(table[name], thrift, out=intensity[..., _C[name]])
    del thrift
    # China's EV battery cobalt by cohort, every fleet year.
    ev_china = np.empty((n, len(YEARS), len(CHEMISTRIES)))
    for c in range(len(CHEMISTRIES)):
        np.multiply(china_gwh, china_mix[c], out=ev_china[..., c])
    china_ev_cobalt = np.einsum("ntc,ntc->nt", ev_china, intensity)
    del ev_china
    china_ev_cobalt *= KWH_PER_GWH / KG_PER_T
    portable = _growth_path(inputs["portable.gwh_2024"], inputs["portable.growth"])
    lco_share = _column(inputs["portable.lco_share"])
    china_lco_share = _column(inputs["china.share.lco_cathode"])
    portable_china = (portable * lco_share) * intensity[..., _C["lco"]]
    portable_china *= KWH_PER_GWH / KG_PER_T
    portable_china *= china_lco_share
    portable_out = portable[:, OUT]

    ev_world = np.empty((len(CHEMISTRIES), n, n_out))
    ev_world[_C["lco"]] = 0.0
    rest_mix = _mix_planes(inputs, "rest", OUT, shared, n)
    del shared
    for name in _EV_CHEMISTRIES:
        c = _C[name]
        np.multiply(china_mix[c][:, OUT], china_out, out=ev_world[c])
        np.multiply(rest_mix[c], rest_out, out=rest_mix[c])
        ev_world[c] += rest_mix[c]
    del rest_mix
    ev_total = _pairwise_sum({c: ev_world[c] for c in range(len(CHEMISTRIES))
                              if CHEMISTRIES[c] != "lco"})
    denominator = np.where(ev_total > 0, ev_total, 1.0)
    del ev_total
    ev_share = np.divide(ev_world, denominator)
    world_lfp_share = ev_world[_C["lfp"]] + ev_world[_C["lmfp"]]
    world_lfp_share /= denominator
    del denominator

    storage = _growth_path(inputs["storage.gwh_2024"], inputs["storage.growth"], _OUT_YEARS)
    storage_ternary = logistic_through(_OUT_YEARS, ANCHOR_YEAR, inputs["storage.ternary_share"],
                                       inputs["storage.ternary_floor"],
                                       inputs["storage.ternary_rate"])
    # All new batteries: the EV planes plus storage and portables, in place. Storage NCM is
    # counted as NCM622 (utility systems used 532/622 cells); portables that are not LCO as
    # NCM532: both our assumptions, stated in the scenario.
    all_gwh = ev_world
    all_gwh[_C["nmc622"]] += storage * storage_ternary
    np.subtract(1.0, storage_ternary, out=storage_ternary)
    storage_ternary *= storage
    all_gwh[_C["lfp"]] += storage_ternary
    del storage_ternary
    all_gwh[_C["lco"]] += portable_out * lco_share
    all_gwh[_C["nmc532"]] += portable_out * (1.0 - lco_share)

    # From here on by chemistry as (N, T, C), the layout of the outputs and of the einsum.
    all_gwh = np.ascontiguousarray(all_gwh.transpose(1, 2, 0))
    del ev_world
    yields = _column(inputs["battery.cell_yield"]) * _column(inputs["battery.cathode_yield"])
    input_world = np.multiply(all_gwh, intensity[:, OUT])
    del intensity
    input_world *= KWH_PER_GWH / KG_PER_T
    input_world /= yields[:, :, None]
    world_battery = _pairwise_sum({_C[name]: input_world[..., _C[name]]
                                   for name in _COBALT_BEARING})
    china_share = np.zeros((n, len(CHEMISTRIES)))
    china_share[:, [_C[name] for name in TERNARY]] = _column(
        inputs["china.share.ternary_cathode"])
    china_share[:, _C["lco"]] = china_lco_share[:, 0]
    china_battery_input = np.einsum("ntc,nc->nt", input_world, china_share)
    scrap_china = china_battery_input * (1.0 - _column(inputs["battery.cell_yield"]))

    # --- supply ---------------------------------------------------------------------------
    recycled = _recycled(inputs, china_ev_cobalt, portable_china, scrap_china)
    recycled_supply = recycled["from_use"] + recycled["from_scrap"]

    nonbattery_growth = _growth_factor(inputs["china.nonbattery.growth"], _OUT_YEARS)
    non_battery = _columns_by(n, len(NON_BATTERY_USES))
    for u, use in enumerate(NON_BATTERY_USES):
        np.multiply(_column(inputs[f"china.nonbattery.{use}"]), nonbattery_growth,
                    out=non_battery[..., u])
    # as sum(axis=-1) over the uses adds them
    non_battery_total = non_battery[..., 0] + non_battery[..., 1]
    for u in range(2, len(NON_BATTERY_USES)):
        non_battery_total += non_battery[..., u]
    china_demand = china_battery_input + non_battery_total
    exports = _growth_path(inputs["china.hydroxide.exports_metal"],
                           inputs["china.hydroxide.exports_growth"], _OUT_YEARS)
    primary = np.maximum(china_demand - recycled_supply, 0.0)
    bypass = logistic_through(_OUT_YEARS, ANCHOR_YEAR, inputs["china.feed.bypass_share"],
                              inputs["china.feed.bypass_saturation"],
                              inputs["china.feed.bypass_rate"])
    np.subtract(1.0, bypass, out=bypass)
    hydroxide_metal = primary * bypass
    hydroxide_metal += exports
    co_content = _column(inputs["cobalt.hydroxide.co_content"])

    capacity = _capacity(inputs, n)
    mine_output = _column(inputs["china.mine_output"])
    imports = primary + exports
    imports -= mine_output
    np.maximum(imports, 0.0, out=imports)
    shares = _share_path(inputs)
    by_origin = _columns_by(n, len(ORIGINS))
    for o, origin in enumerate(ORIGINS):
        np.multiply(imports, shares[origin], out=by_origin[..., o])
    total_supply = imports + recycled_supply
    total_supply += mine_output
    np.maximum(total_supply, 1e-9, out=total_supply)
    hhi = shares[ORIGINS[0]] ** 2
    for origin in ORIGINS[1:]:
        hhi += shares[origin] ** 2
    hhi *= 1e4
    world = _world_balance(inputs, world_battery, recycled_supply)
    province = _columns_by(n, len(PROVINCES))
    for p, name in enumerate(PROVINCES):
        np.multiply(capacity, _column(inputs[f"china.capacity.share.{name}"]),
                    out=province[..., p])

    outputs.update({
        "ev_gwh": ev_gwh,
        "storage_gwh": storage,
        "portable_gwh": portable_out,
        "battery_gwh_by_chemistry": all_gwh,
        "ev_chemistry_share": ev_share.transpose(1, 2, 0),
        "world_lfp_share": world_lfp_share,
        "china_ev_chemistry_share": china_mix[:, :, OUT].transpose(1, 2, 0),
        "battery_cobalt_by_chemistry": input_world,
        "world_battery_cobalt": world_battery,
        "china_battery_cobalt": china_battery_input,
        "china_nonbattery_cobalt": non_battery,
        "china_cobalt_demand": china_demand,
        "end_of_life_cobalt": recycled["end_of_life"],
        "recycled_cobalt": recycled_supply,
        "recycled_from_scrap": recycled["from_scrap"],
        "recycled_share": recycled_supply / total_supply,
        "primary_feed": primary,
        "hydroxide_demand_metal": hydroxide_metal,
        "hydroxide_demand_physical": hydroxide_metal / co_content,
        "hydroxide_capacity": capacity,
        "hydroxide_capacity_by_province": province,
        "utilisation": hydroxide_metal / capacity,
        "imports": imports,
        "imports_by_origin": by_origin,
        "import_dependence": imports / total_supply,
        "import_hhi": hhi,
        "world_supply": world["supply"],
        "world_demand": world["demand"],
        "world_balance": world["balance"],
        "price_index": world["price_index"],
        "hydroxide_price": world["price_index"] * _column(inputs["cobalt.price.hydroxide_2024"]),
    })
    return outputs


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
