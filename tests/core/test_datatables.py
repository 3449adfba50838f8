"""Shipped reference tables: they load, every row has a source, values match upstream, and
corrupt copies fail with errors that name the file, row and column."""

from __future__ import annotations

import csv
import importlib.util
import io
import math
import shutil
from collections import defaultdict
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from valueloop.core.datatables import (
    DataTable,
    load_table,
    read_table,
    shipped_tables,
    table_citations,
    table_spec,
)
from valueloop.core.errors import MalformedFileError, MissingSourceError, UserInputError
from valueloop.core.sources import shipped_documents

ROOT = Path(__file__).resolve().parents[2]
TABLES = Path(str(resources.files("valueloop.data") / "tables"))
SHARED_DATA = ROOT.parent / "shared" / "data"

# The README's stated tolerances for shares of a whole.
MOBILE_SHARE_TOLERANCE = 0.002 + 1e-9
STATIONARY_SHARE_TOLERANCE = 1e-9


@pytest.fixture(scope="module", params=shipped_tables())
def table(request: pytest.FixtureRequest) -> DataTable:
    return load_table(request.param)


# --- every table -------------------------------------------------------------------------------


def test_every_csv_in_the_folder_is_a_shipped_table() -> None:
    assert sorted(p.stem for p in TABLES.glob("*.csv")) == sorted(shipped_tables())
    for licence in ("LICENSE-premise", "LICENSE-Critical-Minerals-EV", "ATTRIBUTION-IEA"):
        assert (TABLES / licence).is_file()
    readme = (TABLES / "README.md").read_text("utf-8")
    for name in shipped_tables():
        assert f"`{name}.csv`" in readme


def test_table_loads_with_rows_units_and_one_citation_per_row(table: DataTable) -> None:
    assert len(table) > 0
    assert len(table.citations) == len(table.rows)
    assert all(len(row) == len(table.columns) for row in table.rows)
    for value_column, unit_column in table.value_units:
        assert np.isfinite(table.array(value_column)).all()
        assert all(isinstance(unit, str) and unit for unit in table.column(unit_column))


def test_every_row_cites_a_known_document_or_gives_a_reason(table: DataTable) -> None:
    documents = shipped_documents()
    for citation in table.citations:
        if citation.document:
            assert citation.document in documents
        else:
            assert citation.assumption and citation.assumption.strip()


def test_rows_are_identified_by_their_key(table: DataTable) -> None:
    items = [table.item(i) for i in range(len(table))]
    assert len(set(items)) == len(items)


def test_loaded_tables_are_cached_and_immutable() -> None:
    first = load_table("ev_sales")
    assert load_table("ev_sales") is first
    with pytest.raises(AttributeError):
        first.rows = ()  # type: ignore[misc]
    array = first.array("value")
    array[:] = 0.0  # a fresh array each call: changing it changes nothing shipped
    assert load_table("ev_sales").array("value").max() > 0


def test_unknown_table_name_lists_the_shipped_ones() -> None:
    with pytest.raises(UserInputError, match="no shipped table") as info:
        load_table("no_such_table")
    assert "ev_sales" in str(info.value)


def test_table_citations_cover_every_row_of_every_table() -> None:
    citations = table_citations()
    total = sum(len(load_table(name)) for name in shipped_tables())
    assert len(citations.rows) == total
    records = citations.records()
    for name in shipped_tables():
        rows = [r for r in records if r["table"] == name]
        assert [r["row"] for r in rows] == list(range(1, len(load_table(name)) + 1))
    assert all(r["document"] or r["assumption"] for r in records)
    assumed = [r for r in records if r["assumption"]]
    assert citations.notes == (f"{len(assumed)} of {total} table rows carry an assumption, "
                               "with its reason.",)


# --- spot values against the upstream files ----------------------------------------------------


