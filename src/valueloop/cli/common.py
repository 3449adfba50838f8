"""Options and commands shared by several command groups."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.output import emit
from valueloop.core.provenance import documents_table, shipped_citations

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of tables.")]
CsvOption = Annotated[Path | None, typer.Option("--csv", help="Also write the table(s) as CSV.")]
XlsxOption = Annotated[Path | None, typer.Option("--xlsx", help="Also write an Excel workbook.")]


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
