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

The inputs are rounded too: a report that writes imports of 12.4 and 10.4 万吨 and growth of
19.3 % may have computed the growth from unrounded figures, and 12.4 / 10.4 - 1 = 19.23 % is no
contradiction. So each scenario parameter a formula reads stands for a box of values, half a unit
in the last digit written either side (:func:`written_resolution`, :func:`input_boxes`), and the
formula is also evaluated, in one vectorised pass, at the corners of the box of all the inputs it
reads (:func:`rounding_interval`). A figure that disagrees with the exact computation but agrees
with some point of that interval ``[computed_low, computed_high]`` "agrees within rounding"; only
the rest "disagrees".

The corner interval is exact for a formula that is monotone in each input over the box (growth,
shares, products and quotients of positive figures, min, max, sum, mean); for others it can miss
an interior extremum, so it always includes the exact computation as well. Up to
:data:`EXHAUSTIVE_CORNER_LIMIT` rounded input values every corner is evaluated; beyond that a
seeded sample of :data:`RANDOM_CORNERS` corners plus the all-low and all-high ones stands in for
all 2^k, which still finds every extreme of a formula that depends on a handful of the values
(say two years of a long series) but may understate the interval of one that depends on many.
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
    DimensionError,
    MalformedFileError,
    MissingSourceError,
    ScenarioStructureError,
    UserInputError,
)
from valueloop.core.formula import (
    Formula,
    Namespace,
    Series,
    Value,
    parse_formula,
    scenario_namespace,
    with_batch_axis,
)
from valueloop.core.parameters import ParameterEntry
from valueloop.core.scenario import (
    ResolvedParameter,
    Scenario,
    apply_override,
    load_scenario,
    read_toml,
    resolve_scenario_path,
)
from valueloop.core.sources import (
    Citation,
    check_documents_known,
    parse_citation,
    shipped_documents,
)
from valueloop.core.tables import Cell, Table, write_csv, write_xlsx
from valueloop.core.units import conversion_factor, parse_unit, unit_registry

ID_PATTERN = r"^[A-Za-z0-9._-]+$"
DEFAULT_TOLERANCE = 0.001
COLUMNS = ("claim_id", "section", "quantity", "stated", "computed", "unit", "rel_diff", "verdict")
DETAIL_COLUMNS = (*COLUMNS, "computed_low", "computed_high", "relation", "formula", "kind",
                  "tolerance", "source", "note")
# Binary floating point turns 12.35 - 12.3 into 0.0500000000000007; a relative slack this small
# keeps a figure exactly on the edge of its tolerance from flipping verdict on that noise.
_FLOAT_SLACK = 1e-9
EXHAUSTIVE_CORNER_LIMIT = 10
"""Up to this many rounded input values, all 2^k corners of their box are evaluated (<= 1024)."""
RANDOM_CORNERS = 1024
"""Beyond the limit, this many seeded random corners (plus all-low and all-high) are evaluated."""
CORNER_SEED = 20240601
"""Default seed of the random corners, fixed so that a verdict reproduces from run to run."""

Relation = Literal["=", "<", "<=", ">", ">="]
Kind = Literal["arithmetic", "unit", "consistency", "source"]
Verdict = Literal["agrees", "agrees within rounding", "disagrees"]


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
    computed_low: float | None = None
    """Lowest value of the formula over the rounding of its inputs (None: not computed)."""
    computed_high: float | None = None
    """Highest value of the formula over the rounding of its inputs (None: not computed)."""
    interval_note: str | None = None
    """Why there is no rounding interval, or that it comes from a sample of the corners."""

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
        notes = [note for note in (claim.note, self.interval_note) if note]
        return {**self.record(), "computed_low": self.computed_low,
                "computed_high": self.computed_high, "relation": claim.relation,
                "formula": claim.formula, "kind": claim.kind, "tolerance": self.tolerance,
                "source": claim.source.short(), "note": "; ".join(notes) or None}


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
        """Claims that agree with the exact computation."""
        return sum(r.verdict == "agrees" for r in self.results)

    @property
    def n_within_rounding(self) -> int:
        """Claims that agree only once the rounding of the inputs is allowed for."""
        return sum(r.verdict == "agrees within rounding" for r in self.results)

    @property
    def n_disagrees(self) -> int:
        return sum(r.verdict == "disagrees" for r in self.results)

    def table(self) -> Table:
        """One row per claim: claim_id, section, quantity, stated, computed, unit, rel_diff,
        verdict."""
        return Table.from_records("claims", [r.record() for r in self.results], COLUMNS,
                                  notes=self._notes())

    def detail_table(self) -> Table:
        """The table plus computed_low and computed_high (the range over the rounding of the
        inputs), relation, formula, kind, tolerance (absolute), source and note."""
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
        notes.append(f"{self.n_agrees} agree, {self.n_within_rounding} agree within rounding, "
                     f"{self.n_disagrees} disagree")
        return tuple(notes)


