"""Scenario loading: units, inheritance, overrides, and one named error per kind of bad input.

Every bad file is a real file; each error must name the file and the item, carry the line when the
item is written in that file, and be a user error (exit status 2).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import MINI, SCENARIOS, load_mini
from valueloop.core.distributions import LogNormal, Normal, Triangular, Uniform
from valueloop.core.errors import (
    DimensionError,
    InvalidDistributionError,
    MalformedFileError,
    MissingParameterError,
    MissingSourceError,
    OutOfBoundsError,
    ScenarioStructureError,
    ShareGroupError,
    UnknownParameterError,
    UserInputError,
)
from valueloop.core.model import ModelDefinition, OutputDeclaration
from valueloop.core.parameters import ParameterDeclaration
from valueloop.core.scenario import Scenario, load_definition, load_scenario, resolve
from valueloop.models.registry import get_model

Write = Callable[..., Path]
MINI_TEXT = (SCENARIOS / "mini.toml").read_text(encoding="utf-8")
ISHIGAMI_CHILD = """
[scenario]
name = "bad"
model = "ishigami"
extends = "valueloop:ishigami"
"""


def line_containing(path: Path, fragment: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in {path}")


def check_error(error: UserInputError, path: Path, item: str | None,
                line: int | None) -> None:
    """The error names the file, the item, and the line where that is knowable."""
    assert error.exit_status == 2
    message = str(error)
    assert message.count("\n") == 0
    assert message.startswith(type(error).__name__ + ": ")
    assert error.file is not None and error.file.name == path.name
    assert str(path.name) in message
    if item is not None:
        assert error.item == item
        assert item in message
    assert error.line == line
    if line is not None:
        assert f"{path.name}:{line}:" in message


def mini_variant(write: Write, old: str | tuple[str, ...], new: str | tuple[str, ...]) -> Path:
    """mini.toml with each ``old`` fragment replaced (once) by the matching ``new``."""
    olds = (old,) if isinstance(old, str) else old
    news = (new,) if isinstance(new, str) else new
    text = MINI_TEXT
    for before, after in zip(olds, news, strict=True):
        assert before in text, before
        text = text.replace(before, after, 1)
    return write(text, "mini_bad.toml")


# --- good scenarios ----------------------------------------------------------------------------


def test_shipped_ishigami_scenario() -> None:
    scenario = load_scenario("valueloop:ishigami")
    assert scenario.model == "ishigami" and scenario.label == "ishigami"
    assert scenario.uncertain_scalars() == ("ishigami.x1", "ishigami.x2", "ishigami.x3")
    for parameter in scenario.parameters.values():
        assert parameter.distribution == Uniform(low=-math.pi, high=math.pi)
        assert parameter.bounds == (-math.pi, math.pi)
        assert parameter.value == 0.0
        assert parameter.source.document == "ishigami-homma-1990"
    assert {item for item, _ in scenario.citations()} == set(scenario.parameters)


def test_mini_is_converted_to_the_model_units(mini_scenario: Scenario) -> None:
    p = mini_scenario.parameters
    assert p["ore.mass"].unit == "t"
    assert p["ore.mass"].value == pytest.approx(2e4)
    assert p["ore.mass"].distribution == Triangular(low=1e4, mode=2e4, high=3.5e4)
    assert p["ore.energy"].value == pytest.approx(300.0)  # 0.3 MWh/t in kWh/t
    assert isinstance(p["ore.energy"].distribution, LogNormal)
    assert p["ore.energy"].distribution.median == pytest.approx(300.0)
    assert p["ore.energy"].distribution.sigma == 0.25
    assert p["ore.grade"].bounds == (0.05, 0.4)  # file bounds tighten the model's [0, 1]
    assert p["ore.grade"].distribution == Normal(mean=0.2, sd=0.1)
    assert p["demand.index"].value == (1.0, 1.1, 1.25)
    assert p["demand.index"].index == (2024, 2025, 2026)
    assert p["ore.mass"].source.document == "test-doc"
    group = mini_scenario.share_groups["chemistry"]
    assert group.members == ("chem.nmc", "chem.lfp", "chem.nca")
    assert group.concentration == 40
    assert mini_scenario.uncertain_scalars() == ("ore.mass", "ore.price", "ore.grade",
                                                 "ore.energy")
    assert [c.parameters for c in mini_scenario.correlations] == [("ore.mass", "ore.price")]
    assert mini_scenario.definition.documents["test-doc"].id == "test-doc"


def test_scenario_is_frozen(mini_scenario: Scenario) -> None:
    with pytest.raises(TypeError):
        mini_scenario.parameters["ore.mass"] = mini_scenario.parameters["ore.price"]  # type: ignore[index]
    with pytest.raises(TypeError):
        mini_scenario.share_groups.pop("chemistry")  # type: ignore[attr-defined]
    with pytest.raises(dataclasses.FrozenInstanceError):
        mini_scenario.name = "other"  # type: ignore[misc]


def test_child_extends_the_shipped_scenario() -> None:
    child = load_scenario(SCENARIOS / "ishigami_child.toml")
    assert child.name == "ishigami-child"
    assert child.definition.scenario.title == "Ishigami test function"  # inherited
    x2 = child.parameters["ishigami.x2"]
    assert x2.distribution == Triangular(low=0.0, mode=1.0, high=3.0)
    assert x2.value == 1.0 and x2.source.is_assumption
    for name in ("ishigami.x1", "ishigami.x3"):
        assert child.parameters[name].distribution == Uniform(low=-math.pi, high=math.pi)
        assert child.parameters[name].source.document == "ishigami-homma-1990"


def test_named_overrides_with_extends_chain_and_fixed() -> None:
    path = SCENARIOS / "ishigami_child.toml"
    narrow = load_scenario(path, override="narrow")
    assert narrow.label == "ishigami-child/narrow"
    assert narrow.parameters["ishigami.x1"].distribution == Uniform(low=-1.0, high=1.0)
    assert narrow.parameters["ishigami.x1"].source.assumption == "override test"
    assert narrow.uncertain_scalars() == ("ishigami.x1", "ishigami.x2", "ishigami.x3")

    fixed = load_scenario(path, override="narrow-fixed")
    assert fixed.parameters["ishigami.x1"].distribution == Uniform(low=-1.0, high=1.0)
    # a distribution-only parameter is fixed at the distribution's central value
    assert fixed.parameters["ishigami.x3"].distribution is None
    assert fixed.parameters["ishigami.x3"].value == 0.0
    assert fixed.uncertain_scalars() == ("ishigami.x1", "ishigami.x2")

    deepest = load_scenario(path, override="narrow-fixed-x2")
    assert deepest.uncertain_scalars() == ("ishigami.x1",)
    assert deepest.parameters["ishigami.x2"].value == 2.5
    # the baseline itself is unchanged
    assert load_scenario(path).uncertain_scalars() == ("ishigami.x1", "ishigami.x2",
                                                      "ishigami.x3")


def test_mini_overrides(mini_scenario: Scenario) -> None:
    path = SCENARIOS / "mini.toml"
    cheap = load_mini(path, "cheap")
    price = cheap.parameters["ore.price"]
    assert price.value == 100000 and price.distribution == Uniform(low=80000, high=120000)
    assert price.source.assumption == "stress test"  # the override block's source
    fixed = load_mini(path, "cheap-fixed")
    assert fixed.parameters["ore.price"].distribution == Uniform(low=80000, high=120000)
    assert fixed.parameters["ore.energy"].distribution is None
    assert fixed.parameters["ore.energy"].value == pytest.approx(300.0)
    assert fixed.parameters["ore.grade"].value == 0.3
    assert fixed.parameters["ore.grade"].distribution == Normal(mean=0.2, sd=0.1)
    assert fixed.parameters["ore.grade"].source.is_assumption
    assert fixed.uncertain_scalars() == ("ore.mass", "ore.price", "ore.grade")
    assert mini_scenario.parameters["ore.price"].value == 250000


def test_file_inheritance_chain_with_relative_paths(write: Write) -> None:
    write(MINI_TEXT, "base.toml")
    write("""
        [scenario]
        name = "middle"
        model = "engine-mini"
        extends = "base.toml"

        [parameters."ore.price"]
        value = 25
        unit = "wan_CNY/t"
        distribution = { kind = "pert", low = 15, mode = 25, high = 40 }
        source = { assumption = "middle price" }

        [[correlations]]
        parameters = ["ore.grade", "ore.energy"]
        rank_correlation = -0.3
        source = { assumption = "richer ore needs less energy" }
        """, "middle.toml")
    leaf = write("""
        [scenario]
        name = "leaf"
        model = "engine-mini"
        extends = "../middle.toml"

        [parameters."ore.mass"]
        value = 15
        unit = "kt"
        distribution = { kind = "uniform", low = 10, high = 20 }
        source = { assumption = "leaf mass" }
        """, "sub/leaf.toml")
    scenario = load_mini(leaf)
    assert scenario.name == "leaf"
    assert scenario.definition.scenario.title == "engine test scenario"
    assert scenario.parameters["ore.mass"].value == pytest.approx(15000.0)
    assert scenario.parameters["ore.mass"].distribution == Uniform(low=1e4, high=2e4)
    assert scenario.parameters["ore.price"].value == pytest.approx(250000.0)
    assert scenario.parameters["ore.price"].distribution.high == pytest.approx(4e5)  # type: ignore[union-attr]
    assert scenario.parameters["ore.grade"].distribution == Normal(mean=0.2, sd=0.1)
    assert [c.parameters for c in scenario.correlations] == [("ore.mass", "ore.price"),
                                                            ("ore.grade", "ore.energy")]
    assert set(scenario.definition.overrides) == {"cheap", "cheap-fixed"}  # inherited
    assert load_definition(leaf).scenario.extends is None


def test_temperatures_convert_with_their_offset(write: Write) -> None:
    model = ModelDefinition(
        name="furnace", title="t",
        parameters=(ParameterDeclaration(name="furnace.temperature", unit="K",
                                         description="t", bounds=(0.0, 3000.0)),
                    ParameterDeclaration(name="furnace.ambient", unit="degC",
                                         description="t")),
        outputs=(OutputDeclaration("y", "K", "t"),),
        evaluate=lambda inputs: {"y": inputs["furnace.temperature"]})
    path = write("""
        [scenario]
        name = "furnace"
        model = "furnace"

        [parameters."furnace.temperature"]
        value = 1200
        unit = "degC"
        bounds = [1000, 1400]
        distribution = { kind = "normal", mean = 1200, sd = 50 }
        source = { assumption = "test" }

        [parameters."furnace.ambient"]
        value = 300
        unit = "K"
        distribution = { kind = "uniform", low = 290, high = 310 }
        source = { assumption = "test" }
        """)
    scenario = resolve(load_definition(path), model, file=path)
    temperature = scenario.parameters["furnace.temperature"]
    assert temperature.value == pytest.approx(1473.15)
    assert temperature.bounds == pytest.approx((1273.15, 1673.15))
    assert temperature.distribution.mean == pytest.approx(1473.15)  # type: ignore[union-attr]
    assert temperature.distribution.sd == pytest.approx(50.0)  # type: ignore[union-attr]
    ambient = scenario.parameters["furnace.ambient"]
    assert ambient.value == pytest.approx(26.85)
    assert ambient.distribution.low == pytest.approx(16.85)  # type: ignore[union-attr]
    assert ambient.distribution.high == pytest.approx(36.85)  # type: ignore[union-attr]


# --- one named error per kind of bad input -----------------------------------------------------


def _ishigami_bad(write: Write, body: str) -> Path:
    return write(ISHIGAMI_CHILD + body, "bad.toml")


@pytest.mark.parametrize(
    ("body", "error", "item", "header", "match"),
    [
        ('\n[parameters."ishigami.x4"]\nvalue = 1.0\nsource = { assumption = "x" }\n',
         UnknownParameterError, "ishigami.x4", '[parameters."ishigami.x4"]', "did you mean"),
        ("\n[parameters.Bad]\nvalue = 1.0\n",
         UnknownParameterError, "Bad", "[parameters.Bad]", "not a valid parameter name"),
        ('\n[parameters."ishigami.x1"]\nvalue = 4.0\nsource = { assumption = "x" }\n',
         OutOfBoundsError, "ishigami.x1", '[parameters."ishigami.x1"]', "out of bounds"),
        ('\n[parameters."ishigami.x1"]\nvalue = 0.0\nbounds = [5.0, 6.0]\n'
         'source = { assumption = "x" }\n',
         OutOfBoundsError, "ishigami.x1", '[parameters."ishigami.x1"]', "exclude every value"),
        ('\n[parameters."ishigami.x1"]\n'
         'distribution = { kind = "uniform", low = -4.0, high = 1.0 }\n'
         'source = { assumption = "x" }\n',
         OutOfBoundsError, "ishigami.x1", '[parameters."ishigami.x1"]', "uniform spans"),
        ('\n[parameters."ishigami.x1"]\n'
         'distribution = { kind = "triangular", low = -1.0, mode = 0.0, high = 3.5 }\n'
         'source = { assumption = "x" }\n',
         OutOfBoundsError, "ishigami.x1", '[parameters."ishigami.x1"]', "triangular spans"),
        ('\n[parameters."ishigami.x1"]\nvalue = 0.5\nbounds = [0.0, 1.0]\n'
         'distribution = { kind = "pert", low = 0.0, mode = 0.5, high = 1.5 }\n'
         'source = { assumption = "x" }\n',
         OutOfBoundsError, "ishigami.x1", '[parameters."ishigami.x1"]', "pert spans"),
        ('\n[parameters."ishigami.x1"]\n'
         'distribution = { kind = "normal", mean = 5.0, sd = 1.0 }\n'
         'source = { assumption = "x" }\n',
         OutOfBoundsError, "ishigami.x1", '[parameters."ishigami.x1"]', "out of bounds"),
        ('\n[parameters."ishigami.x1"]\nvalue = 1.0\n',
         MissingSourceError, "ishigami.x1", '[parameters."ishigami.x1"]', "has no source"),
        ('\n[parameters."ishigami.x1"]\nvalue = 1.0\nsource = { section = "2" }\n',
         MissingSourceError, "ishigami.x1", '[parameters."ishigami.x1"]', "'document'"),
        ('\n[parameters."ishigami.x1"]\nvalue = 1.0\nsource = { assumption = " " }\n',
         MissingSourceError, "ishigami.x1", '[parameters."ishigami.x1"]', "reason"),
        ('\n[parameters."ishigami.x1"]\nvalue = 1.0\n'
         'source = { document = "no-such-report", section = "2" }\n',
         MissingSourceError, "ishigami.x1", '[parameters."ishigami.x1"]',
         "unknown document 'no-such-report'"),
        ('\n[parameters."ishigami.x1"]\n'
         'distribution = { kind = "uniform", low = 1.0, high = -1.0 }\n'
         'source = { assumption = "x" }\n',
         InvalidDistributionError, "ishigami.x1", '[parameters."ishigami.x1"]', "low < high"),
        ('\n[parameters."ishigami.x1"]\n'
         'distribution = { kind = "normal", mean = 0.0 }\n'
         'source = { assumption = "x" }\n',
         InvalidDistributionError, "ishigami.x1", '[parameters."ishigami.x1"]', "sd"),
        ('\n[parameters."ishigami.x1"]\n'
         'distribution = { kind = "gamma", shape = 2.0 }\n'
         'source = { assumption = "x" }\n',
         InvalidDistributionError, "ishigami.x1", '[parameters."ishigami.x1"]', "gamma"),
        ('\n[parameters."ishigami.x1"]\n'
         'distribution = { kind = "triangular", low = 0.0, mode = 2.0, high = 1.0 }\n'
         'source = { assumption = "x" }\n',
         InvalidDistributionError, "ishigami.x1", '[parameters."ishigami.x1"]', "mode"),
        ('\n[parameters."ishigami.x1"]\nvalue = 1.0\ncolour = "red"\n'
         'source = { assumption = "x" }\n',
         MalformedFileError, "ishigami.x1", '[parameters."ishigami.x1"]', "unknown key"),
        ('\n[parameters."ishigami.x1"]\nsource = { assumption = "x" }\n',
         MalformedFileError, "ishigami.x1", '[parameters."ishigami.x1"]',
         "'value' or a 'distribution'"),
        ('\n[parameters."ishigami.x1"]\nvalue = 1.0\nunit = "t"\n'
         'source = { assumption = "x" }\n',
         DimensionError, "ishigami.x1", '[parameters."ishigami.x1"]', r"\[mass\]"),
    ],
)
def test_bad_parameter_entries(write: Write, body: str, error: type[UserInputError], item: str,
                               header: str, match: str) -> None:
    path = _ishigami_bad(write, body)
    with pytest.raises(error, match=match) as info:
        load_scenario(path)
    check_error(info.value, path, item, line_containing(path, header))


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('[scenario]\nname = "x"\nmodel = "ishigami"\n\n[parameters."ishigami.x1"]\n'
         "value = = 1.0\n", 6),
        ('[scenario]\nname = "x"\nmodel = "ishigami"\n[scenario]\nname = "y"\n', 4),
        ('[scenario]\nname = "x"\nmodel = "ishigami\n', 3),
        ('[scenario]\nname = "x"\nmodel = "ishigami"\n\n\n\n[parameters\n', 7),
    ],
)
def test_malformed_toml_names_the_line(write: Write, text: str, line: int) -> None:
    path = write(text, "broken.toml")
    with pytest.raises(MalformedFileError, match="malformed TOML") as info:
        load_scenario(path)
    check_error(info.value, path, None, line)


def test_not_utf8_and_no_scenario_table(write: Write, tmp_path: Path) -> None:
    latin = tmp_path / "latin.toml"
    latin.write_bytes('[scenario]\nname = "caf\u00e9"\n'.encode("latin-1"))
    with pytest.raises(MalformedFileError, match="UTF-8"):
        load_scenario(latin)
    path = write('[parameters."ishigami.x1"]\nvalue = 1.0\n', "headless.toml")
    with pytest.raises(MalformedFileError, match=r"\[scenario\]") as info:
        load_scenario(path)
    check_error(info.value, path, None, None)


def test_missing_parameter(write: Write) -> None:
    path = write("""
        [scenario]
        name = "partial"
        model = "ishigami"

        [parameters."ishigami.x1"]
        value = 1.0
        source = { assumption = "x" }
        """, "partial.toml")
    with pytest.raises(MissingParameterError, match=r"ishigami\.x2, ishigami\.x3") as info:
        load_scenario(path)
    check_error(info.value, path, "ishigami.x2", None)  # not in the file: no line


def test_unknown_model(write: Write) -> None:
    path = write(ISHIGAMI_CHILD.replace('model = "ishigami"', 'model = "no-such-model"'),
                 "model.toml")
    with pytest.raises(ScenarioStructureError, match="no model named") as info:
        load_scenario(path)
    check_error(info.value, path, "scenario.model", None)
    with pytest.raises(ScenarioStructureError, match="not 'engine-mini'"):
        load_mini(SCENARIOS / "ishigami_child.toml")


def test_extends_cycle(write: Write) -> None:
    first = write('[scenario]\nname = "a"\nmodel = "ishigami"\nextends = "b.toml"\n', "a.toml")
    write('[scenario]\nname = "b"\nmodel = "ishigami"\nextends = "a.toml"\n', "b.toml")
    with pytest.raises(ScenarioStructureError, match="cycle") as info:
        load_scenario(first)
    assert "a.toml -> " in str(info.value) and "b.toml -> " in str(info.value)
    check_error(info.value, first, None, None)
    itself = write('[scenario]\nname = "s"\nmodel = "ishigami"\nextends = "self.toml"\n',
                   "self.toml")
    with pytest.raises(ScenarioStructureError, match="cycle"):
        load_scenario(itself)


def test_extends_a_missing_file_or_shipped_scenario(write: Write) -> None:
    path = write(ISHIGAMI_CHILD.replace("valueloop:ishigami", "valueloop:no-such"), "x.toml")
    with pytest.raises(ScenarioStructureError, match="no shipped scenario 'no-such'") as info:
        load_scenario(path)
    check_error(info.value, path, None, None)
    path = write(ISHIGAMI_CHILD.replace("valueloop:ishigami", "missing.toml"), "y.toml")
    with pytest.raises(ScenarioStructureError, match="does not exist"):
        load_scenario(path)


def test_unknown_override(write: Write) -> None:
    path = SCENARIOS / "ishigami_child.toml"
    with pytest.raises(ScenarioStructureError, match="no override named 'wide'") as info:
        load_scenario(path, override="wide")
    assert "narrow" in str(info.value)  # what is allowed
    check_error(info.value, path, "overrides.wide", None)

    path = _ishigami_bad(write, '\n[overrides.a]\nextends = "b"\n')
    with pytest.raises(ScenarioStructureError, match="no override named 'b'") as info:
        load_scenario(path, override="a")
    check_error(info.value, path, "overrides.b", None)


def test_override_cycle(write: Write) -> None:
    path = _ishigami_bad(write, '\n[overrides.a]\nextends = "b"\n\n[overrides.b]\nextends = "a"\n')
    with pytest.raises(ScenarioStructureError, match="cycle: a -> b -> a") as info:
        load_scenario(path, override="a")
    check_error(info.value, path, "overrides.a", line_containing(path, "[overrides.a]"))


def test_override_of_an_unknown_parameter(write: Write) -> None:
    path = _ishigami_bad(write, '\n[overrides.a]\nsource = { assumption = "x" }\n'
                                'parameters."ishigami.x9" = { value = 1.0 }\n')
    with pytest.raises(UnknownParameterError, match="override 'a'") as info:
        load_scenario(path, override="a")
    check_error(info.value, path, "ishigami.x9", line_containing(path, "ishigami.x9"))
    load_scenario(path)  # the baseline itself is fine


def test_override_that_breaks_an_entry(write: Write) -> None:
    path = _ishigami_bad(write, '\n[overrides.a]\nsource = { assumption = "x" }\n'
                                'parameters."ishigami.x1" = { value = [1.0, 2.0] }\n'
                                '\n[overrides.b]\nsource = { assumption = "x" }\n'
                                'parameters."ishigami.x1" = { value = 9.0 }\n')
    with pytest.raises(MalformedFileError, match="override 'a'") as info:
        load_scenario(path, override="a")
    check_error(info.value, path, "ishigami.x1", line_containing(path, "ishigami.x1"))
    with pytest.raises(OutOfBoundsError, match="value 9"):
        load_scenario(path, override="b")


def test_override_refuses_a_bad_distribution_when_loading(write: Write) -> None:
    path = _ishigami_bad(write, '\n[overrides.a]\nsource = { assumption = "x" }\n'
                                'parameters."ishigami.x1" = { distribution = '
                                '{ kind = "uniform", low = 1.0, high = 0.0 } }\n')
    with pytest.raises(InvalidDistributionError, match="low < high") as info:
        load_scenario(path)  # validated at load time, even without asking for the override
    check_error(info.value, path, "a", line_containing(path, "[overrides.a]"))


# --- dimensions, share groups and correlations on the mini model -------------------------------


@pytest.mark.parametrize(
    ("old", "new", "item", "header", "match"),
    [
        ('unit = "wan_t"', 'unit = "CNY"', "ore.mass", '[parameters."ore.mass"]',
         r"\[currency_CNY\].*\[mass\] is required"),
        ('unit = "wan_t"', 'unit = "tCO2e"', "ore.mass", '[parameters."ore.mass"]', "co2e"),
        ('unit = "CNY/t"', 'unit = "USD/t"', "ore.price", '[parameters."ore.price"]',
         "currency_USD"),
        ('unit = "CNY/t"', 'unit = "CNY"', "ore.price", '[parameters."ore.price"]',
         "dimension"),
        ('unit = "MWh/t"', 'unit = "MWh"', "ore.energy", '[parameters."ore.energy"]',
         "dimension"),
        ('unit = "wan_t"', 'unit = "wan_tonnes"', "ore.mass", '[parameters."ore.mass"]',
         "not a known unit"),
        ("value = [1.0, 1.1, 1.25]\nindex = [2024, 2025, 2026]", "value = 1.0",
         "demand.index", '[parameters."demand.index"]', "must be a series"),
    ],
)
def test_dimension_errors(write: Write, old: str, new: str, item: str, header: str,
                          match: str) -> None:
    path = mini_variant(write, old, new)
    with pytest.raises(DimensionError, match=match) as info:
        load_mini(path)
    check_error(info.value, path, item, line_containing(path, header))


def test_series_for_a_scalar(write: Write) -> None:
    path = mini_variant(write, 'value = 0.2\nbounds = [0.05, 0.4]\n'
                               'distribution = { kind = "normal", mean = 0.2, sd = 0.1 }\n',
                        "value = [0.2, 0.3]\nindex = [1, 2]\n")
    with pytest.raises(DimensionError, match="single value") as info:
        load_mini(path)
    check_error(info.value, path, "ore.grade", line_containing(path, '"ore.grade"'))
    # a series cannot carry a distribution: its uncertainty goes on a scalar factor
    path = mini_variant(write, "value = 0.2\nbounds = [0.05, 0.4]\n",
                        "value = [0.2, 0.3]\nindex = [1, 2]\n")
    with pytest.raises(MalformedFileError, match="a series is fixed") as info:
        load_mini(path)
    check_error(info.value, path, "ore.grade", line_containing(path, '"ore.grade"'))


@pytest.mark.parametrize(
    ("old", "new", "error", "item", "header", "match"),
    [
        ('[parameters."chem.nca"]\nvalue = 0.2', '[parameters."chem.nca"]\nvalue = 0.3',
         ShareGroupError, "share_groups.chemistry", "[share_groups.chemistry]",
         "shares sum to 1.1, not 1"),
        ('[parameters."chem.nca"]\nvalue = 0.2', '[parameters."chem.nca"]\nvalue = 0.1999',
         ShareGroupError, "share_groups.chemistry", "[share_groups.chemistry]",
         "shares sum to 0.9999"),
        ('[parameters."chem.nmc"]\nvalue = 0.5\nshare_group = "chemistry"',
         '[parameters."chem.nmc"]\nvalue = 0.7\nshare_group = "chemistry"',
         ShareGroupError, "share_groups.chemistry", "[share_groups.chemistry]",
         "shares sum to 1.2"),
        (('[parameters."chem.nca"]\nvalue = 0.2\nshare_group = "chemistry"',
          '[parameters."chem.lfp"]\nvalue = 0.3'),
         ('[parameters."chem.nca"]\nvalue = 0.2\nshare_group = "chemistyr"',
          '[parameters."chem.lfp"]\nvalue = 0.5'),
         ShareGroupError, "chem.nca", '[parameters."chem.nca"]', "'chemistyr', which is not"),
        ('[share_groups.chemistry]', '[share_groups.empty]\nsource = { assumption = "x" }\n\n'
         '[share_groups.chemistry]',
         ShareGroupError, "share_groups.empty", "[share_groups.empty]", "no member"),
        ('[parameters."chem.nca"]\nvalue = 0.2',
         '[parameters."chem.nca"]\nvalue = 0.2\n'
         'distribution = { kind = "uniform", low = 0.1, high = 0.3 }',
         ShareGroupError, "chem.nca", '[parameters."chem.nca"]', "jointly"),
        ('concentration = 40\nsource = { assumption = "illustrative spread of the chemistry '
         'mix" }', "concentration = 40",
         MissingSourceError, "share_groups.chemistry", "[share_groups.chemistry]",
         "has no source"),
        ('rank_correlation = 0.6', 'rank_correlation = 1.0',
         MalformedFileError, "correlations", "[[correlations]]", "less than 1"),
        ('parameters = ["ore.mass", "ore.price"]', 'parameters = ["ore.mass", "ore.prise"]',
         UnknownParameterError, "ore.prise", None, "unknown parameter"),
        ('parameters = ["ore.mass", "ore.price"]', 'parameters = ["ore.mass", "ore.mass"]',
         ScenarioStructureError, "correlation ore.mass ~ ore.mass", None, "with itself"),
        ('parameters = ["ore.mass", "ore.price"]', 'parameters = ["ore.mass", "chem.nmc"]',
         ScenarioStructureError, "chem.nmc", '[parameters."chem.nmc"]',
         "only uncertain scalar"),
        ('source = { assumption = "larger supply when prices are high" }\n', "",
         MissingSourceError, "correlation ore.mass ~ ore.price", None, "has no source"),
    ],
)
def test_share_group_and_correlation_errors(write: Write, old: str | tuple[str, ...],
                                            new: str | tuple[str, ...],
                                            error: type[UserInputError], item: str,
                                            header: str | None, match: str) -> None:
    path = mini_variant(write, old, new)
    with pytest.raises(error, match=match) as info:
        load_mini(path)
    check_error(info.value, path, item, line_containing(path, header) if header else None)


def test_single_member_share_group(write: Write) -> None:
    text = MINI_TEXT
    for name in ("chem.lfp", "chem.nca"):
        text = text.replace(f'[parameters."{name}"]\nvalue = 0.{3 if "lfp" in name else 2}\n'
                            'share_group = "chemistry"\n', f'[parameters."{name}"]\nvalue = 0.0\n')
    text = text.replace('[parameters."chem.nmc"]\nvalue = 0.5',
                        '[parameters."chem.nmc"]\nvalue = 1')
    path = write(text, "single.toml")
    with pytest.raises(ShareGroupError, match="at least two"):
        load_mini(path)


def test_duplicate_correlation(write: Write) -> None:
    path = write(MINI_TEXT + """
