"""Passports on :class:`valueloop.core.db.Database`: every change is a new, kept version.

Statuses: ``active`` (the only one that accepts updates), ``repurposed`` and ``remanufactured``
(superseded by a successor passport that links back to it, Art. 77(7) of Regulation (EU)
2023/1542), ``recycled`` (closed). Art. 77(8) says the passport "ceases to exist" after
recycling; we close it but keep every version readable, because Art. 78(e) asks that passports
stay available and an audit trail needs the history (reference note §1.3).

Each function that changes something returns a :class:`Change`: the new record and the events
(in the shared envelope of :mod:`.events`) to append to the event log.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from valueloop.core.db import Database, Transaction
from valueloop.passport.errors import (
    PassportContentError,
    PassportNotFoundError,
    PassportStateError,
)
from valueloop.passport.events import content_hash, event, rfc3339
from valueloop.passport.files import Passport, parse_passport
from valueloop.passport.identifiers import parse_identifier

Status = Literal["active", "repurposed", "remanufactured", "recycled"]
COMPONENT, SCHEMA_VERSION = "passport", 1
_TABLES = [
    "CREATE TABLE IF NOT EXISTS passport_versions ("
    " id {ID}, identifier {TEXT} NOT NULL, version INTEGER NOT NULL, kind {TEXT} NOT NULL,"
    " status {TEXT} NOT NULL, predecessor {TEXT}, actor {TEXT} NOT NULL,"
    " recorded {TEXT} NOT NULL, sha256 {TEXT} NOT NULL, body {TEXT} NOT NULL,"
    " UNIQUE (identifier, version))",
]
_COLUMNS = "identifier, version, kind, status, predecessor, actor, recorded, body"


@dataclass(frozen=True)
class PassportRecord:
    """One stored version of a passport."""

    identifier: str
    version: int
    kind: str
    status: Status
    predecessor: str | None
    actor: str
    recorded: str
    passport: Passport


@dataclass(frozen=True)
class Change:
    """What a store operation did: the record it wrote and the events to log."""

    record: PassportRecord
    events: tuple[dict[str, Any], ...]


def open_store(url: str | None = None) -> Database:
    """Open the database at ``url`` (default ``$VALUELOOP_DB`` or ``./valueloop.db``), migrated."""
    db = Database.open(url)
    migrate(db)
    return db


def migrate(db: Database) -> None:
    db.migrate(COMPONENT, SCHEMA_VERSION, _TABLES)


def _body(passport: Passport) -> dict[str, Any]:
    return passport.model_dump(mode="json", by_alias=True, exclude_none=True)


def _latest(tx: Transaction | Database, identifier: str) -> PassportRecord | None:
    sql = (f"SELECT {_COLUMNS} FROM passport_versions WHERE identifier = ? "
           "ORDER BY version DESC LIMIT 1")
    rows = (tx.execute(sql, (identifier,)).fetchall() if isinstance(tx, Transaction)
            else tx.query(sql, (identifier,)))
    return _record(rows[0]) if rows else None


def _record(row: Sequence[Any]) -> PassportRecord:
    identifier, version, kind, status, predecessor, actor, recorded, body = row
    return PassportRecord(identifier, int(version), kind, status, predecessor, actor, recorded,
                          parse_passport(json.loads(body), source=f"stored {identifier}"))


def _insert(tx: Transaction, passport: Passport, *, version: int, status: Status,
            predecessor: str | None, actor: str, recorded: str) -> tuple[PassportRecord, str]:
    body = _body(passport)
    digest = content_hash(body)
    tx.execute("INSERT INTO passport_versions (identifier, version, kind, status, predecessor,"
               " actor, recorded, sha256, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (passport.identifier, version, passport.kind, status, predecessor, actor,
                recorded, digest, json.dumps(body, ensure_ascii=False, allow_nan=False)))
    return PassportRecord(passport.identifier, version, passport.kind, status, predecessor,
                          actor, recorded, passport), digest


def create_passport(db: Database, passport: Passport, *, actor: str,
                    time: datetime | None = None) -> Change:
    """Store version 1 of a new passport (``passport.create``)."""
    with db.transaction() as tx:
        return _create(tx, passport, actor=actor, recorded=rfc3339(time), predecessor=None)


def _create(tx: Transaction, passport: Passport, *, actor: str, recorded: str,
            predecessor: str | None) -> Change:
    if _latest(tx, passport.identifier) is not None:
        raise PassportStateError("a passport with this identifier exists already",
                                 item=passport.identifier,
                                 allowed="a new identifier (use update for a new version)")
    record, digest = _insert(tx, passport, version=1, status="active", predecessor=predecessor,
                             actor=actor, recorded=recorded)
    payload: dict[str, Any] = {"version": 1, "kind": passport.kind, "sha256": digest}
    if predecessor is not None:
        payload["predecessor"] = predecessor
    return Change(record, (event("create", actor=actor, time=recorded,
                                 subject=passport.identifier, payload=payload),))


def _active(tx: Transaction, identifier: str) -> PassportRecord:
    current = _latest(tx, str(parse_identifier(identifier)))
    if current is None:
        raise PassportNotFoundError("no passport has this identifier", item=identifier)
    if current.status != "active":
        raise PassportStateError(f"the passport is {current.status} and can no longer change",
                                 item=identifier, allowed="changes to active passports")
    return current


def update_passport(db: Database, identifier: str, passport: Passport, *, actor: str,
                    time: datetime | None = None) -> Change:
    """Store ``passport`` as the next version of ``identifier`` (``passport.update``)."""
    recorded = rfc3339(time)
    with db.transaction() as tx:
        current = _active(tx, identifier)
        if passport.identifier != current.identifier or passport.kind != current.kind:
            raise PassportContentError(
                f"the file describes {passport.kind} passport {passport.identifier}",
                item="identifier", allowed=f"{current.kind} passport {current.identifier}")
        record, digest = _insert(tx, passport, version=current.version + 1, status="active",
                                 predecessor=current.predecessor, actor=actor, recorded=recorded)
    return Change(record, (event("update", actor=actor, time=recorded, subject=record.identifier,
                                 payload={"version": record.version, "sha256": digest}),))


def succeed_passport(db: Database, identifier: str, successor: Passport, *,
                     operation: Literal["repurposed", "remanufactured"], actor: str,
                     time: datetime | None = None) -> Change:
    """Close ``identifier`` as repurposed or remanufactured and create ``successor`` linked to it.

    Returns the successor's record; the events are the old passport's ``passport.repurpose`` (or
    ``passport.remanufacture``) and the successor's ``passport.create``.
    """
    recorded = rfc3339(time)
    verb = "repurpose" if operation == "repurposed" else "remanufacture"
    with db.transaction() as tx:
        current = _active(tx, identifier)
        if successor.kind != current.kind:
            raise PassportContentError(f"the successor is a {successor.kind} passport",
                                       item="kind", allowed=current.kind)
        _, digest = _insert(tx, current.passport, version=current.version + 1, status=operation,
                            predecessor=current.predecessor, actor=actor, recorded=recorded)
        created = _create(tx, successor, actor=actor, recorded=recorded,
                          predecessor=current.identifier)
    closing = event(verb, actor=actor, time=recorded, subject=current.identifier,
                    payload={"version": current.version + 1, "sha256": digest,
                             "successor": successor.identifier})
    return Change(created.record, (closing, *created.events))


def recycle_passport(db: Database, identifier: str, *, actor: str,
                     time: datetime | None = None) -> Change:
    """Close the passport after recycling; it stays archived and readable (``passport.recycle``)."""
    recorded = rfc3339(time)
    with db.transaction() as tx:
        current = _active(tx, identifier)
        record, digest = _insert(tx, current.passport, version=current.version + 1,
                                 status="recycled", predecessor=current.predecessor,
                                 actor=actor, recorded=recorded)
    return Change(record, (event("recycle", actor=actor, time=recorded, subject=record.identifier,
                                 payload={"version": record.version, "sha256": digest}),))


def get_passport(db: Database, identifier: str, version: int | None = None) -> PassportRecord:
    """The latest version of ``identifier`` (or version ``version``), whatever its status."""
    key = str(parse_identifier(identifier))
    if version is None:
        found = _latest(db, key)
    else:
        rows = db.query(f"SELECT {_COLUMNS} FROM passport_versions "
                        "WHERE identifier = ? AND version = ?", (key, version))
        found = _record(rows[0]) if rows else None
    if found is None:
        raise PassportNotFoundError("no passport has this identifier"
                                    + (f" and version {version}" if version else ""),
                                    item=identifier)
    return found


def passport_history(db: Database, identifier: str) -> list[PassportRecord]:
    """Every version of ``identifier``, oldest first."""
    rows = db.query(f"SELECT {_COLUMNS} FROM passport_versions WHERE identifier = ? "
                    "ORDER BY version", (str(parse_identifier(identifier)),))
    if not rows:
        raise PassportNotFoundError("no passport has this identifier", item=identifier)
    return [_record(r) for r in rows]


def list_passports(db: Database) -> list[PassportRecord]:
    """The latest version of every passport, by identifier."""
    rows = db.query(f"SELECT {_COLUMNS} FROM passport_versions AS p WHERE version = "
                    "(SELECT MAX(version) FROM passport_versions AS q"
                    " WHERE q.identifier = p.identifier) ORDER BY identifier")
    return [_record(r) for r in rows]
