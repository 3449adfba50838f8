"""Evaluating a passport-like document against a rule set, rule by rule."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from valueloop.certify.rules import Rule, RuleSet
from valueloop.core.errors import UserInputError
from valueloop.core.tables import Table
from valueloop.core.units import conversion_factor

Status = Literal["pass", "fail", "missing"]
_COMPARE: Mapping[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
    "==": operator.eq}


class DocumentError(UserInputError):
    """A passport document that cannot be checked (not an object, a quantity not a number)."""


@dataclass(frozen=True)
class RuleResult:
    """One rule's outcome: the measured value and the limit, both in the rule's unit."""

    rule: str
    description: str
    quantity: str
    operator: str
    measured: float | None
    limit: float
    unit: str
    status: Status
    source: str

    @property
    def passed(self) -> bool:
        return self.status == "pass"


@dataclass(frozen=True)
class CheckReport:
    """All rule results of one document against one rule set."""

    rule_set: str
    rule_set_version: str
    rule_set_status: str
    subject: str | None
    results: tuple[RuleResult, ...]

    @property
    def passed(self) -> bool:
        return all(result.passed for result in self.results)

    @property
    def failed(self) -> tuple[str, ...]:
        return tuple(result.rule for result in self.results if not result.passed)

    def records(self) -> list[dict[str, Any]]:
        return [{"rule": r.rule, "quantity": r.quantity, "operator": r.operator,
                 "measured": r.measured, "limit": r.limit, "unit": r.unit, "status": r.status,
                 "description": r.description, "source": r.source} for r in self.results]

    def table(self) -> Table:
        verdict = "PASSES" if self.passed else f"FAILS ({', '.join(self.failed)})"
        notes = [f"{self.subject or 'document'} {verdict} rule set {self.rule_set} "
                 f"v{self.rule_set_version}."]
        if self.rule_set_status == "example":
            notes.append("This rule set is an example scheme, not an existing standard.")
        return Table.from_records(
            f"Certification check: {self.rule_set}", self.records(),
            columns=("rule", "quantity", "operator", "measured", "limit", "unit", "status",
                     "source"),
            notes=tuple(notes))


def _as_mapping(document: Mapping[str, Any] | BaseModel) -> Mapping[str, Any]:
    if isinstance(document, BaseModel):
        return document.model_dump(mode="json")
    if not isinstance(document, Mapping):
        raise DocumentError(f"a passport must be a JSON object, not {type(document).__name__}",
                            item="passport")
    return document


def lookup(document: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted ``path``, or ``None`` where any step is missing or null."""
    value: Any = document
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _evaluate(rule: Rule, document: Mapping[str, Any]) -> RuleResult:
    raw = lookup(document, rule.quantity)
    if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int | float)
                            or not math.isfinite(raw)):
        raise DocumentError(f"{raw!r} is not a finite number", item=rule.quantity,
                            allowed=f"a number in {rule.quantity_unit}")
    measured = None if raw is None else float(raw) * conversion_factor(rule.quantity_unit,
                                                                        rule.unit)
    if measured is None:
        status: Status = "missing"
    else:
        # Compare in the document's unit, so an exact value on the limit is not lost to rounding.
        status = "pass" if _COMPARE[rule.operator](float(raw), rule.limit_in_quantity_unit) \
            else "fail"
    return RuleResult(rule.id, rule.description, rule.quantity, rule.operator, measured,
                      rule.limit, rule.unit, status, rule.source.short())


def document_subject(document: Mapping[str, Any]) -> str | None:
    """The identifier of a passport-like document (``identifier``, ``id`` or ``subject``)."""
    for key in ("identifier", "id", "subject"):
        if isinstance(document.get(key), str):
            return str(document[key])
    return None


def check_document(document: Mapping[str, Any] | BaseModel, rule_set: RuleSet) -> CheckReport:
    """Check ``document`` against every rule of ``rule_set`` (a missing quantity fails)."""
    mapping = _as_mapping(document)
    return CheckReport(rule_set.id, rule_set.version, rule_set.status,
                       document_subject(mapping),
                       tuple(_evaluate(rule, mapping) for rule in rule_set.rules))
