"""Device requirement templates that translate device specifications into material targets.

Each template is a pydantic model whose quantities are pint strings (``"10 A"``, ``"28 GHz"``),
checked and converted once, at construction, to the unit the physics uses. :func:`translate`
(the function a ``valueloop materials translate`` command should call) takes a mapping with a
``template`` key, validates it, and returns :class:`MaterialTargets`: constraints on the property
keys the materials database and models use, each with the physics that produced it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, get_args

import numpy as np
import scipy.constants
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core.core_schema import ValidationInfo

from valueloop.core.errors import DimensionError, UnknownParameterError, UserInputError
from valueloop.core.units import unit_registry
from valueloop.materials import physics as ph

# --- definitions -------------------------------------------------------------------------------

Operator = Literal[">=", "<="]


class Constraint(BaseModel):
    """One material target: ``property operator value unit``, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    property: str
    operator: Operator
    value: float
    unit: str
    reason: str


class MaterialTargets(BaseModel):
    """The material targets one device specification implies."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    template: str
    constraints: tuple[Constraint, ...]
    notes: tuple[str, ...] = ()

    def rows(self) -> list[dict[str, object]]:
        """One plain dict per constraint, for tables and JSON output."""
        return [c.model_dump() for c in self.constraints]


def _quantity(unit: str, difference: bool = False) -> Callable[[Any, ValidationInfo], float]:
    """A before-validator: a pint string of ``unit``'s dimension, converted to ``unit``.

    With ``difference``, the field is a temperature *difference*: an absolute reading such as
    ``"30 degC"`` would convert to 303.15 K, so it is refused with the spelling to use.
    """

    def convert(value: Any, info: ValidationInfo) -> float:
        item = info.field_name
        if not isinstance(value, str):
            raise DimensionError(f"{value!r} has no unit", item=item,
                                 allowed=f"a quantity string such as '1 {unit}'")
        registry = unit_registry()
        try:
            quantity = registry.Quantity(value)
        except Exception as exc:  # pint raises several unrelated types for bad strings
            raise DimensionError(f"{value!r} is not a quantity ({exc})", item=item,
                                 allowed=f"quantities convertible to {unit!r}") from None
        if difference and not quantity._is_multiplicative:
            raise DimensionError(f"{value!r} is a temperature reading, not a difference",
                                 item=item, allowed="a difference in K or delta_degC, e.g. "
                                                    "'30 K' for a rise of 30 °C")
        try:
            return float(quantity.to(unit).magnitude)
        except Exception as exc:  # pint raises several unrelated types for bad strings
            raise DimensionError(f"{value!r} is not a quantity in {unit!r} ({exc})", item=item,
                                 allowed=f"quantities convertible to {unit!r}") from None

    return convert


def Q(unit: str, **field: Any) -> Any:  # noqa: N802 - reads as a type in field declarations
    """A float field given as a pint string and stored in ``unit``."""
    return Annotated[float, BeforeValidator(_quantity(unit)),
                     Field(json_schema_extra={"unit": unit}, **field)]


def QD(**field: Any) -> Any:  # noqa: N802 - reads as a type in field declarations
    """A temperature-difference field, stored in K (``"30 degC"`` is refused, see above)."""
    return Annotated[float, BeforeValidator(_quantity("K", difference=True)),
                     Field(json_schema_extra={"unit": "K"}, **field)]


def template_fields(name: str) -> list[dict[str, object]]:
    """Each field of template ``name``: its unit, whether required, and its default."""
    if name not in TEMPLATES:
        raise UnknownParameterError(f"unknown template {name!r}", item="template",
                                    allowed=", ".join(TEMPLATES))
    rows: list[dict[str, object]] = []
    for field_name, info in TEMPLATES[name].model_fields.items():
        required = info.is_required()
        rows.append({"field": field_name, "unit": _field_unit(info),
                     "required": "yes" if required else "no",
                     "default": "" if required or info.default is None else str(info.default)})
    return rows


def _field_unit(info: FieldInfo) -> str:
    """The unit a field is stored in, also when the field is optional (``Q(...) | None``)."""
    candidates = [info, *(m for arg in get_args(info.annotation)
                          for m in getattr(arg, "__metadata__", ()) if isinstance(m, FieldInfo))]
    for candidate in candidates:
        if isinstance(candidate.json_schema_extra, dict) and "unit" in candidate.json_schema_extra:
            return str(candidate.json_schema_extra["unit"])
    return ""


class _Template(BaseModel):
    # validate_default: the defaults are pint strings too and must be converted
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


class ConnectorRequirement(_Template):
    """A connector contact or lead-frame lead carrying current and pressing on a mating part.

    The current path is a bar of ``length`` × ``width`` × ``thickness`` whose two ends are held
    at ``ambient_temperature``; the spring is a cantilever of the same width and thickness,
    ``spring_length`` long, loaded by ``contact_force`` at its tip.
    """

    template: Literal["connector"] = "connector"
    current: Q("A", gt=0)
    temperature_rise: QD(gt=0)
    ambient_temperature: Q("K", gt=0) = "25 degC"
    length: Q("m", gt=0)
    width: Q("m", gt=0)
    thickness: Q("m", gt=0)
    max_thermal_resistance: Q("K/W", gt=0) | None = None
    contact_force: Q("N", gt=0)
    spring_length: Q("m", gt=0)
    # Defaults: 150 °C / 1000 h is the relaxation test condition and ≈17 ppm/K the CTE of Cu-base
    # grades (materials.md §2, §5.7); the safety factor, 90 % retention and ±2 ppm/K are our
    # assumptions, round engineering values to be overridden by the device's own spec.
    safety_factor: float = Field(default=1.2, ge=1.0)
    force_retention: Q("percent", gt=0, le=100) = "90 %"
    service_temperature: Q("degC") = "150 degC"
    service_time: Q("h", gt=0) = "1000 h"
    mating_cte: Q("ppm/K", gt=0) = "17 ppm/K"
    cte_tolerance: Q("ppm/K", gt=0) = "2 ppm/K"


class PcbFoilRequirement(_Template):
    """A high-frequency microstrip: conductor loss within ``max_conductor_loss_db_per_m``."""

    template: Literal["pcb_foil"] = "pcb_foil"
    frequency: Q("Hz", gt=0)
    line_width: Q("m", gt=0)
    impedance: Q("ohm", gt=0) = "50 ohm"
    # a bare number: pint treats dB as a logarithmic unit, which does not divide by length
    max_conductor_loss_db_per_m: float = Field(gt=0, json_schema_extra={"unit": "dB/m"})
    reference_conductivity: Q("S/m", gt=0) = "100 %IACS"


class HairpinRequirement(_Template):
    """An EV hairpin (bar) stator winding."""

    template: Literal["hairpin"] = "hairpin"
    current_density: Q("A/m**2", gt=0)
    max_loss_density: Q("W/m**3", gt=0)
    temperature_class: Q("degC", gt=0)
    # our assumptions (margin against annealing, bend-strain safety): override per design
    softening_margin: QD(ge=0) = "50 K"
    conductor_thickness: Q("m", gt=0)
    bend_radius: Q("m", gt=0)
    elongation_safety_factor: float = Field(default=1.5, ge=1.0)


class InterconnectRequirement(_Template):
    """An on-chip or package interconnect under electromigration (Black's equation)."""

    template: Literal["interconnect"] = "interconnect"
    current_density: Q("A/cm**2", gt=0)
    temperature: Q("K", gt=0)
    target_life: Q("h", gt=0)
    # defaults: the worked test condition and Cu parameters of materials.md §5.5
    test_current_density: Q("A/cm**2", gt=0) = "2 MA/cm**2"
    test_temperature: Q("K", gt=0) = "300 degC"
    exponent: float = Field(default=2.0, ge=0)
    activation_energy: Q("eV", gt=0) = "0.9 eV"
    reference_test_life: Q("h", gt=0) | None = None


Requirement = (ConnectorRequirement | PcbFoilRequirement | HairpinRequirement
               | InterconnectRequirement)
TEMPLATES: Mapping[str, type[_Template]] = {
    "connector": ConnectorRequirement, "pcb_foil": PcbFoilRequirement,
    "hairpin": HairpinRequirement, "interconnect": InterconnectRequirement,
}

# --- logic -------------------------------------------------------------------------------------


_NP_TO_DB = 20.0 / np.log(10.0)  # 8.686 dB per neper


def _iacs(sigma: float) -> float:
    return float(ph.conductivity_to_iacs(sigma))


def translate_connector(spec: ConnectorRequirement) -> MaterialTargets:
    """Connector or lead frame → conductivity, κ, CTE, yield strength and relaxation limits."""
    area = spec.width * spec.thickness
    j = spec.current / area
    mean_t = spec.ambient_temperature + spec.temperature_rise / 2.0
    # 1-D bar, uniform Joule heat J²/σ, ends at ambient: ΔT_max = J²L²/(8σκ); with κ = L₀σT
    sigma_kappa = j**2 * spec.length**2 / (8.0 * spec.temperature_rise)
    sigma_min = float(np.sqrt(sigma_kappa / (ph.LORENZ_NUMBER * mean_t)))
    kappa_wf = float(ph.thermal_from_electrical(sigma_min, mean_t))
    constraints = [
        Constraint(property="electrical_conductivity_iacs", operator=">=",
                   value=_iacs(sigma_min), unit="%IACS",
                   reason=(f"Joule heating of {spec.current:g} A (J = {j / 1e6:.3g} A/mm²) in a "
                           f"bar conducting to its ends (ΔT = J²L²/(8σκ)) with Wiedemann-Franz "
                           f"κ = L₀σT at {mean_t:.0f} K, for ΔT ≤ {spec.temperature_rise:g} K")),
    ]
    kappa_min, kappa_reason = kappa_wf, "Wiedemann-Franz κ = L₀σT at the conductivity limit"
    if spec.max_thermal_resistance is not None:
        kappa_r = spec.length / (spec.max_thermal_resistance * area)
        if kappa_r > kappa_min:
            kappa_min = kappa_r
            kappa_reason = (f"conduction R = L/(κA) ≤ {spec.max_thermal_resistance:g} K/W "
                            "along the lead")
    constraints.append(Constraint(property="thermal_conductivity", operator=">=", value=kappa_min,
                                  unit="W/(m*K)", reason=kappa_reason))
    constraints += [
        Constraint(property="cte_ppm_per_k", operator=op, value=spec.mating_cte + sign
                   * spec.cte_tolerance, unit="ppm/K",
                   reason=f"CTE match to the mating part ({spec.mating_cte:g} ± "
                          f"{spec.cte_tolerance:g} ppm/K)")
        for op, sign in ((">=", -1.0), ("<=", 1.0))
    ]
    stress = 6.0 * spec.contact_force * spec.spring_length / (spec.width * spec.thickness**2)
    constraints += [
        Constraint(property="yield_strength_mpa", operator=">=",
                   value=stress * spec.safety_factor / 1e6, unit="MPa",
                   reason=(f"cantilever root stress 6FL/(bt²) = {stress / 1e6:.0f} MPa "
                           f"× safety factor {spec.safety_factor:g}")),
        Constraint(property="stress_relaxation_percent", operator="<=",
                   value=100.0 - spec.force_retention, unit="%",
                   reason=(f"contact force ∝ spring stress at fixed deflection: keep "
                           f"{spec.force_retention:g} % after {spec.service_time:g} h at "
                           f"{spec.service_temperature:g} °C")),
    ]
    return MaterialTargets(template=spec.template, constraints=tuple(constraints), notes=(
        "conduction to the ends only (no convection): a conservative conductivity bound",))


def translate_pcb_foil(spec: PcbFoilRequirement) -> MaterialTargets:
    """HF PCB foil → minimum conductivity and maximum RMS roughness (Hammerstad-Jensen)."""
    # α_c = 8.686·K·R_s/(Z₀w) ≤ α_max  ⇔  K·R_s ≤ budget
    budget = spec.max_conductor_loss_db_per_m * spec.impedance * spec.line_width / _NP_TO_DB
    # smooth foil (K = 1): R_s = √(πfμ₀/σ) ≤ budget ⇒ σ ≥ πfμ₀/budget²
    sigma_min = float(np.pi * spec.frequency * scipy.constants.mu_0 / budget**2)
    sigma_ref = spec.reference_conductivity
    k_allowed = budget / float(ph.surface_resistance(spec.frequency, sigma_ref))
    delta = float(ph.skin_depth(spec.frequency, sigma_ref))
    rq_max = float(ph.hammerstad_jensen_max_roughness(k_allowed, delta)) * 1e6
    f_ghz = spec.frequency / 1e9
    constraints = [
        Constraint(property="electrical_conductivity_iacs", operator=">=",
                   value=_iacs(sigma_min), unit="%IACS",
                   reason=(f"smooth-foil surface resistance √(πfμ₀/σ) at {f_ghz:g} GHz within "
                           f"{spec.max_conductor_loss_db_per_m:g} dB/m (α_c = 8.686·K·R_s/(Z₀w))")),
    ]
    notes = []
    if np.isfinite(rq_max):
        constraints.append(Constraint(
            property="surface_roughness_um", operator="<=", value=rq_max, unit="um",
            reason=(f"Hammerstad-Jensen K ≤ {k_allowed:.3g} at {f_ghz:g} GHz "
                    f"(δ = {delta * 1e6:.3g} µm) for a {_iacs(sigma_ref):.0f} %IACS "
                    "foil")))
    else:
        notes.append("Hammerstad-Jensen saturates at K = 2 below the allowed loss: no roughness "
                     "limit from it; check very rough foils with the Huray model")
    return MaterialTargets(template=spec.template, constraints=tuple(constraints),
                           notes=tuple(notes))


def translate_hairpin(spec: HairpinRequirement) -> MaterialTargets:
    """EV hairpin → conductivity at 20 °C, softening temperature, elongation."""
    # p = J²ρ(T) ≤ p_max at the class temperature, ρ(T) = ρ₂₀[1 + α(T − 20 °C)] (Cu α)
    rho_hot_max = spec.max_loss_density / spec.current_density**2 * 1e8  # Ω·m → µΩ·cm
    rho_20_max = rho_hot_max / (1.0 + ph.ALPHA_20_CU_PER_K * (spec.temperature_class - 20.0))
    strain = spec.conductor_thickness / (2.0 * spec.bend_radius + spec.conductor_thickness)
    constraints = (
        Constraint(property="electrical_conductivity_iacs", operator=">=",
                   value=float(ph.resistivity_to_iacs(rho_20_max)), unit="%IACS",
                   reason=(f"loss density J²ρ ≤ {spec.max_loss_density / 1e6:g} W/cm³ at "
                           f"{spec.temperature_class:g} °C with Cu α = 0.00393 /K")),
        Constraint(property="softening_temperature_c", operator=">=",
                   value=spec.temperature_class + spec.softening_margin, unit="degC",
                   reason=(f"no annealing at the thermal class {spec.temperature_class:g} °C "
                           f"plus a {spec.softening_margin:g} K margin (our assumption)")),
        Constraint(property="elongation_percent", operator=">=",
                   value=100.0 * strain * spec.elongation_safety_factor, unit="%",
                   reason=(f"outer-fibre bend strain t/(2R + t) = {100 * strain:.1f} % × "
                           f"{spec.elongation_safety_factor:g}")),
    )
    return MaterialTargets(template=spec.template, constraints=constraints)


def translate_interconnect(spec: InterconnectRequirement) -> MaterialTargets:
    """Interconnect → electromigration life at test conditions (Black's equation, ratio form)."""
    af = float(ph.black_acceleration_factor(
        spec.test_current_density, spec.test_temperature, spec.current_density,
        spec.temperature, spec.exponent, spec.activation_energy))
    test_c = spec.test_temperature - 273.15
    conditions = f"{spec.test_current_density / 1e6:g} MA/cm² and {test_c:g} °C"
    constraints = [Constraint(
        property="em_median_life_h", operator=">=", value=spec.target_life / af, unit="h",
        reason=(f"Black's equation: AF = {af:.3g} from {conditions} to use conditions "
                f"(n = {spec.exponent:g}, E_a = {spec.activation_energy:g} eV) for a "
                f"{spec.target_life:g} h life"))]
    if spec.reference_test_life is not None:
        ea = float(ph.black_min_activation_energy(
            spec.target_life, spec.reference_test_life, spec.test_current_density,
            spec.test_temperature, spec.current_density, spec.temperature, spec.exponent))
        constraints.append(Constraint(
            property="em_activation_energy_ev", operator=">=", value=ea, unit="eV",
            reason=(f"Black's equation solved for E_a with a measured {spec.reference_test_life:g}"
                    f" h at {conditions} and n = {spec.exponent:g}")))
    return MaterialTargets(template=spec.template, constraints=tuple(constraints), notes=(
        "Joule self-heating is not included: give the line temperature, not the ambient",))


_TRANSLATORS: Mapping[str, Callable[[Any], MaterialTargets]] = {
    "connector": translate_connector, "pcb_foil": translate_pcb_foil,
    "hairpin": translate_hairpin, "interconnect": translate_interconnect,
}


def parse_requirement(data: Mapping[str, Any]) -> Requirement:
    """Validate a requirement mapping; its ``template`` key picks the template."""
    name = data.get("template")
    if name not in TEMPLATES:
        raise UnknownParameterError(f"unknown template {name!r}", item="template",
                                    allowed=", ".join(TEMPLATES))
    try:
        return TEMPLATES[name].model_validate(dict(data))  # type: ignore[return-value]
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or "requirement"
        raise UserInputError(error["msg"], item=f"{name}.{field}",
                             allowed=", ".join(TEMPLATES[name].model_fields)) from None


def translate(requirement: Mapping[str, Any] | Requirement) -> MaterialTargets:
    """Material targets for a device requirement (a template instance or a mapping)."""
    spec = requirement if isinstance(requirement, _Template) else parse_requirement(requirement)
    return _TRANSLATORS[spec.template](spec)  # type: ignore[attr-defined]
