"""Plant NPV of the process routes: the cash-flow model against a hand-built discounted sum."""

from __future__ import annotations

import numpy as np
import pytest

from valueloop.core.errors import OutOfBoundsError
from valueloop.core.sampling import baseline_inputs
from valueloop.core.scenario import load_scenario
from valueloop.models.investment_vertical import SCHEDULE
from valueloop.models.process_route_finance import (
    operating_price_index,
    plant_discount_rate,
    plant_finance,
)
from valueloop.models.registry import get_model


def _one_route(**changes: float) -> dict[str, np.ndarray]:
    values = dict(capex=4.2e8, capacity=10_000.0, utilisation=0.8, product_price=64_480.0,
                  variable_cash_cost=50_000.0, fixed_cash_cost=3.0e7, working_capital_days=0.0,
                  depreciation_life=10.0)
    values.update(changes)
    return {k: np.array([[v]]) for k, v in values.items()}


def test_npv_without_tax_or_working_capital_is_the_discounted_sum_of_margins() -> None:
    rate = 0.06
    index = np.array([[1.0, 1.0, 1.1, 1.2, 1.2, 1.2]])
    plant = plant_finance(**_one_route(), price_index=index, tax_rate=np.array([[0.0]]),
                          discount_rate=np.array([[rate]]))
    c, life = SCHEDULE.construction, SCHEDULE.operating_years
    years_index = np.minimum(len(c) + np.arange(life), index.shape[1] - 1)
    ramp = SCHEDULE.ramp()
    margin = ramp * 0.8 * 10_000 * (64_480 * index[0, years_index] - 50_000) - 3.0e7
    flows = np.concatenate([-4.2e8 * np.asarray(c), margin])
    expected = np.sum(flows / (1 + rate) ** np.arange(flows.size))
    assert plant.npv[0, 0] == pytest.approx(expected, rel=1e-12)


def test_tax_lowers_a_profitable_plant_npv_and_working_capital_costs_its_carry() -> None:
    kwargs = dict(price_index=np.ones((1, 6)), discount_rate=np.array([[0.06]]))
    untaxed = plant_finance(**_one_route(), tax_rate=np.array([[0.0]]), **kwargs).npv
    taxed = plant_finance(**_one_route(), tax_rate=np.array([[0.25]]), **kwargs).npv
    with_wc = plant_finance(**_one_route(working_capital_days=60.0),
                            tax_rate=np.array([[0.25]]), **kwargs).npv
    assert untaxed > taxed > with_wc


def test_price_index_is_held_after_its_last_year() -> None:
    index = np.array([[1.0, 2.0, 3.0]])
    held = operating_price_index(index, SCHEDULE)
    assert held.shape == (1, SCHEDULE.operating_years)
    assert held[0, 0] == 3.0 and np.all(held == 3.0)


def test_wacc_is_made_real_with_fisher() -> None:
    rate = plant_discount_rate(np.array(0.10), np.array(0.045), np.array(0.25), np.array(0.6),
                               np.array(0.015))
    nominal = 0.4 * 0.10 + 0.6 * 0.045 * 0.75
    assert rate == pytest.approx((1 + nominal) / 1.015 - 1, rel=1e-12)


def test_a_sampled_depreciation_life_is_refused() -> None:
    route = _one_route()
    route["depreciation_life"] = np.array([[10.0], [12.0]])
    with pytest.raises(OutOfBoundsError, match="one whole number of years"):
        plant_finance(**route, price_index=np.ones((1, 6)), tax_rate=np.array([[0.25]]),
                      discount_rate=np.array([[0.06]]))


def test_shipped_scenario_ranks_npv_like_unit_margin() -> None:
    scenario = load_scenario("valueloop:cobalt-process-routes")
    model = get_model("cobalt-process-routes")
    out = model(baseline_inputs(scenario), 1)
    npv, unit_margin = out["npv"][0], out["unit_margin"][0]
    # a plant losing money on every tonne cannot have a positive NPV, and vice versa here
    assert np.all(np.sign(npv) == np.sign(unit_margin))
    assert np.isnan(out["payback"][0][unit_margin < 0]).all()
