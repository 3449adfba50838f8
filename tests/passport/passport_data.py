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
    return from_batterypass(identifier, aspects)


