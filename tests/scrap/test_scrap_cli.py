"""``valueloop scrap`` in-process: JSON output, the grades table, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from valueloop.cli import run


def test_grade_measurement_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "xrf.json"
    path.write_text(json.dumps({"method": "XRF", "unit": "%", "subject": "lot-7", "elements": {
        "Cu": {"value": 96.2, "uncertainty": 0.3}, "Sn": {"value": 0.1, "uncertainty": 0.05}}}))
    assert run(["scrap", "grade", "--measurement", str(path), "--mass", "2", "--copper-price",
                "10000", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["best_grade"], record["route"]) == ("Birch", "fire_refining")
    assert record["value"] == pytest.approx(10000 * 0.90 * 2)


def test_grade_composition_and_grades_table(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "passport.json"
    path.write_text(json.dumps({"composition": {"Cu": 0.9996}, "form": "wire"}))
    assert run(["scrap", "grade", "--composition", str(path), "--scheme", "GB/T 13587"]) == 0
    assert "1号铜-1级" in capsys.readouterr().out
    assert run(["scrap", "grades", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert {row["grade"] for row in rows} >= {"Barley", "Berry", "Candy", "Birch", "Cliff",
                                             "1号铜-3级"}
    assert all(row["grade_source"] and row["payable_source"] for row in rows)


@pytest.mark.parametrize("argv", [
    ["scrap", "grade"],
    ["scrap", "grade", "--measurement", "missing.json"],
    ["scrap", "grade", "--composition", "{BAD}", "--threshold", "2"],
    ["scrap", "grades", "--scheme", "ASTM"],
])
def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         argv: list[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"composition": {"Cu": 0.99}}')
    status = run([str(bad) if a == "{BAD}" else a for a in argv])
    err = capsys.readouterr().err
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
