"""Event-log throughput: signed appends, verifying an export, proofs at scale.

Each figure is printed with a baseline measured in the same run:

* appends: one signed append per transaction (Ed25519 signature, RFC 8785 JSON, the subtrees it
  completes, fsync at commit) against a plain INSERT of the same bytes per transaction; and bulk
  ``append_many`` against a bulk plain INSERT. SQLite always, PostgreSQL where a server answers
  (``$VALUELOOP_TEST_POSTGRES_URL`` or ``postgresql:///postgres``; a scratch database is made and
  dropped);
* verifying an export of N entries (every signature, canonical form and the roots at every
  checkpoint) on a process pool, one worker per core, against the same check in one process on
  the first N/10 entries, scaled, and against hashing only (leaf hashes and root, no signatures);
* inclusion and consistency proofs from the stored subtree hashes (O(log n) reads) against the
  obvious alternative: read every leaf hash and recompute the tree for each proof.

    python benchmarks/bench_log.py [--quick] [--entries N]

``--quick`` uses N = 10^4; the default is N = 10^6 (building it takes a few minutes).
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from valueloop.core.db import Database
from valueloop.log import EventLog, Signer, export_log, verify_export
from valueloop.log.canonical import canonical_json
from valueloop.log.export import ENTRIES_FILE
from valueloop.log.merkle import MemoryTree, inclusion_path, leaf_hash, root_of_leaves
from valueloop.log.verify import check_chunk

ACTOR = Signer.from_private_bytes("bench.example/smelter", bytes(range(32)))
LOG_KEY = Signer.from_private_bytes("bench.example/log", bytes(range(1, 33)))
BATCH = 10_000
PLAIN = ["CREATE TABLE IF NOT EXISTS plain_events (id {ID}, data {BLOB} NOT NULL)"]


def event(i: int) -> dict[str, Any]:
    return {"type": "custody.transform", "actor": ACTOR.name,
            "time": f"2026-11-22T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z",
            "subject": f"batch-{i:07d}",
            "payload": {"input_t": 25.0 + i % 97, "output_t": 24.1 + i % 89, "cu": 0.9995,
                        "site": "CN-JX-01", "route": "electrorefining"}}


def timed(function: Callable[[], object]) -> float:
    began = time.perf_counter()
    function()
    return time.perf_counter() - began


def databases(folder: Path) -> Iterator[tuple[str, str]]:
    """(label, URL) of a fresh SQLite file and, where a server answers, a scratch PostgreSQL."""
    urls = [("SQLite", str(folder / "bench.db"))]
    admin = os.environ.get("VALUELOOP_TEST_POSTGRES_URL", "postgresql:///postgres")
    name = f"vl_bench_{uuid.uuid4().hex[:10]}"
    created = False
    try:
        import psycopg

        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        created = True
        # a postgresql:// URL (a bare "dbname=..." conninfo would be read as a SQLite path)
        parts = urlsplit(admin)
        query = f"?{parts.query}" if parts.query else ""
        urls.append(("PostgreSQL", f"{parts.scheme}://{parts.netloc}/{name}{query}"))
    except Exception as exc:  # any failure only means: no PostgreSQL figures
        print(f"(no PostgreSQL: {exc.__class__.__name__}; SQLite only)")
    try:
        yield from urls
    finally:
        if created:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_appends(db: Database, singles: int, bulk: int) -> EventLog:
    log = EventLog.open(db, "bench.example/log")
    db.migrate("bench_plain", 1, PLAIN)
    rows = [canonical_json(event(i)) for i in range(singles)]

    def plain_single() -> None:
        for data in rows:
            with db.transaction() as tx:
                tx.execute("INSERT INTO plain_events (data) VALUES (?)", (data,))

    base = singles / timed(plain_single)
    rate = singles / timed(lambda: [log.append(event(i), ACTOR) for i in range(singles)])
    print(f"  one transaction per append ({singles:,}): {rate:10,.0f} signed appends/s; "
          f"plain INSERT {base:10,.0f}/s; ratio {rate / base:.2f}")
    bulk_rows = [(canonical_json(event(i)),) for i in range(min(bulk, 5 * BATCH))]

    def plain_bulk() -> None:
        with db.transaction() as tx:
            tx.executemany("INSERT INTO plain_events (data) VALUES (?)", bulk_rows)

    base = len(bulk_rows) / timed(plain_bulk)
    began = time.perf_counter()
    for start in range(singles, singles + bulk, BATCH):
        log.append_many([event(i) for i in range(start, min(singles + bulk, start + BATCH))],
                        ACTOR)
    rate = bulk / (time.perf_counter() - began)
    print(f"  append_many, batches of {BATCH:,} ({bulk:,}): {rate:10,.0f} signed appends/s; "
          f"bulk plain INSERT {base:10,.0f}/s; ratio {rate / base:.2f}")
    return log


def bench_proofs(log: EventLog, repeats: int = 20) -> None:
    size = log.size
    rng = random.Random(1)
    indices = [rng.randrange(size) for _ in range(repeats)]
    olds = [rng.randrange(1, size) for _ in range(repeats)]
    inclusion = timed(lambda: [log.inclusion_proof(i).verify() for i in indices]) / repeats
    consistency = timed(lambda: [log.consistency_proof(m, size).verify()
                                 for m in olds]) / repeats

    def recompute() -> None:
        leaves = [bytes(h) for (h,) in log.db.query(
            "SELECT leaf_hash FROM log_entries WHERE log_id = ? ORDER BY idx", (log.id,))]
        tree = MemoryTree(leaves)
        inclusion_path(tree.subtree, indices[0], size)

    base = timed(recompute)
    print(f"  proofs at {size:,} entries: inclusion {inclusion * 1e3:8.2f} ms, consistency "
          f"{consistency * 1e3:8.2f} ms; recomputing the tree {base * 1e3:9.1f} ms; "
          f"speed-up {base / inclusion:,.0f}x / {base / consistency:,.0f}x")


def bench_verify(log: EventLog, folder: Path) -> None:
    export = folder / "export"
    log.checkpoint(LOG_KEY)
    export_log(log, export)
    keys = [ACTOR.verifier(), LOG_KEY.verifier()]
    workers = os.cpu_count() or 1
    began = time.perf_counter()
    report = verify_export(export, keys, workers=workers)
    pooled = time.perf_counter() - began
    assert report.ok, report.problems
    lines = (export / ENTRIES_FILE).read_bytes().splitlines(keepends=True)
    sample = lines[: max(1, len(lines) // 10)]
    single = timed(lambda: check_chunk(log.origin, 0, sample, [k.text for k in keys]))
    single_total = single * len(lines) / len(sample)
    hashing = timed(lambda: root_of_leaves(leaf_hash(line[:-1]) for line in lines))
    print(f"  verify export of {report.entries:,} entries ({workers} workers): {pooled:7.1f} s "
          f"({report.entries / pooled:,.0f} entries/s); one process (scaled from "
          f"{len(sample):,}) {single_total:7.1f} s, speed-up {single_total / pooled:.2f}; "
          f"hashes and root only {hashing:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 10^4 instead of 10^6")
    parser.add_argument("--entries", type=int, default=None, help="N (overrides --quick)")
    args = parser.parse_args()
    entries = args.entries or (10**4 if args.quick else 10**6)
    singles = 100 if args.quick else 500
    print(f"event log benchmark: N = {entries:,} entries, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for label, url in databases(folder):
            print(f"{label}:")
            with Database.open(url) as db:
                log = bench_appends(db, singles, entries - singles)
                bench_proofs(log)
                if label == "SQLite":
                    bench_verify(log, folder)


if __name__ == "__main__":
    main()