def test_iea_world_bev_car_sales_2023() -> None:
    sales = load_table("ev_sales")
    value = sales.value("value", region="World", category="Historical", mode="Cars",
                        powertrain="BEV", year=2023)
    assert value == pytest.approx(9.5e6, rel=0.01)
    assert sales.value("value", region="World", category="Historical", mode="Cars",
                       powertrain="PHEV", year=2023) == pytest.approx(4.3e6, rel=0.01)
    assert sales.value("value", region="China", category="Historical", mode="Cars",
                       powertrain="BEV", year=2023) == pytest.approx(5.4e6, rel=0.01)
    assert set(sales.column("unit")) == {"vehicle"}
    assert min(sales.where(category="Historical").column("year")) == 2015
    assert sorted(set(sales.where(category="Projection-STEPS").column("year"))) == [
        2020, 2021, 2022, 2023, 2025, 2030, 2035]


def test_iea_attribution_is_kept() -> None:
    document = shipped_documents()["iea-gevo-2024-ev-data"]
    attribution = ("IEA (2024), Global EV Outlook 2024 – Global EV Data Explorer, IEA, Paris. "
                   "Licence: CC BY 4.0")
    assert attribution in (document.licence or "")
    assert attribution in (TABLES / "ATTRIBUTION-IEA").read_text("utf-8").replace("\n", " ")


def test_premise_shares_match_upstream() -> None:
    shares = load_table("battery_chemistry_shares")
    assert shares.value("share", use="mobile", scenario="MIX", chemistry="NMC811",
                        year=2025) == 0.364
    assert shares.value("share", use="mobile", scenario="MIX", chemistry="LFP",
                        year=2030) == pytest.approx(0.380, abs=5e-4)
    assert len(shares.where(use="mobile")) == 1160
    assert len(shares.where(use="stationary")) == 574
    assert shares.citation(use="mobile", scenario="MIX", chemistry="NMC811",
                           year=2025).document == "degen-2023"
    assert shares.citation(use="stationary", scenario="cont", chemistry="LFP",
                           year=2030).document == "schlichenmaier-naegler-2022"


@pytest.mark.parametrize(("use", "tolerance"), [("mobile", MOBILE_SHARE_TOLERANCE),
                                                 ("stationary", STATIONARY_SHARE_TOLERANCE)])
def test_shares_sum_to_one_per_use_scenario_and_year(use: str, tolerance: float) -> None:
    sums: dict[tuple[object, object], float] = defaultdict(float)
    for record in load_table("battery_chemistry_shares").where(use=use):
        sums[(record["scenario"], record["year"])] += float(record["share"])  # type: ignore[arg-type]
    assert sums
    worst = max(abs(total - 1.0) for total in sums.values())
    assert worst <= tolerance


def test_batpac_intensities_match_upstream() -> None:
    intensity = load_table("battery_mineral_intensity")
    cobalt = {row["chemistry_id"]: row["kg_per_kwh"] for row in intensity.where(mineral="Cobalt")}
    assert cobalt["NMC111"] == pytest.approx(0.341, abs=5e-4)
    assert cobalt["NMC811"] == pytest.approx(0.0826, abs=5e-5)
    assert cobalt["NCA"] == pytest.approx(0.134, abs=5e-4)
    assert cobalt["LFP"] == 0.0
    assert intensity.value("kg_per_kwh", chemistry_id="LFP", mineral="Copper") == pytest.approx(
        0.551, abs=5e-4)
    assert "Battery_MWh" not in intensity.column("mineral")
    assert {"Cobalt", "Nickel", "Lithium", "Manganese"} <= set(intensity.column("mineral"))
    assert intensity.citation(chemistry_id="NMC111", mineral="Cobalt").document == (
        "busch-critical-minerals-ev")


def test_lco_and_lmfp_rows_are_assumptions_with_their_arithmetic() -> None:
    intensity = load_table("battery_mineral_intensity")
    lco = intensity.value("kg_per_kwh", chemistry_id="LCO", mineral="Cobalt")
    # LiCoO2 stoichiometry: Co/M x 1000 / (155 mAh/g x 3.8 V)
    expected = 58.933 / (6.94 + 58.933 + 2 * 15.999) * 1000.0 / (155.0 * 3.8)
    assert lco == pytest.approx(expected, rel=1e-3)
    assert 0.8 < lco < 1.2
    assert intensity.value("kg_per_kwh", chemistry_id="LMFP", mineral="Cobalt") == 0.0
    assert intensity.value("kg_per_kwh", chemistry_id="LMFP", mineral="Nickel") == 0.0
    for chemistry in ("LCO", "LMFP"):
        for citation in intensity.where(chemistry_id=chemistry).citations:
            assert citation.is_assumption
            assert "BatPaC has no" in (citation.assumption or "")
            assert citation.note
    note = intensity.citation(chemistry_id="LCO", mineral="Cobalt").note or ""
    assert "155 mAh/g x 3.8 V" in note and "1.022 kg Co/kWh" in note


