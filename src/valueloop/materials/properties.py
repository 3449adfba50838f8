"""Feature building for the property models: composition and processing in the Gorsse layout.

Rows come in the column layout of the shipped Gorsse et al. 2023 dataset (``Alloy formula``,
element wt% columns, ``Tss (K)``, ``tss (h)``, ``CR reduction (%)``, ``Aging``, ``Tag (K)``,
``tag (h)``, ``Secondary thermo-mechanical process``). Blank processing cells are allowed and are
filled in two documented steps:

1. rules (:func:`raw_features`): a blank element cell or a missing element column is 0 wt% (the
   element was not added); a blank ``Aging`` or ``Secondary thermo-mechanical process`` is ``N``
   (nothing reported); a blank ``CR reduction (%)`` is 0 % (no cold rolling reported); a row that
   is not aged gets ageing time 0 h and ageing temperature 293.15 K (our assumption: a non-aged
   alloy sits at room temperature, so it lies next to short, cold ageing in feature space);
2. training medians (:class:`Imputation`): any cell still blank (``Tss``, ``tss`` and, for aged
   rows, ``Tag``, ``tag``) takes the median of that feature over the training rows, which is
   stored with each model so that prediction uses the training set's values.

Cu is the balance and is not a feature. Times enter as ``log1p(hours)`` because ageing responses
are roughly logarithmic in time and the data span 0.02 h to 1000 h.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from valueloop.core.errors import MalformedFileError, OutOfBoundsError, UserInputError

DATA_FILE = "cu_alloys_gorsse2023.csv"
# The 26 solute columns of the Gorsse file (Cu is the balance).
ELEMENTS: tuple[str, ...] = (
    "Al", "Ag", "B", "Be", "Ca", "Co", "Ce", "Cr", "Fe", "Hf", "La", "Mg", "Mn", "Mo", "Nb",
    "Nd", "Ni", "P", "Pb", "Pr", "Si", "Sn", "Ti", "V", "Zn", "Zr")
SOLUTION_T, SOLUTION_TIME = "Tss (K)", "tss (h)"
COLD_ROLLING = "CR reduction (%)"
AGING, AGING_T, AGING_TIME = "Aging", "Tag (K)", "tag (h)"
SECONDARY = "Secondary thermo-mechanical process"
PROCESS_COLUMNS: tuple[str, ...] = (
    SOLUTION_T, SOLUTION_TIME, COLD_ROLLING, AGING, AGING_T, AGING_TIME, SECONDARY)
FEATURE_NAMES: tuple[str, ...] = (*ELEMENTS, "Tss (K)", "log1p tss (h)", "CR reduction (%)",
                                  "aged", "Tag (K)", "log1p tag (h)", "secondary TMT")
ROOM_TEMPERATURE_K = 293.15  # our assumption for non-aged rows (module docstring, step 1)
FORMULA, DOI = "Alloy formula", "DOI"
_YES, _NO = frozenset({"y", "yes", "true", "1"}), frozenset({"n", "no", "false", "0", ""})


class PropertyInputError(UserInputError):
    """A composition/processing table that the property models cannot read."""


@dataclass(frozen=True)
class Imputation:
    """Per-feature training medians that fill cells left blank by the rules (step 2)."""

    medians: np.ndarray

    @classmethod
    def fit(cls, raw: np.ndarray) -> Imputation:
        """Medians of each column of ``raw`` ignoring blanks (0 where a column is all blank)."""
        counts = np.sum(~np.isnan(raw), axis=0)
        filled = np.where(np.isnan(raw), 0.0, raw)
        medians = np.zeros(raw.shape[1])
        for j in np.flatnonzero(counts):  # one nanmedian per column; few columns
            medians[j] = float(np.median(filled[~np.isnan(raw[:, j]), j]))
        return cls(medians)

    def apply(self, raw: np.ndarray) -> np.ndarray:
        """``raw`` with every NaN replaced by that column's training median."""
        return np.where(np.isnan(raw), self.medians[np.newaxis, :], raw)


