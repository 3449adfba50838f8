"""Process routes to cobalt hydroxide: what each route is, and the parameters it declares.

Four routes (seed report 2.1, 2.2, 3.1, 3.2): hydrometallurgy of imported intermediates (acid
leach, solvent extraction, precipitation), pyrometallurgy of matte or alloy (reduction smelting,
then refining and precipitation), bioleaching of low-grade material, and recycling of spent
batteries (pretreatment to black mass, then hydrometallurgy). A route's *structure* is a small
pydantic :class:`ProcessRouteDefinition`: its feed and how the feed is priced, which reagents and
fuels it uses, where its residue goes, whether it has a pretreatment stage, how its freight
travels. Numbers never live here: every quantity is a declared parameter whose value, range and
source are in the scenario ``cobalt-process-routes.toml``. The kernel is in
:mod:`valueloop.models.process_routes`.

Bases ("per tonne")
-------------------
- **Outputs** (costs, footprints, break-even price, margins per tonne) are per tonne of *contained
  cobalt in the product* (t Co). The seed report's cost and price figures are on that basis: 2.1
  builds the raw-material cost as 16.3 万元 per t of *contained cobalt* (金属量) and says raw
  material is 88.1 % of the 18.5 万元/t average cost (0.881 x 18.5 = 16.3), so the 18.5 (and the
  20.3 full cost and the 20.8 price it is compared with) are per t Co; read per t of hydroxide at
  31 % Co, 20.8 万元/t would be 67 万元 per t Co, 4.7 times the 14.2 万元/t Co the same section
  gives for the intermediates it is made from. Per-tonne-of-product twins of the totals are
  returned as well (``*_product``): per t of product = per t Co x the product's Co content.
- **Inputs** are in the basis their sources use and each declaration says which: physical
  intensities (reagents, energy, water, waste) per t of *product* (hydroxide as sold, report 1.3,
  2.1, 3.1, 3.2) or, for routes whose ``intensity_basis`` is ``"feed"``, per t of *feed*
  (EverBatt gives recycling inputs per kg of battery); capacity and capex per t of product
  capacity; feed prices per t of contained cobalt or per t of feed material (``feed_price_basis``).
- **Joint inputs.** Quantities per t of feed (feed-basis intensities, the pretreatment stage,
  inbound freight, feed bought per t of material) serve every metal the feed contains; the share
  charged to cobalt is ``co_allocation`` (declared only for routes that have such inputs).
  Quantities per t of product, per t of capacity or per t of contained cobalt belong to the cobalt
  product alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Literal, NamedTuple, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from valueloop.core.parameters import ParameterDeclaration

PREFIX = "cobalt.process."
CARBON_PREFIX = "carbon."

ReagentId = Literal[
    "sulfuric_acid", "hydrochloric_acid", "sodium_hydroxide", "lime", "limestone", "magnesia",
    "sodium_carbonate", "hydrogen_peroxide", "sodium_metabisulfite", "sulfur_dioxide",
    "extractant", "ammonia", "silica_flux",
]
FuelId = Literal["coal", "coke", "natural_gas", "diesel"]
ResidueDisposal = Literal["hazardous_residue_disposal", "residue_landfill"]
FreightMode = Literal["road", "rail", "sea"]

REAGENT_IDS: tuple[str, ...] = get_args(ReagentId)
"""Reagent ids shared with the carbon factor registry (``carbon.factor.<id>``, kgCO2e/kg)."""
FUEL_IDS: tuple[str, ...] = get_args(FuelId)
RESIDUE_DISPOSALS: tuple[str, ...] = get_args(ResidueDisposal)
FREIGHT_MODES: tuple[str, ...] = get_args(FreightMode)
WASTEWATER = "wastewater_treatment"

COST_COMPONENTS = ("raw_material", "energy", "reagents", "labour", "depreciation", "environment",
                   "logistics", "financing")
"""Columns of the life-cycle cost breakdown, in the order of the issue. ``energy`` holds
electricity (with green certificates), steam and fuels; ``reagents`` holds reagents and process
water; ``labour`` holds wages and management (report 2.2: fixed cost = depreciation, labour,
management); ``environment`` holds wastewater and residue treatment; ``financing`` holds interest
on working capital and on the debt-financed share of capex."""
CASH_COMPONENTS = ("raw_material", "energy", "reagents", "labour", "environment", "logistics")
"""The cash cost leaves out depreciation and financing."""
FOOTPRINT_COMPONENTS = ("electricity", "steam", "fuels", "reagents", "process",
                        "waste_treatment", "transport")
COBALT_FLOWS = ("feed", "product", "pretreatment_loss", "process_loss")

YEARS = (2025, 2026, 2027, 2028, 2029, 2030)
"""Years of the price path (the report's horizon, "2025 and the next five years")."""
SCALE_CAPACITIES = (2_500, 7_500, 20_000, 40_000, 60_000)
"""Plant capacities (t/yr of product) at which the scale curve is evaluated: one in each capacity
class of the report's 2.3 table (< 5,000; 5,000-9,999; 10,000-29,999; 30,000-49,999; >= 50,000 t),
the middle of each closed class and our choice for the two open ones."""


class FuelSpec(NamedTuple):
    """Units of one fuel: amount per t, price and emission factor, and the factors between them.

    ``cost_scale`` turns amount x price into CNY, ``emission_scale`` amount x factor into kgCO2e.
    """

    amount_unit: str
    price_unit: str
    factor_unit: str
    cost_scale: float
    emission_scale: float


FUEL_UNITS: Mapping[str, FuelSpec] = MappingProxyType({
    "coal": FuelSpec("kg/t", "CNY/t", "kgCO2e/t", 1e-3, 1e-3),
    "coke": FuelSpec("kg/t", "CNY/t", "kgCO2e/t", 1e-3, 1e-3),
    "natural_gas": FuelSpec("m**3/t", "CNY/m**3", "kgCO2e/m**3", 1.0, 1.0),
    "diesel": FuelSpec("kg/t", "CNY/t", "kgCO2e/kg", 1e-3, 1.0),
})
"""Factor units follow the ids agreed with the carbon factor registry (coal and coke per t,
natural gas per m3, diesel per kg)."""


# --- route structure ------------------------------------------------------------------------------

class ProcessRouteDefinition(BaseModel):
    """One process route to cobalt hydroxide: structure only, numbers live in the scenario."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    """Used in parameter names: ``cobalt.process.<id>.<quantity>``."""
    title: str
    feed: str
    """The material the plant buys."""
    feed_price_basis: Literal["contained_cobalt", "feed_material"]
    """``feed_price`` is per t of cobalt contained in the feed (intermediates are paid on their
    cobalt), or per t of feed material (spent batteries; negative for a gate fee received)."""
    intensity_basis: Literal["product", "feed"] = "product"
    """Reagents, energy, water and waste are given per t of product, or per t of feed."""
    product: str = "cobalt hydroxide"
    reagents: tuple[ReagentId, ...] = Field(min_length=1)
    fuels: tuple[FuelId, ...] = ()
    residue_disposal: ResidueDisposal
    """Where the solid residue goes; its emission factor is ``carbon.factor.<residue_disposal>``.
    Wastewater always goes to treatment (``carbon.factor.wastewater_treatment``)."""
    has_pretreatment: bool = False
    """A pretreatment stage (discharge, dismantling, shredding, sieving to black mass) before the
    main process: it adds a cobalt recovery and an electricity use per t of feed."""
    feed_mode: FreightMode = "road"
    """Mode of inbound freight (feed to plant)."""
    product_mode: FreightMode = "road"
    """Mode of outbound freight (product to customer)."""

    @field_validator("reagents", "fuels")
    @classmethod
    def _unique(cls, items: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(items)) != len(items):
            raise ValueError(f"ids must be unique, got {list(items)}")
        return items

    @model_validator(mode="after")
    def _joint_feed_needs_material_price(self) -> ProcessRouteDefinition:
        if self.intensity_basis == "feed" and self.feed_price_basis != "feed_material":
            raise ValueError("a route with intensities per t of feed must price its feed per t "
                             "of feed material")
        return self

    @property
    def has_joint_inputs(self) -> bool:
        """Whether any input is per t of feed, so that ``co_allocation`` is declared."""
        return (self.intensity_basis == "feed" or self.feed_price_basis == "feed_material"
                or self.has_pretreatment)

    @property
    def waste_streams(self) -> tuple[str, ...]:
        return (WASTEWATER, self.residue_disposal)


HYDROMET = ProcessRouteDefinition(
    id="hydromet", title="Hydrometallurgy: sulphuric acid leach, solvent extraction, precipitation",
    feed="imported cobalt intermediate (crude hydroxide or sulphide)",
    feed_price_basis="contained_cobalt",
    reagents=("sulfuric_acid", "sodium_metabisulfite", "limestone", "sodium_hydroxide",
              "extractant"),
    residue_disposal="hazardous_residue_disposal", feed_mode="road", product_mode="road")
PYROMET = ProcessRouteDefinition(
    id="pyromet", title="Pyrometallurgy: reduction smelting of matte or alloy, refining, "
                        "precipitation",
    feed="cobalt matte or alloy", feed_price_basis="contained_cobalt",
    reagents=("silica_flux", "limestone", "sulfuric_acid", "sodium_hydroxide"),
    fuels=("coke", "natural_gas"),
    residue_disposal="hazardous_residue_disposal", feed_mode="road", product_mode="rail")
BIOLEACH = ProcessRouteDefinition(
    id="bioleach", title="Bioleaching of low-grade material, solvent extraction, precipitation",
    feed="low-grade cobalt-bearing concentrate or tailings", feed_price_basis="contained_cobalt",
    reagents=("sulfuric_acid", "limestone", "ammonia", "sodium_hydroxide", "extractant"),
    residue_disposal="hazardous_residue_disposal", feed_mode="road", product_mode="road")
RECYCLING = ProcessRouteDefinition(
    id="recycling", title="Recycling of spent batteries: pretreatment to black mass, then "
                          "hydrometallurgy",
    feed="spent NCM lithium-ion batteries", feed_price_basis="feed_material",
    intensity_basis="feed", has_pretreatment=True,
    reagents=("sulfuric_acid", "hydrogen_peroxide", "sodium_hydroxide", "hydrochloric_acid",
              "ammonia", "sodium_carbonate"),
    fuels=("natural_gas", "diesel"),
    residue_disposal="residue_landfill", feed_mode="road", product_mode="road")
DEFAULT_ROUTES: tuple[ProcessRouteDefinition, ...] = (HYDROMET, PYROMET, BIOLEACH, RECYCLING)


# --- declarations ---------------------------------------------------------------------------------

_NON_NEGATIVE = (0.0, math.inf)
_POSITIVE = (1e-12, math.inf)
_FRACTION = (0.0, 1.0)
_SHARE = (1e-6, 1.0)
_ANY = (-math.inf, math.inf)


class _Quantity(NamedTuple):
    key: str
    unit: str
    description: str
    bounds: tuple[float, float] = _NON_NEGATIVE


def _basis(route: ProcessRouteDefinition) -> str:
    return "t of feed" if route.intensity_basis == "feed" else "t of product"


def _route_quantities(route: ProcessRouteDefinition) -> list[_Quantity]:
    per = _basis(route)
    price_basis = ("t of cobalt contained in the feed" if route.feed_price_basis
                   == "contained_cobalt" else "t of feed material (negative: gate fee received)")
    quantities = [
        _Quantity("feed_grade", "dimensionless", "Co mass fraction of the feed", _SHARE),
        _Quantity("recovery", "dimensionless",
                  "Share of the cobalt entering the main process that reaches the product",
                  _SHARE),
        _Quantity("product_co_content", "dimensionless", "Co mass fraction of the product",
                  _SHARE),
        _Quantity("feed_price", "CNY/t", f"Feed price per {price_basis}", _ANY),
        _Quantity("feed_charges_rate", "dimensionless",
                  "Port charges and fees as a share of the feed's value", _FRACTION),
        _Quantity("compliance_cost", "CNY/t",
                  "Supply-chain compliance or product certification per t of product"),
        _Quantity("electricity", "kWh/t", f"Electricity of the main process per {per}"),
        _Quantity("steam", "t/t", f"Purchased steam per {per}"),
        _Quantity("water", "m**3/t", f"Process water per {per}"),
        _Quantity("wastewater", "m**3/t", f"Wastewater treated per {per}"),
        _Quantity("wastewater_cost", "CNY/m**3", "Wastewater treatment cost"),
        _Quantity("residue", "t/t", f"Solid residue per {per}"),
        _Quantity("residue_cost", "CNY/t", "Residue treatment or disposal cost per t of residue"),
        _Quantity("process_emissions", "kgCO2e/t",
                  f"Direct process emissions per {per}, besides fuel combustion and the CO2 of "
                  "limestone (computed)"),
        _Quantity("labour_productivity", "t/yr",
                  "Product capacity per person employed, at the reference capacity", _POSITIVE),
        _Quantity("wage", "CNY/yr", "All-in labour cost per person and year"),
        _Quantity("management_cost", "CNY/t",
                  "Management cost per t of capacity and year, at the reference capacity"),
        _Quantity("capex", "CNY*yr/t",
                  "Investment per t/yr of product capacity, at the reference capacity"),
        _Quantity("reference_capacity", "t/yr",
                  "Capacity at which capex, management cost and labour productivity are given",
                  _POSITIVE),
        _Quantity("capacity", "t/yr", "Product capacity of the plant modelled", _POSITIVE),
        _Quantity("utilisation", "dimensionless", "Output over capacity", _SHARE),
        _Quantity("depreciation_life", "yr", "Straight-line depreciation life", _POSITIVE),
        _Quantity("working_capital_days", "day", "Working capital as days of cash operating cost"),
        _Quantity("feed_freight", "CNY/t", "Inbound freight per t of feed material"),
        _Quantity("feed_distance", "km", f"Inbound freight distance ({route.feed_mode})"),
        _Quantity("product_freight", "CNY/t", "Outbound freight per t of product"),
        _Quantity("product_distance", "km", f"Outbound freight distance ({route.product_mode})"),
        _Quantity("grid_factor", "kgCO2e/kWh",
                  "Emission factor of grid electricity where the plant is"),
        _Quantity("green_share", "dimensionless",
                  "Share of electricity from certified zero-carbon supply", _FRACTION),
    ]
    if route.has_pretreatment:
        quantities += [
            _Quantity("pretreatment_recovery", "dimensionless",
                      "Share of the feed's cobalt reaching the black mass", _SHARE),
            _Quantity("pretreatment_electricity", "kWh/t",
                      "Electricity of pretreatment per t of feed"),
        ]
    if route.has_joint_inputs:
        quantities.append(_Quantity("co_allocation", "dimensionless",
                                    "Share of the per-t-of-feed inputs charged to cobalt",
                                    _SHARE))
    quantities += [_Quantity(f"reagent.{reagent}", "kg/t", f"{reagent} per {per}")
                   for reagent in route.reagents]
    quantities += [_Quantity(f"fuel.{fuel}", FUEL_UNITS[fuel].amount_unit, f"{fuel} per {per}")
                   for fuel in route.fuels]
    return quantities


def union(routes: Sequence[ProcessRouteDefinition], field: str) -> tuple[str, ...]:
    """Ids used by any route, in the order of the shared id list."""
    if field == "reagents":
        universe, used = REAGENT_IDS, {r for route in routes for r in route.reagents}
    elif field == "fuels":
        universe, used = FUEL_IDS, {f for route in routes for f in route.fuels}
    elif field == "modes":
        universe = FREIGHT_MODES
        used = {m for route in routes for m in (route.feed_mode, route.product_mode)}
    elif field == "residue_disposal":
        universe, used = RESIDUE_DISPOSALS, {route.residue_disposal for route in routes}
    else:
        raise ValueError(f"no id list named {field!r}")
    return tuple(item for item in universe if item in used)


def _shared_quantities(routes: Sequence[ProcessRouteDefinition]) -> list[tuple[str, _Quantity]]:
    """(full name, quantity) of every shared parameter the routes need."""
    p, c = PREFIX, CARBON_PREFIX
    shared = [
        (f"{p}product_price", _Quantity("", "CNY/t",
                                        "Cobalt hydroxide price per t of contained cobalt")),
        (f"{p}price.electricity", _Quantity("", "CNY/kWh", "Industrial electricity price")),
        (f"{p}price.green_certificate", _Quantity(
            "", "CNY/MWh", "Premium for certified green electricity (certificates)")),
        (f"{p}price.steam", _Quantity("", "CNY/t", "Steam price")),
        (f"{p}price.water", _Quantity("", "CNY/m**3", "Process water price")),
        (f"{p}financing.rate", _Quantity("", "dimensionless", "Interest rate per year",
                                         (0.0, 1.0))),
        (f"{p}financing.debt_share", _Quantity("", "dimensionless",
                                               "Share of capex financed by debt", _FRACTION)),
        (f"{p}financing.cost_of_equity", _Quantity("", "dimensionless",
                                                   "Nominal cost of equity", (0.0, 1.0))),
        (f"{p}financing.tax_rate", _Quantity("", "dimensionless", "Income-tax rate",
                                             _FRACTION)),
        (f"{p}financing.inflation", _Quantity("", "dimensionless",
                                              "Expected inflation (nominal to real rates)",
                                              (-0.5, 1.0))),
        (f"{p}scale.capex_exponent", _Quantity(
            "", "dimensionless", "Exponent p of C = C0 (R/R0)^p for capex", (0.0, 1.5))),
        (f"{p}scale.fixed_cost_exponent", _Quantity(
            "", "dimensionless", "Exponent p for labour and management", (0.0, 1.5))),
        (f"{c}price", _Quantity("", "CNY/tCO2e", "Carbon price")),
        (f"{c}factor.steam", _Quantity("", "kgCO2e/t", "Emission factor of steam")),
        (f"{c}factor.{WASTEWATER}", _Quantity("", "kgCO2e/m**3",
                                              "Emission factor of wastewater treatment")),
    ]
    shared += [(f"{p}price.{r}", _Quantity("", "CNY/t", f"Price of {r} (100 % basis)"))
               for r in union(routes, "reagents")]
    shared += [(f"{c}factor.{r}", _Quantity("", "kgCO2e/kg", f"Cradle-to-gate factor of {r}"))
               for r in union(routes, "reagents")]
    for fuel in union(routes, "fuels"):
        spec = FUEL_UNITS[fuel]
        shared.append((f"{p}price.{fuel}", _Quantity("", spec.price_unit, f"Price of {fuel}")))
        shared.append((f"{c}factor.{fuel}", _Quantity("", spec.factor_unit,
                                                       f"Emission factor of {fuel}")))
    shared += [(f"{c}factor.{kind}", _Quantity("", "kgCO2e/t", f"Emission factor of {kind}"))
               for kind in union(routes, "residue_disposal")]
    shared += [(f"{c}factor.{mode}", _Quantity("", "gCO2e/(t*km)", f"{mode} freight factor"))
               for mode in union(routes, "modes")]
    return shared


def check_routes(routes: Sequence[ProcessRouteDefinition]) -> tuple[ProcessRouteDefinition, ...]:
    routes = tuple(routes)
    ids = [route.id for route in routes]
    if not routes or len(set(ids)) != len(ids):
        raise ValueError(f"route ids must be unique and at least one, got {ids}")
    return routes


def route_name(route_id: str, key: str) -> str:
    return f"{PREFIX}{route_id}.{key}"


def process_route_parameters(routes: Sequence[ProcessRouteDefinition] = DEFAULT_ROUTES
                             ) -> tuple[ParameterDeclaration, ...]:
    """Declarations of every input of the process-route kernel for ``routes``.

    Per route ``cobalt.process.<id>.<quantity>`` (reagents as ``reagent.<id>``, fuels as
    ``fuel.<id>``); shared: prices (``cobalt.process.price.<item>``), the product price and its
    yearly index, financing, scale exponents, the carbon price and the emission factors
    ``carbon.factor.<id>`` of every reagent, fuel, waste stream and freight mode a route uses.
    """
    routes = check_routes(routes)
    declared = [
        ParameterDeclaration(name=route_name(route.id, q.key), unit=q.unit,
                             description=f"{route.title}: {q.description}", bounds=q.bounds)
        for route in routes for q in _route_quantities(route)]
    declared += [ParameterDeclaration(name=name, unit=q.unit, description=q.description,
                                      bounds=q.bounds)
                 for name, q in _shared_quantities(routes)]
    declared.append(ParameterDeclaration(
        name=f"{PREFIX}price_index", unit="dimensionless",
        description="Product price by year relative to product_price (one value per year "
                    f"{YEARS[0]}-{YEARS[-1]})", bounds=_NON_NEGATIVE, shape="series",
        index_name="year"))
    return tuple(declared)
