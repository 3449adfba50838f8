"""The candidate matrix on the shipped grades and Gorsse et al. 2023 records.

Oracles: the grade reference table's own numbers, physics.thermal_from_electrical for the
Wiedemann-Franz cells, the matrix built without models (a prediction never replaces a stored
value), and pint unit conversion.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from test_importers import gorsse_file

from valueloop.core.db import Database
from valueloop.materials import physics
from valueloop.materials.candidates import (
    DERIVED,
    LORENZ_RANGE,
    MEASURED,
    MISSING,
    PREDICTED,
    CandidateMatrix,
    NoMaterialsError,
    build_candidates,
    unit_map,
)
from valueloop.materials.importers import read_gorsse, read_grades
from valueloop.materials.model import Material, MaterialRecord, PropertyValue
from valueloop.materials.property_models import PropertyModel
from valueloop.materials.requirement import requirement_from_mapping
from valueloop.materials.selection_tables import pareto_table, run_selection
from valueloop.materials.store import MaterialStore

KEYS = ("electrical_conductivity_iacs", "thermal_conductivity", "yield_strength_mpa",
        "uts_mpa", "hardness_hv", "cte_ppm_per_k")



@pytest.fixture(scope="module")
def database(materials_db: str) -> Iterator[Database]:
    with Database.open(materials_db) as db:
        yield db


@pytest.fixture(scope="module")
def matrix(database: Database, models: dict[str, PropertyModel]) -> CandidateMatrix:
    return build_candidates(database, KEYS, models)


@pytest.fixture(scope="module")
def measured_only(database: Database) -> CandidateMatrix:
    return build_candidates(database, KEYS)


def _row(matrix: CandidateMatrix, name: str, record: str) -> int:
    return next(i for i, (n, r) in enumerate(zip(matrix.name, matrix.record, strict=True))
                if n == name and r == record)


def test_one_candidate_per_record_with_general_records_merged(matrix: CandidateMatrix) -> None:
    grades = read_grades()
    alloys = read_gorsse(gorsse_file())
    expected = sum(len([r for r in m.records if not r.general]) or 1 for m in grades)
    assert len(matrix) == expected + 1831  # every Gorsse row is one record
    # C17200 OT: its own tensile range (1100-1380), not the general 460-1500, and the
    # general CTE of 17.8 ppm/K
    row = _row(matrix, "C17200", "OT (O + aged 315 C x 3 h)")
    uts, cte = matrix.column("uts_mpa"), matrix.column("cte_ppm_per_k")
    assert (matrix.lower[row, uts], matrix.upper[row, uts]) == (1100, 1380)
    assert matrix.value[row, uts] == 1240  # midpoint of a range without a stated value
    assert matrix.value[row, cte] == 17.8
    # C19210 has only "any" records: one candidate
    assert matrix.name.count("C19210") == 1
    assert len(alloys) == len({m for m, k in zip(matrix.material, matrix.kind, strict=True)
                               if k == "alloy"})


def test_bounds_follow_the_basis(matrix: CandidateMatrix) -> None:
    ec = matrix.column("electrical_conductivity_iacs")
    row = _row(matrix, "C10100", "annealed")  # "minimum 101 %IACS"
    assert matrix.value[row, ec] == 101
    assert (matrix.lower[row, ec], matrix.upper[row, ec]) == (101, np.inf)
    assert matrix.origin[row, ec] == MEASURED
    assert "Weldaloy" in matrix.source[row, ec] and "(minimum)" in matrix.source[row, ec]
    assert matrix.source_url[row, ec].startswith("https://")


def test_thermal_conductivity_derived_by_wiedemann_franz(matrix: CandidateMatrix) -> None:
    kappa, ec = matrix.column("thermal_conductivity"), matrix.column("electrical_conductivity_iacs")
    derived = np.flatnonzero(matrix.origin[:, kappa] == DERIVED)
    assert derived.size > 1500  # the Gorsse records have conductivity, never κ
    assert np.all(matrix.origin[derived, ec] == MEASURED)
    sigma = physics.iacs_to_conductivity(matrix.value[derived, ec])
    np.testing.assert_allclose(matrix.value[derived, kappa],
                               physics.thermal_from_electrical(sigma, physics.IACS_TEMPERATURE_K))
    factor = physics.IACS_CONDUCTIVITY_S_PER_M / 100 * physics.IACS_TEMPERATURE_K
    np.testing.assert_allclose(matrix.lower[derived, kappa],
                               LORENZ_RANGE[0] * factor * matrix.lower[derived, ec])
    text = matrix.source[derived[0], kappa]
    assert "Wiedemann-Franz" in text and "2.44e-08" in text and "293.15 K" in text
    # a measured κ is kept: C10100 annealed, 394 W/(m K) from the CDA fact sheet
    row = _row(matrix, "C10100", "annealed")
    assert matrix.origin[row, kappa] == MEASURED and matrix.value[row, kappa] == 394


def test_a_measured_value_is_never_replaced_by_a_prediction(
        matrix: CandidateMatrix, measured_only: CandidateMatrix) -> None:
    stored = measured_only.origin == MEASURED
    assert stored.sum() > 3000
    assert np.array_equal(matrix.origin[stored], measured_only.origin[stored])
    assert np.array_equal(matrix.value[stored], measured_only.value[stored])
    assert np.array_equal(matrix.source[stored], measured_only.source[stored])
    assert not (measured_only.origin == PREDICTED).any()


def test_predictions_fill_gaps_of_alloys_only_with_intervals_and_domain(
        matrix: CandidateMatrix, measured_only: CandidateMatrix) -> None:
    predicted = matrix.origin == PREDICTED
    ys = matrix.column("yield_strength_mpa")
    # yield strength was measured on 163 Gorsse rows only: most alloy records get a prediction
    assert predicted[:, ys].sum() > 1000
    grades = np.array([k == "grade" for k in matrix.kind])
    assert not predicted[grades].any()  # grades have no composition in the data
    assert np.all(measured_only.origin[predicted] == MISSING)
    assert np.all(matrix.lower[predicted] <= matrix.value[predicted])
    assert np.all(matrix.value[predicted] <= matrix.upper[predicted])
    cte = matrix.column("cte_ppm_per_k")
    assert not predicted[:, cte].any()  # no model for CTE
    outside = predicted & ~matrix.in_domain
    assert outside.any()
    assert all("OUT OF THE MODEL'S DOMAIN" in text for text in matrix.source[outside])
    assert not any("OUT OF" in text for text in matrix.source[predicted & matrix.in_domain])


def test_stored_units_are_converted_and_unconvertible_rows_skipped(tmp_path: Path) -> None:
    source = "test data (our own)"
    material = Material(key="test:gpa", name="test alloy", kind="grade", records=(
        MaterialRecord(label="hard", properties=(
            PropertyValue(name="tensile_strength", unit="GPa", value_min=0.5, value_max=0.6,
                          source=source),
            PropertyValue(name="thermal_conductivity", unit="W/(cm K)", value=3.9,
                          source=source),
            PropertyValue(name="hardness", unit="HB", value=120, source=source))),))
    with Database.open(tmp_path / "m.db") as db:
        MaterialStore(db).add([material])
        matrix = build_candidates(db, ("uts_mpa", "thermal_conductivity", "hardness_hv"))
    uts, kappa, hv = (matrix.column(k) for k in ("uts_mpa", "thermal_conductivity",
                                                 "hardness_hv"))
    assert (matrix.lower[0, uts], matrix.upper[0, uts]) == pytest.approx((500, 600))
    assert matrix.value[0, kappa] == pytest.approx(390)
    assert matrix.origin[0, hv] == MISSING
    assert any("1 stored property rows skipped" in note for note in matrix.notes)
    assert unit_map("softening_temperature", "K", "C") == pytest.approx((-273.15, 1.0))


def test_a_constraint_in_gpa_selects_as_the_same_in_mpa(database: Database) -> None:
    def run(value: float, unit: str) -> np.ndarray:
        requirement = requirement_from_mapping({"constraint": [
            {"property": "uts_mpa", "operator": ">=", "value": value, "unit": unit}]})
        return run_selection(database, requirement).selection.status

    assert np.array_equal(run(0.45, "GPa"), run(450, "MPa"))
    assert not np.array_equal(run(0.45, "GPa"), run(460, "MPa"))  # the threshold matters


def test_an_empty_front_for_want_of_objective_data_is_not_called_infeasible(
        database: Database) -> None:
    requirement = requirement_from_mapping({
        "constraint": [{"property": "electrical_conductivity_iacs", "operator": ">=",
                        "value": 90, "unit": "%IACS"}],
        "objective": [{"property": "em_median_life_h", "sense": "max"}]})
    run = run_selection(database, requirement)
    assert run.selection.feasible.any()  # grades meet 90 %IACS; nobody has an EM life
    table = pareto_table(run)
    assert not table.rows
    assert "no candidate meets every constraint" not in table.notes[-1]
    assert "em_median_life_h" in table.notes[-1]


def test_an_empty_database_is_refused(tmp_path: Path) -> None:
    with Database.open(tmp_path / "empty.db") as db, pytest.raises(NoMaterialsError) as error:
        build_candidates(db, KEYS)
    assert "valueloop materials import --grades --gorsse-shipped" in str(error.value)


def test_same_matrix_on_sqlite_and_postgresql(database_url: str) -> None:
    with Database.open(database_url) as db:
        MaterialStore(db).add(read_grades())
        matrix = build_candidates(db, KEYS)
    row = _row(matrix, "C70250", "R690 (H210)")
    ys, kappa = matrix.column("yield_strength_mpa"), matrix.column("thermal_conductivity")
    assert (matrix.lower[row, ys], matrix.upper[row, ys]) == (660, np.inf)  # "minimum 660"
    assert matrix.origin[row, kappa] == MEASURED  # from the general "any" record
    grades = read_grades()
    assert len(matrix) == sum(len([r for r in m.records if not r.general]) or 1
                              for m in grades)
    assert matrix.value.flags.f_contiguous  # the layout the selection core reads fastest
