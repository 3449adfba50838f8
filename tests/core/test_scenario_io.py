"""Scenario definitions through TOML and Excel and back, Excel input errors, and differences."""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from valueloop.core.distributions import LogNormal, Normal, Pert, Triangular, Uniform
from valueloop.core.errors import (
    InvalidDistributionError,
    MalformedFileError,
    MissingSourceError,
    UnknownParameterError,
    UserInputError,
)
from valueloop.core.model import ModelDefinition
from valueloop.core.parameters import (
    OverrideEntry,
    ParameterDeclaration,
    ParameterEntry,
    ParameterPatch,
    ShareGroupEntry,
)
from valueloop.core.scenario import (
    ScenarioDefinition,
    ScenarioHeader,
    load_definition,
    resolve,
)
from valueloop.core.scenario_io import (
    DIFF_COLUMNS,
    DISTRIBUTION_ARGUMENTS,
    ENTRY_FIELDS,
    PATCH_FIELDS,
    SHEETS,
    definition_to_toml,
    diff_definitions,
    diff_scenarios,
    export_definition_xlsx,
    import_definition_xlsx,
    import_scenario_xlsx_to_toml,
)
from valueloop.core.sources import Citation
from valueloop.models.testfunctions import ISHIGAMI

DATA = Path(__file__).resolve().parents[1] / "data" / "scenarios"
RICH = DATA / "io_rich.toml"
CHILD = DATA / "io_child.toml"


def _declare(name: str, unit: str = "dimensionless", bounds: tuple[float, float] = (0.0, 1.0),
             shape: Literal["scalar", "series"] = "scalar") -> ParameterDeclaration:
    return ParameterDeclaration(name=name, unit=unit, description=name, bounds=bounds,
                                shape=shape)


# The model the fixtures are written for: canonical units differ from the files' on purpose
# (wan_t -> t, kWh/kg -> MJ/t, kt -> t) so that resolution converts.
FIXTURE_MODEL = ModelDefinition(
    name="io-fixture",
    title="Scenario I/O fixture model",
    parameters=(
        _declare("cobalt.output", "t", (0.0, math.inf)),
        _declare("cobalt.price.hydroxide", "CNY/t", (0.0, math.inf)),
        _declare("process.recovery"),
        _declare("process.energy", "MJ/t", (0.0, math.inf)),
        _declare("market.growth", bounds=(-1.0, 1.0)),
        _declare("demand.ev", "t", (0.0, math.inf), shape="series"),
        _declare("chemistry.cobalt_intensity", shape="series"),
        _declare("feed.ore_share"),
        _declare("feed.scrap_share"),
    ),
    outputs=(),
    evaluate=lambda inputs: {},
)
MODELS = {"ishigami": ISHIGAMI, "io-fixture": FIXTURE_MODEL}


def toml_round_trip(definition: ScenarioDefinition) -> ScenarioDefinition:
    return ScenarioDefinition.model_validate(tomllib.loads(definition_to_toml(definition)))


def xlsx_round_trip(definition: ScenarioDefinition, folder: Path) -> ScenarioDefinition:
    path = folder / "scenario.xlsx"
    export_definition_xlsx(definition, path)
    return import_definition_xlsx(path)


@pytest.fixture(params=["valueloop:ishigami", str(RICH), str(CHILD)],
                ids=["ishigami", "rich", "child"])
def definition(request: pytest.FixtureRequest) -> ScenarioDefinition:
    return load_definition(request.param)


@pytest.fixture
def rich() -> ScenarioDefinition:
    return load_definition(RICH)


@pytest.fixture
def rich_xlsx(rich: ScenarioDefinition, tmp_path: Path) -> Path:
    path = tmp_path / "rich.xlsx"
    export_definition_xlsx(rich, path)
    return path


# --- TOML ----------------------------------------------------------------------------------------


