"""Passport test data built from the shipped upstream example payloads.

The Battery Pass v1.2 examples are random ESMF placeholders (``data/schemas/README.md``); where
one of their numbers is physically impossible (a negative footprint, a share of 2.5e38 %) our
model rightly refuses it, so :func:`battery_data` replaces exactly those numbers with the values
of the Catena-X BatteryPass 6.1.0 example (or, where that has none, a stated assumption) and
keeps everything else as shipped.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from valueloop.passport.export.batterypass import ASPECTS, from_batterypass
from valueloop.passport.export.schemas import example

DATA = Path(__file__).parent / "data"
COPPER_FILE = DATA / "copper-cathode.toml"
BATTERY_ID = "LA:VLOOP:BAT-0001"


def _timed(name: str, value: Any, time: str) -> dict[str, Any]:
    return {f"{name}Value": value, "lastUpdate": time}


def battery_data(identifier: str = BATTERY_ID) -> dict[str, Any]:
    """A complete battery passport (all seven aspects) from the shipped examples."""
    aspects = {name: copy.deepcopy(example(name)) for name in ASPECTS.values()}
    cx = example("BatteryPass")
    rated, dynamic = cx["performance"]["rated"], cx["performance"]["dynamic"]
    footprint = cx["sustainability"]["carbonFootprint"][0]["value"]  # 12.678 kg CO2/kWh

    carbon = aspects["CarbonFootprintForBatteries"]
    carbon["batteryCarbonFootprint"] = footprint
    carbon["carbonFootprintPerLifecycleStage"] = [
        {"lifecycleStage": "MainProduction", "carbonFootprint": footprint}]
    carbon.pop("absoluteCarbonFootprint")  # -1.8e308 in the example, and optional

    circularity = aspects["Circularity"]
    circularity["renewableContent"] = cx["materials"]["composition"][0]["renewable"]
    shares = circularity["recycledContent"][0]  # 54.4 % + 56.9 % of cobalt: over 100 %
    shares["postConsumerShare"] = cx["materials"]["active"]["cobalt"]["recycled"]

    composition = aspects["MaterialComposition"]
    material = composition["batteryMaterials"][0]
    material["batteryMaterialIdentifier"] = material["batteryMaterialIdentifier"].strip()
    material["batteryMaterialMass"] = 0.5  # assumption: 1.6e38 kg in the example
    hazardous = composition["hazardousSubstances"][0]
    cadmium = cx["materials"]["hazardous"]["cadmium"]
    hazardous["hazardousSubstanceName"] = "Cadmium"
    hazardous["hazardousSubstanceIdentifier"] = "7440-43-9"  # "37-70-2" fails the check digit
    hazardous["hazardousSubstanceConcentration"] = cadmium["concentration"] / 1e4  # ppm -> %

    time = dynamic["stateOfCharge"]["time"]
    aspects["PerformanceAndDurability"] = {
        "batteryTechicalProperties": {
            "originalPowerCapability": [
                {"atSoC": 20.0, "powerCapabilityAt": rated["power"]["at20SoC"]},
                {"atSoC": 80.0, "powerCapabilityAt": rated["power"]["at80SoC"]}],
            "ratedMaximumPower": rated["power"]["value"],
            "powerCapabilityRatio": rated["power"]["at80SoC"] / rated["power"]["value"],
            "ratedEnergy": rated["energy"]["value"],
            "expectedNumberOfCycles": rated["lifetime"]["cycleLifeTesting"]["cycles"],
            "initialSelfDischarge": rated["selfDischargingRate"],
            "roundtripEfficiency": rated["roundTripEfficiency"]["initial"],
            "ratedCapacity": rated["capacity"]["value"],
            "initialInternalResistance": [
                {"ohmicResistance": rated["resistance"]["pack"], "batteryComponent": "pack"}],
            "expectedLifetime": rated["lifetime"]["expectedYears"],
            "nominalVoltage": rated["voltage"]["nominal"],
            "minimumVoltage": rated["voltage"]["min"],
            "maximumVoltage": rated["voltage"]["max"],
            "capacityThresholdForExhaustion": rated["capacity"]["thresholdExhaustion"],
            "lifetimeReferenceTest": "https://example.org/lifetime-test.pdf",
            "cRateLifeCycleTest": rated["lifetime"]["cycleLifeTesting"]["appliedDischargeRate"],
            "temperatureRangeIdleState": {"minimum": rated["temperature"]["lower"],
                                          "maximum": rated["temperature"]["upper"]},
            "roundTripEfficiencyat50PerCentCycleLife": rated["roundTripEfficiency"][
                "50PercentLife"],
            "roundTripEfficiencyFade": dynamic["roundTripEfficiency"]["fade"]["value"],
            "powerFade": dynamic["power"]["fade"]["value"]},
        "batteryCondition": {
            "energyThroughput": _timed("energyThroughput",
                                       dynamic["energy"]["throughput"]["value"], time),
            "capacityThroughput": _timed("capacityThroughput",
                                         dynamic["capacity"]["throughput"]["value"], time),
            "numberOfFullCycles": _timed("numberOfFullCycles",
                                         dynamic["fullCycles"]["value"], time),
            "stateOfCertifiedEnergy": _timed("stateOfCertifiedEnergy",
                                             dynamic["energy"]["soce"]["value"], time),
            "capacityFade": _timed("capacityFade", dynamic["capacity"]["fade"]["value"], time),
            "remainingEnergy": _timed("remainingEnergy",
                                      dynamic["energy"]["remaining"]["value"], time),
            "remainingCapacity": _timed("remainingCapacity",
                                        dynamic["capacity"]["capacity"]["value"], time),
            "negativeEvents": [{"negativeEvent": "none recorded", "lastUpdate": time}],
            "temperatureInformation": {"timeExtremeHighTemp": 0.0, "timeExtremeLowTemp": 0.0,
                                       "timeExtremeHighTempCharging": 0.0,
                                       "timeExtremeLowTempCharging": 0.0, "lastUpdate": time},
            "remainingPowerCapability": _timed("remainingPowerCapability", {
                "atSoC": 80.0, "powerCapabilityAt": dynamic["power"]["remaining"]["value"],
                "rPCLastUpdated": time}, time),
            "evolutionOfSelfDischarge": _timed("evolutionOfSelfDischarge",
                                               dynamic["selfDischargingRate"], time),
            "currentSelfDischargingRate": _timed("currentSelfDischargingRate",
                                                 dynamic["selfDischargingRate"], time),
            "internalResistanceIncrease": [{
                "internalResistanceIncreaseValue": dynamic["resistance"]["increase"]["pack"][
                    "value"], "batteryComponent": "pack", "lastUpdate": time}],
            "remainingRoundTripEnergyEfficiency": _timed(
                "remainingRoundTripEnergyEfficiency",
                dynamic["roundTripEfficiency"]["remaining"]["value"], time),
            "stateOfCharge": _timed("stateOfCharge", dynamic["stateOfCharge"]["value"], time)},
    }
    data = from_batterypass(identifier, aspects)
    _add_catenax_needs(data, cx)
    return data


def _add_catenax_needs(data: dict[str, Any], cx: dict[str, Any]) -> None:
    """What Catena-X BatteryPass 6.1.0 and PCF 9.0.0 need beyond the Battery Pass aspects.

    Values are the Catena-X BatteryPass 6.1.0 example's where it has them (BPNs, part ids, test
    conditions, warranty, recycled shares, cadmium/mercury/lead concentrations, cell resistance,
    extinguishing agent); the rest is ASSUMED for the test and marked so.
    """
    rated, active = cx["performance"]["rated"], cx["materials"]["active"]
    hazardous, metadata = cx["materials"]["hazardous"], cx["metadata"]
    composition = data["material_composition"]
    location = {"componentName": "Cathode"}  # assumption
    for name, cas, mass in (("Cobalt", "7440-48-4", 2.0), ("Nickel", "7440-02-0", 6.0)):
        composition["batteryMaterials"].append({  # masses are assumptions
            "batteryMaterialIdentifier": cas, "batteryMaterialName": name,
            "batteryMaterialMass": mass, "batteryMaterialLocation": location,
            "isCriticalRawMaterial": True})
    for name, cas in (("Mercury", "7439-97-6"), ("Lead", "7439-92-1")):
        key = name.lower()
        composition["hazardousSubstances"].append({
            "hazardousSubstanceClass": "AcuteToxicity", "hazardousSubstanceName": name,
            "hazardousSubstanceIdentifier": cas,
            "hazardousSubstanceConcentration": hazardous[key]["concentration"] / 1e4,  # ppm->%
            "hazardousSubstanceImpact": ["toxic"],
            "hazardousSubstanceLocation": {"componentName": hazardous[key]["location"]}})
    shares = data["circularity"]["recycledContent"]
    for name in ("Nickel", "Lithium", "Lead"):
        shares.append({"recycledMaterial": name, "preConsumerShare": 0.0,
                       "postConsumerShare": active[name.lower()]["recycled"]})
    properties = data["performance_and_durability"]["batteryTechicalProperties"]
    properties["initialInternalResistance"].append(
        {"ohmicResistance": rated["resistance"]["cell"], "batteryComponent": "cell"})
    condition = data["performance_and_durability"]["batteryCondition"]
    time = condition["stateOfCharge"]["lastUpdate"]
    increase = cx["performance"]["dynamic"]["resistance"]["increase"]["cell"]["value"]
    condition["internalResistanceIncrease"].append({
        "internalResistanceIncreaseValue": increase, "batteryComponent": "cell",
        "lastUpdate": time})
    cycle = rated["lifetime"]["cycleLifeTesting"]
    data["catenaX"] = {
        "economicOperatorId": metadata["economicOperatorId"],
        "manufacturerId": metadata["economicOperatorId"],  # the example's one is not a BPNL
        "manufacturingFacilities": [cx["operation"]["manufacturer"]["facility"][0]["facility"]],
        "manufacturerPartId": "VL-LMT-48V-20AH",  # assumption
        "nameAtManufacturer": "LMT battery pack 48 V 20 Ah",  # assumption
        "fireClass": cx["safety"]["usableExtinguishAgent"][0]["fireClass"],
        "warrantyValue": 24, "warrantyUnit": "unit:month",  # assumption
        "cycleLifeTest": {"temperature": cycle["temperature"],
                          "depthOfDischarge": cycle["depthOfDischarge"],
                          "appliedChargeRate": cycle["appliedChargeRate"]},
        "roundTripEfficiencyDepthOfDischarge": rated["roundTripEfficiency"]["depthOfDischarge"],
        "dataCarrierLayout": "QR code on the housing, upper left",  # assumption
        "purposes": ["light means of transport"],  # assumption
        "passportExpirationDate": metadata["expirationDate"],
    }
    data["pcf"] = {  # assumptions: a plausible methodology, not a real study
        "crossSectoralStandards": ["GHG Protocol Product standard", "ISO 14067"],
        "ipccCharacterizationFactors": "AR6", "biogenicCo2Uptake": 0.0,
        "exemptedEmissionsPercent": 0.5, "ccsTechnologicalCo2CaptureIncluded": False,
        "geographyRegion": "Western Europe", "geographyCountry": "DE",
        "boundary": "Cradle-to-gate", "referencePeriodStart": "2025-01-01",
        "referencePeriodEnd": "2025-06-16", "validityPeriodEnd": "2027-06-16",
        "productMassPerDeclaredUnit": 699 / 0.5,  # battery mass / rated energy, kg per kWh
        "massBalancingUsed": False, "allocationWasteIncineration": "cut-off",
        "packagingEmissionsIncluded": False}


