"""Importers on the real shipped data, with the dataset facts as oracles."""

from __future__ import annotations

from pathlib import Path

import pytest

from valueloop.core.errors import MalformedFileError
from valueloop.materials.importers import GORSSE_FILE, read_gorsse, read_grades, shipped_path

SHARED_GORSSE = (Path(__file__).resolve().parents[3] / "shared" / "data"
                 / "cu-alloys-gorsse2023" / "cu_alloys_gorsse2023.csv")


def gorsse_file() -> Path:
    path = shipped_path(GORSSE_FILE) or (SHARED_GORSSE if SHARED_GORSSE.is_file() else None)
    if path is None:
        pytest.skip("Gorsse 2023 dataset neither shipped nor in ../shared")
    return path


def test_grades_match_the_reference_table() -> None:
    grades = {m.name: m for m in read_grades()}
    assert len(grades) == 15  # README: 15 UNS grades, 143 rows
    rows = [p for m in grades.values() for r in m.records for p in r.properties
            if not (p.notes or "").startswith("read from the note")]
    assert len(rows) == 143
    c10100 = grades["C10100"]
    assert {(d.system, d.code) for d in c10100.designations} == {("UNS", "C10100"),
                                                                 ("EN", "CW009A")}
    kappa = [p for r in c10100.records for p in r.properties if p.name == "thermal_conductivity"]
    assert kappa[0].value == 394  # CDA fact sheet, Table 5
    assert all(p.source for m in grades.values() for r in m.records for p in r.properties)


def test_gorsse_records_and_processing() -> None:
    alloys = read_gorsse(gorsse_file())
    records = [r for m in alloys for r in m.records]
    assert len(records) == 1831  # Gorsse et al. 2023: 1831 records
    ec = [p for r in records for p in r.properties if p.name == "electrical_conductivity"]
    assert len(ec) == 1826  # EC n=1826 (reference note, section 0)
    first = alloys[0].records[1]
    assert [s.kind for s in first.processing] == ["solution_treatment", "ageing"]
    assert first.processing[1].temperature_k == 673.0
    assert all(p.source.startswith("http") and p.origin == "measured" for p in ec)


def test_bad_number_names_file_line_and_column(tmp_path: Path) -> None:
    text = gorsse_file().read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([text[0], text[1].replace(",1223.0,", ",hot,", 1)]) + "\n",
                   encoding="utf-8")
    with pytest.raises(MalformedFileError, match=r"bad.csv:2: Tss \(K\)"):
        read_gorsse(bad)
    missing = tmp_path / "missing.csv"
    missing.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(MalformedFileError, match="missing columns"):
        read_gorsse(missing)


def test_elongations_stated_in_a_sources_note_become_properties() -> None:
    grades = {m.name: m for m in read_grades()}
    annealed = next(r for r in grades["C10200"].records if r.label == "O (strip, annealed)")
    elongation = [p for p in annealed.properties if p.name == "elongation"]
    # Smithells 8th ed. Table 22.7, as quoted in the row's note: "El 48 %"
    assert [(p.value, p.unit) for p in elongation] == [(48.0, "%")]
    assert elongation[0].source.startswith("Smithells") and "El 48 %" in elongation[0].notes
    counts = [sum(p.name == "elongation" for p in r.properties)
              for m in grades.values() for r in m.records]
    assert max(counts) == 1 and sum(counts) == 6
