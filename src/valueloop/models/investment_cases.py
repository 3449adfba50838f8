"""The three investment cases of the seed report's chapter 6 as one model, ``cobalt-investment``.

* 6.1 vertical integration (:mod:`~valueloop.models.investment_vertical`): a standalone
  refinery and an integrated one (mine stake + refinery + precursor line), with the cobalt
  price, capital overrun, utilisation and delay at which NPV turns zero.
* 6.2 green power (:mod:`~valueloop.models.investment_green_power`): NPV of adding PV (or a
  green PPA) to a hydromet plant, for each start year 2025-2035 and each pair of power- and
  carbon-price paths.
* 6.3 recycling network (:mod:`~valueloop.models.investment_recycling`): investor NPV and IRR
  with and without public support, public cost per t of cobalt recovered.

All cases are in real CNY of 2024 and use the cash-flow model of
:mod:`~valueloop.models.cashflow` on the *project* basis (unlevered free cash flow at the real
after-tax WACC of :class:`~valueloop.models.esg_finance.FinancingTerms`); the equity basis is
reported alongside. Every value comes from the scenario ``cobalt-investment.toml``, where each
one has its source; this module declares names, units and bounds only.
"""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import TypeVar

import numpy as np

from valueloop.core.errors import OutOfBoundsError
from valueloop.core.model import Inputs, ModelDefinition, OutputDeclaration, Outputs
from valueloop.core.parameters import ParameterDeclaration
from valueloop.models.cashflow import ProjectMetrics
from valueloop.models.esg_finance import RATING_CLASSES, FinancingTerms, real_rate, wacc
from valueloop.models.finance import npv
from valueloop.models.investment_green_power import (
    PATH_YEARS,
    PATHS,
    START_YEARS,
    GreenArrays,
    best_start_year,
    green_case,
    green_window,
)
from valueloop.models.investment_recycling import (
    RecyclingArrays,
    evaluate_recycling,
)
from valueloop.models.investment_vertical import VARIANTS as VERTICAL_VARIANTS
from valueloop.models.investment_vertical import (
    IntegrationArrays,
    RefineryArrays,
    evaluate_vertical,
)

Group = TypeVar("Group", FinancingTerms, RefineryArrays, IntegrationArrays, RecyclingArrays)

PREFIX = "invest."
CASES = ("standalone_refinery", "integrated", "green_power", "recycling_supported",
         "recycling_unsupported")
"""The ``case`` axis: 6.1 twice, 6.2 started in 2025 on central paths, 6.3 twice."""
RATINGS = tuple(c.id for c in RATING_CLASSES)

_INF = math.inf
_POSITIVE = (0.0, _INF)
_SHARE = (0.0, 1.0)
_RATE = (0.0, 1.0)


def _scalar(name: str, unit: str, description: str,
            bounds: tuple[float, float] = _POSITIVE) -> ParameterDeclaration:
    return ParameterDeclaration(name=PREFIX + name, unit=unit, description=description,
                                bounds=bounds)


def _series(name: str, unit: str, description: str) -> ParameterDeclaration:
    return ParameterDeclaration(name=PREFIX + name, unit=unit, description=description,
                                bounds=_POSITIVE, shape="series", index_name="year")


