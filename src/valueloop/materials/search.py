"""Search the materials database by designation, element ranges and property ranges.

A condition reads ``NAME OP NUMBER [UNIT]``: ``conductivity_iacs>=80``, ``Cr<=1.2`` (an element,
in wt%), ``tensile_strength>=600 MPa``. The threshold is converted once to each unit the
database stores that property in (pint), then compared with numpy over all rows at once.
Comparisons are conservative on ranges: ``>=`` uses a row's lower bound (value, else min,
else max), ``<=`` its upper bound. Property conditions must hold on the same record (temper or
experimental condition); a record marked ``general`` (a value for every temper) counts for
every record of its material. An element a material does not list counts as 0 wt%.
"""

from __future__ import annotations

import operator
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from valueloop.core.db import Database
from valueloop.core.errors import DimensionError, OptionError
from valueloop.core.tables import Table
from valueloop.core.units import convert_value

ALIASES = {"conductivity_iacs": "electrical_conductivity",
           "conductivity": "electrical_conductivity", "uts": "tensile_strength",
           "ys": "yield_strength", "hv": "hardness",
           "kappa": "thermal_conductivity"}
DEFAULT_UNITS = {"electrical_conductivity": "%IACS", "thermal_conductivity": "W/(m K)",
                 "tensile_strength": "MPa", "yield_strength": "MPa", "hardness": "HV",
                 "density": "g/cm3", "CTE": "1e-6/K", "elastic_modulus": "GPa",
                 "resistivity": "uOhm cm", "softening_temperature": "C"}
"""The unit of a threshold given without one (the unit the shipped data use)."""
_PINT = {"%IACS": (1.0, "percent * IACS"), "1e-6/K": (1e-6, "1/K"),
         "uOhm cm": (1.0, "microohm * cm"), "g/cm3": (1.0, "g/cm**3"), "C": (1.0, "degC"),
         "W/(m K)": (1.0, "W/(m*K)")}
"""Unit spellings of the data files that pint reads differently or not at all."""
_NON_PINT = frozenset({"HV"})
_OPS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "=": operator.eq,
    "==": operator.eq}
_CONDITION = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|==|=|>|<)\s*"
                        r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")
_ELEMENT = re.compile(r"^[A-Z][a-z]?$")
COLUMNS = ("material", "designations", "record", "property", "value", "min", "max", "unit",
           "basis", "origin", "test_method", "source", "source_url")


@dataclass(frozen=True)
class Condition:
    """One parsed ``--where`` condition."""

    name: str
    op: str
    threshold: float
    unit: str
    element: bool


def parse_condition(text: str) -> Condition:
    """Parse ``NAME OP NUMBER [UNIT]``; raises :class:`OptionError` naming ``--where``."""
    match = _CONDITION.match(text)
    if match is None:
        raise OptionError(f"cannot read condition {text!r}", item="--where",
                          allowed="NAME OP NUMBER [UNIT] with OP one of >= <= > < =, e.g. "
                                  "'conductivity_iacs>=80', 'Cr<=1.2', 'tensile_strength>=600 MPa'")
    name, op, number, unit = match.groups()
    if _ELEMENT.match(name):
        if unit not in ("", "wt%"):
            raise OptionError(f"element {name} is compared in wt%, not {unit!r}",
                              item="--where", allowed="wt% or no unit")
        return Condition(name, op, float(number), "wt%", True)
    name = ALIASES.get(name, name)
    unit = unit or DEFAULT_UNITS.get(name, "")
    if not unit:
        raise OptionError(f"property {name!r} needs a unit in {text!r}", item="--where",
                          allowed="a unit after the number, e.g. 'MPa'")
    return Condition(name, op, float(number), unit, False)


def threshold_in(condition: Condition, unit: str) -> float:
    """The condition's threshold expressed in ``unit`` (a stored unit of the property)."""
    if unit == condition.unit:
        return condition.threshold
    if unit in _NON_PINT or condition.unit in _NON_PINT:
        raise DimensionError(f"{condition.name} is stored in {unit}, which cannot be converted "
                             f"from {condition.unit}", item="--where", allowed=unit)
    scale_from, pint_from = _PINT.get(condition.unit, (1.0, condition.unit))
    scale_to, pint_to = _PINT.get(unit, (1.0, unit))
    converted = convert_value(condition.threshold * scale_from, pint_from, pint_to,
                              item="--where")
    return converted / scale_to


