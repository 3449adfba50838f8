"""Running a model over many samples: in one go, in memory-bounded chunks, or on Dask.

All three paths call :func:`evaluate_chunk` on the same sample ranges, and sampling is seeded per
block (see :mod:`valueloop.core.sampling`), so their results are identical bit for bit.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

import numpy as np

from valueloop.core.errors import OptionError
from valueloop.core.model import ModelDefinition, Outputs
from valueloop.core.sampling import BLOCK, Method, SampleSet, UncertainSpace
from valueloop.core.scenario import Scenario

DEFAULT_MEMORY_BUDGET = 512 * 2**20
"""Working memory for one chunk, in bytes; results are held in addition to this."""
_PILOT_SAMPLES = 256
_WORKING_COPIES = 3
"""Working memory per sample as a multiple of the model's output bytes. Measured with
tracemalloc on the shipped models, a chunk's peak (outputs plus temporaries) is 0.3 to 1.2 times
their output bytes; the chunk's samples and the copies of kept outputs come on top, and 3 leaves
room for models with more temporaries."""

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ChunkResult:
    start: int
    stop: int
    outputs: Outputs
    inputs: np.ndarray | None


@dataclass
class StudyResult:
    """Outputs of every sample (leading axis N), optionally with the sampled inputs."""

    model: str
    scenario: str
    method: Method
    seed: int
    n: int
    outputs: Outputs
    input_names: tuple[str, ...] = ()
    inputs: np.ndarray | None = None
    """Sampled inputs, ``(len(input_names), n)``, when the study kept them."""
    chunks: int = 1
    seconds: float = 0.0
    extra: dict[str, object] = field(default_factory=dict)

    def quantiles(self, name: str, q: tuple[float, ...] = (0.1, 0.5, 0.9)) -> np.ndarray:
        """Quantiles of one output over the sample axis, shape ``(len(q), *output axes)``."""
        return np.quantile(self.outputs[name], q, axis=0)

    def input(self, name: str) -> np.ndarray:
        if self.inputs is None:
            raise ValueError("this study did not keep its inputs (keep_inputs=False)")
        return self.inputs[self.input_names.index(name)]


def evaluate_chunk(model: ModelDefinition, scenario: Scenario, method: Method, seed: int,
                   n: int, start: int, stop: int, keep_inputs: bool = False,
                   keep: tuple[str, ...] | None = None,
                   dtype: np.dtype | type = np.float64) -> ChunkResult:
    """Sample and evaluate samples ``start:stop`` of an ``n``-sample study.

    ``keep`` names the outputs to return (all when None), cast to ``dtype``; dropping the rest
    here keeps both memory and Dask transfers small.
    """
    space = UncertainSpace(scenario)
    values = space.sample_values(method, n, seed, start, stop)
    inputs = SampleSet(stop - start, values, space.fixed_inputs)
    outputs = model(inputs, stop - start)
    names = keep if keep is not None else tuple(outputs)
    outputs = {name: np.asarray(outputs[name], dtype=dtype) for name in names}
    kept = np.stack([values[name] for name in space.sampled_names]) if (
        keep_inputs and space.sampled_names) else None
    return ChunkResult(start, stop, outputs, kept)


def evaluate_points(model: ModelDefinition, scenario: Scenario, points: np.ndarray, *,
                    memory_budget: int = DEFAULT_MEMORY_BUDGET,
                    progress: Progress | None = None) -> Outputs:
    """Evaluate explicit unit-hypercube points ``(dimension, n)`` (Saltelli, Morris, tornado).

    Rank correlations are not imposed: such designs set each factor on purpose.
    """
    space = UncertainSpace(scenario)
    n = points.shape[1]
    chunk = chunk_size(model, scenario, n, memory_budget)
    parts: list[Outputs] = []
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        values = space.values(points[:, start:stop], correlate=False)
        parts.append(model(SampleSet(stop - start, values, space.fixed_inputs), stop - start))
        if progress:
            progress(stop, n)
    return _concatenate(parts, model)


def chunk_size(model: ModelDefinition, scenario: Scenario, n: int, memory_budget: int) -> int:
    """Samples per chunk so that one chunk's working memory stays within ``memory_budget``."""
    if memory_budget <= 0:
        raise OptionError(f"memory budget must be positive, got {memory_budget}",
                          item="memory_budget")
    pilot = min(n, _PILOT_SAMPLES)
    result = evaluate_chunk(model, scenario, "mc", 0, pilot, 0, pilot)
    output_bytes = sum(a.nbytes / a.shape[0] for a in result.outputs.values())
    input_bytes = 8 * 3 * max(UncertainSpace(scenario).dimension, 1)
    per_sample = _WORKING_COPIES * output_bytes + input_bytes
    size = max(1, int(memory_budget // per_sample))
    if size >= BLOCK:
        size -= size % BLOCK
    return min(size, n)


def chunk_ranges(n: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, n, size):
        yield start, min(n, start + size)


def run_study(model: ModelDefinition, scenario: Scenario, n: int, *, method: Method = "mc",
              seed: int = 0, memory_budget: int = DEFAULT_MEMORY_BUDGET,
              chunk: int | None = None, scheduler: str | None = None,
              workers: int | None = None, keep_inputs: bool = False,
              keep: tuple[str, ...] | None = None, dtype: np.dtype | type = np.float64,
              progress: Progress | None = None) -> StudyResult:
    """Evaluate ``model`` on ``n`` samples of ``scenario``.

    ``keep`` limits the outputs held for every sample, and ``dtype`` (``np.float32`` halves it)
    their precision: with chunks bounding the working memory, what is kept is what decides the
    peak memory of a large study.

    ``chunk`` fixes the chunk size (otherwise it follows from ``memory_budget``, shared by the
    ``workers`` threads that evaluate chunks side by side; numpy releases the GIL in array
    operations, so threads use every core without copying inputs). With ``scheduler``
    (``tcp://host:port``) the chunks run on that Dask cluster instead.
    """
    if n < 1:
        raise OptionError(f"the number of samples must be at least 1, got {n}", item="samples")
    declared = tuple(o.name for o in model.outputs)
    unknown = [name for name in (keep or ()) if name not in declared]
    if unknown:
        raise OptionError(f"model {model.name!r} has no outputs {unknown}", item="keep",
                          allowed=", ".join(declared))
    if seed < 0:
        raise OptionError(f"the seed must be a non-negative integer, got {seed}", item="seed")
    began = time.perf_counter()
    threads = max(1, workers if workers is not None else (os.cpu_count() or 1))
    if chunk is not None:
        size = chunk
    else:
        size = chunk_size(model, scenario, n, memory_budget // threads)
        size = min(size, _balanced(n, threads))
    if size < 1:
        raise OptionError(f"chunk size must be at least 1, got {size}", item="chunk")
    ranges = list(chunk_ranges(n, size))
    task = _ChunkTask(model, scenario, method, seed, n, keep_inputs, keep, dtype)
    assembly = _Assembly(n)
    if scheduler:
        _run_on_dask(scheduler, task, ranges, assembly, progress)
    else:
        _run_in_threads(task, ranges, min(threads, len(ranges)), assembly, progress)
    outputs, inputs = assembly.outputs, assembly.inputs
    return StudyResult(
        model=model.name, scenario=scenario.label, method=method, seed=seed, n=n,
        outputs=outputs, input_names=UncertainSpace(scenario).sampled_names if keep_inputs
        else (), inputs=inputs, chunks=len(ranges), seconds=time.perf_counter() - began)


def _balanced(n: int, threads: int) -> int:
    """A chunk size that gives every thread work, in whole sampling blocks where possible."""
    share = -(-n // threads)
    if share >= BLOCK:
        share += (-share) % BLOCK
    return max(1, share)


@dataclass(frozen=True)
class _ChunkTask:
    """Everything a chunk needs besides its range; picklable for Dask."""

    model: ModelDefinition
    scenario: Scenario
    method: Method
    seed: int
    n: int
    keep_inputs: bool
    keep: tuple[str, ...] | None
    dtype: np.dtype | type

    def __call__(self, start: int, stop: int) -> ChunkResult:
        return evaluate_chunk(self.model, self.scenario, self.method, self.seed, self.n, start,
                              stop, self.keep_inputs, self.keep, self.dtype)


class _Assembly:
    """Result arrays allocated once and filled chunk by chunk, so no second copy is made."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.outputs: Outputs = {}
        self.inputs: np.ndarray | None = None

    def add(self, part: ChunkResult) -> None:
        for name, array in part.outputs.items():
            if name not in self.outputs:
                self.outputs[name] = np.empty((self.n, *array.shape[1:]), dtype=array.dtype)
            self.outputs[name][part.start:part.stop] = array
        if part.inputs is not None:
            if self.inputs is None:
                self.inputs = np.empty((part.inputs.shape[0], self.n))
            self.inputs[:, part.start:part.stop] = part.inputs


_TRIM_EVERY = 8
"""Chunks between returns of freed memory: trimming costs time, waiting costs memory."""


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None on other C libraries."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


def _release_freed_memory() -> None:
    # glibc gives each worker thread its own malloc arena and keeps a chunk's freed temporaries
    # there; over a long study that holds about a gigabyte per 10^6 samples that is no longer in
    # use. Trimming after each chunk hands it back (measured: 2.67 -> under 2 GB at 10^6).
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _run_in_threads(task: _ChunkTask, ranges: list[tuple[int, int]], threads: int,
                    assembly: _Assembly, progress: Progress | None) -> None:
    done = 0
    if threads <= 1:
        for start, stop in ranges:
            assembly.add(task(start, stop))
            if progress:
                progress(stop, task.n)
        return
    lock = threading.Lock()
    chunks_done = [0]

    def evaluate_into_assembly(start: int, stop: int) -> int:
        # The worker copies its chunk into the result and drops it: a future that kept the chunk
        # would hold a second copy of every output until the whole study ends.
        part = task(start, stop)
        with lock:
            assembly.add(part)
            chunks_done[0] += 1
            trim_now = chunks_done[0] % _TRIM_EVERY == 0
        del part
        if trim_now:
            _release_freed_memory()
        return stop - start

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="valueloop") as pool:
        futures = [pool.submit(evaluate_into_assembly, start, stop) for start, stop in ranges]
        for future in as_completed(futures):
            done += future.result()
            if progress:
                progress(done, task.n)


def _concatenate(parts: list[Outputs], model: ModelDefinition) -> Outputs:
    if len(parts) == 1:
        return {k: np.ascontiguousarray(v) for k, v in parts[0].items()}
    return {o.name: np.concatenate([p[o.name] for p in parts], axis=0) for o in model.outputs}


def _run_on_dask(scheduler: str, task: _ChunkTask, ranges: list[tuple[int, int]],
                 assembly: _Assembly, progress: Progress | None) -> None:
    from distributed import Client, as_completed

    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise OptionError(f"cannot reach Dask scheduler {scheduler!r} ({exc})",
                          item="--scheduler", allowed="tcp://host:port of a running scheduler"
                          ) from None
    with client:
        futures = [client.submit(task, start, stop, pure=False) for start, stop in ranges]
        done = 0
        for future in as_completed(futures):
            part: ChunkResult = future.result()
            assembly.add(part)
            done += part.stop - part.start
            if progress:
                progress(done, task.n)