def test_toml_round_trip_is_equal(definition: ScenarioDefinition) -> None:
    assert toml_round_trip(definition) == definition


def test_toml_is_canonical(definition: ScenarioDefinition) -> None:
    text = definition_to_toml(definition)
    assert definition_to_toml(toml_round_trip(definition)) == text


def test_toml_reads_back_through_load_definition(definition: ScenarioDefinition,
                                                 tmp_path: Path) -> None:
    path = tmp_path / "written.toml"
    path.write_text(definition_to_toml(definition), encoding="utf-8")
    assert load_definition(path) == definition


def test_toml_is_human_readable(rich: ScenarioDefinition) -> None:
    text = definition_to_toml(rich)
    assert '[parameters."cobalt.output"]\nvalue = 18.6\nunit = "wan_t"\n' in text
    assert ('distribution = { kind = "pert", low = 16.0, mode = 18.6, high = 21.0, lamb = 3.0 }'
            in text)
    assert "bounds = [0.0, inf]" in text and "bounds = [-inf, inf]" in text
    assert 'index = [2025, 2030, 2035]\nvalue = [120.0, 210.5, 330.0]' in text
    assert '[overrides.high-price-fixed.parameters."process.recovery"]\nfixed = true\n' in text
    assert "[[correlations]]" in text
    assert 'description = """\nEvery feature of a scenario file.\n' in text
    # PERT's default shape is left out, as a person would write it.
    assert "lamb" not in definition_to_toml(rich.model_copy(update={"parameters": {
        "x.y": ParameterEntry(distribution=Pert(low=0, mode=1, high=2),
                              source=Citation(assumption="test"))}}))


def test_toml_wraps_long_series() -> None:
    years = tuple(range(2020, 2061))
    entry = ParameterEntry(value=tuple(float(y) for y in years), index=years,
                           source=Citation(assumption="test"))
    definition = ScenarioDefinition(scenario=ScenarioHeader(name="s", model="m"),
                                    parameters={"long.series": entry})
    text = definition_to_toml(definition)
    assert max(len(line) for line in text.splitlines()) <= 100
    assert toml_round_trip(definition) == definition


_ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
_ANY_FLOAT = st.floats(allow_nan=False)


@given(note=_ANY_TEXT, value=_ANY_FLOAT, low=_ANY_FLOAT, high=_ANY_FLOAT, title=_ANY_TEXT)
def test_toml_round_trips_any_text_and_float(note: str, value: float, low: float, high: float,
                                             title: str) -> None:
    entry = ParameterEntry(value=value, bounds=(min(low, high), max(low, high)), note=note,
                           source=Citation(assumption="a", section=note or None))
    definition = ScenarioDefinition(
        scenario=ScenarioHeader(name="s", model="m", title=title, description=note + "\n" + note),
        parameters={"p.q": entry}, overrides={title: OverrideEntry(description=note)})
    assert toml_round_trip(definition) == definition


def test_toml_refuses_a_patch_field_set_to_none(rich: ScenarioDefinition,
                                                tmp_path: Path) -> None:
    # None would mean "remove the note" when applied, which a file cannot say.
    patch = ParameterPatch(value=1.0, note=None)
    definition = rich.model_copy(update={"overrides": {"o": OverrideEntry(
        parameters={"process.recovery": patch})}})
    with pytest.raises(ValueError, match="note explicitly set to None"):
        definition_to_toml(definition)
    with pytest.raises(ValueError, match="note explicitly set to None"):
        export_definition_xlsx(definition, tmp_path / "x.xlsx")


def test_field_lists_cover_the_models() -> None:
    assert set(ENTRY_FIELDS) == set(ParameterEntry.model_fields)
    assert set(PATCH_FIELDS) == set(ParameterPatch.model_fields)
    classes = (Uniform, Triangular, Pert, Normal, LogNormal)
    arguments = {name for cls in classes for name in cls.model_fields} - {"kind"}
    assert arguments == set(DISTRIBUTION_ARGUMENTS)


