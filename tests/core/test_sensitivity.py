"""Sobol', Morris and tornado analyses against analytic answers, and their charts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.stats import norm

from valueloop.core.errors import OptionError
from valueloop.core.model import Inputs, ModelDefinition, OutputDeclaration, Outputs
from valueloop.core.parameters import ParameterDeclaration
from valueloop.core.scenario import Scenario, ScenarioDefinition, load_scenario, resolve
from valueloop.core.sensitivity import (
    MorrisResult,
    SobolResult,
    TornadoResult,
    morris_screening,
    sobol_indices,
    tornado,
)
from valueloop.models.registry import get_model
from valueloop.models.testfunctions import ishigami_indices
from valueloop.reports.charts import sobol_chart, tornado_chart

ASSUMED = {"assumption": "test"}


def _model(name: str, parameters: tuple[str, ...], evaluate: Any,
           outputs: tuple[OutputDeclaration, ...] | None = None) -> ModelDefinition:
    return ModelDefinition(
        name=name, title=name,
        parameters=tuple(ParameterDeclaration(name=p, unit="dimensionless", description=p)
                         for p in parameters),
        outputs=outputs or (OutputDeclaration("y", "dimensionless", "result"),),
        evaluate=evaluate)


def _scenario(model: ModelDefinition, parameters: dict[str, dict[str, Any]],
              share_groups: dict[str, dict[str, Any]] | None = None,
              correlations: list[dict[str, Any]] | None = None) -> Scenario:
    raw = {
        "scenario": {"name": "test", "model": model.name},
        "parameters": {name: {**entry, "source": ASSUMED} for name, entry in parameters.items()},
        "share_groups": {name: {**entry, "source": ASSUMED}
                         for name, entry in (share_groups or {}).items()},
        "correlations": [{**entry, "source": ASSUMED} for entry in correlations or []],
    }
    return resolve(ScenarioDefinition.model_validate(raw), model)


def _uniform(low: float, high: float) -> dict[str, Any]:
    return {"distribution": {"kind": "uniform", "low": low, "high": high}}


# --- models used below -------------------------------------------------------------------------

def _linear(inputs: Inputs) -> Outputs:
    return {"y": 2.0 * inputs["lin.a"] + 3.0 * inputs["lin.b"]}


LINEAR = _model("linear", ("lin.a", "lin.b", "lin.c"), _linear)
"""y = 2a + 3b; c is declared but never used."""


def _mixed(inputs: Inputs) -> Outputs:
    shares = 1.0 * inputs["mix.a"] + 5.0 * inputs["mix.b"] + 10.0 * inputs["mix.c"]
    return {"y": inputs["mix.k"] + shares}


MIXED = _model("mixed", ("mix.k", "mix.a", "mix.b", "mix.c"), _mixed)
"""Additive in a scalar and a three-member share group."""


def _yearly(inputs: Inputs) -> Outputs:
    years = np.arange(4.0)
    return {"y": inputs["lin.a"][:, None] * years + inputs["lin.b"][:, None]}


YEARLY = _model("yearly", ("lin.a", "lin.b"), _yearly,
                (OutputDeclaration("y", "kg", "per year", axes=("year",)),))


@pytest.fixture(scope="module")
def ishigami() -> tuple[ModelDefinition, Scenario]:
    return get_model("ishigami"), load_scenario("valueloop:ishigami")


@pytest.fixture(scope="module")
def ishigami_sobol(ishigami: tuple[ModelDefinition, Scenario]) -> SobolResult:
    model, scenario = ishigami
    return sobol_indices(model, scenario, "y", n=2**14, seed=7)


@pytest.fixture(scope="module")
def mixed() -> Scenario:
    return _scenario(
        MIXED,
        {"mix.k": _uniform(0.0, 4.0), "mix.a": {"value": 0.2, "share_group": "mix"},
         "mix.b": {"value": 0.3, "share_group": "mix"},
         "mix.c": {"value": 0.5, "share_group": "mix"}},
        {"mix": {"concentration": 20.0}})


# --- Sobol' ------------------------------------------------------------------------------------

def test_sobol_matches_ishigami_closed_form(ishigami_sobol: SobolResult) -> None:
    expected = ishigami_indices()
    assert ishigami_sobol.factors == ("ishigami.x1", "ishigami.x2", "ishigami.x3")
    np.testing.assert_allclose(ishigami_sobol.S1, expected["S1"], atol=0.02)
    np.testing.assert_allclose(ishigami_sobol.ST, expected["ST"], atol=0.02)
    assert ishigami_sobol.evaluations == 2**14 * 5
    assert np.all(ishigami_sobol.S1_conf > 0) and np.all(ishigami_sobol.ST_conf > 0)


def test_sobol_table_sorted_by_total(ishigami_sobol: SobolResult) -> None:
    table = ishigami_sobol.table()
    assert table.columns == ("factor", "S1", "S1_conf", "ST", "ST_conf")
    assert table.column("factor") == ["ishigami.x1", "ishigami.x2", "ishigami.x3"]
    totals = table.column("ST")
    assert totals == sorted(totals, reverse=True)


@pytest.mark.parametrize("seed", [0, 3])
def test_sobol_reproduces_with_seed(ishigami: tuple[ModelDefinition, Scenario],
                                    seed: int) -> None:
    model, scenario = ishigami
    first, again = (sobol_indices(model, scenario, "y", n=256, seed=seed) for _ in range(2))
    other = sobol_indices(model, scenario, "y", n=256, seed=seed + 1)
    for key in ("S1", "S1_conf", "ST", "ST_conf"):
        np.testing.assert_array_equal(getattr(first, key), getattr(again, key))
    assert not np.array_equal(first.S1, other.S1)


def test_sobol_treats_share_group_as_one_factor(mixed: Scenario) -> None:
    result = sobol_indices(MIXED, mixed, "y", n=2**12, seed=1)
    assert result.factors == ("mix.k", "mix")
    assert result.table().column("factor").count("mix") == 1
    # Additive model, so S1 = ST. Var(k) = 4^2 / 12; for Dirichlet shares with mean m and
    # concentration c0, Var(w . s) = (sum w_i^2 m_i - (w . m)^2) / (c0 + 1).
    m, w = np.array([0.2, 0.3, 0.5]), np.array([1.0, 5.0, 10.0])
    var_mix = (w**2 @ m - (w @ m) ** 2) / 21.0
    var_k = 16.0 / 12.0
    expected = np.array([var_k, var_mix]) / (var_k + var_mix)
    np.testing.assert_allclose(result.S1, expected, atol=0.02)
    np.testing.assert_allclose(result.ST, expected, atol=0.02)


def test_sobol_selects_one_year() -> None:
    scenario = _scenario(YEARLY, {"lin.a": _uniform(0.0, 1.0), "lin.b": _uniform(0.0, 1.0)})
    by_index = sobol_indices(YEARLY, scenario, "y", n=2**12, select=(3,), seed=2)
    by_function = sobol_indices(YEARLY, scenario, "y", n=2**12, select=lambda y: y[:, 3],
                                seed=2)
    np.testing.assert_array_equal(by_index.ST, by_function.ST)
    # y = 3a + b in year 3: S1 = 9/10 and 1/10 for equal variances.
    np.testing.assert_allclose(by_index.S1, [0.9, 0.1], atol=0.02)
    year_zero = sobol_indices(YEARLY, scenario, "y", n=2**8, select=0, seed=2)
    np.testing.assert_allclose(year_zero.ST, [0.0, 1.0], atol=1e-9)
    with pytest.raises(OptionError, match="one value"):
        sobol_indices(YEARLY, scenario, "y", n=2**8)
    with pytest.raises(OptionError, match="cannot select"):
        sobol_indices(YEARLY, scenario, "y", n=2**8, select=(9,))


def test_sobol_of_constant_output_is_zero(ishigami: tuple[ModelDefinition, Scenario]) -> None:
    model, scenario = ishigami
    result = sobol_indices(model, scenario, "y", n=2**6, select=lambda y: np.zeros_like(y))
    np.testing.assert_array_equal(result.ST, 0.0)
    assert any("constant" in note for note in result.notes)


def test_sobol_rejects_bad_options(ishigami: tuple[ModelDefinition, Scenario]) -> None:
    model, scenario = ishigami
    with pytest.raises(OptionError, match=r"no output 'z'.*allowed: y"):
        sobol_indices(model, scenario, "z")
    with pytest.raises(OptionError, match="power of two"):
        sobol_indices(model, scenario, "y", n=1000)
    with pytest.raises(OptionError, match="seed"):
        sobol_indices(model, scenario, "y", seed=-1)
    single = _scenario(LINEAR, {"lin.a": _uniform(0.0, 1.0), "lin.b": {"value": 1.0},
                                "lin.c": {"value": 1.0}})
    with pytest.raises(OptionError, match="at least two"):
        sobol_indices(LINEAR, single, "y")


def test_sobol_notes_correlations_are_not_imposed() -> None:
    scenario = _scenario(
        LINEAR, {"lin.a": _uniform(0.0, 1.0), "lin.b": _uniform(0.0, 1.0),
                 "lin.c": {"value": 1.0}},
        correlations=[{"parameters": ["lin.a", "lin.b"], "rank_correlation": 0.5}])
    result = sobol_indices(LINEAR, scenario, "y", n=2**8)
    assert any("independent" in note for note in result.table().notes)


# --- Morris ------------------------------------------------------------------------------------

def test_morris_ranks_ishigami_inputs(ishigami: tuple[ModelDefinition, Scenario]) -> None:
    model, scenario = ishigami
    result = morris_screening(model, scenario, "y", trajectories=100, seed=4)
    x1, x2, x3 = result.mu_star
    assert max(x1, x2) > x3 > 0
    table = result.table()
    assert table.columns == ("factor", "mu_star", "mu_star_conf", "mu", "sigma")
    assert table.column("mu_star") == sorted(table.column("mu_star"), reverse=True)


def test_morris_linear_effects_and_inert_input() -> None:
    scenario = _scenario(LINEAR, {"lin.a": _uniform(0.0, 1.0), "lin.b": _uniform(-1.0, 1.0),
                                  "lin.c": _uniform(0.0, 5.0)})
    result = morris_screening(LINEAR, scenario, "y", trajectories=20, seed=5)
    assert isinstance(result, MorrisResult)
    assert result.evaluations == 20 * 4
    # Effects are per unit of the quantile scale: coefficient times the width of the range.
    np.testing.assert_allclose(result.mu_star, [2.0, 6.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(result.sigma, 0.0, atol=1e-9)
    again = morris_screening(LINEAR, scenario, "y", trajectories=20, seed=5)
    np.testing.assert_array_equal(result.mu_star_conf, again.mu_star_conf)


def test_morris_with_share_group_and_optimal_trajectories(mixed: Scenario) -> None:
    result = morris_screening(MIXED, mixed, "y", trajectories=30, optimal_trajectories=8,
                              seed=6)
    assert result.factors == ("mix.k", "mix")
    assert result.trajectories == 8 and result.evaluations == 8 * 3
    assert np.all(result.mu_star > 0)
    assert np.isnan(result.sigma[1])  # SALib gives no sigma for a group


def test_morris_needs_finite_grid_ends() -> None:
    normal = {"distribution": {"kind": "normal", "mean": 1.0, "sd": 0.1}}
    scenario = _scenario(LINEAR, {"lin.a": normal, "lin.b": _uniform(0.0, 1.0),
                                  "lin.c": {"value": 0.0}})
    with pytest.raises(OptionError, match=r"lin\.a"):
        morris_screening(LINEAR, scenario, "y", tail=0.0)
    assert np.all(np.isfinite(morris_screening(LINEAR, scenario, "y", trajectories=4).mu_star))
    with pytest.raises(OptionError, match="even"):
        morris_screening(LINEAR, scenario, "y", num_levels=3)


# --- tornado -----------------------------------------------------------------------------------

def test_tornado_linear_swings() -> None:
    calls: list[int] = []

    def counted(inputs: Inputs) -> Outputs:
        calls.append(1)
        return _linear(inputs)

    model = _model("linear", ("lin.a", "lin.b", "lin.c"), counted)
    scenario = _scenario(model, {
        "lin.a": {"value": 5.0, **_uniform(0.0, 10.0)},
        "lin.b": {"distribution": {"kind": "normal", "mean": 1.0, "sd": 0.2}},
        "lin.c": _uniform(0.0, 1.0)})
    result = tornado(model, scenario, "y")
    assert isinstance(result, TornadoResult)
    assert len(calls) == 1  # all 2k + 1 cases in one call
    assert result.baseline == pytest.approx(2 * 5.0 + 3 * 1.0)
    assert [bar.factor for bar in result.bars] == ["lin.a", "lin.b", "lin.c"]
    a, b, c = result.bars
    assert (a.low, a.high) == pytest.approx((1.0, 9.0))
    assert (a.output_low, a.output_high) == pytest.approx((2 * 1.0 + 3.0, 2 * 9.0 + 3.0))
    assert a.swing == pytest.approx(16.0)
    z = norm.ppf(0.9)
    assert (b.low, b.high) == pytest.approx((1.0 - 0.2 * z, 1.0 + 0.2 * z))
    assert b.swing == pytest.approx(3 * 2 * 0.2 * z)
    assert c.swing == 0.0
    table = result.table()
    assert table.column("swing") == sorted(table.column("swing"), reverse=True)
    assert table.units["swing"] == "dimensionless"
    with pytest.raises(OptionError, match=r"lin\.b is infinite"):
        tornado(model, scenario, "y", quantiles=(0.0, 1.0))


def test_tornado_skips_share_groups(mixed: Scenario) -> None:
    result = tornado(MIXED, mixed, "y")
    assert result.factors == ("mix.k",)
    assert result.baseline == pytest.approx(2.0 + 0.2 + 5 * 0.3 + 10 * 0.5)
    assert any("mix" in note for note in result.notes)
    full_range = tornado(MIXED, mixed, "y", quantiles=(0.0, 1.0))
    assert full_range.bars[0].swing == pytest.approx(4.0)


def test_tornado_rejects_bad_quantiles(mixed: Scenario) -> None:
    with pytest.raises(OptionError, match="quantiles"):
        tornado(MIXED, mixed, "y", quantiles=(0.9, 0.1))


# --- charts ------------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_charts_written(tmp_path: Path, ishigami_sobol: SobolResult,
                        ishigami: tuple[ModelDefinition, Scenario], suffix: str) -> None:
    model, scenario = ishigami
    labels = {"title": "Ishigami", "ishigami.x1": "x₁"}
    sobol_path = sobol_chart(ishigami_sobol, tmp_path / f"sobol{suffix}", labels)
    tornado_path = tornado_chart(tornado(model, scenario, "y"), tmp_path / f"tornado{suffix}",
                                 labels)
    for path in (sobol_path, tornado_path):
        data = path.read_bytes()
        assert len(data) > 1000
        assert data.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in data
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"sobol{suffix}", f"tornado{suffix}"])  # no temporary files left behind


def test_chart_rejects_unknown_format(tmp_path: Path, ishigami_sobol: SobolResult) -> None:
    with pytest.raises(OptionError, match=r"\.png, \.svg"):
        sobol_chart(ishigami_sobol, tmp_path / "sobol.pdf")
