"""Tables and charts of ``valueloop carbon``: footprints by process route and what they cost.

:func:`run_carbon` evaluates the ``cobalt-process-routes`` model (baseline, and P10/P50/P90 bands
through the engine when ``samples > 0``) after applying the command's options to the scenario as
a named override, so that a province, a green-power share or a carbon price changes the footprint
through the model itself. It also runs the CBAM what-if calculator for cobalt hydroxide and copper
cathode under both free-allocation schedules, and the battery contribution of each route. The
table functions are pure: a :class:`CarbonRun` in, a :class:`~valueloop.core.tables.Table` out.

What the options do
-------------------
- ``province``: every route's plant is put in that MEE place (a province, a regional grid or
  ``China``): the parameters ``cobalt.process.<route>.grid_factor`` become its latest average
  factor, with the MEE row's citation.
- ``green_share``: ``cobalt.process.<route>.green_share`` of every route, certified green power.
- ``carbon_price``: ``carbon.price`` (CNY/tCO2e), fixed: its distribution is dropped.

Electricity is reported both ways the GHG Protocol's Scope 2 Guidance asks: location-based (the
grid average) and market-based (``(1 - g)`` times the residual mix). MEE publishes no provincial
residual mix, so the market-based figure falls back to the province's average, as the Guidance
allows, and the table says so. The process-route model counts electricity market-based.

Reference for the battery share
-------------------------------
The share of a battery's footprint is taken against 70 kgCO2e/kWh, which seed report 2.3 presents
as the EU Battery Regulation's 2030 cap for an NCM811 battery. No shipped source confirms that
figure (the Regulation's maximum thresholds are set by delegated acts, not read here), so the
table labels it as the report's figure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np

from valueloop.core.datatables import load_table
from valueloop.core.errors import OptionError
from valueloop.core.parameters import OverrideEntry, ParameterPatch
from valueloop.core.sampling import baseline_inputs
from valueloop.core.scenario import Scenario, load_scenario, resolve
from valueloop.core.sources import Citation
from valueloop.core.study import Progress, run_study
from valueloop.core.tables import Cell, Table
from valueloop.models.carbon import (
    BATTERY_CHEMISTRIES,
    BatteryContribution,
    GridFactor,
    battery_contribution,
    carbon_cost,
    electricity_factor,
    grid_factor,
)
from valueloop.models.cbam import SCHEDULES, CbamResult, cbam_factor, cbam_what_if
from valueloop.models.process_route_definitions import (
    CARBON_PREFIX,
    FOOTPRINT_COMPONENTS,
    route_name,
)
from valueloop.models.registry import get_model
from valueloop.reports.economics_charts import lines, stacked_bars

DEFAULT_SCENARIO = "valueloop:cobalt-process-routes"
ROUTES_MODEL = "cobalt-process-routes"
DEFAULT_YEARS: tuple[int, ...] = tuple(range(2026, 2035))
"""The CBAM definitive period to the end of the adopted phase-out of free allocation (2034)."""
GRID_TABLE = "china_grid_emission_factors"
SCENARIO_GRID_YEAR = 2022
"""Data year of the MEE provincial factors of the shipped scenario (for the national residual mix
shown next to them)."""

DEFAULT_CBAM_PRICE = 80.0
"""EUR/tCO2e, flat. Assumption: a round figure near the EU ETS price of 2025; the command's
``--cbam-price`` replaces it."""
CBAM_PRICE_SOURCE = Citation(assumption="flat CBAM certificate price, a round figure near the "
                                        "EU ETS auction price of 2025; not a forecast")
CBAM_GOODS: tuple[tuple[str, str], ...] = (
    ("cobalt_hydroxide", "direct"), ("cobalt_hydroxide", "direct_and_indirect"),
    ("copper_cathode", "direct"), ("copper_cathode", "direct_and_indirect"))
"""Rows of the shipped ``cbam_goods`` table the what-if covers: good and emission scope."""
CBAM_CHART_GOODS: tuple[tuple[str, str], ...] = (("cobalt_hydroxide", "direct"),
                                                 ("copper_cathode", "direct"))
"""Goods drawn in the CBAM chart: the direct scope, as the Regulation counts metals."""
IMPORTER_ANNUAL_MASS = 1_000.0
"""t of CBAM goods per year of the importer. Assumption: any importer above the 50 t de minimis,
so that the figures per t of good are owed."""

REFERENCE_FOOTPRINT = 70.0
"""kgCO2e per kWh of battery: the reference of the battery share."""
REFERENCE_SOURCE = Citation(
    document="seed-004", section="2.3",
    note="presented as the EU Battery Regulation's 2030 carbon-intensity cap for NCM811 "
         "batteries; no shipped source confirms the figure")

BANDED_OUTPUTS: tuple[str, ...] = ("footprint", "footprint_product", "carbon_cost")
"""Outputs kept for every sample when ``samples > 0``."""
QUANTILES: tuple[float, ...] = (0.1, 0.5, 0.9)
_BAND_COLUMNS: tuple[str, ...] = ("p10", "p50", "p90")
_OVERRIDE = "valueloop carbon options"
"""Name of the override that carries the command's options (a name TOML files would quote)."""
_KG_PER_T = 1e3


