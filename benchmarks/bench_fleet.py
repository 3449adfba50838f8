"""Dynamic stock model throughput: draws per second of ``inflow_driven``, vectorised vs a loop.

One draw is one sample of a Weibull battery lifetime (mean and shape uncertain) and of inflows by
year and region; it yields stock and end-of-life outflow by year and region. The vectorised run
evaluates all draws at once (N = --samples); the baseline calls the same functions once per draw
with N = 1, timed on a subset because its rate does not depend on N.

    python benchmarks/bench_fleet.py [--samples 100000] [--loop-samples 2000] [--years 16]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from valueloop.models.fleet import (
    check_mass_balance,
    inflow_driven,
    stock_driven,
    weibull_scale_from_mean,
    weibull_survival,
)


def draws(n: int, years: int, regions: int, seed: int = 1) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    mean = rng.uniform(8.0, 15.0, n)
    shape = rng.uniform(2.0, 5.0, n)
    growth = rng.uniform(1.05, 1.30, (n, 1, regions))
    inflow = 100.0 * growth ** np.arange(years)[None, :, None]
    return mean, shape, inflow


def run(mean: np.ndarray, shape: np.ndarray, inflow: np.ndarray) -> np.ndarray:
    survival = weibull_survival(shape, weibull_scale_from_mean(mean, shape), inflow.shape[1],
                                timing="middle")
    return inflow_driven(inflow, survival).outflow


def rate(function: object, n: int, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        function()  # type: ignore[operator]
        best = min(best, time.perf_counter() - began)
    return n / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--loop-samples", type=int, default=2_000)
    parser.add_argument("--years", type=int, default=16)
    parser.add_argument("--regions", type=int, default=4)
    args = parser.parse_args()
    n, years, regions = args.samples, args.years, args.regions
    mean, shape, inflow = draws(n, years, regions)
    survival = weibull_survival(shape, weibull_scale_from_mean(mean, shape), years,
                                timing="middle")
    forward = inflow_driven(inflow, survival)

    vectorised = rate(lambda: run(mean, shape, inflow), n)
    kernel = rate(lambda: inflow_driven(inflow, survival), n)
    inverse = rate(lambda: stock_driven(forward.stock, survival), n)
    m = min(args.loop_samples, n)
    singles = [(mean[i:i + 1], shape[i:i + 1], inflow[i:i + 1]) for i in range(m)]

    def loop() -> None:
        for single in singles:
            run(*single)

    looped = rate(loop, m, repeats=1)
    imbalance = check_mass_balance(forward) / float(forward.stock.max())
    print(f"fleet model: N = {n:,} draws, T = {years} years, {regions} regions, "
          f"Weibull lifetime, timing='middle'")
    print(f"  vectorised (survival curve + inflow_driven): {vectorised:12,.0f} draws/s")
    print(f"  inflow_driven kernel alone:                  {kernel:12,.0f} draws/s")
    print(f"  stock_driven (inverse):                      {inverse:12,.0f} draws/s")
    print(f"  per-draw Python loop, N = 1 ({m:,} draws):    {looped:12,.0f} draws/s")
    print(f"  ratio vectorised / loop:                     {vectorised / looped:12,.0f} x")
    print(f"  relative mass-balance error:                 {imbalance:12.1e}")


if __name__ == "__main__":
    main()
