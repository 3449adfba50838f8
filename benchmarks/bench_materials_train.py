"""Property-model training time per property and the full grouped evaluation, with a baseline.

Measured on the shipped Gorsse et al. 2023 data:

* per property: the full training (5 grouped calibration fits + the final fit + the domain)
  against the baseline measured in the same run, one ridge regression on standardised features;
* the grouped evaluation behind ``docs/model-card.md`` (4 properties x 2 split kinds, nested).

Each figure is the median of several runs.

    python benchmarks/bench_materials_train.py [--runs 3] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from valueloop.materials.model_card import evaluate
from valueloop.materials.properties import Imputation, load_shipped
from valueloop.materials.property_models import PROPERTIES, fit_property_model


def median_seconds(work: Callable[[], object], runs: int) -> float:
    """Median wall time of ``runs`` calls of ``work``."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Print the timings as a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one run, no full evaluation")
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    table = load_shipped()
    print("| property | rows | train (s) | ridge baseline (s) |")
    print("|---|---:|---:|---:|")
    for name, (column, _) in PROPERTIES.items():
        target = table.number_column(column)
        rows = ~np.isnan(target)
        features = Imputation.fit(table.raw[rows]).apply(table.raw[rows])
        model_time = median_seconds(lambda n=name, y=target: fit_property_model(
            n, table.raw, y, table.formula), runs)
        baseline_time = median_seconds(lambda x=features, y=target[rows]: make_pipeline(
            StandardScaler(), Ridge(alpha=1.0)).fit(x, y), runs)
        print(f"| {name} | {int(rows.sum())} | {model_time:.2f} | {baseline_time:.4f} |")
    if not args.quick:
        seconds = median_seconds(lambda: evaluate(table), 1)
        print(f"\nfull grouped evaluation (4 properties x 2 split kinds, nested): {seconds:.1f} s")


if __name__ == "__main__":
    main()