def test_cobalt_production_anchors() -> None:
    mines = load_table("cobalt_mine_production").where(series="USGS MCS")
    mcs2025 = mines.where(document="usgs-mcs-2025")
    world = mcs2025.value("value", measure="mine_production", country_code="WORLD", year=2024)
    drc = mcs2025.value("value", measure="mine_production", country_code="COD", year=2024)
    assert world == 290_000
    assert drc == 220_000
    assert drc / world == pytest.approx(0.76, abs=0.005)
    assert mcs2025.value("value", measure="reserves", country_code="WORLD", year=2024) == 11e6
    assert mcs2025.value("value", measure="reserves", country_code="COD", year=2024) == 6e6
    assert set(mines.column("unit")) == {"t"}
    # every hand-transcribed figure names the page it was read on
    table = load_table("cobalt_mine_production")
    assert all(str(url).startswith("https://") for url in table.column("source_url"))


def test_drc_export_measures() -> None:
    measures = load_table("drc_export_measures")
    assert measures.value("quantity", measure="quota-2025q4") == 18_125
    assert measures.value("quantity", measure="quota-2026") == 96_600
    assert measures.value("quantity", measure="quota-2027") == 96_600
    parts = measures.where(part_of="quota-2026").array("quantity")
    assert parts.sum() == 96_600  # 87,000 base + 9,600 strategic
    months = measures.where(part_of="quota-2025q4").array("quantity")
    assert months.sum() == 18_125
    first = measures.where(measure="suspension-2025-initial").records()[0]
    assert first["start"] == "2025-02-22" and first["kind"] == "suspension"
    assert measures.where(measure="suspension-2025-extension-2").records()[0]["end"] == (
        "2025-10-15")
    assert measures.where(kind="carry_over").records()[0]["end"] == "2026-03-31"
    assert measures.value("quantity", measure="strategic-reserve") == 10
    assert "004/ARECOMS/2025" in (measures.citation(measure="quota-2026").section or "")
    assert all(str(url).startswith("https://") for url in measures.column("source_url"))


def test_eu_battery_regulation_figures() -> None:
    eu = load_table("eu_battery_regulation")
    content = eu.where(provision="recycled_content_min")
    expected = {("Co", "2031-08-18"): 0.16, ("Co", "2036-08-18"): 0.26,
                ("Li", "2031-08-18"): 0.06, ("Li", "2036-08-18"): 0.12,
                ("Ni", "2031-08-18"): 0.06, ("Ni", "2036-08-18"): 0.15,
                ("Pb", "2031-08-18"): 0.85, ("Pb", "2036-08-18"): 0.85}
    for (metal, date), share in expected.items():
        assert content.value("share", metal_or_scope=metal, applies_from=date) == share
    recovery = eu.where(provision="material_recovery_target")
    for metal in ("Co", "Cu", "Ni", "Pb"):
        assert recovery.value("share", metal_or_scope=metal, applies_from="2027-12-31") == 0.90
        assert recovery.value("share", metal_or_scope=metal, applies_from="2031-12-31") == 0.95
    assert recovery.value("share", metal_or_scope="Li", applies_from="2027-12-31") == 0.50
    assert recovery.value("share", metal_or_scope="Li", applies_from="2031-12-31") == 0.80
    efficiency = eu.where(provision="recycling_efficiency_target",
                          metal_or_scope="lithium-based batteries")
    assert efficiency.value("share", applies_from="2025-12-31") == 0.65
    assert efficiency.value("share", applies_from="2030-12-31") == 0.70


