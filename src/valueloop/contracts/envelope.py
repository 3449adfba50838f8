"""The shared event envelope, validated, and reading events from JSON Lines.

``{"type": "<component>.<verb>", "actor": ID, "time": "2026-11-22T10:00:00Z", "subject": ID,
"payload": {...}}``. The event log (``valueloop.log``) carries events of this shape; this module
only reads them, so contracts can settle from an exported log or a plain JSONL file.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from valueloop.core.errors import MalformedFileError


class Event(BaseModel):
    """One event in the shared envelope."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: str = Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
    actor: str = Field(min_length=1)
    time: str = Field(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
    subject: str = Field(min_length=1)
    payload: dict[str, Any]

    @field_validator("time")
    @classmethod
    def _parses(cls, value: str) -> str:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return value

    @property
    def moment(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.time.replace("Z", "+00:00"))


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
        except (json.JSONDecodeError, ValueError) as exc:
            raise MalformedFileError(f"is not a JSON event ({exc})", file=file,
                                     line=number) from None
        try:
            events.append(Event.model_validate(raw))
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"]) or "event"
            raise MalformedFileError(str(error["msg"]).removeprefix("Value error, "),
                                     file=file, line=number, item=where,
                                     allowed="type, actor, time (RFC 3339 UTC), subject, "
                                             "payload") from None
    return tuple(events)


def finite(value: Any) -> bool:
    """A JSON number that is finite (not bool, NaN or infinite)."""
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))
