"""Case 6.1: a vertically integrated cobalt hydroxide refinery against a standalone one.

The seed report's chapter 6.1 ("纵向一体化布局的资本回报周期与风险阈值", capital payback and risk
thresholds of vertical integration) exists only as a title. This is the analysis an investor
would expect: payback, discounted payback, NPV and IRR of both variants, and the cobalt price,
capital overrun, utilisation and commissioning delay at which each one's NPV turns zero.

The two variants
----------------
*Standalone refinery*: the report's typical 10,000 t/yr hydrometallurgical plant (2.2): capital
4.0-4.5 亿元 per 万吨 (2.2; 4.2 亿元 in 2.1), variable cost 16.7 万元/t at a price of 20.8 万元/t
(2.2), of which the raw material, about 88 % (2.2), moves with the cobalt price; fixed cash
cost 1.38 亿元/yr (2.2's 1.8 亿元 of depreciation, labour and management less 2.1's depreciation
of 4.2 亿元 over 10 years); feed bought at arm's length.

*Integrated*: the same refinery plus

- upstream, an equity stake in a DRC mine with an offtake for a share ``s`` of the feed: the
  stake costs ``stake_capex`` per t/yr of attributable cobalt and earns the mine's margin
  ``payable * P - mine_cost`` on the offtake tonnes (so the integrated firm's feed for that
  share effectively costs the mine's landed cost);
- downstream, a co-located precursor (pCAM) line that takes a share ``d`` of the refinery's
  cobalt, earning a processing margin per t of pCAM and saving the freight to an east-coast
  precursor maker (1.3: 850-1,100 元 per t of hydroxide from Qinzhou to Changzhou);
- working capital of 28 days of sales instead of 40 (2.3: integrated producers cut the
  procurement cycle by 30 % and hold 28 days of inventory; 28 / 0.7 = 40 for the standalone).

Per tonne of refinery output (t Co, the report's tonne; see below), with cobalt price ``P``:

.. math::

    p_{int} = P + g\\,[\\,s\\,\\phi P + d\\,(m_{pCAM}\\,k + \\ell)\\,],\\qquad
    c_{var} = c_0\\,(\\alpha P / P_0 + 1 - \\alpha) + g\\,s\\,c_{mine}

with ``g`` = 1 for the integrated variant and 0 for the standalone one, ``phi`` the feed
payable, ``k`` t of pCAM per t Co, ``m_pCAM`` the margin per t pCAM and ``l`` the freight saved.

The report's tonne
------------------
The report prices hydroxide at 20.8 万元/t (1.1, "Co 31 %") and builds a production cost of 18.5
万元/t whose raw-material part, 16.3 万元/t, is per t of *contained cobalt* (2.1,
"万元/吨金属量"); its capacities and capital per 万吨 use the same tonne. We read every
per-tonne figure as per t of contained cobalt and keep the report's 10,000 t/yr. Read as 10,000 t
of hydroxide at 31 % Co, the same plant would produce 3,100 t Co and the report's fixed cost would
not be covered at any utilisation; the capital per t of Co would be 3.2 times higher.

Risk thresholds
---------------
NPV falls with capital overrun and rises with price and utilisation, so each threshold is the
root of a monotone function of one variable, found for all samples at once with
:func:`~valueloop.models.cashflow.solve_for_zero` (NPV is piecewise linear in them; the tax
kinks make a closed form awkward). The delay has a closed form
(:func:`~valueloop.models.cashflow.delay_threshold`): capital is spent on schedule and then
idle, with no holding cost and no change in prices, so it is an upper bound on the delay a
project can bear; it is negative when the project is under water without any delay.
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
    delay_threshold,
    project_inputs,
    project_metrics,
    project_npv,
    solve_for_zero,
    working_capital_share_from_days,
)
from valueloop.models.esg_finance import FinancingTerms

VARIANTS = ("standalone_refinery", "integrated")

SCHEDULE = ProjectSchedule(construction=(0.4, 0.6), operating_years=15, ramp_up=(0.6, 0.85),
                           depreciation="straight_line", depreciation_years=10)
"""Assumptions: two years of construction (40 %, 60 %), 15 operating years, 60 % and 85 % of
steady output in the first two years. Depreciation: 10 years straight line (report 2.1 and 2.2;
the minimum for production machinery, EIT Regulations Art. 60). Losses carried forward five
years (EIT Law Art. 18)."""

_PRICE_BRACKET = (0.02, 5.0)
"""Break-even price searched between these multiples of the sampled price."""
_OVERRUN_BRACKET = (-0.95, 20.0)
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class RefineryArrays:
    """The standalone refinery, arrays ``(N,)`` or ``(1,)`` in the model's units."""

    capacity: np.ndarray
    """t Co/yr."""
    capex_intensity: np.ndarray
    """CNY per t/yr of capacity."""
    capex_overrun: np.ndarray
    """Capital overrun as a share of the estimate."""
    utilisation: np.ndarray
    variable_cost: np.ndarray
    """CNY/t at the reference price."""
    price_linked_share: np.ndarray
    """Share of the variable cost that moves with the cobalt price (raw material)."""
    reference_price: np.ndarray
    fixed_cash_cost: np.ndarray
    """CNY/yr, excluding depreciation."""
    working_capital_days: np.ndarray
    carbon_intensity: np.ndarray
    """tCO2e/t."""
    free_allowance: np.ndarray
    """tCO2e/t allocated free."""
    salvage_share: np.ndarray


