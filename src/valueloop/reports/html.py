"""Bilingual, self-contained HTML reports: a small document model and its renderer.

A :class:`Report` is sections of blocks (paragraphs, figures, tables, callouts, key figures) whose
every reader-facing text is a :class:`~valueloop.reports.i18n.Text` in English and Chinese.
:func:`render_report` turns it into one HTML file that needs nothing else: CSS and the few lines
of script are inline, charts are inline SVG, and a Content-Security-Policy forbids any load from
elsewhere, so the page looks the same on a machine without internet as on the one that made it.

Both languages are in the page; the ``lang`` attribute of ``<html>`` decides which one CSS shows.
Without script the page shows English; with it, the EN | 中文 switch changes ``lang`` and remembers
the choice. Text is escaped by Jinja's autoescaping; only SVG from our chart code is inserted
as markup.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import MappingProxyType
from typing import ClassVar, Literal

import jinja2
from markupsafe import Markup

from valueloop.core.tables import Cell, Table, write_text
from valueloop.reports.i18n import (
    COLUMNS,
    HTML_LANG,
    UI,
    VERDICT_TONES,
    VERDICTS,
    Lang,
    Text,
    ui,
)

__all__ = [
    "Block",
    "Callout",
    "Figure",
    "KeyFigure",
    "KeyFigures",
    "MetaRow",
    "Paragraph",
    "Report",
    "Section",
    "TableBlock",
    "Text",
    "render_report",
    "write_report",
]

_SECTION_ID = re.compile(r"[a-z][a-z0-9-]*\Z")
_RESERVED_PREFIX = "vl-"  # ids the renderer makes itself (figures, tables, SVG internals)
_MINUS = "\u2212"  # a real minus sign lines up with digits; a hyphen looks like a dash


def _frozen_mapping(value: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(value))


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of running text."""

    text: Text
    block_type: ClassVar[str] = "paragraph"


@dataclass(frozen=True)
class Figure:
    """A chart: an SVG string from :mod:`valueloop.reports.outlook_charts`, with a caption.

    The SVG is inserted as markup, unescaped: pass only SVG made by our own chart code.
    """

    svg: str
    caption: Text
    source: Text | None = None
    block_type: ClassVar[str] = "figure"

    def __post_init__(self) -> None:
        if not _svg_body(self.svg).startswith("<svg"):
            raise ValueError("Figure.svg must be an SVG document (it does not start with <svg)")


@dataclass(frozen=True)
class TableBlock:
    """A :class:`~valueloop.core.tables.Table` shown as an HTML table.

    Parameters
    ----------
    table
        The rows. Its ``title`` and ``notes`` are English only and are not shown: give the
        caption and ``notes`` here in both languages instead.
    caption
        Shown above the table.
    columns
        Header label of a column, by column name. A column not listed takes its label from
        :data:`valueloop.reports.i18n.COLUMNS` (the columns of claims and band tables), or
        else shows its name as is. The column's unit (from ``table.units``) is added under it.
    formats
        A :func:`format` spec per numeric column (``",.0f"``, ``".1%"``...); other numbers get
        four significant digits, or thousands separators when large.
    values
        Translations of string cells by their exact value; claim verdicts are translated
        without being listed.
    """

    table: Table
    caption: Text
    columns: Mapping[str, Text] = field(default_factory=dict)
    formats: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Text] = field(default_factory=dict)
    source: Text | None = None
    notes: Sequence[Text] = ()
    block_type: ClassVar[str] = "table"

    def __post_init__(self) -> None:
        for name, mapping in (("columns", self.columns), ("formats", self.formats)):
            unknown = sorted(set(mapping) - set(self.table.columns))
            if unknown:
                raise ValueError(f"TableBlock.{name} names columns the table lacks: "
                                 f"{', '.join(unknown)} (columns: {', '.join(self.table.columns)})")
        for column, spec in self.formats.items():
            try:
                format(1.5, spec)
            except ValueError as error:
                raise ValueError(f"format {spec!r} of column {column!r}: {error}") from None
        object.__setattr__(self, "columns", _frozen_mapping(self.columns))
        object.__setattr__(self, "formats", _frozen_mapping(self.formats))
        object.__setattr__(self, "values", _frozen_mapping(self.values))
        object.__setattr__(self, "notes", tuple(self.notes))


