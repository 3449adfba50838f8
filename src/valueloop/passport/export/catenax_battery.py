"""Catena-X BatteryPass 6.1.0 (``io.catenax.battery.battery_pass``) from a battery passport.

Sources: the seven Battery Pass v1.2 sections, the ``catenaX`` section (business partner
numbers, part identification, test conditions, warranty) and the stored record (version, dates,
predecessor). Nothing is invented: a value 6.1.0 requires that the passport lacks raises
:class:`ExportError` naming the passport field to fill, and lists with nothing to report are
empty. Mapping choices (ours):

* ``passportIdentifier`` is the UUID v5 of :func:`.common.passport_uuid`; a passport without a
  predecessor names the nil UUID (RFC 9562 §5.9), as the Catena-X example does;
* ``idDmc`` (the data-matrix content) and the ``partInstanceId`` are the ISO/IEC 15459 UII;
* carbon footprint: one entry per Battery Pass life-cycle stage, named as Annex II of
  Regulation (EU) 2023/1542 names the stages (the Catena-X example has "main product
  production"), unit kg CO2e per kWh;
* active materials: ``recycled`` is the Art. 8 pre- plus post-consumer share, location and
  critical flag come from the battery material with the metal's CAS number; lead's
  concentration comes from the hazardous substance lead;
* composition: concentration is material mass over battery mass in per cent; ``renewable`` is
  the battery's renewable content (Annex XIII 1(f)), the only renewable figure a passport has;
* hazardous cadmium, mercury and lead are not critical: none is on the EU list of critical raw
  materials (Regulation (EU) 2024/1252, Annex II).
"""

from __future__ import annotations

from typing import Any

from valueloop.passport.battery import BatteryMaterial, BatteryPassport, HazardousSubstance
from valueloop.passport.errors import ExportError
from valueloop.passport.export.catenax_performance import dynamic_block, rated_block
from valueloop.passport.export.common import document, passport_uuid
from valueloop.passport.export.schemas import validate
from valueloop.passport.identifiers import DEFAULT_RESOLVER, parse_identifier
from valueloop.passport.store import PassportRecord

SPEC_VERSION = "urn:io.catenax.battery.battery_pass:6.1.0"
NIL_UUID = "urn:uuid:00000000-0000-0000-0000-000000000000"
CAS = {"cobalt": "7440-48-4", "nickel": "7440-02-0", "lithium": "7439-93-2",
       "lead": "7439-92-1", "cadmium": "7440-43-9", "mercury": "7439-97-6"}
"""CAS Registry Numbers of the elements 6.1.0 names (CAS Common Chemistry)."""
CATEGORY = {"lmt": "LMT", "ev": "EV", "industrial": "industrial", "stationary": "industrial"}
"""Battery Pass category -> Catena-X category. A stationary battery energy storage system is an
industrial battery in Regulation (EU) 2023/1542 (its definitions, Art. 3), and 6.1.0 has no
stationary category."""
STATUS = {"Original": "original", "Repurposed": "repurposed", "Reused": "re-used",
          "Remanufactured": "remanufactured", "Waste": "waste"}
STAGE = {"RawMaterialExtraction": "raw material acquisition and pre-processing",
         "MainProduction": "main product production", "Distribution": "distribution",
         "Recycling": "end of life and recycling"}


def _need(value: Any, item: str) -> Any:
    if value is None:
        raise ExportError("Catena-X BatteryPass 6.1.0 needs this section", item=item)
    return value


