"""Process-route throughput: cost plus footprint of all four routes, against per-sample loops.

The scenario is the shipped ``cobalt-process-routes`` (122 uncertain inputs, rank-correlated
prices). The headline is issue 4's figure: **cost plus footprint plus NPV of one route**
(hydromet), end to end through :func:`valueloop.core.study.run_study` (sampling of every uncertain
input of the scenario, Iman-Conover, the one-route model with its plant cash-flow table, NPV and
paybacks, chunks on one thread per core), target 10^6 samples in under 5 s on 2 cores, against
the same one-route model called once per sample. Then the four routes together, measured against
per-sample loops in the same run, so that the ratios do not depend on the machine:

* **study**: :func:`valueloop.core.study.run_study` end to end (sampling, Iman-Conover, the whole
  model with all its outputs, chunks on one thread per core), keeping full cost and footprint;
* **kernel, cost + footprint**: the samples are drawn chunk by chunk (65,536 at a time, not timed)
  and only the cost and footprint kernels run on them, on one thread;
* **kernel, all outputs**: the model's ``evaluate`` on the same chunks, on one thread;
* **loop, pure Python**: the same cost and footprint formulas with Python floats, one sample and
  route at a time (checked against the vectorised kernel first);
* **loop, N = 1**: the vectorised ``evaluate`` called once per sample, as a per-sample driver
  would call it.

    python benchmarks/bench_process_routes.py [--samples 1000000] [--loop-samples 3000] [--quick]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Mapping

import numpy as np

from valueloop.core.sampling import sample
from valueloop.core.scenario import Scenario, load_scenario
from valueloop.core.study import run_study
from valueloop.models.process_route_definitions import (
    DEFAULT_ROUTES,
    FUEL_UNITS,
    HYDROMET,
    ProcessRouteDefinition,
)
from valueloop.models.process_routes import (
    CO2_PER_LIMESTONE,
    PROCESS_ROUTES,
    cobalt_balance,
    cost_structure,
    footprint_breakdown,
    process_arrays,
    process_routes_model,
)

CHUNK = 65_536


def cost_and_footprint(inputs: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Full cost and footprint per t Co, ``(N, R)`` each: the vectorised kernels only."""
    arrays = process_arrays(inputs)
    balance = cobalt_balance(arrays)
    content = arrays.product_co_content
    full = cost_structure(arrays, balance).breakdown().sum(axis=-1) / content
    return full, footprint_breakdown(arrays, balance).sum(axis=-1) / content


