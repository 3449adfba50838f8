"""``valueloop log``: the tamper-evident event log from the command line.

Thin wrappers over :mod:`valueloop.log`: keys, appends, proofs, checkpoints, cosignatures,
exports and third-party verification. ``verify`` exits 1 when a log fails (naming the first bad
entry) and 2 on bad input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from valueloop.cli.common import DbOption, JsonOption, OriginOption, open_log
from valueloop.cli.output import console, emit
from valueloop.core.db import Database
from valueloop.core.errors import MalformedFileError, UserInputError
from valueloop.core.tables import Table, write_text
from valueloop.log import (
    EventLog,
    cosign,
    export_log,
    read_signer,
    read_verifier_keys,
    verify_export,
)
from valueloop.log.keys import Signer, write_private_key
from valueloop.log.witness import Witness, format_proof, parse_proof

app = typer.Typer(help="Tamper-evident event log: append, prove, checkpoint, verify.",
                  no_args_is_help=True)

KeyOption = Annotated[Path, typer.Option("--key", help="Private key file (valueloop log keygen).")]



def _hex_table(title: str, items: list[tuple[str, Any]]) -> Table:
    return Table(title, ("item", "value"), tuple((k, v) for k, v in items))


@app.command("keygen")
def keygen(
    name: Annotated[str, typer.Argument(help="Key name: the actor id, e.g. example.com/smelter")],
    out: Annotated[Path, typer.Option("--out", help="Private key file to create (mode 0600); "
                                                    "the public key goes to FILE.pub.")],
    as_json: JsonOption = False,
) -> None:
    """Create an Ed25519 key pair named NAME."""
    signer = Signer.generate(name)
    public = out.with_name(out.name + ".pub")
    write_private_key(out, signer)
    write_text(public, signer.verifier_key + "\n")
    emit([_hex_table("key", [("name", signer.name), ("key_id", f"{signer.key_id:08x}"),
                             ("verifier_key", signer.verifier_key),
                             ("cosigner_verifier_key", signer.cosigner_verifier_key),
                             ("private_key_file", str(out)), ("public_key_file", str(public))])],
         as_json=as_json)


@app.command("init")
def init(
    origin: Annotated[str, typer.Option("--origin", help="The log's name, e.g. "
                                                         "example.com/valueloop-log")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create an empty log called ORIGIN (nothing changes if it exists)."""
    with Database.open(db) as database:
        log = EventLog.open(database, origin)
        emit([_hex_table("log", [("origin", log.origin), ("size", log.size)])], as_json=as_json)


