"""The cobalt outlook job: study, bands, claims, and the files an analyst opens.

Until the full 2020-2035 outlook model exists this runs the 2024 balance model of report chapter
1: a Monte Carlo study of its outputs with P10/P50/P90 bands, and the chapter's claims recomputed
from the scenario's own inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from valueloop.core.claims import ClaimsReport, check_claims, write_claims
from valueloop.core.errors import OptionError, ScenarioStructureError
from valueloop.core.sampling import Method
from valueloop.core.scenario import Scenario, load_scenario
from valueloop.core.study import Progress, StudyResult, run_study
from valueloop.core.summary import band_records, band_table
from valueloop.core.tables import Table, write_json, write_xlsx
from valueloop.models.registry import get_model

DEFAULT_SCENARIO = "valueloop:cobalt-cn-2024"
CLAIMS_FILES = ("cobalt-ch1.toml",)
OUTLOOK_MODELS = ("cobalt-balance",)


@dataclass(frozen=True)
class OutlookRun:
    scenario: Scenario
    study: StudyResult
    claims: tuple[ClaimsReport, ...]
    files: tuple[Path, ...]


def shipped_claims_path(name: str) -> Path:
    return Path(str(resources.files("valueloop.data") / "claims" / name))


def run_cobalt_outlook(out_dir: Path, *, scenario_file: str | Path = DEFAULT_SCENARIO,
                       override: str | None = None, samples: int = 10_000, seed: int = 0,
                       method: Method = "mc", scheduler: str | None = None,
                       progress: Progress | None = None) -> OutlookRun:
    scenario = load_scenario(scenario_file, override=override)
    if scenario.model not in OUTLOOK_MODELS:
        raise ScenarioStructureError(
            f"the cobalt outlook needs a scenario for {', '.join(OUTLOOK_MODELS)}, "
            f"not {scenario.model!r}", file=scenario.file, item="scenario.model",
            allowed=", ".join(OUTLOOK_MODELS))
    model = get_model(scenario.model)
    study = run_study(model, scenario, samples, method=method, seed=seed, scheduler=scheduler,
                      progress=progress)
    claims = tuple(check_claims(shipped_claims_path(name), scenario=scenario)
                   for name in CLAIMS_FILES)

    if out_dir.exists() and not out_dir.is_dir():
        raise OptionError("exists and is not a folder", file=out_dir, item="--out")
    out_dir.mkdir(parents=True, exist_ok=True)
    summary_path = out_dir / "summary.json"
    results_path = out_dir / "results.xlsx"
    claims_path = out_dir / "claims.csv"
    write_json(_summary(scenario, study, claims, model_name=model.name,
                        bands=band_records(study, model)), summary_path)
    tables: list[Table] = [band_table(study, model)]
    tables.extend(report.detail_table() for report in claims)
    write_xlsx(tables, results_path)
    claims_files = write_claims(_merged(claims), claims_path)
    return OutlookRun(scenario, study, claims, (summary_path, results_path, *claims_files))


def _merged(reports: tuple[ClaimsReport, ...]) -> ClaimsReport:
    if len(reports) == 1:
        return reports[0]
    return reports[0].combined(reports[1:])


def _summary(scenario: Scenario, study: StudyResult, claims: tuple[ClaimsReport, ...], *,
             model_name: str, bands: list[dict[str, Any]]) -> dict[str, Any]:
    series: dict[str, Any] = {}
    for record in bands:
        entry = series.setdefault(record["output"], {"unit": record["unit"], "values": {}})
        entry["values"][record["index"] or "value"] = {
            key: record[key] for key in record if key.startswith("p") or key in ("mean", "sd")}
    verdicts: dict[str, int] = {}
    for report in claims:
        for row in report.table().records():
            verdict = str(row["verdict"])
            verdicts[verdict] = verdicts.get(verdict, 0) + 1
    return {
        "scenario": scenario.label,
        "model": model_name,
        "samples": study.n,
        "method": study.method,
        "seed": study.seed,
        "outputs": series,
        "claims": verdicts,
    }
