"""The numeric core of materials selection: arrays in, arrays out.

Candidates are rows and properties columns of ``(n, p)`` arrays: a representative ``value``
(NaN where missing), conservative ``lower`` and ``upper`` bounds (``±inf`` where open), a
``predicted`` mask and the predictions' ``in_domain`` flag. :class:`Criteria` holds the
constraints (column, ``>=`` or ``<=``, threshold in the column's unit) and objectives (column,
max or min, weight) as arrays. :func:`select` judges every candidate against every constraint
at once and ranks them.

State of a candidate on one constraint (``>=``; ``<=`` mirrors it):

* **met** (:data:`MET`): the conservative end (``lower``) reaches the threshold, and the
  value is measured or derived, or predicted inside the model's domain (then ``lower`` is the
  low end of its 90 % interval);
* **met if predictions hold** (:data:`MET_IF_PREDICTED`): a predicted point value reaches the
  threshold but its interval does not, or the prediction is outside the model's domain, where
  its interval is not calibrated;
* **no data** (:data:`NO_DATA`): the value is missing, or a measured bound is open on the
  side that matters (a "minimum" value against a ``<=`` constraint) while its other end does
  not fail;
* **fails** (:data:`FAILED`): anything else. A measured range that straddles the threshold
  fails, as in :mod:`valueloop.materials.search`: its conservative end does not reach it.

A candidate's status is its worst state over the constraints in the order above (fails, then
no data, then met if predictions hold), so "meets" means every constraint is met.

Ranking. Feasible candidates (meets, or meets if predictions hold) whose objectives are all
known come first, by Pareto layer (1 = the non-dominated front, 2 = the front once layer 1 is
removed, ...), then by score; then feasible candidates with an unknown objective, by score;
then "no data" candidates by score; then failing candidates by the number of constraints they
fail, then score. The score is the weighted mean of the objectives, each normalised to 0..1
over the feasible candidates that have it (over all candidates that have it when none is
feasible), 1 the best; a missing objective scores 0.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MET, MET_IF_PREDICTED, NO_DATA, FAILED = 0, 1, 2, 3
STATUS: tuple[str, ...] = ("meets", "meets if predictions hold", "no data", "fails")
"""Status (and per-constraint state) labels, indexed by the codes above."""


@dataclass(frozen=True)
class Criteria:
    """Constraints and objectives over the columns of a candidate matrix.

    Parameters
    ----------
    constraint_column, at_least, threshold
        Per constraint: column index, ``True`` for ``>=`` (``False`` for ``<=``), threshold
        in the column's unit.
    objective_column, maximise, weight
        Per objective: column index, ``True`` to maximise, positive weight of the score.
    """

    constraint_column: np.ndarray
    at_least: np.ndarray
    threshold: np.ndarray
    objective_column: np.ndarray
    maximise: np.ndarray
    weight: np.ndarray

    @classmethod
    def of(cls, constraints: Sequence[tuple[int, bool, float]] = (),
           objectives: Sequence[tuple[int, bool, float]] = ()) -> Criteria:
        """From ``(column, at_least, threshold)`` and ``(column, maximise, weight)`` tuples."""
        c = list(zip(*constraints, strict=True)) or [(), (), ()]
        o = list(zip(*objectives, strict=True)) or [(), (), ()]
        return cls(np.asarray(c[0], dtype=np.intp), np.asarray(c[1], dtype=bool),
                   np.asarray(c[2], dtype=float), np.asarray(o[0], dtype=np.intp),
                   np.asarray(o[1], dtype=bool), np.asarray(o[2], dtype=float))


@dataclass(frozen=True)
class Selection:
    """Per-constraint states and margins, statuses, Pareto layers, scores and the ranking."""

    state: np.ndarray
    """``(n, c)`` state codes (:data:`MET` ... :data:`FAILED`)."""
    margin: np.ndarray
    """``(n, c)`` conservative end minus threshold, signed so that ≥ 0 meets (``>=``) and
    ≤-constraints alike, in the column's unit; NaN where missing, ±inf where open."""
    status: np.ndarray
    """``(n,)`` status codes: the worst state of each candidate."""
    feasible: np.ndarray
    """``(n,)`` meets, or meets if predictions hold."""
    layer: np.ndarray
    """``(n,)`` Pareto layer (1 = front) among feasible candidates with known objectives;
    0 for the others."""
    score: np.ndarray
    """``(n,)`` weighted normalised objective score, 0..1 (1 best)."""
    order: np.ndarray
    """Candidate indices, best first."""

    @property
    def pareto(self) -> np.ndarray:
        """``(n,)`` mask of the Pareto front."""
        return self.layer == 1

    def rank(self) -> np.ndarray:
        """``(n,)`` 1-based rank of every candidate."""
        rank = np.empty(len(self.order), dtype=np.intp)
        rank[self.order] = np.arange(1, len(self.order) + 1)
        return rank

    def counts(self) -> np.ndarray:
        """``(c, 4)`` number of candidates per constraint in each state."""
        return np.stack([np.count_nonzero(self.state == s, axis=0) for s in range(4)], axis=1)


