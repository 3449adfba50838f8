"""The copper product passport: cathode, rod, wire, foil and strip.

No regulation fixes a copper passport's content or access rights, so the tiers here are our
choices, made by analogy with Annex XIII of Regulation (EU) 2023/1542: what a buyer needs to
judge the product (grade, Cu content, conductivity, country of origin, carbon footprint, recycled
content, certificates) is public; the full impurity profile and the named mine and smelter are
for persons with a legitimate interest (commercially sensitive: our assumption); test reports
are for notified bodies and authorities, as Annex XIII point 3(a) has it for batteries.

Conductivity is in %IACS: 100 %IACS is the International Annealed Copper Standard of 1913,
58.0 MS/m at 20 °C (resistivity 1/58 Ω·mm²/m).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AnyUrl, Field, model_validator

from valueloop.passport.model import (
    CasNumber,
    Definition,
    IdentifierText,
    NonNegative,
    Percent,
    Tier,
    section,
    tiered,
)
from valueloop.passport.pcf_inputs import PcfInputs

PUBLIC, INTEREST, AUTHORITY = Tier.PUBLIC, Tier.LEGITIMATE_INTEREST, Tier.AUTHORITY
CopperForm = Literal["cathode", "rod", "wire", "foil", "strip"]


class Address(Definition):
    country: str = tiered(PUBLIC, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    subdivision: str | None = tiered(PUBLIC, default=None, pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$",
                                     description="ISO 3166-2, e.g. DE-HH")
    locality: str = tiered(PUBLIC)
    postal_code: str = tiered(PUBLIC)
    street: str = tiered(PUBLIC)
    house_number: str = tiered(PUBLIC)


class Party(Definition):
    """A company or site: a Catena-X BPN (BPNL company, BPNA site) or another registry's id."""

    identifier: str = tiered(PUBLIC)
    name: str = tiered(PUBLIC)
    address: Address = tiered(PUBLIC)
    email: str | None = tiered(PUBLIC, default=None)


class ElementContent(Definition):
    element: str = tiered(INTEREST, description="chemical symbol, e.g. Ag")
    cas: CasNumber | None = tiered(INTEREST, default=None)
    mass_fraction_ppm: NonNegative = tiered(INTEREST, le=1_000_000)


class Composition(Definition):
    copper_min_percent: Percent = tiered(PUBLIC, description="Cu (incl. Ag where the grade "
                                                             "standard counts it) minimum")
    impurities: tuple[ElementContent, ...] = tiered(INTEREST, default=())

    @model_validator(mode="after")
    def _adds_up(self) -> Composition:
        total_ppm = sum(e.mass_fraction_ppm for e in self.impurities)
        if self.copper_min_percent + total_ppm / 1e4 > 100.0 + 1e-9:
            raise ValueError(f"Cu {self.copper_min_percent} % plus impurities "
                             f"{total_ppm:g} ppm exceed 100 %")
        return self


class Origin(Definition):
    smelting_country: str = tiered(PUBLIC, description="ISO 3166-1 alpha-2")
    mining_countries: tuple[str, ...] = tiered(PUBLIC, default=())
    smelter: str | None = tiered(INTEREST, default=None)
    mines: tuple[str, ...] = tiered(INTEREST, default=())


class CarbonFootprint(Definition):
    """Product carbon footprint, cradle to gate unless stated otherwise."""

    value: NonNegative = tiered(PUBLIC, description="kg CO2e per kg of product")
    boundary: Literal["Cradle-to-gate", "Cradle-to-grave"] = tiered(
        PUBLIC, default="Cradle-to-gate")
    rulebook: str = tiered(PUBLIC, description="e.g. ISO 14067:2018")
    reference_period_start: date = tiered(PUBLIC)
    reference_period_end: date = tiered(PUBLIC)
    fossil: NonNegative | None = tiered(PUBLIC, default=None,
                                        description="kg CO2e per kg, fossil part")
    declaration: AnyUrl | None = tiered(PUBLIC, default=None)


class RecycledContent(Definition):
    """Shares of the copper's mass from recycled feed (ISO 14021 pre/post-consumer)."""

    pre_consumer_percent: Percent = tiered(PUBLIC)
    post_consumer_percent: Percent = tiered(PUBLIC)
    is_mass_balanced: bool = tiered(PUBLIC)
    method: str = tiered(PUBLIC, description="e.g. physical segregation, mass balance (credit)")
    route: Literal["mechanical", "chemical"] = tiered(
        PUBLIC, default="chemical", description="re-melted scrap: mechanical; smelted or "
                                                "electrorefined scrap: chemical (our mapping)")

    @model_validator(mode="after")
    def _at_most_whole(self) -> RecycledContent:
        if self.pre_consumer_percent + self.post_consumer_percent > 100.0 + 1e-9:
            raise ValueError("pre- and post-consumer shares add up to more than 100 %")
        return self


class Certificate(Definition):
    scheme: str = tiered(PUBLIC, description="e.g. The Copper Mark")
    identifier: str = tiered(PUBLIC)
    issuer: str = tiered(PUBLIC)
    valid_until: date | None = tiered(PUBLIC, default=None)
    url: AnyUrl | None = tiered(PUBLIC, default=None)


class Document(Definition):
    title: str = tiered(AUTHORITY)
    url: AnyUrl = tiered(AUTHORITY)


class CopperPassport(Definition):
    """One copper product passport (a lot or coil; the identifier names it)."""

    kind: Literal["copper"] = Field("copper", json_schema_extra={"tier": "public"})
    identifier: IdentifierText = tiered(PUBLIC)
    form: CopperForm = tiered(PUBLIC)
    designation: str = tiered(PUBLIC, description="grade, e.g. Cu-CATH-1, Cu-ETP")
    standard: str | None = tiered(PUBLIC, default=None, description="e.g. EN 1978:1998")
    name_at_manufacturer: str = tiered(PUBLIC)
    manufacturer_part_id: str = tiered(PUBLIC)
    manufacturer: Party = tiered(PUBLIC)
    facility: Party = tiered(PUBLIC)
    production_date: date = tiered(PUBLIC)
    expiration_date: date | None = tiered(PUBLIC, default=None,
                                         description="end of the passport's validity")
    net_mass_kg: NonNegative = tiered(PUBLIC)
    conductivity_iacs: NonNegative = tiered(PUBLIC, le=110.0,
                                            description="%IACS at 20 °C, annealed")
    composition: Composition = tiered(PUBLIC)
    origin: Origin = tiered(PUBLIC)
    carbon_footprint: CarbonFootprint | None = section()
    recycled_content: RecycledContent | None = section()
    certificates: tuple[Certificate, ...] = tiered(PUBLIC, default=())
    test_reports: tuple[Document, ...] = tiered(AUTHORITY, default=())
    pcf: PcfInputs | None = section()
