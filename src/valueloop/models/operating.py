"""Operating models of the main cobalt regions (issue 3, item 7; seed report sections 4.1, 4.2).

Two calculators, both pure functions over float arrays with a leading sample axis ``N``:

1. **Supply routes to a Chinese refinery.** A risk-adjusted landed cost (USD per tonne of
   contained cobalt) and a cradle-to-refinery-gate footprint (tCO2e per tonne of contained cobalt)
   for each route: DRC cobalt hydroxide (industrial mining with an artisanal share), Indonesian
   MHP from HPAL (a nickel route with cobalt as by-product), and a generic other origin. The route
   structure is a small pydantic :class:`RouteDefinition`; the numbers enter the kernel as a
   :class:`RouteArrays` of arrays shaped ``(N, R)`` (``R`` routes), so the kernel never sees a
   scenario, a unit or a source. :data:`ROUTE_PARAMETERS` declares the inputs under
   ``cobalt.route.``; :func:`default_route_values` gives baseline values, each with a citation
   or an explicit assumption in its docstring.
2. **Closed loop (EU).** The Art. 8 recycled-content minimum of Regulation (EU) 2023/1542 as the
   regulation states it, the recycled cobalt it requires, recycled supply from end-of-life flows,
   the compliance gap, and how the recycled share changes supply concentration, import dependence
   and price volatility.

Where the seed report disagrees with the law
--------------------------------------------
- 4.1 says a *2023* revision of the DRC Mining Code raised the royalty "from 2 % to 3.5 %" and
  handed 10 % of equity to Gécamines. The Mining Code is Law No. 18/001 of 9 March 2018: 3.5 % is
  its rate for non-ferrous base metals; cobalt was declared a *strategic substance* by Decree
  No. 18/042 of 24 November 2018 and so pays 10 % (Reuters, 2018-12-03). The 2018 Code's 10 %
  free-carried interest is the State's, not Gécamines'. The defaults below use 10 %.
- 4.2 says EV batteries need 16 % recycled cobalt "from 2027" and 26 % "from 2031". Art. 8(2) and
  8(3) of Regulation (EU) 2023/1542 set 16 % from 18 August 2031 and 26 % from 18 August 2036
  (reference note ``passport-and-dataspace.md`` 1.2). :data:`ART8_COBALT` uses the regulation.
- 4.1 puts Indonesia's "nickel-cobalt integration + green power" route at 4.0 tCO2e/t against
  8.9 for the DRC. Indonesian HPAL parks run on captive coal (the grid average alone is
  682 gCO2e/kWh against 27 for the DRC, Ember 2023), so at equal electricity use the DRC route's
  power emissions are some 25 times lower; with the defaults below the DRC route has the lower
  footprint. The report gives neither the basis (per t of what) nor the boundary.

Conventions
-----------
- Per-tonne costs and intensities of a route are per tonne of *contained cobalt delivered*, after
  any by-product allocation at origin. Logistics tariffs are per tonne of *product as shipped*
  and are turned into per-tonne-cobalt figures through ``co_allocation / co_content`` (tonnes of
  product charged to one tonne of cobalt), so MHP, which carries ~25 t of wet product per tonne of
  cobalt but whose freight is mostly borne by nickel, is treated consistently with hydroxide.
- Decimal years: ``t = Y + (d - 1) / D`` for day-of-year ``d`` (1 January is ``d = 1``) in a year
  of ``D`` days, so ``2031.0`` is 1 January 2031 00:00 and a date applies from the start of its
  day. See :func:`decimal_year`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict, Field

from valueloop.core.model import Inputs, ModelDefinition, OutputDeclaration, Outputs
from valueloop.core.parameters import ParameterDeclaration

PREFIX = "cobalt.route."
CLOSED_LOOP_PREFIX = "cobalt.closed_loop."

TransportMode = Literal["road", "rail", "sea"]
TRANSPORT_MODES: tuple[TransportMode, ...] = ("road", "rail", "sea")

COST_COMPONENTS = (
    "production", "royalty", "export_duty", "power", "inland_freight", "port", "sea_freight",
    "insurance", "working_capital", "compliance", "disruption",
)
"""Columns of the cost breakdown. All but the last make the landed cost; with ``disruption``
(the expected cost of disruptions) they make the risk-adjusted cost."""
FOOTPRINT_COMPONENTS = ("electricity", "fuels_reagents", "transport")

DAYS_PER_YEAR = 365.0
"""Day count for interest on goods in transit (ACT/365, the usual trade-finance convention)."""
_GRAMS_PER_TONNE = 1e6
_HHI_SCALE = 10_000.0
"""HHI on the 0-10,000 scale (shares in percent, squared), as the US DOJ/FTC merger guidelines."""

_NON_NEGATIVE = (0.0, math.inf)
_FRACTION = (0.0, 1.0)


# --- route structure (validated once, kept apart from the numbers) ----------------------------

class RouteDefinition(BaseModel):
    """One supply route of cobalt to a Chinese refinery: what it is, not what it costs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    """Used in parameter names: ``cobalt.route.<id>.<quantity>``."""
    title: str
    origin: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    """Origin key as the outlook's import origins name it (``drc``, ``indonesia``, ``other``)."""
    product: str
    """The intermediate shipped (cobalt hydroxide, MHP...)."""
    legs: tuple[TransportMode, ...] = Field(min_length=1)
    """Transport modes the route uses; each gets a distance parameter, the others are zero."""


DRC_HYDROXIDE = RouteDefinition(
    id="drc_hydroxide", title="DRC cobalt hydroxide (industrial + artisanal), trucked to Dar",
    origin="drc", product="cobalt hydroxide", legs=("road", "sea"))
INDONESIA_MHP = RouteDefinition(
    id="indonesia_mhp", title="Indonesia MHP from HPAL (nickel-cobalt by-product route)",
    origin="indonesia", product="mixed hydroxide precipitate", legs=("sea",))
OTHER_ORIGIN = RouteDefinition(
    id="other", title="Other origin (generic hydroxide-type intermediate)",
    origin="other", product="cobalt intermediate", legs=("road", "sea"))
DEFAULT_ROUTES: tuple[RouteDefinition, ...] = (DRC_HYDROXIDE, INDONESIA_MHP, OTHER_ORIGIN)


