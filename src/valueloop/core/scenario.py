"""Scenarios: a baseline plus named overrides, loaded from TOML and validated once.

Two layers, kept apart on purpose:

* :class:`ScenarioDefinition` is the file as written (values in the units the author chose,
  overrides unapplied). It round-trips through TOML and Excel.
* :class:`Scenario` is what the engine runs: one override applied, every value converted to the
  unit its model declares, bounds intersected, share groups and correlations checked. It is frozen.

File inheritance: ``[scenario] extends = "parent.toml"`` (relative to the file) or
``"valueloop:NAME"`` for a shipped scenario. The child's parameters, documents, share groups and
overrides replace the parent's of the same name; correlations are appended.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from valueloop.core.distributions import Normal, _Distribution
from valueloop.core.errors import (
    DimensionError,
    InvalidDistributionError,
    MalformedFileError,
    MissingParameterError,
    MissingSourceError,
    OutOfBoundsError,
    ScenarioStructureError,
    ShareGroupError,
    UnknownParameterError,
    UserInputError,
)
from valueloop.core.frozen import FrozenDict
from valueloop.core.model import ModelDefinition
from valueloop.core.parameters import (
    CorrelationEntry,
    OverrideEntry,
    ParameterDeclaration,
    ParameterEntry,
    ShareGroupEntry,
    is_parameter_name,
)
from valueloop.core.sources import Citation, Document, check_documents_known, shipped_documents
from valueloop.core.units import conversion_factor, convert_value, parse_unit

SHIPPED_PREFIX = "valueloop:"
SHARE_SUM_TOLERANCE = 1e-6


class ScenarioHeader(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    model: str
    title: str = ""
    description: str = ""
    extends: str | None = None


class ScenarioDefinition(BaseModel):
    """A scenario file as written, after file inheritance has been merged."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scenario: ScenarioHeader
    documents: dict[str, Document] = Field(default_factory=dict)
    parameters: dict[str, ParameterEntry] = Field(default_factory=dict)
    share_groups: dict[str, ShareGroupEntry] = Field(default_factory=dict)
    correlations: list[CorrelationEntry] = Field(default_factory=list)
    overrides: dict[str, OverrideEntry] = Field(default_factory=dict)

    @field_validator("documents", mode="before")
    @classmethod
    def _document_ids_from_keys(cls, documents: Any) -> Any:
        """``[documents.ID]`` tables take their id from the key; a differing ``id`` is an error."""
        if not isinstance(documents, Mapping):
            return documents
        filled = {}
        for key, table in documents.items():
            if isinstance(table, Mapping):
                if table.get("id", key) != key:
                    raise ValueError(f"document {key!r} has a different id {table['id']!r}")
                table = {**table, "id": key}
            filled[key] = table
        return filled


# --- loading -----------------------------------------------------------------------------------


def shipped_scenario_path(name: str) -> Path:
    folder = resources.files("valueloop.data") / "scenarios"
    path = Path(str(folder / f"{name}.toml"))
    if not path.is_file():
        available = sorted(p.stem for p in Path(str(folder)).glob("*.toml"))
        raise ScenarioStructureError(f"no shipped scenario {name!r}",
                                     allowed=", ".join(available))
    return path


def resolve_scenario_path(reference: str | Path, relative_to: Path | None = None) -> Path:
    text = str(reference)
    if text.startswith(SHIPPED_PREFIX):
        return shipped_scenario_path(text.removeprefix(SHIPPED_PREFIX))
    path = Path(text)
    if not path.is_absolute() and relative_to is not None:
        path = relative_to / path
    if not path.is_file():
        raise ScenarioStructureError(f"scenario file {text!r} does not exist", file=path)
    return path


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a TOML file; a syntax error names the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MalformedFileError(f"cannot read file ({exc.strerror})", file=path) from None
    except UnicodeDecodeError:
        raise MalformedFileError("is not UTF-8 text", file=path) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise MalformedFileError(f"malformed TOML: {message}", file=path, line=line,
                                 allowed="TOML 1.0 syntax") from None


