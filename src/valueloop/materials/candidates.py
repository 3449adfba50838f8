"""The candidate matrix of a selection: one row per record, one column per property key.

A candidate is one record of the materials database: a temper of a grade or an experimental
condition of an alloy. A record marked ``general`` (a value stated for every temper, see
:mod:`valueloop.materials.search`) is merged into every other record of its material; a
material that has only general records is one candidate. When a record holds a property
itself, its own value wins over the general one; when a record (or the general records) hold
several rows of one property, the first stored row wins.

Columns are property keys of :data:`~valueloop.materials.requirement.PROPERTY_KEYS`, each in
its canonical unit. Stored values are converted once per stored unit (the conversion of
:func:`~valueloop.materials.search.threshold_in`, applied as an affine map to whole arrays).

Each cell carries a representative value, conservative lower and upper bounds, an origin and
its source text (and URL where stored):

* **measured**: a stored value (one stored as predicted keeps that origin; its domain is not
  known, so it is not flagged). A range gives its min and max as bounds and its midpoint as
  the value (unless a value is stated too); a value whose basis is a minimum (maximum) is a
  lower (upper) bound with the other end open (infinite); any other single value (typical,
  nominal) is its own lower and upper bound.
* **derived**: thermal conductivity from a measured electrical conductivity by
  Wiedemann-Franz, κ = L₀σT at 20 °C (:data:`~valueloop.materials.physics.IACS_TEMPERATURE_K`,
  :func:`physics.thermal_from_electrical`). Alloys add a lattice part and L deviates from L₀,
  so the bounds use the range of effective Lorenz numbers seen in the grade reference data,
  :data:`LORENZ_RANGE`.
* **predicted**: electrical conductivity, hardness, yield strength and UTS from the property
  models (:mod:`valueloop.materials.property_models`) for records whose material has a
  nominal composition and whose processing fits the Gorsse et al. 2023 layout; the 90 %
  interval is the bounds, and ``in_domain`` keeps the models' applicability flag. Grades in
  the shipped data have no composition, so nothing is predicted for them. A thermal
  conductivity derived from a predicted electrical conductivity is itself predicted.

Measured values always win: a prediction or derivation only fills a cell that is missing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from valueloop.core.db import Database
from valueloop.core.errors import UnknownParameterError, UserInputError
from valueloop.materials import physics
from valueloop.materials.gorsse_layout import INPUT_COLUMNS, layout_cells
from valueloop.materials.model import CompositionEntry, ProcessingStep
from valueloop.materials.properties import read_rows
from valueloop.materials.property_models import PropertyModel
from valueloop.materials.requirement import PROPERTY_KEYS
from valueloop.materials.search import Condition, threshold_in
from valueloop.materials.store import MaterialStore

ORIGINS: tuple[str, ...] = ("missing", "measured", "derived", "predicted")
"""Origin labels, indexed by the codes below."""
MISSING, MEASURED, DERIVED, PREDICTED = 0, 1, 2, 3

LORENZ_RANGE = (2.2e-8, 3.1e-8)
"""Effective Lorenz numbers κ/(σT) of the grade reference data, W·Ω/K² (materials.md §5.4:
2.2-2.5e-8 for high-copper grades, 2.7-3.1e-8 for low-conductivity alloys)."""
THERMAL, ELECTRICAL = "thermal_conductivity", "electrical_conductivity_iacs"
IMPORT_HINT = "import some first: valueloop materials import --grades --gorsse-shipped"


class NoMaterialsError(UserInputError):
    """A selection on a database that holds no materials."""


@dataclass(frozen=True)
class CandidateMatrix:
    """Candidates (rows) by property keys (columns), with bounds, origin and sources.

    Arrays are ``(n_candidates, n_keys)``; ``value`` is NaN where ``origin`` is
    :data:`MISSING`, ``lower``/``upper`` may be ``-inf``/``+inf`` where a bound is open.
    """

    keys: tuple[str, ...]
    units: tuple[str, ...]
    material: tuple[str, ...]
    """Material key per candidate (``grade:C17200``, ``gorsse:Cu-0.3Cr``)."""
    name: tuple[str, ...]
    designations: tuple[str, ...]
    record: tuple[str, ...]
    """Record label (temper or experimental condition) per candidate."""
    kind: tuple[str, ...]
    """``grade`` or ``alloy`` per candidate."""
    value: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    origin: np.ndarray
    """Origin code per cell (index into :data:`ORIGINS`)."""
    in_domain: np.ndarray
    """False where a prediction lies outside the models' applicability domain."""
    source: np.ndarray
    """Source text per cell (object array; ``None`` where missing)."""
    source_url: np.ndarray
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.material)

    def column(self, key: str) -> int:
        """Index of property ``key``; raises :class:`UnknownParameterError` when absent."""
        if key not in self.keys:
            raise UnknownParameterError(f"property {key!r} is not a column of the candidates",
                                        item=key, allowed=", ".join(self.keys))
        return self.keys.index(key)

    @property
    def predicted(self) -> np.ndarray:
        """Boolean mask of predicted cells."""
        return self.origin == PREDICTED


