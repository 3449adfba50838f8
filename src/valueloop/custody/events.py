"""The shared event envelope, as the chain of custody fills it.

Every component that records something produces ``{"type", "actor", "time", "subject",
"payload"}`` so that the event log can carry it and contracts can settle from it. The store and
ledger functions return these dicts; appending them to the log is the caller's business.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from valueloop.core.errors import UserInputError

EVENT_TYPES = ("custody.batch", "custody.transform", "custody.claim", "custody.period_close")

Event = dict[str, Any]


def rfc3339(moment: dt.datetime) -> str:
    """``2026-11-22T10:00:00Z`` (microseconds kept when present)."""
    if moment.tzinfo is None:
        raise UserInputError("time needs a time zone", item="time",
                             allowed="an aware datetime, e.g. 2026-11-22T10:00:00Z")
    text = moment.astimezone(dt.UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def now() -> dt.datetime:
    """The current time in UTC (a default for ``time=`` arguments)."""
    return dt.datetime.now(dt.UTC)


def event(kind: str, *, actor: str, time: dt.datetime, subject: str,
          payload: Mapping[str, Any]) -> Event:
    """One event in the shared envelope; the payload must be JSON with finite numbers."""
    if kind not in EVENT_TYPES:
        raise ValueError(f"unknown custody event type {kind!r}")
    if not actor:
        raise UserInputError("an event needs an actor", item="actor",
                             allowed="a non-empty actor id")
    _check_finite(payload, kind)
    return {"type": kind, "actor": actor, "time": rfc3339(time), "subject": subject,
            "payload": dict(payload)}


def _check_finite(value: Any, where: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where}: NaN or infinity in an event payload")
    if isinstance(value, Mapping):
        for item in value.values():
            _check_finite(item, where)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_finite(item, where)