@dataclass(frozen=True)
class IntegrationArrays:
    """What integration adds, arrays ``(N,)`` or ``(1,)``."""

    offtake_share: np.ndarray
    stake_capex: np.ndarray
    """CNY per t/yr of attributable cobalt."""
    feed_payable: np.ndarray
    """Price of the mine's intermediate as a share of the cobalt price."""
    mine_cost: np.ndarray
    """Landed cash cost of the mine's cobalt at a Chinese port, CNY/t Co."""
    downstream_share: np.ndarray
    pcam_per_co: np.ndarray
    """t of precursor per t of cobalt."""
    precursor_capex: np.ndarray
    """CNY per t/yr of precursor capacity."""
    precursor_margin: np.ndarray
    """CNY per t of precursor, net of its conversion costs."""
    logistics_saving: np.ndarray
    """CNY per t Co delivered in-house."""
    working_capital_days: np.ndarray


@dataclass(frozen=True)
class VerticalResults:
    """Metrics and thresholds of both variants, each ``(2, N)`` in :data:`VARIANTS` order."""

    metrics: ProjectMetrics
    breakeven_price: np.ndarray
    max_capex_overrun: np.ndarray
    min_utilisation: np.ndarray
    max_delay: np.ndarray
    table: CashFlowTable
    """Both variants side by side: columns ``0 .. N-1`` standalone, ``N .. 2N-1`` integrated."""


def vertical_inputs(r: RefineryArrays, v: IntegrationArrays, finance: FinancingTerms,
                    price: np.ndarray, carbon_price: np.ndarray, integrated: np.ndarray, *,
                    overrun: np.ndarray | None = None,
                    utilisation: np.ndarray | None = None) -> ProjectInputs:
    """Project inputs of one or both variants; ``integrated`` is 1 (integrated) or 0 per sample.

    ``overrun`` and ``utilisation`` replace the refinery's values (for the threshold solves).
    """
    g = np.asarray(integrated, dtype=float)
    k = r.capex_overrun if overrun is None else overrun
    refinery_capital = r.capacity * r.capex_intensity
    stake = v.offtake_share * r.capacity * v.stake_capex
    precursor = v.downstream_share * r.capacity * v.pcam_per_co * v.precursor_capex
    downstream_income = v.downstream_share * (v.pcam_per_co * v.precursor_margin
                                              + v.logistics_saving)
    days = r.working_capital_days * (1.0 - g) + v.working_capital_days * g
    return project_inputs(
        SCHEDULE,
        capital=(refinery_capital + g * (stake + precursor)) * (1.0 + k),
        capacity=r.capacity * np.ones_like(g),
        utilisation=_column(r.utilisation if utilisation is None else utilisation),
        price=_column(price + g * (v.offtake_share * v.feed_payable * price + downstream_income)),
        variable_cost=_column(
            r.variable_cost * (r.price_linked_share * price / r.reference_price
                               + 1.0 - r.price_linked_share)
            + g * v.offtake_share * v.mine_cost),
        fixed_cost=_column(r.fixed_cash_cost),
        carbon_intensity=r.carbon_intensity, free_allowance=r.free_allowance,
        carbon_price=_column(carbon_price),
        working_capital_share=working_capital_share_from_days(days),
        salvage_share=r.salvage_share, **finance.project_fields())


