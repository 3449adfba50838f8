"""Materials selection from a requirement to result tables: ranked candidates, constraints, front.

:func:`run_selection` reads the candidates (:mod:`valueloop.materials.candidates`), turns the
requirement into :class:`~valueloop.materials.selection.Criteria` and runs the numeric core
(:mod:`valueloop.materials.selection`). The table builders turn the result into
:class:`~valueloop.core.tables.Table` objects with English column names: property columns are
named by their property key and carry their canonical unit in ``Table.units``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from valueloop.core.db import Database
from valueloop.core.tables import Cell, Table
from valueloop.materials.candidates import (
    MISSING,
    ORIGINS,
    PREDICTED,
    CandidateMatrix,
    build_candidates,
)
from valueloop.materials.property_models import PropertyModel
from valueloop.materials.requirement import Requirement, canonical_value
from valueloop.materials.selection import (
    MET,
    NO_DATA,
    STATUS,
    Criteria,
    Selection,
    select,
)

RANKING_NOTE = ("ranking: candidates meeting every constraint (or meeting it if predictions "
                "hold) first, by Pareto layer on the objectives (1 = non-dominated), then by "
                "the weighted mean of the objectives normalised to 0..1 over those candidates; "
                "then candidates lacking data; then failing candidates, fewest failed "
                "constraints first")
STATE_NOTE = ("a measured range meets a constraint only with its conservative end; a "
              "prediction meets it only with its 90 % interval and inside the model's domain, "
              "else the candidate 'meets if predictions hold'")


@dataclass(frozen=True)
class SelectionRun:
    """A requirement, its candidates, the criteria and the selection result."""

    requirement: Requirement
    matrix: CandidateMatrix
    criteria: Criteria
    selection: Selection


def criteria_for(requirement: Requirement, matrix: CandidateMatrix) -> Criteria:
    """The requirement's constraints (canonical thresholds) and objectives as arrays."""
    return Criteria.of(
        [(matrix.column(c.property), c.operator == ">=", canonical_value(c))
         for c in requirement.constraints],
        [(matrix.column(o.property), o.sense == "max", o.weight)
         for o in requirement.objectives])


def run_selection(database: Database, requirement: Requirement,
                  models: Mapping[str, PropertyModel] | None = None,
                  extra_keys: Sequence[str] = ()) -> SelectionRun:
    """Select materials for ``requirement`` from the database.

    Parameters
    ----------
    database
        A database holding materials (:class:`~valueloop.materials.store.MaterialStore`).
    requirement
        Constraints and objectives.
    models
        Property models that fill missing values (``None``: measured and derived data only).
    extra_keys
        Further property keys to read as columns (for a chart), not judged.
    """
    matrix = build_candidates(database, (*requirement.properties(), *extra_keys), models)
    criteria = criteria_for(requirement, matrix)
    selection = select(matrix.value, matrix.lower, matrix.upper, matrix.predicted,
                       matrix.in_domain, criteria)
    return SelectionRun(requirement, matrix, criteria, selection)


# --- cells -------------------------------------------------------------------------------------

def origin_text(matrix: CandidateMatrix, row: int, column: int) -> str:
    """``measured``, ``derived``, ``predicted``, ``predicted, out of domain`` or ``missing``."""
    code = int(matrix.origin[row, column])
    if code == PREDICTED and not matrix.in_domain[row, column]:
        return "predicted, out of domain"
    return ORIGINS[code]


def _number(value: float) -> Cell:
    return None if math.isnan(value) or math.isinf(value) else round(float(value), 6)


def _short(value: float) -> str:
    return "" if math.isnan(value) else "open" if math.isinf(value) else f"{value:.4g}"


def _constraint_label(run: SelectionRun, index: int) -> str:
    constraint = run.requirement.constraints[index]
    unit = run.matrix.units[run.matrix.column(constraint.property)]
    return f"{constraint.property} {constraint.operator} {run.criteria.threshold[index]:.4g} {unit}"


