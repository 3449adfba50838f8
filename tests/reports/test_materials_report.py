"""The materials report of one requirement, on the shipped grades and Gorsse et al. 2023 records.

The database holds the real shipped data (grades and 1831 Gorsse records in a SQLite file); the
property models come from the run's model cache; the design budget is small, so the module
runs in seconds. The numbers of the page are read back from the HTML and compared with the
result tables they come from.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from valueloop.core.db import Database
from valueloop.core.tables import Cell, Table
from valueloop.materials.ashby import cjk_font
from valueloop.materials.design import DesignSettings
from valueloop.materials.design_tables import candidates_table, search_table
from valueloop.materials.importers import gorsse_path, read_gorsse, read_grades
from valueloop.materials.model_cache import load_or_train
from valueloop.materials.properties import load_shipped
from valueloop.materials.requirement import requirement_from_mapping
from valueloop.materials.selection_tables import constraints_table, pareto_table, ranked_table
from valueloop.materials.store import MaterialStore
from valueloop.materials.translate import TEMPLATES, template_fields
from valueloop.reports.html import Figure, KeyFigures, TableBlock, format_number
from valueloop.reports.i18n import Text
from valueloop.reports.materials_report import (
    MaterialsRun,
    all_tables,
    build_report,
    run_materials,
    write_materials,
)
from valueloop.reports.materials_text import (
    VALUES,
    caption,
    column_label,
    device_field,
    template_name,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
_CJK = re.compile(r"[\u4e00-\u9fff]")
TOP = 8
GENERATED = "2025-01-01 00:00 UTC"
# a spring contact the shipped data can meet, so that every table has rows
SPRING = {
    "name": "spring contact",
    "constraint": [
        {"property": "uts_mpa", "operator": ">=", "value": 500, "unit": "MPa"},
        {"property": "electrical_conductivity_iacs", "operator": ">=", "value": 40,
         "unit": "%IACS"},
        {"property": "thermal_conductivity", "operator": ">=", "value": 150,
         "unit": "W/(m*K)"}],
    "objective": [{"property": "electrical_conductivity_iacs", "sense": "max"},
                  {"property": "uts_mpa", "sense": "max"}],
}
AXES = ("electrical_conductivity_iacs", "uts_mpa")


@pytest.fixture(scope="module")
def job(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[MaterialsRun, Path]]:
    folder = tmp_path_factory.mktemp("materials-report")
    training = load_shipped()
    models = load_or_train(training)
    with Database.open(folder / "materials.db") as database:
        store = MaterialStore(database)
        store.add(read_grades())
        store.add(read_gorsse(gorsse_path(None)))
        run = run_materials(database, requirement_from_mapping(SPRING), models, training,
                            top=TOP, axes=AXES,
                            settings=DesignSettings(population=12, generations=4, seed=1))
    out = folder / "out"
    write_materials(run, out, generated=GENERATED)
    yield run, out


@pytest.fixture(scope="module")
def page(job: tuple[MaterialsRun, Path]) -> str:
    return (job[1] / "report.html").read_text(encoding="utf-8")


# --- the page's tables, read back -------------------------------------------------------------

class _Tables(HTMLParser):
    """Each ``<figure class="table">``: its English caption and the English text of its cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._spans: list[bool] = []  # per open span: is it the Chinese half
        self._rows: list[list[str]] | None = None
        self._caption: list[str] | None = None
        self._title = ""
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "span":
            self._spans.append(attributes.get("lang") == "zh-Hans")
        elif tag == "figure" and attributes.get("class") == "table":
            self._rows = []
        elif self._rows is not None and tag == "figcaption":
            self._caption = []
        elif self._rows is not None and tag == "tr":
            self._rows.append([])
        elif self._rows is not None and tag == "td":
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "span":
            self._spans.pop()
        elif tag == "figcaption" and self._caption is not None:
            self._title, self._caption = "".join(self._caption), None
        elif tag == "td" and self._cell is not None and self._rows is not None:
            self._rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "figure" and self._rows is not None:
            self.tables[self._title] = [row for row in self._rows if row]  # header rows: th
            self._rows = None

    def handle_data(self, data: str) -> None:
        if any(self._spans):
            return
        if self._caption is not None:
            self._caption.append(data)
        elif self._cell is not None:
            self._cell.append(data)