class _Quantity(NamedTuple):
    key: str
    unit: str
    description: str
    bounds: tuple[float, float] = _NON_NEGATIVE


_ROUTE_QUANTITIES: tuple[_Quantity, ...] = (
    _Quantity("co_content", "dimensionless",
              "Co mass fraction of the product as shipped", (1e-6, 1.0)),
    _Quantity("co_allocation", "dimensionless",
              "Share of product-level logistics cost and emissions charged to cobalt", _FRACTION),
    _Quantity("production_cost", "USD/t",
              "Production cost at origin per t Co, excluding power, royalties and logistics"),
    _Quantity("cargo_value", "USD/t",
              "Value of the contained cobalt (payable), the base of royalty, duty and insurance"),
    _Quantity("royalty_rate", "dimensionless", "Royalty as a share of cargo value", _FRACTION),
    _Quantity("export_duty_rate", "dimensionless",
              "Export duty and levies as a share of cargo value", _FRACTION),
    _Quantity("power_intensity", "kWh/t", "Electricity at origin per t Co"),
    _Quantity("power_price", "USD/kWh", "Price of electricity at origin"),
    _Quantity("grid_factor", "gCO2e/kWh", "Emission factor of the electricity used at origin"),
    _Quantity("green_share", "dimensionless",
              "Share of electricity from certified zero-carbon supply", _FRACTION),
    _Quantity("process_emissions", "tCO2e/t",
              "Fuels and reagents at origin per t Co (lump factor)"),
    _Quantity("inland_freight", "USD/t", "Inland freight per t of product to the export port"),
    _Quantity("port_charges", "USD/t", "Port handling and fees per t of product"),
    _Quantity("sea_freight", "USD/t", "Sea freight per t of product to China"),
    _Quantity("transit_days", "day", "Days from dispatch at origin to delivery at the refinery"),
    _Quantity("insurance_rate", "dimensionless",
              "Cargo insurance premium as a share of cargo value", _FRACTION),
    _Quantity("compliance_base", "USD/t",
              "Due-diligence and compliance cost per t Co with no artisanal exposure"),
    _Quantity("artisanal_share", "dimensionless",
              "Share of the route's cobalt exposed to artisanal mining", _FRACTION),
    _Quantity("disruption_probability", "dimensionless",
              "Probability of at least one supply disruption in a year", _FRACTION),
    _Quantity("disruption_loss", "USD/t",
              "Loss per t Co delivered in a disrupted year (cover cost or margin lost)"),
)

_SHARED_QUANTITIES: tuple[_Quantity, ...] = (
    _Quantity("working_capital_rate", "dimensionless",
              "Annual financing rate on the value of goods in transit", (0.0, 1.0)),
    _Quantity("compliance_artisanal_premium", "USD/t",
              "Extra compliance cost per t Co for a fully artisanal-exposed route (scaled by "
              "the artisanal share)"),
    *(_Quantity(f"transport_factor.{mode}", "gCO2e/(t*km)",
                f"Emission factor of {mode} freight per tonne-kilometre")
      for mode in TRANSPORT_MODES),
)


def route_parameters(routes: Sequence[RouteDefinition] = DEFAULT_ROUTES
                     ) -> tuple[ParameterDeclaration, ...]:
    """Declarations of every input of the route kernel for ``routes``.

    Per route: ``cobalt.route.<id>.<quantity>`` for each quantity and
    ``cobalt.route.<id>.distance_<mode>`` (km) for each leg. Shared: working-capital rate,
    artisanal compliance premium and one transport emission factor per mode.
    """
    ids = [route.id for route in routes]
    if len(set(ids)) != len(ids):
        raise ValueError(f"route ids must be unique, got {ids}")
    declared = []
    for route in routes:
        declared.extend(
            ParameterDeclaration(name=f"{PREFIX}{route.id}.{q.key}", unit=q.unit,
                                 description=f"{route.title}: {q.description}", bounds=q.bounds)
            for q in _ROUTE_QUANTITIES)
        declared.extend(
            ParameterDeclaration(name=f"{PREFIX}{route.id}.distance_{mode}", unit="km",
                                 description=f"{route.title}: {mode} distance",
                                 bounds=_NON_NEGATIVE)
            for mode in route.legs)
    declared.extend(
        ParameterDeclaration(name=f"{PREFIX}{q.key}", unit=q.unit, description=q.description,
                             bounds=q.bounds)
        for q in _SHARED_QUANTITIES)
    return tuple(declared)


ROUTE_PARAMETERS = route_parameters()