@dataclass(frozen=True)
class CarbonRun:
    """Everything the carbon tables and charts show; per route in the model's route order."""

    scenario: Scenario
    """The scenario with the options applied (override :data:`_OVERRIDE` when any was given)."""
    routes: tuple[str, ...]
    baseline: Mapping[str, np.ndarray]
    """The model's outputs with every input at its baseline, N = 1."""
    location_baseline: Mapping[str, np.ndarray]
    """The same with every route's green share at 0: its electricity is location-based."""
    grid_factor: np.ndarray
    """``(R,)`` kgCO2e/kWh, the grid average each route's plant draws on."""
    grid_sources: tuple[Citation, ...]
    green_share: np.ndarray
    """``(R,)`` certified green share of the electricity bought."""
    co_content: np.ndarray
    """``(R,)`` Co mass fraction of each route's product."""
    carbon_price: float
    """CNY/tCO2e at baseline."""
    carbon_price_source: Citation
    bands: Mapping[str, np.ndarray] | None
    """``(3, R)`` P10/P50/P90 of :data:`BANDED_OUTPUTS`, or None without samples."""
    samples: int
    seed: int
    province: GridFactor | None
    cbam: Mapping[str, tuple[CbamResult, ...]]
    """By schedule (``adopted``, ``proposal``), one result per :data:`CBAM_GOODS` row."""
    cbam_schedule: str
    cbam_price: float
    """EUR/tCO2e."""
    years: tuple[int, ...]
    battery: BatteryContribution
    """Contribution ``(R, C)``: the routes stand on the sample axis."""
    settings: tuple[str, ...]
    """What the options changed, in words, for the tables' notes."""
    scenario_label: str
    """The scenario and override as the user named them (``name/override``)."""


# --- options ------------------------------------------------------------------------------------

def mee_places() -> tuple[str, ...]:
    """Names of the places of the MEE/NBS table, in table order (national, grids, provinces)."""
    return tuple(dict.fromkeys(str(r) for r in load_table(GRID_TABLE).column("region")))


def province_factor(place: str) -> GridFactor:
    """The latest MEE average factor of a province, regional grid or ``China``.

    Raises
    ------
    OptionError
        Naming ``--province`` and listing the MEE places, for a place that is unknown or only
        in the country table (Ember and IFI factors are not comparable with MEE's).
    """
    allowed = ", ".join(mee_places())
    try:
        found = grid_factor(place, None, "average")
    except OptionError:
        raise OptionError(f"no MEE grid factor for {place!r}", item="--province",
                          allowed=allowed) from None
    if found.table != GRID_TABLE:
        raise OptionError(f"{place!r} is a country, not a place of the MEE/NBS table",
                          item="--province", allowed=allowed)
    return found


