"""Result tables and atomic output: CSV, Excel, JSON, never half-written."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest
from openpyxl import load_workbook

from valueloop.core.tables import (
    Table,
    atomic_write,
    sheet_name,
    table_to_csv,
    tables_to_json,
    write_bytes,
    write_csv,
    write_json,
    write_text,
    write_xlsx,
)


@pytest.fixture
def table() -> Table:
    return Table.from_records(
        "Cobalt balance, 2024",
        [{"flow": "mined", "value": 0.1 + 0.2, "count": 3, "ok": True, "note": None},
         {"flow": "refined, \"CN\"", "value": math.nan, "count": -1, "ok": False,
          "note": "comma, and\nnewline"},
         {"flow": "stock", "value": math.inf, "count": 0, "ok": True, "note": "万吨"}],
        units={"value": "kt"}, notes=("values illustrative",))


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_atomic_write_replaces_on_success(tmp_path: Path) -> None:
    target = tmp_path / "out" / "result.txt"
    with atomic_write(target) as stream:
        stream.write("first")
        assert not target.exists()  # nothing visible until the block succeeds
    assert target.read_text(encoding="utf-8") == "first"
    write_text(target, "second")
    assert target.read_text(encoding="utf-8") == "second"
    write_bytes(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert _leftovers(target.parent) == []


def test_atomic_write_keeps_old_content_on_error(tmp_path: Path) -> None:
    target = tmp_path / "result.csv"
    target.write_text("old content", encoding="utf-8")

    class BoomError(Exception):
        pass

    with pytest.raises(BoomError), atomic_write(target) as stream:
        stream.write("half of the new")
        raise BoomError
    assert target.read_text(encoding="utf-8") == "old content"
    assert list(tmp_path.iterdir()) == [target]

    with pytest.raises(KeyboardInterrupt), atomic_write(target, binary=True) as stream:
        stream.write(b"partial")
        raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "old content"
    assert list(tmp_path.iterdir()) == [target]


def test_failed_first_write_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "new.json"
    with pytest.raises(ValueError, match="JSON compliant"):
        write_json({"x": math.nan}, target)
    assert list(tmp_path.iterdir()) == []


def test_table_records_and_columns(table: Table) -> None:
    assert table.columns == ("flow", "value", "count", "ok", "note")
    assert table.column("count") == [3, -1, 0]
    assert table.records()[0]["flow"] == "mined"
    chosen = Table.from_records("t", [{"a": 1, "b": 2}], columns=["b", "c"])
    assert chosen.rows == ((2, None),)
    assert Table.from_records("empty", []).columns == ()


def test_csv(table: Table, tmp_path: Path) -> None:
    text = table_to_csv(table)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(table.columns)
    assert rows[1] == ["mined", repr(0.1 + 0.2), "3", "True", ""]
    assert float(rows[1][1]) == 0.1 + 0.2  # floats round-trip exactly
    assert rows[2] == ["refined, \"CN\"", "", "-1", "False", "comma, and\nnewline"]
    assert rows[3][1] == "inf" and rows[3][4] == "万吨"
    path = tmp_path / "table.csv"
    write_csv(table, path)
    assert path.read_text(encoding="utf-8") == text
    assert _leftovers(tmp_path) == []


def test_json(table: Table, tmp_path: Path) -> None:
    payload = json.loads(tables_to_json([table]))
    assert payload["title"] == "Cobalt balance, 2024"
    assert payload["units"] == {"value": "kt"}
    assert payload["notes"] == ["values illustrative"]
    assert payload["rows"][0] == {"flow": "mined", "value": 0.1 + 0.2, "count": 3, "ok": True,
                                  "note": None}
    assert payload["rows"][1]["value"] is None and payload["rows"][2]["value"] is None
    assert payload["rows"][2]["note"] == "万吨"
    both = json.loads(tables_to_json([table, Table("second", ("a",), ((1,),))]))
    assert isinstance(both, list) and [t["title"] for t in both] == ["Cobalt balance, 2024",
                                                                     "second"]
    path = tmp_path / "data.json"
    write_json({"a": [1, 2.5], "b": "万"}, path)
    assert json.loads(path.read_text(encoding="utf-8")) == {"a": [1, 2.5], "b": "万"}


def test_xlsx(table: Table, tmp_path: Path) -> None:
    other = Table("Cobalt balance, 2024", ("a",), ((1,), (2,)))  # same title: unique sheet
    long = Table("x" * 40 + "[bad]:*?/\\", ("a",), ((1.5,),))
    path = tmp_path / "tables.xlsx"
    write_xlsx([table, other, long], path)
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Cobalt balance, 2024", "Cobalt balance, 2024 (2)",
                                   "x" * 31]
    sheet = workbook["Cobalt balance, 2024"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == table.columns
    assert rows[1] == (None, "kt", None, None, None)  # units row
    # openpyxl writes 16 significant digits (Excel shows 15): close, not bit-exact
    assert rows[2][0] == "mined" and rows[2][1] == pytest.approx(0.1 + 0.2, rel=1e-15)
    assert rows[2][2:] == (3, True, None)
    assert rows[3][1] is None and rows[4][1] is None  # nan and inf become empty cells
    assert rows[4][4] == "万吨"
    assert rows[-1][0] == "values illustrative"
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A3"
    second = workbook["Cobalt balance, 2024 (2)"]
    assert [r[0] for r in second.iter_rows(values_only=True)] == ["a", 1, 2]
    assert second.freeze_panes == "A2"
    assert _leftovers(tmp_path) == []


def test_sheet_names_are_valid_and_unique() -> None:
    taken: set[str] = set()
    names = [sheet_name(title, taken) for title in ("a/b", "A_B", "", "?", "y" * 40, "y" * 40)]
    assert names == ["a_b", "A_B (2)", "Sheet", "_", "y" * 31, "y" * 27 + " (2)"]
    assert all(len(n) <= 31 for n in names)