def issues(run: SelectionRun, row: int) -> str:
    """Why a candidate does not simply meet: each constraint it fails, lacks or only predicts."""
    states = run.selection.state[row].tolist()
    # failures first, then missing data, then predictions
    ranked = sorted((-state, index) for index, state in enumerate(states) if state != MET)
    return "; ".join(f"{STATUS[-state]}: {_constraint_label(run, index)}"
                     for state, index in ranked)


def unverified(run: SelectionRun, row: int) -> str:
    """The properties a candidate lacks data on for some constraint, comma-separated."""
    states = run.selection.state[row]
    keys = [run.requirement.constraints[i].property for i in np.flatnonzero(states == NO_DATA)]
    return ", ".join(dict.fromkeys(keys))


def _properties(run: SelectionRun) -> list[str]:
    return [k for k in run.requirement.properties() if k in run.matrix.keys]


def _rows(run: SelectionRun, top: int | None) -> list[int]:
    order = run.selection.order.tolist()
    return order if top is None or top <= 0 else order[:top]


def _notes(run: SelectionRun) -> tuple[str, ...]:
    return (RANKING_NOTE, STATE_NOTE, *run.matrix.notes, *run.requirement.notes)


# --- tables ------------------------------------------------------------------------------------

def ranked_table(run: SelectionRun, top: int | None = None) -> Table:
    """Candidates best first with every constrained or objective property and its provenance.

    Per property key: the value, its conservative ``low`` and ``high`` bounds (empty where
    open), ``origin`` and ``source`` (with ``url`` where stored).
    """
    matrix, selection = run.matrix, run.selection
    keys = _properties(run)
    columns = ["rank", "material", "designations", "record", "status", "pareto layer", "score",
               "issues"]
    for key in keys:
        columns += [key, f"{key} low", f"{key} high", f"{key} origin", f"{key} source",
                    f"{key} url"]
    units = {}
    for key in keys:
        unit = matrix.units[matrix.column(key)]
        units.update({key: unit, f"{key} low": unit, f"{key} high": unit})
    rank = selection.rank()
    body = []
    for r in _rows(run, top):
        row: list[Cell] = [int(rank[r]), matrix.name[r], matrix.designations[r],
                           matrix.record[r], STATUS[int(selection.status[r])],
                           int(selection.layer[r]) or None, round(float(selection.score[r]), 4),
                           issues(run, r)]
        for key in keys:
            j = matrix.column(key)
            row += [_number(matrix.value[r, j]), _number(matrix.lower[r, j]),
                    _number(matrix.upper[r, j]), origin_text(matrix, r, j),
                    matrix.source[r, j], matrix.source_url[r, j]]
        body.append(tuple(row))
    shown = f"top {len(body)} of {len(matrix)}" if len(body) < len(matrix) else \
        f"{len(body)}"
    return Table(f"ranked candidates for {run.requirement.name} ({shown})", tuple(columns),
                 tuple(body), units=units, notes=_notes(run))


def compact_table(run: SelectionRun, top: int | None = 20) -> Table:
    """The ranked candidates for a terminal: one text cell per property.

    A cell reads ``value [low-high] (origin)``: the bounds when they differ from the value,
    the origin unless measured.
    """
    matrix, selection = run.matrix, run.selection
    keys = _properties(run)
    rank = selection.rank()
    body = []
    for r in _rows(run, top):
        cells: list[Cell] = [int(rank[r]), matrix.name[r], matrix.record[r],
                             STATUS[int(selection.status[r])],
                             int(selection.layer[r]) or None, unverified(run, r)]
        for key in keys:
            j = matrix.column(key)
            cells.append(_compact_cell(matrix, r, j))
        body.append(tuple(cells))
    units = {key: matrix.units[matrix.column(key)] for key in keys}
    return Table(f"ranked candidates for {run.requirement.name} (top {len(body)} of "
                 f"{len(matrix)}; --json, --csv or --xlsx for sources)",
                 ("rank", "material", "record", "status", "layer", "no data on", *keys),
                 tuple(body),
                 units=units, notes=_notes(run))


