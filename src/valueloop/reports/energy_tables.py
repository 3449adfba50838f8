"""Energy benchmarking tables and charts for ``valueloop carbon --energy`` (report 4.3).

Adapters over :func:`valueloop.models.energy_benchmark.energy_benchmark_tables`: the model builds
the tables; this module gives them units and notes that say which emission factors were used,
and draws the abatement cost curve and the target path from them. Nothing here recomputes the
benchmark.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from valueloop.core.errors import OutOfBoundsError
from valueloop.core.tables import Table
from valueloop.core.units import conversion_factor
from valueloop.models import energy_benchmark as eb
from valueloop.reports.economics_charts import cost_curve, lines

DEFAULT_ENERGY_YEARS: tuple[int, ...] = tuple(range(2024, 2031))
"""The report's "next five years" from 2024, as the benchmark's own default."""

_UNITS: Mapping[str, str] = MappingProxyType({
    "gap_pct": "%", "report_target": "kWh/t",
    "electricity_saved_kwh_per_t": "kWh/t", "steam_saved_t_per_t": "t/t",
    "bill_saved_cny_per_t": "CNY/t", "carbon_avoided_t_per_t": "tCO2e/t",
    "annualised_cost_cny_per_t": "CNY/t", "mac_cny_per_tco2e": "CNY/tCO2e",
    "payback_years": "yr", "gap_closed_pct": "%", "cumulative_t_per_t": "tCO2e/t",
    "net_cost_cny_per_t": "CNY/t", "electricity_kwh_per_t": "kWh/t", "steam_t_per_t": "t/t",
    "energy_tce_per_t": "tce/t", "energy_bill_cny_per_t": "CNY/t",
    "measure_cost_cny_per_t": "CNY/t", "carbon_t_per_t": "tCO2e/t",
})
"""Unit of the numeric columns of the benchmark's tables, per t of hydroxide (the benchmark
table's plant, best-practice and gap columns are in the unit its ``unit`` column names)."""

_PATH_SERIES: tuple[tuple[str, str], ...] = (
    ("electricity_kwh_per_t", "electricity"), ("steam_t_per_t", "steam"),
    ("energy_tce_per_t", "total energy"), ("energy_bill_cny_per_t", "energy bill"),
    ("carbon_t_per_t", "carbon (energy part)"))
"""Columns of the target path drawn as lines, and their legend names."""


class EnergyTables(NamedTuple):
    """The benchmark's five tables, in the order the command prints them."""

    benchmark: Table
    measures: Table
    mac: Table
    path: Table
    sources: Table


def energy_tables(years: Sequence[int] = DEFAULT_ENERGY_YEARS, *, green_share: float = 0.0,
                  grid_factor: float | None = None, utilisation: float = 1.0) -> EnergyTables:
    """The benchmark of China's average plant against best practice, as titled tables with units.

    Parameters
    ----------
    years
        Years of the target path; measures come in at
        :data:`~valueloop.models.energy_benchmark.DEFAULT_ADOPTION_YEARS`.
    green_share
        Certified green share of the plant's electricity, in [0, 1].
    grid_factor
        kgCO2e/kWh replacing the MEE national average (a province's factor, for instance).
    utilisation
        Output over capacity, in (0, 1]: spreads the measures' capex.

    Returns
    -------
    EnergyTables
        Benchmark, measures each on its own, MAC curve, target path, sources.
    """
    data = eb.load_energy_data()
    factor = (data.grid_factor if grid_factor is None
              else grid_factor * conversion_factor("kgCO2e/kWh", eb.FACTOR_UNITS[0]))
    if not np.isfinite(factor) or factor < 0.0:
        raise OutOfBoundsError(f"is {grid_factor}", item="grid_factor",
                               allowed="a non-negative number of kgCO2e/kWh")
    raw = eb.energy_benchmark_tables(tuple(years), green_share=green_share,
                                     utilisation=utilisation, grid_factor=factor)
    where = ("the MEE 2022 national average" if grid_factor is None
             else "the chosen grid factor")
    per_kg = conversion_factor(eb.FACTOR_UNITS[0], "kgCO2e/kWh")
    factors = (f"Energy part of the footprint only: electricity at {factor * per_kg:.4g} "
               f"kgCO2e/kWh ({where}) x (1 - green share {green_share:g}), steam at "
               f"{data.steam_factor * conversion_factor(eb.FACTOR_UNITS[1], 'kgCO2e/t'):.4g} "
               "kgCO2e/t (carbon factor registry, item 'steam').")
    notes = {
        "benchmark": ("Best practice: Sumitomo Ehime's electricity with POSCO Gwangyang's steam "
                      "(4.3 gives no one plant's both); China's steam use is POSCO's grossed up "
                      "by its 18 % (computed).",),
        "measures": (factors, f"Measures' capex spread over utilisation {utilisation:g}."),
        "mac": (factors, "Greedy merit order: each measure counted on the energy the measures "
                         "before it leave."),
        "path": (factors, "Measures in place from: " + ", ".join(
            f"{m} {y}" for m, y in eb.DEFAULT_ADOPTION_YEARS.items()) + " (assumption)."),
        "sources": (),
    }
    tables = [replace(table, units={c: _UNITS[c] for c in table.columns if c in _UNITS},
                      notes=(*table.notes, *notes[name]))
              for name, table in zip(EnergyTables._fields, raw, strict=True)]
    return EnergyTables(*tables)


def energy_charts(tables: EnergyTables | None = None) -> dict[str, str]:
    """SVG charts of the benchmark: ``mac`` (abatement cost curve) and ``path`` (target path).

    The path chart shows each series as a percentage of its first year, so energy, cost and
    carbon share one axis.
    """
    chosen = energy_tables() if tables is None else tables
    mac = chosen.mac.records()
    curve = cost_curve([str(r["measure"]).replace("_", " ") for r in mac],
                       [float(r["carbon_avoided_t_per_t"]) for r in mac],  # type: ignore[arg-type]
                       [float(r["mac_cny_per_tco2e"]) for r in mac],  # type: ignore[arg-type]
                       "tCO2e avoided per t of hydroxide", "CNY/tCO2e",
                       "Marginal abatement cost of energy-saving measures (report 4.3)")
    path = chosen.path
    years = np.asarray(path.column("year"), dtype=float)
    series = {}
    for column, name in _PATH_SERIES:
        values = np.asarray(path.column(column), dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            series[name] = 100.0 * values / values[0]
    drawn = lines(years, series, "year", f"% of {int(years[0])}",
                  "Energy target path per t of hydroxide (report 4.3)")
    return {"mac": curve, "path": drawn}
