"""``valueloop contract``: settle a circular performance contract from its events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.common import CsvOption, JsonOption, XlsxOption
from valueloop.cli.output import emit
from valueloop.contracts.definition import load_contract
from valueloop.contracts.events import logged_events, read_events
from valueloop.contracts.settle import settle
from valueloop.core.db import Database
from valueloop.core.errors import OptionError
from valueloop.log.store import EventLog

app = typer.Typer(help="Circular performance contracts.", no_args_is_help=True)


@app.command("settle")
def settle_command(
    contract: Annotated[Path, typer.Argument(help="Contract TOML.")],
    events: Annotated[Path | None, typer.Argument(
        help="Events, one JSON envelope per line (or use --db).")] = None,
    period: Annotated[str | None, typer.Option("--period", help="Settle only this period.")
                      ] = None,
    db: Annotated[str | None, typer.Option(
        "--db", help="Read the contract's events from the event log in this database.")] = None,
    contract_id: Annotated[str | None, typer.Option(
        "--contract", help="With --db: the contract id whose logged events to read "
                           "(default: the TOML's id; must match it).")] = None,
    origin: Annotated[str | None, typer.Option(
        "--origin", help="Which log, when the database holds several.")] = None,
    as_json: JsonOption = False,
    csv: CsvOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """Amounts due and breaches per period (volume, quality, recycled content)."""
    definition = load_contract(contract)
    if (events is None) == (db is None):
        raise OptionError("give either an EVENTS file or --db", item="EVENTS / --db",
                          allowed="one source of events")
    if db is None:
        result = settle(definition, read_events(events or Path()), period)
    else:
        subject = contract_id or definition.id
        if subject != definition.id:
            raise OptionError(f"{subject!r} is not the contract in {contract.name}",
                              item="--contract", allowed=definition.id)
        with Database.open(db) as database:
            log = EventLog.find(database, origin)
            result = settle(definition, logged_events(log, subject), period)
    if as_json:
        print(json.dumps({"contract": result.contract, "currency": result.currency,
                          "unassigned_events": result.unassigned,
                          "periods": [p.to_record() for p in result.periods]}, indent=2))
        return
    emit(result.tables(), csv_path=csv, xlsx_path=xlsx)
