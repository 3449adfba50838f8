"""Catena-X SecondaryMaterialContentVerifiable 1.0.0 from a copper passport's recycled content.

Mapping choices (ours): re-melting of scrap is reported as ``mechanicalRecycling`` and scrap that
went through smelting or electrorefining as ``chemicalRecycling`` (the passport's
``recycledContent.route``); the schema's mandatory bio-based and automotive blocks are reported
as 0 % because copper has no bio-based content and we record no automotive origin; the order
number, which we do not hold, is the lot's ISO/IEC 15459 UII.
"""

from __future__ import annotations

from typing import Any

from valueloop.passport.copper import CopperPassport
from valueloop.passport.errors import ExportError
from valueloop.passport.export.schemas import validate
from valueloop.passport.identifiers import parse_identifier
from valueloop.passport.store import PassportRecord

STANDARD_BODIES = ("AISI", "AS", "ASME", "DIN EN", "DIN", "EN", "JASO", "JIS", "GB", "ISO", "IS")
"""The schema's ``referencedStandard`` values, longest prefix first."""


def _share(percent: float, mass_balanced: bool) -> dict[str, Any]:
    return {"percentageOfMaterialWeight": percent, "isMassBalanced": mass_balanced}


def to_smcv(record: PassportRecord) -> dict[str, Any]:
    """The SMCV 1.0.0 payload of a stored copper passport version, validated."""
    passport = record.passport
    if not isinstance(passport, CopperPassport):
        raise ExportError("the smcv export is for copper passports", item="--format")
    recycled = passport.recycled_content
    if recycled is None:
        raise ExportError("the passport has no recycled content", item="recycledContent")
    standard = passport.standard or ""
    body = next((b for b in STANDARD_BODIES if standard.startswith(b + " ")), None)
    if body is None:
        raise ExportError(f"standard {standard!r} is not one SMCV can name", item="standard",
                          allowed=", ".join(STANDARD_BODIES) + " followed by the number")
    balanced = recycled.is_mass_balanced
    zero = _share(0.0, balanced)
    pre, post = _share(recycled.pre_consumer_percent, balanced), _share(
        recycled.post_consumer_percent, balanced)
    mechanical = recycled.route == "mechanical"
    payload = {
        "orderNumber": parse_identifier(passport.identifier).uii,
        "secondaryMaterialContent": [{
            "materialClass": "copper",
            "materialNameStandardized": {
                "referencedStandard": body,
                "referencedStandardID": standard.removeprefix(body).strip(),
                "materialNameStandardizedValue": passport.designation},
            "unitOfMeasure": {"unitOfMeasureKey": "unit:kilogram",
                              "materialNetMass": passport.net_mass_kg,
                              "grossMaterialInputMass": passport.net_mass_kg},
            "bioBased": {"bioBasedClass": "gen1",
                         "secondaryBioBased": _share(0.0, balanced),
                         "primaryBioBased": {"percentageOfMaterialWeight": 0.0}},
            "inorganic": {
                "secondaryInorganic": {
                    "preConsumer": {"mechanicalRecycling": pre if mechanical else zero,
                                    "chemicalRecycling": zero if mechanical else pre},
                    "postConsumer": {"mechanicalRecycling": post if mechanical else zero,
                                     "chemicalRecycling": zero if mechanical else post},
                    "postConsumerAutomotive": {"mechanicalRecycling": zero,
                                               "chemicalRecycling": zero}},
                "primaryInorganic": {"percentageOfMaterialWeight": max(
                    0.0, 100.0 - recycled.pre_consumer_percent - recycled.post_consumer_percent)}},
        }],
    }
    return validate("SecondaryMaterialContentVerifiable", payload)
