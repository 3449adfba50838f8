"""Claims files: loading and validation, verdicts on real figures, tables and atomic writing.

The figures are those of section 1.1 of the cobalt hydroxide report (seeds/004): capacity
8.2 -> 18.6 万吨 stated as +126.8 %, utilisation 63.4 %, 85 万吨 precursor at 14.5 % Co stated
as 12.3 万吨 of hydroxide demand (which is contained cobalt: as hydroxide at 31 % Co it would be
about 39.8 万吨), and the price fall from 28.6 to 20.8 万元/t stated as -27.3 %.
"""

from __future__ import annotations

import csv
import math
import os
import shutil
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from valueloop.core.claims import (
    COLUMNS,
    DETAIL_COLUMNS,
    EXHAUSTIVE_CORNER_LIMIT,
    RANDOM_CORNERS,
    Claim,
    ClaimResult,
    ClaimsFile,
    ClaimsHeader,
    ClaimsReport,
    InputBox,
    check_claims,
    corner_choices,
    evaluate_claim,
    input_boxes,
    judge,
    load_claims,
    rounding_interval,
    stated_decimal,
    write_claims,
    written_resolution,
)
from valueloop.core.errors import (
    ClaimError,
    MalformedFileError,
    MissingSourceError,
    ScenarioStructureError,
)
from valueloop.core.formula import Namespace, Series, parse_formula
from valueloop.core.model import ModelDefinition
from valueloop.core.parameters import ParameterDeclaration
from valueloop.core.scenario import (
    Scenario,
    ScenarioDefinition,
    load_definition,
    load_scenario,
    resolve,
)
from valueloop.core.sources import Citation
from valueloop.core.units import unit_registry

DATA = Path(__file__).parent.parent / "data" / "claims"
CLAIMS = DATA / "cobalt-1-1.toml"
SHIPPED = Path(__file__).parents[2] / "src" / "valueloop" / "data" / "claims" / "cobalt-ch1.toml"
Q = unit_registry().Quantity

MODEL = ModelDefinition(
    name="claims-test",
    title="Inputs of the claims tests (no outputs)",
    parameters=(
        ParameterDeclaration(name="cobalt.capacity.y2020", unit="t/yr",
                             description="hydroxide capacity, 2020", bounds=(0, 1e7)),
        ParameterDeclaration(name="cobalt.capacity.y2024", unit="t/yr",
                             description="hydroxide capacity, end of 2024", bounds=(0, 1e7)),
        ParameterDeclaration(name="cobalt.consumption.y2024", unit="t/yr",
                             description="hydroxide consumed, 2024", bounds=(0, 1e7)),
        ParameterDeclaration(name="precursor.output.y2024", unit="t/yr",
                             description="ternary precursor output, 2024", bounds=(0, 1e8)),
        ParameterDeclaration(name="precursor.cobalt_content", unit="dimensionless",
                             description="Co mass fraction of Ni6 material", bounds=(0, 1)),
        ParameterDeclaration(name="hydroxide.cobalt_content", unit="dimensionless",
                             description="Co mass fraction of traded hydroxide", bounds=(0, 1)),
        ParameterDeclaration(name="cobalt.price.hydroxide", unit="CNY/t",
                             description="hydroxide price (Co 31 %)", shape="series",
                             index_name="year"),
    ),
    outputs=(),
    evaluate=lambda inputs: {},
)

HEADER = '[claims]\ntitle = "test"\ndocument = "seed-004"\n'
UTILISATION = """
[[claim]]
id = "1.1-utilisation"
section = "1.1"
quantity = "Capacity utilisation 2024"
stated = 63.4
unit = "percent"
formula = "share(cobalt.consumption.y2024, cobalt.capacity.y2024)"
"""


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    path = DATA / "scenario.toml"
    return resolve(load_definition(path), MODEL, file=path)


@pytest.fixture(scope="module")
def report(scenario: Scenario) -> ClaimsReport:
    return check_claims(CLAIMS, scenario=scenario)