# --- Excel round trip ----------------------------------------------------------------------------


def test_xlsx_round_trip_is_equal(definition: ScenarioDefinition, tmp_path: Path) -> None:
    assert xlsx_round_trip(definition, tmp_path) == definition


def test_toml_to_xlsx_to_toml_gives_the_same_text(definition: ScenarioDefinition,
                                                   tmp_path: Path) -> None:
    text = definition_to_toml(definition)
    assert definition_to_toml(xlsx_round_trip(toml_round_trip(definition), tmp_path)) == text


@pytest.mark.parametrize(("path", "model"), [("valueloop:ishigami", "ishigami"),
                                             (str(RICH), "io-fixture"),
                                             (str(CHILD), "io-fixture")])
def test_round_trip_preserves_resolved_values(path: str, model: str, tmp_path: Path) -> None:
    original = load_definition(path)
    copies = (toml_round_trip(original), xlsx_round_trip(original, tmp_path))
    for override in (None, *original.overrides):
        expected = resolve(original, MODELS[model], override=override)
        for copy in copies:
            got = resolve(copy, MODELS[model], override=override)
            assert got.parameters == expected.parameters
            assert got.share_groups == expected.share_groups
            assert got.correlations == expected.correlations


def test_resolved_fixture_converts_units(rich: ScenarioDefinition) -> None:
    # Guards the fixture itself: the round-trip test is only as good as what it resolves.
    scenario = resolve(rich, FIXTURE_MODEL, override="high-price-fixed")
    assert scenario.parameters["cobalt.output"].value == pytest.approx(190_000.0)
    assert scenario.parameters["cobalt.output"].distribution is None
    assert scenario.parameters["process.recovery"].distribution is None
    assert scenario.parameters["demand.ev"].value == (100_000.0, 150_000.0, 200_000.0)
    assert scenario.parameters["demand.ev"].index == (2025, 2030, 2035)
    base = resolve(rich, FIXTURE_MODEL)
    assert base.parameters["process.energy"].value == pytest.approx(11_520.0)
    assert base.parameters["cobalt.price.hydroxide"].value == 250_000.0


def test_xlsx_keeps_index_label_types(rich_xlsx: Path) -> None:
    back = import_definition_xlsx(rich_xlsx)
    assert back.parameters["demand.ev"].index == (2025, 2030, 2035)
    assert all(isinstance(label, int) for label in back.parameters["demand.ev"].index or ())
    labels = back.parameters["chemistry.cobalt_intensity"].index
    assert labels == ("ncm111", "ncm811", "2035")
    assert all(isinstance(label, str) for label in labels or ())


def test_xlsx_layout_is_made_for_editing(rich_xlsx: Path) -> None:
    book = load_workbook(rich_xlsx)
    assert book.sheetnames == [spec.name for spec in SHEETS]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "B2"
        assert all(cell.font.bold for cell in sheet[1])
        for cell in sheet[1]:
            assert sheet.column_dimensions[cell.column_letter].width >= len(str(cell.value))
    parameters = book["parameters"]
    header = [cell.value for cell in parameters[1]]
    row = _row_of(parameters, "name", "process.energy")
    cells = {name: parameters.cell(row, number).value for number, name in enumerate(header, 1)}
    assert cells["bound_low"] == "-inf" and cells["bound_high"] == "inf"
    # 0.30000000000000004 does not survive openpyxl's 16 digits as a number, so it is text.
    assert cells["sd"] == "0.30000000000000004"
    assert cells["distribution"] == "normal" and cells["mean"] == 3.2
    validations = parameters.data_validations.dataValidation
    assert any("uniform" in (v.formula1 or "") for v in validations)
    # A note starting with '=' stays text rather than becoming a formula.
    recovery = _row_of(parameters, "name", "process.recovery")
    note = parameters.cell(recovery, header.index("source_note") + 1)
    assert note.value == "=approx. read from a chart" and note.data_type == "s"