@dataclass
class _Cells:
    """Mutable working arrays while the matrix is filled (never leaves this module)."""

    value: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    origin: np.ndarray
    in_domain: np.ndarray
    source: np.ndarray
    url: np.ndarray

    @classmethod
    def empty(cls, n: int, p: int) -> _Cells:
        return cls(np.full((n, p), np.nan), np.full((n, p), np.nan), np.full((n, p), np.nan),
                   np.zeros((n, p), dtype=np.int8), np.ones((n, p), dtype=bool),
                   np.full((n, p), None, dtype=object), np.full((n, p), None, dtype=object))


@dataclass(frozen=True)
class _Candidate:
    material_id: int
    record_id: int | None
    """The candidate's own (non-general) record; ``None`` for a general-only material."""
    records: tuple[int, ...]
    """Records to read, in priority order: own record first, then general records."""
    label: str


def require_materials(database: Database) -> int:
    """Number of materials stored; :class:`NoMaterialsError` when there are none."""
    count = MaterialStore(database).count()  # the store creates the tables of an empty database
    if count == 0:
        raise NoMaterialsError(
            "the database holds no materials", item="--db",
            allowed=IMPORT_HINT)
    return count


def build_candidates(database: Database, keys: Sequence[str],
                     models: Mapping[str, PropertyModel] | None = None) -> CandidateMatrix:
    """Read every record of the materials database into a :class:`CandidateMatrix`.

    Parameters
    ----------
    database
        A database holding a :class:`~valueloop.materials.store.MaterialStore`.
    keys
        Property keys (:data:`PROPERTY_KEYS`) to use as columns, in order.
    models
        Property models by name (:func:`property_models.train_models`); ``None`` predicts
        nothing.

    Raises
    ------
    NoMaterialsError
        When the database holds no materials.
    UnknownParameterError
        For a key that is not a property key.
    """
    keys = tuple(dict.fromkeys(keys))
    for key in keys:
        if key not in PROPERTY_KEYS:
            raise UnknownParameterError(f"unknown property {key!r}", item="keys",
                                        allowed=", ".join(PROPERTY_KEYS))
    require_materials(database)
    # electrical conductivity is read even when not asked for: κ is derived from it
    work = keys + ((ELECTRICAL,) if THERMAL in keys and ELECTRICAL not in keys else ())
    materials = {r[0]: r[1:] for r in database.query(
        "SELECT id, key, name, kind FROM vl_material")}
    candidates = _candidates(database, materials)
    cells = _Cells.empty(len(candidates), len(work))
    notes = _measured(database, candidates, work, cells)
    if models:
        notes += _predicted(database, candidates, work, cells, models)
    if THERMAL in work:
        notes += _derived(work, cells)
    take = [work.index(k) for k in keys]
    names = _designations(database)
    return CandidateMatrix(
        keys=keys, units=tuple(PROPERTY_KEYS[k].unit for k in keys),
        material=tuple(materials[c.material_id][0] for c in candidates),
        name=tuple(materials[c.material_id][1] for c in candidates),
        designations=tuple(names.get(c.material_id, "") for c in candidates),
        record=tuple(c.label for c in candidates),
        kind=tuple(materials[c.material_id][2] for c in candidates),
        # column-major: the selection core works one column at a time
        value=np.asfortranarray(cells.value[:, take]),
        lower=np.asfortranarray(cells.lower[:, take]),
        upper=np.asfortranarray(cells.upper[:, take]),
        origin=np.asfortranarray(cells.origin[:, take]),
        in_domain=np.asfortranarray(cells.in_domain[:, take]),
        source=cells.source[:, take], source_url=cells.url[:, take],
        notes=(f"{len(candidates)} candidates (records) of {len(materials)} materials",
               *notes))


