"""A material requirement: constraints with units and objectives, from a device or by hand.

A requirement file (TOML) may hold a ``[device]`` table (a template of
:mod:`valueloop.materials.translate`, whose constraints it contributes), ``[[constraint]]`` tables
and ``[[objective]]`` tables::

    name = "signal connector"

    [device]
    template = "connector"
    current = "10 A"
    # ... the template's other fields

    [[constraint]]
    property = "uts_mpa"
    operator = ">="
    value = 450
    unit = "MPa"

    [[objective]]
    property = "electrical_conductivity_iacs"
    sense = "max"

Property keys are those of :data:`PROPERTY_KEYS`: the keys the device templates and property
models use, each tied to the name and unit the materials database stores it under. A requirement
without objectives takes its template's :data:`DEFAULT_OBJECTIVES`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from valueloop.core.errors import MalformedFileError, UnknownParameterError, UserInputError
from valueloop.materials.search import Condition, threshold_in
from valueloop.materials.translate import Constraint, translate


@dataclass(frozen=True)
class PropertyKey:
    """How a requirement's property key maps onto the database and the property models."""

    key: str
    stored_name: str
    """Property name in the materials database (``vl_material_property.name``)."""
    unit: str
    """Canonical unit, spelt as the database stores it; constraints are converted to it."""
    label: str
    label_zh: str
    model: str | None = None
    """Name of the property model that predicts it (:data:`property_models.PROPERTIES`)."""


PROPERTY_KEYS: Mapping[str, PropertyKey] = {p.key: p for p in (
    PropertyKey("electrical_conductivity_iacs", "electrical_conductivity", "%IACS",
                "electrical conductivity", "电导率", "electrical_conductivity_iacs"),
    PropertyKey("thermal_conductivity", "thermal_conductivity", "W/(m K)",
                "thermal conductivity", "热导率"),
    PropertyKey("yield_strength_mpa", "yield_strength", "MPa", "yield strength", "屈服强度",
                "yield_strength_mpa"),
    PropertyKey("uts_mpa", "tensile_strength", "MPa", "tensile strength", "抗拉强度", "uts_mpa"),
    PropertyKey("hardness_hv", "hardness", "HV", "hardness", "硬度", "hardness_hv"),
    PropertyKey("elongation_percent", "elongation", "%", "elongation", "伸长率"),
    PropertyKey("softening_temperature_c", "softening_temperature", "C",
                "softening temperature", "软化温度"),
    PropertyKey("stress_relaxation_percent", "stress_relaxation", "%", "stress relaxation",
                "应力松弛率"),
    PropertyKey("surface_roughness_um", "surface_roughness", "um", "surface roughness (RMS)",
                "表面粗糙度"),
    PropertyKey("cte_ppm_per_k", "CTE", "1e-6/K", "thermal expansion coefficient", "热膨胀系数"),
    PropertyKey("density", "density", "g/cm3", "density", "密度"),
    PropertyKey("elastic_modulus", "elastic_modulus", "GPa", "elastic modulus", "弹性模量"),
    PropertyKey("em_median_life_h", "em_median_life", "h", "electromigration median life",
                "电迁移中位寿命"),
    PropertyKey("em_activation_energy_ev", "em_activation_energy", "eV",
                "electromigration activation energy", "电迁移激活能"),
)}

# Our choice: what a designer of each device usually trades against the first constraint.
DEFAULT_OBJECTIVES: Mapping[str, tuple[tuple[str, Literal["max", "min"]], ...]] = {
    "connector": (("electrical_conductivity_iacs", "max"), ("yield_strength_mpa", "max")),
    "pcb_foil": (("electrical_conductivity_iacs", "max"), ("surface_roughness_um", "min")),
    "hairpin": (("electrical_conductivity_iacs", "max"), ("softening_temperature_c", "max")),
    "interconnect": (("electrical_conductivity_iacs", "max"), ("em_median_life_h", "max")),
}
_BY_HAND: tuple[tuple[str, Literal["max", "min"]], ...] = ()


def _known_key(value: str) -> str:
    if value not in PROPERTY_KEYS:
        raise ValueError(f"unknown property {value!r}; allowed: {', '.join(PROPERTY_KEYS)}")
    return value


