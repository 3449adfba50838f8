"""``valueloop materials predict``: property predictions with 90 % intervals for alloy rows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.output import console
from valueloop.core.errors import OptionError
from valueloop.core.tables import Cell, Table, write_csv, write_xlsx
from valueloop.materials.properties import AlloyTable, read_table
from valueloop.materials.property_models import PROPERTIES, predict_all, train_models

OUT_SUFFIXES = (".csv", ".xlsx")


def prediction_table(table: AlloyTable) -> Table:
    """The input rows followed by ``<property>_pred/_lo/_hi/_in_domain`` for every property."""
    predictions = predict_all(train_models(), table.raw)
    names = [f"{name}_{part}" for name in predictions
             for part in ("pred", "lo", "hi", "in_domain")]
    # Columns of an earlier prediction run are replaced, not duplicated.
    kept = [i for i, column in enumerate(table.columns) if column not in names]
    columns = [table.columns[i] for i in kept] + names
    added: list[list[Cell]] = []
    for result in predictions.values():
        added += [[round(float(v), 3) for v in result.pred],
                  [round(float(v), 3) for v in result.lo],
                  [round(float(v), 3) for v in result.hi],
                  [bool(v) for v in result.in_domain]]
    rows = tuple((*(row[j] for j in kept), *(col[i] for col in added))
                 for i, row in enumerate(table.rows))
    units = {f"{name}_{part}": unit for name, (_, unit) in PROPERTIES.items()
             for part in ("pred", "lo", "hi")}
    return Table("predictions", tuple(columns), rows, units=units,
                 notes=("90 % split-conformal intervals calibrated on splits grouped by alloy "
                        "formula; see docs/model-card.md",))


def predict_command(
    input_path: Annotated[Path, typer.Option(
        "--input", help="Compositions (wt%) and processing in the Gorsse column layout, "
                        "CSV or Excel.")],
    out: Annotated[Path, typer.Option(
        "--out", help="Output file (.csv or .xlsx): the input plus predicted columns.")],
) -> None:
    """Predict conductivity, hardness, yield strength and UTS with 90 % intervals."""
    if out.suffix.lower() not in OUT_SUFFIXES:
        raise OptionError(f"cannot write {out.suffix or 'a file without suffix'}",
                          item="--out", allowed=", ".join(OUT_SUFFIXES))
    result = prediction_table(read_table(input_path))
    if out.suffix.lower() == ".csv":
        write_csv(result, out)
    else:
        # No units row in the workbook: the sheet then reads back in the same layout.
        write_xlsx([Table(result.title, result.columns, result.rows)], out)
    console.print(f"wrote {len(result.rows)} rows with predictions to {out} "
                  "(models trained in-process on the shipped Gorsse et al. 2023 data)")