def constraint_states(value: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                      predicted: np.ndarray, in_domain: np.ndarray,
                      criteria: Criteria) -> tuple[np.ndarray, np.ndarray]:
    """``(state, margin)`` of every candidate on every constraint (module docstring).

    All inputs are ``(n, p)``; outputs are ``(n, c)``, column-major. A constraint touches one
    column, so the work is whole-column operations, one constraint at a time; pass
    column-major (Fortran-ordered) inputs, as :class:`~valueloop.materials.candidates.
    CandidateMatrix` holds them, or each column is read with a stride.
    """
    n, c = value.shape[0], len(criteria.constraint_column)
    state = np.empty((n, c), dtype=np.int8, order="F")
    margin = np.empty((n, c), order="F")
    for j, (column, at_least, t) in enumerate(zip(criteria.constraint_column.tolist(),
                                                  criteria.at_least.tolist(),
                                                  criteria.threshold.tolist(), strict=True)):
        point, guessed = value[:, column], predicted[:, column]
        with np.errstate(invalid="ignore"):
            if at_least:
                end = lower[:, column]
                np.subtract(end, t, out=margin[:, j])
                point_ok, optimistic_fails = point >= t, upper[:, column] < t
            else:
                end = upper[:, column]
                np.subtract(t, end, out=margin[:, j])
                point_ok, optimistic_fails = point <= t, lower[:, column] > t
            conservative = margin[:, j] >= 0.0
        missing = np.isnan(point)
        met = conservative & ~missing & (~guessed | in_domain[:, column])
        # NaN compares False, so a missing value is never met-if-predicted either
        if_predicted = guessed & point_ok & ~met
        no_data = missing | (~guessed & ~conservative & np.isinf(end) & ~optimistic_fails)
        # the three masks are disjoint: FAILED (3) minus 3, 2 or 1 gives the state
        np.subtract(FAILED, 3 * met.view(np.int8), out=state[:, j])
        state[:, j] -= 2 * if_predicted.view(np.int8)
        state[:, j] -= no_data.view(np.int8)
    return state, margin


