"""What ``valueloop cost`` computes and shows: route economics of cobalt hydroxide.

One call (:func:`run_cost`) evaluates the process-route scenario at its baseline and, when asked,
runs an uncertainty study through the engine; pure functions then turn the run into
:class:`~valueloop.core.tables.Table` objects (life-cycle cost and its shares, break-even and
plant NPV, P10/P50/P90 bands, scale effects, the cobalt balance) and SVG charts. Per-tonne
figures are per t of contained cobalt unless a column says "per t of product".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from valueloop.core.errors import OptionError
from valueloop.core.model import ModelDefinition
from valueloop.core.sampling import baseline_inputs
from valueloop.core.scenario import Scenario, load_scenario
from valueloop.core.study import Progress, StudyResult, run_study
from valueloop.core.tables import Table
from valueloop.models.process_route_definitions import (
    COBALT_FLOWS,
    COST_COMPONENTS,
    SCALE_CAPACITIES,
    YEARS,
)
from valueloop.models.process_routes import (
    BreakevenStatus,
    fit_scale_exponent,
    scale_table_comparison,
)
from valueloop.models.registry import get_model
from valueloop.reports import economics_charts as charts

DEFAULT_SCENARIO = "valueloop:cobalt-process-routes"
MODEL = "cobalt-process-routes"
BANDED = ("full_cost", "cash_cost", "footprint", "carbon_cost", "npv", "breakeven_price")
"""Outputs kept for every sample of the study (the rest are dropped chunk by chunk)."""
_STATUS_TEXT = {BreakevenStatus.FEASIBLE: "within capacity",
                BreakevenStatus.ABOVE_CAPACITY: "above capacity",
                BreakevenStatus.NO_MARGIN: "price <= variable cost"}


@dataclass(frozen=True)
class CostRun:
    """The baseline (N = 1) and, if sampled, the study of the process-route scenario."""

    scenario: Scenario
    model: ModelDefinition
    routes: tuple[str, ...]
    """Route ids shown, in the model's order."""
    baseline: dict[str, np.ndarray]
    study: StudyResult | None

    def index(self, route: str) -> int:
        return self.model.axis_labels["route"].index(route)  # type: ignore[index]

    def value(self, output: str, route: str) -> np.ndarray:
        """Baseline of one output for one route (the route axis dropped)."""
        return self.baseline[output][0, self.index(route)]


def run_cost(scenario: str | Path = DEFAULT_SCENARIO, *, override: str | None = None,
             samples: int = 2_000, seed: int = 0, routes: Sequence[str] = (),
             progress: Progress | None = None) -> CostRun:
    """Evaluate the process routes at baseline and, if ``samples > 0``, over samples."""
    if samples < 0:
        raise OptionError(f"is {samples}", item="--samples", allowed="0 (baseline only) or more")
    model = get_model(MODEL)
    resolved = load_scenario(scenario, model=model, override=override)
    known = tuple(model.axis_labels["route"])  # type: ignore[index]
    unknown = [r for r in routes if r not in known]
    if unknown:
        raise OptionError(f"unknown route {', '.join(unknown)}", item="--route",
                          allowed=", ".join(known))
    shown = tuple(r for r in known if not routes or r in routes)
    baseline = model(baseline_inputs(resolved), 1)
    study = (run_study(model, resolved, samples, seed=seed, keep=BANDED, progress=progress)
             if samples else None)
    return CostRun(resolved, model, shown, baseline, study)


# --- tables -------------------------------------------------------------------------------------

def breakdown_table(run: CostRun) -> Table:
    """Life-cycle cost per t Co, eight components that add up to the full cost."""
    columns = ("route", *COST_COMPONENTS, "full_cost", "cash_cost")
    rows = tuple(
        (route, *(float(v) for v in run.value("cost_breakdown", route)),
         float(run.value("full_cost", route)), float(run.value("cash_cost", route)))
        for route in run.routes)
    return Table("Life-cycle cost per t of contained cobalt, baseline", columns, rows,
                 units={c: "CNY/t" for c in columns[1:]},
                 notes=("Components add up to the full cost by construction; the cash cost "
                        "leaves out depreciation and financing.",))


def shares_table(run: CostRun) -> Table:
    """The same breakdown as percentages of the full cost (they sum to 100)."""
    columns = ("route", *COST_COMPONENTS, "total")
    rows = []
    for route in run.routes:
        shares = 100.0 * run.value("cost_shares", route)
        rows.append((route, *(float(s) for s in shares), float(np.sum(shares))))
    return Table("Cost shares of the full cost, baseline", columns, tuple(rows),
                 units={c: "%" for c in columns[1:]})


def breakeven_table(run: CostRun) -> Table:
    """Break-even utilisation and price in closed form, margins, plant NPV and paybacks."""
    columns = ("route", "variable_cost", "fixed_cost", "breakeven_utilisation", "breakeven",
               "breakeven_price", "unit_margin", "margin", "npv", "payback",
               "discounted_payback")
    price = float(run.scenario.parameters["cobalt.process.product_price"].value)
    rows = []
    for route in run.routes:
        status = BreakevenStatus(int(run.value("breakeven_status", route)))
        u_star = float(run.value("breakeven_utilisation", route))
        rows.append((
            route, float(run.value("variable_cost", route)) / 1e4,
            float(run.value("fixed_cost", route)) / 1e8,
            100.0 * u_star if np.isfinite(u_star) else None, _STATUS_TEXT[status],
            float(run.value("breakeven_price", route)) / 1e4,
            float(run.value("unit_margin", route)) / 1e4,
            float(run.value("margin", route)) / 1e8, float(run.value("npv", route)) / 1e8,
            _finite(run.value("payback", route)),
            _finite(run.value("discounted_payback", route))))
    rate = float(run.baseline["discount_rate"].reshape(-1)[0])
    return Table(
        "Break-even (u* = F / (Q (P - v)), P* = v + F / (u Q)), margin and plant NPV, baseline",
        columns, tuple(rows),
        units={"variable_cost": "wan_CNY/t", "fixed_cost": "yi_CNY/yr",
               "breakeven_utilisation": "%", "breakeven_price": "wan_CNY/t",
               "unit_margin": "wan_CNY/t", "margin": "yi_CNY/yr", "npv": "yi_CNY",
               "payback": "yr", "discounted_payback": "yr"},
        notes=(f"At a cobalt price of {price / 1e4:,.2f} wan CNY per t Co. NPV at a real "
               f"after-tax WACC of {100 * rate:.2f} %, from the start of "
               "construction; payback is empty where the plant never pays back.",
               "Per t of contained cobalt; v and F as in report 2.2."))


