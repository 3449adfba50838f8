"""Certification: rule sets as data, checks against passports, signed certificates.

A rule set (TOML, ``data/certification/``) lists rules ``quantity operator limit unit``, each with
a source or a marked assumption. :func:`check_document` evaluates a passport-like document (a
dict or a pydantic model) against it, rule by rule. :func:`issue_certificate` turns a passing
check into a certificate signed with Ed25519 over its RFC 8785 canonical JSON, plus an event in
the shared envelope (type ``certificate.issue``) for the event log; :func:`verify_certificate`
checks it with nothing but the record and the issuer's public key.
"""

from valueloop.certify.certificate import (
    CertificateVerification,
    issue_certificate,
    verify_certificate,
)
from valueloop.certify.check import CheckReport, RuleResult, check_document
from valueloop.certify.keys import (
    CertifyKeyError,
    PublicKey,
    SigningKey,
    generate_key,
    read_public_key,
    read_signing_key,
    write_key_pair,
)
from valueloop.certify.rules import Rule, RuleSet, load_rule_set, shipped_rule_sets

__all__ = [
    "CertificateVerification",
    "CertifyKeyError",
    "CheckReport",
    "PublicKey",
    "Rule",
    "RuleResult",
    "RuleSet",
    "SigningKey",
    "check_document",
    "generate_key",
    "issue_certificate",
    "load_rule_set",
    "read_public_key",
    "read_signing_key",
    "shipped_rule_sets",
    "verify_certificate",
    "write_key_pair",
]
