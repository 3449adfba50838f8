"""The cobalt outlook job: everything ``valueloop outlook cobalt`` computes and writes.

One call runs the outlook study (P10/P50/P90 bands of demand, supply, balance and utilisation),
ranks the drivers (Sobol'), checks the seed report's claims of chapters 1, 4 and 5, runs the
supply stress tests with and without mitigations and the supply-route comparison, then writes
``report.html`` (English and Simplified Chinese), ``results.xlsx``, ``claims.csv`` (with
``claims.xlsx``) and ``summary.json`` into one folder. The HTML is assembled in
:mod:`valueloop.reports.cobalt_outlook_report`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from valueloop.core.claims import ClaimsReport, check_claims, write_claims
from valueloop.core.errors import OptionError, ScenarioStructureError
from valueloop.core.formula import Series
from valueloop.core.model import ModelDefinition
from valueloop.core.sampling import Method, baseline_inputs
from valueloop.core.scenario import Scenario, load_scenario
from valueloop.core.sensitivity import SobolResult, sobol_indices
from valueloop.core.study import Progress, StudyResult, run_study
from valueloop.core.summary import band_records, band_table
from valueloop.core.tables import Table, write_json, write_xlsx
from valueloop.core.units import unit_registry
from valueloop.models import stress
from valueloop.models.backtest import BacktestResult, run_backtest
from valueloop.models.outlook import OUTPUT_YEARS
from valueloop.models.registry import get_model

DEFAULT_SCENARIO = "valueloop:cobalt-cn-2024"
ROUTES_SCENARIO = "valueloop:cobalt-routes"
OUTLOOK_MODEL = "cobalt-outlook"
CLAIMS = (("cobalt-ch1.toml", None), ("cobalt-ch5.toml", None),
          ("cobalt-ch4.toml", ROUTES_SCENARIO))
"""Claims files and the scenario each is checked against (None: the outlook scenario)."""
REPORTED = (
    "ev_gwh", "storage_gwh", "portable_gwh", "battery_cobalt_by_chemistry",
    "world_battery_cobalt", "china_battery_cobalt", "china_cobalt_demand", "world_lfp_share",
    "recycled_cobalt", "end_of_life_cobalt", "recycled_share", "hydroxide_demand_metal",
    "hydroxide_demand_physical", "hydroxide_capacity", "utilisation", "imports",
    "import_dependence", "import_hhi", "world_supply", "world_demand", "world_balance",
    "price_index", "hydroxide_price",
)
"""Outputs kept for every sample; the rest are computed and dropped chunk by chunk."""
DRIVER_OUTPUT = ("hydroxide_demand_metal", 2030)
STRESS_HORIZON = 36
BACKTEST_START = 2020
SUBSTITUTION_VARIANTS = ("fast-lfp", "fast-sodium", "high-nickel", "fast-bypass",
                         "all-substitution")
"""Named overrides of the outlook scenario that push one substitution path (report 5.2)."""
STRESS_MONTH0 = (2025, 1)


@dataclass(frozen=True)
class StressOutcome:
    """Stress-test results for each mitigation package: ``(N, K, H)`` inventory days etc."""

    cases: tuple[str, ...]
    packages: dict[str, stress.StressResult]
    warning_days: float


@dataclass(frozen=True)
class OutlookRun:
    scenario: Scenario
    model: ModelDefinition
    study: StudyResult
    baseline: dict[str, np.ndarray]
    claims: tuple[ClaimsReport, ...]
    drivers: SobolResult
    stress: StressOutcome
    routes: StudyResult
    backtest: BacktestResult
    substitution: Table
    files: tuple[Path, ...]


def shipped_claims_path(name: str) -> Path:
    return Path(str(resources.files("valueloop.data") / "claims" / name))


def run_cobalt_outlook(out_dir: Path, *, scenario_file: str | Path = DEFAULT_SCENARIO,
                       override: str | None = None, samples: int = 10_000, seed: int = 0,
                       method: Method = "mc", scheduler: str | None = None,
                       driver_samples: int = 256, stress_samples: int = 1_000,
                       progress: Progress | None = None) -> OutlookRun:
    """Run the whole outlook and write its folder; see the module docstring."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OptionError("exists and is not a folder", file=out_dir, item="--out")
    scenario = load_scenario(scenario_file, override=override)
    if scenario.model != OUTLOOK_MODEL:
        raise ScenarioStructureError(
            f"the cobalt outlook needs a scenario for model {OUTLOOK_MODEL!r}, not "
            f"{scenario.model!r}", file=scenario.file, item="scenario.model",
            allowed=OUTLOOK_MODEL)
    model = get_model(scenario.model)
    study = run_study(model, scenario, samples, method=method, seed=seed, scheduler=scheduler,
                      keep=REPORTED, dtype=np.float32, progress=progress)
    baseline = model(baseline_inputs(scenario), 1)
    claims = check_all_claims(scenario, model, baseline)
    output, label = DRIVER_OUTPUT
    drivers = sobol_indices(model, scenario, output, n=driver_samples, seed=seed,
                            select=(OUTPUT_YEARS.index(label),))
    stress_outcome = run_stress_tests(stress_samples, seed)
    routes_scenario = load_scenario(ROUTES_SCENARIO)
    routes = run_study(get_model(routes_scenario.model), routes_scenario, 5_000, seed=seed)
    backtest = run_backtest(BACKTEST_START, samples=2_000, seed=seed, scenario=scenario)
    substitution = substitution_table(scenario_file, model, min(samples, 2_000), seed)

    run = OutlookRun(scenario, model, study, baseline, claims, drivers, stress_outcome, routes,
                     backtest, substitution, ())
    return dataclasses.replace(run, files=write_outlook(run, out_dir))


