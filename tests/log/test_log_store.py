"""The log on real SQLite and PostgreSQL: appends, roots, proofs, checkpoints, tampering."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from log_helpers import LOG_KEY, REFINER, SMELTER, WITNESS, event

from valueloop.core.db import Database
from valueloop.log import EventError, EventLog, LogError, cosign, verify_store
from valueloop.log.canonical import CanonicalJSONError
from valueloop.log.keys import COSIGNATURE_V1
from valueloop.log.merkle import MemoryTree, leaf_hash, verify_consistency, verify_inclusion

ORIGIN = "example.com/log"


def test_appends_roots_and_every_proof_agree_with_an_in_memory_tree(database_url: str) -> None:
    with Database.open(database_url) as db:
        assert db.dialect == ("sqlite" if database_url.endswith(".db") else "postgresql")
        log = EventLog.open(db, ORIGIN)
        assert log.size == 0 and log.root() == MemoryTree([]).root()
        first = [log.append(event(i), SMELTER) for i in range(5)]
        more = log.append_many([event(i, REFINER) for i in range(5, 37)], REFINER)
        assert [e.index for e in first + more] == list(range(37))
        tree = MemoryTree([leaf_hash(e.data) for e in log.entries()])
        for n in range(38):
            assert log.root(n) == tree.root(n)
            for m in range(n):
                proof = log.inclusion_proof(m, n)
                verify_inclusion(m, n, leaf_hash(log.entry(m).data), proof.hashes, tree.root(n))
            for m in range(n + 1):
                proof = log.consistency_proof(m, n)
                verify_consistency(m, n, tree.root(m), tree.root(n), proof.hashes)
        assert log.entry(3).event == event(3)
        assert log.find_event(first[2].event_id) == [first[2]]


def test_reopened_log_keeps_everything_and_checkpoints_verify(database_url: str) -> None:
    with Database.open(database_url) as db:
        log = EventLog.open(db, ORIGIN)
        log.append_many([event(i) for i in range(10)], SMELTER)
        note = log.checkpoint(LOG_KEY)
        log.record_checkpoint(cosign(note, WITNESS, timestamp=1_800_000_000),
                              [LOG_KEY.verifier(), WITNESS.verifier(COSIGNATURE_V1)])
        root = log.root()
    with Database.open(database_url) as db:
        log = EventLog.find(db)
        assert (log.origin, log.size, log.root()) == (ORIGIN, 10, root)
        report = verify_store(log)
        assert report.ok, report.problems
        assert (report.checkpoints, report.cosignatures, report.covered) == (2, 1, 10)


def test_bad_events_are_refused_whole_and_named(database_url: str) -> None:
    with Database.open(database_url) as db:
        log = EventLog.open(db, ORIGIN)
        cases = [({**event(1), "time": "2026-11-22 10:00"}, EventError, r"event\.time"),
                 ({**event(1), "extra": 1}, EventError, r"event\.extra"),
                 ({**event(1), "type": "Transform"}, EventError, r"event\.type"),
                 (event(1, mass_t=float("nan")), CanonicalJSONError,
                  r"event\.payload\.mass_t"),
                 (event(1, REFINER), EventError, "cannot be signed by key")]
        for bad, error, message in cases:
            with pytest.raises(error, match=message):
                log.append(bad, SMELTER)
        with pytest.raises(CanonicalJSONError, match=r"\[1\] event\.payload\.big"):
            log.append_many([event(0), event(1, big=2**60)], SMELTER)
        assert log.size == 0
        with pytest.raises(LogError, match="outside the log"):
            log.inclusion_proof(0, 1)
        with pytest.raises(LogError, match="no log called"):
            EventLog.find(db, "other")


def test_two_logs_in_one_database_are_independent(database_url: str) -> None:
    with Database.open(database_url) as db:
        a, b = EventLog.open(db, "example.com/a"), EventLog.open(db, "example.com/b")
        a.append(event(0), SMELTER)
        b.append_many([event(1), event(2)], SMELTER)
        assert (a.size, b.size) == (1, 2)
        with pytest.raises(LogError, match="several logs"):
            EventLog.find(db)
        assert verify_store(a).ok and verify_store(b).ok


TABLES = {"entry data": ("log_entries", "data", "idx"),
          "leaf hash": ("log_entries", "leaf_hash", "idx"),
          "subtree hash": ("log_nodes", "hash", "level = 1 AND idx")}


@pytest.mark.parametrize("column", list(TABLES))
def test_flipping_any_stored_byte_fails_verification_and_names_the_entry(
        database_url: str, column: str) -> None:
    table, field, where = TABLES[column]
    with Database.open(database_url) as db:
        log = EventLog.open(db, ORIGIN)
        log.append_many([event(i) for i in range(12)], SMELTER)
        log.checkpoint(LOG_KEY)
        assert verify_store(log).ok

        @settings(max_examples=15, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture])
        @given(st.data())
        def flip(data: st.DataObject) -> None:
            row = data.draw(st.integers(0, 11 if table == "log_entries" else 5), label="row")
            (value,) = db.query(f"SELECT {field} FROM {table} WHERE log_id = ? AND {where} = ?",
                                (log.id, row))[0]
            value = bytes(value)
            position = data.draw(st.integers(0, len(value) - 1), label="byte")
            bit = data.draw(st.integers(0, 7), label="bit")
            damaged = bytearray(value)
            damaged[position] ^= 1 << bit
            _write(db, table, field, where, log.id, row, bytes(damaged))
            try:
                report = verify_store(log)
            finally:
                _write(db, table, field, where, log.id, row, value)
            expected = row if table == "log_entries" else 2 * row  # level 1 covers 2 entries
            assert not report.ok
            assert report.first_bad_entry == expected, report.problems

        flip()
        assert verify_store(log).ok


def _write(db: Database, table: str, field: str, where: str, log_id: int, row: int,
           value: bytes) -> None:
    with db.transaction() as tx:
        tx.execute(f"UPDATE {table} SET {field} = ? WHERE log_id = ? AND {where} = ?",
                   (value, log_id, row))
