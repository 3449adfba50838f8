"""``valueloop carbon``: footprints of the process routes, scope 2 both ways, carbon cost, the CBAM
what-if, the battery contribution and (``--energy``) the energy benchmark of report 4.3."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.common import CsvOption, JsonOption, XlsxOption, chart_paths
from valueloop.cli.output import console, emit
from valueloop.cli.progress import progress_bar
from valueloop.core.tables import write_text
from valueloop.reports.carbon_tables import (
    DEFAULT_CBAM_PRICE,
    DEFAULT_SCENARIO,
    carbon_charts,
    carbon_tables,
    run_carbon,
)


def carbon_command(
    scenario: Annotated[str, typer.Option(
        "--scenario", help="Scenario for model cobalt-process-routes: a file or valueloop:NAME."
    )] = DEFAULT_SCENARIO,
    override: Annotated[str | None, typer.Option("--override", "-o",
                                                 help="A named override of the scenario.")] = None,
    samples: Annotated[int, typer.Option(
        "--samples", "-n", help="Monte Carlo samples for P10/P50/P90 (0: baseline only).")] = 0,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    province: Annotated[str | None, typer.Option(
        "--province", help="Put every route's plant in this MEE province or grid (English, "
                           "Chinese or code, e.g. Sichuan, 四川, CN-SC): its 2022 grid factor.")
    ] = None,
    green_share: Annotated[float | None, typer.Option(
        "--green-share", help="Certified green share of every route's electricity, 0 to 1.")
    ] = None,
    carbon_price: Annotated[float | None, typer.Option(
        "--carbon-price", help="Carbon price in CNY/tCO2e (fixed; replaces the scenario's).")
    ] = None,
    cbam_price: Annotated[float, typer.Option(
        "--cbam-price", help="CBAM certificate price in EUR/tCO2e, flat 2026-2034.")
    ] = DEFAULT_CBAM_PRICE,
    cbam_schedule: Annotated[str, typer.Option(
        "--cbam-schedule", help="Free-allocation phase-out of the CBAM table: adopted "
                                "(Directive 2023/959) or proposal (COM(2026) 616).")
    ] = "adopted",
    energy: Annotated[bool, typer.Option(
        "--energy", help="Add the energy benchmark of report 4.3 (gap, measures, MAC curve, "
                         "target path), with --province and --green-share applied.")] = False,
    chart: Annotated[Path | None, typer.Option(
        "--chart", help="Write the charts as FILE-footprint.svg and FILE-cbam.svg (with --energy "
                        "also FILE-energy-mac.svg and FILE-energy-path.svg) next to FILE.svg.")
    ] = None,
    as_json: JsonOption = False,
    csv: CsvOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """Carbon footprint of cobalt hydroxide by process route, its cost, and the CBAM what-if.

    Cobalt and copper are not CBAM goods: the CBAM table is a what-if and says so.
    """
    charts = None if chart is None else chart_paths(
        chart, ["footprint", "cbam", *(("energy-mac", "energy-path") if energy else ())])
    with progress_bar(f"carbon: {samples:,} samples",
                      enabled=samples > 0 and not as_json) as progress:
        run = run_carbon(scenario, override, samples=samples, seed=seed, province=province,
                         green_share=green_share, carbon_price=carbon_price,
                         cbam_price=cbam_price, cbam_schedule=cbam_schedule,
                         progress=progress)
    tables = list(carbon_tables(run))
    energy_svgs: dict[str, str] = {}
    if energy:
        from valueloop.reports.energy_tables import energy_charts, energy_tables

        benchmark = energy_tables(
            green_share=0.0 if green_share is None else green_share,
            grid_factor=None if run.province is None else run.province.value)
        tables.extend(benchmark)
        if charts is not None:
            energy_svgs = {f"energy-{name}": svg
                           for name, svg in energy_charts(benchmark).items()}
    emit(tables, as_json=as_json, csv_path=csv, xlsx_path=xlsx)
    if charts is not None:
        svgs = {**carbon_charts(run), **energy_svgs}
        for name, path in charts.items():
            write_text(path, svgs[name])
        if not as_json:
            console.print("wrote " + ", ".join(str(p) for p in charts.values()))
