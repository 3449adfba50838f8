"""The measured frontier of an inverse design on hand-made tables: gap, flag and reach.

Oracle: the definition by brute force, every candidate against every training row measured in
all the designed properties (hypothesis; small integers make ties common, where a scaled
comparison would go wrong).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from valueloop.materials.design_frontier import MeasuredFrontier
from valueloop.materials.design_plan import DesignedConstraint, DesignedObjective, DesignPlan
from valueloop.materials.properties import AlloyTable, read_rows
from valueloop.materials.property_models import PROPERTIES, Prediction

MODELS = ("electrical_conductivity_iacs", "hardness_hv", "uts_mpa")
Sense = Literal["max", "min"]


def _table(measured: list[list[float | None]]) -> AlloyTable:
    header = ["Cr", *(PROPERTIES[m][0] for m in MODELS)]
    return read_rows(header, [["0.5", *("" if v is None else repr(v) for v in row)]
                              for row in measured])


def _plan(senses: list[Sense]) -> DesignPlan:
    objectives = tuple(DesignedObjective(m, s, f"{s} {m}", "")
                       for m, s in zip(MODELS, senses, strict=False))
    return DesignPlan("test", (), objectives, ())


def _predictions(values: np.ndarray) -> dict[str, Prediction]:
    ones = np.ones(len(values), dtype=bool)
    return {m: Prediction(values[:, k], values[:, k], values[:, k], ones)
            for k, m in enumerate(MODELS)}


def _brute_beyond(plan: DesignPlan, measured: list[list[float | None]],
                  predicted: np.ndarray) -> list[bool]:
    sign = [1.0 if o.sense == "max" else -1.0 for o in plan.objectives]
    k = len(sign)
    rows = [row[:k] for row in measured if all(v is not None for v in row[:k])]
    return [not any(all(sign[j] * row[j] >= sign[j] * p[j] for j in range(k)) for row in rows)
            for p in predicted]


cells = st.one_of(st.none(), st.integers(0, 4).map(float))
tables = st.lists(st.lists(cells, min_size=3, max_size=3), min_size=1, max_size=12)
senses = st.lists(st.sampled_from(["max", "min"]), min_size=1, max_size=3)
candidates = st.lists(st.lists(st.integers(-1, 5).map(float), min_size=3, max_size=3),
                      min_size=1, max_size=10)


@settings(max_examples=300, deadline=None)
@given(tables, senses, candidates)
def test_gap_and_flag_equal_brute_force(measured: list[list[float | None]], sense: list[Sense],
                                        predicted: list[list[float]]) -> None:
    plan = _plan(sense)
    frontier = MeasuredFrontier.from_table(plan, _table(measured))
    values = np.array(predicted)
    expected = _brute_beyond(plan, measured, values)
    predictions = _predictions(values)
    assert list(frontier.beyond(predictions)) == expected
    assert list(frontier.gap(predictions) > 0) == expected


def test_gap_is_in_training_standard_deviations() -> None:
    measured: list[list[float | None]] = [[10.0, 100.0, None], [20.0, 50.0, None],
                                          [15.0, 60.0, None], [12.0, None, None]]
    plan = _plan(["max", "max"])
    frontier = MeasuredFrontier.from_table(plan, _table(measured))
    # [15, 60] is dominated by neither; [10, 100] and [20, 50] are the other frontier rows
    assert sorted(map(tuple, frontier.measured.tolist())) == [(10, 100), (15, 60), (20, 50)]
    std = np.array([np.std([10.0, 20.0, 15.0, 12.0]), np.std([100.0, 50.0, 60.0])])
    np.testing.assert_allclose(frontier.scale, std)
    gap = frontier.gap(_predictions(np.array([[16.0, 70.0, 0.0], [14.0, 55.0, 0.0]])))
    # (16, 70): 1 over (15, 60) in EC and 10 in HV; 6 under (10, 100) in EC; 20 over (20, 50)
    expected = min(max(1 / std[0], 10 / std[1]), max(6 / std[0], -30 / std[1]),
                   max(-4 / std[0], 20 / std[1]))
    assert gap[0] == pytest.approx(expected)
    assert gap[1] < 0  # (15, 60) is better in both


def test_no_row_measured_in_all_properties() -> None:
    plan = _plan(["max", "max"])
    frontier = MeasuredFrontier.from_table(plan, _table([[10.0, None, 5.0], [None, 80.0, 5.0]]))
    assert len(frontier) == 0
    assert np.all(np.isinf(frontier.gap(_predictions(np.zeros((3, 3))))))


def test_reaching_rows_meet_the_constraints_that_point_their_way() -> None:
    measured: list[list[float | None]] = [[90.0, 80.0, None], [40.0, 250.0, None]]
    constraints = (
        DesignedConstraint("electrical_conductivity_iacs", ">=", 50.0, "%IACS", "", "", ""),
        DesignedConstraint("hardness_hv", ">=", 100.0, "HV", "", "", ""))
    plan = DesignPlan("test", constraints, (), ())
    frontier = MeasuredFrontier.from_table(plan, _table(measured))
    assert not np.any(frontier.reaching(constraints))  # neither row meets both
    # a constraint against its property's better direction can be met below any row
    opposite = (*constraints[:1],
                DesignedConstraint("hardness_hv", "<=", 100.0, "HV", "", "", ""))
    plan = DesignPlan("test", opposite, (DesignedObjective("hardness_hv", "max", "", ""),), ())
    frontier = MeasuredFrontier.from_table(plan, _table(measured))
    reached = frontier.measured[frontier.reaching(opposite)]
    assert reached[:, frontier.models.index("electrical_conductivity_iacs")].tolist() == [90.0]
