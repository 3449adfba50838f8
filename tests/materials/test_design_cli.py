"""``valueloop materials design``: tables, JSON, the recipe file read back by predict, errors."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from valueloop.cli.materials_design import design_command
from valueloop.cli.materials_predict import predict_command
from valueloop.core.errors import OptionError, UserInputError
from valueloop.core.tables import write_csv, write_xlsx
from valueloop.materials.design import DesignResult, DesignSettings, design
from valueloop.materials.design_tables import (
    candidates_table,
    recipe_table,
    search_table,
    summary_tables,
    treatment_table,
)
from valueloop.materials.model_cache import CACHE_ENV
from valueloop.materials.properties import AlloyTable, read_table
from valueloop.materials.property_models import PROPERTIES, PropertyModel
from valueloop.materials.requirement import load_requirement

EASY = """
name = "easy"

[[constraint]]
property = "electrical_conductivity_iacs"
operator = ">="
value = 40
unit = "%IACS"

[[constraint]]
property = "thermal_conductivity"
operator = ">="
value = 150
unit = "W/(m*K)"

[[constraint]]
property = "stress_relaxation_percent"
operator = "<="
value = 10
unit = "%"

[[objective]]
property = "electrical_conductivity_iacs"
sense = "max"

[[objective]]
property = "hardness_hv"
sense = "max"
"""
IMPOSSIBLE = """
[[constraint]]
property = "electrical_conductivity_iacs"
operator = ">="
value = 99
unit = "%IACS"