FINANCE_PARAMETERS = (
    _scalar("finance.cost_of_equity", "dimensionless", "Nominal cost of equity", _RATE),
    _scalar("finance.debt_rate", "dimensionless", "Nominal loan rate of the investor", _RATE),
    _scalar("finance.debt_share", "dimensionless", "Debt over debt plus equity", _SHARE),
    _scalar("finance.debt_tenor", "yr", "Loan repayment years from the first operating year",
            (1.0, 15.0)),
    _scalar("finance.inflation", "dimensionless", "Expected inflation, to turn nominal rates "
            "real", (-0.5, 1.0)),
    _scalar("finance.tax_rate", "dimensionless", "Corporate income-tax rate", _SHARE),
    *(_scalar(f"finance.esg_loan_rate.{c.id}", "dimensionless",
              f"Average loan rate of ESG class {c.label}", _RATE) for c in RATING_CLASSES),
)
MARKET_PARAMETERS = (
    _scalar("cobalt_price", "CNY/t", "Cobalt price, per t of contained Co (real, flat)",
            (1e3, _INF)),
    _scalar("carbon_price", "CNY/tCO2e", "Carbon price on the refinery's emissions (6.1)"),
)
REFINERY_PARAMETERS = (
    _scalar("refinery.capacity", "t/yr", "Refinery capacity, t Co per year", (1.0, _INF)),
    _scalar("refinery.capex_intensity", "CNY*yr/t", "Capital per t/yr of capacity"),
    _scalar("refinery.capex_overrun", "dimensionless", "Capital overrun over the estimate",
            (-0.5, 5.0)),
    _scalar("refinery.utilisation", "dimensionless", "Steady utilisation", _SHARE),
    _scalar("refinery.variable_cost", "CNY/t", "Variable cost at the reference price"),
    _scalar("refinery.price_linked_share", "dimensionless",
            "Share of the variable cost that moves with the cobalt price", _SHARE),
    _scalar("refinery.reference_price", "CNY/t", "Price at which the variable cost is stated",
            (1e3, _INF)),
    _scalar("refinery.fixed_cash_cost", "CNY/yr", "Fixed cost excluding depreciation"),
    _scalar("refinery.working_capital_days", "day", "Working capital in days of sales",
            (0.0, 365.0)),
    _scalar("refinery.carbon_intensity", "tCO2e/t", "Footprint per t of product"),
    _scalar("refinery.free_allowance", "tCO2e/t", "Free allocation per t of product"),
    _scalar("refinery.salvage_share", "dimensionless", "Salvage value over capital", _SHARE),
)
INTEGRATION_PARAMETERS = (
    _scalar("vi.offtake_share", "dimensionless", "Share of feed from the mine stake", _SHARE),
    _scalar("vi.stake_capex", "CNY*yr/t", "Price of the mine stake per t/yr of attributable Co"),
    _scalar("vi.feed_payable", "dimensionless", "Intermediate price over the cobalt price",
            (0.0, 1.5)),
    _scalar("vi.mine_cost", "CNY/t", "Landed cash cost of the mine's cobalt at a Chinese port"),
    _scalar("vi.downstream_share", "dimensionless", "Share of output made into precursor",
            _SHARE),
    _scalar("vi.pcam_per_co", "dimensionless", "t of precursor per t of cobalt", (1.0, 100.0)),
    _scalar("vi.precursor_capex", "CNY*yr/t", "Capital per t/yr of precursor capacity"),
    _scalar("vi.precursor_margin", "CNY/t", "Precursor margin per t, net of conversion cost",
            (-_INF, _INF)),
    _scalar("vi.logistics_saving", "CNY/t", "Freight saved per t Co delivered in-house"),
    _scalar("vi.working_capital_days", "day", "Working capital of the integrated firm",
            (0.0, 365.0)),
)
GREEN_PARAMETERS = (
    _scalar("green.electricity_intensity", "kWh/t", "Electricity per t of product"),
    _scalar("green.pv_share", "dimensionless", "Share of electricity from own PV", _SHARE),
    _scalar("green.ppa_share", "dimensionless", "Share of electricity from a green PPA",
            _SHARE),
    _scalar("green.ppa_price", "CNY/kWh", "Green PPA price"),
    _scalar("green.full_load_hours", "h", "PV full-load hours per year", (1.0, 8760.0)),
    _scalar("green.pv_capex", "CNY/W", "PV capital cost per W, 2024"),
    _scalar("green.pv_capex_trend", "dimensionless", "Real change of PV capital cost per year",
            (-0.5, 0.5)),
    _scalar("green.pv_om_share", "dimensionless", "PV O&M per year over its capital", _SHARE),
    _scalar("green.pv_degradation", "dimensionless", "PV output lost per year", (0.0, 0.2)),
    _scalar("green.grid_factor", "gCO2e/kWh", "Emission factor of the grid power displaced"),
    _scalar("green.carbon_priced_share", "dimensionless",
            "Share of power emissions a carbon price reaches", _SHARE),
    _scalar("green.premium_per_tco2e", "CNY/tCO2e",
            "Product price premium per t, per tCO2e/t of footprint cut"),
    _scalar("green.premium_coverage", "dimensionless",
            "Share of output sold with a footprint premium", _SHARE),
    _scalar("green.power_price_factor", "dimensionless", "Multiplier on every power path"),
    _scalar("green.carbon_price_factor", "dimensionless", "Multiplier on every carbon path"),
    *(_series(f"green.power_price.{path}", "CNY/kWh", f"Industrial grid power price, {path}")
      for path in PATHS),
    *(_series(f"green.carbon_price.{path}", "CNY/tCO2e", f"Carbon price, {path}")
      for path in PATHS),
)
RECYCLING_PARAMETERS = (
    _scalar("recycle.capacity", "t/yr", "Plant capacity, t of batteries per year",
            (1.0, _INF)),
    _scalar("recycle.utilisation", "dimensionless", "Steady utilisation", _SHARE),
    _scalar("recycle.co_content", "dimensionless", "Cobalt per t of battery", _SHARE),
    _scalar("recycle.recovery", "dimensionless", "Cobalt recovery", _SHARE),
    _scalar("recycle.other_metal_value", "CNY/t",
            "Other metals recovered per t of battery (Ni, Li, Cu, Al)"),
    _scalar("recycle.purchase_share", "dimensionless",
            "Battery price as a share of the metal value recovered", (0.0, 1.5)),
    _scalar("recycle.cash_cost", "CNY/t", "Recycled-cobalt cash cost per t Co"),
    _scalar("recycle.network_cost_share", "dimensionless",
            "Collection-network share of the recycled-cobalt cost", _SHARE),
    _scalar("recycle.plant_capex", "CNY*yr/t", "Plant capital per t/yr of batteries"),
    _scalar("recycle.maintenance_share", "dimensionless",
            "Maintenance per year over plant capital", _SHARE),
    _scalar("recycle.collection_points", "dimensionless", "Collection points"),
    _scalar("recycle.point_capex", "CNY", "Capital per collection point"),
    _scalar("recycle.point_opex", "CNY/yr", "Running cost per collection point"),
    _scalar("recycle.haul_distance", "km", "Average haul to the plant"),
    _scalar("recycle.freight_rate", "CNY/(t*km)", "Freight of batteries"),
    _scalar("recycle.working_capital_days", "day", "Working capital in days of sales",
            (0.0, 365.0)),
    _scalar("recycle.taxable_revenue_share", "dimensionless",
            "Share of revenue counted as taxable income", _SHARE),
    _scalar("recycle.capital_grant_share", "dimensionless", "Public grant over capital",
            (0.0, 0.95)),
    _scalar("recycle.subsidy", "CNY/t", "Public subsidy per t of batteries treated"),
    _scalar("recycle.public_equity_share", "dimensionless", "Public co-investment share",
            (0.0, 0.95)),
    _scalar("recycle.public_discount_rate", "dimensionless", "Public discount rate (real)",
            _RATE),
)
PARAMETERS = (*FINANCE_PARAMETERS, *MARKET_PARAMETERS, *REFINERY_PARAMETERS,
              *INTEGRATION_PARAMETERS, *GREEN_PARAMETERS, *RECYCLING_PARAMETERS)


