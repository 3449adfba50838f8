"""One system: every recorded state change commits together with its signed log entry.

:class:`TraceService` owns one database (opened so that transactions nest, see
:mod:`.database`) and one event log. Each recording operation runs the component's own store
function inside a service transaction, takes the events it returns, signs them with the actor's
key and appends them to the log in that same transaction: a change that cannot be logged is
rolled back, and a log entry never describes a change that did not happen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from valueloop.certify.certificate import issue_certificate, rfc3339
from valueloop.certify.rules import RuleSet
from valueloop.certify.store import StoredCertificate, insert_certificate
from valueloop.certify.store import migrate as migrate_certify
from valueloop.core.db import Database
from valueloop.core.errors import OptionError
from valueloop.custody.ledger import MassBalanceLedger
from valueloop.custody.model import Batch, LedgerScope, Site, Transformation
from valueloop.custody.store import CustodyStore
from valueloop.log.event import LogEntry
from valueloop.log.keys import Signer
from valueloop.log.store import EventLog
from valueloop.passport import store as passports
from valueloop.passport.errors import PassportStateError
from valueloop.passport.files import Passport
from valueloop.trace.database import JoinedDatabase

T = TypeVar("T")
ContractEventKind = Literal["delivery", "takeback"]


@dataclass(frozen=True)
class Recorded(Generic[T]):
    """What a recording operation stored, and the log entries that record it."""

    result: T
    entries: tuple[LogEntry, ...]


class TraceService:
    """Passports, custody, certificates and contract events recorded through one event log.

    Parameters
    ----------
    db
        The database; the service uses a nesting view of its connection (use only the
        service's ``db`` afterwards).
    origin
        The log's name; ``None`` means the only log in the database.
    """

    def __init__(self, db: Database, origin: str | None) -> None:
        self.db = JoinedDatabase.joining(db)
        self.log = EventLog.find(self.db) if origin is None else EventLog.open(self.db, origin)
        passports.migrate(self.db)
        migrate_certify(self.db)
        self.custody = CustodyStore(self.db)
        self.ledger = MassBalanceLedger(self.db)

    @classmethod
    def open(cls, url: str | Path | None, origin: str | None) -> TraceService:
        """A service on the database at ``url`` (see :meth:`Database.open`)."""
        db = JoinedDatabase.open(url)
        try:
            return cls(db, origin)
        except BaseException:
            db.close()
            raise

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> TraceService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _record(self, signer: Signer, change: Callable[[], T],
                events: Callable[[T], Sequence[Mapping[str, Any]]]) -> Recorded[T]:
        """Run ``change`` and log its events, all in one transaction."""
        with self.db.transaction() as tx:
            result = change()
            entries = self.log.append_in(tx, list(events(result)), signer)
        return Recorded(result, tuple(entries))

    # --- passports ------------------------------------------------------------------------

    def create_passport(self, passport: Passport, signer: Signer, *,
                        time: dt.datetime | None = None) -> Recorded[passports.Change]:
        return self._record(signer, lambda: passports.create_passport(
            self.db, passport, actor=signer.name, time=time), _change_events)

    def update_passport(self, identifier: str, passport: Passport, signer: Signer, *,
                        time: dt.datetime | None = None) -> Recorded[passports.Change]:
        return self._record(signer, lambda: passports.update_passport(
            self.db, identifier, passport, actor=signer.name, time=time), _change_events)

    def repurpose_passport(self, identifier: str, successor: Passport, signer: Signer, *,
                           operation: Literal["repurposed", "remanufactured"] = "repurposed",
                           time: dt.datetime | None = None) -> Recorded[passports.Change]:
        return self._record(signer, lambda: passports.succeed_passport(
            self.db, identifier, successor, operation=operation, actor=signer.name, time=time),
            _change_events)

    def recycle_passport(self, identifier: str, signer: Signer, *,
                         time: dt.datetime | None = None) -> Recorded[passports.Change]:
        return self._record(signer, lambda: passports.recycle_passport(
            self.db, identifier, actor=signer.name, time=time), _change_events)

    # --- chain of custody -----------------------------------------------------------------

    def add_site(self, site: Site) -> None:
        """Register a site (reference data, not an event)."""
        self.custody.add_site(site)

    def add_batch(self, batch: Batch, signer: Signer, *,
                  time: dt.datetime | None = None) -> Recorded[dict[str, Any]]:
        return self._record(signer, lambda: self.custody.add_batch(
            batch, actor=signer.name, time=time), lambda event: [event])

    def record_transformation(self, transformation: Transformation,
                              signer: Signer) -> Recorded[list[dict[str, Any]]]:
        return self._record(signer, lambda: self.custody.record(
            transformation, actor=signer.name), lambda events: events)

    def ledger_claim(self, scope: LedgerScope, period: int, signer: Signer, *, batch: str,
                     output_kg: float, qualifying_kg: float | None = None,
                     share: float | None = None, evidence: str = "",
                     time: dt.datetime | None = None) -> Recorded[dict[str, Any]]:
        return self._record(signer, lambda: self.ledger.claim(
            scope, period, batch=batch, output_kg=output_kg, qualifying_kg=qualifying_kg,
            share=share, evidence=evidence, actor=signer.name, time=time), lambda e: [e])

    def ledger_close(self, scope: LedgerScope, period: int, signer: Signer, *,
                     time: dt.datetime | None = None) -> Recorded[dict[str, Any]]:
        return self._record(signer, lambda: self.ledger.close_period(
            scope, period, actor=signer.name, time=time), lambda e: [e])

    # --- certificates ---------------------------------------------------------------------

    def issue_certificate(self, identifier: str, rule_set: RuleSet, signer: Signer, *,
                          time: dt.datetime | None = None) -> Recorded[StoredCertificate]:
        """Check the passport's latest version; if it passes, sign, store and log a certificate.

        Raises
        ------
        PassportStateError
            If the passport is closed (repurposed, remanufactured or recycled).
        NotCertifiableError
            If a rule fails.
        """
        record = passports.get_passport(self.db, identifier)
        if record.status != "active":
            raise PassportStateError(f"the passport is {record.status}; only an active "
                                     "passport is certified", item=identifier)
        certificate, event = issue_certificate(record.passport, rule_set, signer, time=time)
        with self.db.transaction() as tx:
            entry = self.log.append_in(tx, [event], signer)[0]
            stored = StoredCertificate(certificate["certificate"]["id"], event["subject"],
                                       self.log.origin, entry.index, entry.event_id,
                                       certificate)
            insert_certificate(tx, stored)
        return Recorded(stored, (entry,))

    # --- contracts ------------------------------------------------------------------------

    def record_contract_event(self, kind: ContractEventKind, contract: str,
                              payload: Mapping[str, Any], signer: Signer, *,
                              time: dt.datetime | None = None) -> LogEntry:
        """Log a ``contract.delivery`` or ``contract.takeback`` of ``contract`` (its id).

        The event is the state: settlement reads it back from the log.
        """
        if kind not in ("delivery", "takeback"):
            raise OptionError(f"unknown contract event {kind!r}", item="kind",
                              allowed="delivery, takeback")
        event = {"type": f"contract.{kind}", "actor": signer.name,
                 "time": rfc3339(time or dt.datetime.now(dt.UTC)), "subject": contract,
                 "payload": dict(payload)}
        with self.db.transaction() as tx:
            return self.log.append_in(tx, [event], signer)[0]

    # --- checkpoints ----------------------------------------------------------------------

    def checkpoint(self, log_signer: Signer) -> str:
        """Sign and store a checkpoint of the log as it is now (trace answers prove against
        the latest one)."""
        return self.log.checkpoint(log_signer)


def _change_events(change: passports.Change) -> Sequence[Mapping[str, Any]]:
    return change.events
