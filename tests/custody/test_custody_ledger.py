"""The mass-balance ledger on SQLite and PostgreSQL, and (hypothesis) no period over-claims."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from valueloop.core.db import Database
from valueloop.core.errors import OptionError
from valueloop.custody.errors import (
    DuplicateRecordError,
    OverClaimError,
    PeriodClosedError,
    UnknownRecordError,
)
from valueloop.custody.ledger import MassBalanceLedger
from valueloop.custody.model import LedgerScope

CREDIT = LedgerScope(site="smelter", characteristic="post_consumer_recycled")
AVERAGE = LedgerScope(site="smelter", characteristic="post_consumer_recycled", element="Co",
                      method="rolling_average")


def test_credit_method_claims_carry_over_and_close(database_url: str) -> None:
    with Database.open(database_url) as db:
        ledger = MassBalanceLedger(db)
        scope = ledger.open(CREDIT)
        ledger.record_input(scope, 2026, element_kg=1_000.0, qualifying_share=0.4,
                            conversion_factor=0.95, batch="scrap-a", actor="a")
        ledger.record_input(scope, 2026, element_kg=2_000.0, qualifying_share=0.0,
                            batch="conc-a", actor="a")
        claim = ledger.claim(scope, 2026, batch="cathode-1", output_kg=500.0,
                             qualifying_kg=300.0, actor="a")
        assert claim["type"] == "custody.claim"
        assert claim["payload"]["isMassBalanced"] is True
        assert claim["payload"]["available_after_kg"] == pytest.approx(80.0)
        with pytest.raises(OverClaimError, match="only 80 kg"):
            ledger.claim(scope, 2026, batch="cathode-2", output_kg=500.0, qualifying_kg=80.001,
                         actor="a")
        with pytest.raises(OverClaimError, match="output holds"):
            ledger.claim(scope, 2026, batch="cathode-3", output_kg=50.0, qualifying_kg=60.0,
                         actor="a")
        with pytest.raises(DuplicateRecordError, match="double counting"):
            ledger.claim(scope, 2026, batch="cathode-1", output_kg=500.0, qualifying_kg=1.0,
                         actor="a")
        closed = ledger.close_period(scope, 2026, actor="a")
        assert closed["type"] == "custody.period_close"
        assert closed["payload"]["carried_out_kg"] == pytest.approx(80.0)
        assert closed["payload"]["balanced"] is True
        with pytest.raises(PeriodClosedError):
            ledger.record_input(scope, 2026, element_kg=1.0, qualifying_share=1.0, actor="a")
        nxt = ledger.state(scope, 2027)
        assert nxt.carried_in_g == 80_000 and nxt.available_g == 80_000
        ledger.claim(scope, 2027, batch="cathode-4", output_kg=100.0, qualifying_kg=80.0,
                     actor="a")
        assert [e["kind"] for e in ledger.entries(scope, 2027)] == ["carry_in", "claim"]
        assert [c.batch for c in ledger.claims_on("cathode-4")] == ["cathode-4"]


def test_rolling_average_percentage_caps_each_output(database_url: str) -> None:
    with Database.open(database_url) as db:
        ledger = MassBalanceLedger(db)
        scope = ledger.open(AVERAGE)
        ledger.record_input(scope, 2026, element_kg=100.0, qualifying_share=1.0, actor="a")
        ledger.record_input(scope, 2026, element_kg=300.0, qualifying_share=0.0, actor="a")
        assert ledger.state(scope, 2026).percentage == pytest.approx(0.25)
        with pytest.raises(OverClaimError, match="rolling-average"):
            ledger.claim(scope, 2026, batch="p-1", output_kg=100.0, share=0.3, actor="a")
        default = ledger.claim(scope, 2026, batch="p-1", output_kg=100.0, actor="a")
        assert default["payload"]["claimed_kg"] == pytest.approx(25.0)
        ledger.claim(scope, 2026, batch="p-2", output_kg=200.0, actor="a")
        # 75 kg of credits used; a third output at 25 % would need 25 kg, only 25 are left
        ledger.claim(scope, 2026, batch="p-3", output_kg=100.0, actor="a")
        with pytest.raises(OverClaimError, match="credits"):
            ledger.claim(scope, 2026, batch="p-4", output_kg=4.0, actor="a")


def test_rolling_average_claim_on_an_output_that_rounds_to_zero_grams(tmp_path: Path) -> None:
    """Regression (found by test_no_period_over_claims): the over-claim message divided by the
    output's mass, which is 0 g for an output of 0.061 g."""
    with Database.open(tmp_path / "ledger.db") as db:
        ledger = MassBalanceLedger(db)
        scope = ledger.open(AVERAGE)
        ledger.record_input(scope, 2026, element_kg=1.0, qualifying_share=0.5, actor="a")
        with pytest.raises(OverClaimError, match="rounds to 0 g"):
            ledger.claim(scope, 2026, batch="p-0", output_kg=6.1e-05, share=1.0, actor="a")
        assert ledger.claims_on("p-0") == []


