"""Contract settlement from logged events equals settlement from the same events in a file."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from trace_data import ORIGIN, TIME, copper_passport, keys

from valueloop.contracts import load_contract, logged_events, read_events, settle
from valueloop.contracts.events import CONTRACT_TYPES, moment
from valueloop.log.keys import Signer
from valueloop.trace import TraceService

FOLDER = Path(str(resources.files("valueloop.data") / "contracts"))


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_settled_from_the_log_as_from_the_file(database_url: str) -> None:
    contract = load_contract(FOLDER / "pcpc-example.toml")
    events = read_events(FOLDER / "pcpc-example-events.jsonl")
    signers = {name: Signer.generate(name) for name in {e.actor for e in events}}
    with TraceService.open(database_url, ORIGIN) as service:
        # other subjects and types share the log; settlement must skip them
        service.create_passport(copper_passport(), keys()["refinery"], time=TIME)
        for event in events:
            if event.type in CONTRACT_TYPES:
                service.record_contract_event(event.type.removeprefix("contract."),
                                              event.subject, event.payload,
                                              signers[event.actor], time=moment(event))
            else:  # the example file carries other events too; they go to the log as they are
                service.log.append(event.model_dump(), signers[event.actor])
        from_log = settle(contract, logged_events(service.log, contract.id))
    assert from_log == settle(contract, events)
    assert from_log.periods and any(p.breaches for p in from_log.periods)
