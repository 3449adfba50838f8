"""Case 6.2: the feasibility window of green power for a hydrometallurgical plant.

Chapter 6.2 of the seed report ("绿电耦合湿法冶金项目的经济可行性窗口期") exists only as a title;
its summary speaks of a "2025-2027 window". The question an investor asks: in which start years,
under which paths of the grid power price and the carbon price, does adding green power to an
operating hydromet plant pay?

The project is the *increment* over buying all power from the grid. It builds own PV sized to
cover a share of the plant's electricity (``pv_share``), and may buy a further share under a
green PPA (``ppa_share``). Started in year ``s`` (construction in ``s``, 25 operating years
from ``s + 1``), it

- spends ``capex(s) = capex_2024 * (1 + trend)^(s - 2024)`` per W of PV;
- saves the grid price of every green kWh (calendar-year path), pays the PPA price for the PPA
  share and the PV's O&M;
- avoids ``grid_factor`` tCO2e per green kWh, priced at the carbon price path for the share of
  power emissions a carbon price would reach (``carbon_priced_share``), and earns a footprint
  premium on the product (report 2.3: GEM's contract with SK On pays 300 元/t more per tCO2e/t
  less), for the share of output sold on such terms (``premium_coverage``);
- pays 25 % income tax on the net saving, with PV depreciated over 20 years.

:func:`green_window` returns the NPV at the start year (discounted to ``s``, real WACC) for every
start year 2025-2035 and every pair of (power, carbon) paths low/central/high. With everything
else fixed, NPV rises with the carbon price (each green kWh avoids emissions, and the tax on the
saving is at most 25 % of it), so the window widens as the carbon path rises.

The report's own example (2.3)
------------------------------
Huayou's Qinzhou site: 200 MW PV + storage, 2.4 亿 kWh/yr (40 % of its use), power "locked" at
0.38 元/kWh, 32 % below the local average, capital 1.2 亿元, payback 3.7 years at a carbon price
of 60 元/t and a green premium of 1 万元/t. :func:`report_pv_example` recomputes it from those
inputs: the saving on power alone, 2.4 亿 kWh * (0.559 - 0.38) = 0.43 亿元/yr, plus the carbon
value at China's average grid factor, 0.08 亿元/yr, pays 1.2 亿元 back in 2.4 years before any
premium, so 3.7 years does not follow from the report's inputs. The capital is the larger
problem: 1.2 亿元 for 200 MW is 0.6 元/W, about a fifth of what ground-mounted PV costs in
China (our assumption of 3 元/W, not a cited figure); at 3 元/W the same savings pay back in about
12 years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from valueloop.core.datatables import load_table
from valueloop.core.errors import OutOfBoundsError
from valueloop.core.sources import Citation
from valueloop.models.cashflow import (
    CashFlowTable,
    ProjectInputs,
    ProjectMetrics,
    ProjectSchedule,
    build_cash_flow_table,
    project_inputs,
    project_metrics,
    project_npv,
)
from valueloop.models.esg_finance import FinancingTerms

START_YEARS: tuple[int, ...] = tuple(range(2025, 2036))
PATH_YEARS: tuple[int, ...] = tuple(range(2025, 2061))
"""Calendar years of the power- and carbon-price paths: to the last operating year of a 2035
start (2035 + 25)."""
PATHS: tuple[str, ...] = ("low", "central", "high")
CAPEX_BASE_YEAR = 2024

SCHEDULE = ProjectSchedule(construction=(1.0,), operating_years=25,
                           depreciation="straight_line", depreciation_years=20)
"""Assumptions: PV built in one year, 25 years of operation (the usual module warranty
horizon), depreciated over 20 years straight line (no shorter than the 10-year machinery
minimum, EIT Regulations Art. 60)."""

_GRAMS_PER_TONNE = 1e6
_W_PER_KW = 1e3


@dataclass(frozen=True)
class GreenArrays:
    """Inputs of the green-power increment; scalars ``(N,)`` or ``(1,)``, paths ``(3, N|1, Y)``.

    Paths run over :data:`PATH_YEARS` with the low, central and high path on the first axis.
    """

    capacity: np.ndarray
    """Plant output capacity, t/yr."""
    utilisation: np.ndarray
    electricity_intensity: np.ndarray
    """kWh per t of product."""
    pv_share: np.ndarray
    ppa_share: np.ndarray
    ppa_price: np.ndarray
    """CNY/kWh."""
    full_load_hours: np.ndarray
    """Hours per year (kWh per kW of PV)."""
    pv_capex: np.ndarray
    """CNY per W in 2024."""
    pv_capex_trend: np.ndarray
    """Real change of the PV capital cost per year."""
    pv_om_share: np.ndarray
    """O&M per year as a share of the PV capital."""
    pv_degradation: np.ndarray
    grid_factor: np.ndarray
    """tCO2e per kWh of grid power displaced."""
    carbon_priced_share: np.ndarray
    premium_per_tco2e: np.ndarray
    """CNY per t of product per tCO2e/t of footprint cut."""
    premium_coverage: np.ndarray
    power_price: np.ndarray
    """CNY/kWh, ``(3, N|1, Y)``."""
    carbon_price: np.ndarray
    """CNY/tCO2e, ``(3, N|1, Y)``."""


@dataclass(frozen=True)
class _Supply:
    """What does not depend on the start year or the paths: PV size and green kWh by age."""

    pv_watts: np.ndarray
    """``(N,)``."""
    capacity: np.ndarray
    """Green kWh in the first operating year, ``(N,)``."""
    utilisation: np.ndarray
    """Green kWh by age over the first year's, ``(N, L)``."""
    ppa_cost: np.ndarray
    """PPA cost per green kWh by age, ``(N, L)``."""
    premium: np.ndarray
    """Footprint premium by age, CNY/yr, ``(N, L)``."""