def write(folder: Path, text: str, name: str = "claims.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, fragment: str, occurrence: int = 1) -> int:
    lines = [n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
             if fragment in line]
    return lines[occurrence - 1]


# --- verdicts on the report's figures --------------------------------------------------------


def test_verdicts_on_section_1_1(report: ClaimsReport) -> None:
    verdicts = {r.claim.id: r.verdict for r in report.results}
    assert verdicts == {
        "1.1-capacity-growth": "agrees",
        "1.1-utilisation": "agrees",
        "1.1-demand-as-hydroxide": "disagrees",
        "1.1-demand-as-cobalt": "agrees",
        "1.1-price-fall": "agrees",
        "1.1-cobalt-per-tonne": "disagrees",
    }
    assert (report.n_agrees, report.n_disagrees) == (4, 2)


def test_computed_values_in_the_stated_units(report: ClaimsReport) -> None:
    computed = {r.claim.id: r.computed for r in report.results}
    assert computed["1.1-capacity-growth"] == pytest.approx(100 * (18.6 / 8.2 - 1))
    assert computed["1.1-utilisation"] == pytest.approx(100 * 11.8 / 18.6)
    assert computed["1.1-demand-as-cobalt"] == pytest.approx(85 * 0.145)
    assert computed["1.1-demand-as-hydroxide"] == pytest.approx(85 * 0.145 / 0.31)
    assert computed["1.1-demand-as-hydroxide"] == pytest.approx(39.76, abs=0.01)
    assert computed["1.1-price-fall"] == pytest.approx(100 * (20.8 / 28.6 - 1))
    assert computed["1.1-cobalt-per-tonne"] == pytest.approx(145.0)


def test_rel_diff_is_relative_to_the_computed_value(report: ClaimsReport) -> None:
    result = next(r for r in report.results if r.claim.id == "1.1-price-fall")
    assert result.rel_diff == pytest.approx((-27.3 - result.computed) / abs(result.computed))
    hydroxide = next(r for r in report.results if r.claim.id == "1.1-demand-as-hydroxide")
    assert hydroxide.rel_diff == pytest.approx(12.3 / 39.758 - 1, abs=1e-4)


def test_rel_diff_is_none_when_computed_is_zero(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + """
[[claim]]
id = "zero"
section = "1"
quantity = "nothing"
stated = 0.04
unit = "t"
formula = "q(0, 't')"
""")
    (result,) = check_claims(path).results
    assert result.rel_diff is None
    assert result.tolerance == pytest.approx(0.005)  # no relative part when computed is 0
    assert result.verdict == "disagrees"


def test_source_defaults_to_file_document_and_section(report: ClaimsReport) -> None:
    claim = report.results[0].claim
    assert claim.source == Citation(document="seed-004", section="1.1")


def test_extra_names_reach_the_formulas(tmp_path: Path, scenario: Scenario) -> None:
    path = write(tmp_path, HEADER + """
[[claim]]
id = "output"
section = "1.1"
quantity = "Utilisation from a model output"
stated = 63.4
unit = "percent"
formula = "outputs.utilisation"
""")
    extra = {"outputs.utilisation": Q(0.634)}
    (result,) = check_claims(path, scenario=scenario, extra=extra).results
    assert result.verdict == "agrees"
    # A model output is not rounded: its interval is the point itself.
    assert result.computed_low == result.computed_high == pytest.approx(63.4)
    with pytest.raises(ValueError, match="shadow"):
        check_claims(path, scenario=scenario, extra={"cobalt.capacity.y2024": Q(1.0, "t/yr")})


def test_claims_without_a_scenario_use_literals(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + """
[[claim]]
id = "price-fall"
section = "1.1"
quantity = "price fall"
stated = -27.3
unit = "percent"
formula = "growth(q(28.6, 'wan_CNY/t'), q(20.8, 'wan_CNY/t'))"
""")
    report = check_claims(path)
    assert report.scenario is None
    assert report.results[0].verdict == "agrees"


def test_scenario_named_by_the_file_is_loaded_relative_to_it(tmp_path: Path) -> None:
    pytest.importorskip("valueloop.models.registry")
    shipped = Path(__file__).parents[2] / "src" / "valueloop" / "data" / "scenarios"
    shutil.copy(shipped / "ishigami.toml", tmp_path / "ishigami.toml")
    claim = """
[[claim]]
id = "centre"
section = "test function definition"
quantity = "Sum of the baseline inputs (centres of U(-pi, pi))"
stated = 0
unit = "dimensionless"
formula = "ishigami.x1 + ishigami.x2 + ishigami.x3"
"""
    for reference in ("ishigami.toml", "valueloop:ishigami"):
        header = f'[claims]\nscenario = "{reference}"\ndocument = "ishigami-homma-1990"\n'
        report = check_claims(write(tmp_path, header + claim))
        assert report.scenario == "ishigami"
        assert report.results[0].verdict == "agrees"

    with (tmp_path / "ishigami.toml").open("a", encoding="utf-8") as stream:
        stream.write('\n[overrides.shifted.parameters."ishigami.x1"]\nvalue = 1.0\n')
    header = '[claims]\nscenario = "ishigami.toml"\ndocument = "ishigami-homma-1990"\n'
    shifted = check_claims(write(tmp_path, header + claim), override="shifted")
    assert shifted.scenario == "ishigami/shifted"
    (result,) = shifted.results
    assert result.computed == pytest.approx(1.0)
    # The override writes x1 = 1.0, a whole number, so x1 is anything in [0.5, 1.5] (x2 and x3
    # are given by distributions only, so exact); the stated 0 reaches 0.5, just.
    assert (result.computed_low, result.computed_high) == pytest.approx((0.5, 1.5))
    assert result.verdict == "agrees within rounding"


def test_override_applies_to_the_named_scenario_only(tmp_path: Path,
                                                     scenario: Scenario) -> None:
    path = write(tmp_path, HEADER + UTILISATION)
    with pytest.raises(ValueError, match="override"):
        check_claims(path, scenario=scenario, override="high")
    with pytest.raises(ScenarioStructureError, match="names no scenario"):
        check_claims(path, override="high")


def test_missing_scenario_file_is_located_in_the_claims_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[claims]\ndocument = "x"\nscenario = "nowhere.toml"\n' + UTILISATION)
    with pytest.raises(ScenarioStructureError) as caught:
        check_claims(path)
    assert caught.value.file == path
    assert caught.value.line == 3


# --- tolerance, precision and relations ---------------------------------------------------------


@pytest.mark.parametrize(("stated", "resolution"), [
    ("63.4", 0.05),
    (126.8, 0.05),
    (12, 0.5),
    (-27.3, 0.05),
    ("12.30", 0.005),
    ("1.5e3", 50.0),
    (0.125, 0.0005),
])
def test_resolution_is_half_a_unit_in_the_last_stated_digit(stated: object,
                                                            resolution: float) -> None:
    claim = Claim(id="c", quantity="q", stated=stated, unit="t", formula="q(1, 't')",
                  source=Citation(document="d"))
    assert claim.resolution == pytest.approx(resolution)


def test_stated_keeps_the_precision_written() -> None:
    assert stated_decimal("12.30") == Decimal("12.30")
    assert stated_decimal(126.8) == Decimal("126.8")
    assert stated_decimal(12) == Decimal("12")
    for bad in (True, "12,3", "12.3%", "nan", [12.3], None):
        with pytest.raises(ValueError):
            stated_decimal(bad)


def test_string_stated_tightens_the_tolerance(tmp_path: Path, scenario: Scenario) -> None:
    # 85 x 14.5 % = 12.325: within 0.05 of 12.3, but not within 0.005 of "12.30".
    text = HEADER + """
[[claim]]
id = "demand"
section = "1.1"
quantity = "hydroxide demand as contained cobalt"
stated = {stated}
unit = "wan_t/yr"
formula = "metal_from_compound(precursor.output.y2024, precursor.cobalt_content)"
"""
    loose = check_claims(write(tmp_path, text.format(stated="12.3")), scenario=scenario)
    strict = check_claims(write(tmp_path, text.format(stated='"12.30"')), scenario=scenario)
    assert loose.results[0].verdict == "agrees"
    assert strict.results[0].tolerance == pytest.approx(0.001 * 12.325)
    assert judge("=", 12.3, 12.325, strict.results[0].tolerance) == "disagrees"
    # ... but 85 (84.5 to 85.5) x 14.5 % (14.45 to 14.55 %) reaches 12.30 within rounding.
    assert (strict.results[0].computed_low, strict.results[0].computed_high) == pytest.approx(
        (84.5 * 0.1445, 85.5 * 0.1455))
    assert strict.results[0].verdict == "agrees within rounding"


def test_relative_tolerance_widens_the_band(tmp_path: Path, scenario: Scenario) -> None:
    text = HEADER + UTILISATION.replace("stated = 63.4", "stated = 64.0") + "tolerance = {t}\n"
    tight = check_claims(write(tmp_path, text.format(t=0.001)), scenario=scenario)
    wide = check_claims(write(tmp_path, text.format(t=0.01)), scenario=scenario)
    assert tight.results[0].verdict == "disagrees"
    assert wide.results[0].verdict == "agrees"
    assert wide.results[0].tolerance == pytest.approx(0.01 * 100 * 11.8 / 18.6)


@pytest.mark.parametrize(("relation", "stated", "computed", "verdict"), [
    ("=", 63.4, 63.44, "agrees"),
    ("=", 63.4, 63.46, "disagrees"),
    ("=", 12.3, 12.35, "agrees"),  # exactly on the edge, despite binary rounding
    ("<", 130, 125, "agrees"),
    ("<", 130, 145, "disagrees"),
    ("<", 130, 130.3, "agrees"),  # within half a unit of the stated 130
    ("<", 130, 130.5, "disagrees"),
    ("<=", 130, 130.5, "agrees"),
    (">", 100, 101, "agrees"),
    (">", 100, 99, "disagrees"),
    (">", 100, 99.5, "disagrees"),
    (">=", 100, 99.5, "agrees"),
    (">=", 100, 98, "disagrees"),
])
def test_relations(relation: str, stated: float, computed: float, verdict: str) -> None:
    tolerance = 0.5 if float(stated).is_integer() else 0.05
    assert judge(relation, stated, computed, tolerance) == verdict  # type: ignore[arg-type]


@pytest.mark.parametrize(("relation", "stated", "computed", "interval", "verdict"), [
    ("=", 19.3, 19.23, (18.18, 20.29), "agrees within rounding"),
    ("=", 19.3, 19.23, None, "disagrees"),
    ("=", 21.0, 19.23, (18.18, 20.29), "disagrees"),
    ("=", 20.34, 19.23, (18.18, 20.29), "agrees within rounding"),  # within 0.05 of the top
    ("=", 15.6, 13.29, (12.94, 13.64), "disagrees"),
    ("=", 63.4, 63.44, (63.0, 63.9), "agrees"),  # the exact verdict comes first
    ("<", 130, 131, (129.0, 133.0), "agrees within rounding"),
    ("<", 130, 131, (130.6, 133.0), "disagrees"),
    ("<", 130, 131, (130.5, 133.0), "disagrees"),  # strict at the edge ...
    ("<=", 130, 131, (130.5, 133.0), "agrees within rounding"),  # ... inclusive here
    (">", 100, 99, (98.0, 100.2), "agrees within rounding"),
    (">", 100, 99, (98.0, 99.5), "disagrees"),
    (">=", 100, 99, (98.0, 99.5), "agrees within rounding"),
    (">=", 100, 98, (97.0, 99.4), "disagrees"),
])
def test_relations_within_rounding(relation: str, stated: float, computed: float,
                                   interval: tuple[float, float] | None, verdict: str) -> None:
    tolerance = 0.5 if float(stated).is_integer() else 0.05
    assert judge(relation, stated, computed, tolerance,  # type: ignore[arg-type]
                 interval=interval) == verdict


# --- rounding of the inputs ---------------------------------------------------------------------


@pytest.mark.parametrize(("written", "resolution"), [
    (12.4, 0.05),
    (0.145, 0.0005),
    (85, 0.5),
    (85.0, 0.5),
    (9.0, 0.5),  # a TOML float cannot say "9.0 to one decimal": read as a whole number
    (-27.3, 0.05),
    (1e-3, 0.0005),
    (1.5e-7, 5e-9),
    (2.5e-10, 5e-12),
    (1e16, 5e15),
    (0.0, 0.5),
    (math.inf, 0.0),
])
def test_resolution_of_written_values(written: float, resolution: float) -> None:
    assert written_resolution(written) == pytest.approx(resolution, rel=1e-12)


def test_input_boxes_in_canonical_units(scenario: Scenario) -> None:
    boxes = input_boxes(scenario)
    capacity = boxes["cobalt.capacity.y2020"]  # 8.2 万吨/yr, canonical t/yr
    assert (float(capacity.low), float(capacity.high)) == pytest.approx((81_500, 82_500))
    assert capacity.unit == "t/yr"
    content = boxes["precursor.cobalt_content"]  # 14.5 %, canonical dimensionless
    assert (float(content.low), float(content.high)) == pytest.approx((0.1445, 0.1455))
    output = boxes["precursor.output.y2024"]  # 85 万吨/yr, whole: +-0.5 万吨
    assert float(output.high - output.low) == pytest.approx(10_000)
    price = boxes["cobalt.price.hydroxide"]  # a series: one box per year, 万元/t -> CNY/t
    assert price.low == pytest.approx([285_500, 207_500])
    assert price.high == pytest.approx([286_500, 208_500])


def test_input_boxes_follow_the_override_and_the_bounds() -> None:
    shipped = load_scenario("valueloop:cobalt-cn-2024-ch1", override="low-price")
    boxes = input_boxes(shipped)
    price = boxes["cobalt.price.hydroxide_2024"]  # the override writes 16.2 万元/t
    assert (float(price.low), float(price.high)) == pytest.approx((161_500, 162_500))
    share = boxes["cobalt.intermediate.imports_drc_share"]  # 85 % with bounds [85, 100] %
    assert (float(share.low), float(share.high)) == pytest.approx((0.85, 0.855))


def test_distribution_only_and_offset_units_have_no_box() -> None:
    model = ModelDefinition(
        name="box-test", title="box test", outputs=(), evaluate=lambda inputs: {},
        parameters=(
            ParameterDeclaration(name="plant.temperature", unit="K", description="t"),
            ParameterDeclaration(name="plant.yield", unit="dimensionless", description="y",
                                 bounds=(0, 1)),
            ParameterDeclaration(name="plant.output", unit="t", description="o"),
        ))
    definition = ScenarioDefinition.model_validate({
        "scenario": {"name": "box-test", "model": "box-test"},
        "parameters": {
            "plant.temperature": {"value": 25.5, "unit": "degC",
                                  "source": {"assumption": "test"}},
            "plant.yield": {"distribution": {"kind": "uniform", "low": 0.8, "high": 0.9},
                            "source": {"assumption": "test"}},
            "plant.output": {"value": 1.25, "unit": "kt", "source": {"assumption": "test"}},
        },
    })
    boxes = input_boxes(resolve(definition, model))
    assert sorted(boxes) == ["plant.output"]
    assert (float(boxes["plant.output"].low), float(boxes["plant.output"].high)) == (
        pytest.approx((1245, 1255)))


def box(value: float | list[float], half: float | list[float], unit: str) -> InputBox:
    centre, width = np.asarray(value, dtype=float), np.asarray(half, dtype=float)
    return InputBox(low=centre - width, high=centre + width, unit=unit)


def test_interval_of_growth_is_the_closed_form() -> None:
    a, b, ra, rb = 10.4, 12.4, 0.05, 0.05
    namespace: Namespace = {"imports.y2023": Q(a, "wan_t/yr"), "imports.y2024": Q(b, "wan_t/yr")}
    boxes = {"imports.y2023": box(a * 1e4, ra * 1e4, "t/yr"),
             "imports.y2024": box(b * 1e4, rb * 1e4, "t/yr")}
    interval = rounding_interval(parse_formula("growth(imports.y2023, imports.y2024)"),
                                 "percent", namespace, boxes)
    assert interval.low == pytest.approx(100 * ((b - rb) / (a + ra) - 1))
    assert interval.high == pytest.approx(100 * ((b + rb) / (a - ra) - 1))
    assert interval.note is None


def test_interval_reads_the_labelled_values_of_a_series() -> None:
    years = (2020, 2021, 2022, 2023, 2024)
    values = [8.3, 9.0, 10.4, 10.4, 12.4]
    namespace: Namespace = {"imports": Series(Q(np.array(values), "wan_t/yr"), years)}
    boxes = {"imports": box(values, [0.05, 0.5, 0.05, 0.05, 0.05], "wan_t/yr")}
    formula = parse_formula("growth(at(imports, 2023), at(imports, 2024))")
    interval = rounding_interval(formula, "percent", namespace, boxes)
    assert (interval.low, interval.high) == pytest.approx(
        (100 * (12.35 / 10.45 - 1), 100 * (12.45 / 10.35 - 1)))


def test_corner_choices_are_exhaustive_up_to_the_limit() -> None:
    assert corner_choices(0).shape == (1, 0)
    for count in (1, 3, EXHAUSTIVE_CORNER_LIMIT):
        choices = corner_choices(count)
        assert choices.shape == (2**count, count)
        assert len({tuple(row) for row in choices}) == 2**count


def test_random_corners_are_seeded_and_reproducible() -> None:
    count = EXHAUSTIVE_CORNER_LIMIT + 2
    choices = corner_choices(count, seed=7)
    assert choices.shape == (RANDOM_CORNERS + 2, count)
    assert not choices[0].any() and choices[1].all()  # all-low and all-high come first
    assert np.array_equal(choices, corner_choices(count, seed=7))
    assert not np.array_equal(choices, corner_choices(count, seed=8))


def test_random_corners_beyond_the_limit() -> None:
    # 12 rounded values: 2^12 corners, so a seeded sample of them is evaluated.
    values = np.linspace(10.0, 21.0, 12)
    labels = tuple(range(12))
    namespace: Namespace = {"s": Series(Q(values, "t"), labels)}
    boxes = {"s": box(list(values), 0.05, "t")}
    total = rounding_interval(parse_formula("sum(s)"), "t", namespace, boxes, seed=3)
    assert total.note is not None and "2^12" in total.note
    # sum is monotone: the all-low and all-high corners, always included, give its range.
    assert (total.low, total.high) == pytest.approx((values.sum() - 0.6, values.sum() + 0.6))
    # A formula reading two of the twelve values: 1026 corners cover their four combinations.
    growth = parse_formula("growth(at(s, 0), at(s, 11))")
    first = rounding_interval(growth, "dimensionless", namespace, boxes, seed=3)
    assert (first.low, first.high) == pytest.approx(
        (20.95 / 10.05 - 1, 21.05 / 9.95 - 1))
    again = rounding_interval(growth, "dimensionless", namespace, boxes, seed=3)
    assert (again.low, again.high) == (first.low, first.high)


def test_interval_that_cannot_be_computed_falls_back_to_the_exact_verdict() -> None:
    # The metal fraction is written as 1 (whole), so its box [0.5, 1.5] passes 100 %.
    namespace: Namespace = {"fraction": Q(1.0)}
    boxes = {"fraction": box(1.0, 0.5, "dimensionless")}
    claim = Claim(id="c", quantity="q", stated=2, unit="t",
                  formula="compound_from_metal(q(1, 't'), fraction)",
                  source=Citation(document="d"))
    result = evaluate_claim(claim, namespace, boxes)
    assert result.computed == pytest.approx(1.0)
    assert result.computed_low is None and result.computed_high is None
    assert result.verdict == "disagrees"
    assert result.interval_note is not None
    assert "no rounding interval" in result.interval_note
    assert "metal fraction" in result.interval_note
    (row,) = ClaimsReport(title="t", results=(result,)).detail_table().records()
    assert row["computed_low"] is None
    assert "no rounding interval" in str(row["note"])


# --- the shipped chapter-1 claims ---------------------------------------------------------------


@pytest.fixture(scope="module")
def chapter_1() -> ClaimsReport:
    pytest.importorskip("valueloop.models.registry")
    return check_claims(SHIPPED)


def test_shipped_verdicts_tell_rounding_from_contradiction(chapter_1: ClaimsReport) -> None:
    verdicts = {r.claim.id: r.verdict for r in chapter_1.results}
    assert verdicts == {
        "1.1-capacity-growth": "agrees",
        "1.1-utilisation": "agrees",
        "1.1-utilisation-vs-output": "disagrees",
        "1.1-precursor-hydroxide-demand": "disagrees",
        "1.1-precursor-cobalt-contained": "agrees",
        "1.1-ternary-share": "agrees",
        "1.1-price-change": "agrees",
        "1.1-imports-growth": "agrees within rounding",
        "summary-gross-margin": "agrees within rounding",
        "1.1-recycled-share": "disagrees",
    }
    assert (chapter_1.n_agrees, chapter_1.n_within_rounding, chapter_1.n_disagrees) == (5, 2, 3)
    assert "5 agree, 2 agree within rounding, 3 disagree" in chapter_1.table().notes


def result_of(report: ClaimsReport, claim_id: str) -> ClaimResult:
    return next(r for r in report.results if r.claim.id == claim_id)


def test_shipped_intervals(chapter_1: ClaimsReport) -> None:
    growth = result_of(chapter_1, "1.1-imports-growth")  # 10.4 -> 12.4 万吨, stated 19.3 %
    assert growth.computed == pytest.approx(100 * (12.4 / 10.4 - 1))
    assert (growth.computed_low, growth.computed_high) == pytest.approx(
        (100 * (12.35 / 10.45 - 1), 100 * (12.45 / 10.35 - 1)))
    margin = result_of(chapter_1, "summary-gross-margin")  # cost 20.3, price 20.8 万元/t
    assert margin.computed == pytest.approx(100 * (1 - 20.3 / 20.8))
    assert (margin.computed_low, margin.computed_high) == pytest.approx(
        (100 * (1 - 20.35 / 20.75), 100 * (1 - 20.25 / 20.85)))
    recycled = result_of(chapter_1, "1.1-recycled-share")  # 1.9 / (1.9 + 12.4), stated 15.6 %
    assert recycled.computed == pytest.approx(100 * 1.9 / 14.3)
    assert (recycled.computed_low, recycled.computed_high) == pytest.approx(
        (100 * 1.85 / (1.85 + 12.45), 100 * 1.95 / (1.95 + 12.35)))
    hydroxide = result_of(chapter_1, "1.1-precursor-hydroxide-demand")  # 85 x 14.5 % / 31 %
    assert (hydroxide.computed_low, hydroxide.computed_high) == pytest.approx(
        (84.5 * 0.1445 / 0.315, 85.5 * 0.1455 / 0.305))
    output = result_of(chapter_1, "1.1-utilisation-vs-output")  # 9.0 / 18.6 万吨
    assert output.computed_high == pytest.approx(100 * 9.5 / 18.55)
    assert output.computed_high < 63.4 - 0.05


def test_shipped_claims_csv_keeps_the_eight_columns(chapter_1: ClaimsReport,
                                                    tmp_path: Path) -> None:
    csv_path, _ = write_claims(chapter_1, tmp_path)
    with csv_path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert tuple(rows[0]) == COLUMNS
    by_id = {row["claim_id"]: row["verdict"] for row in rows}
    assert by_id["1.1-imports-growth"] == "agrees within rounding"
    assert by_id["1.1-recycled-share"] == "disagrees"
    detail = chapter_1.detail_table()
    assert detail.columns[len(COLUMNS):len(COLUMNS) + 2] == ("computed_low", "computed_high")


# --- tables and files ---------------------------------------------------------------------------


def test_table_has_exactly_the_eight_columns(report: ClaimsReport) -> None:
    table = report.table()
    assert table.columns == (
        "claim_id", "section", "quantity", "stated", "computed", "unit", "rel_diff", "verdict")
    assert table.columns == COLUMNS
    assert len(table.rows) == 6
    first = table.records()[0]
    assert first["claim_id"] == "1.1-capacity-growth"
    assert first["stated"] == 126.8
    assert first["unit"] == "percent"


def test_detail_table_adds_the_working(report: ClaimsReport) -> None:
    table = report.detail_table()
    assert table.columns == (*COLUMNS, "computed_low", "computed_high", "relation", "formula",
                             "kind", "tolerance", "source", "note")
    assert table.columns == DETAIL_COLUMNS
    row = next(r for r in table.records() if r["claim_id"] == "1.1-cobalt-per-tonne")
    assert row["relation"] == "<"
    assert row["kind"] == "consistency"
    assert row["source"] == "seed-004 §1.1"
    assert row["tolerance"] == pytest.approx(0.5)
    # 14.5 % is 144.5 to 145.5 kg/t: not below 130 even at its lowest.
    assert (row["computed_low"], row["computed_high"]) == pytest.approx((144.5, 145.5))


def test_write_claims_to_a_folder(report: ClaimsReport, tmp_path: Path) -> None:
    out = tmp_path / "out"
    csv_path, xlsx_path = write_claims(report, out)
    assert (csv_path, xlsx_path) == (out / "claims.csv", out / "claims.xlsx")
    assert sorted(p.name for p in out.iterdir()) == ["claims.csv", "claims.xlsx"]
    with csv_path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 7
    assert rows[3][0] == "1.1-demand-as-hydroxide"
    assert rows[3][-1] == "disagrees"

    from openpyxl import load_workbook

    workbook = load_workbook(xlsx_path, read_only=True)
    assert workbook.sheetnames == ["claims", "claims detail"]
    detail_header = next(workbook["claims detail"].iter_rows(max_row=1, values_only=True))
    assert detail_header == DETAIL_COLUMNS


def test_write_claims_to_explicit_paths(report: ClaimsReport, tmp_path: Path) -> None:
    paths = write_claims(report, (tmp_path / "a.csv", tmp_path / "b" / "a.xlsx"))
    assert all(p.is_file() for p in paths)


def test_write_claims_next_to_a_csv_path(report: ClaimsReport, tmp_path: Path) -> None:
    paths = write_claims(report, tmp_path / "run" / "claims.csv")
    assert paths == (tmp_path / "run" / "claims.csv", tmp_path / "run" / "claims.xlsx")
    assert all(p.is_file() for p in paths)


def test_reports_combine(report: ClaimsReport) -> None:
    both = report.combined([report])
    assert len(both.results) == 2 * len(report.results)
    assert (both.n_agrees, both.n_within_rounding, both.n_disagrees) == (8, 0, 4)
    assert both.scenario == report.scenario
    assert len(both.table().rows) == 12


def test_write_claims_is_atomic(report: ClaimsReport, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "claims.csv").write_text("previous\n", encoding="utf-8")

    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_claims(report, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.csv"]
    assert (tmp_path / "claims.csv").read_text(encoding="utf-8") == "previous\n"


# --- validation at load -------------------------------------------------------------------------


def test_load_claims_validates_without_a_scenario() -> None:
    claims_file = load_claims(CLAIMS)
    assert isinstance(claims_file, ClaimsFile)
    assert claims_file.claims.scenario == "scenario.toml"
    assert [c.id for c in claims_file.claim][:2] == ["1.1-capacity-growth", "1.1-utilisation"]
    assert claims_file.claim[0].stated == Decimal("126.8")


def test_malformed_toml_names_the_line() -> None:
    with pytest.raises(MalformedFileError) as caught:
        load_claims(DATA / "malformed.toml")
    assert caught.value.line == 5
    assert caught.value.file == DATA / "malformed.toml"
    assert "malformed.toml:5" in str(caught.value)


def test_duplicate_ids_are_rejected_at_the_second() -> None:
    path = DATA / "duplicate-ids.toml"
    with pytest.raises(ClaimError) as caught:
        load_claims(path)
    assert caught.value.item == "1.1-utilisation"
    assert caught.value.line == line_of(path, 'id = "1.1-utilisation"', occurrence=2)
    assert "twice" in str(caught.value)


def test_claims_file_model_rejects_duplicates_too() -> None:
    claim = Claim(id="c", quantity="q", stated=1, unit="t", formula="q(1, 't')",
                  source=Citation(document="d"))
    with pytest.raises(ValueError, match="unique"):
        ClaimsFile(claims=ClaimsHeader(), claim=(claim, claim))


def test_missing_source_document(tmp_path: Path) -> None:
    path = write(tmp_path, '[claims]\ntitle = "no document"\n' + UTILISATION)
    with pytest.raises(MissingSourceError) as caught:
        load_claims(path)
    assert caught.value.item == "1.1-utilisation"
    assert caught.value.line == line_of(path, "id = ")


def test_unknown_document_is_found_when_checking(tmp_path: Path, scenario: Scenario) -> None:
    path = write(tmp_path, HEADER.replace("seed-004", "seed-999") + UTILISATION)
    load_claims(path)  # the registry of documents is the scenario's, so not known at load
    with pytest.raises(MissingSourceError, match="unknown document 'seed-999'") as caught:
        check_claims(path, scenario=scenario)
    assert caught.value.item == "1.1-utilisation"
    assert caught.value.line == line_of(path, "id = ")


def test_explicit_source_table(tmp_path: Path) -> None:
    text = '[claims]\ntitle = "sources"\n' + UTILISATION + (
        'source = { document = "seed-004", section = "1.1, paragraph 1" }\n')
    claim = load_claims(write(tmp_path, text)).claim[0]
    assert claim.source == Citation(document="seed-004", section="1.1, paragraph 1")


def test_source_table_inherits_the_file_document(tmp_path: Path) -> None:
    text = HEADER + UTILISATION + 'source = { section = "Table 3", year = 2024 }\n'
    claim = load_claims(write(tmp_path, text)).claim[0]
    assert claim.source == Citation(document="seed-004", section="Table 3", year=2024)


def test_source_that_is_not_a_table(tmp_path: Path) -> None:
    with pytest.raises(MissingSourceError, match="must be a table"):
        load_claims(write(tmp_path, HEADER + UTILISATION + 'source = "seed-004"\n'))


@pytest.mark.parametrize(("change", "message"), [
    (("unit = \"percent\"", "unit = \"percents_of_nothing\""), "not a known unit"),
    (("formula = \"share(", "formula = \"lambda: share("), "lambda"),
    (("stated = 63.4", "stated = \"63,4\""), "not a decimal number"),
    (("stated = 63.4", "stated = true"), "must be a number"),
    (("section = \"1.1\"", "relation = \"~\""), "relation"),
    (("section = \"1.1\"", "kind = \"opinion\""), "kind"),
    (("section = \"1.1\"", "tolerance = -0.1"), "tolerance"),
    (("section = \"1.1\"", "section = 1.1"), "section"),
    (("section = \"1.1\"", "colour = \"red\""), "unknown key 'colour'"),
    (("unit = \"percent\"\n", ""), "missing key 'unit'"),
])
def test_invalid_claims_name_line_and_id(tmp_path: Path, change: tuple[str, str],
                                         message: str) -> None:
    path = write(tmp_path, HEADER + UTILISATION.replace(*change))
    with pytest.raises(ClaimError, match=message) as caught:
        load_claims(path)
    assert caught.value.item == "1.1-utilisation"
    assert caught.value.line == line_of(path, "id = ")
    assert f"{path}:{caught.value.line}: 1.1-utilisation:" in str(caught.value)


def test_invalid_id(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + UTILISATION.replace('"1.1-utilisation"', '"bad id!"'))
    with pytest.raises(ClaimError, match="id") as caught:
        load_claims(path)
    assert caught.value.line == line_of(path, "id = ")


def test_claim_without_id_is_located_by_its_table(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + UTILISATION.replace('id = "1.1-utilisation"\n', ""))
    with pytest.raises(ClaimError, match="missing key 'id'") as caught:
        load_claims(path)
    assert caught.value.item == "claim #1"
    assert caught.value.line == line_of(path, "[[claim]]")


@pytest.mark.parametrize(("text", "message"), [
    (UTILISATION, "no \\[claims\\] table"),
    (HEADER, "no \\[\\[claim\\]\\] tables"),
    (HEADER + '[claim]\nid = "x"\n', "array of tables"),
    (HEADER.replace('title = "test"', 'titel = "test"') + UTILISATION, "unknown key 'titel'"),
    (HEADER + 'extra = 1\n' + UTILISATION, "unknown key 'extra'"),
    ('version = 2\n' + HEADER + UTILISATION, "unknown top-level key 'version'"),
])
def test_malformed_structure(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(MalformedFileError, match=message):
        load_claims(write(tmp_path, text))


# --- errors while checking -----------------------------------------------------------------------


def test_formula_of_the_wrong_dimension_is_the_claims_fault(tmp_path: Path,
                                                            scenario: Scenario) -> None:
    path = write(tmp_path, HEADER + UTILISATION.replace(
        'unit = "percent"', 'unit = "wan_t/yr"'))
    with pytest.raises(ClaimError) as caught:
        check_claims(path, scenario=scenario)
    error = caught.value
    assert error.item == "1.1-utilisation"
    assert error.file == path
    assert error.line == line_of(path, "id = ")
    assert "the formula is wrong, not the report" in str(error)


def test_unknown_name_in_a_claim_suggests(tmp_path: Path, scenario: Scenario) -> None:
    path = write(tmp_path, HEADER + UTILISATION.replace(
        "cobalt.capacity.y2024)", "cobalt.capacity.y2042)"))
    with pytest.raises(ClaimError) as caught:
        check_claims(path, scenario=scenario)
    assert caught.value.item == "1.1-utilisation"
    assert caught.value.line == line_of(path, "id = ")
    assert "did you mean cobalt.capacity.y2024" in str(caught.value)


def test_series_result_needs_at(tmp_path: Path, scenario: Scenario) -> None:
    path = write(tmp_path, HEADER + UTILISATION.replace(
        '"share(cobalt.consumption.y2024, cobalt.capacity.y2024)"',
        '"cobalt.price.hydroxide / q(1, \'CNY/t\')"'))
    with pytest.raises(ClaimError, match=r"2 values.*at\(series, label\)"):
        check_claims(path, scenario=scenario)