def load_definition(path: str | Path, _seen: tuple[Path, ...] = ()) -> ScenarioDefinition:
    """Load a scenario file and merge the files it extends."""
    path = resolve_scenario_path(path)
    resolved = path.resolve()
    if resolved in _seen:
        chain = " -> ".join(str(p) for p in (*_seen, resolved))
        raise ScenarioStructureError(f"'extends' forms a cycle: {chain}", file=path)
    raw, text = read_toml(path)
    header = raw.get("scenario")
    if not isinstance(header, dict):
        raise MalformedFileError("has no [scenario] table", file=path,
                                 allowed="[scenario] with name and model")
    definition = _validate_definition(raw, text, path)
    if definition.scenario.extends:
        try:
            parent_path = resolve_scenario_path(definition.scenario.extends, path.parent)
        except UserInputError as exc:  # e.g. an unknown shipped name: say which file asked
            raise exc.located(path) from None
        parent = load_definition(parent_path, (*_seen, resolved))
        definition = merge_definitions(parent, definition)
    return definition


def _validate_definition(raw: dict[str, Any], text: str, path: Path) -> ScenarioDefinition:
    for name in raw.get("parameters", {}):
        if not is_parameter_name(name):
            raise UnknownParameterError(
                "is not a valid parameter name", file=path, line=line_of(text, name),
                item=name, allowed="lower-case dotted names such as cobalt.price.hydroxide")
    try:
        return ScenarioDefinition.model_validate(raw)
    except ValidationError as exc:
        raise _translate_validation_error(exc, text, path) from None


def _translate_validation_error(exc: ValidationError, text: str, path: Path) -> UserInputError:
    error = exc.errors()[0]
    loc = [str(part) for part in error["loc"]]
    message = str(error["msg"]).removeprefix("Value error, ")
    if loc and loc[0] == "scenario":  # the header: name the key itself, e.g. scenario.model
        item, loc = ".".join(loc), loc[:1]
    else:
        item = loc[1] if len(loc) > 1 and loc[0] in (
            "parameters", "share_groups", "overrides", "documents") else ".".join(loc[:1])
    line = line_of(text, item) if item else None
    detail = ".".join(loc[2:]) if len(loc) > 2 else ""
    where = f"{detail}: " if detail else ""
    if "source" in loc:
        return MissingSourceError(f"{where}{message}", file=path, line=line, item=item,
                                  allowed="keys document, section, year, note, assumption")
    if "distribution" in loc:
        return InvalidDistributionError(
            f"{where}{message}", file=path, line=line, item=item,
            allowed="kind = uniform(low, high) | triangular(low, mode, high) | "
                    "pert(low, mode, high[, lamb]) | normal(mean, sd) | lognormal(median, sigma)")
    if error["type"] == "extra_forbidden":
        return MalformedFileError(f"unknown key {loc[-1]!r}", file=path, line=line, item=item)
    return MalformedFileError(f"{where}{message}", file=path, line=line, item=item)


def line_of(text: str, needle: str) -> int | None:
    """Line number of the first table header or key that names ``needle`` (1-based)."""
    quoted = re.compile(r'(^\s*\[[^\]]*"' + re.escape(needle) + r'"|^\s*(?:[\w-]+\s*\.\s*)*"'
                        + re.escape(needle) + r'"\s*=|^\s*\[[^\]"]*\b' + re.escape(needle)
                        + r'\b[^\]"]*\])')
    for number, line in enumerate(text.splitlines(), start=1):
        if quoted.search(line):
            return number
    return None


def merge_definitions(parent: ScenarioDefinition, child: ScenarioDefinition) -> ScenarioDefinition:
    """The child's entries replace the parent's of the same name; correlations are appended."""
    return ScenarioDefinition(
        scenario=ScenarioHeader(
            name=child.scenario.name,
            model=child.scenario.model,
            title=child.scenario.title or parent.scenario.title,
            description=child.scenario.description or parent.scenario.description,
            extends=None,
        ),
        documents={**parent.documents, **child.documents},
        parameters={**parent.parameters, **child.parameters},
        share_groups={**parent.share_groups, **child.share_groups},
        correlations=[*parent.correlations, *child.correlations],
        overrides={**parent.overrides, **child.overrides},
    )


# --- resolution --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedParameter:
    """A parameter in the unit its model declares."""

    name: str
    unit: str
    value: float | tuple[float, ...]
    distribution: _Distribution | None
    bounds: tuple[float, float]
    source: Citation
    index: tuple[int | str, ...] | None = None
    share_group: str | None = None

    @property
    def is_uncertain(self) -> bool:
        return self.distribution is not None