@app.command("append")
def append(
    event_file: Annotated[Path, typer.Argument(help="JSON file: one event or a list of events.")],
    key: KeyOption,
    db: DbOption = None,
    origin: OriginOption = None,
    as_json: JsonOption = False,
) -> None:
    """Sign the event(s) in EVENT_FILE with KEY and append them."""
    signer = read_signer(key)
    try:
        payload = json.loads(event_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise MalformedFileError(f"cannot read the event JSON ({exc})", file=event_file,
                                 allowed="a JSON object or a list of objects") from None
    events = payload if isinstance(payload, list) else [payload]
    database, log = open_log(db, origin)
    with database:
        try:
            entries = log.append_many(events, signer)
        except UserInputError as exc:
            raise exc.located(event_file) from None
    emit([Table.from_records("appended", [
        {"index": e.index, "event_id": e.event_id, "leaf_hash": e.leaf_hash.hex()}
        for e in entries])], as_json=as_json)


@app.command("show")
def show(
    db: DbOption = None,
    origin: OriginOption = None,
    last: Annotated[int, typer.Option("--last", help="How many of the last entries to list.")
                    ] = 10,
    as_json: JsonOption = False,
) -> None:
    """Size, root, checkpoints and the last entries of the log."""
    database, log = open_log(db, origin)
    with database:
        size = log.size
        head = _hex_table("log", [("origin", log.origin), ("size", size),
                                  ("root", log.root(size).hex()),
                                  ("checkpoints", len(log.checkpoints())),
                                  ("keys", ", ".join(k.label for k in log.public_keys()))])
        records = [{"index": e.index, "type": e.event["type"], "actor": e.event["actor"],
                    "time": e.event["time"], "subject": e.event["subject"],
                    "event_id": e.event_id} for e in log.entries(max(0, size - last), size)]
    emit([head, Table.from_records("entries", records,
                                   columns=("index", "type", "actor", "time", "subject",
                                            "event_id"))], as_json=as_json)


@app.command("proof")
def proof(
    index: Annotated[int, typer.Option("--index", help="Entry index (from 0).")],
    size: Annotated[int | None, typer.Option("--size", help="Tree size (default: all).")
                    ] = None,
    db: DbOption = None,
    origin: OriginOption = None,
    as_json: JsonOption = False,
) -> None:
    """RFC 9162 inclusion proof of entry INDEX (checked before it is printed)."""
    database, log = open_log(db, origin)
    with database:
        result = log.inclusion_proof(index, size)
    result.verify()
    emit([_hex_table("inclusion proof", [
        ("index", result.index), ("size", result.size), ("leaf_hash", result.leaf_hash.hex()),
        ("root", result.root.hex()),
        *((f"path[{i}]", h.hex()) for i, h in enumerate(result.hashes))])], as_json=as_json)


@app.command("consistency")
def consistency(
    old: Annotated[int, typer.Option("--old", help="Older tree size.")],
    new: Annotated[int | None, typer.Option("--new", help="Newer tree size (default: all).")
                   ] = None,
    db: DbOption = None,
    origin: OriginOption = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Also write the proof for valueloop log witness --proof.")] = None,
    as_json: JsonOption = False,
) -> None:
    """RFC 9162 consistency proof from size OLD to size NEW (checked before it is printed)."""
    database, log = open_log(db, origin)
    with database:
        result = log.consistency_proof(old, log.size if new is None else new)
    result.verify()
    if out is not None:
        write_text(out, format_proof(result.old, result.hashes))
    emit([_hex_table("consistency proof", [
        ("old", result.old), ("new", result.new), ("old_root", result.old_root.hex()),
        ("new_root", result.new_root.hex()),
        *((f"proof[{i}]", h.hex()) for i, h in enumerate(result.hashes))])], as_json=as_json)


@app.command("checkpoint")
def checkpoint(
    key: KeyOption,
    db: DbOption = None,
    origin: OriginOption = None,
    out: Annotated[Path | None, typer.Option("--out", help="Also write the note here.")] = None,
) -> None:
    """Sign the current tree head with KEY (C2SP checkpoint) and print it."""
    signer = read_signer(key)
    database, log = open_log(db, origin)
    with database:
        note = log.checkpoint(signer)
    if out is not None:
        write_text(out, note)
    print(note, end="")


@app.command("cosign")
def cosign_command(
    checkpoint_file: Annotated[Path, typer.Argument(help="Signed checkpoint note.")],
    key: Annotated[Path, typer.Option("--key", help="The witness's private key file.")],
    log_key: Annotated[list[Path] | None, typer.Option(
        "--log-key", help="Verify the checkpoint against these public keys first.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Also write the note here.")] = None,
) -> None:
    """Add a witness cosignature (C2SP tlog-cosignature) to a checkpoint and print it."""
    witness = read_signer(key)
    keys = [k for path in log_key or [] for k in read_verifier_keys(path)]
    text = _read_text(checkpoint_file, "checkpoint")
    try:
        note = cosign(text, witness, log_keys=keys)
    except UserInputError as exc:
        raise exc.located(checkpoint_file) from None
    if out is not None:
        write_text(out, note)
    print(note, end="")


@app.command("witness")
def witness_command(
    checkpoint_file: Annotated[Path, typer.Argument(help="Signed checkpoint note.")],
    db: Annotated[str, typer.Option(
        "--db", help="The witness's own database (URL or SQLite file), where it keeps the "
                     "last checkpoint it cosigned for every log.")],
    key: Annotated[Path, typer.Option("--key", help="The witness's private key file.")],
    log_key: Annotated[list[Path], typer.Option(
        "--log-key", help="The log's public key file(s); one of them must have signed.")],
    proof: Annotated[Path | None, typer.Option(
        "--proof", help="Consistency proof from the witness's last size (valueloop log "
                        "consistency --out); omit for the first checkpoint of a log.")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Also write the cosigned checkpoint here.")] = None,
) -> None:
    """Cosign CHECKPOINT only if it extends the last one this witness cosigned (C2SP
    tlog-witness); print the cosignature line, or exit 2 saying why it refuses."""
    signer = read_signer(key)
    keys = [k for path in log_key for k in read_verifier_keys(path)]
    text = _read_text(checkpoint_file, "checkpoint")
    old_size = 0
    hashes: tuple[bytes, ...] = ()
    if proof is not None:
        try:
            old_size, hashes = parse_proof(_read_text(proof, "proof"))
        except UserInputError as exc:
            raise exc.located(proof) from None
    with Database.open(db) as database:
        try:
            line = Witness(database, signer).add_checkpoint(text, keys, old_size, hashes)
        except UserInputError as exc:
            culprit = proof if proof is not None and exc.item == "proof" else checkpoint_file
            raise exc.located(culprit) from None
    if out is not None:
        write_text(out, text + line)
    print(line, end="")


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MalformedFileError(f"cannot read the {what} ({exc.__class__.__name__})",
                                 file=path) from None


@app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="New folder for the export.")],
    db: DbOption = None,
    origin: OriginOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write entries, checkpoints and keys to a new folder for third-party verification."""
    database, log = open_log(db, origin)
    with database:
        summary = export_log(log, out)
    emit([_hex_table("export", [("folder", str(summary.folder)), ("entries", summary.entries),
                                ("checkpoints", summary.checkpoints),
                                ("keys", summary.keys)])], as_json=as_json)


@app.command("verify")
def verify(
    folder: Annotated[Path, typer.Argument(help="Export folder (valueloop log export).")],
    key: Annotated[list[Path], typer.Option(
        "--key", help="Public key file(s) you trust: the log's, the actors', witnesses'.")],
    allow_unknown_signers: Annotated[bool, typer.Option(
        "--allow-unknown-signers", help="Ignore checkpoint signatures by keys not given.")
    ] = False,
    workers: Annotated[int | None, typer.Option(
        "--workers", help="Processes for signature checks (default: one per core).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Verify an exported log with nothing but the export and public keys; exit 1 if bad."""
    keys = [k for path in key for k in read_verifier_keys(path)]
    report = verify_export(folder, keys, workers=workers,
                           allow_unknown_signers=allow_unknown_signers)
    if as_json:
        print(json.dumps({"ok": report.ok, "origin": report.origin, "entries": report.entries,
                          "checkpoints": report.checkpoints,
                          "cosignatures": report.cosignatures, "covered": report.covered,
                          "first_bad_entry": report.first_bad_entry,
                          "problems": list(report.problems),
                          "more_problems": report.more_problems}, indent=2))
    else:
        console.print(report.summary(), soft_wrap=True, markup=False)
        for problem in report.problems[1:]:
            console.print(f"  {problem}", soft_wrap=True, markup=False)
    if not report.ok:
        raise typer.Exit(1)
