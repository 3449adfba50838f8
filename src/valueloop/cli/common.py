"""Options and commands shared by several command groups."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.output import emit
from valueloop.core.db import Database
from valueloop.core.errors import OptionError
from valueloop.core.provenance import documents_table, shipped_citations
from valueloop.log.store import EventLog

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of tables.")]
CsvOption = Annotated[Path | None, typer.Option("--csv", help="Also write the table(s) as CSV.")]
XlsxOption = Annotated[Path | None, typer.Option("--xlsx", help="Also write an Excel workbook.")]
DbOption = Annotated[str | None, typer.Option(
    "--db", help="Database URL or SQLite file (default: $VALUELOOP_DB or ./valueloop.db).")]
OriginOption = Annotated[str | None, typer.Option(
    "--origin", help="Which log, when the database holds several.")]
CHART_SUFFIX = ".svg"


def chart_paths(chart: Path, names: Sequence[str]) -> dict[str, Path]:
    """``FILE.svg`` becomes one ``FILE-<name>.svg`` per chart, in the same folder.

    Checked before any work is done, so a bad name fails fast and writes nothing.
    """
    if chart.suffix.lower() != CHART_SUFFIX:
        raise OptionError(f"cannot write the charts as {chart.suffix or 'a file without suffix'}",
                          item="--chart", allowed="a file name ending in .svg")
    return {name: chart.with_name(f"{chart.stem}-{name}{CHART_SUFFIX}") for name in names}


def sources_command(
    documents: Annotated[bool, typer.Option("--documents",
                                            help="List the cited documents instead.")] = False,
    tables: Annotated[bool, typer.Option(
        "--tables", help="List the sources of every row of the shipped data tables.")] = False,
    as_json: JsonOption = False,
    csv: CsvOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """List where every shipped number comes from (document and section, or our assumption)."""
    if tables:
        from valueloop.core.datatables import table_citations

        table = table_citations()
    else:
        table = documents_table() if documents else shipped_citations()
    emit([table], as_json=as_json, csv_path=csv, xlsx_path=xlsx,
         max_rows=None if as_json or csv or xlsx else 200)


def open_log(db: str | None, origin: str | None) -> tuple[Database, EventLog]:
    """The database and its event log; the database is closed again if the log is missing."""
    database = Database.open(db)
    try:
        return database, EventLog.find(database, origin)
    except BaseException:
        database.close()
        raise
