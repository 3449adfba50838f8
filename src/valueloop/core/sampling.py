"""Seeded sampling of a scenario's uncertain inputs.

Every design starts as points in the unit hypercube, one column per *unit dimension*: one for each
uncertain scalar and one for each member of an uncertain share group. Points are generated in
fixed blocks of :data:`BLOCK` samples whose random streams depend only on the seed and the block
number, so a study gives bit-identical samples whether it runs at once, in chunks of any size, or
on a Dask cluster. Iman-Conover rank correlation is applied within each block for the same reason.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
from scipy import special
from scipy.stats import qmc

from valueloop.core.distributions import dirichlet_from_uniform
from valueloop.core.errors import OptionError
from valueloop.core.scenario import Scenario, rank_correlation_matrix

Method = Literal["mc", "lhs", "sobol"]
METHODS: tuple[Method, ...] = ("mc", "lhs", "sobol")
BLOCK = 1 << 16
_LHS_PERMUTATION_KEY = 1 << 30


@dataclass(frozen=True)
class Factor:
    """One independent source of uncertainty: a scalar parameter or a whole share group."""

    name: str
    members: tuple[str, ...]
    columns: slice

    @property
    def is_group(self) -> bool:
        return len(self.members) > 1 or self.members[0] != self.name


class UncertainSpace:
    """The map from unit-hypercube points to parameter values for one scenario."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        factors: list[Factor] = []
        column = 0
        for name in scenario.uncertain_scalars():
            factors.append(Factor(name, (name,), slice(column, column + 1)))
            column += 1
        for group in scenario.uncertain_groups():
            size = len(group.members)
            factors.append(Factor(group.name, group.members, slice(column, column + size)))
            column += size
        self.factors: tuple[Factor, ...] = tuple(factors)
        self.dimension = column
        self._correlated = self._correlation_matrix()

    @cached_property
    def fixed_inputs(self) -> dict[str, np.ndarray]:
        """Every parameter that is not sampled, as an array with a leading axis of length 1."""
        sampled = {m for f in self.factors for m in f.members}
        fixed: dict[str, np.ndarray] = {}
        for name, parameter in self.scenario.parameters.items():
            if name in sampled:
                continue
            array = np.asarray(parameter.value, dtype=float)[None, ...]
            array.setflags(write=False)
            fixed[name] = array
        return fixed

    @property
    def sampled_names(self) -> tuple[str, ...]:
        return tuple(m for f in self.factors for m in f.members)

    # -- unit points ---------------------------------------------------------------------------

    def unit_points(self, method: Method, n_total: int, seed: int, start: int = 0,
                    stop: int | None = None) -> np.ndarray:
        """Points ``start:stop`` of an ``n_total`` design, shape ``(dimension, stop - start)``."""
        stop = n_total if stop is None else stop
        if method not in METHODS:
            raise OptionError(f"unknown sampling method {method!r}", item="method",
                              allowed=", ".join(METHODS))
        if not 0 <= start <= stop <= n_total:
            raise ValueError(f"bad sample range {start}:{stop} of {n_total}")
        d, n = self.dimension, stop - start
        if d == 0:
            return np.empty((0, n))
        if method == "sobol":
            return self._sobol(seed, start, n)
        points = np.empty((d, n))
        for block, lo, hi in _blocks(start, stop):
            rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed,
                                                                             spawn_key=(block,))))
            uniforms = rng.random((d, BLOCK))[:, lo - block * BLOCK:hi - block * BLOCK]
            points[:, lo - start:hi - start] = uniforms
        if method == "lhs":
            positions = np.arange(start, stop, dtype=np.uint64)
            for column in range(d):
                round_keys = np.random.SeedSequence(
                    seed, spawn_key=(_LHS_PERMUTATION_KEY, column)).generate_state(
                    _FEISTEL_ROUNDS, np.uint64)
                strata = keyed_permutation(positions, n_total, round_keys)
                points[column] = (strata + points[column]) / n_total
        return points

    def _sobol(self, seed: int, start: int, n: int) -> np.ndarray:
        engine = qmc.Sobol(d=self.dimension, scramble=True, rng=np.random.default_rng(seed))
        if start:
            engine.fast_forward(start)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # balance warning for non powers of 2
            return engine.random(n).T.copy()

    def sample_values(self, method: Method, n_total: int, seed: int, start: int = 0,
                      stop: int | None = None) -> dict[str, np.ndarray]:
        """Parameter values of points ``start:stop`` of an ``n_total`` design.

        Rank correlations are imposed per block, so with correlations the points of every block
        overlapping ``start:stop`` are drawn and transformed whole, then cut to the range: the
        result does not depend on how a study is split into chunks.
        """
        stop = n_total if stop is None else stop
        lo, hi = start, stop
        if self._correlated is not None and 0 <= start < stop <= n_total:
            lo = start - start % BLOCK
            hi = min(n_total, -(-stop // BLOCK) * BLOCK)
        points = self.unit_points(method, n_total, seed, lo, hi)
        values = self.values(points, first_index=lo)
        if (lo, hi) != (start, stop):
            values = {name: array[start - lo:stop - lo].copy() for name, array in values.items()}
        return values

    # -- transform -----------------------------------------------------------------------------

    def values(self, unit_points: np.ndarray, *, first_index: int = 0,
               correlate: bool = True) -> dict[str, np.ndarray]:
        """Map unit points ``(dimension, n)`` to parameter values, one ``(n,)`` array each.

        ``first_index`` is the position of the first point in the whole design; it decides the
        blocks within which rank correlations are imposed.
        """
        scenario = self.scenario
        result: dict[str, np.ndarray] = {}
        for factor in self.factors:
            if factor.is_group:
                group = scenario.share_groups[factor.name]
                baseline = {m: float(scenario.parameters[m].value)  # type: ignore[arg-type]
                            for m in group.members}
                shares = dirichlet_from_uniform(unit_points[factor.columns],
                                                group.alpha(baseline))
                for member, row in zip(group.members, shares, strict=True):
                    result[member] = row
            else:
                parameter = scenario.parameters[factor.name]
                assert parameter.distribution is not None
                result[factor.name] = parameter.distribution.ppf(
                    unit_points[factor.columns.start], parameter.bounds)
        if correlate and self._correlated is not None:
            self._impose_rank_correlation(result, first_index)
        return result

    def _correlation_matrix(self) -> tuple[tuple[str, ...], np.ndarray] | None:
        if not self.scenario.correlations:
            return None
        return rank_correlation_matrix(self.scenario.correlations)

    def _impose_rank_correlation(self, values: dict[str, np.ndarray], first_index: int) -> None:
        assert self._correlated is not None
        names, target = self._correlated
        n = next(iter(values.values())).shape[0]
        for block, lo, hi in _blocks(first_index, first_index + n):
            # A partial block at either end is correlated on its own; sample_values draws whole
            # blocks, so in a study every block is treated identically however it is chunked.
            del block
            segment = slice(lo - first_index, hi - first_index)
            columns = np.stack([values[name][segment] for name in names])
            reordered = iman_conover(columns, target)
            for name, row in zip(names, reordered, strict=True):
                values[name][segment] = row


_FEISTEL_ROUNDS = 4


def keyed_permutation(positions: np.ndarray, n: int, round_keys: np.ndarray) -> np.ndarray:
    """Entries ``positions`` of a pseudo-random permutation of ``range(n)``.

    A balanced Feistel network over the smallest even number of bits that covers ``n`` is a
    bijection of that power-of-two domain; cycle-walking (re-applying it while the result is
    ``>= n``) restricts it to a bijection of ``range(n)`` (Black & Rogaway 2002, "Ciphers with
    arbitrary finite domains"). Latin hypercube strata are computed this way so that any chunk
    of a design is found without building the whole permutation.
    """
    if n <= 1:
        return np.zeros(positions.shape, dtype=np.int64)
    bits = max(2, int(n - 1).bit_length())
    bits += bits % 2
    half = np.uint64(bits // 2)
    mask = np.uint64((1 << (bits // 2)) - 1)
    limit = np.uint64(n)
    result = positions.astype(np.uint64, copy=True)
    pending = np.ones(result.shape, dtype=bool)
    while pending.any():
        value = result[pending]
        left, right = value >> half, value & mask
        for key in round_keys:
            left, right = right, left ^ (_round_function(right, key) & mask)
        value = (left << half) | right
        result[pending] = value
        pending[pending] = value >= limit
    return result.astype(np.int64)


def _round_function(value: np.ndarray, key: np.uint64) -> np.ndarray:
    """A keyed 64-bit mix (splitmix64 finaliser); uint64 arithmetic wraps by design."""
    with np.errstate(over="ignore"):
        x = (value + key) * np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _blocks(start: int, stop: int) -> Iterator[tuple[int, int, int]]:
    """(block number, lo, hi) for each block overlapping ``start:stop``."""
    block = start // BLOCK
    while block * BLOCK < stop:
        lo, hi = max(start, block * BLOCK), min(stop, (block + 1) * BLOCK)
        yield block, lo, hi
        block += 1


def iman_conover(columns: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Reorder each row of ``columns`` (k, n) so that their rank correlation approaches ``target``.

    Iman & Conover (1982), Commun. Stat. Simul. Comput. 11(3): van der Waerden scores are given the
    target correlation through Cholesky factors (correcting for the scores' own sample
    correlation), and each variable's sorted values are laid out in the ranks of its scores.
    The marginal values are unchanged.
    """
    k, n = columns.shape
    if n < 3:
        return columns.copy()
    scores = special.ndtri(np.arange(1, n + 1) / (n + 1))
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(n, spawn_key=(k,))))
    score_matrix = np.stack([rng.permutation(scores) for _ in range(k)])
    observed = np.corrcoef(score_matrix)
    try:
        correction = np.linalg.inv(np.linalg.cholesky(observed))
    except np.linalg.LinAlgError:
        # Too few samples (n <= k, e.g. a short last block) make the scores' own correlation
        # singular; impose the target without correcting for it.
        correction = np.eye(k)
    transform = np.linalg.cholesky(target) @ correction
    correlated_scores = transform @ score_matrix
    result = np.empty_like(columns)
    for row in range(k):
        ranks = np.argsort(np.argsort(correlated_scores[row]))
        result[row] = np.sort(columns[row])[ranks]
    return result


@dataclass(frozen=True)
class SampleSet(Mapping[str, np.ndarray]):
    """Named inputs for one evaluation: sampled ``(n,)`` arrays plus fixed broadcastable ones."""

    n: int
    sampled: Mapping[str, np.ndarray]
    fixed: Mapping[str, np.ndarray]

    def __getitem__(self, name: str) -> np.ndarray:
        if name in self.sampled:
            return self.sampled[name]
        return self.fixed[name]

    def __contains__(self, name: object) -> bool:
        return name in self.sampled or name in self.fixed

    def __iter__(self) -> Iterator[str]:
        yield from self.sampled
        yield from self.fixed

    def __len__(self) -> int:
        return len(self.sampled) + len(self.fixed)

    def matrix(self, names: tuple[str, ...] | None = None) -> np.ndarray:
        """Sampled values as a ``(len(names), n)`` matrix."""
        names = tuple(self.sampled) if names is None else names
        return np.stack([self.sampled[name] for name in names]) if names else np.empty((0,
                                                                                         self.n))


def sample(scenario: Scenario, n: int, *, method: Method = "mc", seed: int = 0,
           start: int = 0, stop: int | None = None) -> SampleSet:
    """Samples ``start:stop`` of an ``n``-sample design of the scenario's uncertain inputs."""
    if n < 1:
        raise OptionError(f"the number of samples must be at least 1, got {n}", item="samples")
    space = UncertainSpace(scenario)
    stop = n if stop is None else stop
    values = space.sample_values(method, n, seed, start, stop)
    return SampleSet(stop - start, values, space.fixed_inputs)


def baseline_inputs(scenario: Scenario) -> SampleSet:
    """The deterministic run: every parameter at its baseline value, N = 1."""
    fixed = {}
    for name, parameter in scenario.parameters.items():
        array = np.asarray(parameter.value, dtype=float)[None, ...]
        array.setflags(write=False)
        fixed[name] = array
    return SampleSet(1, {}, fixed)
