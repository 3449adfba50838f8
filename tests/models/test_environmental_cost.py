"""Environmental-cost internalisation shock (report 3.2) on the shipped rules table.

Expected numbers are worked out by hand from the table's values, written out in each test.
"""

from __future__ import annotations

import dataclasses
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from valueloop.core.datatables import load_table, parse_table, table_spec
from valueloop.core.errors import MalformedFileError, MissingParameterError, OutOfBoundsError
from valueloop.core.scenario import load_scenario
from valueloop.core.sources import shipped_documents
from valueloop.core.study import run_study
from valueloop.core.units import parse_unit
from valueloop.models import environmental_cost as ec

HYDRO = ec.ROUTES.index("hydrometallurgy")
RECYCLING = ec.ROUTES.index("recycling")
OLD, NEW = ec.RULE_SETS.index("old"), ec.RULE_SETS.index("new")


def _baseline() -> ec.ShockResults:
    return ec.evaluate_shock(ec.rule_arrays())


def _random_arrays(n: int, seed: int = 3) -> ec.RuleArrays:
    """Every field scaled per sample and cell by 0.5-1.5, fractions clipped to [0, 1]."""
    rng = np.random.default_rng(seed)
    base = ec.rule_arrays()
    changed = {}
    for field in dataclasses.fields(base):
        value = getattr(base, field.name)
        draws = value * rng.uniform(0.5, 1.5, (n, *value.shape[1:]))
        low, high = ec._QUANTITIES[field.name].bounds
        changed[field.name] = np.clip(draws, low, high)
    return ec.RuleArrays(**changed)


# --- the analytic oracles -------------------------------------------------------------------------

def test_hydromet_old_and_new_cost_by_hand() -> None:
    results = _baseline()
    # old rules: 12 m3 x 18 + 1.8 t landfilled x 1,000 + tax on 50 % of 12 m3 discharged
    old = 12 * 18 + 1.8 * 1000 + 12 * 0.5 * 0.11 * 1.4
    # new rules: 12 m3 x 52 + 90 % of 1.8 t utilised at 2,050 + 10 % to hazardous disposal at
    # 4,150 + tax on 15 % discharged at 0.076 eq/m3 + 11,750 CNY per t/yr over 10 years
    new = (12 * 52 + 1.8 * 0.9 * 2050 + 1.8 * 0.1 * 4150 + 12 * 0.15 * 0.076 * 1.4
           + 11750 / 10)
    assert results.env_cost[0, HYDRO, OLD] == pytest.approx(old, rel=1e-12)
    assert results.env_cost[0, HYDRO, NEW] == pytest.approx(new, rel=1e-12)
    assert results.increase[0, HYDRO, NEW] == pytest.approx(new - old, rel=1e-12)
    assert results.increase[0, HYDRO, NEW] == pytest.approx(3850.27, abs=0.01)
    # the stated 16.7 万元/t includes the old environmental cost, so the margin falls by the rise
    price = 208_000.0
    assert results.margin[0, HYDRO, OLD] == pytest.approx(price - 167_000.0)
    assert results.margin[0, HYDRO, NEW] == pytest.approx(price - 167_000.0 - (new - old))
    assert results.margin_rate[0, HYDRO, OLD] == pytest.approx(41_000 / 208_000)
    assert results.margin_rate_change[0, HYDRO, NEW] == pytest.approx(-(new - old) / price)


def test_recycling_tax_relief_by_hand() -> None:
    tax = _baseline().breakdown[0, RECYCLING, :, ec.COMPONENTS.index("environmental_tax")]
    # 70 % of the tax on the discharged share of 12 m3, residue at compliant sites untaxed
    np.testing.assert_allclose(tax, [0.7 * 12 * 0.5 * 0.11 * 1.4, 0.7 * 12 * 0.15 * 0.076 * 1.4],
                               rtol=1e-12)


