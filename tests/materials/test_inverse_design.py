"""Inverse design on the shipped Gorsse data: decoding, domain, constraints, Pareto, flags."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from valueloop.materials.design import (
    DEDUPE_TOLERANCE,
    DesignResult,
    DesignSettings,
    design,
    initial_population,
    prepare,
    warm_start_rows,
)
from valueloop.materials.design_encoding import Encoding
from valueloop.materials.design_plan import DesignError, plan_design
from valueloop.materials.design_space import DesignSpaceError, parse_design_space
from valueloop.materials.properties import (
    ELEMENTS,
    FEATURE_NAMES,
    ROOM_TEMPERATURE_K,
    AlloyTable,
    read_rows,
)
from valueloop.materials.property_models import PROPERTIES, PropertyModel
from valueloop.materials.requirement import (
    Requirement,
    load_requirement,
    requirement_from_mapping,
)

FAST = {"population": 16, "generations": 8}
HAIRPIN = Path(__file__).resolve().parents[2] / "examples" / "requirements" / "hairpin.toml"
SPACE = {"elements": [{"element": "Cr", "low": 0, "high": 1.0, "min_added": 0.02},
                      {"element": "Zr", "low": 0, "high": 0.5, "min_added": 0.06}],
         "max_total_solute_wt": 1.2,
         "solution_temperature_k": {"low": 1173, "high": 1273},
         "solution_time_h": {"low": 0.5, "high": 2},
         "cold_rolling_pct": {"low": 0, "high": 80},
         "ageing_temperature_k": {"low": 673, "high": 773},
         "ageing_time_h": {"low": 1, "high": 8}}




def _requirement(constraints: list[tuple[str, str, float, str]],
                 objectives: list[tuple[str, str]] = ()) -> Requirement:
    data: dict[str, Any] = {"name": "test", "constraint": [
        {"property": p, "operator": op, "value": v, "unit": u} for p, op, v, u in constraints]}
    if objectives:
        data["objective"] = [{"property": p, "sense": s} for p, s in objectives]
    return requirement_from_mapping(data)


EASY = _requirement([("electrical_conductivity_iacs", ">=", 40, "%IACS"),
                     ("hardness_hv", ">=", 150, "HV")],
                    [("electrical_conductivity_iacs", "max"), ("hardness_hv", "max")])
IMPOSSIBLE = _requirement([("electrical_conductivity_iacs", ">=", 99, "%IACS"),
                           ("hardness_hv", ">=", 300, "HV")])


@pytest.fixture(scope="module")
def easy(models: dict[str, PropertyModel], shipped: AlloyTable) -> DesignResult:
    # from a uniform random first population: the search itself has to find the targets
    return design(EASY, models, settings=DesignSettings(**FAST, seed=3, warm_start=False),
                  elements=("Ni", "Si", "Cr", "Mg"), table=shipped)


# --- decoding ----------------------------------------------------------------------------------


def _gorsse(cells: Mapping[str, str]) -> np.ndarray:
    """The raw row properties.read_rows builds from Gorsse-layout cells: the oracle."""
    header = list(cells)
    return read_rows(header, [[cells[h] for h in header]]).raw[0]


def test_decoding_gives_the_row_built_by_hand() -> None:
    encoding = Encoding.from_space(parse_design_space(SPACE))
    assert encoding.names() == ("Cr (wt%)", "Zr (wt%)", "solution temperature (K)",
                                "solution time (h)", "cold rolling (%)", "aged",
                                "ageing temperature (K)", "ageing time (h)")
    aged = [0.4567, 0.0123, 1200.4, math.log1p(1.234), 55.56, 0.7, 723.6, math.log1p(4.567)]
    not_aged = [0.0191, 0.3, 1180.0, math.log1p(0.5), 0.0, 0.3, 700.0, math.log1p(3.0)]
    raw = encoding.decode(np.array([aged, not_aged]))
    # By hand: rounded as a recipe states it; Zr 0.0123 is below its smallest addition
    # (0.06 wt%) and so is not added, nor is Cr 0.0191 (< 0.02); not aged: 293.15 K and 0 h.
    expected = np.zeros((2, len(FEATURE_NAMES)))
    column = {name: FEATURE_NAMES.index(name) for name in FEATURE_NAMES}
    expected[0, ELEMENTS.index("Cr")] = 0.457
    expected[0, column["Tss (K)"]] = 1200.0
    expected[0, column["log1p tss (h)"]] = math.log1p(1.23)
    expected[0, column["CR reduction (%)"]] = 55.6
    expected[0, column["aged"]] = 1.0
    expected[0, column["Tag (K)"]] = 724.0
    expected[0, column["log1p tag (h)"]] = math.log1p(4.57)
    expected[1, ELEMENTS.index("Zr")] = 0.3
    expected[1, column["Tss (K)"]] = 1180.0
    expected[1, column["log1p tss (h)"]] = math.log1p(0.5)
    expected[1, column["Tag (K)"]] = ROOM_TEMPERATURE_K
    np.testing.assert_array_equal(raw, expected)
    # the same rows as the Gorsse reader builds them from the recipe's cells
    np.testing.assert_array_equal(raw[0], _gorsse({
        "Cr": "0.457", "Tss (K)": "1200", "tss (h)": "1.23", "CR reduction (%)": "55.6",
        "Aging": "Y", "Tag (K)": "724", "tag (h)": "4.57"}))
    np.testing.assert_array_equal(raw[1], _gorsse({
        "Zr": "0.3", "Tss (K)": "1180", "tss (h)": "0.5", "Aging": "N"}))
    # encoding the decoded rows and decoding again changes nothing
    np.testing.assert_array_equal(encoding.decode(encoding.encode(raw)), raw)


def test_fixed_switches_leave_the_decision_vector() -> None:
    space = parse_design_space({**SPACE, "ageing": "off", "secondary_tmt": "on",
                                "cold_rolling_pct": {"low": 40, "high": 40}})
    encoding = Encoding.from_space(space)
    assert encoding.names() == ("Cr (wt%)", "Zr (wt%)", "solution temperature (K)",
                                "solution time (h)")
    raw = encoding.decode(encoding.lower()[None, :])
    column = {name: FEATURE_NAMES.index(name) for name in FEATURE_NAMES}
    assert raw[0, column["CR reduction (%)"]] == 40.0
    assert raw[0, column["aged"]] == 0.0 and raw[0, column["secondary TMT"]] == 1.0
    fixed = parse_design_space({**SPACE, "ageing": "off", "elements": [
        {"element": "Cr", "low": 0.5, "high": 0.5}],
        **{k: {"low": 1.0 if "time" in k else 1000.0, "high": 1.0 if "time" in k else 1000.0}
           for k in ("solution_temperature_k", "solution_time_h")},
        "cold_rolling_pct": {"low": 0, "high": 0}})
    with pytest.raises(DesignSpaceError, match="nothing to search"):
        Encoding.from_space(fixed)


# --- what is designed for ----------------------------------------------------------------------


def test_plan_converts_thermal_conductivity_and_lists_the_rest(
        models: dict[str, PropertyModel]) -> None:
    requirement = _requirement([("thermal_conductivity", ">=", 200, "W/(m*K)"),
                                ("stress_relaxation_percent", "<=", 10, "%"),
                                ("yield_strength_mpa", ">=", 0.3, "GPa")],
                               [("thermal_conductivity", "max"), ("cte_ppm_per_k", "min")])
    plan = plan_design(requirement, models)
    # Wiedemann-Franz at 20 °C: σ = κ/(L₀T), L₀ = 2.44e-8 W·Ω/K², 100 %IACS = 58.0 MS/m
    iacs = 200.0 / (2.44e-8 * 293.15) / 58.0e6 * 100.0
    conductivity, strength = plan.constraints
    assert conductivity.model == "electrical_conductivity_iacs"
    assert conductivity.value == pytest.approx(iacs, rel=1e-12)
    assert "Wiedemann-Franz" in conductivity.treatment
    assert (strength.model, strength.value) == ("yield_strength_mpa", pytest.approx(300.0))
    assert [(o.model, o.sense) for o in plan.objectives] == [
        ("electrical_conductivity_iacs", "max")]
    assert [(n.kind, n.property) for n in plan.not_designed] == [
        ("constraint", "stress_relaxation_percent"), ("objective", "cte_ppm_per_k")]
    assert plan.models_used() == ("electrical_conductivity_iacs", "yield_strength_mpa")


def test_nothing_designable_is_an_error(models: dict[str, PropertyModel]) -> None:
    requirement = _requirement([("stress_relaxation_percent", "<=", 10, "%")],
                               [("cte_ppm_per_k", "min")])
    with pytest.raises(DesignError, match="no constraint or objective"):
        plan_design(requirement, models)


# --- the search --------------------------------------------------------------------------------


def test_easy_target_is_met_inside_the_domain(easy: DesignResult,
                                              models: dict[str, PropertyModel]) -> None:
    assert easy.found and easy.feasible[0]
    used = easy.plan.models_used()
    for name, model in models.items():
        again = model.predict(easy.raw)  # re-predicted by the property models themselves
        np.testing.assert_array_equal(again.pred, easy.predictions[name].pred)
        np.testing.assert_array_equal(again.in_domain, easy.predictions[name].in_domain)
    for i in np.flatnonzero(easy.in_domain):
        for name in used:
            model = models[name]
            assert model.domain.contains(model.imputation.apply(easy.raw[i:i + 1]))[0]
    for i in np.flatnonzero(easy.feasible):
        assert easy.in_domain[i] and easy.distance_ratio[i] <= 1.0
        for constraint in easy.plan.constraints:
            predicted = models[constraint.model].predict(easy.raw[i:i + 1]).pred[0]
            assert predicted >= constraint.value
        assert easy.raw[i, :len(ELEMENTS)].sum() <= easy.space.max_total_solute_wt
    # only the design elements are used
    others = [j for j, e in enumerate(ELEMENTS) if e not in ("Ni", "Si", "Cr", "Mg")]
    assert not np.any(easy.raw[:, others])


def test_beyond_measured_flag_brute_force(easy: DesignResult, shipped: AlloyTable) -> None:
    conductivity = shipped.number_column("Electrical conductivity (%IACS)")
    hardness = shipped.number_column("Hardness (HV)")
    for i in range(len(easy)):
        predicted = (easy.predictions["electrical_conductivity_iacs"].pred[i],
                     easy.predictions["hardness_hv"].pred[i])
        matched = any(c >= predicted[0] and h >= predicted[1]
                      for c, h in zip(conductivity, hardness, strict=True)
                      if not (np.isnan(c) or np.isnan(h)))
        assert easy.beyond_measured[i] == (not matched)


def test_pareto_set_is_non_dominated_brute_force(easy: DesignResult) -> None:
    senses = [1.0 if o.sense == "max" else -1.0 for o in easy.plan.objectives]
    values = easy.objective_values * np.array(senses)  # larger is better in every column
    feasible = list(np.flatnonzero(easy.feasible))
    assert easy.pareto.sum() >= 1 and not np.any(easy.pareto & ~easy.feasible)
    for i in feasible:
        dominated = any(all(values[j] >= values[i]) and any(values[j] > values[i])
                        for j in feasible if j != i)
        assert easy.pareto[i] == (not dominated)


def test_candidates_are_distinct_and_sorted(easy: DesignResult,
                                            models: dict[str, PropertyModel],
                                            shipped: AlloyTable) -> None:
    # feasible first, Pareto members first among them
    assert list(easy.feasible) == sorted(easy.feasible, reverse=True)
    assert list(easy.pareto) == sorted(easy.pareto, reverse=True)
    predicted = np.column_stack([p.pred for p in easy.predictions.values()])
    setup = prepare(EASY, models, shipped, elements=("Ni", "Si", "Cr", "Mg"))
    spans = setup.encoding.spans()
    for i in range(len(easy)):
        for j in range(i):
            assert not np.array_equal(predicted[i], predicted[j])
            assert np.max(np.abs(easy.raw[i] - easy.raw[j]) / spans) > DEDUPE_TOLERANCE
    assert easy.timing.evaluations >= FAST["population"] * FAST["generations"] * 0.5
    assert easy.timing.first_feasible_evaluations is not None
    assert easy.timing.first_feasible_evaluations <= easy.timing.evaluations


def test_same_seed_same_result(easy: DesignResult, models: dict[str, PropertyModel],
                               shipped: AlloyTable) -> None:
    again = design(EASY, models, settings=DesignSettings(**FAST, seed=3, warm_start=False),
                   elements=("Ni", "Si", "Cr", "Mg"), table=shipped)
    np.testing.assert_array_equal(again.raw, easy.raw)
    np.testing.assert_array_equal(again.pareto, easy.pareto)
    assert again.nearest_formula == easy.nearest_formula
    assert again.timing.first_feasible_evaluations == easy.timing.first_feasible_evaluations


def test_impossible_target_says_so(models: dict[str, PropertyModel],
                                   shipped: AlloyTable) -> None:
    result = design(IMPOSSIBLE, models, settings=DesignSettings(**FAST), table=shipped)
    assert not result.found and not np.any(result.pareto)
    assert result.timing.first_feasible_evaluations is None
    assert "NO CANDIDATE MET THE TARGETS" in result.notes[0]
    assert np.all(result.shortfall.sum(axis=1) > 0)
    # least infeasible first
    assert list(result.violation) == sorted(result.violation)
    # both constrained properties become objectives in their constraints' direction
    assert [(o.model, o.sense) for o in result.plan.objectives] == [
        ("electrical_conductivity_iacs", "max"), ("hardness_hv", "max")]


def test_conservative_meets_by_interval(models: dict[str, PropertyModel],
                                       shipped: AlloyTable) -> None:
    requirement = _requirement([("electrical_conductivity_iacs", ">=", 50, "%IACS"),
                                ("hardness_hv", "<=", 250, "HV")])
    result = design(requirement, models, table=shipped, elements=("Cr", "Zr"),
                    settings=DesignSettings(**FAST, conservative=True, warm_start=True))
    assert result.found
    conductivity, hardness = (models[c.model].predict(result.raw[result.feasible])
                              for c in result.plan.constraints)
    assert np.all(conductivity.lo >= 50.0) and np.all(hardness.hi <= 250.0)
    assert np.all(result.meets_by_interval[result.feasible])


def test_extrapolation_is_flagged(models: dict[str, PropertyModel],
                                  shipped: AlloyTable) -> None:
    # Cr 1.5-3 wt% lies beyond the data (Cr <= 1.0 wt% in Gorsse): refused unless allowed
    space = parse_design_space({**SPACE, "elements": [
        {"element": "Cr", "low": 1.5, "high": 3.0}, {"element": "Zr", "low": 0, "high": 0.5}],
        "max_total_solute_wt": 4.0})
    with pytest.raises(DesignSpaceError) as error:
        design(EASY, models, space=space, settings=DesignSettings(**FAST), table=shipped)
    assert error.value.item == "elements.Cr"
    result = design(EASY, models, space=space, table=shipped,
                    settings=DesignSettings(**FAST, allow_extrapolation=True))
    assert len(result) > 0 and not np.any(result.in_domain)
    assert np.all(result.raw[:, ELEMENTS.index("Cr")] >= 1.5)
    assert any("extrapolation allowed" in note for note in result.notes)
    # the flags agree with each model's own domain check
    for name in result.plan.models_used():
        model = models[name]
        features = model.imputation.apply(result.raw)
        assert not np.any(model.domain.contains(features))
    ratio = np.max([models[m].domain.distance(models[m].imputation.apply(result.raw))
                    / models[m].domain.threshold for m in result.plan.models_used()], axis=0)
    np.testing.assert_allclose(result.distance_ratio, ratio)


def test_warm_start_begins_from_training_rows(models: dict[str, PropertyModel],
                                              shipped: AlloyTable) -> None:
    settings = DesignSettings(**FAST, warm_start=True)
    setup = prepare(EASY, models, shipped, elements=("Cr", "Zr"), settings=settings)
    rows = warm_start_rows(shipped, setup.space)
    assert len(rows) > 0
    others = [j for j, e in enumerate(ELEMENTS) if e not in ("Cr", "Zr")]
    assert not np.any(rows[:, others])  # Cu-Cr, Cu-Zr and Cu-Cr-Zr rows only
    start = setup.encoding.decode(initial_population(setup, shipped)[:min(len(rows), 16)])
    for row in start:  # each within rounding of a training row
        assert np.min(np.max(np.abs(rows - row), axis=1)) <= 0.01
    # Cu-Cr-Zr rows measured above 40 %IACS and 150 HV are in the data: the first population
    # already holds a feasible candidate
    result = design(EASY, models, elements=("Cr", "Zr"), settings=settings, table=shipped)
    assert result.found
    assert result.timing.first_feasible_generation == 1
    assert result.timing.first_feasible_evaluations == FAST["population"]


def test_bad_settings_are_refused() -> None:
    with pytest.raises(DesignError) as error:
        DesignSettings(population=2)
    assert error.value.item == "population"


# --- staying within the measured data ----------------------------------------------------------


def _brute_beyond(result: DesignResult, table: AlloyTable) -> list[bool]:
    """Per candidate: no training row measured in every designed property is at least as good
    in each (the direction of its objective, else of its constraints)."""
    senses = {c.model: 1.0 if c.operator == ">=" else -1.0 for c in result.plan.constraints}
    senses.update({o.model: 1.0 if o.sense == "max" else -1.0 for o in result.plan.objectives})
    measured = [table.number_column(PROPERTIES[m][0]) for m in senses]
    rows = [r for r in zip(*measured, strict=True) if not any(np.isnan(r))]
    beyond = []
    for i in range(len(result)):
        predicted = [result.predictions[m].pred[i] for m in senses]
        beyond.append(not any(all(s * y >= s * p for s, y, p in
                                  zip(senses.values(), row, predicted, strict=True))
                              for row in rows))
    return beyond


def test_beyond_measured_flag_brute_force_with_a_min_sense(models: dict[str, PropertyModel],
                                                           shipped: AlloyTable) -> None:
    requirement = _requirement([("electrical_conductivity_iacs", ">=", 50, "%IACS")],
                               [("electrical_conductivity_iacs", "max"), ("hardness_hv", "min")])
    result = design(requirement, models, settings=DesignSettings(**FAST), table=shipped)
    assert list(result.beyond_measured) == _brute_beyond(result, shipped)


def test_within_measured_keeps_every_candidate_within_the_data(
        easy: DesignResult, models: dict[str, PropertyModel], shipped: AlloyTable) -> None:
    assert np.any(easy.beyond_measured)  # without the guard, the search leaves the data
    settings = DesignSettings(**FAST, seed=3, warm_start=False, within_measured=True)
    setup = prepare(EASY, models, shipped, elements=("Ni", "Si", "Cr", "Mg"), settings=settings)
    assert setup.evaluator.constraint_names()[-1] == \
        "within measured electrical_conductivity_iacs, hardness_hv"
    result = design(EASY, models, settings=settings, elements=("Ni", "Si", "Cr", "Mg"),
                    table=shipped)
    assert result.found
    assert not any(_brute_beyond(result, shipped))
    assert not np.any(result.beyond_measured)
    assert any(note.startswith("within measured data") for note in result.notes)


def test_hairpin_within_measured_finds_candidates_or_says_why(
        models: dict[str, PropertyModel], shipped: AlloyTable) -> None:
    requirement = load_requirement(HAIRPIN)
    result = design(requirement, models, table=shipped,
                    settings=DesignSettings(seed=1, within_measured=True))
    assert result.found or result.notes[1].startswith("WHY: no training row measured")
    assert list(result.beyond_measured) == _brute_beyond(result, shipped)
    assert not np.any(result.beyond_measured[result.feasible])
    if result.found:
        assert not np.any(result.beyond_measured)


def test_within_measured_says_why_nothing_can_meet_the_targets(
        models: dict[str, PropertyModel], shipped: AlloyTable) -> None:
    result = design(IMPOSSIBLE, models, table=shipped,
                    settings=DesignSettings(**FAST, within_measured=True))
    assert not result.found
    assert result.notes[0].startswith("NO CANDIDATE MET THE TARGETS")
    assert result.notes[1].startswith("WHY: no training row measured in "
                                      "electrical_conductivity_iacs, hardness_hv meets")


def test_within_measured_needs_rows_measured_in_every_designed_property(
        models: dict[str, PropertyModel], shipped: AlloyTable) -> None:
    # blank the conductivity of every row that measured UTS: none measured both
    uts = shipped.columns.index(PROPERTIES["uts_mpa"][0])
    conductivity = shipped.columns.index(PROPERTIES["electrical_conductivity_iacs"][0])
    rows = tuple(tuple("" if j == conductivity and row[uts].strip() else cell
                       for j, cell in enumerate(row)) for row in shipped.rows)
    table = AlloyTable(shipped.columns, rows, shipped.raw, shipped.formula, shipped.doi)
    requirement = _requirement([("uts_mpa", ">=", 300, "MPa")],
                               [("electrical_conductivity_iacs", "max")])
    prepare(requirement, models, table, settings=DesignSettings(**FAST))  # fine without it
    with pytest.raises(DesignError, match="no training row measured all of") as error:
        prepare(requirement, models, table,
                settings=DesignSettings(**FAST, within_measured=True))
    assert error.value.item == "within_measured"