def _bounds(rows: Sequence[tuple]) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bound of each (value, min, max) row, NaN when none."""
    array = np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)
    value, low, high = array[:, 0], array[:, 1], array[:, 2]
    lower = np.where(np.isnan(value), np.where(np.isnan(low), high, low), value)
    upper = np.where(np.isnan(value), np.where(np.isnan(high), low, high), value)
    return lower, upper


def _passes(condition: Condition, lower: np.ndarray, upper: np.ndarray,
            threshold: float) -> np.ndarray:
    bound = upper if condition.op in ("<=", "<") else lower
    with np.errstate(invalid="ignore"):
        return _OPS[condition.op](bound, threshold) & ~np.isnan(bound)


def _element_ok(database: Database, condition: Condition, candidates: set[int]) -> set[int]:
    rows = database.query("SELECT material_id, nominal_wt, min_wt, max_wt "
                          "FROM vl_material_composition WHERE element = ?", (condition.name,))
    listed = {r[0] for r in rows}
    ok = set()
    if rows:
        lower, upper = _bounds([r[1:] for r in rows])
        passed = _passes(condition, lower, upper, condition.threshold)
        ok = {r[0] for r, p in zip(rows, passed, strict=True) if p}
    if _OPS[condition.op](np.array([0.0]), condition.threshold)[0]:
        ok |= candidates - listed  # absent element: 0 wt%
    return ok & candidates


def _records_ok(database: Database, condition: Condition,
                records_of: dict[int, list[int]]) -> set[int]:
    rows = database.query(
        "SELECT r.material_id, r.id, r.general, p.unit, p.value, p.value_min, p.value_max "
        "FROM vl_material_property p JOIN vl_material_record r ON r.id = p.record_id "
        "WHERE p.name = ?", (condition.name,))
    by_unit: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        by_unit[row[3]].append(row)
    ok: set[int] = set()
    for unit, unit_rows in by_unit.items():
        threshold = threshold_in(condition, unit)  # pint once per stored unit
        lower, upper = _bounds([r[4:] for r in unit_rows])
        for row, passed in zip(unit_rows, _passes(condition, lower, upper, threshold),
                               strict=True):
            if passed:
                ok.update(records_of.get(row[0], []) if row[2] else [row[1]])
    return ok


def search(database: Database, conditions: Sequence[Condition] = (),
           designation: str | None = None) -> Table:
    """Properties of the records that satisfy every condition, with sources and origin.

    Parameters
    ----------
    database
        A database holding a :class:`~valueloop.materials.store.MaterialStore`.
    conditions
        Parsed conditions (:func:`parse_condition`); all must hold.
    designation
        Keep only materials with this code in any designation system (or this key or name).
    """
    materials = {r[0]: r[1:] for r in database.query("SELECT id, key, name FROM vl_material")}
    candidates = set(materials)
    if designation is not None:
        text = designation.strip().lower()
        candidates &= {r[0] for r in database.query(
            "SELECT material_id FROM vl_material_designation WHERE lower(code) = ? UNION "
            "SELECT id FROM vl_material WHERE lower(key) = ? OR lower(name) = ?",
            (text, text, text))}
    for condition in (c for c in conditions if c.element):
        candidates = _element_ok(database, condition, candidates)
    records_of: dict[int, list[int]] = defaultdict(list)
    general: dict[int, list[int]] = defaultdict(list)
    for material_id, record_id, is_general in database.query(
            "SELECT material_id, id, general FROM vl_material_record ORDER BY material_id, seq"):
        if material_id in candidates:
            records_of[material_id].append(record_id)
            if is_general:
                general[material_id].append(record_id)
    chosen = {r for ids in records_of.values() for r in ids}
    for condition in (c for c in conditions if not c.element):
        chosen &= _records_ok(database, condition, records_of)
    # show the general records of each matching material with its matching records
    material_of = {r: m for m, ids in records_of.items() for r in ids}
    chosen |= {g for m in {material_of[r] for r in chosen} for g in general[m]}
    return _table(database, chosen, conditions)


def _table(database: Database, chosen: set[int], conditions: Sequence[Condition]) -> Table:
    designations: dict[int, list[str]] = defaultdict(list)
    for material_id, system, code in database.query(
            "SELECT material_id, system, code FROM vl_material_designation "
            "ORDER BY material_id, system"):
        designations[material_id].append(f"{system} {code}")
    rows = database.query(
        "SELECT r.id, m.id, m.key, r.label, p.name, p.value, p.value_min, p.value_max, p.unit, "
        "p.basis, p.origin, p.test_method, p.source, p.source_url FROM vl_material_property p "
        "JOIN vl_material_record r ON r.id = p.record_id "
        "JOIN vl_material m ON m.id = r.material_id ORDER BY m.key, r.seq, p.seq")
    body = tuple((row[2], "; ".join(designations[row[1]]), *row[3:])
                 for row in rows if row[0] in chosen)
    where = " and ".join(f"{c.name}{c.op}{c.threshold:g} {c.unit}" for c in conditions)
    return Table("materials" + (f" where {where}" if where else ""), COLUMNS, body,
                 notes=(f"{len({r[0] for r in body})} materials, {len(body)} property rows",))
