"""Sites, batches and transformations on :class:`valueloop.core.db.Database`.

Every write runs in one transaction and either records everything or nothing. A transformation
is refused when an input batch is unknown or already used up, when its outputs collide with
recorded batches, or when an element does not balance (:mod:`~valueloop.custody.balance`).
Records are never updated, except the mass used of each batch, which only grows.

Tables (component ``custody``): ``custody_sites``, ``custody_transformations``,
``custody_batches`` (with ``produced_by``, indexed, for forward traces) and ``custody_inputs``
(primary key ``(transformation, batch)`` for trace-back, plus an index on ``batch``). Each row
keeps the validated definition as JSON in ``record``; the columns the queries need are copied
out of it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from valueloop.core.db import Database, Transaction
from valueloop.custody.balance import check_balances, element_balances
from valueloop.custody.emissions import own_emissions
from valueloop.custody.errors import (
    DuplicateRecordError,
    OverConsumptionError,
    UnknownRecordError,
)
from valueloop.custody.events import Event, event, now
from valueloop.custody.model import Batch, Site, Transformation

COMPONENT = "custody"
SCHEMA: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS custody_sites (id {TEXT} PRIMARY KEY, record {TEXT} NOT NULL)",
    "CREATE TABLE IF NOT EXISTS custody_transformations (id {TEXT} PRIMARY KEY, "
    "kind {TEXT} NOT NULL, site {TEXT} NOT NULL REFERENCES custody_sites (id), "
    "time {TEXT} NOT NULL, emissions_kgco2e {REAL} NOT NULL, balance {TEXT} NOT NULL, "
    "record {TEXT} NOT NULL)",
    "CREATE TABLE IF NOT EXISTS custody_batches (id {TEXT} PRIMARY KEY, "
    "site {TEXT} NOT NULL REFERENCES custody_sites (id), mass_kg {REAL} NOT NULL, "
    "used_kg {REAL} NOT NULL DEFAULT 0, "
    "produced_by {TEXT} REFERENCES custody_transformations (id), record {TEXT} NOT NULL)",
    "CREATE INDEX IF NOT EXISTS custody_batches_produced_by ON custody_batches (produced_by)",
    "CREATE TABLE IF NOT EXISTS custody_inputs ("
    "transformation {TEXT} NOT NULL REFERENCES custody_transformations (id), "
    "batch {TEXT} NOT NULL REFERENCES custody_batches (id), mass_kg {REAL} NOT NULL, "
    "PRIMARY KEY (transformation, batch))",
    "CREATE INDEX IF NOT EXISTS custody_inputs_batch ON custody_inputs (batch)",
)
SCHEMA_VERSION = 1
_USE_SLACK = 1e-9  # relative: "all that is left" computed as a float difference


@dataclass(frozen=True)
class BatchState:
    """A recorded batch, the transformation that produced it and how much of it is used."""

    batch: Batch
    produced_by: str | None
    used_kg: float

    @property
    def remaining_kg(self) -> float:
        return max(self.batch.mass_kg - self.used_kg, 0.0)


def migrate(db: Database) -> None:
    """Create the chain-of-custody tables once."""
    db.migrate(COMPONENT, SCHEMA_VERSION, SCHEMA)


class CustodyStore:
    """Chain-of-custody records in one database (the tables are created on first use)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        migrate(db)

    # --- sites ----------------------------------------------------------------------------

    def add_site(self, site: Site) -> None:
        """Register a site; registering the same definition again is a no-op."""
        with self.db.transaction() as tx:
            self._add_site(tx, site)

    def _add_site(self, tx: Transaction, site: Site) -> None:
        row = tx.execute("SELECT record FROM custody_sites WHERE id = ?", (site.id,)).fetchone()
        if row is not None:
            if Site.model_validate_json(row[0]) != site:
                raise DuplicateRecordError("is registered with a different definition",
                                           item=f"site {site.id}",
                                           allowed="a new site id, or the same definition")
            return
        tx.execute("INSERT INTO custody_sites (id, record) VALUES (?, ?)",
                   (site.id, site.model_dump_json()))

    def site(self, site_id: str) -> Site:
        rows = self.db.query("SELECT record FROM custody_sites WHERE id = ?", (site_id,))
        if not rows:
            raise UnknownRecordError("is not registered", item=f"site {site_id}",
                                     allowed="a site added with add_site or a file's 'sites'")
        return Site.model_validate_json(rows[0][0])

    # --- batches --------------------------------------------------------------------------

    def add_batch(self, batch: Batch, *, actor: str,
                  time: dt.datetime | None = None) -> Event:
        """Record a batch that enters the chain (no recorded transformation produced it).

        Returns
        -------
        Event
            ``custody.batch`` with the batch's site, mass, element contents and
            characteristics.
        """
        moment = time or batch.produced_at or now()
        with self.db.transaction() as tx:
            self._require_site(tx, batch.site)
            self._insert_batches(tx, [batch], produced_by=None)
        return _batch_event(batch, actor=actor, time=moment, produced_by=None)

    def batch_state(self, batch_id: str) -> BatchState:
        rows = self.db.query("SELECT record, produced_by, used_kg FROM custody_batches "
                             "WHERE id = ?", (batch_id,))
        if not rows:
            raise UnknownRecordError("is not recorded", item=f"batch {batch_id}",
                                     allowed="a batch added with add-batch or produced by a "
                                             "recorded transformation")
        record, produced_by, used = rows[0]
        return BatchState(Batch.model_validate_json(record), produced_by, float(used))

    def batch(self, batch_id: str) -> Batch:
        return self.batch_state(batch_id).batch

    def transformation(self, transformation_id: str) -> Transformation:
        rows = self.db.query("SELECT record FROM custody_transformations WHERE id = ?",
                             (transformation_id,))
        if not rows:
            raise UnknownRecordError("is not recorded",
                                     item=f"transformation {transformation_id}")
        return Transformation.model_validate_json(rows[0][0])

    # --- transformations ------------------------------------------------------------------

    def record(self, transformation: Transformation, *, actor: str) -> list[Event]:
        """Record a transformation and its output batches, after checking the mass balance.

        Returns
        -------
        list of Event
            ``custody.transform`` (inputs used, outputs, element balances, own emissions),
            then one ``custody.batch`` per output.

        Raises
        ------
        UnknownRecordError
            An input batch or the site is not recorded.
        DuplicateRecordError
            The transformation id or an output batch id is taken.
        OverConsumptionError
            An input uses more than is left of its batch.
        MassBalanceError
            An element does not balance, or the outputs hold more of it than the inputs.
        """
        with self.db.transaction() as tx:
            site = self._require_site(tx, transformation.site)
            if tx.execute("SELECT 1 FROM custody_transformations WHERE id = ?",
                          (transformation.id,)).fetchone():
                raise DuplicateRecordError("is already recorded",
                                           item=f"transformation {transformation.id}")
            used = self._inputs(tx, transformation)
            balances = element_balances(transformation, used)
            check_balances(transformation, balances)
            emissions = own_emissions(transformation.inventory, site.grid)
            payload_balance = [b.as_dict() for b in balances]
            tx.execute(
                "INSERT INTO custody_transformations (id, kind, site, time, emissions_kgco2e, "
                "balance, record) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (transformation.id, transformation.kind, transformation.site,
                 transformation.time.isoformat(), emissions.total_kgco2e,
                 json.dumps({"elements": payload_balance,
                             "emissions": list(emissions.breakdown)}, allow_nan=False),
                 transformation.model_dump_json()))
            self._insert_batches(tx, transformation.outputs, produced_by=transformation.id)
            tx.executemany("INSERT INTO custody_inputs (transformation, batch, mass_kg) "
                           "VALUES (?, ?, ?)",
                           [(transformation.id, b, m) for b, (_, m) in used.items()])
            tx.executemany("UPDATE custody_batches SET used_kg = used_kg + ? WHERE id = ?",
                           [(m, b) for b, (_, m) in used.items()])
        transform = event(
            "custody.transform", actor=actor, time=transformation.time,
            subject=transformation.id,
            payload={"kind": transformation.kind, "site": transformation.site,
                     "inputs": [{"batch": b, "mass_kg": m} for b, (_, m) in used.items()],
                     "outputs": [{"batch": o.id, "mass_kg": o.mass_kg}
                                 for o in transformation.outputs],
                     "balance": payload_balance, "emissions_kgco2e": emissions.total_kgco2e})
        return [transform, *(_batch_event(o, actor=actor, time=transformation.time,
                                          produced_by=transformation.id)
                             for o in transformation.outputs)]

    def _inputs(self, tx: Transaction,
                transformation: Transformation) -> dict[str, tuple[Batch, float]]:
        """Each input batch and the mass used of it, with the rows locked on PostgreSQL."""
        lock = " FOR UPDATE" if tx.dialect == "postgresql" else ""
        used: dict[str, tuple[Batch, float]] = {}
        for use in transformation.inputs:
            row = tx.execute("SELECT record, mass_kg, used_kg FROM custody_batches WHERE id = ?"
                             + lock, (use.batch,)).fetchone()
            if row is None:
                raise UnknownRecordError(
                    "is not recorded", item=f"transformation {transformation.id}: input "
                                            f"{use.batch}",
                    allowed="batches added with add-batch or produced by a recorded "
                            "transformation")
            mass, already = float(row[1]), float(row[2])
            remaining = mass - already
            wanted = remaining if use.mass_kg is None else use.mass_kg
            if remaining <= _USE_SLACK * mass or wanted > remaining + _USE_SLACK * mass:
                raise OverConsumptionError(
                    f"uses {wanted:.6g} kg of batch {use.batch} but {max(remaining, 0):.6g} kg "
                    f"of its {mass:.6g} kg are left", item=f"transformation {transformation.id}",
                    allowed="at most the mass left of each input batch")
            used[use.batch] = (Batch.model_validate_json(row[0]), min(wanted, remaining))
        return used

    def _require_site(self, tx: Transaction, site_id: str) -> Site:
        row = tx.execute("SELECT record FROM custody_sites WHERE id = ?", (site_id,)).fetchone()
        if row is None:
            raise UnknownRecordError("is not registered", item=f"site {site_id}",
                                     allowed="a site added first (add_site, or 'sites' in the "
                                             "file)")
        return Site.model_validate_json(row[0])

    def _insert_batches(self, tx: Transaction, batches: Sequence[Batch],
                        produced_by: str | None) -> None:
        for batch in batches:
            if tx.execute("SELECT 1 FROM custody_batches WHERE id = ?", (batch.id,)).fetchone():
                raise DuplicateRecordError("is already recorded", item=f"batch {batch.id}",
                                           allowed="a new batch id (records are never "
                                                   "overwritten)")
        self._require_sites(tx, {b.site for b in batches})
        tx.executemany("INSERT INTO custody_batches (id, site, mass_kg, used_kg, produced_by, "
                       "record) VALUES (?, ?, ?, 0, ?, ?)",
                       [(b.id, b.site, b.mass_kg, produced_by, b.model_dump_json())
                        for b in batches])

    def _require_sites(self, tx: Transaction, sites: Iterable[str]) -> None:
        for site in sites:
            self._require_site(tx, site)

    # --- bulk import ----------------------------------------------------------------------

    def import_records(self, sites: Sequence[Site], batches: Sequence[Batch],
                       transformations: Sequence[Transformation]) -> int:
        """Load a whole chain in one transaction (migrations from other systems, benchmarks).

        The same checks as :meth:`record` (sites, unknown and over-used inputs, duplicate ids,
        element balances), done in memory against the batches of this import, so every input
        must be among ``batches`` or the outputs of an earlier transformation in
        ``transformations``. No events are produced: an import is not a custody event.
        Own emissions are stored as zero unless an inventory is given.

        Returns
        -------
        int
            The number of batches written.
        """
        known_sites = {s.id: s for s in sites}
        records: dict[str, Batch] = {}
        remaining: dict[str, float] = {}
        produced: dict[str, str] = {}
        input_rows: list[tuple[str, str, float]] = []
        transformation_rows: list[tuple[Any, ...]] = []
        for batch in batches:
            _new(records, batch)
            remaining[batch.id] = batch.mass_kg
        for transformation in transformations:
            used: dict[str, tuple[Batch, float]] = {}
            for use in transformation.inputs:
                if use.batch not in records:
                    raise UnknownRecordError("is not in this import",
                                             item=f"transformation {transformation.id}: "
                                                  f"input {use.batch}")
                left = remaining[use.batch]
                wanted = left if use.mass_kg is None else use.mass_kg
                mass = records[use.batch].mass_kg
                if left <= _USE_SLACK * mass or wanted > left + _USE_SLACK * mass:
                    raise OverConsumptionError(f"uses {wanted:.6g} kg of batch {use.batch}, "
                                               f"{left:.6g} kg left",
                                               item=f"transformation {transformation.id}")
                used[use.batch] = (records[use.batch], min(wanted, left))
                remaining[use.batch] = left - used[use.batch][1]
                input_rows.append((transformation.id, use.batch, used[use.batch][1]))
            balances = element_balances(transformation, used)
            check_balances(transformation, balances)
            site = known_sites.get(transformation.site)
            emissions = own_emissions(transformation.inventory, site.grid if site else None)
            transformation_rows.append((
                transformation.id, transformation.kind, transformation.site,
                transformation.time.isoformat(), emissions.total_kgco2e,
                json.dumps({"elements": [b.as_dict() for b in balances],
                            "emissions": list(emissions.breakdown)}),
                transformation.model_dump_json()))
            for output in transformation.outputs:
                _new(records, output)
                remaining[output.id] = output.mass_kg
                produced[output.id] = transformation.id
        with self.db.transaction() as tx:
            for site in sites:
                self._add_site(tx, site)
            self._require_sites(tx, {b.site for b in records.values()}
                                | {t.site for t in transformations})
            tx.executemany(
                "INSERT INTO custody_transformations (id, kind, site, time, emissions_kgco2e, "
                "balance, record) VALUES (?, ?, ?, ?, ?, ?, ?)", transformation_rows)
            tx.executemany(
                "INSERT INTO custody_batches (id, site, mass_kg, used_kg, produced_by, record) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(b.id, b.site, b.mass_kg, b.mass_kg - remaining[b.id], produced.get(b.id),
                  b.model_dump_json()) for b in records.values()])
            tx.executemany("INSERT INTO custody_inputs (transformation, batch, mass_kg) "
                           "VALUES (?, ?, ?)", input_rows)
        if self.db.dialect == "postgresql":
            with self.db.transaction() as tx:
                # fresh statistics, or the planner keeps its empty-table plans (sequential scans
                # in the recursive trace) until autovacuum gets round to it
                for table in ("custody_transformations", "custody_batches", "custody_inputs"):
                    tx.execute(f"ANALYZE {table}")
        return len(records)


def _new(records: dict[str, Batch], batch: Batch) -> None:
    if batch.id in records:
        raise DuplicateRecordError("appears twice in the import", item=f"batch {batch.id}")
    records[batch.id] = batch


def _batch_event(batch: Batch, *, actor: str, time: dt.datetime,
                 produced_by: str | None) -> Event:
    return event("custody.batch", actor=actor, time=time, subject=batch.id,
                 payload={"site": batch.site, "mass_kg": batch.mass_kg,
                          "elements": {e: c.fraction for e, c in batch.elements.items()},
                          "characteristics": dict(batch.characteristics),
                          "origin": batch.origin, "produced_by": produced_by})
