"""Results do not depend on how a study is executed: threads, chunking, LHS strata."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from valueloop.core.sampling import BLOCK, UncertainSpace, keyed_permutation
from valueloop.core.scenario import load_scenario
from valueloop.core.study import run_study
from valueloop.models.registry import get_model


@settings(max_examples=60, deadline=None)
@given(n=st.integers(min_value=1, max_value=5000), key=st.integers(min_value=0, max_value=2**32))
def test_keyed_permutation_is_a_permutation(n: int, key: int) -> None:
    round_keys = np.random.SeedSequence(key).generate_state(4, np.uint64)
    permuted = keyed_permutation(np.arange(n, dtype=np.uint64), n, round_keys)
    assert np.array_equal(np.sort(permuted), np.arange(n))


def test_keyed_permutation_of_a_slice_matches_the_whole() -> None:
    n = 3 * BLOCK + 17
    round_keys = np.random.SeedSequence(9).generate_state(4, np.uint64)
    whole = keyed_permutation(np.arange(n, dtype=np.uint64), n, round_keys)
    part = keyed_permutation(np.arange(1000, 5000, dtype=np.uint64), n, round_keys)
    assert np.array_equal(whole[1000:5000], part)


def test_latin_hypercube_puts_one_point_in_every_stratum() -> None:
    scenario = load_scenario("valueloop:ishigami")
    n = 10_007
    points = UncertainSpace(scenario).unit_points("lhs", n, seed=4)
    for column in points:
        assert np.array_equal(np.sort(np.floor(column * n).astype(int)), np.arange(n))


def test_columns_of_a_latin_hypercube_are_not_aligned() -> None:
    points = UncertainSpace(load_scenario("valueloop:ishigami")).unit_points("lhs", 4096, seed=4)
    correlation = np.corrcoef(points)
    assert np.all(np.abs(correlation[np.triu_indices(3, 1)]) < 0.05)


@pytest.mark.parametrize("method", ["mc", "lhs", "sobol"])
def test_thread_count_does_not_change_results(method: str) -> None:
    scenario = load_scenario("valueloop:cobalt-cn-2024-ch1")
    model = get_model(scenario.model)
    n = 2 * BLOCK + 999
    one = run_study(model, scenario, n, method=method, seed=11, workers=1, chunk=BLOCK // 2)
    two = run_study(model, scenario, n, method=method, seed=11, workers=2, chunk=BLOCK // 2)
    default = run_study(model, scenario, n, method=method, seed=11)
    for name in one.outputs:
        assert np.array_equal(one.outputs[name], two.outputs[name], equal_nan=True)
        assert np.array_equal(one.outputs[name], default.outputs[name], equal_nan=True)
