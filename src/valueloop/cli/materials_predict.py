"""``valueloop materials predict`` and ``train``: property models with 90 % intervals.

``predict`` uses models trained on the shipped Gorsse et al. 2023 data, or on a database's
measured records with ``--db``; either way through the model cache
(:mod:`valueloop.materials.model_cache`). ``train`` retrains from the database and caches.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.common import DbOption, JsonOption
from valueloop.cli.output import console, emit
from valueloop.core.errors import OptionError
from valueloop.core.tables import Cell, Table, write_csv, write_xlsx
from valueloop.materials.model_cache import CachedModels, cached_models
from valueloop.materials.properties import AlloyTable, read_table
from valueloop.materials.property_models import (
    DEFAULT_METHOD,
    METHODS,
    PROPERTIES,
    Method,
    PropertyModel,
    check_method,
    predict_all,
)
from valueloop.materials.training_data import TrainingTable, table_from_database

OUT_SUFFIXES = (".csv", ".xlsx")
SHIPPED = "the shipped Gorsse et al. 2023 data"


def prediction_table(table: AlloyTable, models: dict[str, PropertyModel] | None = None,
                     method: Method | None = None) -> Table:
    """The input rows followed by ``<property>_pred/_lo/_hi/_in_domain`` for every model.

    Parameters
    ----------
    table
        Rows to predict, in the Gorsse layout.
    models
        Trained models; those of the shipped data (from the cache) when ``None``.
    method
        Interval method; each model's default when ``None``.
    """
    if models is None:
        models = cached_models().models
    predictions = predict_all(models, table.raw, method)
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
    chosen = method or DEFAULT_METHOD
    return Table("predictions", tuple(columns), rows, units=units,
                 notes=(f"90 % split-conformal intervals ({chosen}) calibrated on splits "
                        "grouped by alloy formula; see docs/model-card.md",))


def _models(db: str | None, retrain: bool) -> tuple[CachedModels, str]:
    """Models for ``--db`` (the shipped data when ``None``) and a description of the data."""
    if db is None:
        return cached_models(refresh=retrain), SHIPPED
    training = table_from_database(db)
    return cached_models(training.table, refresh=retrain), _describe(training)


def _describe(training: TrainingTable) -> str:
    text = f"{len(training.table.rows)} measured records of the {training.source}"
    if training.skipped:
        text += " (skipped: " + ", ".join(f"{n} {reason}"
                                          for reason, n in training.skipped.items()) + ")"
    return text


def _provenance(result: CachedModels) -> str:
    if result.loaded:
        return f"loaded from the cache {result.path} in {result.seconds:.2f} s"
    where = (f"cached in {result.path}" if result.stored
             else "not cached: the cache folder is not writable" if result.path is not None
             else "not cached")
    return f"trained now in {result.seconds:.1f} s, {where}"


def predict_command(
    input_path: Annotated[Path, typer.Option(
        "--input", help="Compositions (wt%) and processing in the Gorsse column layout, "
                        "CSV or Excel.")],
    out: Annotated[Path, typer.Option(
        "--out", help="Output file (.csv or .xlsx): the input plus predicted columns.")],
    db: Annotated[str | None, typer.Option(
        "--db", help="Train on this database's measured experimental records (default: the "
                     "shipped Gorsse et al. 2023 data).")] = None,
    retrain: Annotated[bool, typer.Option(
        "--retrain", help="Train again instead of loading cached models.")] = False,
    method: Annotated[str, typer.Option(
        "--method", help=f"Interval method: {', '.join(METHODS)}.")] = DEFAULT_METHOD,
) -> None:
    """Predict conductivity, hardness, yield strength and UTS with 90 % intervals."""
    if out.suffix.lower() not in OUT_SUFFIXES:
        raise OptionError(f"cannot write {out.suffix or 'a file without suffix'}",
                          item="--out", allowed=", ".join(OUT_SUFFIXES))
    chosen = check_method(method)
    rows = read_table(input_path)  # bad input fails before any training
    result, data = _models(db, retrain)
    table = prediction_table(rows, result.models, chosen)
    if out.suffix.lower() == ".csv":
        write_csv(table, out)
    else:
        # No units row in the workbook: the sheet then reads back in the same layout.
        write_xlsx([Table(table.title, table.columns, table.rows)], out)
    console.print(f"wrote {len(table.rows)} rows with predictions to {out}; models trained on "
                  f"{data}, {_provenance(result)}", markup=False)


def training_table(result: CachedModels, notes: tuple[str, ...] = ()) -> Table:
    """One row per trained property: data size, calibration and training time.

    The absolute half-width is in the property's unit; the normalised half-width of a row is
    ``normalised q`` times its σ̂ (per-tree spread plus the σ̂ floor, in the property's unit).
    """
    rows = tuple((name, model.unit, model.n_train, model.n_groups,
                  round(model.half_width, 3), round(model.normalised_quantile, 3),
                  round(model.sigma_floor, 3), round(model.fit_seconds, 2))
                 for name, model in result.models.items())
    return Table("property models", ("property", "unit", "rows", "formulas",
                                     "absolute half-width", "normalised q", "sigma floor",
                                     "seconds"),
                 rows, units={"seconds": "s"}, notes=notes)


def train_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Retrain the property models on the database's measured experimental records."""
    training = table_from_database(db)
    result = cached_models(training.table, refresh=True)
    notes = [f"trained on {_describe(training)}; {_provenance(result)}",
             f"default interval method: {DEFAULT_METHOD}; 90 % split-conformal, calibrated "
             "out of fold on 5 folds grouped by alloy formula (docs/model-card.md)"]
    missing = [n for n in PROPERTIES if n not in result.models]
    if missing:
        notes.append("not trained (too few measured rows or formulas): " + ", ".join(missing))
    emit([training_table(result, tuple(notes))], as_json=as_json)