def check_all_claims(scenario: Scenario, model: ModelDefinition,
                     baseline: dict[str, np.ndarray]) -> tuple[ClaimsReport, ...]:
    """Chapters 1, 5 (with the baseline outputs as ``outputs.*``) and 4 (route scenario)."""
    outputs = baseline_series(model, baseline)
    reports = []
    for name, other in CLAIMS:
        path = shipped_claims_path(name)
        if other is None:
            reports.append(check_claims(path, scenario=scenario, extra=outputs))
        else:
            reports.append(check_claims(path))
    return tuple(reports)


def baseline_series(model: ModelDefinition, baseline: dict[str, np.ndarray]
                    ) -> dict[str, Series]:
    """Year-indexed baseline outputs as claim-formula values ``outputs.NAME``."""
    registry = unit_registry()
    series: dict[str, Series] = {}
    for declared in model.outputs:
        if declared.axes == ("year",):
            values = registry.Quantity(np.asarray(baseline[declared.name][0], dtype=float),
                                       declared.unit)
            series[f"outputs.{declared.name}"] = Series(values, OUTPUT_YEARS)
    return series


def run_stress_tests(n: int, seed: int) -> StressOutcome:
    """The stress catalogue over ``n`` samples of its most uncertain inputs, per mitigation.

    Sampled (our assumptions, around the module's defaults): normal cover 21-35 days around the
    report's 28-day turnover; the share of a DRC quota that reaches China 0.35-0.65 around the
    2024 ratio of 0.48; the price elasticity 2-4.5 around the calibrated 3.14.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x57,)))
    normal_days = rng.triangular(21.0, stress.NORMAL_DAYS_2024, 35.0, n)
    share = rng.triangular(0.35, 0.48, 0.65, n)
    market = stress.market_2024(normal_days=normal_days)
    parameters = {name: {"share_to_china": share} for name in ("drc-export-quota",
                                                               "drc-2025-actual")}
    month0 = datetime(*STRESS_MONTH0, 1).date()
    packages = {}
    for package, mitigation in stress.mitigation_catalogue().items():
        if package not in ("none", "combined"):
            continue
        cases = stress.catalogue(month0=month0, mitigation=mitigation, parameters=parameters)
        packages[package] = stress.simulate(market, cases, horizon=STRESS_HORIZON)
    names = tuple(stress.catalogue(month0=month0, parameters=parameters))
    return StressOutcome(names, packages, stress.WARNING_DAYS)


def stress_table(outcome: StressOutcome) -> Table:
    records = []
    for package, result in outcome.packages.items():
        summary = result.summary()
        for k, case in enumerate(outcome.cases):
            shortfall = summary["cumulative_shortfall"][:, k]
            recovery = summary["time_to_recovery"][:, k]
            price = summary["peak_price_multiplier"][:, k]
            records.append({
                "case": case, "mitigation": package,
                "min_days_p50": float(np.median(summary["minimum_days"][:, k])),
                "months_below_p50": float(np.median(summary["periods_below_warning"][:, k])),
                "shortfall_p10": float(np.quantile(shortfall, 0.1)),
                "shortfall_p50": float(np.median(shortfall)),
                "shortfall_p90": float(np.quantile(shortfall, 0.9)),
                "recovery_months_p50": _finite(float(np.median(recovery))),
                "price_peak_p10": float(np.quantile(price, 0.1)),
                "price_peak_p90": float(np.quantile(price, 0.9)),
            })
    return Table.from_records(
        "stress tests", records, units={"min_days_p50": "days", "shortfall_p10": "t",
                                        "shortfall_p50": "t", "shortfall_p90": "t",
                                        "recovery_months_p50": "months"},
        notes=(f"{STRESS_HORIZON} months from January 2025; warning line "
               f"{outcome.warning_days:g} days (report 1.2); an empty recovery means still "
               "below the line at the end",))


def _finite(value: float) -> float | None:
    """None for a recovery that never happens within the horizon (JSON has no infinity)."""
    return value if np.isfinite(value) else None


def routes_table(routes: StudyResult) -> Table:
    from valueloop.models.operating import DEFAULT_ROUTES

    records = []
    for name, unit in (("landed_cost", "USD/t"), ("risk_adjusted_cost", "USD/t"),
                       ("footprint", "tCO2e/t")):
        values = routes.outputs[name]
        for r, route in enumerate(DEFAULT_ROUTES):
            q10, q50, q90 = np.quantile(values[:, r], (0.1, 0.5, 0.9))
            records.append({"route": route.id, "quantity": name, "unit": unit,
                            "p10": float(q10), "p50": float(q50), "p90": float(q90)})
    return Table.from_records("supply routes", records)


def substitution_table(scenario_file: str | Path, model: ModelDefinition, n: int,
                       seed: int) -> Table:
    """Hydroxide and battery cobalt demand under each substitution variant (report 5.2).

    Every variant runs on the same seed (common random numbers), so differences between rows
    come from the variant, not from sampling noise. Variants the scenario does not define are
    skipped, so a user's own scenario without them still runs.
    """
    keep = ("hydroxide_demand_metal", "world_battery_cobalt", "world_lfp_share")
    records = []
    definition_overrides = load_scenario(scenario_file).definition.overrides
    for variant in (None, *SUBSTITUTION_VARIANTS):
        if variant is not None and variant not in definition_overrides:
            continue
        scenario = load_scenario(scenario_file, override=variant)
        result = run_study(model, scenario, n, seed=seed, keep=keep)
        record: dict[str, Any] = {"variant": variant or "baseline"}
        for name, label in (("hydroxide_demand_metal", "hydroxide"),
                            ("world_battery_cobalt", "battery_cobalt")):
            for year in (2030, 2035):
                q = np.quantile(result.outputs[name][:, OUTPUT_YEARS.index(year)],
                                (0.1, 0.5, 0.9))
                record[f"{label}_{year}_p50"] = float(q[1])
                if year == 2035:
                    record[f"{label}_{year}_p10"] = float(q[0])
                    record[f"{label}_{year}_p90"] = float(q[2])
        record["lfp_share_2035_p50"] = float(np.median(
            result.outputs["world_lfp_share"][:, OUTPUT_YEARS.index(2035)]))
        records.append(record)
    return Table.from_records("substitution variants", records,
                              notes=(f"{n:,} samples per variant, same seed",))


def closed_loop_table(run: OutlookRun) -> Table:
    """Report 4.2 with the regulation's own figures, and what recycling does to supply risk.

    By year: the EU Art. 8 minimum recycled cobalt share (day-weighted over the year) and the
    Annex XII Part C recovery target in force; from the outlook, the recycled share of China's
    supply (P50), the supply HHI with recycling counted as its own source next to import origins
    (baseline), and the price volatility that primary supply shocks cause, relative to a market
    without recycling: ``(1 - r)``, from :func:`valueloop.models.operating.price_volatility`.
    """
    from valueloop.models import operating

    years = np.asarray(OUTPUT_YEARS)
    art8 = operating.art8_minimum_share_year_average(years)
    # Before the first Annex XII deadline no target is in force: shown empty, not assumed.
    recovery = operating.annex_xii_recovery(years + 0.999, before=float("nan"))
    recycled = np.asarray(run.study.outputs["recycled_share"], dtype=float)
    defaults = operating.default_closed_loop_values()
    sigma = defaults["cobalt.closed_loop.primary_supply_shock_sd"]
    elasticity = defaults["cobalt.closed_loop.demand_elasticity"]
    volatility = operating.price_volatility(sigma, recycled, elasticity)
    no_recycling = operating.price_volatility(sigma, 0.0, elasticity)
    hhi_with = operating.supply_hhi(run.baseline["imports_by_origin"][0],
                                    run.baseline["recycled_cobalt"][0])
    hhi_origins = run.baseline["import_hhi"][0]
    records = []
    for t, year in enumerate(OUTPUT_YEARS):
        records.append({
            "year": year, "art8_cobalt_minimum": float(art8[t]),
            "annex_xii_recovery": _finite(float(recovery[t])),
            "recycled_share_p50": float(np.median(recycled[:, t])),
            "hhi_import_origins": float(hhi_origins[t]),
            "hhi_with_recycling": float(hhi_with[t]),
            "price_volatility_vs_none_p50": float(np.median(volatility[:, t]) / no_recycling),
        })
    return Table.from_records(
        "closed loop", records,
        notes=("Art. 8 day-weighted within the year (16 % from 18 Aug 2031, 26 % from 18 Aug "
               "2036); Annex XII Part C in force at the year's end; volatility relative to no "
               "recycling, our assumption that recycled supply does not share primary shocks",))


def summary_json(run: OutlookRun) -> dict[str, Any]:
    """Key series by year with their bands, the claims verdicts and the stress headlines."""
    series: dict[str, Any] = {}
    for record in band_records(run.study, run.model):
        entry = series.setdefault(record["output"], {"unit": record["unit"], "values": {}})
        entry["values"][record["index"] or "value"] = {
            key: record[key] for key in ("mean", "sd", "p10", "p50", "p90")}
    verdicts: dict[str, int] = {}
    for report in run.claims:
        for result in report.results:
            verdicts[result.verdict] = verdicts.get(result.verdict, 0) + 1
    return {
        "scenario": run.scenario.label,
        "model": run.model.name,
        "samples": run.study.n,
        "method": run.study.method,
        "seed": run.study.seed,
        "years": list(OUTPUT_YEARS),
        "outputs": series,
        "claims": verdicts,
        "drivers": {"output": f"{DRIVER_OUTPUT[0]} {DRIVER_OUTPUT[1]}",
                    "factors": list(run.drivers.factors),
                    "ST": [float(v) for v in run.drivers.ST]},
        "substitution": run.substitution.records(),
        "stress": stress_table(run.stress).records(),
        "backtest": {"start_year": run.backtest.start_year,
                     "scores": run.backtest.scores.records()},
    }


def write_outlook(run: OutlookRun, out_dir: Path) -> tuple[Path, ...]:
    from valueloop.reports.cobalt_outlook_report import build_report
    from valueloop.reports.html import write_report

    out_dir.mkdir(parents=True, exist_ok=True)
    merged = run.claims[0].combined(run.claims[1:])
    tables = [band_table(run.study, run.model), merged.detail_table(), run.drivers.table(),
              run.substitution, stress_table(run.stress), routes_table(run.routes),
              closed_loop_table(run),
              run.backtest.scores, run.backtest.detail]
    summary_path, results_path = out_dir / "summary.json", out_dir / "results.xlsx"
    report_path = out_dir / "report.html"
    write_json(summary_json(run), summary_path)
    write_xlsx(tables, results_path)
    claims_files = write_claims(merged, out_dir / "claims.csv")
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    write_report(build_report(run, generated=generated), report_path)
    return (report_path, results_path, *claims_files, summary_path)
