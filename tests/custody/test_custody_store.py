"""Batches and transformations on real SQLite and PostgreSQL: balance, refusals, traces, events."""

from __future__ import annotations

import datetime as dt

import pytest
from custody_helpers import T0, batch, build_chain

from valueloop.core.db import Database
from valueloop.custody.errors import (
    DuplicateRecordError,
    MassBalanceError,
    OverConsumptionError,
    UnknownRecordError,
)
from valueloop.custody.genealogy import trace
from valueloop.custody.model import Batch, InputUse, Site, Transformation
from valueloop.custody.store import CustodyStore

ENVELOPE = {"type", "actor", "time", "subject", "payload"}


def test_the_postgresql_run_really_is_postgresql(database_url: str,
                                                 request: pytest.FixtureRequest) -> None:
    expected = request.node.callspec.params["database_url"]
    with Database.open(database_url) as db:
        assert db.dialect == expected


def test_a_chain_is_recorded_with_its_events(database_url: str) -> None:
    with Database.open(database_url) as db:
        store = CustodyStore(db)
        events = build_chain(store)
        assert [e["type"] for e in events] == [
            "custody.transform", "custody.batch", "custody.batch", "custody.transform",
            "custody.batch", "custody.batch", "custody.transform", "custody.batch"]
        assert all(set(e) == ENVELOPE and e["time"].endswith("Z") for e in events)
        smelt = events[3]
        assert smelt["subject"] == "t-smelt"
        copper = next(b for b in smelt["payload"]["balance"] if b["element"] == "Cu")
        assert copper["input_kg"] == pytest.approx(3_480.0)
        assert copper["output_kg"] == pytest.approx(3_070.0)
        assert copper["residual_kg"] == pytest.approx(0.0, abs=1e-9)
        scrap = store.batch_state("scrap-1")
        assert (scrap.used_kg, scrap.remaining_kg) == (500.0, 500.0)
        assert store.batch_state("anode-1").produced_by == "t-smelt"
        assert store.transformation("t-rod").inputs == (InputUse(batch="anode-1"),)


def test_a_transformation_that_creates_metal_is_refused_and_writes_nothing(
        database_url: str) -> None:
    with Database.open(database_url) as db:
        store = CustodyStore(db)
        build_chain(store)
        greedy = Transformation(
            id="t-greedy", kind="refining", site="smelter-jx", time=T0,
            inputs=(InputUse(batch="scrap-1", mass_kg=100.0),),  # 96 kg of Cu
            outputs=(batch("cathode-x", "smelter-jx", 97.0, Cu=0.9999),))
        with pytest.raises(MassBalanceError, match=r"creates .* kg of Cu"):
            store.record(greedy, actor="x")
        assert store.batch_state("scrap-1").used_kg == 500.0
        with pytest.raises(UnknownRecordError):
            store.batch("cathode-x")
        with pytest.raises(UnknownRecordError):
            store.transformation("t-greedy")


def test_undeclared_losses_and_yields(database_url: str) -> None:
    with Database.open(database_url) as db:
        store = CustodyStore(db)
        build_chain(store)
        lossy = dict(id="t-lossy", kind="refining", site="smelter-jx", time=T0,
                     inputs=(InputUse(batch="scrap-1", mass_kg=100.0),),
                     outputs=(batch("cathode-y", "smelter-jx", 90.0, Cu=1.0),))
        with pytest.raises(MassBalanceError, match="does not balance"):
            store.record(Transformation(**lossy), actor="x")  # 6 kg of Cu vanish
        events = store.record(Transformation(**lossy, yields={"Cu": 90.0 / 96.0}), actor="x")
        assert events[0]["payload"]["balance"][0]["loss_kg"] == pytest.approx(6.0)


def test_assay_uncertainty_widens_the_allowance(database_url: str) -> None:
    with Database.open(database_url) as db:
        store = CustodyStore(db)
        build_chain(store)
        # 96 kg in, 96.5 kg out: 0.5 kg too much for 0.1 %, within 2 sigma of a 0.3 % assay
        definition = dict(id="t-u", kind="refining", site="smelter-jx", time=T0,
                          inputs=(InputUse(batch="scrap-1", mass_kg=100.0),))
        with pytest.raises(MassBalanceError):
            store.record(Transformation(**definition, outputs=(
                batch("c-u", "smelter-jx", 96.5, Cu=1.0),)), actor="x")
        store.record(Transformation(**definition, outputs=(
            batch("c-u", "smelter-jx", 96.5, Cu={"fraction": 1.0, "uncertainty": 0.003}),)),
            actor="x")