def check_claims(path: str | Path, scenario: Scenario | None = None,
                 extra: Mapping[str, Value] | None = None, *,
                 override: str | None = None, seed: int = CORNER_SEED) -> ClaimsReport:
    """Evaluate every claim of a claims file.

    The formulas read the parameters of ``scenario``, or else of the scenario the file names
    (resolved relative to the file, with ``override`` applied), plus the ``extra`` names (model
    outputs, say), which must not shadow a parameter. The scenario's parameters count as rounded
    to the digits written (:func:`input_boxes`); the ``extra`` names count as exact. ``seed``
    drives the random corners of formulas with many rounded inputs.
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
    boxes = input_boxes(scenario) if scenario is not None else {}
    results = []
    for position, claim in enumerate(claims_file.claim, start=1):
        try:
            results.append(evaluate_claim(claim, namespace, boxes, seed=seed))
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


def evaluate_claim(claim: Claim, namespace: Namespace,
                   boxes: Mapping[str, InputBox] | None = None, *,
                   seed: int = CORNER_SEED) -> ClaimResult:
    """Compute one claim's figure from ``namespace`` and judge the stated one against it.

    ``boxes`` (see :func:`input_boxes`) say how the inputs were rounded; a name without a box
    counts as exact. The rounding interval never makes the check fail: when it cannot be
    computed the result says why in ``interval_note`` and the verdict is the exact one.
    """
    formula = parse_formula(claim.formula)
    computed = _in_stated_unit(formula.evaluate(namespace), claim)
    tolerance = max(claim.tolerance * abs(computed), claim.resolution)
    interval = rounding_interval(formula, claim.unit, namespace, boxes or {}, seed=seed)
    bounds = interval.including(computed)
    verdict = judge(claim.relation, claim.stated_value, computed, tolerance, interval=bounds)
    low, high = bounds if bounds is not None else (None, None)
    return ClaimResult(claim=claim, computed=computed, tolerance=tolerance, verdict=verdict,
                       computed_low=low, computed_high=high, interval_note=interval.note)


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


def judge(relation: Relation, stated: float, computed: float, tolerance: float, *,
          interval: tuple[float, float] | None = None) -> Verdict:
    """Whether ``computed`` stands in ``relation`` to ``stated`` within ``tolerance``.

    ``<`` means the document states that the computed quantity is below the stated figure
    ("不足130公斤" is ``computed < 130``); the tolerance widens every relation alike, so ``<``
    and ``<=`` differ only exactly at the edge.

    ``interval`` is the range of the computation over the rounding of its inputs. When the exact
    value disagrees but the point of the interval most favourable to the stated figure agrees
    (the nearest for ``=``, the lowest for ``<`` and ``<=``, the highest for ``>`` and ``>=``),
    the verdict is "agrees within rounding". The same tolerance applies, which is never less
    than the stated figure's own resolution: for ``=`` the stated figure lies in
    [low - tolerance, high + tolerance].
    """
    if _holds(relation, stated, computed, tolerance):
        return "agrees"
    if interval is not None and _holds(relation, stated,
                                       _most_favourable(relation, stated, interval), tolerance):
        return "agrees within rounding"
    return "disagrees"


def _holds(relation: Relation, stated: float, computed: float, tolerance: float) -> bool:
    # The float slack includes a figure exactly on the edge for the inclusive relations and
    # excludes it for the strict ones, whatever the binary rounding of the edge.
    noise = _FLOAT_SLACK * max(abs(stated), abs(computed))
    excess = computed - stated
    return {
        "=": abs(excess) <= tolerance + noise,
        "<": excess < tolerance - noise,
        "<=": excess <= tolerance + noise,
        ">": -excess < tolerance - noise,
        ">=": -excess <= tolerance + noise,
    }[relation]


def _most_favourable(relation: Relation, stated: float, interval: tuple[float, float]) -> float:
    """The point of ``interval`` that comes closest to satisfying ``relation`` with ``stated``."""
    low, high = interval
    if relation == "=":
        return min(max(stated, low), high)
    return low if relation in ("<", "<=") else high


# --- rounding of the inputs --------------------------------------------------------------------


@dataclass(frozen=True)
class InputBox:
    """The true values a written input may stand for: ``[low, high]``, element by element.

    In the parameter's canonical ``unit``: 0-d arrays for a scalar, one element per label for a
    series. An element that is not rounded has ``low == high``.
    """

    low: np.ndarray
    high: np.ndarray
    unit: str


@dataclass(frozen=True)
class RoundingInterval:
    """The range of a formula over the corners of its inputs' boxes, in the stated unit."""

    low: float | None
    high: float | None
    note: str | None = None
    """Why there is no interval (``low`` and ``high`` are None), or how it is approximate."""

    def including(self, value: float) -> tuple[float, float] | None:
        """The interval stretched to include ``value``, or None when there is no interval."""
        if self.low is None or self.high is None:
            return None
        # The exact computation is a point of the box too; a formula that is not monotone
        # could otherwise leave it outside the range of the corners.
        return min(self.low, value), max(self.high, value)