def select(value: np.ndarray, lower: np.ndarray, upper: np.ndarray, predicted: np.ndarray,
           in_domain: np.ndarray, criteria: Criteria) -> Selection:
    """Judge, sort into Pareto layers and rank every candidate (module docstring).

    Parameters
    ----------
    value, lower, upper
        ``(n, p)`` representative values and conservative bounds (NaN = missing).
    predicted, in_domain
        ``(n, p)`` masks: cell is a model prediction; prediction inside the model's domain.
    criteria
        Constraints and objectives over the ``p`` columns.
    """
    arrays = [np.asfortranarray(a) for a in (value, lower, upper, predicted, in_domain)]
    value = arrays[0]
    n = value.shape[0]
    state, margin = constraint_states(*arrays, criteria=criteria)
    status = np.zeros(n, dtype=np.int8)
    failed = np.zeros(n, dtype=np.intp)
    for j in range(state.shape[1]):  # column by column: rows are strided in column-major
        np.maximum(status, state[:, j], out=status)
        failed += state[:, j] == FAILED
    feasible = status <= MET_IF_PREDICTED
    objectives = value[:, criteria.objective_column]
    known = ~np.isnan(objectives).any(axis=1)
    layered = np.flatnonzero(feasible & known)
    layer = np.zeros(n, dtype=np.intp)
    if layered.size:
        # minimise everything: negate the objectives to maximise
        points = np.where(criteria.maximise, -objectives[layered], objectives[layered])
        layer[layered] = pareto_layers(points)
    score = weighted_score(objectives, criteria.maximise, criteria.weight, feasible)
    # one small integer for (group, layer or failed count): feasible with known objectives by
    # layer, then feasible with an unknown objective, then no data, then fails by count
    last = int(layer.max(initial=0))
    primary = np.where(layer > 0, layer, np.where(feasible, last + 1, np.where(
        status == NO_DATA, last + 2, last + 3 + failed)))
    return Selection(state, margin, status, feasible, layer, score, ranking(primary, score))


