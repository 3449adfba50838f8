"""Trace-back time over a 10^6-batch copper genealogy, on SQLite and (where a server answers)
PostgreSQL.

The genealogy is synthetic and seeded: clusters of mine -> smelter -> refinery -> rod -> wire ->
cable, 25 batches each, with merges (four concentrates and a scrap lot smelted together; each
rod cast from a cathode of its own cluster and one of the cluster before, which links the
clusters; each cable made of halves of two wires) and splits (two anodes per smelt, two cathodes
per anode, three wires per rod). It is loaded with ``CustodyStore.import_records``, which checks
every element balance as ``record`` does.

Measured on the same database in the same run, for the same random cables:

* ``WITH RECURSIVE`` trace-back (:func:`valueloop.custody.genealogy.trace`);
* baseline 1: a query loop, two indexed queries per batch reached (producer, then its inputs);
* baseline 2: loading every edge into Python once, then a breadth-first search in memory (its
  load time is printed separately; it pays off only after many traces).

All three must find the same lineage.

    python benchmarks/bench_custody.py [--quick] [--traces 200] [--postgres URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from valueloop.core.db import Database
from valueloop.custody.genealogy import trace
from valueloop.custody.model import Batch, InputUse, Site, Transformation
from valueloop.custody.store import CustodyStore

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
BATCHES_PER_CLUSTER = 25
CU_CATHODE = 0.9999
SITES = tuple(Site(id=name) for name in ("mine", "smelter", "refinery", "rod-mill", "wire-mill",
                                         "cable-plant", "scrap-yard"))


def _batch(id: str, site: str, copper_kg: float, fraction: float, **extra: object) -> Batch:
    return Batch.model_validate({"id": id, "site": site, "mass_kg": copper_kg / fraction,
                                 "elements": {"Cu": fraction}, **extra})


def _step(id: str, kind: str, site: str, inputs: list[tuple[str, float | None]],
          outputs: list[Batch], yield_cu: float) -> Transformation:
    return Transformation(id=id, kind=kind, site=site, time=T0,
                          inputs=tuple(InputUse(batch=b, mass_kg=m) for b, m in inputs),
                          outputs=tuple(outputs), yields={"Cu": yield_cu})


def genealogy(clusters: int) -> tuple[list[Batch], list[Transformation], list[str]]:
    """Entering batches, transformations (in order) and the cable ids of the synthetic chain."""
    entering: list[Batch] = []
    steps: list[Transformation] = []
    cables: list[str] = []
    cathodes: dict[tuple[int, int], Batch] = {}
    for c in range(clusters):
        concentrates = []
        for m in range(4):
            conc = _batch(f"c{c}-conc{m}", "mine", 300.0, 0.30)
            steps.append(Transformation(id=f"c{c}-mine{m}", kind="mining", site="mine", time=T0,
                                        outputs=(conc,)))
            concentrates.append(conc)
        scrap = _batch(f"c{c}-scrap", "scrap-yard", 190.0, 0.95,
                       characteristics={"post_consumer_recycled": 1.0})
        entering.append(scrap)
        smelt_in = 4 * 300.0 + 190.0
        anodes = [_batch(f"c{c}-anode{a}", "smelter", smelt_in * 0.98 / 2, 0.99)
                  for a in range(2)]
        steps.append(_step(f"c{c}-smelt", "smelting", "smelter",
                           [(b.id, None) for b in (*concentrates, scrap)], anodes, 0.98))
        for a, anode in enumerate(anodes):
            copper = anode.element_mass("Cu") * 0.995
            pair = [_batch(f"c{c}-cathode{2 * a + k}", "refinery", copper / 2, CU_CATHODE)
                    for k in range(2)]
            cathodes.update({(c, 2 * a + k): b for k, b in enumerate(pair)})
            steps.append(_step(f"c{c}-refine{a}", "refining", "refinery", [(anode.id, None)],
                               pair, 0.995))
        wire_mass: dict[int, float] = {}
        for r in range(2):
            feed = [cathodes[(c, r)]] + ([cathodes[(c - 1, 2 + r)]] if c > 0 else [])
            copper = sum(b.element_mass("Cu") for b in feed)
            rod = _batch(f"c{c}-rod{r}", "rod-mill", copper, CU_CATHODE)
            steps.append(_step(f"c{c}-cast{r}", "fabrication", "rod-mill",
                               [(b.id, None) for b in feed], [rod], 1.0))
            wires = [_batch(f"c{c}-wire{3 * r + w}", "wire-mill",
                            rod.element_mass("Cu") * 0.997 / 3, CU_CATHODE) for w in range(3)]
            steps.append(_step(f"c{c}-draw{r}", "fabrication", "wire-mill", [(rod.id, None)],
                               wires, 0.997))
            wire_mass.update({3 * r + w: b.mass_kg for w, b in enumerate(wires)})
        for j in range(6):
            halves = [(f"c{c}-wire{j}", wire_mass[j] / 2),
                      (f"c{c}-wire{(j + 1) % 6}", wire_mass[(j + 1) % 6] / 2)]
            copper = sum(m * CU_CATHODE for _, m in halves)
            cable = Batch(id=f"c{c}-cable{j}", site="cable-plant", mass_kg=copper / 0.6,
                          elements={"Cu": copper / (copper / 0.6)})
            steps.append(_step(f"c{c}-assemble{j}", "assembly", "cable-plant", halves, [cable],
                               1.0))
            cables.append(cable.id)
    return entering, steps, cables


def trace_loop(db: Database, batch: str) -> set[str]:
    """Baseline 1: breadth-first, two queries per batch reached."""
    seen, queue = {batch}, deque([batch])
    while queue:
        current = queue.popleft()
        producer = db.query("SELECT produced_by FROM custody_batches WHERE id = ?", (current,))
        if not producer or producer[0][0] is None:
            continue
        for (parent,) in db.query("SELECT batch FROM custody_inputs WHERE transformation = ?",
                                  (producer[0][0],)):
            if parent not in seen:
                seen.add(parent)
                queue.append(parent)
    return seen


def load_edges(db: Database) -> dict[str, list[str]]:
    """Baseline 2: every batch's parents, loaded into a dict."""
    parents: dict[str, list[str]] = {}
    for child, parent in db.query("SELECT b.id, i.batch FROM custody_batches b "
                                  "JOIN custody_inputs i ON i.transformation = b.produced_by"):
        parents.setdefault(child, []).append(parent)
    return parents