@dataclass(frozen=True)
class AlloyTable:
    """Rows of a Gorsse-layout table: raw features (NaN = still blank), groups and targets."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    raw: np.ndarray
    formula: tuple[str, ...]
    doi: tuple[str, ...]

    def number_column(self, name: str) -> np.ndarray:
        """A numeric column as floats, NaN where blank (used for the measured properties)."""
        if name not in self.columns:
            raise PropertyInputError("column missing", item=name)
        index = self.columns.index(name)
        return np.array([_number(r[index], name, i + 2) for i, r in enumerate(self.rows)])


def shipped_path() -> Path:
    """Path of the shipped Gorsse CSV inside the installed package."""
    return Path(str(resources.files("valueloop.data").joinpath("materials", DATA_FILE)))


def data_hash(path: Path | None = None) -> str:
    """SHA-256 of the shipped (or given) CSV, to key anything derived from it."""
    return hashlib.sha256((path or shipped_path()).read_bytes()).hexdigest()


def load_shipped() -> AlloyTable:
    """The shipped Gorsse et al. 2023 dataset (1831 rows) as an :class:`AlloyTable`."""
    path = shipped_path()
    return read_rows(*_csv_rows(path.read_text(encoding="utf-8"), path))


def read_table(path: Path) -> AlloyTable:
    """Read a Gorsse-layout table from a CSV or Excel (.xlsx, first sheet) file."""
    if not path.is_file():
        raise PropertyInputError("file not found", file=path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            header, body = _csv_rows(path.read_text(encoding="utf-8-sig"), path)
        elif suffix in {".xlsx", ".xlsm"}:
            header, body = _xlsx_rows(path)
        else:
            raise PropertyInputError(f"cannot read {suffix or 'a file without suffix'}",
                                     file=path, allowed=".csv, .xlsx")
        return read_rows(header, body)
    except UserInputError as exc:
        raise exc.located(path) from None


def read_rows(header: Sequence[str], body: Sequence[Sequence[str]]) -> AlloyTable:
    """Build an :class:`AlloyTable` from a header and string cells (rules of step 1 applied)."""
    columns = tuple(h.strip() for h in header)
    if not any(e in columns for e in ELEMENTS):
        raise MalformedFileError("no element wt% column found", item="header",
                                 allowed="Gorsse columns, e.g. " + ", ".join(ELEMENTS[:6]))
    rows = tuple(tuple(body_row) + ("",) * (len(columns) - len(body_row)) for body_row in body)
    cells = [dict(zip(columns, row, strict=False)) for row in rows]
    raw = np.array([_raw_row(c, i + 2) for i, c in enumerate(cells)]).reshape(
        len(cells), len(FEATURE_NAMES))
    # Group labels are stripped: the shipped file has DOIs with and without a trailing space,
    # which would otherwise split one source paper into two groups.
    return AlloyTable(columns, rows, raw, tuple(c.get(FORMULA, "").strip() for c in cells),
                      tuple(c.get(DOI, "").strip() for c in cells))


def feature_hours(log1p_hours: np.ndarray) -> np.ndarray:
    """Hours of a time feature (``log1p(hours)``), as a recipe states them.

    Rounded to 9 decimals: that undoes the last bits ``expm1(log1p(h))`` may change and keeps
    every step a recipe states (0.083 h in the data), so the hours read back to the same
    features.
    """
    return np.round(np.expm1(log1p_hours), 9)


def _raw_row(cells: Mapping[str, str], line: int) -> list[float]:
    elements = [_number(cells.get(e, ""), e, line, blank=0.0) for e in ELEMENTS]
    aged = _flag(cells.get(AGING, ""), AGING, line)
    if aged:
        aging_t = _number(cells.get(AGING_T, ""), AGING_T, line)
        aging_time = _number(cells.get(AGING_TIME, ""), AGING_TIME, line)
    else:
        aging_t, aging_time = ROOM_TEMPERATURE_K, 0.0
    return [*elements,
            _number(cells.get(SOLUTION_T, ""), SOLUTION_T, line),
            math.log1p(_number(cells.get(SOLUTION_TIME, ""), SOLUTION_TIME, line)),
            _number(cells.get(COLD_ROLLING, ""), COLD_ROLLING, line, blank=0.0),
            float(aged), aging_t, math.log1p(aging_time),
            float(_flag(cells.get(SECONDARY, ""), SECONDARY, line))]


def _number(text: object, column: str, line: int, blank: float = math.nan) -> float:
    cell = "" if text is None else str(text).strip()
    if not cell:
        return blank
    try:
        value = float(cell)
    except ValueError:
        raise PropertyInputError(f"{cell!r} is not a number", line=line, item=column,
                                 allowed="a number or an empty cell") from None
    if not math.isfinite(value) or value < 0 or (column in ELEMENTS and value > 100):
        raise OutOfBoundsError(f"{cell} is out of range", line=line, item=column,
                               allowed="0-100 wt%" if column in ELEMENTS else "a value >= 0")
    return value


def _flag(text: object, column: str, line: int) -> bool:
    cell = "" if text is None else str(text).strip().lower()
    if cell in _YES:
        return True
    if cell in _NO:
        return False
    raise PropertyInputError(f"{cell!r} is not a flag", line=line, item=column,
                             allowed="Y, N or an empty cell")


def _csv_rows(text: str, path: Path) -> tuple[list[str], list[list[str]]]:
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if not rows:
        raise MalformedFileError("empty file", file=path)
    return rows[0], rows[1:]


def _xlsx_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a corrupt file
        raise MalformedFileError(f"not a readable Excel file ({exc})", file=path) from None
    try:
        values = [["" if v is None else str(v) for v in row]
                  for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()
    values = [r for r in values if any(c.strip() for c in r)]
    if not values:
        raise MalformedFileError("empty first sheet", file=path)
    return values[0], values[1:]