def test_a_shock_with_unchanged_prices_leaves_margins_unchanged() -> None:
    base = _random_arrays(50)
    same = {f.name: np.broadcast_to(getattr(base, f.name)[..., :1],
                                    np.broadcast_shapes(getattr(base, f.name).shape, (1, 1, 2)))
            for f in dataclasses.fields(base)}
    results = ec.evaluate_shock(ec.RuleArrays(**same), price=np.linspace(1.6e5, 2.2e5, 50))
    assert np.all(results.increase == 0.0)
    np.testing.assert_array_equal(results.margin[..., NEW], results.margin[..., OLD])
    np.testing.assert_allclose(results.margin[..., OLD],
                               np.linspace(1.6e5, 2.2e5, 50)[:, None]
                               - base.variable_cost[..., 0], rtol=1e-12)


def test_components_sum_to_the_cost_and_the_margin_falls_by_the_increase() -> None:
    results = ec.evaluate_shock(_random_arrays(200), price=2.0e5)
    assert results.breakdown.shape == (200, len(ec.ROUTES), len(ec.RULE_SETS),
                                       len(ec.COMPONENTS))
    assert np.array_equal(results.breakdown.sum(axis=-1), results.env_cost)
    np.testing.assert_allclose(results.margin[..., OLD] - results.margin[..., NEW],
                               results.increase[..., NEW], rtol=1e-9, atol=1e-7)
    np.testing.assert_allclose(results.env_share, results.env_cost / results.total_cost)


def test_samples_are_independent_of_each_other() -> None:
    arrays = _random_arrays(20)
    together = ec.evaluate_shock(arrays, price=np.full(20, 2.0e5)).env_cost
    for i in (0, 7, 19):
        one = ec.RuleArrays(**{f.name: getattr(arrays, f.name)[i:i + 1]
                               for f in dataclasses.fields(arrays)})
        np.testing.assert_array_equal(ec.evaluate_shock(one, price=2.0e5).env_cost[0],
                                      together[i])


def test_capital_is_spread_over_output() -> None:
    capital = ec.COMPONENTS.index("capital")
    full = ec.environmental_cost_breakdown(ec.rule_arrays(), 1.0)[0, HYDRO, NEW, capital]
    low = ec.environmental_cost_breakdown(ec.rule_arrays(), 0.7)[0, HYDRO, NEW, capital]
    assert full == pytest.approx(1175.0)
    assert low == pytest.approx(1175.0 / 0.7)


# --- the shock over time --------------------------------------------------------------------------

def test_phase_in_moves_margins_from_old_to_new() -> None:
    arrays = ec.rule_arrays()
    years = np.arange(2022, 2029)
    path = ec.shock_path(arrays, years, phase_in=(2024, 2026))
    np.testing.assert_allclose(path.share_new, [0, 0, 0, 0.5, 1, 1, 1])
    results = _baseline()
    np.testing.assert_allclose(path.margin[0, :, 0], results.margin[0, :, OLD])
    np.testing.assert_allclose(path.margin[0, :, -1], results.margin[0, :, NEW])
    np.testing.assert_allclose(path.margin[0, :, 3],
                               results.margin[0, :, :].mean(axis=-1))
    # extra cost of a 10,000 t/yr plant: half a year's rise in 2025, then the full rise yearly
    rise = results.increase[0, HYDRO, NEW] * 10_000
    np.testing.assert_allclose(path.cumulative_extra_cost[0, HYDRO, -1], rise * (0.5 + 3))


def test_price_path_per_sample() -> None:
    years = np.arange(2024, 2027)
    prices = np.array([[2.0e5, 1.8e5, 1.6e5], [2.1e5, 2.1e5, 2.1e5]])
    path = ec.shock_path(ec.rule_arrays(), years, prices, phase_in=(2024, 2024))
    np.testing.assert_allclose(path.margin[:, HYDRO, :],
                               prices - (167_000 - 2016.924 + 5867.19152), rtol=1e-9)


