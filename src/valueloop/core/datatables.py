"""Reference tables shipped as CSV inside the package, each row with its source.

The tables live in ``valueloop/data/tables/*.csv`` (described in the README next to them). Each
one is declared below by a :class:`TableSpec`: its columns, which of them hold numbers, units,
dates or a closed set of words, and which identify a row. :func:`load_table` reads a table with
the :mod:`csv` module and validates it once: the header, every number, every unit (with
:func:`valueloop.core.units.parse_unit` and the dimension the table expects), and every row's
source, which must name a shipped document or carry an ``assumption`` with its reason. The
parsed table is cached and immutable, so models can call :func:`load_table` freely.

Every table ends with the citation columns ``document, section, year_published, note,
assumption`` and may carry ``source_url``, the page a figure was read on when that is not the
document itself.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import ValidationError

from valueloop.core.errors import MalformedFileError, MissingSourceError, UserInputError
from valueloop.core.sources import Citation, Document, shipped_documents
from valueloop.core.tables import Cell, Table
from valueloop.core.units import parse_unit

Kind = Literal["text", "float", "int", "date", "unit"]


@dataclass(frozen=True)
class Column:
    """One column of a shipped table and what its cells must be."""

    name: str
    kind: Kind = "text"
    required: bool = True
    """Whether every row must fill the cell (an empty cell reads as ``None`` otherwise)."""
    choices: tuple[str, ...] = ()
    """For text columns: the only words allowed, when the set is closed."""
    dimensions: tuple[str, ...] = ()
    """For unit columns: units whose dimensions are allowed (any one of them)."""


CITATION_COLUMNS = (
    Column("document", required=False),
    Column("section", required=False),
    Column("year_published", "int", required=False),
    Column("note", required=False),
    Column("assumption", required=False),
)
OPTIONAL_COLUMNS = (Column("source_url", required=False),)


@dataclass(frozen=True)
class TableSpec:
    """A shipped table: file, columns, the columns that identify a row, value-to-unit pairs."""

    name: str
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    values: tuple[tuple[str, str], ...]
    """Pairs (value column, unit column)."""

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def all_columns(self) -> tuple[Column, ...]:
        return (*self.columns, *CITATION_COLUMNS, *OPTIONAL_COLUMNS)

    def column(self, name: str) -> Column:
        return next(c for c in self.all_columns if c.name == name)


@dataclass(frozen=True)
class DataTable:
    """A validated table: typed rows, their units and one citation per row."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    citations: tuple[Citation, ...]
    value_units: tuple[tuple[str, str], ...]
    """Pairs (value column, unit column), as in the table's spec."""
    key: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Cell]]:
        return iter(self.records())

    @property
    def units(self) -> dict[str, str]:
        """Unit column of each value column."""
        return dict(self.value_units)

    def column(self, name: str) -> tuple[Cell, ...]:
        index = self._index(name)
        return tuple(row[index] for row in self.rows)

    def array(self, name: str) -> np.ndarray:
        """A numeric column as a new float array (empty cells become NaN)."""
        return np.array([np.nan if v is None else v for v in self.column(name)], dtype=float)

    def records(self) -> list[dict[str, Cell]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def where(self, **criteria: Cell) -> DataTable:
        """The rows whose cells equal every given value (``where(region="World", year=2023)``)."""
        indices = [(self._index(name), value) for name, value in criteria.items()]
        kept = [i for i, row in enumerate(self.rows)
                if all(row[index] == value for index, value in indices)]
        return DataTable(self.name, self.title, self.columns,
                         tuple(self.rows[i] for i in kept),
                         tuple(self.citations[i] for i in kept), self.value_units, self.key)

    def value(self, column: str, **criteria: Cell) -> float:
        """The one number in ``column`` of the single row matching ``criteria``."""
        match = self.where(**criteria)
        if len(match) != 1:
            raise LookupError(f"{self.name}: {len(match)} rows match {criteria}, 1 needed")
        cell = match.rows[0][self._index(column)]
        if not isinstance(cell, int | float) or isinstance(cell, bool):
            raise LookupError(f"{self.name}: column {column!r} is not numeric here ({cell!r})")
        return float(cell)

    def citation(self, **criteria: Cell) -> Citation:
        match = self.where(**criteria)
        if len(match) != 1:
            raise LookupError(f"{self.name}: {len(match)} rows match {criteria}, 1 needed")
        return match.citations[0]

    def item(self, row: int) -> str:
        """A readable name for one row, from its key columns."""
        cells = self.rows[row]
        return "/".join(str(cells[self._index(name)]) for name in self.key)

    def to_table(self) -> Table:
        return Table(self.title, self.columns, self.rows)

    def _index(self, name: str) -> int:
        try:
            return self.columns.index(name)
        except ValueError:
            raise KeyError(f"{self.name} has no column {name!r}; it has "
                           f"{', '.join(self.columns)}") from None


# --- the shipped tables ------------------------------------------------------------------------

_YEAR = Column("year", "int")
_VEHICLE = ("vehicle",)
_FRACTION = ("dimensionless",)

SPECS: tuple[TableSpec, ...] = (
    TableSpec(
        "ev_sales", "EV sales by region, mode and powertrain (IEA Global EV Data 2024)",
        (Column("region", choices=("China", "Europe", "USA", "World")),
         Column("category", choices=("Historical", "Projection-STEPS", "Projection-APS")),
         Column("mode", choices=("Cars", "Vans", "Buses", "Trucks")),
         Column("powertrain", choices=("BEV", "PHEV")),
         _YEAR, Column("value", "float"), Column("unit", "unit", dimensions=_VEHICLE)),
        key=("region", "category", "mode", "powertrain", "year"),
        values=(("value", "unit"),)),
    TableSpec(
        "battery_chemistry_shares",
        "Shares of new battery capacity by chemistry (premise scenarios)",
        (Column("use", choices=("mobile", "stationary")), Column("scenario"),
         Column("chemistry"), _YEAR, Column("share", "float"),
         Column("unit", "unit", dimensions=_FRACTION)),
        key=("use", "scenario", "chemistry", "year"),
        values=(("share", "unit"),)),
    TableSpec(
        "battery_mineral_intensity", "Element content per kWh of battery by chemistry",
        (Column("chemistry"), Column("chemistry_id"), Column("mineral"),
         Column("kg_per_kwh", "float"), Column("unit", "unit", dimensions=("kg/kWh",))),
        key=("chemistry_id", "mineral"),
        values=(("kg_per_kwh", "unit"),)),
    TableSpec(
        "cobalt_mine_production", "Cobalt mine production and reserves by country",
        (Column("country"), Column("country_code"),
         Column("measure", choices=("mine_production", "reserves")), _YEAR,
         Column("value", "float"), Column("unit", "unit", dimensions=("t",)),
         Column("basis", required=False, choices=("estimate", "reported", "revised")),
         Column("series")),
        key=("series", "document", "measure", "country_code", "year"),
        values=(("value", "unit"),)),
    TableSpec(
        "drc_export_measures", "DR Congo cobalt export suspension and quotas, 2025-2027",
        (Column("measure"), Column("part_of", required=False),
         Column("kind", choices=("suspension", "quota", "strategic_reserve", "carry_over")),
         Column("start", "date"), Column("end", "date", required=False),
         Column("quantity", "float"),
         Column("unit", "unit", dimensions=("t", "dimensionless"))),
        key=("measure",),
        values=(("quantity", "unit"),)),
    TableSpec(
        "eu_battery_regulation",
        "Regulation (EU) 2023/1542: recycled content, recovery, efficiency, collection",
        (Column("provision", choices=("recycled_content_min", "material_recovery_target",
                                      "recycling_efficiency_target", "collection_target")),
         Column("article"), Column("metal_or_scope"), Column("battery_categories"),
         Column("date_basis", choices=("applies_from", "deadline")),
         Column("applies_from", "date"), Column("share", "float"),
         Column("unit", "unit", dimensions=_FRACTION)),
        key=("provision", "metal_or_scope", "applies_from"),
        values=(("share", "unit"),)),
    TableSpec(
        "grid_emission_factors", "Grid electricity emission factors by country",
        (Column("region"), Column("region_code"),
         Column("factor_kind", choices=("average", "combined_margin_firm",
                                        "combined_margin_intermittent", "operating_margin")),
         Column("scope"), Column("data_year", "int"), Column("value", "float"),
         Column("unit", "unit", dimensions=("gCO2e/kWh",))),
        key=("region_code", "factor_kind", "document"),
        values=(("value", "unit"),)),
    # --- carbon factor registry (issue 4; shared with issue 5) ---
    TableSpec(
        "carbon_factors",
        "Carbon factor registry: fuels, steam, reagents, process CO2, waste treatment, freight",
        (Column("item"),
         Column("category", choices=("fuel", "utility", "reagent", "process", "waste",
                                     "freight")),
         Column("description"), Column("basis"),
         Column("scope", choices=("combustion", "cradle-to-gate", "process", "gate-to-grave",
                                  "tank-to-wheel")),
         Column("region"), Column("data_year", "int"),
         Column("value", "float"), Column("low", "float"), Column("high", "float"),
         Column("unit", "unit", dimensions=("kgCO2e/kg", "kgCO2e/m**3", "gCO2e/(t*km)"))),
        key=("item",),
        values=(("value", "unit"), ("low", "unit"), ("high", "unit"))),
    TableSpec(
        "china_grid_emission_factors",
        "China's electricity CO2 factors (MEE/NBS): national, regional grids, provinces",
        (Column("region"), Column("region_zh"), Column("code"),
         Column("level", choices=("national", "regional_grid", "province")),
         Column("grid", required=False, choices=("north", "northeast", "east", "central",
                                                 "northwest", "south", "southwest")),
         Column("factor_kind", choices=("average", "residual", "fossil", "reporting")),
         Column("data_year", "int"), Column("value", "float"),
         Column("unit", "unit", dimensions=("kgCO2e/kWh",))),
        key=("code", "factor_kind", "data_year"),
        values=(("value", "unit"),)),
    TableSpec(
        "cbam_free_allocation",
        "CBAM factor: share of EU ETS free allocation retained, adopted and proposed schedules",
        (Column("status", choices=("adopted", "proposal")), _YEAR,
         Column("cbam_factor", "float"), Column("unit", "unit", dimensions=_FRACTION)),
        key=("status", "year"),
        values=(("cbam_factor", "unit"),)),
    TableSpec(
        "cbam_goods",
        "Goods for the CBAM calculator: CN code, status, benchmark, default value, mark-ups",
        (Column("good"), Column("cn_code"), Column("description"), Column("sector"),
         Column("status", choices=("adopted", "proposal", "hypothetical")),
         Column("emission_scope", choices=("direct", "direct_and_indirect")),
         Column("benchmark", "float"), Column("default_value", "float"),
         Column("unit", "unit", dimensions=("tCO2e/t",)),
         Column("markup_2026", "float"), Column("markup_2027", "float"),
         Column("markup_from_2028", "float"),
         Column("markup_unit", "unit", dimensions=_FRACTION)),
        key=("good", "emission_scope"),
        values=(("benchmark", "unit"), ("default_value", "unit"), ("markup_2026", "markup_unit"),
                ("markup_2027", "markup_unit"), ("markup_from_2028", "markup_unit"))),
    # --- process routes (issue 4) ---
    # --- finance and ESG (issue 4) ---
    # --- location (issue 4) ---
    TableSpec(
        "location_provinces",
        "Cobalt hydroxide location model: candidate sites and demand clusters by province",
        (Column("province"), Column("province_code"),
         Column("region", choices=("central_west", "east")),
         Column("demand_group", required=False,
                choices=("yangtze_delta", "south_north", "central_west")),
         Column("quantity", choices=("latitude", "longitude", "power_price", "grid_factor",
                                     "environment_cost_share", "labour_cost_index", "oee",
                                     "capacity_limit", "capacity_share", "demand_group_share",
                                     "demand_within_group_share")),
         Column("value", "float"),
         Column("unit", "unit", dimensions=("dimensionless", "CNY/kWh", "kgCO2e/kWh", "t/yr"))),
        key=("province_code", "quantity"),
        values=(("value", "unit"),)),
    # --- environmental cost and energy benchmarking (issue 4) ---
    TableSpec(
        "environmental_rules",
        "Wastewater, residue, treatment costs and environmental tax per process route, before "
        "and after the 2024 rules (seed report 3.2)",
        (Column("route", choices=("all", "hydrometallurgy", "pyrometallurgy", "bioleaching",
                                  "recycling")),
         Column("rule_set", choices=("any", "old", "new")),
         Column("quantity"), Column("value", "float"), Column("unit", "unit")),
        key=("route", "rule_set", "quantity"),
        values=(("value", "unit"),)),
    TableSpec(
        "energy_saving_measures",
        "Energy use of cobalt hydroxide plants against best practice, conversion coefficients, "
        "prices and energy-saving measures (seed report 4.3)",
        (Column("item"),
         Column("kind", choices=("plant", "target", "coefficient", "price", "economics",
                                 "measure")),
         Column("quantity"), Column("value", "float"), Column("unit", "unit")),
        key=("item", "quantity"),
        values=(("value", "unit"),)),
    # --- scrap grades (issue 5) ---
    TableSpec(
        "scrap_grades",
        "Copper scrap grades: ISRI Scrap Specifications Circular and GB/T 13587",
        (Column("scheme", choices=("ISRI", "GB/T 13587")), Column("grade"), Column("name"),
         Column("family", choices=("copper", "alloy")),
         Column("form", choices=("wire", "solids", "nodules", "mixed", "residue")),
         Column("description")),
        key=("scheme", "grade"),
        values=()),
    TableSpec(
        "scrap_grade_limits",
        "Composition limits of the copper scrap grades (mass fractions), cited or assumed",
        (Column("scheme", choices=("ISRI", "GB/T 13587")), Column("grade"), Column("element"),
         Column("bound", choices=("min", "max")), Column("value", "float"),
         Column("unit", "unit", dimensions=_FRACTION)),
        key=("scheme", "grade", "element", "bound"),
        values=(("value", "unit"),)),
    TableSpec(
        "scrap_payables",
        "Payables of the copper scrap grades: share of the reference copper price paid",
        (Column("scheme", choices=("ISRI", "GB/T 13587")), Column("grade"),
         Column("payable", "float"), Column("unit", "unit", dimensions=_FRACTION),
         Column("basis", choices=("gross_weight",))),
        key=("scheme", "grade"),
        values=(("payable", "unit"),)),
    TableSpec(
        "scrap_routes",
        "Recycling route rules for copper scrap by family and copper content (first match wins)",
        (Column("rule", "int"),
         Column("route", choices=("direct_remelt", "fire_refining", "electrolytic_refining",
                                  "smelter")),
         Column("family", choices=("copper", "alloy", "any", "ungraded")),
         Column("cu_min", "float"), Column("cu_max", "float"),
         Column("unit", "unit", dimensions=_FRACTION), Column("reasoning")),
        key=("rule",),
        values=(("cu_min", "unit"), ("cu_max", "unit"))),
)


def shipped_tables() -> tuple[str, ...]:
    """Names of the shipped tables, for :func:`load_table`."""
    return tuple(spec.name for spec in SPECS)


def table_spec(name: str) -> TableSpec:
    for spec in SPECS:
        if spec.name == name:
            return spec
    raise UserInputError(f"no shipped table named {name!r}", item=name,
                         allowed=", ".join(shipped_tables()))


@cache
def load_table(name: str) -> DataTable:
    """A shipped table, validated on first use and cached (the result is immutable)."""
    spec = table_spec(name)
    entry = resources.files("valueloop.data") / "tables" / spec.file
    return parse_table(entry.read_text("utf-8"), spec, file=str(entry),
                       documents=shipped_documents())


def read_table(path: str | Path, name: str | None = None,
               documents: Mapping[str, Document] | None = None) -> DataTable:
    """Validate a CSV file against a shipped table's spec (by default the one named like the file).

    Not cached: meant for checking a copy or a candidate replacement of a shipped table.
    """
    file = Path(path)
    spec = table_spec(name or file.stem)
    try:
        text = file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MalformedFileError(f"cannot be read ({exc})", file=file) from None
    return parse_table(text, spec, file=str(file),
                       documents=shipped_documents() if documents is None else documents)


def parse_table(text: str, spec: TableSpec, *, file: str,
                documents: Mapping[str, Document]) -> DataTable:
    """Parse and validate CSV text; errors name the file, line, row and column."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = _read_header(reader, spec, file)
    parser = _RowParser(spec, header, file, documents)
    rows: list[tuple[Cell, ...]] = []
    citations: list[Citation] = []
    line = reader.line_num
    try:
        for number, raw in enumerate(reader, start=1):
            line = reader.line_num
            if not any(cell.strip() for cell in raw):
                continue  # a blank line, e.g. a trailing one, carries nothing
            row, citation = parser.parse(raw, number, line)
            rows.append(row)
            citations.append(citation)
    except csv.Error as exc:
        raise MalformedFileError(f"is not valid CSV ({exc})", file=file, line=line) from None
    if not rows:
        raise MalformedFileError("has a header but no rows", file=file)
    return DataTable(spec.name, spec.title, header, tuple(rows), tuple(citations),
                     spec.values, spec.key)


def _read_header(reader: Iterator[list[str]], spec: TableSpec, file: str) -> tuple[str, ...]:
    try:
        header = tuple(name.strip() for name in next(reader))
    except StopIteration:
        raise MalformedFileError("is empty; a header row is needed", file=file) from None
    except csv.Error as exc:
        raise MalformedFileError(f"is not valid CSV ({exc})", file=file, line=1) from None
    known = {c.name for c in spec.all_columns}
    optional = {c.name for c in OPTIONAL_COLUMNS}
    missing = [c.name for c in spec.all_columns if c.name not in header and c.name not in optional]
    if missing:
        raise MalformedFileError(f"header lacks column(s) {', '.join(missing)}", file=file, line=1,
                                 allowed=", ".join(c.name for c in spec.all_columns))
    unknown = [name for name in header if name not in known]
    if unknown:
        raise MalformedFileError(f"header has unknown column(s) {', '.join(unknown)}",
                                 file=file, line=1,
                                 allowed=", ".join(c.name for c in spec.all_columns))
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise MalformedFileError(f"header repeats column(s) {', '.join(duplicated)}",
                                 file=file, line=1)
    return header


class _RowParser:
    """Turns raw CSV rows into typed cells and a citation, one row at a time."""

    def __init__(self, spec: TableSpec, header: Sequence[str], file: str,
                 documents: Mapping[str, Document]) -> None:
        self.spec = spec
        self.header = tuple(header)
        self.columns = tuple(spec.column(name) for name in header)
        self.file = file
        self.documents = documents
        self._units: dict[tuple[str, str], None] = {}  # (unit text, column) already checked

    def parse(self, raw: Sequence[str], number: int, line: int) -> tuple[tuple[Cell, ...],
                                                                          Citation]:
        if len(raw) != len(self.header):
            raise MalformedFileError(
                f"row {number} has {len(raw)} cells, the header has {len(self.header)}",
                file=self.file, line=line)
        cells = tuple(self._cell(column, text.strip(), number, line)
                      for column, text in zip(self.columns, raw, strict=True))
        return cells, self._citation(dict(zip(self.header, cells, strict=True)), number, line)

    def _cell(self, column: Column, text: str, number: int, line: int) -> Cell:
        if not text:
            if column.required:
                raise self._error("is empty", column, number, line)
            return None
        if column.kind == "float":
            return self._number(text, column, number, line)
        if column.kind == "int":
            return self._integer(text, column, number, line)
        if column.kind == "date":
            return self._date(text, column, number, line)
        if column.kind == "unit":
            self._check_unit(text, column, number, line)
        elif column.choices and text not in column.choices:
            raise self._error(f"has {text!r}", column, number, line,
                              allowed=", ".join(column.choices))
        return text

    def _number(self, text: str, column: Column, number: int, line: int) -> float:
        try:
            value = float(text)
        except ValueError:
            raise self._error(f"{text!r} is not a number", column, number, line) from None
        if not math.isfinite(value):
            raise self._error(f"{text!r} is not a finite number", column, number, line)
        return value

    def _integer(self, text: str, column: Column, number: int, line: int) -> int:
        try:
            return int(text)
        except ValueError:
            raise self._error(f"{text!r} is not a whole number", column, number, line) from None

    def _date(self, text: str, column: Column, number: int, line: int) -> str:
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            raise self._error(f"{text!r} is not a date", column, number, line,
                              allowed="YYYY-MM-DD") from None
        return text

    def _check_unit(self, text: str, column: Column, number: int, line: int) -> None:
        if (text, column.name) in self._units:
            return
        try:
            unit = parse_unit(text)
            allowed = [parse_unit(reference).dimensionality for reference in column.dimensions]
        except UserInputError as exc:
            raise self._error(exc.problem, column, number, line, allowed=exc.allowed) from None
        if allowed and unit.dimensionality not in allowed:
            raise self._error(f"unit {text!r} has the wrong dimension", column, number, line,
                              allowed=f"units convertible to {' or '.join(column.dimensions)}")
        self._units[(text, column.name)] = None

    def _citation(self, cells: Mapping[str, Cell], number: int, line: int) -> Citation:
        document = cells.get("document")
        if document and document not in self.documents:
            raise MissingSourceError(
                f"cites unknown document {document!r}", file=self.file, line=line,
                item=f"row {number}, column 'document'",
                allowed="ids of shipped documents (valueloop sources --documents)")
        if not document and not cells.get("assumption"):
            raise MissingSourceError(
                "has neither a document nor an assumption with its reason",
                file=self.file, line=line, item=f"row {number}, columns 'document'/'assumption'",
                allowed="a shipped document id, or the reason in 'assumption'")
        fields = {name: cells.get(name) for name in ("document", "section", "note", "assumption")}
        try:
            return Citation(year=cells.get("year_published"), **fields)
        except ValidationError as exc:
            error = exc.errors()[0]
            column = "year_published" if error["loc"] == ("year",) else "document"
            raise self._error(str(error["msg"]).removeprefix("Value error, "),
                              self.spec.column(column), number, line) from None

    def _error(self, problem: str, column: Column, number: int, line: int,
               allowed: str | None = None) -> MalformedFileError:
        return MalformedFileError(problem, file=self.file, line=line,
                                  item=f"row {number}, column {column.name!r}", allowed=allowed)


# --- the citations index -----------------------------------------------------------------------

CITATION_TABLE_COLUMNS = ("table", "row", "item", "document", "section", "year", "assumption",
                          "note", "source_url")


def table_citations() -> Table:
    """One row per row of every shipped table, with its source (for ``valueloop sources``)."""
    documents = shipped_documents()
    records: list[dict[str, Cell]] = []
    for name in shipped_tables():
        table = load_table(name)
        urls = table.column("source_url") if "source_url" in table.columns else ()
        for index, citation in enumerate(table.citations):
            document = documents.get(citation.document or "")
            records.append({
                "table": name, "row": index + 1, "item": table.item(index),
                "document": citation.document or "", "section": citation.section or "",
                "year": citation.year or (document.year if document else None),
                "assumption": citation.assumption or "", "note": citation.note or "",
                "source_url": (urls[index] if urls else None) or "",
            })
    assumed = sum(1 for record in records if record["assumption"])
    return Table.from_records(
        "Sources of shipped reference tables", records, columns=CITATION_TABLE_COLUMNS,
        notes=(f"{assumed} of {len(records)} table rows carry an assumption, with its reason.",))