def default_route_values() -> dict[str, float]:
    """Baseline values of :data:`ROUTE_PARAMETERS` (a new dict on each call).

    Every value has its source below; "assumption" gives our reason where nothing citable was
    found. "report" is the seed report ``seed-004`` by section. Money is USD of 2024; the report's
    CNY figures are converted at 7.18 CNY/USD (assumption: about the 2024 average; the report gives
    no rate). The report's 2024 CIF import price of cobalt intermediates, 14.2 万元/t Co (2.1), is
    the cargo value of all three routes: 142,000 / 7.18 = 19,780 USD/t Co.

    | cobalt.route.drc_hydroxide. | value   | source                                             |
    |-----------------------------|---------|----------------------------------------------------|
    | co_content                  | 0.31    | report 1.1: hydroxide price basis Co 31 % (SMM)    |
    | co_allocation               | 1.0     | assumption: hydroxide is the cobalt product;       |
    |                             |         | copper leaves separately as cathode                |
    | production_cost             | 9000    | assumption: no origin cost in the report; a        |
    |                             |         | Co-allocated hydroxide cash cost, range 7-12 kUSD  |
    | cargo_value                 | 19780   | report 2.1: CIF 14.2 万元/t Co (customs, 2024)      |
    | royalty_rate                | 0.10    | DRC Mining Code, Law 18/001 of 9 Mar 2018, Art.    |
    |                             |         | 241 (verify): 10 % on strategic substances; Decree |
    |                             |         | 18/042 of 24 Nov 2018 lists cobalt (Reuters        |
    |                             |         | 2018-12-03). Report 4.1 says 3.5 %: that is the    |
    |                             |         | base-metal rate                                    |
    | export_duty_rate            | 0.0     | assumption: no export duty verified; border fees   |
    |                             |         | sit in inland and port costs; the 2025 suspension  |
    |                             |         | and quotas are quantity limits (stress tests)      |
    | power_intensity             | 10000   | assumption: Co-allocated electricity of mine,      |
    |                             |         | mill, leach and precipitation; order of magnitude  |
    | power_price                 | 0.28    | report 4.1: industrial power 0.28 USD/kWh (cites   |
    |                             |         | World Bank 2024; unverified: SNEL contract tariffs |
    |                             |         | are lower, diesel backup higher)                   |
    | grid_factor                 | 27.04   | Ember 2023, DR Congo, via co2.js (tea-lca note 4.2)|
    | green_share                 | 0.0     | assumption: the grid is already hydro              |
    | process_emissions           | 5.0     | assumption: mining diesel, backup gensets, lime,   |
    |                             |         | MgO and acid, Co-allocated; order of magnitude     |
    | inland_freight              | 180     | assumption: ~2,300 km of trucking at ~0.08 USD/t-km|
    |                             |         | with border tolls and waiting                      |
    | port_charges                | 40      | assumption: Dar es Salaam handling, per t product  |
    | sea_freight                 | 100     | assumption: ~2,000 USD per 20-t container to China |
    | transit_days                | 67.5    | report 4.2: DRC to China 60-75 days, midpoint      |
    | insurance_rate              | 0.028   | report 4.1: 2.8 % of cargo value (cites Marsh)     |
    | compliance_base             | 450     | report 2.1: ESG cost 800-1,200 CNY/t product;      |
    |                             |         | 1,000 / 0.31 / 7.18 = 450 USD/t Co                 |
    | artisanal_share             | 0.175   | report 4.1: artisanal 15-20 % of DRC output (cites |
    |                             |         | UNDP 2024), midpoint                               |
    | disruption_probability      | 0.5     | assumption: the report cites a port strike (1.2,   |
    |                             |         | 2024 Q2) and 3-5 hijackings a year (4.1)           |
    | disruption_loss             | 1000    | assumption: a quarter of a year's deliveries       |
    |                             |         | covered at a 20 % premium on 19,780 USD/t          |
    | distance_road               | 2300    | AFP 2022 (Taipei Times 2022-03-11): ~2,000 km      |
    |                             |         | Lubumbashi-Dar es Salaam, plus ~300 km from        |
    |                             |         | Kolwezi (assumption). Dar carries ~70 % of the     |
    |                             |         | Copperbelt's copper (FESARTA in Freight News       |
    |                             |         | 2022-04-04); report 1.2 names Durban               |
    | distance_sea                | 11500   | assumption: Dar es Salaam-Singapore-Shanghai,      |
    |                             |         | about 6,200 nautical miles                         |

    | cobalt.route.indonesia_mhp. | value   | source                                             |
    |-----------------------------|---------|----------------------------------------------------|
    | co_content                  | 0.025   | assumption: MHP ~3.5-4 % Co dry, shipped wet       |
    |                             |         | (~35 % moisture)                                   |
    | co_allocation               | 0.12    | assumption: economic allocation; Co is ~12 % of    |
    |                             |         | MHP payable value (Ni 39 % at ~80 % payable, Co 4 %|
    |                             |         | at ~70 %)                                          |
    | production_cost             | 7000    | assumption: HPAL cash cost allocated to cobalt by  |
    |                             |         | value; no figure in the report                     |
    | cargo_value                 | 19780   | report 2.1 (as DRC); assumption: same payable      |
    | royalty_rate                | 0.02    | Indonesia PP 19/2025 (in force 2025-04-26): MHP    |
    |                             |         | 1.5-2.0 % (Project Blue, May 2025), upper end. A   |
    |                             |         | separate cobalt royalty (1.5 %) was only proposed  |
    |                             |         | (Petromindo 2025-12-18)                            |
    | export_duty_rate            | 0.0     | assumption: no MHP export duty in force found      |
    | power_intensity             | 8000    | assumption: Co-allocated HPAL electricity; order of|
    |                             |         | magnitude                                          |
    | power_price                 | 0.07    | assumption: captive coal power cost                |
    | grid_factor                 | 682.43  | Ember 2023, Indonesia (tea-lca note 4.2); captive  |
    |                             |         | coal of HPAL parks is above the grid average       |
    | green_share                 | 0.0     | assumption: captive coal, no green supply          |
    | process_emissions           | 6.0     | assumption: limestone neutralisation, coal-fired   |
    |                             |         | steam, Co-allocated; order of magnitude            |
    | inland_freight              | 5       | assumption: plants sit at their own jetties        |
    | port_charges                | 15      | assumption                                         |
    | sea_freight                 | 35      | assumption: bagged MHP, Sulawesi/Halmahera-China   |
    | transit_days                | 15      | assumption: 7-10 days at sea plus port time        |
    | insurance_rate              | 0.002   | assumption: marine cargo cover 0.1-0.3 % of value  |
    | compliance_base             | 150     | assumption: audits without artisanal exposure      |
    | artisanal_share             | 0.0     | assumption: HPAL feed is industrially mined ore    |
    | disruption_probability      | 0.2     | assumption: policy risk (2025 royalty rise, RKAB   |
    |                             |         | quota cuts)                                        |
    | disruption_loss             | 500     | assumption: half the DRC loss, shorter transit     |
    | distance_sea                | 4500    | assumption: Morowali-Shanghai, ~2,400 nautical mi  |

    | cobalt.route.other.         | value   | source                                             |
    |-----------------------------|---------|----------------------------------------------------|
    | co_content                  | 0.30    | assumption: hydroxide-type intermediate            |
    | co_allocation               | 1.0     | assumption: as DRC hydroxide                       |
    | production_cost             | 12000   | assumption: higher-cost origins                    |
    | cargo_value                 | 19780   | report 2.1 (as DRC)                                |
    | royalty_rate                | 0.05    | assumption: between Indonesia and the DRC          |
    | export_duty_rate            | 0.0     | assumption                                         |
    | power_intensity             | 10000   | assumption: as DRC                                 |
    | power_price                 | 0.10    | assumption                                         |
    | grid_factor                 | 472.94  | Ember 2024 world average (tea-lca note 4.2);       |
    |                             |         | assumption: origin unknown                         |
    | green_share                 | 0.0     | assumption                                         |
    | process_emissions           | 5.0     | assumption: as DRC                                 |
    | inland_freight              | 40      | assumption: ~500 km of trucking                    |
    | port_charges                | 25      | assumption                                         |
    | sea_freight                 | 70      | assumption                                         |
    | transit_days                | 35      | assumption                                         |
    | insurance_rate              | 0.003   | assumption: marine cargo cover                     |
    | compliance_base             | 200     | assumption                                         |
    | artisanal_share             | 0.0     | assumption                                         |
    | disruption_probability      | 0.1     | assumption                                         |
    | disruption_loss             | 500     | assumption                                         |
    | distance_road               | 500     | assumption                                         |
    | distance_sea                | 8000    | assumption                                         |

    | cobalt.route.               | value   | source                                             |
    |-----------------------------|---------|----------------------------------------------------|
    | working_capital_rate        | 0.07    | assumption: USD trade finance, ~5 % base + 2 %     |
    | compliance_artisanal_premium| 3000    | assumption: segregation, on-site monitoring and    |
    |                             |         | extra audits of artisanal-exposed supply; report   |
    |                             |         | 1.2: 35 % of export orders delayed on ESG grounds  |
    | transport_factor.road       | 90.3    | Eur. Transp. Res. Rev. 2019, "A shift-share based  |
    |                             |         | tool...", Table 9 (road 2014, KiM/CE Delft; gCO2,  |
    |                             |         | European fleet; African trucks likely higher)      |
    | transport_factor.rail       | 25      | assumption: diesel traction                        |
    | transport_factor.sea        | 10      | assumption: bulk or container ship, 5-15 g/t-km    |

    Returns
    -------
    dict
        Full parameter name to baseline value, in the declared unit.
    """
    per_route: dict[str, dict[str, float]] = {
        "drc_hydroxide": {
            "co_content": 0.31, "co_allocation": 1.0, "production_cost": 9000.0,
            "cargo_value": 19780.0, "royalty_rate": 0.10, "export_duty_rate": 0.0,
            "power_intensity": 10000.0, "power_price": 0.28, "grid_factor": 27.04,
            "green_share": 0.0, "process_emissions": 5.0, "inland_freight": 180.0,
            "port_charges": 40.0, "sea_freight": 100.0, "transit_days": 67.5,
            "insurance_rate": 0.028, "compliance_base": 450.0, "artisanal_share": 0.175,
            "disruption_probability": 0.5, "disruption_loss": 1000.0,
            "distance_road": 2300.0, "distance_sea": 11500.0,
        },
        "indonesia_mhp": {
            "co_content": 0.025, "co_allocation": 0.12, "production_cost": 7000.0,
            "cargo_value": 19780.0, "royalty_rate": 0.02, "export_duty_rate": 0.0,
            "power_intensity": 8000.0, "power_price": 0.07, "grid_factor": 682.43,
            "green_share": 0.0, "process_emissions": 6.0, "inland_freight": 5.0,
            "port_charges": 15.0, "sea_freight": 35.0, "transit_days": 15.0,
            "insurance_rate": 0.002, "compliance_base": 150.0, "artisanal_share": 0.0,
            "disruption_probability": 0.2, "disruption_loss": 500.0,
            "distance_sea": 4500.0,
        },
        "other": {
            "co_content": 0.30, "co_allocation": 1.0, "production_cost": 12000.0,
            "cargo_value": 19780.0, "royalty_rate": 0.05, "export_duty_rate": 0.0,
            "power_intensity": 10000.0, "power_price": 0.10, "grid_factor": 472.94,
            "green_share": 0.0, "process_emissions": 5.0, "inland_freight": 40.0,
            "port_charges": 25.0, "sea_freight": 70.0, "transit_days": 35.0,
            "insurance_rate": 0.003, "compliance_base": 200.0, "artisanal_share": 0.0,
            "disruption_probability": 0.1, "disruption_loss": 500.0,
            "distance_road": 500.0, "distance_sea": 8000.0,
        },
    }
    shared = {
        "working_capital_rate": 0.07, "compliance_artisanal_premium": 3000.0,
        "transport_factor.road": 90.3, "transport_factor.rail": 25.0,
        "transport_factor.sea": 10.0,
    }
    values = {f"{PREFIX}{route}.{key}": value
              for route, quantities in per_route.items() for key, value in quantities.items()}
    values.update({f"{PREFIX}{key}": value for key, value in shared.items()})
    return values


