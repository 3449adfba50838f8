"""``valueloop contract settle`` in-process."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from valueloop.cli import run

FOLDER = Path(str(resources.files("valueloop.data") / "contracts"))


def test_settle_json_matches_the_hand_computation(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["contract", "settle", str(FOLDER / "pcpc-example.toml"),
                str(FOLDER / "pcpc-example-events.jsonl"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [(p["period"], p["net_customer_to_supplier"]) for p in result["periods"]] == [
        ("2027-Q1", "-172125.00"), ("2027-Q2", "-297750.00")]


def test_settle_table_and_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    contract, events = FOLDER / "pcpc-example.toml", FOLDER / "pcpc-example-events.jsonl"
    assert run(["contract", "settle", str(contract), str(events), "--period", "2027-Q1"]) == 0
    assert "volume_shortfall" in capsys.readouterr().out
    bad = tmp_path / "events.jsonl"
    bad.write_text("not json\n")
    for argv in (["contract", "settle", str(contract), str(bad)],
                 ["contract", "settle", str(contract), str(events), "--period", "Q9"],
                 ["contract", "settle", str(events), str(events)]):
        assert run(argv) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
