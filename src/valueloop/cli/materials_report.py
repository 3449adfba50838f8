"""``valueloop materials report``: one requirement's selection and design as HTML and Excel."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from valueloop.cli.common import DbOption
from valueloop.cli.materials_select import DEFAULT_TOP, parse_ashby
from valueloop.cli.output import console
from valueloop.core.db import Database
from valueloop.core.errors import OptionError
from valueloop.materials.candidates import IMPORT_HINT, require_materials
from valueloop.materials.design import DesignSettings
from valueloop.materials.model_cache import load_or_train
from valueloop.materials.properties import AlloyTable, load_shipped
from valueloop.materials.property_models import PropertyModel
from valueloop.materials.requirement import Requirement, load_requirement
from valueloop.reports.materials_report import run_materials, write_materials

_DESIGN = DesignSettings()  # the design command's defaults, read rather than repeated


def _models() -> tuple[Mapping[str, PropertyModel], AlloyTable]:
    """The property models (through the model cache) and the shipped rows they are trained on.

    As ``materials select`` does, selection and design share the models of the shipped
    Gorsse et al. 2023 data, whatever the database holds.
    """
    table = load_shipped()
    return load_or_train(table), table


def _device(path: Path) -> dict[str, Any]:
    """The requirement file's ``[device]`` table as written (already validated by
    :func:`load_requirement`), so the report can say which fields were given."""
    device = tomllib.loads(path.read_text(encoding="utf-8")).get("device", {})
    return dict(device) if isinstance(device, dict) else {}


def _axes(requirement: Requirement) -> tuple[str, str] | None:
    """The Ashby axes of ``materials select`` without ``--ashby``; none below two properties."""
    return parse_ashby(None, requirement) if len(requirement.properties()) >= 2 else None


def report_command(
    requirement_path: Annotated[Path, typer.Argument(
        metavar="REQUIREMENT",
        help="Requirement TOML file ([device] template and/or [[constraint]], [[objective]]).")],
    out: Annotated[Path, typer.Option(
        "--out", help="Folder to write report.html (English and Chinese) and results.xlsx "
                      "(every table) into.")],
    db: DbOption = None,
    top: Annotated[int, typer.Option(
        "--top", min=1, help="Rows of the ranked, Pareto and design tables in the page "
                             "(results.xlsx holds all).")] = DEFAULT_TOP,
    population: Annotated[int, typer.Option(
        "--population", min=4, help="NSGA-II population size.")] = _DESIGN.population,
    generations: Annotated[int, typer.Option(
        "--generations", min=1, help="Number of generations.")] = _DESIGN.generations,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (results repeat).")]
    = _DESIGN.seed,
    within_measured: Annotated[bool, typer.Option(
        "--within-measured",
        help="Keep designed candidates within the measured data (as 'materials design').")]
    = False,
    no_design: Annotated[bool, typer.Option(
        "--no-design", help="Selection only: no inverse design.")] = False,
) -> None:
    """Write a bilingual report of one requirement: device targets, selection, design.

    Selection and design use the models trained on the shipped Gorsse et al. 2023 data; the
    database gives the candidates.
    """
    if out.exists() and not out.is_dir():  # before minutes of work, not after
        raise OptionError("exists and is not a folder", file=out, item="--out")
    settings = None if no_design else DesignSettings(
        population=population, generations=generations, seed=seed,
        within_measured=within_measured)
    requirement = load_requirement(requirement_path)
    device = _device(requirement_path)
    with Database.open_existing(db, hint=IMPORT_HINT) as database:
        require_materials(database)  # an empty database fails before any training
        models, training = _models()
        run = run_materials(database, requirement, models, training, top=top, device=device,
                            axes=_axes(requirement), settings=settings)
    files = write_materials(run, out)
    console.print("wrote " + ", ".join(str(p) for p in files))