@dataclass(frozen=True)
class Callout:
    """A highlighted note: ``info`` for context, ``warning`` for what a reader must not miss."""

    kind: Literal["info", "warning"]
    text: Text
    block_type: ClassVar[str] = "callout"

    def __post_init__(self) -> None:
        if self.kind not in ("info", "warning"):
            raise ValueError(f"Callout kind must be 'info' or 'warning', not {self.kind!r}")


@dataclass(frozen=True)
class KeyFigure:
    """One headline number: ``value`` and ``unit`` as shown, ``band`` the P10–P90 range text."""

    label: Text
    value: str
    unit: str = ""
    band: str = ""


@dataclass(frozen=True)
class KeyFigures:
    """A row of headline numbers shown as cards."""

    figures: Sequence[KeyFigure]
    block_type: ClassVar[str] = "key_figures"

    def __post_init__(self) -> None:
        object.__setattr__(self, "figures", tuple(self.figures))


Block = Paragraph | Figure | TableBlock | Callout | KeyFigures


@dataclass(frozen=True)
class Section:
    """A titled part of the report, listed in the table of contents under ``#id``."""

    id: str
    title: Text
    intro: Text | None = None
    blocks: Sequence[Block] = ()

    def __post_init__(self) -> None:
        if not _SECTION_ID.match(self.id) or self.id.startswith(_RESERVED_PREFIX):
            raise ValueError(f"section id {self.id!r} must be lower-case letters, digits and "
                             "hyphens, start with a letter and not start with "
                             f"{_RESERVED_PREFIX!r}")
        object.__setattr__(self, "blocks", tuple(self.blocks))
        for block in self.blocks:
            if not isinstance(block, Paragraph | Figure | TableBlock | Callout | KeyFigures):
                raise TypeError(f"section {self.id!r}: {type(block).__name__} is not a block "
                                "(Paragraph, Figure, TableBlock, Callout or KeyFigures)")


@dataclass(frozen=True)
class MetaRow:
    """A line of the run's metadata in the footer (scenario, samples, seed...)."""

    label: Text
    value: str | Text


@dataclass(frozen=True)
class Report:
    """A whole report.

    ``generated`` is the time (or any text) shown as the generation time; it is given by the
    caller rather than read from the clock so that the same report renders to the same bytes.
    """

    title: Text
    subtitle: Text | None = None
    meta: Sequence[MetaRow] = ()
    sections: Sequence[Section] = ()
    generated: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "meta", tuple(self.meta))
        object.__setattr__(self, "sections", tuple(self.sections))
        seen: set[str] = set()
        for section in self.sections:
            if section.id in seen:
                raise ValueError(f"two sections have the id {section.id!r}")
            seen.add(section.id)


# ---- rendering -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CellView:
    text: str | Text
    css: str


@dataclass(frozen=True)
class _HeaderView:
    label: Text
    unit: str
    numeric: bool


@dataclass(frozen=True)
class _TableView:
    anchor: str
    label: Text
    block: TableBlock
    headers: tuple[_HeaderView, ...]
    rows: tuple[tuple[_CellView, ...], ...]
    block_type: ClassVar[str] = "table"


@dataclass(frozen=True)
class _FigureView:
    anchor: str
    label: Text
    block: Figure
    svg: Markup
    block_type: ClassVar[str] = "figure"


@dataclass(frozen=True)
class _SectionView:
    number: int
    section: Section
    blocks: tuple[object, ...]


def render_report(report: Report, *, lang: Lang = "en") -> str:
    """The report as one self-contained HTML page, first shown in ``lang``."""
    if lang not in HTML_LANG:
        raise ValueError(f"lang must be one of {', '.join(HTML_LANG)}, not {lang!r}")
    figures = tables = 0
    sections: list[_SectionView] = []
    for number, section in enumerate(report.sections, start=1):
        views: list[object] = []
        for block in section.blocks:
            if isinstance(block, Figure):
                figures += 1
                views.append(_FigureView(f"vl-figure-{figures}", ui("figure").format(n=figures),
                                         block, scoped_svg(block.svg, f"vl-f{figures}-")))
            elif isinstance(block, TableBlock):
                tables += 1
                views.append(_table_view(block, tables))
            else:
                views.append(block)
        sections.append(_SectionView(number, section, tuple(views)))
    uses_bands = any(isinstance(v, KeyFigures) and any(f.band for f in v.figures)
                     for s in sections for v in s.blocks)
    return _environment().get_template("report.html.j2").render(
        report=report, sections=sections, ui=UI, lang=lang, html_lang=HTML_LANG,
        uses_bands=uses_bands, version=_version())


