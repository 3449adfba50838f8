"""``valueloop trace``: the public trace query, its loopback resolver, and verification.

``valueloop trace ID|URL`` answers for a passport identifier or a QR code's resolver URL;
``trace serve`` runs the read-only resolver on loopback; ``trace verify`` checks a saved answer
with the log's public key alone (exit 0 valid, 1 not, 2 bad input).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from valueloop.cli.common import DbOption, JsonOption, OriginOption, open_log
from valueloop.cli.output import console, emit
from valueloop.core.errors import MalformedFileError
from valueloop.core.tables import Table, write_text
from valueloop.log.keys import read_verifier_keys
from valueloop.trace.query import trace, verify_trace
from valueloop.trace.server import TraceServer


class _QueryByDefault(TyperGroup):
    """``trace ID`` runs ``trace show ID``: a first word that names no subcommand is a query."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["show", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=_QueryByDefault, no_args_is_help=True,
                  help="Public trace query by identifier or QR URL; resolver; verification.")




def _tables(answer: dict[str, Any]) -> list[Table]:
    passport = answer["passport"]
    summary = Table(f"Passport {answer['identifier']} (public view)", ("item", "value"),
                    (("kind", passport["kind"]), ("version", passport["version"]),
                     ("status", passport["status"]), ("predecessor", passport["predecessor"]),
                     ("log", answer["log"]["origin"]),
                     *((key, json.dumps(value, ensure_ascii=False)) for key, value in
                       passport["public"].items())))
    rows = [(c["id"], c["certificate"]["certificate"]["rule_set"]["id"],
             c["certificate"]["certificate"]["issued_at"], c["entry"]["index"],
             f"included in checkpoint of size {c['inclusion']['size']}")
            for c in answer["certificates"]]
    rows += [(p["id"], "", "", p["log_index"], p["reason"]) for p in answer["pending"]]
    rows += [(w["id"], "", "", None, f"withheld: {w['reason']}") for w in answer["withheld"]]
    certificates = Table("Certificates", ("id", "rule_set", "issued_at", "log_index", "proof"),
                         tuple(rows), notes=("Verify with: valueloop trace verify ANSWER.json "
                                             "--key LOGKEY.pub (save the answer with --out).",))
    return [summary, certificates]


@app.command("show")
def show_command(
    reference: Annotated[str, typer.Argument(help="IAC:CIN:SERIAL or a resolver URL (QR).")],
    db: DbOption = None,
    origin: OriginOption = None,
    out: Annotated[Path | None, typer.Option("--out", help="Also write the answer JSON.")
                   ] = None,
    as_json: JsonOption = False,
) -> None:
    """The public view, certificates and their inclusion proofs for one passport."""
    database, log = open_log(db, origin)
    with database:
        answer = trace(database, log, reference)
    text = json.dumps(answer, indent=2, ensure_ascii=False, allow_nan=False)
    if out is not None:
        write_text(out, text + "\n")
    if as_json:
        print(text)
    else:
        emit(_tables(answer))


@app.command("serve")
def serve_command(
    port: Annotated[int, typer.Option("--port", min=0, max=65535,
                                      help="TCP port (0: any free port).")],
    db: DbOption = None,
    origin: OriginOption = None,
    host: Annotated[str, typer.Option("--host", help="Loopback address to bind.")
                    ] = "127.0.0.1",
) -> None:
    """Serve GET /id/IAC/CIN/SERIAL (read-only, public tier) until interrupted."""
    database, log = open_log(db, origin)
    with database:
        server = TraceServer(database, log, host, port)
        console.print(f"serving {server.url}/id/IAC/CIN/SERIAL (Ctrl-C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()


@app.command("verify")
def verify_command(
    answer: Annotated[Path, typer.Argument(help="A saved trace answer (trace ID --out).")],
    key: Annotated[Path, typer.Option("--key", help="The log's public key file (.pub).")],
    as_json: JsonOption = False,
) -> None:
    """Verify a trace answer with the log's public key. Exit 0 if valid, 1 if not."""
    keys = read_verifier_keys(key)
    try:
        data = json.loads(answer.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise MalformedFileError(f"is not a JSON trace answer ({exc.__class__.__name__})",
                                 file=answer) from None
    result = verify_trace(data, keys)
    rows = tuple(("problem", p) for p in result.problems) or (
        ("valid", f"{result.certificates} certificate(s) proved"),)
    emit([Table(f"Trace answer {answer.name}", ("status", "detail"), rows)], as_json=as_json)
    if not result.valid:
        raise typer.Exit(1)
