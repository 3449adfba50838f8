"""``valueloop outlook``: the analysis jobs that write a folder of results."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.common import CsvOption, JsonOption, XlsxOption
from valueloop.cli.output import console, emit, show_table
from valueloop.cli.progress import progress_bar
from valueloop.cli.study_cmd import MethodOption, SchedulerOption, parse_method
from valueloop.reports.cobalt_outlook import DEFAULT_SCENARIO, run_cobalt_outlook

app = typer.Typer(help="Outlook studies that write a folder of results.", no_args_is_help=True)


@app.command("cobalt")
def cobalt(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the results into.")],
    scenario: Annotated[str, typer.Option("--scenario", help="Scenario file or valueloop:NAME."
                                          )] = DEFAULT_SCENARIO,
    override: Annotated[str | None, typer.Option("--override", "-o")] = None,
    samples: Annotated[int, typer.Option("--samples", "-n")] = 10_000,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    method: MethodOption = "mc",
    scheduler: SchedulerOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """China cobalt outlook 2020-2035: bands, drivers, stress tests, claims, report.html."""
    with progress_bar(f"cobalt outlook: {samples:,} samples", enabled=not quiet) as progress:
        result = run_cobalt_outlook(out, scenario_file=scenario, override=override,
                                    samples=samples, seed=seed, method=parse_method(method),
                                    scheduler=scheduler, progress=progress)
    for report in result.claims:
        show_table(report.table())
    console.print(f"{result.study.n:,} samples in {result.study.seconds:.2f} s; wrote "
                  + ", ".join(str(p) for p in result.files))


@app.command("backtest")
def backtest(
    start: Annotated[int, typer.Option("--start", help="Year the forecast is made in.")] = 2020,
    samples: Annotated[int, typer.Option("--samples", "-n")] = 2_000,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    as_json: JsonOption = False,
    csv: CsvOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """Forecast from an earlier year with what was known then; score against the actuals."""
    from valueloop.models.backtest import run_backtest

    result = run_backtest(start, samples=samples, seed=seed)
    emit([result.scores, result.detail], as_json=as_json, csv_path=csv, xlsx_path=xlsx)
