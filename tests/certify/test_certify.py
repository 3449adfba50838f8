"""Certification: the example rule set's pass/fail table, units, sources, signed certificates
that verify, and every flipped byte that does not."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from valueloop.certify import (
    CertifyKeyError,
    check_document,
    generate_key,
    issue_certificate,
    load_rule_set,
    read_public_key,
    read_signing_key,
    shipped_rule_sets,
    verify_certificate,
    write_key_pair,
)
from valueloop.certify.certificate import NotCertifiableError, canonical
from valueloop.core.errors import DimensionError, MissingSourceError, UserInputError

RULES = "recycled-hc-copper-example"
TIME = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.UTC)


def passport(**changes: Any) -> dict[str, Any]:
    """A copper passport (the fields the rule set reads) that passes every rule."""
    document: dict[str, Any] = {
        "identifier": "urn:example:strip-1",
        "conductivity_iacs": 100.9,
        "composition": {"copper_min_percent": 99.95, "impurities": []},
        "recycled_content": {"pre_consumer_percent": 10.0, "post_consumer_percent": 35.0,
                             "is_mass_balanced": False, "method": "physical segregation"},
        "carbon_footprint": {"value": 1.6},
    }
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = document
        for part in parents:
            target = target[part]
        if value is None:
            del target[last]
        else:
            target[last] = value
    return document


def test_the_shipped_rule_set_is_an_example_with_a_source_per_rule() -> None:
    assert RULES in shipped_rule_sets()
    rule_set = load_rule_set(RULES)
    assert rule_set.status == "example" and "not a standard" in rule_set.title
    assert all(rule.source.document or rule.source.assumption for rule in rule_set.rules)


@pytest.mark.parametrize(("changes", "expected"), [
    ({}, ["pass", "pass", "pass", "pass"]),
    ({"composition__copper_min_percent": 99.90}, ["pass", "pass", "pass", "pass"]),  # on limit
    ({"composition__copper_min_percent": 99.89}, ["fail", "pass", "pass", "pass"]),
    ({"conductivity_iacs": 99.5}, ["pass", "fail", "pass", "pass"]),
    ({"recycled_content__post_consumer_percent": 29.9}, ["pass", "pass", "fail", "pass"]),
    ({"carbon_footprint__value": 2.0}, ["pass", "pass", "pass", "pass"]),  # ceiling inclusive
    ({"carbon_footprint__value": 2.01}, ["pass", "pass", "pass", "fail"]),
    ({"carbon_footprint": None}, ["pass", "pass", "pass", "missing"]),
    ({"recycled_content": None, "conductivity_iacs": 90.0},
     ["pass", "fail", "missing", "pass"]),
])
def test_rule_set_pass_fail_table(changes: dict[str, Any], expected: list[str]) -> None:
    report = check_document(passport(**changes), load_rule_set(RULES))
    assert [r.rule for r in report.results] == ["copper-content", "conductivity",
                                                 "post-consumer-recycled-share",
                                                 "carbon-footprint-ceiling"]
    assert [r.status for r in report.results] == expected
    assert report.passed == all(s == "pass" for s in expected)
    measured = {r.rule: r for r in report.results}
    assert measured["conductivity"].unit == "%IACS" and measured["conductivity"].limit == 100.0


def test_limits_in_other_units_are_converted(tmp_path: Path) -> None:
    path = tmp_path / "fraction.toml"
    path.write_text('''
id = "fraction-rules"
version = "0"
title = "test"
status = "example"
description = "limit as a fraction, passport in percent"
[[rules]]
id = "pcr"
description = "post-consumer share"
quantity = "recycled_content.post_consumer_percent"
quantity_unit = "%"
operator = ">="
limit = 0.35
unit = "dimensionless"
source = { assumption = "test" }
''')
    result = check_document(passport(), load_rule_set(path)).results[0]
    assert result.status == "pass"  # 35 % >= 0.35
    assert result.measured == pytest.approx(0.35) and result.unit == "dimensionless"


@pytest.mark.parametrize(("rule", "error", "message"), [
    ('quantity_unit = "%"\nunit = "%"\n', MissingSourceError, "no source"),
    ('quantity_unit = "%IACS"\nunit = "kgCO2e/kg"\nsource = { assumption = "x" }\n',
     DimensionError, "rule r"),
    ('quantity_unit = "%"\nunit = "%"\nsource = { document = "no-such-doc" }\n',
     MissingSourceError, "unknown document"),
])
def test_bad_rule_sets_are_refused(tmp_path: Path, rule: str, error: type[Exception],
                                   message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('id = "bad"\nversion = "0"\ntitle = "t"\nstatus = "example"\n'
                    'description = "d"\n[[rules]]\nid = "r"\ndescription = "d"\n'
                    'quantity = "conductivity_iacs"\noperator = ">="\nlimit = 1.0\n' + rule)
    with pytest.raises(error, match=message) as info:
        load_rule_set(path)
    assert "bad.toml" in str(info.value)


def test_unknown_rule_set_name_lists_the_shipped_ones() -> None:
    with pytest.raises(UserInputError, match=RULES):
        load_rule_set("no-such-rules")


# --- keys and certificates ----------------------------------------------------------------------


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    private, public = write_key_pair(tmp_path / "certifier", generate_key("example.com/cert-1"))
    return private, public


def test_key_files_private_0600_never_overwritten(keys: tuple[Path, Path]) -> None:
    private, public = keys
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600
    assert read_signing_key(private).verifier() == read_public_key(public)
    with pytest.raises(CertifyKeyError, match="never overwritten"):
        write_key_pair(private, generate_key("other"))
    with pytest.raises(CertifyKeyError, match="not a private key"):
        read_signing_key(public)


def test_certificate_verifies_and_carries_its_event(keys: tuple[Path, Path]) -> None:
    private, public = keys
    record, event = issue_certificate(passport(), load_rule_set(RULES),
                                      read_signing_key(private), time=TIME)
    result = verify_certificate(record, read_public_key(public))
    assert result.valid, result.reason
    body = record["certificate"]
    assert body["subject"] == "urn:example:strip-1" and body["issued_at"] == "2026-11-22T10:00:00Z"
    assert body["rule_set"]["status"] == "example"
    assert event == {"type": "certificate.issue", "actor": "example.com/cert-1",
                     "time": "2026-11-22T10:00:00Z", "subject": "urn:example:strip-1",
                     "payload": record}
    json.dumps(event, allow_nan=False)
    # the same inputs give the same canonical bytes: the signature is deterministic (Ed25519)
    again, _ = issue_certificate(passport(), load_rule_set(RULES), read_signing_key(private),
                                 time=TIME)
    assert again == record and canonical(again["certificate"]) == canonical(body)


def test_a_failing_passport_gets_no_certificate(keys: tuple[Path, Path]) -> None:
    with pytest.raises(NotCertifiableError, match="conductivity"):
        issue_certificate(passport(conductivity_iacs=95.0), load_rule_set(RULES),
                          read_signing_key(keys[0]), time=TIME)


def test_changed_value_wrong_key_and_flipped_byte_do_not_verify(
        keys: tuple[Path, Path]) -> None:
    private, public = keys
    record, _ = issue_certificate(passport(), load_rule_set(RULES), read_signing_key(private),
                                  time=TIME)
    key = read_public_key(public)
    changed = copy.deepcopy(record)
    changed["certificate"]["results"][1]["measured"] = 101.0
    assert not verify_certificate(changed, key).valid
    assert not verify_certificate(record, generate_key("example.com/cert-1").verifier()).valid
    text = json.dumps(record, indent=2).encode()
    undetected = []
    for position in range(len(text)):
        flipped = bytearray(text)
        flipped[position] ^= 0x01
        try:
            parsed = json.loads(bytes(flipped).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue  # unreadable: rejected before any signature check
        if verify_certificate(parsed, key).valid:
            undetected.append(position)
    assert undetected == []
