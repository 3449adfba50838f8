"""Contract settlement against hand-computed figures, rounding, breaches and bad input."""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from valueloop.contracts import Event, load_contract, read_events, settle
from valueloop.contracts.settle import ContractEventError, cents
from valueloop.core.errors import MalformedFileError

FOLDER = Path(str(resources.files("valueloop.data") / "contracts"))
CONTRACT = FOLDER / "pcpc-example.toml"
EVENTS = FOLDER / "pcpc-example-events.jsonl"
D = Decimal


def event(kind: str, time: str, **payload: Any) -> Event:
    return Event(type=f"contract.{kind}", actor="example.com/copper-mill", time=time,
                 subject="pcpc-example", payload=payload)


def amounts(period: Any) -> dict[tuple[str, str], tuple[Decimal, str]]:
    return {(x.kind, x.reference): (x.amount, x.payer) for x in period.lines}


def test_shipped_example_settles_as_computed_by_hand() -> None:
    result = settle(load_contract(CONTRACT), read_events(EVENTS))
    q1, q2 = result.periods
    # Q1, copper 9,000 USD/t, premium 400, baseline 4.0 kgCO2e/kg, step 50 USD/tCO2e.
    assert amounts(q1) == {
        ("delivery", "D1"): (D("188000.00"), "customer"),           # 20 t x 9,400
        ("carbon_adjustment", "D1"): (D("1500.00"), "customer"),    # 20 x (4.0 - 2.5) x 50
        ("delivery", "D2"): (D("94000.00"), "customer"),            # 10 x 9,400; 4.5 > 4.0: 0
        ("takeback", "T1"): (D("243000.00"), "supplier"),           # 30 x 9,000 x 0.90
        ("takeback", "T2"): (D("108000.00"), "supplier"),           # off spec: 15 x 9,000 x 0.80
        ("takeback", "T3"): (D("106875.00"), "supplier"),           # 12.5 x 9,000 x 0.95
        ("volume_shortfall_penalty", "2027-Q1"): (D("2250.00"), "customer"),  # (50-42.5) x 300
    }
    assert q1.qualifying_t == D("42.5") and q1.recycled_content_percent == D(30)  # on guarantee
    assert [b.kind for b in q1.breaches] == ["quality", "volume_shortfall"]
    assert "Dream" in q1.breaches[0].detail and q1.breaches[1].shortfall == D("7.5")
    assert q1.net_customer_to_supplier == D("-172125.00")
    # Q2, copper 9,500: recycled content 20 % < 30 %: (25 x 30 - 25 x 20) / 100 = 2.5 t missing.
    assert amounts(q2) == {
        ("delivery", "D3"): (D("247500.00"), "customer"),           # 25 x 9,900
        ("carbon_adjustment", "D3"): (D("1250.00"), "customer"),    # 25 x 1.0 x 50
        ("takeback", "T4"): (D("541500.00"), "supplier"),           # 60 x 9,500 x 0.95
        ("recycled_content_penalty", "2027-Q2"): (D("5000.00"), "supplier"),  # 2.5 x 2,000
    }
    assert [(b.kind, b.shortfall) for b in q2.breaches] == [("recycled_content", D("2.5"))]
    assert q2.net_customer_to_supplier == D("-297750.00")
    assert result.unassigned == 0  # the passport.create event is not a contract event


def test_one_period_and_unknown_period() -> None:
    contract, events = load_contract(CONTRACT), read_events(EVENTS)
    assert [p.period for p in settle(contract, events, "2027-Q2").periods] == ["2027-Q2"]
    with pytest.raises(ContractEventError, match="2027-Q1, 2027-Q2"):
        settle(contract, events, "2027-Q3")


def test_amounts_round_half_to_even_per_line() -> None:
    assert cents(D("1.175")) == D("1.18") and cents(D("1.165")) == D("1.16")
    contract = load_contract(CONTRACT)
    result = settle(contract, [
        event("delivery", "2027-01-02T00:00:00Z", lot="tiny", mass_t=0.000125,
              footprint_kgco2e_per_kg=4.0, recycled_content_percent=30.0),
        event("takeback", "2027-01-02T00:00:00Z", lot="t", mass_t=50.0, grade="Birch",
              cu_percent=95.0)], "2027-Q1").periods[0]
    # 0.000125 t x 9,400 = 1.175 -> 1.18 (half to even)
    assert amounts(result)[("delivery", "tiny")] == (D("1.18"), "customer")
    assert not result.breaches