def _candidates(database: Database, materials: Mapping[int, tuple[Any, ...]]
                ) -> list[_Candidate]:
    own: dict[int, list[tuple[int, str]]] = defaultdict(list)
    general: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for material_id, record_id, label, is_general in database.query(
            "SELECT material_id, id, label, general FROM vl_material_record "
            "ORDER BY material_id, seq"):
        (general if is_general else own)[material_id].append((record_id, label))
    out: list[_Candidate] = []
    for material_id in sorted(materials, key=lambda m: materials[m][0]):
        shared = tuple(r for r, _ in general[material_id])
        if own[material_id]:
            out += [_Candidate(material_id, r, (r, *shared), label)
                    for r, label in own[material_id]]
        elif shared:
            out.append(_Candidate(material_id, None, shared,
                                  ", ".join(label for _, label in general[material_id])))
    return out


def _designations(database: Database) -> dict[int, str]:
    names: dict[int, list[str]] = defaultdict(list)
    for material_id, system, code in database.query(
            "SELECT material_id, system, code FROM vl_material_designation "
            "ORDER BY material_id, seq"):
        names[material_id].append(f"{system} {code}")
    return {m: "; ".join(codes) for m, codes in names.items()}


def unit_map(name: str, unit: str, canonical: str) -> tuple[float, float]:
    """``(offset, scale)`` with ``canonical = offset + scale * stored`` for a stored unit.

    Every unit conversion pint makes is affine, so two conversions of
    :func:`~valueloop.materials.search.threshold_in` fix it; raises a
    :class:`~valueloop.core.errors.UserInputError` when the units do not convert.
    """
    zero = threshold_in(Condition(name, ">=", 0.0, unit, element=False), canonical)
    one = threshold_in(Condition(name, ">=", 1.0, unit, element=False), canonical)
    return zero, one - zero


def _measured(database: Database, candidates: Sequence[_Candidate], keys: Sequence[str],
              cells: _Cells) -> tuple[str, ...]:
    stored = {PROPERTY_KEYS[k].stored_name: j for j, k in enumerate(keys)}
    marks = ", ".join("?" * len(stored))
    rows = database.query(
        "SELECT p.record_id, p.name, p.unit, p.value, p.value_min, p.value_max, p.basis, "
        "p.origin, p.source, p.source_url FROM vl_material_property p "
        f"WHERE p.name IN ({marks}) AND (p.value IS NOT NULL OR p.value_min IS NOT NULL "
        "OR p.value_max IS NOT NULL) ORDER BY p.record_id, p.seq", tuple(stored))
    if not rows:
        return ()
    numbers = np.array([[np.nan if x is None else x for x in r[3:6]] for r in rows],
                       dtype=float)
    basis = [(r[6] or "").lower() for r in rows]
    value, low, high = _converted(rows, numbers, keys, stored)
    skipped = np.isnan(value) & np.isnan(low) & np.isnan(high)
    lower, upper, representative = _bounds(value, low, high, basis)
    # first stored row of each (record, column) wins
    first: dict[tuple[int, int], int] = {}
    for i, row in enumerate(rows):
        if not skipped[i]:
            first.setdefault((row[0], stored[row[1]]), i)
    notes: list[str] = []
    for c, candidate in enumerate(candidates):
        for j in range(len(keys)):
            i = next((first[r, j] for r in candidate.records if (r, j) in first), None)
            if i is None:
                continue
            cells.value[c, j] = representative[i]
            cells.lower[c, j], cells.upper[c, j] = lower[i], upper[i]
            stored_prediction = rows[i][7] == "predicted"
            cells.origin[c, j] = PREDICTED if stored_prediction else MEASURED
            text = rows[i][8] + (f" ({rows[i][6]})" if rows[i][6] else "")
            cells.source[c, j] = ("stored prediction: " + text) if stored_prediction else text
            cells.url[c, j] = rows[i][9]
    if skipped.any():
        notes.append(f"{int(skipped.sum())} stored property rows skipped: their unit does not "
                     "convert to the canonical unit")
    return tuple(notes)


