"""Device requirement templates: targets follow from the physics, bad input names the field."""

from __future__ import annotations

import pytest

from valueloop.core.errors import DimensionError, UnknownParameterError, UserInputError
from valueloop.materials import physics as ph
from valueloop.materials.translate import (
    ConnectorRequirement,
    MaterialTargets,
    translate,
)

CONNECTOR = dict(template="connector", current="10 A", temperature_rise="30 K", length="20 mm",
                 width="0.64 mm", thickness="0.64 mm", contact_force="2 N", spring_length="3 mm")
FOIL = dict(template="pcb_foil", frequency="28 GHz", line_width="0.2 mm",
            max_conductor_loss_db_per_m=60.0)
HAIRPIN = dict(template="hairpin", current_density="15 A/mm**2", max_loss_density="8 W/cm**3",
               temperature_class="180 degC", conductor_thickness="2 mm", bend_radius="4 mm")
INTERCONNECT = dict(template="interconnect", current_density="1 MA/cm**2", temperature="105 degC",
                    target_life="10 years", reference_test_life="150 h")
KEYS = {"electrical_conductivity_iacs", "thermal_conductivity", "yield_strength_mpa", "uts_mpa",
        "hardness_hv", "elongation_percent", "softening_temperature_c",
        "stress_relaxation_percent", "surface_roughness_um", "cte_ppm_per_k",
        "em_median_life_h", "em_activation_energy_ev"}


def _by_key(targets: MaterialTargets) -> dict[tuple[str, str], float]:
    return {(c.property, c.operator): c.value for c in targets.constraints}


@pytest.mark.parametrize("spec", [CONNECTOR, FOIL, HAIRPIN, INTERCONNECT],
                         ids=lambda s: s["template"])
def test_every_template_gives_named_reasoned_constraints(spec: dict[str, object]) -> None:
    targets = translate(spec)
    assert targets.template == spec["template"] and targets.constraints
    for constraint in targets.constraints:
        assert constraint.property in KEYS and constraint.reason and constraint.unit
    assert targets.rows()[0]["property"] == targets.constraints[0].property


def test_connector_joule_heating_closes_the_energy_balance() -> None:
    targets = _by_key(translate(CONNECTOR))
    sigma = float(ph.iacs_to_conductivity(targets["electrical_conductivity_iacs", ">="]))
    kappa = targets["thermal_conductivity", ">="]
    j = 10.0 / (0.64e-3 * 0.64e-3)
    # ΔT = J²L²/(8σκ) equals the allowed 30 K at the limit
    assert j**2 * 0.02**2 / (8 * sigma * kappa) == pytest.approx(30.0, rel=1e-6)
    assert kappa == pytest.approx(float(ph.thermal_from_electrical(sigma, 298.15 + 15.0)))
    assert targets["yield_strength_mpa", ">="] == pytest.approx(
        6 * 2 * 3e-3 / (0.64e-3 * (0.64e-3) ** 2) * 1.2 / 1e6)
    assert targets["stress_relaxation_percent", "<="] == pytest.approx(10.0)
    assert targets["cte_ppm_per_k", ">="] == 15.0 and targets["cte_ppm_per_k", "<="] == 19.0


def test_connector_thermal_resistance_can_dominate() -> None:
    targets = _by_key(translate({**CONNECTOR, "max_thermal_resistance": "150 K/W"}))
    area = 0.64e-3**2
    assert targets["thermal_conductivity", ">="] == pytest.approx(0.02 / (150 * area))


def test_pcb_foil_limits_reproduce_the_allowed_loss() -> None:
    targets = _by_key(translate(FOIL))
    # a smooth foil at the conductivity limit sits exactly on the loss budget
    sigma = float(ph.iacs_to_conductivity(targets["electrical_conductivity_iacs", ">="]))
    assert ph.microstrip_conductor_loss_db_per_m(28e9, 2e-4, 50.0, sigma) == pytest.approx(60.0)
    # pure copper at the roughness limit does too (Hammerstad-Jensen)
    rq = targets["surface_roughness_um", "<="] * 1e-6
    k = ph.hammerstad_jensen_factor(rq, ph.skin_depth(28e9))
    assert ph.microstrip_conductor_loss_db_per_m(28e9, 2e-4, 50.0, roughness_factor=k) == (
        pytest.approx(60.0))
    saturated = translate({**FOIL, "max_conductor_loss_db_per_m": 90.0})
    assert "surface_roughness_um" not in {c.property for c in saturated.constraints}
    assert saturated.notes


def test_hairpin_targets() -> None:
    targets = _by_key(translate(HAIRPIN))
    rho20 = float(ph.iacs_to_resistivity(targets["electrical_conductivity_iacs", ">="]))
    loss = (15e6) ** 2 * float(ph.resistivity_at_temperature(rho20, 180.0)) * 1e-8
    assert loss == pytest.approx(8e6)
    assert targets["softening_temperature_c", ">="] == pytest.approx(230.0)
    assert targets["elongation_percent", ">="] == pytest.approx(100 * 2 / 10 * 1.5)


def test_interconnect_uses_black_ratio_form() -> None:
    targets = _by_key(translate(INTERCONNECT))
    life = 10 * 8766.0  # pint's year is the Julian year, 365.25 d
    af = float(ph.black_acceleration_factor(2e6, 573.15, 1e6, 378.15, 2.0, 0.9))
    assert af == pytest.approx(4.8e4, rel=0.02)  # the note's worked number
    assert targets["em_median_life_h", ">="] == pytest.approx(life / af)
    ea = targets["em_activation_energy_ev", ">="]
    assert ph.black_acceleration_factor(2e6, 573.15, 1e6, 378.15, 2.0, ea) * 150 == (
        pytest.approx(life))


def test_units_are_converted_once_and_checked() -> None:
    spec = ConnectorRequirement.model_validate({**CONNECTOR, "length": "2 cm",
                                                "ambient_temperature": "77 degF"})
    assert spec.length == pytest.approx(0.02) and spec.ambient_temperature == pytest.approx(298.15)
    with pytest.raises(DimensionError, match="current"):
        translate({**CONNECTOR, "current": "10 V"})
    with pytest.raises(DimensionError, match="length"):
        translate({**CONNECTOR, "length": 20})
    with pytest.raises(UnknownParameterError, match="template"):
        translate({"template": "antenna"})
    with pytest.raises(UserInputError, match=r"connector\.colour"):
        translate({**CONNECTOR, "colour": "red"})
    with pytest.raises(UserInputError, match=r"connector\.current"):
        translate({**CONNECTOR, "current": "-1 A"})
