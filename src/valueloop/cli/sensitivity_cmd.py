"""``valueloop sensitivity``: which uncertain inputs drive an output (Sobol, Morris, tornado)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.common import CsvOption, JsonOption, XlsxOption
from valueloop.cli.output import console, emit
from valueloop.cli.progress import progress_bar
from valueloop.core.errors import OptionError
from valueloop.core.model import ModelDefinition
from valueloop.core.scenario import load_scenario
from valueloop.core.sensitivity import morris_screening, sobol_indices, tornado
from valueloop.models.registry import get_model
from valueloop.reports.charts import sobol_chart, tornado_chart

app = typer.Typer(help="Rank the uncertain inputs that drive one output.", no_args_is_help=True)

ScenarioArgument = Annotated[str, typer.Argument(help="Scenario TOML file, or valueloop:NAME.")]
OutputOption = Annotated[str, typer.Option("--output", help="Model output to analyse.")]
AtOption = Annotated[str | None, typer.Option(
    "--at", help="For outputs with axes: the label to analyse, e.g. a year.")]
OverrideOption = Annotated[str | None, typer.Option("--override", "-o")]
ChartOption = Annotated[Path | None, typer.Option("--chart", help="Write a chart (.png or .svg).")]
SeedOption = Annotated[int, typer.Option("--seed")]


def output_index(model: ModelDefinition, output: str, at: str | None) -> tuple[int, ...] | None:
    """The index of label ``at`` along an output's axes (one axis supported for labels)."""
    declared = {o.name: o for o in model.outputs}
    if output not in declared:
        raise OptionError(f"model {model.name!r} has no output {output!r}", item="--output",
                          allowed=", ".join(declared))
    axes = declared[output].axes
    if at is None:
        if axes:
            raise OptionError(f"output {output!r} has axes {', '.join(axes)}: say which cell",
                              item="--at", allowed=_labels_text(model, axes[0]))
        return None
    if len(axes) != 1:
        raise OptionError(f"output {output!r} has {len(axes)} axes; --at picks one label",
                          item="--at")
    labels = [str(label) for label in (model.axis_labels or {}).get(axes[0], ())]
    if at not in labels:
        raise OptionError(f"{at!r} is not a label of axis {axes[0]!r}", item="--at",
                          allowed=_labels_text(model, axes[0]))
    return (labels.index(at),)


@contextlib.contextmanager
def _selection_named(at: str | None) -> Iterator[None]:
    """Errors about the selected output cell name the --at option the user gave."""
    try:
        yield
    except OptionError as exc:
        if exc.item == "select":
            exc.item = f"--at {at}" if at is not None else "--output"
            exc.args = (exc.render(),)
        raise


def _labels_text(model: ModelDefinition, axis: str) -> str:
    return ", ".join(str(label) for label in (model.axis_labels or {}).get(axis, ()))


@app.command("sobol")
def sobol(scenario: ScenarioArgument, output: OutputOption, at: AtOption = None,
          override: OverrideOption = None,
          samples: Annotated[int, typer.Option("--samples", "-n",
                                               help="Base samples N (a power of 2).")] = 4096,
          seed: SeedOption = 0, chart: ChartOption = None, as_json: JsonOption = False,
          csv: CsvOption = None, xlsx: XlsxOption = None) -> None:
    """First- and total-order Sobol indices (Saltelli design, SALib analysis)."""
    resolved = load_scenario(scenario, override=override)
    model = get_model(resolved.model)
    with _selection_named(at), progress_bar(f"Sobol: {output}", enabled=not as_json) as progress:
        result = sobol_indices(model, resolved, output, n=samples, seed=seed,
                               select=output_index(model, output, at), progress=progress)
    emit([result.table()], as_json=as_json, csv_path=csv, xlsx_path=xlsx)
    if chart is not None:
        sobol_chart(result, chart)
        if not as_json:
            console.print(f"wrote {chart}")


@app.command("morris")
def morris(scenario: ScenarioArgument, output: OutputOption, at: AtOption = None,
           override: OverrideOption = None,
           trajectories: Annotated[int, typer.Option("--trajectories", "-r")] = 100,
           seed: SeedOption = 0, as_json: JsonOption = False, csv: CsvOption = None,
           xlsx: XlsxOption = None) -> None:
    """Morris elementary-effects screening (mu*, sigma)."""
    resolved = load_scenario(scenario, override=override)
    model = get_model(resolved.model)
    with _selection_named(at), progress_bar(f"Morris: {output}",
                                            enabled=not as_json) as progress:
        result = morris_screening(model, resolved, output, trajectories=trajectories, seed=seed,
                                  select=output_index(model, output, at), progress=progress)
    emit([result.table()], as_json=as_json, csv_path=csv, xlsx_path=xlsx)


@app.command("tornado")
def tornado_command(scenario: ScenarioArgument, output: OutputOption, at: AtOption = None,
                    override: OverrideOption = None,
                    low: Annotated[float, typer.Option("--low", help="Low quantile.")] = 0.1,
                    high: Annotated[float, typer.Option("--high", help="High quantile.")] = 0.9,
                    chart: ChartOption = None, as_json: JsonOption = False,
                    csv: CsvOption = None, xlsx: XlsxOption = None) -> None:
    """One-at-a-time swings: each input at its low and high quantile, the rest at baseline."""
    if not 0.0 <= low < high <= 1.0:
        raise OptionError(f"quantiles must satisfy 0 <= low < high <= 1, got {low}, {high}",
                          item="--low/--high")
    resolved = load_scenario(scenario, override=override)
    model = get_model(resolved.model)
    with _selection_named(at):
        result = tornado(model, resolved, output, select=output_index(model, output, at),
                         quantiles=(low, high))
    emit([result.table()], as_json=as_json, csv_path=csv, xlsx_path=xlsx)
    if chart is not None:
        tornado_chart(result, chart)
        if not as_json:
            console.print(f"wrote {chart}")
