"""``valueloop locate``: where cobalt hydroxide should be made (report 1.3), tables and charts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.common import CsvOption, JsonOption, XlsxOption, chart_paths
from valueloop.cli.output import console, emit
from valueloop.core.tables import write_text
from valueloop.reports.location_tables import (
    locate_report,
    location_chart_names,
    location_charts,
    location_tables,
)


def locate_command(
    carbon_price: Annotated[float | None, typer.Option(
        "--carbon-price", metavar="P",
        help="Carbon price in CNY/tCO2e (default: the instance's 60, report 2.2).")] = None,
    sweep: Annotated[str | None, typer.Option(
        "--sweep", metavar="START:STOP:STEP",
        help="Also solve at each carbon price of START:STOP:STEP (stop included), e.g. "
             "0:300:25.")] = None,
    max_sites: Annotated[int | None, typer.Option(
        "--max-sites", metavar="K", help="At most K sites open in the optimum.")] = None,
    chart: Annotated[Path | None, typer.Option(
        "--chart", metavar="FILE.svg",
        help="Write the charts as SVG next to each other: FILE-breakdown.svg (cost per t, "
             "today and optimum) and, with --sweep, FILE-sweep_cost.svg and "
             "FILE-sweep_emissions.svg.")] = None,
    as_json: JsonOption = False,
    csv: CsvOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """Today's hydroxide layout against the least-cost one (MILP), and how it moves with the
    carbon price."""
    paths = (chart_paths(chart, location_chart_names(sweep is not None)) if chart is not None
             else {})
    report = locate_report(carbon_price, sweep, max_sites)
    emit(location_tables(report), as_json=as_json, csv_path=csv, xlsx_path=xlsx)
    if paths:
        for name, svg in location_charts(report).items():
            write_text(paths[name], svg)
        if not as_json:
            console.print("wrote " + ", ".join(str(p) for p in paths.values()))
