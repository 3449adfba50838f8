"""The cobalt economics job: everything ``valueloop cost --out DIR`` computes and writes.

One call runs the route economics of issue 4 (report 1.3, 2, 3, 4.3 and 6): life-cycle cost,
break-even and plant NPV of the four process routes with their uncertainty bands and Sobol'
drivers; footprints, carbon cost, the CBAM what-if and the battery contribution; the
environmental-cost shock; energy benchmarking; the three chapter-6 investment cases; the
facility-location optimum and its carbon-price sweep; and the claims of chapters 1.3, 2 and 3.
It writes ``report.html`` (English and Simplified Chinese), ``results.xlsx`` (every table),
``claims.csv`` (with ``claims.xlsx``) and ``summary.json`` into one folder. The HTML is assembled
in :mod:`valueloop.reports.cobalt_economics_report`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from valueloop.core.claims import ClaimsReport, check_claims, write_claims
from valueloop.core.errors import OptionError
from valueloop.core.sensitivity import SobolResult, sobol_indices
from valueloop.core.study import Progress
from valueloop.core.tables import Table, write_json, write_xlsx
from valueloop.models.environmental_cost import environmental_shock_tables
from valueloop.models.location import LocateReport, locate
from valueloop.reports.carbon_tables import CarbonRun, carbon_tables, run_carbon
from valueloop.reports.cobalt_outlook import shipped_claims_path
from valueloop.reports.cost_tables import DEFAULT_SCENARIO, CostRun, cost_tables, run_cost
from valueloop.reports.energy_tables import energy_tables
from valueloop.reports.investment_tables import InvestmentRun, investment_tables, run_investment

CLAIMS_FILE = "cobalt-economics.toml"
"""Claims of sections 1.3, 2.1-2.3 and 3.1-3.3, checked from the report's own inputs."""
DRIVER_ROUTE = "hydromet"
DRIVER_OUTPUTS = ("full_cost", "footprint", "npv")
LOCATION_SWEEP = "0:600:50"
"""Carbon prices of the location sweep, CNY/tCO2e (0 to ten times the report's 60)."""


@dataclass(frozen=True)
class EconomicsRun:
    """Results of every part of the job, and the files written."""

    cost: CostRun
    drivers: tuple[SobolResult, ...]
    carbon: CarbonRun
    environment: tuple[Table, ...]
    energy: tuple[Table, ...]
    investment: InvestmentRun
    location: LocateReport
    claims: ClaimsReport
    files: tuple[Path, ...] = ()


def run_cobalt_economics(out_dir: Path, *, scenario: str | Path = DEFAULT_SCENARIO,
                         override: str | None = None, samples: int = 2_000, seed: int = 0,
                         driver_samples: int = 256,
                         progress: Progress | None = None) -> EconomicsRun:
    """Run every part and write the folder; see the module docstring."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OptionError("exists and is not a folder", file=out_dir, item="--out")
    cost = run_cost(scenario, override=override, samples=max(samples, 1), seed=seed,
                    progress=progress)
    route = cost.index(DRIVER_ROUTE)
    drivers = tuple(sobol_indices(cost.model, cost.scenario, output, n=driver_samples,
                                  seed=seed, select=(route,))
                    for output in DRIVER_OUTPUTS)
    carbon = run_carbon(scenario, override=override, samples=min(samples, 2_000), seed=seed)
    environment = environmental_shock_tables()
    energy = tuple(energy_tables())
    investment = run_investment(samples=min(samples, 2_000), seed=seed)
    location = locate(sweep=LOCATION_SWEEP)
    claims = check_claims(shipped_claims_path(CLAIMS_FILE))
    run = EconomicsRun(cost, drivers, carbon, environment, energy, investment, location, claims)
    return dataclasses.replace(run, files=write_economics(run, out_dir))


def all_tables(run: EconomicsRun) -> list[Table]:
    """Every table of the run, in report order (the workbook's sheets)."""
    return [*cost_tables(run.cost), *(d.table() for d in run.drivers),
            *carbon_tables(run.carbon), *run.environment, *run.energy,
            *investment_tables(run.investment), *run.location.tables(),
            run.claims.detail_table()]


def summary_json(run: EconomicsRun) -> dict[str, Any]:
    """Headline figures per route with P10/P50/P90, the location saving and claim counts."""
    cost = run.cost
    routes: dict[str, Any] = {}
    for route in cost.routes:
        i = cost.index(route)
        entry: dict[str, Any] = {
            output: {"baseline": float(cost.value(output, route))}
            for output in ("full_cost", "cash_cost", "footprint", "carbon_cost", "npv",
                           "breakeven_price")}
        if cost.study is not None:
            for output, values in entry.items():
                p10, p50, p90 = cost.study.quantiles(output)
                values.update(p10=float(p10[i]), p50=float(p50[i]), p90=float(p90[i]))
        routes[route] = entry
    comparison = run.location.comparison
    return {
        "scenario": cost.scenario.label,
        "samples": cost.study.n if cost.study is not None else 0,
        "units": {"full_cost": "CNY/t Co", "cash_cost": "CNY/t Co",
                  "footprint": "tCO2e/t Co", "carbon_cost": "CNY/t Co", "npv": "CNY",
                  "breakeven_price": "CNY/t Co"},
        "routes": routes,
        "location": {"saving_per_t": float(comparison.saving_per_t),
                     "saving_share_of_price": float(comparison.saving_share),
                     "unit": "CNY/t"},
        "claims": {"agrees": run.claims.n_agrees,
                   "agrees_within_rounding": run.claims.n_within_rounding,
                   "disagrees": run.claims.n_disagrees},
    }


def write_economics(run: EconomicsRun, out_dir: Path) -> tuple[Path, ...]:
    from valueloop.reports.cobalt_economics_report import build_report
    from valueloop.reports.html import write_report

    out_dir.mkdir(parents=True, exist_ok=True)
    summary_path, results_path = out_dir / "summary.json", out_dir / "results.xlsx"
    report_path = out_dir / "report.html"
    write_json(summary_json(run), summary_path)
    write_xlsx(all_tables(run), results_path)
    claims_files = write_claims(run.claims, out_dir / "claims.csv")
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    write_report(build_report(run, generated=generated), report_path)
    return (report_path, results_path, *claims_files, summary_path)
