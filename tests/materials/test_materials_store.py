"""Storage on SQLite and PostgreSQL: write, read back, replace, search."""

from __future__ import annotations

import pytest

from valueloop.core.db import Database
from valueloop.core.errors import DimensionError, OptionError
from valueloop.materials.importers import read_grades
from valueloop.materials.model import (
    CompositionEntry,
    Curve,
    Designation,
    Material,
    MaterialRecord,
    ProcessingStep,
    PropertyValue,
)
from valueloop.materials.search import parse_condition, search
from valueloop.materials.store import MaterialNotFoundError, MaterialStore

CURVED = Material(
    key="test:CuCr1Zr", name="CuCr1Zr test", kind="alloy",
    designations=(Designation(system="GB", code="QCr0.5"), Designation(system="JIS", code="Z1")),
    composition=(CompositionEntry(element="Cr", min=0.5, max=1.2),
                 CompositionEntry(element="Zr", nominal=0.1)),
    records=(MaterialRecord(
        label="aged", processing=(ProcessingStep(kind="solution_treatment", temperature_k=1253),
                                  ProcessingStep(kind="cold_work", reduction_pct=60),
                                  ProcessingStep(kind="ageing", temperature_k=723, time_h=2)),
        properties=(PropertyValue(name="electrical_conductivity", unit="%IACS", value=85,
                                  source="our assumption: test value", uncertainty=2,
                                  origin="predicted"),
                    PropertyValue(name="tensile_strength", unit="MPa",
                                  source="our assumption: test curve",
                                  curve=Curve(axis="temperature", axis_unit="K",
                                              x=(293, 473), y=(520, 430))))),),
)


def test_round_trip_and_replace(database_url: str) -> None:
    with Database.open(database_url) as database:
        store = MaterialStore(database)
        grades = read_grades()
        assert store.add([*grades, CURVED]) == 16
        assert store.load() == sorted([*grades, CURVED], key=lambda m: m.key)
        store.add([CURVED])  # replaced by key, not duplicated
        assert store.count() == 16
        assert store.find("qcr0.5") == [CURVED]
        assert [m.name for m in store.find("CW009A")] == ["C10100"]
        with pytest.raises(MaterialNotFoundError, match="DESIGNATION"):
            store.find("C99999")


def test_search_by_elements_and_properties(database_url: str) -> None:
    with Database.open(database_url) as database:
        store = MaterialStore(database)
        store.add([*read_grades(), CURVED])
        found = search(database, [parse_condition("Cr<=1.2"), parse_condition("Zr>=0.05")])
        assert set(found.column("material")) == {"test:CuCr1Zr"}
        # 80 %IACS = 46.4 MS/m: the threshold is converted once to the stored unit
        high = search(database, [parse_condition("conductivity_iacs>=46.4 MS/m")])
        names = set(high.column("material"))
        assert {"grade:C10100", "grade:C15100", "test:CuCr1Zr"} <= names
        assert "grade:C17200" not in names  # CuBe2: about 22 %IACS
        assert set(high.column("origin")) == {"measured", "predicted"}
        kappa = search(database, [parse_condition("thermal_conductivity>=390")])
        assert {"grade:C10100", "grade:C10200", "grade:C11000"} == set(kappa.column("material"))


def test_bad_conditions() -> None:
    with pytest.raises(OptionError, match="--where"):
        parse_condition("conductivity is high")
    with pytest.raises(OptionError, match="needs a unit"):
        parse_condition("fatigue_strength>=3")
    from valueloop.materials.search import threshold_in

    with pytest.raises(DimensionError):
        threshold_in(parse_condition("tensile_strength>=600 MPa"), "%IACS")
