"""``valueloop materials report`` end to end on the shipped data, through the real CLI.

The database holds the shipped grades and Gorsse et al. 2023 records; the property models are
the session's (the command's own ``_models`` would read the disk cache on every call); the
design budget is small. User errors print one line and exit 2, before anything is written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from valueloop.cli import materials_report, run
from valueloop.core.db import Database
from valueloop.materials.properties import AlloyTable
from valueloop.materials.property_models import PropertyModel

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "requirements"
CONNECTOR = EXAMPLES / "connector.toml"
FAST = ["--population", "8", "--generations", "3", "--top", "5"]


@pytest.fixture(autouse=True)
def _trained_once(models: dict[str, PropertyModel], shipped: AlloyTable,
                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(materials_report, "_models", lambda: (models, shipped))


@pytest.fixture(scope="module")
def db(materials_db: str) -> str:
    return materials_db


def test_report_of_a_device_writes_the_page_and_the_workbook(
        db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "connector"
    assert run(["materials", "report", str(CONNECTOR), "--out", str(out), "--db", db,
                *FAST, "--seed", "3"]) == 0
    printed = " ".join(capsys.readouterr().out.split())  # the console wraps long lines
    assert f"wrote {out / 'report.html'}, {out / 'results.xlsx'}" in printed
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "results.xlsx"]
    page = (out / "report.html").read_text(encoding="utf-8")
    for section in ("device", "selection", "design", "method"):
        assert f'<section id="{section}">' in page
    # the device as given, in both languages: 2 N of contact force, a template default
    assert "接触力" in page and "contact force" in page and "2 N" in page
    assert "模板默认值" in page and "连接器或引线框架" in page
    # stress relaxation is in no record: said in both languages
    assert "no candidate in the database has stress relaxation" in page.lower()
    assert "应力松弛率数据" in page
    sheets = load_workbook(out / "results.xlsx", read_only=True).sheetnames
    assert len(sheets) == 11 and sheets[0].startswith("device specification")


def test_no_design_and_within_measured(db: str, tmp_path: Path) -> None:
    out = tmp_path / "selection-only"
    assert run(["materials", "report", str(CONNECTOR), "--out", str(out), "--db", db,
                "--no-design", "--top", "3"]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<section id="design">' not in page and '<section id="method">' in page
    assert len(load_workbook(out / "results.xlsx", read_only=True).sheetnames) == 7
    within = tmp_path / "within"
    assert run(["materials", "report", str(EXAMPLES / "hairpin.toml"), "--out", str(within),
                "--db", db, *FAST, "--within-measured"]) == 0
    page = (within / "report.html").read_text(encoding="utf-8")
    assert "限于实测数据范围" in page and '<section id="design">' in page


def test_an_empty_database_is_refused_before_any_work(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    Database.open(tmp_path / "empty.db").close()  # exists, holds nothing
    assert run(["materials", "report", str(CONNECTOR), "--out", str(out), "--db",
                str(tmp_path / "empty.db")]) == 2
    error = capsys.readouterr().err
    assert "holds no materials" in error and "materials import" in error
    assert not out.exists()


@pytest.mark.parametrize("options", [
    ["--top", "0"],
    ["--population", "3"],
    ["--generations", "0"],
    ["--seed", "x"],
    ["--no-such-option"],
])
def test_bad_options_exit_2(db: str, tmp_path: Path, options: list[str]) -> None:
    out = tmp_path / "out"
    assert run(["materials", "report", str(CONNECTOR), "--out", str(out), "--db", db,
                *options]) == 2
    assert not out.exists()


def test_bad_files_exit_2(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    taken = tmp_path / "a-file"
    taken.write_text("not a folder", encoding="utf-8")
    assert run(["materials", "report", str(CONNECTOR), "--out", str(taken), "--db", db]) == 2
    assert "not a folder" in capsys.readouterr().err
    assert run(["materials", "report", str(tmp_path / "missing.toml"), "--out",
                str(tmp_path / "out"), "--db", db]) == 2
    bad = tmp_path / "bad.toml"
    bad.write_text('[[constraint]]\nproperty = "colour"\noperator = ">="\nvalue = 1\n'
                   'unit = "%"\n', encoding="utf-8")
    assert run(["materials", "report", str(bad), "--out", str(tmp_path / "out"), "--db",
                db]) == 2
    assert "unknown property 'colour'" in capsys.readouterr().err
    assert run(["materials", "report", str(CONNECTOR), "--db", db]) == 2  # --out is required
    assert not (tmp_path / "out").exists()


def test_a_requirement_no_model_can_design_is_still_reported(db: str, tmp_path: Path) -> None:
    untestable = tmp_path / "forming.toml"
    untestable.write_text(
        'name = "forming"\n'
        '[[constraint]]\nproperty = "elongation_percent"\noperator = ">="\nvalue = 20\n'
        'unit = "%"\n'
        '[[objective]]\nproperty = "softening_temperature_c"\nsense = "max"\n',
        encoding="utf-8")
    out = tmp_path / "out"
    assert run(["materials", "report", str(untestable), "--out", str(out), "--db", db,
                *FAST]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "The design did not run" in page and "逆向设计未运行" in page
    assert "no constraint or objective is on a property the models predict" in page
