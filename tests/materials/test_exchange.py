"""CSV and Excel round trips of the whole database; MatML parsed back."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from test_materials_store import CURVED

from valueloop.core.db import Database
from valueloop.core.errors import MalformedFileError
from valueloop.core.tables import write_csv
from valueloop.materials import exchange
from valueloop.materials.importers import read_grades
from valueloop.materials.matml import matml_document
from valueloop.materials.store import MaterialStore


@pytest.fixture
def materials() -> list:
    return sorted([*read_grades(), CURVED], key=lambda m: m.key)


def test_csv_round_trip(tmp_path: Path, materials: list) -> None:
    with Database.open(tmp_path / "a.db") as database:
        store = MaterialStore(database)
        store.add(materials)
        files = exchange.export_csv(store, tmp_path / "out" / "materials.csv")
    assert len(files) == 7
    assert exchange.read_csv(tmp_path / "out" / "materials.csv") == materials


def test_xlsx_round_trip_into_a_second_database(tmp_path: Path, materials: list) -> None:
    with Database.open(tmp_path / "a.db") as database:
        store = MaterialStore(database)
        store.add(materials)
        exchange.export_xlsx(store, tmp_path / "db.xlsx")
    with Database.open(tmp_path / "b.db") as database:
        store = MaterialStore(database)
        store.add(exchange.read_xlsx(tmp_path / "db.xlsx"))
        assert store.load() == materials


def test_csv_with_wrong_header_is_refused(tmp_path: Path, materials: list) -> None:
    path = tmp_path / "m.csv"
    for table in exchange.to_tables(materials):
        write_csv(table, exchange.csv_paths(path)[table.title])
    exchange.csv_paths(path)["records"].write_text("material,label\n", encoding="utf-8")
    with pytest.raises(MalformedFileError, match=r"m-records\.csv.*allowed: material, record"):
        exchange.read_csv(path)


def test_matml_is_well_formed_with_units(materials: list) -> None:
    root = ET.fromstring(matml_document([m for m in materials if m.name in
                                         ("C10100", "CuCr1Zr test")]))
    assert root.tag == "MatML_Doc" and len(root.findall("Material")) == 2
    details = {d.get("id"): (d.findtext("Name"), d.find("Units").get("name"))
               for d in root.iter("PropertyDetails")}
    data = root.find("Material/BulkDetails")
    assert data.findtext("Name") == "C10100"
    kappa = [p for p in data.findall("PropertyData")
             if details[p.get("property")] == ("thermal_conductivity", "W/(m K)")]
    assert kappa and float(kappa[0].findtext("Data")) == 394.0
    curve = root.findall("Material")[1].find("BulkDetails/PropertyData[@property]/"
                                              "ParameterValue[@format='float']")
    assert curve is not None and curve.findtext("Data") == "293.0,473.0"
    assert {e.findtext("Symbol") for e in root.iter("Element")} == {"Cr", "Zr"}
