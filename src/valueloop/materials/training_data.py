"""Training tables for the property models built from the materials database.

:func:`table_from_materials` inverts :func:`valueloop.materials.importers.read_gorsse`: every
experimental record becomes one row in the Gorsse column layout, so
:func:`valueloop.materials.property_models.train_models` trains on the database exactly as on the
shipped CSV. Per record:

* ``Alloy formula``: the material's ``formula`` designation (its name when it has none; the
  importer's ``#2`` suffixes of composition variants are not part of the formula);
* element wt% and processing: the cells of :func:`~valueloop.materials.gorsse_layout.
  layout_cells` (nominal wt%, else the midpoint of a range; one column per step kind);
* properties: ``electrical_conductivity`` (%IACS), ``hardness`` (HV), ``yield_strength`` (MPa) and
  ``tensile_strength`` (MPa), with ``origin == "measured"`` and a single value only: predicted
  values never train a model;
* ``DOI``: the source of the record's first measured property (the Gorsse importer stores the
  source paper's DOI there).

Records that the layout cannot represent are skipped and counted (:class:`TrainingTable`), with
the reasons of :mod:`~valueloop.materials.gorsse_layout`, as are records without a measured
property. Grade (reference) records are not experimental conditions and are never used.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from valueloop.core.db import Database, DatabaseURL
from valueloop.core.errors import UserInputError
from valueloop.materials.gorsse_layout import INPUT_COLUMNS, cell_text, layout_cells
from valueloop.materials.model import Material, MaterialRecord
from valueloop.materials.properties import DOI, FORMULA, AlloyTable, read_rows
from valueloop.materials.property_models import PROPERTIES
from valueloop.materials.store import MaterialStore

DATABASE_PROPERTIES: Mapping[str, tuple[str, str]] = {
    "electrical_conductivity": ("electrical_conductivity_iacs", "%IACS"),
    "hardness": ("hardness_hv", "HV"),
    "yield_strength": ("yield_strength_mpa", "MPa"),
    "tensile_strength": ("uts_mpa", "MPa"),
}
"""Database property name -> (model property, unit), as the Gorsse importer writes them."""
MATERIAL_KEY, RECORD_LABEL = "Material key", "Record"
HEADER: tuple[str, ...] = (
    FORMULA, *INPUT_COLUMNS, *(PROPERTIES[model][0] for model, _ in DATABASE_PROPERTIES.values()),
    DOI, MATERIAL_KEY, RECORD_LABEL)
IMPORT_HINT = ("import them first: valueloop materials import --gorsse-shipped (or --gorsse FILE, "
               "--from-csv FILE, --from-xlsx FILE)")


class NoTrainingDataError(UserInputError):
    """A database without measured experimental records to train the property models on."""


@dataclass(frozen=True)
class TrainingTable:
    """A training table and what was left out of it, and why (reason -> number of records)."""

    table: AlloyTable
    records: int
    skipped: Mapping[str, int] = field(default_factory=dict)
    source: str = "materials"


def table_from_materials(materials: Iterable[Material], source: str = "materials"
                         ) -> TrainingTable:
    """One Gorsse-layout row per experimental record with at least one measured property."""
    skipped: Counter[str] = Counter()
    body: list[list[str]] = []
    records = 0
    for material in materials:
        for record in material.records:
            if record.kind != "experimental":
                continue
            records += 1
            row = _row(material, record, skipped)
            if row is not None:
                body.append(row)
    return TrainingTable(read_rows(HEADER, body), records, dict(skipped), source)


def table_from_store(store: MaterialStore, source: str = "database") -> TrainingTable:
    """The training table of every material in ``store``.

    Raises
    ------
    NoTrainingDataError
        No experimental record with a measured property of :data:`DATABASE_PROPERTIES`.
    """
    result = table_from_materials(store.load(), source)
    if not result.table.rows:
        raise NoTrainingDataError(
            f"the database holds no measured experimental records ({result.records} "
            "experimental records, none with a measured conductivity, hardness, yield strength "
            "or tensile strength in the model's units)", item="--db", allowed=IMPORT_HINT)
    return result


def table_from_database(url: str | Path | None) -> TrainingTable:
    """The training table of the database at ``url`` (``None``: ``$VALUELOOP_DB``/default).

    A SQLite file that does not exist is an error, not a new empty database.
    """
    with Database.open_existing(url, hint=IMPORT_HINT) as database:
        return table_from_store(MaterialStore(database), _describe(DatabaseURL.parse(url)))


def _describe(parsed: DatabaseURL) -> str:
    if parsed.dialect == "sqlite":
        return f"SQLite database {parsed.target}"
    return "PostgreSQL database " + parsed.target.rsplit("/", 1)[-1].split("?", 1)[0]


def _row(material: Material, record: MaterialRecord, skipped: Counter[str]) -> list[str] | None:
    layout = layout_cells(material.composition, record.processing, skipped)
    if layout is None:
        return None
    cells = dict.fromkeys(HEADER, "")
    formula = next((d.code for d in material.designations if d.system == "formula"),
                   material.name)
    cells.update({FORMULA: formula, MATERIAL_KEY: material.key, RECORD_LABEL: record.label,
                  **layout})
    measured = False
    for prop in record.properties:
        target = DATABASE_PROPERTIES.get(prop.name)
        if target is None or prop.origin != "measured" or prop.value is None \
                or prop.curve is not None:
            continue
        column = PROPERTIES[target[0]][0]
        if _unit(prop.unit) != _unit(target[1]):
            skipped[f"{prop.name} in {prop.unit} (needs {target[1]})"] += 1
            continue
        if cells[column]:
            continue  # a second value of the same property: the first one is kept
        cells[column] = cell_text(prop.value)
        if not measured:
            cells[DOI] = prop.source
        measured = True
    if not measured:
        skipped["no measured conductivity, hardness or strength"] += 1
        return None
    return [cells[h] for h in HEADER]


def _unit(text: str) -> str:
    return text.replace(" ", "").lower()
