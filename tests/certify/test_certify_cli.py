"""``valueloop certify`` in-process: keygen, check, issue, verify, and a flipped byte."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from valueloop.cli import run

RULES = "recycled-hc-copper-example"


def write_passport(path: Path, conductivity: float = 100.9) -> Path:
    path.write_text(json.dumps({
        "identifier": "urn:example:strip-1", "conductivity_iacs": conductivity,
        "composition": {"copper_min_percent": 99.95},
        "recycled_content": {"post_consumer_percent": 35.0},
        "carbon_footprint": {"value": 1.6}}))
    return path


def test_keygen_issue_verify_and_tamper(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "certifier"
    assert run(["certify", "keygen", "example.com/cert-1", "--out", str(key)]) == 0
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    capsys.readouterr()
    passport = write_passport(tmp_path / "passport.json")
    assert run(["certify", "check", str(passport), "--rules", RULES, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [row["status"] for row in rows] == ["pass"] * 4
    cert, event = tmp_path / "cert.json", tmp_path / "event.jsonl"
    assert run(["certify", "issue", str(passport), "--rules", RULES, "--key", str(key),
                "--out", str(cert), "--event", str(event)]) == 0
    assert json.loads(event.read_text())["type"] == "certificate.issue"
    assert run(["certify", "verify", str(cert), "--key", f"{key}.pub"]) == 0
    text = cert.read_bytes()
    position = text.index(b'"measured": 100.9') + len(b'"measured": 100.')
    cert.write_bytes(text[:position] + b"8" + text[position + 1:])
    capsys.readouterr()
    assert run(["certify", "verify", str(cert), "--key", f"{key}.pub"]) == 1
    assert "INVALID" in capsys.readouterr().out


def test_failing_passport_check_exits_1_and_issue_exits_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "k"
    assert run(["certify", "keygen", "k1", "--out", str(key)]) == 0
    passport = write_passport(tmp_path / "p.json", conductivity=97.0)
    assert run(["certify", "check", str(passport), "--rules", RULES]) == 1
    capsys.readouterr()
    assert run(["certify", "issue", str(passport), "--rules", RULES, "--key", str(key),
                "--out", str(tmp_path / "c.json")]) == 2
    err = capsys.readouterr().err
    assert "conductivity" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "c.json").exists()


@pytest.mark.parametrize("argv", [
    ["certify", "check", "{P}", "--rules", "no-such-rules"],
    ["certify", "verify", "{P}", "--key", "{P}"],
    ["certify", "keygen", "bad name", "--out", "{T}/k"],
])
def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         argv: list[str]) -> None:
    passport = write_passport(tmp_path / "p.json")
    argv = [a.replace("{P}", str(passport)).replace("{T}", str(tmp_path)) for a in argv]
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
