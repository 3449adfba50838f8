"""Trace a batch back to its origins and forward to the products made from it.

One ``WITH RECURSIVE`` query per trace, the same text on SQLite and PostgreSQL. Back: from a
batch to the transformation that produced it (``custody_batches.produced_by``) and on to that
transformation's inputs (primary key of ``custody_inputs``). Forward: from a batch to the
transformations that used it (index on ``custody_inputs.batch``) and their outputs (index on
``produced_by``). ``UNION`` (not ``UNION ALL``) keeps each batch once, so merges and splits do
not multiply the work: a trace costs index lookups proportional to the size of the lineage,
whatever the size of the store.

:func:`upstream` loads what the footprint and recycled-content calculations need about the
lineage: every batch, the inputs of every transformation and all outputs of each (siblings
included, for allocation), with three more queries of the same shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from valueloop.core.db import Database
from valueloop.core.errors import OptionError
from valueloop.custody.errors import UnknownRecordError
from valueloop.custody.model import Batch

Direction = Literal["back", "forward"]

_STEP: Mapping[str, str] = {
    "back": "SELECT i.batch FROM lineage l JOIN custody_batches b ON b.id = l.id "
            "JOIN custody_inputs i ON i.transformation = b.produced_by",
    "forward": "SELECT b.id FROM lineage l JOIN custody_inputs i ON i.batch = l.id "
               "JOIN custody_batches b ON b.produced_by = i.transformation",
}

_FROM_LINEAGE = "FROM lineage l CROSS JOIN custody_batches b"
"""The lineage joined to its batches. ``CROSS JOIN`` makes SQLite keep the lineage as the outer
loop (look each batch up by key); PostgreSQL plans it as an ordinary inner join."""


def lineage_sql(direction: Direction) -> str:
    """The recursive common table expression ``lineage(id)`` of one batch (parameter 1)."""
    if direction not in _STEP:
        raise OptionError(f"unknown direction {direction!r}", item="direction",
                          allowed="back, forward")
    return ("WITH RECURSIVE lineage(id) AS (SELECT id FROM custody_batches WHERE id = ? "
            f"UNION {_STEP[direction]}) ")


@dataclass(frozen=True)
class TracedBatch:
    """One batch of a trace."""

    id: str
    site: str
    mass_kg: float
    used_kg: float
    produced_by: str | None
    kind: str | None
    """Kind of the transformation that produced it (``None`` for a batch entering the chain)."""
    used_by_any: bool
    """Whether any transformation used (part of) it."""


@dataclass(frozen=True)
class Genealogy:
    """The lineage of one batch in one direction (the batch itself included)."""

    root: str
    direction: Direction
    batches: tuple[TracedBatch, ...]

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(b.id for b in self.batches)

    @property
    def origins(self) -> tuple[TracedBatch, ...]:
        """Batches no recorded transformation produced, or that mining produced."""
        return tuple(b for b in self.batches if b.produced_by is None or b.kind == "mining")

    @property
    def products(self) -> tuple[TracedBatch, ...]:
        """Batches nothing has used yet: the ends of a forward trace."""
        return tuple(b for b in self.batches if not b.used_by_any)

    @property
    def transformations(self) -> frozenset[str]:
        """Transformations inside the lineage."""
        if self.direction == "back":
            return frozenset(b.produced_by for b in self.batches if b.produced_by)
        return frozenset(b.produced_by for b in self.batches
                         if b.produced_by and b.id != self.root)


def trace(db: Database, batch_id: str, direction: Direction = "back") -> Genealogy:
    """The lineage of ``batch_id`` back to its origins or forward to the products made of it.

    Raises
    ------
    UnknownRecordError
        When the batch is not recorded.
    """
    rows = db.query(
        lineage_sql(direction)
        + "SELECT b.id, b.site, b.mass_kg, b.used_kg, b.produced_by, t.kind, "
          "EXISTS (SELECT 1 FROM custody_inputs u WHERE u.batch = b.id) "
          f"{_FROM_LINEAGE} LEFT JOIN custody_transformations t ON t.id = b.produced_by "
          "WHERE b.id = l.id", (batch_id,))
    rows = sorted(rows, key=lambda r: str(r[0]))  # sorted here: ORDER BY b.id in SQL makes
    # SQLite scan the whole batch table in id order instead of looking the lineage up
    if not rows:
        raise UnknownRecordError("is not recorded", item=f"batch {batch_id}")
    return Genealogy(batch_id, direction, tuple(
        TracedBatch(str(r[0]), str(r[1]), float(r[2]), float(r[3]), r[4], r[5], bool(r[6]))
        for r in rows))


@dataclass(frozen=True)
class Upstream:
    """What the calculations along a lineage need, loaded in a few queries."""

    root: str
    batches: Mapping[str, Batch]
    """Every batch of the lineage and every sibling output of its transformations."""
    produced_by: Mapping[str, str | None]
    inputs: Mapping[str, tuple[tuple[str, float], ...]]
    """For each transformation of the lineage: ``(input batch, mass used kg)``."""
    outputs: Mapping[str, tuple[str, ...]]
    """For each transformation of the lineage: all of its output batches."""
    emissions_kgco2e: Mapping[str, float]
    kinds: Mapping[str, str]


def upstream(db: Database, batch_id: str) -> Upstream:
    """The back lineage of a batch with records, inputs, outputs and own emissions."""
    cte = lineage_sql("back")
    batch_rows = db.query(
        cte + f"SELECT b.id, b.produced_by, b.record {_FROM_LINEAGE} WHERE b.id = l.id UNION "
              f"SELECT s.id, s.produced_by, s.record {_FROM_LINEAGE} "
              "CROSS JOIN custody_batches s WHERE b.id = l.id AND s.produced_by = b.produced_by",
        (batch_id,))
    if not any(row[0] == batch_id for row in batch_rows):
        raise UnknownRecordError("is not recorded", item=f"batch {batch_id}")
    input_rows = sorted(db.query(
        cte + f"SELECT DISTINCT i.transformation, i.batch, i.mass_kg {_FROM_LINEAGE} "
              "CROSS JOIN custody_inputs i WHERE b.id = l.id "
              "AND i.transformation = b.produced_by", (batch_id,)))
    transformation_rows = db.query(
        cte + f"SELECT DISTINCT t.id, t.kind, t.emissions_kgco2e {_FROM_LINEAGE} "
              "CROSS JOIN custody_transformations t WHERE b.id = l.id AND t.id = b.produced_by",
        (batch_id,))
    batches = {str(r[0]): Batch.model_validate_json(r[2]) for r in batch_rows}
    produced_by = {str(r[0]): r[1] for r in batch_rows}
    inputs: dict[str, list[tuple[str, float]]] = {}
    for transformation, batch, mass in input_rows:
        inputs.setdefault(transformation, []).append((batch, float(mass)))
    outputs: dict[str, list[str]] = {}
    for batch, producer in sorted(produced_by.items()):
        if producer is not None:
            outputs.setdefault(producer, []).append(batch)
    return Upstream(batch_id, batches, produced_by,
                    {t: tuple(v) for t, v in inputs.items()},
                    {t: tuple(v) for t, v in outputs.items()},
                    {str(r[0]): float(r[2]) for r in transformation_rows},
                    {str(r[0]): str(r[1]) for r in transformation_rows})


def topological(up: Upstream) -> list[str]:
    """Batches of an upstream lineage, each after every batch it was made from.

    Iterative depth-first post-order from the root, so deep chains do not hit Python's
    recursion limit.
    """
    order: list[str] = []
    done: set[str] = set()
    stack: list[tuple[str, bool]] = [(up.root, False)]
    while stack:
        batch, expanded = stack.pop()
        if batch in done:
            continue
        if expanded:
            done.add(batch)
            order.append(batch)
            continue
        stack.append((batch, True))
        producer = up.produced_by.get(batch)
        for parent, _ in up.inputs.get(producer, ()) if producer else ():
            if parent not in done:
                stack.append((parent, False))
    return order
