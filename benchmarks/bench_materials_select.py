"""Selection time over 10^5 candidate records with 10 constraints and 3 objectives (target 50 ms).

Synthetic, seeded candidates: 13 property columns (10 constrained, 3 objectives), each cell a
representative value with conservative bounds, 5 % missing, 30 % predicted (intervals of
±10 %, a tenth of them outside the model's domain), a fifth of the measured cells ranges. The
thresholds let about 70 % of the records pass each constraint, so a few percent are feasible.

Measured in the same run, on the same records:

* the vectorised core, :func:`valueloop.materials.selection.select` (states of every record on
  every constraint, statuses, margins, Pareto layers of the feasible records, scores, ranking);
* baseline 1: a pure-Python loop per record with the same state rules, then the Pareto front
  (layer 1 only, by the usual keep-a-front list) and a sort by score: less work than the core;
* baseline 2: the "meets" filter as one SQL query on an indexed SQLite table (in memory), which
  finds the candidates only, without statuses, margins, layers or ranking.

All three must find the same candidates that meet every constraint. Then the end-to-end
``materials select`` work on the real database (the shipped grades and Gorsse et al. 2023
records in SQLite): property models (disk cache, or trained on a miss), candidates, selection
and tables, for each requirement in ``examples/requirements``.

    python benchmarks/bench_materials_select.py [--runs 7] [--n 100000] [--quick]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np

from timing import median_seconds
from valueloop.core.db import Database
from valueloop.materials import importers
from valueloop.materials.requirement import load_requirement
from valueloop.materials.selection import MET, NO_DATA, Criteria, Selection, select
from valueloop.materials.selection_tables import run_selection, selection_tables
from valueloop.materials.store import MaterialStore

TARGET_MS = 50.0
CONSTRAINTS, OBJECTIVES = 10, 3
REQUIREMENTS = Path(__file__).resolve().parents[1] / "examples" / "requirements"



def synthetic(n: int, seed: int = 1) -> tuple[tuple[np.ndarray, ...], Criteria]:
    """Seeded candidate arrays (column-major, as the candidate matrix holds them) and criteria."""
    rng = np.random.default_rng(seed)
    p = CONSTRAINTS + OBJECTIVES
    value = rng.lognormal(mean=np.log(100.0), sigma=0.4, size=(n, p))
    predicted = rng.random((n, p)) < 0.30
    in_domain = ~predicted | (rng.random((n, p)) < 0.9)
    ranged = ~predicted & (rng.random((n, p)) < 0.2)
    spread = np.where(predicted, 0.10, np.where(ranged, 0.05, 0.0)) * value
    lower, upper = value - spread, value + spread
    missing = rng.random((n, p)) < 0.05
    for array in (value, lower, upper):
        array[missing] = np.nan
    at_least = np.arange(CONSTRAINTS) % 2 == 0
    # ~70 % pass: the 30th percentile for >=, the 70th for <=
    quantiles = np.where(at_least, 0.30, 0.70)
    thresholds = [float(np.nanquantile(value[:, j], q)) for j, q in enumerate(quantiles)]
    criteria = Criteria.of(
        [(j, bool(at_least[j]), thresholds[j]) for j in range(CONSTRAINTS)],
        [(CONSTRAINTS + k, k != 1, 1.0) for k in range(OBJECTIVES)])
    arrays = tuple(np.asfortranarray(a) for a in (value, lower, upper, predicted, in_domain))
    return arrays, criteria


def python_loop(arrays: tuple[np.ndarray, ...], criteria: Criteria) -> set[int]:
    """Baseline 1: per-record loop; returns the records that meet every constraint."""
    value, lower, upper, predicted, in_domain = (a.tolist() for a in arrays)
    constraints = list(zip(criteria.constraint_column.tolist(), criteria.at_least.tolist(),
                           criteria.threshold.tolist(), strict=True))
    objectives = list(zip(criteria.objective_column.tolist(), criteria.maximise.tolist(),
                          strict=True))
    meets, feasible = set(), []
    for i in range(len(value)):
        worst = MET
        for column, at_least, t in constraints:
            v, lo, hi = value[i][column], lower[i][column], upper[i][column]
            if v != v:  # NaN: missing
                state = 2
                worst = max(worst, state)
                continue
            end, other = (lo, hi) if at_least else (hi, lo)
            ok = end >= t if at_least else end <= t
            point_ok = v >= t if at_least else v <= t
            if predicted[i][column]:
                state = 0 if ok and in_domain[i][column] else 1 if point_ok else 3
            elif ok:
                state = 0
            else:
                open_end = end in (float("inf"), float("-inf"))
                other_fails = other < t if at_least else other > t
                state = 2 if open_end and not other_fails else 3
            worst = max(worst, state)
        if worst == MET:
            meets.add(i)
        if worst <= 1:
            point = [value[i][c] if up else -value[i][c] for c, up in objectives]
            if all(x == x for x in point):
                feasible.append((i, point))
    front: list[tuple[int, list[float]]] = []
    for i, point in feasible:  # maximise every (signed) objective
        if any(all(f >= x for f, x in zip(q, point, strict=True)) and q != point
               for _, q in front):
            continue
        front = [(j, q) for j, q in front
                 if not (all(x >= f for x, f in zip(point, q, strict=True)) and q != point)]
        front.append((i, point))
    front.sort(key=lambda item: -sum(item[1]))
    return meets


def sql_table(arrays: tuple[np.ndarray, ...], criteria: Criteria) -> sqlite3.Connection:
    """Baseline 2's table: one row per record, each constrained column's ends and flags."""
    value, lower, upper, predicted, in_domain = arrays
    names = []
    for j in criteria.constraint_column.tolist():
        names += [f"v{j}", f"lo{j}", f"hi{j}", f"p{j}", f"d{j}"]
    connection = sqlite3.connect(":memory:")
    connection.execute(f"CREATE TABLE c (id INTEGER PRIMARY KEY, {', '.join(names)})")
    columns = []
    for j in criteria.constraint_column.tolist():
        columns += [value[:, j], lower[:, j], upper[:, j], predicted[:, j].astype(int),
                    in_domain[:, j].astype(int)]
    rows = np.column_stack(columns).astype(object)
    rows[np.isnan(np.column_stack(columns).astype(float))] = None
    marks = ", ".join("?" * (len(names) + 1))
    connection.executemany(f"INSERT INTO c VALUES ({marks})",
                           ([i, *row] for i, row in enumerate(rows.tolist())))
    for j, at_least in zip(criteria.constraint_column.tolist(), criteria.at_least.tolist(),
                           strict=True):
        connection.execute(f"CREATE INDEX c_{j} ON c ({'lo' if at_least else 'hi'}{j})")
    connection.execute("ANALYZE")
    return connection


def sql_query(connection: sqlite3.Connection, criteria: Criteria) -> set[int]:
    """Baseline 2: records whose conservative end meets every constraint (predictions only in
    their model's domain): the core's "meets"."""
    where, params = [], []
    for j, at_least, t in zip(criteria.constraint_column.tolist(), criteria.at_least.tolist(),
                              criteria.threshold.tolist(), strict=True):
        end = f"lo{j} >= ?" if at_least else f"hi{j} <= ?"
        where.append(f"(v{j} IS NOT NULL AND {end} AND (p{j} = 0 OR d{j} = 1))")
        params.append(t)
    rows = connection.execute(f"SELECT id FROM c WHERE {' AND '.join(where)}", params)
    return {r[0] for r in rows.fetchall()}


def core(arrays: tuple[np.ndarray, ...], criteria: Criteria) -> Selection:
    return select(*arrays, criteria=criteria)


def end_to_end(runs: int) -> None:
    """Time models, candidates + selection + tables on the real data, per example requirement."""
    from valueloop.materials.model_cache import cached_models

    start = time.perf_counter()
    cached = cached_models()
    how = "loaded from the disk cache" if cached.loaded else "trained (cache miss)"
    print(f"\nproperty models: {time.perf_counter() - start:.2f} s ({how})")
    paths = sorted(REQUIREMENTS.glob("*.toml"))
    with tempfile.TemporaryDirectory() as folder, Database.open(Path(folder) / "m.db") as db:
        start = time.perf_counter()
        store = MaterialStore(db)
        store.add(importers.read_grades())
        store.add(importers.read_gorsse(importers.gorsse_path(None)))
        print(f"import grades + Gorsse 2023 into SQLite: {time.perf_counter() - start:.2f} s")
        print("\n| requirement | candidates | meets | feasible | no data | select + tables (ms) |")
        print("|---|---:|---:|---:|---:|---:|")
        for path in paths:
            requirement = load_requirement(path)
            result = run_selection(db, requirement, cached.models)
            seconds = median_seconds(lambda r=requirement: selection_tables(
                run_selection(db, r, cached.models)), runs)
            status = result.selection.status
            print(f"| {path.stem} | {len(status)} | {int((status == MET).sum())} | "
                  f"{int(result.selection.feasible.sum())} | {int((status == NO_DATA).sum())} | "
                  f"{seconds * 1e3:.0f} |")


def main() -> None:
    """Print the timings as Markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="3 runs, no end-to-end part")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    arrays, criteria = synthetic(args.n)
    result = core(arrays, criteria)
    meets = set(np.flatnonzero(result.status == MET).tolist())
    core_s = median_seconds(lambda: core(arrays, criteria), runs)
    loop_runs = 1 if args.quick else min(runs, 3)
    loop_s = median_seconds(lambda: python_loop(arrays, criteria), loop_runs)
    connection = sql_table(arrays, criteria)
    sql_s = median_seconds(lambda: sql_query(connection, criteria), runs)
    assert python_loop(arrays, criteria) == meets, "the Python loop disagrees with the core"
    assert sql_query(connection, criteria) == meets, "the SQL query disagrees with the core"
    print(f"{args.n} records x {CONSTRAINTS} constraints, {OBJECTIVES} objectives: "
          f"{len(meets)} meet, {int(result.feasible.sum())} feasible, "
          f"{int(result.pareto.sum())} on the Pareto front, {int(result.layer.max())} layers")
    print("\n| method | median (ms) | vs core |")
    print("|---|---:|---:|")
    print(f"| vectorised core (states, statuses, Pareto layers, ranking) | {core_s * 1e3:.1f} | "
          f"1 |")
    print(f"| pure-Python loop (states, statuses, front, sort) | {loop_s * 1e3:.0f} | "
          f"{loop_s / core_s:.0f}x |")
    print(f"| SQL filter on indexed SQLite (meets only) | {sql_s * 1e3:.1f} | "
          f"{sql_s / core_s:.1f}x |")
    verdict = "meets" if core_s * 1e3 < TARGET_MS else "MISSES"
    print(f"\ntarget: under {TARGET_MS:g} ms -> {core_s * 1e3:.1f} ms, {verdict} the target")
    if not args.quick:
        end_to_end(runs)


if __name__ == "__main__":
    main()