def _check_options(*, samples: int, seed: int, green_share: float | None,
                   carbon_price: float | None, cbam_price: float, cbam_schedule: str,
                   years: Sequence[int]) -> None:
    if samples < 0:
        raise OptionError(f"must be 0 (baseline only) or more, got {samples}", item="--samples")
    if seed < 0:
        raise OptionError(f"must be a non-negative integer, got {seed}", item="--seed")
    if green_share is not None and not 0.0 <= green_share <= 1.0:
        raise OptionError(f"is {green_share:g}, outside [0, 1]", item="--green-share",
                          allowed="a fraction from 0 to 1 (0.5 is half the electricity)")
    if carbon_price is not None and not (math.isfinite(carbon_price) and carbon_price >= 0.0):
        raise OptionError(f"is {carbon_price:g}", item="--carbon-price",
                          allowed="a non-negative price in CNY/tCO2e")
    if not (math.isfinite(cbam_price) and cbam_price >= 0.0):
        raise OptionError(f"is {cbam_price:g}", item="--cbam-price",
                          allowed="a non-negative price in EUR/tCO2e")
    if cbam_schedule not in SCHEDULES:
        raise OptionError(f"unknown schedule {cbam_schedule!r}", item="--cbam-schedule",
                          allowed=", ".join(SCHEDULES))
    if not years:
        raise OptionError("no years given", item="years", allowed="calendar years, e.g. 2026")


def _options_override(routes: Sequence[str], extends: str | None, place: GridFactor | None,
                      green_share: float | None, carbon_price: float | None
                      ) -> tuple[OverrideEntry, tuple[str, ...]]:
    """The options as a named override on top of the user's, and what they change, in words."""
    patches: dict[str, ParameterPatch] = {}
    said: list[str] = []
    if place is not None:
        source = Citation(document=place.citation.document,
                          section=f"{place.citation.section}, {place.place}",
                          note=f"set by --province: {place.kind} {place.year}")
        patches.update({route_name(r, "grid_factor"): ParameterPatch(
            value=place.value, unit=place.unit, source=source) for r in routes})
        said.append(f"every plant in {place.place} ({place.code}): MEE {place.year} average "
                    f"{place.value:.4g} kgCO2e/kWh")
    if green_share is not None:
        source = Citation(assumption="certified green share set by --green-share")
        patches.update({route_name(r, "green_share"): ParameterPatch(
            value=green_share, unit="dimensionless", source=source) for r in routes})
        said.append(f"certified green share {green_share:g} on every route")
    if carbon_price is not None:
        patches[f"{CARBON_PREFIX}price"] = ParameterPatch(
            value=carbon_price, unit="CNY/tCO2e", fixed=True,
            source=Citation(assumption="carbon price set by --carbon-price"))
        said.append(f"carbon price {carbon_price:g} CNY/tCO2e (fixed)")
    entry = OverrideEntry(description="options of valueloop carbon", extends=extends,
                          source=Citation(assumption="options of the valueloop carbon command"),
                          parameters=patches)
    return entry, tuple(said)


def _apply_options(base: Scenario, routes: Sequence[str], place: GridFactor | None,
                   green_share: float | None, carbon_price: float | None
                   ) -> tuple[Scenario, tuple[str, ...]]:
    if place is None and green_share is None and carbon_price is None:
        return base, ()
    entry, said = _options_override(routes, base.override, place, green_share, carbon_price)
    definition = base.definition.model_copy(
        update={"overrides": {**base.definition.overrides, _OVERRIDE: entry}})
    return resolve(definition, get_model(base.model), override=_OVERRIDE, file=base.file), said


# --- the run ------------------------------------------------------------------------------------