def _compact_cell(matrix: CandidateMatrix, r: int, j: int) -> str:
    code = int(matrix.origin[r, j])
    if code == MISSING:
        return "-"
    value, low, high = (float(a[r, j]) for a in (matrix.value, matrix.lower, matrix.upper))
    text = _short(value)
    if not (low == value == high):
        text += f" [{_short(low)}-{_short(high)}]"
    origin = origin_text(matrix, r, j)
    return text if origin == "measured" else f"{text} ({origin})"


def constraints_table(run: SelectionRun) -> Table:
    """Per constraint: threshold in the canonical unit, how many candidates meet, fail or lack
    data, and the reason the requirement gives."""
    counts = run.selection.counts()
    body = []
    for index, constraint in enumerate(run.requirement.constraints):
        unit = run.matrix.units[run.matrix.column(constraint.property)]
        met, if_predicted, no_data, failed = (int(x) for x in counts[index])
        body.append((constraint.property, constraint.operator,
                     round(float(run.criteria.threshold[index]), 6), unit,
                     f"{constraint.value:g} {constraint.unit}", met, if_predicted, no_data,
                     failed, constraint.reason))
    nowhere = sorted({row[0] for row in body if row[7] == len(run.matrix)})
    notes: tuple[str, ...] = (STATE_NOTE,)
    if nowhere:
        notes += (f"no candidate in the database has {', '.join(nowhere)}: these constraints "
                  "cannot be verified from the database (ask the supplier or test)",)
    return Table(f"constraints of {run.requirement.name}",
                 ("property", "operator", "threshold", "unit", "as given", "meet",
                  "meet if predictions hold", "no data", "fail", "reason"), tuple(body),
                 notes=notes)


def pareto_table(run: SelectionRun) -> Table:
    """The Pareto front (layer 1) on the objectives, best ranked first."""
    matrix, selection = run.matrix, run.selection
    objectives = [o.property for o in run.requirement.objectives]
    rank = selection.rank()
    front = [r for r in selection.order.tolist() if selection.layer[r] == 1]
    columns = ["rank", "material", "designations", "record", "status", "score"]
    for key in objectives:
        columns += [key, f"{key} origin"]
    body = []
    for r in front:
        row: list[Cell] = [int(rank[r]), matrix.name[r], matrix.designations[r],
                           matrix.record[r], STATUS[int(selection.status[r])],
                           round(float(selection.score[r]), 4)]
        for key in objectives:
            j = matrix.column(key)
            row += [_number(matrix.value[r, j]), origin_text(matrix, r, j)]
        body.append(tuple(row))
    senses = ", ".join(f"{o.sense} {o.property}" for o in run.requirement.objectives)
    units = {key: matrix.units[matrix.column(key)] for key in objectives}
    notes = ((f"non-dominated among the feasible candidates on: {senses}",) if objectives
             else ("no objectives: every feasible candidate is on the front",))
    if not body and selection.feasible.any():
        # feasible candidates exist but none has every objective: the front is empty for
        # want of objective data, not because the constraints exclude everything
        notes += (f"no candidate meeting the constraints has a value for every objective "
                  f"({senses}): no Pareto front",)
    elif not body:
        notes += ("no candidate meets every constraint, even if predictions hold: the "
                  "constraints table shows which ones fail or lack data",)
    return Table(f"Pareto front for {run.requirement.name} ({len(body)} candidates)",
                 tuple(columns), tuple(body), units=units, notes=notes)


def selection_tables(run: SelectionRun, top: int | None = None) -> list[Table]:
    """Ranked candidates (all, or the ``top``), the constraints summary and the Pareto front."""
    return [ranked_table(run, top), constraints_table(run), pareto_table(run)]


def status_counts(run: SelectionRun) -> dict[str, int]:
    """How many candidates have each status."""
    codes = np.bincount(run.selection.status, minlength=len(STATUS))
    return {label: int(count) for label, count in zip(STATUS, codes, strict=True)}