@dataclass(frozen=True)
class ResolvedShareGroup:
    name: str
    members: tuple[str, ...]
    concentration: float | None
    source: Citation

    def alpha(self, baseline: Mapping[str, float]) -> np.ndarray:
        assert self.concentration is not None
        return self.concentration * np.array([baseline[m] for m in self.members])


@dataclass(frozen=True, eq=False)
class Scenario:
    """A validated, frozen scenario in the model's units, ready for sampling."""

    name: str
    model: str
    parameters: Mapping[str, ResolvedParameter]
    share_groups: Mapping[str, ResolvedShareGroup]
    correlations: tuple[CorrelationEntry, ...]
    definition: ScenarioDefinition = field(repr=False)
    override: str | None = None
    file: Path | None = None

    @property
    def label(self) -> str:
        return f"{self.name}/{self.override}" if self.override else self.name

    def uncertain_scalars(self) -> tuple[str, ...]:
        """Uncertain parameters outside share groups, in declaration order."""
        return tuple(p.name for p in self.parameters.values()
                     if p.is_uncertain and p.share_group is None)

    def uncertain_groups(self) -> tuple[ResolvedShareGroup, ...]:
        return tuple(g for g in self.share_groups.values() if g.concentration is not None)

    def citations(self) -> Iterator[tuple[str, Citation]]:
        for parameter in self.parameters.values():
            yield parameter.name, parameter.source
        for group in self.share_groups.values():
            yield f"share group {group.name}", group.source


def load_scenario(path: str | Path, model: ModelDefinition | None = None,
                  override: str | None = None) -> Scenario:
    """Load, merge, apply one override and resolve against the model the file names."""
    path = resolve_scenario_path(path)
    definition = load_definition(path)
    if model is None:
        from valueloop.models.registry import get_model

        try:
            model = get_model(definition.scenario.model)
        except UserInputError as exc:
            raise exc.located(path) from None
    return resolve(definition, model, override=override, file=path)


def resolve(definition: ScenarioDefinition, model: ModelDefinition, *,
            override: str | None = None, file: Path | None = None) -> Scenario:
    text = file.read_text(encoding="utf-8") if file is not None and file.is_file() else ""
    try:
        return _resolve(definition, model, override, file, text)
    except UserInputError as exc:
        if exc.line is None and exc.item and text:
            exc.line = line_of(text, exc.item)
        raise exc.located(file) if file is not None else exc from None


def _resolve(definition: ScenarioDefinition, model: ModelDefinition, override: str | None,
             file: Path | None, text: str) -> Scenario:
    if definition.scenario.model != model.name:
        raise ScenarioStructureError(
            f"scenario is for model {definition.scenario.model!r}, not {model.name!r}",
            item="scenario.model", allowed=model.name)
    entries = apply_override(definition, override)
    documents = {**shipped_documents(), **definition.documents}

    declared = {d.name: d for d in model.parameters}
    for name in entries:
        if name not in declared:
            raise UnknownParameterError(
                f"is not a parameter of model {model.name!r}", item=name,
                allowed=_closest(name, declared) or "see 'valueloop scenario show --declared'")
    missing = [name for name in declared if name not in entries]
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise MissingParameterError(
            f"scenario gives no value for {len(missing)} declared parameter(s): {shown}",
            item=missing[0], allowed="every parameter the model declares")

    parameters = {name: _resolve_parameter(entries[name], declared[name]) for name in declared}
    check_documents_known(((name, p.source) for name, p in parameters.items()), documents)
    share_groups = _resolve_share_groups(definition, parameters, documents)
    correlations = _check_correlations(definition.correlations, parameters, documents)
    return Scenario(
        name=definition.scenario.name,
        model=model.name,
        parameters=FrozenDict(parameters),
        share_groups=FrozenDict(share_groups),
        correlations=tuple(correlations),
        definition=definition,
        override=override,
        file=file,
    )


