"""Finance kernel throughput: vectorised NPV and IRR against per-sample scalar code.

Cash flows are year-major (T+1, N): two construction years, then net inflows. The baseline is
numpy-financial-style scalar code written inline (no dependency): NPV as a discounted sum and IRR
as the real root of the cash-flow polynomial from ``np.roots``, one sample per call, timed on a
subset because its rate does not depend on N.

    python benchmarks/bench_finance.py [--samples 100000] [--years 20] [--loop-samples 2000]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from valueloop.models.finance import IrrStatus, irr, npv


def draws(n: int, years: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    flows = np.empty((years + 1, n))
    flows[0] = -4.2e8 * rng.uniform(0.5, 1.0, n)
    flows[1] = -4.2e8 * rng.uniform(0.2, 0.8, n)
    flows[2:] = 4.2e8 * rng.uniform(0.02, 0.3, (years - 1, n))
    return flows, rng.uniform(0.04, 0.12, n)


def scalar_npv(rate: float, values: np.ndarray) -> float:
    return float((values / (1.0 + rate) ** np.arange(values.size)).sum())


def scalar_irr(values: np.ndarray) -> float:
    roots = np.roots(values[::-1])
    real = roots[(np.abs(roots.imag) < 1e-9) & (roots.real > 0.0)].real
    if real.size == 0:
        return float("nan")
    rates = 1.0 / real - 1.0
    return float(rates[np.argmin(np.abs(rates))])


def best_time(function: Callable[[], object], repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - began)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--loop-samples", type=int, default=2_000)
    args = parser.parse_args()
    n, years = args.samples, args.years
    flows, rate = draws(n, years)
    m = min(args.loop_samples, n)
    columns = [np.ascontiguousarray(flows[:, i]) for i in range(m)]

    npv_time = best_time(lambda: npv(flows, rate))
    npv_loop = best_time(lambda: [scalar_npv(rate[i], c) for i, c in enumerate(columns)], 1)
    irr_time = best_time(lambda: irr(flows), repeats=2)
    irr_loop = best_time(lambda: [scalar_irr(c) for c in columns], 1)

    found, status = irr(flows)
    oracle = np.array([scalar_irr(c) for c in columns[:200]])
    error = np.nanmax(np.abs(found[:200] - oracle))
    npv_rate, npv_loop_rate = n / npv_time, m / npv_loop
    irr_rate, irr_loop_rate = n / irr_time, m / irr_loop
    print(f"finance kernels: N = {n:,} samples, T + 1 = {years + 1} years, year-major (T+1, N)")
    print(f"  NPV vectorised (Horner):        {npv_time * 1e3:9.1f} ms  "
          f"{npv_rate:14,.0f} samples/s")
    print(f"  NPV per-sample loop ({m:,}):    {'':12} {npv_loop_rate:14,.0f} samples/s")
    print(f"  NPV ratio vectorised / loop:    {npv_rate / npv_loop_rate:12,.0f} x")
    print(f"  IRR vectorised (grid+bisect):   {irr_time:9.2f} s   {irr_rate:14,.0f} samples/s")
    print(f"  IRR per-sample np.roots ({m:,}): {'':11} {irr_loop_rate:14,.0f} samples/s "
          f"({n / irr_loop_rate:.1f} s for N)")
    print(f"  IRR ratio vectorised / loop:    {irr_rate / irr_loop_rate:12,.1f} x")
    print(f"  status counts (unique, no root, multiple): "
          f"{[int((status == s).sum()) for s in IrrStatus]}")
    print(f"  max |IRR - np.roots| on 200 samples: {error:.1e}")


if __name__ == "__main__":
    main()
