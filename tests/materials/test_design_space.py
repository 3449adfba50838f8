"""Design space: defaults read from the shipped Gorsse data, clipping to the domain, errors."""

from __future__ import annotations

import csv
from collections import defaultdict
from typing import Any

import pytest

from valueloop.core.errors import UnknownParameterError, UserInputError
from valueloop.materials.design_space import (
    DesignSpace,
    DesignSpaceError,
    clip_to_domains,
    default_design_space,
    parse_design_space,
)
from valueloop.materials.properties import ELEMENTS, AlloyTable, shipped_path
from valueloop.materials.property_models import PROPERTIES, PropertyModel


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    """The shipped CSV read with the csv module: an oracle independent of the feature code."""
    with shipped_path().open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _number(cell: str) -> float:
    return float(cell) if cell.strip() else 0.0


def test_default_elements_are_those_of_five_or_more_formulas(
        shipped: AlloyTable, models: dict[str, PropertyModel],
        rows: list[dict[str, str]]) -> None:
    formulas: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        for element in ELEMENTS:
            if _number(row[element]) > 0:
                formulas[element].add(row["Alloy formula"])
    expected = tuple(e for e in ELEMENTS if len(formulas[e]) >= 5)
    space = default_design_space(shipped, [models["electrical_conductivity_iacs"].domain])
    assert space.element_names() == expected
    assert expected == ("Al", "Co", "Cr", "Fe", "Mg", "Ni", "P", "Si", "Ti", "Zr")


def test_element_bounds_are_the_common_training_range(
        shipped: AlloyTable, models: dict[str, PropertyModel],
        rows: list[dict[str, str]]) -> None:
    used = ("electrical_conductivity_iacs", "yield_strength_mpa")
    space = default_design_space(shipped, [models[m].domain for m in used])
    for span in space.elements:
        # the largest content among rows where every used property was measured
        highest = [max(_number(r[span.element]) for r in rows if r[PROPERTIES[m][0]].strip())
                   for m in used]
        assert span.low == 0.0
        assert span.high == pytest.approx(min(highest))
        added = [_number(r[span.element]) for r in rows if _number(r[span.element]) > 0]
        assert span.min_added == pytest.approx(min(added))
    by_name = {s.element: s for s in space.elements}
    # Gorsse: Cr up to 1.0 wt% overall, up to 0.85 where a yield strength was measured
    assert by_name["Cr"].high == pytest.approx(0.85)
    assert by_name["Co"].min_added == pytest.approx(0.65)


def test_processing_defaults_are_the_data_ranges(shipped: AlloyTable,
                                                 models: dict[str, PropertyModel],
                                                 rows: list[dict[str, str]]) -> None:
    space = default_design_space(shipped, [models["hardness_hv"].domain])

    def span(column: str, aged_only: bool = False) -> tuple[float, float]:
        values = [float(r[column]) for r in rows if r[column].strip()
                  and (not aged_only or r["Aging"].strip() == "Y")]
        return min(values), max(values)

    assert (space.solution_temperature_k.low, space.solution_temperature_k.high) == \
        span("Tss (K)") == (923.0, 1323.0)
    assert (space.solution_time_h.low, space.solution_time_h.high) == pytest.approx(
        span("tss (h)"))
    assert (space.cold_rolling_pct.low, space.cold_rolling_pct.high) == span("CR reduction (%)")
    assert (space.ageing_temperature_k.low, space.ageing_temperature_k.high) == \
        span("Tag (K)", aged_only=True)
    assert (space.ageing_time_h.low, space.ageing_time_h.high) == pytest.approx(
        span("tag (h)", aged_only=True))
    total = max(sum(_number(r[e]) for e in ELEMENTS) for r in rows)
    assert space.max_total_solute_wt == pytest.approx(total)
    assert space.ageing == "free" and space.secondary_tmt == "off"


def test_user_elements_and_clipping(shipped: AlloyTable,
                                    models: dict[str, PropertyModel]) -> None:
    domains = [models["electrical_conductivity_iacs"].domain]
    space = default_design_space(shipped, domains, ["Zr", "Cr"])
    assert space.element_names() == ("Zr", "Cr")
    wide = space.model_copy(update={"elements": (
        space.elements[0].model_copy(update={"low": 0.1, "high": 3.0}),
        space.elements[1])})
    clipped = clip_to_domains(wide, domains)
    assert (clipped.elements[0].low, clipped.elements[0].high) == (0.1, 0.5)  # Zr <= 0.5 wt%
    beyond = wide.model_copy(update={"elements": (
        space.elements[0].model_copy(update={"low": 1.0, "high": 3.0}),)})
    with pytest.raises(DesignSpaceError) as error:
        clip_to_domains(beyond, domains)
    assert error.value.item == "elements.Zr"
    assert "0-0.5 wt%" in str(error.value.allowed)


@pytest.mark.parametrize("name", ["Xx", "Mn"])
def test_element_without_data_is_refused(shipped: AlloyTable, models: dict[str, PropertyModel],
                                         name: str) -> None:
    with pytest.raises(UnknownParameterError) as error:
        default_design_space(shipped, [models["hardness_hv"].domain], [name])
    assert error.value.item == "elements"
    assert "Ni" in str(error.value.allowed) and "Mn" not in str(error.value.allowed)


def _valid() -> dict[str, Any]:
    return {"elements": [{"element": "Cr", "low": 0.0, "high": 1.0}],
            "max_total_solute_wt": 2.0,
            "solution_temperature_k": {"low": 1173, "high": 1273},
            "solution_time_h": {"low": 0.5, "high": 2},
            "cold_rolling_pct": {"low": 0, "high": 80},
            "ageing_temperature_k": {"low": 673, "high": 773},
            "ageing_time_h": {"low": 1, "high": 8}}


@pytest.mark.parametrize(("change", "item", "allowed"), [
    ({"elements": [{"element": "Cr", "low": 1.0, "high": 0.5}]}, "elements.Cr", "low <= high"),
    ({"elements": [{"element": "Qq", "low": 0, "high": 1}]}, "elements.Qq.element", "Zr"),
    ({"elements": []}, "elements", "non-empty"),
    ({"elements": [{"element": "Cr", "low": 0, "high": 1}, {"element": "Cr", "low": 0,
                                                              "high": 1}]}, "elements",
     "non-empty"),
    ({"ageing": "maybe"}, "ageing", "free, on, off"),
    ({"cold_rolling_pct": {"low": 0, "high": 120}}, "cold_rolling_pct", "<= 100"),
    ({"solution_temperature_k": {"low": 0, "high": 1200}}, "solution_temperature_k", "0 < low"),
    ({"max_total_solute_wt": 0}, "max_total_solute_wt", "above 0"),
    ({"colour": "red"}, "colour", "max_total_solute_wt"),
])
def test_bad_space_names_field_and_allowed(change: dict[str, Any], item: str,
                                           allowed: str) -> None:
    with pytest.raises(UserInputError) as error:
        parse_design_space({**_valid(), **change})
    assert error.value.item == f"design space: {item}"
    assert allowed in str(error.value.allowed)


def test_valid_space_parses() -> None:
    space = parse_design_space(_valid())
    assert isinstance(space, DesignSpace)
    assert space.element_names() == ("Cr",) and space.elements[0].min_added == 0.0