class Objective(BaseModel):
    """Maximise or minimise one property (weights apply to the ranking score only)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    property: str
    sense: Literal["max", "min"] = "max"
    weight: float = Field(default=1.0, gt=0)

    @field_validator("property")
    @classmethod
    def _known_property(cls, value: str) -> str:
        return _known_key(value)


class Requirement(BaseModel):
    """Constraints (with units) and objectives that candidate materials are judged by."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "requirement"
    template: str | None = None
    constraints: tuple[Constraint, ...] = ()
    objectives: tuple[Objective, ...] = ()
    notes: tuple[str, ...] = ()

    @field_validator("constraints")
    @classmethod
    def _known_constraints(cls, value: tuple[Constraint, ...]) -> tuple[Constraint, ...]:
        for constraint in value:
            _known_key(constraint.property)
        return value

    def properties(self) -> tuple[str, ...]:
        """Every property key the constraints and objectives name, in first-mention order."""
        keys = [c.property for c in self.constraints] + [o.property for o in self.objectives]
        return tuple(dict.fromkeys(keys))


def canonical_value(constraint: Constraint) -> float:
    """The constraint's threshold in its property's canonical unit (:data:`PROPERTY_KEYS`)."""
    spec = PROPERTY_KEYS[constraint.property]
    condition = Condition(spec.stored_name, constraint.operator, constraint.value,
                          constraint.unit, element=False)
    return threshold_in(condition, spec.unit)


def requirement_from_mapping(data: Mapping[str, Any], *,
                             source: str = "requirement") -> Requirement:
    """Build a :class:`Requirement` from a parsed requirement file (see the module docstring)."""
    unknown = set(data) - {"name", "device", "constraint", "objective", "notes"}
    if unknown:
        raise UnknownParameterError(f"unknown key {sorted(unknown)[0]!r}", item=source,
                                    allowed="name, device, constraint, objective, notes")
    constraints: list[Constraint] = []
    given_notes = data.get("notes", ())
    # a bare string would otherwise become one note per character
    notes: list[str] = [given_notes] if isinstance(given_notes, str) else list(given_notes)
    template = None
    if "device" in data:
        targets = translate(data["device"])
        template = targets.template
        constraints += targets.constraints
        notes += targets.notes
    for index, entry in enumerate(data.get("constraint", ())):
        fields = {"reason": "given in the requirement", **entry}
        constraint = _validated(Constraint, fields, f"constraint[{index}]")
        if constraint.property not in PROPERTY_KEYS:
            raise UnknownParameterError(f"unknown property {constraint.property!r}",
                                        item=f"constraint[{index}].property",
                                        allowed=", ".join(PROPERTY_KEYS))
        constraints.append(constraint)
    objectives = [_validated(Objective, entry, f"objective[{index}]")
                  for index, entry in enumerate(data.get("objective", ()))]
    if not objectives:
        objectives = [Objective(property=key, sense=sense)
                      for key, sense in DEFAULT_OBJECTIVES.get(template or "", _BY_HAND)]
    # The file's [[constraint]] tables follow the template's constraints: an error names the
    # table's index in the file, not its place in the combined list.
    given = len(constraints) - len(data.get("constraint", ()))
    for index, constraint in enumerate(constraints):
        try:
            canonical_value(constraint)
        except UserInputError as exc:
            raise UserInputError(f"unit {constraint.unit!r} does not fit "
                                 f"{constraint.property} ({exc.problem})",
                                 item=(f"constraint[{index - given}].unit" if index >= given
                                       else f"device.{constraint.property}"),
                                 allowed=PROPERTY_KEYS[constraint.property].unit) from None
    return _validated(Requirement, {
        "name": data.get("name", template or "requirement"), "template": template,
        "constraints": tuple(constraints), "objectives": tuple(objectives),
        "notes": tuple(notes)}, "requirement")


def _validated(model: type[BaseModel], fields: Any, item: str) -> Any:
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise UserInputError(error["msg"], item=f"{item}.{where}" if where else item,
                             allowed=", ".join(model.model_fields)) from None


def load_requirement(path: Path) -> Requirement:
    """Read a requirement TOML file; errors name the file and the offending key."""
    if not path.is_file():
        raise MalformedFileError("file not found", file=path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MalformedFileError(f"not valid TOML ({exc})", file=path) from None
    try:
        return requirement_from_mapping(data, source=str(path))
    except UserInputError as exc:
        raise exc.located(path) from None