[[constraint]]
property = "hardness_hv"
operator = ">="
value = 300
unit = "HV"
"""
FAST = ["--population", "12", "--generations", "4"]


@pytest.fixture(scope="module", autouse=True)
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A private model cache: trained once for this module, never the user's own folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(tmp_path_factory.mktemp("cache")))
        yield




def _app() -> typer.Typer:
    # registered as 'valueloop materials design' by the materials group; tested on its own
    app = typer.Typer()
    app.command("design")(design_command)
    app.command("predict")(predict_command)
    return app


def _write(tmp_path: Path, text: str, name: str = "requirement.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_design_json_recipes_and_chart(tmp_path: Path) -> None:
    requirement = _write(tmp_path, EASY)
    recipes, chart, book = tmp_path / "recipes.csv", tmp_path / "tradeoff.svg", tmp_path / "d.xlsx"
    result = CliRunner().invoke(_app(), ["design", str(requirement), *FAST, "--seed", "2",
                                         "--elements", "Ni,Si,Cr", "--warm-start", "--top", "5",
                                         "--json", "--out", str(recipes), "--chart", str(chart),
                                         "--xlsx", str(book)])
    assert result.exit_code == 0, result.output
    tables = json.loads(result.stdout)
    candidates, treated, search = tables
    assert candidates["title"] == "design candidates: easy"
    assert 1 <= len(candidates["rows"]) <= 5
    first = candidates["rows"][0]
    assert first["feasible"] and first["in_domain"] and first["status"] == "Pareto"
    assert first["electrical_conductivity_iacs_pred"] >= 40.0
    # κ >= 150 W/(m K) designed as conductivity by Wiedemann-Franz; relaxation not designed for
    assert any(row["kind"] == "constraint" and row["requirement"].startswith("thermal_cond")
               and "Wiedemann-Franz" in row["treated as"] for row in treated["rows"])
    assert any(row["kind"] == "constraint: not designed for"
               and row["requirement"].startswith("stress_relaxation_percent")
               for row in treated["rows"])
    values = {row["quantity"]: row["value"] for row in search["rows"]}
    assert values["design elements"] == "Ni, Si, Cr" and values["warm start"] is True
    assert chart.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert "<svg" in chart.read_text(encoding="utf-8")
    assert book.is_file() and recipes.is_file()
    with recipes.open(encoding="utf-8", newline="") as stream:
        assert len(list(csv.DictReader(stream))) == len(candidates["rows"])


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_recipes_read_back_by_predict(tmp_path: Path, models: dict[str, PropertyModel],
                                      shipped: AlloyTable, suffix: str) -> None:
    result = design(load_requirement(_write(tmp_path, EASY)), models, table=shipped,
                    settings=DesignSettings(population=12, generations=4, seed=5))
    recipes = recipe_table(result)
    source = tmp_path / f"recipes{suffix}"
    if suffix == ".csv":
        write_csv(recipes, source)
    else:
        write_xlsx([recipes], source)
    # the Gorsse reader gives back exactly the candidates' feature rows
    np.testing.assert_array_equal(read_table(source).raw, result.raw)
    out = tmp_path / "predicted.csv"
    run = CliRunner().invoke(_app(), ["predict", "--input", str(source), "--out", str(out)])
    assert run.exit_code == 0, run.output
    with out.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == len(result)
    for name in PROPERTIES:
        for part in ("pred", "lo", "hi"):
            predicted = [float(row[f"{name}_{part}"]) for row in rows]
            ours = [round(float(v), 3) for v in getattr(result.predictions[name], part)]
            assert predicted == ours
        assert [row[f"{name}_in_domain"] == "True" for row in rows] == \
            list(result.predictions[name].in_domain)


def test_tables_of_a_result(tmp_path: Path, models: dict[str, PropertyModel],
                            shipped: AlloyTable) -> None:
    result: DesignResult = design(load_requirement(_write(tmp_path, IMPOSSIBLE)), models,
                                  table=shipped,
                                  settings=DesignSettings(population=12, generations=4))
    full = candidates_table(result, top=3)
    assert len(full.rows) == 3 and full.units["Ni"] == "wt%"
    assert all(row[full.columns.index("status")] == "infeasible" for row in full.rows)
    shortfall = full.column("shortfall")
    assert all("short by" in str(text) for text in shortfall)
    properties, recipes = summary_tables(result, top=2)
    assert "NONE MET THE TARGETS" in properties.title and len(recipes.rows) == 2
    assert "shortfall" in properties.columns
    assert treatment_table(result).column("kind") == ["constraint", "constraint",
                                                      "objective", "objective"]
    assert dict(zip(search_table(result).column("quantity"),
                    search_table(result).column("value"), strict=True))["feasible"] == 0


def test_no_feasible_candidate_is_said_loudly(tmp_path: Path) -> None:
    requirement = _write(tmp_path, IMPOSSIBLE)
    result = CliRunner().invoke(_app(), ["design", str(requirement), *FAST, "--top", "3"])
    assert result.exit_code == 0, result.output
    assert "NO CANDIDATE MET THE TARGETS" in result.output
    assert "NONE MET THE TARGETS" in result.output


def test_within_measured_option(tmp_path: Path) -> None:
    easy = CliRunner().invoke(_app(), ["design", str(_write(tmp_path, EASY)), *FAST, "--seed",
                                       "2", "--within-measured", "--json"])
    assert easy.exit_code == 0, easy.output
    candidates, _, search = json.loads(easy.stdout)
    values = {row["quantity"]: row["value"] for row in search["rows"]}
    assert values["within measured data"] is True
    assert any(row["feasible"] for row in candidates["rows"])
    assert not any(row["beyond_measured"] for row in candidates["rows"] if row["feasible"])
    impossible = CliRunner().invoke(_app(), ["design", str(_write(tmp_path, IMPOSSIBLE)),
                                             *FAST, "--within-measured"])
    assert impossible.exit_code == 0, impossible.output
    assert "NO CANDIDATE MET THE TARGETS" in impossible.output
    assert "WHY: no training row measured in" in impossible.output
    assert "drop --within-measured" in " ".join(impossible.output.split())


@pytest.mark.parametrize(("arguments", "error", "item"), [
    (["--elements", "Cr,Xx"], OptionError, "--elements"),
    (["--elements", "Mn"], UserInputError, "elements"),
    (["--chart", "c.pdf"], OptionError, "--chart"),
    (["--out", "r.txt"], OptionError, "--out"),
])
def test_bad_options_are_user_errors(tmp_path: Path, arguments: list[str],
                                     error: type[UserInputError], item: str) -> None:
    requirement = _write(tmp_path, EASY)
    result = CliRunner().invoke(_app(), ["design", str(requirement), *FAST, *arguments])
    assert isinstance(result.exception, error), result.output
    assert result.exception.item == item
    assert not list(tmp_path.glob("c.*")) and not list(tmp_path.glob("r.*"))


def test_missing_requirement_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["design", str(tmp_path / "none.toml"), *FAST])
    assert isinstance(result.exception, UserInputError)
    assert "file not found" in str(result.exception)
