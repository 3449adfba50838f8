"""``valueloop materials`` in-process: import, show, search, export."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from test_importers import gorsse_file

from valueloop.cli import run


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:
    capsys.readouterr()
    assert run([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_import_search_show_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "m.db")
    result = _json(capsys, ["materials", "import", "--grades", "--gorsse", str(gorsse_file()),
                            "--db", db])
    assert result["rows"][-1] == {"source": "total in database", "materials": 154}
    # no Gorsse record reaches 600 MPa and 80 %IACS together (reference note, section 0)
    none = _json(capsys, ["materials", "search", "--where", "conductivity_iacs>=80",
                          "--where", "uts>=600", "--designation", "Cu-0.1Ag–0.3Cr", "--db", db])
    assert none["rows"] == []
    found = _json(capsys, ["materials", "search", "--where", "conductivity_iacs>=80",
                           "--where", "Cr<=1.2", "--where", "Cr>=0.3", "--db", db])
    assert found["rows"] and all(r["source"] for r in found["rows"])
    shown = _json(capsys, ["materials", "show", "CW106C", "--db", db])
    assert {r["material"] for r in shown["rows"]} == {"grade:C18150"}
    out = tmp_path / "x.xml"
    assert run(["materials", "export", "--matml", str(out), "--designation", "C17200",
                "--csv", str(tmp_path / "e.csv"), "--db", db]) == 0
    assert ET.parse(out).getroot().findtext("Material/BulkDetails/Name") == "C17200"
    db2 = str(tmp_path / "n.db")
    again = _json(capsys, ["materials", "import", "--from-csv", str(tmp_path / "e.csv"),
                           "--db", db2])
    assert again["rows"][-1]["materials"] == 154


def test_user_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "m.db")
    assert run(["materials", "import", "--db", db]) == 2
    assert run(["materials", "search", "--where", "Cr is low", "--db", db]) == 2
    assert "--where" in capsys.readouterr().err
    assert run(["materials", "show", "C99999", "--db", db]) == 2
    assert run(["materials", "import", "--gorsse", str(tmp_path / "no.csv"), "--db", db]) == 2
