"""Studies: in-process, chunked and Dask runs agree bit for bit; seeds reproduce; options."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import cloudpickle
import numpy as np
import pytest
from distributed import LocalCluster
from scipy import stats

from conftest import MINI
from valueloop.core.errors import OptionError
from valueloop.core.model import ModelDefinition
from valueloop.core.sampling import BLOCK, METHODS, UncertainSpace
from valueloop.core.scenario import Scenario
from valueloop.core.study import StudyResult, chunk_ranges, chunk_size, evaluate_points, run_study
from valueloop.models.registry import get_model
from valueloop.models.testfunctions import ISHIGAMI_A, ISHIGAMI_B

N = 2 * BLOCK + 12_345  # several blocks, the last one partial
CHUNKS = (50_000, BLOCK, 100_003)  # chunk sizes that are (mostly) not block-aligned

# The test model lives in tests/conftest.py, which Dask workers cannot import by name.
cloudpickle.register_pickle_by_value(sys.modules[MINI.evaluate.__module__])


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as local:
        yield local


@pytest.fixture(scope="module")
def reference(mini: Scenario) -> dict[str, StudyResult]:
    """Each method's study of the mini scenario in one in-process chunk."""
    return {method: run_study(MINI, mini, N, method=method, seed=42, chunk=N, keep_inputs=True)
            for method in METHODS}


def assert_identical(a: StudyResult, b: StudyResult) -> None:
    assert a.outputs.keys() == b.outputs.keys()
    for name in a.outputs:
        assert np.array_equal(a.outputs[name], b.outputs[name]), name
    assert a.input_names == b.input_names
    if a.inputs is not None or b.inputs is not None:
        assert a.inputs is not None and b.inputs is not None
        assert np.array_equal(a.inputs, b.inputs)


@pytest.mark.parametrize("method", METHODS)
def test_reference_study(reference: dict[str, StudyResult], method: str) -> None:
    result = reference[method]
    assert result.n == N and result.chunks == 1 and result.method == method
    assert result.model == "engine-mini" and result.scenario == "mini"
    assert result.outputs["revenue"].shape == (N,)
    assert result.outputs["demand"].shape == (N, 3)
    assert result.inputs is not None and result.inputs.shape == (7, N)
    mass, price, grade = (result.input(n) for n in ("ore.mass", "ore.price", "ore.grade"))
    assert np.array_equal(result.outputs["revenue"], mass * price * grade)
    np.testing.assert_array_equal(result.outputs["demand"][:, 2],
                                  result.outputs["revenue"] * 1.25)
    shares = np.stack([result.input(n) for n in ("chem.nmc", "chem.lfp", "chem.nca")])
    assert np.max(np.abs(shares.sum(axis=0) - 1.0)) <= 1e-12
    assert stats.spearmanr(mass, price).statistic == pytest.approx(0.6, abs=0.05)
    assert result.quantiles("revenue").shape == (3,)
    assert result.quantiles("demand", (0.5,)).shape == (1, 3)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("chunk", CHUNKS)
