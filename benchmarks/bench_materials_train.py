"""Property-model training time per property, and cache load time against training time.

Measured on the shipped Gorsse et al. 2023 data, in one run:

* per property: the full training (5 grouped calibration fits with per-tree spreads, the final
  fit, the domain) against the baseline measured in the same run, one ridge regression on
  standardised features;
* all four models: training and storing them in an empty cache folder, then loading them back
  (:mod:`valueloop.materials.model_cache`), and the ratio of the two;
* unless ``--quick``: the repeated grouped evaluation behind ``docs/model-card.md``
  (4 properties x 2 split kinds x 5 repeats x 5 folds, nested) on every core.

Each figure is the median of several runs.

    python benchmarks/bench_materials_train.py [--runs 3] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

import numpy as np
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from timing import median_seconds
from valueloop.materials.model_cache import cached_models
from valueloop.materials.model_card import REPEATS, evaluate
from valueloop.materials.properties import Imputation, load_shipped
from valueloop.materials.property_models import PROPERTIES, fit_property_model, target_column


def cache_timings(runs: int) -> tuple[float, float]:
    """Median seconds to train-and-store all models in an empty cache, and to load them."""
    table = load_shipped()
    trained, loaded = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            first = cached_models(table, folder=Path(folder))
            second = cached_models(table, folder=Path(folder))
            assert first.stored and second.loaded
            trained.append(first.seconds)
            loaded.append(second.seconds)
    return statistics.median(trained), statistics.median(loaded)


def main() -> None:
    """Print the timings as Markdown tables."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one run, no full evaluation")
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    table = load_shipped()
    print("| property | rows | train (s) | ridge baseline (s) |")
    print("|---|---:|---:|---:|")
    for name in PROPERTIES:
        target = target_column(table, name)
        rows = ~np.isnan(target)
        features = Imputation.fit(table.raw[rows]).apply(table.raw[rows])
        model_time = median_seconds(lambda n=name, y=target: fit_property_model(
            n, table.raw, y, table.formula), runs)
        baseline_time = median_seconds(lambda x=features, y=target[rows]: make_pipeline(
            StandardScaler(), Ridge(alpha=1.0)).fit(x, y), runs)
        print(f"| {name} | {int(rows.sum())} | {model_time:.2f} | {baseline_time:.4f} |")
    train, load = cache_timings(runs)
    print("\n| all four models | seconds |")
    print("|---|---:|")
    print(f"| train and store in an empty cache | {train:.2f} |")
    print(f"| load from the cache | {load:.3f} |")
    print(f"| ratio (train / load) | {train / load:.0f} |")
    if not args.quick:
        seconds = median_seconds(lambda: evaluate(table, n_jobs=-1), 1)
        print(f"\nfull grouped evaluation (4 properties x 2 split kinds x {REPEATS} repeats, "
              f"nested, all cores): {seconds:.1f} s")


if __name__ == "__main__":
    main()
