"""Reading passports from JSON or TOML files and payloads, with errors that name the field."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from valueloop.core.errors import MalformedFileError
from valueloop.passport.battery import BatteryPassport
from valueloop.passport.copper import CopperPassport
from valueloop.passport.errors import PassportContentError

Passport = BatteryPassport | CopperPassport
KINDS: dict[str, type[BatteryPassport] | type[CopperPassport]] = {
    "battery": BatteryPassport, "copper": CopperPassport}


def parse_passport(data: Any, *, source: str | Path | None = None) -> Passport:
    """A passport from JSON-like data; ``kind`` (battery or copper) picks the definition."""
    if not isinstance(data, dict):
        raise PassportContentError("a passport must be an object/table", file=source)
    kind = data.get("kind")
    if kind not in KINDS:
        raise PassportContentError(f"unknown passport kind {kind!r}", file=source, item="kind",
                                   allowed=", ".join(KINDS))
    try:
        return KINDS[kind].model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise PassportContentError(f"{first['msg']}{more}", file=source,
                                   item=where or None) from None


def load_passport_file(path: str | Path) -> Passport:
    """Read ``FILE.json`` or ``FILE.toml``."""
    target = Path(path)
    if not target.is_file():
        raise PassportContentError("no such file", file=target)
    text = target.read_text(encoding="utf-8")
    try:
        if target.suffix.lower() == ".toml":
            data: Any = tomllib.loads(text)
        elif target.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            raise PassportContentError("cannot read a passport from this file type", file=target,
                                       allowed=".json, .toml")
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MalformedFileError(str(exc), file=target) from None
    return parse_passport(data, source=target)
