"""Seeded sampling: share groups, reproducibility, block independence, rank correlation."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats

from conftest import CHEMISTRIES, SCENARIOS, load_mini
from valueloop.core.errors import OptionError, ScenarioStructureError
from valueloop.core.sampling import (
    BLOCK,
    METHODS,
    SampleSet,
    UncertainSpace,
    baseline_inputs,
    iman_conover,
    sample,
)
from valueloop.core.scenario import Scenario, load_scenario

N = 2 * BLOCK + 4321  # three blocks, the last one partial
CUTS = (0, 1000, BLOCK + 7, 2 * BLOCK + 100, N)  # chunk edges that are not block-aligned

Write = Callable[..., Path]


@pytest.fixture(scope="module")
def mini_samples(mini: Scenario) -> dict[str, SampleSet]:
    return {method: sample(mini, N, method=method, seed=11) for method in METHODS}


def test_block_size() -> None:
    assert BLOCK == 65536
    assert N > 2 * BLOCK


def test_space_layout(mini: Scenario) -> None:
    space = UncertainSpace(mini)
    assert space.dimension == 7
    assert [f.name for f in space.factors] == ["ore.mass", "ore.price", "ore.grade",
                                               "ore.energy", "chemistry"]
    assert [f.is_group for f in space.factors] == [False, False, False, False, True]
    assert space.sampled_names == ("ore.mass", "ore.price", "ore.grade", "ore.energy",
                                   *CHEMISTRIES)
    assert set(space.fixed_inputs) == {"demand.index"}
    assert space.fixed_inputs["demand.index"].shape == (1, 3)
    assert not space.fixed_inputs["demand.index"].flags.writeable


@pytest.mark.parametrize("method", METHODS)
def test_shares_sum_to_one_for_every_sample(mini_samples: dict[str, SampleSet],
                                            method: str) -> None:
    samples = mini_samples[method]
    shares = np.stack([samples[name] for name in CHEMISTRIES])
    assert shares.shape == (3, N)
    assert np.max(np.abs(shares.sum(axis=0) - 1.0)) <= 1e-12
    assert np.all((shares > 0) & (shares < 1))


@pytest.mark.parametrize("method", METHODS)
def test_share_means_match_the_baseline(mini_samples: dict[str, SampleSet], mini: Scenario,
                                        method: str) -> None:
    concentration = 40.0
    for name in CHEMISTRIES:
        baseline = mini.parameters[name].value
        sd = np.sqrt(baseline * (1 - baseline) / (concentration + 1))  # Dirichlet marginal
        values = mini_samples[method][name]
        assert abs(values.mean() - baseline) < 4 * sd / np.sqrt(N)
        assert values.std() == pytest.approx(sd, rel=0.02)


@pytest.mark.parametrize("method", METHODS)
def test_marginals_follow_their_distributions(mini_samples: dict[str, SampleSet],
                                              mini: Scenario, method: str) -> None:
    samples = mini_samples[method]
    mass = samples["ore.mass"]
    assert mass.min() >= 1e4 and mass.max() <= 3.5e4
    triangular = stats.triang(c=(2e4 - 1e4) / 2.5e4, loc=1e4, scale=2.5e4)
    assert stats.kstest(mass, triangular.cdf).statistic < 0.01
    grade = samples["ore.grade"]
    assert grade.min() >= 0.05 and grade.max() <= 0.4
    truncated = stats.truncnorm(-1.5, 2.0, loc=0.2, scale=0.1)
    assert stats.kstest(grade, truncated.cdf).statistic < 0.01
    energy = samples["ore.energy"]
    assert stats.kstest(energy, stats.lognorm(s=0.25, scale=300.0).cdf).statistic < 0.01
    price = samples["ore.price"]
    assert price.min() >= 150e3 and price.max() <= 400e3
    assert price.mean() == pytest.approx((150e3 + 4 * 250e3 + 400e3) / 6, rel=0.01)


@pytest.mark.parametrize("method", METHODS)
def test_same_seed_same_samples_other_seed_other_samples(mini: Scenario, method: str) -> None:
    first = sample(mini, 5000, method=method, seed=3)
    again = sample(mini, 5000, method=method, seed=3)
    other = sample(mini, 5000, method=method, seed=4)
    for name in first.sampled:
        assert np.array_equal(first[name], again[name])
        assert not np.array_equal(first[name], other[name])
        assert not np.allclose(first[name], other[name])


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("scenario_name", ["mini", "ishigami_correlated"])
def test_chunks_reproduce_the_whole_design(request: pytest.FixtureRequest, method: str,
                                           scenario_name: str,
                                           mini_samples: dict[str, SampleSet]) -> None:
    scenario: Scenario = request.getfixturevalue(scenario_name)
    whole = mini_samples[method] if scenario_name == "mini" else sample(
        scenario, N, method=method, seed=11)
    parts = [sample(scenario, N, method=method, seed=11, start=lo, stop=hi)
             for lo, hi in itertools.pairwise(CUTS)]
    assert [p.n for p in parts] == [hi - lo for lo, hi in itertools.pairwise(CUTS)]
    for name in whole.sampled:
        joined = np.concatenate([p[name] for p in parts])
        assert np.array_equal(joined, whole[name]), name


@pytest.mark.parametrize("method", METHODS)
def test_rank_correlation_reaches_its_target(mini_samples: dict[str, SampleSet],
                                             ishigami_correlated: Scenario, method: str) -> None:
    samples = mini_samples[method]
    rho = stats.spearmanr(samples["ore.mass"], samples["ore.price"]).statistic
    assert rho == pytest.approx(0.6, abs=0.05)
    # uncorrelated pairs stay near zero
    assert abs(stats.spearmanr(samples["ore.mass"], samples["ore.grade"]).statistic) < 0.05
    # every block, the partial one included, is correlated on its own
    for lo in range(0, N, BLOCK):
        block = slice(lo, min(N, lo + BLOCK))
        rho = stats.spearmanr(samples["ore.mass"][block], samples["ore.price"][block]).statistic
        assert rho == pytest.approx(0.6, abs=0.05)
    ishigami = sample(ishigami_correlated, N, method=method, seed=5)
    rho = stats.spearmanr(ishigami["ishigami.x1"], ishigami["ishigami.x3"]).statistic
    assert rho == pytest.approx(-0.5, abs=0.05)


@pytest.mark.parametrize("method", METHODS)
def test_correlation_keeps_the_marginal_values(mini: Scenario, method: str) -> None:
    space = UncertainSpace(mini)
    points = space.unit_points(method, N, 2)
    plain = space.values(points, correlate=False)
    correlated = space.values(points)
    for name in plain:
        for lo in range(0, N, BLOCK):
            block = slice(lo, min(N, lo + BLOCK))
            assert np.array_equal(np.sort(plain[name][block]), np.sort(correlated[name][block]))
        if name not in ("ore.mass", "ore.price"):
            assert np.array_equal(plain[name], correlated[name])
    assert not np.array_equal(plain["ore.price"], correlated["ore.price"])


def test_latin_hypercube_is_stratified_also_in_chunks(ishigami_correlated: Scenario) -> None:
    space = UncertainSpace(ishigami_correlated)
    n = 3000
    whole = space.unit_points("lhs", n, seed=9)
    for column in whole:
        assert np.array_equal(np.sort(np.floor(column * n)), np.arange(n))
    parts = [space.unit_points("lhs", n, 9, lo, hi) for lo, hi in ((0, 1234), (1234, n))]
    assert np.array_equal(np.concatenate(parts, axis=1), whole)


def test_sobol_points(ishigami_correlated: Scenario) -> None:
    space = UncertainSpace(ishigami_correlated)
    points = space.unit_points("sobol", 4096, seed=1)
    assert points.shape == (3, 4096)
    assert np.all((points >= 0) & (points < 1))
    # a scrambled Sobol' net of 2^k points: every column has one point per 1/4096 stratum
    for column in points:
        assert np.array_equal(np.sort(np.floor(column * 4096)), np.arange(4096))
    tail = space.unit_points("sobol", 4096, 1, 1000, 4096)
    assert np.array_equal(tail, points[:, 1000:])


def test_unit_points_errors(mini: Scenario) -> None:
    space = UncertainSpace(mini)
    with pytest.raises(OptionError, match="unknown sampling method") as info:
        space.unit_points("halton", 10, 0)  # type: ignore[arg-type]
    assert info.value.exit_status == 2
    with pytest.raises(ValueError, match="bad sample range"):
        space.unit_points("mc", 10, 0, 5, 11)
    with pytest.raises(OptionError, match="at least 1"):
        sample(mini, 0)


def test_inconsistent_correlations_are_refused(write: Write) -> None:
    path = write("""
        [scenario]
        name = "bad-correlations"
        model = "ishigami"
        extends = "valueloop:ishigami"

        [[correlations]]
        parameters = ["ishigami.x1", "ishigami.x2"]
        rank_correlation = 0.9
        source = { assumption = "x" }

        [[correlations]]
        parameters = ["ishigami.x2", "ishigami.x3"]
        rank_correlation = 0.9
        source = { assumption = "x" }

        [[correlations]]
        parameters = ["ishigami.x1", "ishigami.x3"]
        rank_correlation = -0.9
        source = { assumption = "x" }
        """)
    # Refused when the scenario is loaded, with the file named, not first when it is sampled.
    with pytest.raises(ScenarioStructureError, match="positive definite") as caught:
        load_scenario(path)
    assert caught.value.file == path


def test_fixed_share_group_and_zero_share(write: Write) -> None:
    text = (SCENARIOS / "mini.toml").read_text(encoding="utf-8")
    fixed = write(text.replace("concentration = 40\n", ""), "fixed_shares.toml")
    scenario = load_mini(fixed)
    samples = sample(scenario, 100, seed=0)
    assert "chem.nmc" not in samples.sampled
    assert samples["chem.nmc"].shape == (1,) and samples["chem.nmc"][0] == 0.5
    zero = write(text.replace('[parameters."chem.nca"]\nvalue = 0.2',
                              '[parameters."chem.nca"]\nvalue = 0.0').replace(
        '[parameters."chem.lfp"]\nvalue = 0.3', '[parameters."chem.lfp"]\nvalue = 0.5'),
        "zero_share.toml")
    samples = sample(load_mini(zero), 1000, seed=0)
    assert np.all(samples["chem.nca"] == 0.0)
    shares = np.stack([samples[name] for name in CHEMISTRIES])
    assert np.all(np.isfinite(shares))
    assert np.max(np.abs(shares.sum(axis=0) - 1.0)) <= 1e-12


def test_baseline_inputs_and_sample_set(mini: Scenario) -> None:
    baseline = baseline_inputs(mini)
    assert baseline.n == 1 and not baseline.sampled
    assert set(baseline) == set(mini.parameters)
    assert baseline["ore.mass"].shape == (1,) and baseline["ore.mass"][0] == 2e4
    assert baseline["demand.index"].shape == (1, 3)
    assert not baseline["ore.mass"].flags.writeable

    samples = sample(mini, 10, seed=0)
    assert len(samples) == len(mini.parameters)
    assert "demand.index" in samples and "nothing" not in samples
    assert list(samples)[:4] == ["ore.mass", "ore.price", "ore.grade", "ore.energy"]
    matrix = samples.matrix()
    assert matrix.shape == (7, 10)
    assert np.array_equal(samples.matrix(("ore.price",))[0], samples["ore.price"])
    assert samples.matrix(()).shape == (0, 10)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), k=st.integers(2, 4), n=st.integers(1, 300))
def test_iman_conover_keeps_marginals_as_multisets(data: st.DataObject, k: int, n: int) -> None:
    columns = data.draw(hnp.arrays(np.float64, (k, n), elements=st.floats(-1e6, 1e6)))
    # a valid correlation matrix from random factors
    factors = data.draw(hnp.arrays(np.float64, (k, k), elements=st.floats(-1, 1)))
    cov = factors @ factors.T + 0.5 * np.eye(k)
    scale = np.sqrt(np.diag(cov))
    target = cov / np.outer(scale, scale)
    result = iman_conover(columns, target)
    assert result.shape == columns.shape
    for row in range(k):
        assert np.array_equal(np.sort(result[row]), np.sort(columns[row]))


def test_iman_conover_is_deterministic_and_reaches_target() -> None:
    rng = np.random.default_rng(0)
    columns = rng.random((2, 20_000))
    target = np.array([[1.0, -0.7], [-0.7, 1.0]])
    first, second = iman_conover(columns, target), iman_conover(columns, target)
    assert np.array_equal(first, second)
    assert stats.spearmanr(first[0], first[1]).statistic == pytest.approx(-0.7, abs=0.02)


def test_short_last_block_with_three_correlated_parameters(write: Write) -> None:
    """n <= k in the last block makes the scores' correlation singular; sampling still works."""
    path = write("""
        [scenario]
        name = "three-correlated"
        model = "ishigami"
        extends = "valueloop:ishigami"

        [[correlations]]
        parameters = ["ishigami.x1", "ishigami.x2"]
        rank_correlation = 0.3
        source = { assumption = "x" }

        [[correlations]]
        parameters = ["ishigami.x2", "ishigami.x3"]
        rank_correlation = 0.3
        source = { assumption = "x" }
        """)
    scenario = load_scenario(path)
    for n in (3, BLOCK + 3):
        samples = sample(scenario, n, seed=1)
        assert samples["ishigami.x1"].shape == (n,)
        assert np.all(np.isfinite(samples.matrix()))
    whole = sample(scenario, BLOCK + 3, seed=1)
    tail = sample(scenario, BLOCK + 3, seed=1, start=BLOCK + 1)
    assert np.array_equal(whole.matrix()[:, BLOCK + 1:], tail.matrix())
