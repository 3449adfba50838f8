"""The materials database in SQL tables (SQLite or PostgreSQL through :mod:`valueloop.core.db`).

Every write of a material replaces it whole (designations, composition, records, processing,
properties, curve points) inside one transaction, so an import can be re-run and a crash never
leaves half a material.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from valueloop.core.db import Database, Transaction
from valueloop.core.errors import UserInputError
from valueloop.materials.model import (
    CompositionEntry,
    Curve,
    Designation,
    Material,
    MaterialRecord,
    ProcessingStep,
    PropertyValue,
)

COMPONENT = "materials"
SCHEMA_VERSION = 1
_STATEMENTS = (
    """CREATE TABLE vl_material (id {ID}, key {TEXT} NOT NULL UNIQUE, name {TEXT} NOT NULL,
       kind {TEXT} NOT NULL, family {TEXT}, notes {TEXT})""",
    """CREATE TABLE vl_material_designation (material_id {BIGINT} NOT NULL
       REFERENCES vl_material(id) ON DELETE CASCADE, seq {BIGINT} NOT NULL, system {TEXT} NOT NULL,
       code {TEXT} NOT NULL, note {TEXT}, UNIQUE (material_id, system, code))""",
    """CREATE TABLE vl_material_composition (material_id {BIGINT} NOT NULL
       REFERENCES vl_material(id) ON DELETE CASCADE, seq {BIGINT} NOT NULL, element {TEXT} NOT NULL,
       min_wt {REAL}, max_wt {REAL}, nominal_wt {REAL}, unit {TEXT} NOT NULL,
       UNIQUE (material_id, element))""",
    """CREATE TABLE vl_material_record (id {ID}, material_id {BIGINT} NOT NULL
       REFERENCES vl_material(id) ON DELETE CASCADE, seq {BIGINT} NOT NULL,
       label {TEXT} NOT NULL, kind {TEXT} NOT NULL, general {BOOL} NOT NULL, source {TEXT})""",
    """CREATE TABLE vl_material_processing (record_id {BIGINT} NOT NULL
       REFERENCES vl_material_record(id) ON DELETE CASCADE, step {BIGINT} NOT NULL,
       kind {TEXT} NOT NULL, temperature_k {REAL}, time_h {REAL}, reduction_pct {REAL},
       note {TEXT})""",
    """CREATE TABLE vl_material_property (id {ID}, record_id {BIGINT} NOT NULL
       REFERENCES vl_material_record(id) ON DELETE CASCADE, seq {BIGINT} NOT NULL,
       name {TEXT} NOT NULL, unit {TEXT} NOT NULL, value {REAL}, value_min {REAL},
       value_max {REAL}, basis {TEXT}, test_method {TEXT}, source {TEXT} NOT NULL,
       source_url {TEXT}, source_type {TEXT}, uncertainty {REAL}, origin {TEXT} NOT NULL,
       notes {TEXT}, curve_axis {TEXT}, curve_unit {TEXT})""",
    """CREATE TABLE vl_material_curve_point (property_id {BIGINT} NOT NULL
       REFERENCES vl_material_property(id) ON DELETE CASCADE, point {BIGINT} NOT NULL,
       x {REAL} NOT NULL, y {REAL} NOT NULL)""",
    "CREATE INDEX vl_material_property_name ON vl_material_property (name)",
    "CREATE INDEX vl_material_record_material ON vl_material_record (material_id)",
)
_PROPERTY_FIELDS = ("name", "unit", "value", "value_min", "value_max", "basis", "test_method",
                    "source", "source_url", "source_type", "uncertainty", "origin", "notes")


class MaterialNotFoundError(UserInputError):
    """A designation or key that names no material in the database."""


class MaterialStore:
    """Materials in one :class:`~valueloop.core.db.Database`; creates its tables on first use.

    Parameters
    ----------
    database
        An open database; the store does not close it.
    """

    def __init__(self, database: Database) -> None:
        self.database = database
        database.migrate(COMPONENT, SCHEMA_VERSION, _STATEMENTS)

    def add(self, materials: Iterable[Material]) -> int:
        """Insert or replace ``materials`` (by key) in one transaction; returns how many."""
        count = 0
        with self.database.transaction() as tx:
            for material in materials:
                _write(tx, material)
                count += 1
        return count

    def count(self) -> int:
        """Number of materials stored."""
        return int(self.database.query("SELECT COUNT(*) FROM vl_material")[0][0])

    def keys(self) -> list[str]:
        """Keys of all materials, sorted."""
        return [r[0] for r in self.database.query("SELECT key FROM vl_material ORDER BY key")]

    def find(self, designation: str) -> list[Material]:
        """Materials whose key, name or any designation equals ``designation`` (any case)."""
        text = designation.strip().lower()
        rows = self.database.query(
            "SELECT m.id FROM vl_material m WHERE lower(m.key) = ? OR lower(m.name) = ? "
            "UNION SELECT d.material_id FROM vl_material_designation d WHERE lower(d.code) = ?",
            (text, text, text))
        materials = self.load([r[0] for r in rows])
        if not materials:
            raise MaterialNotFoundError(f"no material is designated {designation!r}",
                                        item="DESIGNATION",
                                        allowed="a UNS, EN, GB or JIS code, a key or a name "
                                                "in the database (valueloop materials search)")
        return materials

    def load(self, ids: Sequence[int] | None = None) -> list[Material]:
        """Materials with the given database ids (all when ``None``), ordered by key."""
        rows = self.database.query("SELECT id, key, name, kind, family, notes FROM vl_material "
                                   "ORDER BY key")
        if ids is not None:
            wanted = set(ids)
            rows = [r for r in rows if r[0] in wanted]
        if not rows:
            return []
        children = _Children(self.database)
        return [Material(key=r[1], name=r[2], kind=r[3], family=r[4], notes=r[5],
                         designations=tuple(children.designations[r[0]]),
                         composition=tuple(children.composition[r[0]]),
                         records=tuple(children.records(r[0]))) for r in rows]

    def material_ids(self) -> dict[str, int]:
        """Database id of every material key."""
        return {r[1]: r[0] for r in self.database.query("SELECT id, key FROM vl_material")}


class _Children:
    """Everything below the material rows, read in one query per table."""

    def __init__(self, database: Database) -> None:
        self.designations: dict[int, list[Designation]] = defaultdict(list)
        for m, system, code, note in database.query(
                "SELECT material_id, system, code, note FROM vl_material_designation "
                "ORDER BY material_id, seq"):
            self.designations[m].append(Designation(system=system, code=code, note=note))
        self.composition: dict[int, list[CompositionEntry]] = defaultdict(list)
        for m, element, low, high, nominal, unit in database.query(
                "SELECT material_id, element, min_wt, max_wt, nominal_wt, unit "
                "FROM vl_material_composition ORDER BY material_id, seq"):
            self.composition[m].append(CompositionEntry(element=element, min=low, max=high,
                                                        nominal=nominal, unit=unit))
        self._steps: dict[int, list[ProcessingStep]] = defaultdict(list)
        for r, kind, temperature, time, reduction, note in database.query(
                "SELECT record_id, kind, temperature_k, time_h, reduction_pct, note "
                "FROM vl_material_processing ORDER BY record_id, step"):
            self._steps[r].append(ProcessingStep(kind=kind, temperature_k=temperature,
                                                 time_h=time, reduction_pct=reduction,
                                                 note=note))
        points: dict[int, list[tuple[float, float]]] = defaultdict(list)
        for p, x, y in database.query("SELECT property_id, x, y FROM vl_material_curve_point "
                                      "ORDER BY property_id, point"):
            points[p].append((x, y))
        self._properties: dict[int, list[PropertyValue]] = defaultdict(list)
        for row in database.query(
                f"SELECT record_id, id, curve_axis, curve_unit, {', '.join(_PROPERTY_FIELDS)} "
                "FROM vl_material_property ORDER BY record_id, seq"):
            fields = dict(zip(_PROPERTY_FIELDS, row[4:], strict=True))
            curve = None
            if row[2] is not None:
                xs, ys = zip(*points[row[1]], strict=True) if points[row[1]] else ((), ())
                curve = Curve(axis=row[2], axis_unit=row[3], x=xs, y=ys)
            self._properties[row[0]].append(PropertyValue(curve=curve, **fields))
        self._records: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for row in database.query("SELECT material_id, id, label, kind, general, source "
                                  "FROM vl_material_record ORDER BY material_id, seq"):
            self._records[row[0]].append(row[1:])

    def records(self, material_id: int) -> list[MaterialRecord]:
        return [MaterialRecord(label=label, kind=kind, general=bool(general), source=source,
                               processing=tuple(self._steps[r]),
                               properties=tuple(self._properties[r]))
                for r, label, kind, general, source in self._records[material_id]]


def _write(tx: Transaction, material: Material) -> None:
    # ON DELETE CASCADE removes the old material's children with it
    tx.execute("DELETE FROM vl_material WHERE key = ?", (material.key,))
    material_id = tx.execute(
        "INSERT INTO vl_material (key, name, kind, family, notes) VALUES (?, ?, ?, ?, ?) "
        "RETURNING id",
        (material.key, material.name, material.kind, material.family, material.notes),
    ).fetchone()[0]
    if material.designations:
        tx.executemany("INSERT INTO vl_material_designation (material_id, seq, system, code, note) "
                       "VALUES (?, ?, ?, ?, ?)",
                       [(material_id, i, d.system, d.code, d.note)
                        for i, d in enumerate(material.designations)])
    if material.composition:
        tx.executemany("INSERT INTO vl_material_composition (material_id, seq, element, min_wt, "
                       "max_wt, nominal_wt, unit) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [(material_id, i, c.element, c.min, c.max, c.nominal, c.unit)
                        for i, c in enumerate(material.composition)])
    for seq, record in enumerate(material.records):
        record_id = tx.execute(
            "INSERT INTO vl_material_record (material_id, seq, label, kind, general, source) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (material_id, seq, record.label, record.kind, record.general, record.source),
        ).fetchone()[0]
        _write_record(tx, record_id, record)


def _write_record(tx: Transaction, record_id: int, record: MaterialRecord) -> None:
    if record.processing:
        tx.executemany("INSERT INTO vl_material_processing (record_id, step, kind, "
                       "temperature_k, time_h, reduction_pct, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [(record_id, i, s.kind, s.temperature_k, s.time_h, s.reduction_pct,
                         s.note) for i, s in enumerate(record.processing)])
    columns = ", ".join(_PROPERTY_FIELDS)
    marks = ", ".join("?" * (len(_PROPERTY_FIELDS) + 4))
    sql = (f"INSERT INTO vl_material_property (record_id, seq, curve_axis, curve_unit, {columns})"
           f" VALUES ({marks})")
    plain = []
    for seq, prop in enumerate(record.properties):
        values = [getattr(prop, f) for f in _PROPERTY_FIELDS]
        if prop.curve is None:
            plain.append((record_id, seq, None, None, *values))
            continue
        # a curve's points need the property's id, so it is inserted on its own
        property_id = tx.execute(sql + " RETURNING id", (record_id, seq, prop.curve.axis,
                                                         prop.curve.axis_unit, *values)
                                 ).fetchone()[0]
        tx.executemany("INSERT INTO vl_material_curve_point (property_id, point, x, y) "
                       "VALUES (?, ?, ?, ?)",
                       [(property_id, i, x, y)
                        for i, (x, y) in enumerate(zip(prop.curve.x, prop.curve.y,
                                                       strict=True))])
    if plain:
        tx.executemany(sql, plain)
