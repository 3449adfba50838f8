"""Claims: figures a document states, recomputed from their inputs, with a verdict each.

A claims file (TOML) has a ``[claims]`` header (title, the scenario whose parameters feed the
formulas, the default document) and one ``[[claim]]`` table per figure: its id, section,
quantity, the stated figure and unit, an optional relation (``=``, ``<``, ``<=``, ``>``, ``>=``),
a formula (:mod:`valueloop.core.formula`), an optional relative tolerance, kind and note.

The file is validated once, at load: every problem is a one-line error with the file, the line
of the claim's ``id`` and the claim id. :func:`check_claims` then evaluates each formula, converts
the result to the stated unit and compares. A figure agrees when the difference is within the
larger of the relative tolerance and half a unit in the last digit stated (``63.4`` is any value
in [63.35, 63.45]); a string such as ``"12.30"`` keeps trailing zeros that a TOML float loses.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pint
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from valueloop.core.errors import (
    ClaimError,
    MalformedFileError,
    MissingSourceError,
    ScenarioStructureError,
    UserInputError,
)
from valueloop.core.formula import Namespace, Value, parse_formula, scenario_namespace
from valueloop.core.scenario import Scenario, load_scenario, read_toml, resolve_scenario_path
from valueloop.core.sources import (
    Citation,
    check_documents_known,
    parse_citation,
    shipped_documents,
)
from valueloop.core.tables import Cell, Table, write_csv, write_xlsx
from valueloop.core.units import parse_unit

ID_PATTERN = r"^[A-Za-z0-9._-]+$"
DEFAULT_TOLERANCE = 0.001
COLUMNS = ("claim_id", "section", "quantity", "stated", "computed", "unit", "rel_diff", "verdict")
DETAIL_COLUMNS = (*COLUMNS, "relation", "formula", "kind", "tolerance", "source", "note")
# Binary floating point turns 12.35 - 12.3 into 0.0500000000000007; a relative slack this small
# keeps a figure exactly on the edge of its tolerance from flipping verdict on that noise.
_FLOAT_SLACK = 1e-9

Relation = Literal["=", "<", "<=", ">", ">="]
Kind = Literal["arithmetic", "unit", "consistency", "source"]
Verdict = Literal["agrees", "disagrees"]


# --- definitions -----------------------------------------------------------------------------


class Claim(BaseModel):
    """One stated figure and the formula that should reproduce it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=ID_PATTERN)
    section: str | None = None
    """Section, table or figure of the document where the figure is stated."""
    quantity: str = Field(min_length=1)
    """What the figure is, in words."""
    stated: Decimal
    """The figure as stated, with the precision it was stated to."""
    unit: str
    relation: Relation = "="
    """How the stated figure bounds the computed one: ``<`` for "less than 130 kg"."""
    formula: str
    tolerance: float = Field(default=DEFAULT_TOLERANCE, ge=0, allow_inf_nan=False)
    """Relative tolerance on the computed value."""
    kind: Kind | None = None
    note: str | None = None
    source: Citation
    """The document (and section) stating the figure; it must name a document."""

    @field_validator("stated", mode="before")
    @classmethod
    def _stated_as_decimal(cls, value: Any) -> Decimal:
        return stated_decimal(value)

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str) -> str:
        try:
            parse_unit(unit)
        except UserInputError as exc:
            raise ValueError(exc.problem) from None
        return unit

    @field_validator("formula")
    @classmethod
    def _parsable_formula(cls, formula: str) -> str:
        try:
            parse_formula(formula)
        except ClaimError as exc:
            raise ValueError(exc.problem) from None
        return formula

    @field_validator("source")
    @classmethod
    def _cites_document(cls, source: Citation) -> Citation:
        if not source.document:
            raise ValueError("a claim's source must name the document that states the figure")
        return source

    @property
    def stated_value(self) -> float:
        return float(self.stated)

    @property
    def resolution(self) -> float:
        """Half a unit in the last digit stated: 63.4 -> 0.05, 12 -> 0.5, "12.30" -> 0.005."""
        exponent = self.stated.as_tuple().exponent
        assert isinstance(exponent, int), "stated_decimal admits finite numbers only"
        return float(Decimal(5).scaleb(exponent - 1))