def run_carbon(scenario: str | Path = DEFAULT_SCENARIO, override: str | None = None, *,
               samples: int = 0, seed: int = 0, province: str | None = None,
               green_share: float | None = None, carbon_price: float | None = None,
               cbam_price: float = DEFAULT_CBAM_PRICE, cbam_schedule: str = "adopted",
               years: Sequence[int] = DEFAULT_YEARS,
               chemistries: Sequence[str] = BATTERY_CHEMISTRIES,
               progress: Progress | None = None) -> CarbonRun:
    """Footprints, carbon cost, CBAM what-if and battery contribution of the process routes.

    Parameters
    ----------
    scenario, override
        A scenario for the ``cobalt-process-routes`` model and one of its named overrides.
    samples, seed
        Monte Carlo samples for the P10/P50/P90 bands (0: baseline only) and their seed.
    province
        An MEE place (province, regional grid or ``China``) where every route's plant is put.
    green_share
        Certified green share of every route's electricity, in [0, 1].
    carbon_price
        CNY/tCO2e, replacing the scenario's (and its uncertainty).
    cbam_price
        EUR/tCO2e, flat over ``years``.
    cbam_schedule
        Free-allocation schedule of the CBAM table: ``adopted`` or ``proposal``. Both are
        computed (the chart draws both).
    years
        Years of the CBAM what-if.
    chemistries
        ``chemistry_id`` values of ``battery_mineral_intensity``.
    progress
        Callback of the engine's study, when ``samples > 0``.

    Raises
    ------
    OptionError
        For an option outside what it accepts, naming the option.
    ScenarioStructureError
        For a scenario of another model.
    """
    _check_options(samples=samples, seed=seed, green_share=green_share,
                   carbon_price=carbon_price, cbam_price=cbam_price,
                   cbam_schedule=cbam_schedule, years=years)
    place = None if province is None else province_factor(province)
    model = get_model(ROUTES_MODEL)
    base = load_scenario(scenario, model=model, override=override)
    routes = tuple(str(r) for r in (model.axis_labels or {})["route"])
    resolved, settings = _apply_options(base, routes, place, green_share, carbon_price)
    inputs = baseline_inputs(resolved)
    baseline = model(inputs, 1)
    no_green = {**inputs, **{route_name(r, "green_share"): np.zeros(1) for r in routes}}
    location = model(no_green, 1)
    bands = None
    if samples > 0:
        study = run_study(model, resolved, samples, seed=seed, keep=BANDED_OUTPUTS,
                          progress=progress)
        bands = MappingProxyType({name: study.quantiles(name, QUANTILES)
                                  for name in BANDED_OUTPUTS})

    def per_route(key: str) -> np.ndarray:
        return np.array([float(resolved.parameters[route_name(r, key)].value)  # type: ignore[arg-type]
                         for r in routes])

    price = resolved.parameters[f"{CARBON_PREFIX}price"]
    year_tuple = tuple(int(y) for y in years)
    cbam = MappingProxyType({schedule: tuple(
        cbam_what_if(good, 1.0, year_tuple, cbam_price, emission_scope=scope,  # type: ignore[arg-type]
                     schedule=schedule, importer_annual_mass=IMPORTER_ANNUAL_MASS)  # type: ignore[arg-type]
        for good, scope in CBAM_GOODS) for schedule in SCHEDULES})
    return CarbonRun(
        scenario=resolved, routes=routes, baseline=MappingProxyType(dict(baseline)),
        location_baseline=MappingProxyType(dict(location)),
        grid_factor=per_route("grid_factor"),
        grid_sources=tuple(resolved.parameters[route_name(r, "grid_factor")].source
                           for r in routes),
        green_share=per_route("green_share"), co_content=per_route("product_co_content"),
        carbon_price=float(price.value),  # type: ignore[arg-type]
        carbon_price_source=price.source, bands=bands, samples=samples, seed=seed,
        province=place, cbam=cbam, cbam_schedule=cbam_schedule, cbam_price=float(cbam_price),
        years=year_tuple,
        battery=battery_contribution(baseline["footprint"][0], tuple(chemistries)),
        settings=settings, scenario_label=base.label)


# --- tables -------------------------------------------------------------------------------------

def _settings_note(run: CarbonRun) -> str:
    changed = "; ".join(run.settings) if run.settings else "no option changed it"
    return f"Scenario {run.scenario_label}; {changed}."


def _band_cells(run: CarbonRun, output: str, route: int) -> dict[str, Cell]:
    if run.bands is None:
        return {}
    return {name: float(run.bands[output][q, route])
            for q, name in enumerate(_BAND_COLUMNS)}