def _converted(rows: Sequence[tuple[Any, ...]], numbers: np.ndarray, keys: Sequence[str],
               stored: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Value, min and max of every row in its column's canonical unit (NaN if inconvertible)."""
    out = np.full_like(numbers, np.nan)
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        groups[row[1], row[2]].append(i)
    for (name, unit), members in groups.items():
        canonical = PROPERTY_KEYS[keys[stored[name]]].unit
        try:
            offset, scale = unit_map(name, unit, canonical)
        except UserInputError:
            continue  # counted as skipped by the caller
        index = np.asarray(members)
        block = offset + scale * numbers[index]
        if scale < 0:  # a decreasing conversion swaps min and max
            block = block[:, [0, 2, 1]]
        out[index] = block
    return out[:, 0], out[:, 1], out[:, 2]


def _bounds(value: np.ndarray, low: np.ndarray, high: np.ndarray, basis: Sequence[str]
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Conservative bounds and representative value of stored rows (module docstring)."""
    is_min = np.array(["minimum" in b for b in basis], dtype=bool)
    is_max = np.array(["maximum" in b for b in basis], dtype=bool)
    has_v, has_lo, has_hi = ~np.isnan(value), ~np.isnan(low), ~np.isnan(high)
    lower = np.where(has_lo, low, np.where(has_v & ~is_max, value, -np.inf))
    upper = np.where(has_hi, high, np.where(has_v & ~is_min, value, np.inf))
    middle = np.where(has_lo & has_hi, 0.5 * (low + high), np.where(has_lo, low, high))
    return lower, upper, np.where(has_v, value, middle)


def _derived(keys: Sequence[str], cells: _Cells) -> tuple[str, ...]:
    """Fill missing thermal conductivity by Wiedemann-Franz from electrical conductivity."""
    k, e = keys.index(THERMAL), keys.index(ELECTRICAL)
    fill = (cells.origin[:, k] == MISSING) & (cells.origin[:, e] != MISSING) \
        & (cells.value[:, e] > 0)
    if not fill.any():
        return ()
    rows = np.flatnonzero(fill)
    sigma = physics.iacs_to_conductivity(cells.value[rows, e])
    cells.value[rows, k] = physics.thermal_from_electrical(sigma, physics.IACS_TEMPERATURE_K)
    # bounds: σ's bounds times the extreme effective Lorenz numbers (open ends stay open)
    per_iacs = physics.IACS_CONDUCTIVITY_S_PER_M / 100.0 * physics.IACS_TEMPERATURE_K
    low = cells.lower[rows, e]
    cells.lower[rows, k] = np.where(np.isfinite(low),
                                    LORENZ_RANGE[0] * per_iacs * np.maximum(low, 0.0), -np.inf)
    cells.upper[rows, k] = LORENZ_RANGE[1] * per_iacs * cells.upper[rows, e]
    from_prediction = cells.origin[rows, e] == PREDICTED
    cells.origin[rows, k] = np.where(from_prediction, PREDICTED, DERIVED)
    cells.in_domain[rows, k] = cells.in_domain[rows, e]
    method = (f"Wiedemann-Franz κ = L₀σT with L₀ = {physics.LORENZ_NUMBER:.3g} W·Ω/K² at "
              f"T = {physics.IACS_TEMPERATURE_K:g} K; bounds with L = {LORENZ_RANGE[0]:.2g} to "
              f"{LORENZ_RANGE[1]:.2g} W·Ω/K² (effective Lorenz numbers of the grade reference "
              "data, materials.md §5.4), from ")
    for r, predicted in zip(rows, from_prediction, strict=True):
        what = "predicted" if predicted else "measured"
        cells.source[r, k] = f"{method}{what} electrical conductivity ({cells.source[r, e]})"
        cells.url[r, k] = cells.url[r, e]
    derived = int((~from_prediction).sum())
    return (f"{derived} thermal conductivities derived by Wiedemann-Franz from measured "
            f"electrical conductivity, {len(rows) - derived} from predicted",)


def _predicted(database: Database, candidates: Sequence[_Candidate], keys: Sequence[str],
               cells: _Cells, models: Mapping[str, PropertyModel]) -> tuple[str, ...]:
    """Fill missing model-backed cells with predictions for candidates that allow them."""
    columns = {j: models[name] for j, k in enumerate(keys)
               if (name := PROPERTY_KEYS[k].model) is not None and name in models}
    wanted = [c for c, cand in enumerate(candidates) if cand.record_id is not None
              and any(cells.origin[c, j] == MISSING for j in columns)]
    if not wanted:
        return ()
    rows = _layout_rows(database, [candidates[c] for c in wanted])
    chosen = [c for c, row in zip(wanted, rows, strict=True) if row is not None]
    if not chosen:
        return ()
    raw = read_rows(INPUT_COLUMNS, [row for row in rows if row is not None]).raw
    index = np.asarray(chosen)
    filled = out_of_domain = 0
    for j, model in columns.items():
        missing = cells.origin[index, j] == MISSING
        if not missing.any():
            continue
        prediction = model.predict(raw[missing])
        target = index[missing]
        offset, scale = unit_map(PROPERTY_KEYS[keys[j]].stored_name, model.unit,
                                 PROPERTY_KEYS[keys[j]].unit)
        ends = np.sort(np.stack([offset + scale * prediction.lo,
                                 offset + scale * prediction.hi]), axis=0)
        cells.value[target, j] = offset + scale * prediction.pred
        cells.lower[target, j], cells.upper[target, j] = ends
        cells.origin[target, j] = PREDICTED
        cells.in_domain[target, j] = prediction.in_domain
        width = (f"±{model.half_width:.3g} {model.unit}" if model.method == "absolute"
                 else "scaled by the forest's spread for each record")
        text = (f"predicted by the {model.name} random-forest model (trained on "
                f"{model.n_train} records of Gorsse et al. 2023); 90 % split-conformal "
                f"interval ({model.method}: {width})")
        for r, inside in zip(target, prediction.in_domain, strict=True):
            cells.source[r, j] = text + ("" if inside else
                                         "; OUT OF THE MODEL'S DOMAIN: extrapolation")
        filled += len(target)
        out_of_domain += int((~prediction.in_domain).sum())
    return (f"{filled} missing values predicted for {len(chosen)} records with a nominal "
            f"composition and processing, {out_of_domain} of them outside the models' "
            "domain",)


def _layout_rows(database: Database, candidates: Sequence[_Candidate]
                 ) -> list[list[str] | None]:
    """Gorsse-layout cells (:data:`INPUT_COLUMNS`) per candidate, ``None`` where not predictable.

    The cells are those of :func:`~valueloop.materials.gorsse_layout.layout_cells`. A prediction
    further needs a stated alloy: a nominal content of every solute (a grade's min-max range is
    a specification window, not an alloy) and at least one processing step.
    """
    # validated model objects for the candidates' own rows only: the tables hold every record
    materials = {c.material_id for c in candidates}
    records = {c.record_id for c in candidates}
    compositions: dict[int, list[CompositionEntry]] = defaultdict(list)
    for material_id, element, low, high, nominal in database.query(
            "SELECT material_id, element, min_wt, max_wt, nominal_wt "
            "FROM vl_material_composition ORDER BY material_id, seq"):
        if material_id in materials:
            compositions[material_id].append(CompositionEntry(element=element, min=low,
                                                              max=high, nominal=nominal))
    steps: dict[int, list[ProcessingStep]] = defaultdict(list)
    for record_id, kind, temperature, time, reduction in database.query(
            "SELECT record_id, kind, temperature_k, time_h, reduction_pct "
            "FROM vl_material_processing ORDER BY record_id, step"):
        if record_id in records:
            steps[record_id].append(ProcessingStep(kind=kind, temperature_k=temperature,
                                                   time_h=time, reduction_pct=reduction))
    rows: list[list[str] | None] = []
    for candidate in candidates:
        composition = compositions.get(candidate.material_id, [])
        processing = steps.get(candidate.record_id or -1, [])
        solutes = [e for e in composition if e.element != "Cu"]
        cells = (layout_cells(composition, processing) if solutes and processing
                 and all(e.nominal is not None for e in solutes) else None)
        rows.append(None if cells is None else [cells[c] for c in INPUT_COLUMNS])
    return rows
