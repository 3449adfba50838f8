"""Showing and writing result tables from the CLI: rich tables, --json, --csv, --xlsx."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table as RichTable

from valueloop.core.tables import Table, tables_to_json, write_csv, write_xlsx

_PIPED_WIDTH = 160  # rich assumes 80 columns when not on a terminal: too narrow for tables
console = Console(highlight=False)
if not console.is_terminal:
    console = Console(highlight=False, width=_PIPED_WIDTH)
err_console = Console(stderr=True, highlight=False)


def format_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value != 0 and (abs(value) >= 1e7 or abs(value) < 1e-3):
            return f"{value:.4g}"
        return f"{value:,.4f}".rstrip("0").rstrip(".") if abs(value) < 1e4 else f"{value:,.1f}"
    return str(value)


def show_table(table: Table, *, max_rows: int | None = None) -> None:
    rich_table = RichTable(title=table.title, title_justify="left", show_lines=False)
    rows = table.rows if max_rows is None else table.rows[:max_rows]
    for position, column in enumerate(table.columns):
        unit = table.units.get(column)
        cells = [row[position] for row in rows]
        # Numbers and short labels never wrap; long text columns take the remaining width.
        short = all(isinstance(c, int | float) or len(format_cell(c)) <= 24 for c in cells)
        rich_table.add_column(f"{column}\n[dim]{unit}[/dim]" if unit else column,
                              overflow="fold", no_wrap=short,
                              justify="right" if cells and all(
                                  isinstance(c, int | float) for c in cells) else "left")
    for row in rows:
        rich_table.add_row(*(format_cell(c) for c in row))
    console.print(rich_table)
    if max_rows is not None and len(table.rows) > max_rows:
        console.print(f"[dim]... {len(table.rows) - max_rows} more rows "
                      "(use --csv/--xlsx/--json for all)[/dim]")
    for note in table.notes:
        console.print(f"[dim]{note}[/dim]")


def emit(tables: Sequence[Table], *, as_json: bool = False, csv_path: Path | None = None,
         xlsx_path: Path | None = None, max_rows: int | None = None) -> None:
    """Print tables (or JSON on stdout) and write the requested files."""
    if as_json:
        print(tables_to_json(tables))
    else:
        for table in tables:
            show_table(table, max_rows=max_rows)
    write_table_files(tables, csv_path, xlsx_path)


def write_table_files(tables: Sequence[Table], csv_path: Path | None = None,
                      xlsx_path: Path | None = None) -> None:
    """Write ``--csv`` (``FILE``, or ``FILE-<n>.csv`` per table when several) and ``--xlsx``.

    Also for commands that show other tables on screen than they write.
    """
    if csv_path is not None:
        if len(tables) == 1:
            write_csv(tables[0], csv_path)
        else:
            for index, table in enumerate(tables):
                write_csv(table, csv_path.with_name(f"{csv_path.stem}-{index + 1}.csv"))
    if xlsx_path is not None:
        write_xlsx(tables, xlsx_path)
