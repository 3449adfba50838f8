"""Backtest: forecast from an earlier year with what was known then, score what followed.

The forecast uses the outlook's own kernels and priors, restricted to information available in
the start year:

* **EV sales** (light-duty BEV + PHEV, China, Europe, USA, world): the start year's IEA sales
  grown at the trend of the preceding years, with the growth rate uncertain (our assumption:
  normal, s.d. :data:`GROWTH_SPREAD` around the trend). Actuals: IEA Global EV Data 2024.
* **China's LFP share of traction batteries** in 2024: the outlook's logistic, anchored on the
  report's 2020 share (38.3 %, report 1.1), with the saturation and rate sampled from the outlook
  scenario's own distributions. Actual: 68.7 % (report 1.1). Only from a 2020 start.
* **China's cobalt intermediate imports** (report 1.2 table): the start year's imports scaled by
  a demand index: an EV part that follows forecast Chinese EV sales, the non-LFP share and
  cobalt thrifting, and a non-EV part held flat; the EV weight in the start year is our
  assumption (uniform :data:`EV_WEIGHT`).

Scores per target: MAPE and bias of the median, RMSE, the share of actuals inside the P10-P90
band (coverage), and the skill against a naive forecast that holds the start-year value
(1 - MAPE / MAPE of the naive forecast; positive means better than no change).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from valueloop.core.datatables import load_table
from valueloop.core.errors import OptionError
from valueloop.core.scenario import Scenario, load_scenario
from valueloop.core.tables import Table
from valueloop.models.substitution import logistic_through

REGIONS = {"China": "china", "Europe": "europe", "USA": "usa", "World": "world"}
LIGHT_DUTY = ("Cars", "Vans")
LAST_ACTUAL_SALES = 2023
TREND_YEARS = 3
GROWTH_SPREAD = 0.10
"""Standard deviation of the sampled growth rate around the trend (our assumption)."""
EV_WEIGHT = (0.2, 0.45)
"""Range of the EV share of China's cobalt use in the start year (our assumption: portable
electronics dominated cobalt demand until about 2021)."""
LFP_2020 = ("chem.china.lfp_saturation", "chem.china.lfp_rate")
REPORT_LFP_2020 = 0.383  # report 1.1, CABIA
REPORT_LFP_2024 = 0.687  # report 1.1, CABIA
START_YEARS = (2019, 2020, 2021)


@dataclass(frozen=True)
class BacktestResult:
    start_year: int
    samples: int
    detail: Table
    scores: Table


def _sales(table_region: str) -> dict[int, float]:
    table = load_table("ev_sales")
    totals: dict[int, float] = {}
    for row in table.where(region=table_region, category="Historical"):
        if row["mode"] in LIGHT_DUTY:
            year = int(row["year"])  # type: ignore[arg-type]
            totals[year] = totals.get(year, 0.0) + float(row["value"])  # type: ignore[arg-type]
    return totals


def _draw(scenario: Scenario, name: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """Samples of one outlook parameter from its own distribution (inverse CDF)."""
    parameter = scenario.parameters[name]
    if parameter.distribution is None:
        return np.full(n, float(parameter.value))  # type: ignore[arg-type]
    return parameter.distribution.ppf(rng.random(n), parameter.bounds)


def run_backtest(start_year: int = 2020, *, samples: int = 2_000, seed: int = 0,
                 scenario: Scenario | None = None) -> BacktestResult:
    if start_year not in START_YEARS:
        raise OptionError(f"no backtest from {start_year}", item="--start",
                          allowed=", ".join(str(y) for y in START_YEARS))
    if samples < 10:
        raise OptionError(f"a backtest needs at least 10 samples, got {samples}",
                          item="--samples")
    scenario = scenario or load_scenario("valueloop:cobalt-cn-2024")
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(start_year,)))
    rows: list[dict[str, object]] = []
    sales_paths: dict[str, np.ndarray] = {}
    for table_region, key in REGIONS.items():
        history = _sales(table_region)
        years = np.arange(start_year + 1, LAST_ACTUAL_SALES + 1)
        trend = (history[start_year] / history[start_year - TREND_YEARS]) ** (
            1 / TREND_YEARS) - 1
        growth = rng.normal(trend, GROWTH_SPREAD, samples)
        path = history[start_year] * (1 + growth[:, None]) ** (years - start_year)[None, :]
        sales_paths[key] = path
        for i, year in enumerate(years):
            rows.append(_row(f"ev_sales.{key}", "vehicle/yr", int(year), path[:, i],
                             history[int(year)], history[start_year]))
    if start_year == 2020:
        rows += _lfp_rows(scenario, samples, rng)
    rows += _import_rows(scenario, start_year, samples, rng, sales_paths["china"])
    detail = Table.from_records(
        f"backtest from {start_year}", rows,
        columns=("target", "unit", "year", "actual", "p10", "p50", "p90", "error_p50",
                 "inside_band", "naive", "naive_error"),
        notes=(f"forecast made with information of {start_year}; {samples:,} samples",))
    return BacktestResult(start_year, samples, detail, _scores(detail))


def _row(target: str, unit: str, year: int, forecast: np.ndarray, actual: float,
         naive: float) -> dict[str, object]:
    p10, p50, p90 = (float(v) for v in np.quantile(forecast, (0.1, 0.5, 0.9)))
    return {"target": target, "unit": unit, "year": year, "actual": actual, "p10": p10,
            "p50": p50, "p90": p90, "error_p50": p50 / actual - 1.0,
            "inside_band": bool(p10 <= actual <= p90), "naive": naive,
            "naive_error": naive / actual - 1.0}


def _lfp_rows(scenario: Scenario, n: int, rng: np.random.Generator) -> list[dict[str, object]]:
    saturation, rate = (_draw(scenario, name, n, rng) for name in LFP_2020)
    # Saturation priors are for a world where LFP is already at 68.7 %; one of 2020 could not
    # know that, so the same draws are used, kept above the 2020 anchor.
    saturation = np.maximum(saturation, REPORT_LFP_2020 + 0.01)
    share = logistic_through(np.array([2024.0]), 2020, np.full(n, REPORT_LFP_2020), saturation,
                             rate)[:, 0]
    return [_row("china_lfp_share", "dimensionless", 2024, share, REPORT_LFP_2024,
                 REPORT_LFP_2020)]


def _import_rows(scenario: Scenario, start_year: int, n: int, rng: np.random.Generator,
                 china_sales: np.ndarray) -> list[dict[str, object]]:
    imports = scenario.parameters["cobalt.intermediate.imports_metal"]
    actual = dict(zip(imports.index or (), imports.value, strict=True))  # type: ignore[arg-type]
    if start_year not in actual:  # the report's table starts in 2020
        return []
    years = [y for y in sorted(actual) if int(y) > start_year]  # type: ignore[arg-type]
    sales_start = _sales("China")[start_year]
    lfp_start = REPORT_LFP_2020 if start_year <= 2020 else 0.5
    saturation, rate = (_draw(scenario, name, n, rng) for name in LFP_2020)
    saturation = np.maximum(saturation, lfp_start + 0.01)
    thrift = _draw(scenario, "battery.co_thrifting", n, rng)
    weight = rng.uniform(*EV_WEIGHT, n)
    rows = []
    for year in years:
        year = int(year)  # type: ignore[call-overload]
        if year <= LAST_ACTUAL_SALES:
            sales = china_sales[:, year - start_year - 1]
        else:  # beyond the sales path: extend the sampled growth one more year
            growth = china_sales[:, -1] / china_sales[:, -2]
            sales = china_sales[:, -1] * growth ** (year - LAST_ACTUAL_SALES)
        lfp = logistic_through(np.array([float(year)]), start_year, np.full(n, lfp_start),
                               saturation, rate)[:, 0]
        ev_index = (sales / sales_start) * ((1 - lfp) / (1 - lfp_start)) * (1 - thrift) ** (
            year - start_year)
        forecast = float(actual[start_year]) * (weight * ev_index + (1 - weight))
        rows.append(_row("china_cobalt_imports", "t/yr", year, forecast, float(actual[year]),
                         float(actual[start_year])))
    return rows


def _scores(detail: Table) -> Table:
    records = []
    for target in dict.fromkeys(detail.column("target")):
        rows = [r for r in detail.records() if r["target"] == target]
        errors = np.array([r["error_p50"] for r in rows], dtype=float)
        naive = np.array([r["naive_error"] for r in rows], dtype=float)
        absolute = np.array([float(r["p50"]) - float(r["actual"]) for r in rows])
        mape, naive_mape = float(np.mean(np.abs(errors))), float(np.mean(np.abs(naive)))
        records.append({
            "target": target, "years": len(rows), "mape": mape,
            "bias": float(np.mean(errors)), "rmse": float(np.sqrt(np.mean(absolute**2))),
            "coverage_p10_p90": float(np.mean([bool(r["inside_band"]) for r in rows])),
            "naive_mape": naive_mape,
            "skill": 1.0 - mape / naive_mape if naive_mape > 0 else float("nan"),
        })
    return Table.from_records("backtest scores", records,
                              notes=("MAPE and bias of the P50 forecast; skill against holding "
                                     "the start-year value",))
