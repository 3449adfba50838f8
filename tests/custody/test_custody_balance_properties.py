"""Property-based (hypothesis): mass balances close at every transformation and end to end.

Random genealogies: a few entering batches, then transformations that each take some batches
(all or part of what is left), lose a random share of each element (declared as kg or as a
yield) and split the rest into one to three outputs. Every transformation must be accepted, its
recorded balance must close, and over the whole store, for each element, the mass that entered
equals what is left in batches plus every declared loss. Pushing one output above its inputs
must be refused and leave the store unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from valueloop.core.db import Database
from valueloop.custody.errors import MassBalanceError
from valueloop.custody.model import Batch, InputUse, Site, Transformation
from valueloop.custody.store import CustodyStore

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
ELEMENTS = ("Cu", "Co")
KINDS = ("smelting", "refining", "alloying", "fabrication", "assembly", "recycling")

fraction = st.floats(0.01, 0.49)
origin = st.tuples(st.floats(1.0, 10_000.0), fraction, fraction)
step = st.tuples(
    st.lists(st.integers(0, 1_000), min_size=1, max_size=3, unique=True),  # which batches
    st.floats(0.1, 1.0),                      # share of what is left to use
    st.booleans(),                            # use "all that is left" instead
    st.tuples(st.floats(0.0, 0.3), st.floats(0.0, 0.3)),   # loss share per element
    st.lists(st.floats(0.05, 1.0), min_size=1, max_size=3),  # output weights
    st.floats(0.0, 2.0),                      # other matter in the outputs
    st.booleans(),                            # declare losses as yields
    st.sampled_from(KINDS),
)


def _chain(store: CustodyStore, origins: list[tuple[float, float, float]],
           steps: list[tuple]) -> tuple[dict[str, float], list[Transformation]]:
    """Record the genealogy; returns the element mass that entered and the transformations."""
    store.add_site(Site(id="s"))
    entered = dict.fromkeys(ELEMENTS, 0.0)
    left: dict[str, tuple[Batch, float]] = {}
    for index, (mass, cu, co) in enumerate(origins):
        b = Batch(id=f"o{index}", site="s", mass_kg=mass, elements={"Cu": cu, "Co": co})
        store.add_batch(b, actor="a", time=T0)
        left[b.id] = (b, mass)
        entered["Cu"] += mass * cu
        entered["Co"] += mass * co
    recorded = []
    for number, (picks, share, use_all, losses, weights, filler, as_yield, kind) in \
            enumerate(steps):
        open_ids = sorted(b for b, (_, rest) in left.items() if rest > 1e-6)
        if not open_ids:
            break
        chosen = sorted({open_ids[p % len(open_ids)] for p in picks})
        uses, into = [], dict.fromkeys(ELEMENTS, 0.0)
        for batch_id in chosen:
            b, rest = left[batch_id]
            amount = rest if use_all else rest * share
            uses.append(InputUse(batch=batch_id, mass_kg=None if use_all else amount))
            left[batch_id] = (b, rest - amount)
            for element in ELEMENTS:
                into[element] += b.element_mass(element, amount)
        out = {e: into[e] * (1.0 - loss) for e, loss in zip(ELEMENTS, losses, strict=True)}
        total_weight = math.fsum(weights)
        outputs = []
        for k, weight in enumerate(weights):
            part = {e: out[e] * weight / total_weight for e in ELEMENTS}
            mass = math.fsum(part.values()) * (1.0 + filler)
            outputs.append(Batch(id=f"b{number}-{k}", site="s", mass_kg=mass,
                                 elements={e: part[e] / mass for e in ELEMENTS}))
        declared = ({"yields": {e: 1.0 - loss for e, loss in zip(ELEMENTS, losses, strict=True)
                                if loss > 0}} if as_yield else
                    {"losses_kg": {e: into[e] - out[e] for e in ELEMENTS}})
        transformation = Transformation(id=f"t{number}", kind=kind, site="s", time=T0,
                                        inputs=tuple(uses), outputs=tuple(outputs), **declared)
        events = store.record(transformation, actor="a")
        for balance in events[0]["payload"]["balance"]:
            assert abs(balance["residual_kg"]) <= 1e-6 * max(balance["input_kg"], 1.0)
        for b in outputs:
            left[b.id] = (b, b.mass_kg)
        recorded.append(transformation)
    return entered, recorded


@settings(max_examples=100, deadline=None)
@given(origins=st.lists(origin, min_size=1, max_size=4),
       steps=st.lists(step, min_size=1, max_size=8))
def test_mass_balances_close_at_every_step_and_end_to_end(
        origins: list[tuple[float, float, float]], steps: list[tuple]) -> None:
    with Database.open("sqlite://:memory:") as db:
        store = CustodyStore(db)
        entered, _ = _chain(store, origins, steps)
        losses = dict.fromkeys(ELEMENTS, 0.0)
        for row in db.query("SELECT balance FROM custody_transformations"):
            for balance in json.loads(row[0])["elements"]:
                losses[balance["element"]] += balance["loss_kg"]
        remaining = dict.fromkeys(ELEMENTS, 0.0)
        for (batch_id,) in db.query("SELECT id FROM custody_batches"):
            state = store.batch_state(batch_id)
            for element in ELEMENTS:
                remaining[element] += state.batch.element_mass(element, state.remaining_kg)
        for element in ELEMENTS:
            assert remaining[element] + losses[element] == pytest.approx(
                entered[element], rel=1e-9, abs=1e-6)


@settings(max_examples=30, deadline=None)
@given(origins=st.lists(origin, min_size=1, max_size=3),
       steps=st.lists(step, min_size=1, max_size=4), excess=st.floats(0.01, 0.5))
def test_creating_metal_is_always_refused(origins: list[tuple[float, float, float]],
                                          steps: list[tuple], excess: float) -> None:
    with Database.open("sqlite://:memory:") as db:
        store = CustodyStore(db)
        _chain(store, origins, steps)
        open_batches = [r[0] for r in db.query(
            "SELECT id FROM custody_batches WHERE used_kg < mass_kg * 0.999 ORDER BY id")]
        source = store.batch_state(open_batches[0])
        state_before = db.query("SELECT id, used_kg FROM custody_batches ORDER BY id")
        copper = source.batch.element_mass("Cu", source.remaining_kg)
        # all of it in, more copper out than came in (no loss can make up for it)
        inflated = Batch(id="x-out", site="s", mass_kg=copper * (1 + excess) / 0.9,
                         elements={"Cu": 0.9})
        with pytest.raises(MassBalanceError, match="creates"):
            store.record(Transformation(
                id="x", kind="refining", site="s", time=T0,
                inputs=(InputUse(batch=source.batch.id),), outputs=(inflated,)), actor="a")
        assert db.query("SELECT id, used_kg FROM custody_batches ORDER BY id") == state_before