# --- the numeric kernel -----------------------------------------------------------------------

@dataclass(frozen=True)
class RouteArrays:
    """Numeric inputs of the route kernel, already in the declared units.

    Per-route fields broadcast to ``(N, R)``; ``distance`` to ``(N, R, M)`` with ``M`` the
    :data:`TRANSPORT_MODES`; the shared ``working_capital_rate`` and
    ``compliance_artisanal_premium`` to ``(N, 1)`` and ``transport_factor`` to ``(N, 1, M)``.
    A leading axis of 1 stands for an input that does not vary over the samples.
    """

    co_content: np.ndarray
    co_allocation: np.ndarray
    production_cost: np.ndarray
    cargo_value: np.ndarray
    royalty_rate: np.ndarray
    export_duty_rate: np.ndarray
    power_intensity: np.ndarray
    power_price: np.ndarray
    grid_factor: np.ndarray
    green_share: np.ndarray
    process_emissions: np.ndarray
    inland_freight: np.ndarray
    port_charges: np.ndarray
    sea_freight: np.ndarray
    transit_days: np.ndarray
    insurance_rate: np.ndarray
    compliance_base: np.ndarray
    artisanal_share: np.ndarray
    disruption_probability: np.ndarray
    disruption_loss: np.ndarray
    distance: np.ndarray
    working_capital_rate: np.ndarray
    compliance_artisanal_premium: np.ndarray
    transport_factor: np.ndarray


