"""``valueloop invest`` and ``valueloop locate`` on the shipped data, through ``valueloop.cli.run``.

JSON is parsed, CSV read with :mod:`csv`, workbooks with openpyxl, charts with ElementTree; the
numbers are compared with the model APIs called directly.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

from valueloop.cli import run
from valueloop.core.native_output import native_stdout_discarded
from valueloop.core.sampling import baseline_inputs
from valueloop.core.scenario import load_scenario
from valueloop.models.investment_cases import CASES
from valueloop.models.location import COMPONENTS, locate
from valueloop.models.registry import get_model

SAMPLES = ("-n", "64")
INVEST_TITLES = [
    "Investment cases: NPV, IRR and payback",
    "6.1 Risk thresholds: where NPV turns zero",
    "6.2 Green power: NPV by start year and price paths (baseline)",
    "6.2 Green power: probability of a positive NPV by start year",
    "6.3 Recycling network: investor return and public cost",
    "ESG rating class: cost of debt and NPV",
    "Cash flow: standalone_refinery",
    "Tornado of NPV: standalone_refinery",
]
SUMMARY_COLUMNS = ["case", "capital", "npv", "npv_p10", "npv_p50", "npv_p90", "p_npv_positive",
                   "irr", "irr_status", "irr_p10", "irr_p50", "irr_p90", "irr_unique_share",
                   "payback", "discounted_payback"]


def invoke(capsys: pytest.CaptureFixture[str], *argv: str | Path,
           expect: int = 0) -> tuple[str, str]:
    status = run([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert status == expect, f"exit {status} (expected {expect})\nstdout:\n{out}\nstderr:\n{err}"
    assert "Traceback" not in err
    return out, err


def by_title(payload: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {table["title"]: table for table in payload}


def one_error_line(err: str, *needles: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), lines[0]
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"


def parses_as_svg(path: Path) -> None:
    assert ET.parse(path).getroot().tag.endswith("svg")


# --- invest ------------------------------------------------------------------------------------


def test_invest_json_has_every_table_and_the_models_baseline(
        capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = invoke(capsys, "invest", *SAMPLES, "--json")
    tables = by_title(json.loads(out))
    assert list(tables) == INVEST_TITLES
    summary = tables["Investment cases: NPV, IRR and payback"]
    assert summary["columns"] == SUMMARY_COLUMNS
    assert summary["units"]["npv"] == "yi_CNY"
    scenario = load_scenario("valueloop:cobalt-investment")
    baseline = get_model(scenario.model)(baseline_inputs(scenario), 1)
    rows = {row["case"]: row for row in summary["rows"]}
    assert list(rows) == list(CASES)
    for k, case in enumerate(CASES):
        assert rows[case]["npv"] == pytest.approx(baseline["npv"][0, k] / 1e8, rel=1e-12)
        assert rows[case]["irr_status"] == "unique"
        assert rows[case]["irr"] == pytest.approx(baseline["irr"][0, k], rel=1e-12)
    thresholds = tables["6.1 Risk thresholds: where NPV turns zero"]["rows"]
    price = [r for r in thresholds if r["threshold"] == "break-even cobalt price"]
    np.testing.assert_allclose([r["threshold_value"] for r in price],
                               baseline["breakeven_price"][0], rtol=1e-12)
    cash = tables["Cash flow: standalone_refinery"]
    assert cash["columns"][:3] == ["year", "discount_factor", "capital"]
    assert cash["rows"][-1]["cumulative_npv"] == pytest.approx(baseline["npv"][0, 0] / 1e8)


def test_invest_case_and_cash_flow_select_tables(capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = invoke(capsys, "invest", *SAMPLES, "--case", "green_power", "--cash-flow",
                    "integrated", "--json")
    tables = by_title(json.loads(out))
    assert [r["case"] for r in tables["Investment cases: NPV, IRR and payback"]["rows"]] == [
        "green_power"]
    assert "6.1 Risk thresholds: where NPV turns zero" not in tables
    assert "6.3 Recycling network: investor return and public cost" not in tables
    assert "Cash flow: integrated" in tables
    assert "Tornado of NPV: integrated" in tables
    window = tables["6.2 Green power: NPV by start year and price paths (baseline)"]
    assert window["columns"][:3] == ["power_path", "carbon_path", "2025"]
    assert len(window["rows"]) == 9


def test_invest_override_changes_the_financing(capsys: pytest.CaptureFixture[str]) -> None:
    base = by_title(json.loads(invoke(capsys, "invest", *SAMPLES, "--json")[0]))
    ccc = by_title(json.loads(invoke(capsys, "invest", *SAMPLES, "-o", "ccc-borrower",
                                     "--json")[0]))
    title = "Investment cases: NPV, IRR and payback"
    # dearer debt raises the WACC, so every case's baseline NPV falls
    for before, after in zip(base[title]["rows"], ccc[title]["rows"], strict=True):
        assert after["npv"] < before["npv"]


def test_invest_writes_csv_xlsx_and_charts(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    out, _ = invoke(capsys, "invest", *SAMPLES, "--csv", tmp_path / "invest.csv", "--xlsx",
                    tmp_path / "invest.xlsx", "--chart", tmp_path / "charts" / "invest.svg")
    assert "Investment cases" in out and "wrote" in out
    workbook = openpyxl.load_workbook(tmp_path / "invest.xlsx")
    assert len(workbook.sheetnames) == len(INVEST_TITLES)
    summary = workbook[workbook.sheetnames[0]]
    assert [c.value for c in summary[1]] == SUMMARY_COLUMNS
    assert summary.cell(row=2, column=2).value == "yi_CNY"  # the units row
    with (tmp_path / "invest-1.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [r["case"] for r in rows] == list(CASES)
    assert len(list(tmp_path.glob("invest-*.csv"))) == len(INVEST_TITLES)
    charts = sorted(p.name for p in (tmp_path / "charts").iterdir())
    assert charts == ["invest-cash_flow.svg", "invest-npv.svg", "invest-tornado.svg",
                      "invest-window.svg"]
    for name in charts:
        parses_as_svg(tmp_path / "charts" / name)


@pytest.mark.parametrize(("argv", "needles"), [
    (("--case", "refinery"), ("OptionError", "--case", "standalone_refinery", "recycling")),
    (("--cash-flow", "everything"), ("--cash-flow", "recycling_unsupported")),
    (("--samples", "-5"), ("--samples", ">= 1")),
    (("--seed", "-1"), ("--seed", ">= 0")),
    (("--chart", "npv.png"), ("--chart", ".svg")),
    (("--override", "no-such-override"), ("no-such-override",)),
    (("--scenario", "valueloop:cobalt-routes"), ("scenario.model", "cobalt-investment")),
])
def test_invest_bad_options_exit_2_with_one_line(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path, argv: tuple[str, ...],
                                                 needles: tuple[str, ...]) -> None:
    _, err = invoke(capsys, "invest", *SAMPLES, *argv, "--xlsx", tmp_path / "x.xlsx",
                    expect=2)
    one_error_line(err, *needles)
    assert not list(tmp_path.iterdir()), "nothing is written after a bad option"


# --- locate ------------------------------------------------------------------------------------


def test_locate_json_agrees_with_the_model(capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = invoke(capsys, "locate", "--carbon-price", "100", "--json")
    tables = by_title(json.loads(out))
    report = locate(100.0)
    assert list(tables) == [t.title for t in report.tables()]
    breakdown = {r["component"]: r for r in
                 tables["Cost per t: today and optimum at 100 CNY/tCO2e"]["rows"]}
    assert list(breakdown) == [*COMPONENTS, "total", "tCO2e per t"]
    assert breakdown["total"]["optimum"] == pytest.approx(report.comparison.optimum.cost_per_t)
    assert breakdown["total"]["today"] == pytest.approx(report.comparison.today.cost_per_t)
    sites = tables["Sites: today and optimum at 100 CNY/tCO2e"]
    assert sites["columns"][:2] == ["province", "code"]
    delivered = sum(r["flow"] for r in tables["Optimal flows"]["rows"])
    assert delivered == pytest.approx(report.comparison.optimum.output)


def test_locate_sweep_and_max_sites(capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = invoke(capsys, "locate", "--sweep", "0:300:100", "--max-sites", "5", "--json")
    sweep = by_title(json.loads(out))["Optimal layout by carbon price"]
    assert [r["carbon_price"] for r in sweep["rows"]] == [0, 100, 200, 300]
    assert all(len(r["open_sites"].split()) <= 5 for r in sweep["rows"])
    moved = [r["carbon_price"] for r in sweep["rows"] if r["moved"]]
    # each move of the optimal layout has its note, and a layout that never moves says so too
    assert len(sweep["notes"]) == max(len(moved), 1)


def test_locate_writes_xlsx_and_charts(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    out, _ = invoke(capsys, "locate", "--sweep", "0:200:100", "--xlsx", tmp_path / "loc.xlsx",
                    "--chart", tmp_path / "loc.svg")
    assert "wrote" in out
    workbook = openpyxl.load_workbook(tmp_path / "loc.xlsx")
    assert len(workbook.sheetnames) == 4
    for name in ("loc-breakdown.svg", "loc-sweep_cost.svg", "loc-sweep_emissions.svg"):
        parses_as_svg(tmp_path / name)


def test_locate_json_on_a_real_stdout_is_valid() -> None:
    """HiGHS writes a stray line on the C-level stdout; only a real process shows it."""
    result = subprocess.run([sys.executable, "-m", "valueloop", "locate", "--json"],
                            capture_output=True, text=True, encoding="utf-8", timeout=300,
                            check=False, env={**os.environ, "COLUMNS": "160"})
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 3


def test_native_stdout_discarded_silences_native_writes_only(
        capfd: pytest.CaptureFixture[str]) -> None:
    print("before", flush=True)
    with native_stdout_discarded():
        os.write(1, b"native noise\n")
    print("after", flush=True)
    out, _ = capfd.readouterr()
    assert out == "before\nafter\n"


@pytest.mark.parametrize(("argv", "needles"), [
    (("--sweep", "0:300"), ("--sweep", "start:stop:step")),
    (("--sweep", "300:0:25"), ("--sweep",)),
    (("--carbon-price", "-5"), ("--carbon-price", ">= 0")),
    (("--max-sites", "0"), ("--max-sites", ">= 1")),
    (("--max-sites", "1"), ("InfeasibleLocationError", "--max-sites 1", "t/yr")),
    (("--chart", "loc.pdf"), ("--chart", ".svg")),
])
def test_locate_bad_options_exit_2_with_one_line(capsys: pytest.CaptureFixture[str],
                                                 argv: tuple[str, ...],
                                                 needles: tuple[str, ...]) -> None:
    _, err = invoke(capsys, "locate", *argv, expect=2)
    one_error_line(err, *needles)