def footprint_table(run: CarbonRun) -> Table:
    """Footprint by route and component at baseline, per t of contained cobalt and per t of
    product, with P10/P50/P90 of the total when the run has samples."""
    breakdown = run.baseline["footprint_breakdown"][0]
    totals = {"t Co": run.baseline["footprint"][0],
              "t product": run.baseline["footprint_product"][0]}
    band_output = {"t Co": "footprint", "t product": "footprint_product"}
    records = []
    for r, route in enumerate(run.routes):
        for basis, scale in (("t Co", 1.0), ("t product", run.co_content[r])):
            record: dict[str, Cell] = {"route": route, "per": basis}
            record.update({c: float(breakdown[r, k] * scale)
                           for k, c in enumerate(FOOTPRINT_COMPONENTS)})
            record["total"] = float(totals[basis][r])
            record.update(_band_cells(run, band_output[basis], r))
            records.append(record)
    columns = ("route", "per", *FOOTPRINT_COMPONENTS, "total",
               *(_BAND_COLUMNS if run.bands is not None else ()))
    bands = (f"; P10/P50/P90 of the total from {run.samples:,} samples (seed {run.seed})"
             if run.bands is not None else "")
    return Table.from_records(
        f"Footprint by route and component, tCO2e per t (baseline{bands})", records, columns,
        units={c: "tCO2e/t" for c in columns[2:]},
        notes=(_settings_note(run),
               "Gate-to-gate plus purchased inputs: electricity (market-based), steam, fuels, "
               "reagents cradle-to-gate, process CO2, waste treatment, freight to and from the "
               "plant; the feed's own upstream is outside.",
               "Per t product = per t Co x the product's Co content "
               + ", ".join(f"{r} {c:.0%}" for r, c in zip(run.routes, run.co_content,
                                                           strict=True)) + "."))


def electricity_table(run: CarbonRun) -> Table:
    """Scope-2 electricity per t of contained cobalt, location-based and market-based."""
    location = run.location_baseline["footprint_breakdown"][0, :, 0]
    market = run.baseline["footprint_breakdown"][0, :, 0]
    factors = electricity_factor(run.grid_factor, run.grid_factor, run.green_share)
    with np.errstate(divide="ignore", invalid="ignore"):
        kwh = np.where(run.grid_factor > 0.0, location * _KG_PER_T / run.grid_factor, np.nan)
    footprint = run.baseline["footprint"][0]
    records = [{
        "route": route, "grid": _grid_label(run, r),
        "green_share": float(run.green_share[r]),
        "electricity": float(kwh[r]),
        "ef_location": float(factors.location_based[r]),
        "ef_market": float(factors.market_based[r]),
        "location_based": float(location[r]),
        "market_based": float(market[r]),
        "total_location_based": float(footprint[r] - market[r] + location[r]),
        "total_market_based": float(footprint[r]),
    } for r, route in enumerate(run.routes)]
    return Table.from_records(
        "Scope 2 electricity by route, location-based and market-based, per t Co", records,
        units={"green_share": "fraction", "electricity": "kWh/t", "ef_location": "kgCO2e/kWh",
               "ef_market": "kgCO2e/kWh", "location_based": "tCO2e/t",
               "market_based": "tCO2e/t", "total_location_based": "tCO2e/t",
               "total_market_based": "tCO2e/t"},
        notes=(_settings_note(run),
               "GHG Protocol Scope 2 Guidance (ghg-protocol-scope2-2015): location-based = kWh x "
               "grid average; market-based = kWh x (1 - certified green share) x residual mix. "
               "total_* is the whole footprint per t Co counted each way.",
               _residual_note(run),
               "The footprint tables count electricity market-based."))


def _grid_label(run: CarbonRun, route: int) -> str:
    if run.province is not None:
        return f"{run.province.place} {run.province.year}"
    source = run.grid_sources[route]
    return source.section or source.short() if source.document else "assumption"


def _residual_note(run: CarbonRun) -> str:
    year = SCENARIO_GRID_YEAR if run.province is None else run.province.year
    fallback = ("MEE publishes no provincial residual mix: market-based falls back to the grid "
                "average (the Guidance's fallback; disclose it).")
    try:
        residual = grid_factor("China", year, "residual")
    except OptionError:
        return fallback
    return (f"{fallback} The national residual mix of {year}, {residual.value:.4g} kgCO2e/kWh "
            f"({residual.citation.short()}), is the alternative.")


