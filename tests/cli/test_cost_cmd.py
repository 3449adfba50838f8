"""``valueloop cost`` on the shipped process-route scenario, in-process."""

from __future__ import annotations

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
from valueloop.models.process_route_definitions import COST_COMPONENTS
from valueloop.models.registry import get_model


def cost_json(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, Any]]:
    status = run(["cost", *argv, "--json"])
    out, err = capsys.readouterr()
    assert status == 0, err
    return json.loads(out)


def by_title(tables: list[dict[str, Any]], start: str) -> dict[str, Any]:
    return next(t for t in tables if t["title"].startswith(start))


def rows(table: dict[str, Any]) -> list[dict[str, Any]]:
    columns = table["columns"]
    return [dict(zip(columns, row, strict=True)) if isinstance(row, list) else row
            for row in table["rows"]]


@pytest.fixture(scope="module")
def baseline() -> dict[str, np.ndarray]:
    model = get_model("cobalt-process-routes")
    return model(baseline_inputs(load_scenario("valueloop:cobalt-process-routes")), 1)


def test_breakdown_adds_up_and_matches_the_model(capsys: pytest.CaptureFixture[str],
                                                 baseline: dict[str, np.ndarray]) -> None:
    tables = cost_json(capsys, "-n", "0")
    breakdown = rows(by_title(tables, "Life-cycle cost"))
    assert [r["route"] for r in breakdown] == ["hydromet", "pyromet", "bioleach", "recycling"]
    for i, row in enumerate(breakdown):
        parts = sum(row[c] for c in COST_COMPONENTS)
        assert parts == pytest.approx(row["full_cost"], rel=1e-12)
        assert row["full_cost"] == pytest.approx(baseline["full_cost"][0, i], rel=1e-12)
    for row in rows(by_title(tables, "Cost shares")):
        assert row["total"] == pytest.approx(100.0, abs=1e-9)


def test_breakeven_and_npv_columns_are_the_model_outputs(capsys: pytest.CaptureFixture[str],
                                                         baseline: dict[str, np.ndarray]) -> None:
    table = rows(by_title(cost_json(capsys, "-n", "0"), "Break-even"))
    for i, row in enumerate(table):
        assert row["npv"] == pytest.approx(baseline["npv"][0, i] / 1e8, rel=1e-12)
        u_star = baseline["breakeven_utilisation"][0, i]
        if np.isfinite(u_star):
            assert row["breakeven_utilisation"] == pytest.approx(100 * u_star, rel=1e-12)
        # a route that loses money at the baseline price never pays back
        if row["unit_margin"] < 0:
            assert row["payback"] is None


def test_bands_and_route_filter(capsys: pytest.CaptureFixture[str]) -> None:
    tables = cost_json(capsys, "-n", "256", "--route", "recycling")
    bands = rows(by_title(tables, "Uncertainty bands over 256"))
    assert {r["route"] for r in bands} == {"recycling"}
    for row in bands:
        assert row["p10"] <= row["p50"] <= row["p90"]


def test_charts_and_workbook_are_written(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    chart = tmp_path / "cost.svg"
    book = tmp_path / "cost.xlsx"
    assert run(["cost", "-n", "0", "--chart", str(chart), "--xlsx", str(book)]) == 0
    capsys.readouterr()
    for name in ("cost-breakdown.svg", "cost-scale.svg", "cost-margin.svg"):
        assert ET.parse(tmp_path / name).getroot().tag.endswith("svg")
    assert len(openpyxl.load_workbook(book).sheetnames) == 8


@pytest.mark.parametrize("argv", [["--route", "smelter"], ["-n", "-1"],
                                  ["--chart", "cost.png"],
                                  ["--scenario", "valueloop:cobalt-investment"]])
def test_bad_options_exit_2_with_one_line(argv: list[str], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    argv = [str(tmp_path / a) if a.endswith(".png") else a for a in argv]
    assert run(["cost", "-n", "0", *argv]) == 2
    err = capsys.readouterr().err
    assert "error" in err and "Traceback" not in err