def stated_decimal(value: Any) -> Decimal:
    """A stated figure as a Decimal that remembers its precision.

    A TOML float keeps the digits its shortest representation needs (``126.8``), an integer its
    units digit, and a string exactly the digits written (``"12.30"``).
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError("must be a number, or a decimal string such as '12.30'")
    text = repr(value) if isinstance(value, float) else str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a decimal number (write '12.30', not "
                         "'12,30' or '12.3%')") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return number


class ClaimsHeader(BaseModel):
    """The ``[claims]`` table."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = ""
    scenario: str | None = None
    """``valueloop:NAME`` or a path relative to the claims file; its parameters feed formulas."""
    document: str | None = None
    """Default document id of the claims' sources."""


class ClaimsFile(BaseModel):
    """A claims file as validated: ``claims`` is the header, ``claim`` the list of claims."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    claims: ClaimsHeader
    claim: tuple[Claim, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> ClaimsFile:
        ids = [c.id for c in self.claim]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"claim ids must be unique; repeated: {', '.join(duplicates)}")
        return self


# --- loading -----------------------------------------------------------------------------------


def load_claims(path: str | Path) -> ClaimsFile:
    """Read and validate a claims file; errors name the file, the claim's line and its id."""
    return _load(Path(path))[0]


def _load(path: Path) -> tuple[ClaimsFile, str]:
    raw, text = read_toml(path)
    for key in raw:
        if key not in ("claims", "claim"):
            raise MalformedFileError(f"unknown top-level key {key!r}", file=path,
                                     line=_key_line(text, key), allowed="[claims], [[claim]]")
    header = _header(raw, text, path)
    claims: list[Claim] = []
    first_lines: dict[str, int | None] = {}
    for position, item in enumerate(_claim_tables(raw, path), start=1):
        claim_id = item.get("id") if isinstance(item.get("id"), str) else None
        label = claim_id or f"claim #{position}"
        repeated = claim_id is not None and claim_id in first_lines
        line = _claim_line(text, claim_id, 2 if repeated else 1, position)
        if repeated:
            raise ClaimError("claim id is given twice; ids must be unique", file=path,
                             line=line, item=label,
                             allowed=f"an id not already used on line {first_lines[label]}")
        claims.append(_claim(item, header, path, line, label))
        first_lines[label] = line
    return ClaimsFile(claims=header, claim=tuple(claims)), text


def _header(raw: Mapping[str, Any], text: str, path: Path) -> ClaimsHeader:
    table = raw.get("claims")
    line = _key_line(text, "claims")
    if not isinstance(table, Mapping):
        raise MalformedFileError("has no [claims] table", file=path,
                                 allowed="[claims] with title, scenario, document")
    try:
        return ClaimsHeader.model_validate(table)
    except ValidationError as exc:
        problem, allowed = _problem(exc, ClaimsHeader)
        raise MalformedFileError(f"[claims] {problem}", file=path, line=line,
                                 allowed=allowed) from None


def _claim_tables(raw: Mapping[str, Any], path: Path) -> list[Mapping[str, Any]]:
    tables = raw.get("claim")
    if tables is None:
        raise MalformedFileError("has no [[claim]] tables", file=path,
                                 allowed="one [[claim]] table per stated figure")
    if not isinstance(tables, list) or not all(isinstance(t, Mapping) for t in tables):
        raise MalformedFileError("'claim' must be an array of tables", file=path,
                                 allowed="[[claim]] (double brackets), once per claim")
    return tables


def _claim(item: Mapping[str, Any], header: ClaimsHeader, path: Path, line: int | None,
           label: str) -> Claim:
    source = _source(item, header, path, line, label)
    try:
        return Claim.model_validate({**item, "source": source})
    except ValidationError as exc:
        problem, allowed = _problem(exc, Claim)
        raise ClaimError(problem, file=path, line=line, item=label, allowed=allowed) from None