def _group(inputs: Inputs, cls: type[Group], prefix: str) -> Group:
    """The dataclass ``cls`` filled from ``inputs[PREFIX + prefix + field]``."""
    return cls(**{name: np.atleast_1d(np.asarray(inputs[PREFIX + prefix + name], dtype=float))
                  for name in cls.__dataclass_fields__})


def financing_terms(inputs: Inputs) -> FinancingTerms:
    return _group(inputs, FinancingTerms, "finance.")


def refinery_arrays(inputs: Inputs) -> RefineryArrays:
    return _group(inputs, RefineryArrays, "refinery.")


def integration_arrays(inputs: Inputs) -> IntegrationArrays:
    return _group(inputs, IntegrationArrays, "vi.")


def recycling_arrays(inputs: Inputs) -> RecyclingArrays:
    return _group(inputs, RecyclingArrays, "recycle.")


def green_arrays(inputs: Inputs) -> GreenArrays:
    """Green-power inputs; the refinery's capacity and utilisation size the plant's demand."""
    def get(name: str) -> np.ndarray:
        return np.atleast_1d(np.asarray(inputs[PREFIX + name], dtype=float))

    def paths(kind: str) -> np.ndarray:
        factor = get(f"green.{kind}_price_factor")[:, None]
        stacked = [np.atleast_2d(get(f"green.{kind}_price.{p}")) * factor for p in PATHS]
        width = {s.shape[-1] for s in stacked}
        if width != {len(PATH_YEARS)}:
            raise OutOfBoundsError(f"{kind} price paths have {sorted(width)} years",
                                   item=f"{PREFIX}green.{kind}_price",
                                   allowed=f"{len(PATH_YEARS)} values, {PATH_YEARS[0]}-"
                                           f"{PATH_YEARS[-1]}")
        return np.stack(np.broadcast_arrays(*stacked))

    pv, ppa = get("green.pv_share"), get("green.ppa_share")
    if np.any(pv + ppa > 1.0):
        raise OutOfBoundsError("pv_share + ppa_share exceeds 1",
                               item=f"{PREFIX}green.pv_share/ppa_share",
                               allowed="shares of the plant's electricity that sum to <= 1")
    fields = {name: get(f"green.{name}") for name in GreenArrays.__dataclass_fields__
              if name not in ("capacity", "utilisation", "grid_factor", "power_price",
                              "carbon_price")}
    return GreenArrays(capacity=get("refinery.capacity"),
                       utilisation=get("refinery.utilisation"),
                       grid_factor=get("green.grid_factor") / 1e6,
                       power_price=paths("power"), carbon_price=paths("carbon"), **fields)


