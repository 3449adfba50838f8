"""Charts of the economics commands: valid SVG, deterministic, and shape errors caught early."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from valueloop.reports import economics_charts as charts


def _parses(svg: str) -> None:
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")


def test_stacked_bars_draws_one_rectangle_per_part_and_is_deterministic() -> None:
    args = (["hydromet", "pyro"], ["raw", "energy", "credit"], [[10, 2, 0], [12, 3, -1]],
            "CNY/t", "Cost per t")
    first = charts.stacked_bars(*args, totals=[12, 14])
    _parses(first)
    assert first == charts.stacked_bars(*args, totals=[12, 14])


def test_stacked_bars_rejects_a_table_of_the_wrong_shape() -> None:
    with pytest.raises(ValueError, match=r"\(2, 3\) is needed"):
        charts.stacked_bars(["a", "b"], ["x", "y", "z"], [[1, 2]], "CNY/t", "t")


def test_chart_text_must_be_latin() -> None:
    with pytest.raises(ValueError, match="Chinese"):
        charts.lines([0, 1], {"湿法": [1, 2]}, "x", "CNY/t", "t")


def test_sign_grid_and_cost_curve_accept_gaps() -> None:
    _parses(charts.sign_grid([2025, 2026], ["low", "high"], [[1.0, -2.0], [np.nan, 4.0]],
                             "yi CNY", "NPV by start year"))
    _parses(charts.cost_curve(["heat recovery", "MVR"], [0.2, 0.5], [-120.0, 40.0], "tCO2e/t",
                              "CNY/tCO2e", "Abatement cost"))
    with pytest.raises(ValueError, match="one value per label"):
        charts.cost_curve(["a"], [1, 2], [1], "x", "y", "t")