def test_over_consumption_duplicates_and_unknown_inputs(database_url: str) -> None:
    with Database.open(database_url) as db:
        store = CustodyStore(db)
        build_chain(store)
        with pytest.raises(OverConsumptionError, match="500 kg"):
            store.record(Transformation(
                id="t-over", kind="refining", site="smelter-jx", time=T0,
                inputs=(InputUse(batch="scrap-1", mass_kg=600.0),),
                outputs=(batch("c-over", "smelter-jx", 500.0, Cu=0.9),)), actor="x")
        with pytest.raises(OverConsumptionError):  # conc-1 is used up
            store.record(Transformation(
                id="t-again", kind="smelting", site="smelter-jx", time=T0,
                inputs=(InputUse(batch="conc-1"),),
                outputs=(batch("c-again", "smelter-jx", 1.0, Cu=0.1),)), actor="x")
        with pytest.raises(UnknownRecordError, match="nope"):
            store.record(Transformation(
                id="t-nope", kind="smelting", site="smelter-jx", time=T0,
                inputs=(InputUse(batch="nope"),),
                outputs=(batch("c-nope", "smelter-jx", 1.0),)), actor="x")
        with pytest.raises(DuplicateRecordError):
            store.add_batch(Batch(id="rod-1", site="rod-mill", mass_kg=1.0), actor="x")
        with pytest.raises(DuplicateRecordError):
            store.add_site(Site(id="rod-mill", name="another"))
        with pytest.raises(UnknownRecordError, match="site nowhere"):
            store.add_batch(Batch(id="b-x", site="nowhere", mass_kg=1.0), actor="x")


def test_trace_back_to_origins_and_forward_to_products(database_url: str) -> None:
    with Database.open(database_url) as db:
        build_chain(CustodyStore(db))
        back = trace(db, "rod-1")
        assert back.ids == {"rod-1", "anode-1", "conc-1", "scrap-1"}
        assert {b.id for b in back.origins} == {"conc-1", "scrap-1"}
        assert back.transformations == {"t-rod", "t-smelt", "t-mine"}
        forward = trace(db, "conc-1", "forward")
        assert forward.ids == {"conc-1", "anode-1", "slag-1", "rod-1"}
        assert {b.id for b in forward.products} == {"slag-1", "rod-1"}
        with pytest.raises(UnknownRecordError):
            trace(db, "missing")


def test_bulk_import_checks_like_record(database_url: str) -> None:
    sites = (Site(id="s"),)
    origin = Batch(id="o", site="s", mass_kg=100.0, elements={"Cu": 0.5})
    ok = Transformation(id="t", kind="refining", site="s", time=T0,
                        inputs=(InputUse(batch="o", mass_kg=60.0),),
                        outputs=(batch("p", "s", 30.0, Cu=1.0),))
    bad = Transformation(id="t2", kind="refining", site="s", time=T0,
                         inputs=(InputUse(batch="o"),), outputs=(batch("q", "s", 21.0, Cu=1.0),))
    with Database.open(database_url) as db:
        store = CustodyStore(db)
        with pytest.raises(MassBalanceError):
            store.import_records(sites, [origin], [ok, bad])
        with pytest.raises(UnknownRecordError):
            store.batch("o")  # nothing of the failed import was written
        assert store.import_records(sites, [origin], [ok]) == 2
        assert store.batch_state("o").remaining_kg == pytest.approx(40.0)
        assert trace(db, "p").ids == {"p", "o"}


def test_definitions_refuse_inconsistent_transformations() -> None:
    with pytest.raises(ValueError, match="mining"):
        Transformation(id="t", kind="mining", site="s", time=T0,
                       inputs=(InputUse(batch="a"),), outputs=(batch("b", "s", 1.0),))
    with pytest.raises(ValueError, match="needs at least one input"):
        Transformation(id="t", kind="refining", site="s", time=T0,
                       outputs=(batch("b", "s", 1.0),))
    with pytest.raises(ValueError, match="not at site"):
        Transformation(id="t", kind="refining", site="s", time=T0,
                       inputs=(InputUse(batch="a"),), outputs=(batch("b", "other", 1.0),))
    with pytest.raises(ValueError, match="time zone"):
        Transformation(id="t", kind="refining", site="s", time=dt.datetime(2026, 1, 1),
                       inputs=(InputUse(batch="a"),), outputs=(batch("b", "s", 1.0),))
    with pytest.raises(ValueError, match="add up to"):
        batch("b", "s", 1.0, Cu=0.7, Zn=0.4)
