"""Plant NPV and payback of each cobalt hydroxide process route (issue 4, items 6 and 9).

Each route's plant, at the capacity, utilisation, costs and product price of the process-route
scenario, becomes one project in :mod:`valueloop.models.cashflow`: capex spread over the
construction years, a ramp-up, the cash costs of :class:`~valueloop.models.process_routes.
CostStructure` (variable cash cost per t and labour and management per year; depreciation and
interest are not cash costs of the unlevered project: depreciation enters through tax, financing
through the discount rate), working capital as days of cash operating cost, income tax with
losses carried forward, and the product price following the scenario's yearly index (held at
its last value after the last year). The discount rate is the real after-tax WACC from the
scenario's cost of equity, its loan rate and debt share, the tax rate and inflation.

The carbon price is not charged in the NPV: cobalt hydroxide plants are not in China's national
carbon market, which covers power generation (report 3.1 speaks of its possible extension), so
``carbon_cost`` stays a separate output; the green-power case of chapter 6.2
(:mod:`valueloop.models.investment_green_power`) is where carbon prices enter a cash flow.

The schedule (two construction years at 40 % and 60 %, 15 operating years, ramp-up 60 % and
85 %) is the standalone-refinery schedule of :mod:`valueloop.models.investment_vertical`, so the
plant NPVs here and the 6.1 case read alike; the depreciation life comes from the scenario and
must be the same in every sample (it shapes the table).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from valueloop.core.errors import OutOfBoundsError
from valueloop.models.cashflow import ProjectSchedule, build_cash_flow_table, project_inputs
from valueloop.models.esg_finance import real_rate, wacc
from valueloop.models.investment_vertical import SCHEDULE as REFINERY_SCHEDULE

_DAYS_PER_YEAR = 365.0


@dataclass(frozen=True)
class PlantFinance:
    """Project metrics per sample and route, ``(N, R)`` each."""

    npv: np.ndarray
    """CNY of the base year, at the real WACC."""
    payback: np.ndarray
    """Years from the start of construction until cumulative cash flow turns positive."""
    discounted_payback: np.ndarray
    discount_rate: np.ndarray
    """Real after-tax WACC, ``(N, 1)``."""


def plant_discount_rate(cost_of_equity: np.ndarray, loan_rate: np.ndarray,
                        tax_rate: np.ndarray, debt_share: np.ndarray,
                        inflation: np.ndarray) -> np.ndarray:
    """Real after-tax WACC from nominal rates (Fisher's equation on the nominal WACC)."""
    return real_rate(wacc(cost_of_equity, loan_rate, tax_rate, debt_share), inflation)


def operating_price_index(price_index: np.ndarray, schedule: ProjectSchedule) -> np.ndarray:
    """The price index of each operating year, ``(N or 1, L)``.

    Column ``t`` of ``price_index`` ``(N or 1, T)`` is calendar year ``YEARS[t]``; construction
    starts in ``YEARS[0]``, so operating year ``k`` is index ``C + k``, held at the last year.
    """
    last = price_index.shape[-1] - 1
    years = np.minimum(schedule.construction_years + np.arange(schedule.operating_years), last)
    return price_index[:, years]


def plant_schedule(depreciation_life: np.ndarray, route_index: int) -> ProjectSchedule:
    """The refinery schedule with the route's depreciation life, which must not vary."""
    life = np.unique(np.asarray(depreciation_life, dtype=float)[..., route_index])
    if life.size != 1 or life[0] != np.round(life[0]) or life[0] < 1:
        raise OutOfBoundsError(
            f"depreciation_life takes values {life[:5].tolist()} in this study",
            item=f"route {route_index} depreciation_life",
            allowed="one whole number of years for every sample (it sets the cash-flow "
                    "table's shape)")
    return dataclasses.replace(REFINERY_SCHEDULE, depreciation_years=int(life[0]))


def plant_finance(*, capex: np.ndarray, capacity: np.ndarray, utilisation: np.ndarray,
                  product_price: np.ndarray, price_index: np.ndarray,
                  variable_cash_cost: np.ndarray, fixed_cash_cost: np.ndarray,
                  working_capital_days: np.ndarray, depreciation_life: np.ndarray,
                  tax_rate: np.ndarray, discount_rate: np.ndarray) -> PlantFinance:
    """NPV, payback and discounted payback of every route's plant.

    Parameters
    ----------
    capex, capacity, utilisation, variable_cash_cost, fixed_cash_cost, working_capital_days,
    depreciation_life : ndarray
        ``(N or 1, R)``: CNY, t of product per year, share, CNY per t of product, CNY per year,
        days of cash operating cost, years.
    product_price : ndarray
        ``(N or 1, R)`` CNY per t of product (the cobalt price times the product's content).
    price_index : ndarray
        ``(N or 1, T)`` index of the product price by calendar year from construction start.
    tax_rate, discount_rate : ndarray
        ``(N or 1, 1)``.
    """
    arrays = np.broadcast_arrays(capex, capacity, utilisation, product_price, variable_cash_cost,
                                 fixed_cash_cost, working_capital_days, depreciation_life)
    n, routes = arrays[0].shape
    n = max(n, price_index.shape[0], np.shape(discount_rate)[0], np.shape(tax_rate)[0])
    results = np.empty((3, n, routes))
    for r in range(routes):  # a handful of routes; every sample is vectorised
        schedule = plant_schedule(depreciation_life, r)
        price = product_price[:, r][:, None] * operating_price_index(price_index, schedule)
        cash_cost = (variable_cash_cost[:, r] * utilisation[:, r] * capacity[:, r]
                     + fixed_cash_cost[:, r])
        revenue = utilisation[:, r] * capacity[:, r] * product_price[:, r]
        # working capital as days of cash operating cost, restated as a share of revenue
        share = np.divide(cash_cost * working_capital_days[:, r] / _DAYS_PER_YEAR, revenue,
                          out=np.zeros(np.broadcast_shapes(cash_cost.shape, revenue.shape)),
                          where=revenue > 0)
        inputs = project_inputs(
            schedule, capital=capex[:, r], capacity=capacity[:, r],
            utilisation=utilisation[:, r][:, None], price=price,
            variable_cost=variable_cash_cost[:, r][:, None],
            fixed_cost=fixed_cash_cost[:, r][:, None],
            working_capital_share=np.maximum(share, 0.0), tax_rate=tax_rate[:, 0],
            discount_rate=discount_rate[:, 0])
        table = build_cash_flow_table(inputs, schedule)
        results[0, :, r] = table.npv()
        results[1, :, r] = table.payback()
        results[2, :, r] = table.discounted_payback()
    return PlantFinance(npv=results[0], payback=results[1], discounted_payback=results[2],
                        discount_rate=np.broadcast_to(discount_rate, (n, 1)))
