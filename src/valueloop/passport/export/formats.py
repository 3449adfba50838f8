"""The export formats by name, as ``valueloop passport export --format`` offers them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from valueloop.core.errors import OptionError
from valueloop.passport.aas import to_aas
from valueloop.passport.battery import BatteryPassport
from valueloop.passport.errors import ExportError
from valueloop.passport.export.batterypass import to_batterypass
from valueloop.passport.export.catenax_battery import to_catenax_battery
from valueloop.passport.export.dpp import to_dpp
from valueloop.passport.export.pcf import to_pcf
from valueloop.passport.export.smcv import to_smcv
from valueloop.passport.identifiers import DEFAULT_RESOLVER
from valueloop.passport.store import PassportRecord


def _batterypass(record: PassportRecord, resolver: str) -> Any:
    if not isinstance(record.passport, BatteryPassport):
        raise ExportError("the batterypass export is for battery passports", item="--format",
                          allowed="dpp, smcv, pcf or aas for copper products")
    return to_batterypass(record.passport)


FORMATS: dict[str, Callable[[PassportRecord, str], Any]] = {
    "catenax-battery": lambda record, resolver: to_catenax_battery(record, resolver=resolver),
    "batterypass": _batterypass,
    "dpp": lambda record, resolver: to_dpp(record, resolver=resolver),
    "smcv": lambda record, resolver: to_smcv(record),
    "pcf": lambda record, resolver: to_pcf(record),
    "aas": lambda record, resolver: to_aas(record, resolver=resolver),
}
"""Every format: Catena-X BatteryPass 6.1.0, Battery Pass v1.2 aspects, Catena-X DPP 7.0.0,
SMCV 1.0.0, PCF 9.0.0 and an AAS V3.1 environment (needs basyx-python-sdk)."""


def export_record(record: PassportRecord, fmt: str, *, resolver: str = DEFAULT_RESOLVER) -> Any:
    """The validated payload of ``record`` in format ``fmt``."""
    if fmt not in FORMATS:
        raise OptionError(f"unknown export format {fmt!r}", item="--format",
                          allowed=", ".join(FORMATS))
    return FORMATS[fmt](record, resolver)