def written_resolution(value: float) -> float:
    """Half a unit in the last digit written: 12.4 -> 0.05, 0.145 -> 0.0005, 85 or 85.0 -> 0.5.

    A TOML float keeps only the digits of its shortest repr, so ``12.40`` reads as ``12.4`` and
    ``9.0`` as the whole number 9 (resolution 0.5, the wider and so the more lenient reading).
    A value that repr writes with an exponent has the resolution of its last significant digit:
    ``1.5e-07`` -> 5e-09, ``1e+16`` -> 5e+15. A value that is not finite has none (0).
    """
    number = float(value)
    if not math.isfinite(number):
        return 0.0
    text = repr(number)
    if number.is_integer() and "e" not in text:
        return 0.5
    exponent = Decimal(text).as_tuple().exponent
    assert isinstance(exponent, int), "a finite float has an integer exponent"
    return float(Decimal(5).scaleb(exponent - 1))


def input_boxes(scenario: Scenario) -> dict[str, InputBox]:
    """The box of every parameter whose value is written to a finite number of digits.

    The value as written is the scenario definition's, with the scenario's override applied. Its
    resolution (:func:`written_resolution`) is scaled to the parameter's canonical unit and the
    box is kept within the parameter's bounds, where its true value must lie. A parameter given
    only by a distribution has no box, nor has a value in a unit with an offset (degC), whose
    written digits no scale factor can carry over.
    """
    entries = apply_override(scenario.definition, scenario.override)
    boxes: dict[str, InputBox] = {}
    for name, parameter in scenario.parameters.items():
        half = _half_widths(entries.get(name), parameter)
        if half is None or not np.any(half > 0):
            continue
        centre = np.asarray(parameter.value, dtype=float)
        low_bound, high_bound = parameter.bounds
        boxes[name] = InputBox(low=np.maximum(centre - half, low_bound),
                               high=np.minimum(centre + half, high_bound), unit=parameter.unit)
    return boxes


def _half_widths(entry: ParameterEntry | None,
                 parameter: ResolvedParameter) -> np.ndarray | None:
    """The resolution of each written element in the canonical unit; None if none is written."""
    if entry is None or entry.value is None:
        return None
    try:
        scale = conversion_factor(entry.unit, parameter.unit)
    except DimensionError:
        return None  # an offset unit
    written = entry.value if isinstance(entry.value, tuple) else (entry.value,)
    half = np.array([written_resolution(v) for v in written]) * abs(scale)
    shape = np.shape(parameter.value)
    if half.size != math.prod(shape):
        return None  # a scenario assembled by hand whose definition does not match it
    return half.reshape(shape)


