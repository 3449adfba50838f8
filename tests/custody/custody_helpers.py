"""A small copper chain for the chain-of-custody tests: mine, smelter, refinery, scrap yard."""

from __future__ import annotations

import datetime as dt
from typing import Any

from valueloop.custody.model import Batch, InputUse, Inventory, Site, Transformation
from valueloop.custody.store import CustodyStore

T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
SITES = (Site(id="mine-cl", name="Mine", country="CL", grid="CHL"),
         Site(id="smelter-jx", name="Smelter", country="CN", grid="Jiangxi"),
         Site(id="scrap-yard", name="Scrap yard", country="CN"),
         Site(id="rod-mill", name="Rod mill", country="CN", grid="Jiangxi"))


def batch(id: str, site: str, mass: float, **elements: float | dict[str, Any]) -> Batch:
    return Batch.model_validate({"id": id, "site": site, "mass_kg": mass, "elements": elements})


def build_chain(store: CustodyStore) -> list[dict[str, Any]]:
    """Mine 10 t of 30 % Cu concentrate; 1 t of post-consumer scrap; smelt 10 t of concentrate
    with 0.5 t of scrap into 3 t of 99 % anode and a 7.35 t slag carrying 0.1 t of Cu (20 kg of
    Cu lost to dust); cast all the anode into rod."""
    for site in SITES:
        store.add_site(site)
    events = store.record(Transformation(
        id="t-mine", kind="mining", site="mine-cl", time=T0,
        outputs=(batch("conc-1", "mine-cl", 10_000.0, Cu=0.30, S=0.30),),
        inventory=Inventory(items={"diesel": (200.0, "kg")})), actor="mine-op")
    events.append(store.add_batch(Batch(
        id="scrap-1", site="scrap-yard", mass_kg=1_000.0, elements={"Cu": 0.96},
        characteristics={"post_consumer_recycled": 1.0}), actor="yard-op", time=T0))
    events += store.record(Transformation(
        id="t-smelt", kind="smelting", site="smelter-jx", time=T0 + dt.timedelta(days=10),
        inputs=(InputUse(batch="conc-1"), InputUse(batch="scrap-1", mass_kg=500.0)),
        outputs=(batch("anode-1", "smelter-jx", 3_000.0, Cu=0.99),
                 batch("slag-1", "smelter-jx", 7_350.0, Cu=100.0 / 7_350.0)),
        losses_kg={"Cu": 3_000.0 + 480.0 - 2_970.0 - 100.0, "S": 3_000.0},
        inventory=Inventory(electricity_kwh=2_000.0)), actor="smelter-op")
    events += store.record(Transformation(
        id="t-rod", kind="fabrication", site="rod-mill", time=T0 + dt.timedelta(days=20),
        inputs=(InputUse(batch="anode-1"),),
        outputs=(batch("rod-1", "rod-mill", 2_970.0, Cu=1.0),)), actor="mill-op")
    return events
