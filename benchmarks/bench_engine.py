"""Engine throughput: 10^6 samples of a 50-parameter model, against a per-sample Python loop.

Two baselines, both measured in this run so that the ratios do not depend on the machine:

* EMA workbench itself (``SequentialEvaluator``, ``perform_experiments``) calling the same model
  function once per experiment, when ``ema-workbench`` is installed (``pip install -e
  '.[bench]'``); this is the comparison the issue asks for;
* a bare Python loop calling the model once per sample with a dict of Python floats: the
  cheapest possible per-sample caller, a lower bound for any such tool.

Baselines are timed on a subset of samples; their rate does not depend on N.

    python benchmarks/bench_engine.py [--samples 1000000] [--loop-samples 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

from valueloop.core.sampling import sample
from valueloop.core.scenario import ScenarioDefinition, resolve
from valueloop.core.study import run_study
from valueloop.models.testfunctions import SOBOL_G, SOBOL_G_DIMENSION


def sobol_g_scenario():
    definition = ScenarioDefinition.model_validate({
        "scenario": {"name": "sobol-g-bench", "model": SOBOL_G.name},
        "parameters": {
            f"sobol_g.x{i:02d}": {
                "distribution": {"kind": "uniform", "low": 0.0, "high": 1.0},
                "source": {"document": "saltelli-sobol-1995", "section": "G function"},
            } for i in range(SOBOL_G_DIMENSION)},
    })
    return resolve(definition, SOBOL_G)


def loop_rate(scenario, n: int) -> float:
    """Samples per second when the model is called once per sample with Python floats."""
    samples = sample(scenario, n, seed=1)
    rows = [{name: float(samples[name][i]) for name in samples.sampled} for i in range(n)]
    began = time.perf_counter()
    for row in rows:
        SOBOL_G.evaluate(row)
    return n / (time.perf_counter() - began)


def ema_rate(n: int) -> float | None:
    """Samples per second through EMA workbench's sequential evaluator, or None if absent."""
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench import Model, RealParameter, ScalarOutcome, perform_experiments
            from ema_workbench.em_framework.evaluators import SequentialEvaluator
    except ImportError:
        return None

    def sobol_g(**kwargs: float) -> dict[str, float]:
        inputs = {f"sobol_g.{name}": value for name, value in kwargs.items()}
        return {"y": float(SOBOL_G.evaluate(inputs)["y"])}

    model = Model("sobolg", function=sobol_g)
    model.uncertainties = [RealParameter(f"x{i:02d}", 0.0, 1.0)
                           for i in range(SOBOL_G_DIMENSION)]
    model.outcomes = [ScalarOutcome("y")]
    began = time.perf_counter()
    with SequentialEvaluator(model) as evaluator:
        perform_experiments(model, n, evaluator=evaluator)
    return n / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--loop-samples", type=int, default=20_000)
    parser.add_argument("--ema-samples", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    scenario = sobol_g_scenario()
    run_study(SOBOL_G, scenario, 100_000, seed=0)  # warm-up: imports, caches, page faults
    times = []
    for repeat in range(args.repeat):
        began = time.perf_counter()
        result = run_study(SOBOL_G, scenario, args.samples, seed=repeat)
        times.append(time.perf_counter() - began)
    engine_rate = args.samples / min(times)
    baseline_rate = loop_rate(scenario, args.loop_samples)
    ema = ema_rate(args.ema_samples)
    mean = float(np.mean(result.outputs["y"]))
    report = {
        "benchmark": "engine: Sobol' G, 50 parameters",
        "samples": args.samples,
        "cores": os.cpu_count(),
        "engine_seconds_best": round(min(times), 4),
        "engine_samples_per_second": round(engine_rate),
        "loop_samples_per_second": round(baseline_rate),
        "ratio_engine_to_loop": round(engine_rate / baseline_rate, 1),
        "ema_workbench_samples_per_second": round(ema) if ema else "not installed",
        "ratio_engine_to_ema_workbench": round(engine_rate / ema, 1) if ema else None,
        "target_ratio": 1000,
        "chunks": result.chunks,
        "check_mean_y (analytic 1.0)": round(mean, 4),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
