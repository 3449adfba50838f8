"""``valueloop custody`` in-process: add, transform, trace, ledger, claims, checks, exit codes."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from valueloop.cli import run

SITES = [{"id": "yard", "grid": "Jiangxi"}, {"id": "refinery", "grid": "Jiangxi"}]
BATCHES = {"sites": SITES, "batches": [
    {"id": "scrap-1", "site": "yard", "mass_kg": 1000, "elements": {"Cu": 0.95},
     "characteristics": {"post_consumer_recycled": 1.0}, "declared_footprint_kgco2e": 50},
    {"id": "blister-1", "site": "refinery", "mass_kg": 1000, "elements": {"Cu": 0.98}}]}
REFINE = {"id": "t-refine", "kind": "refining", "site": "refinery",
          "time": "2026-05-01T10:00:00Z",
          "inputs": [{"batch": "scrap-1"}, {"batch": "blister-1"}],
          "outputs": [{"id": "cathode-1", "site": "refinery", "mass_kg": 1900,
                       "elements": {"Cu": 0.9999}}],
          "losses_kg": {"Cu": 1930 - 1900 * 0.9999},
          "inventory": {"electricity_kwh": 600, "items": {"sulfuric_acid": [20, "kg"]}}}


def cli(capsys: pytest.CaptureFixture[str], *argv: object, expect: int = 0) -> str:
    status = run([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert status == expect, f"exit {status}\n{out}\n{err}"
    assert "Traceback" not in err
    return out if expect == 0 else err


def as_json(capsys: pytest.CaptureFixture[str], *argv: object) -> Any:
    return json.loads(cli(capsys, *argv, "--json"))


def _write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_custody_commands_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "custody.db"
    events = as_json(capsys, "custody", "add-batch", "--db", db,
                     _write(tmp_path, "b.json", BATCHES))
    assert [e["type"] for e in events] == ["custody.batch", "custody.batch"]
    events = as_json(capsys, "custody", "transform", "--db", db,
                     _write(tmp_path, "t.json", REFINE))
    assert events[0]["type"] == "custody.transform" and events[1]["subject"] == "cathode-1"

    table = as_json(capsys, "custody", "trace", "cathode-1", "--db", db)
    assert {r["batch"]: r["end"] for r in table["rows"]} == {
        "cathode-1": "", "scrap-1": "origin", "blister-1": "origin"}
    forward = as_json(capsys, "custody", "trace", "scrap-1", "--forward", "--db", db)
    assert {r["batch"] for r in forward["rows"]} == {"scrap-1", "cathode-1"}

    content = as_json(capsys, "custody", "recycled-content", "cathode-1", "--db", db)
    assert content["rows"][0]["post_consumer_share"] == pytest.approx(950 / 1930)

    footprint = as_json(capsys, "custody", "footprint", "cathode-1", "--db", db)
    assert footprint[0]["rows"][0]["total_kgco2e"] > 50.0
    cli(capsys, "custody", "footprint", "cathode-1", "--db", db, "--csv", tmp_path / "fp.csv")
    with (tmp_path / "fp-1.csv").open(encoding="utf-8") as stream:  # one file per table
        assert "total_kgco2e" in next(csv.reader(stream))

    scope = ("--site", "refinery", "--characteristic", "post_consumer_recycled", "--db", db)
    cli(capsys, "custody", "open-ledger", *scope)
    cli(capsys, "custody", "input", *scope, "--period", 2026, "--batch", "scrap-1")
    claim = as_json(capsys, "custody", "claim", *scope, "--period", 2026, "--batch",
                    "cathode-1", "--mass", 900)
    assert claim[0]["payload"]["claimed_kg"] == 900.0
    ledger = as_json(capsys, "custody", "ledger", *scope, "--period", 2026)
    assert ledger[0]["rows"][0]["available_kg"] == pytest.approx(50.0)
    closed = as_json(capsys, "custody", "close-period", *scope, "--period", 2026)
    assert closed[0]["payload"]["carried_out_kg"] == pytest.approx(50.0)
    content = as_json(capsys, "custody", "recycled-content", "cathode-1", "--db", db)
    assert content["rows"][0]["post_consumer_mass_balanced"] is True


def test_user_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "custody.db"
    cli(capsys, "custody", "add-batch", "--db", db, _write(tmp_path, "b.json", BATCHES))
    greedy = dict(REFINE, losses_kg={}, outputs=[dict(REFINE["outputs"][0], mass_kg=2000)])
    err = cli(capsys, "custody", "transform", "--db", db, _write(tmp_path, "g.json", greedy),
              expect=2)
    assert "creates" in err and "Cu" in err
    bad = dict(REFINE, kind="teleport")
    err = cli(capsys, "custody", "transform", "--db", db, _write(tmp_path, "k.json", bad),
              expect=2)
    assert "kind" in err
    cli(capsys, "custody", "trace", "nope", "--db", db, expect=2)
    scope = ("--site", "refinery", "--characteristic", "post_consumer_recycled", "--db", db)
    cli(capsys, "custody", "open-ledger", *scope)
    err = cli(capsys, "custody", "claim", *scope, "--period", 2026, "--batch", "blister-1",
              "--mass", 1, expect=2)
    assert "OverClaimError" in err
    err = cli(capsys, "custody", "check-art8", "--category", "ev", "--date", "2031-13-01",
              "--post", "Co=0.2", expect=2)
    assert "YYYY-MM-DD" in err


def test_regulation_checks_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    table = as_json(capsys, "custody", "check-art8", "--category", "ev", "--date", "2036-08-18",
                    "--pre", "Co=0.05", "--post", "Co=0.15", "--post", "Li=0.13")
    verdicts = {r["subject"]: r["verdict"] for r in table["rows"]}
    assert verdicts == {"Co": "below minimum", "Li": "complies"}
    table = as_json(capsys, "custody", "check-recovery", "--date", "2028-06-01",
                    "--recovery", "Cu=0.91", "--efficiency", "lithium-based batteries=0.6")
    verdicts = {r["subject"]: r["verdict"] for r in table["rows"]}
    assert verdicts == {"Cu": "complies", "lithium-based batteries": "below minimum"}