def evaluate(inputs: Inputs) -> Outputs:
    """All three cases for every sample."""
    finance = financing_terms(inputs)
    price = np.atleast_1d(np.asarray(inputs[PREFIX + "cobalt_price"], dtype=float))
    carbon = np.atleast_1d(np.asarray(inputs[PREFIX + "carbon_price"], dtype=float))
    vertical = evaluate_vertical(refinery_arrays(inputs), integration_arrays(inputs), finance,
                                 price, carbon)
    green = green_arrays(inputs)
    window = green_window(green, finance)
    green_metrics, green_table = green_case(green, finance)
    recycling = evaluate_recycling(recycling_arrays(inputs), finance, price)

    # each case has N columns, or 1 when none of its inputs varies; the vertical table has both
    # variants side by side
    half = vertical.table.net_cash_flow.shape[1] // 2
    investor = 1.0 - np.atleast_1d(np.asarray(inputs[PREFIX + "recycle.public_equity_share"],
                                              dtype=float))
    flows = ((vertical.table.net_cash_flow[:, :half], 1.0),
             (vertical.table.net_cash_flow[:, half:], 1.0), (green_table.net_cash_flow, 1.0),
             (recycling.table.net_cash_flow, investor),
             (recycling.unsupported_table.net_cash_flow, 1.0))
    central = PATHS.index("central")
    return {
        **_stack_cases(vertical.metrics, green_metrics, recycling.metrics),
        "npv_by_rating": _npv_by_rating(inputs, finance, flows),
        "breakeven_price": vertical.breakeven_price.T,
        "max_capex_overrun": vertical.max_capex_overrun.T,
        "min_utilisation": vertical.min_utilisation.T,
        "max_delay": vertical.max_delay.T,
        "green_npv": window[:, :, central, central],
        "green_npv_window": window,
        "green_positive": (window > 0.0).astype(float),
        "green_best_start": best_start_year(window, finance.discount_rate),
        "recycling_public_cost": recycling.public_cost_per_t_co,
        "recycling_cobalt_recovered": recycling.cobalt_recovered,
        "recycling_breakeven_subsidy": recycling.breakeven_subsidy,
    }


def _stack_cases(vertical: ProjectMetrics, green: ProjectMetrics,
                 recycling: ProjectMetrics) -> dict[str, np.ndarray]:
    """Each metric as ``(N, len(CASES))`` in :data:`CASES` order."""
    out = {}
    for name in vars(green):
        parts = [getattr(vertical, name)[0], getattr(vertical, name)[1], getattr(green, name),
                 getattr(recycling, name)[0], getattr(recycling, name)[1]]
        out[name] = np.stack(np.broadcast_arrays(*parts), axis=-1)
    return out


