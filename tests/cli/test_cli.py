"""Every ``valueloop`` command on the shipped data, through ``valueloop.cli.run``.

Each test checks what the command says or writes, not only its exit status: JSON is parsed,
CSV files are read with :mod:`csv` and workbooks with openpyxl.
"""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from valueloop.cli import run
from valueloop.core.scenario import load_definition
from valueloop.models.registry import get_model
from valueloop.reports.cobalt_outlook import shipped_claims_path

SHIPPED = "valueloop:cobalt-cn-2024-ch1"
CLAIMS_COLUMNS = ["claim_id", "section", "quantity", "stated", "computed", "unit", "rel_diff",
                  "verdict"]
KNOWN_CONTRADICTION = "1.1-precursor-hydroxide-demand"


def invoke(capsys: pytest.CaptureFixture[str], *argv: str | Path,
           expect: int = 0) -> tuple[str, str]:
    """Run the CLI in-process; check the exit status and return (stdout, stderr)."""
    status = run([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert status == expect, f"exit {status} (expected {expect})\nstdout:\n{out}\nstderr:\n{err}"
    assert "Traceback" not in err
    return out, err


def invoke_json(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> Any:
    out, _ = invoke(capsys, *argv, "--json")
    return json.loads(out)


def rows_by(table: dict[str, Any], key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in table["rows"]}


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        return list(reader.fieldnames or ()), list(reader)


def header_of(sheet: Any) -> list[Any]:
    return list(next(sheet.iter_rows(min_row=1, max_row=1, values_only=True)))


def claims_file() -> Path:
    return shipped_claims_path("cobalt-ch1.toml")


# --- sources and models ------------------------------------------------------------------------


def test_sources_lists_the_seed_report_items(capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = invoke(capsys, "sources")
    assert "Sources of shipped parameters" in out
    assert "seed-004" in out
    assert "cobalt-cn-2024-ch1" in out


def test_sources_json_has_a_row_per_cited_item(capsys: pytest.CaptureFixture[str]) -> None:
    table = invoke_json(capsys, "sources")
    assert table["columns"][:2] == ["scenario", "item"]
    assert table["rows"], "no rows"
    cobalt = {row["item"]: row for row in table["rows"] if row["scenario"] == "cobalt-cn-2024-ch1"}
    # Every parameter of the shipped cobalt scenario says where it comes from.
    assert set(load_definition(SHIPPED).parameters) <= set(cobalt)
    assert cobalt["cobalt.hydroxide.capacity_2024"]["document"] == "seed-004"
    assert cobalt["cobalt.hydroxide.capacity_2024"]["section"] == "1.1"
    assert cobalt["cobalt.hydroxide.capacity_2024"]["assumption"]  # the +-5 % range is ours


def test_sources_documents(capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = invoke(capsys, "sources", "--documents")
    assert "Shipped documents" in out and "seed-004" in out
    table = invoke_json(capsys, "sources", "--documents")
    documents = rows_by(table, "id")
    assert "seed-004" in documents
    assert documents["seed-004"]["year"] == 2025
    assert documents["seed-004"]["title"]


def test_sources_csv_and_xlsx_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    csv_path, xlsx_path = tmp_path / "sources.csv", tmp_path / "sub" / "sources.xlsx"
    invoke(capsys, "sources", "--csv", csv_path, "--xlsx", xlsx_path)
    table = invoke_json(capsys, "sources")

    columns, rows = read_csv(csv_path)
    assert columns == table["columns"]
    assert len(rows) == len(table["rows"])
    assert {row["item"] for row in rows} == {row["item"] for row in table["rows"]}
    assert any(row["document"] == "seed-004" for row in rows)

    workbook = openpyxl.load_workbook(xlsx_path)
    assert len(workbook.sheetnames) == 1
    sheet = workbook[workbook.sheetnames[0]]
    assert header_of(sheet) == table["columns"]
    items = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "cobalt.price.hydroxide_2024" in items


def test_models_lists_the_shipped_models(capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = invoke(capsys, "models")
    for name in ("cobalt-balance", "ishigami", "sobol-g"):
        assert name in out
    models = rows_by(invoke_json(capsys, "models"), "model")
    cobalt = get_model("cobalt-balance")
    assert models["cobalt-balance"]["parameters"] == len(cobalt.parameters)
    assert models["cobalt-balance"]["outputs"] == len(cobalt.outputs)
    assert models["ishigami"]["parameters"] == 3


def test_models_one_model(capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = invoke(capsys, "models", "cobalt-balance")
    assert "cobalt-balance: parameters" in out and "cobalt-balance: outputs" in out
    parameters, outputs = invoke_json(capsys, "models", "cobalt-balance")
    by_name = rows_by(parameters, "parameter")
    assert len(by_name) == len(get_model("cobalt-balance").parameters)
    assert by_name["cobalt.price.hydroxide_2024"]["unit"] == "CNY/t"
    assert by_name["cobalt.hydroxide.production"]["shape"] == "series"
    assert by_name["cobalt.hydroxide.co_content"]["bounds"] == "[0, 1]"
    declared = rows_by(outputs, "output")
    assert declared["imports_growth"]["axes"] == "report_year"
    assert declared["cash_margin"]["axes"] == ""


# --- scenario ----------------------------------------------------------------------------------

CHECK_LINE = re.compile(r"ok: (\S+) for model cobalt-balance: (\d+) parameters \((\d+) uncertain\)")


def test_scenario_check_shipped(capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = invoke(capsys, "scenario", "check", SHIPPED)
    match = CHECK_LINE.search(out)
    assert match, out
    assert match.group(1) == "cobalt-cn-2024-ch1"
    assert int(match.group(2)) == len(get_model("cobalt-balance").parameters)
    assert "overrides: low-price" in out

    out, _ = invoke(capsys, "scenario", "check", SHIPPED, "--override", "low-price")
    with_override = CHECK_LINE.search(out)
    assert with_override, out
    assert with_override.group(1) == "cobalt-cn-2024-ch1/low-price"
    # The override fixes the price, so one uncertain input fewer.
    assert int(with_override.group(3)) == int(match.group(3)) - 1


def test_scenario_show_json_in_model_units(capsys: pytest.CaptureFixture[str]) -> None:
    table = invoke_json(capsys, "scenario", "show", SHIPPED)
    parameters = rows_by(table, "parameter")
    assert len(parameters) == len(get_model("cobalt-balance").parameters)
    price = parameters["cobalt.price.hydroxide_2024"]
    assert price["unit"] == "CNY/t"
    assert price["value"] == pytest.approx(208_000)  # 20.8 wan_CNY/t
    assert price["distribution"].startswith("triangular")
    assert "seed-004" in price["source"]
    assert parameters["cobalt.hydroxide.co_content"]["value"] == pytest.approx(0.31)
    assert parameters["cobalt.hydroxide.production"]["value"] == "61000, 68000, 79000, 82000, 90000"

    low = rows_by(invoke_json(capsys, "scenario", "show", SHIPPED, "-o", "low-price"),
                  "parameter")["cobalt.price.hydroxide_2024"]
    assert low["value"] == pytest.approx(162_000)
    assert low["distribution"] == ""


def test_scenario_diff_finds_the_one_changed_value(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    copy = tmp_path / "copy.toml"
    copy.write_text(
        '[scenario]\nname = "cobalt-copy"\nmodel = "cobalt-balance"\n'
        f'extends = "{SHIPPED}"\n\n'
        '[parameters."cobalt.recycled.output_2024"]\nvalue = 2.5\nunit = "wan_t / yr"\n'
        'source = { document = "seed-004", section = "1.1", '
        'note = "GEM annual report, as cited" }\n', encoding="utf-8")
    out, _ = invoke(capsys, "scenario", "diff", SHIPPED, copy)
    assert "cobalt.recycled.output_2024" in out

    table = invoke_json(capsys, "scenario", "diff", SHIPPED, copy)
    assert table["columns"] == ["item", "field", "a", "b", "rel_change"]
    changed = [row for row in table["rows"] if row["item"] != "scenario"]
    assert len(changed) == 1, changed
    (row,) = changed
    assert row["item"] == "cobalt.recycled.output_2024"
    assert row["field"] == "value"
    assert row["a"] == "19000 t/yr" and row["b"] == "25000 t/yr"
    assert row["rel_change"] == pytest.approx(6 / 19)

    same = invoke_json(capsys, "scenario", "diff", SHIPPED, SHIPPED)
    assert same["rows"] == []


def test_scenario_export_import_round_trip(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    workbook_path, toml_path = tmp_path / "cobalt.xlsx", tmp_path / "cobalt.toml"
    out, _ = invoke(capsys, "scenario", "export", SHIPPED, "--xlsx", workbook_path)
    assert "wrote" in out and workbook_path.is_file()
    sheets = openpyxl.load_workbook(workbook_path).sheetnames
    assert {"scenario", "parameters", "series", "overrides"} <= set(sheets)

    invoke(capsys, "scenario", "import", workbook_path, "--toml", toml_path)
    assert load_definition(toml_path) == load_definition(SHIPPED)
    invoke(capsys, "scenario", "check", toml_path, "-o", "low-price")


def test_scenario_import_of_an_edited_workbook(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    workbook_path, toml_path = tmp_path / "cobalt.xlsx", tmp_path / "edited.toml"
    invoke(capsys, "scenario", "export", SHIPPED, "--xlsx", workbook_path)

    workbook = openpyxl.load_workbook(workbook_path)
    sheet = workbook["parameters"]
    header = header_of(sheet)
    name_column, value_column = header.index("name") + 1, header.index("value") + 1
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, name_column).value == "cobalt.recycled.output_2024":
            assert sheet.cell(row, value_column).value == pytest.approx(1.9)
            sheet.cell(row, value_column).value = 2.5
            break
    else:
        pytest.fail("cobalt.recycled.output_2024 not in the exported workbook")
    workbook.save(workbook_path)

    invoke(capsys, "scenario", "import", workbook_path, "--toml", toml_path)
    edited, shipped = load_definition(toml_path), load_definition(SHIPPED)
    assert edited.parameters["cobalt.recycled.output_2024"].value == pytest.approx(2.5)
    assert edited != shipped
    table = invoke_json(capsys, "scenario", "diff", SHIPPED, toml_path)
    assert [(r["item"], r["field"]) for r in table["rows"]] == [
        ("cobalt.recycled.output_2024", "value")]


# --- study -------------------------------------------------------------------------------------


def check_bands(table: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    assert table["columns"] == ["output", "index", "unit", "mean", "sd", "p10", "p50", "p90"]
    bands = {(row["output"], row["index"]): row for row in table["rows"]}
    model = get_model("cobalt-balance")
    assert {output for output, _ in bands} == {o.name for o in model.outputs}
    for key, row in bands.items():
        if None in (row["p10"], row["p50"], row["p90"]):  # NaN cells come out as null
            continue
        assert row["p10"] <= row["p50"] <= row["p90"], key
    return bands


def test_study_run_json_bands(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("study", "run", SHIPPED, "-n", "2000", "--seed", "3", "--json")
    out, _ = invoke(capsys, *argv)
    table = json.loads(out)
    assert table["title"] == "bands cobalt-balance"  # short enough for an Excel sheet name
    assert "2,000 samples" in table["notes"][0] and "seed 3" in table["notes"][0]
    bands = check_bands(table)
    utilisation = bands[("utilisation_consumption", "")]
    assert utilisation["p50"] == pytest.approx(11.8 / 18.6, rel=0.02)
    assert utilisation["p10"] < utilisation["p90"]  # an uncertain output has a real band
    growth_2024 = bands[("imports_growth", "2024")]
    assert growth_2024["p50"] == pytest.approx(12.4 / 10.4 - 1)
    assert {index for output, index in bands if output == "imports_growth"} >= {"2021", "2024"}

    again, _ = invoke(capsys, *argv)
    assert again == out, "same seed, different result"
    other, _ = invoke(capsys, "study", "run", SHIPPED, "-n", "2000", "--seed", "4", "--json")
    assert other != out


@pytest.mark.parametrize("method", ["lhs", "sobol"])
def test_study_run_methods(capsys: pytest.CaptureFixture[str], method: str) -> None:
    table = invoke_json(capsys, "study", "run", SHIPPED, "-n", "2048", "--seed", "3",
                        "--method", method, "-q")
    assert f"({method}, seed 3)" in table["notes"][0]
    bands = check_bands(table)
    assert bands[("cash_margin", "")]["p50"] == pytest.approx(0.11, abs=0.02)


def test_study_run_table_and_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    csv_path = tmp_path / "bands.csv"
    out, _ = invoke(capsys, "study", "run", SHIPPED, "-n", "500", "-q", "--csv", csv_path)
    assert "cash_margin" in out and "samples/s" in out
    columns, rows = read_csv(csv_path)
    assert columns[:3] == ["output", "index", "unit"]
    assert {"p10", "p50", "p90"} <= set(columns)
    assert any(row["output"] == "utilisation_consumption" for row in rows)


# --- claims ------------------------------------------------------------------------------------


def test_claims_check_csv_and_xlsx(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    csv_path, xlsx_path = tmp_path / "claims.csv", tmp_path / "claims.xlsx"
    out, _ = invoke(capsys, "claims", "check", claims_file(), "--csv", csv_path,
                    "--xlsx", xlsx_path)
    assert KNOWN_CONTRADICTION in out
    assert re.search(r"\d+ claims: \d+ agree", out), out

    columns, rows = read_csv(csv_path)
    assert columns == CLAIMS_COLUMNS
    by_id = {row["claim_id"]: row for row in rows}
    assert len(by_id) == len(rows) >= 2
    contradiction = by_id[KNOWN_CONTRADICTION]
    assert contradiction["verdict"] == "disagrees"
    assert float(contradiction["stated"]) == pytest.approx(12.3)
    assert float(contradiction["computed"]) == pytest.approx(85 * 0.145 / 0.31, rel=1e-6)
    assert contradiction["unit"] == "wan_t / yr"
    assert float(contradiction["rel_diff"]) < -0.5
    assert all(row["verdict"] for row in rows)
    growth = by_id["1.1-capacity-growth"]
    assert float(growth["computed"]) == pytest.approx((18.6 / 8.2 - 1) * 100)
    assert growth["verdict"] != "disagrees"

    workbook = openpyxl.load_workbook(xlsx_path)
    assert len(workbook.sheetnames) == 2
    summary, detail = (workbook[name] for name in workbook.sheetnames)
    assert header_of(summary) == CLAIMS_COLUMNS
    assert header_of(detail)[:len(CLAIMS_COLUMNS)] == CLAIMS_COLUMNS
    assert "formula" in header_of(detail)
    ids = [row[0] for row in summary.iter_rows(min_row=2, values_only=True) if row[0]]
    assert KNOWN_CONTRADICTION in ids


def test_claims_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    table = invoke_json(capsys, "claims", "check", claims_file())
    assert table["columns"] == CLAIMS_COLUMNS
    assert rows_by(table, "claim_id")[KNOWN_CONTRADICTION]["verdict"] == "disagrees"


def test_claims_check_fail_on_disagreement(capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = invoke(capsys, "claims", "check", claims_file(), "--fail-on-disagreement",
                    expect=1)
    assert KNOWN_CONTRADICTION in out


# --- outlook -----------------------------------------------------------------------------------


def test_outlook_cobalt_writes_its_folder(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    folder = tmp_path / "outlook"
    out, _ = invoke(capsys, "outlook", "cobalt", "--out", folder, "-n", "2000", "-q")
    assert "2,000 samples" in out and "summary.json" in out

    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["scenario"] == "cobalt-cn-2024"
    assert summary["model"] == "cobalt-outlook"
    assert summary["samples"] == 2000
    outputs = summary["outputs"]
    assert {"hydroxide_demand_metal", "utilisation", "world_balance"} <= set(outputs)
    utilisation = outputs["utilisation"]["values"]["2030"]
    assert utilisation["p10"] <= utilisation["p50"] <= utilisation["p90"]
    assert set(outputs["imports"]["values"]) == {str(y) for y in range(2020, 2036)}
    assert (folder / "report.html").stat().st_size > 0

    workbook = openpyxl.load_workbook(folder / "results.xlsx")
    assert len(workbook.sheetnames) >= 2
    assert any("claims" in name for name in workbook.sheetnames)
    bands = workbook[workbook.sheetnames[0]]
    assert header_of(bands)[:3] == ["output", "index", "unit"]

    columns, rows = read_csv(folder / "claims.csv")
    assert columns == CLAIMS_COLUMNS
    assert {row["claim_id"]: row for row in rows}[KNOWN_CONTRADICTION]["verdict"] == "disagrees"
    assert sum(summary["claims"].values()) == len(rows)
    assert not list(tmp_path.rglob("*.tmp"))


# --- sensitivity -------------------------------------------------------------------------------


def test_sensitivity_sobol_with_png_chart(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    chart = tmp_path / "x.png"
    out, _ = invoke(capsys, "sensitivity", "sobol", SHIPPED, "--output", "cash_margin",
                    "-n", "512", "--chart", chart)
    assert "Sobol" in out and f"wrote {chart}" in out
    assert chart.stat().st_size > 1000
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")

    table = invoke_json(capsys, "sensitivity", "sobol", SHIPPED, "--output", "cash_margin",
                        "-n", "512")
    assert table["columns"] == ["factor", "S1", "S1_conf", "ST", "ST_conf"]
    indices = rows_by(table, "factor")
    # (price - cost) / price: the price's range is much the wider, so it dominates.
    assert max(indices, key=lambda f: indices[f]["ST"]) == "cobalt.price.hydroxide_2024"
    assert indices["cobalt.price.hydroxide_2024"]["ST"] > 0.8
    assert indices["cobalt.hydroxide.capacity_2024"]["ST"] == pytest.approx(0, abs=1e-9)


def test_sensitivity_tornado_with_svg_chart(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    chart = tmp_path / "x.svg"
    out, _ = invoke(capsys, "sensitivity", "tornado", SHIPPED, "--output", "cash_margin",
                    "--chart", chart)
    assert "Tornado of cash_margin" in out
    text = chart.read_text(encoding="utf-8")
    assert "<svg" in text and text.rstrip().endswith("</svg>")

    table = invoke_json(capsys, "sensitivity", "tornado", SHIPPED, "--output", "cash_margin")
    assert table["rows"][0]["factor"] == "cobalt.price.hydroxide_2024"
    swings = [row["swing"] for row in table["rows"]]
    assert swings == sorted(swings, reverse=True)
    price = table["rows"][0]
    assert price["output_low"] < price["output_high"]  # a higher price, a wider margin


def test_sensitivity_morris(capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = invoke(capsys, "sensitivity", "morris", SHIPPED, "--output", "cash_margin",
                    "-r", "20")
    assert "Morris screening of cash_margin" in out
    table = invoke_json(capsys, "sensitivity", "morris", SHIPPED, "--output", "cash_margin",
                        "-r", "20")
    effects = rows_by(table, "factor")
    assert all(row["mu_star"] >= 0 for row in effects.values())
    assert max(effects, key=lambda f: effects[f]["mu_star"]) == "cobalt.price.hydroxide_2024"
    assert effects["cobalt.cost.cash_2024"]["mu"] < 0  # a higher cost, a thinner margin


def test_sensitivity_at_a_year(capsys: pytest.CaptureFixture[str]) -> None:
    def baseline(at: str) -> float:
        table = invoke_json(capsys, "sensitivity", "tornado", SHIPPED,
                            "--output", "imports_growth", "--at", at)
        (note,) = [n for n in table["notes"] if n.startswith("baseline")]
        match = re.search(r"= (\S+)", note)
        assert match, note
        # No uncertain input moves the import series: every swing is zero.
        assert all(row["swing"] == pytest.approx(0, abs=1e-12) for row in table["rows"])
        return float(match.group(1))

    assert baseline("2024") == pytest.approx(12.4 / 10.4 - 1, rel=1e-5)
    assert baseline("2023") == pytest.approx(0, abs=1e-9)

    table = invoke_json(capsys, "sensitivity", "sobol", SHIPPED, "--output", "imports_growth",
                        "--at", "2024", "-n", "64")
    assert "imports_growth" in table["title"]
    assert all(math.isclose(row["ST"], 0, abs_tol=1e-9) for row in table["rows"])
    table = invoke_json(capsys, "sensitivity", "morris", SHIPPED, "--output", "imports_growth",
                        "--at", "2024", "-r", "10")
    assert all(row["mu_star"] == pytest.approx(0, abs=1e-9) for row in table["rows"])