[[correlations]]
parameters = ["ore.price", "ore.mass"]
rank_correlation = 0.1
source = { assumption = "again" }
""", "dup.toml")
    with pytest.raises(ScenarioStructureError, match="given twice"):
        load_mini(path)


def test_fixing_a_correlated_parameter_is_a_user_error(write: Write) -> None:
    path = write(MINI_TEXT + """
[overrides.fixed-price]
parameters."ore.price" = { fixed = true }
""", "fixcorr.toml")
    with pytest.raises(ScenarioStructureError, match="only uncertain scalar") as info:
        load_mini(path, "fixed-price")
    assert info.value.item == "ore.price"


def test_unknown_document_in_a_share_group(write: Write) -> None:
    path = mini_variant(write, 'source = { assumption = "illustrative spread of the chemistry '
                               'mix" }', 'source = { document = "nowhere", section = "1" }')
    with pytest.raises(MissingSourceError, match="unknown document 'nowhere'") as info:
        load_mini(path)
    check_error(info.value, path, "share_groups.chemistry",
                line_containing(path, "[share_groups.chemistry]"))


def test_document_of_the_file_is_citable_but_must_be_valid(write: Write) -> None:
    path = mini_variant(write, "year = 2024", "year = 99")
    with pytest.raises(MalformedFileError, match="year") as info:
        load_mini(path)
    check_error(info.value, path, "test-doc", line_containing(path, "[documents.test-doc]"))


def test_model_is_not_mutated_by_resolution() -> None:
    assert get_model("ishigami").parameters[0].bounds == (-math.pi, math.pi)
    assert MINI.declaration("ore.mass").unit == "t"  # type: ignore[union-attr]
