"""What goes into grading: element readings with uncertainty, validated once (pydantic, frozen)."""

from __future__ import annotations

import math
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ELEMENT = re.compile(r"^[A-Z][a-z]?$")
"""A chemical element symbol: ``Cu``, ``Sn``, ``Fe``."""

Method = Literal["passport", "XRF", "LIBS", "OES", "assay"]


class ElementReading(BaseModel):
    """One element's mass fraction (0 to 1) and its standard uncertainty (one sigma, 0 if exact)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: float = Field(ge=0.0, le=1.0, allow_inf_nan=False)
    uncertainty: float = Field(default=0.0, ge=0.0, le=1.0, allow_inf_nan=False)


class Measurement(BaseModel):
    """Element mass fractions of one scrap lot, with the method that gave them.

    A passport composition is a measurement with zero uncertainty. Elements that are not listed
    are read as absent (0, exact) and the grading result names the limits checked that way.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: Method = "passport"
    elements: dict[str, ElementReading]
    form: Literal["wire", "solids", "nodules", "mixed", "residue"] | None = None
    """Physical form if known; grades of another form are then left out."""
    subject: str | None = None
    """Identifier of the lot or passport measured."""

    @field_validator("elements")
    @classmethod
    def _symbols(cls, elements: dict[str, ElementReading]) -> dict[str, ElementReading]:
        if not elements:
            raise ValueError("needs at least one element")
        bad = [name for name in elements if not ELEMENT.match(name)]
        if bad:
            raise ValueError(f"{', '.join(bad)} are not element symbols (write Cu, Sn, Fe)")
        return elements

    @model_validator(mode="after")
    def _sum(self) -> Measurement:
        # Readings may fall short of 1 (oxygen, unmeasured light elements) but a sum well above
        # 1 means percentages were given as fractions' place or an element is counted twice.
        total = math.fsum(reading.value for reading in self.elements.values())
        if total > 1.0 + 1e-6 + 3 * math.sqrt(
                math.fsum(r.uncertainty ** 2 for r in self.elements.values())):
            raise ValueError(f"mass fractions sum to {total:.4f}, more than 1 "
                             "(give fractions, e.g. 0.995, not percent)")
        return self