def scalar_cost_and_footprint(values: Mapping[str, float], route: ProcessRouteDefinition
                              ) -> tuple[float, float]:
    """The same formulas for one sample and route, with Python floats."""
    def p(key: str, default: float | None = None) -> float:
        name = f"cobalt.process.{route.id}.{key}"
        return values[name] if default is None or name in values else default

    def shared(name: str) -> float:
        return values[name]

    content = p("product_co_content")
    overall = p("recovery") * p("pretreatment_recovery", 1.0)
    feed = content / (p("feed_grade") * overall)
    joint = feed * p("co_allocation", 1.0)
    basis = joint if route.intensity_basis == "feed" else 1.0
    bought = joint if route.feed_price_basis == "feed_material" else feed * p("feed_grade")
    raw = bought * p("feed_price") * (1.0 + p("feed_charges_rate")) + p("compliance_cost")
    kwh = p("electricity") * basis + p("pretreatment_electricity", 0.0) * joint
    fuels = sum(p(f"fuel.{f}") * shared(f"cobalt.process.price.{f}") * FUEL_UNITS[f].cost_scale
                for f in route.fuels)
    energy = (kwh * (shared("cobalt.process.price.electricity") + p("green_share")
                     * shared("cobalt.process.price.green_certificate") / 1e3)
              + basis * (p("steam") * shared("cobalt.process.price.steam") + fuels))
    reagents = basis * (sum(p(f"reagent.{r}") * shared(f"cobalt.process.price.{r}")
                            for r in route.reagents) / 1e3
                        + p("water") * shared("cobalt.process.price.water"))
    environment = basis * (p("wastewater") * p("wastewater_cost")
                           + p("residue") * p("residue_cost"))
    cash = raw + energy + reagents + environment + joint * p("feed_freight") + p("product_freight")
    ratio = p("capacity") / p("reference_capacity")
    capex = (p("capex") * ratio ** (shared("cobalt.process.scale.capex_exponent") - 1.0)
             * p("capacity"))
    labour = (p("capacity") * ratio ** (shared("cobalt.process.scale.fixed_cost_exponent") - 1.0)
              * (p("wage") / p("labour_productivity") + p("management_cost")))
    rate = shared("cobalt.process.financing.rate")
    output = p("utilisation") * p("capacity")
    per_t_labour = labour / output
    full = (cash + per_t_labour + capex / p("depreciation_life") / output
            + rate * p("working_capital_days") / 365.0 * (cash + per_t_labour)
            + rate * shared("cobalt.process.financing.debt_share") * capex / 2.0 / output)

    def factor(item: str) -> float:
        return values[f"carbon.factor.{item}"]

    kg = (kwh * p("grid_factor") * (1.0 - p("green_share"))
          + basis * p("steam") * factor("steam")
          + basis * sum(p(f"fuel.{f}") * factor(f) * FUEL_UNITS[f].emission_scale
                        for f in route.fuels)
          + basis * sum(p(f"reagent.{r}") * factor(r) for r in route.reagents)
          + basis * (p("process_emissions") + (p("reagent.limestone") * CO2_PER_LIMESTONE
                                               if "limestone" in route.reagents else 0.0))
          + basis * (p("wastewater") * factor("wastewater_treatment")
                     + p("residue") * factor(route.residue_disposal))
          + (joint * p("feed_distance") * factor(route.feed_mode)
             + p("product_distance") * factor(route.product_mode)) / 1e3)
    return full / content, kg / 1e3 / content


def sample_values(inputs: Mapping[str, np.ndarray], i: int) -> dict[str, float]:
    """Sample ``i`` as Python floats (fixed inputs have a leading axis of 1)."""
    return {name: float(array[i] if array.shape[0] > 1 else array[0])
            for name, array in inputs.items() if array.ndim == 1}


def chunks(n: int) -> list[tuple[int, int]]:
    return [(start, min(start + CHUNK, n)) for start in range(0, n, CHUNK)]


