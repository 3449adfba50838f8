"""``valueloop cost``: life-cycle cost, break-even, plant NPV and scale of the process routes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.common import CsvOption, JsonOption, XlsxOption, chart_paths
from valueloop.cli.output import console, emit
from valueloop.cli.progress import progress_bar
from valueloop.core.tables import write_text
from valueloop.reports.cost_tables import DEFAULT_SCENARIO, cost_charts, cost_tables, run_cost


def cost_command(
    scenario: Annotated[str, typer.Option("--scenario", help="Scenario file or valueloop:NAME."
                                          )] = DEFAULT_SCENARIO,
    override: Annotated[str | None, typer.Option("--override", "-o",
                                                 help="Named override of the scenario.")] = None,
    samples: Annotated[int, typer.Option("--samples", "-n",
                                         help="Monte Carlo samples for the bands (0: baseline "
                                              "only).")] = 2_000,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    route: Annotated[list[str] | None, typer.Option(
        "--route", help="Show only this route (repeat for several).")] = None,
    chart: Annotated[Path | None, typer.Option(
        "--chart", help="Write the charts next to this .svg name: FILE-breakdown.svg, "
                        "FILE-scale.svg and FILE-margin.svg."
    )] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the whole economics report (report.html in English and Chinese, "
                      "results.xlsx, claims.csv, summary.json) into this folder.")] = None,
    as_json: JsonOption = False,
    csv: CsvOption = None,
    xlsx: XlsxOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Cost of cobalt hydroxide by process route: breakdown, break-even, NPV, bands, scale.

    Hydrometallurgy, pyrometallurgy, bioleaching and battery recycling (report 2.1-2.3), per t
    of contained cobalt, from the scenario cobalt-process-routes; every input is sourced (see
    `valueloop scenario show valueloop:cobalt-process-routes`).
    """
    if out is not None:
        from valueloop.reports.cobalt_economics import run_cobalt_economics

        with progress_bar(f"cobalt economics: {samples:,} samples",
                          enabled=not quiet and not as_json) as progress:
            result = run_cobalt_economics(out, scenario=scenario, override=override,
                                          samples=samples, seed=seed, progress=progress)
        console.print("wrote " + ", ".join(str(p) for p in result.files))
        return
    names = ["breakdown", "scale", "margin"]
    paths = chart_paths(chart, names) if chart is not None else {}
    with progress_bar(f"route costs: {samples:,} samples",
                      enabled=not quiet and not as_json and samples > 0) as progress:
        run = run_cost(scenario, override=override, samples=samples, seed=seed,
                       routes=tuple(route or ()), progress=progress)
    emit(cost_tables(run), as_json=as_json, csv_path=csv, xlsx_path=xlsx)
    if paths:
        svgs = cost_charts(run)
        for name, path in paths.items():
            write_text(path, svgs[name])
        if not as_json:
            console.print("wrote " + ", ".join(str(p) for p in paths.values()))
