"""The outlook chart kinds: valid SVG, byte-for-byte deterministic, NaN-tolerant, English only."""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable

import numpy as np
import pytest

from valueloop.reports import outlook_charts as oc
from valueloop.reports.i18n import Text

SVG = "{http://www.w3.org/2000/svg}svg"
YEARS = np.arange(2020, 2036)
N = len(YEARS)
MID = np.linspace(100.0, 300.0, N)
BAND = (MID * 0.8, MID, MID * 1.2)
LATE = np.where(YEARS < 2024, np.nan, 1.0)  # a series that starts in 2024
NAN_BAND = (MID * 0.4 * LATE, MID * 0.5 * LATE, MID * 0.6 * LATE)
ALL_NAN = (np.full(N, np.nan), np.full(N, np.nan), np.full(N, np.nan))
MONTHS = np.arange(25)
DIP = np.r_[np.linspace(45.0, 5.0, 8), np.linspace(5.0, 40.0, 17)]


def _fan() -> str:
    return oc.fan_chart(YEARS, {"EV": BAND, "Storage": NAN_BAND}, "kt Co",
                        Text("Cobalt demand", "钴需求"), reference=250.0,
                        reference_label="Capacity")


def _stack() -> str:
    series = {name: np.linspace(1.0, 10.0, N) * (i + 1)
              for i, name in enumerate(("NCM523", "NCM811", "NCA", "LFP", "Na-ion"))}
    series["LMFP"] = np.where(YEARS < 2025, np.nan, 3.0)
    return oc.stacked_area(YEARS, series, "GWh", "Battery demand by chemistry", total=BAND)


def _balance() -> str:
    return oc.balance_chart(YEARS, (MID * 0.9, MID * 1.05, MID * 1.2), BAND, MID * 1.3, "kt",
                            "Hydroxide balance")


def _balance_with_band() -> str:
    balance = (np.linspace(-40, -10, N), np.linspace(20, -30, N), np.linspace(50, 10, N))
    return oc.balance_chart(YEARS, BAND, NAN_BAND, None, "kt", "Balance", balance=balance)


def _utilisation() -> str:
    return oc.utilisation_chart(YEARS, np.linspace(0.5, 0.6, N), np.linspace(0.6, 0.75, N),
                                np.linspace(0.7, 0.95, N), "Utilisation", reference=0.8,
                                reference_label="Break-even")


def _inventory() -> str:
    curves = {"Baseline": (np.full(25, 40.0), np.full(25, 45.0), np.full(25, 50.0)),
              "Export ban": (DIP * 0.8, DIP, DIP * 1.2)}
    return oc.inventory_curves(MONTHS, curves, 20.0, "Inventory under stress",
                               period_label="Month")


def _drivers() -> str:
    return oc.driver_bars(["demand.ev_growth", "supply.utilisation", "price.elasticity"],
                          [0.1, 0.45, np.nan], [0.15, 0.6, 0.02], "Drivers",
                          s1_conf=[0.01, 0.02, np.nan], st_conf=[0.02, 0.03, 0.01])


CHARTS: dict[str, Callable[[], str]] = {
    "fan": _fan, "stack": _stack, "balance": _balance, "balance_band": _balance_with_band,
    "utilisation": _utilisation, "inventory": _inventory, "drivers": _drivers,
}


def _text_drawn(svg: str) -> list[str]:
    # With glyphs as paths, matplotlib leaves each drawn string as a comment before its glyphs.
    return re.findall(r"<!-- (.*?) -->", svg)


@pytest.mark.parametrize("name", CHARTS)
def test_chart_is_valid_svg_without_prolog_or_metadata(name: str) -> None:
    svg = CHARTS[name]()
    assert svg.startswith("<svg")
    root = ET.fromstring(svg)
    assert root.tag == SVG
    assert root.get("viewBox")
    assert "<metadata" not in svg and "<!DOCTYPE" not in svg and "<?xml" not in svg


@pytest.mark.parametrize("name", CHARTS)
def test_chart_is_deterministic(name: str) -> None:
    first = CHARTS[name]()
    CHARTS["fan" if name != "fan" else "drivers"]()  # another chart in between changes nothing
    assert CHARTS[name]() == first


