"""Ashby charts of a selection on the shipped grades and Gorsse records, English and Chinese."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from valueloop.core.db import Database
from valueloop.core.errors import OptionError, UnknownParameterError
from valueloop.materials import ashby
from valueloop.materials.ashby import ashby_chart, ashby_figure, cjk_font
from valueloop.materials.property_models import PropertyModel
from valueloop.materials.requirement import requirement_from_mapping
from valueloop.materials.selection_tables import SelectionRun, run_selection

REQUIREMENT = {
    "name": "spring contact",
    "constraint": [
        {"property": "uts_mpa", "operator": ">=", "value": 500, "unit": "MPa"},
        {"property": "electrical_conductivity_iacs", "operator": ">=", "value": 40,
         "unit": "%IACS"}],
    "objective": [{"property": "electrical_conductivity_iacs", "sense": "max"},
                  {"property": "uts_mpa", "sense": "max"}],
}


@pytest.fixture(scope="module")
def run(materials_db: str, models: dict[str, PropertyModel]) -> Iterator[SelectionRun]:
    with Database.open(materials_db) as db:
        yield run_selection(db, requirement_from_mapping(REQUIREMENT), models,
                            extra_keys=("thermal_conductivity", "cte_ppm_per_k"))


def _comments(svg: str) -> list[str]:
    # with glyphs drawn as paths, matplotlib keeps each text as an SVG comment
    return re.findall(r"<!-- (.*?) -->", svg)


def test_svg_is_deterministic_and_carries_the_texts(run: SelectionRun, tmp_path: Path) -> None:
    first = ashby_chart(run, "electrical_conductivity_iacs", "uts_mpa", tmp_path / "a.svg")
    second = ashby_chart(run, "electrical_conductivity_iacs", "uts_mpa", tmp_path / "b.svg")
    assert first.read_bytes() == second.read_bytes()
    texts = _comments(first.read_text(encoding="utf-8"))
    assert "spring contact: tensile strength vs electrical conductivity" in texts
    assert "electrical conductivity [%IACS]" in texts and "tensile strength [MPa]" in texts
    assert "predicted outside the model's domain" in texts
    # the five best-ranked feasible candidates are numbered and named
    top = [r for r in run.selection.order.tolist() if run.selection.feasible[r]][:5]
    assert f"{run.matrix.name[top[0]]}, {run.matrix.record[top[0]]}" in texts


def test_figure_content(run: SelectionRun) -> None:
    figure = ashby_figure(run, "electrical_conductivity_iacs", "uts_mpa")
    axes = figure.axes[0]
    # conductivity spans 3 to 100 %IACS, strength 70 to 1400 MPa: both logarithmic
    assert axes.get_xscale() == "log" and axes.get_yscale() == "log"
    vertical = [line for line in axes.get_lines() if line.get_linestyle() == "--"
                and np.allclose(line.get_xdata(), 40.0)]
    horizontal = [line for line in axes.get_lines() if line.get_linestyle() == "--"
                  and np.allclose(line.get_ydata(), 500.0)]
    assert vertical and horizontal  # one line per constraint on the axes
    assert any(len(line.get_xdata()) > 2 for line in axes.get_lines())  # trade-off steps
    # CTE of the grades lies within 16.4-18 ppm/K: a linear axis
    linear = ashby_figure(run, "thermal_conductivity", "cte_ppm_per_k").axes[0]
    assert linear.get_yscale() == "linear"


def test_chinese_chart_draws_every_glyph(run: SelectionRun, tmp_path: Path) -> None:
    if cjk_font() is None:
        pytest.skip("no CJK font installed (Debian: fonts-wqy-microhei)")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font"
        path = ashby_chart(run, "electrical_conductivity_iacs", "uts_mpa",
                           tmp_path / "zh.svg", lang="zh")
        ashby_chart(run, "electrical_conductivity_iacs", "uts_mpa", tmp_path / "zh.png",
                    lang="zh")
    texts = _comments(path.read_text(encoding="utf-8"))
    assert "spring contact: 抗拉强度与电导率" in texts
    assert "电导率 [%IACS]" in texts and "若预测成立则满足" in texts
    assert (tmp_path / "zh.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_chinese_without_a_font_is_refused(run: SelectionRun, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ashby, "cjk_font", lambda: None)
    with pytest.raises(OptionError, match="fonts-wqy-microhei"):
        ashby_chart(run, "electrical_conductivity_iacs", "uts_mpa", tmp_path / "zh.svg",
                    lang="zh")
    assert not (tmp_path / "zh.svg").exists()


def test_bad_requests(run: SelectionRun, tmp_path: Path) -> None:
    with pytest.raises(OptionError, match="--chart"):
        ashby_chart(run, "electrical_conductivity_iacs", "uts_mpa", tmp_path / "a.pdf")
    with pytest.raises(OptionError, match="--lang"):
        ashby_chart(run, "electrical_conductivity_iacs", "uts_mpa", tmp_path / "a.svg",
                    lang="fr")
    with pytest.raises(UnknownParameterError, match="hardness_hv"):
        ashby_chart(run, "electrical_conductivity_iacs", "hardness_hv", tmp_path / "a.svg")
    assert list(tmp_path.iterdir()) == []
