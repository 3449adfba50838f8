"""The bilingual HTML report: well-formed, self-contained, escaped, both languages, atomic write."""

from __future__ import annotations

import dataclasses
import html
import math
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from valueloop.core import tables
from valueloop.core.tables import Table
from valueloop.reports import outlook_charts as oc
from valueloop.reports.html import (
    Callout,
    Figure,
    KeyFigure,
    KeyFigures,
    MetaRow,
    Paragraph,
    Report,
    Section,
    TableBlock,
    format_number,
    render_report,
    write_report,
)
from valueloop.reports.i18n import UI, VERDICTS, Text, ui, verdict_text

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
YEARS = np.arange(2024, 2036)


def example_report() -> Report:
    """A report with every block kind, two charts, a claims table and run metadata."""
    n = len(YEARS)
    mid = np.linspace(40.0, 75.0, n)
    chemistries = {"NCM811": np.linspace(10, 20, n), "NCM622": np.linspace(15, 8, n),
                   "NCA": np.linspace(6, 9, n), "LFP": np.linspace(0.5, 1.0, n)}
    stack = sum(chemistries.values())
    demand_chart = oc.stacked_area(YEARS, chemistries, "kt Co",
                                   "Battery cobalt demand by chemistry",
                                   total=(stack * 0.88, stack, stack * 1.15))
    balance = oc.balance_chart(YEARS, (mid * 0.9, mid, mid * 1.15),
                               (mid * 0.8, mid * 0.97, mid * 1.2), mid * 1.4, "kt Co",
                               "Hydroxide balance")
    drivers = oc.driver_bars(["demand.ev_sales", "chem.lfp_share", "supply.utilisation"],
                             [0.42, 0.21, 0.08], [0.55, 0.30, 0.12], "Drivers of the 2030 balance")
    regions = oc.fan_chart(YEARS, {"China": (mid * 0.5, mid * 0.6, mid * 0.7),
                                   "Europe": (mid * 0.15, mid * 0.2, mid * 0.3)},
                           "kt Co", "Battery cobalt demand by region")
    utilisation = oc.utilisation_chart(YEARS, np.linspace(0.55, 0.5, n),
                                       np.linspace(0.68, 0.6, n), np.linspace(0.8, 0.74, n),
                                       "Hydroxide capacity utilisation", reference=0.75,
                                       reference_label="Break-even")
    months = np.arange(25)
    dip = np.r_[np.linspace(45.0, 8.0, 7), np.linspace(8.0, 42.0, 18)]
    inventory = oc.inventory_curves(
        months, {"Baseline": (np.full(25, 40.0), np.full(25, 45.0), np.full(25, 50.0)),
                 "Export quota": (dip * 0.8, dip, dip * 1.15),
                 "Quota + strategic stock": (dip * 0.8 + 8, dip + 10, dip * 1.15 + 12)},
        20.0, "Hydroxide inventory under an export quota", period_label="Month")
    claims = Table.from_records("claims", [
        {"claim_id": "ch1-01", "section": "1.1", "quantity": "hydroxide capacity",
         "stated": 12.5, "computed": 12.5, "unit": "wan_t", "rel_diff": 0.0,
         "verdict": "agrees"},
        {"claim_id": "ch1-02", "section": "1.2", "quantity": "import dependence",
         "stated": 0.98, "computed": 0.9771, "unit": "dimensionless", "rel_diff": -0.0029,
         "verdict": "agrees within rounding"},
        {"claim_id": "ch5-01", "section": "5.1", "quantity": "recycled output",
         "stated": 28_000, "computed": 2_800.4, "unit": "t", "rel_diff": -0.89999,
         "verdict": "disagrees"},
        {"claim_id": "ch5-02", "section": "5.1", "quantity": "price", "stated": None,
         "computed": math.nan, "unit": "CNY/t", "rel_diff": None, "verdict": "disagrees"},
    ], units={"rel_diff": "1"})
    return Report(
        title=Text("Cobalt outlook 2024–2035", "钴展望 2024–2035"),
        subtitle=Text("Demand, supply, balance and stress tests", "需求、供应、平衡与压力测试"),
        meta=[MetaRow(ui("scenario"), "cobalt-cn-2024-ch1"), MetaRow(ui("samples"), "10,000"),
              MetaRow(ui("seed"), "0"),
              MetaRow(ui("method"), Text("Monte Carlo", "蒙特卡洛"))],
        generated="2025-06-01 12:00 UTC",
        sections=[
            Section("summary", Text("Summary", "摘要"),
                    Text("The headline numbers of the run.", "本次运行的关键数据。"), [
                        KeyFigures([
                            KeyFigure(Text("Battery demand 2030", "2030 年电池需求"), "31.2",
                                      "kt Co", "27.0–36.1"),
                            KeyFigure(Text("Utilisation 2030", "2030 年开工率"), "62%"),
                        ]),
                        Callout("info", Text("Figures are medians of the samples.",
                                             "数字为样本中位数。")),
                        Callout("warning", Text("The 2025 export quota cuts supply.",
                                                "2025 年出口配额削减供应。")),
                    ]),
            Section("demand", Text("Demand", "需求"), blocks=[
                Paragraph(Text("Demand grows with EV sales.", "需求随电动车销量增长。")),
                Figure(demand_chart, Text("Battery cobalt demand by chemistry",
                                          "按化学体系划分的电池钴需求"),
                       source=Text("IEA Global EV Data 2024", "IEA 全球电动车数据 2024")),
            ]),
            Section("balance", Text("Balance", "平衡"), blocks=[
                Figure(balance, Text("Hydroxide supply and demand",
                                     "氢氧化钴供应与需求")),
                Figure(regions, Text("Battery cobalt demand by region",
                                     "按地区划分的电池钴需求")),
                Figure(utilisation, Text("Hydroxide capacity utilisation", "氢氧化钴产能利用率")),
            ]),
            Section("stress", Text("Stress tests", "压力测试"), blocks=[
                Figure(inventory, Text("Inventory days under an export quota",
                                       "出口配额情景下的库存天数")),
                Figure(drivers, Text("Drivers of the 2030 balance", "2030 年平衡的驱动因素")),
            ]),
            Section("claims", Text("Claims", "核查"), blocks=[
                TableBlock(claims, Text("Claims of chapters 1 and 5", "第 1 章和第 5 章的数据"),
                           columns={"claim_id": Text("Claim ID", "声明编号")},
                           formats={"stated": ",.2f", "computed": ",.2f", "rel_diff": "+.1%"},
                           values={"hydroxide capacity": Text("hydroxide capacity",
                                                              "氢氧化钴产能")},
                           notes=[Text("Relative difference is computed/stated − 1.",
                                       "相对差异 = 计算值/声明值 − 1。")]),
            ]),
        ],
    )


