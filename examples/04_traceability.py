"""A copper cathode from passport to public trace query, with a tamper-evident log (issue 5).

A refinery issues a passport, a certifier checks it against a rule set and signs a certificate,
the log signs a checkpoint, and anyone can then ask for the cathode by its identifier (or the
URL in its QR code) and verify the answer with nothing but the log's public key. Flipping one
byte of the answer makes verification fail and say where.

    python examples/04_traceability.py
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import tempfile
import tomllib
from pathlib import Path

from valueloop.certify import check_document, load_rule_set
from valueloop.log.keys import Signer
from valueloop.passport.files import parse_passport
from valueloop.passport.identifiers import parse_identifier
from valueloop.passport.qr import write_qr
from valueloop.trace import TraceService, trace, verify_trace

PASSPORT = Path(__file__).parent / "data" / "copper-cathode.toml"
ORIGIN = "example.com/valueloop-log"
RULES = "recycled-hc-copper-example"
TIME = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.UTC)


def main() -> None:
    data = tomllib.loads(PASSPORT.read_text("utf-8"))
    # illustrative values that meet the example scheme (35 % post-consumer, 1.6 kg CO2e/kg)
    data["recycledContent"]["postConsumerPercent"] = 35.0
    data["carbonFootprint"]["value"] = 1.6
    passport = parse_passport(data, source=PASSPORT)
    log_key, refinery, certifier = (Signer.generate(ORIGIN),
                                    Signer.generate("example.com/refinery"),
                                    Signer.generate("example.com/certifier"))
    rules = load_rule_set(RULES)
    report = check_document(passport, rules)
    passed = sum(r.status == "pass" for r in report.results)
    print(f"1. {passport.identifier} against {rules.id}: {passed} of {len(report.results)} "
          "rules pass")

    with (tempfile.TemporaryDirectory() as folder,
          TraceService.open(Path(folder) / "trace.db", ORIGIN) as service):
        service.create_passport(passport, refinery, time=TIME)
        service.issue_certificate(passport.identifier, rules, certifier, time=TIME)
        checkpoint = service.checkpoint(log_key)
        print("2. signed checkpoint:\n   " + "\n   ".join(checkpoint.strip().splitlines()))
        qr = write_qr(parse_identifier(passport.identifier), Path(folder) / "cathode.svg",
                      resolver="https://id.example.org/passport")
        print(f"3. QR code of the resolver URL written ({qr.stat().st_size:,} bytes of SVG)")
        answer = trace(service.db, service.log, passport.identifier)

    public = answer["passport"]["public"]
    print(f"4. public view: {len(public)} fields, e.g. conductivity "
          f"{public.get('conductivityIacs')} %IACS; {len(answer['certificates'])} certificate")
    result = verify_trace(json.loads(json.dumps(answer)), [log_key.verifier()])
    print(f"5. verified with the log's public key alone: {result.valid}")
    forged = copy.deepcopy(answer)
    forged["certificates"][0]["certificate"]["certificate"]["issued"] = "2020-01-01T00:00:00Z"
    tampered = verify_trace(forged, [log_key.verifier()])
    print(f"6. after changing the certificate's date: {tampered.valid} "
          f"({tampered.problems[0] if tampered.problems else 'no problem found'})")
    assert result.valid and not tampered.valid


if __name__ == "__main__":
    main()