def _column(value: np.ndarray) -> np.ndarray:
    """A per-sample constant as an ``(N, 1)`` path."""
    return np.atleast_1d(np.asarray(value, dtype=float))[:, None]


def evaluate_vertical(r: RefineryArrays, v: IntegrationArrays, finance: FinancingTerms,
                      price: np.ndarray, carbon_price: np.ndarray) -> VerticalResults:
    """Both variants and their risk thresholds for every sample."""
    n = _samples(r, v, finance, price, carbon_price)
    # both variants in one table: the standalone samples, then the integrated ones
    g = np.repeat([0.0, 1.0], n)
    r2, v2, f2 = (_twice(x, n) for x in (r, v, finance))
    p2, c2 = _twice_array(price, n), _twice_array(carbon_price, n)

    def npv_with(**change: np.ndarray) -> np.ndarray:
        values = {"overrun": change.get("overrun"), "utilisation": change.get("utilisation")}
        return project_npv(
            vertical_inputs(r2, v2, f2, change.get("price", p2), c2, g, **values), SCHEDULE)

    table = build_cash_flow_table(vertical_inputs(r2, v2, f2, p2, c2, g), SCHEDULE)
    # tolerances per sample, so a sample's threshold does not depend on its chunk
    ftol = _TOLERANCE * table.capital.sum(axis=0)
    price_root = solve_for_zero(lambda x: npv_with(price=x), _PRICE_BRACKET[0] * p2,
                                _PRICE_BRACKET[1] * p2, xtol=_TOLERANCE * p2, ftol=ftol)
    overrun_root = solve_for_zero(lambda x: npv_with(overrun=x),
                                  np.full(2 * n, _OVERRUN_BRACKET[0]),
                                  np.full(2 * n, _OVERRUN_BRACKET[1]), xtol=_TOLERANCE,
                                  ftol=ftol)
    utilisation_root = solve_for_zero(lambda x: npv_with(utilisation=x), np.zeros(2 * n),
                                      np.ones(2 * n), xtol=_TOLERANCE, ftol=ftol)
    return VerticalResults(
        metrics=_split(project_metrics(table), n),
        breakeven_price=price_root.reshape(2, n),
        max_capex_overrun=overrun_root.reshape(2, n),
        min_utilisation=utilisation_root.reshape(2, n),
        max_delay=delay_threshold(table).reshape(2, n),
        table=table)


def _samples(*groups: object) -> int:
    sizes = set()
    for group in groups:
        arrays = (vars(group).values() if hasattr(group, "__dataclass_fields__")
                  else (group,))
        sizes.update(np.shape(a)[0] for a in arrays if np.ndim(a))
    sizes.discard(1)
    return sizes.pop() if sizes else 1


def _twice_array(value: np.ndarray, n: int) -> np.ndarray:
    return np.tile(np.broadcast_to(np.atleast_1d(np.asarray(value, dtype=float)), (n,)), 2)


def _twice(group: RefineryArrays | IntegrationArrays | FinancingTerms, n: int
           ) -> RefineryArrays | IntegrationArrays | FinancingTerms:
    """Every field repeated for the second variant's samples (``(1,)`` fields stay as they are)."""
    return type(group)(**{name: value if np.size(value) == 1 else _twice_array(value, n)
                          for name, value in vars(group).items()})


def _split(metrics: ProjectMetrics, n: int) -> ProjectMetrics:
    return ProjectMetrics(**{name: np.asarray(value).reshape(2, n)
                             for name, value in vars(metrics).items()})
