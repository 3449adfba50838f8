"""Requirement files: device templates, hand-written constraints, objectives, units, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from valueloop.cli import run
from valueloop.core.errors import MalformedFileError, UnknownParameterError, UserInputError
from valueloop.materials.requirement import (
    DEFAULT_OBJECTIVES,
    PROPERTY_KEYS,
    canonical_value,
    load_requirement,
    requirement_from_mapping,
)
from valueloop.materials.translate import TEMPLATES, Constraint

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "requirements"


def _constraint(prop: str, value: float, unit: str) -> Constraint:
    return Constraint(property=prop, operator=">=", value=value, unit=unit, reason="test")


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_has_an_example_file(name: str) -> None:
    requirement = load_requirement(EXAMPLES / f"{name}.toml")
    assert requirement.template == name
    assert requirement.constraints and requirement.objectives
    assert set(requirement.properties()) <= set(PROPERTY_KEYS)


def test_connector_example_yield_strength_is_the_cantilever_formula() -> None:
    requirement = load_requirement(EXAMPLES / "connector.toml")
    yield_limit = next(c for c in requirement.constraints if c.property == "yield_strength_mpa")
    # 6 F L / (b t²) × 1.2 with F = 2 N, L = 3 mm, b = 1.2 mm, t = 0.3 mm (the example file)
    expected = 6 * 2.0 * 3e-3 / (1.2e-3 * 0.3e-3**2) * 1.2 / 1e6
    assert yield_limit.value == pytest.approx(expected, rel=1e-12)
    assert [o.property for o in requirement.objectives] == [
        "electrical_conductivity_iacs", "yield_strength_mpa"]


@pytest.mark.parametrize(("prop", "value", "unit", "canonical"), [
    ("uts_mpa", 0.45, "GPa", 450.0),
    ("cte_ppm_per_k", 17.0, "ppm/K", 17.0),
    ("thermal_conductivity", 3.94, "W/(cm*K)", 394.0),
    ("softening_temperature_c", 503.15, "K", 230.0),
    ("electrical_conductivity_iacs", 58e6, "S/m", 100.0),
])
def test_thresholds_convert_to_the_stored_unit(prop: str, value: float, unit: str,
                                               canonical: float) -> None:
    assert canonical_value(_constraint(prop, value, unit)) == pytest.approx(canonical, rel=1e-9)


def test_template_without_objectives_takes_its_defaults() -> None:
    data = {"device": {"template": "pcb_foil", "frequency": "10 GHz", "line_width": "0.3 mm",
                       "max_conductor_loss_db_per_m": 30.0}}
    requirement = requirement_from_mapping(data)
    assert tuple((o.property, o.sense) for o in requirement.objectives) == \
        DEFAULT_OBJECTIVES["pcb_foil"]
    assert requirement.name == "pcb_foil"


def test_hand_written_constraints_only() -> None:
    requirement = requirement_from_mapping({"constraint": [
        {"property": "hardness_hv", "operator": ">=", "value": 150, "unit": "HV"}]})
    assert requirement.template is None and requirement.objectives == ()
    assert requirement.constraints[0].reason == "given in the requirement"


@pytest.mark.parametrize(("data", "error", "where"), [
    ({"devic": {}}, UnknownParameterError, "devic"),
    ({"constraint": [{"property": "strength", "operator": ">=", "value": 1, "unit": "MPa"}]},
     UnknownParameterError, "constraint[0].property"),
    ({"constraint": [{"property": "uts_mpa", "operator": ">=", "value": 1, "unit": "K"}]},
     UserInputError, "constraint[0].unit"),
    ({"constraint": [{"property": "uts_mpa", "operator": "=>", "value": 1, "unit": "MPa"}]},
     UserInputError, "constraint[0].operator"),
    ({"objective": [{"property": "uts_mpa", "sense": "up"}]}, UserInputError,
     "objective[0].sense"),
    ({"device": {"template": "hairpin"}}, UserInputError, "hairpin."),
])
def test_bad_requirements_name_the_field(data: dict, error: type[Exception], where: str) -> None:
    with pytest.raises(error, match=None) as caught:
        requirement_from_mapping(data)
    assert where in str(caught.value)


def test_a_bad_unit_after_a_device_names_the_files_own_constraint() -> None:
    device = {"template": "hairpin", "current_density": "15 A/mm**2",
              "max_loss_density": "8 W/cm**3", "temperature_class": "180 degC",
              "conductor_thickness": "2 mm", "bend_radius": "4 mm"}
    with pytest.raises(UserInputError) as caught:
        requirement_from_mapping({"device": device, "constraint": [
            {"property": "uts_mpa", "operator": ">=", "value": 220, "unit": "K"}]})
    assert caught.value.item == "constraint[0].unit"


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("name = \n", encoding="utf-8")
    with pytest.raises(MalformedFileError, match=r"bad\.toml"):
        load_requirement(path)
    path.write_text('[[constraint]]\nproperty = "uts_mpa"\noperator = ">="\nvalue = 1\n'
                    'unit = "kg"\n', encoding="utf-8")
    with pytest.raises(UserInputError, match=r"bad\.toml.*constraint\[0\]\.unit"):
        load_requirement(path)


def test_translate_command(capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert run(["materials", "translate", str(EXAMPLES / "hairpin.toml"), "--json"]) == 0
    tables = json.loads(capsys.readouterr().out)
    constraints = {r["property"]: r for r in tables[0]["rows"]}
    assert constraints["softening_temperature_c"]["value"] == pytest.approx(230.0)
    assert constraints["uts_mpa"]["reason"].startswith("hold shape")
    assert [r["property"] for r in tables[1]["rows"]] == ["electrical_conductivity_iacs",
                                                          "uts_mpa"]
    assert run(["materials", "translate", "--template", "interconnect", "--json"]) == 0
    fields = {r["field"]: r for r in json.loads(capsys.readouterr().out)["rows"]}
    assert fields["current_density"] == {"field": "current_density", "unit": "A/cm**2",
                                         "required": "yes", "default": ""}
    assert fields["activation_energy"]["default"] == "0.9 eV"


@pytest.mark.parametrize("argv", [[], ["--template", "kettle"],
                                  [str(EXAMPLES / "hairpin.toml"), "--template", "hairpin"]])
def test_translate_command_refuses_bad_calls(argv: list[str],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["materials", "translate", *argv]) == 2
    assert "error:" in capsys.readouterr().err


@pytest.mark.parametrize("command", [
    ["select", str(EXAMPLES / "connector.toml")], ["search"], ["show", "C10100"],
    ["export", "--csv", "x.csv"]])
def test_read_commands_refuse_a_missing_database_file(
        command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # regression: a mistyped --db used to leave an empty SQLite file behind
    missing = tmp_path / "typo.db"
    assert run(["materials", *command, "--db", str(missing)]) == 2
    assert "no database file" in capsys.readouterr().err
    assert not missing.exists()


def test_a_temperature_rise_in_degc_is_refused_not_read_as_303_k() -> None:
    # regression: "30 degC" as a temperature rise was converted to 303.15 K
    device = {"template": "connector", "current": "10 A", "length": "20 mm", "width": "1 mm",
              "thickness": "0.3 mm", "contact_force": "2 N", "spring_length": "3 mm"}
    with pytest.raises(UserInputError, match="temperature reading, not a difference"):
        requirement_from_mapping({"device": {**device, "temperature_rise": "30 degC"}})
    in_k = requirement_from_mapping({"device": {**device, "temperature_rise": "30 K"}})
    in_delta = requirement_from_mapping({"device": {**device,
                                                    "temperature_rise": "54 delta_degF"}})
    assert in_k.constraints[0].value == pytest.approx(in_delta.constraints[0].value)


def test_notes_given_as_one_string_stay_one_note() -> None:
    requirement = requirement_from_mapping({"notes": "checked by the lab", "constraint": [
        {"property": "hardness_hv", "operator": ">=", "value": 150, "unit": "HV"}]})
    assert requirement.notes == ("checked by the lab",)
