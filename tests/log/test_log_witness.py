"""The stateful witness (C2SP tlog-witness) on real SQLite and PostgreSQL, and its CLI.

Logs under test are real :class:`EventLog` instances (in-memory SQLite); the witness keeps its
state in the database of the ``database_url`` fixture. A fork is two logs with the same origin
and key whose histories diverge after a shared prefix.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from log_helpers import LOG_KEY, REFINER, SMELTER, WITNESS, event

from valueloop.cli import run
from valueloop.core.db import Database
from valueloop.log import EventLog, cosign, open_checkpoint
from valueloop.log.keys import COSIGNATURE_V1, Signer, VerifierKey, read_verifier_keys
from valueloop.log.witness import (
    BadLogSignatureError,
    EquivocationError,
    OldSizeMismatchError,
    ProofRefusedError,
    RollbackError,
    UnknownLogKeyError,
    Witness,
    WitnessRefusedError,
    WitnessState,
    format_proof,
    parse_proof,
)

ORIGIN = "example.com/log"
LOG_KEYS = [LOG_KEY.verifier()]
T0 = 1_790_000_000


@pytest.fixture
def witness_db(database_url: str) -> Iterator[Database]:
    with Database.open(database_url) as db:
        yield db


def new_log(*event_numbers: int) -> EventLog:
    """A fresh in-memory log with the events numbered ``event_numbers``."""
    log = EventLog.open(Database.open("sqlite://:memory:"), ORIGIN)
    grow(log, *event_numbers)
    return log


def grow(log: EventLog, *event_numbers: int) -> None:
    if event_numbers:
        log.append_many([event(i) for i in event_numbers], SMELTER)


def submit(witness: Witness, log: EventLog, note: str, old: int, *,
           timestamp: int = T0) -> str:
    """Send ``note`` with the log's own consistency proof from ``old`` to the note's size."""
    size = int(note.split("\n")[1])
    hashes = log.consistency_proof(old, size).hashes if 0 < old <= size else ()
    return witness.add_checkpoint(note, LOG_KEYS, old, hashes, timestamp=timestamp)


def test_cosigns_three_growing_checkpoints(witness_db: Database) -> None:
    log, witness = new_log(0, 1, 2), Witness(witness_db, WITNESS)
    first = log.checkpoint(LOG_KEY)
    line = submit(witness, log, first, 0)
    assert line.startswith("\u2014 witness.example/w1 ") and line.endswith("\n")
    cosigned = open_checkpoint(first + line, [*LOG_KEYS, WITNESS.verifier(COSIGNATURE_V1)],
                               witnesses_needed=1)
    assert cosigned.cosigners == ((WITNESS.verifier(COSIGNATURE_V1).label, T0),)
    # the stateless building block makes the same signature for the same time
    assert cosign(first, WITNESS, timestamp=T0) == first + line

    grow(log, 3, 4, 5, 6)
    second = log.checkpoint(LOG_KEY)
    submit(witness, log, second, 3, timestamp=T0 + 60)
    grow(log, 7)
    third = log.checkpoint(LOG_KEY)
    line = submit(witness, log, third, 7, timestamp=T0 + 120)
    assert witness.state(ORIGIN) == WitnessState(ORIGIN, 8, log.root(8), third, T0 + 120)
    # the cosigned checkpoint is one the log itself accepts back
    log.record_checkpoint(third + line, [*LOG_KEYS, WITNESS.verifier(COSIGNATURE_V1)])
    # the same checkpoint again (same size, same root) is cosigned again
    submit(witness, log, third, 8, timestamp=T0 + 180)
    assert witness.state(ORIGIN).size == 8  # type: ignore[union-attr]
    assert [s.origin for s in witness.states()] == [ORIGIN]


def test_a_fork_is_refused_at_its_second_checkpoint(witness_db: Database) -> None:
    honest, fork = new_log(0, 1, 2), new_log(0, 1, 100)  # same origin and key, diverge at 2
    witness = Witness(witness_db, WITNESS)
    submit(witness, honest, honest.checkpoint(LOG_KEY), 0)
    seen = witness.state(ORIGIN)

    with pytest.raises(EquivocationError, match="different root at size 3"):
        submit(witness, fork, fork.checkpoint(LOG_KEY), 3)
    grow(fork, 101)
    with pytest.raises(ProofRefusedError, match="from size 3 to 4"):
        submit(witness, fork, fork.checkpoint(LOG_KEY), 3)
    assert witness.state(ORIGIN) == seen
    grow(honest, 3)
    submit(witness, honest, honest.checkpoint(LOG_KEY), 3)  # the honest log goes on


def test_a_rollback_is_refused(witness_db: Database) -> None:
    log, witness = new_log(0, 1, 2), Witness(witness_db, WITNESS)
    old = log.checkpoint(LOG_KEY)
    grow(log, 3, 4)
    submit(witness, log, log.checkpoint(LOG_KEY), 0)
    seen = witness.state(ORIGIN)
    for old_size in (5, 3):
        with pytest.raises(RollbackError, match="size 3 is below size 5"):
            submit(witness, log, old, old_size)
    assert witness.state(ORIGIN) == seen


def test_a_tampered_proof_is_refused(witness_db: Database) -> None:
    log, witness = new_log(*range(5)), Witness(witness_db, WITNESS)
    submit(witness, log, log.checkpoint(LOG_KEY), 0)
    seen = witness.state(ORIGIN)
    grow(log, *range(5, 13))
    note = log.checkpoint(LOG_KEY)
    hashes = list(log.consistency_proof(5, 13).hashes)
    flipped = [hashes[0][:-1] + bytes([hashes[0][-1] ^ 1]), *hashes[1:]]
    for bad in (flipped, hashes[:-1], [*hashes, hashes[0]], [], list(reversed(hashes))):
        with pytest.raises(ProofRefusedError):
            witness.add_checkpoint(note, LOG_KEYS, 5, bad, timestamp=T0)
    with pytest.raises(ProofRefusedError, match="32 bytes"):
        witness.add_checkpoint(note, LOG_KEYS, 5, [b"short"], timestamp=T0)
    assert witness.state(ORIGIN) == seen
    witness.add_checkpoint(note, LOG_KEYS, 5, hashes, timestamp=T0)
    assert witness.state(ORIGIN).size == 13  # type: ignore[union-attr]


def test_other_refusals_name_their_reason(witness_db: Database) -> None:
    log, witness = new_log(0, 1), Witness(witness_db, WITNESS)
    note = log.checkpoint(LOG_KEY)
    with pytest.raises(UnknownLogKeyError, match=r"signed by: example\.com/log"):
        witness.add_checkpoint(note, [REFINER.verifier()], 0, (), timestamp=T0)
    with pytest.raises(UnknownLogKeyError):  # a witness key is not a log key
        witness.add_checkpoint(note, [LOG_KEY.verifier(COSIGNATURE_V1)], 0, ())
    forged = note.replace(f"\n2\n{note.split(chr(10))[2]}", "\n3\n" + note.split("\n")[2])
    with pytest.raises(BadLogSignatureError, match="does not verify"):
        witness.add_checkpoint(forged, LOG_KEYS, 0, (), timestamp=T0)
    with pytest.raises(WitnessRefusedError, match="blank line"):
        witness.add_checkpoint("example.com/log\n2\n", LOG_KEYS, 0, (), timestamp=T0)
    with pytest.raises(OldSizeMismatchError, match="old size 1 is not the witness's size 0") \
            as conflict:
        witness.add_checkpoint(note, LOG_KEYS, 1, log.consistency_proof(1, 2).hashes)
    assert conflict.value.current_size == 0
    with pytest.raises(ProofRefusedError, match="first checkpoint"):
        witness.add_checkpoint(note, LOG_KEYS, 0, log.consistency_proof(1, 2).hashes)
    assert witness.state(ORIGIN) is None
    submit(witness, log, note, 0)
    grow(log, 2)
    with pytest.raises(OldSizeMismatchError) as conflict:
        submit(witness, log, log.checkpoint(LOG_KEY), 1)
    assert conflict.value.current_size == 2
    assert issubclass(OldSizeMismatchError, WitnessRefusedError)


def test_the_state_survives_reopening_and_is_per_witness_key(database_url: str) -> None:
    log = new_log(0, 1, 2)
    with Database.open(database_url) as db:
        submit(Witness(db, WITNESS), log, log.checkpoint(LOG_KEY), 0)
    grow(log, 3)
    note = log.checkpoint(LOG_KEY)
    with Database.open(database_url) as db:
        witness = Witness(db, WITNESS)
        assert witness.state(ORIGIN).size == 3  # type: ignore[union-attr]
        with pytest.raises(OldSizeMismatchError):
            submit(witness, log, note, 0)  # it remembers: a first checkpoint again is refused
        submit(witness, log, note, 3)
        # a second witness key in the same database keeps its own state
        other = Witness(db, Signer.from_private_bytes("witness.example/w2", bytes(32)))
        assert other.state(ORIGIN) is None
        submit(other, log, note, 0)
    with Database.open(database_url) as db:
        assert Witness(db, WITNESS).state(ORIGIN).size == 4  # type: ignore[union-attr]


@settings(max_examples=25, deadline=None)
@given(shared=st.integers(0, 6), honest_extra=st.integers(1, 6), fork_extra=st.integers(1, 6),
       first_honest=st.booleans())
def test_never_cosigns_both_sides_of_a_fork(shared: int, honest_extra: int, fork_extra: int,
                                            first_honest: bool) -> None:
    honest = new_log(*range(shared + honest_extra))
    fork = new_log(*range(shared), *range(100, 100 + fork_extra))
    with Database.open("sqlite://:memory:") as db:
        witness = Witness(db, WITNESS)
        logs = (honest, fork) if first_honest else (fork, honest)
        submit(witness, logs[0], logs[0].checkpoint(LOG_KEY), 0)
        seen = witness.state(ORIGIN)
        assert seen is not None
        second = logs[1]
        note = second.checkpoint(LOG_KEY)
        old = seen.size if seen.size <= second.size else second.size
        with pytest.raises(WitnessRefusedError):
            submit(witness, second, note, old)
        assert witness.state(ORIGIN) == seen


def test_proof_file_round_trip() -> None:
    hashes = (bytes(32), bytes(range(32)))
    text = format_proof(7, hashes)
    assert text.startswith("old 7\n")
    assert parse_proof(text) == (7, hashes)
    assert parse_proof(text + "\nexample.com/log\n9\n...\n") == (7, hashes)  # request body
    for bad in ("", "old 07\n", "size 7\n", "old 7\nnot base64\n", "old 7\nAAAA\n"):
        with pytest.raises(ProofRefusedError):
            parse_proof(bad)


def invoke(capsys: pytest.CaptureFixture[str], *argv: str | Path,
           expect: int = 0) -> tuple[str, str]:
    status = run([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert status == expect, f"exit {status} (expected {expect})\n{out}\n{err}"
    assert "Traceback" not in err
    return out, err


def test_cli_witness(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db, wdb = tmp_path / "log.db", tmp_path / "witness.db"
    for name, file in [("example.com/smelter", "s.key"), (ORIGIN, "log.key"),
                       ("witness.example/w1", "w.key")]:
        invoke(capsys, "log", "keygen", name, "--out", tmp_path / file)
    invoke(capsys, "log", "init", "--db", db, "--origin", ORIGIN)
    events = tmp_path / "events.json"

    def append(*numbers: int) -> None:
        events.write_text(json.dumps([event(i) for i in numbers]), encoding="utf-8")
        invoke(capsys, "log", "append", "--db", db, "--key", tmp_path / "s.key", events)

    def checkpoint(name: str) -> Path:
        invoke(capsys, "log", "checkpoint", "--db", db, "--key", tmp_path / "log.key",
               "--out", tmp_path / name)
        return tmp_path / name

    witness = ["log", "witness", "--db", wdb, "--key", tmp_path / "w.key", "--log-key",
               tmp_path / "log.key.pub"]
    append(0, 1, 2)
    first = checkpoint("cp1.txt")
    out, _ = invoke(capsys, *witness, first)
    assert out.startswith("\u2014 witness.example/w1 ")
    append(3, 4)
    second = checkpoint("cp2.txt")
    _, err = invoke(capsys, *witness, second, expect=2)
    assert "OldSizeMismatchError" in err and "witness's size 3" in err
    proof = tmp_path / "proof.txt"
    invoke(capsys, "log", "consistency", "--db", db, "--old", 3, "--out", proof)
    assert proof.read_text(encoding="utf-8").startswith("old 3\n")
    invoke(capsys, *witness, second, "--proof", proof, "--out", tmp_path / "cosigned.txt")
    # the CLI made its own keys; the witness's public key is used as a cosigner (type 0x04)
    witness_key = read_verifier_keys(tmp_path / "w.key.pub")[0]
    keys = [*read_verifier_keys(tmp_path / "log.key.pub"),
            VerifierKey(witness_key.name, COSIGNATURE_V1, witness_key.public_key)]
    head = open_checkpoint((tmp_path / "cosigned.txt").read_text(encoding="utf-8"), keys,
                           witnesses_needed=1)
    assert head.checkpoint.size == 5

    _, err = invoke(capsys, *witness, first, expect=2)
    assert "RollbackError" in err and "cp1.txt" in err
    append(5)
    third = checkpoint("cp3.txt")
    invoke(capsys, "log", "consistency", "--db", db, "--old", 5, "--out", tmp_path / "p2.txt")
    _, err = invoke(capsys, *witness, third, "--proof", proof, expect=2)
    assert "OldSizeMismatchError" in err  # a proof from 3 while the witness is at 5
    bad = tmp_path / "p2.txt"
    text = bad.read_text(encoding="utf-8").splitlines()
    text[1] = ("B" if text[1][0] != "B" else "C") + text[1][1:]
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    _, err = invoke(capsys, *witness, third, "--proof", bad, expect=2)
    assert "ProofRefusedError" in err and "p2.txt" in err
