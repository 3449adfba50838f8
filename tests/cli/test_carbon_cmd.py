"""``valueloop carbon`` in-process on the shipped data: JSON parsed, CSV read, workbooks opened.

Expected footprints come from the model itself, evaluated here through the engine.
"""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

from valueloop.cli import run
from valueloop.core.sampling import baseline_inputs
from valueloop.core.scenario import load_scenario
from valueloop.models.registry import get_model

ROUTES = ["hydromet", "pyromet", "bioleach", "recycling"]
TITLES = ("Footprint by route", "Scope 2 electricity", "Carbon cost by route", "CBAM WHAT-IF",
          "Battery contribution")


def invoke(capsys: pytest.CaptureFixture[str], *argv: str | Path,
           expect: int = 0) -> tuple[str, str]:
    status = run(["carbon", *(str(a) for a in argv)])
    out, err = capsys.readouterr()
    assert status == expect, f"exit {status} (expected {expect})\nstdout:\n{out}\nstderr:\n{err}"
    assert "Traceback" not in err
    return out, err


def tables_of(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> list[dict[str, Any]]:
    out, _ = invoke(capsys, *argv, "--json")
    payload = json.loads(out)
    assert isinstance(payload, list)
    return payload


def table(tables: list[dict[str, Any]], prefix: str) -> dict[str, Any]:
    (found,) = [t for t in tables if t["title"].startswith(prefix)]
    return found


def rows(found: dict[str, Any], **keys: Any) -> list[dict[str, Any]]:
    return [r for r in found["rows"] if all(r[k] == v for k, v in keys.items())]


def footprints(tables: list[dict[str, Any]]) -> np.ndarray:
    found = table(tables, "Footprint by route")
    return np.array([rows(found, route=r, per="t Co")[0]["total"] for r in ROUTES])


def test_json_has_the_tables_and_columns_and_the_models_footprint(
        capsys: pytest.CaptureFixture[str]) -> None:
    tables = tables_of(capsys)
    assert [t["title"].split(",")[0].split(" (")[0] for t in tables] == [
        "Footprint by route and component", "Scope 2 electricity by route",
        "Carbon cost by route at 60 CNY/tCO2e", "CBAM WHAT-IF by year",
        "Battery contribution by route and chemistry"]
    footprint = table(tables, "Footprint by route")
    assert footprint["columns"] == ["route", "per", "electricity", "steam", "fuels", "reagents",
                                    "process", "waste_treatment", "transport", "total"]
    assert footprint["units"]["total"] == "tCO2e/t"
    assert table(tables, "Scope 2")["columns"][2:6] == ["green_share", "electricity",
                                                        "ef_location", "ef_market"]
    assert table(tables, "CBAM")["columns"][-1] == "cost"
    scenario = load_scenario("valueloop:cobalt-process-routes")
    baseline = get_model(scenario.model)(baseline_inputs(scenario), 1)
    np.testing.assert_allclose(footprints(tables), baseline["footprint"][0], rtol=1e-12)
    product = [rows(footprint, route=r, per="t product")[0]["total"] for r in ROUTES]
    np.testing.assert_allclose(product, baseline["footprint_product"][0], rtol=1e-12)


def test_samples_add_bands(capsys: pytest.CaptureFixture[str]) -> None:
    found = table(tables_of(capsys, "-n", "200", "--seed", "1"), "Footprint by route")
    assert found["columns"][-3:] == ["p10", "p50", "p90"]
    assert "200 samples" in found["title"]
    for row in found["rows"]:
        assert row["p10"] <= row["p50"] <= row["p90"]


def test_full_green_share_zeroes_market_based_electricity(
        capsys: pytest.CaptureFixture[str]) -> None:
    tables = tables_of(capsys, "--green-share", "1")
    scope2 = table(tables, "Scope 2")
    for row in scope2["rows"]:
        assert row["market_based"] == 0.0
        assert row["ef_market"] == 0.0
        assert row["location_based"] > 0.0
    breakdown = table(tables, "Footprint by route")
    assert all(row["electricity"] == 0.0 for row in breakdown["rows"])
    assert any("green share 1" in note for note in breakdown["notes"])


def test_sichuan_is_cleaner_than_hebei(capsys: pytest.CaptureFixture[str]) -> None:
    sichuan = tables_of(capsys, "--province", "Sichuan")
    hebei = tables_of(capsys, "--province", "CN-HE")
    assert np.all(footprints(sichuan) < footprints(hebei))
    grid = table(sichuan, "Grid emission factors of Sichuan")
    assert rows(grid, code="CN-SC", year=2022)[0]["value"] == pytest.approx(0.1404)


def test_cbam_table_is_labelled_what_if_and_rises_to_2034(
        capsys: pytest.CaptureFixture[str]) -> None:
    for schedule in ("adopted", "proposal"):
        cbam = table(tables_of(capsys, "--cbam-schedule", schedule, "--cbam-price", "90"),
                     "CBAM WHAT-IF")
        assert schedule in cbam["title"] and "90 EUR/tCO2e" in cbam["title"]
        assert any(note.startswith("cobalt_hydroxide (direct): WHAT-IF")
                   for note in cbam["notes"])
        for good in ("cobalt_hydroxide", "copper_cathode"):
            cost = {r["year"]: r["cost"] for r in rows(cbam, good=good, emission_scope="direct")}
            assert cost[2034] >= cost[2026] > 0.0


def test_energy_adds_the_benchmark_tables(capsys: pytest.CaptureFixture[str]) -> None:
    tables = tables_of(capsys, "--energy")
    assert len(tables) == 10
    path = table(tables, "Energy target path")
    assert [r["year"] for r in path["rows"]] == list(range(2024, 2031))
    assert table(tables, "Marginal abatement cost curve")["units"]["mac_cny_per_tco2e"] == (
        "CNY/tCO2e")


def test_files_one_sheet_per_table_csv_per_table_and_parseable_svg(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    tables = tables_of(capsys, "--province", "Guangxi")
    out, _ = invoke(capsys, "--province", "Guangxi", "--xlsx", tmp_path / "carbon.xlsx",
                    "--csv", tmp_path / "carbon.csv", "--chart", tmp_path / "carbon.svg")
    assert "Footprint by route" in out and "wrote" in out
    workbook = openpyxl.load_workbook(tmp_path / "carbon.xlsx")
    assert len(workbook.sheetnames) == len(tables) == 6
    for sheet, expected in zip(workbook.worksheets, tables, strict=True):
        header = list(next(sheet.iter_rows(min_row=1, max_row=1, values_only=True)))
        assert header == expected["columns"]
    for index, expected in enumerate(tables, start=1):
        with (tmp_path / f"carbon-{index}.csv").open(encoding="utf-8", newline="") as stream:
            reader = csv.DictReader(stream)
            assert reader.fieldnames == expected["columns"]
            assert len(list(reader)) == len(expected["rows"])
    for name in ("footprint", "cbam"):
        root = ET.parse(tmp_path / f"carbon-{name}.svg").getroot()
        assert root.tag.endswith("svg")
    assert not (tmp_path / "carbon.svg").exists()
    assert not list(tmp_path.glob(".*.tmp"))


def test_energy_charts_are_written_too(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    invoke(capsys, "--energy", "--json", "--chart", tmp_path / "c.svg")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["c-cbam.svg", "c-energy-mac.svg", "c-energy-path.svg", "c-footprint.svg"]
    for path in tmp_path.iterdir():
        assert ET.parse(path).getroot().tag.endswith("svg")


@pytest.mark.parametrize(("argv", "needles"), [
    (("--province", "Atlantis"), ("OptionError", "--province", "Atlantis", "Sichuan")),
    (("--green-share", "1.5"), ("--green-share", "[0, 1]")),
    (("--cbam-schedule", "maybe"), ("--cbam-schedule", "adopted, proposal")),
    (("--carbon-price", "-5"), ("--carbon-price",)),
    (("--chart", "chart.png"), ("--chart", ".svg")),
    (("--override", "no-such-override"), ("no-such-override", "green-power-hydromet")),
    (("--scenario", "valueloop:cobalt-cn-2024-ch1"), ("scenario.model", "cobalt-process-routes")),
])
def test_bad_options_exit_2_with_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                          argv: tuple[str, ...],
                                          needles: tuple[str, ...]) -> None:
    _, err = invoke(capsys, *argv, "--xlsx", tmp_path / "x.xlsx", expect=2)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for needle in needles:
        assert needle in lines[0]
    assert not list(tmp_path.iterdir())  # nothing written