def to_catenax_battery(record: PassportRecord, *,
                       resolver: str = DEFAULT_RESOLVER) -> dict[str, Any]:
    """The BatteryPass 6.1.0 payload of a stored battery passport version, validated."""
    passport = record.passport
    if not isinstance(passport, BatteryPassport):
        raise ExportError("the catenax-battery export is for battery passports", item="--format",
                          allowed="dpp, smcv or pcf for copper products")
    general = _need(passport.general_product_information, "generalProductInformation")
    extra = _need(passport.catena_x, "catenaX")
    footprint = _need(passport.carbon_footprint, "carbonFootprint")
    circularity = _need(passport.circularity, "circularity")
    composition = _need(passport.material_composition, "materialComposition")
    labeling = _need(passport.labeling, "labeling")
    diligence = _need(passport.supply_chain_due_diligence, "supplyChainDueDiligence")
    performance = _need(passport.performance_and_durability, "performanceAndDurability")
    rated = _need(performance.battery_technical_properties,
                  "performanceAndDurability.batteryTechicalProperties")
    condition = _need(performance.battery_condition, "performanceAndDurability.batteryCondition")
    uii = parse_identifier(passport.identifier).uii
    facilities = [{"facility": f} for f in extra.manufacturing_facilities]
    chemistry = composition.battery_chemistry
    try:
        performance_block = {"rated": rated_block(rated, extra),
                             "dynamic": dynamic_block(rated, condition)}
    except KeyError as exc:
        raise ExportError(f"a performance entry lacks {exc.args[0]!r}",
                          item="performanceAndDurability") from None
    status = "waste" if record.status == "recycled" else STATUS[general.battery_status]
    end_of_life = circularity.end_of_life_information
    payload: dict[str, Any] = {
        "specVersion": SPEC_VERSION,
        "metadata": {
            "version": str(record.version), "issueDate": record.recorded[:10],
            "expirationDate": extra.passport_expiration_date.isoformat(),
            "economicOperatorId": extra.economic_operator_id,
            "passportIdentifier": passport_uuid(passport.identifier),
            "predecessor": passport_uuid(record.predecessor) if record.predecessor else NIL_UUID,
            "backupReference": parse_identifier(passport.identifier).resolver_url(resolver)},
        "identification": {
            "category": CATEGORY[general.battery_category], "idDmc": uii,
            "chemistry": f"{chemistry.clear_name} ({chemistry.short_name})",
            "identification": {
                "serial": [{"key": "partInstanceId", "value": uii}],
                "type": {"manufacturerPartId": extra.manufacturer_part_id,
                         "nameAtManufacturer": extra.name_at_manufacturer},
                "codes": [], "classification": [],
                "dataCarrier": {"carrierType": "QR", "carrierLayout": extra.data_carrier_layout}}},
        "operation": {"manufacturer": {
            "facility": facilities, "manufacturer": extra.manufacturer_id,
            "manufacturingDate": general.manufacturing_date.date().isoformat()}},
        "characteristics": {
            "warranty": {"lifeValue": extra.warranty_value, "lifeUnit": extra.warranty_unit},
            "physicalDimension": {"weight": {"value": general.battery_mass,
                                             "unit": "unit:kilogram"}}},
        "sustainability": {
            "status": status,
            "documents": {
                "separateCollection": [document("separate collection",
                                                str(end_of_life.separate_collection))],
                "wastePrevention": [document("waste prevention",
                                             str(end_of_life.waste_prevention))]},
            "carbonFootprint": [{
                "lifecycle": STAGE[stage.lifecycle_stage], "type": "Climate Change Total",
                "value": stage.carbon_footprint, "unit": "kg CO2 / kWh",
                "performanceClass": footprint.carbon_footprint_performance_class,
                "rulebook": [], "manufacturingPlant": facilities,
                "declaration": [document("carbon footprint study",
                                         str(footprint.carbon_footprint_study))]}
                for stage in footprint.carbon_footprint_per_lifecycle_stage]},
        "materials": _materials(passport),
        "performance": performance_block,
        "conformity": {
            "declarationOfConformity": [document("declaration of conformity",
                                                 str(labeling.declaration_of_conformity))],
            "resultOfTestReport": [document("test report", str(labeling.result_of_test_report))],
            "thirdPartyAssurance": ([document("third-party assurance",
                                              str(diligence.third_party_assurances))]
                                    if diligence.third_party_assurances else []),
            "dueDiligencePolicy": ([document("due diligence policy",
                                             str(extra.due_diligence_policy))]
                                   if extra.due_diligence_policy else [])},
        "safety": _safety(passport),
        "commercial": {"purpose": list(extra.purposes)},
        "handling": _handling(passport),
    }
    if general.putting_into_service is not None:
        payload["operation"]["intoServiceDate"] = general.putting_into_service.date().isoformat()
    if extra.declaration_of_conformity_id:
        payload["conformity"]["declarationOfConformityId"] = extra.declaration_of_conformity_id
    if extra.placed_on_market is not None:
        payload["commercial"]["placedOnMarket"] = extra.placed_on_market.isoformat()
    return validate("BatteryPass", payload)


def _material(passport: BatteryPassport, element: str) -> BatteryMaterial:
    for material in passport.material_composition.battery_materials:  # type: ignore[union-attr]
        if material.battery_material_identifier == CAS[element]:
            return material
    raise ExportError(f"no battery material with the CAS number of {element} ({CAS[element]})",
                      item="materialComposition.batteryMaterials",
                      allowed="an entry per cobalt, nickel, lithium (Catena-X requires them)")


