"""The backtest: forecasts from an earlier year, scored with error metrics against actuals."""

from __future__ import annotations

import numpy as np
import pytest

from valueloop.core.errors import OptionError
from valueloop.core.tables import Table
from valueloop.models.backtest import REPORT_LFP_2024, _scores, run_backtest


def test_scores_follow_their_definitions() -> None:
    rows = [
        {"target": "x", "unit": "t", "year": 2021, "actual": 100.0, "p10": 90.0, "p50": 110.0,
         "p90": 120.0, "error_p50": 0.1, "inside_band": True, "naive": 80.0,
         "naive_error": -0.2},
        {"target": "x", "unit": "t", "year": 2022, "actual": 200.0, "p10": 150.0, "p50": 160.0,
         "p90": 170.0, "error_p50": -0.2, "inside_band": False, "naive": 80.0,
         "naive_error": -0.6},
    ]
    scores = _scores(Table.from_records("t", rows)).records()[0]
    assert scores["mape"] == pytest.approx(0.15)
    assert scores["bias"] == pytest.approx(-0.05)
    assert scores["rmse"] == pytest.approx(np.sqrt((10.0**2 + 40.0**2) / 2))
    assert scores["coverage_p10_p90"] == pytest.approx(0.5)
    assert scores["skill"] == pytest.approx(1 - 0.15 / 0.4)


def test_a_2020_forecast_is_scored_against_the_years_that_followed() -> None:
    result = run_backtest(2020, samples=500, seed=1)
    detail = result.detail.records()
    sales = [r for r in detail if r["target"] == "ev_sales.world"]
    assert [r["year"] for r in sales] == [2021, 2022, 2023]
    # IEA: 6.78 M light-duty EVs in 2021 (cars and vans, BEV + PHEV)
    assert sales[0]["actual"] == pytest.approx(6.78e6, rel=0.01)
    lfp = next(r for r in detail if r["target"] == "china_lfp_share")
    assert lfp["actual"] == REPORT_LFP_2024 and lfp["p10"] <= lfp["p50"] <= lfp["p90"]
    imports = [r for r in detail if r["target"] == "china_cobalt_imports"]
    assert [r["actual"] for r in imports] == [90_000.0, 104_000.0, 104_000.0, 124_000.0]
    assert {r["target"] for r in result.scores.records()} >= {"ev_sales.china",
                                                              "china_cobalt_imports"}


def test_seeded_backtests_reproduce() -> None:
    first = run_backtest(2021, samples=200, seed=4).detail.rows
    assert run_backtest(2021, samples=200, seed=4).detail.rows == first
    assert run_backtest(2021, samples=200, seed=5).detail.rows != first


def test_a_start_year_without_data_is_refused() -> None:
    with pytest.raises(OptionError, match="no backtest from 2015"):
        run_backtest(2015)
