"""Catena-X PCF 9.0.0 (``io.catenax.pcf``) from a copper or battery passport.

What the passport knows is filled from it: the footprint figure and its boundary and reference
period (copper), the declared unit (copper: one kilogram, the unit of its kg CO2e per kg;
battery: one kilowatt hour, the unit of the Art. 7(1) declaration), company and product names,
the facility's country. Everything about method (standards, IPCC factors, biogenic uptake,
allocation, mass balancing, exemptions, region, validity) comes from the passport's ``pcf``
section (:class:`~valueloop.passport.pcf_inputs.PcfInputs`), where it is required; a value the
schema needs and neither place has raises :class:`ExportError` naming the field to fill.

Mapping choices (ours): the passport's footprint is ``pcfExcludingBiogenicUptake`` (emissions
without removals) and ``pcfIncludingBiogenicUptake`` adds the declared (negative) biogenic
uptake; the PCF id is a UUID v5 of the passport identifier (see :func:`pcf_uuid`) and its
version the passport version; a closed passport's PCF is ``Deprecated``; reference periods run
from 00:00:00Z on the first day to 23:59:59Z on the last, as in the Catena-X example; the
distribution stage is outside a cradle-to-gate boundary, and a cradle-to-grave figure is refused
because a passport holds no separate distribution-stage figures.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from valueloop.passport.battery import BatteryPassport
from valueloop.passport.copper import CopperPassport
from valueloop.passport.errors import ExportError
from valueloop.passport.export.common import PASSPORT_NAMESPACE, passport_uuid
from valueloop.passport.export.schemas import validate
from valueloop.passport.pcf_inputs import PcfInputs
from valueloop.passport.store import PassportRecord

SPEC_VERSION = "urn:io.catenax.pcf:datamodel:version:9.0.0"
_REQUIRED_INPUTS = ("crossSectoralStandards, ipccCharacterizationFactors, biogenicCo2Uptake, "
                    "exemptedEmissionsPercent, ccsTechnologicalCo2CaptureIncluded, "
                    "geographyRegion, validityPeriodEnd, massBalancingUsed, "
                    "allocationWasteIncineration, packagingEmissionsIncluded")


def pcf_uuid(identifier: str) -> str:
    """The PCF's ``urn:uuid``: UUID v5 of ``pcf:<identifier>`` in our passport namespace."""
    return f"urn:uuid:{uuid.uuid5(PASSPORT_NAMESPACE, 'pcf:' + identifier)}"


def _missing(item: str, allowed: str) -> ExportError:
    return ExportError("PCF 9.0.0 requires this and the passport does not have it", item=item,
                       allowed=allowed)


