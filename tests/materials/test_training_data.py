"""Training tables rebuilt from the materials database match the shipped CSV exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from valueloop.core.db import Database, DatabaseError
from valueloop.materials.importers import gorsse_path, read_gorsse, read_grades
from valueloop.materials.model import (
    CompositionEntry,
    Designation,
    Material,
    MaterialRecord,
    ProcessingStep,
    PropertyValue,
)
from valueloop.materials.properties import AlloyTable
from valueloop.materials.property_models import PROPERTIES, target_column, train_models
from valueloop.materials.store import MaterialStore
from valueloop.materials.training_data import (
    NoTrainingDataError,
    table_from_database,
    table_from_materials,
    table_from_store,
)


@pytest.fixture(scope="module")
def gorsse() -> list[Material]:
    return read_gorsse(gorsse_path(None))


def _canonical(table: AlloyTable) -> list[tuple[object, ...]]:
    """Rows as comparable tuples (NaN as -inf: no value is negative), sorted."""
    targets = np.column_stack([target_column(table, name) for name in PROPERTIES])
    rows = np.column_stack([table.raw, targets])
    return sorted((*(-np.inf if np.isnan(v) else float(v) for v in row), formula, doi)
                  for row, formula, doi in zip(rows, table.formula, table.doi, strict=True))


def test_database_table_equals_shipped_csv(database_url: str, shipped: AlloyTable,
                                           gorsse: list[Material]) -> None:
    with Database.open(database_url) as database:
        store = MaterialStore(database)
        store.add(read_grades())  # reference grades are in the database but never train
        store.add(gorsse)
        training = table_from_store(store)
    assert training.records == 1831 and not training.skipped
    assert _canonical(training.table) == _canonical(shipped)


def test_database_trains_identical_models(tmp_path: Path, shipped: AlloyTable,
                                          gorsse: list[Material]) -> None:
    url = str(tmp_path / "materials.db")
    with Database.open(url) as database:
        MaterialStore(database).add(gorsse)
    training = table_from_database(url)
    assert training.source.startswith("SQLite database")
    names = ["yield_strength_mpa", "uts_mpa"]  # the two small properties keep this fast
    from_db = train_models(training.table, names)
    from_csv = train_models(shipped, names)
    for name in names:
        a, b = from_db[name].predict(shipped.raw), from_csv[name].predict(shipped.raw)
        for field in ("pred", "lo", "hi", "in_domain", "sigma"):
            np.testing.assert_array_equal(getattr(a, field), getattr(b, field))


def _alloy(*records: MaterialRecord, element: str = "Cr") -> Material:
    return Material(key="test:Cu-1Cr", name="Cu-1Cr", kind="alloy",
                    designations=(Designation(system="formula", code="Cu-1Cr"),),
                    composition=(CompositionEntry(element=element, nominal=1.0),),
                    records=records)


def _conductivity(value: float, origin: str = "measured", unit: str = "%IACS") -> PropertyValue:
    return PropertyValue(name="electrical_conductivity", unit=unit, value=value,
                         source="doi:10.0/test", origin=origin)


def test_predicted_values_never_train() -> None:
    aged = (ProcessingStep(kind="ageing", temperature_k=723.0, time_h=2.0),)
    measured = MaterialRecord(label="aged", kind="experimental", processing=aged,
                              properties=(_conductivity(80.0),
                                          PropertyValue(name="hardness", unit="HV", value=150.0,
                                                        source="valueloop model",
                                                        origin="predicted")))
    predicted = MaterialRecord(label="model", kind="experimental",
                               properties=(_conductivity(90.0, origin="predicted"),))
    result = table_from_materials([_alloy(measured, predicted)])
    table = result.table
    assert len(table.rows) == 1 and result.records == 2
    assert target_column(table, "electrical_conductivity_iacs").tolist() == [80.0]
    assert np.isnan(target_column(table, "hardness_hv")).all()
    assert table.formula == ("Cu-1Cr",) and table.doi == ("doi:10.0/test",)
    assert result.skipped == {"no measured conductivity, hardness or strength": 1}


def test_unrepresentable_records_are_skipped_and_counted() -> None:
    annealed = MaterialRecord(label="annealed", kind="experimental",
                              processing=(ProcessingStep(kind="annealing", temperature_k=900.0),),
                              properties=(_conductivity(90.0),))
    other_unit = MaterialRecord(label="SI", kind="experimental",
                                properties=(_conductivity(50.0, unit="MS/m"),))
    result = table_from_materials([_alloy(annealed, other_unit),
                                   _alloy(MaterialRecord(label="x", kind="experimental",
                                                         properties=(_conductivity(95.0),)),
                                          element="Te")])
    assert not result.table.rows
    assert result.skipped == {"processing not representable in the Gorsse layout": 1,
                              "electrical_conductivity in MS/m (needs %IACS)": 1,
                              "no measured conductivity, hardness or strength": 1,
                              "element outside the 26 Gorsse solutes": 1}


def test_database_without_measured_records(tmp_path: Path) -> None:
    url = str(tmp_path / "grades.db")
    with Database.open(url) as database:
        MaterialStore(database).add(read_grades())
    with pytest.raises(NoTrainingDataError, match="materials import --gorsse-shipped"):
        table_from_database(url)
    missing = tmp_path / "missing.db"
    with pytest.raises(DatabaseError, match="no database file"):
        table_from_database(str(missing))
    assert not missing.exists()  # not created as an empty database
