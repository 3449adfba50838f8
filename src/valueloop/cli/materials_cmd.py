"""``valueloop materials``: the copper materials database from the command line.

One typer group, ``app``; each command is a thin wrapper over :mod:`valueloop.materials`, so
further commands are added with ``@app.command(...)`` in other modules importing ``app``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.common import CsvOption, DbOption, JsonOption, XlsxOption
from valueloop.cli.materials_design import design_command
from valueloop.cli.materials_predict import predict_command, train_command
from valueloop.cli.materials_report import report_command
from valueloop.cli.materials_select import select_command
from valueloop.cli.materials_translate import translate_command
from valueloop.cli.output import emit
from valueloop.core.db import Database
from valueloop.core.errors import OptionError
from valueloop.core.tables import Table
from valueloop.materials import exchange, importers, matml
from valueloop.materials.candidates import IMPORT_HINT
from valueloop.materials.search import parse_condition, search
from valueloop.materials.store import MaterialStore

app = typer.Typer(help="Copper materials: database, property models, device translation, "
                       "selection and inverse design.", no_args_is_help=True)
app.command("predict")(predict_command)
app.command("train")(train_command)
app.command("translate")(translate_command)
app.command("select")(select_command)
app.command("design")(design_command)
app.command("report")(report_command)


@app.command("import")
def import_command(
    grades: Annotated[bool, typer.Option("--grades", help="Import the shipped grade table.")]
    = False,
    gorsse: Annotated[Path | None, typer.Option(
        "--gorsse", help="Gorsse 2023 CSV (default: the shipped copy, with --gorsse-shipped).")]
    = None,
    gorsse_shipped: Annotated[bool, typer.Option(
        "--gorsse-shipped", help="Import the shipped Gorsse 2023 dataset.")] = False,
    from_csv: Annotated[Path | None, typer.Option(
        "--from-csv", help="Materials CSV written by 'materials export --csv'.")] = None,
    from_xlsx: Annotated[Path | None, typer.Option(
        "--from-xlsx", help="Workbook written by 'materials export --xlsx'.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import grades, experimental records or an exported database (replacing by key)."""
    batches = []
    if grades:
        batches.append(("cu-grades reference", importers.read_grades()))
    if gorsse is not None or gorsse_shipped:
        batches.append(("Gorsse 2023", importers.read_gorsse(importers.gorsse_path(gorsse))))
    if from_csv is not None:
        batches.append((str(from_csv), exchange.read_csv(from_csv)))
    if from_xlsx is not None:
        batches.append((str(from_xlsx), exchange.read_xlsx(from_xlsx)))
    if not batches:
        raise OptionError("nothing to import", item="import",
                          allowed="--grades, --gorsse FILE, --gorsse-shipped, --from-csv FILE, "
                                  "--from-xlsx FILE")
    with Database.open(db) as database:
        store = MaterialStore(database)
        rows = [(name, store.add(materials)) for name, materials in batches]
        rows.append(("total in database", store.count()))
    emit([Table("materials imported", ("source", "materials"), tuple(rows))], as_json=as_json)


@app.command("show")
def show_command(
    designation: Annotated[str, typer.Argument(help="UNS, EN, GB or JIS code, key or name.")],
    db: DbOption = None,
    as_json: JsonOption = False,
    csv: CsvOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """Every property of the material(s) designated DESIGNATION, with sources."""
    with Database.open_existing(db, hint=IMPORT_HINT) as database:
        MaterialStore(database).find(designation)  # a clear error when nothing matches
        table = search(database, designation=designation)
    emit([table], as_json=as_json, csv_path=csv, xlsx_path=xlsx)


@app.command("search")
def search_command(
    where: Annotated[list[str] | None, typer.Option(
        "--where", help="Condition NAME OP NUMBER [UNIT], e.g. 'conductivity_iacs>=80', "
                        "'Cr<=1.2'; repeat to combine.")] = None,
    designation: Annotated[str | None, typer.Option(
        "--designation", help="Only materials with this designation.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    csv: CsvOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """Materials whose records satisfy every condition, with each property's source."""
    conditions = [parse_condition(text) for text in where or []]
    with Database.open_existing(db, hint=IMPORT_HINT) as database:
        MaterialStore(database)
        table = search(database, conditions, designation)
    emit([table], as_json=as_json, csv_path=csv, xlsx_path=xlsx,
         max_rows=None if as_json or csv or xlsx else 200)


@app.command("export")
def export_command(
    csv: Annotated[Path | None, typer.Option("--csv", help="CSV: FILE and FILE-<table>.csv.")]
    = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Excel workbook.")] = None,
    matml_file: Annotated[Path | None, typer.Option("--matml", help="MatML 3.1 XML file.")]
    = None,
    designation: Annotated[list[str] | None, typer.Option(
        "--designation", help="MatML: only these materials (repeatable; default all).")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Export the database (CSV, Excel) or selected materials (MatML)."""
    if csv is None and xlsx is None and matml_file is None:
        raise OptionError("no output file", item="export", allowed="--csv, --xlsx, --matml")
    written: list[tuple[str, str]] = []
    with Database.open_existing(db, hint=IMPORT_HINT) as database:
        store = MaterialStore(database)
        if csv is not None:
            written += [("csv", str(p)) for p in exchange.export_csv(store, csv)]
        if xlsx is not None:
            exchange.export_xlsx(store, xlsx)
            written.append(("xlsx", str(xlsx)))
        if matml_file is not None:
            chosen = ([m for d in designation for m in store.find(d)] if designation
                      else store.load())
            matml.write_matml(chosen, matml_file)
            written.append(("matml", str(matml_file)))
    emit([Table("materials exported", ("format", "file"), tuple(written))], as_json=as_json)
