"""Scenario definitions to and from TOML and Excel, and the differences between two scenarios.

A :class:`~valueloop.core.scenario.ScenarioDefinition` is written as canonical TOML (one
``[parameters."name"]`` table per parameter, distribution and source inline) and as an Excel
workbook for analysts: one sheet per part of the file, one row per parameter, series in long
format. Both round-trip: reading back what was written gives an equal definition. The Excel reader
checks every cell and names the file, sheet, row and parameter of the first problem it finds.

:func:`diff_definitions` compares two definitions as written, aware of units: 18.6 wan_t and
186 kt are one quantity written two ways, so they differ in unit only. :func:`diff_scenarios`
compares resolved scenarios, in the units their models declare.

Limits of the Excel form, because an empty cell means "not given": an optional text set to ``""``
reads back as absent. Neither form can hold an override field explicitly set to ``None`` (scenario
files have no null), so writing one raises :class:`ValueError` rather than change its meaning.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, time, timedelta
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeVar

from pydantic import BaseModel, ValidationError

from valueloop.core.distributions import (
    DISTRIBUTION_KINDS,
    LogNormal,
    Normal,
    Pert,
    Triangular,
    Uniform,
    _Distribution,
)
from valueloop.core.errors import (
    InvalidDistributionError,
    MalformedFileError,
    MissingSourceError,
    UnknownParameterError,
    UserInputError,
)
from valueloop.core.parameters import (
    CorrelationEntry,
    OverrideEntry,
    ParameterEntry,
    ParameterPatch,
    ShareGroupEntry,
    is_parameter_name,
)
from valueloop.core.scenario import ResolvedParameter, Scenario, ScenarioDefinition, ScenarioHeader
from valueloop.core.sources import Citation, Document
from valueloop.core.tables import Cell, Table, write_bytes, write_text
from valueloop.core.units import convert_value, same_dimension

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

T = TypeVar("T")

ENTRY_FIELDS = ("index", "value", "unit", "distribution", "bounds", "share_group", "source",
                "note")
"""Fields of a parameter in the order they are written (index first: it labels the values)."""
PATCH_FIELDS = ("index", "value", "unit", "distribution", "fixed", "bounds", "source", "note")
DISTRIBUTION_ARGUMENTS = ("low", "mode", "high", "mean", "sd", "median", "sigma", "lamb")
SOURCE_COLUMNS = ("source_document", "source_section", "source_year", "source_note",
                  "source_assumption")

_DISTRIBUTIONS: Mapping[str, type[_Distribution]] = MappingProxyType(
    {cls.model_fields["kind"].default: cls for cls in (Uniform, Triangular, Pert, Normal,
                                                       LogNormal)})


# --- TOML --------------------------------------------------------------------------------------

TOML_WIDTH = 100
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_TOML_ESCAPES: Mapping[str, str] = MappingProxyType({
    '"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"})


def definition_to_toml(definition: ScenarioDefinition) -> str:
    """Canonical TOML for ``definition``; parsing and validating it gives an equal definition.

    Tables come in a fixed order (scenario, documents, parameters, share groups, correlations,
    overrides), entries in the definition's order, keys in the order of :data:`ENTRY_FIELDS`.
    """
    tables = [_toml_table(("scenario",), _header_fields(definition.scenario))]
    tables += [_toml_table(("documents", key), document.model_dump(exclude_none=True))
               for key, document in definition.documents.items()]
    tables += [_toml_table(("parameters", name), _entry_fields(entry))
               for name, entry in definition.parameters.items()]
    tables += [_toml_table(("share_groups", name), _model_fields(group))
               for name, group in definition.share_groups.items()]
    tables += [_toml_table(("correlations",), _model_fields(correlation), array=True)
               for correlation in definition.correlations]
    for name, override in definition.overrides.items():
        tables.append(_toml_table(("overrides", name), _override_fields(override)))
        tables += [_toml_table(("overrides", name, "parameters", parameter),
                               _patch_fields(name, parameter, patch))
                   for parameter, patch in override.parameters.items()]
    return "\n".join(tables)


def _header_fields(header: ScenarioHeader) -> dict[str, Any]:
    # Empty title and description are the defaults; leaving them out keeps the file short.
    return {"name": header.name, "model": header.model, "title": header.title or None,
            "description": header.description or None, "extends": header.extends}


def _entry_fields(entry: ParameterEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in ENTRY_FIELDS}


def _override_fields(override: OverrideEntry) -> dict[str, Any]:
    return {"description": override.description or None, "extends": override.extends,
            "source": override.source}


def _patch_fields(override: str, parameter: str, patch: ParameterPatch) -> dict[str, Any]:
    """The fields a patch sets; unset fields must stay unset, since they mean "keep the value"."""
    given = {name: getattr(patch, name) for name in PATCH_FIELDS
             if name in patch.model_fields_set}
    empty = [name for name, value in given.items() if value is None]
    if empty:
        raise ValueError(
            f"override {override!r}, parameter {parameter!r}: {', '.join(empty)} explicitly set "
            "to None cannot be written, because scenario files have no null; leave the field "
            "unset, or set fixed = true to drop a distribution")
    return given


def _model_fields(model: BaseModel) -> dict[str, Any]:
    if isinstance(model, _Distribution):
        # The kind leads so the table reads "kind = pert, low = ..."; defaults (PERT's lamb = 4)
        # are left out as a reader expects.
        return {"kind": model.kind, **model.model_dump(exclude={"kind"}, exclude_defaults=True)}
    return model.model_dump(exclude_none=True)


def _toml_table(path: Sequence[str], values: Mapping[str, Any], *, array: bool = False) -> str:
    dotted = ".".join(_toml_key(part) for part in path)
    header = f"[[{dotted}]]" if array else f"[{dotted}]"
    lines = [header, *(_toml_key_value(key, value) for key, value in values.items()
                       if value is not None)]
    return "\n".join(lines) + "\n"


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _toml_string(key)


def _toml_key_value(key: str, value: Any) -> str:
    head = f"{_toml_key(key)} = "
    if isinstance(value, list | tuple):
        return head + _toml_array([_toml_value(item) for item in value], len(head))
    return head + _toml_value(value, multiline=True)


def _toml_array(items: Sequence[str], used: int) -> str:
    """An array on one line, or wrapped several items to a line when it would be too wide."""
    one_line = "[" + ", ".join(items) + "]"
    if used + len(one_line) <= TOML_WIDTH:
        return one_line
    indent = "    "
    lines: list[str] = []
    current = indent
    for item in items:
        if current != indent and len(current) + len(item) + 2 > TOML_WIDTH:
            lines.append(current.rstrip())
            current = indent
        current += f"{item}, "
    lines.append(current.rstrip())
    return "[\n" + "\n".join(lines) + "\n]"


def _toml_value(value: Any, *, multiline: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # shortest exact form; 'inf', '-inf' and 'nan' are TOML too
    if isinstance(value, str):
        return _toml_string(value, multiline=multiline and "\n" in value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, BaseModel):
        return _toml_inline_table(_model_fields(value))
    if isinstance(value, Mapping):
        return _toml_inline_table(value)
    raise TypeError(f"cannot write a {type(value).__name__} to TOML")


def _toml_inline_table(values: Mapping[str, Any]) -> str:
    if not values:
        return "{}"
    pairs = ", ".join(f"{_toml_key(key)} = {_toml_value(value)}" for key, value in values.items())
    return "{ " + pairs + " }"


def _toml_string(text: str, *, multiline: bool = False) -> str:
    if not multiline:
        return '"' + "".join(_toml_escape(char) for char in text) + '"'
    parts: list[str] = []
    for position, char in enumerate(text):
        # A quote stays readable unless it could run into a closing '"""': after another bare
        # quote, or last.
        bare_quote = char == '"' and position + 1 < len(text) and parts[-1:] != ['"']
        parts.append(char if char == "\n" or bare_quote else _toml_escape(char))
    # The newline right after the opening quotes is not part of a multi-line string.
    return '"""\n' + "".join(parts) + '"""'