def _supply(a: GreenArrays) -> _Supply:
    use = a.capacity * a.utilisation * a.electricity_intensity  # kWh/yr
    age = np.arange(SCHEDULE.operating_years)[:, None]
    pv_kwh = a.pv_share * use * (1.0 - a.pv_degradation) ** age  # (L, N)
    ppa_kwh = a.ppa_share * use
    green_kwh = pv_kwh + ppa_kwh
    first = np.maximum(green_kwh[0], np.finfo(float).tiny)
    with np.errstate(invalid="ignore", divide="ignore"):
        ppa_cost = np.where(green_kwh > 0.0, a.ppa_price * ppa_kwh / green_kwh, 0.0)
    premium = a.premium_coverage * a.premium_per_tco2e * a.grid_factor * green_kwh
    return _Supply(pv_watts=a.pv_share * use / a.full_load_hours * _W_PER_KW, capacity=first,
                   utilisation=(green_kwh / first).T, ppa_cost=ppa_cost.T, premium=premium.T)


def green_inputs(a: GreenArrays, finance: FinancingTerms, start_year: int, power_path: int,
                 carbon_path: int, supply: _Supply | None = None) -> ProjectInputs:
    """The increment started in ``start_year`` under the given path indices (0 low .. 2 high)."""
    if start_year not in START_YEARS:
        raise OutOfBoundsError(f"start year {start_year} is outside the paths",
                               item="start_year", allowed=f"{START_YEARS[0]}-{START_YEARS[-1]}")
    s = _supply(a) if supply is None else supply
    first = PATH_YEARS.index(start_year + 1)
    years = slice(first, first + SCHEDULE.operating_years)
    capital = s.pv_watts * a.pv_capex * (1.0 + a.pv_capex_trend) ** (
        start_year - CAPEX_BASE_YEAR)
    return project_inputs(
        SCHEDULE, capital=capital, capacity=s.capacity, utilisation=s.utilisation,
        price=a.power_price[power_path][:, years], variable_cost=s.ppa_cost,
        fixed_cost=(a.pv_om_share * capital)[:, None], other_income=s.premium,
        carbon_intensity=-a.grid_factor * a.carbon_priced_share,
        carbon_price=a.carbon_price[carbon_path][:, years], **finance.project_fields())


