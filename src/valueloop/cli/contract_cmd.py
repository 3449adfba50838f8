"""``valueloop contract``: settle a circular performance contract from its events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.common import CsvOption, JsonOption, XlsxOption
from valueloop.cli.output import emit
from valueloop.contracts.definition import load_contract
from valueloop.contracts.envelope import read_events
from valueloop.contracts.settle import settle

app = typer.Typer(help="Circular performance contracts.", no_args_is_help=True)


@app.command("settle")
def settle_command(
    contract: Annotated[Path, typer.Argument(help="Contract TOML.")],
    events: Annotated[Path, typer.Argument(help="Events, one JSON envelope per line.")],
    period: Annotated[str | None, typer.Option("--period", help="Settle only this period.")
                      ] = None,
    as_json: JsonOption = False,
    csv: CsvOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """Amounts due and breaches per period (volume, quality, recycled content)."""
    result = settle(load_contract(contract), read_events(events), period)
    if as_json:
        print(json.dumps({"contract": result.contract, "currency": result.currency,
                          "unassigned_events": result.unassigned,
                          "periods": [p.to_record() for p in result.periods]}, indent=2))
        return
    emit(result.tables(), csv_path=csv, xlsx_path=xlsx)