def test_grid_factors_cover_the_countries_the_outlook_needs() -> None:
    grid = load_table("grid_emission_factors")
    average = grid.where(factor_kind="average")
    for code in ("CHN", "COD", "ZMB", "IDN", "FIN", "JPN", "KOR", "DEU", "EU", "WORLD"):
        assert len(average.where(region_code=code)) == 1, code
    assert average.value("value", region_code="COD") == 27.04
    assert average.where(region_code="COD").records()[0]["data_year"] == 2023
    ifi = grid.where(document="ifi-default-grid-factors-2021-v3.1")
    assert ifi.value("value", region_code="CHN", factor_kind="combined_margin_firm") == 485
    assert ifi.value("value", region_code="CHN", factor_kind="operating_margin") == 899
    assert ifi.value("value", region_code="IDN", factor_kind="combined_margin_intermittent") == 743
    assert all(grid.column("scope"))


# --- corrupt copies --------------------------------------------------------------------------


def _corrupt(tmp_path: Path, name: str, edit: Callable[[list[list[str]]], None]) -> Path:
    """A copy of a shipped table with ``edit`` applied to its parsed rows (header first)."""
    with (TABLES / f"{name}.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    edit(rows)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path = tmp_path / f"{name}.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _set(rows: list[list[str]], row: int, column: str, value: str) -> None:
    rows[row][rows[0].index(column)] = value


def test_an_unchanged_copy_reads_like_the_shipped_table(tmp_path: Path) -> None:
    shutil.copy(TABLES / "drc_export_measures.csv", tmp_path / "drc_export_measures.csv")
    copy = read_table(tmp_path / "drc_export_measures.csv")
    assert copy.rows == load_table("drc_export_measures").rows


def test_a_number_that_does_not_parse_names_file_row_and_column(tmp_path: Path) -> None:
    path = _corrupt(tmp_path, "ev_sales", lambda rows: _set(rows, 3, "value", "9.5 million"))
    with pytest.raises(MalformedFileError, match="is not a number") as info:
        read_table(path)
    error = info.value
    assert error.file == path and error.line == 4
    assert error.item == "row 3, column 'value'"
    assert str(path) in str(error)


def test_a_non_finite_number_is_refused(tmp_path: Path) -> None:
    path = _corrupt(tmp_path, "battery_chemistry_shares",
                    lambda rows: _set(rows, 10, "share", "nan"))
    with pytest.raises(MalformedFileError, match="not a finite number") as info:
        read_table(path)
    assert info.value.item == "row 10, column 'share'"


def test_a_unit_that_does_not_parse_or_has_the_wrong_dimension(tmp_path: Path) -> None:
    path = _corrupt(tmp_path, "battery_mineral_intensity",
                    lambda rows: _set(rows, 5, "unit", "kg/flubber"))
    with pytest.raises(MalformedFileError, match="not a known unit") as info:
        read_table(path)
    assert (info.value.line, info.value.item) == (6, "row 5, column 'unit'")
    path = _corrupt(tmp_path, "battery_mineral_intensity",
                    lambda rows: _set(rows, 7, "unit", "kg/t"))
    with pytest.raises(MalformedFileError, match="wrong dimension") as info:
        read_table(path)
    assert info.value.item == "row 7, column 'unit'"


def test_an_unknown_document_is_a_missing_source(tmp_path: Path) -> None:
    path = _corrupt(tmp_path, "cobalt_mine_production",
                    lambda rows: _set(rows, 2, "document", "usgs-mcs-1999"))
    with pytest.raises(MissingSourceError, match="unknown document 'usgs-mcs-1999'") as info:
        read_table(path)
    assert (info.value.line, info.value.item) == (3, "row 2, column 'document'")


def test_a_row_without_document_or_assumption_is_a_missing_source(tmp_path: Path) -> None:
    def strip_source(rows: list[list[str]]) -> None:
        _set(rows, 4, "document", "")
        _set(rows, 4, "assumption", "   ")

    path = _corrupt(tmp_path, "grid_emission_factors", strip_source)
    with pytest.raises(MissingSourceError, match="neither a document nor an assumption") as info:
        read_table(path)
    assert info.value.line == 5 and "row 4" in (info.value.item or "")


def test_a_row_with_only_an_assumption_is_accepted(tmp_path: Path) -> None:
    def assume(rows: list[list[str]]) -> None:
        _set(rows, 1, "document", "")
        _set(rows, 1, "assumption", "our own estimate, for the test")

    table = read_table(_corrupt(tmp_path, "eu_battery_regulation", assume))
    assert table.citations[0].is_assumption


def test_a_missing_required_column_names_it(tmp_path: Path) -> None:
    def drop_unit(rows: list[list[str]]) -> None:
        index = rows[0].index("unit")
        for row in rows:
            del row[index]

    path = _corrupt(tmp_path, "eu_battery_regulation", drop_unit)
    with pytest.raises(MalformedFileError, match="lacks column") as info:
        read_table(path)
    assert info.value.line == 1 and "unit" in str(info.value)


def test_other_malformed_cells(tmp_path: Path) -> None:
    cases: list[tuple[str, int, str, str, str]] = [
        ("drc_export_measures", 2, "start", "22/02/2025", "is not a date"),
        ("drc_export_measures", 3, "kind", "ban", "has 'ban'"),
        ("ev_sales", 1, "year", "2015.5", "not a whole number"),
        ("cobalt_mine_production", 1, "country", "", "is empty"),
        ("eu_battery_regulation", 1, "year_published", "1066", "greater than or equal to 1800"),
    ]
    for name, row, column, value, message in cases:
        path = _corrupt(tmp_path, name, lambda rows, r=row, c=column, v=value: _set(rows, r, c, v))
        with pytest.raises(MalformedFileError, match=message) as info:
            read_table(path)
        assert info.value.item == f"row {row}, column {column!r}", (name, column)
        assert info.value.line == row + 1


def test_ragged_rows_and_empty_files(tmp_path: Path) -> None:
    path = _corrupt(tmp_path, "drc_export_measures", lambda rows: rows[5].append("extra"))
    with pytest.raises(MalformedFileError, match="row 5 has 14 cells") as info:
        read_table(path)
    assert info.value.line == 6
    empty = tmp_path / "ev_sales.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(MalformedFileError, match="is empty"):
        read_table(empty)
    empty.write_text(",".join(c.name for c in table_spec("ev_sales").all_columns
                              if c.name != "source_url") + "\n", encoding="utf-8")
    with pytest.raises(MalformedFileError, match="no rows"):
        read_table(empty)


# --- re-derivation from shared/data ---------------------------------------------------------


def _build_script(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(ROOT / "tools"))  # the script imports its sibling helper
    spec = importlib.util.spec_from_file_location("build_tables", ROOT / "tools" /
                                                  "build_tables.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="shared/data is not next to the repository")
def test_derived_tables_are_reproduced_from_shared_data(monkeypatch: pytest.MonkeyPatch) -> None:
    build = _build_script(monkeypatch)
    from shipping import differences

    files = build.build(SHARED_DATA)
    assert set(files) >= {"ev_sales.csv", "battery_chemistry_shares.csv",
                          "battery_mineral_intensity.csv", "LICENSE-premise",
                          "LICENSE-Critical-Minerals-EV"}
    assert differences(files, TABLES) == []


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="shared/data is not next to the repository")
def test_copied_values_are_verbatim_upstream_text() -> None:
    with (SHARED_DATA / "battery-mineral-intensity" / "BatPac.csv").open(
            encoding="utf-8", newline="") as stream:
        upstream = {(r["chemistry"], r["Mineral"]): r["kg_per_kwh"] for r in csv.DictReader(stream)}
    with (TABLES / "battery_mineral_intensity.csv").open(encoding="utf-8", newline="") as stream:
        shipped = [r for r in csv.DictReader(stream) if r["document"]]
    assert len(shipped) == 210
    for row in shipped:
        assert row["kg_per_kwh"] == upstream[(row["chemistry"], row["mineral"])]
        assert math.isfinite(float(row["kg_per_kwh"]))
