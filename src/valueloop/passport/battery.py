"""The battery passport: Regulation (EU) 2023/1542 Annex XIII content, one access tier per field.

The sections follow the seven aspects of the Battery Pass Data Model v1.2 (Battery Pass
consortium, aligned with DIN DKE SPEC 99100:2025-02), whose attributes were built to cover
Annex XIII; field aliases are the upstream attribute names (including the upstream spellings
``warrentyPeriod``, ``batteryTechicalProperties``, ``thirdPartyAussurances``,
``supplyChainIndicies``), so a section dumps by alias to a payload of that aspect.

Each field's ``annex`` point is our reading of the regulation text quoted in reference note §1.4;
where the note gives only a range (1(g)-(p) performance), the range is cited. Deviations worth
knowing: the list of detailed battery materials (CAS, mass) is point 2(a) as a whole, so its
critical-raw-material flag is not public; the battery status is point 4(c) although the Battery
Pass aspect groups it with the public general information.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AnyUrl, Field

from valueloop.passport.model import (
    CasNumber,
    Definition,
    IdentifierText,
    NonNegative,
    Percent,
    Tier,
    annex,
    section,
    tiered,
)
from valueloop.passport.pcf_inputs import PcfInputs

JsonScalar = float | int | str | bool


class PostalAddress(Definition):
    address_country: str = annex("1(a)")
    postal_code: str = annex("1(a)")
    street_address: str = annex("1(a)")


class ContactInformation(Definition):
    contact_name: str = annex("1(a)")
    postal_address: PostalAddress = annex("1(a)")
    identifier: str = annex("1(a)")
    email_address: str | None = annex("1(a)", default=None)
    web_address: AnyUrl | None = annex("1(a)", default=None)


class GeneralProductInformation(Definition):
    """Annex VI Part A general information (Annex XIII 1(a)) and the battery status (4(c))."""

    product_identifier: str = annex("1(a)")
    battery_category: Literal["lmt", "ev", "industrial", "stationary"] = annex("1(a)")
    manufacturer_information: ContactInformation = annex("1(a)")
    manufacturing_date: datetime = annex("1(a)")
    manufacturing_place: PostalAddress = annex("1(a)")
    operator_information: ContactInformation = annex("1(a)")
    battery_mass: NonNegative = annex("1(a)", description="kg")
    putting_into_service: datetime | None = annex("1(a)", default=None)
    warranty_period: str | None = annex("1(g)", default=None, alias="warrentyPeriod",
                                        pattern=r"^--(0[1-9]|1[0-2])$")
    battery_status: Literal["Original", "Repurposed", "Reused", "Remanufactured", "Waste"] = annex(
        "4(c)", default="Original")


class LifecycleFootprint(Definition):
    lifecycle_stage: Literal["RawMaterialExtraction", "MainProduction", "Distribution",
                             "Recycling"] = annex("1(c)")
    carbon_footprint: NonNegative = annex("1(c)", description="kg CO2e per kWh")


class CarbonFootprint(Definition):
    """Art. 7(1) declaration (Annex XIII 1(c)): kg CO2e per kWh over the service life."""

    battery_carbon_footprint: NonNegative = annex("1(c)", description="kg CO2e per kWh")
    carbon_footprint_per_lifecycle_stage: tuple[LifecycleFootprint, ...] = annex("1(c)")
    carbon_footprint_performance_class: str = annex("1(c)")
    carbon_footprint_study: AnyUrl = annex("1(c)")
    absolute_carbon_footprint: NonNegative | None = annex("1(c)", default=None,
                                                       description="kg CO2e")


class DismantlingDocument(Definition):
    document_type: Literal["BillOfMaterial", "Model3D", "DismantlingManual", "RemovalManual",
                           "OtherManual", "Drawing"] = annex("2(c)")
    mime_type: str = annex("2(c)")
    document_url: AnyUrl = annex("2(c)", alias="documentURL")


class SparePartComponent(Definition):
    part_name: str = annex("2(b)")
    part_number: str = annex("2(b)")


class SparePartSupplier(Definition):
    name_of_supplier: str = annex("2(b)")
    address_of_supplier: PostalAddress = annex("2(b)")
    email_address_of_supplier: str = annex("2(b)", pattern=r"^[\w.-]+@[\w.-]+\.[A-Za-z]{2,}$")
    supplier_web_address: AnyUrl = annex("2(b)")
    components: tuple[SparePartComponent, ...] = annex("2(b)")


class RecycledContent(Definition):
    """Art. 8(1) shares (Annex XIII 1(e)): per cent of the metal in active materials."""

    recycled_material: Literal["Cobalt", "Nickel", "Lithium", "Lead"] = annex("1(e)")
    pre_consumer_share: Percent = annex("1(e)")
    post_consumer_share: Percent = annex("1(e)")


class SafetyMeasures(Definition):
    safety_instructions: AnyUrl = annex("2(d)")
    extinguishing_agent: tuple[str, ...] = annex("1(a)", description="Annex VI Part A")


class EndOfLifeInformation(Definition):
    waste_prevention: AnyUrl = annex("1(s)")
    separate_collection: AnyUrl = annex("1(s)")
    information_on_collection: AnyUrl = annex("1(s)")


class Circularity(Definition):
    dismantling_and_removal_information: tuple[DismantlingDocument, ...] = annex("2(c)")
    spare_part_sources: tuple[SparePartSupplier, ...] = annex("2(b)")
    recycled_content: tuple[RecycledContent, ...] = annex("1(e)")
    # a public group: its instructions are 2(d), its extinguishing agent 1(a)
    safety_measures: SafetyMeasures = tiered(Tier.PUBLIC)
    end_of_life_information: EndOfLifeInformation = annex("1(s)")
    renewable_content: Percent = annex("1(f)")


class BatteryChemistry(Definition):
    short_name: str = annex("1(b)")
    clear_name: str = annex("1(b)")


class ComponentLocation(Definition):
    component_name: str = annex("1(b)")
    component_id: str | None = annex("1(b)", default=None)


class BatteryMaterial(Definition):
    battery_material_location: ComponentLocation = annex("2(a)")
    battery_material_identifier: CasNumber = annex("2(a)")
    battery_material_name: str = annex("2(a)")
    battery_material_mass: NonNegative = annex("2(a)", description="kg")
    is_critical_raw_material: bool = annex("2(a)")


class HazardousSubstance(Definition):
    hazardous_substance_class: Literal["AcuteToxicity", "SkinCorrosionOrIrritation",
                                       "EyeDamageOrIrritation"] = annex("1(b)")
    hazardous_substance_name: str = annex("1(b)")
    hazardous_substance_concentration: Percent = annex("1(b)")
    hazardous_substance_impact: tuple[str, ...] = annex("1(b)")
    hazardous_substance_location: ComponentLocation = annex("1(b)")
    hazardous_substance_identifier: CasNumber = annex("1(b)")


class MaterialComposition(Definition):
    battery_chemistry: BatteryChemistry = annex("1(b)")
    battery_materials: tuple[BatteryMaterial, ...] = annex("2(a)")
    hazardous_substances: tuple[HazardousSubstance, ...] = annex("1(b)")


class Labeling(Definition):
    declaration_of_conformity: AnyUrl = annex("1(r)")
    result_of_test_report: AnyUrl = annex("3(a)")
    labels: tuple[dict[str, JsonScalar | dict[str, str]], ...] = annex("1(q)")


class SupplyChainDueDiligence(Definition):
    supply_chain_due_diligence_report: AnyUrl = annex("1(d)")
    third_party_assurances: AnyUrl | None = annex("1(d)", default=None,
                                                   alias="thirdPartyAussurances")
    supply_chain_indices: float | None = annex("1(d)", default=None, alias="supplyChainIndicies")


TimedValues = dict[str, JsonScalar | dict[str, JsonScalar]]
"""One dynamic Battery Pass condition entry: ``{"<name>Value": x, "lastUpdate": time}``."""


class TechnicalProperties(Definition):
    """Rated performance and durability (Annex XIII 1(g)-(p)); values as upstream, SI units."""

    original_power_capability: tuple[dict[str, float], ...] = annex("1(g)")
    rated_maximum_power: NonNegative = annex("1(g)")
    power_capability_ratio: NonNegative = annex("1(g)")
    rated_energy: NonNegative = annex("1(g)")
    expected_number_of_cycles: int = annex("1(g)", ge=0)
    initial_self_discharge: NonNegative = annex("1(g)")
    roundtrip_efficiency: Percent = annex("1(g)", alias="roundtripEfficiency")
    rated_capacity: NonNegative = annex("1(g)")
    initial_internal_resistance: tuple[dict[str, float | str], ...] = annex("1(g)")
    expected_lifetime: int = annex("1(g)", ge=0)
    c_rate: NonNegative | None = annex("1(g)", default=None)
    nominal_voltage: NonNegative = annex("1(g)")
    minimum_voltage: NonNegative = annex("1(g)")
    maximum_voltage: NonNegative = annex("1(g)")
    capacity_threshold_for_exhaustion: Percent = annex("1(g)")
    lifetime_reference_test: AnyUrl = annex("1(g)")
    c_rate_life_cycle_test: NonNegative = annex("1(g)")
    temperature_range_idle_state: dict[str, float] = annex("1(g)")
    round_trip_efficiency_at50_per_cent_cycle_life: Percent = annex(
        "1(g)", alias="roundTripEfficiencyat50PerCentCycleLife")
    round_trip_efficiency_fade: Percent = annex("1(g)")
    power_fade: Percent = annex("1(g)")


class BatteryCondition(Definition):
    """Values of the individual battery resulting from its use (Annex XIII 4(a), 4(b), 4(d))."""

    energy_throughput: TimedValues = annex("4(d)")
    capacity_throughput: TimedValues = annex("4(d)")
    number_of_full_cycles: TimedValues = annex("4(d)")
    state_of_certified_energy: TimedValues = annex("4(b)")
    capacity_fade: TimedValues = annex("4(b)")
    remaining_energy: TimedValues = annex("4(b)")
    remaining_capacity: TimedValues = annex("4(b)")
    negative_events: tuple[TimedValues, ...] = annex("4(d)")
    temperature_information: TimedValues = annex("4(d)")
    remaining_power_capability: TimedValues = annex("4(a)")
    evolution_of_self_discharge: TimedValues = annex("4(a)")
    current_self_discharging_rate: TimedValues = annex("4(a)")
    internal_resistance_increase: tuple[TimedValues, ...] = annex("4(a)")
    remaining_round_trip_energy_efficiency: TimedValues = annex("4(a)")
    state_of_charge: TimedValues = annex("4(d)")


class PerformanceAndDurability(Definition):
    battery_technical_properties: TechnicalProperties | None = section(
        alias="batteryTechicalProperties")
    battery_condition: BatteryCondition | None = section()


Bpnl = Annotated[str, Field(pattern=r"^BPNL[A-Za-z0-9]{12}$")]
"""A Catena-X business partner number of a legal entity (BPNL + 12 characters)."""
Bpna = Annotated[str, Field(pattern=r"^BPNA[A-Za-z0-9]{12}$")]
"""A Catena-X business partner number of an address, e.g. a plant (BPNA + 12 characters)."""


class CycleLifeTest(Definition):
    """Conditions of the cycle-life test behind ``expectedNumberOfCycles`` (Annex XIII 1(g))."""

    temperature: float = annex("1(g)", description="°C")
    depth_of_discharge: Percent = annex("1(g)")
    applied_charge_rate: NonNegative = annex("1(g)", description="C-rate")


class CatenaXBattery(Definition):
    """What Catena-X BatteryPass 6.1.0 requires beyond the Battery Pass v1.2 aspects.

    Business partner numbers and the part identification are the Annex VI Part A manufacturer
    and model identification (Annex XIII 1(a)); the test conditions and warranty belong to the
    performance information (1(g)); where no Annex XIII point applies (data carrier layout,
    intended purposes, passport expiry) the field is public, our choice since Catena-X publishes
    them with the passport's public part.
    """

    economic_operator_id: Bpnl = annex("1(a)")
    manufacturer_id: Bpnl = annex("1(a)")
    manufacturing_facilities: tuple[Bpna, ...] = annex("1(a)", min_length=1)
    manufacturer_part_id: str = annex("1(a)")
    name_at_manufacturer: str = annex("1(a)")
    fire_class: str = annex("1(a)", description="fire classes the extinguishing agent is for, "
                                                "e.g. A, B")
    warranty_value: NonNegative = annex("1(g)")
    warranty_unit: Literal["unit:day", "unit:month", "unit:year", "unit:cycle",
                           "unit:runningOrOperatingHour"] = annex("1(g)")
    cycle_life_test: CycleLifeTest = annex("1(g)")
    round_trip_efficiency_depth_of_discharge: Percent = annex("1(g)")
    declaration_of_conformity_id: str | None = annex("1(r)", default=None)
    due_diligence_policy: AnyUrl | None = annex("1(d)", default=None)
    data_carrier_layout: str = tiered(Tier.PUBLIC, description="where the QR code sits")
    purposes: tuple[str, ...] = tiered(Tier.PUBLIC, default=(), description="e.g. automotive")
    placed_on_market: date | None = tiered(Tier.PUBLIC, default=None)
    passport_expiration_date: date = tiered(Tier.PUBLIC)


class BatteryPassport(Definition):
    """One battery passport; every section is optional until the operator fills it in.

    ``catenaX`` and ``pcf`` are not Battery Pass aspects: they hold what the Catena-X
    BatteryPass 6.1.0 and PCF 9.0.0 exports need in addition.
    """

    kind: Literal["battery"] = Field("battery", json_schema_extra={"tier": "public"})
    identifier: IdentifierText = Field(json_schema_extra={"tier": "public", "annex": "1(a)"},
                                       description="IAC:CIN:SERIAL (passport.identifiers)")
    general_product_information: GeneralProductInformation | None = section()
    carbon_footprint: CarbonFootprint | None = section()
    circularity: Circularity | None = section()
    material_composition: MaterialComposition | None = section()
    labeling: Labeling | None = section()
    supply_chain_due_diligence: SupplyChainDueDiligence | None = section()
    performance_and_durability: PerformanceAndDurability | None = section()
    catena_x: CatenaXBattery | None = section(alias="catenaX")
    pcf: PcfInputs | None = section()
