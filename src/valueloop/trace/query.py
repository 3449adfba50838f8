"""The public trace query and its third-party verification.

A trace answer (JSON, ``format: valueloop-trace/v1``) for one passport identifier holds:

* ``passport``: the latest version's public view (:func:`valueloop.passport.tiers.view` for the
  public audience), its version, status and predecessor;
* ``log``: the log's origin and its latest signed checkpoint (C2SP note text);
* ``certificates``: each certificate covered by that checkpoint, with the issuer's public key,
  its log entry (index and leaf data, the canonical JSON the log hashed) and the RFC 9162
  inclusion proof of that entry in the checkpoint's tree;
* ``pending``: certificates logged after the checkpoint (no proof yet);
* ``withheld``: certificates whose results quote fields above the public tier (the public
  answer never shows them; a reader with access asks the issuer).

:func:`verify_trace` checks an answer with nothing but the log's public key: the checkpoint's
signature, each entry's inclusion in the checkpoint's tree, the issuer's signature on the entry
and on the certificate, and that the certificate shown is the one logged. The passport view
itself is not signed (the log pins a hash of the whole passport, which the public may not see).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, get_args
from urllib.parse import unquote, urlsplit

import rfc8785
from pydantic import BaseModel

from valueloop.certify.certificate import EVENT_TYPE, verify_certificate
from valueloop.certify.store import StoredCertificate, certificates_of
from valueloop.core.db import Database
from valueloop.core.errors import UserInputError
from valueloop.log.checkpoint import open_checkpoint
from valueloop.log.event import check_entry
from valueloop.log.keys import VerifierKey
from valueloop.log.merkle import ProofError, leaf_hash, verify_inclusion
from valueloop.log.store import EventLog
from valueloop.passport.identifiers import UniqueIdentifier, parse_identifier
from valueloop.passport.model import Audience, Tier
from valueloop.passport.store import get_passport
from valueloop.passport.tiers import field_tier, view

FORMAT = "valueloop-trace/v1"


def identifier_of(reference: str) -> UniqueIdentifier:
    """The identifier in ``IAC:CIN:SERIAL`` text or in a resolver URL (a QR code's content).

    A resolver URL ends in ``/IAC/CIN/SERIAL`` (:meth:`UniqueIdentifier.resolver_url`).
    """
    text = reference.strip()
    if text.startswith(("https://", "http://", "/")):
        path = urlsplit(text).path if "://" in text else text
        parts = [unquote(p) for p in path.rstrip("/").split("/")]
        if len(parts) >= 1 and ":" in parts[-1]:
            return parse_identifier(parts[-1])
        if len(parts) < 3:
            raise UserInputError(f"{reference!r} does not end in /IAC/CIN/SERIAL",
                                 item="identifier",
                                 allowed="IAC:CIN:SERIAL or a resolver URL .../IAC/CIN/SERIAL")
        return UniqueIdentifier(*parts[-3:])
    return parse_identifier(text)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _latest_checkpoint(log: EventLog) -> tuple[int, str] | None:
    found = log.checkpoints()
    return found[-1] if found else None


def trace(db: Database, log: EventLog, reference: str) -> dict[str, Any]:
    """The public trace answer for an identifier or resolver URL (see the module docstring).

    Raises
    ------
    IdentifierError
        If ``reference`` is neither an identifier nor a resolver URL.
    PassportNotFoundError
        If no passport has the identifier.
    """
    identifier = str(identifier_of(reference))
    record = get_passport(db, identifier)
    latest = _latest_checkpoint(log)
    size = latest[0] if latest else 0
    keys = {key.label: key for key in log.public_keys()}
    shown, pending, withheld = [], [], []
    for stored in certificates_of(db, identifier):
        if stored.log_origin != log.origin:
            continue
        if not _public_results(type(record.passport), stored.record):
            withheld.append({"id": stored.id, "reason": "its results quote fields above the "
                                                        "public tier"})
        elif stored.log_index >= size:
            pending.append({"id": stored.id, "log_index": stored.log_index,
                            "reason": "logged after the latest checkpoint"})
        else:
            shown.append(_certificate(log, stored, size, keys))
    return {
        "format": FORMAT,
        "identifier": identifier,
        "passport": {"kind": record.kind, "version": record.version, "status": record.status,
                     "predecessor": record.predecessor, "recorded": record.recorded,
                     "public": view(record.passport, Audience.PUBLIC)},
        "log": {"origin": log.origin, "checkpoint": latest[1] if latest else None},
        "certificates": shown,
        "pending": pending,
        "withheld": withheld,
    }


def _certificate(log: EventLog, stored: StoredCertificate, size: int,
                 keys: Mapping[str, VerifierKey]) -> dict[str, Any]:
    entry = log.entry(stored.log_index)
    proof = log.inclusion_proof(stored.log_index, size)
    issuer = keys[entry.record["key"]]
    return {"id": stored.id, "certificate": stored.record, "issuer_key": issuer.text,
            "entry": {"index": entry.index, "data": entry.data.decode("utf-8")},
            "inclusion": {"size": proof.size, "hashes": [_b64(h) for h in proof.hashes]}}


def _public_results(model: type[BaseModel], record: Mapping[str, Any]) -> bool:
    """Whether every quantity a certificate quotes is a public field of ``model``."""
    results = record.get("certificate", {}).get("results", [])
    return all(_public_path(model, str(r.get("quantity", ""))) for r in results)


def _public_path(model: type[BaseModel], path: str) -> bool:
    current: type[BaseModel] | None = model
    for part in path.split("."):
        info = current.model_fields.get(part) if current is not None else None
        if info is None or field_tier(info) != Tier.PUBLIC:
            return False  # unknown paths count as restricted: nothing is shown by default
        current = _model_in(info.annotation)
    return True


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    # Optional[...] and tuple[...] fields: the model is one of the arguments
    for inner in get_args(annotation):
        found = _model_in(inner)
        if found is not None:
            return found
    return None


# --- verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TraceVerification:
    """The outcome of :func:`verify_trace`: every problem found, each naming what failed."""

    problems: tuple[str, ...]
    certificates: int
    """Certificates that verified."""

    @property
    def valid(self) -> bool:
        return not self.problems


def verify_trace(answer: Any, log_keys: Sequence[VerifierKey]) -> TraceVerification:
    """Check a trace answer with the log's public key(s) only (see the module docstring)."""
    if not isinstance(answer, Mapping) or answer.get("format") != FORMAT:
        return TraceVerification((f"answer: not a {FORMAT} trace answer",), 0)
    log = answer.get("log") if isinstance(answer.get("log"), Mapping) else {}
    certificates = answer.get("certificates")
    if not isinstance(certificates, list):
        return TraceVerification(("answer: 'certificates' is not a list",), 0)
    if log.get("checkpoint") is None:
        problems = ("checkpoint: missing, so no certificate can be proved",) \
            if certificates else ()
        return TraceVerification(problems, 0)
    try:
        checkpoint = open_checkpoint(str(log["checkpoint"]), log_keys,
                                     origin=str(log.get("origin"))).checkpoint
    except UserInputError as exc:
        return TraceVerification((f"checkpoint: {exc.problem}",), 0)
    problems: list[str] = []
    for position, item in enumerate(certificates):
        problem = _check_certificate(item, checkpoint.origin, checkpoint.size, checkpoint.root,
                                     str(answer.get("identifier")))
        if problem is not None:
            name = item.get("id") if isinstance(item, Mapping) else None
            problems.append(f"certificate {name or f'[{position}]'}: {problem}")
    return TraceVerification(tuple(problems), len(certificates) - len(problems))


def _check_certificate(item: Any, origin: str, size: int, root: bytes,
                       identifier: str) -> str | None:
    """What is wrong with one certificate of an answer (None when it verifies)."""
    try:
        entry, inclusion = item["entry"], item["inclusion"]
        index, data = int(entry["index"]), str(entry["data"]).encode("utf-8")
        hashes = [base64.b64decode(h, validate=True) for h in inclusion["hashes"]]
        key = VerifierKey.parse(str(item["issuer_key"]))
        certificate = item["certificate"]
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        return f"not readable ({exc.__class__.__name__}: {exc})"
    except UserInputError as exc:
        return f"issuer key: {exc.problem}"
    if inclusion.get("size") != size:
        return f"inclusion proof is for size {inclusion.get('size')}, the checkpoint has {size}"
    try:
        verify_inclusion(index, size, leaf_hash(data), hashes, root)
    except ProofError as exc:
        return f"inclusion proof: {exc}"
    wrong = check_entry(origin, index, data, {key.label: key})
    if wrong is not None:
        return f"log entry {index}: {wrong}"
    event = json.loads(data)["event"]
    if event["type"] != EVENT_TYPE or event["subject"] != identifier:
        return f"log entry {index} is a {event['type']} of {event['subject']!r}, not a " \
               f"{EVENT_TYPE} of {identifier!r}"
    try:
        same = rfc8785.dumps(certificate) == rfc8785.dumps(event["payload"])
    except (rfc8785.CanonicalizationError, TypeError, ValueError):
        same = False
    if not same:
        return f"the certificate shown differs from the one logged in entry {index}"
    checked = verify_certificate(certificate, key)
    if not checked.valid:
        return checked.reason
    if item.get("id") != checked.certificate_id:
        return f"listed as {item.get('id')!r} but the certificate is {checked.certificate_id!r}"
    return None
