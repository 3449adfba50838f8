"""``valueloop scrap``: grade copper scrap from a composition or a measurement; list the grades."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.common import CsvOption, JsonOption, XlsxOption
from valueloop.cli.output import emit
from valueloop.core.errors import OptionError
from valueloop.core.tables import write_csv, write_xlsx
from valueloop.scrap.grades import SCHEMES
from valueloop.scrap.grading import (
    DEFAULT_COPPER_PRICE,
    DEFAULT_PRICE_UNIT,
    DEFAULT_THRESHOLD,
    grade_measurement,
)
from valueloop.scrap.listing import grades_listing
from valueloop.scrap.reading import read_composition, read_measurement

app = typer.Typer(help="Copper scrap grades: grading, routes, values.", no_args_is_help=True)

SchemeOption = Annotated[str, typer.Option(
    "--scheme", help=f"Classification: {' or '.join(SCHEMES)}.")]


@app.command("grade")
def grade_command(
    composition: Annotated[Path | None, typer.Option(
        "--composition", help="JSON with a passport's composition (mass fractions).")] = None,
    measurement: Annotated[Path | None, typer.Option(
        "--measurement", help="JSON with XRF/LIBS readings and their uncertainties.")] = None,
    scheme: SchemeOption = "ISRI",
    threshold: Annotated[float, typer.Option(
        "--threshold", help="Confidence a grade needs to be called.")] = DEFAULT_THRESHOLD,
    copper_price: Annotated[float, typer.Option(
        "--copper-price", help=f"Reference copper price in {DEFAULT_PRICE_UNIT} "
                               "(default: an illustrative assumption).")
    ] = DEFAULT_COPPER_PRICE,
    mass: Annotated[float | None, typer.Option("--mass", help="Lot mass in t, for its value.")
                    ] = None,
    as_json: JsonOption = False,
    csv: CsvOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """Best grade, confidence per grade, recycling route and value of one scrap lot."""
    if (composition is None) == (measurement is None):
        raise OptionError("give exactly one of --composition and --measurement",
                          item="--composition/--measurement")
    reading = read_composition(composition) if composition is not None \
        else read_measurement(measurement)  # type: ignore[arg-type]
    result = grade_measurement(reading, scheme=scheme, threshold=threshold,
                               copper_price=copper_price, mass_t=mass)
    tables = result.tables()
    if not as_json:
        emit(tables, csv_path=csv, xlsx_path=xlsx)
        return
    print(json.dumps(result.to_record(), indent=2, ensure_ascii=False, allow_nan=False))
    if csv is not None:
        write_csv(tables[1], csv)
    if xlsx is not None:
        write_xlsx(tables, xlsx)


@app.command("grades")
def grades_command(
    scheme: Annotated[str | None, typer.Option(
        "--scheme", help=f"Only this classification: {' or '.join(SCHEMES)}.")] = None,
    as_json: JsonOption = False,
    csv: CsvOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """The shipped scrap grades with their limits, payables and sources."""
    emit([grades_listing(scheme)], as_json=as_json, csv_path=csv, xlsx_path=xlsx)
