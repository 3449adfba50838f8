"""Passport events in the shared envelope, ready to be appended to the event log later.

Shape (shared by every component): ``{"type": "passport.<verb>", "actor": ..., "time":
"<RFC 3339 UTC>", "subject": "<passport identifier>", "payload": {...}}``. The payload carries
the version and the SHA-256 of the version's RFC 8785 canonical JSON, so a logged event pins
exactly one stored version.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import rfc8785

from valueloop.core.errors import OptionError


def rfc3339(time: datetime | None) -> str:
    """``time`` (default: now) in UTC as ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``; naive is refused."""
    moment = datetime.now(UTC) if time is None else time
    if moment.tzinfo is None:
        raise OptionError("a time without time zone is ambiguous", item="time",
                          allowed="an aware datetime, e.g. 2026-11-22T10:00:00Z")
    moment = moment.astimezone(UTC)
    spec = "microseconds" if moment.microsecond else "seconds"
    return moment.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def content_hash(body: dict[str, Any]) -> str:
    """SHA-256 (hex) of the RFC 8785 canonical form of a passport body."""
    return hashlib.sha256(rfc8785.dumps(body)).hexdigest()


def event(verb: str, *, actor: str, time: str, subject: str,
          payload: dict[str, Any]) -> dict[str, Any]:
    """One event in the shared envelope."""
    return {"type": f"passport.{verb}", "actor": actor, "time": time, "subject": subject,
            "payload": payload}
