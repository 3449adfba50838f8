"""``valueloop materials translate``: device requirements in, material targets out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.common import CsvOption, JsonOption, XlsxOption
from valueloop.cli.output import emit
from valueloop.core.errors import OptionError
from valueloop.core.tables import Table
from valueloop.materials.requirement import PROPERTY_KEYS, Requirement, load_requirement
from valueloop.materials.translate import TEMPLATES, template_fields


def requirement_tables(requirement: Requirement) -> list[Table]:
    """The constraints (with the physics behind each) and the objectives of a requirement."""
    constraints = Table(
        f"material targets: {requirement.name}",
        ("property", "meaning", "operator", "value", "unit", "reason"),
        tuple((c.property, PROPERTY_KEYS[c.property].label, c.operator, c.value, c.unit,
               c.reason) for c in requirement.constraints),
        notes=tuple(requirement.notes))
    objectives = Table(
        "objectives", ("property", "meaning", "sense", "weight"),
        tuple((o.property, PROPERTY_KEYS[o.property].label, o.sense, o.weight)
              for o in requirement.objectives),
        notes=() if requirement.template is None or len(requirement.objectives) else (
            "no objectives given and none by default for this template",))
    return [constraints, objectives]


def template_table(name: str) -> Table:
    """The fields of one device template, as a starting point for a requirement file."""
    rows = template_fields(name)
    return Table.from_records(
        f"template {name}: fields of the device table", rows,
        ("field", "unit", "required", "default"),
        notes=("give each quantity as a string with a unit, e.g. current = \"10 A\"; any unit "
               "of the same dimension is converted",))


def translate_command(
    requirement: Annotated[Path | None, typer.Argument(
        help="Requirement TOML file ([device] template and/or [[constraint]], [[objective]]).")]
    = None,
    template: Annotated[str | None, typer.Option(
        "--template", help=f"List the fields of a template instead: {', '.join(TEMPLATES)}.")]
    = None,
    as_json: JsonOption = False,
    csv: CsvOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """Turn a device specification into material targets, each with the physics behind it."""
    if (requirement is None) == (template is None):
        raise OptionError("give a requirement file or --template, not both or neither",
                          item="translate", allowed="REQUIREMENT.toml or --template NAME")
    tables = ([template_table(template)] if template is not None
              else requirement_tables(load_requirement(requirement)))  # type: ignore[arg-type]
    emit(tables, as_json=as_json, csv_path=csv, xlsx_path=xlsx)