def _tables(page: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def _table(page: str, words: str) -> list[list[str]]:
    found = [rows for title, rows in _tables(page).items() if words in title]
    assert len(found) == 1, (words, list(_tables(page)))
    return found[0]


def _shown(cell: Cell, values: Mapping[str, Text] = VALUES) -> str:
    """How the page shows a cell in English (:mod:`valueloop.reports.html`)."""
    if cell is None:
        return "–"
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, int | float):
        return format_number(cell)
    return values[cell].en if cell in values else str(cell)


def _expected(table: Table, columns: list[str], rows: int | None = None) -> list[list[str]]:
    index = [table.columns.index(c) for c in columns]
    return [[_shown(row[i]) for i in index] for row in table.rows[:rows]]


# --- tests -------------------------------------------------------------------------------------

def test_both_files_are_written_and_nothing_else(job: tuple[MaterialsRun, Path]) -> None:
    _, out = job
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "results.xlsx"]


class _Sections(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.languages: dict[str, set[str]] = {}
        self._section = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "section":
            self._section = attributes.get("id") or ""
            self.languages[self._section] = set()
        if tag == "span" and self._section and attributes.get("lang"):
            self.languages[self._section].add(attributes["lang"] or "")


def test_every_section_is_in_both_languages(page: str) -> None:
    sections = _Sections()
    sections.feed(page)
    assert list(sections.languages) == ["device", "selection", "design", "method"]
    for name, languages in sections.languages.items():
        assert languages == {"en", "zh-Hans"}, name
    assert "spring contact的铜材料选型与逆向设计" in page
    # nothing is loaded from elsewhere (DOIs are text, SVG namespaces are names)
    assert not re.search(r'(src|href)="https?:', page)


def _blocks(run: MaterialsRun) -> list[object]:
    report = build_report(run, generated=GENERATED)
    return [block for section in report.sections for block in section.blocks]


def test_no_caption_or_label_is_left_untranslated(job: tuple[MaterialsRun, Path]) -> None:
    run, _ = job
    report = build_report(run, generated=GENERATED)
    for section in report.sections:
        assert _CJK.search(section.title.zh), section.id
    blocks = _blocks(run)
    tables = [b for b in blocks if isinstance(b, TableBlock)]
    figures = [b for b in blocks if isinstance(b, Figure)]
    assert len(tables) >= 9 and len(figures) == 2
    for block in (*tables, *figures):
        assert _CJK.search(block.caption.zh) and block.caption.en != block.caption.zh
    for block in tables:
        for column in block.table.columns:
            label = block.columns[column]
            # a chemical symbol reads the same in both languages; every other label differs
            assert _CJK.search(label.zh) or label.zh in block.table.columns, column
    for block in blocks:
        if isinstance(block, KeyFigures):
            assert all(_CJK.search(f.label.zh) for f in block.figures)
    with pytest.raises(KeyError, match="add it to CAPTIONS"):
        caption("a caption nobody wrote")
    with pytest.raises(KeyError, match="no bilingual label"):
        column_label("a column nobody named")


def test_every_device_template_and_field_is_translated() -> None:
    for template in TEMPLATES:
        assert _CJK.search(template_name(template).zh)
        for entry in template_fields(template):
            assert _CJK.search(device_field(str(entry["field"])).zh), entry["field"]


def test_ranked_candidates_in_the_page_are_those_of_the_selection(
        job: tuple[MaterialsRun, Path], page: str) -> None:
    run, _ = job
    ranked = ranked_table(run.selection, TOP)
    keys = ["uts_mpa", "electrical_conductivity_iacs", "thermal_conductivity"]  # as stated
    columns = ["rank", "material", "record", "status", "pareto layer", "score",
               *(c for key in keys for c in (key, f"{key} origin"))]
    shown = _table(page, "Ranked candidates for spring contact")
    assert shown == _expected(ranked, columns)
    assert len(shown) == TOP and shown[0][3] == "meets"
    assert "derived" in {row[-1] for row in shown}  # κ from σ by Wiedemann-Franz


def test_constraint_counts_and_pareto_front_are_those_of_the_selection(
        job: tuple[MaterialsRun, Path], page: str) -> None:
    run, _ = job
    counts = _table(page, "Constraints of spring contact")
    assert counts == _expected(constraints_table(run.selection),
                               ["property", "operator", "threshold", "unit", "meet",
                                "meet if predictions hold", "no data", "fail"])
    assert counts[0][0] == "tensile strength"
    front = pareto_table(run.selection)
    assert front.rows
    assert _table(page, "Pareto front for spring contact") == _expected(
        front, ["rank", "material", "record", "status", "score", "electrical_conductivity_iacs",
                "electrical_conductivity_iacs origin", "uts_mpa", "uts_mpa origin"], TOP)


def test_design_numbers_in_the_page_are_those_of_the_design(
        job: tuple[MaterialsRun, Path], page: str) -> None:
    run, _ = job
    result = run.design
    assert result is not None and result.found
    table = candidates_table(result, TOP)
    designed = result.plan.models_used()
    columns = ["rank", "status", "Alloy formula",
               *(f"{m}_{p}" for m in designed for p in ("pred", "lo", "hi")),
               "in_domain", "distance_ratio", "beyond_measured"]
    shown = _table(page, "Designed candidates for spring contact")
    assert shown == _expected(table, columns)
    # a 90 % interval around every prediction
    for row in table.records():
        for model in designed:
            assert row[f"{model}_lo"] <= row[f"{model}_pred"] <= row[f"{model}_hi"]
    settings = {row[0]: row[1] for row in _table(page, "Design search of spring contact")}
    expected = {_shown(q): _shown(v) for q, v, _ in search_table(result).rows}
    assert settings == expected
    assert settings["population"] == "12" and settings["generations"] == "4"
    recipes = _table(page, "Recipes of the designed candidates")
    assert [row[1] for row in recipes] == [str(f) for f in table.column("Alloy formula")]
    treated = _table(page, "How the design treated")
    assert any("Wiedemann-Franz" in row[2] for row in treated)  # κ designed as σ


def test_workbook_holds_every_table_with_all_rows(job: tuple[MaterialsRun, Path]) -> None:
    run, out = job
    tables = all_tables(run)
    book = load_workbook(out / "results.xlsx", read_only=True)
    assert len(book.sheetnames) == len(tables) == 10  # no device: a requirement by hand
    for name, table in zip(book.sheetnames, tables, strict=True):
        header = next(book[name].iter_rows(max_row=1, values_only=True))
        assert list(header) == list(table.columns), name
    ranked = book[book.sheetnames[3]]
    assert ranked.max_row >= len(run.selection.matrix) + 2  # header, units, every candidate


def test_the_ashby_chart_comes_in_each_language(page: str) -> None:
    charts = re.findall(r'<figure class="chart" id="(vl-figure-\d)">(.*?)</figure>', page,
                        re.DOTALL)
    ashby = charts[0][1]
    if cjk_font() is None:
        pytest.skip("no CJK font installed: the chart keeps English labels")
    english = ashby[ashby.index('<svg lang="en"'):ashby.index('<svg lang="zh-Hans"')]
    chinese = ashby[ashby.index('<svg lang="zh-Hans"'):]
    assert "spring contact: tensile strength vs electrical conductivity" in english
    assert "spring contact: 抗拉强度与电导率" in chinese
    # one page, one id space: the two charts' glyphs and clip paths do not collide
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    references = set(re.findall(r'href="#([^"]+)"', page) + re.findall(r"url\(#([^)]+)\)", page))
    assert references <= set(ids)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_report_renders_in_a_headless_browser_without_console_messages(
        job: tuple[MaterialsRun, Path], tmp_path: Path) -> None:
    _, out = job
    target = out / "report.html"
    shots = {}
    for lang in ("en", "zh"):
        shot = tmp_path / f"{lang}.png"
        browser = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--no-first-run", "--enable-logging=stderr",
             "--v=0", f"--user-data-dir={tmp_path / f'profile-{lang}'}",
             f"--screenshot={shot}", "--window-size=1280,4000", f"{target.as_uri()}?lang={lang}"],
            check=True, capture_output=True, text=True, timeout=180)
        # every console message (errors, CSP violations, warnings) is logged as CONSOLE
        assert not re.findall(r".*CONSOLE.*", browser.stderr), browser.stderr
        shots[lang] = shot.read_bytes()
        assert shots[lang].startswith(b"\x89PNG\r\n\x1a\n")
    assert shots["en"] != shots["zh"]
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile-dom'}", "--dump-dom", f"{target.as_uri()}?lang=zh"],
        check=True, capture_output=True, text=True, timeout=180).stdout
    assert '<html lang="zh-Hans" class="js"' in dom
    assert "帕累托前沿" in dom and "从材料数据库中选型" in dom
