"""Battery Pass Data Model v1.2 aspects from a battery passport, one payload per aspect.

Our battery passport's sections are these aspects (see :mod:`valueloop.passport.battery`), so
the export is the sections dumped with their upstream names, plus the
``batteryPassportIdentifier`` the GeneralProductInformation aspect requires. That identifier must
match ``^urn:[a-z0-9]+:[a-z0-9]+$``, so we write ``urn:iso15459:<uii>`` with the UII in lower
case and ``-`` and ``/`` spelt ``x2d`` and ``x2f`` (their code points), our convention.
"""

from __future__ import annotations

from typing import Any

from valueloop.passport.battery import BatteryPassport
from valueloop.passport.export.schemas import validate
from valueloop.passport.identifiers import parse_identifier

ASPECTS: dict[str, str] = {
    "general_product_information": "GeneralProductInformation",
    "carbon_footprint": "CarbonFootprintForBatteries",
    "circularity": "Circularity",
    "material_composition": "MaterialComposition",
    "labeling": "Labeling",
    "supply_chain_due_diligence": "SupplyChainDueDiligence",
    "performance_and_durability": "PerformanceAndDurability",
}
"""Passport section -> Battery Pass aspect (schema name)."""


def batterypass_identifier(identifier: str) -> str:
    """``urn:iso15459:<uii>`` in the character set the Battery Pass pattern allows."""
    uii = parse_identifier(identifier).uii.lower()
    return "urn:iso15459:" + uii.replace("-", "x2d").replace("/", "x2f")


def to_batterypass(passport: BatteryPassport) -> dict[str, dict[str, Any]]:
    """``{aspect name: payload}`` for every section the passport has, each one validated."""
    aspects: dict[str, dict[str, Any]] = {}
    for section, aspect in ASPECTS.items():
        value = getattr(passport, section)
        if value is None:
            continue
        payload = value.model_dump(mode="json", by_alias=True, exclude_none=True)
        if aspect == "GeneralProductInformation":
            payload["batteryPassportIdentifier"] = batterypass_identifier(passport.identifier)
        aspects[aspect] = validate(aspect, payload)
    return aspects


def from_batterypass(identifier: str, aspects: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Passport data (for :func:`~valueloop.passport.files.parse_passport`) from aspect payloads.

    The aspects' own ``batteryPassportIdentifier`` is dropped: ``identifier`` names the passport.
    """
    sections = {aspect: section for section, aspect in ASPECTS.items()}
    data: dict[str, Any] = {"kind": "battery", "identifier": identifier}
    for aspect, payload in aspects.items():
        body = dict(payload)
        body.pop("batteryPassportIdentifier", None)
        data[sections[aspect]] = body
    return data
