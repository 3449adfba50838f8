"""Catena-X Digital Product Passport 7.0.0 from a copper passport.

Mapping choices (ours): the passport version is ``metadata.version``; ``backupReference`` is the
resolver URL (Art. 78(e) of Regulation (EU) 2023/1542 asks for availability beyond the operator);
the gross weight equals the net mass (no packaging data); volumes are mass over the density of
copper, 8.96 g/cm³ (CRC Handbook of Chemistry and Physics, density of the elements); nothing we
do not know is invented: optional blocks the schema makes mandatory are ``applicable: false`` and
lists we have no entries for are empty.
"""

from __future__ import annotations

from typing import Any

from valueloop.passport.copper import CopperPassport
from valueloop.passport.errors import ExportError
from valueloop.passport.export.common import address, document, party_contact, passport_uuid
from valueloop.passport.export.schemas import validate
from valueloop.passport.identifiers import DEFAULT_RESOLVER, parse_identifier
from valueloop.passport.store import PassportRecord

COPPER_DENSITY_KG_M3 = 8960.0
"""Density of copper at 20 °C (CRC Handbook of Chemistry and Physics: 8.96 g/cm³)."""
COPPER_CAS = "7440-50-8"
"""CAS Registry Number of copper (element)."""
SPEC_VERSION = "urn:io.catenax.generic.digital_product_passport:7.0.0"
_STATUS = {"active": "original", "repurposed": "repurposed", "remanufactured": "remanufactured",
           "recycled": "waste"}


def _not_applicable() -> dict[str, bool]:
    return {"applicable": False}


def to_dpp(record: PassportRecord, *, resolver: str = DEFAULT_RESOLVER) -> dict[str, Any]:
    """The DPP 7.0.0 payload of a stored copper passport version, validated."""
    passport = record.passport
    if not isinstance(passport, CopperPassport):
        raise ExportError("the dpp export is for copper passports", item="--format",
                          allowed="catenax-battery or batterypass for batteries")
    if passport.expiration_date is None:
        raise ExportError("DPP 7.0.0 requires an expiration date", item="expirationDate",
                          allowed="an expirationDate in the passport")
    mass = passport.net_mass_kg
    weight = {"value": mass, "unit": "unit:kilogram"}
    volume = {"value": mass / COPPER_DENSITY_KG_M3, "unit": "unit:cubicMetre"}
    manufacturer = passport.manufacturer
    facility = {"facilityIdentification": passport.facility.identifier,
                "facilityAddress": address(passport.facility.address)}
    payload: dict[str, Any] = {
        "metadata": {
            "specVersion": SPEC_VERSION,
            "version": str(record.version),
            "passportIdentifier": passport_uuid(passport.identifier),
            "issueDate": record.recorded[:10],
            "expirationDate": passport.expiration_date.isoformat(),
            "predecessor": ({"applicable": True, "content": passport_uuid(record.predecessor)}
                            if record.predecessor else _not_applicable()),
            "backupReference": parse_identifier(passport.identifier).resolver_url(resolver),
            "language": "en",
            "economicOperator": {
                "economicOperatorIdentification": manufacturer.identifier,
                "economicOperatorNames": [manufacturer.name],
                "economicOperatorAddress": address(manufacturer.address),
                "economicOperatorContact": party_contact(manufacturer)},
        },
        "identification": {
            "partTypeInformation": {"manufacturerPartId": passport.manufacturer_part_id,
                                    "nameAtManufacturer": passport.name_at_manufacturer},
            "partClassification": ([{"standard": passport.standard,
                                     "id": passport.designation}] if passport.standard else []),
            "productImages": [], "codes": [], "dataCarriers": [],
            "serialInformation": [{"key": "partInstanceId",
                                   "value": parse_identifier(passport.identifier).uii}],
        },
        "operation": {
            "manufacturing": {
                "facilities": [facility],
                "manufacturingDate": passport.production_date.isoformat(),
                "manufacturer": {
                    "manufacturerIdentification": manufacturer.identifier,
                    "manufacturerNames": [manufacturer.name],
                    "manufacturerAddress": address(manufacturer.address),
                    "manufacturerContact": party_contact(manufacturer)}},
            "import": _not_applicable(),
            "extendedProducerResponsibilityScheme": _not_applicable(),
        },
        "handling": _not_applicable(),
        "characteristics": {
            "lifespan": [],
            "physicalDimension": {"grossWeight": weight, "weight": weight,
                                  "grossVolume": volume, "volume": volume}},
        "commercial": {"purpose": [], "recallInformation": _not_applicable()},
        "sustainability": {
            "productStatus": _STATUS[record.status],
            "productFootprint": {"carbon": _carbon(passport, facility)},
            "reusability": _not_applicable(),
            "recycleabilityPerformance": _not_applicable()},
        "sources": [{**document(c.scheme, str(c.url)), "category": "Certifications and Compliance"}
                    for c in passport.certificates if c.url is not None],
        "compliances": [],
        "composition": {"componentInformation": _not_applicable(),
                        "materialInformation": {"materials": _materials(passport)}},
    }
    return validate("DigitalProductPassport", payload)


def _carbon(passport: CopperPassport, facility: dict[str, Any]) -> list[dict[str, Any]]:
    footprint = passport.carbon_footprint
    if footprint is None:
        return []
    return [{"value": footprint.value, "unit": "kg CO2e / kg", "type": "Climate Change Total",
             "lifecycle": footprint.boundary.lower(),
             "rulebook": [document(footprint.rulebook, footprint.rulebook, "text/plain")],
             "manufacturingPlant": [facility],
             "declaration": ([document("carbon footprint declaration",
                                       str(footprint.declaration))]
                             if footprint.declaration else [])}]


def _materials(passport: CopperPassport) -> list[dict[str, Any]]:
    recycled = passport.recycled_content
    share = (recycled.pre_consumer_percent + recycled.post_consumer_percent) if recycled else 0.0
    copper = {
        "recycled": share,
        "materialIdentifications": [{"materialName": "copper", "materialId": COPPER_CAS,
                                     "materialListTypeId": "CAS"}],
        "materialDocuments": [],
        "substancesOfConcernInformation": _not_applicable(),
        "declarableIngredient": _not_applicable(),
        "concentrationInformation": {"concentration": {
            "concentrationValue": passport.composition.copper_min_percent,
            "concentrationUnit": "unit:percent"}}}
    impurities = [{
        "recycled": share,
        "materialIdentifications": [{"materialName": e.element, "materialId": e.cas,
                                     "materialListTypeId": "CAS"}] if e.cas else [],
        "materialDocuments": [],
        "substancesOfConcernInformation": _not_applicable(),
        "declarableIngredient": _not_applicable(),
        "concentrationInformation": {"concentration": {
            "concentrationValue": e.mass_fraction_ppm, "concentrationUnit": "unit:partPerMillion"}},
    } for e in passport.composition.impurities]
    return [copper, *impurities]
