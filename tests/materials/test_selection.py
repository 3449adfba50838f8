"""The selection core on hand-made arrays: states, statuses, Pareto front and layers, ranking.

Oracles: brute-force dominance on small point sets (hypothesis), the status rules of the module
docstring case by case, and a plain sort by the documented ranking key.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from valueloop.materials.selection import (
    FAILED,
    MET,
    MET_IF_PREDICTED,
    NO_DATA,
    Criteria,
    pareto_front,
    pareto_layers,
    ranking,
    select,
    weighted_score,
)

INF = np.inf


def brute_front(points: np.ndarray) -> np.ndarray:
    n = len(points)
    return np.array([not any(np.all(points[j] <= points[i]) and np.any(points[j] < points[i])
                             for j in range(n)) for i in range(n)], dtype=bool)


def brute_layers(points: np.ndarray) -> np.ndarray:
    layer = np.zeros(len(points), dtype=int)
    remaining = np.arange(len(points))
    current = 1
    while remaining.size:
        front = brute_front(points[remaining])
        layer[remaining[front]] = current
        remaining = remaining[~front]
        current += 1
    return layer


# small integers make ties and duplicate rows common, where sweeps usually go wrong
point_sets = st.integers(1, 4).flatmap(lambda k: arrays(
    np.float64, st.tuples(st.integers(1, 40), st.just(k)),
    elements=st.integers(-3, 3).map(float)))


@settings(max_examples=300, deadline=None)
@given(point_sets)
def test_pareto_front_equals_brute_force(points: np.ndarray) -> None:
    assert np.array_equal(pareto_front(points), brute_front(points))


@settings(max_examples=300, deadline=None)
@given(point_sets)
def test_pareto_layers_equal_repeated_brute_force_fronts(points: np.ndarray) -> None:
    assert np.array_equal(pareto_layers(points), brute_layers(points))


def test_front_of_continuous_points_in_three_objectives() -> None:
    rng = np.random.default_rng(7)
    points = rng.normal(size=(400, 3))  # more rows than one elimination block
    assert np.array_equal(pareto_front(points), brute_front(points))


def _one_column(value: float, low: float, high: float, predicted: bool = False,
                in_domain: bool = True) -> tuple[np.ndarray, ...]:
    return (np.array([[value]]), np.array([[low]]), np.array([[high]]),
            np.array([[predicted]]), np.array([[in_domain]]))


@pytest.mark.parametrize(("cell", "at_least", "threshold", "state"), [
    (_one_column(100, 100, 100), True, 90, MET),             # typical value above
    (_one_column(100, 100, 100), True, 110, FAILED),         # typical value below
    (_one_column(100, 80, 120), True, 90, FAILED),           # range straddles: conservative
    (_one_column(100, 80, 120), False, 130, MET),            # <=: upper end decides
    (_one_column(101, 101, INF), True, 100, MET),            # a minimum meets a >= limit
    (_one_column(101, 101, INF), False, 120, NO_DATA),       # ... but says nothing for <=
    (_one_column(101, 101, INF), False, 90, FAILED),         # ... unless its minimum is above
    (_one_column(300, -INF, 300), True, 200, NO_DATA),       # a maximum against a >= limit
    (_one_column(300, -INF, 300), True, 400, FAILED),
    (_one_column(np.nan, np.nan, np.nan), True, 1, NO_DATA),  # missing
    (_one_column(500, 450, 550, True), True, 400, MET),      # interval above, in domain
    (_one_column(500, 450, 550, True), True, 480, MET_IF_PREDICTED),  # point only
    (_one_column(500, 450, 550, True, False), True, 400, MET_IF_PREDICTED),  # out of domain
    (_one_column(500, 450, 550, True), True, 520, FAILED),   # point below
    (_one_column(500, 450, 550, True), False, 560, MET),     # <= with the upper end
    (_one_column(500, 450, 550, True), False, 520, MET_IF_PREDICTED),
])
def test_state_of_one_cell(cell: tuple[np.ndarray, ...], at_least: bool, threshold: float,
                           state: int) -> None:
    result = select(*cell, Criteria.of([(0, at_least, threshold)]))
    assert int(result.state[0, 0]) == state
    assert int(result.status[0]) == state  # one constraint: status is its state


def test_status_is_the_worst_state_and_margins_are_signed() -> None:
    # columns: a measured value, a prediction (point meets, interval does not), a missing one
    value = np.array([[10.0, 5.0, np.nan],
                      [10.0, 5.0, 1.0],
                      [2.0, 5.0, np.nan],
                      [10.0, 5.0, 1.0]])
    low = np.where(np.isnan(value), np.nan, value)
    low[:, 1] = 4.0
    high = np.where(np.isnan(value), np.nan, value)
    high[:, 1] = 6.0
    predicted = np.zeros_like(value, dtype=bool)
    predicted[:, 1] = True
    in_domain = np.ones_like(predicted)
    criteria = Criteria.of([(0, True, 5.0), (1, True, 4.5), (2, False, 3.0)])
    result = select(value, low, high, predicted, in_domain, criteria)
    assert result.state.tolist() == [[MET, MET_IF_PREDICTED, NO_DATA],
                                     [MET, MET_IF_PREDICTED, MET],
                                     [FAILED, MET_IF_PREDICTED, NO_DATA],
                                     [MET, MET_IF_PREDICTED, MET]]
    assert result.status.tolist() == [NO_DATA, MET_IF_PREDICTED, FAILED, MET_IF_PREDICTED]
    assert result.feasible.tolist() == [False, True, False, True]
    assert result.margin[0, 0] == 5.0 and result.margin[2, 0] == -3.0
    assert result.margin[1, 2] == 2.0  # <= 3 with 1: 2 to spare
    assert np.isnan(result.margin[0, 2])
    assert result.counts().tolist()[0] == [3, 0, 0, 1]


def test_ranking_puts_layers_before_scores_and_failures_last() -> None:
    # two objectives, both maximised; one constraint on column 2
    value = np.array([[1.0, 9.0, 1.0],    # front (best in column 1)
                      [9.0, 1.0, 1.0],    # front (best in column 0)
                      [5.0, 5.0, 1.0],    # front (balanced)
                      [4.0, 4.0, 1.0],    # layer 2, dominated by row 2
                      [10.0, 10.0, 0.0],  # would dominate everything but fails
                      [8.0, np.nan, 1.0],  # feasible, objective unknown
                      [3.0, 3.0, np.nan]])  # no data
    criteria = Criteria.of([(2, True, 0.5)], [(0, True, 1.0), (1, True, 1.0)])
    result = select(value, value, value, np.zeros_like(value, dtype=bool),
                    np.ones_like(value, dtype=bool), criteria)
    assert result.layer.tolist() == [1, 1, 1, 2, 0, 0, 0]
    assert result.pareto.tolist() == [True, True, True, False, False, False, False]
    assert result.order.tolist()[3:] == [3, 5, 6, 4]
    # the front by score: (1, 9) and (9, 1) score 0.5 each, (5, 5) as well; ties by index
    assert result.order.tolist()[:3] == [0, 1, 2]
    assert result.rank().tolist() == [1, 2, 3, 4, 7, 5, 6]


def test_weighted_score_normalises_over_the_feasible_rows() -> None:
    objectives = np.array([[10.0, 1.0], [20.0, 3.0], [30.0, 2.0], [100.0, np.nan]])
    feasible = np.array([True, True, True, False])
    score = weighted_score(objectives, np.array([True, False]), np.array([3.0, 1.0]), feasible)
    # column 0 maximised over 10..30, column 1 minimised over 1..3; row 3 clipped, missing = 0
    assert score == pytest.approx([(0 * 3 + 1) / 4, (0.5 * 3 + 0) / 4, (1 * 3 + 0.5) / 4,
                                   (1 * 3 + 0) / 4])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 10**6).map(lambda v: v / 10**6)),
                min_size=0, max_size=60))
def test_packed_ranking_equals_a_stable_lexicographic_sort(rows: list[tuple[int, float]]
                                                           ) -> None:
    # scores on a 1e-6 grid: the packed key resolves them (it ties scores closer than 2^-20)
    primary = np.array([r[0] for r in rows], dtype=np.intp)
    score = np.array([r[1] for r in rows], dtype=float)
    expected = sorted(range(len(rows)), key=lambda i: (rows[i][0], -rows[i][1], i))
    assert ranking(primary, score).tolist() == expected


def test_no_constraints_and_no_objectives() -> None:
    value = np.array([[1.0], [2.0]])
    result = select(value, value, value, np.zeros((2, 1), bool), np.ones((2, 1), bool),
                    Criteria.of())
    assert result.status.tolist() == [MET, MET]
    assert result.layer.tolist() == [1, 1]
    assert result.order.tolist() == [0, 1]
