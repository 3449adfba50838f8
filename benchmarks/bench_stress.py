"""Stress-test throughput: N samples x K = 6 named cases x H = 36 months, against per-sample loops.

Every case of the catalogue runs with the combined mitigations and with sampled market,
disruption and mitigation parameters; the timing covers ``simulate`` and the summary metrics
(inventory days, minimum, periods below the line, shortfall, time to recovery, peak price).
Two baselines are measured in the same run, so the ratios do not depend on the machine:

* the same vectorised code called once per sample (N = 1, all K cases), as a per-sample driver
  such as EMA workbench would call it;
* a pure-Python implementation of the same recursions with Python floats, one sample and case
  at a time: the cheapest per-sample loop one can write. It is checked against the vectorised
  kernel (closing stock and shortfall, every period) before it is timed.

The headline is one ``simulate`` call on all N samples, on one thread. The first call of a
process pays for mapping fresh memory (about 1 GB of (N, K, H) arrays at N = 10^5), so it is
reported apart from the best of the warm repeats. The same samples are also run in chunks, on
one thread and on one thread per core, as the study runner calls a model.

    python benchmarks/bench_stress.py [--samples 100000] [--loop-samples 300] [--repeat 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import resource
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from pydantic import BaseModel

from valueloop.models.stress import (
    ORIGINS,
    PERIOD_DAYS,
    PRICE_CAP,
    PRICE_ELASTICITY,
    WARNING_DAYS,
    ComplianceRejection,
    ExportBan,
    ExportQuota,
    Market,
    Mitigation,
    PortStrike,
    Ramp,
    Reroute,
    StrategicStock,
    StressCase,
    catalogue,
    check_mass_balance,
    market_2024,
    simulate,
)

HORIZON = 36


def sampled_inputs(n: int, seed: int) -> tuple[Market, list[StressCase]]:
    """The 2024 market and the six named cases, with their uncertain numbers sampled."""
    rng = np.random.default_rng(seed)

    def u(low: float, high: float) -> np.ndarray:
        return rng.uniform(low, high, n)

    drc = u(0.85, 0.95)
    imports = u(0.95, 1.05) * 124_000 / 12
    recycled = u(0.8, 1.2) * 19_000 / 12
    market = market_2024(
        imports=imports, recycled=recycled, demand=imports + recycled,
        shares={"drc": drc, "indonesia": (1 - drc) * 2 / 3, "other": (1 - drc) / 3},
        transit_days={"drc": u(45, 75), "indonesia": u(7, 14), "other": u(25, 45)},
        normal_days=u(20, 35))
    mitigation = Mitigation(
        extra_recycled=Ramp(rate=u(400, 1_200), lag=u(2, 6), ramp=u(6, 18)),
        alternative_origin=Ramp(rate=u(800, 2_000), lag=u(4, 9), ramp=u(6, 18)),
        strategic_stock=StrategicStock(reserve=u(5_000, 25_000), max_release=u(1_500, 4_500)))
    cases = catalogue(mitigation=mitigation, parameters={
        "drc-export-ban": {"severity": u(0.5, 1.0), "duration": u(2, 9)},
        "drc-export-quota": {"share_to_china": u(0.45, 0.8)},
        "durban-port-strike": {"duration": u(0.5, 2), "share": u(0.4, 0.8),
                               "catch_up": u(0.1, 0.5)},
        "durban-reroute": {"extra_days": u(10, 40), "share": u(0.4, 0.8)},
        "compliance-rejection": {"share": u(0.2, 0.5), "delay": u(1, 3)},
        "drc-2025-actual": {"share_to_china": u(0.45, 0.8)},
    })
    return market, list(cases.values())


def cut(value: object, low: int, high: int, n: int) -> object:
    """``value`` with every sample array cut down to samples ``low:high``."""
    if isinstance(value, np.ndarray) and value.ndim >= 1 and value.shape[0] == n:
        return value[low:high]
    if isinstance(value, dict):
        return {key: cut(item, low, high, n) for key, item in value.items()}
    if isinstance(value, tuple):
        return tuple(cut(item, low, high, n) for item in value)
    if isinstance(value, BaseModel):
        return type(value).model_validate(
            {name: cut(getattr(value, name), low, high, n) for name in type(value).model_fields})
    return value


def cut_inputs(market: Market, cases: list[StressCase], low: int, high: int
               ) -> tuple[Market, list[StressCase]]:
    n = max(np.shape(a)[0] for a in market.arrays())
    part = Market(**{f.name: cut(getattr(market, f.name), low, high, n)
                     for f in dataclasses.fields(market)})
    return part, [cut(case, low, high, n) for case in cases]  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# The pure-Python baseline: the same model, one sample and one case at a time
# --------------------------------------------------------------------------------------------

def _v(value: object, i: int) -> float:
    if isinstance(value, np.ndarray):
        return float(value[i] if value.shape[0] > 1 else value[0])
    return float(value)  # type: ignore[arg-type]


def _covers(window: BaseModel, i: int) -> list[float]:
    """Part of each period inside the window."""
    start = _v(window.start, i)  # type: ignore[attr-defined]
    end = start + _v(window.duration, i)  # type: ignore[attr-defined]
    return [min(max(min(end, t + 1.0) - max(start, float(t)), 0.0), 1.0) for t in range(HORIZON)]


def _delayed(flow: list[float], lag: float, before: float) -> list[float]:
    whole = math.floor(lag)
    part = lag - whole

    def at(j: int) -> float:
        return flow[j] if j >= 0 else before

    return [(1.0 - part) * at(t - whole) + part * at(t - whole - 1) for t in range(len(flow))]


def _origin_arrivals(market: Market, case: StressCase, origin: str, i: int) -> list[float]:
    normal = _v(market.imports, i) * _v(market.shares[origin], i)
    here = [d for d in case.disruptions if d.origin == origin]
    if not here:
        return [normal] * HORIZON
    loss, quota_cover, quota_allowed = [0.0] * HORIZON, [0.0] * HORIZON, [0.0] * HORIZON
    for d in here:
        if isinstance(d, ExportBan):
            lost = _v(d.severity, i) * normal
            loss = [x + c * lost for x, c in zip(loss, _covers(d, i), strict=True)]
        elif isinstance(d, ExportQuota):
            cap = _v(d.quota, i) * _v(d.share_to_china, i) / _v(d.duration, i)
            for t, c in enumerate(_covers(d, i)):
                quota_cover[t] += c
                quota_allowed[t] += c * cap
    shipped = [max(normal - x - max(min(c, 1.0) * normal - a, 0.0), 0.0)
               for x, c, a in zip(loss, quota_cover, quota_allowed, strict=True)]
    for d in here:
        if isinstance(d, PortStrike):
            share, catch_up, backlog = _v(d.share, i), _v(d.catch_up, i), 0.0
            for t, covered in enumerate(_covers(d, i)):
                held = share * shipped[t] * covered
                release = min(backlog, catch_up * share * normal * (1.0 - covered))
                backlog += held - release
                shipped[t] += release - held
    lag = _v(market.transit_days[origin], i) / PERIOD_DAYS
    staying = list(shipped)
    arrived = [0.0] * HORIZON
    for d in here:
        if isinstance(d, Reroute):
            share = _v(d.share, i)
            moved = [x * share * c for x, c in zip(shipped, _covers(d, i), strict=True)]
            staying = [s - m for s, m in zip(staying, moved, strict=True)]
            late = _delayed(moved, lag + _v(d.extra_days, i) / PERIOD_DAYS, 0.0)
            arrived = [a + b for a, b in zip(arrived, late, strict=True)]
    arrived = [a + b for a, b in zip(arrived, _delayed(staying, lag, normal), strict=True)]
    for d in here:
        if isinstance(d, ComplianceRejection):
            share = _v(d.share, i)
            rejected = [x * share * c for x, c in zip(arrived, _covers(d, i), strict=True)]
            arrived = [a - r for a, r in zip(arrived, rejected, strict=True)]
            if d.delay is not None:
                back = _delayed(rejected, _v(d.delay, i), 0.0)
                arrived = [a + b for a, b in zip(arrived, back, strict=True)]
    return arrived


def _ramp(ramp: Ramp, event: float, i: int) -> list[float]:
    begin, length = event + _v(ramp.lag, i), _v(ramp.ramp, i)

    def cumulative(tau: float) -> float:
        rising = min(max(tau - begin, 0.0), length)
        triangle = rising**2 / (2.0 * length) if length > 0 else 0.0
        return triangle + max(tau - begin - length, 0.0)

    rate = _v(ramp.rate, i)
    return [rate * (cumulative(t + 1.0) - cumulative(float(t))) for t in range(HORIZON)]


def scalar_run(market: Market, case: StressCase, i: int) -> dict[str, float | list[float]]:
    """One sample and one case with Python floats; the summary metrics of ``simulate``."""
    arrivals = [0.0] * HORIZON
    for origin in ORIGINS:
        arrivals = [a + b for a, b in zip(arrivals, _origin_arrivals(market, case, origin, i),
                                          strict=True)]
    event = min((_v(d.start, i) for d in case.disruptions), default=math.inf)
    extra_cap = _ramp(case.mitigation.extra_recycled, event, i)
    alt_cap = _ramp(case.mitigation.alternative_origin, event, i)
    reserve = _v(case.mitigation.strategic_stock.reserve, i)
    max_release = _v(case.mitigation.strategic_stock.max_release, i)
    demand, recycled = _v(market.demand, i), _v(market.recycled, i)
    normal_days = _v(market.normal_days, i)
    daily = demand / PERIOD_DAYS
    stock = normal_days * daily
    closing, shortfall = [], []
    for t in range(HORIZON):
        stock += arrivals[t] + recycled
        need = max(normal_days * daily + demand - stock, 0.0)
        extra = min(extra_cap[t], need)
        alternative = min(alt_cap[t], need - extra)
        stock += extra + alternative
        release = min(max(WARNING_DAYS * daily + demand - stock, 0.0), max_release, reserve)
        reserve -= release
        stock += release
        consumed = min(demand, stock)
        stock -= consumed
        closing.append(stock)
        shortfall.append(demand - consumed)
    days = [c / daily for c in closing]
    below = [d < WARNING_DAYS * (1 - 1e-9) for d in days]
    start = math.floor(event) if math.isfinite(event) else 0
    late = [t for t in range(start, HORIZON) if below[t]]
    recovery = 0.0 if not late else math.inf if late[-1] == HORIZON - 1 else late[-1] + 1 - start
    peak = max(min(max((d / normal_days) ** (-1 / PRICE_ELASTICITY) if d > 0 else math.inf,
                       1 / PRICE_CAP), PRICE_CAP) for d in days)
    return {"closing": closing, "shortfall": shortfall, "minimum_days": min(days),
            "periods_below": float(sum(below)), "cumulative_shortfall": sum(shortfall),
            "time_to_recovery": recovery, "peak_price_multiplier": peak}


# --------------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------------

def check_scalar_against_kernel(market: Market, cases: list[StressCase], n: int) -> None:
    """The pure-Python loop computes the same numbers as the vectorised kernel."""
    result = simulate(market, cases, horizon=HORIZON)
    check_mass_balance(result)
    summary = result.summary()
    for i in range(n):
        for k, case in enumerate(cases):
            scalar = scalar_run(market, case, i)
            np.testing.assert_allclose(scalar["closing"], result.closing[i, k], rtol=1e-9,
                                       atol=1e-6)
            np.testing.assert_allclose(scalar["shortfall"], result.shortfall[i, k], rtol=1e-9,
                                       atol=1e-6)
            assert scalar["time_to_recovery"] == summary["time_to_recovery"][i, k]
            np.testing.assert_allclose(scalar["peak_price_multiplier"],
                                       summary["peak_price_multiplier"][i, k], rtol=1e-9)


def vectorised_seconds(market: Market, cases: list[StressCase]) -> float:
    began = time.perf_counter()
    simulate(market, cases, horizon=HORIZON).summary()
    return time.perf_counter() - began


def chunked_seconds(market: Market, cases: list[StressCase], n: int, chunk: int,
                    threads: int) -> float:
    """Seconds for all samples in chunks on ``threads`` threads, as the study runner calls a
    model (slicing the inputs excluded: the runner samples each chunk's inputs itself)."""
    parts = [cut_inputs(market, cases, low, min(low + chunk, n)) for low in range(0, n, chunk)]

    def one(part: tuple[Market, list[StressCase]]) -> None:
        simulate(*part, horizon=HORIZON).summary()

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, parts))
    return time.perf_counter() - began


