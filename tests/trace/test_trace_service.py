"""The trace service on SQLite and PostgreSQL: record, certify, trace, verify; rollback."""

from __future__ import annotations

import json
from typing import Any

import pytest
from trace_data import ORIGIN, RULES, TIME, copper_passport, keys

from valueloop.certify import load_rule_set
from valueloop.log.keys import Signer
from valueloop.passport.errors import PassportNotFoundError
from valueloop.passport.store import get_passport
from valueloop.trace import TraceService, trace, verify_trace

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def certified(url: str) -> tuple[TraceService, dict[str, Signer], str]:
    """A service holding one copper passport with one certificate under a checkpoint."""
    service = TraceService.open(url, ORIGIN)
    signers = keys()
    passport = copper_passport()
    service.create_passport(passport, signers["refinery"], time=TIME)
    service.issue_certificate(passport.identifier, load_rule_set(RULES), signers["certifier"],
                              time=TIME)
    service.checkpoint(signers["log"])
    return service, signers, passport.identifier


def test_created_certified_traced_and_verified(database_url: str) -> None:
    service, signers, identifier = certified(database_url)
    with service:
        answer = trace(service.db, service.log, identifier)
        by_url = trace(service.db, service.log,
                       "https://id.example.org/passport/LA/VLOOP/CATH-2026-0001")
        assert by_url == answer
        assert answer["passport"]["status"] == "active"
        assert answer["passport"]["public"]["conductivityIacs"] == 101.0
        assert [c["certificate"]["certificate"]["rule_set"]["id"]
                for c in answer["certificates"]] == [RULES]
        assert answer["pending"] == [] and answer["withheld"] == []
        # passport.create (0) then certificate.issue (1); the checkpoint covers both
        assert answer["certificates"][0]["entry"]["index"] == 1
        log_key = signers["log"].verifier()
        result = verify_trace(json.loads(json.dumps(answer)), [log_key])
        assert result.valid and result.certificates == 1, result.problems
        other = verify_trace(answer, [Signer.generate(ORIGIN).verifier()])
        assert not other.valid and other.problems[0].startswith("checkpoint:")


def test_certificate_after_the_checkpoint_is_pending(database_url: str) -> None:
    service, signers, identifier = certified(database_url)
    with service:
        later = service.issue_certificate(identifier, load_rule_set(RULES),
                                          signers["certifier"], time=TIME.replace(hour=11))
        answer = trace(service.db, service.log, identifier)
        assert [p["id"] for p in answer["pending"]] == [later.result.id]
        assert verify_trace(answer, [signers["log"].verifier()]).valid
        service.checkpoint(signers["log"])
        again = trace(service.db, service.log, identifier)
        assert len(again["certificates"]) == 2 and again["pending"] == []
        assert verify_trace(again, [signers["log"].verifier()]).certificates == 2


def test_a_failed_log_append_rolls_the_change_back(database_url: str) -> None:
    service = TraceService.open(database_url, ORIGIN)
    signers = keys()
    with service:
        # Damage the log the way a competing writer or a corrupt table would: the next entry's
        # index is taken, so the append inside the passport's transaction fails.
        with service.db.transaction() as tx:
            tx.execute("INSERT INTO log_entries (log_id, idx, event_id, leaf_hash, data) "
                       "VALUES (?, 0, 'x', ?, ?)", (service.log.id, b"0" * 32, b"{}"))
        with pytest.raises(Exception):  # noqa: B017 (the database's own integrity error)
            service.create_passport(copper_passport(), signers["refinery"], time=TIME)
        with pytest.raises(PassportNotFoundError):
            get_passport(service.db, "LA:VLOOP:CATH-2026-0001")
        assert service.log.size == 0
        rows = service.db.query("SELECT COUNT(*) FROM log_entries WHERE log_id = ?",
                                (service.log.id,))
        assert rows[0][0] == 1  # only the planted row


def test_passport_lifecycle_is_logged(database_url: str) -> None:
    with TraceService.open(database_url, ORIGIN) as service:
        signer = keys()["refinery"]
        passport = copper_passport()
        service.create_passport(passport, signer, time=TIME)
        service.update_passport(passport.identifier, passport, signer, time=TIME)
        successor = copper_passport("LA:VLOOP:ROD-2026-0001")
        service.repurpose_passport(passport.identifier, successor, signer, time=TIME)
        service.recycle_passport(successor.identifier, signer, time=TIME)
        kinds = [(e.event["type"], e.event["subject"]) for e in service.log.entries()]
        assert kinds == [("passport.create", passport.identifier),
                         ("passport.update", passport.identifier),
                         ("passport.repurpose", passport.identifier),
                         ("passport.create", successor.identifier),
                         ("passport.recycle", successor.identifier)]
        answer: dict[str, Any] = trace(service.db, service.log, successor.identifier)
        assert answer["passport"]["status"] == "recycled"
        assert answer["passport"]["predecessor"] == passport.identifier