def trace_memory(parents: dict[str, list[str]], batch: str) -> set[str]:
    seen, queue = {batch}, deque([batch])
    while queue:
        for parent in parents.get(queue.popleft(), ()):
            if parent not in seen:
                seen.add(parent)
                queue.append(parent)
    return seen


def timed(function: Callable[[], object]) -> tuple[float, object]:
    began = time.perf_counter()
    value = function()
    return time.perf_counter() - began, value


def per_trace(function: Callable[[str], set[str]], cables: list[str]) -> tuple[float, list]:
    """Median seconds per trace over ``cables`` and the lineages found."""
    times, found = [], []
    for cable in cables:
        seconds, lineage = timed(lambda cable=cable: function(cable))
        times.append(seconds)
        found.append(lineage)
    return statistics.median(times), found


def run(url: str, label: str, entering: list[Batch], steps: list[Transformation],
        cables: list[str], n_traces: int) -> None:
    with Database.open(url) as db:
        store = CustodyStore(db)
        seconds, written = timed(lambda: store.import_records(SITES, entering, steps))
        print(f"[{label}] loaded {written:,} batches and {len(steps):,} transformations "
              f"(balances checked) in {seconds:.1f} s ({written / seconds:,.0f} batches/s)")
        chosen = random.Random(7).sample(cables, min(n_traces, len(cables)))
        cte, by_cte = per_trace(lambda b: set(trace(db, b).ids), chosen)
        loop, by_loop = per_trace(lambda b: trace_loop(db, b), chosen)
        load, parents = timed(lambda: load_edges(db))
        memory, by_memory = per_trace(lambda b: trace_memory(parents, b),  # type: ignore[arg-type]
                                      chosen)
        forward, _ = per_trace(lambda b: set(trace(db, b, "forward").ids),
                               [c.split("-")[0] + "-conc0" for c in chosen])
        assert by_cte == by_loop == by_memory, "the three traces disagree"
        size = statistics.mean(len(s) for s in by_cte)
        print(f"[{label}] trace-back of {len(chosen)} cables, {size:.1f} batches each on "
              "average (median per trace):")
        print(f"  WITH RECURSIVE      {cte * 1e3:8.3f} ms   {1 / cte:10,.0f} traces/s")
        print(f"  query loop          {loop * 1e3:8.3f} ms   {1 / loop:10,.0f} traces/s   "
              f"loop / CTE = {loop / cte:.1f}")
        print(f"  edges in memory     {memory * 1e3:8.3f} ms   after loading all edges in "
              f"{load:.2f} s; CTE wins below {load / max(cte - memory, 1e-9):,.0f} traces")
        print(f"  forward trace (CTE) {forward * 1e3:8.3f} ms   from concentrates to cables")


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str | None]:
    """A throwaway PostgreSQL database, or ``None`` when no server answers."""
    try:
        from urllib.parse import urlencode

        import psycopg
        from psycopg.conninfo import conninfo_to_dict
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as admin:
            name = f"vl_bench_{uuid.uuid4().hex[:10]}"
            admin.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # no driver, no server: the SQLite figures stand alone
        print(f"[postgresql] skipped ({type(exc).__name__}: {str(exc).strip()[:80]})")
        yield None
        return
    params = {k: str(v) for k, v in conninfo_to_dict(admin_url).items() if k != "dbname"}
    try:
        yield f"postgresql:///{name}" + (f"?{urlencode(params)}" if params else "")
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10^4 batches instead of 10^6")
    parser.add_argument("--traces", type=int, default=200)
    parser.add_argument("--postgres", default=os.environ.get("VALUELOOP_TEST_POSTGRES_URL",
                                                             "postgresql:///postgres"),
                        help="admin URL of a PostgreSQL server (a database is made and dropped)")
    args = parser.parse_args()
    target = 10_000 if args.quick else 1_000_000
    clusters = target // BATCHES_PER_CLUSTER
    seconds, (entering, steps, cables) = timed(lambda: genealogy(clusters))
    total = len(entering) + sum(len(s.outputs) for s in steps)
    print(f"synthetic genealogy: {clusters:,} clusters, {total:,} batches, {len(steps):,} "
          f"transformations, built in {seconds:.1f} s")
    with tempfile.TemporaryDirectory() as folder:
        run(str(Path(folder) / "bench.db"), "sqlite", entering, steps, cables, args.traces)
    with postgres_database(args.postgres) as url:
        if url is not None:
            run(url, "postgresql", entering, steps, cables, args.traces)


if __name__ == "__main__":
    main()
