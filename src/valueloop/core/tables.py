"""Result tables and writing them safely: CSV, Excel and JSON, never half-written.

Every file is written to a temporary name in the target folder and renamed into place, so a
reader (or a crash) never sees a partial file.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import math
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from valueloop.core.errors import OptionError

Cell = str | int | float | bool | None


@contextlib.contextmanager
def atomic_write(path: str | Path, *, binary: bool = False) -> Iterator[IO[Any]]:
    """Open a temporary file next to ``path``; rename it over ``path`` only on success."""
    target = Path(path)
    if target.is_dir():
        raise OptionError("is a folder; a file name is needed here", file=target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                         dir=target.parent)
    try:
        # mkstemp creates the file private (0600); a result file gets the usual permissions.
        os.fchmod(handle, 0o666 & ~_umask())
        mode = "wb" if binary else "w"
        encoding = None if binary else "utf-8"
        newline = None if binary else ""
        with os.fdopen(handle, mode, encoding=encoding, newline=newline) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


@functools.cache
def _umask() -> int:
    # The umask can only be read by setting it; done once, and restored at once.
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_write(path, binary=True) as stream:
        stream.write(data)


def write_text(path: str | Path, text: str) -> None:
    with atomic_write(path) as stream:
        stream.write(text)


@dataclass(frozen=True)
class Table:
    """A titled table of rows; the one shape every command's results take before output."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    units: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @classmethod
    def from_records(cls, title: str, records: Sequence[Mapping[str, Cell]],
                     columns: Sequence[str] | None = None, **kwargs: Any) -> Table:
        names = tuple(columns) if columns is not None else (
            tuple(records[0]) if records else ())
        return cls(title, names, tuple(tuple(r.get(c) for c in names) for r in records),
                   **kwargs)

    def records(self) -> list[dict[str, Cell]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def column(self, name: str) -> list[Cell]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


def table_to_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([_csv_cell(c) for c in row] for row in table.rows)
    return buffer.getvalue()


def _csv_cell(cell: Cell) -> Cell:
    if isinstance(cell, float):
        return "" if math.isnan(cell) else repr(cell)
    return "" if cell is None else cell


def write_csv(table: Table, path: str | Path) -> None:
    write_text(path, table_to_csv(table))


def _json_cell(cell: Cell) -> Cell:
    if isinstance(cell, float) and not math.isfinite(cell):
        return None
    return cell


def tables_to_json(tables: Sequence[Table]) -> str:
    payload = [{"title": t.title, "columns": list(t.columns), "units": dict(t.units),
                "notes": list(t.notes),
                "rows": [{c: _json_cell(v) for c, v in zip(t.columns, row, strict=True)}
                         for row in t.rows]} for t in tables]
    return json.dumps(payload[0] if len(payload) == 1 else payload, ensure_ascii=False, indent=2)


def write_json(data: Any, path: str | Path) -> None:
    write_text(path, json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n")


def sheet_name(title: str, taken: set[str]) -> str:
    """An Excel sheet name (max 31 characters, no []:*?/\\), unique within ``taken``."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in title).strip() or "Sheet"
    name, suffix = cleaned[:31], 2
    while name.lower() in {t.lower() for t in taken}:
        tail = f" ({suffix})"
        name, suffix = cleaned[: 31 - len(tail)] + tail, suffix + 1
    taken.add(name)
    return name


def write_xlsx(tables: Sequence[Table], path: str | Path) -> None:
    """One sheet per table, header in bold, units in a second header row when given."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(sheet_name(table.title, taken))
        sheet.append(list(table.columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        if table.units:
            sheet.append([table.units.get(c, "") for c in table.columns])
            for cell in sheet[2]:
                cell.font = Font(italic=True)
        for row in table.rows:
            sheet.append([_json_cell(c) for c in row])
        for note in table.notes:
            sheet.append([])
            sheet.append([note])
        sheet.freeze_panes = "A3" if table.units else "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    write_bytes(path, buffer.getvalue())