def _start(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _end(day: date) -> str:
    return f"{day.isoformat()}T23:59:59Z"


def _product(record: PassportRecord, inputs: PcfInputs) -> dict[str, Any]:
    """Figures, names and defaults that depend on the kind of product."""
    passport = record.passport
    if isinstance(passport, CopperPassport):
        footprint = passport.carbon_footprint
        if footprint is None:
            raise _missing("carbonFootprint", "a carbonFootprint section (kg CO2e per kg)")
        return {"value": footprint.value, "fossil": footprint.fossil, "unit": "kilogram",
                "mass": 1.0 if (inputs.declared_unit or "kilogram") == "kilogram" else None,
                "boundary": footprint.boundary, "start": footprint.reference_period_start,
                "end": footprint.reference_period_end,
                "company": passport.manufacturer.name, "company_ids": [
                    passport.manufacturer.identifier],
                "name": passport.name_at_manufacturer,
                "description": f"{passport.designation} copper {passport.form}",
                "classifications": ([f"{passport.standard} {passport.designation}"]
                                    if passport.standard else []),
                "country": passport.facility.address.country,
                "subdivision": passport.facility.address.subdivision}
    if not isinstance(passport, BatteryPassport):
        raise ExportError(f"no PCF mapping for {passport.kind} passports", item="kind")
    footprint_b, general = passport.carbon_footprint, passport.general_product_information
    if footprint_b is None or general is None:
        raise _missing("carbonFootprint" if footprint_b is None else "generalProductInformation",
                       "the Battery Pass carbon footprint and general product information")
    extra = passport.catena_x
    ids = [extra.manufacturer_id] if extra else [general.manufacturer_information.identifier]
    return {"value": footprint_b.battery_carbon_footprint, "fossil": None,
            "unit": "kilowatt hour", "mass": None, "boundary": None, "start": None,
            "end": None, "company": general.manufacturer_information.contact_name,
            "company_ids": ids,
            "name": extra.name_at_manufacturer if extra else general.product_identifier,
            "description": f"{general.battery_category} battery", "classifications": [],
            "country": None, "subdivision": None}


def to_pcf(record: PassportRecord) -> dict[str, Any]:
    """The PCF 9.0.0 payload of a stored copper or battery passport version, validated."""
    passport = record.passport
    inputs = passport.pcf
    if inputs is None:
        raise _missing("pcf", f"a pcf section with {_REQUIRED_INPUTS}")
    product = _product(record, inputs)
    boundary = inputs.boundary or product["boundary"]
    start = inputs.reference_period_start or product["start"]
    end = inputs.reference_period_end or product["end"]
    mass = inputs.product_mass_per_declared_unit
    mass = product["mass"] if mass is None else mass
    for value, item in ((boundary, "pcf.boundary"), (start, "pcf.referencePeriodStart"),
                        (end, "pcf.referencePeriodEnd"),
                        (mass, "pcf.productMassPerDeclaredUnit")):
        if value is None:
            raise _missing(item, "a value in the passport's pcf section")
    if boundary == "Cradle-to-grave":
        raise ExportError("cradle-to-grave needs distribution-stage figures a passport does "
                          "not hold", item="pcf.boundary", allowed="Cradle-to-gate")
    country = inputs.geography_country or product["country"]
    subdivision = inputs.geography_country_subdivision or product["subdivision"]
    geography: dict[str, Any] = {"geographyRegionOrSubregion": inputs.geography_region}
    if country:
        geography["geographyCountry"] = country
    if subdivision:
        geography["geographyCountrySubdivision"] = subdivision
    production: dict[str, Any] = {
        "pcfExcludingBiogenicUptake": product["value"],
        "pcfIncludingBiogenicUptake": product["value"] + inputs.biogenic_co2_uptake,
        "biogenicCO2Uptake": inputs.biogenic_co2_uptake}
    if product["fossil"] is not None:
        production["fossilGhgEmissions"] = product["fossil"]
    quality: dict[str, Any] = {}
    for key, value in (("primaryDataShare", inputs.primary_data_share),
                       ("technologicalDQR", inputs.technological_dqr),
                       ("temporalDQR", inputs.temporal_dqr),
                       ("geographicalDQR", inputs.geographical_dqr)):
        if value is not None:
            quality[key] = value
    if inputs.secondary_emission_factor_sources:
        quality["secondaryEmissionFactorSources"] = list(inputs.secondary_emission_factor_sources)
    allocation: dict[str, Any] = {
        "allocationWasteIncineration": inputs.allocation_waste_incineration}
    if inputs.allocation_recycled_carbon:
        allocation["allocationRecycledCarbon"] = inputs.allocation_recycled_carbon
    if inputs.allocation_rules_description:
        allocation["allocationRulesDescription"] = inputs.allocation_rules_description
    carbon = {key: value for key, value in (
        ("carbonContentTotal", inputs.carbon_content_total),
        ("fossilCarbonContent", inputs.fossil_carbon_content),
        ("biogenicCarbonContent", inputs.biogenic_carbon_content)) if value is not None}
    boundary_spec: dict[str, Any] = {"exemptedEmissionsPercent": inputs.exempted_emissions_percent}
    if inputs.exempted_emissions_description:
        boundary_spec["exemptedEmissionsDescription"] = inputs.exempted_emissions_description
    technology: dict[str, Any] = {
        "ccsTechnologicalCO2CaptureIncluded": inputs.ccs_technological_co2_capture_included}
    if inputs.boundary_processes_description:
        technology["boundaryProcessesDescription"] = inputs.boundary_processes_description
    product_info: dict[str, Any] = {
        "productNameCompany": product["name"], "productIds": [passport_uuid(passport.identifier)],
        "declaredUnitOfMeasurement": inputs.declared_unit or product["unit"],
        "declaredUnitAmount": 1.0, "productMassPerDeclaredUnit": mass,
        "productDescription": product["description"]}
    if product["classifications"]:
        product_info["productClassifications"] = product["classifications"]
    general = {"pcfLegalStatement": inputs.legal_statement} if inputs.legal_statement else {}
    payload = {
        "scopeOfPcfForm": [{"specVersion": SPEC_VERSION, "partialFullPcf": boundary}],
        "companyAndProductInformation": [{
            "companyInformation": [{"companyName": product["company"],
                                    "companyIds": product["company_ids"]}],
            "productInformation": [product_info]}],
        "pcfAssessmentAndMethodology": [{
            "dataSourcesAndQuality": [quality],
            "pcfAssessmentInformation": [{
                "technology": [technology],
                "idAndVersion": [{
                    "id": pcf_uuid(passport.identifier), "version": record.version,
                    "status": "Active" if record.status == "active" else "Deprecated",
                    "retroOrProspectivePcfType": "Retrospective PCF"}],
                "boundarySpecifications": [boundary_spec],
                "geography": [geography],
                "time": [{"referencePeriodStart": _start(start), "referencePeriodEnd": _end(end),
                          "created": record.recorded,
                          "validityPeriodEnd": _end(inputs.validity_period_end)}]}],
            "pcfMethodology": [{
                "standards": [{
                    "crossSectoralStandards": list(inputs.cross_sectoral_standards),
                    "productOrSectorSpecificRules": list(
                        inputs.product_or_sector_specific_rules)}],
                "gwpCharacterizationFactorDetails": [
                    {"ipccCharacterizationFactors": inputs.ipcc_characterization_factors}],
                "massBalancingInformation": [_mass_balancing(inputs)],
                "allocationInForeground": [allocation]}]}],
        "productLifeCycleStagesAndEmissions": [{
            "productionStage": [production],
            "distributionStage": [{"distributionStageIncluded": False}],
            "packagingStage": [{
                "packagingEmissionsIncluded": inputs.packaging_emissions_included}]}],
        "carbonContent": [carbon] if carbon else [],
        "general": [general],
    }
    return validate("Pcf", payload)


def _mass_balancing(inputs: PcfInputs) -> dict[str, Any]:
    """Without mass balancing there is no scheme and no attribution: "not applicable"."""
    if not inputs.mass_balancing_used:
        return {"massBalancingUsed": False, "freeAttributionInMassBalancing": "not applicable",
                "massBalancingCertificateScheme": "not applicable"}
    return {"massBalancingUsed": True,
            "freeAttributionInMassBalancing": str(inputs.free_attribution_in_mass_balancing
                                                  ).lower(),
            "massBalancingCertificateScheme": inputs.mass_balancing_certificate_scheme}
