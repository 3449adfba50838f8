"""A trace answer fails verification, naming what, when any byte of a certificate, its log
entry or its inclusion proof changes."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from trace_data import ORIGIN, RULES, TIME, copper_passport, keys

from valueloop.certify import load_rule_set
from valueloop.log.keys import VerifierKey
from valueloop.trace import TraceService, trace, verify_trace


@pytest.fixture(scope="module")
def answer_and_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any],
                                                                      VerifierKey]:
    url = str(Path(tmp_path_factory.mktemp("trace")) / "trace.db")
    signers = keys()
    with TraceService.open(url, ORIGIN) as service:
        for serial in range(5):  # more entries, so the proof has several hashes
            service.create_passport(copper_passport(f"LA:VLOOP:CATH-{serial}"),
                                    signers["refinery"], time=TIME)
        service.issue_certificate("LA:VLOOP:CATH-3", load_rule_set(RULES),
                                  signers["certifier"], time=TIME)
        service.create_passport(copper_passport("LA:VLOOP:CATH-9"), signers["refinery"],
                                time=TIME)
        service.checkpoint(signers["log"])
        answer = trace(service.db, service.log, "LA:VLOOP:CATH-3")
    key = signers["log"].verifier()
    assert verify_trace(answer, [key]).valid
    return answer, key


def _failure(answer: dict[str, Any], key: VerifierKey) -> str:
    result = verify_trace(answer, [key])
    assert not result.valid
    return result.problems[0]


def test_every_byte_of_the_certificate_counts(answer_and_key: tuple[dict[str, Any],
                                                                    VerifierKey]) -> None:
    answer, key = answer_and_key
    original = rfc8785.dumps(answer["certificates"][0]["certificate"])
    checked = 0
    for position in range(len(original)):
        flipped = bytearray(original)
        flipped[position] ^= 0x01
        try:
            changed = json.loads(bytes(flipped))
        except ValueError:
            continue  # no longer JSON: no reader would take it for a certificate
        tampered = copy.deepcopy(answer)
        tampered["certificates"][0]["certificate"] = changed
        assert _failure(tampered, key).startswith("certificate "), position
        checked += 1
    assert checked > len(original) // 2


def test_every_byte_of_the_proof_and_entry_counts(answer_and_key: tuple[dict[str, Any],
                                                                        VerifierKey]) -> None:
    answer, key = answer_and_key
    hashes = answer["certificates"][0]["inclusion"]["hashes"]
    assert len(hashes) >= 2
    for which, text in enumerate(hashes):
        raw = base64.b64decode(text)
        for position in range(len(raw)):
            flipped = bytearray(raw)
            flipped[position] ^= 0x80
            tampered = copy.deepcopy(answer)
            tampered["certificates"][0]["inclusion"]["hashes"][which] = \
                base64.b64encode(bytes(flipped)).decode()
            assert "inclusion proof" in _failure(tampered, key)
    data = answer["certificates"][0]["entry"]["data"]
    for position in range(0, len(data), 7):  # every 7th character keeps the test quick
        tampered = copy.deepcopy(answer)
        swapped = "1" if data[position] != "1" else "2"
        tampered["certificates"][0]["entry"]["data"] = data[:position] + swapped \
            + data[position + 1:]
        assert "inclusion proof" in _failure(tampered, key)
    tampered = copy.deepcopy(answer)
    tampered["certificates"][0]["entry"]["index"] += 1
    assert "inclusion proof" in _failure(tampered, key)


def test_the_checkpoint_and_the_issuer_key_count(answer_and_key: tuple[dict[str, Any],
                                                                       VerifierKey]) -> None:
    answer, key = answer_and_key
    tampered = copy.deepcopy(answer)
    note = tampered["log"]["checkpoint"]
    tampered["log"]["checkpoint"] = note.replace("\n", "\n ", 1)
    assert _failure(tampered, key).startswith("checkpoint:")
    tampered = copy.deepcopy(answer)
    other = keys()["certifier"].verifier()
    tampered["certificates"][0]["issuer_key"] = other.text
    assert _failure(tampered, key).startswith("certificate ")
