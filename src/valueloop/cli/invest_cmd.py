"""``valueloop invest``: the chapter-6 investment cases as tables, charts and files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.common import CsvOption, JsonOption, XlsxOption, chart_paths
from valueloop.cli.output import console, emit
from valueloop.cli.progress import progress_bar
from valueloop.core.errors import OptionError
from valueloop.core.tables import write_text
from valueloop.reports.investment_tables import (
    CASE_GROUPS,
    DEFAULT_SCENARIO,
    cash_flow_case,
    chart_names,
    investment_charts,
    investment_tables,
    run_investment,
    select_cases,
)


def invest_command(
    scenario: Annotated[str, typer.Option(
        "--scenario", help="Scenario file or valueloop:NAME (model cobalt-investment).")
    ] = DEFAULT_SCENARIO,
    override: Annotated[str | None, typer.Option(
        "--override", "-o", help="Named override, e.g. ccc-borrower or co-investment.")] = None,
    samples: Annotated[int, typer.Option("--samples", "-n",
                                         help="Monte Carlo samples for the bands.")] = 2_000,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    case: Annotated[str, typer.Option(
        "--case", help=f"Cases to show: {', '.join(CASE_GROUPS)} (recycling: with and "
                       "without public support).")] = "all",
    cash_flow: Annotated[str | None, typer.Option(
        "--cash-flow", metavar="CASE",
        help="Case whose yearly cash flows and NPV tornado are shown (default: the first "
             "case shown).")] = None,
    chart: Annotated[Path | None, typer.Option(
        "--chart", metavar="FILE.svg",
        help="Write the charts as SVG next to each other: FILE-npv.svg (NPV bands per case), "
             "FILE-window.svg (6.2 green-power NPV by start year; with green_power), "
             "FILE-cash_flow.svg (cumulative cash flow) and FILE-tornado.svg (NPV of the "
             "--cash-flow case). --case restricts them.")] = None,
    as_json: JsonOption = False,
    csv: CsvOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """Chapter-6 investment cases: NPV, IRR, payback, risk thresholds, green-power window,
    recycling public cost, ESG financing, cash flows."""
    cases = select_cases(case)
    shown = cash_flow_case(cash_flow) if cash_flow is not None else cases[0]
    if samples < 1:
        raise OptionError(f"{samples} samples", item="--samples", allowed="an integer >= 1")
    paths = chart_paths(chart, chart_names(cases)) if chart is not None else {}
    with progress_bar(f"investment cases: {samples:,} samples",
                      enabled=not as_json) as progress:
        run = run_investment(scenario, override=override, samples=samples, seed=seed,
                             progress=progress)
    emit(investment_tables(run, cases, shown), as_json=as_json, csv_path=csv, xlsx_path=xlsx)
    if paths:
        for name, svg in investment_charts(run, cases, shown).items():
            write_text(paths[name], svg)
        if not as_json:
            console.print("wrote " + ", ".join(str(p) for p in paths.values()))
