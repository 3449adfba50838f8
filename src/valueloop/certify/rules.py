"""Rule sets: validated definitions (pydantic, frozen), loaded from TOML by name or file."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from valueloop.core.errors import MalformedFileError, MissingSourceError, UserInputError
from valueloop.core.sources import Citation, check_documents_known, shipped_documents
from valueloop.core.units import conversion_factor

Operator = Literal[">=", ">", "<=", "<", "=="]
_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class Rule(BaseModel):
    """One threshold: ``quantity operator limit`` with units and a source."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    description: str
    quantity: str = Field(pattern=_PATH.pattern)
    """Dotted path into the document, e.g. ``recycled_content.post_consumer_percent``."""
    quantity_unit: str
    """Unit in which the document holds the quantity."""
    operator: Operator
    limit: float = Field(allow_inf_nan=False)
    unit: str
    """Unit of ``limit``; converted to ``quantity_unit`` before comparing."""
    source: Citation

    @model_validator(mode="after")
    def _units_agree(self) -> Rule:
        # Raises DimensionError (a UserInputError) when the units cannot be compared.
        conversion_factor(self.unit, self.quantity_unit, item=f"rule {self.id}")
        return self

    @property
    def limit_in_quantity_unit(self) -> float:
        return self.limit * conversion_factor(self.unit, self.quantity_unit)


class RuleSet(BaseModel):
    """A certification scheme: rules that must all pass."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    version: str
    title: str
    status: Literal["example", "standard"]
    """``example`` for an illustrative scheme; ``standard`` only for a published one."""
    description: str
    rules: tuple[Rule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> RuleSet:
        ids = [rule.id for rule in self.rules]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise ValueError(f"rule ids repeat: {', '.join(duplicated)}")
        return self


def _folder() -> Any:
    return resources.files("valueloop.data") / "certification"


def shipped_rule_sets() -> tuple[str, ...]:
    """Names of the rule sets shipped in ``data/certification``."""
    return tuple(sorted(entry.name.removesuffix(".toml") for entry in _folder().iterdir()
                        if entry.name.endswith(".toml")))


def load_rule_set(name_or_path: str | Path) -> RuleSet:
    """A shipped rule set by name, or a rule set TOML file by path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise MalformedFileError(f"cannot be read ({exc.__class__.__name__})",
                                     file=path) from None
        return parse_rule_set(text, file=str(path))
    if str(name_or_path) not in shipped_rule_sets():
        raise UserInputError(f"no rule set named {name_or_path!r}", item="--rules",
                             allowed=f"a .toml file or one of {', '.join(shipped_rule_sets())}")
    return _shipped(str(name_or_path))


@cache
def _shipped(name: str) -> RuleSet:
    entry = _folder() / f"{name}.toml"
    return parse_rule_set(entry.read_text("utf-8"), file=str(entry))


def parse_rule_set(text: str, *, file: str) -> RuleSet:
    """Parse and validate rule-set TOML; errors name the file and the rule."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MalformedFileError(f"is not valid TOML ({exc})", file=file) from None
    for index, rule in enumerate(raw.get("rules", [])):
        if isinstance(rule, dict) and "source" not in rule:
            raise MissingSourceError("has no source", file=file,
                                     item=f"rules[{index}] {rule.get('id', '')}".strip(),
                                     allowed="source = { document = 'ID', section = '...' } "
                                             "or source = { assumption = 'reason' }")
    try:
        rule_set = RuleSet.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "rule set"
        raise MalformedFileError(str(error["msg"]).removeprefix("Value error, "), file=file,
                                 item=where) from None
    except UserInputError as exc:
        raise exc.located(file) from None
    check_documents_known(((f"rule {r.id}", r.source) for r in rule_set.rules),
                          shipped_documents(), file=file)
    return rule_set