def test_chunked_runs_agree(mini: Scenario, reference: dict[str, StudyResult], method: str,
                            chunk: int) -> None:
    result = run_study(MINI, mini, N, method=method, seed=42, chunk=chunk, keep_inputs=True)
    assert result.chunks == -(-N // chunk)
    assert_identical(result, reference[method])


def test_memory_budget_chunking_agrees(mini: Scenario, reference: dict[str, StudyResult]) -> None:
    budget = 20_000_000
    size = chunk_size(MINI, mini, N, budget)
    assert 1 < size < BLOCK and BLOCK % size != 0
    result = run_study(MINI, mini, N, method="lhs", seed=42, memory_budget=budget,
                       keep_inputs=True)
    assert result.chunks >= -(-N // size) > 1
    assert_identical(result, reference["lhs"])


@pytest.mark.parametrize("method", METHODS)
def test_dask_run_agrees(cluster: LocalCluster, mini: Scenario,
                         reference: dict[str, StudyResult], method: str) -> None:
    result = run_study(MINI, mini, N, method=method, seed=42, chunk=50_000, keep_inputs=True,
                       scheduler=cluster.scheduler_address)
    assert result.chunks == 3
    assert_identical(result, reference[method])


def test_dask_ishigami_with_rank_correlation(cluster: LocalCluster,
                                             ishigami_correlated: Scenario) -> None:
    model = get_model("ishigami")
    local = run_study(model, ishigami_correlated, N, method="sobol", seed=7, keep_inputs=True)
    chunked = run_study(model, ishigami_correlated, N, method="sobol", seed=7, chunk=30_011,
                        keep_inputs=True)
    progress: list[tuple[int, int]] = []
    remote = run_study(model, ishigami_correlated, N, method="sobol", seed=7, chunk=BLOCK,
                       keep_inputs=True, scheduler=cluster.scheduler_address,
                       progress=lambda done, total: progress.append((done, total)))
    assert_identical(local, chunked)
    assert_identical(local, remote)
    assert len(progress) == 3 and progress[-1] == (N, N)
    x1, x2, x3 = (local.input(f"ishigami.x{i}") for i in (1, 2, 3))
    assert stats.spearmanr(x1, x3).statistic == pytest.approx(-0.5, abs=0.05)
    expected = np.sin(x1) + ISHIGAMI_A * np.sin(x2) ** 2 + ISHIGAMI_B * x3**4 * np.sin(x1)
    assert np.array_equal(local.outputs["y"], expected)


@pytest.mark.parametrize("method", METHODS)
def test_seeded_runs_reproduce(mini: Scenario, method: str) -> None:
    first = run_study(MINI, mini, 20_000, method=method, seed=42, keep_inputs=True)
    again = run_study(MINI, mini, 20_000, method=method, seed=42, keep_inputs=True)
    other = run_study(MINI, mini, 20_000, method=method, seed=43, keep_inputs=True)
    assert_identical(first, again)
    for name in ("revenue", "energy", "mix", "demand"):
        assert not np.array_equal(other.outputs[name], first.outputs[name])
    assert first.inputs is not None and other.inputs is not None
    assert not np.any(np.all(first.inputs == other.inputs, axis=1))


def test_chunk_size_follows_the_budget(mini: Scenario) -> None:
    n = 10 * BLOCK
    large = chunk_size(MINI, mini, n, 2**34)
    assert large == n
    medium = chunk_size(MINI, mini, n, 2**26)
    assert medium % BLOCK == 0 and BLOCK <= medium < n
    small = chunk_size(MINI, mini, n, 10_000)
    assert 1 <= small < BLOCK
    assert chunk_size(MINI, mini, 100, 2**30) == 100
    assert chunk_size(MINI, mini, n, 1) == 1
    with pytest.raises(OptionError, match="memory budget"):
        chunk_size(MINI, mini, n, 0)
    assert list(chunk_ranges(10, 4)) == [(0, 4), (4, 8), (8, 10)]


def test_progress_in_process(mini: Scenario) -> None:
    seen: list[tuple[int, int]] = []
    run_study(MINI, mini, 1000, chunk=300, progress=lambda done, total: seen.append((done, total)))
    assert len(seen) == 4 and all(total == 1000 for _, total in seen)
    done = [d for d, _ in seen]
    assert done == sorted(done) and done[-1] == 1000


def test_study_options_are_checked(mini: Scenario) -> None:
    for kwargs, match in (({"n": 0}, "at least 1"), ({"n": 10, "seed": -1}, "seed"),
                          ({"n": 10, "chunk": 0}, "chunk size")):
        with pytest.raises(OptionError, match=match) as info:
            run_study(MINI, mini, **kwargs)  # type: ignore[arg-type]
        assert info.value.exit_status == 2
    result = run_study(MINI, mini, 10)
    assert result.inputs is None and result.input_names == ()
    with pytest.raises(ValueError, match="keep_inputs"):
        result.input("ore.mass")


def test_outputs_not_depending_on_samples_are_broadcast(mini: Scenario) -> None:
    constant = ModelDefinition(
        name="engine-mini", title="constant", parameters=MINI.parameters,
        outputs=MINI.outputs[:1], evaluate=lambda inputs: {"revenue": 5.0})
    result = run_study(constant, mini, 100, chunk=30)
    assert result.outputs["revenue"].shape == (100,)
    assert np.all(result.outputs["revenue"] == 5.0)


def test_evaluate_points_ignores_correlation(mini: Scenario) -> None:
    space = UncertainSpace(mini)
    points = space.unit_points("mc", 5000, 3)
    outputs = evaluate_points(MINI, mini, points, memory_budget=200_000)
    values = space.values(points, correlate=False)
    expected = values["ore.mass"] * values["ore.price"] * values["ore.grade"]
    assert np.array_equal(outputs["revenue"], expected)