def test_disposal_price_growth_escalates_only_the_disposal_line() -> None:
    years = np.arange(2024, 2027)
    path = ec.shock_path(ec.rule_arrays(), years, phase_in=(2025, 2025), disposal_growth=0.185)
    factor = 1.185 ** 2 - 1.0
    # 2026: old rules dispose of all 1.8 t at 1,000, new rules of 0.18 t at 4,150
    old = 2016.924 + 1.8 * 1000 * factor
    new = 5867.19152 + 0.18 * 4150 * factor
    assert path.env_cost[0, HYDRO, 0] == pytest.approx(2016.924)
    assert path.env_cost[0, HYDRO, 2] == pytest.approx(new)
    assert path.extra_cost[0, HYDRO, 2] == pytest.approx((new - old) * 10_000)
    assert path.margin[0, HYDRO, 2] == pytest.approx(208_000 - (167_000 - 2016.924) - new)


# --- the shipped table and the model contract -----------------------------------------------------

def test_every_row_and_every_input_has_a_source() -> None:
    table = load_table(ec.TABLE)
    documents = shipped_documents()
    for citation in table.citations:
        assert (citation.document in documents) or (citation.assumption or "").strip()
    sources = ec.rule_sources()
    assert len(sources.rows) == len(ec.environmental_parameters()) - 1  # utilisation: ours
    assert all(str(source).strip() for source in sources.column("source"))


def test_every_declared_parameter_has_a_default_in_its_unit() -> None:
    values = ec.default_values()
    declared = ec.environmental_parameters()
    assert {d.name for d in declared} == set(values)
    for d in declared:
        parse_unit(d.unit)
        low, high = d.bounds
        assert low <= values[d.name] <= high, d.name


def test_model_definition_matches_the_kernel() -> None:
    inputs = {k: np.array([v]) for k, v in ec.default_values().items()}
    outputs = ec.ENVIRONMENTAL_COST(inputs, 1)
    np.testing.assert_array_equal(outputs["env_cost"], _baseline().env_cost)
    np.testing.assert_array_equal(outputs["margin_rate"], _baseline().margin_rate)


def test_the_engine_runs_the_shock_with_uncertain_unit_costs(tmp_path: Path) -> None:
    lines = ['[scenario]', 'name = "env-test"', 'model = "cobalt-environmental-cost"',
             'title = "test"', '']
    uncertain = {"env.hydrometallurgy.new.wastewater_treatment_cost": (45.0, 52.0, 60.0)}
    for declared in ec.ENVIRONMENTAL_COST.parameters:
        value = ec.default_values()[declared.name]
        lines += [f'[parameters."{declared.name}"]', f"value = {value!r}",
                  f'unit = "{declared.unit}"', 'source = { assumption = "test" }']
        if declared.name in uncertain:
            low, mode, high = uncertain[declared.name]
            lines.append(f'distribution = {{ kind = "triangular", low = {low}, mode = {mode}, '
                         f'high = {high} }}')
        lines.append("")
    path = tmp_path / "env.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    scenario = load_scenario(path, model=ec.ENVIRONMENTAL_COST)
    study = run_study(ec.ENVIRONMENTAL_COST, scenario, 256, seed=5, keep_inputs=True)
    cost = study.input("env.hydrometallurgy.new.wastewater_treatment_cost")
    assert cost.min() >= 45.0 and cost.max() <= 60.0
    # only the wastewater line of hydromet under the new rules moves, by 12 m3 x the unit cost
    np.testing.assert_allclose(study.outputs["env_cost"][:, HYDRO, NEW],
                               _baseline().env_cost[0, HYDRO, NEW] + 12.0 * (cost - 52.0),
                               rtol=1e-12)
    np.testing.assert_array_equal(study.outputs["env_cost"][:, RECYCLING, NEW],
                                  np.full(256, _baseline().env_cost[0, RECYCLING, NEW]))


