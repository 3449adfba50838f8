"""The export formats by name, as ``valueloop passport export --format`` offers them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from valueloop.core.errors import OptionError
from valueloop.passport.battery import BatteryPassport
from valueloop.passport.errors import ExportError
from valueloop.passport.export.batterypass import to_batterypass
from valueloop.passport.export.dpp import to_dpp
from valueloop.passport.export.smcv import to_smcv
from valueloop.passport.identifiers import DEFAULT_RESOLVER
from valueloop.passport.store import PassportRecord


def _batterypass(record: PassportRecord, resolver: str) -> Any:
    if not isinstance(record.passport, BatteryPassport):
        raise ExportError("the batterypass export is for battery passports", item="--format",
                          allowed="dpp or smcv for copper products")
    return to_batterypass(record.passport)


FORMATS: dict[str, Callable[[PassportRecord, str], Any]] = {
    "batterypass": _batterypass,
    "dpp": lambda record, resolver: to_dpp(record, resolver=resolver),
    "smcv": lambda record, resolver: to_smcv(record),
}
"""Implemented formats; catenax-battery (BatteryPass 6.1.0) and pcf (PCF 9.0.0) are not yet."""


def export_record(record: PassportRecord, fmt: str, *, resolver: str = DEFAULT_RESOLVER) -> Any:
    """The validated payload of ``record`` in format ``fmt``."""
    if fmt not in FORMATS:
        raise OptionError(f"unknown export format {fmt!r}", item="--format",
                          allowed=", ".join(FORMATS))
    return FORMATS[fmt](record, resolver)