def _toml_escape(char: str) -> str:
    if char in _TOML_ESCAPES:
        return _TOML_ESCAPES[char]
    if char < " " or char == "\x7f":
        return f"\\u{ord(char):04X}"
    return char


# --- Excel layout ------------------------------------------------------------------------------

ColumnKind = Literal["id", "text", "float", "int", "bool", "label"]


@dataclass(frozen=True)
class _Column:
    """One column of a sheet: its header, how its cells are read, and the header's comment."""

    name: str
    kind: ColumnKind
    help: str = ""


@dataclass(frozen=True)
class _SheetSpec:
    name: str
    columns: tuple[_Column, ...]
    required: tuple[str, ...]
    """Columns the sheet must have; the others may be deleted when they are not used."""
    label: tuple[str, ...]
    """Columns that name a row's item in error messages."""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


_VALUE_HELP = "A number in 'unit'. Empty for a series (rows on the 'series' sheet) or when the " \
              "distribution alone gives the baseline."
_DISTRIBUTION_COLUMNS = (
    _Column("distribution", "id", "uniform(low, high), triangular(low, mode, high), "
            "pert(low, mode, high[, lamb]), normal(mean, sd) or lognormal(median, sigma). "
            "Empty for a fixed value. Fill only the columns the kind takes."),
    _Column("low", "float"), _Column("mode", "float"), _Column("high", "float"),
    _Column("mean", "float"), _Column("sd", "float", "Standard deviation of a normal."),
    _Column("median", "float"),
    _Column("sigma", "float", "Standard deviation of ln(x) for a lognormal."),
    _Column("lamb", "float", "PERT shape; 4 (the classic PERT) when empty."),
)
_BOUND_COLUMNS = (
    _Column("bound_low", "float", "Lower bound in 'unit'; -inf for none. Give both bounds or "
            "neither."),
    _Column("bound_high", "float", "Upper bound in 'unit'; inf for none."),
)
_SOURCE_COLUMN_SPECS = (
    _Column("source_document", "id", "Id of a document (sheet 'documents' or shipped). Give a "
            "document with its section, or an assumption."),
    _Column("source_section", "text", "Section, table or figure, as the document numbers it."),
    _Column("source_year", "int", "Year the figure refers to, when not the document's."),
    _Column("source_note", "text"),
    _Column("source_assumption", "text", "The reason, when the number is our assumption."),
)
_NOTE = _Column("note", "text")

SCENARIO_SHEET = _SheetSpec(
    "scenario",
    (_Column("key", "id", "name, model, title, description or extends."), _Column("value", "text")),
    required=("key", "value"), label=("key",))
DOCUMENTS_SHEET = _SheetSpec(
    "documents",
    (_Column("id", "id", "Short id that sources cite: lower case, digits, '.', '_', '-'."),
     _Column("title", "text"), _Column("publisher", "text"), _Column("year", "int"),
     _Column("url", "text"), _Column("licence", "text"), _NOTE),
    required=("id", "title"), label=("id",))
PARAMETERS_SHEET = _SheetSpec(
    "parameters",
    (_Column("name", "id", "Dotted parameter name the model declares."),
     _Column("value", "float", _VALUE_HELP),
     _Column("unit", "id", "Unit of value, distribution and bounds, e.g. t, kt, wan_t, CNY/t. "
             "Empty means dimensionless."),
     *_DISTRIBUTION_COLUMNS, *_BOUND_COLUMNS,
     _Column("share_group", "id", "Share group (sheet 'share_groups') this share belongs to."),
     *_SOURCE_COLUMN_SPECS, _NOTE),
    required=("name",), label=("name",))
SERIES_SHEET = _SheetSpec(
    "series",
    (_Column("parameter", "id", "A parameter whose 'value' is empty on its own sheet."),
     _Column("index", "label", "Label of this value: a year (whole number) or text. Text that "
             "looks like a number stays text."),
     _Column("value", "float"),
     _Column("override", "id", "Empty for the baseline; an override's name for its series.")),
    required=("parameter", "value"), label=("parameter", "override"))
SHARE_GROUPS_SHEET = _SheetSpec(
    "share_groups",
    (_Column("name", "id"),
     _Column("concentration", "float", "Dirichlet concentration; empty keeps the shares fixed."),
     *_SOURCE_COLUMN_SPECS, _NOTE),
    required=("name",), label=("name",))
CORRELATIONS_SHEET = _SheetSpec(
    "correlations",
    (_Column("parameter_a", "id"), _Column("parameter_b", "id"),
     _Column("rank_correlation", "float", "Spearman rank correlation, strictly between -1 and 1."),
     *_SOURCE_COLUMN_SPECS, _NOTE),
    required=("parameter_a", "parameter_b", "rank_correlation"),
    label=("parameter_a", "parameter_b"))
OVERRIDES_SHEET = _SheetSpec(
    "overrides",
    (_Column("override", "id", "Override name. One row with 'parameter' empty carries the "
             "override's description, extends and source; each other row changes a parameter."),
     _Column("description", "text"),
     _Column("extends", "id", "Another override applied first."),
     _Column("parameter", "id", "Parameter changed; empty on the override's own row."),
     _Column("value", "float", "New value; empty keeps the baseline's (series: sheet 'series', "
             "with this override's name)."),
     _Column("unit", "id", "Empty keeps the baseline's unit."),
     *_DISTRIBUTION_COLUMNS, *_BOUND_COLUMNS,
     _Column("fixed", "bool", "TRUE drops the distribution: the parameter is fixed at its value."),
     *_SOURCE_COLUMN_SPECS, _NOTE),
    required=("override",), label=("override", "parameter"))