@dataclass(frozen=True)
class RouteResults:
    """Outputs of :func:`evaluate_routes`; ``R`` routes in the order given, ``N`` samples."""

    cost_breakdown: np.ndarray
    """``(N, R, len(COST_COMPONENTS))`` USD/t Co."""
    landed_cost: np.ndarray
    """``(N, R)`` USD/t Co: every component but ``disruption``."""
    risk_adjusted_cost: np.ndarray
    """``(N, R)`` USD/t Co: the sum of all components."""
    footprint_breakdown: np.ndarray
    """``(N, R, len(FOOTPRINT_COMPONENTS))`` tCO2e/t Co."""
    footprint: np.ndarray
    """``(N, R)`` tCO2e/t Co."""
    cost_rank: np.ndarray
    """``(N, R)`` 1 = lowest risk-adjusted cost; ties keep the route order."""
    footprint_rank: np.ndarray
    """``(N, R)`` 1 = lowest footprint."""


def route_arrays(inputs: Inputs, routes: Sequence[RouteDefinition] = DEFAULT_ROUTES
                 ) -> RouteArrays:
    """Stack the declared scalar inputs of ``routes`` into a :class:`RouteArrays`.

    Parameters
    ----------
    inputs
        Parameter name to array of shape ``(N,)`` or ``(1,)``, as the engine passes them.
    routes
        The routes, in the order of the route axis.
    """
    per_route = {q.key: _stack([inputs[f"{PREFIX}{r.id}.{q.key}"] for r in routes])
                 for q in _ROUTE_QUANTITIES}
    by_mode = [_stack([inputs[f"{PREFIX}{r.id}.distance_{mode}"] if mode in r.legs else 0.0
                       for r in routes])
               for mode in TRANSPORT_MODES]
    distance = np.stack(np.broadcast_arrays(*by_mode), axis=-1)
    factors = _stack([inputs[f"{PREFIX}transport_factor.{mode}"] for mode in TRANSPORT_MODES])
    return RouteArrays(
        **per_route,
        distance=distance,
        working_capital_rate=_column(inputs[f"{PREFIX}working_capital_rate"]),
        compliance_artisanal_premium=_column(inputs[f"{PREFIX}compliance_artisanal_premium"]),
        transport_factor=factors[:, None, :],
    )


def _stack(columns: Sequence[ArrayLike]) -> np.ndarray:
    """Scalars of shape ``(N,)``/``(1,)`` (or plain numbers) side by side: ``(N, len)``."""
    arrays = [np.atleast_1d(np.asarray(column, dtype=float)) for column in columns]
    return np.stack(np.broadcast_arrays(*arrays), axis=-1)


def _column(value: ArrayLike) -> np.ndarray:
    """A shared scalar of shape ``(N,)``/``(1,)`` as ``(N, 1)``, to broadcast over routes."""
    return np.atleast_1d(np.asarray(value, dtype=float))[:, None]


def product_per_cobalt(co_content: ArrayLike, co_allocation: ArrayLike) -> np.ndarray:
    """Tonnes of shipped product whose logistics are charged to one tonne of contained cobalt.

    ``co_allocation / co_content``: 1/0.31 = 3.2 t of hydroxide per t Co; for MHP at 2.5 % Co
    only the cobalt's allocated share (for example 12 %) of its 40 t is charged.
    """
    return np.asarray(co_allocation, dtype=float) / np.asarray(co_content, dtype=float)


def compliance_cost(base: ArrayLike, artisanal_share: ArrayLike,
                    artisanal_premium: ArrayLike) -> np.ndarray:
    """Due-diligence cost per t Co: ``base + artisanal_share * artisanal_premium``.

    Linear in the artisanal share because the extra work (segregation, on-site monitoring,
    audits of each artisanal-exposed lot) scales with the exposed tonnage; it rises with the
    share whenever the premium is positive.
    """
    return (np.asarray(base, dtype=float)
            + np.asarray(artisanal_share, dtype=float) * np.asarray(artisanal_premium, float))


def working_capital_cost(cargo_value: ArrayLike, annual_rate: ArrayLike,
                         transit_days: ArrayLike) -> np.ndarray:
    """Financing of goods in transit per t Co: ``value * rate * days / 365`` (simple interest)."""
    return (np.asarray(cargo_value, dtype=float) * np.asarray(annual_rate, dtype=float)
            * np.asarray(transit_days, dtype=float) / DAYS_PER_YEAR)


def expected_disruption_cost(annual_probability: ArrayLike, loss: ArrayLike) -> np.ndarray:
    """Expected disruption cost per t Co in a year: ``probability * loss if disrupted``.

    ``loss`` is what a disrupted year costs per t Co delivered, averaged over the year's
    deliveries: the premium paid for cover material, or the margin lost on output not made.
    Only the first disruption of a year is counted, which is why the probability is of "at least
    one".
    """
    return np.asarray(annual_probability, dtype=float) * np.asarray(loss, dtype=float)


def cost_breakdown(a: RouteArrays) -> np.ndarray:
    """Risk-adjusted cost components per t Co delivered, ``(N, R, len(COST_COMPONENTS))``."""
    freight_mass = product_per_cobalt(a.co_content, a.co_allocation)
    components = (
        a.production_cost,
        a.royalty_rate * a.cargo_value,
        a.export_duty_rate * a.cargo_value,
        a.power_intensity * a.power_price,
        a.inland_freight * freight_mass,
        a.port_charges * freight_mass,
        a.sea_freight * freight_mass,
        a.insurance_rate * a.cargo_value,
        working_capital_cost(a.cargo_value, a.working_capital_rate, a.transit_days),
        compliance_cost(a.compliance_base, a.artisanal_share, a.compliance_artisanal_premium),
        expected_disruption_cost(a.disruption_probability, a.disruption_loss),
    )
    return np.stack(np.broadcast_arrays(*components), axis=-1)


def footprint_breakdown(a: RouteArrays) -> np.ndarray:
    """Footprint components per t Co delivered, ``(N, R, len(FOOTPRINT_COMPONENTS))``, tCO2e/t.

    Electricity is location-based on the factor given, with certified green supply counted at
    zero (market-based for that share only, tea-lca note 4.1). Transport is tonne-kilometres of
    the product charged to cobalt times the factor of each mode.
    """
    electricity = (a.power_intensity * a.grid_factor * (1.0 - a.green_share)
                   / _GRAMS_PER_TONNE)
    freight_mass = product_per_cobalt(a.co_content, a.co_allocation)
    transport = (freight_mass * np.sum(a.distance * a.transport_factor, axis=-1)
                 / _GRAMS_PER_TONNE)
    return np.stack(np.broadcast_arrays(electricity, a.process_emissions, transport), axis=-1)


