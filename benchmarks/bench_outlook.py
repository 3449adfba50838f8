"""Cobalt outlook throughput: 10^6 samples of the full 2020-2035 model, against a per-sample loop.

The study samples every uncertain input of the shipped scenario (``valueloop:cobalt-cn-2024``)
and runs in chunks on the thread pool, keeping the outputs the outlook job reports
(:data:`valueloop.reports.cobalt_outlook.REPORTED`) in float32, as ``valueloop outlook cobalt``
does. Figures, all measured in this run:

* samples per second of the study on every core, best of ``--repeat`` runs, and on one thread;
* the baseline: the same model function called once per sample (N = 1) on samples drawn
  beforehand, so that the loop pays for the model only, not for sampling; timed on
  ``--loop-samples`` samples, since its rate does not depend on N;
* the peak memory of a 10^6-sample study, measured in a child process that only loads the
  scenario and runs the study (its ``ru_maxrss``), so the parent's own arrays do not count.

    python benchmarks/bench_outlook.py [--samples 1000000] [--loop-samples 3000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

from valueloop.core.sampling import sample
from valueloop.core.scenario import load_scenario
from valueloop.core.study import DEFAULT_MEMORY_BUDGET, chunk_size, run_study
from valueloop.models.outlook import COBALT_OUTLOOK
from valueloop.reports.cobalt_outlook import DEFAULT_SCENARIO, REPORTED

TARGET_RATE = 100_000
TARGET_RATIO = 1000
TARGET_PEAK_BYTES = 2_000_000_000


HEADLINE = tuple(o.name for o in COBALT_OUTLOOK.outputs
                 if o.name in REPORTED and o.axes == ("year",))
"""The yearly series of the report, without the chemistry and region breakdowns."""
KEEP_SETS = {"reported": REPORTED, "headline": HEADLINE}


def study(scenario, n: int, seed: int, workers: int | None = None,
          keep: tuple[str, ...] = REPORTED):
    return run_study(COBALT_OUTLOOK, scenario, n, seed=seed, keep=keep, dtype=np.float32,
                     workers=workers)


def best_rate(scenario, n: int, repeat: int, workers: int | None = None
              ) -> tuple[float, float, object]:
    """(samples per second, best seconds, last result) over ``repeat`` runs."""
    times = []
    result = None
    for seed in range(repeat):
        result = None  # release the previous run's outputs before the next one allocates
        began = time.perf_counter()
        result = study(scenario, n, seed, workers)
        times.append(time.perf_counter() - began)
    return n / min(times), min(times), result


def loop_rate(scenario, n: int) -> float:
    """Samples per second when the model function is called once per sample (N = 1).

    Each call gets that sample's inputs as length-1 arrays plus the fixed inputs, built before
    the clock starts: the cheapest per-sample caller of this model.
    """
    samples = sample(scenario, n, seed=1)
    rows = []
    for i in range(n):
        row = dict(samples.fixed)
        row.update({name: values[i:i + 1] for name, values in samples.sampled.items()})
        rows.append(row)
    evaluate = COBALT_OUTLOOK.evaluate
    began = time.perf_counter()
    for row in rows:
        evaluate(row)
    return n / (time.perf_counter() - began)


def child_peak(n: int, keep_set: str) -> dict[str, object]:
    """Run one ``n``-sample study in a fresh interpreter and return its peak resident memory."""
    command = [sys.executable, os.path.abspath(__file__), "--child", str(n), "--keep-set",
               keep_set]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def run_child(n: int, keep_set: str) -> None:
    scenario = load_scenario(DEFAULT_SCENARIO)
    began = time.perf_counter()
    result = study(scenario, n, seed=0, keep=KEEP_SETS[keep_set])
    seconds = time.perf_counter() - began
    kept = sum(a.nbytes for a in result.outputs.values())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    print(json.dumps({"peak_bytes": peak, "kept_bytes": kept, "seconds": seconds,
                      "chunks": result.chunks}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--single-samples", type=int, default=200_000,
                        help="samples of the one-thread run")
    parser.add_argument("--loop-samples", type=int, default=3_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--keep-set", choices=tuple(KEEP_SETS), default="reported",
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.keep_set)
        return

    # Peak memory first, each in a fresh process, before this process loads the machine: measured
    # after the timing runs the children's peaks came out higher and no longer told the keep
    # sets apart.
    memory = child_peak(args.samples, "reported")
    headline = child_peak(args.samples, "headline")
    scenario = load_scenario(DEFAULT_SCENARIO)
    study(scenario, 50_000, seed=99)  # warm-up: imports, caches, page faults
    rate, seconds, result = best_rate(scenario, args.samples, args.repeat)
    chunks = result.chunks
    check = float(np.mean(result.outputs["hydroxide_demand_metal"][:, -1], dtype=np.float64))
    del result
    single = best_rate(scenario, args.single_samples, args.repeat, workers=1)[0]
    baseline = loop_rate(scenario, args.loop_samples)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    report = {
        "benchmark": "cobalt outlook 2020-2035, all uncertain inputs, keep=REPORTED, float32",
        "samples": args.samples,
        "cores": cores,
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        "chunks": chunks,
        "samples_per_chunk": round(args.samples / chunks),
        "samples_per_chunk_one_thread": chunk_size(COBALT_OUTLOOK, scenario, args.samples,
                                                   DEFAULT_MEMORY_BUDGET),
        "study_seconds_best": round(seconds, 3),
        "study_samples_per_second": round(rate),
        "single_thread_samples": args.single_samples,
        "single_thread_samples_per_second": round(single),
        "loop_samples": args.loop_samples,
        "loop_samples_per_second": round(baseline, 1),
        "ratio_study_to_loop": round(rate / baseline, 1),
        "peak_memory_gb_keep_reported": round(memory["peak_bytes"] / 1e9, 3),
        "kept_outputs_gb_keep_reported": round(memory["kept_bytes"] / 1e9, 3),
        "peak_memory_gb_keep_headline": round(headline["peak_bytes"] / 1e9, 3),
        "kept_outputs_gb_keep_headline": round(headline["kept_bytes"] / 1e9, 3),
        "targets": {
            "samples_per_second >= 100000": rate >= TARGET_RATE,
            "ratio >= 1000": rate / baseline >= TARGET_RATIO,
            "peak memory < 2 GB (keep=reported)": memory["peak_bytes"] < TARGET_PEAK_BYTES,
            "peak memory < 2 GB (keep=headline)": headline["peak_bytes"] < TARGET_PEAK_BYTES,
        },
        "check_mean_hydroxide_demand_metal_2035": round(check, 1),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
