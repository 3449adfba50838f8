"""Contract events in the shared envelope, read from a JSON Lines file or from the event log.

The envelope model is the event log's (:class:`valueloop.log.event.Event`), so an event that
settles a contract is exactly one the log accepts, and settling from the log or from a file of
the same events gives the same result.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from valueloop.core.errors import MalformedFileError, UserInputError
from valueloop.log.event import Event, validate_event
from valueloop.log.store import EventLog

CONTRACT_TYPES = ("contract.delivery", "contract.takeback")
"""The event types a settlement reads."""


def moment(event: Event) -> dt.datetime:
    """The event's time as an aware UTC datetime."""
    return dt.datetime.fromisoformat(event.time.replace("Z", "+00:00"))


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed in events")


def read_events(path: str | Path) -> tuple[Event, ...]:
    """Events from a JSON Lines file (one envelope per line; blank lines are skipped)."""
    file = Path(path)
    try:
        lines = file.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise MalformedFileError(f"cannot be read ({exc.__class__.__name__})", file=file) from None
    events: list[Event] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line, parse_constant=_reject_constant)
        except ValueError as exc:
            raise MalformedFileError(f"is not a JSON event ({exc})", file=file,
                                     line=number) from None
        try:
            events.append(validate_event(raw))
        except UserInputError as exc:
            raise MalformedFileError(exc.problem, file=file, line=number, item=exc.item,
                                     allowed="type, actor, time (RFC 3339 UTC), subject, "
                                             "payload") from None
    return tuple(events)


def logged_events(log: EventLog, subject: str) -> Iterator[Event]:
    """The contract events of ``subject`` in the log, in log order.

    Reads every entry (the log has no subject index); entries were validated when appended.
    """
    for entry in log.entries():
        raw = entry.event
        if raw.get("subject") == subject and raw.get("type") in CONTRACT_TYPES:
            yield validate_event(raw)


def finite(value: Any) -> bool:
    """A JSON number that is finite (not bool, NaN or infinite)."""
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))