def corner_choices(count: int, seed: int = CORNER_SEED) -> np.ndarray:
    """Which end of each of ``count`` input intervals every corner takes (True: the high end).

    Shape (corners, count): all 2^count corners when ``count`` is at most
    :data:`EXHAUSTIVE_CORNER_LIMIT`, else the all-low and all-high corners followed by
    :data:`RANDOM_CORNERS` corners drawn with ``seed``.
    """
    if count <= EXHAUSTIVE_CORNER_LIMIT:
        codes = np.arange(2**count)[:, np.newaxis]
        return ((codes >> np.arange(count)) & 1) == 1
    sampled = np.random.default_rng(seed).integers(0, 2, size=(RANDOM_CORNERS, count)) == 1
    ends = np.array([[False] * count, [True] * count])
    return np.vstack([ends, sampled])


def rounding_interval(formula: Formula, unit: str, namespace: Namespace,
                      boxes: Mapping[str, InputBox], *,
                      seed: int = CORNER_SEED) -> RoundingInterval:
    """The range of ``formula``, in ``unit``, over the corners of the boxes of its inputs.

    One vectorised evaluation (:meth:`Formula.evaluate_batch`). A formula that cannot be
    evaluated at some corner (a metal fraction pushed past 100 %, a divisor whose box reaches
    zero) gets no interval and a note saying why, never an error.
    """
    try:
        corners, rounded, size = _corner_namespace(formula, namespace, boxes, seed)
        result = formula.evaluate_batch(corners).to(parse_unit(unit))
    # IndexError: boxes that do not match the namespace (taken from another scenario).
    except (UserInputError, pint.PintError, ArithmeticError, ValueError, IndexError) as exc:
        reason = exc.problem if isinstance(exc, UserInputError) else str(exc)
        return RoundingInterval(None, None, f"no rounding interval: {reason}")
    values = np.asarray(result.magnitude, dtype=float)
    if not np.all(np.isfinite(values)):
        return RoundingInterval(None, None, "no rounding interval: not finite at some corner")
    note = None
    if rounded > EXHAUSTIVE_CORNER_LIMIT:
        note = (f"rounding interval from {size} of the 2^{rounded} corners of the rounded "
                "inputs (a seeded sample, so it may be too narrow)")
    return RoundingInterval(float(values.min()), float(values.max()), note)


def _corner_namespace(formula: Formula, namespace: Namespace, boxes: Mapping[str, InputBox],
                      seed: int) -> tuple[dict[str, Value], int, int]:
    """The names the formula reads at every corner, the number of rounded input values and the
    number of corners. A name without a box gets a batch axis of length one, the same value at
    every corner."""
    names = [name for name in formula.names if name in namespace]
    positions = {name: np.flatnonzero(boxes[name].high > boxes[name].low)
                 for name in names if name in boxes}
    rounded = sum(p.size for p in positions.values())
    choices = corner_choices(rounded, seed)
    corners: dict[str, Value] = {}
    column = 0
    for name in names:
        if name not in positions:
            corners[name] = with_batch_axis(namespace[name])
            continue
        width = positions[name].size
        corners[name] = _at_corners(namespace[name], boxes[name], positions[name],
                                    choices[:, column:column + width])
        column += width
    return corners, rounded, len(choices)


def _at_corners(value: Value, box: InputBox, positions: np.ndarray,
                choices: np.ndarray) -> Value:
    """``value`` at every corner: each rounded element at the end of its box ``choices`` says,
    the others as they are."""
    quantity = value.values if isinstance(value, Series) else value
    registry = unit_registry()
    scale = float(registry.Quantity(1.0, parse_unit(box.unit)).to(quantity.units).magnitude)
    centre = np.asarray(quantity.magnitude, dtype=float)
    rows = np.repeat(centre.reshape(1, -1), len(choices), axis=0)
    low, high = (np.ravel(end)[positions] * scale for end in (box.low, box.high))
    rows[:, positions] = np.where(choices, high, low)
    at_corners = registry.Quantity(rows.reshape((len(choices), *centre.shape)), quantity.units)
    return Series(at_corners, value.index) if isinstance(value, Series) else at_corners


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
