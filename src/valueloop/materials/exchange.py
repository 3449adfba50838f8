"""Export the whole materials database to CSV or Excel, and import it back.

The export is seven tables keyed by material key and record/property position (never by
database id), so it loads into any other database: ``materials``, ``designations``,
``composition``, ``records``, ``processing``, ``properties``, ``curve_points``. CSV export
writes ``FILE`` (the materials table) and ``FILE-<table>.csv`` beside it; Excel writes one
sheet per table. Every file is written atomically; an import is one transaction.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from valueloop.core.errors import MalformedFileError
from valueloop.core.tables import Cell, Table, write_bytes, write_csv
from valueloop.materials.model import (
    CompositionEntry,
    Curve,
    Designation,
    Material,
    MaterialRecord,
    ProcessingStep,
    PropertyValue,
)
from valueloop.materials.store import MaterialStore

_PROP = ("name", "unit", "value", "value_min", "value_max", "basis", "test_method", "source",
         "source_url", "source_type", "uncertainty", "origin", "notes")
SCHEMA: dict[str, tuple[str, ...]] = {
    "materials": ("material", "name", "kind", "family", "notes"),
    "designations": ("material", "system", "code", "note"),
    "composition": ("material", "element", "min", "max", "nominal", "unit"),
    "records": ("material", "record", "label", "kind", "general", "source"),
    "processing": ("material", "record", "step", "kind", "temperature_k", "time_h",
                   "reduction_pct", "note"),
    "properties": ("material", "record", "property", *_PROP, "curve_axis", "curve_unit"),
    "curve_points": ("material", "record", "property", "point", "x", "y"),
}
_FLOATS = frozenset({"min", "max", "nominal", "temperature_k", "time_h", "reduction_pct",
                     "value", "value_min", "value_max", "uncertainty", "x", "y"})
_INTS = frozenset({"record", "step", "property", "point"})


def to_tables(materials: Sequence[Material]) -> list[Table]:
    """The seven exchange tables of ``materials``."""
    rows: dict[str, list[tuple[Cell, ...]]] = defaultdict(list)
    for m in materials:
        rows["materials"].append((m.key, m.name, m.kind, m.family, m.notes))
        rows["designations"] += [(m.key, d.system, d.code, d.note) for d in m.designations]
        rows["composition"] += [(m.key, c.element, c.min, c.max, c.nominal, c.unit)
                                for c in m.composition]
        for r_index, record in enumerate(m.records):
            rows["records"].append((m.key, r_index, record.label, record.kind, record.general,
                                    record.source))
            rows["processing"] += [(m.key, r_index, i, s.kind, s.temperature_k, s.time_h,
                                    s.reduction_pct, s.note)
                                   for i, s in enumerate(record.processing)]
            for p_index, prop in enumerate(record.properties):
                curve = prop.curve
                rows["properties"].append(
                    (m.key, r_index, p_index, *(getattr(prop, f) for f in _PROP),
                     curve.axis if curve else None, curve.axis_unit if curve else None))
                if curve is not None:
                    rows["curve_points"] += [
                        (m.key, r_index, p_index, i, x, y)
                        for i, (x, y) in enumerate(zip(curve.x, curve.y, strict=True))]
    return [Table(name, columns, tuple(rows[name])) for name, columns in SCHEMA.items()]


def export_csv(store: MaterialStore, path: Path) -> list[Path]:
    """Write every table as CSV (``path`` and ``path-<table>.csv``); returns the files."""
    paths = csv_paths(path)
    for table in to_tables(store.load()):
        write_csv(table, paths[table.title])
    return list(paths.values())


def export_xlsx(store: MaterialStore, path: Path) -> None:
    """Write every table as one sheet of an Excel workbook (atomically)."""
    write_xlsx_text_safe(to_tables(store.load()), path)


def write_xlsx_text_safe(tables: Sequence[Table], path: Path) -> None:
    """Like :func:`valueloop.core.tables.write_xlsx`, but text is always stored as text.

    openpyxl stores a string starting with ``=`` as a formula, which reads back empty (a
    source note such as ``= 22.4 %IACS`` would be lost), so such cells are typed as strings.
    """
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(table.title)
        sheet.append(list(table.columns))
        for row in table.rows:
            sheet.append(list(row))
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    write_bytes(path, buffer.getvalue())


def csv_paths(path: Path) -> dict[str, Path]:
    """The CSV file of each exchange table: ``path`` for ``materials``, siblings otherwise."""
    return {name: path if name == "materials" else path.with_name(f"{path.stem}-{name}.csv")
            for name in SCHEMA}


def read_csv(path: Path) -> list[Material]:
    """Materials from CSV files written by :func:`export_csv`."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for name, file in csv_paths(path).items():
        try:
            with file.open(encoding="utf-8", newline="") as stream:
                reader = csv.DictReader(stream)
                _check_header(name, reader.fieldnames or (), file)
                tables[name] = [_typed(row, file, line) for line, row in
                                enumerate(reader, start=2)]
        except OSError as exc:
            raise MalformedFileError(f"cannot read the {name} table ({exc.strerror})",
                                     file=file) from None
    return from_tables(tables, path)


