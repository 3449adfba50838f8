"""Versioned passport storage on real SQLite and PostgreSQL (the ``database_url`` fixture)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from passport_data import BATTERY_ID, battery_data

from valueloop.core.db import Database
from valueloop.passport.errors import (
    PassportContentError,
    PassportNotFoundError,
    PassportStateError,
)
from valueloop.passport.events import content_hash
from valueloop.passport.files import Passport, parse_passport
from valueloop.passport.store import (
    create_passport,
    get_passport,
    list_passports,
    migrate,
    passport_history,
    recycle_passport,
    succeed_passport,
    update_passport,
)

T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
SUCCESSOR = "LA:VLOOP:BAT-0001-R1"


def _battery(identifier: str = BATTERY_ID, status: str = "Original",
             soc: float = 50.0) -> Passport:
    data = battery_data(identifier)
    data["general_product_information"]["batteryStatus"] = status
    condition = data["performance_and_durability"]["batteryCondition"]
    condition["stateOfCharge"]["stateOfChargeValue"] = soc
    return parse_passport(data)


def test_versions_are_kept_and_readable(database_url: str) -> None:
    with Database.open(database_url) as db:
        migrate(db)
        assert db.dialect == ("postgresql" if database_url.startswith("postgresql") else "sqlite")
        created = create_passport(db, _battery(), actor="maker", time=T0)
        updated = update_passport(db, BATTERY_ID, _battery(soc=80.0), actor="bms",
                                  time=T0 + timedelta(days=30))
        first, second = passport_history(db, BATTERY_ID)
        assert get_passport(db, BATTERY_ID).version == 2
        assert get_passport(db, BATTERY_ID, version=1).passport == created.record.passport
    assert (first.version, second.version) == (1, 2)
    soc = second.passport.performance_and_durability.battery_condition.state_of_charge
    assert soc["stateOfChargeValue"] == 80.0
    assert created.events[0] == {
        "type": "passport.create", "actor": "maker", "time": "2026-11-22T10:00:00Z",
        "subject": BATTERY_ID, "payload": {"version": 1, "kind": "battery", "sha256": content_hash(
            created.record.passport.model_dump(mode="json", by_alias=True, exclude_none=True))}}
    assert updated.events[0]["type"] == "passport.update"
    assert updated.events[0]["payload"]["version"] == 2
    assert updated.events[0]["time"] == "2026-12-22T10:00:00Z"


def test_repurposing_links_the_new_passport_to_its_predecessor(database_url: str) -> None:
    with Database.open(database_url) as db:
        migrate(db)
        create_passport(db, _battery(), actor="maker", time=T0)
        change = succeed_passport(db, BATTERY_ID, _battery(SUCCESSOR, "Repurposed"),
                                  operation="repurposed", actor="second-life", time=T0)
        old = get_passport(db, BATTERY_ID)
        new = get_passport(db, SUCCESSOR)
        with pytest.raises(PassportStateError, match="repurposed"):
            update_passport(db, BATTERY_ID, _battery(), actor="maker")
        listed = {r.identifier: r.status for r in list_passports(db)}
    assert (old.status, old.version) == ("repurposed", 2)
    assert (new.status, new.predecessor, new.version) == ("active", BATTERY_ID, 1)
    assert [e["type"] for e in change.events] == ["passport.repurpose", "passport.create"]
    assert change.events[0]["payload"]["successor"] == SUCCESSOR
    assert change.events[1]["payload"]["predecessor"] == BATTERY_ID
    assert listed == {BATTERY_ID: "repurposed", SUCCESSOR: "active"}


def test_recycling_closes_but_archives(database_url: str) -> None:
    with Database.open(database_url) as db:
        migrate(db)
        create_passport(db, _battery(), actor="maker", time=T0)
        change = recycle_passport(db, BATTERY_ID, actor="recycler", time=T0)
        for attempt in (lambda: update_passport(db, BATTERY_ID, _battery(), actor="x"),
                        lambda: recycle_passport(db, BATTERY_ID, actor="x"),
                        lambda: succeed_passport(db, BATTERY_ID, _battery(SUCCESSOR),
                                                 operation="remanufactured", actor="x")):
            with pytest.raises(PassportStateError, match="recycled"):
                attempt()
        archived = get_passport(db, BATTERY_ID)
        original = get_passport(db, BATTERY_ID, version=1)
        rows = db.query("SELECT count(*) FROM passport_versions")
    assert change.events[0]["type"] == "passport.recycle"
    assert (archived.status, archived.version) == ("recycled", 2)
    assert archived.passport == original.passport
    assert rows == [(2,)]  # the refused successor left nothing behind


def test_bad_requests_are_user_errors(database_url: str) -> None:
    with Database.open(database_url) as db:
        migrate(db)
        create_passport(db, _battery(), actor="maker", time=T0)
        with pytest.raises(PassportStateError, match="exists already"):
            create_passport(db, _battery(), actor="maker", time=T0)
        with pytest.raises(PassportNotFoundError, match="LA:VLOOP:NOPE"):
            get_passport(db, "LA:VLOOP:NOPE")
        with pytest.raises(PassportNotFoundError, match="version 9"):
            get_passport(db, BATTERY_ID, version=9)
        with pytest.raises(PassportContentError, match="identifier"):
            update_passport(db, BATTERY_ID, _battery(SUCCESSOR), actor="maker")
        assert [r.version for r in passport_history(db, BATTERY_ID)] == [1]