def kernel_loop_rate(market: Market, cases: list[StressCase], loops: int) -> float:
    """Sample-cases per second when the vectorised code is called once per sample."""
    rows = [cut_inputs(market, cases, i, i + 1) for i in range(loops)]
    began = time.perf_counter()
    for row in rows:
        simulate(*row, horizon=HORIZON).summary()
    return loops * len(cases) / (time.perf_counter() - began)


def scalar_loop_rate(market: Market, cases: list[StressCase], loops: int) -> float:
    """Sample-cases per second of the pure-Python implementation."""
    began = time.perf_counter()
    for i in range(loops):
        for case in cases:
            scalar_run(market, case, i)
    return loops * len(cases) / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--loop-samples", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--chunk", type=int, default=10_000)
    args = parser.parse_args()

    market, cases = sampled_inputs(args.samples, args.seed)
    k = len(cases)
    check_scalar_against_kernel(*sampled_inputs(50, args.seed + 1), 50)
    cold = vectorised_seconds(market, cases)
    warm = min(vectorised_seconds(market, cases) for _ in range(args.repeat))
    rate = args.samples * k / warm
    loops = min(args.loop_samples, args.samples)
    cores = os.cpu_count() or 1
    chunked = min(chunked_seconds(market, cases, args.samples, args.chunk, 1)
                  for _ in range(args.repeat))
    threaded = min(chunked_seconds(market, cases, args.samples, args.chunk, cores)
                   for _ in range(args.repeat))
    kernel_loop = kernel_loop_rate(market, cases, loops)
    scalar_loop = scalar_loop_rate(market, cases, loops)
    shortfall = simulate(*sampled_inputs(2_000, args.seed), horizon=HORIZON).summary()
    p10, p50, p90 = np.percentile(shortfall["cumulative_shortfall"], [10, 50, 90], axis=0)
    report = {
        "benchmark": "stress tests: 6 named cases x 36 months, combined mitigations",
        "samples": args.samples,
        "cases": k,
        "periods": HORIZON,
        "vectorised_seconds_cold_first_call": round(cold, 3),
        "vectorised_seconds_best_warm": round(warm, 3),
        "vectorised_sample_cases_per_second": round(rate),
        "vectorised_sample_cases_per_second_cold": round(args.samples * k / cold),
        "chunked_samples_per_call": args.chunk,
        "chunked_seconds_best": round(chunked, 3),
        "chunked_sample_cases_per_second": round(args.samples * k / chunked),
        "threaded_chunks_threads": cores,
        "threaded_chunks_seconds_best": round(threaded, 3),
        "threaded_chunks_sample_cases_per_second": round(args.samples * k / threaded),
        "ratio_threaded_to_pure_python_loop": round(args.samples * k / threaded / scalar_loop, 1),
        "loop_of_vectorised_calls_sample_cases_per_second": round(kernel_loop),
        "ratio_to_loop_of_vectorised_calls": round(rate / kernel_loop, 1),
        "pure_python_loop_sample_cases_per_second": round(scalar_loop),
        "ratio_to_pure_python_loop": round(rate / scalar_loop, 1),
        "pure_python_loop_checked_against_kernel": "50 samples x 6 cases, rtol 1e-9",
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "cumulative_shortfall_t_p10_p50_p90 (2,000 samples)": {
            name: [round(float(p)) for p in (a, b, c)]
            for name, a, b, c in zip((c.name for c in cases), p10, p50, p90, strict=True)},
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
