"""Case 6.3: a regional battery-recycling network piloted with government.

Chapter 6.3 of the seed report ("政企协同构建区域回收网络的试点推进机制") exists only as a title.
The analysis an investor and a public partner would expect: the investor's NPV and IRR with and
without public support, and what the support costs the public per tonne of cobalt recovered.

The network
-----------
End-of-life batteries are gathered at ``collection_points`` (capital and running cost each),
trucked ``haul_distance`` km to one pretreatment + hydrometallurgy plant of ``capacity`` t of
batteries per year, filled to ``utilisation`` after a three-year ramp-up. Per t of battery:

- revenue: cobalt, ``co_content * recovery * P``, plus the other metals recovered
  (``other_metal_value``: Ni, Li, Cu, Al);
- feed: the recycler pays ``purchase_share`` of the value it recovers (black-mass payables);
- processing: the report's recycled-cobalt cash cost (2.1: 15.2 万元 per t Co) less its network
  part (2.1: collection network 22 % of the recycled-cobalt cost), per t Co recovered; the
  network is costed explicitly instead (points and haulage);
- fixed: the points' running cost and plant maintenance (5 % of plant capital a year, as
  EverBatt 2019's cost sheet, tea-lca note 3.2);
- tax: 25 %, with 90 % of revenue counted as income (EIT Law Art. 33, Regulations Art. 99:
  products made from catalogued recycled resources).

Public support
--------------
``capital_grant_share`` of the capital is granted (and, as a non-taxable fund, is not
depreciated: the investor's capital and depreciable base are net of it); ``subsidy`` is paid per
t of batteries treated (taxable income); ``public_equity_share`` of the project is co-invested by
a public fund on the same terms as the investor (the investor holds the rest).

The public cost is discounted at ``public_discount_rate``:

.. math:: PC = PV(\\text{grants}) + PV(\\text{subsidies}) - e\\,NPV_{pub}(\\text{project})

(``e`` the public equity share; tax receipts are not netted off, so it is a gross fiscal
cost), and per tonne of cobalt it is levelised: ``PC / PV(t Co recovered)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from valueloop.models.cashflow import (
    CashFlowTable,
    ProjectInputs,
    ProjectMetrics,
    ProjectSchedule,
    build_cash_flow_table,
    project_inputs,
    project_metrics,
    project_npv,
    solve_for_zero,
    working_capital_share_from_days,
)
from valueloop.models.esg_finance import FinancingTerms
from valueloop.models.finance import npv

VARIANTS = ("recycling_supported", "recycling_unsupported")

SCHEDULE = ProjectSchedule(construction=(0.5, 0.5), operating_years=15,
                           ramp_up=(0.4, 0.7, 0.9), depreciation="straight_line",
                           depreciation_years=10)
"""Assumptions: two years of construction, 15 years of operation, collection ramping up over
three years (40 %, 70 %, 90 % of steady volume) while the network grows; depreciation 10 years
straight line (EIT Regulations Art. 60 minimum for machinery)."""

_SUBSIDY_BRACKET = (-50_000.0, 100_000.0)
"""CNY per t of battery searched for the break-even subsidy."""


@dataclass(frozen=True)
class RecyclingArrays:
    """Inputs of the recycling network, arrays ``(N,)`` or ``(1,)``."""

    capacity: np.ndarray
    """t of batteries per year."""
    utilisation: np.ndarray
    co_content: np.ndarray
    """t Co per t of battery."""
    recovery: np.ndarray
    other_metal_value: np.ndarray
    """CNY per t of battery, recovered metals other than cobalt."""
    purchase_share: np.ndarray
    cash_cost: np.ndarray
    """Recycled-cobalt cash cost, CNY per t Co (network included)."""
    network_cost_share: np.ndarray
    plant_capex: np.ndarray
    """CNY per t/yr of battery capacity."""
    maintenance_share: np.ndarray
    collection_points: np.ndarray
    point_capex: np.ndarray
    point_opex: np.ndarray
    """CNY per point and year."""
    haul_distance: np.ndarray
    """km."""
    freight_rate: np.ndarray
    """CNY per t-km."""
    working_capital_days: np.ndarray
    taxable_revenue_share: np.ndarray
    capital_grant_share: np.ndarray
    subsidy: np.ndarray
    """CNY per t of battery."""
    public_equity_share: np.ndarray
    public_discount_rate: np.ndarray


@dataclass(frozen=True)
class RecyclingResults:
    """Investor metrics ``(2, N)`` (supported, unsupported) and the public view ``(N,)``."""

    metrics: ProjectMetrics
    public_cost_per_t_co: np.ndarray
    cobalt_recovered: np.ndarray
    """t Co per year at steady state."""
    breakeven_subsidy: np.ndarray
    """Subsidy per t of battery at which the investor's NPV is 0, with the other support."""
    table: CashFlowTable
    """The supported project (investor and public shares together), ``(T+1, N)``."""
    unsupported_table: CashFlowTable