_EXCEL_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n\t"),
                      min_size=1, max_size=30).filter(str.strip)


@settings(max_examples=25, deadline=None)
@given(value=st.floats(allow_nan=False), low=st.floats(allow_nan=False),
       note=_EXCEL_TEXT, section=_EXCEL_TEXT)
def test_xlsx_round_trips_any_float_and_text(value: float, low: float, note: str, section: str,
                                             tmp_path_factory: pytest.TempPathFactory) -> None:
    entry = ParameterEntry(value=value, bounds=(min(low, value), math.inf), note=note,
                           source=Citation(document="doc", section=section))
    definition = ScenarioDefinition(scenario=ScenarioHeader(name="s", model="m", title=note),
                                    parameters={"p.q": entry})
    assert xlsx_round_trip(definition, tmp_path_factory.mktemp("xlsx")) == definition


def test_import_scenario_xlsx_to_toml(rich: ScenarioDefinition, rich_xlsx: Path,
                                      tmp_path: Path) -> None:
    target = tmp_path / "out" / "rich.toml"
    returned = import_scenario_xlsx_to_toml(rich_xlsx, target)
    assert returned == rich
    assert load_definition(target) == rich
    assert target.read_text(encoding="utf-8") == definition_to_toml(rich)
    assert [p.name for p in target.parent.iterdir()] == ["rich.toml"]  # no temporary left


def test_document_keyed_by_another_id_is_refused_at_load(tmp_path: Path) -> None:
    path = tmp_path / "alias.toml"
    path.write_text('[scenario]\nname = "a"\nmodel = "ishigami"\n\n'
                    '[documents.alias]\nid = "real-id"\ntitle = "A document"\n',
                    encoding="utf-8")
    with pytest.raises(MalformedFileError, match="different id 'real-id'"):
        load_definition(path)
    with pytest.raises(ValueError, match="different id"):
        ScenarioDefinition.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))


# --- Excel import: lenient where the meaning is clear ------------------------------------------


def test_xlsx_import_accepts_what_analysts_type(rich: ScenarioDefinition,
                                                rich_xlsx: Path) -> None:
    book = load_workbook(rich_xlsx)
    parameters = book["parameters"]
    header = [cell.value for cell in parameters[1]]
    row = _row_of(parameters, "name", "cobalt.output")
    parameters.cell(row, header.index("value") + 1).value = " 18.6 "  # number stored as text
    parameters.cell(row, header.index("bound_high") + 1).value = "Inf"
    parameters.cell(1, header.index("name") + 1).value = " Name "
    parameters.insert_rows(3)  # a blank line between parameters
    book["series"].insert_rows(2)
    book.create_sheet("_notes").append(["anything the analyst wants"])
    book.save(rich_xlsx)
    assert import_definition_xlsx(rich_xlsx) == rich


def test_xlsx_import_fills_defaults_from_empty_cells(rich: ScenarioDefinition,
                                                     rich_xlsx: Path) -> None:
    book = load_workbook(rich_xlsx)
    parameters = book["parameters"]
    header = [cell.value for cell in parameters[1]]
    row = _row_of(parameters, "name", "process.recovery")
    parameters.cell(row, header.index("unit") + 1).value = None
    for name in ("documents", "share_groups", "correlations"):
        del book[name]
    book.save(rich_xlsx)
    back = import_definition_xlsx(rich_xlsx)
    assert back.parameters["process.recovery"].unit == "dimensionless"
    assert back.documents == {} and back.share_groups == {} and back.correlations == []
    assert back.overrides == rich.overrides


# --- Excel import: errors ------------------------------------------------------------------------