def _hazard(passport: BatteryPassport, element: str) -> HazardousSubstance:
    for substance in passport.material_composition.hazardous_substances:  # type: ignore[union-attr]
        if substance.hazardous_substance_identifier == CAS[element]:
            return substance
    raise ExportError(f"no hazardous substance {element} ({CAS[element]})",
                      item="materialComposition.hazardousSubstances",
                      allowed="entries for cadmium, mercury and lead, with concentration 0 "
                              "if measured absent (Catena-X requires them)")


def _recycled(passport: BatteryPassport, element: str) -> float:
    for share in passport.circularity.recycled_content:  # type: ignore[union-attr]
        if share.recycled_material.lower() == element:
            return share.pre_consumer_share + share.post_consumer_share
    raise ExportError(f"no recycled content share for {element}",
                      item="circularity.recycledContent",
                      allowed="Cobalt, Nickel, Lithium and Lead entries (Art. 8(1))")


def _hazard_block(substance: HazardousSubstance) -> dict[str, Any]:
    return {"concentration": substance.hazardous_substance_concentration,
            "materialUnit": "unit:percent",
            "location": substance.hazardous_substance_location.component_name,
            "critical": False, "documentation": [],
            "impactOfSubstances": [document("impact", text, "text/plain")
                                   for text in substance.hazardous_substance_impact]}


def _materials(passport: BatteryPassport) -> dict[str, Any]:
    composition = passport.material_composition
    mass = passport.general_product_information.battery_mass  # type: ignore[union-attr]
    renewable = passport.circularity.renewable_content  # type: ignore[union-attr]
    by_cas = {cas: element for element, cas in CAS.items()}
    active: dict[str, Any] = {}
    for element in ("cobalt", "nickel", "lithium"):
        material = _material(passport, element)
        active[element] = {"location": material.battery_material_location.component_name,
                           "recycled": _recycled(passport, element),
                           "critical": material.is_critical_raw_material, "documentation": []}
    lead = _hazard(passport, "lead")
    active["lead"] = {**_hazard_block(lead), "recycled": _recycled(passport, "lead")}
    entries = []
    for i, material in enumerate(composition.battery_materials):  # type: ignore[union-attr]
        element = by_cas.get(material.battery_material_identifier)
        if element not in ("cobalt", "nickel", "lithium", "lead"):
            raise ExportError(f"{material.battery_material_name}: Catena-X needs its recycled "
                              "share and a passport has one only for Co, Ni, Li and Pb",
                              item=f"materialComposition.batteryMaterials[{i}]")
        entries.append({
            "id": [{"type": "CAS", "name": material.battery_material_name,
                    "id": material.battery_material_identifier}],
            "concentration": 100.0 * material.battery_material_mass / mass if mass else 0.0,
            "unit": "unit:percent", "critical": material.is_critical_raw_material,
            "documentation": [], "recycled": _recycled(passport, element),
            "location": material.battery_material_location.component_name,
            "renewable": renewable})
    return {"active": active, "composition": entries,
            "hazardous": {"cadmium": _hazard_block(_hazard(passport, "cadmium")),
                          "mercury": _hazard_block(_hazard(passport, "mercury")),
                          "lead": {**_hazard_block(lead), "recycled": active["lead"]["recycled"]}}}


def _safety(passport: BatteryPassport) -> dict[str, Any]:
    circularity, labeling = passport.circularity, passport.labeling
    measures = circularity.safety_measures  # type: ignore[union-attr]
    fire_class = passport.catena_x.fire_class  # type: ignore[union-attr]
    documents = circularity.dismantling_and_removal_information  # type: ignore[union-attr]
    return {
        "usableExtinguishAgent": [{"media": agent, "fireClass": fire_class}
                                  for agent in measures.extinguishing_agent],
        "safetyMeasures": [document("safety instructions", str(measures.safety_instructions))],
        "meaningOfLabels": [document(str(label.get("labelingSubject", "label")),
                                     str(label["labelingSymbol"]))
                            for label in labeling.labels  # type: ignore[union-attr]
                            if "labelingSymbol" in label],
        "dismantling": [document(d.document_type, str(d.document_url), d.mime_type)
                        for d in documents],
        "removalFromAppliance": [document(d.document_type, str(d.document_url), d.mime_type)
                                 for d in documents if d.document_type == "RemovalManual"],
    }


def _handling(passport: BatteryPassport) -> dict[str, Any]:
    """Spare parts (Annex XIII 2(b)); their producers' BPNLs are not in a passport: empty."""
    suppliers = passport.circularity.spare_part_sources  # type: ignore[union-attr]
    parts = [{"manufacturerPartId": c.part_number, "nameAtManufacturer": c.part_name}
             for s in suppliers for c in s.components]
    return {"applicable": bool(parts), "content": {"producer": [], "sparePart": parts}}
