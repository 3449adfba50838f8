"""``valueloop materials select``: ranked candidates, constraints, Pareto front and Ashby chart."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.common import CsvOption, DbOption, JsonOption, XlsxOption
from valueloop.cli.output import console, err_console, show_table, write_table_files
from valueloop.core.db import Database
from valueloop.core.errors import OptionError
from valueloop.core.tables import tables_to_json
from valueloop.materials.ashby import LANGUAGES, ashby_chart
from valueloop.materials.candidates import IMPORT_HINT, require_materials
from valueloop.materials.chart_files import chart_target
from valueloop.materials.model_cache import load_or_train
from valueloop.materials.property_models import PropertyModel
from valueloop.materials.requirement import PROPERTY_KEYS, Requirement, load_requirement
from valueloop.materials.selection_tables import (
    compact_table,
    constraints_table,
    pareto_table,
    ranked_table,
    run_selection,
    status_counts,
)

DEFAULT_TOP = 20


def _models(db: str | None) -> Mapping[str, PropertyModel]:
    """The property models, from the disk cache (trained and stored on a miss).

    ``db`` is not read: the models are trained on the shipped Gorsse et al. 2023 data.
    """
    return load_or_train()


def parse_ashby(text: str | None, requirement: Requirement | None = None) -> tuple[str, str]:
    """``"X:Y"`` as two property keys; without text, the requirement's first two objectives
    (then its other properties). Raises :class:`OptionError` naming ``--ashby``."""
    allowed = "X:Y with property keys " + ", ".join(PROPERTY_KEYS)
    if text is None:
        keys = [o.property for o in requirement.objectives] if requirement else []
        keys += list(requirement.properties()) if requirement else []
        keys = list(dict.fromkeys(keys))
        if len(keys) < 2:
            raise OptionError("the requirement names fewer than two properties to chart",
                              item="--ashby", allowed=allowed)
        return keys[0], keys[1]
    parts = [part.strip() for part in text.split(":")]
    if len(parts) != 2 or not all(parts):
        raise OptionError(f"cannot read {text!r}", item="--ashby", allowed=allowed)
    for part in parts:
        if part not in PROPERTY_KEYS:
            raise OptionError(f"unknown property {part!r}", item="--ashby", allowed=allowed)
    if parts[0] == parts[1]:
        raise OptionError(f"{text!r} charts a property against itself", item="--ashby",
                          allowed=allowed)
    return parts[0], parts[1]


def _check_chart(chart: Path | None, lang: str) -> None:
    if chart is not None:
        chart_target(chart, "--chart")
    if lang not in LANGUAGES:
        raise OptionError(f"unknown language {lang!r}", item="--lang",
                          allowed=", ".join(LANGUAGES))


def select_command(
    requirement_path: Annotated[Path, typer.Argument(
        metavar="REQUIREMENT",
        help="Requirement TOML file ([device] template and/or [[constraint]], [[objective]]).")],
    db: DbOption = None,
    top: Annotated[int, typer.Option(
        "--top", min=0, help="Candidates listed on screen and in --json (0: all); --csv and "
                             "--xlsx hold every candidate.")] = DEFAULT_TOP,
    no_predict: Annotated[bool, typer.Option(
        "--no-predict", help="Use measured and derived values only (no property models).")]
    = False,
    chart: Annotated[Path | None, typer.Option(
        "--chart", help="Ashby chart file (.svg or .png).")] = None,
    ashby: Annotated[str | None, typer.Option(
        "--ashby", help="Chart axes as X:Y property keys (default: the first two objectives).")]
    = None,
    lang: Annotated[str, typer.Option("--lang", help="Chart language: en or zh.")] = "en",
    as_json: JsonOption = False,
    csv: CsvOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """Rank the database's materials against a requirement, with every value's provenance.

    Missing values are predicted by the models trained on the shipped Gorsse et al. 2023 data
    (``materials design/predict --db`` train on the database instead).
    """
    _check_chart(chart, lang)
    requirement = load_requirement(requirement_path)
    axes = parse_ashby(ashby, requirement) if chart is not None or ashby is not None else None
    with Database.open_existing(db, hint=IMPORT_HINT) as database:
        require_materials(database)  # before minutes of training, not after
        keys = {*requirement.properties(), *(axes or ())}
        if "thermal_conductivity" in keys:  # derived from conductivity, which may be predicted
            keys.add("electrical_conductivity_iacs")
        wanted = any(PROPERTY_KEYS[k].model for k in keys) and not no_predict
        run = run_selection(database, requirement, _models(db) if wanted else None,
                            extra_keys=axes or ())
    listed = None if top == 0 else top
    full = [ranked_table(run), constraints_table(run), pareto_table(run)]
    if as_json:
        print(tables_to_json([ranked_table(run, listed), *full[1:]]))
    else:
        show_table(compact_table(run, listed))
        show_table(full[1])
        if full[2].rows:
            show_table(full[2], max_rows=DEFAULT_TOP)
        else:
            console.print(f"[dim]{full[2].notes[-1]}[/dim]")
        counts = ", ".join(f"{n} {label}" for label, n in status_counts(run).items())
        console.print(f"{len(run.matrix)} candidates: {counts}")
    write_table_files(full, csv, xlsx)
    if chart is not None and axes is not None:
        ashby_chart(run, axes[0], axes[1], chart, lang=lang)
        # on stderr with --json, so that stdout stays valid JSON
        (err_console if as_json else console).print(f"wrote {chart}")
