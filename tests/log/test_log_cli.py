"""``valueloop log`` end to end, in-process: keys, appends, proofs, checkpoints, verify."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from log_helpers import event

from valueloop.cli import run
from valueloop.log.checkpoint import Checkpoint, open_checkpoint
from valueloop.log.keys import read_verifier_keys
from valueloop.log.merkle import verify_consistency, verify_inclusion


def invoke(capsys: pytest.CaptureFixture[str], *argv: str | Path,
           expect: int = 0) -> tuple[str, str]:
    status = run([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert status == expect, f"exit {status} (expected {expect})\n{out}\n{err}"
    assert "Traceback" not in err
    return out, err


def rows(out: str) -> dict[str, Any]:
    return {row["item"]: row["value"] for row in json.loads(out)["rows"]}


def test_a_third_party_verifies_an_exported_log(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    db = tmp_path / "log.db"
    for name, file in [("example.com/smelter", "smelter.key"), ("example.com/log", "log.key"),
                       ("witness.example/w1", "w1.key")]:
        out, _ = invoke(capsys, "log", "keygen", name, "--out", tmp_path / file, "--json")
        assert rows(out)["name"] == name
        assert (tmp_path / file).stat().st_mode & 0o777 == 0o600
    invoke(capsys, "log", "keygen", "example.com/x", "--out", tmp_path / "smelter.key",
           expect=2)
    invoke(capsys, "log", "init", "--db", db, "--origin", "example.com/log")
    events = tmp_path / "events.json"
    events.write_text(json.dumps([event(i) for i in range(6)]), encoding="utf-8")
    single = tmp_path / "one.json"
    single.write_text(json.dumps(event(6)), encoding="utf-8")
    out, _ = invoke(capsys, "log", "append", "--db", db, "--key", tmp_path / "smelter.key",
                    events, "--json")
    assert [r["index"] for r in json.loads(out)["rows"]] == list(range(6))
    invoke(capsys, "log", "append", "--db", db, "--key", tmp_path / "smelter.key", single)
    invoke(capsys, "log", "checkpoint", "--db", db, "--key", tmp_path / "log.key", "--out",
           tmp_path / "cp.txt")
    out, _ = invoke(capsys, "log", "cosign", tmp_path / "cp.txt", "--key", tmp_path / "w1.key",
                    "--log-key", tmp_path / "log.key.pub", "--out", tmp_path / "cosigned.txt")
    keys = [k for f in ("smelter", "log") for k in read_verifier_keys(tmp_path / f"{f}.key.pub")]
    head = open_checkpoint(out, keys).checkpoint
    assert head.size == 7

    proof = rows(invoke(capsys, "log", "proof", "--db", db, "--index", 3, "--json")[0])
    verify_inclusion(3, 7, bytes.fromhex(proof["leaf_hash"]),
                     [bytes.fromhex(v) for k, v in proof.items() if k.startswith("path[")],
                     head.root)
    cons = rows(invoke(capsys, "log", "consistency", "--db", db, "--old", 4, "--json")[0])
    verify_consistency(4, 7, bytes.fromhex(cons["old_root"]), head.root,
                       [bytes.fromhex(v) for k, v in cons.items() if k.startswith("proof[")])
    shown = json.loads(invoke(capsys, "log", "show", "--db", db, "--json")[0])
    assert shown[0]["rows"][1]["value"] == 7 and len(shown[1]["rows"]) == 7

    invoke(capsys, "log", "export", "--db", db, "--out", tmp_path / "export")
    pubs = [tmp_path / "smelter.key.pub", tmp_path / "log.key.pub"]
    out, _ = invoke(capsys, "log", "verify", tmp_path / "export", "--key", pubs[0], "--key",
                    pubs[1])
    assert "7 entries verify" in out
    entries = tmp_path / "export" / "entries.jsonl"
    lines = entries.read_bytes().splitlines(keepends=True)
    lines[4] = lines[4].replace(b'"step":4', b'"step":5')
    entries.write_bytes(b"".join(lines))
    out, _ = invoke(capsys, "log", "verify", tmp_path / "export", "--key", pubs[0], "--key",
                    pubs[1], "--json", expect=1)
    report = json.loads(out)
    assert (report["ok"], report["first_bad_entry"]) == (False, 4)
    assert report["problems"][0] == "entry 4: signature does not verify"
    _, err = invoke(capsys, "log", "verify", tmp_path / "nope", "--key", pubs[0], expect=2)
    assert "not an export folder" in err
    _, err = invoke(capsys, "log", "verify", tmp_path / "export", "--key",
                    tmp_path / "log.key", expect=2)
    assert "private key" in err


def test_user_errors_exit_2_with_one_line(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    db = tmp_path / "log.db"
    invoke(capsys, "log", "keygen", "example.com/smelter", "--out", tmp_path / "k")
    _, err = invoke(capsys, "log", "show", "--db", db, expect=2)
    assert "holds no log" in err
    invoke(capsys, "log", "init", "--db", db, "--origin", "example.com/log")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**event(0), "time": "yesterday"}), encoding="utf-8")
    _, err = invoke(capsys, "log", "append", "--db", db, "--key", tmp_path / "k", bad,
                    expect=2)
    assert "bad.json: event.time" in err
    bad.write_text("{not json", encoding="utf-8")
    invoke(capsys, "log", "append", "--db", db, "--key", tmp_path / "k", bad, expect=2)
    _, err = invoke(capsys, "log", "proof", "--db", db, "--index", 0, expect=2)
    assert "not in a tree of 0 entries" in err
    note = tmp_path / "cp.txt"
    note.write_text("example.com/log\n0\n" + "A" * 43 + "=\n\n\u2014 x AAAAAAAA\n")
    _, err = invoke(capsys, "log", "cosign", note, "--key", tmp_path / "k", "--log-key",
                    tmp_path / "k.pub", expect=2)
    assert "cp.txt" in err
    assert Checkpoint.parse("example.com/log\n0\n" + "A" * 43 + "=\n").size == 0