def _source(item: Mapping[str, Any], header: ClaimsHeader, path: Path, line: int | None,
            label: str) -> Citation:
    """The claim's own ``source`` table, filled in from the file's document and the section."""
    defaults: dict[str, Any] = {}
    if header.document is not None:
        defaults["document"] = header.document
    if isinstance(item.get("section"), str):
        defaults["section"] = item["section"]
    explicit = item.get("source")
    if explicit is not None and not isinstance(explicit, Mapping):
        # parse_citation explains that a source must be a table.
        return parse_citation(explicit, item=label, file=str(path), line=line)
    raw = {**defaults, **(explicit or {})}
    if not raw.get("document"):
        raise MissingSourceError(
            "has no source document", file=path, line=line, item=label,
            allowed="document = 'ID' in [claims], or source = { document = 'ID', "
                    "section = '...' } on the claim")
    return parse_citation(raw, item=label, file=str(path), line=line)


def _problem(exc: ValidationError, model: type[BaseModel]) -> tuple[str, str | None]:
    """The first validation error as (problem, allowed), in the file's terms."""
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "missing":
        # The loader fills in a claim's source, so it is never the key the author forgot.
        required = [n for n, f in model.model_fields.items()
                    if f.is_required() and n != "source"]
        return f"missing key {field!r}", "required keys: " + ", ".join(required)
    if error["type"] == "extra_forbidden":
        return f"unknown key {field!r}", "keys " + ", ".join(model.model_fields)
    return (message if message.startswith(field) else f"{field}: {message}"), None


def _claim_line(text: str, claim_id: str | None, occurrence: int, position: int) -> int | None:
    """Line of the claim's ``id = "..."``, else of its ``[[claim]]`` header."""
    if claim_id is not None:
        pattern = re.compile(r"""^[ \t]*id[ \t]*=[ \t]*(["'])""" + re.escape(claim_id)
                             + r"\1", re.MULTILINE)
        starts = [m.start() for m in pattern.finditer(text)]
        if len(starts) >= occurrence:
            return text.count("\n", 0, starts[occurrence - 1]) + 1
    header = re.compile(r"^[ \t]*\[\[[ \t]*claim[ \t]*\]\]", re.MULTILINE)
    headers = [m.start() for m in header.finditer(text)]
    if len(headers) >= position:
        return text.count("\n", 0, headers[position - 1]) + 1
    return None


