"""The tables and charts of ``valueloop locate``: today's hydroxide layout against the optimum.

The model (:mod:`valueloop.models.location`) already returns its results as
:class:`~valueloop.core.tables.Table` objects; this module adds the option of capping the
number of open sites, a note on the sweep when the layout does not move, and the charts.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np

from valueloop.core.errors import OptionError
from valueloop.core.tables import Table
from valueloop.models.location import (
    COMPONENTS,
    CarbonSweep,
    InfeasibleLocationError,
    LocateReport,
    carbon_price_sweep,
    compare_layouts,
    locate,
    parse_sweep,
)
from valueloop.models.location_data import build_instance
from valueloop.reports.economics_charts import lines, stacked_bars


def locate_report(carbon_price: float | None = None, sweep: str | Sequence[float] | None = None,
                  max_sites: int | None = None) -> LocateReport:
    """:func:`~valueloop.models.location.locate` with an optional cap on the open sites.

    Parameters
    ----------
    carbon_price
        CNY/tCO2e; the instance's when None.
    sweep
        Carbon prices, or ``"start:stop:step"``.
    max_sites
        At most this many sites open in the optimum (today's layout is what it is).

    Raises
    ------
    OptionError
        For a malformed sweep, a negative carbon price or ``max_sites`` < 1.
    InfeasibleLocationError
        If ``max_sites`` sites cannot serve the demand (named ``--max-sites``).
    """
    if max_sites is None:
        return locate(carbon_price, sweep)
    if max_sites < 1:
        raise OptionError(f"{max_sites} sites", item="--max-sites", allowed="an integer >= 1")
    prices = parse_sweep(sweep) if isinstance(sweep, str) else sweep
    instance = build_instance()
    if carbon_price is not None:
        if not math.isfinite(carbon_price) or carbon_price < 0.0:
            raise OptionError(f"{carbon_price!r} is not a price", item="--carbon-price",
                              allowed="a finite number >= 0 (CNY/tCO2e)")
        instance = instance.with_carbon_price(carbon_price)
    try:
        comparison = compare_layouts(instance, max_sites=max_sites)
        swept = None if prices is None else carbon_price_sweep(instance, prices,
                                                               max_sites=max_sites)
    except InfeasibleLocationError as exc:
        exc.item = f"--max-sites {max_sites}"
        exc.args = (exc.render(),)
        raise
    return LocateReport(instance, comparison, swept)


def sweep_table(sweep: CarbonSweep) -> Table:
    """The sweep's table, with a note also when the optimal layout never moves."""
    table = sweep.table()
    if sweep.moves():
        return table
    sites = " ".join(sweep.optima[0].open_sites) or "-"
    note = (f"the optimal open sites are the same at every carbon price from "
            f"{sweep.prices[0]:g} to {sweep.prices[-1]:g} CNY/tCO2e: {sites}")
    return dataclasses.replace(table, notes=(*table.notes, note))


def location_tables(report: LocateReport) -> tuple[Table, ...]:
    """Sites, cost per t (today and optimum), optimal flows, and the sweep when there is one."""
    tables = [report.sites_table(), report.breakdown_table(), report.flows_table()]
    if report.sweep is not None:
        tables.append(sweep_table(report.sweep))
    return tuple(tables)


def location_chart_names(swept: bool) -> tuple[str, ...]:
    """The names :func:`location_charts` returns, in order, with or without a sweep."""
    return ("breakdown", *(("sweep_cost", "sweep_emissions") if swept else ()))


def location_charts(report: LocateReport) -> dict[str, str]:
    """SVG charts by name: ``breakdown`` (cost per t, today and optimum) and, with a sweep,
    ``sweep_cost`` and ``sweep_emissions`` against the carbon price."""
    comparison = report.comparison
    layouts = (comparison.today, comparison.optimum)
    parts = np.array([[layout.breakdown_per_t()[c] for c in COMPONENTS] for layout in layouts])
    price = report.instance.carbon_price
    charts = {"breakdown": stacked_bars(
        ("today", "optimum"), COMPONENTS, parts, "CNY per t of hydroxide",
        f"Cost per t delivered at {price:g} CNY/tCO2e",
        totals=[layout.cost_per_t for layout in layouts])}
    sweep = report.sweep
    if sweep is not None:
        prices = np.asarray(sweep.prices)
        moves = ", ".join(f"{p:g}" for p, _, _ in sweep.moves())
        moved = (f"the optimal layout moves at {moves} CNY/tCO2e" if moves
                 else "the optimal layout does not move")
        charts["sweep_cost"] = lines(
            prices, {"optimum": [o.cost_per_t for o in sweep.optima],
                     "today": [t.cost_per_t for t in sweep.today]},
            "carbon price, CNY/tCO2e", "CNY per t", f"Cost per t delivered; {moved}")
        charts["sweep_emissions"] = lines(
            prices, {"optimum": [o.emissions_per_t for o in sweep.optima],
                     "today": [t.emissions_per_t for t in sweep.today]},
            "carbon price, CNY/tCO2e", "tCO2e per t", "Emissions per t delivered")
    return charts
