"""The shared event envelope and the log entry that carries it.

Every component records events of one shape: ``{"type": "<component>.<verb>", "actor": ...,
"time": "<RFC 3339 UTC>", "subject": ..., "payload": {...}}``. The actor signs the event with its
Ed25519 key; the log's leaf data is the RFC 8785 canonical JSON of
``{"event": ..., "key": "<key name>+<key ID>", "signature": "<base64>"}``.

The signature covers ``valueloop-event/v1``, the log origin, the entry index and the canonical
event, one per line. Binding the position means an entry that is moved, dropped or copied into
another log no longer verifies where it lands, so a verifier can name the first bad entry
instead of only reporting a wrong root.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import rfc8785
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from valueloop.core.errors import UserInputError
from valueloop.log.canonical import canonical_json
from valueloop.log.keys import Signer, VerifierKey, check_key_name
from valueloop.log.merkle import leaf_hash

SIGNATURE_DOMAIN = b"valueloop-event/v1\n"
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z")


class EventError(UserInputError):
    """An event that does not follow the shared envelope."""


class Event(BaseModel):
    """The shared event envelope, validated once before it is signed."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    type: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$",
                      description="<component>.<verb>, e.g. custody.transform")
    actor: str = Field(description="the actor id: the name of the key that signs the event")
    time: str = Field(description="RFC 3339 UTC time, e.g. 2026-11-22T10:00:00Z")
    subject: str = Field(min_length=1, description="the batch, passport or contract concerned")
    payload: dict[str, Any]

    @field_validator("actor")
    @classmethod
    def _actor(cls, value: str) -> str:
        try:
            return check_key_name(value)
        except UserInputError as exc:
            raise ValueError(exc.problem) from None

    @field_validator("time")
    @classmethod
    def _time(cls, value: str) -> str:
        if not _TIME.fullmatch(value):
            raise ValueError("not an RFC 3339 UTC time like 2026-11-22T10:00:00Z")
        try:
            datetime.fromisoformat(value[:19])
        except ValueError:
            raise ValueError(f"{value} is not a calendar time") from None
        return value


def validate_event(event: Mapping[str, Any]) -> Event:
    """The envelope of ``event``, or an :class:`EventError` naming the bad field."""
    if not isinstance(event, Mapping):
        raise EventError(f"an event is a JSON object, not {type(event).__name__}", item="event")
    try:
        return Event.model_validate(dict(event))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "event"
        raise EventError(first["msg"], item=f"event.{where}",
                         allowed="type, actor, time, subject, payload (the shared envelope)"
                         ) from None


@dataclass(frozen=True)
class LogEntry:
    """One entry of the log: its position, leaf hash, event id and leaf data."""

    index: int
    leaf_hash: bytes
    event_id: str
    """SHA-256 (hex) of the canonical event: a content address other records can cite."""
    data: bytes
    """The leaf data: canonical JSON of {"event", "key", "signature"}."""

    @property
    def record(self) -> dict[str, Any]:
        return json.loads(self.data)

    @property
    def event(self) -> dict[str, Any]:
        return self.record["event"]


def canonical_event(event: Mapping[str, Any]) -> bytes:
    """Canonical bytes of a validated event."""
    validate_event(event)
    return canonical_json(event)


def signed_bytes(origin: str, index: int, event_bytes: bytes) -> bytes:
    """What an actor signs: the domain line, origin, index and canonical event."""
    return SIGNATURE_DOMAIN + origin.encode() + b"\n" + str(index).encode() + b"\n" + event_bytes


def make_entry(origin: str, index: int, event: Mapping[str, Any], event_bytes: bytes,
               signer: Signer) -> LogEntry:
    """Sign a canonical event for position ``index`` and build its leaf."""
    signature = signer.sign(signed_bytes(origin, index, event_bytes))
    data = canonical_json({"event": event, "key": signer.label,
                           "signature": base64.b64encode(signature).decode()})
    return LogEntry(index, leaf_hash(data), hashlib.sha256(event_bytes).hexdigest(), data)


def check_entry(origin: str, index: int, data: bytes,
                keys: Mapping[str, VerifierKey]) -> str | None:
    """What is wrong with the leaf data at ``index`` (None when it verifies).

    Checks, in order: UTF-8 JSON without duplicate keys, canonical form (so no byte can change
    without changing the parsed value), the three fields, the envelope, a known key that is the
    actor's own, canonical base64, and the Ed25519 signature.
    """
    try:
        record = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates,
                            parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError):
        return "not UTF-8 JSON"
    if not isinstance(record, dict) or set(record) != {"event", "key", "signature"}:
        return "not an object of event, key and signature"
    label, signature = record["key"], record["signature"]
    try:
        # the library directly: the data came from JSON, so only its own checks can fail
        if rfc8785.dumps(record) != data:
            return "not in RFC 8785 canonical form"
        tail = b',"key":' + rfc8785.dumps(label) + b',"signature":' + rfc8785.dumps(signature)
        event = validate_event(record["event"])
    except (rfc8785.CanonicalizationError, UnicodeEncodeError):
        return "not in RFC 8785 canonical form"
    except UserInputError as exc:
        return exc.problem
    # keys sort as event < key < signature, so the canonical event is a slice of the data
    event_bytes = data[len(b'{"event":'):len(data) - len(tail) - 1]
    key = keys.get(label) if isinstance(label, str) else None
    if key is None:
        return f"signed by a key not given: {label!r}"
    if key.name != event.actor:
        return f"signed by {key.name!r}, not by its actor {event.actor!r}"
    raw = _canonical_b64(signature)
    if raw is None:
        return "signature is not canonical base64"
    if not key.verify(signed_bytes(origin, index, event_bytes), raw):
        return "signature does not verify"
    return None


def _canonical_b64(text: object) -> bytes | None:
    if not isinstance(text, str):
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    # unused low bits of the last character would let two strings decode to the same bytes
    return raw if base64.b64encode(raw).decode() == text else None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key")
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