def bands_table(run: CostRun) -> Table:
    """P10, P50 and P90 of the headline outputs per route (empty without a study)."""
    units = {"full_cost": "CNY/t", "cash_cost": "CNY/t", "footprint": "tCO2e/t",
             "carbon_cost": "CNY/t", "npv": "CNY", "breakeven_price": "CNY/t"}
    rows = []
    if run.study is not None:
        for output in BANDED:
            p10, p50, p90 = run.study.quantiles(output)
            for route in run.routes:
                i = run.index(route)
                rows.append((route, output, units[output], float(p10[i]), float(p50[i]),
                             float(p90[i]), float(run.value(output, route))))
    n = run.study.n if run.study is not None else 0
    return Table(f"Uncertainty bands over {n:,} samples", ("route", "output", "unit", "p10",
                                                             "p50", "p90", "baseline"),
                 tuple(rows), notes=("Run with --samples N > 0 for bands.",) if not n else ())


def scale_table(run: CostRun) -> Table:
    """Full cost of each route at the report's capacity classes, and the 2.3 management-cost
    table against the scale law fitted to it."""
    columns = ("route", *(f"{c:,} t/yr" for c in SCALE_CAPACITIES))
    rows = tuple((route, *(float(v) for v in run.value("full_cost_by_scale", route)))
                 for route in run.routes)
    return Table("Full cost per t Co by plant capacity (scale law C = C0 (R/R0)^p)", columns,
                 rows, units={c: "CNY/t" for c in columns[1:]})


def scale_fit_table() -> Table:
    """The report's 2.3 management cost by capacity class against the fitted scale law."""
    capacities = np.array(SCALE_CAPACITIES[::-1], dtype=float)
    stated, _ = scale_table_comparison(0.6)
    exponent = fit_scale_exponent(capacities, stated)
    _, fitted = scale_table_comparison(exponent)
    _, six_tenths = scale_table_comparison(0.6)
    rows = tuple((f"{int(c):,}", float(s), float(f), float(t))
                 for c, s, f, t in zip(capacities, stated, fitted, six_tenths, strict=True))
    return Table(f"Report 2.3 management cost by capacity: stated, fitted law (p = {exponent:.2f})"
                 " and six-tenths rule", ("capacity", "stated", "fitted", "six_tenths"), rows,
                 units={"capacity": "t/yr", "stated": "CNY/t", "fitted": "CNY/t",
                        "six_tenths": "CNY/t"})


def balance_table(run: CostRun) -> Table:
    """Cobalt flows per t of product and the residual (zero when the balance closes)."""
    columns = ("route", *COBALT_FLOWS, "residual", "feed_per_product")
    rows = tuple((route, *(float(v) for v in run.value("cobalt_balance", route)),
                  float(run.value("cobalt_mass_balance_residual", route)),
                  float(run.value("feed_per_product", route))) for route in run.routes)
    return Table("Cobalt balance per t of product (t Co; feed in, product and losses out)",
                 columns, rows)


def margin_path_table(run: CostRun) -> Table:
    """Margin per year under the scenario's price path."""
    rows = tuple((route, *(float(v) for v in run.value("annual_margin", route)))
                 for route in run.routes)
    return Table("Margin per year under the price path, baseline",
                 ("route", *(str(y) for y in YEARS)), rows,
                 units={str(y): "CNY/yr" for y in YEARS})


def cost_tables(run: CostRun) -> list[Table]:
    return [breakdown_table(run), shares_table(run), breakeven_table(run), bands_table(run),
            scale_table(run), scale_fit_table(), margin_path_table(run), balance_table(run)]


# --- charts -------------------------------------------------------------------------------------

def cost_charts(run: CostRun) -> dict[str, str]:
    """SVG charts by name: ``breakdown``, ``scale`` and ``margin``."""
    breakdown = np.array([run.value("cost_breakdown", r) for r in run.routes]) / 1e4
    scale = {r: run.value("full_cost_by_scale", r) / 1e4 for r in run.routes}
    margin = {r: run.value("annual_margin", r) / 1e8 for r in run.routes}
    return {
        "breakdown": charts.stacked_bars(
            run.routes, COST_COMPONENTS, breakdown, "wan CNY per t Co",
            "Life-cycle cost by route", totals=breakdown.sum(axis=1)),
        "scale": charts.lines(SCALE_CAPACITIES, scale, "plant capacity, t/yr",
                              "wan CNY per t Co", "Full cost against plant capacity"),
        "margin": charts.lines(YEARS, margin, "year", "yi CNY per year",
                               "Plant margin under the price path", zero_line=True),
    }


def _finite(value: np.ndarray | float) -> float | None:
    number = float(value)
    return number if np.isfinite(number) else None