SHEETS = (SCENARIO_SHEET, DOCUMENTS_SHEET, PARAMETERS_SHEET, SERIES_SHEET, SHARE_GROUPS_SHEET,
          CORRELATIONS_SHEET, OVERRIDES_SHEET)
REQUIRED_SHEETS = ("scenario", "parameters")
_MIN_WIDTH, _MAX_WIDTH = 8, 50
_LAST_EXCEL_ROW = 1_048_576


# --- Excel export ------------------------------------------------------------------------------

Record = dict[str, Any]


def export_definition_xlsx(definition: ScenarioDefinition, path: str | Path) -> None:
    """Write ``definition`` as an Excel workbook, atomically."""
    write_bytes(path, _workbook_bytes(definition))


def _workbook_bytes(definition: ScenarioDefinition) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    records = _sheet_records(definition)
    for spec in SHEETS:
        _write_sheet(workbook, spec, records[spec.name])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_records(definition: ScenarioDefinition) -> dict[str, list[Record]]:
    overrides = definition.overrides.items()
    return {
        "scenario": [{"key": key, "value": value}
                     for key, value in definition.scenario.model_dump().items()],
        "documents": [_document_record(key, document)
                      for key, document in definition.documents.items()],
        "parameters": [_parameter_record(name, entry)
                       for name, entry in definition.parameters.items()],
        "series": [
            *(record for name, entry in definition.parameters.items()
              if isinstance(entry.value, tuple)
              for record in _series_records(name, entry.value, entry.index)),
            *(record for override, block in overrides
              for parameter, patch in block.parameters.items()
              if isinstance(patch.value, tuple)
              for record in _series_records(parameter, patch.value, patch.index, override)),
        ],
        "share_groups": [{"name": name, "concentration": group.concentration,
                          **_source_record(group.source), "note": group.note}
                         for name, group in definition.share_groups.items()],
        "correlations": [{"parameter_a": c.parameters[0], "parameter_b": c.parameters[1],
                          "rank_correlation": c.rank_correlation, **_source_record(c.source),
                          "note": c.note} for c in definition.correlations],
        "overrides": [record for name, block in overrides
                      for record in _override_records(name, block)],
    }


def _document_record(key: str, document: Document) -> Record:
    if key != document.id:
        raise ValueError(f"document {key!r} has id {document.id!r}; the 'documents' sheet keys "
                         "documents by id, so the two must match")
    return document.model_dump()


def _parameter_record(name: str, entry: ParameterEntry) -> Record:
    return {"name": name, "value": None if isinstance(entry.value, tuple) else entry.value,
            "unit": entry.unit, **_distribution_record(entry.distribution),
            **_bounds_record(entry.bounds), "share_group": entry.share_group,
            **_source_record(entry.source), "note": entry.note}


def _override_records(name: str, block: OverrideEntry) -> list[Record]:
    own = {"override": name, "description": block.description or None,
           "extends": block.extends, **_source_record(block.source)}
    return [own, *(_patch_record(name, parameter, patch)
                   for parameter, patch in block.parameters.items())]


def _patch_record(override: str, parameter: str, patch: ParameterPatch) -> Record:
    given = _patch_fields(override, parameter, patch)
    value = given.get("value")
    if "index" in given and not isinstance(value, tuple):
        raise ValueError(f"override {override!r}, parameter {parameter!r}: an index without "
                         "series values has no place on the 'series' sheet")
    return {"override": override, "parameter": parameter,
            "value": None if isinstance(value, tuple) else value, "unit": given.get("unit"),
            **_distribution_record(given.get("distribution")),
            **_bounds_record(given.get("bounds")), "fixed": given.get("fixed"),
            **_source_record(given.get("source")), "note": given.get("note")}


def _series_records(parameter: str, values: tuple[float, ...],
                    index: tuple[int | str, ...] | None, override: str | None = None
                    ) -> list[Record]:
    if index is not None and len(index) != len(values):
        raise ValueError(f"parameter {parameter!r}: {len(index)} index labels for "
                         f"{len(values)} values")
    labels: Sequence[int | str | None] = index if index is not None else (None,) * len(values)
    return [{"parameter": parameter, "index": label, "value": value, "override": override}
            for label, value in zip(labels, values, strict=True)]


def _distribution_record(distribution: _Distribution | None) -> Record:
    if distribution is None:
        return {}
    return {"distribution": distribution.kind, **distribution.arguments()}


def _bounds_record(bounds: tuple[float, float] | None) -> Record:
    return {} if bounds is None else {"bound_low": bounds[0], "bound_high": bounds[1]}


def _source_record(source: Citation | None) -> Record:
    if source is None:
        return {}
    return {f"source_{key}": value for key, value in source.model_dump().items()}


def _write_sheet(workbook: Workbook, spec: _SheetSpec, records: Sequence[Record]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(spec.name)
    for number, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=number, value=column.name)
        cell.font = Font(bold=True)
        if column.help:
            cell.comment = Comment(column.help, "valueloop", width=320, height=110)
    for row, record in enumerate(records, start=2):
        for number, name in enumerate(spec.names, start=1):
            _write_cell(sheet, row, number, record.get(name))
    sheet.freeze_panes = "B2"
    _set_widths(sheet, spec, records)
    _add_kind_validation(sheet, spec)


def _write_cell(sheet: Worksheet, row: int, column: int, value: Any) -> None:
    from openpyxl.utils.exceptions import IllegalCharacterError

    written = _excel_value(value)
    try:
        cell = sheet.cell(row=row, column=column, value=written)
    except IllegalCharacterError:
        raise ValueError(f"{sheet.title}!row {row}, column {column}: {value!r} has control "
                         "characters that an Excel workbook cannot hold") from None
    if isinstance(written, str):
        # Text that starts with '=' would otherwise be saved as a formula.
        cell.data_type = "s"


def _excel_value(value: Any) -> Any:
    """A cell value that reads back exactly.

    Excel has no infinity, and openpyxl saves floats with 16 significant digits, which loses
    some doubles; those are written as text, which the reader parses back to the same float.
    """
    if not isinstance(value, float):
        return value
    if not math.isfinite(value) or float(f"{value:.16g}") != value:
        return repr(value)
    return value


def _set_widths(sheet: Worksheet, spec: _SheetSpec, records: Sequence[Record]) -> None:
    from openpyxl.utils import get_column_letter

    for number, name in enumerate(spec.names, start=1):
        longest = max((len(_display(record.get(name))) for record in records), default=0)
        width = min(max(len(name) + 2, longest + 2, _MIN_WIDTH), _MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(number)].width = width


def _display(value: Any) -> str:
    return "" if value is None else str(_excel_value(value))


