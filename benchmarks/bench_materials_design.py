"""Inverse design: time and evaluations to the first feasible candidate, with a baseline.

For each device requirement of ``examples/requirements/`` (built here from the same device
templates when the folder is missing) and a harder hand-made target, measured in the same run:

* NSGA-II from a uniform random first population;
* NSGA-II warm-started from training rows that use only the design elements;
* the same, kept within the measured data (``within_measured``: no candidate predicted better
  than every training row measured in the designed properties);
* the baseline: uniform random sampling of the same box, in batches of the population size,
  through the same evaluation function (:class:`valueloop.materials.design_encoding.Evaluator`),
  until a batch holds a feasible candidate or the budget (``--budget`` times the NSGA-II
  evaluations) is spent.

Each figure is the median over several seeds; a search that found nothing counts as infinite,
so a median printed as ``>N`` means most seeds found nothing within ``N`` evaluations. Ratios
are the baseline's median over the method's. The full NSGA-II run time (population x
generations) is printed too. Models come from the model cache (trained once if absent).

    python benchmarks/bench_materials_design.py [--seeds 5] [--population 40]
                                                [--generations 50] [--quick]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from valueloop.materials.design import DesignSettings, design, prepare
from valueloop.materials.model_cache import load_or_train
from valueloop.materials.properties import AlloyTable, load_shipped
from valueloop.materials.property_models import PropertyModel
from valueloop.materials.requirement import (
    Requirement,
    load_requirement,
    requirement_from_mapping,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "requirements"
# Fallback devices (the figures of examples/05_device_translation.py) if the folder is missing.
DEVICES = {
    "connector": {"template": "connector", "current": "10 A", "temperature_rise": "30 K",
                  "ambient_temperature": "85 degC", "length": "20 mm", "width": "0.64 mm",
                  "thickness": "0.64 mm", "contact_force": "2 N", "spring_length": "3 mm"},
    "pcb_foil": {"template": "pcb_foil", "frequency": "28 GHz", "line_width": "0.2 mm",
                 "max_conductor_loss_db_per_m": 60.0},
    "hairpin": {"template": "hairpin", "current_density": "15 A/mm**2",
                "max_loss_density": "8 W/cm**3", "temperature_class": "180 degC",
                "conductor_thickness": "2 mm", "bend_radius": "4 mm"},
}
# Harder than the devices (our choice): near the strength-conductivity frontier of the data,
# where Cu-Cr-Zr (about 80 %IACS, 150-180 HV) and Cu-Ni-Si (about 40 %IACS, 250 HV) do not reach.
HARD = {"name": "hard: EC >= 65 %IACS, HV >= 210", "constraint": [
    {"property": "electrical_conductivity_iacs", "operator": ">=", "value": 65, "unit": "%IACS"},
    {"property": "hardness_hv", "operator": ">=", "value": 210, "unit": "HV"}],
    "objective": [{"property": "electrical_conductivity_iacs", "sense": "max"},
                  {"property": "hardness_hv", "sense": "max"}]}


@dataclass(frozen=True)
class FirstFeasible:
    """Evaluations and seconds to the first feasible candidate (``inf`` when none)."""

    evaluations: float
    seconds: float


def requirements() -> dict[str, Requirement]:
    """The device examples (files, else built from templates) and the hard target."""
    found: dict[str, Requirement] = {}
    if EXAMPLES.is_dir():
        for path in sorted(EXAMPLES.glob("*.toml")):
            found[path.stem] = load_requirement(path)
    else:
        for name, device in DEVICES.items():
            found[name] = requirement_from_mapping({"name": name, "device": device})
    found["hard"] = requirement_from_mapping(HARD)
    return found


def random_search(requirement: Requirement, models: Mapping[str, PropertyModel],
                  table: AlloyTable, settings: DesignSettings, budget: int) -> FirstFeasible:
    """Uniform sampling of the NSGA-II box in batches of the population size."""
    setup = prepare(requirement, models, table, settings=settings)
    lower, upper = setup.encoding.lower(), setup.encoding.upper()
    rng = np.random.default_rng(settings.seed)
    start = time.perf_counter()
    evaluations = 0
    while evaluations < budget:
        x = lower + rng.random((settings.population, len(lower))) * (upper - lower)
        evaluations += len(x)
        if np.any(setup.evaluator.evaluate(x).feasible):
            return FirstFeasible(evaluations, time.perf_counter() - start)
    return FirstFeasible(math.inf, math.inf)


def nsga(requirement: Requirement, models: Mapping[str, PropertyModel], table: AlloyTable,
         settings: DesignSettings) -> tuple[FirstFeasible, float, int]:
    """First feasible, total seconds and evaluations of one full NSGA-II run."""
    result = design(requirement, models, settings=settings, table=table)
    timing = result.timing
    first = FirstFeasible(
        math.inf if timing.first_feasible_evaluations is None
        else timing.first_feasible_evaluations,
        math.inf if timing.first_feasible_seconds is None else timing.first_feasible_seconds)
    return first, timing.seconds, timing.evaluations


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _show(value: float, digits: str, missing: str) -> str:
    return missing if math.isinf(value) else format(value, digits)


def _ratio(baseline: float, method: float) -> str:
    if math.isinf(method):
        return "n/a"
    if math.isinf(baseline):
        return "> budget"
    return f"{baseline / method:.1f}x"


def main() -> None:
    """Print the timings as Markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--population", type=int, default=40)
    parser.add_argument("--generations", type=int, default=50)
    parser.add_argument("--budget", type=int, default=5,
                        help="random-sampling budget, in multiples of the NSGA-II evaluations")
    parser.add_argument("--quick", action="store_true", help="2 seeds, 20 x 20")
    args = parser.parse_args()
    seeds = 2 if args.quick else args.seeds
    population, generations = (20, 20) if args.quick else (args.population, args.generations)
    budget = args.budget * population * generations
    table = load_shipped()
    start = time.perf_counter()
    models = load_or_train(table)
    print(f"models ready in {time.perf_counter() - start:.1f} s (model cache)\n")
    print(f"first feasible candidate: median over {seeds} seeds; NSGA-II {population} x "
          f"{generations}; random sampling in batches of {population}, at most {budget} "
          "evaluations\n")
    print("| requirement | method | found | evaluations | seconds | ratio evals | ratio time |")
    print("|---|---|---:|---:|---:|---:|---:|")
    full: dict[str, tuple[float, float]] = {}
    for name, requirement in requirements().items():
        runs: dict[str, list[FirstFeasible]] = {"random sampling": [], "NSGA-II": [],
                                                "NSGA-II warm start": [],
                                                "NSGA-II warm start, within measured": []}
        totals = []
        for seed in range(seeds):
            settings = DesignSettings(population=population, generations=generations,
                                      seed=seed, warm_start=False)
            runs["random sampling"].append(random_search(requirement, models, table,
                                                         settings, budget))
            first, seconds, evaluations = nsga(requirement, models, table, settings)
            runs["NSGA-II"].append(first)
            totals.append((seconds, evaluations))
            warm = DesignSettings(population=population, generations=generations, seed=seed,
                                  warm_start=True)
            runs["NSGA-II warm start"].append(nsga(requirement, models, table, warm)[0])
            within = replace(warm, within_measured=True)
            runs["NSGA-II warm start, within measured"].append(
                nsga(requirement, models, table, within)[0])
        full[name] = (_median([t[0] for t in totals]), _median([t[1] for t in totals]))
        base_evals = _median([r.evaluations for r in runs["random sampling"]])
        base_seconds = _median([r.seconds for r in runs["random sampling"]])
        for method, results in runs.items():
            evals = _median([r.evaluations for r in results])
            seconds = _median([r.seconds for r in results])
            found = sum(not math.isinf(r.evaluations) for r in results)
            ratio_e = "1" if method == "random sampling" else _ratio(base_evals, evals)
            ratio_t = "1" if method == "random sampling" else _ratio(base_seconds, seconds)
            print(f"| {name} | {method} | {found}/{seeds} | {_show(evals, '.0f', f'>{budget}')} "
                  f"| {_show(seconds, '.3f', '-')} | {ratio_e} | {ratio_t} |")
    print(f"\nfull NSGA-II run ({population} x {generations}, random start), median over "
          f"{seeds} seeds:\n")
    print("| requirement | seconds | evaluations |")
    print("|---|---:|---:|")
    for name, (seconds, evaluations) in full.items():
        print(f"| {name} | {seconds:.2f} | {evaluations:.0f} |")


if __name__ == "__main__":
    main()
