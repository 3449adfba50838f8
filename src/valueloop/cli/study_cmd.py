"""``valueloop study`` and ``valueloop models``: Monte Carlo studies of any shipped model."""

from __future__ import annotations

from typing import Annotated

import typer

from valueloop.cli.common import CsvOption, JsonOption, XlsxOption
from valueloop.cli.output import console, emit
from valueloop.cli.progress import progress_bar
from valueloop.core.errors import OptionError
from valueloop.core.sampling import METHODS, Method
from valueloop.core.scenario import load_scenario
from valueloop.core.study import run_study
from valueloop.core.summary import band_table
from valueloop.core.tables import Table
from valueloop.models.registry import MODELS, get_model

app = typer.Typer(help="Run uncertainty studies of a scenario.", no_args_is_help=True)

SamplesOption = Annotated[int, typer.Option("--samples", "-n", help="Number of samples.")]
SeedOption = Annotated[int, typer.Option("--seed", help="Random seed (same seed, same result).")]
MethodOption = Annotated[str, typer.Option("--method", help="mc, lhs or sobol.")]
MemoryOption = Annotated[int, typer.Option("--memory-mb",
                                           help="Working-memory budget per chunk, MiB.")]
SchedulerOption = Annotated[str | None, typer.Option(
    "--scheduler", help="Run chunks on this Dask scheduler (tcp://host:port).")]


def parse_method(method: str) -> Method:
    if method not in METHODS:
        raise OptionError(f"unknown sampling method {method!r}", item="--method",
                          allowed=", ".join(METHODS))
    return method  # type: ignore[return-value]


@app.command("run")
def run(
    scenario_file: Annotated[str, typer.Argument(help="Scenario TOML file, or valueloop:NAME.")],
    override: Annotated[str | None, typer.Option("--override", "-o")] = None,
    samples: SamplesOption = 10_000,
    seed: SeedOption = 0,
    method: MethodOption = "mc",
    memory_mb: MemoryOption = 512,
    scheduler: SchedulerOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    as_json: JsonOption = False,
    csv: CsvOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """Sample a scenario's uncertain inputs, run its model, and show P10/P50/P90 bands."""
    scenario = load_scenario(scenario_file, override=override)
    model = get_model(scenario.model)
    with progress_bar(f"{model.name}: {samples:,} samples", enabled=not quiet) as progress:
        result = run_study(model, scenario, samples, method=parse_method(method), seed=seed,
                           memory_budget=memory_mb * 2**20, scheduler=scheduler,
                           progress=progress)
    emit([band_table(result, model)], as_json=as_json, csv_path=csv, xlsx_path=xlsx)
    if not as_json:
        console.print(f"[dim]{result.chunks} chunk(s), {result.seconds:.2f} s, "
                      f"{result.n / max(result.seconds, 1e-9):,.0f} samples/s[/dim]")


def models_command(
    name: Annotated[str | None, typer.Argument(help="Show one model's parameters.")] = None,
    as_json: JsonOption = False,
    csv: CsvOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """List the shipped models, or the parameters and outputs one model declares."""
    if name is None:
        table = Table.from_records("Models", [
            {"model": m.name, "title": m.title, "parameters": len(m.parameters),
             "outputs": len(m.outputs)} for m in MODELS.values()])
        emit([table], as_json=as_json, csv_path=csv, xlsx_path=xlsx)
        return
    model = get_model(name)
    parameters = Table.from_records(f"{model.name}: parameters", [
        {"parameter": d.name, "unit": d.unit, "shape": d.shape,
         "bounds": f"[{d.bounds[0]:g}, {d.bounds[1]:g}]", "description": d.description}
        for d in model.parameters])
    outputs = Table.from_records(f"{model.name}: outputs", [
        {"output": o.name, "unit": o.unit, "axes": ", ".join(o.axes),
         "description": o.description} for o in model.outputs])
    emit([parameters, outputs], as_json=as_json, csv_path=csv, xlsx_path=xlsx)