def carbon_cost_table(run: CarbonRun) -> Table:
    """Carbon cost of each route's whole footprint at the carbon price, no free allowances."""
    footprint = run.baseline["footprint"][0]
    product = run.baseline["footprint_product"][0]
    cost = run.baseline["carbon_cost"][0]
    full = run.baseline["full_cost"][0]
    per_product = carbon_cost(product, run.carbon_price)
    records = []
    for r, route in enumerate(run.routes):
        record: dict[str, Cell] = {
            "route": route, "footprint": float(footprint[r]),
            "carbon_price": run.carbon_price, "carbon_cost": float(cost[r]),
            "carbon_cost_product": float(per_product[r]), "full_cost": float(full[r]),
            "share_of_full_cost": float(100.0 * cost[r] / full[r]) if full[r] else math.nan}
        record.update(_band_cells(run, "carbon_cost", r))
        records.append(record)
    columns = ("route", "footprint", "carbon_price", "carbon_cost", "carbon_cost_product",
               "full_cost", "share_of_full_cost",
               *(_BAND_COLUMNS if run.bands is not None else ()))
    units = {"footprint": "tCO2e/t", "carbon_price": "CNY/tCO2e", "carbon_cost": "CNY/t",
             "carbon_cost_product": "CNY/t", "full_cost": "CNY/t", "share_of_full_cost": "%",
             **{b: "CNY/t" for b in _BAND_COLUMNS}}
    return Table.from_records(
        f"Carbon cost by route at {run.carbon_price:g} CNY/tCO2e, per t Co (whole footprint, "
        "no free allowances)", records, columns,
        units={c: units[c] for c in columns if c in units},
        notes=(_settings_note(run),
               f"Carbon price: {run.carbon_price_source.short()}.",
               "carbon_cost_product is per t of product; full_cost is the model's life-cycle "
               "cost per t Co."
               + (" P10/P50/P90 are of carbon_cost per t Co." if run.bands is not None
                  else "")))


def cbam_table(run: CarbonRun, schedule: str | None = None) -> Table:
    """The CBAM what-if by good and year under one free-allocation schedule, EUR per t of good.

    The title carries ``WHAT-IF`` and the notes every result's label: cobalt and copper are not
    CBAM goods.
    """
    chosen = run.cbam_schedule if schedule is None else schedule
    if chosen not in run.cbam:
        raise OptionError(f"unknown schedule {chosen!r}", item="--cbam-schedule",
                          allowed=", ".join(run.cbam))
    factor = cbam_factor(run.years, chosen)  # type: ignore[arg-type]
    records = [{
        "good": result.good.good, "cn_code": result.good.cn_code,
        "emission_scope": result.good.emission_scope, "status": result.status,
        "year": year, "cbam_factor": float(factor[t]),
        "embedded_emissions": float(result.embedded_emissions[0, t]),
        "free_allocation": float(result.free_allocation_adjustment[0, t]),
        "certificates": float(result.certificates[0, t]), "cost": float(result.cost[0, t]),
    } for result in run.cbam[chosen] for t, year in enumerate(run.years)]
    labels = tuple(dict.fromkeys(f"{r.good.good} ({r.good.emission_scope}): {r.label}"
                                 for r in run.cbam[chosen]))
    return Table.from_records(
        f"CBAM WHAT-IF by year, EUR per t of good at {run.cbam_price:g} EUR/tCO2e, {chosen} "
        "schedule (cobalt and copper are not CBAM goods)", records,
        units={"cbam_factor": "fraction", "embedded_emissions": "tCO2e/t",
               "free_allocation": "tCO2e/t", "certificates": "tCO2e/t", "cost": "EUR/t"},
        notes=(*labels,
               f"CBAM price: {CBAM_PRICE_SOURCE.short()}.",
               "Default values with the mark-up of each year (cbam_goods); no carbon price paid "
               f"at origin deducted; the importer brings more than the 50 t de minimis "
               f"({IMPORTER_ANNUAL_MASS:g} t/yr assumed)."))


