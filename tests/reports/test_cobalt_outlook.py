"""The outlook job end to end: the files it writes and what they say, on the shipped data."""

from __future__ import annotations

import csv
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from valueloop.reports.cobalt_outlook import OutlookRun, run_cobalt_outlook

CLAIM_COLUMNS = ["claim_id", "section", "quantity", "stated", "computed", "unit", "rel_diff",
                 "verdict"]


@pytest.fixture(scope="module")
def job(tmp_path_factory: pytest.TempPathFactory) -> tuple[OutlookRun, Path]:
    out = tmp_path_factory.mktemp("outlook")
    run = run_cobalt_outlook(out, samples=1024, seed=3, driver_samples=64, stress_samples=64)
    return run, out


def test_every_file_is_written(job: tuple[OutlookRun, Path]) -> None:
    run, out = job
    names = {path.name for path in run.files}
    assert names == {"report.html", "results.xlsx", "claims.csv", "claims.xlsx", "summary.json"}
    assert all((out / name).stat().st_size > 0 for name in names)
    assert not list(out.glob("*.tmp")) and not list(out.glob(".*"))


def test_claims_csv_has_the_issue_columns_and_catches_the_report(
        job: tuple[OutlookRun, Path]) -> None:
    _, out = job
    with (out / "claims.csv").open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        assert reader.fieldnames == CLAIM_COLUMNS
        verdicts = {row["claim_id"]: row["verdict"] for row in reader}
    # arithmetic that holds, a unit error in chapter 1, a unit error in chapter 5, a date error
    # in chapter 4
    assert verdicts["1.1-capacity-growth"] == "agrees"
    assert verdicts["1.1-precursor-hydroxide-demand"] == "disagrees"
    assert verdicts["5.1-tonne-supports-gwh"] == "disagrees"
    assert verdicts["5.1-lfp-point-cobalt"] == "disagrees"
    assert verdicts["5.1-hydroxide-per-gwh-drop"] == "agrees"
    assert verdicts["4.2-art8-first-year"] == "disagrees"


def test_summary_json_has_bands_by_year(job: tuple[OutlookRun, Path]) -> None:
    _, out = job
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["samples"] == 1024 and summary["years"][0] == 2020
    assert summary["years"][-1] == 2035
    demand = summary["outputs"]["hydroxide_demand_metal"]
    assert demand["unit"] == "t/yr"
    assert set(demand["values"]) == {str(year) for year in range(2020, 2036)}
    for band in demand["values"].values():
        assert band["p10"] <= band["p50"] <= band["p90"]
    assert sum(summary["claims"].values()) > 30
    assert summary["drivers"]["factors"] and summary["stress"]


def test_results_workbook_has_every_table(job: tuple[OutlookRun, Path]) -> None:
    _, out = job
    sheets = load_workbook(out / "results.xlsx", read_only=True).sheetnames
    assert {"bands cobalt-outlook", "stress tests", "supply routes"} <= set(sheets)
    assert any(name.startswith("Sobol") for name in sheets)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.languages: set[str] = set()
        self.sections: set[str] = set()
        self.svgs = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "lang" in attributes and tag == "span":
            self.languages.add(attributes["lang"] or "")
        if tag == "section" and attributes.get("id"):
            self.sections.add(attributes["id"] or "")
        if tag == "svg":
            self.svgs += 1


def test_report_is_bilingual_with_every_section_and_chart(job: tuple[OutlookRun, Path]) -> None:
    _, out = job
    text = (out / "report.html").read_text(encoding="utf-8")
    collector = _Collector()
    collector.feed(text)
    assert {"en", "zh-Hans"} <= collector.languages
    assert {"summary", "demand", "supply", "recycling", "stress", "routes", "closed-loop",
            "drivers", "backtest",
            "claims", "method"} <= collector.sections
    assert collector.svgs >= 10
    assert "中国钴展望" in text and "http://" not in text.replace("http://www.w3.org", "")


def test_stress_tests_show_the_drc_2025_measures_bite(job: tuple[OutlookRun, Path]) -> None:
    run, _ = job
    cases = run.stress.cases
    none = run.stress.packages["none"].cumulative_shortfall()
    combined = run.stress.packages["combined"].cumulative_shortfall()
    actual = cases.index("drc-2025-actual")
    assert (none[:, actual] > 0).all()
    assert (combined[:, actual] < none[:, actual]).all()