@pytest.mark.parametrize("name", CHARTS)
def test_chart_draws_without_warnings(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CHARTS[name]()


@pytest.mark.parametrize("name", CHARTS)
def test_chart_refers_only_to_itself(name: str) -> None:
    svg = CHARTS[name]()
    ids = set(re.findall(r'\sid="([^"]+)"', svg))
    refs = re.findall(r'href="([^"]*)"', svg) + re.findall(r"url\(([^)]*)\)", svg)
    assert refs
    for ref in refs:
        assert ref.startswith("#") and ref[1:] in ids, ref


def test_bilingual_title_draws_the_english_half() -> None:
    drawn = _text_drawn(_fan())
    assert "Cobalt demand" in drawn
    assert not any(re.search(r"[\u4e00-\u9fff]", text) for text in drawn)


@pytest.mark.parametrize("call", [
    lambda: oc.fan_chart(YEARS, {"EV": BAND}, "t", "钴需求"),
    lambda: oc.fan_chart(YEARS, {"电动车": BAND}, "t", "Demand"),
    lambda: oc.driver_bars(["需求"], [0.1], [0.2], "Drivers"),
])
def test_chinese_chart_text_is_refused_with_advice(call: Callable[[], str]) -> None:
    with pytest.raises(ValueError, match="caption"):
        call()


def test_all_nan_band_draws_an_empty_series() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        svg = oc.fan_chart(YEARS, {"Nothing yet": ALL_NAN, "EV": BAND}, "t", "Partly empty")
        empty = oc.fan_chart(YEARS, {"Nothing yet": ALL_NAN}, "t", "Empty")
        inventory = oc.inventory_curves(MONTHS, {"Gap": (DIP, DIP * np.nan, DIP)}, 10.0, "x")
    for chart in (svg, empty, inventory):
        assert ET.fromstring(chart).tag == SVG
    assert "Nothing yet" in _text_drawn(svg)


def test_nan_band_leaves_a_gap_not_zeros() -> None:
    # A band that starts in 2024 must not be drawn down to zero before it starts.
    with_gap = oc.fan_chart(YEARS, {"Late": NAN_BAND}, "t", "Gap")
    zero_filled = oc.fan_chart(YEARS, {"Late": tuple(np.nan_to_num(b) for b in NAN_BAND)},
                               "t", "Gap")
    assert with_gap != zero_filled


def test_shape_mismatch_is_reported_with_the_series_name() -> None:
    with pytest.raises(ValueError, match="EV p50"):
        oc.fan_chart(YEARS, {"EV": (MID, MID[:-1], MID)}, "t", "Bad")
    with pytest.raises(ValueError, match=r"\(p10, p50, p90\)"):
        oc.fan_chart(YEARS, {"EV": (MID, MID)}, "t", "Bad")  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="non-empty 1-D"):
        oc.fan_chart([], {}, "t", "Bad")


def _y_tick_labels_top_down(svg: str) -> list[str]:
    ticks = []
    for chunk in svg.split('<g id="ytick_')[1:]:
        y = float(re.search(r'transform="translate\([-\d.]+ ([-\d.]+)\)', chunk).group(1))
        ticks.append((y, _text_drawn(chunk)[0]))
    return [label for _, label in sorted(ticks)]  # SVG y grows downwards


def test_driver_bars_put_the_largest_total_index_on_top() -> None:
    assert _y_tick_labels_top_down(_drivers()) == [
        "supply.utilisation", "demand.ev_growth", "price.elasticity"]


def test_driver_bars_keep_the_top_factors() -> None:
    drawn = _text_drawn(oc.driver_bars(["a.x", "b.x", "c.x"], [0.1, 0.2, 0.3],
                                       [0.1, 0.2, 0.3], "Top two", top=2))
    assert "a.x" not in drawn and {"b.x", "c.x"} <= set(drawn)


def test_utilisation_is_in_percent_with_the_reference_named() -> None:
    drawn = _text_drawn(_utilisation())
    assert "80%" in drawn
    assert "Break-even (80%)" in drawn


def test_inventory_curves_name_the_warning_line_and_cases() -> None:
    drawn = _text_drawn(_inventory())
    assert {"Baseline", "Export ban", "Warning line (20 days)", "Month"} <= set(drawn)


def test_balance_chart_says_how_its_bars_were_computed() -> None:
    assert any("P50 supply − P50 demand" in t for t in _text_drawn(_balance()))
    assert any("(P50, P10–P90)" in t for t in _text_drawn(_balance_with_band()))
    assert {"Surplus", "Deficit", "Capacity"} <= set(_text_drawn(_balance()))
