"""``valueloop certify issue --db``, ``trace``, ``trace verify`` and ``contract settle --db``
in-process on a real SQLite database."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from trace_data import ORIGIN, RULES, TIME, copper_passport

from valueloop.cli import run
from valueloop.contracts import read_events
from valueloop.contracts.events import moment
from valueloop.log.keys import Signer
from valueloop.trace import TraceService

FOLDER = Path(str(resources.files("valueloop.data") / "contracts"))
ID = "LA:VLOOP:CATH-2026-0001"


def one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err


def test_issue_trace_verify_and_tamper(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "vl.db")
    log_key, cert_key = tmp_path / "log.key", tmp_path / "cert.key"
    assert run(["log", "keygen", ORIGIN, "--out", str(log_key)]) == 0
    assert run(["certify", "keygen", "example.com/certifier", "--out", str(cert_key)]) == 0
    with TraceService.open(db, ORIGIN) as service:
        service.create_passport(copper_passport(), Signer.generate("example.com/refinery"),
                                time=TIME)
    assert run(["certify", "issue", ID, "--rules", RULES, "--key", str(cert_key), "--db", db,
                "--log-key", str(log_key)]) == 0
    assert "logged as entry 1" in capsys.readouterr().out
    answer = tmp_path / "answer.json"
    assert run(["trace", "https://id.example.org/passport/LA/VLOOP/CATH-2026-0001", "--db", db,
                "--out", str(answer)]) == 0
    assert RULES in capsys.readouterr().out
    assert run(["trace", ID, "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(answer.read_text())
    assert run(["trace", "verify", str(answer), "--key", f"{log_key}.pub"]) == 0
    tampered = json.loads(answer.read_text())
    tampered["certificates"][0]["certificate"]["certificate"]["results"][0]["measured"] = 99.0
    answer.write_text(json.dumps(tampered))
    capsys.readouterr()
    assert run(["trace", "verify", str(answer), "--key", f"{log_key}.pub"]) == 1
    assert "differs from the one logged" in capsys.readouterr().out
    for argv in (["trace", "LA:VLOOP:NOPE-1", "--db", db],
                 ["trace", "not an id", "--db", db],
                 ["trace", "verify", str(answer), "--key", str(log_key)],
                 ["certify", "issue", ID, "--rules", RULES, "--key", str(cert_key)],
                 ["trace", "serve", "--port", "0", "--host", "0.0.0.0", "--db", db]):
        assert run(argv) == 2, argv
        one_line_error(capsys)


def test_contract_settle_from_the_log(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    db, contract = str(tmp_path / "vl.db"), FOLDER / "pcpc-example.toml"
    events_file = FOLDER / "pcpc-example-events.jsonl"
    signer = Signer.generate("example.com/copper-mill")
    with TraceService.open(db, ORIGIN) as service:
        for event in read_events(events_file):
            if event.type.startswith("contract."):
                service.record_contract_event(event.type.removeprefix("contract."),
                                              event.subject, event.payload, signer,
                                              time=moment(event))
    assert run(["contract", "settle", str(contract), str(events_file), "--json"]) == 0
    from_file = json.loads(capsys.readouterr().out)
    assert run(["contract", "settle", str(contract), "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == from_file
    for argv in (["contract", "settle", str(contract)],
                 ["contract", "settle", str(contract), str(events_file), "--db", db],
                 ["contract", "settle", str(contract), "--db", db, "--contract", "other"]):
        assert run(argv) == 2, argv
        one_line_error(capsys)