# sheet, key column, key, column to corrupt, new value, error, text the message must contain
ERROR_CASES: list[tuple[str, str, str, str, Any, type[UserInputError], str]] = [
    ("parameters", "name", "cobalt.output", "value", "abc", MalformedFileError,
     "column 'value': 'abc' is not a number"),
    ("parameters", "name", "cobalt.output", "distribution", "gaussian",
     InvalidDistributionError, "unknown distribution 'gaussian'"),
    ("parameters", "name", "process.recovery", "low", 0.99, InvalidDistributionError,
     "low <= mode <= high"),
    ("parameters", "name", "market.growth", "mean", 0.1, InvalidDistributionError,
     "uniform takes no mean"),
    ("parameters", "name", "market.growth", "distribution", None, InvalidDistributionError,
     "low, high given but 'distribution' is empty"),
    ("parameters", "name", "cobalt.price.hydroxide", "sigma", -0.5, InvalidDistributionError,
     "sigma"),
    ("parameters", "name", "cobalt.output", "source_document", None, MissingSourceError,
     "source: a source needs 'document'"),
    ("parameters", "name", "cobalt.output", "source_year", "last year", MalformedFileError,
     "'last year' is not a whole number"),
    ("parameters", "name", "cobalt.output", "bound_high", None, MalformedFileError,
     "bound_low and bound_high go together"),
    ("parameters", "name", "process.recovery", "bound_low", 2.0, MalformedFileError,
     "low <= high"),
    ("parameters", "name", "feed.ore_share", "unit", dt.datetime(2024, 1, 2),
     MalformedFileError, "is a date or time"),
    ("parameters", "name", "market.growth", "value", True, MalformedFileError,
     "True is not a number"),
    ("series", "parameter", "demand.ev", "index", 2025.5, MalformedFileError,
     "2025.5 is not an index label"),
    ("series", "parameter", "demand.ev", "value", "n/a", MalformedFileError,
     "'n/a' is not a number"),
    ("series", "parameter", "demand.ev", "index", None, MalformedFileError,
     "index label is empty"),
    ("overrides", "parameter", "process.recovery", "fixed", "maybe", MalformedFileError,
     "'maybe' is not TRUE or FALSE"),
    ("overrides", "parameter", "cobalt.output", "description", "x", MalformedFileError,
     "description belongs on the override's own row"),
    ("correlations", "parameter_a", "cobalt.price.hydroxide", "rank_correlation", 1.5,
     MalformedFileError, "rank_correlation: Input should be less than 1"),
    ("share_groups", "name", "feed", "concentration", -1, MalformedFileError,
     "concentration: Input should be greater than 0"),
    ("documents", "id", "nfmia-yearbook-2023", "year", 1066, MalformedFileError,
     "year: Input should be greater than or equal to 1800"),
    ("scenario", "key", "name", "value", "bad name!", MalformedFileError,
     "name: String should match pattern"),
]


@pytest.mark.parametrize(("sheet", "key_column", "key", "column", "value", "error", "text"),
                         ERROR_CASES, ids=[f"{c[0]}-{c[3]}-{c[4]}" for c in ERROR_CASES])
def test_xlsx_import_error_names_file_sheet_row_and_item(
        rich_xlsx: Path, sheet: str, key_column: str, key: str, column: str, value: Any,
        error: type[UserInputError], text: str) -> None:
    row = _corrupt(rich_xlsx, sheet, key_column, key, column, value)
    with pytest.raises(error) as caught:
        import_definition_xlsx(rich_xlsx)
    message = str(caught.value)
    assert type(caught.value) is error
    assert str(rich_xlsx) in message
    assert f"{sheet}!row {row} (" in message
    assert key in message
    assert text in message


def test_xlsx_invalid_parameter_name(rich_xlsx: Path) -> None:
    row = _corrupt(rich_xlsx, "parameters", "name", "cobalt.output", "name", "Cobalt Output")
    with pytest.raises(UnknownParameterError, match=rf"parameters!row {row} \(Cobalt Output\)"):
        import_definition_xlsx(rich_xlsx)