def _key_line(text: str, key: str) -> int | None:
    """Line of a top-level table header or key named ``key``."""
    pattern = re.compile(r"""^[ \t]*(\[+[ \t]*)?["']?""" + re.escape(key)
                         + r"""["']?[ \t]*(\]|=|\.)""", re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


# --- checking ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimResult:
    """A claim with its computed value (in the stated unit) and verdict."""

    claim: Claim
    computed: float
    tolerance: float
    """Absolute tolerance applied, in the stated unit."""
    verdict: Verdict

    @property
    def stated(self) -> float:
        return self.claim.stated_value

    @property
    def rel_diff(self) -> float | None:
        """(stated - computed) / |computed|; None when the computed value is zero."""
        if self.computed == 0:
            return None
        return (self.stated - self.computed) / abs(self.computed)

    def record(self) -> dict[str, Cell]:
        claim = self.claim
        return {"claim_id": claim.id, "section": claim.section, "quantity": claim.quantity,
                "stated": self.stated, "computed": self.computed, "unit": claim.unit,
                "rel_diff": self.rel_diff, "verdict": self.verdict}

    def detail_record(self) -> dict[str, Cell]:
        claim = self.claim
        return {**self.record(), "relation": claim.relation, "formula": claim.formula,
                "kind": claim.kind, "tolerance": self.tolerance,
                "source": claim.source.short(), "note": claim.note}


@dataclass(frozen=True)
class ClaimsReport:
    """The results of checking one claims file."""

    title: str
    results: tuple[ClaimResult, ...]
    file: Path | None = None
    scenario: str | None = None
    """Label of the scenario the formulas read, if any."""

    @property
    def n_agrees(self) -> int:
        return sum(r.verdict == "agrees" for r in self.results)

    @property
    def n_disagrees(self) -> int:
        return sum(r.verdict == "disagrees" for r in self.results)

    def table(self) -> Table:
        """One row per claim: claim_id, section, quantity, stated, computed, unit, rel_diff,
        verdict."""
        return Table.from_records("claims", [r.record() for r in self.results], COLUMNS,
                                  notes=self._notes())

    def detail_table(self) -> Table:
        """The table plus relation, formula, kind, tolerance (absolute), source and note."""
        return Table.from_records("claims detail", [r.detail_record() for r in self.results],
                                  DETAIL_COLUMNS, notes=self._notes())

    def combined(self, others: Sequence[ClaimsReport]) -> ClaimsReport:
        """One report with the results of this and ``others``, in order (several files)."""
        reports = (self, *others)
        titles = [r.title for r in reports if r.title]
        scenarios = list(dict.fromkeys(r.scenario for r in reports if r.scenario))
        return ClaimsReport(title="; ".join(titles),
                            results=tuple(x for r in reports for x in r.results),
                            file=None, scenario=", ".join(scenarios) or None)

    def _notes(self) -> tuple[str, ...]:
        notes = [self.title] if self.title else []
        if self.scenario:
            notes.append(f"scenario: {self.scenario}")
        notes.append(f"{self.n_agrees} agree, {self.n_disagrees} disagree")
        return tuple(notes)


def check_claims(path: str | Path, scenario: Scenario | None = None,
                 extra: Mapping[str, Value] | None = None, *,
                 override: str | None = None) -> ClaimsReport:
    """Evaluate every claim of a claims file.

    The formulas read the parameters of ``scenario``, or else of the scenario the file names
    (resolved relative to the file, with ``override`` applied), plus the ``extra`` names (model
    outputs, say), which must not shadow a parameter.
    """
    path = Path(path)
    if scenario is not None and override is not None:
        raise ValueError("'override' applies only to the scenario the claims file names")
    claims_file, text = _load(path)
    if scenario is None and claims_file.claims.scenario is not None:
        scenario = load_scenario(_scenario_path(claims_file.claims.scenario, path, text),
                                 override=override)
    elif override is not None:
        raise ScenarioStructureError(f"names no scenario, so override {override!r} has nothing "
                                     "to apply to", file=path, allowed="scenario = '...' in "
                                     "[claims]")
    _check_documents_known(claims_file, scenario, path, text)
    namespace = _namespace(scenario, extra)
    results = []
    for position, claim in enumerate(claims_file.claim, start=1):
        try:
            results.append(evaluate_claim(claim, namespace))
        except UserInputError as exc:
            if exc.item is None:
                exc.item = claim.id
            raise exc.located(path, _claim_line(text, claim.id, 1, position)) from None
    return ClaimsReport(title=claims_file.claims.title or path.stem, results=tuple(results),
                        file=path, scenario=scenario.label if scenario is not None else None)


def _check_documents_known(claims_file: ClaimsFile, scenario: Scenario | None, path: Path,
                           text: str) -> None:
    """Every cited document is shipped or declared by the scenario, as for parameters."""
    documents = {**shipped_documents(),
                 **(scenario.definition.documents if scenario is not None else {})}
    for position, claim in enumerate(claims_file.claim, start=1):
        try:
            check_documents_known([(claim.id, claim.source)], documents, file=str(path))
        except MissingSourceError as exc:
            raise exc.located(path, _claim_line(text, claim.id, 1, position)) from None


def _scenario_path(reference: str, path: Path, text: str) -> Path:
    try:
        return resolve_scenario_path(reference, path.parent)
    except UserInputError as exc:
        raise ScenarioStructureError(exc.problem, file=path, line=_key_line(text, "scenario"),
                                     item="claims.scenario", allowed=exc.allowed) from None


def _namespace(scenario: Scenario | None, extra: Mapping[str, Value] | None) -> dict[str, Value]:
    namespace = scenario_namespace(scenario) if scenario is not None else {}
    for name, value in (extra or {}).items():
        if name in namespace:
            raise ValueError(f"extra name {name!r} would shadow a scenario parameter")
        namespace[name] = value
    return namespace


def evaluate_claim(claim: Claim, namespace: Namespace) -> ClaimResult:
    """Compute one claim's figure from ``namespace`` and judge the stated one against it."""
    computed = _in_stated_unit(parse_formula(claim.formula).evaluate(namespace), claim)
    tolerance = max(claim.tolerance * abs(computed), claim.resolution)
    verdict = judge(claim.relation, claim.stated_value, computed, tolerance)
    return ClaimResult(claim=claim, computed=computed, tolerance=tolerance, verdict=verdict)


def _in_stated_unit(value: pint.Quantity, claim: Claim) -> float:
    size = np.size(value.magnitude)
    if size != 1:
        raise ClaimError(f"formula gives {size} values, not one",
                         item=claim.id, allowed="pick one value with at(series, label)")
    try:
        converted = value.to(parse_unit(claim.unit))
    except pint.DimensionalityError:
        raise ClaimError(
            f"formula {claim.formula!r} gives {value.units:~} ({_dimension(value)}), which "
            f"cannot be expressed in {claim.unit!r}: the formula is wrong, not the report",
            item=claim.id, allowed=f"a formula whose result converts to {claim.unit}",
        ) from None
    number = float(np.asarray(converted.magnitude).reshape(()))
    if not math.isfinite(number):
        raise ClaimError(f"formula {claim.formula!r} gives {number}", item=claim.id)
    return number


def _dimension(value: pint.Quantity) -> str:
    return str(value.dimensionality) if not value.dimensionless else "dimensionless"


def judge(relation: Relation, stated: float, computed: float, tolerance: float) -> Verdict:
    """Whether ``computed`` stands in ``relation`` to ``stated`` within ``tolerance``.

    ``<`` means the document states that the computed quantity is below the stated figure
    ("不足130公斤" is ``computed < 130``); the tolerance widens every relation alike, so ``<``
    and ``<=`` differ only exactly at the edge.
    """
    # The float slack includes a figure exactly on the edge for the inclusive relations and
    # excludes it for the strict ones, whatever the binary rounding of the edge.
    noise = _FLOAT_SLACK * max(abs(stated), abs(computed))
    excess = computed - stated
    holds = {
        "=": abs(excess) <= tolerance + noise,
        "<": excess < tolerance - noise,
        "<=": excess <= tolerance + noise,
        ">": -excess < tolerance - noise,
        ">=": -excess <= tolerance + noise,
    }[relation]
    return "agrees" if holds else "disagrees"


# --- writing -----------------------------------------------------------------------------------


def write_claims(report: ClaimsReport,
                 out: str | Path | Sequence[str | Path]) -> tuple[Path, Path]:
    """Write claims.csv (the eight columns) and claims.xlsx (both tables), each atomically.

    ``out`` is a folder (created if needed), a ``.csv`` path (the workbook goes next to it with
    the suffix ``.xlsx``), or a pair of paths (csv, xlsx). Returns the two paths written.
    """
    csv_path, xlsx_path = _output_paths(out)
    write_csv(report.table(), csv_path)
    write_xlsx([report.table(), report.detail_table()], xlsx_path)
    return csv_path, xlsx_path


def _output_paths(out: str | Path | Sequence[str | Path]) -> tuple[Path, Path]:
    if not isinstance(out, str | Path):
        csv_path, xlsx_path = (Path(p) for p in out)
        return csv_path, xlsx_path
    path = Path(out)
    if path.suffix.lower() == ".csv":
        return path, path.with_suffix(".xlsx")
    return path / "claims.csv", path / "claims.xlsx"