def test_symmetric_carbon_step_charges_the_supplier(tmp_path: Path) -> None:
    path = tmp_path / "symmetric.toml"
    path.write_text(CONTRACT.read_text("utf-8").replace("carbon_symmetric = false",
                                                        "carbon_symmetric = true"))
    period = settle(load_contract(path), [
        event("delivery", "2027-02-01T00:00:00Z", lot="D", mass_t=10.0,
              footprint_kgco2e_per_kg=4.5, recycled_content_percent=50.0)],
        "2027-Q1").periods[0]
    assert amounts(period)[("carbon_adjustment", "D")] == (D("250.00"), "supplier")


def test_events_outside_every_period_and_of_other_contracts_are_ignored() -> None:
    result = settle(load_contract(CONTRACT), [
        event("delivery", "2028-01-01T00:00:00Z", mass_t=1.0, footprint_kgco2e_per_kg=1.0,
              recycled_content_percent=50.0),
        Event(type="contract.takeback", actor="a", time="2027-01-05T00:00:00Z",
              subject="another-contract", payload={"mass_t": 99.0, "grade": "Birch"})])
    assert result.unassigned == 1
    assert all(p.taken_back_t == 0 for p in result.periods)


@pytest.mark.parametrize(("payload", "message"), [
    ({"footprint_kgco2e_per_kg": 1.0, "recycled_content_percent": 10.0}, "mass_t: is missing"),
    ({"mass_t": -1.0, "footprint_kgco2e_per_kg": 1.0, "recycled_content_percent": 10.0},
     "out of range"),
    ({"mass_t": 1.0, "footprint_kgco2e_per_kg": "low", "recycled_content_percent": 10.0},
     "not a finite number"),
    ({"mass_t": 1.0, "footprint_kgco2e_per_kg": 1.0, "recycled_content_percent": 120.0},
     "out of range"),
])
def test_bad_event_payloads_name_the_event_and_field(payload: dict[str, Any],
                                                     message: str) -> None:
    with pytest.raises(ContractEventError, match=message) as info:
        settle(load_contract(CONTRACT), [event("delivery", "2027-01-02T00:00:00Z", **payload)])
    assert "event 1 (contract.delivery)" in str(info.value)


@pytest.mark.parametrize(("line", "message"), [
    ('{"type": "contract.delivery"', "not a JSON event"),
    ('{"type": "contract.delivery", "actor": "a", "time": "2027-01-02 10:00", "subject": "s", '
     '"payload": {}}', "time"),
    ('{"type": "x", "actor": "a", "time": "2027-01-02T10:00:00Z", "subject": "s", '
     '"payload": {}}', "type"),
    ('{"type": "contract.delivery", "actor": "a", "time": "2027-01-02T10:00:00Z", '
     '"subject": "s", "payload": {"mass_t": NaN}}', "NaN"),
])
def test_bad_event_lines(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("\n" + line + "\n")
    with pytest.raises(MalformedFileError, match=message) as info:
        read_events(path)
    assert ":2:" in str(info.value)


def test_overlapping_periods_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "overlap.toml"
    path.write_text(CONTRACT.read_text("utf-8").replace("start = 2027-04-01",
                                                        "start = 2027-03-31"))
    with pytest.raises(MalformedFileError, match="overlap"):
        load_contract(path)


masses = st.decimals(min_value=D("0"), max_value=D("500"), places=3)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["delivery", "takeback"]), masses,
                          st.decimals(min_value=D("0"), max_value=D("100"), places=1)),
                max_size=12))
def test_net_is_the_signed_sum_of_cent_lines(lots: list[tuple[str, Decimal, Decimal]]) -> None:
    events = [event(kind, "2027-02-01T00:00:00Z", mass_t=float(mass),
                    footprint_kgco2e_per_kg=float(share) / 20,
                    recycled_content_percent=float(share), grade="Candy",
                    cu_percent=float(share))
              for kind, mass, share in lots]
    period = settle(load_contract(CONTRACT), events, "2027-Q1").periods[0]
    assert all(line.amount == line.amount.quantize(D("0.01")) and line.amount >= 0
               for line in period.lines)
    signed = sum((x.amount if x.payer == "customer" else -x.amount for x in period.lines), D(0))
    assert period.net_customer_to_supplier == signed
    assert period.qualifying_t + sum(b.shortfall for b in period.breaches
                                     if b.kind == "quality") == period.taken_back_t
    json.dumps(period.to_record())