@pytest.mark.parametrize(("edit", "error", "text"), [
    (lambda book: book["parameters"].cell(1, 22, "colour"), MalformedFileError,
     "parameters!row 1: unknown column 'colour'"),
    (lambda book: book["parameters"].delete_cols(1), MalformedFileError,
     "parameters!row 1: missing column(s) name"),
    (lambda book: book["series"].cell(1, 2, "value"), MalformedFileError,
     "column 'value' appears twice"),
    (lambda book: book["parameters"].cell(3, 30, 5), MalformedFileError,
     "parameters!row 3 (cobalt.price.hydroxide): column 30 has a value but no header"),
    (lambda book: book.remove(book["parameters"]), MalformedFileError,
     "has no sheet 'parameters'"),
    (lambda book: setattr(book["overrides"], "title", "overides"), MalformedFileError,
     "unknown sheet 'overides'"),
    (lambda book: book["parameters"].append(["cobalt.output", 1.0]), MalformedFileError,
     "parameters!row 11 (cobalt.output): repeats parameters!row 2 (cobalt.output)"),
    (lambda book: book["series"].append(["no.such", 2025, 1.0]), MalformedFileError,
     "series!row 11 (no.such): no row for this parameter on sheet 'parameters'"),
    (lambda book: book["series"].append(["demand.ev", 2025, 1.0, "ghost"]), MalformedFileError,
     "series!row 11 (demand.ev / ghost): no row for override 'ghost'"),
    (lambda book: book["parameters"].cell(7, 2, 5.0), MalformedFileError,
     "parameters!row 7 (demand.ev): has a value here and a series on sheet 'series'"),
    (lambda book: book["parameters"].cell(5, 2, "=1+2"), MalformedFileError,
     "column 'value': formula =1+2 has no saved result"),
    (lambda book: book["scenario"].append(["colour", "red"]), MalformedFileError,
     "scenario!row 7 (colour): unknown key 'colour'"),
    (lambda book: book["scenario"].delete_rows(2), MalformedFileError,
     "scenario: name: Field required"),
    (lambda book: book["overrides"].append(["high-price", "again"]), MalformedFileError,
     "second row without a parameter (first: row 2)"),
    (lambda book: book["overrides"].cell(2, 5, 1.0), MalformedFileError,
     "column(s) value need a 'parameter' on this row"),
], ids=["unknown-column", "missing-column", "duplicate-column", "headerless-value",
        "missing-sheet", "unknown-sheet", "duplicate-parameter", "series-unknown-parameter",
        "series-unknown-override", "value-and-series", "uncached-formula", "unknown-key",
        "missing-name", "two-override-rows", "patch-column-on-override-row"])
def test_xlsx_import_structure_errors(rich_xlsx: Path, edit: Callable[[Any], object],
                                      error: type[UserInputError], text: str) -> None:
    book = load_workbook(rich_xlsx)
    edit(book)
    book.save(rich_xlsx)
    with pytest.raises(error) as caught:
        import_definition_xlsx(rich_xlsx)
    assert str(rich_xlsx) in str(caught.value)
    assert text in str(caught.value)


def test_xlsx_import_of_something_else(tmp_path: Path) -> None:
    text_file = tmp_path / "not.xlsx"
    text_file.write_text("name,value\n", encoding="utf-8")
    with pytest.raises(MalformedFileError, match="is not a readable Excel workbook"):
        import_definition_xlsx(text_file)
    with pytest.raises(MalformedFileError, match="does not exist"):
        import_definition_xlsx(tmp_path / "missing.xlsx")


def _row_of(sheet: Worksheet, key_column: str, key: str) -> int:
    header = [cell.value for cell in sheet[1]]
    number = header.index(key_column) + 1
    return next(row for row in range(2, sheet.max_row + 1)
                if sheet.cell(row, number).value == key)


