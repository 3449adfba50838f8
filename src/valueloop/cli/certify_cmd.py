"""``valueloop certify``: check passports against rule sets, issue and verify certificates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from valueloop.certify.certificate import issue_certificate, verify_certificate
from valueloop.certify.check import check_document
from valueloop.certify.keys import generate_key, read_public_key, read_signing_key, write_key_pair
from valueloop.certify.rules import load_rule_set
from valueloop.cli.common import JsonOption
from valueloop.cli.output import console, emit
from valueloop.core.errors import OptionError
from valueloop.core.tables import write_text
from valueloop.log.keys import Signer, read_signer
from valueloop.scrap.reading import load_json
from valueloop.trace.service import TraceService

app = typer.Typer(help="Certification rule sets, signed certificates.", no_args_is_help=True)

RulesOption = Annotated[str, typer.Option(
    "--rules", help="A shipped rule set name (e.g. recycled-hc-copper-example) or a TOML file.")]
PassportArgument = Annotated[Path, typer.Argument(help="Passport JSON (a copper passport).")]


@app.command("check")
def check_command(passport: PassportArgument, rules: RulesOption,
                  as_json: JsonOption = False) -> None:
    """Per-rule pass/fail with the measured value, the limit and the unit. Exit 1 if any fails."""
    report = check_document(load_json(passport), load_rule_set(rules))
    emit([report.table()], as_json=as_json)
    if not report.passed:
        raise typer.Exit(1)


@app.command("issue")
def issue_command(
    passport: Annotated[str, typer.Argument(
        help="Passport JSON file; with --db, the identifier of a stored passport.")],
    rules: RulesOption,
    key: Annotated[Path, typer.Option("--key", help="Ed25519 private key file (certify keygen).")],
    out: Annotated[Path | None, typer.Option(
        "--out", help="Certificate JSON to write (required without --db).")] = None,
    event_out: Annotated[Path | None, typer.Option(
        "--event", help="Also write the certificate.issue event (one JSON line) here.")] = None,
    db: Annotated[str | None, typer.Option(
        "--db", help="Store the certificate and log its event in this database.")] = None,
    origin: Annotated[str | None, typer.Option(
        "--origin", help="Which log, when the database holds several.")] = None,
    log_key: Annotated[Path | None, typer.Option(
        "--log-key", help="With --db: the log's private key, to sign a checkpoint that covers "
                          "the new certificate (so a trace query can prove it).")] = None,
) -> None:
    """Issue a signed certificate for a passport that passes every rule (else exit 2)."""
    signer = read_signing_key(key)
    if db is None:
        if out is None:
            raise OptionError("is needed without --db", item="--out",
                              allowed="a file for the certificate JSON")
        if log_key is not None:
            raise OptionError("needs --db", item="--log-key")
        record, event = issue_certificate(load_json(Path(passport)), load_rule_set(rules),
                                          signer)
    else:
        record, event = _issue_logged(passport, rules, signer, db, origin, log_key)
    if out is not None:
        write_text(out, json.dumps(record, indent=2, ensure_ascii=False, allow_nan=False) + "\n")
    if event_out is not None:
        write_text(event_out, json.dumps(event, ensure_ascii=False, allow_nan=False) + "\n")
    console.print(f"issued {record['certificate']['id']}" + (f" -> {out}" if out else ""))


def _issue_logged(identifier: str, rules: str, signer: Signer, db: str, origin: str | None,
                  log_key: Path | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Issue through the trace service: stored and logged in one transaction."""
    log_signer = read_signer(log_key) if log_key is not None else None
    with TraceService.open(db, origin) as service:
        done = service.issue_certificate(identifier, load_rule_set(rules), signer)
        if log_signer is not None:
            service.checkpoint(log_signer)
    console.print(f"logged as entry {done.entries[0].index} of {service.log.origin}")
    return done.result.record, done.entries[0].event


@app.command("verify")
def verify_command(
    certificate: Annotated[Path, typer.Argument(help="Certificate JSON (certify issue).")],
    key: Annotated[Path, typer.Option("--key", help="The issuer's public key file (.pub).")],
) -> None:
    """Verify a certificate's signature. Exit 0 if valid, 1 if not."""
    result = verify_certificate(load_json(certificate), read_public_key(key))
    if result.valid:
        console.print(f"valid: {result.certificate_id}")
        return
    console.print(f"INVALID: {result.reason}")
    raise typer.Exit(1)


@app.command("keygen")
def keygen_command(
    name: Annotated[str, typer.Argument(help="Key name, e.g. example.com/certifier-1.")],
    out: Annotated[Path, typer.Option("--out", help="Private key file (mode 0600); the public "
                                                    "key goes to FILE.pub.")],
) -> None:
    """Generate an Ed25519 key pair for issuing certificates."""
    if out.suffix == ".pub":
        raise OptionError("names the public key file", item="--out",
                          allowed="the private key's file name; FILE.pub is added")
    private, public = write_key_pair(out, generate_key(name))
    console.print(f"private key: {private} (0600)\npublic key:  {public}")