def test_expiry_and_closed_next_period(database_url: str) -> None:
    with Database.open(database_url) as db:
        ledger = MassBalanceLedger(db)
        scope = ledger.open(LedgerScope(site="s", characteristic="pre_consumer_recycled",
                                        expiry_periods=1))
        ledger.record_input(scope, 2026, element_kg=10.0, qualifying_share=1.0, actor="a")
        ledger.close_period(scope, 2026, actor="a")   # 10 kg carried into 2027
        ledger.record_input(scope, 2027, element_kg=5.0, qualifying_share=1.0, actor="a")
        ledger.claim(scope, 2027, batch="x", output_kg=4.0, qualifying_kg=4.0, actor="a")
        close = ledger.close_period(scope, 2027, actor="a")
        # the 2026 credits are used first (4 kg); their other 6 kg may not reach 2028
        assert close["payload"]["expired_kg"] == pytest.approx(6.0)
        assert close["payload"]["carried_out_kg"] == pytest.approx(5.0)
        with pytest.raises(PeriodClosedError):
            ledger.close_period(scope, 2026, actor="a")
        with pytest.raises(DuplicateRecordError, match="method"):
            ledger.open(LedgerScope(site="s", characteristic="pre_consumer_recycled",
                                    method="rolling_average"))
        with pytest.raises(UnknownRecordError):
            ledger.scope("s", "copper_mark_site")
        with pytest.raises(OptionError):
            ledger.record_input(scope, 2028, element_kg=1.0, qualifying_share=1.0,
                                conversion_factor=1.2, actor="a")


# --- property: no period over-claims ----------------------------------------------------------

_input = st.tuples(st.just("input"), st.floats(0.0, 5_000.0), st.floats(0.0, 1.0),
                   st.floats(0.05, 1.0))
_claim = st.tuples(st.just("claim"), st.floats(0.0, 5_000.0),
                   st.one_of(st.none(), st.floats(0.0, 1.0)), st.booleans())
_close = st.tuples(st.just("close"))
OPERATIONS = st.lists(st.one_of(_input, _input, _claim, _claim, _close), max_size=40)


@settings(max_examples=150, deadline=None)
@given(method=st.sampled_from(["credit", "rolling_average"]),
       expiry=st.one_of(st.none(), st.integers(0, 2)), operations=OPERATIONS)
def test_no_period_over_claims(method: str, expiry: int | None,
                               operations: list[tuple[object, ...]]) -> None:
    with Database.open("sqlite://:memory:") as db:
        ledger = MassBalanceLedger(db)
        scope = ledger.open(LedgerScope(site="s", characteristic="post_consumer_recycled",
                                        method=method, expiry_periods=expiry))
        period, counter = 2026, 0
        earned: dict[int, float] = {}   # our own float sum of mass * share * factor
        total_claimed = 0.0
        for operation in operations:
            counter += 1
            before = ledger.state(scope, period)
            if operation[0] == "input":
                _, mass, share, factor = operation
                ledger.record_input(scope, period, element_kg=mass, qualifying_share=share,
                                    conversion_factor=factor, actor="a")
                earned[period] = earned.get(period, 0.0) + mass * share * factor
            elif operation[0] == "claim":
                _, output, share, by_mass = operation
                kwargs = {}
                if share is not None:
                    kwargs = ({"qualifying_kg": share * output} if by_mass
                              else {"share": share})
                elif method == "credit":
                    kwargs = {"qualifying_kg": output / 3}
                try:
                    made = ledger.claim(scope, period, batch=f"b{counter}", output_kg=output,
                                        actor="a", **kwargs)
                except OverClaimError:
                    event("claim refused")
                    assert ledger.state(scope, period) == before  # a refusal writes nothing
                    continue
                total_claimed += made["payload"]["claimed_kg"]
                if method == "rolling_average":
                    assert made["payload"]["claimed_kg"] <= before.percentage * output + 1e-9
            else:
                ledger.close_period(scope, period, actor="a")
                after = ledger.state(scope, period + 1)
                if expiry == 0:
                    assert after.carried_in_g == 0
                # carry-over never exceeds what was left
                assert after.carried_in_g <= before.available_g
                period += 1
            state = ledger.state(scope, period)
            assert state.available_g >= 0
            assert state.claimed_g / 1000 <= earned.get(period, 0.0) \
                + state.carried_in_g / 1000 + 1e-9
            assert total_claimed <= math.fsum(earned.values()) + 1e-9