def _npv_by_rating(inputs: Inputs, finance: FinancingTerms,
                   flows: tuple[tuple[np.ndarray, np.ndarray | float], ...]) -> np.ndarray:
    """Project NPV of each case at the real WACC with each ESG class's loan rate, ``(N, 5, K)``.

    On the project basis the flows do not depend on the loan rate: only the discount rate moves.
    ``flows`` pairs each case's flows with the investor's share of them.
    """
    out = []
    for rating in RATINGS:
        loan = inputs[f"{PREFIX}finance.esg_loan_rate.{rating}"]
        discount = real_rate(wacc(finance.cost_of_equity, loan, finance.tax_rate,
                                  finance.debt_share), finance.inflation)
        values = [npv(case, discount) * share for case, share in flows]
        out.append(np.stack(np.broadcast_arrays(*values), axis=-1))
    return np.stack(out, axis=-1)


OUTPUTS = (
    OutputDeclaration("npv", "CNY", "NPV, project basis, real WACC", ("case",)),
    OutputDeclaration("irr", "dimensionless", "Project IRR (real; the lowest root if several)",
                      ("case",)),
    OutputDeclaration("irr_status", "dimensionless",
                      "IRR status: 0 unique, 1 no root, 2 multiple roots", ("case",)),
    OutputDeclaration("payback", "yr", "Payback from the first construction year", ("case",)),
    OutputDeclaration("discounted_payback", "yr", "Discounted payback", ("case",)),
    OutputDeclaration("capital", "CNY", "Capital spent by the investor", ("case",)),
    OutputDeclaration("equity_npv", "CNY", "NPV, equity basis, real cost of equity", ("case",)),
    OutputDeclaration("equity_irr", "dimensionless", "Equity IRR (real)", ("case",)),
    OutputDeclaration("npv_by_rating", "CNY",
                      "NPV at the WACC of each ESG rating class's loan rate", ("case", "rating")),
    OutputDeclaration("breakeven_price", "CNY/t", "Cobalt price at which NPV is 0",
                      ("variant",)),
    OutputDeclaration("max_capex_overrun", "dimensionless",
                      "Capital overrun at which NPV is 0", ("variant",)),
    OutputDeclaration("min_utilisation", "dimensionless", "Utilisation at which NPV is 0",
                      ("variant",)),
    OutputDeclaration("max_delay", "yr", "Commissioning delay at which NPV is 0",
                      ("variant",)),
    OutputDeclaration("green_npv", "CNY",
                      "Green-power NPV at the start year, central power and carbon paths",
                      ("start_year",)),
    OutputDeclaration("green_npv_window", "CNY", "Green-power NPV at the start year",
                      ("start_year", "power_path", "carbon_path")),
    OutputDeclaration("green_positive", "dimensionless",
                      "1 where the green-power NPV is positive (its mean is a probability)",
                      ("start_year", "power_path", "carbon_path")),
    OutputDeclaration("green_best_start", "dimensionless",
                      "Start year with the highest green-power NPV valued in 2025",
                      ("power_path", "carbon_path")),
    OutputDeclaration("recycling_public_cost", "CNY/t",
                      "Public cost per t of cobalt recovered (levelised)"),
    OutputDeclaration("recycling_cobalt_recovered", "t/yr", "Cobalt recovered at steady state"),
    OutputDeclaration("recycling_breakeven_subsidy", "CNY/t",
                      "Subsidy per t of batteries at which the investor's NPV is 0"),
)

COBALT_INVESTMENT = ModelDefinition(
    name="cobalt-investment",
    title="Chapter-6 investment cases: vertical integration, green power, recycling network",
    parameters=PARAMETERS,
    outputs=OUTPUTS,
    evaluate=evaluate,
    axis_labels=MappingProxyType({
        "case": CASES, "variant": VERTICAL_VARIANTS, "start_year": START_YEARS,
        "power_path": PATHS, "carbon_path": PATHS, "rating": RATINGS}),
)
