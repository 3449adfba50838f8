"""The ``performance`` block of Catena-X BatteryPass 6.1.0 from the Battery Pass v1.2 values.

Rated values come from ``batteryTechicalProperties`` plus the test conditions in ``catenaX``;
dynamic values from ``batteryCondition`` (each a ``{"<name>Value": x, "lastUpdate": t}``
entry). Two derivations, ours: the remaining internal resistance is the initial resistance times
(1 + increase / 100), because Battery Pass records the increase in per cent of the initial
value; the power and round-trip-efficiency fades, which Battery Pass keeps as rated properties
without a time, take the time of the matching remaining-value entry.
"""

from __future__ import annotations

from typing import Any

from valueloop.passport.battery import BatteryCondition, CatenaXBattery, TechnicalProperties
from valueloop.passport.errors import ExportError
from valueloop.passport.export.common import document


def _timed(entry: dict[str, Any], name: str, value: Any = None) -> dict[str, Any]:
    return {"value": entry[f"{name}Value"] if value is None else value,
            "time": entry["lastUpdate"]}


def _by_component(entries: tuple[dict[str, Any], ...], key: str, where: str) -> dict[str, float]:
    found = {str(e.get("batteryComponent")): float(e[key]) for e in entries if key in e}
    for needed in ("cell", "pack"):
        if needed not in found:
            raise ExportError(f"no {needed} value; Catena-X BatteryPass 6.1.0 requires cell and "
                              "pack", item=where, allowed="entries with batteryComponent "
                                                          "cell, pack (and module)")
    return found


def _power_at(rated: TechnicalProperties, soc: float) -> float:
    for entry in rated.original_power_capability:
        if entry.get("atSoC") == soc:
            return entry["powerCapabilityAt"]
    raise ExportError(f"no original power capability at {soc:g} % SoC",
                      item="performanceAndDurability.batteryTechicalProperties."
                           "originalPowerCapability", allowed="entries at 20 and 80 % SoC")


def rated_block(rated: TechnicalProperties, extra: CatenaXBattery) -> dict[str, Any]:
    """``performance.rated``."""
    resistance = _by_component(rated.initial_internal_resistance, "ohmicResistance",
                               "performanceAndDurability.batteryTechicalProperties."
                               "initialInternalResistance")
    test = extra.cycle_life_test
    return {
        "voltage": {"min": rated.minimum_voltage, "max": rated.maximum_voltage,
                    "nominal": rated.nominal_voltage},
        "roundTripEfficiency": {
            "depthOfDischarge": extra.round_trip_efficiency_depth_of_discharge,
            "initial": rated.roundtrip_efficiency,
            "50PercentLife": rated.round_trip_efficiency_at50_per_cent_cycle_life},
        "energy": {"value": rated.rated_energy},
        "resistance": resistance,
        "power": {"value": rated.rated_maximum_power, "at20SoC": _power_at(rated, 20.0),
                  "at80SoC": _power_at(rated, 80.0)},
        "capacity": {"value": rated.rated_capacity,
                     "thresholdExhaustion": rated.capacity_threshold_for_exhaustion},
        "temperature": {"lower": rated.temperature_range_idle_state["minimum"],
                        "upper": rated.temperature_range_idle_state["maximum"]},
        "selfDischargingRate": rated.initial_self_discharge,
        "lifetime": {
            "expectedYears": rated.expected_lifetime,
            "report": [document("lifetime reference test", str(rated.lifetime_reference_test))],
            "cycleLifeTesting": {"temperature": test.temperature,
                                 "cycles": rated.expected_number_of_cycles,
                                 "depthOfDischarge": test.depth_of_discharge,
                                 "appliedChargeRate": test.applied_charge_rate,
                                 "appliedDischargeRate": rated.c_rate_life_cycle_test}},
    }


def dynamic_block(rated: TechnicalProperties, now: BatteryCondition) -> dict[str, Any]:
    """``performance.dynamic``."""
    initial = _by_component(rated.initial_internal_resistance, "ohmicResistance",
                            "performanceAndDurability.batteryTechicalProperties."
                            "initialInternalResistance")
    increase = _by_component(now.internal_resistance_increase, "internalResistanceIncreaseValue",
                             "performanceAndDurability.batteryCondition."
                             "internalResistanceIncrease")
    times = {str(e.get("batteryComponent")): e["lastUpdate"]
             for e in now.internal_resistance_increase}
    components = [c for c in ("cell", "module", "pack") if c in initial and c in increase]
    power = now.remaining_power_capability
    efficiency = now.remaining_round_trip_energy_efficiency
    return {
        "stateOfCharge": _timed(now.state_of_charge, "stateOfCharge"),
        "fullCycles": _timed(now.number_of_full_cycles, "numberOfFullCycles"),
        "selfDischargingRate": now.current_self_discharging_rate[
            "currentSelfDischargingRateValue"],
        "power": {"remaining": _timed(power, "remainingPowerCapability", power[
                      "remainingPowerCapabilityValue"]["powerCapabilityAt"]),  # type: ignore[index]
                  "fade": _timed(power, "", rated.power_fade)},
        "capacity": {"fade": _timed(now.capacity_fade, "capacityFade"),
                     "throughput": _timed(now.capacity_throughput, "capacityThroughput"),
                     "capacity": _timed(now.remaining_capacity, "remainingCapacity")},
        "roundTripEfficiency": {
            "remaining": _timed(efficiency, "remainingRoundTripEnergyEfficiency"),
            "fade": _timed(efficiency, "", rated.round_trip_efficiency_fade)},
        "resistance": {
            "increase": {c: {"value": increase[c], "time": times[c]} for c in components},
            "remaining": {c: {"value": initial[c] * (1.0 + increase[c] / 100.0),
                              "time": times[c]} for c in components}},
        "energy": {"soce": _timed(now.state_of_certified_energy, "stateOfCertifiedEnergy"),
                   "remaining": _timed(now.remaining_energy, "remainingEnergy"),
                   "throughput": _timed(now.energy_throughput, "energyThroughput")},
    }
