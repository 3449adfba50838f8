"""Pydantic definitions of the copper materials database (no logic beyond validation).

A :class:`Material` is a grade (``C10100``) or an experimental alloy (``Cu-0.3Cr``). It has
designations in several systems, a composition (values or ranges, wt%), and records: one per
temper or per experimental condition, each with its processing steps in order and its
properties. A property is a value (or a min/max range) or a curve against temperature,
frequency or time, always with a unit and a source, and marked as measured or predicted.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DesignationSystem = Literal["UNS", "EN", "EN_name", "GB", "JIS", "ASTM", "formula", "other"]
MaterialKind = Literal["grade", "alloy"]
RecordKind = Literal["reference", "experimental"]
Origin = Literal["measured", "predicted"]
StepKind = Literal["solution_treatment", "cold_work", "ageing", "annealing", "hot_work",
                   "secondary_thermomechanical", "other"]
CurveAxis = Literal["temperature", "frequency", "time"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Designation(BaseModel):
    """One name of a material in one designation system (a material has many)."""

    model_config = _FROZEN

    system: DesignationSystem
    code: str = Field(min_length=1)
    note: str | None = None


class CompositionEntry(BaseModel):
    """Content of one element in wt%: a nominal value, a range, or both."""

    model_config = _FROZEN

    element: str = Field(pattern=r"^[A-Z][a-z]?$")
    min: float | None = Field(default=None, ge=0, le=100)
    max: float | None = Field(default=None, ge=0, le=100)
    nominal: float | None = Field(default=None, ge=0, le=100)
    unit: Literal["wt%"] = "wt%"

    @model_validator(mode="after")
    def _has_a_value(self) -> CompositionEntry:
        if self.min is None and self.max is None and self.nominal is None:
            raise ValueError(f"{self.element}: give a nominal value or a min/max range")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"{self.element}: min {self.min} exceeds max {self.max}")
        return self


class ProcessingStep(BaseModel):
    """One step of the processing route; steps are kept in the order given."""

    model_config = _FROZEN

    kind: StepKind
    temperature_k: float | None = Field(default=None, gt=0)
    time_h: float | None = Field(default=None, ge=0)
    reduction_pct: float | None = Field(default=None, ge=0, le=100)
    note: str | None = None


class Curve(BaseModel):
    """A property as a function of temperature, frequency or time (``x`` in ``axis_unit``)."""

    model_config = _FROZEN

    axis: CurveAxis
    axis_unit: str = Field(min_length=1)
    x: tuple[float, ...]
    y: tuple[float, ...]

    @model_validator(mode="after")
    def _same_length(self) -> Curve:
        if len(self.x) != len(self.y) or not self.x:
            raise ValueError("a curve needs as many y as x values, at least one")
        return self


class PropertyValue(BaseModel):
    """One property: value and/or min/max (or a curve of values) in ``unit``, with its source."""

    model_config = _FROZEN

    name: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    value: float | None = None
    value_min: float | None = None
    value_max: float | None = None
    curve: Curve | None = None
    basis: str | None = None
    """typical, minimum, range, ... as the source states it."""
    test_method: str | None = None
    source: str = Field(min_length=1)
    """Document (and section) or DOI the number was read from."""
    source_url: str | None = None
    source_type: str | None = None
    uncertainty: float | None = Field(default=None, ge=0)
    """Standard uncertainty in ``unit``, when the source gives one."""
    origin: Origin = "measured"
    notes: str | None = None

    @model_validator(mode="after")
    def _has_a_value(self) -> PropertyValue:
        if self.value is None and self.value_min is None and self.value_max is None \
                and self.curve is None:
            raise ValueError(f"property {self.name!r} has no value, range or curve")
        return self


class MaterialRecord(BaseModel):
    """A temper or an experimental condition: processing steps and the properties measured.

    ``general`` marks a record that applies to every condition of the material (a density or
    a conductivity given for "any" temper), so searches combine it with each temper.
    """

    model_config = _FROZEN

    label: str = Field(min_length=1)
    kind: RecordKind = "reference"
    general: bool = False
    source: str | None = None
    processing: tuple[ProcessingStep, ...] = ()
    properties: tuple[PropertyValue, ...] = ()


class Material(BaseModel):
    """A grade or an alloy, identified in the database by ``key``."""

    model_config = _FROZEN

    key: str = Field(min_length=1)
    name: str = Field(min_length=1)
    kind: MaterialKind
    family: str | None = None
    notes: str | None = None
    designations: tuple[Designation, ...] = ()
    composition: tuple[CompositionEntry, ...] = ()
    records: tuple[MaterialRecord, ...] = ()