def apply_override(definition: ScenarioDefinition,
                   override: str | None) -> dict[str, ParameterEntry]:
    entries = dict(definition.parameters)
    if override is None:
        return entries
    chain: list[str] = []
    current: str | None = override
    while current is not None:
        if current not in definition.overrides:
            raise ScenarioStructureError(
                f"no override named {current!r}", item=f"overrides.{current}",
                allowed=", ".join(sorted(definition.overrides)) or "none defined")
        if current in chain:
            raise ScenarioStructureError(
                f"override inheritance forms a cycle: {' -> '.join([*chain, current])}",
                item=f"overrides.{current}")
        chain.append(current)
        current = definition.overrides[current].extends
    for name in reversed(chain):
        block = definition.overrides[name]
        for parameter, patch in block.parameters.items():
            if parameter not in entries:
                raise UnknownParameterError(
                    f"override {name!r} changes a parameter the scenario does not have",
                    item=parameter, allowed=_closest(parameter, entries) or None)
            try:
                entries[parameter] = patch.applied_to(entries[parameter], block.source)
            except ValidationError as exc:
                error = exc.errors()[0]
                message = str(error["msg"]).removeprefix("Value error, ")
                kind = (InvalidDistributionError if "distribution" in map(str, error["loc"])
                        else MalformedFileError)
                raise kind(f"override {name!r} makes it invalid: {message}",
                           item=parameter) from None
    return entries


def _resolve_parameter(entry: ParameterEntry, declaration: ParameterDeclaration
                       ) -> ResolvedParameter:
    name = declaration.name
    if entry.source is None:
        raise MissingSourceError(
            "has no source", item=name,
            allowed="source = { document = 'ID', section = '...' } or "
                    "source = { assumption = 'reason' }")
    parse_unit(entry.unit, item=name)
    is_series = isinstance(entry.value, tuple)
    if declaration.shape == "series" and not is_series:
        raise DimensionError("must be a series (a list of values with an 'index')", item=name)
    if declaration.shape == "scalar" and is_series:
        raise DimensionError("must be a single value, not a series", item=name)

    offset = _has_offset(entry.unit) or _has_offset(declaration.unit)
    scale = _delta_scale(entry.unit, declaration.unit, name) if offset else conversion_factor(
        entry.unit, declaration.unit, item=name)

    def convert(value: float) -> float:
        return convert_value(value, entry.unit, declaration.unit, item=name) if offset else (
            value * scale)

    bounds = declaration.bounds
    if entry.bounds is not None:
        low, high = (convert(b) for b in entry.bounds)
        bounds = (max(bounds[0], low), min(bounds[1], high))
    distribution = entry.distribution.converted(convert, scale) if entry.distribution else None
    baseline = entry.baseline
    value = tuple(convert(v) for v in baseline) if isinstance(baseline, tuple) else convert(
        baseline)
    _check_within_bounds(name, value, distribution, bounds, declaration)
    return ResolvedParameter(
        name=name, unit=declaration.unit, value=value, distribution=distribution,
        bounds=bounds, source=entry.source, index=entry.index, share_group=entry.share_group)


def _has_offset(unit: str) -> bool:
    return not parse_unit(unit)._REGISTRY.Quantity(1.0, parse_unit(unit))._is_multiplicative


def _delta_scale(from_unit: str, to_unit: str, item: str) -> float:
    return convert_value(1.0, from_unit, to_unit, item=item) - convert_value(
        0.0, from_unit, to_unit, item=item)


def _check_within_bounds(name: str, value: float | tuple[float, ...],
                         distribution: _Distribution | None, bounds: tuple[float, float],
                         declaration: ParameterDeclaration) -> None:
    low, high = bounds
    unit = declaration.unit
    allowed = f"[{low:g}, {high:g}] {unit}"
    if low > high:
        raise OutOfBoundsError("its bounds exclude every value the model allows", item=name,
                               allowed=f"[{declaration.bounds[0]:g}, {declaration.bounds[1]:g}]")
    values = value if isinstance(value, tuple) else (value,)
    for v in values:
        if not math.isfinite(v):
            raise OutOfBoundsError(f"value {v} is not finite", item=name, allowed=allowed)
        if not low <= v <= high:
            raise OutOfBoundsError(f"value {v:g} {unit} is out of bounds", item=name,
                                   allowed=allowed)
    if distribution is not None:
        support_low, support_high = distribution.support()
        truncatable = isinstance(distribution, Normal) or not math.isfinite(support_high)
        if not truncatable and (support_low < low or support_high > high):
            raise OutOfBoundsError(
                f"distribution {distribution.kind} spans [{support_low:g}, {support_high:g}] "
                f"{unit}, outside the bounds", item=name, allowed=allowed)