def rank_routes(values: ArrayLike) -> np.ndarray:
    """Rank along the last axis, 1 = lowest; equal values keep the route order (stable)."""
    order = np.argsort(np.asarray(values, dtype=float), axis=-1, kind="stable")
    return np.argsort(order, axis=-1, kind="stable") + 1


def evaluate_routes(a: RouteArrays) -> RouteResults:
    """Landed and risk-adjusted cost, footprint and rankings of every route and sample.

    Both totals are sums over the breakdown's last axis, so the components add up to them
    exactly (same summation); the landed cost leaves out the expected disruption cost.
    """
    costs = cost_breakdown(a)
    footprints = footprint_breakdown(a)
    risk_adjusted = np.sum(costs, axis=-1)
    footprint = np.sum(footprints, axis=-1)
    return RouteResults(
        cost_breakdown=costs,
        landed_cost=np.sum(costs[..., :-1], axis=-1),
        risk_adjusted_cost=risk_adjusted,
        footprint_breakdown=footprints,
        footprint=footprint,
        cost_rank=rank_routes(risk_adjusted),
        footprint_rank=rank_routes(footprint),
    )


def operating_routes_model(routes: Sequence[RouteDefinition] = DEFAULT_ROUTES
                           ) -> ModelDefinition:
    """The route calculator as a :class:`ModelDefinition` for scenarios and studies."""
    routes = tuple(routes)

    def evaluate(inputs: Inputs) -> Outputs:
        results = evaluate_routes(route_arrays(inputs, routes))
        return {
            "cost_breakdown": results.cost_breakdown,
            "landed_cost": results.landed_cost,
            "risk_adjusted_cost": results.risk_adjusted_cost,
            "footprint_breakdown": results.footprint_breakdown,
            "footprint": results.footprint,
            "cost_rank": results.cost_rank,
            "footprint_rank": results.footprint_rank,
        }

    return ModelDefinition(
        name="cobalt-operating-routes",
        title="Risk-adjusted landed cost and footprint of cobalt supply routes to China "
              "(report 4.1)",
        parameters=route_parameters(routes),
        outputs=(
            OutputDeclaration("cost_breakdown", "USD/t", "Cost components per t Co delivered",
                              ("route", "component")),
            OutputDeclaration("landed_cost", "USD/t", "Landed cost per t Co", ("route",)),
            OutputDeclaration("risk_adjusted_cost", "USD/t",
                              "Landed cost plus expected disruption cost per t Co", ("route",)),
            OutputDeclaration("footprint_breakdown", "tCO2e/t",
                              "Footprint components per t Co delivered",
                              ("route", "footprint_component")),
            OutputDeclaration("footprint", "tCO2e/t", "Footprint per t Co delivered", ("route",)),
            OutputDeclaration("cost_rank", "dimensionless",
                              "Rank by risk-adjusted cost (1 = cheapest)", ("route",)),
            OutputDeclaration("footprint_rank", "dimensionless",
                              "Rank by footprint (1 = lowest)", ("route",)),
        ),
        evaluate=evaluate,
        axis_labels={"route": tuple(r.id for r in routes), "component": COST_COMPONENTS,
                     "footprint_component": FOOTPRINT_COMPONENTS},
    )


OPERATING_ROUTES = operating_routes_model()


# --- closed loop: EU recycled content, recovery, supply risk ------------------------------------

Schedule = Sequence[tuple[dt.date, float]]
"""A step schedule: (date from which it applies, value), in any order."""

ART8_COBALT: tuple[tuple[dt.date, float], ...] = (
    (dt.date(2031, 8, 18), 0.16), (dt.date(2036, 8, 18), 0.26))
"""Regulation (EU) 2023/1542 Art. 8(2) and 8(3): minimum share of cobalt in active materials
recovered from battery manufacturing waste or post-consumer waste, for industrial (> 2 kWh), EV
and SLI batteries (reference note passport-and-dataspace.md 1.2)."""
ART8_LITHIUM: tuple[tuple[dt.date, float], ...] = (
    (dt.date(2031, 8, 18), 0.06), (dt.date(2036, 8, 18), 0.12))
ART8_NICKEL: tuple[tuple[dt.date, float], ...] = (
    (dt.date(2031, 8, 18), 0.06), (dt.date(2036, 8, 18), 0.15))

ANNEX_XII_COBALT: tuple[tuple[dt.date, float], ...] = (
    (dt.date(2028, 1, 1), 0.90), (dt.date(2032, 1, 1), 0.95))
"""Annex XII Part C: cobalt recovery of 90 % "by 31 December 2027" and 95 % "by 31 December
2031", so in force from the day after each deadline."""
ANNEX_XII_BEFORE_FIRST_TARGET = 0.90
"""Recovery rate assumed before the first Annex XII target binds. Assumption: the law sets no
target before 2028; hydrometallurgical recyclers already report about 90-95 % (report 1.2: 85 %
Chinese average, 95 % best practice, citing IEA 2025; report 4.2: 95.3 % in Europe, citing
Circular Energy Storage 2025), so the first target is held backwards."""


