"""``materials select`` end to end on the shipped data, through a tiny typer app.

The command is registered in the ``materials`` group by the lead engineer; here it runs on an
app of its own, with the error handling of :func:`valueloop.cli.run` (a user error prints one
line and exits 2).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import typer
from openpyxl import load_workbook

from valueloop.cli import _click_exceptions, materials_select
from valueloop.cli.materials_select import select_command
from valueloop.cli.output import err_console
from valueloop.core.db import Database
from valueloop.core.errors import UserInputError
from valueloop.materials.importers import read_grades
from valueloop.materials.property_models import PropertyModel

SPRING = """
    name = "spring contact"

    [[constraint]]
    property = "uts_mpa"
    operator = ">="
    value = {uts}
    unit = "{unit}"

    [[constraint]]
    property = "electrical_conductivity_iacs"
    operator = ">="
    value = 40
    unit = "%IACS"

    [[objective]]
    property = "electrical_conductivity_iacs"
    sense = "max"

    [[objective]]
    property = "uts_mpa"
    sense = "max"
"""


# one candidate per temper (general-only grades: one) and per Gorsse record
CANDIDATES = sum(len([r for r in m.records if not r.general]) or 1 for m in read_grades()) + 1831


def run(argv: list[str]) -> int:
    """``valueloop materials select ...`` as :func:`valueloop.cli.run` handles it."""
    app = typer.Typer()
    app.command("select")(select_command)
    app.command("other")(lambda: None)  # two commands: typer keeps "select" a sub-command
    command = typer.main.get_command(app)
    try:
        status = command.main(args=argv, prog_name="valueloop", standalone_mode=False)
    except UserInputError as exc:
        err_console.print(f"error: {exc.render()}", soft_wrap=True)
        return exc.exit_status
    except _click_exceptions().ClickException as exc:
        exc.show()
        return exc.exit_code
    return status if isinstance(status, int) else 0



@pytest.fixture(autouse=True)
def _trained_once(models: dict[str, PropertyModel], monkeypatch: pytest.MonkeyPatch) -> None:
    # the command's own _models would train or read the disk cache on every call
    monkeypatch.setattr(materials_select, "_models", lambda db: models)


@pytest.fixture(scope="module")
def db(materials_db: str) -> str:
    return materials_db


def _requirement(tmp_path: Path, uts: float = 500, unit: str = "MPa",
                 name: str = "spring.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(SPRING.format(uts=uts, unit=unit)), encoding="utf-8")
    return path


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> list[dict]:
    capsys.readouterr()
    assert run([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_select_ranks_with_provenance(db: str, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    requirement = _requirement(tmp_path)
    chart = tmp_path / "ashby.svg"
    ranked, constraints, front = _json(capsys, [
        "select", str(requirement), "--db", db, "--top", "30", "--chart", str(chart),
        "--csv", str(tmp_path / "out.csv"), "--xlsx", str(tmp_path / "out.xlsx")])
    rows = ranked["rows"]
    assert len(rows) == 30 and [r["rank"] for r in rows] == list(range(1, 31))
    statuses = [r["status"] for r in rows]
    assert statuses[0] in ("meets", "meets if predictions hold")
    assert all(s in ("meets", "meets if predictions hold") for s in statuses)
    for row in rows:
        assert row["uts_mpa"] >= 500 or row["status"] == "meets if predictions hold"
        for key in ("uts_mpa", "electrical_conductivity_iacs"):
            assert row[f"{key} source"], row  # every shown value says where it comes from
        if row["uts_mpa origin"].startswith("predicted"):
            assert "random-forest" in row["uts_mpa source"]
            assert row["uts_mpa low"] < row["uts_mpa"] < row["uts_mpa high"]
    assert ranked["units"]["uts_mpa"] == "MPa"
    by_property = {(c["property"], c["operator"]): c for c in constraints["rows"]}
    uts = by_property["uts_mpa", ">="]
    assert uts["threshold"] == 500 and uts["reason"] == "given in the requirement"
    assert sum(uts[k] for k in ("meet", "meet if predictions hold", "no data", "fail")) == \
        CANDIDATES
    assert front["rows"] and all(r["status"] != "fails" for r in front["rows"])
    # the chart on disk; every candidate in the CSV and Excel files
    assert chart.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert (tmp_path / "out-1.csv").read_text(encoding="utf-8").count("\n") == CANDIDATES + 1
    assert load_workbook(tmp_path / "out.xlsx").sheetnames[1].startswith("constraints")


def test_no_predict_uses_stored_values_only(db: str, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    ranked, _, _ = _json(capsys, ["select", str(_requirement(tmp_path)), "--db", db,
                                  "--no-predict", "--top", "0"])
    origins = {r[f"{k} origin"] for r in ranked["rows"]
               for k in ("uts_mpa", "electrical_conductivity_iacs")}
    assert origins <= {"measured", "missing"}
    assert {r["status"] for r in ranked["rows"][:5]} == {"meets"}


def test_gpa_and_mpa_select_the_same(db: str, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    mpa = _json(capsys, ["select", str(_requirement(tmp_path)), "--db", db, "--top", "0"])
    gpa = _json(capsys, ["select", str(_requirement(tmp_path, 0.5, "GPa", "gpa.toml")),
                         "--db", db, "--top", "0"])
    assert mpa[0]["rows"] == gpa[0]["rows"]
    assert mpa[1]["rows"][0]["threshold"] == gpa[1]["rows"][0]["threshold"] == 500
    assert gpa[1]["rows"][0]["as given"] == "0.5 GPa"


def test_terminal_output(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["select", str(_requirement(tmp_path)), "--db", db, "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert "ranked candidates for spring contact (top 3 of" in out
    assert "(predicted" in out and "candidates:" in out


@pytest.mark.parametrize(("content", "extra", "message"), [
    ("name = [", [], "not valid TOML"),
    ('[[constraint]]\nproperty = "strength"\noperator = ">="\nvalue = 1\nunit = "MPa"\n', [],
     "unknown property 'strength'"),
    ('[[constraint]]\nproperty = "uts_mpa"\noperator = ">="\nvalue = 1\nunit = "m"\n', [],
     "constraint[0].unit"),
    (None, ["--ashby", "uts_mpa:strength"], "--ashby"),
    (None, ["--ashby", "uts_mpa"], "--ashby"),
    (None, ["--chart", "chart.pdf"], "--chart"),
    (None, ["--chart", "chart.svg", "--lang", "fr"], "--lang"),
])
def test_user_errors_exit_2(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                            content: str | None, extra: list[str], message: str) -> None:
    if content is None:
        path = _requirement(tmp_path)
    else:
        path = tmp_path / "bad.toml"
        path.write_text(content, encoding="utf-8")
    extra = [str(tmp_path / a) if a.startswith("chart.") else a for a in extra]
    capsys.readouterr()
    assert run(["select", str(path), "--db", db, *extra]) == 2
    error = capsys.readouterr().err
    assert message in error
    assert not list(tmp_path.glob("chart.*"))


def test_empty_database_says_what_to_import(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    Database.open(tmp_path / "e.db").close()  # exists, holds nothing
    assert run(["select", str(_requirement(tmp_path)), "--db", str(tmp_path / "e.db")]) == 2
    error = " ".join(capsys.readouterr().err.split())
    assert "holds no materials" in error
    assert "valueloop materials import --grades --gorsse-shipped" in error
