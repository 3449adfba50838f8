"""The inputs a Catena-X PCF 9.0.0 declaration needs beyond a passport's footprint figure.

A passport states its carbon footprint (copper: kg CO2e per kg, cradle to gate; battery: kg CO2e
per kWh, Art. 7(1) of Regulation (EU) 2023/1542). PCF 9.0.0 also asks how the figure was made:
standards, IPCC characterisation factors, biogenic uptake, allocation, mass balancing, boundary
exemptions, geography and validity. These are methodology facts only the footprint's author
knows, so they are required inputs here and never filled with defaults; the few defaults below
are the neutral value of an optional block (an empty list, "not declared").

Every field is public: the footprint is public for batteries (Annex XIII point 1(c)) and, by
our choice, for copper (:mod:`valueloop.passport.copper`).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import model_validator

from valueloop.passport.model import Definition, NonNegative, Percent, Tier, tiered

PUBLIC = Tier.PUBLIC
Region = Literal[
    "Africa", "Americas", "Asia", "Europe", "Oceania", "Australia and New Zealand", "Central Asia",
    "Eastern Asia", "Eastern Europe", "Latin America and the Caribbean", "Melanesia",
    "Micronesia", "Northern Africa", "Northern America", "Northern Europe", "Polynesia",
    "South-eastern Asia", "Southern Asia", "Southern Europe", "Sub-Saharan Africa",
    "Western Asia", "Western Europe", "Global", "Several"]
"""UN M49 regions as PCF 9.0.0 enumerates them (``geographyRegionOrSubregion``)."""
DeclaredUnit = Literal["liter", "kilogram", "cubic meter", "kilowatt hour", "megajoule",
                       "ton kilometer", "square meter", "piece", "hour", "megabit", "second"]
"""PCF 9.0.0 ``declaredUnitOfMeasurement``."""
Boundary = Literal["Cradle-to-gate", "Cradle-to-grave"]


class PcfInputs(Definition):
    """Methodology of a product carbon footprint, as PCF 9.0.0 (``io.catenax.pcf``) asks it."""

    cross_sectoral_standards: tuple[str, ...] = tiered(
        PUBLIC, min_length=1, description="e.g. GHG Protocol Product Standard, ISO 14067")
    product_or_sector_specific_rules: tuple[str, ...] = tiered(PUBLIC, default=())
    ipcc_characterization_factors: Literal["AR4", "AR5", "AR6"] = tiered(PUBLIC)
    biogenic_co2_uptake: float = tiered(PUBLIC, le=0.0,
                                        description="kg CO2e per declared unit, <= 0")
    exempted_emissions_percent: float = tiered(PUBLIC, ge=0.0, le=10.0,
                                               description="PCF 9.0.0 allows 0-10 %")
    exempted_emissions_description: str | None = tiered(PUBLIC, default=None)
    ccs_technological_co2_capture_included: bool = tiered(PUBLIC)
    boundary_processes_description: str | None = tiered(PUBLIC, default=None)
    geography_region: Region = tiered(PUBLIC)
    geography_country: str | None = tiered(PUBLIC, default=None, pattern=r"^[A-Z]{2}$",
                                           description="ISO 3166-1 alpha-2")
    geography_country_subdivision: str | None = tiered(
        PUBLIC, default=None, pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$", description="ISO 3166-2")
    boundary: Boundary | None = tiered(PUBLIC, default=None,
                                       description="copper: defaults to the footprint's")
    reference_period_start: date | None = tiered(PUBLIC, default=None)
    reference_period_end: date | None = tiered(PUBLIC, default=None)
    validity_period_end: date = tiered(PUBLIC)
    declared_unit: DeclaredUnit | None = tiered(
        PUBLIC, default=None, description="copper: kilogram; battery: kilowatt hour")
    product_mass_per_declared_unit: NonNegative | None = tiered(
        PUBLIC, default=None, description="kg; 1 for a declared unit of one kilogram")
    mass_balancing_used: bool = tiered(PUBLIC)
    mass_balancing_certificate_scheme: str | None = tiered(PUBLIC, default=None)
    free_attribution_in_mass_balancing: bool | None = tiered(PUBLIC, default=None)
    allocation_waste_incineration: Literal[
        "cut-off", "reverse cut-off", "system expansion", "polluter pays principle"] = tiered(
        PUBLIC)
    allocation_recycled_carbon: Literal["upstream system expansion", "cut-off"] | None = tiered(
        PUBLIC, default=None)
    allocation_rules_description: str | None = tiered(PUBLIC, default=None)
    packaging_emissions_included: bool = tiered(PUBLIC)
    primary_data_share: Percent | None = tiered(PUBLIC, default=None)
    secondary_emission_factor_sources: tuple[str, ...] = tiered(PUBLIC, default=())
    technological_dqr: float | None = tiered(PUBLIC, default=None, ge=1.0, le=5.0)
    temporal_dqr: float | None = tiered(PUBLIC, default=None, ge=1.0, le=5.0)
    geographical_dqr: float | None = tiered(PUBLIC, default=None, ge=1.0, le=5.0)
    carbon_content_total: NonNegative | None = tiered(PUBLIC, default=None,
                                                      description="kg C per declared unit")
    fossil_carbon_content: NonNegative | None = tiered(PUBLIC, default=None)
    biogenic_carbon_content: NonNegative | None = tiered(PUBLIC, default=None)
    legal_statement: str | None = tiered(PUBLIC, default=None)

    @model_validator(mode="after")
    def _consistent(self) -> PcfInputs:
        if self.mass_balancing_used and (self.mass_balancing_certificate_scheme is None
                                         or self.free_attribution_in_mass_balancing is None):
            raise ValueError("massBalancingUsed needs massBalancingCertificateScheme and "
                             "freeAttributionInMassBalancing")
        if (self.reference_period_start and self.reference_period_end
                and self.reference_period_start > self.reference_period_end):
            raise ValueError("referencePeriodStart is after referencePeriodEnd")
        return self
