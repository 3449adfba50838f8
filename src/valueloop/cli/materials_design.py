"""``valueloop materials design``: composition and processing for a requirement (NSGA-II)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.common import CsvOption, JsonOption, XlsxOption
from valueloop.cli.output import console, err_console, show_table, write_table_files
from valueloop.core.errors import OptionError
from valueloop.core.tables import tables_to_json, write_csv, write_xlsx
from valueloop.materials.chart_files import chart_target
from valueloop.materials.design import DesignSettings, design
from valueloop.materials.design_tables import (
    candidates_table,
    recipe_table,
    search_table,
    summary_tables,
    tradeoff_chart,
    treatment_table,
)
from valueloop.materials.model_cache import load_or_train
from valueloop.materials.properties import ELEMENTS, AlloyTable, load_shipped
from valueloop.materials.property_models import PropertyModel
from valueloop.materials.requirement import load_requirement
from valueloop.materials.training_data import table_from_database

RECIPE_SUFFIXES = (".csv", ".xlsx")


def _models(db: str | None) -> tuple[Mapping[str, PropertyModel], AlloyTable]:
    """The property models (through the model cache) and the rows they were trained on.

    The training rows are the shipped Gorsse et al. 2023 data, or the measured experimental
    records of the database ``db``; the design reads its default ranges, warm-start rows and
    nearest alloys from them.
    """
    table = load_shipped() if db is None else table_from_database(db).table
    return load_or_train(table), table


def parse_elements(text: str | None) -> tuple[str, ...] | None:
    """``"Cr,Zr"`` as element symbols; raises :class:`OptionError` naming ``--elements``."""
    if text is None:
        return None
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [n for n in names if n not in ELEMENTS]
    if not names or unknown:
        raise OptionError(f"cannot read {text!r}" + (f": {unknown[0]!r} is not an element "
                                                     "of the data" if unknown else ""),
                          item="--elements",
                          allowed="comma-separated symbols among " + ", ".join(ELEMENTS))
    return names


def _check_suffix(path: Path | None, allowed: Sequence[str], option: str) -> None:
    if path is not None and path.suffix.lower() not in allowed:
        raise OptionError(f"cannot write {path.suffix or 'a file without suffix'}", item=option,
                          allowed=", ".join(allowed))


def design_command(
    requirement: Annotated[Path, typer.Argument(
        help="Requirement TOML file ([device] template and/or [[constraint]], [[objective]]).")],
    elements: Annotated[str | None, typer.Option(
        "--elements", help="Design elements, e.g. 'Ni,Si,Cr' (default: those in at least 5 "
                           "training alloy formulas).")] = None,
    population: Annotated[int, typer.Option("--population", min=4,
                                            help="NSGA-II population size.")] = 40,
    generations: Annotated[int, typer.Option("--generations", min=1,
                                             help="Number of generations.")] = 50,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (results repeat).")] = 0,
    conservative: Annotated[bool, typer.Option(
        "--conservative", help="Constrain the 90 % interval bound, not the prediction.")]
    = False,
    allow_extrapolation: Annotated[bool, typer.Option(
        "--allow-extrapolation", help="Search outside the models' domain (flagged).")] = False,
    warm_start: Annotated[bool, typer.Option(
        "--warm-start/--random-start",
        help="Start from training rows that use only the design elements, or from a uniform "
             "random population.")] = True,
    within_measured: Annotated[bool, typer.Option(
        "--within-measured",
        help="Keep candidates within the measured data: some training row measured in all the "
             "designed properties is at least as good in each.")] = False,
    top: Annotated[int, typer.Option("--top", min=1, help="Candidates to show and write.")]
    = 10,
    chart: Annotated[Path | None, typer.Option(
        "--chart", metavar="FILE.svg|FILE.png",
        help="Chart of the predicted trade-off over the training data.")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Candidates in the Gorsse column layout (.csv or .xlsx), readable by "
                      "'materials predict --input'.")] = None,
    db: Annotated[str | None, typer.Option(
        "--db", help="Train on this database's measured experimental records (default: the "
                     "shipped Gorsse et al. 2023 data).")] = None,
    as_json: JsonOption = False,
    csv: CsvOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """Search compositions and processing that meet a requirement, inside the models' domain."""
    if chart is not None:
        chart_target(chart, "--chart")  # a bad suffix fails before the search, not after
    _check_suffix(out, RECIPE_SUFFIXES, "--out")
    names = parse_elements(elements)
    parsed = load_requirement(requirement)
    settings = DesignSettings(population=population, generations=generations, seed=seed,
                              conservative=conservative, allow_extrapolation=allow_extrapolation,
                              warm_start=warm_start, within_measured=within_measured)
    models, training = _models(db)
    result = design(parsed, models, settings=settings, elements=names, table=training)
    full = [candidates_table(result, top), treatment_table(result), search_table(result)]
    if as_json:
        print(tables_to_json(full))
    else:
        for table in (*summary_tables(result, top), full[1], full[2]):
            show_table(table)
    write_table_files(full, csv, xlsx)
    if out is not None:
        recipes = recipe_table(result, top)
        if out.suffix.lower() == ".csv":
            write_csv(recipes, out)
        else:
            write_xlsx([recipes], out)
    if chart is not None:
        tradeoff_chart(result, chart, training)
    if not result.found:
        err_console.print("[bold red]NO CANDIDATE MET THE TARGETS.[/bold red] The candidates "
                          "shown are the least infeasible, with their shortfalls; relax a "
                          "target, add elements, or try --allow-extrapolation"
                          + (" or drop --within-measured." if within_measured else "."))
    elif not as_json:
        console.print(f"{int(result.feasible.sum())} candidates met every target "
                      f"({int(result.pareto.sum())} on the Pareto front).")