def recycling_inputs(a: RecyclingArrays, finance: FinancingTerms, price: np.ndarray,
                     support: np.ndarray | float = 1.0,
                     subsidy: np.ndarray | None = None) -> ProjectInputs:
    """The project (before any public equity share); ``support`` is 1 with, 0 without.

    ``subsidy`` replaces ``a.subsidy`` (for the break-even solve).
    """
    s = np.asarray(support, dtype=float)
    per_t = a.subsidy if subsidy is None else subsidy
    recovered = a.co_content * a.recovery  # t Co per t battery
    value = recovered * price + a.other_metal_value
    processing = a.cash_cost * (1.0 - a.network_cost_share) * recovered
    capital = _capital(a)
    output = a.capacity * a.utilisation * SCHEDULE.ramp()[:, None]  # (L, N)
    return project_inputs(
        SCHEDULE, capital=capital * (1.0 - s * a.capital_grant_share),
        capacity=a.capacity, utilisation=_column(a.utilisation), price=_column(value),
        variable_cost=_column(a.purchase_share * value + processing
                              + a.haul_distance * a.freight_rate),
        fixed_cost=_column(a.collection_points * a.point_opex
                           + a.maintenance_share * a.capacity * a.plant_capex),
        other_income=(s * per_t * output).T,
        working_capital_share=working_capital_share_from_days(a.working_capital_days),
        taxable_revenue_share=a.taxable_revenue_share, **finance.project_fields())


def _capital(a: RecyclingArrays) -> np.ndarray:
    """Capital of the plant and the collection points, before any grant."""
    return a.capacity * a.plant_capex + a.collection_points * a.point_capex


def _column(value: np.ndarray) -> np.ndarray:
    return np.atleast_1d(np.asarray(value, dtype=float))[:, None]


def evaluate_recycling(a: RecyclingArrays, finance: FinancingTerms,
                       price: np.ndarray) -> RecyclingResults:
    """Investor metrics with and without support, public cost per t Co, break-even subsidy."""
    supported = build_cash_flow_table(recycling_inputs(a, finance, price, 1.0), SCHEDULE)
    unsupported = build_cash_flow_table(recycling_inputs(a, finance, price, 0.0), SCHEDULE)
    investor_share = 1.0 - a.public_equity_share
    with_support = project_metrics(supported).scaled(investor_share)
    without = project_metrics(unsupported)
    metrics = ProjectMetrics(**{
        name: np.stack(np.broadcast_arrays(getattr(with_support, name), getattr(without, name)))
        for name in vars(with_support)})

    rate = a.public_discount_rate
    grants = np.zeros_like(supported.capital)
    grants[:SCHEDULE.construction_years] = (np.asarray(SCHEDULE.construction)[:, None]
                                            * _capital(a) * a.capital_grant_share)
    public_flows = grants + supported.other_income  # outlays of the public purse
    cobalt = supported.production * (a.co_content * a.recovery)
    public_cost = npv(public_flows, rate) - a.public_equity_share * npv(
        supported.net_cash_flow, rate)
    levelised = public_cost / npv(cobalt, rate)

    def investor_npv(per_t: np.ndarray) -> np.ndarray:
        return project_npv(recycling_inputs(a, finance, price, 1.0, per_t),
                           SCHEDULE) * investor_share

    n = supported.net_cash_flow.shape[1]
    breakeven = solve_for_zero(investor_npv, np.full(n, _SUBSIDY_BRACKET[0]),
                               np.full(n, _SUBSIDY_BRACKET[1]), xtol=1e-6,
                               ftol=1e-9 * _capital(a) * np.ones(n))
    return RecyclingResults(
        metrics=metrics, public_cost_per_t_co=np.broadcast_to(levelised, (n,)),
        cobalt_recovered=np.broadcast_to(a.capacity * a.utilisation * a.co_content
                                         * a.recovery, (n,)),
        breakeven_subsidy=breakeven, table=supported, unsupported_table=unsupported)