def decimal_year(day: dt.date) -> float:
    """The date as a decimal year: ``Y + (day_of_year - 1) / days_in_year``.

    1 January is exactly ``Y.0``, so a regulation that applies "from 18 August 2031" applies for
    ``t >= 2031 + 229/365 = 2031.627``; 2031.5 (2 July) is still before it.
    """
    start = dt.date(day.year, 1, 1)
    days_in_year = (dt.date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / days_in_year


def step_schedule(year: ArrayLike, steps: Schedule, before: float = 0.0) -> np.ndarray:
    """Value of a step schedule at decimal ``year`` (see :func:`decimal_year`)."""
    t = np.asarray(year, dtype=float)
    value = np.full(t.shape, float(before))
    for start, level in sorted(steps):
        value = np.where(t >= decimal_year(start), float(level), value)
    return value


def step_schedule_year_average(calendar_year: ArrayLike, steps: Schedule,
                               before: float = 0.0) -> np.ndarray:
    """Average of a step schedule over each calendar year, weighted by days in force.

    For annual flows placed on the market evenly over the year: in 2031 the 16 % cobalt minimum
    is in force for 136 of 365 days, so the year's obligation is 0.16 * 136/365 = 5.96 %.
    """
    y = np.asarray(calendar_year, dtype=float)
    if np.any(y != np.floor(y)):
        raise ValueError("calendar_year must be whole years; use step_schedule for instants")
    value = np.full(y.shape, float(before))
    previous = float(before)
    for start, level in sorted(steps):
        # share of [Y, Y + 1) on or after the start date, in days of that year
        in_force = np.clip(y + 1.0 - decimal_year(start), 0.0, 1.0)
        value = value + (float(level) - previous) * in_force
        previous = float(level)
    return value


def art8_minimum_share(year: ArrayLike, steps: Schedule = ART8_COBALT) -> np.ndarray:
    """Art. 8 minimum recycled share applicable at decimal ``year`` (0 before the first date).

    Parameters
    ----------
    year
        Decimal year(s): 2031.0 is 1 January 2031. Integer years therefore mean the start of the
        year (2031 gives 0); for an annual average use :func:`art8_minimum_share_year_average`.
    steps
        ``(date, share)`` pairs; defaults to cobalt, 16 % from 2031-08-18 and 26 % from
        2036-08-18 (Regulation (EU) 2023/1542 Art. 8(2), 8(3)). :data:`ART8_LITHIUM` and
        :data:`ART8_NICKEL` hold the other metals.
    """
    return step_schedule(year, steps, before=0.0)


def art8_minimum_share_year_average(calendar_year: ArrayLike,
                                    steps: Schedule = ART8_COBALT) -> np.ndarray:
    """Day-weighted Art. 8 minimum over each calendar year (see :func:`step_schedule_year_average`).

    Art. 8 documentation is per battery model, year and plant; a uniform flow over the year is
    our simplification.
    """
    return step_schedule_year_average(calendar_year, steps, before=0.0)


def recycled_cobalt_required(cobalt_in_batteries: ArrayLike,
                             minimum_share: ArrayLike) -> np.ndarray:
    """Recycled cobalt needed to meet the minimum, t/yr.

    ``cobalt_in_batteries`` is the cobalt in the active materials of EV and industrial batteries
    placed on the EU market per year; Art. 8 counts cobalt recovered from manufacturing waste as
    well as from post-consumer waste, from any country.
    """
    return np.asarray(cobalt_in_batteries, dtype=float) * np.asarray(minimum_share, dtype=float)


def annex_xii_recovery(year: ArrayLike, steps: Schedule = ANNEX_XII_COBALT,
                       before: float = ANNEX_XII_BEFORE_FIRST_TARGET) -> np.ndarray:
    """Cobalt recovery rate at decimal ``year`` following Annex XII Part C (targets as minima).

    ``before`` applies before the first target; see :data:`ANNEX_XII_BEFORE_FIRST_TARGET`.
    """
    return step_schedule(year, steps, before=before)


def recycled_supply(eol_cobalt: ArrayLike, collection_rate: ArrayLike,
                    recovery_rate: ArrayLike | None = None, *,
                    year: ArrayLike | None = None) -> np.ndarray:
    """Recycled cobalt from end-of-life flows: ``eol * collection * recovery``, t/yr.

    Parameters
    ----------
    eol_cobalt
        Cobalt in batteries reaching end of life, t/yr.
    collection_rate, recovery_rate
        Fractions in [0, 1]. Without ``recovery_rate`` the Annex XII rate of ``year`` is used
        (:func:`annex_xii_recovery`).

    Raises
    ------
    ValueError
        On a rate outside [0, 1], a negative flow, or (the mass-balance check) recycled supply
        above the end-of-life cobalt it comes from.
    """
    if recovery_rate is None:
        if year is None:
            raise ValueError("give recovery_rate, or year for the Annex XII default")
        recovery_rate = annex_xii_recovery(year)
    eol = np.asarray(eol_cobalt, dtype=float)
    collection = _fraction(collection_rate, "collection_rate")
    recovery = _fraction(recovery_rate, "recovery_rate")
    if np.any(eol < 0.0):
        raise ValueError("eol_cobalt must not be negative")
    supply = eol * collection * recovery
    check_recycled_within_eol(supply, eol)
    return supply


def check_recycled_within_eol(recycled: ArrayLike, eol_cobalt: ArrayLike) -> None:
    """Raise ``ValueError`` where recycled cobalt exceeds the end-of-life cobalt it comes from."""
    excess = np.asarray(recycled, dtype=float) > np.asarray(eol_cobalt, dtype=float)
    if np.any(excess):
        raise ValueError(f"recycled supply exceeds end-of-life cobalt in {int(excess.sum())} "
                         "cells: mass balance broken")


def _fraction(value: ArrayLike, name: str) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    if np.any((array < 0.0) | (array > 1.0)) or np.any(np.isnan(array)):
        raise ValueError(f"{name} must lie in [0, 1]")
    return array


def compliance_gap(required: ArrayLike, available: ArrayLike) -> np.ndarray:
    """Required minus available recycled cobalt, t/yr: positive is a shortfall, negative a surplus.

    ``available`` is the recycled cobalt the market can direct to batteries (for example
    :func:`recycled_supply` plus manufacturing scrap and imported recycled material).
    """
    return np.asarray(required, dtype=float) - np.asarray(available, dtype=float)


def compliance_shortfall(required: ArrayLike, available: ArrayLike) -> np.ndarray:
    """The shortfall part of :func:`compliance_gap` (zero where supply covers the minimum)."""
    return np.maximum(compliance_gap(required, available), 0.0)


def hhi(volumes: ArrayLike) -> np.ndarray:
    """Herfindahl-Hirschman index of the sources along the last axis, on the 0-10,000 scale.

    Shares are volumes over their total; ``10,000 * sum(share**2)``, so one source is 10,000 and
    shares 0.85/0.10/0.05 give 7,225 + 100 + 25 = 7,350. A zero total gives NaN.
    """
    v = np.asarray(volumes, dtype=float)
    total = np.sum(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = v / total
    return _HHI_SCALE * np.sum(shares**2, axis=-1)


def supply_hhi(imports_by_origin: ArrayLike, recycled: ArrayLike,
               domestic_primary: ArrayLike = 0.0) -> np.ndarray:
    """HHI of supply with recycled (and domestic primary) cobalt as sources of their own.

    Parameters
    ----------
    imports_by_origin
        Imports by origin, ``(..., K)``.
    recycled, domestic_primary
        Domestic recycled and domestic primary supply, ``(...)``; a zero source adds nothing.
    """
    imports = np.asarray(imports_by_origin, dtype=float)
    own = np.asarray(recycled, dtype=float), np.asarray(domestic_primary, dtype=float)
    batch = np.broadcast_shapes(imports.shape[:-1], *(source.shape for source in own))
    sources = [np.broadcast_to(imports, (*batch, imports.shape[-1])),
               *(np.broadcast_to(source, batch)[..., None] for source in own)]
    return hhi(np.concatenate(sources, axis=-1))


def import_dependence(imports_by_origin: ArrayLike, recycled: ArrayLike,
                      domestic_primary: ArrayLike = 0.0) -> np.ndarray:
    """Imports over total supply: ``sum(imports) / (sum(imports) + recycled + domestic)``."""
    imports = np.sum(np.asarray(imports_by_origin, dtype=float), axis=-1)
    return imports / (imports + np.asarray(recycled, float) + np.asarray(domestic_primary, float))


def recycled_share(recycled: ArrayLike, total_supply: ArrayLike) -> np.ndarray:
    """Recycled share ``r`` of total supply."""
    return np.asarray(recycled, dtype=float) / np.asarray(total_supply, dtype=float)


def supply_shock_sd(primary_shock_sd: ArrayLike, recycled_fraction: ArrayLike,
                    recycled_shock_sd: ArrayLike = 0.0) -> np.ndarray:
    """Standard deviation of relative supply shocks when a share ``r`` is recycled.

    Supply is ``(1 - r)`` primary and ``r`` recycled. If a primary shock moves primary supply by
    a relative ``e`` with s.d. ``sigma`` and recycled supply is not exposed to the same shocks,
    total supply moves by ``(1 - r) e``: the s.d. is ``(1 - r) sigma``, falling linearly in
    ``r``. An independent shock of recycled supply with s.d. ``sigma_R`` adds in quadrature:
    ``sqrt(((1 - r) sigma)**2 + (r sigma_R)**2)``; the default ``sigma_R = 0`` is the model of
    the issue.
    """
    r = np.asarray(recycled_fraction, dtype=float)
    primary = (1.0 - r) * np.asarray(primary_shock_sd, dtype=float)
    own = r * np.asarray(recycled_shock_sd, dtype=float)
    return np.sqrt(primary**2 + own**2)


def price_volatility(primary_shock_sd: ArrayLike, recycled_fraction: ArrayLike,
                     demand_elasticity: ArrayLike,
                     recycled_shock_sd: ArrayLike = 0.0) -> np.ndarray:
    """S.d. of relative price changes caused by supply shocks: ``supply s.d. / |elasticity|``.

    With short-run supply fixed by the shock and demand ``Q = A p**eps``, clearing gives
    ``d ln p = d ln Q / eps``, so the price s.d. is the supply-shock s.d. over ``|eps|``.

    Parameters
    ----------
    demand_elasticity
        Short-run price elasticity of cobalt demand (negative; its sign is ignored). Our
        assumption, not an estimate: see :func:`default_closed_loop_values`.
    """
    eps = np.abs(np.asarray(demand_elasticity, dtype=float))
    if np.any(eps == 0.0):
        raise ValueError("demand_elasticity must not be zero (price volatility is unbounded)")
    return supply_shock_sd(primary_shock_sd, recycled_fraction, recycled_shock_sd) / eps


CLOSED_LOOP_PARAMETERS: tuple[ParameterDeclaration, ...] = (
    ParameterDeclaration(name=f"{CLOSED_LOOP_PREFIX}collection_rate", unit="dimensionless",
                         description="Share of end-of-life battery cobalt collected for "
                                     "recycling", bounds=_FRACTION),
    ParameterDeclaration(name=f"{CLOSED_LOOP_PREFIX}demand_elasticity", unit="dimensionless",
                         description="Short-run price elasticity of cobalt demand (assumption)",
                         bounds=(-10.0, -1e-3)),
    ParameterDeclaration(name=f"{CLOSED_LOOP_PREFIX}primary_supply_shock_sd",
                         unit="dimensionless",
                         description="S.d. of annual relative shocks to primary cobalt supply",
                         bounds=_NON_NEGATIVE),
)


def default_closed_loop_values() -> dict[str, float]:
    """Baseline values of :data:`CLOSED_LOOP_PARAMETERS` (a new dict on each call).

    | cobalt.closed_loop.         | value   | source                                             |
    |-----------------------------|---------|----------------------------------------------------|
    | collection_rate             | 0.8     | assumption: the regulation sets no numeric         |
    |                             |         | collection target for EV and industrial batteries  |
    |                             |         | (producers must take all back); exported used cars |
    |                             |         | and second life keep some out of EU recycling      |
    | demand_elasticity           | -0.3    | assumption: cobalt is a small share of cell cost   |
    |                             |         | and switching chemistry takes years, so short-run  |
    |                             |         | demand is inelastic; not estimated                 |
    | primary_supply_shock_sd     | 0.10    | assumption: one origin holds ~72 % of mine output  |
    |                             |         | (report 1.2, citing USGS 2025) and has suspended   |
    |                             |         | exports (2025); not estimated                      |

    Returns
    -------
    dict
        Full parameter name to baseline value.
    """
    return {
        f"{CLOSED_LOOP_PREFIX}collection_rate": 0.8,
        f"{CLOSED_LOOP_PREFIX}demand_elasticity": -0.3,
        f"{CLOSED_LOOP_PREFIX}primary_supply_shock_sd": 0.10,
    }