def _corrupt(path: Path, sheet: str, key_column: str, key: str, column: str, value: Any) -> int:
    """Set one cell of the first row whose ``key_column`` is ``key``; returns the row number."""
    book = load_workbook(path)
    worksheet = book[sheet]
    header = [cell.value for cell in worksheet[1]]
    row = _row_of(worksheet, key_column, key)
    worksheet.cell(row, header.index(column) + 1).value = value
    book.save(path)
    return row


# --- differences ---------------------------------------------------------------------------------


def _with_parameter(definition: ScenarioDefinition, name: str, **changes: Any
                    ) -> ScenarioDefinition:
    entry = ParameterEntry.model_validate({**definition.parameters[name].model_dump(), **changes})
    return definition.model_copy(update={"parameters": {**definition.parameters, name: entry}})


def _in_kt(definition: ScenarioDefinition, value: float = 186.0) -> ScenarioDefinition:
    """cobalt.output as 186 kt instead of 18.6 wan_t: the same quantity."""
    return _with_parameter(definition, "cobalt.output", value=value, unit="kt",
                           distribution=Pert(low=160, mode=186, high=210, lamb=3),
                           bounds=(0.0, math.inf))


def test_diff_of_equal_definitions_is_empty(rich: ScenarioDefinition) -> None:
    table = diff_definitions(rich, toml_round_trip(rich))
    assert table.columns == DIFF_COLUMNS
    assert table.rows == ()


def test_diff_another_unit_for_the_same_quantity_is_a_unit_difference_only(
        rich: ScenarioDefinition) -> None:
    table = diff_definitions(rich, _in_kt(rich))
    assert table.records() == [{"item": "cobalt.output", "field": "unit", "a": "wan_t",
                                "b": "kt", "rel_change": 0.0}]


def test_diff_value_change_is_relative_in_a_units(rich: ScenarioDefinition) -> None:
    records = diff_definitions(rich, _in_kt(rich, value=200.0)).records()
    assert [(r["field"], r["a"], r["b"]) for r in records] == [
        ("unit", "wan_t", "kt"), ("value", "18.6 wan_t", "200 kt")]
    assert records[1]["rel_change"] == pytest.approx((20.0 - 18.6) / 18.6)


def test_diff_reports_each_kind_of_change(rich: ScenarioDefinition) -> None:
    b = _with_parameter(rich, "demand.ev", value=(120.0, 220.0, 330.0))
    b = _with_parameter(b, "process.recovery",
                        distribution={"kind": "uniform", "low": 0.9, "high": 0.95},
                        source={"assumption": "new"})
    parameters = {k: v for k, v in b.parameters.items() if k != "market.growth"}
    parameters["extra.param"] = ParameterEntry(value=1.0, source=Citation(assumption="x"))
    high_price = rich.overrides["high-price"]
    patch = high_price.parameters["cobalt.price.hydroxide"].model_copy(update={"value": 3.0e5})
    b = b.model_copy(update={
        "scenario": b.scenario.model_copy(update={"title": "Other"}),
        "parameters": parameters,
        "share_groups": {"feed": rich.share_groups["feed"].model_copy(
            update={"concentration": 80.0})},
        "correlations": [rich.correlations[0].model_copy(update={"rank_correlation": 0.3})],
        "documents": {key: doc.model_copy(update={"year": 2024})
                      for key, doc in rich.documents.items()},
        "overrides": {**rich.overrides, "high-price": high_price.model_copy(update={
            "parameters": {"cobalt.price.hydroxide": patch}})},
    })
    rows = {(r["item"], r["field"]): r for r in diff_definitions(rich, b).records()}
    assert set(rows) == {
        ("scenario", "title"),
        ("documents.nfmia-yearbook-2023", "year"),
        ("process.recovery", "distribution"),
        ("process.recovery", "source"),
        ("market.growth", "entry"),
        ("demand.ev", "value[2030]"),
        ("extra.param", "entry"),
        ("share_groups.feed", "concentration"),
        ("correlation cobalt.price.hydroxide ~ market.growth", "rank_correlation"),
        ("overrides.high-price.parameters.cobalt.price.hydroxide", "value"),
    }
    assert rows[("demand.ev", "value[2030]")]["rel_change"] == pytest.approx(9.5 / 210.5)
    assert rows[("demand.ev", "value[2030]")]["b"] == "220 kt"
    assert rows[("share_groups.feed", "concentration")]["rel_change"] == pytest.approx(0.6)
    assert rows[("market.growth", "entry")]["b"] is None
    assert rows[("market.growth", "entry")]["a"] == "uniform(low=-0.02, high=0.08)"
    assert rows[("extra.param", "entry")]["a"] is None
    assert rows[("process.recovery", "source")]["b"] == "assumption=new"
    assert rows[("overrides.high-price.parameters.cobalt.price.hydroxide", "value")][
        "rel_change"] == pytest.approx(-20_000 / 320_000)


