"""``valueloop claims``: recompute the figures a document states and say where they disagree."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.common import JsonOption
from valueloop.cli.output import console, emit
from valueloop.core.claims import check_claims
from valueloop.core.scenario import load_scenario
from valueloop.core.tables import write_csv, write_xlsx

app = typer.Typer(help="Check stated figures against their computation.", no_args_is_help=True)


@app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="Claims TOML file.")],
    scenario: Annotated[str | None, typer.Option(
        "--scenario", help="Use this scenario instead of the one the claims file names.")] = None,
    override: Annotated[str | None, typer.Option("--override", "-o")] = None,
    csv: Annotated[Path | None, typer.Option(
        "--csv", help="CSV to write (claim_id, section, quantity, stated, computed, unit, "
                      "rel_diff, verdict).")] = None,
    xlsx: Annotated[Path | None, typer.Option(
        "--xlsx", help="Workbook to write, with formulas and notes.")] = None,
    as_json: JsonOption = False,
    fail_on_disagreement: Annotated[bool, typer.Option(
        "--fail-on-disagreement", help="Exit 1 when any claim disagrees.")] = False,
) -> None:
    """Print stated, computed, relative difference and verdict for every claim in FILE."""
    chosen = load_scenario(scenario, override=override) if scenario else None
    report = check_claims(file, scenario=chosen, override=None if chosen else override)
    emit([report.table()], as_json=as_json)
    if csv is not None:
        write_csv(report.table(), csv)
    if xlsx is not None:
        write_xlsx([report.table(), report.detail_table()], xlsx)
    if not as_json:
        console.print(f"{len(report.results)} claims: {report.n_agrees} agree, "
                      f"{report.n_within_rounding} agree within rounding, "
                      f"{report.n_disagrees} disagree")
    if fail_on_disagreement and report.n_disagrees:
        raise typer.Exit(1)