def write_report(report: Report, path: str | Path, *, lang: Lang = "en") -> Path:
    """Render ``report`` and write it to ``path`` atomically (never a half-written page)."""
    target = Path(path)
    write_text(target, render_report(report, lang=lang))
    return target


@functools.cache
def _environment() -> jinja2.Environment:
    # Built once: loading and compiling the templates is the slow part of rendering.
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("valueloop.reports", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    environment.filters["colon"] = _with_colon
    return environment


def _with_colon(text: Text) -> Text:
    # Chinese takes the full-width colon, which carries its own space; "来源: " reads as a typo.
    return Text(f"{text.en}: ", f"{text.zh}：")


@functools.cache
def _version() -> str:
    try:
        return metadata.version("valueloop")
    except metadata.PackageNotFoundError:
        return "unknown"


def _table_view(block: TableBlock, number: int) -> _TableView:
    table = block.table
    numeric = [_is_numeric_column(table.column(name)) for name in table.columns]
    headers = tuple(
        _HeaderView(block.columns.get(name) or COLUMNS.get(name) or Text.same(name),
                    _unit_text(table.units.get(name, "")), numeric[i])
        for i, name in enumerate(table.columns))
    rows = tuple(tuple(_cell_view(cell, block.formats.get(name), block.values, numeric[i])
                       for i, (name, cell) in enumerate(zip(table.columns, row, strict=True)))
                 for row in table.rows)
    return _TableView(f"vl-table-{number}", ui("table").format(n=number), block, headers, rows)


def _is_numeric_column(cells: Sequence[Cell]) -> bool:
    present = [c for c in cells if c is not None]
    return bool(present) and all(_is_number(c) for c in present)


def _is_number(cell: Cell) -> bool:
    return isinstance(cell, int | float) and not isinstance(cell, bool)


def _unit_text(unit: str) -> str:
    return "" if unit in ("", "dimensionless") else unit


def _cell_view(cell: Cell, spec: str | None, values: Mapping[str, Text],
               numeric: bool) -> _CellView:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        # Aligned like the numbers around it, so a gap reads as a gap in that column.
        return _CellView("–", "num missing" if numeric else "missing")
    if isinstance(cell, bool):
        return _CellView(ui("yes" if cell else "no"), "")
    if _is_number(cell):
        return _CellView(format_number(cell, spec), "num")
    text = str(cell)
    if text in values:
        return _CellView(values[text], "")
    if text in VERDICTS:
        return _CellView(UI[text], f"verdict {VERDICT_TONES[text]}")
    return _CellView(text, "")


def format_number(value: float, spec: str | None = None) -> str:
    """``value`` formatted with ``spec``, or readably by default, with a true minus sign."""
    if math.isinf(value):
        text = "∞" if value > 0 else "-∞"
    elif spec is not None:
        text = format(value, spec)
    elif isinstance(value, int) or (abs(value) >= 1e4 and abs(value) < 1e15):
        text = f"{value:,.0f}"
    else:
        text = f"{value:,.4g}"
    return _MINUS + text[1:] if text.startswith("-") else text


_PROLOG = re.compile(r"\A\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?", re.IGNORECASE)
_ID = re.compile(r'(?<=\s)id="([^"]+)"')
_URL_REF = re.compile(r"url\(#([^)]+)\)")
_HREF_REF = re.compile(r'((?:xlink:)?href)="#([^"]+)"')


def _svg_body(svg: str) -> str:
    # An XML declaration or DOCTYPE is not allowed inside HTML (and the DOCTYPE names a DTD URL).
    return _PROLOG.sub("", svg, count=1)


def scoped_svg(svg: str, prefix: str) -> Markup:
    """The SVG markup with every id (and reference to one) prefixed, ready to inline.

    Inline SVGs share the page's id space, and matplotlib names clip paths and glyphs alike in
    every chart, so without a prefix one chart could clip or draw with another chart's shapes.
    """
    body = _svg_body(svg).rstrip()
    body = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', body)
    body = _URL_REF.sub(lambda m: f"url(#{prefix}{m.group(1)})", body)
    body = _HREF_REF.sub(lambda m: f'{m.group(1)}="#{prefix}{m.group(2)}"', body)
    # Trusted markup: Figure documents that its SVG must come from our own chart code.
    return Markup(body)