def green_window(a: GreenArrays, finance: FinancingTerms) -> np.ndarray:
    """NPV at the start year for every start year and path pair, ``(N, S, P, C)``.

    ``S`` = :data:`START_YEARS`, ``P`` power-price paths and ``C`` carbon-price paths in
    :data:`PATHS` order. The loop runs over the 99 combinations, never over samples.
    """
    supply = _supply(a)
    grid = [[[project_npv(green_inputs(a, finance, s, p, c, supply), SCHEDULE)
              for c in range(len(PATHS))] for p in range(len(PATHS))] for s in START_YEARS]
    return np.moveaxis(np.asarray(grid), -1, 0)


def best_start_year(window: np.ndarray, discount_rate: np.ndarray) -> np.ndarray:
    """The start year whose NPV, valued in the first start year, is highest, ``(N, P, C)``.

    ``window`` is :func:`green_window`'s NPV at each start year; discounting it back to
    :data:`START_YEARS` ``[0]`` compares starting now with waiting (cheaper PV, dearer carbon).
    """
    wait = np.arange(len(START_YEARS), dtype=float)
    rate = np.asarray(discount_rate, dtype=float).reshape(-1, 1, 1, 1)
    today = window / (1.0 + rate) ** wait[:, None, None]
    return np.asarray(START_YEARS, dtype=float)[np.argmax(today, axis=1)]


def green_case(a: GreenArrays, finance: FinancingTerms, start_year: int = START_YEARS[0],
               path: str = "central") -> tuple[ProjectMetrics, CashFlowTable]:
    """Metrics and table of one start year, the same named path for power and carbon prices."""
    index = PATHS.index(path)
    table = build_cash_flow_table(green_inputs(a, finance, start_year, index, index), SCHEDULE)
    return project_metrics(table), table


# --- the report's example ----------------------------------------------------------------------

@dataclass(frozen=True)
class PvExample:
    """A green-power example as a report states it."""

    capacity_w: float
    generation_kwh: float
    locked_price: float
    """CNY/kWh."""
    discount_to_local: float
    """How far the locked price is below the local average, as a share of the average."""
    capital: float
    carbon_price: float
    stated_payback: float
    source: Citation


REPORT_PV_EXAMPLE = PvExample(
    capacity_w=200e6, generation_kwh=2.4e8, locked_price=0.38, discount_to_local=0.32,
    capital=1.2e8, carbon_price=60.0, stated_payback=3.7,
    source=Citation(document="seed-004", section="2.3",
                    note="Huayou Qinzhou: 200 MW PV + storage, 2.4 亿 kWh/yr (40 % of use), "
                         "0.38 元/kWh, 32 % below the local average, capex +1.2 亿元, payback "
                         "3.7 years at 60 元/t CO2 and a green premium of 1 万元/t"))
"""Report 2.3's Qinzhou example."""


def report_pv_example(example: PvExample = REPORT_PV_EXAMPLE,
                      pv_capex_per_w: float = 3.0) -> dict[str, float]:
    """Recompute the report's PV example from its own inputs (simple payback, before tax).

    The grid factor is China's 2024 average from the shipped Ember table (the report gives
    none). ``pv_capex_per_w`` is the capital cost used for the comparison (our assumption).

    Returns
    -------
    dict
        ``local_price`` (CNY/kWh), ``power_saving`` and ``carbon_value`` (CNY/yr),
        ``payback`` (yr, at the report's capital), ``capex_per_w`` implied by the report,
        ``full_load_hours``, ``payback_at_capex`` (yr, at ``pv_capex_per_w``) and
        ``stated_payback``.
    """
    factor = load_table("grid_emission_factors").value(
        "value", region_code="CHN", factor_kind="average",
        document="ember-yearly-electricity-co2js") / _GRAMS_PER_TONNE
    local = example.locked_price / (1.0 - example.discount_to_local)
    saving = example.generation_kwh * (local - example.locked_price)
    carbon = example.generation_kwh * factor * example.carbon_price
    return {
        "local_price": local, "power_saving": saving, "carbon_value": carbon,
        "payback": example.capital / (saving + carbon),
        "capex_per_w": example.capital / example.capacity_w,
        "full_load_hours": example.generation_kwh / (example.capacity_w / _W_PER_KW),
        "payback_at_capex": pv_capex_per_w * example.capacity_w / (saving + carbon),
        "stated_payback": example.stated_payback,
    }
