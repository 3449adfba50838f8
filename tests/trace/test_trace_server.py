"""The loopback resolver: same JSON as the Python query, 404s, nothing above the public tier."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from trace_data import ORIGIN, RULES, TIME, copper_passport, keys, public_only

from valueloop.certify import load_rule_set
from valueloop.core.errors import OptionError
from valueloop.passport.copper import CopperPassport
from valueloop.trace import TraceServer, TraceService, trace


@pytest.fixture(params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[TraceService, TraceServer]]:
    url = request.getfixturevalue("tmp_path") / "served.db" if request.param == "sqlite" \
        else request.getfixturevalue("postgres_url")
    signers = keys()
    with TraceService.open(url, ORIGIN) as service:
        service.create_passport(copper_passport(), signers["refinery"], time=TIME)
        service.issue_certificate("LA:VLOOP:CATH-2026-0001", load_rule_set(RULES),
                                  signers["certifier"], time=TIME)
        service.checkpoint(signers["log"])
        server = TraceServer(service.db, service.log, "127.0.0.1", 0)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield service, server
        finally:
            server.shutdown()
            server.server_close()
            thread.join()


def get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_same_json_as_the_python_query(served: tuple[TraceService, TraceServer]) -> None:
    service, server = served
    expected = trace(service.db, service.log, "LA:VLOOP:CATH-2026-0001")
    resolver = copper_passport().identifier  # the QR's URL with this server as the base
    from valueloop.passport.identifiers import parse_identifier
    qr_url = parse_identifier(resolver).resolver_url(f"{server.url}/id")
    assert get(qr_url) == (200, expected)
    assert get(f"{server.url}/id/LA:VLOOP:CATH-2026-0001") == (200, expected)


def test_unknown_ids_and_paths_are_404(served: tuple[TraceService, TraceServer]) -> None:
    _, server = served
    assert get(f"{server.url}/id/LA/VLOOP/NOPE-1")[0] == 404
    assert get(f"{server.url}/id/not-an-identifier")[0] == 404
    assert get(f"{server.url}/passports")[0] == 404


def test_nothing_above_the_public_tier(served: tuple[TraceService, TraceServer]) -> None:
    _, server = served
    status, body = get(f"{server.url}/id/LA/VLOOP/CATH-2026-0001")
    assert status == 200
    public_only(CopperPassport, body["passport"]["public"])
    text = json.dumps(body)
    # restricted values of the test passport (impurities, mine, smelter, test report)
    for secret in ("7440-22-4", "Example Mine A", "Example Refinery, Hamburg",
                   "reports/cath-2026-0001.pdf", "Conductivity and chemical analysis"):
        assert secret not in text, secret


def test_the_server_binds_loopback_only() -> None:
    with pytest.raises(OptionError, match="loopback"):
        TraceServer(None, None, "0.0.0.0", 0)  # type: ignore[arg-type]
