"""``valueloop scenario``: check, show, diff, and Excel export/import of scenario files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.common import CsvOption, JsonOption, XlsxOption
from valueloop.cli.output import console, emit
from valueloop.core.scenario import Scenario, load_scenario
from valueloop.core.tables import Table

app = typer.Typer(help="Check, show, compare and convert scenario files.", no_args_is_help=True)

FileArgument = Annotated[str, typer.Argument(help="Scenario TOML file, or valueloop:NAME.")]
OverrideOption = Annotated[str | None, typer.Option("--override", "-o",
                                                    help="Apply this named override.")]


def parameters_table(scenario: Scenario) -> Table:
    records = []
    for parameter in scenario.parameters.values():
        distribution = parameter.distribution
        value = parameter.value
        records.append({
            "parameter": parameter.name,
            "value": value if isinstance(value, float) else ", ".join(f"{v:g}" for v in value),
            "unit": parameter.unit,
            "distribution": "" if distribution is None else f"{distribution.kind} " + ", ".join(
                f"{k}={v:g}" for k, v in distribution.arguments().items()),
            "group": parameter.share_group or "",
            "source": parameter.source.short(),
        })
    return Table.from_records(f"Scenario {scenario.label} (model {scenario.model})", records,
                              columns=("parameter", "value", "unit", "distribution", "group",
                                       "source"))


@app.command("check")
def check(file: FileArgument, override: OverrideOption = None) -> None:
    """Validate a scenario file (and an override) against its model; exit 2 on the first error."""
    scenario = load_scenario(file, override=override)
    uncertain = sum(1 for p in scenario.parameters.values() if p.is_uncertain)
    overrides = ", ".join(sorted(scenario.definition.overrides)) or "none"
    console.print(
        f"ok: {scenario.label} for model {scenario.model}: {len(scenario.parameters)} parameters "
        f"({uncertain} uncertain), {len(scenario.share_groups)} share groups, "
        f"{len(scenario.correlations)} correlations; overrides: {overrides}")


@app.command("show")
def show(file: FileArgument, override: OverrideOption = None, as_json: JsonOption = False,
         csv: CsvOption = None, xlsx: XlsxOption = None) -> None:
    """Show every parameter in the model's units, with its distribution and source."""
    scenario = load_scenario(file, override=override)
    emit([parameters_table(scenario)], as_json=as_json, csv_path=csv, xlsx_path=xlsx)


@app.command("diff")
def diff(a: FileArgument, b: Annotated[str, typer.Argument(help="Second scenario file.")],
         override_a: Annotated[str | None, typer.Option("--override-a")] = None,
         override_b: Annotated[str | None, typer.Option("--override-b")] = None,
         as_json: JsonOption = False, csv: CsvOption = None, xlsx: XlsxOption = None) -> None:
    """Compare two scenarios parameter by parameter, in the model's units."""
    from valueloop.core.scenario_io import diff_scenarios

    table = diff_scenarios(load_scenario(a, override=override_a),
                           load_scenario(b, override=override_b))
    emit([table], as_json=as_json, csv_path=csv, xlsx_path=xlsx)


@app.command("export")
def export(file: FileArgument,
           xlsx: Annotated[Path, typer.Option("--xlsx", help="Workbook to write.")]) -> None:
    """Write a scenario file as an Excel workbook that analysts can edit and import back."""
    from valueloop.core.scenario import load_definition
    from valueloop.core.scenario_io import export_definition_xlsx

    export_definition_xlsx(load_definition(file), xlsx)
    console.print(f"wrote {xlsx}")


@app.command("import")
def import_(xlsx: Annotated[Path, typer.Argument(help="Workbook written by 'scenario export'.")],
            toml: Annotated[Path, typer.Option("--toml", help="TOML file to write.")],
            check_model: Annotated[bool, typer.Option(
                "--check/--no-check", help="Validate against the model before writing.")] = True,
            ) -> None:
    """Read an edited scenario workbook back into a TOML scenario file."""
    from valueloop.core.errors import UserInputError
    from valueloop.core.scenario import resolve
    from valueloop.core.scenario_io import definition_to_toml, import_definition_xlsx
    from valueloop.core.tables import write_text
    from valueloop.models.registry import get_model

    definition = import_definition_xlsx(xlsx)
    if check_model:
        try:
            resolve(definition, get_model(definition.scenario.model), file=None)
        except UserInputError as exc:
            raise exc.located(xlsx) from None
    write_text(toml, definition_to_toml(definition))
    console.print(f"wrote {toml}")