def battery_table(run: CarbonRun) -> Table:
    """Each route's contribution to a battery's footprint per kWh and its share of the
    reference footprint (:data:`REFERENCE_FOOTPRINT`)."""
    footprint = run.baseline["footprint"][0]
    contribution = run.battery.contribution
    records = [{
        "route": route, "chemistry": chemistry,
        "cobalt_per_kwh": float(run.battery.cobalt_per_kwh[c]),
        "footprint": float(footprint[r]),
        "contribution": float(contribution[r, c]),
        "share_of_reference": float(100.0 * contribution[r, c] / REFERENCE_FOOTPRINT),
    } for r, route in enumerate(run.routes) for c, chemistry in enumerate(run.battery.chemistries)]
    return Table.from_records(
        f"Battery contribution by route and chemistry, kgCO2e/kWh and % of "
        f"{REFERENCE_FOOTPRINT:g} kgCO2e/kWh", records,
        units={"cobalt_per_kwh": "kg/kWh", "footprint": "tCO2e/t", "contribution": "kgCO2e/kWh",
               "share_of_reference": "%"},
        notes=(f"Reference {REFERENCE_FOOTPRINT:g} kgCO2e/kWh: {REFERENCE_SOURCE.short()} "
               f"({REFERENCE_SOURCE.note}).",
               "This stage only (footprint per t Co x kg Co per kWh, battery_mineral_intensity); "
               "refining to sulphate, precursor and cathode add their own; no refining loss."))


def grid_table(place: GridFactor) -> Table:
    """Every MEE factor of a place next to the national average and residual mix."""
    table = load_table(GRID_TABLE)
    rows = [(record, citation)
            for record, citation in zip(table.records(), table.citations, strict=True)
            if record["code"] == place.code
            or (record["code"] == "CN" and record["factor_kind"] in ("average", "residual"))]
    records = [{"place": str(record["region"]), "code": str(record["code"]),
                "kind": str(record["factor_kind"]), "year": record["data_year"],
                "value": float(record["value"]),  # type: ignore[arg-type]
                "unit": str(record["unit"]), "source": citation.short()}
               for record, citation in rows]
    return Table.from_records(
        f"Grid emission factors of {place.place} ({place.code}) and China (MEE/NBS)", records,
        notes=(f"Used: {place.place} {place.kind} {place.year}, {place.value:.4g} "
               f"{place.unit}.", "CO2 only, consumption side, as transcribed; verify against "
                                 "the MEE annex."))


def carbon_tables(run: CarbonRun) -> tuple[Table, ...]:
    """The command's tables in print order (the grid table only when a province was given)."""
    tables = [footprint_table(run), electricity_table(run), carbon_cost_table(run),
              cbam_table(run), battery_table(run)]
    if run.province is not None:
        tables.append(grid_table(run.province))
    return tuple(tables)


# --- charts -------------------------------------------------------------------------------------

def carbon_charts(run: CarbonRun) -> dict[str, str]:
    """SVG charts: ``footprint`` (breakdown per route, per t Co) and ``cbam`` (what-if cost by
    year, both schedules)."""
    footprint = stacked_bars(
        list(run.routes), [c.replace("_", " ") for c in FOOTPRINT_COMPONENTS],
        run.baseline["footprint_breakdown"][0], "tCO2e per t Co",
        "Footprint of cobalt hydroxide by route and component", totals=run.baseline["footprint"][0])
    series = {}
    for schedule in SCHEDULES:
        for result in run.cbam[schedule]:
            if (result.good.good, result.good.emission_scope) in CBAM_CHART_GOODS:
                name = f"{result.good.good.replace('_', ' ')}, {schedule}"
                series[name] = result.cost[0]
    cbam = lines(np.asarray(run.years, dtype=float), series, "year", "EUR per t of good",
                 f"WHAT-IF: CBAM cost at {run.cbam_price:g} EUR/tCO2e (not CBAM goods today)")
    return {"footprint": footprint, "cbam": cbam}