def _add_kind_validation(sheet: Worksheet, spec: _SheetSpec) -> None:
    """A drop-down of distribution kinds, so analysts pick rather than type them."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if "distribution" not in spec.names:
        return
    letter = get_column_letter(spec.names.index("distribution") + 1)
    validation = DataValidation(type="list", formula1=f'"{",".join(DISTRIBUTION_KINDS)}"',
                                allow_blank=True, showErrorMessage=True,
                                errorTitle="distribution", error="Pick a distribution kind.")
    validation.add(f"{letter}2:{letter}{_LAST_EXCEL_ROW}")
    sheet.add_data_validation(validation)


# --- Excel import: cells -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Where:
    """A place in the workbook, for error messages: file, sheet, row and the row's item."""

    file: Path
    sheet: str
    row: int | None = None
    label: str = ""

    @property
    def item(self) -> str:
        place = f"{self.sheet}!row {self.row}" if self.row is not None else self.sheet
        return f"{place} ({self.label})" if self.label else place

    def error(self, problem: str, kind: type[UserInputError] = MalformedFileError,
              allowed: str | None = None) -> UserInputError:
        return kind(problem, file=self.file, item=self.item, allowed=allowed)


@dataclass(frozen=True)
class _Row:
    """One non-empty row of a sheet, its cells read by column kind; empty cells are absent."""

    where: _Where
    cells: Mapping[str, Any]

    def __contains__(self, name: object) -> bool:
        return name in self.cells

    def __getitem__(self, name: str) -> Any:
        return self.cells[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.cells.get(name, default)

    def required(self, name: str) -> Any:
        if name not in self.cells:
            raise self.where.error(f"column {name!r} is empty")
        return self.cells[name]


class _CellError(ValueError):
    """A cell that its column cannot read; the caller adds where it is."""

    def __init__(self, problem: str, allowed: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.allowed = allowed


_NUMBER = "a number; inf and -inf as text"


def _read_float(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise _CellError(f"{value!r} is not a number", _NUMBER) from None
    else:
        raise _CellError(f"{value!r} is not a number", _NUMBER)
    if math.isnan(number):
        raise _CellError("NaN is not a value", _NUMBER)
    return number


def _read_int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        return int(value)
    raise _CellError(f"{value!r} is not a whole number", "a whole number such as 2023")


def _read_label(value: Any) -> int | str:
    if isinstance(value, str):
        return value.strip()
    try:
        return _read_int(value)
    except _CellError:
        raise _CellError(f"{value!r} is not an index label",
                         "a whole number (a year) or text") from None


def _read_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    raise _CellError(f"{value!r} is not TRUE or FALSE", "TRUE or FALSE")


def _read_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A section typed as 3.2 or a name typed as 2024 arrives as a number.
        return str(value)
    raise _CellError(f"{value!r} is not text", "text")


def _read_id(value: Any) -> str:
    return _read_text(value).strip()


_READERS: Mapping[ColumnKind, Callable[[Any], Any]] = MappingProxyType({
    "id": _read_id, "text": _read_text, "float": _read_float, "int": _read_int,
    "bool": _read_bool, "label": _read_label})


def _read_cell(kind: ColumnKind, value: Any, column: str, where: _Where) -> Any:
    if isinstance(value, date | time | timedelta):
        raise where.error(f"column {column!r}: {value} is a date or time (Excel converts some "
                          "text to dates)", allowed="format the cell as text and retype it")
    try:
        return _READERS[kind](value)
    except _CellError as exc:
        raise where.error(f"column {column!r}: {exc.problem}", allowed=exc.allowed) from None


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- Excel import: sheets ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Book:
    """The workbook twice: cached formula results, and the formulas, to catch uncached ones."""

    file: Path
    values: Workbook
    formulas: Workbook

    def sheet(self, name: str) -> tuple[Worksheet, Worksheet]:
        return self.values[name], self.formulas[name]


def _open_book(file: Path) -> _Book:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return _Book(file, load_workbook(file, data_only=True),
                     load_workbook(file, data_only=False))
    except FileNotFoundError:
        raise MalformedFileError("does not exist", file=file) from None
    except OSError as exc:
        raise MalformedFileError(f"cannot read file ({exc.strerror})", file=file) from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise MalformedFileError(f"is not a readable Excel workbook ({exc})", file=file,
                                 allowed=".xlsx written by Excel, LibreOffice or valueloop"
                                 ) from None


def _sheet_names(book: _Book) -> dict[str, str]:
    """Known sheet name -> name in the workbook (matched ignoring case, like Excel does)."""
    known = {spec.name for spec in SHEETS}
    found: dict[str, str] = {}
    for name in book.values.sheetnames:
        key = name.strip().lower()
        if key.startswith("_"):
            continue  # the analyst's own notes
        if key not in known:
            raise MalformedFileError(
                f"unknown sheet {name!r}", file=book.file, item=name,
                allowed=", ".join(spec.name for spec in SHEETS)
                + "; sheets whose names start with '_' are ignored")
        found[key] = name
    for required in REQUIRED_SHEETS:
        if required not in found:
            raise MalformedFileError(f"has no sheet {required!r}", file=book.file,
                                     allowed=f"sheets {', '.join(REQUIRED_SHEETS)} and optionally "
                                     + ", ".join(s.name for s in SHEETS
                                                 if s.name not in REQUIRED_SHEETS))
    return found


def _read_sheet(book: _Book, spec: _SheetSpec, actual_name: str | None) -> list[_Row]:
    if actual_name is None:
        return []
    values, formulas = book.sheet(actual_name)
    value_rows = list(values.iter_rows(values_only=True))
    formula_rows = list(formulas.iter_rows())
    header = _read_header(value_rows[0] if value_rows else (), spec,
                          _Where(book.file, spec.name, 1))
    rows = []
    for number, (cells, formula_cells) in enumerate(
            zip(value_rows[1:], formula_rows[1:], strict=True), start=2):
        row = _read_row(cells, formula_cells, header, spec, _Where(book.file, spec.name, number))
        if row is not None:
            rows.append(row)
    return rows


def _read_header(cells: Sequence[Any], spec: _SheetSpec, where: _Where) -> list[str | None]:
    header: list[str | None] = []
    for value in cells:
        name = None if _is_empty(value) else str(value).strip().lower()
        if name is not None and name not in spec.names:
            raise where.error(f"unknown column {value!r}", allowed=", ".join(spec.names))
        if name is not None and name in header:
            raise where.error(f"column {name!r} appears twice")
        header.append(name)
    missing = [name for name in spec.required if name not in header]
    if missing:
        raise where.error(f"missing column(s) {', '.join(missing)}",
                          allowed=f"a header row with at least {', '.join(spec.required)}")
    return header


def _read_row(cells: Sequence[Any], formula_cells: Sequence[Any], header: Sequence[str | None],
              spec: _SheetSpec, where: _Where) -> _Row | None:
    if all(_is_empty(value) for value in cells):
        return None  # blank lines are for readability
    names = [*header, *[None] * (len(cells) - len(header))]
    raw = {name: value for name, value in zip(names, cells, strict=True)
           if name is not None and not _is_empty(value)}
    label = " / ".join(str(raw[name]).strip() for name in spec.label if name in raw)
    where = _Where(where.file, where.sheet, where.row, label)
    for position, (name, value) in enumerate(zip(names, cells, strict=True)):
        if value is None:
            _check_formula_cached(formula_cells[position], name, where)
        elif name is None and not _is_empty(value):
            raise where.error(f"column {position + 1} has a value but no header",
                              allowed=", ".join(spec.names))
    kinds = {column.name: column.kind for column in spec.columns}
    return _Row(where, {name: _read_cell(kinds[name], value, name, where)
                        for name, value in raw.items()})


def _check_formula_cached(cell: Any, column: str | None, where: _Where) -> None:
    # A formula saved by a program that does not compute it has no result: reading it as
    # "empty" would silently drop the analyst's number.
    if cell.data_type == "f":
        raise where.error(f"column {column or cell.column!r}: formula {cell.value} has no saved "
                          "result", allowed="open and save the workbook in Excel or LibreOffice, "
                          "or paste the values")


# --- Excel import: building the definition -----------------------------------------------------


def import_definition_xlsx(path: str | Path) -> ScenarioDefinition:
    """Read a workbook written by :func:`export_definition_xlsx` (and edited by an analyst).

    ``extends`` is kept as written, not merged; the first problem found raises a
    :class:`~valueloop.core.errors.UserInputError` naming the file, sheet, row and item.
    """
    file = Path(path)
    book = _open_book(file)
    names = _sheet_names(book)
    rows = {spec.name: _read_sheet(book, spec, names.get(spec.name)) for spec in SHEETS}
    header = _build_header(rows["scenario"], _Where(file, "scenario"))
    series = _collect_series(rows["series"])
    parameters = _build_parameters(rows["parameters"], series)
    overrides = _build_overrides(rows["overrides"], series)
    _check_series_used(series, parameters, overrides)
    try:
        return ScenarioDefinition(
            scenario=header,
            documents=_build_documents(rows["documents"]),
            parameters=parameters,
            share_groups=_build_share_groups(rows["share_groups"]),
            correlations=[_build_correlation(row) for row in rows["correlations"]],
            overrides=overrides,
        )
    except ValidationError as exc:
        raise _invalid(exc, _Where(file, "workbook")) from None


def import_scenario_xlsx_to_toml(xlsx: str | Path, toml_path: str | Path) -> ScenarioDefinition:
    """Read a scenario workbook and write it as canonical TOML, atomically; returns it."""
    definition = import_definition_xlsx(xlsx)
    write_text(toml_path, definition_to_toml(definition))
    return definition


def _build_header(rows: Sequence[_Row], sheet: _Where) -> ScenarioHeader:
    values: dict[str, str] = {}
    places: dict[str, _Where] = {}
    for row in rows:
        key = row.required("key").lower()
        if key not in ScenarioHeader.model_fields:
            raise row.where.error(f"unknown key {key!r}",
                                  allowed=", ".join(ScenarioHeader.model_fields))
        _check_unique(key, places, row.where)
        if "value" in row:
            text = row["value"]
            values[key] = text if key in ("title", "description") else text.strip()
    try:
        return ScenarioHeader.model_validate(values)
    except ValidationError as exc:
        key = str(exc.errors()[0]["loc"][0])
        raise _invalid(exc, places.get(key, sheet)) from None


def _build_documents(rows: Sequence[_Row]) -> dict[str, Document]:
    documents: dict[str, Document] = {}
    places: dict[str, _Where] = {}
    for row in rows:
        key = row.required("id")
        _check_unique(key, places, row.where)
        documents[key] = _validated(Document, dict(row.cells), row.where)
    return documents


def _build_parameters(rows: Sequence[_Row], series: Mapping[_SeriesKey, _Series]
                      ) -> dict[str, ParameterEntry]:
    entries: dict[str, ParameterEntry] = {}
    places: dict[str, _Where] = {}
    for row in rows:
        name = row.required("name")
        if not is_parameter_name(name):
            raise row.where.error("is not a valid parameter name", UnknownParameterError,
                                  allowed="lower-case dotted names such as "
                                          "cobalt.price.hydroxide")
        _check_unique(name, places, row.where)
        values = _quantity_fields(row)
        if "share_group" in row:
            values["share_group"] = row["share_group"]
        values.update(_series_fields(series.get((None, name)), row))
        entries[name] = _validated(ParameterEntry, values, row.where)
    return entries


def _build_overrides(rows: Sequence[_Row], series: Mapping[_SeriesKey, _Series]
                     ) -> dict[str, OverrideEntry]:
    own_rows: dict[str, _Row] = {}
    patches: dict[str, dict[str, ParameterPatch]] = {}
    places: dict[tuple[str, str], _Where] = {}
    for row in rows:
        name = row.required("override")
        block = patches.setdefault(name, {})
        if "parameter" not in row:
            _check_own_row(row, own_rows)
            own_rows[name] = row
            continue
        parameter = row["parameter"]
        _check_unique((name, parameter), places, row.where)
        misplaced = [column for column in ("description", "extends") if column in row]
        if misplaced:
            verb = "belongs" if len(misplaced) == 1 else "belong"
            raise row.where.error(f"{' and '.join(misplaced)} {verb} on the override's own row",
                                  allowed="a row with this override and an empty 'parameter'")
        values = _quantity_fields(row)
        if "fixed" in row:
            values["fixed"] = row["fixed"]
        values.update(_series_fields(series.get((name, parameter)), row))
        block[parameter] = _validated(ParameterPatch, values, row.where)
    return {name: _override_entry(own_rows.get(name), block) for name, block in patches.items()}


def _check_own_row(row: _Row, own_rows: Mapping[str, _Row]) -> None:
    name = row["override"]
    if name in own_rows:
        raise row.where.error(f"override {name!r} has a second row without a parameter (first: "
                              f"row {own_rows[name].where.row})")
    allowed = {"override", "description", "extends", *SOURCE_COLUMNS}
    stray = [column for column in row.cells if column not in allowed]
    if stray:
        raise row.where.error(f"column(s) {', '.join(stray)} need a 'parameter' on this row",
                              allowed="description, extends and source_* on an override's own "
                                      "row")


def _override_entry(own: _Row | None, block: dict[str, ParameterPatch]) -> OverrideEntry:
    if own is None:
        return OverrideEntry(parameters=block)
    return _validated(OverrideEntry, {
        "description": own.get("description", ""), "extends": own.get("extends"),
        "source": _citation(own), "parameters": block}, own.where)


def _build_share_groups(rows: Sequence[_Row]) -> dict[str, ShareGroupEntry]:
    groups: dict[str, ShareGroupEntry] = {}
    places: dict[str, _Where] = {}
    for row in rows:
        name = row.required("name")
        _check_unique(name, places, row.where)
        groups[name] = _validated(ShareGroupEntry, {
            "concentration": row.get("concentration"), "source": _citation(row),
            "note": row.get("note")}, row.where)
    return groups


def _build_correlation(row: _Row) -> CorrelationEntry:
    pair = (row.required("parameter_a"), row.required("parameter_b"))
    return _validated(CorrelationEntry, {
        "parameters": pair, "rank_correlation": row.required("rank_correlation"),
        "source": _citation(row), "note": row.get("note")}, row.where)


def _quantity_fields(row: _Row) -> dict[str, Any]:
    """The fields parameters and patches share; only those given, as a patch must not set more."""
    values = {name: row[name] for name in ("value", "unit", "note") if name in row}
    optional = {"distribution": _distribution(row), "bounds": _bounds(row),
                "source": _citation(row)}
    values.update({name: value for name, value in optional.items() if value is not None})
    return values


def _distribution(row: _Row) -> _Distribution | None:
    arguments = {name: row[name] for name in DISTRIBUTION_ARGUMENTS if name in row}
    kinds = " | ".join(_signature(cls) for cls in _DISTRIBUTIONS.values())
    if "distribution" not in row:
        if arguments:
            raise row.where.error(f"{', '.join(arguments)} given but 'distribution' is empty",
                                  InvalidDistributionError, allowed=kinds)
        return None
    kind = row["distribution"].lower()
    cls = _DISTRIBUTIONS.get(kind)
    if cls is None:
        raise row.where.error(f"unknown distribution {row['distribution']!r}",
                              InvalidDistributionError, allowed=kinds)
    extra = [name for name in arguments if name not in cls.model_fields]
    if extra:
        raise row.where.error(f"{kind} takes no {', '.join(extra)}; leave those cells empty",
                              InvalidDistributionError, allowed=_signature(cls))
    try:
        return cls.model_validate(arguments)
    except ValidationError as exc:
        raise row.where.error(_first_problem(exc), InvalidDistributionError,
                              allowed=_signature(cls)) from None


def _signature(cls: type[_Distribution]) -> str:
    names = [name for name in cls.model_fields if name != "kind"]
    required = [name for name in names if cls.model_fields[name].is_required()]
    optional = "".join(f"[, {name}]" for name in names if name not in required)
    return f"{cls.model_fields['kind'].default}({', '.join(required)}{optional})"


def _bounds(row: _Row) -> tuple[float, float] | None:
    low, high = row.get("bound_low"), row.get("bound_high")
    if low is None and high is None:
        return None
    if low is None or high is None:
        raise row.where.error("bound_low and bound_high go together",
                              allowed="both numbers, -inf or inf for an open side; or neither")
    return (low, high)


def _citation(row: _Row) -> Citation | None:
    given = {name.removeprefix("source_"): row[name] for name in SOURCE_COLUMNS if name in row}
    if not given:
        return None
    try:
        return Citation.model_validate(given)
    except ValidationError as exc:
        raise row.where.error(f"source: {_first_problem(exc)}", MissingSourceError,
                              allowed="source_document (with source_section), or "
                                      "source_assumption giving the reason") from None


_SeriesKey = tuple[str | None, str]
"""(override or None for the baseline, parameter)."""


@dataclass(frozen=True)
class _Series:
    index: tuple[int | str, ...] | None
    values: tuple[float, ...]
    where: _Where


def _collect_series(rows: Sequence[_Row]) -> dict[_SeriesKey, _Series]:
    grouped: dict[_SeriesKey, list[_Row]] = {}
    for row in rows:
        row.required("value")
        grouped.setdefault((row.get("override"), row.required("parameter")), []).append(row)
    return {key: _series(group) for key, group in grouped.items()}


def _series(rows: Sequence[_Row]) -> _Series:
    unlabelled = [row for row in rows if "index" not in row]
    if unlabelled and len(unlabelled) < len(rows):
        raise unlabelled[0].where.error(
            "index label is empty", allowed="a label on every row of a series, or (in an "
            "override that keeps the baseline's index) on none")
    index = None if unlabelled else tuple(row["index"] for row in rows)
    return _Series(index, tuple(row["value"] for row in rows), rows[0].where)


def _series_fields(series: _Series | None, row: _Row) -> dict[str, Any]:
    if series is None:
        return {}
    if "value" in row:
        raise row.where.error(f"has a value here and a series on sheet 'series' (from "
                              f"{series.where.item})", allowed="one or the other")
    values: dict[str, Any] = {"value": series.values}
    if series.index is not None:
        values["index"] = series.index
    return values


def _check_series_used(series: Mapping[_SeriesKey, _Series],
                       parameters: Mapping[str, ParameterEntry],
                       overrides: Mapping[str, OverrideEntry]) -> None:
    for (override, parameter), found in series.items():
        if override is None and parameter not in parameters:
            raise found.where.error("no row for this parameter on sheet 'parameters'")
        if override is not None and parameter not in getattr(
                overrides.get(override), "parameters", {}):
            raise found.where.error(f"no row for override {override!r} and this parameter on "
                                    "sheet 'overrides'")


def _check_unique(key: T, places: dict[T, _Where], where: _Where) -> None:
    if key in places:
        raise where.error(f"repeats {places[key].item}", allowed="one row per item")
    places[key] = where


M = TypeVar("M", bound=BaseModel)


def _validated(model: type[M], values: Mapping[str, Any], where: _Where) -> M:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise _invalid(exc, where) from None


def _invalid(exc: ValidationError, where: _Where) -> UserInputError:
    location = exc.errors()[0]["loc"]
    kind: type[UserInputError] = MalformedFileError
    if "source" in location:
        kind = MissingSourceError
    elif "distribution" in location:
        kind = InvalidDistributionError
    return where.error(_first_problem(exc), kind)


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    location = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{location}: {message}" if location else message


# --- differences -------------------------------------------------------------------------------

DIFF_COLUMNS = ("item", "field", "a", "b", "rel_change")
REL_TOLERANCE = 1e-9
"""Values this close (relative), after unit conversion, are the same."""
_DIFF_NOTES = (
    "rel_change = (B converted to A's unit - A) / |A|, for numbers.",
    "A 'unit' row with rel_change 0 is the same quantity written in another unit.",
)


class _Difference(NamedTuple):
    item: str
    field: str
    a: Cell
    b: Cell
    rel_change: float | None = None


@dataclass(frozen=True)
class _Quantity:
    """What two parameter-like entries (entries, patches, resolved) are compared on."""

    unit: str | None
    """The unit as written (None: not given by a patch)."""
    base_unit: str | None
    """The unit the numbers are in: written, or inherited by a patch."""
    value: float | tuple[float, ...] | None
    index: tuple[int | str, ...] | None
    distribution: _Distribution | None
    bounds: tuple[float, float] | None
    plain: Mapping[str, Any]
    """Fields compared as they are (share group, source, note, fixed)."""


Converter = Callable[[float], float]


def diff_definitions(a: ScenarioDefinition, b: ScenarioDefinition) -> Table:
    """Every difference between two definitions as written, one row each, aware of units."""
    rows = [
        *_model_differences("scenario", a.scenario, b.scenario),
        *_keyed_differences("documents.", a.documents, b.documents, _plain_model_differences),
        *_keyed_differences("", a.parameters, b.parameters, _entry_differences,
                            summary=lambda entry: _summary(_entry_quantity(entry))),
        *_keyed_differences("share_groups.", a.share_groups, b.share_groups,
                            _plain_model_differences),
        *_correlation_differences(a.correlations, b.correlations),
        *_keyed_differences("overrides.", a.overrides, b.overrides,
                            partial(_override_differences, a.parameters, b.parameters)),
    ]
    return _diff_table(f"Scenario differences: {a.scenario.name} vs {b.scenario.name}", rows)


def diff_scenarios(a: Scenario, b: Scenario) -> Table:
    """Every difference between two resolved scenarios (overrides applied, models' units)."""
    rows = [
        *(row for name in ("model", "name", "override")
          for row in _field_difference("scenario", name, getattr(a, name), getattr(b, name))),
        *_keyed_differences("", a.parameters, b.parameters, _resolved_differences,
                            summary=lambda parameter: _summary(_resolved_quantity(parameter))),
        *_keyed_differences("share_groups.", a.share_groups, b.share_groups,
                            _plain_model_differences),
        *_correlation_differences(a.correlations, b.correlations),
    ]
    return _diff_table(f"Resolved scenario differences: {a.label} vs {b.label}", rows)


def _diff_table(title: str, rows: Iterable[_Difference]) -> Table:
    return Table(title, DIFF_COLUMNS, tuple(tuple(row) for row in rows), notes=_DIFF_NOTES)


def _keyed_differences(prefix: str, a: Mapping[str, T], b: Mapping[str, T],
                       compare: Callable[[str, str, T, T], list[_Difference]], *,
                       summary: Callable[[T], Cell] | None = None) -> list[_Difference]:
    """Entries present on one side only, then field differences of those on both."""
    describe = summary or _text
    rows: list[_Difference] = []
    for key in [*a, *(key for key in b if key not in a)]:
        item = prefix + key
        if key not in b:
            rows.append(_Difference(item, "entry", describe(a[key]), None))
        elif key not in a:
            rows.append(_Difference(item, "entry", None, describe(b[key])))
        else:
            rows += compare(item, key, a[key], b[key])
    return rows


def _entry_differences(item: str, key: str, a: ParameterEntry, b: ParameterEntry
                       ) -> list[_Difference]:
    return _quantity_differences(item, _entry_quantity(a), _entry_quantity(b))


def _resolved_differences(item: str, key: str, a: ResolvedParameter, b: ResolvedParameter
                          ) -> list[_Difference]:
    return _quantity_differences(item, _resolved_quantity(a), _resolved_quantity(b))


def _override_differences(parameters_a: Mapping[str, ParameterEntry],
                          parameters_b: Mapping[str, ParameterEntry], item: str, key: str,
                          a: OverrideEntry, b: OverrideEntry) -> list[_Difference]:
    def patch_differences(patch_item: str, parameter: str, x: ParameterPatch,
                          y: ParameterPatch) -> list[_Difference]:
        return _quantity_differences(patch_item,
                                     _patch_quantity(x, parameters_a.get(parameter)),
                                     _patch_quantity(y, parameters_b.get(parameter)))

    rows = [row for name in ("description", "extends", "source")
            for row in _field_difference(item, name, getattr(a, name), getattr(b, name))]
    return rows + _keyed_differences(f"{item}.parameters.", a.parameters, b.parameters,
                                     patch_differences,
                                     summary=lambda patch: _summary(_patch_quantity(patch, None)))


def _plain_model_differences(item: str, key: str, a: Any, b: Any) -> list[_Difference]:
    return _model_differences(item, a, b)


def _model_differences(item: str, a: Any, b: Any, skip: tuple[str, ...] = ()
                       ) -> list[_Difference]:
    """Field by field, for pydantic models and dataclasses of the same type."""
    names = (tuple(type(a).model_fields) if isinstance(a, BaseModel)
             else tuple(f.name for f in fields(a)))
    return [row for name in names if name not in skip
            for row in _field_difference(item, name, getattr(a, name), getattr(b, name))]


def _field_difference(item: str, name: str, a: Any, b: Any) -> list[_Difference]:
    if a == b:
        return []
    if _is_number(a) and _is_number(b):
        return [_Difference(item, name, _text(a), _text(b), _relative_change(a, b))]
    return [_Difference(item, name, _text(a), _text(b))]


def _correlation_differences(a: Iterable[CorrelationEntry], b: Iterable[CorrelationEntry]
                             ) -> list[_Difference]:
    # Keyed by the unordered pair: a rank correlation is symmetric.
    return _keyed_differences("", _correlations_by_pair(a), _correlations_by_pair(b),
                              lambda item, key, x, y: _model_differences(item, x, y,
                                                                         skip=("parameters",)))


def _correlations_by_pair(entries: Iterable[CorrelationEntry]) -> dict[str, CorrelationEntry]:
    keyed: dict[str, CorrelationEntry] = {}
    for entry in entries:
        first, second = sorted(entry.parameters)
        base = key = f"correlation {first} ~ {second}"
        repeat = 2
        while key in keyed:
            key, repeat = f"{base} #{repeat}", repeat + 1
        keyed[key] = entry
    return keyed


# --- differences: quantities -------------------------------------------------------------------


def _entry_quantity(entry: ParameterEntry) -> _Quantity:
    return _Quantity(entry.unit, entry.unit, entry.value, entry.index, entry.distribution,
                     entry.bounds, {"share_group": entry.share_group, "source": entry.source,
                                    "note": entry.note})


def _patch_quantity(patch: ParameterPatch, base: ParameterEntry | None) -> _Quantity:
    base_unit = patch.unit or (base.unit if base is not None else None)
    return _Quantity(patch.unit, base_unit, patch.value, patch.index, patch.distribution,
                     patch.bounds, {"fixed": patch.fixed, "source": patch.source,
                                    "note": patch.note})


def _resolved_quantity(parameter: ResolvedParameter) -> _Quantity:
    return _Quantity(parameter.unit, parameter.unit, parameter.value, parameter.index,
                     parameter.distribution, parameter.bounds,
                     {"share_group": parameter.share_group, "source": parameter.source})


def _summary(quantity: _Quantity) -> str:
    parts = [_with_unit(quantity.value, quantity.base_unit) if quantity.value is not None
             else None, _text(quantity.distribution)]
    return "; ".join(part for part in parts if part) or "(no value)"


def _quantity_differences(item: str, a: _Quantity, b: _Quantity) -> list[_Difference]:
    """Unit, values, distribution and bounds compared after converting B to A's unit."""
    convert = _converter(b.base_unit, a.base_unit)
    rows: list[_Difference] = []
    if a.unit != b.unit:
        rows.append(_Difference(item, "unit", a.unit, b.unit, 0.0 if convert else None))
    rows += _value_differences(item, a, b, convert)
    rows += _distribution_differences(item, a, b, convert)
    rows += _bounds_differences(item, a, b, convert)
    rows += [row for name, value in a.plain.items()
             for row in _field_difference(item, name, value, b.plain.get(name))]
    return rows


def _converter(from_unit: str | None, to_unit: str | None) -> Converter | None:
    """B's unit to A's, or None when either is unknown or they measure different things."""
    if from_unit is None or to_unit is None:
        return None
    if from_unit == to_unit:
        return lambda value: value
    try:
        if not same_dimension(from_unit, to_unit):
            return None
    except UserInputError:
        return None
    return partial(_convert, from_unit=from_unit, to_unit=to_unit)


def _convert(value: float, *, from_unit: str, to_unit: str) -> float:
    return convert_value(value, from_unit, to_unit)


def _value_differences(item: str, a: _Quantity, b: _Quantity, convert: Converter | None
                       ) -> list[_Difference]:
    x, y = a.value, b.value
    if x is None and y is None:
        return []
    if isinstance(x, tuple) and isinstance(y, tuple):
        return _series_differences(item, a, b, convert)
    if x is not None and y is not None and not isinstance(x, tuple) and not isinstance(y, tuple):
        return _scalar_differences(item, "value", x, y, (a.base_unit, b.base_unit), convert)
    return [_Difference(item, "value", _with_unit(x, a.base_unit), _with_unit(y, b.base_unit))]


def _scalar_differences(item: str, name: str, x: float, y: float,
                        units: tuple[str | None, str | None], convert: Converter | None
                        ) -> list[_Difference]:
    if convert is None:
        # Units that cannot be converted: the unit row already says so; compare as written.
        return [] if x == y else [_Difference(item, name, _with_unit(x, units[0]),
                                              _with_unit(y, units[1]))]
    y_in_a = convert(y)
    if _close(x, y_in_a):
        return []
    return [_Difference(item, name, _with_unit(x, units[0]), _with_unit(y, units[1]),
                        _relative_change(x, y_in_a))]


def _series_differences(item: str, a: _Quantity, b: _Quantity, convert: Converter | None
                        ) -> list[_Difference]:
    x, y = a.value, b.value
    assert isinstance(x, tuple) and isinstance(y, tuple)
    units = (a.base_unit, b.base_unit)
    if a.index == b.index and len(x) == len(y):
        labels = a.index if a.index is not None else range(len(x))
        return [row for label, u, v in zip(labels, x, y, strict=True)
                for row in _scalar_differences(item, f"value[{label}]", u, v, units, convert)]
    rows = [_Difference(item, "index", _text(a.index), _text(b.index))]
    same = len(x) == len(y) and all(
        _close(u, convert(v)) if convert else u == v for u, v in zip(x, y, strict=True))
    if not same:
        rows.append(_Difference(item, "value", _with_unit(x, units[0]), _with_unit(y, units[1])))
    return rows


def _distribution_differences(item: str, a: _Quantity, b: _Quantity, convert: Converter | None
                              ) -> list[_Difference]:
    x, y = a.distribution, b.distribution
    if x is None and y is None:
        return []
    if x is not None and y is not None and convert is not None:
        same = _same_distribution(x, _converted_distribution(y, convert))
    else:
        same = x == y
    if same:
        return []
    return [_Difference(item, "distribution", _with_unit(x, a.base_unit),
                        _with_unit(y, b.base_unit))]


def _converted_distribution(distribution: _Distribution, convert: Converter
                            ) -> _Distribution | None:
    scale = convert(1.0) - convert(0.0)  # widths scale; offsets (degC) cancel
    try:
        return distribution.converted(convert, scale)
    except ValidationError:
        return None


def _same_distribution(x: _Distribution, y: _Distribution | None) -> bool:
    if y is None or type(x) is not type(y):
        return False
    theirs = y.arguments()
    return all(_close(value, theirs[name]) for name, value in x.arguments().items())


def _bounds_differences(item: str, a: _Quantity, b: _Quantity, convert: Converter | None
                        ) -> list[_Difference]:
    x, y = a.bounds, b.bounds
    if x is None and y is None:
        return []
    if x is not None and y is not None:
        converted = tuple(convert(v) for v in y) if convert else y
        if all(_close(u, v) for u, v in zip(x, converted, strict=True)):
            return []
    return [_Difference(item, "bounds", _with_unit(x, a.base_unit), _with_unit(y, b.base_unit))]


def _close(x: float, y: float) -> bool:
    return math.isclose(x, y, rel_tol=REL_TOLERANCE, abs_tol=0.0)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _relative_change(a: float, b: float) -> float | None:
    if a == 0 or not math.isfinite(a) or not math.isfinite(b):
        return None
    return (b - a) / abs(a)


def _with_unit(value: Any, unit: str | None) -> str | None:
    text = _text(value)
    if text is None or unit in (None, "", "dimensionless"):
        return text
    return f"{text} {unit}"


def _text(value: Any) -> str | None:
    """A short, exact-enough rendering of a value for a difference table cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(value, ".15g")
    if isinstance(value, int | str):
        return str(value)
    if isinstance(value, _Distribution):
        arguments = ", ".join(f"{name}={_text(v)}" for name, v in value.arguments().items())
        return f"{value.kind}({arguments})"
    if isinstance(value, BaseModel):
        return _text({name: getattr(value, name) for name in type(value).model_fields})
    if is_dataclass(value) and not isinstance(value, type):
        return _text({f.name: getattr(value, f.name) for f in fields(value)})
    if isinstance(value, Mapping):
        return ", ".join(f"{key}={_nested_text(v)}" for key, v in value.items() if v is not None)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_text(v) or "" for v in value) + "]"
    return str(value)


def _nested_text(value: Any) -> str | None:
    # Braces keep a nested record's commas apart from its parent's.
    nested = isinstance(value, BaseModel | Mapping) and not isinstance(value, _Distribution)
    return f"{{{_text(value)}}}" if nested or is_dataclass(value) else _text(value)
