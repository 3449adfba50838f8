"""Certificates: a passing check, signed with Ed25519 over its RFC 8785 canonical JSON.

A signed record is ``{"certificate": BODY, "signature": {"algorithm": "Ed25519", "key": NAME,
"key_id": ID, "value": BASE64}}``. The signature covers ``rfc8785.dumps(BODY)`` exactly, so
any change to the body (a value, a key, a character) makes verification fail. ``BODY["id"]`` is
derived from the canonical body without the id, so two different certificates never share one.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import rfc8785
from pydantic import BaseModel

from valueloop.certify.check import check_document
from valueloop.certify.rules import RuleSet
from valueloop.core.errors import UserInputError
from valueloop.log.keys import Signer, VerifierKey

CERTIFICATE_TYPE = "valueloop.certificate/v1"
EVENT_TYPE = "certificate.issue"


class NotCertifiableError(UserInputError):
    """A document that fails its rule set: no certificate is issued."""


def rfc3339(moment: dt.datetime) -> str:
    """``moment`` as RFC 3339 UTC with a ``Z`` and whole seconds (the envelope's form)."""
    if moment.tzinfo is None:
        raise UserInputError("a time without a time zone is ambiguous", item="time",
                             allowed="an aware datetime, e.g. 2026-11-22T10:00:00Z")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def canonical(body: Mapping[str, Any]) -> bytes:
    """The RFC 8785 canonical JSON bytes of ``body``."""
    return rfc8785.dumps(body)


def _certificate_id(body: Mapping[str, Any]) -> str:
    digest = hashlib.sha256(canonical({k: v for k, v in body.items() if k != "id"}))
    return f"urn:valueloop:certificate:{digest.hexdigest()[:32]}"


def issue_certificate(document: Mapping[str, Any] | BaseModel, rule_set: RuleSet,
                      key: Signer, *, time: dt.datetime | None = None
                      ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check ``document``; if every rule passes, return (signed record, event envelope).

    Raises
    ------
    NotCertifiableError
        If any rule fails or its quantity is missing; the message lists them.
    """
    report = check_document(document, rule_set)
    if not report.passed:
        details = ", ".join(f"{r.rule} ({r.status}: {r.measured} {r.operator} {r.limit} "
                            f"{r.unit})" for r in report.results if not r.passed)
        raise NotCertifiableError(f"does not meet rule set {rule_set.id}: {details}",
                                  item=report.subject or "passport")
    issued = rfc3339(time or dt.datetime.now(dt.UTC))
    body: dict[str, Any] = {
        "type": CERTIFICATE_TYPE,
        "rule_set": {"id": rule_set.id, "version": rule_set.version, "title": rule_set.title,
                     "status": rule_set.status},
        "subject": report.subject,
        "issuer": key.name,
        "issued_at": issued,
        "passed": True,
        "results": [{k: v for k, v in record.items() if k != "description"}
                    for record in report.records()],
    }
    body["id"] = _certificate_id(body)
    public = key.verifier()
    record = {"certificate": body,
              "signature": {"algorithm": "Ed25519", "key": public.name,
                            "key_id": f"{public.key_id:08x}",
                            "value": base64.b64encode(key.sign(canonical(body))).decode()}}
    event = {"type": EVENT_TYPE, "actor": key.name, "time": issued,
             "subject": report.subject or body["id"], "payload": record}
    return record, event


@dataclass(frozen=True)
class CertificateVerification:
    """Whether a signed record verifies, and if not, why."""

    valid: bool
    reason: str
    certificate_id: str | None = None


def verify_certificate(record: Any, key: VerifierKey) -> CertificateVerification:
    """Verify a signed record with the issuer's public key (no other input is needed)."""
    if not isinstance(record, Mapping) or not isinstance(record.get("certificate"), Mapping) \
            or not isinstance(record.get("signature"), Mapping):
        return CertificateVerification(False, "not a signed certificate record "
                                              "(needs 'certificate' and 'signature')")
    body, signature = record["certificate"], record["signature"]
    identifier = body.get("id") if isinstance(body.get("id"), str) else None
    if signature.get("algorithm") != "Ed25519":
        return CertificateVerification(False, "signature algorithm is not Ed25519", identifier)
    if signature.get("key") != key.name or signature.get("key_id") != f"{key.key_id:08x}":
        return CertificateVerification(
            False, f"signed by key {signature.get('key')}+{signature.get('key_id')}, "
                   f"not by {key.label}", identifier)
    try:
        value = base64.b64decode(str(signature.get("value", "")), validate=True)
        message = canonical(body)
    except (binascii.Error, ValueError, TypeError, rfc8785.CanonicalizationError) as exc:
        return CertificateVerification(False, f"signature or body cannot be read ({exc})",
                                       identifier)
    if base64.b64encode(value).decode() != signature.get("value"):
        # Base64 can spell the same bytes in more than one way (unused low bits of the last
        # character); only the canonical spelling is accepted, so every byte of the record counts.
        return CertificateVerification(False, "signature is not in canonical base64",
                                       identifier)
    if not key.verify(message, value):
        return CertificateVerification(False, "signature does not match the certificate",
                                       identifier)
    if identifier != _certificate_id(body):
        return CertificateVerification(False, "certificate id does not match its body",
                                       identifier)
    return CertificateVerification(True, "signature valid", identifier)