def _resolve_share_groups(definition: ScenarioDefinition,
                          parameters: dict[str, ResolvedParameter],
                          documents: Mapping[str, Document]) -> dict[str, ResolvedShareGroup]:
    members: dict[str, list[str]] = {}
    for parameter in parameters.values():
        if parameter.share_group is not None:
            members.setdefault(parameter.share_group, []).append(parameter.name)
    for group in definition.share_groups:
        if group not in members:
            raise ShareGroupError("share group has no member parameters",
                                  item=f"share_groups.{group}")
    groups: dict[str, ResolvedShareGroup] = {}
    for group, names in members.items():
        entry = definition.share_groups.get(group)
        if entry is None:
            raise ShareGroupError(f"names share group {group!r}, which is not defined",
                                  item=names[0], allowed=f"a [share_groups.\"{group}\"] table")
        for name in names:
            parameter = parameters[name]
            if parse_unit(parameter.unit).dimensionality:
                raise DimensionError("a share must be dimensionless", item=name)
            if parameter.is_uncertain:
                raise ShareGroupError(
                    "a share-group member cannot have its own distribution; the group is "
                    "sampled jointly", item=name, allowed="concentration on the share group")
        total = sum(float(parameters[n].value) for n in names)  # type: ignore[arg-type]
        if abs(total - 1.0) > SHARE_SUM_TOLERANCE:
            raise ShareGroupError(
                f"shares sum to {total:.9g}, not 1", item=f"share_groups.{group}",
                allowed=f"member values summing to 1 within {SHARE_SUM_TOLERANCE:g}")
        if len(names) < 2:
            raise ShareGroupError("a share group needs at least two members",
                                  item=f"share_groups.{group}")
        if entry.source is None:
            raise MissingSourceError("has no source", item=f"share_groups.{group}")
        check_documents_known([(f"share_groups.{group}", entry.source)], documents)
        groups[group] = ResolvedShareGroup(group, tuple(names), entry.concentration,
                                           entry.source)
    return groups


def _check_correlations(correlations: list[CorrelationEntry],
                        parameters: dict[str, ResolvedParameter],
                        documents: Mapping[str, Document]) -> list[CorrelationEntry]:
    seen: set[frozenset[str]] = set()
    for entry in correlations:
        pair = frozenset(entry.parameters)
        label = f"correlation {entry.parameters[0]} ~ {entry.parameters[1]}"
        if len(pair) != 2:
            raise ScenarioStructureError("correlates a parameter with itself", item=label)
        if pair in seen:
            raise ScenarioStructureError("is given twice", item=label)
        seen.add(pair)
        for name in entry.parameters:
            parameter = parameters.get(name)
            if parameter is None:
                raise UnknownParameterError("correlation names an unknown parameter", item=name)
            if not parameter.is_uncertain or parameter.share_group is not None:
                raise ScenarioStructureError(
                    "only uncertain scalar parameters outside share groups can be correlated",
                    item=name)
        if entry.source is None:
            raise MissingSourceError("has no source", item=label)
        check_documents_known([(label, entry.source)], documents)
    rank_correlation_matrix(correlations)
    return correlations


def rank_correlation_matrix(correlations: Sequence[CorrelationEntry]
                            ) -> tuple[tuple[str, ...], np.ndarray]:
    """The target rank-correlation matrix over the correlated parameters (sorted by name).

    Pairwise correlations given one by one need not form a valid matrix together; that is
    checked here, when the scenario is loaded, rather than when it is first sampled.
    """
    names = tuple(sorted({n for c in correlations for n in c.parameters}))
    position = {n: i for i, n in enumerate(names)}
    matrix = np.eye(len(names))
    for entry in correlations:
        i, j = (position[n] for n in entry.parameters)
        matrix[i, j] = matrix[j, i] = entry.rank_correlation
    try:
        np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        raise ScenarioStructureError(
            "the rank correlations given are not a valid correlation matrix "
            "(not positive definite)", item="correlations",
            allowed="a consistent set of pairwise correlations") from None
    return names, matrix


def _closest(name: str, candidates: Mapping[str, Any]) -> str | None:
    import difflib

    matches = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.6)
    return ("did you mean " + ", ".join(matches)) if matches else None