def timed_kernel(scenario: Scenario, n: int, seed: int,
                 kernel: Callable[[Mapping[str, np.ndarray]], object]) -> float:
    """Seconds spent in ``kernel`` over all chunks; sampling is not timed."""
    spent = 0.0
    for start, stop in chunks(n):
        inputs = sample(scenario, n, seed=seed, start=start, stop=stop)
        began = time.perf_counter()
        kernel(inputs)
        spent += time.perf_counter() - began
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--loop-samples", type=int, default=3_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true",
                        help="a small run: 50,000 samples, 500 loop samples")
    args = parser.parse_args()
    n, m = (50_000, 500) if args.quick else (args.samples, args.loop_samples)
    scenario = load_scenario("valueloop:cobalt-process-routes")
    routes = DEFAULT_ROUTES

    loop_inputs = sample(scenario, m, seed=args.seed)
    full, footprint = cost_and_footprint(loop_inputs)
    for i in range(min(m, 200)):
        values = sample_values(loop_inputs, i)
        for r, route in enumerate(routes):
            cost, carbon = scalar_cost_and_footprint(values, route)
            assert abs(cost / full[i, r] - 1.0) < 1e-9 and abs(carbon / footprint[i, r] - 1) < 1e-9

    one_route = process_routes_model((HYDROMET,))
    headline_keep = ("full_cost", "footprint", "npv")
    run_study(one_route, scenario, min(n, 2 * CHUNK), seed=args.seed, keep=headline_keep)  # warm
    began = time.perf_counter()
    headline = run_study(one_route, scenario, n, seed=args.seed, keep=headline_keep)
    headline_time = time.perf_counter() - began
    k_one = min(m, 300)
    one_inputs = [{name: array[i:i + 1] if array.shape[0] > 1 else array
                   for name, array in loop_inputs.items()} for i in range(k_one)]
    began = time.perf_counter()
    for inputs in one_inputs:
        one_route.evaluate(inputs)
    one_single_rate = k_one / (time.perf_counter() - began)
    headline_rate = n / headline_time
    print(f"headline: cost + footprint + NPV of one route ({HYDROMET.id}), run_study end to end, "
          f"N = {n:,}")
    print(f"  {headline_time:8.2f} s  {headline_rate:12,.0f} samples/s  "
          f"(target: 1,000,000 in < 5 s: "
          f"{'met' if headline_rate * 5.0 >= 1_000_000 else 'missed'})")
    print(f"  baseline, the same model called once per sample ({k_one:,} samples): "
          f"{one_single_rate:12,.0f} samples/s; ratio {headline_rate / one_single_rate:,.0f} x")
    p10, p50, p90 = (float(q[0]) for q in headline.quantiles("npv"))
    print(f"  plant NPV P10/P50/P90: {p10 / 1e8:,.2f} / {p50 / 1e8:,.2f} / {p90 / 1e8:,.2f} "
          "亿元")

    began = time.perf_counter()
    study = run_study(PROCESS_ROUTES, scenario, n, seed=args.seed,
                      keep=("full_cost", "footprint", "npv"))
    study_time = time.perf_counter() - began
    lean_time = timed_kernel(scenario, n, args.seed, cost_and_footprint)
    model_time = timed_kernel(scenario, n, args.seed, PROCESS_ROUTES.evaluate)

    rows = [sample_values(loop_inputs, i) for i in range(m)]
    began = time.perf_counter()
    for values in rows:
        for route in routes:
            scalar_cost_and_footprint(values, route)
    python_time = time.perf_counter() - began
    k = min(m, 500)
    singles = [{name: array[i:i + 1] if array.shape[0] > 1 else array
                for name, array in loop_inputs.items()} for i in range(k)]
    began = time.perf_counter()
    for inputs in singles:
        PROCESS_ROUTES.evaluate(inputs)
    single_time = time.perf_counter() - began

    rates = {"study": n / study_time, "lean": n / lean_time, "model": n / model_time,
             "python": m / python_time, "single": k / single_time}
    print(f"process routes: {len(routes)} routes, N = {n:,} samples, "
          f"{len(scenario.uncertain_scalars())} uncertain inputs, {study.chunks} study chunks")
    print(f"  study (run_study, all outputs incl. NPV): {study_time:7.2f} s "
          f"{rates['study']:12,.0f} samples/s")
    print(f"  kernel cost + footprint (1 thread):      {lean_time:8.2f} s "
          f"{rates['lean']:12,.0f} samples/s")
    print(f"  kernel all outputs (1 thread):           {model_time:8.2f} s "
          f"{rates['model']:12,.0f} samples/s")
    print(f"  loop, pure Python ({m:,} samples):       {'':10} {rates['python']:12,.0f} samples/s "
          f"({n / rates['python']:,.0f} s for N)")
    print(f"  loop, evaluate with N = 1 ({k:,}):        {'':10} {rates['single']:12,.0f} samples/s")
    print(f"  ratio kernel cost + footprint / pure Python loop: "
          f"{rates['lean'] / rates['python']:8,.0f} x")
    print(f"  ratio study / pure Python loop:                   "
          f"{rates['study'] / rates['python']:8,.0f} x")
    print(f"  ratio kernel all outputs / N = 1 loop:            "
          f"{rates['model'] / rates['single']:8,.0f} x")
    p50 = study.quantiles("full_cost")[1]
    print("  full cost P50 (CNY/t Co): " + ", ".join(
        f"{route.id} {value:,.0f}" for route, value in zip(routes, p50, strict=True)))


if __name__ == "__main__":
    main()