def test_diff_patches_convert_with_the_inherited_unit(rich: ScenarioDefinition) -> None:
    # The same override patch value, 190 kt, compared against a baseline written in t:
    # the patch has its own unit, so only the override's parameter unit line differs.
    b = rich.model_copy(update={"overrides": {**rich.overrides, "high-price-fixed":
        rich.overrides["high-price-fixed"].model_copy(update={"parameters": {
            **rich.overrides["high-price-fixed"].parameters,
            "cobalt.output": ParameterPatch(value=190_000.0, unit="t", fixed=True,
                                            bounds=(100_000.0, math.inf),
                                            source=Citation(document="nfmia-yearbook-2023",
                                                            section="Table 3-3"))}})}})
    records = diff_definitions(rich, b).records()
    assert [(r["item"], r["field"], r["rel_change"]) for r in records] == [
        ("overrides.high-price-fixed.parameters.cobalt.output", "unit", 0.0)]


def test_diff_scenarios_compares_resolved_values(rich: ScenarioDefinition) -> None:
    base = resolve(rich, FIXTURE_MODEL)
    high = resolve(rich, FIXTURE_MODEL, override="high-price")
    rows = {(r["item"], r["field"]): r for r in diff_scenarios(base, high).records()}
    assert set(rows) == {("scenario", "override"),
                         ("cobalt.price.hydroxide", "value"),
                         ("cobalt.price.hydroxide", "distribution"),
                         ("cobalt.price.hydroxide", "source")}
    assert rows[("cobalt.price.hydroxide", "value")]["rel_change"] == pytest.approx(0.28)
    assert rows[("scenario", "override")]["b"] == "high-price"


def test_diff_scenarios_ignores_how_a_file_wrote_units(rich: ScenarioDefinition) -> None:
    base = resolve(rich, FIXTURE_MODEL)
    same = resolve(_in_kt(rich), FIXTURE_MODEL)
    assert diff_scenarios(base, same).rows == ()
    fixed = resolve(rich, FIXTURE_MODEL, override="high-price-fixed")
    rows = {(r["item"], r["field"]): r for r in diff_scenarios(base, fixed).records()}
    assert rows[("cobalt.output", "value")]["rel_change"] == pytest.approx(4 / 186)
    assert rows[("cobalt.output", "value")]["a"] == "186000 t"
    assert rows[("demand.ev", "value[2035]")]["rel_change"] == pytest.approx(-130 / 330)
    assert ("process.recovery", "distribution") in rows
    assert ("cobalt.output", "bounds") in rows


def test_diff_of_unrelated_share_groups(rich: ScenarioDefinition) -> None:
    b = rich.model_copy(update={"share_groups": {"other": ShareGroupEntry()}})
    rows = [(r["item"], r["field"]) for r in diff_definitions(rich, b).records()]
    assert rows == [("share_groups.feed", "entry"), ("share_groups.other", "entry")]
