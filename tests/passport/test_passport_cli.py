"""``valueloop passport`` end to end, in-process through ``valueloop.cli.run``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from passport_data import COPPER_FILE, battery_data

from valueloop.cli import run
from valueloop.passport.export.schemas import errors

COPPER_ID = "LA:VLOOP:CATH-2026-0001"


def _run(capsys: pytest.CaptureFixture[str], *argv: object, expect: int = 0) -> str:
    status = run([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert status == expect, f"exit {status}\n{out}\n{err}"
    assert "Traceback" not in err
    return out if expect == 0 else err


def test_the_passport_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "vl.db"
    created = json.loads(_run(capsys, "passport", "create", "--db", db, COPPER_FILE, "--json"))
    assert created["events"][0]["type"] == "passport.create"

    public = json.loads(_run(capsys, "passport", "show", COPPER_ID, "--db", db, "--json"))
    assert "impurities" not in public["passport"]["composition"]
    authority = json.loads(_run(capsys, "passport", "show", COPPER_ID, "--db", db, "--json",
                                "--as", "authority"))
    assert "testReports" in authority["passport"]

    out = tmp_path / "dpp.json"
    _run(capsys, "passport", "export", COPPER_ID, "--db", db, "--format", "dpp", "--out", out)
    assert errors("DigitalProductPassport", json.loads(out.read_text(encoding="utf-8"))) == []
    _run(capsys, "passport", "qr", COPPER_ID, "--db", db, "--out", tmp_path / "qr.png")
    assert (tmp_path / "qr.png").read_bytes().startswith(b"\x89PNG")

    battery = tmp_path / "battery.json"
    battery.write_text(json.dumps(battery_data()), encoding="utf-8")
    _run(capsys, "passport", "create", battery, "--db", db)
    successor = tmp_path / "successor.json"
    successor.write_text(json.dumps(battery_data("LA:VLOOP:BAT-0002")), encoding="utf-8")
    repurposed = json.loads(_run(capsys, "passport", "repurpose", "LA:VLOOP:BAT-0001",
                                 successor, "--db", db, "--json"))
    assert repurposed["record"]["predecessor"] == "LA:VLOOP:BAT-0001"
    _run(capsys, "passport", "recycle", "LA:VLOOP:BAT-0002", "--db", db)
    aspects = tmp_path / "bp.json"
    _run(capsys, "passport", "export", "LA:VLOOP:BAT-0002", "--db", db, "--format",
         "batterypass", "--out", aspects)
    assert len(json.loads(aspects.read_text(encoding="utf-8"))) == 7

    listed = json.loads(_run(capsys, "passport", "list", "--db", db, "--json"))
    assert {r["identifier"]: r["status"] for r in listed["rows"]} == {
        COPPER_ID: "active", "LA:VLOOP:BAT-0001": "repurposed", "LA:VLOOP:BAT-0002": "recycled"}
    table = _run(capsys, "passport", "show", "LA:VLOOP:BAT-0001", "--db", db, "--version", "1")
    assert "generalProductInformation.batteryCategory" in table


@pytest.mark.parametrize(("argv", "message"), [
    (["show", "LA:VLOOP:NONE"], "no passport"),
    (["show", "LA:VLOOP:CATH-2026-0001", "--as", "anyone"], "unknown audience"),
    (["export", "LA:VLOOP:CATH-2026-0001", "--format", "xml", "--out", "x.json"], "xml"),
    (["export", "LA:VLOOP:CATH-2026-0001", "--format", "batterypass", "--out", "x.json"],
     "battery passports"),
    (["update", "LA:VLOOP:CATH-2026-0001", "missing.toml"], "no such file"),
])
def test_user_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                            argv: list[str], message: str) -> None:
    db = tmp_path / "vl.db"
    _run(capsys, "passport", "create", COPPER_FILE, "--db", db)
    err = _run(capsys, "passport", *argv, "--db", db, expect=2)
    assert message in err
    assert not (Path.cwd() / "x.json").exists()


@pytest.mark.parametrize(("fmt", "schema"), [("catenax-battery", "BatteryPass"), ("pcf", "Pcf"),
                                             ("aas", None)])
def test_export_writes_validated_files_atomically(tmp_path: Path, capsys: pytest.CaptureFixture[
        str], fmt: str, schema: str | None) -> None:
    db = tmp_path / "vl.db"
    battery = tmp_path / "battery.json"
    battery.write_text(json.dumps(battery_data()), encoding="utf-8")
    _run(capsys, "passport", "create", battery, "--db", db)
    out = tmp_path / f"{fmt}.json"
    _run(capsys, "passport", "export", "LA:VLOOP:BAT-0001", "--db", db, "--format", fmt,
         "--out", out)
    written = json.loads(out.read_text(encoding="utf-8"))
    if schema is not None:
        assert errors(schema, written) == []
    else:
        assert {s["idShort"] for s in written["submodels"]} >= {"BatteryPass", "Pcf"}
    # a failing export (copper passport without Catena-X battery data) leaves the file as it was
    _run(capsys, "passport", "create", COPPER_FILE, "--db", db)
    before = out.read_bytes()
    failing = "catenax-battery" if fmt != "pcf" else "batterypass"
    err = _run(capsys, "passport", "export", COPPER_ID, "--db", db, "--format", failing,
               "--out", out, expect=2)
    assert "battery passports" in err
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(out.name + ".")] == []