@pytest.fixture(scope="module")
def report() -> Report:
    return example_report()


@pytest.fixture(scope="module")
def page(report: Report) -> str:
    return render_report(report)


class _Structure(HTMLParser):
    """Checks that every element opened is closed in order, and collects attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.ids: list[str] = []
        self.spans: dict[str, list[str]] = {"en": [], "zh-Hans": []}
        self._lang_depth: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)
            lang = dict(attrs).get("lang")
            if tag == "span" and lang in self.spans:
                self.spans[lang].append("")
                self._lang_depth.append((lang, len(self.stack)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        if self._lang_depth and self._lang_depth[-1][1] == len(self.stack):
            self._lang_depth.pop()
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self._lang_depth:
            lang = self._lang_depth[-1][0]
            self.spans[lang][-1] += data

    def _attributes(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            self.attributes.append((tag, name, value or ""))
            if name == "id":
                self.ids.append(value or "")


def _parse(page: str) -> _Structure:
    parser = _Structure()
    parser.feed(page)
    parser.close()
    return parser


def _texts(value: object) -> Iterator[Text]:
    """Every Text inside a report, however deeply nested."""
    if isinstance(value, Text):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from _texts(getattr(value, item.name))
    elif isinstance(value, dict | tuple | list) or hasattr(value, "values"):
        items = value.values() if hasattr(value, "values") else value
        for item in items:
            yield from _texts(item)


def test_page_is_well_formed(page: str) -> None:
    structure = _parse(page)
    assert structure.errors == []
    assert structure.stack == []
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"en\"")


def test_ids_are_unique_and_every_reference_resolves(page: str) -> None:
    structure = _parse(page)
    assert len(structure.ids) == len(set(structure.ids))
    ids = set(structure.ids)
    references = [value[1:] for _, name, value in structure.attributes
                  if name in ("href", "xlink:href") and value.startswith("#")]
    references += re.findall(r"url\(#([^)]+)\)", page)
    assert references
    assert [r for r in references if r not in ids] == []


def test_every_text_appears_in_both_languages(report: Report, page: str) -> None:
    structure = _parse(page)
    texts = list(_texts(report))
    assert len(texts) > 20
    for text in texts:
        for lang, words in (("en", text.en), ("zh-Hans", text.zh)):
            if text.bilingual:
                assert words in structure.spans[lang], (lang, words)
            else:
                assert html.escape(words, quote=False) in page


def test_languages_are_switched_by_css_on_html_lang(page: str) -> None:
    assert 'html[lang|="zh"] [lang="en"]:not(button) { display: none' in page
    assert 'html:not([lang|="zh"]) [lang|="zh"]:not(button) { display: none' in page
    assert 'data-lang="en"' in page and 'data-lang="zh"' in page
    assert 'data-title-zh="钴展望 2024–2035"' in page


def test_the_first_language_can_be_chinese(report: Report) -> None:
    page = render_report(report, lang="zh")
    assert page.startswith('<!DOCTYPE html>\n<html lang="zh-Hans"')
    assert "<title>钴展望 2024–2035</title>" in page


def test_remembered_language_is_guarded(page: str) -> None:
    script = re.search(r"<script>(.*?)</script>", page, re.DOTALL).group(1)
    uses = [line for line in script.splitlines() if "localStorage" in line]
    assert len(uses) == 2
    assert all(line.strip().startswith("try {") and "catch" in line for line in uses)


def test_nothing_is_loaded_from_elsewhere(page: str) -> None:
    structure = _parse(page)
    for tag, name, value in structure.attributes:
        if name in ("src", "href", "xlink:href", "action", "data", "poster", "srcset"):
            assert value.startswith("#"), (tag, name, value)
    assert "<link" not in page and "@import" not in page and "url(http" not in page
    # The only absolute URLs are the SVG namespace names, which are never fetched.
    outside_namespaces = re.sub(r'xmlns(:xlink)?="http://www\.w3\.org/[^"]*"', "", page)
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", outside_namespaces)
    assert "default-src 'none'" in page


def test_text_is_escaped() -> None:
    evil = Text("<script>alert(1)</script>", "<img src=x onerror=alert(2)>")
    table = Table("t", ("a",), (("<b>bold</b>",),))
    report = Report(title=evil, subtitle=evil, meta=[MetaRow(evil, "<i>")], sections=[
        Section("x", evil, evil, [Paragraph(evil), Callout("warning", evil),
                                  TableBlock(table, evil, columns={"a": evil}),
                                  KeyFigures([KeyFigure(evil, "<u>", "<s>", "<q>")])])])
    page = render_report(report)
    assert page.count("<script>") == 1  # ours
    assert "<img" not in page and "<b>bold" not in page and "<u>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert _parse(page).errors == []


def test_tables_format_numbers_and_align_them_right(page: str) -> None:
    assert '<td class="num">28,000.00</td>' in page
    assert '<td class="num">2,800.40</td>' in page
    assert '<td class="num">0.98</td>' in page
    assert '<td class="num">−90.0%</td>' in page
    assert '<td class="num">+0.0%</td>' in page
    assert page.count('<td class="num missing">–</td>') == 3  # NaN and None, numeric columns
    assert '<td class="missing">–</td>' not in page
    assert '<th scope="col" class="num"><span lang="en">Relative difference</span>' in page
    assert '<span class="unit">1</span>' in page  # the column's unit, under its label
    assert '<span class="unit">wan_t</span>' not in page  # units of cells stay in their column


def test_number_defaults_are_readable() -> None:
    assert format_number(1234567.891) == "1,234,568"
    assert format_number(3.14159) == "3.142"
    assert format_number(-0.000123) == "−0.000123"
    assert format_number(42) == "42"
    assert format_number(12_345) == "12,345"
    assert format_number(0.25, ".0%") == "25%"
    assert format_number(float("-inf")) == "−∞"


def test_verdicts_are_translated_and_toned(page: str) -> None:
    assert '<td class="verdict good"><span lang="en">agrees</span><span lang="zh-Hans">一致' in page
    assert "在舍入误差内一致" in page
    assert page.count('<td class="verdict bad"><span lang="en">disagrees</span>'
                      '<span lang="zh-Hans">不一致</span></td>') == 2
    assert verdict_text("agrees within rounding") == Text("agrees within rounding",
                                                          "在舍入误差内一致")
    assert {verdict_text(v).zh for v in VERDICTS} == {"一致", "在舍入误差内一致", "不一致"}
    with pytest.raises(KeyError):
        verdict_text("maybe")


def test_cell_values_and_column_labels_are_translated(page: str) -> None:
    assert '<td><span lang="en">hydroxide capacity</span><span lang="zh-Hans">氢氧化钴产能' in page
    assert '<span lang="en">Claim ID</span><span lang="zh-Hans">声明编号</span>' in page  # given
    assert '<span lang="en">Stated</span><span lang="zh-Hans">声明值</span>' in page  # default


def test_figures_and_tables_are_numbered_with_anchors(page: str) -> None:
    for n in range(1, 7):
        assert f'<figure class="chart" id="vl-figure-{n}">' in page
        assert f'<span lang="zh-Hans">图 {n}</span>' in page
    assert '<figure class="table" id="vl-table-1">' in page
    assert '<span lang="en">Table 1</span><span lang="zh-Hans">表 1</span>' in page


def test_table_of_contents_links_every_section(report: Report, page: str) -> None:
    for section in report.sections:
        assert f'<li><a href="#{section.id}">' in page
        assert f'<section id="{section.id}">' in page


def test_footer_carries_the_run_metadata(page: str) -> None:
    footer = page[page.index('<footer class="foot">'):]
    for words in ("cobalt-cn-2024-ch1", "10,000", "随机种子", "蒙特卡洛", "2025-06-01 12:00 UTC",
                  "valueloop", "P10、P50、P90"):
        assert words in footer


def test_svg_is_inlined_without_prolog(page: str) -> None:
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page
    assert page.count("<svg ") == 6
    assert 'id="vl-f1-figure_1"' in page and 'id="vl-f2-figure_1"' in page


def test_rendering_is_deterministic(report: Report, page: str) -> None:
    assert render_report(report) == page
    assert render_report(example_report()) == page


def test_missing_translation_is_refused() -> None:
    with pytest.raises(ValueError, match="no Chinese"):
        Text("Demand", "")
    with pytest.raises(ValueError, match="no English"):
        Text(" ", "需求")
    assert Text.same("NCM811") == Text("NCM811", "NCM811")
    assert ui("figure").format(n=2) == Text("Figure 2", "图 2")
    with pytest.raises(KeyError, match="known"):
        ui("nope")
    assert all(text.en and text.zh for text in UI.values())


def test_model_is_validated() -> None:
    table = Table("t", ("a", "b"), ((1, 2),))
    with pytest.raises(ValueError, match="lacks: c"):
        TableBlock(table, Text.same("t"), columns={"c": Text.same("c")})
    with pytest.raises(ValueError, match="format"):
        TableBlock(table, Text.same("t"), formats={"a": ".2q"})
    with pytest.raises(ValueError, match="section id"):
        Section("Has Space", Text.same("x"))
    with pytest.raises(ValueError, match="section id"):
        Section("vl-top", Text.same("x"))
    with pytest.raises(ValueError, match="two sections"):
        Report(Text.same("r"), sections=[Section("a", Text.same("a")),
                                         Section("a", Text.same("b"))])
    with pytest.raises(ValueError, match="info"):
        Callout("danger", Text.same("x"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="<svg"):
        Figure("chart.svg", Text.same("x"))
    with pytest.raises(TypeError, match="not a block"):
        Section("a", Text.same("a"), blocks=[Text.same("loose text")])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="lang"):
        render_report(Report(Text.same("r")), lang="fr")  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Report(Text.same("r")).title = Text.same("s")  # type: ignore[misc]


def test_write_report_writes_the_rendered_page(report: Report, page: str,
                                               tmp_path: Path) -> None:
    target = write_report(report, tmp_path / "out" / "report.html")
    assert target.read_text(encoding="utf-8") == page
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.html"]


def test_write_report_is_atomic(report: Report, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.html"
    target.write_text("previous report", encoding="utf-8")

    def crash(source: str, destination: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(tables.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        write_report(report, target)
    assert target.read_text(encoding="utf-8") == "previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_smoke_full_report_with_every_block_kind(report: Report, tmp_path: Path) -> None:
    kinds = {type(block).__name__ for section in report.sections for block in section.blocks}
    assert kinds == {"Paragraph", "Figure", "TableBlock", "Callout", "KeyFigures"}
    target = write_report(report, tmp_path / "report.html")
    size = target.stat().st_size
    assert 50_000 < size < 2_000_000
    assert os.access(target, os.R_OK)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_page_renders_in_a_headless_browser(report: Report, tmp_path: Path) -> None:
    target = write_report(report, tmp_path / "report.html")
    shots = {}
    for lang in ("en", "zh"):
        shot = tmp_path / f"report-{lang}.png"
        subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--no-first-run",
             f"--user-data-dir={tmp_path / f'profile-{lang}'}", f"--screenshot={shot}",
             "--window-size=1280,2000", f"{target.as_uri()}?lang={lang}"],
            check=True, capture_output=True, timeout=120)
        data = shot.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        assert len(data) > 20_000
        shots[lang] = data
    # The ?lang= switch ran the script and showed the other language.
    assert shots["en"] != shots["zh"]
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile-dom'}", "--dump-dom", f"{target.as_uri()}?lang=zh"],
        check=True, capture_output=True, text=True, timeout=120).stdout
    assert '<html lang="zh-Hans" class="js"' in dom
    assert 'data-lang="zh" lang="zh-Hans" aria-pressed="true"' in dom