def ranking(primary: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Indices sorted by ``primary`` ascending, then ``score`` descending, then index.

    The three are packed into one distinct int64 key per row, so one unstable sort gives the
    order of a stable lexicographic sort, several times faster. Scores are quantised to the
    bits left over (20 to 52): scores closer than that resolution tie and keep candidate
    order. Too many rows for 20 bits fall back to :func:`numpy.lexsort`.
    """
    n = len(score)
    index_bits = max(n - 1, 1).bit_length()
    primary_bits = max(int(primary.max(initial=0)), 1).bit_length()
    # at most 52 bits, so that the float product below is exact
    score_bits = min(62 - index_bits - primary_bits, 52)
    if n == 0 or score_bits < 20:
        return np.lexsort((-score, primary))
    quantised = np.rint((1.0 - score) * ((1 << score_bits) - 1)).astype(np.int64)
    key = (primary.astype(np.int64) << (score_bits + index_bits)) \
        | (quantised << index_bits) | np.arange(n, dtype=np.int64)
    return np.argsort(key)


def weighted_score(objectives: np.ndarray, maximise: np.ndarray, weight: np.ndarray,
                   reference: np.ndarray) -> np.ndarray:
    """Weighted mean of the objectives normalised to 0..1 (1 best) over ``reference`` rows.

    A column is normalised by its range over the ``reference`` rows that have it, or over all
    rows that have it when none does; values outside that range are clipped to 0..1, a
    constant column scores 1, a missing value 0.
    """
    n, k = objectives.shape
    if k == 0:
        return np.zeros(n)
    known = ~np.isnan(objectives)
    basis = known & reference[:, None]
    basis = np.where(basis.any(axis=0), basis, known)  # per column fallback to all rows
    low = np.where(basis, objectives, np.inf).min(axis=0)
    high = np.where(basis, objectives, -np.inf).max(axis=0)
    span = high - low
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.where(span > 0, (objectives - low) / span, 1.0)
    scaled = np.where(maximise, scaled, 1.0 - scaled)
    scaled = np.where(known, np.clip(scaled, 0.0, 1.0), 0.0)
    return scaled @ weight / weight.sum()


# --- Pareto front and layers ---------------------------------------------------------------------

def pareto_front(points: np.ndarray) -> np.ndarray:
    """Mask of the non-dominated rows of ``points`` (every column minimised).

    Row ``a`` dominates row ``b`` when it is no worse in every column and better in one;
    identical rows do not dominate each other. Two columns: one lexicographic sort and a
    running minimum, O(n log n). More columns: see :func:`_front_cull`.
    """
    points = np.asarray(points, dtype=float)
    n, k = points.shape
    if n == 0 or k == 0:
        return np.ones(n, dtype=bool)
    unique, inverse = np.unique(points, axis=0, return_inverse=True)
    return _front_unique(unique)[inverse.reshape(-1)]


def _front_unique(unique: np.ndarray) -> np.ndarray:
    """Front of distinct rows sorted lexicographically (as :func:`numpy.unique` leaves them)."""
    k = unique.shape[1]
    if k == 1:
        return np.arange(len(unique)) == 0
    if k == 2:
        # a dominator sorts before its victims, and a distinct row is dominated exactly when
        # an earlier row is no worse in the second column
        second = unique[:, 1]
        best_before = np.concatenate(([np.inf], np.minimum.accumulate(second)[:-1]))
        return second < best_before
    return _front_cull(unique)


_BLOCK = 32  # eliminators compared at once: bounds memory at 32 x n x k booleans


def _front_cull(unique: np.ndarray) -> np.ndarray:
    """Front of distinct rows by elimination, O(n·f) comparisons for a front of f rows.

    Rows are visited in order of the sum of their min-max-normalised columns (a minimiser of
    a positive weighted sum is never dominated, so strong eliminators come first); each block
    of visited rows removes every standing row one of them dominates. A removed row's
    dominator, or that one's, is never removed and is visited in turn, so exactly the
    dominated rows go.
    """
    low, high = unique.min(axis=0), unique.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    index = np.argsort(((unique - low) / span).sum(axis=1), kind="stable")
    # one contiguous array per column: outer comparisons per column are much faster than a
    # reduction over a short last axis
    columns = [np.ascontiguousarray(unique[index, j]) for j in range(unique.shape[1])]
    i = 0
    while i < len(index):
        size = min(_BLOCK, len(index) - i)
        no_worse = np.less_equal.outer(columns[0][i:i + size], columns[0])
        for column in columns[1:]:
            no_worse &= np.less_equal.outer(column[i:i + size], column)
        no_worse[np.arange(size), i + np.arange(size)] = False  # rows are distinct: not self
        keep = ~no_worse.any(axis=0)
        i = int(np.count_nonzero(keep[:i + size]))
        index = index[keep]
        columns = [column[keep] for column in columns]
    mask = np.zeros(len(unique), dtype=bool)
    mask[index] = True
    return mask


def pareto_layers(points: np.ndarray) -> np.ndarray:
    """Non-dominated sorting: the 1-based Pareto layer of every row (all columns minimised).

    Layer 1 is :func:`pareto_front`; layer L is the front of what remains without layers
    1..L-1. Two columns use an O(n log n) sweep over lexicographically sorted rows, putting
    each row in the first layer whose last row does not dominate it (a binary search on the
    layers' last second-column values, which increase with the layer).
    """
    points = np.asarray(points, dtype=float)
    n, k = points.shape
    if n == 0 or k == 0:
        return np.ones(n, dtype=np.intp)
    unique, inverse = np.unique(points, axis=0, return_inverse=True)
    if k == 2:
        layers = _layers_2d(unique)
    else:
        layers = np.zeros(len(unique), dtype=np.intp)
        remaining = np.arange(len(unique))
        current = 1
        while remaining.size:
            front = _front_unique(unique[remaining])  # a subset of sorted rows stays sorted
            layers[remaining[front]] = current
            remaining = remaining[~front]
            current += 1
    return layers[inverse.reshape(-1)]


def _layers_2d(unique: np.ndarray) -> np.ndarray:
    tails: list[float] = []
    out = np.empty(len(unique), dtype=np.intp)
    for i, second in enumerate(unique[:, 1].tolist()):
        # first layer whose last row has a strictly larger second column (does not dominate)
        position = bisect_right(tails, second)
        if position == len(tails):
            tails.append(second)
        else:
            tails[position] = second
        out[i] = position + 1
    return out