def read_xlsx(path: Path) -> list[Material]:
    """Materials from an Excel workbook written by :func:`export_xlsx`."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise MalformedFileError(f"cannot read the workbook ({exc})", file=path) from None
    tables: dict[str, list[dict[str, Any]]] = {}
    for name in SCHEMA:
        if name not in workbook.sheetnames:
            raise MalformedFileError(f"sheet {name!r} is missing", file=path,
                                     allowed=", ".join(SCHEMA))
        values = list(workbook[name].iter_rows(values_only=True))
        header = tuple(str(v) for v in values[0]) if values else ()
        _check_header(name, header, path)
        tables[name] = [_typed(dict(zip(header, row, strict=False)), path, line)
                        for line, row in enumerate(values[1:], start=2)]
    workbook.close()
    return from_tables(tables, path)


def _check_header(name: str, header: Sequence[str], file: Path) -> None:
    if tuple(header) != SCHEMA[name]:
        raise MalformedFileError(f"table {name!r} has columns {', '.join(header)}", file=file,
                                 allowed=", ".join(SCHEMA[name]))


def _typed(row: Mapping[str, Any], file: Path, line: int) -> dict[str, Any]:
    typed: dict[str, Any] = {}
    for column, cell in row.items():
        if cell is None or cell == "":
            typed[column] = None
        elif column in _FLOATS or column in _INTS:
            cast: Callable[[Any], Any] = int if column in _INTS else float
            try:
                typed[column] = cast(cell)
            except (TypeError, ValueError):
                raise MalformedFileError(f"{cell!r} is not a number", file=file, line=line,
                                         item=column) from None
        elif column == "general":
            typed[column] = cell is True or str(cell).strip().lower() in ("true", "1")
        else:
            typed[column] = str(cell)
    return typed


def from_tables(tables: Mapping[str, list[dict[str, Any]]], file: Path) -> list[Material]:
    """Materials from the seven exchange tables (rows as dicts of typed cells)."""
    def grouped(name: str, *keys: str) -> dict[tuple, list[dict[str, Any]]]:
        out: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
        for row in tables[name]:
            out[tuple(row[k] for k in keys)].append(row)
        return out

    designations = grouped("designations", "material")
    composition = grouped("composition", "material")
    records = grouped("records", "material")
    steps = grouped("processing", "material", "record")
    props = grouped("properties", "material", "record")
    points = grouped("curve_points", "material", "record", "property")
    materials = []
    try:
        for m in tables["materials"]:
            key = m["material"]
            materials.append(Material(
                key=key, name=m["name"], kind=m["kind"], family=m["family"], notes=m["notes"],
                designations=tuple(Designation(system=d["system"], code=d["code"], note=d["note"])
                                   for d in designations[key,]),
                composition=tuple(CompositionEntry(element=c["element"], min=c["min"],
                                                   max=c["max"], nominal=c["nominal"],
                                                   unit=c["unit"]) for c in composition[key,]),
                records=tuple(_record(key, r, steps, props, points)
                              for r in sorted(records[key,], key=lambda r: r["record"]))))
    except ValidationError as exc:
        error = exc.errors()[0]
        raise MalformedFileError(f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}",
                                 file=file) from None
    return materials


def _record(key: str, r: dict[str, Any], steps: Mapping[tuple, list[dict[str, Any]]],
            props: Mapping[tuple, list[dict[str, Any]]],
            points: Mapping[tuple, list[dict[str, Any]]]) -> MaterialRecord:
    index = r["record"]
    properties = []
    for p in sorted(props.get((key, index), []), key=lambda p: p["property"]):
        curve = None
        if p["curve_axis"] is not None:
            pts = sorted(points.get((key, index, p["property"]), []), key=lambda q: q["point"])
            curve = Curve(axis=p["curve_axis"], axis_unit=p["curve_unit"],
                          x=tuple(q["x"] for q in pts), y=tuple(q["y"] for q in pts))
        properties.append(PropertyValue(curve=curve, **{f: p[f] for f in _PROP}))
    return MaterialRecord(
        label=r["label"], kind=r["kind"], general=r["general"], source=r["source"],
        processing=tuple(ProcessingStep(kind=s["kind"], temperature_k=s["temperature_k"],
                                        time_h=s["time_h"], reduction_pct=s["reduction_pct"],
                                        note=s["note"])
                         for s in sorted(steps.get((key, index), []), key=lambda s: s["step"])),
        properties=tuple(properties))
