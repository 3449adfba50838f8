"""Facility-location MILP solve time: 30 sites x 100 demand clusters, HiGHS via scipy.

The instance is seeded and synthetic: the shipped provinces copied with jittered distances and
costs (``location_data.jittered_instance``). Two baselines are measured in the same run:

* the LP relaxation of the same instance (``y`` in [0, 1]): what the integrality costs;
* the same MILP handed to HiGHS with a dense constraint matrix (built with ``np.kron`` on dense
  identities, as a straightforward implementation would): what the sparse build saves.

Each figure is the median of several runs, and each run solves a different seed so that one
easy instance does not decide the result.

    python benchmarks/bench_location.py [--sites 30] [--clusters 100] [--runs 5] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
from scipy.optimize import LinearConstraint, milp

from valueloop.models.location import milp_problem, solve_location
from valueloop.models.location_data import LocationInstance, build_instance, jittered_instance


def dense_constraints(instance: LocationInstance) -> LinearConstraint:
    """Demand and capacity rows of the MILP as one dense matrix (the baseline build)."""
    flow_scale = float(instance.demand.max())  # the scaling milp_problem applies
    n_sites, n_clusters = instance.n_sites, instance.n_clusters
    effective = instance.capacity * instance.oee / flow_scale
    demand_rows = np.hstack([np.zeros((n_clusters, n_sites)),
                             np.kron(np.ones((1, n_sites)), np.eye(n_clusters))])
    capacity_rows = np.hstack([-np.diag(effective),
                               np.kron(np.eye(n_sites), np.ones((1, n_clusters)))])
    rows = np.vstack([demand_rows, capacity_rows])
    demand = instance.demand / flow_scale
    return LinearConstraint(rows, np.concatenate([demand, np.full(n_sites, -np.inf)]),
                            np.concatenate([demand, np.zeros(n_sites)]))


def dense_solve(instance: LocationInstance) -> float:
    """The same MILP with its constraint matrix built and passed dense; returns the objective."""
    problem = milp_problem(instance)
    solution = milp(problem.cost, integrality=problem.integrality, bounds=problem.bounds,
                    constraints=dense_constraints(instance), options={"mip_rel_gap": 1e-9})
    return float(solution.fun) * problem.cost_scale


def timed(function: Callable[[], object]) -> tuple[float, object]:
    began = time.perf_counter()
    value = function()
    return time.perf_counter() - began, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=30)
    parser.add_argument("--clusters", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="12 x 30, 2 runs")
    args = parser.parse_args()
    sites, clusters, runs = ((12, 30, 2) if args.quick
                             else (args.sites, args.clusters, args.runs))
    base = build_instance()
    instances = [jittered_instance(base, sites, clusters, seed=seed) for seed in range(runs)]

    build, dense_build, sparse, relaxed, dense, gaps, opened = [], [], [], [], [], [], []
    for instance in instances:
        build.append(timed(lambda i=instance: milp_problem(i))[0])
        dense_build.append(timed(lambda i=instance: dense_constraints(i))[0])
        seconds, exact = timed(lambda i=instance: solve_location(i))
        sparse.append(seconds)
        seconds, lp = timed(lambda i=instance: solve_location(i, relax=True))
        relaxed.append(seconds)
        seconds, dense_objective = timed(lambda i=instance: dense_solve(i))
        dense.append(seconds)
        assert abs(dense_objective - exact.objective) <= 1e-6 * exact.objective  # type: ignore
        gaps.append(exact.objective / lp.objective - 1.0)  # type: ignore[attr-defined]
        opened.append(len(exact.open_sites))  # type: ignore[attr-defined]

    median = statistics.median
    print(f"facility location: {sites} sites x {clusters} clusters "
          f"({sites} binaries, {sites * clusters:,} flows), median of {runs} seeded instances")
    print(f"  build MILP arrays, sparse:       {median(build) * 1e3:9.1f} ms")
    print(f"  build MILP arrays, dense:        {median(dense_build) * 1e3:9.1f} ms  "
          f"(ratio {median(dense_build) / median(build):.1f} x)")
    print(f"  MILP solve (sparse, HiGHS):      {median(sparse) * 1e3:9.1f} ms  "
          f"(min {min(sparse) * 1e3:.1f}, max {max(sparse) * 1e3:.1f})")
    print(f"  LP relaxation (baseline):        {median(relaxed) * 1e3:9.1f} ms")
    print(f"  MILP with dense matrix (baseline): {median(dense) * 1e3:7.1f} ms")
    print(f"  ratio MILP / LP relaxation:      {median(sparse) / median(relaxed):9.1f} x")
    print(f"  ratio dense / sparse MILP:       {median(dense) / median(sparse):9.2f} x")
    print(f"  sites opened: {opened}; integrality gap of the LP bound: "
          f"{100 * median(gaps):.2f} % (median)")


if __name__ == "__main__":
    main()
