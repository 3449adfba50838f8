"""Cash-flow model throughput: the vectorised table + NPV + IRR against a per-sample loop.

A 10 kt/yr refinery (report 2.1-2.2 orders of magnitude): two construction years, a 20-year
operating life with a ramp-up, price and cost drawn per sample, working capital, straight-line
depreciation, 25 % tax with losses carried forward five years. The vectorised path builds the
whole cash-flow table (every named line, both bases) with ``build_cash_flow_table`` and takes
NPV and IRR; large N is processed in chunks of 131,072 samples, as the study engine would. The
baseline is numpy-financial-style scalar code written inline (no dependency): the same table one
sample at a time in Python floats, NPV as a discounted sum and IRR as the real root of the
cash-flow polynomial from ``np.roots``, timed on a subset in the same run because its rate does
not depend on N.

    python benchmarks/bench_cashflow.py [--quick] [--samples 100000 1000000] [--loop-samples 3000]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from valueloop.models.cashflow import ProjectSchedule, build_cash_flow_table, project_inputs
from valueloop.models.finance import IrrStatus

SCHEDULE = ProjectSchedule(construction=(0.4, 0.6), operating_years=20, ramp_up=(0.6, 0.85),
                           depreciation_years=10)
CAPACITY = 1.0e4
WORKING_CAPITAL = 40.0 / 365.0
TAX = 0.25
CHUNK = 1 << 17


def draws(n: int, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"capital": 4.2e8 * rng.uniform(0.9, 1.3, n), "price": rng.uniform(1.7e5, 2.3e5, n),
            "variable_cost": rng.uniform(1.55e5, 1.75e5, n),
            "utilisation": rng.uniform(0.5, 0.9, n), "rate": rng.uniform(0.04, 0.10, n)}


def vectorised(d: dict[str, np.ndarray], with_irr: bool = True
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """NPV, IRR and status for every sample, chunk by chunk (IRR left NaN without it)."""
    n = d["capital"].size
    out = np.empty(n), np.full(n, np.nan), np.full(n, IrrStatus.NO_ROOT, dtype=np.int8)
    for start in range(0, n, CHUNK):
        part = slice(start, start + CHUNK)
        inputs = project_inputs(
            SCHEDULE, capital=d["capital"][part], capacity=CAPACITY,
            utilisation=d["utilisation"][part, None], price=d["price"][part, None],
            variable_cost=d["variable_cost"][part, None], fixed_cost=1.38e8,
            working_capital_share=WORKING_CAPITAL, tax_rate=TAX, discount_rate=d["rate"][part])
        table = build_cash_flow_table(inputs, SCHEDULE)
        out[0][part] = table.npv()
        if with_irr:
            out[1][part], out[2][part] = table.irr()
    return out


def best_time(function: Callable[[], object], repeats: int = 2) -> float:
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - began)
    return best


def scalar_flows(capital: float, price: float, variable: float, utilisation: float) -> list[float]:
    """The same project as plain Python floats, one sample."""
    flows = [-share * capital for share in SCHEDULE.construction]
    depreciation = capital / SCHEDULE.depreciation_years
    ramp = list(SCHEDULE.ramp_up) + [1.0] * (SCHEDULE.operating_years - len(SCHEDULE.ramp_up))
    losses: list[list[float]] = []  # [year incurred, amount unused], oldest first
    working_capital = 0.0
    for year in range(SCHEDULE.operating_years):
        output = CAPACITY * utilisation * ramp[year]
        revenue = output * price
        ebitda = revenue - output * variable - 1.38e8
        taxable = ebitda - (depreciation if year < SCHEDULE.depreciation_years else 0.0)
        losses = [loss for loss in losses
                  if year - loss[0] <= SCHEDULE.loss_carry_forward_years]
        if taxable < 0.0:
            losses.append([year, -taxable])
            taxable = 0.0
        for loss in losses:
            used = min(loss[1], taxable)
            loss[1] -= used
            taxable -= used
        change = revenue * WORKING_CAPITAL - working_capital
        working_capital += change
        if year == SCHEDULE.operating_years - 1:
            change -= working_capital  # recovered at the end
        flows.append(ebitda - change - TAX * taxable)
    return flows


def scalar_npv(rate: float, values: list[float]) -> float:
    return sum(value / (1.0 + rate) ** t for t, value in enumerate(values))


def scalar_irr(values: list[float]) -> float:
    roots = np.roots(values[::-1])
    real = roots[(np.abs(roots.imag) < 1e-9) & (roots.real > 0.0)].real
    if real.size == 0:
        return float("nan")
    rates = 1.0 / real - 1.0
    return float(rates[np.argmin(np.abs(rates))])


def loop(d: dict[str, np.ndarray], m: int, with_irr: bool = True
         ) -> tuple[np.ndarray, np.ndarray]:
    npvs, irrs = np.empty(m), np.full(m, np.nan)
    for i in range(m):
        flows = scalar_flows(float(d["capital"][i]), float(d["price"][i]),
                             float(d["variable_cost"][i]), float(d["utilisation"][i]))
        npvs[i] = scalar_npv(float(d["rate"][i]), flows)
        if with_irr:
            irrs[i] = scalar_irr(flows)
    return npvs, irrs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--loop-samples", type=int, default=3_000)
    parser.add_argument("--quick", action="store_true",
                        help="10,000 samples against a 300-sample loop")
    args = parser.parse_args()
    sizes, m = (([10_000], 300) if args.quick else (args.samples, args.loop_samples))

    d = draws(max(max(sizes), m))
    loop_npv, loop_irr = loop(d, m)
    labels = {False: "table + NPV      ", True: "table + NPV + IRR"}
    loop_rate = {with_irr: m / best_time(lambda w=with_irr: loop(d, m, w), 1)
                 for with_irr in labels}
    print(f"cash-flow table, {SCHEDULE.rows} years (2 construction + 20 operating)")
    for with_irr, label in labels.items():
        print(f"  per-sample loop, {label} ({m:,} samples): {loop_rate[with_irr]:12,.0f} "
              "samples/s")
    for n in sizes:
        part = {key: value[:n] for key, value in d.items()}
        for with_irr, label in labels.items():
            seconds = best_time(lambda part=part, w=with_irr: vectorised(part, w))
            rate = n / seconds
            print(f"  vectorised {label} N = {n:>9,}: {seconds:6.2f} s {rate:12,.0f} "
                  f"samples/s  ratio {rate / loop_rate[with_irr]:6,.0f} x")
    npv, irr, status = vectorised({key: value[:m] for key, value in d.items()})
    print(f"  status counts (unique, no root, multiple): "
          f"{[int((status == s).sum()) for s in IrrStatus]}")
    print(f"  max |NPV - loop| / capital: {np.max(np.abs(npv - loop_npv) / d['capital'][:m]):.1e}"
          f";  max |IRR - np.roots|: {np.nanmax(np.abs(irr - loop_irr)):.1e}")


if __name__ == "__main__":
    main()
