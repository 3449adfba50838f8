"""Chain-of-custody records through the trace service: each change with its log entries."""

from __future__ import annotations

import datetime as dt

import pytest
from trace_data import ORIGIN

from valueloop.custody.errors import UnknownRecordError
from valueloop.custody.model import Batch, InputUse, LedgerScope, Site, Transformation
from valueloop.log.keys import Signer
from valueloop.trace import TraceService

T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_custody_and_ledger_changes_are_logged(database_url: str) -> None:
    yard, mill = Signer.generate("yard-op"), Signer.generate("mill-op")
    with TraceService.open(database_url, ORIGIN) as service:
        service.add_site(Site(id="scrap-yard", country="CN"))
        service.add_site(Site(id="rod-mill", country="CN"))
        service.add_batch(Batch(id="scrap-1", site="scrap-yard", mass_kg=1_000.0,
                                elements={"Cu": 0.96},
                                characteristics={"post_consumer_recycled": 1.0}), yard, time=T0)
        melt = Transformation(
            id="t-melt", kind="fabrication", site="rod-mill", time=T0 + dt.timedelta(days=1),
            inputs=(InputUse(batch="scrap-1"),),
            outputs=(Batch(id="rod-1", site="rod-mill", mass_kg=960.0,
                           elements={"Cu": 1.0}),))
        recorded = service.record_transformation(melt, mill)
        assert [e.event["type"] for e in recorded.entries] == ["custody.transform",
                                                               "custody.batch"]
        scope = service.ledger.open(LedgerScope(site="rod-mill",
                                                characteristic="post_consumer_recycled"))
        service.ledger.record_input(scope, 2026, element_kg=960.0, qualifying_share=1.0,
                                    batch="scrap-1", actor="mill-op", time=T0)
        service.ledger_claim(scope, 2026, mill, batch="rod-1", output_kg=960.0,
                             qualifying_kg=500.0, time=T0)
        service.ledger_close(scope, 2026, mill, time=T0)
        assert [e.event["type"] for e in service.log.entries()] == [
            "custody.batch", "custody.transform", "custody.batch", "custody.claim",
            "custody.period_close"]
        size = service.log.size
        with pytest.raises(UnknownRecordError):
            service.record_transformation(melt.model_copy(update={
                "id": "t-2", "inputs": (InputUse(batch="no-such-batch"),)}), mill)
        assert service.log.size == size
