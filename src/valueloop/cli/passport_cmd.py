"""``valueloop passport``: create, show (by audience), update, repurpose, remanufacture, recycle,
export, QR codes and listing of product passports. Thin over :mod:`valueloop.passport`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from valueloop.cli.common import DbOption, JsonOption
from valueloop.cli.output import emit
from valueloop.core.tables import Table, write_json
from valueloop.passport.export.formats import FORMATS, export_record
from valueloop.passport.files import load_passport_file
from valueloop.passport.identifiers import DEFAULT_RESOLVER, parse_identifier
from valueloop.passport.qr import write_qr
from valueloop.passport.store import (
    Change,
    PassportRecord,
    create_passport,
    get_passport,
    list_passports,
    open_store,
    recycle_passport,
    succeed_passport,
    update_passport,
)
from valueloop.passport.tiers import parse_audience, view

app = typer.Typer(help="Digital product passports for batteries and copper products.",
                  no_args_is_help=True)

ActorOption = Annotated[str, typer.Option("--actor", help="Who makes the change (event actor).")]
IdArgument = Annotated[str, typer.Argument(help="Passport identifier IAC:CIN:SERIAL.")]
FileArgument = Annotated[Path, typer.Argument(help="Passport file, .json or .toml.")]
ResolverOption = Annotated[str, typer.Option("--resolver", help="Resolver base URL.")]


def _summary(record: PassportRecord) -> dict[str, Any]:
    return {"identifier": record.identifier, "version": record.version, "kind": record.kind,
            "status": record.status, "predecessor": record.predecessor, "actor": record.actor,
            "recorded": record.recorded}


def _emit_change(change: Change, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"record": _summary(change.record), "events": list(change.events)},
                         ensure_ascii=False, indent=2))
    else:
        emit([Table.from_records("passport", [_summary(change.record)])])


@app.command("create")
def create_command(file: FileArgument, db: DbOption = None, actor: ActorOption = "cli",
                   as_json: JsonOption = False) -> None:
    """Store a new passport (kind battery or copper, from the file)."""
    passport = load_passport_file(file)
    with open_store(db) as store:
        _emit_change(create_passport(store, passport, actor=actor), as_json)


@app.command("update")
def update_command(identifier: IdArgument, file: FileArgument, db: DbOption = None,
                   actor: ActorOption = "cli", as_json: JsonOption = False) -> None:
    """Store the file as the next version of an active passport."""
    passport = load_passport_file(file)
    with open_store(db) as store:
        _emit_change(update_passport(store, identifier, passport, actor=actor), as_json)


def _succeed(identifier: str, file: Path, db: str | None, actor: str, as_json: bool,
             operation: Literal["repurposed", "remanufactured"]) -> None:
    successor = load_passport_file(file)
    with open_store(db) as store:
        change = succeed_passport(store, identifier, successor, operation=operation, actor=actor)
        _emit_change(change, as_json)


@app.command("repurpose")
def repurpose_command(identifier: IdArgument, file: FileArgument, db: DbOption = None,
                      actor: ActorOption = "cli", as_json: JsonOption = False) -> None:
    """Close a passport as repurposed and create its successor (the file) linked to it."""
    _succeed(identifier, file, db, actor, as_json, "repurposed")


@app.command("remanufacture")
def remanufacture_command(identifier: IdArgument, file: FileArgument, db: DbOption = None,
                          actor: ActorOption = "cli", as_json: JsonOption = False) -> None:
    """Close a passport as remanufactured and create its successor (the file) linked to it."""
    _succeed(identifier, file, db, actor, as_json, "remanufactured")


@app.command("recycle")
def recycle_command(identifier: IdArgument, db: DbOption = None, actor: ActorOption = "cli",
                    as_json: JsonOption = False) -> None:
    """Close a passport after recycling; it stays archived and readable."""
    with open_store(db) as store:
        _emit_change(recycle_passport(store, identifier, actor=actor), as_json)


def _flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flatten(inner, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list) and value and isinstance(value[0], dict | list):
        for index, inner in enumerate(value):
            yield from _flatten(inner, f"{prefix}[{index}]")
    else:
        yield prefix, json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value


@app.command("show")
def show_command(
    identifier: IdArgument,
    audience: Annotated[str, typer.Option(
        "--as", help="Audience: public, legitimate_interest or authority.")] = "public",
    version: Annotated[int | None, typer.Option("--version", help="A past version.")] = None,
    db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Show a passport as an audience sees it: fields above its tier are absent."""
    reader = parse_audience(audience)
    with open_store(db) as store:
        record = get_passport(store, identifier, version)
    shown = view(record.passport, reader)
    if as_json:
        print(json.dumps({**_summary(record), "audience": reader.value, "passport": shown},
                         ensure_ascii=False, indent=2))
        return
    rows = [{"field": path, "value": value} for path, value in _flatten(shown)]
    emit([Table.from_records(f"{record.identifier} v{record.version} ({record.status}) "
                             f"as {reader.value}", rows, columns=("field", "value"))])


@app.command("export")
def export_command(
    identifier: IdArgument,
    fmt: Annotated[str, typer.Option("--format", help=f"One of {', '.join(FORMATS)}.")],
    out: Annotated[Path, typer.Option("--out", help="JSON file to write.")],
    version: Annotated[int | None, typer.Option("--version", help="A past version.")] = None,
    resolver: ResolverOption = DEFAULT_RESOLVER, db: DbOption = None,
) -> None:
    """Export a passport to an external schema; the result is validated before it is written."""
    with open_store(db) as store:
        record = get_passport(store, identifier, version)
    write_json(export_record(record, fmt, resolver=resolver), out)


@app.command("qr")
def qr_command(
    identifier: IdArgument,
    out: Annotated[Path, typer.Option("--out", help="FILE.svg or FILE.png.")],
    resolver: ResolverOption = DEFAULT_RESOLVER, db: DbOption = None,
) -> None:
    """Write the QR code of the passport's resolver URL."""
    with open_store(db) as store:
        record = get_passport(store, identifier)
    write_qr(parse_identifier(record.identifier), out, resolver=resolver)


@app.command("list")
def list_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Every passport, latest version."""
    with open_store(db) as store:
        records = list_passports(store)
    emit([Table.from_records("passports", [_summary(r) for r in records],
                             columns=("identifier", "version", "kind", "status", "predecessor",
                                      "actor", "recorded"))], as_json=as_json)
