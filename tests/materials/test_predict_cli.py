"""``valueloop materials predict`` on rows of the shipped Gorsse file with processing blanked."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import typer
from openpyxl import load_workbook
from typer.testing import CliRunner

from valueloop.cli.materials_predict import predict_command
from valueloop.materials.properties import shipped_path
from valueloop.materials.property_models import PROPERTIES

BLANKED = ("Tss (K)", "tss (h)", "Tag (K)", "Secondary thermo-mechanical process")


def _command() -> typer.Typer:
    # The materials group (cli/materials_cmd.py) is another part of issue 6; the command is
    # exercised on its own typer app so this test does not depend on it.
    app = typer.Typer()
    app.command("predict")(predict_command)
    app.command("other")(lambda: None)  # two commands: typer keeps "predict" as a sub-command
    return app


def _input(tmp_path: Path) -> tuple[Path, list[str]]:
    with shipped_path().open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    header, body = rows[0], [list(r) for r in rows[1:7]]
    for i, row in enumerate(body):  # blank a different processing cell in each row
        row[header.index(BLANKED[i % len(BLANKED)])] = ""
    path = tmp_path / "alloys.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([header, *body])
    return path, header


def test_predict_writes_input_plus_intervals(tmp_path: Path) -> None:
    source, header = _input(tmp_path)
    out = tmp_path / "sub" / "predicted.csv"
    result = CliRunner().invoke(_command(), ["predict", "--input", str(source),
                                             "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 6
    assert list(rows[0])[:len(header)] == header
    for name in PROPERTIES:
        for row in rows:
            low, pred, high = (float(row[f"{name}_{p}"]) for p in ("lo", "pred", "hi"))
            assert low <= pred <= high
            assert row[f"{name}_in_domain"] in {"True", "False"}
    # Gorsse row 1 (Cu-0.1Ag-0.3Cr, solution treated) measured 45 %IACS: inside its interval.
    first = rows[0]
    assert float(first["electrical_conductivity_iacs_lo"]) <= 45.0 \
        <= float(first["electrical_conductivity_iacs_hi"])
    assert first["electrical_conductivity_iacs_in_domain"] == "True"
    assert not list(out.parent.glob(".*.tmp"))


def test_predict_reads_and_writes_excel(tmp_path: Path) -> None:
    source, _ = _input(tmp_path)
    workbook_in = tmp_path / "alloys.xlsx"
    out = tmp_path / "predicted.xlsx"
    runner = CliRunner()
    first = runner.invoke(_command(), ["predict", "--input", str(source), "--out", str(out)])
    assert first.exit_code == 0, first.output
    out.rename(workbook_in)  # a workbook in the Gorsse layout (plus extra columns) as input
    second = runner.invoke(_command(), ["predict", "--input", str(workbook_in),
                                        "--out", str(out)])
    assert second.exit_code == 0, second.output
    sheet = load_workbook(out, read_only=True).worksheets[0]
    header = next(sheet.iter_rows(values_only=True))
    assert header.count("hardness_hv_pred") == 1 and "uts_mpa_in_domain" in header


@pytest.mark.parametrize(("name", "content", "message"), [
    ("bad.csv", "Alloy formula,Ni,Aging\nx,1,maybe\n", "Aging"),
    ("bad.csv", "Alloy formula,colour\nx,red\n", "no element"),
    ("alloys.txt", "Ni\n1\n", "allowed: .csv, .xlsx")])
def test_predict_bad_input_is_a_user_error(tmp_path: Path, name: str, content: str,
                                           message: str) -> None:
    source = tmp_path / name
    source.write_text(content, encoding="utf-8")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(_command(), ["predict", "--input", str(source),
                                             "--out", str(out)])
    assert result.exit_code != 0
    assert message in str(result.exception)
    assert not out.exists()


def test_registered_in_materials_group(tmp_path: Path) -> None:
    from valueloop.cli import run

    source, _ = _input(tmp_path)
    out = tmp_path / "predicted.csv"
    assert run(["materials", "predict", "--input", str(source), "--out", str(out)]) == 0
    assert out.is_file()
    assert run(["materials", "predict", "--input", str(source),
                "--out", str(tmp_path / "x.txt")]) == 2