def test_report_comparison_shows_the_table_disagreeing_with_its_inputs() -> None:
    table = ec.report_comparison(_baseline())
    rows = {(r["route"], r["rule_set"], r["quantity"]): r for r in table.records()}
    hydro_old = rows[("hydrometallurgy", "old", "env_cost")]
    assert hydro_old["stated"] == 1500.0
    assert hydro_old["computed"] == pytest.approx(2016.924)
    # the margin rates of 3.2 come out close: 19.7 % and 17.8 %
    assert rows[("hydrometallurgy", "new", "margin_rate")]["computed"] == pytest.approx(
        (208_000 - 167_000 - 3850.26752) / 208_000)
    assert all(str(r["source"]).startswith("seed-004") for r in table.records())


def test_tables_for_a_command() -> None:
    results, comparison, sources = ec.environmental_shock_tables()
    assert len(results.rows) == len(ec.ROUTES) * len(ec.RULE_SETS)
    assert len(comparison.rows) == len(ec.STATED_3_2)
    assert len(sources.rows) > 100


# --- bad input ------------------------------------------------------------------------------------

def test_bad_inputs_name_the_field() -> None:
    arrays = ec.rule_arrays()
    with pytest.raises(OutOfBoundsError, match="wastewater_reuse"):
        ec.evaluate_shock(dataclasses.replace(arrays, wastewater_reuse=np.full((1, 4, 2), 1.2)))
    with pytest.raises(OutOfBoundsError, match="price"):
        ec.evaluate_shock(arrays, price=0.0)
    with pytest.raises(OutOfBoundsError, match="utilisation"):
        ec.evaluate_shock(arrays, utilisation=0.0)
    with pytest.raises(OutOfBoundsError, match="variable_cost"):
        ec.evaluate_shock(dataclasses.replace(arrays, variable_cost=np.full((1, 4, 1), 100.0)))
    with pytest.raises(OutOfBoundsError, match="reference"):
        ec.evaluate_shock(arrays, reference=2)
    with pytest.raises(OutOfBoundsError, match="phase_in"):
        ec.shock_path(arrays, [2024, 2025], phase_in=(2026, 2024))
    with pytest.raises(OutOfBoundsError, match="price_path"):
        ec.shock_path(arrays, [2024, 2025], [2.0e5])
    with pytest.raises(OutOfBoundsError, match="disposal_growth"):
        ec.shock_path(arrays, [2024, 2025], disposal_growth=-1.0)
    with pytest.raises(OutOfBoundsError, match="new"):
        ec.shock_path(arrays, [2024, 2025], new=2)


def _table_text(drop: str | None = None, append: str | None = None) -> str:
    text = (resources.files("valueloop.data") / "tables" / f"{ec.TABLE}.csv").read_text("utf-8")
    lines = [line for line in text.splitlines() if drop is None or not line.startswith(drop)]
    if append:
        lines.append(append)
    return "\n".join(lines) + "\n"


def test_a_missing_or_unknown_row_is_named() -> None:
    spec, documents = table_spec(ec.TABLE), shipped_documents()
    missing = parse_table(_table_text(drop="all,any,capex_life"), spec, file="x.csv",
                          documents=documents)
    with pytest.raises(MissingParameterError, match="capex_life"):
        ec.default_values(table=missing)
    unknown = parse_table(_table_text(append="all,any,ash,1,t/t,,,,,test"), spec, file="x.csv",
                          documents=documents)
    with pytest.raises(MalformedFileError, match="unknown quantity 'ash'"):
        ec.default_values(table=unknown)
    misplaced = parse_table(_table_text(append="recycling,new,residue,1,t/t,,,,,test"), spec,
                            file="x.csv", documents=documents)
    with pytest.raises(MalformedFileError, match="route quantity 'residue'"):
        ec.default_values(table=misplaced)
