"""The economics job (``valueloop cost --out``) end to end on the shipped data."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from valueloop.core.tables import Table
from valueloop.reports.cobalt_economics import EconomicsRun, all_tables, run_cobalt_economics
from valueloop.reports.cobalt_economics_report import caption

CLAIM_COLUMNS = ["claim_id", "section", "quantity", "stated", "computed", "unit", "rel_diff",
                 "verdict"]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def job(tmp_path_factory: pytest.TempPathFactory) -> tuple[EconomicsRun, Path]:
    out = tmp_path_factory.mktemp("economics")
    return run_cobalt_economics(out, samples=512, seed=2, driver_samples=32), out


def test_every_file_is_written_and_nothing_is_left_half_written(
        job: tuple[EconomicsRun, Path]) -> None:
    run, out = job
    assert {p.name for p in run.files} == {"report.html", "results.xlsx", "claims.csv",
                                           "claims.xlsx", "summary.json"}
    assert not list(out.glob("*.tmp")) and not list(out.glob(".*"))


def test_claims_csv_catches_the_scale_errors_of_sections_1_3_2_and_3(
        job: tuple[EconomicsRun, Path]) -> None:
    _, out = job
    with (out / "claims.csv").open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        assert reader.fieldnames == CLAIM_COLUMNS
        verdicts = {row["claim_id"]: row["verdict"] for row in reader}
    assert verdicts["1.3-triangle-capacity-share"] == "agrees"
    assert verdicts["1.3-resiting-saving-share"] == "disagrees"
    assert verdicts["3.1-cbam-cost-low"] == "disagrees"
    assert verdicts["2.1-depreciation"] == "agrees"
    assert {row[:3] for row in verdicts} >= {"1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3"}


def test_summary_json_has_bands_per_route(job: tuple[EconomicsRun, Path]) -> None:
    run, out = job
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["samples"] == 512
    assert set(summary["routes"]) == {"hydromet", "pyromet", "bioleach", "recycling"}
    for route in summary["routes"].values():
        for output in ("full_cost", "footprint", "npv"):
            band = route[output]
            assert band["p10"] <= band["p50"] <= band["p90"]
    assert summary["claims"]["disagrees"] == run.claims.n_disagrees > 0
    assert summary["location"]["saving_per_t"] > 0


def test_workbook_has_one_sheet_per_table(job: tuple[EconomicsRun, Path]) -> None:
    run, out = job
    sheets = load_workbook(out / "results.xlsx", read_only=True).sheetnames
    assert len(sheets) == len(all_tables(run))


def test_every_table_has_a_chinese_caption(job: tuple[EconomicsRun, Path]) -> None:
    run, _ = job
    for table in all_tables(run):
        text = caption(table)
        assert _CJK.search(text.zh), table.title
    with pytest.raises(KeyError, match="add it to CAPTIONS"):
        caption(Table("A table nobody translated", ("a",), ()))


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.languages: set[str] = set()
        self.sections: set[str] = set()
        self.svgs = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "span" and "lang" in attributes:
            self.languages.add(attributes["lang"] or "")
        if tag == "section" and attributes.get("id"):
            self.sections.add(attributes["id"] or "")
        if tag == "svg":
            self.svgs += 1


def test_report_is_bilingual_with_every_section_and_chart(job: tuple[EconomicsRun, Path]) -> None:
    _, out = job
    text = (out / "report.html").read_text(encoding="utf-8")
    collector = _Collector()
    collector.feed(text)
    assert {"en", "zh-Hans"} <= collector.languages
    assert {"summary", "costs", "drivers", "carbon", "environment", "energy", "investment",
            "location", "claims", "method"} <= collector.sections
    assert collector.svgs >= 15
    assert "CBAM" in text and "what-if" in text.lower()
    assert "http://" not in text.replace("http://www.w3.org", "")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_report_renders_in_a_headless_browser_in_both_languages(
        job: tuple[EconomicsRun, Path], tmp_path: Path) -> None:
    _, out = job
    target = out / "report.html"
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", f"{target.as_uri()}?lang=zh"],
        check=True, capture_output=True, text=True, timeout=180).stdout
    assert '<html lang="zh-Hans" class="js"' in dom
    assert "氢氧化钴" in dom and dom.count("<svg") >= 15
