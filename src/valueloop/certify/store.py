"""Issued certificates in the database, each with the log entry that records it.

Table ``certify_certificates`` (component ``certify``): the certificate id, its subject (the
passport identifier), the log and entry index of its ``certificate.issue`` event, and the signed
record as JSON. The record is also the event's payload, so the table is an index into the log
that a trace query can answer from without scanning the log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from valueloop.core.db import Database, Transaction
from valueloop.core.errors import UserInputError

COMPONENT, SCHEMA_VERSION = "certify", 1
SCHEMA = [
    "CREATE TABLE IF NOT EXISTS certify_certificates (id {TEXT} PRIMARY KEY, "
    "subject {TEXT} NOT NULL, log_origin {TEXT} NOT NULL, log_index {BIGINT} NOT NULL, "
    "event_id {TEXT} NOT NULL, record {TEXT} NOT NULL)",
    "CREATE INDEX IF NOT EXISTS certify_certificates_subject ON certify_certificates (subject)",
]


class DuplicateCertificateError(UserInputError):
    """A certificate whose id is stored already (the same check, issued twice)."""


@dataclass(frozen=True)
class StoredCertificate:
    """A certificate and where the log records it."""

    id: str
    subject: str
    log_origin: str
    log_index: int
    event_id: str
    record: dict[str, Any]


def migrate(db: Database) -> None:
    db.migrate(COMPONENT, SCHEMA_VERSION, SCHEMA)


def insert_certificate(tx: Transaction, certificate: StoredCertificate) -> None:
    """Store ``certificate`` in the caller's transaction (with its log entry)."""
    if tx.execute("SELECT 1 FROM certify_certificates WHERE id = ?",
                  (certificate.id,)).fetchone():
        raise DuplicateCertificateError("is issued already", item=certificate.id,
                                        allowed="a new check (another time or rule set)")
    tx.execute("INSERT INTO certify_certificates (id, subject, log_origin, log_index, "
               "event_id, record) VALUES (?, ?, ?, ?, ?, ?)",
               (certificate.id, certificate.subject, certificate.log_origin,
                certificate.log_index, certificate.event_id,
                json.dumps(certificate.record, ensure_ascii=False, allow_nan=False)))


def certificates_of(db: Database, subject: str) -> list[StoredCertificate]:
    """Every stored certificate of ``subject``, in log order."""
    rows = db.query("SELECT id, subject, log_origin, log_index, event_id, record "
                    "FROM certify_certificates WHERE subject = ? ORDER BY log_index", (subject,))
    return [StoredCertificate(str(r[0]), str(r[1]), str(r[2]), int(r[3]), str(r[4]),
                              json.loads(r[5])) for r in rows]
