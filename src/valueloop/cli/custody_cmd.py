"""``valueloop custody``: batches, transformations, traces, the mass-balance ledger, recycled
content, footprints and the Regulation (EU) 2023/1542 checks.

Writes print the events they produced (``--json`` prints them as JSON) so they can be appended
to the event log; reads print tables and take ``--json``, ``--csv`` and ``--xlsx``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError

from valueloop.cli.common import CsvOption, DbOption, JsonOption, XlsxOption
from valueloop.cli.output import emit
from valueloop.core.db import Database
from valueloop.core.errors import MalformedFileError, OptionError
from valueloop.core.tables import Table
from valueloop.custody.accounting import claim_batch, input_batch
from valueloop.custody.carbon import batch_footprint
from valueloop.custody.events import Event
from valueloop.custody.genealogy import trace
from valueloop.custody.ledger import MassBalanceLedger
from valueloop.custody.model import Batch, LedgerScope, Site, Transformation
from valueloop.custody.recycled_content import (
    batch_recycled_content,
    check_art8,
    check_recovery,
)
from valueloop.custody.store import CustodyStore

app = typer.Typer(help="Chain of custody: batches, transformations, traces, mass-balance "
                       "ledger, recycled content, footprints.", no_args_is_help=True)

ActorOption = Annotated[str, typer.Option("--actor", help="Actor id recorded in the events.")]
SiteOption = Annotated[str, typer.Option("--site", help="Site of the ledger.")]
PeriodOption = Annotated[int, typer.Option("--period", help="Accounting period (a year).")]
CharacteristicOption = Annotated[str, typer.Option(
    "--characteristic", help="post_consumer_recycled, pre_consumer_recycled or "
                             "copper_mark_site.")]
ElementOption = Annotated[str, typer.Option("--element", help="Element accounted, e.g. Cu.")]
DEFAULT_ACTOR = "cli"
M = TypeVar("M", bound=BaseModel)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MalformedFileError("does not exist", file=path) from None
    except json.JSONDecodeError as exc:
        raise MalformedFileError(f"is not JSON ({exc.msg})", file=path, line=exc.lineno) from None


def _parse(model: type[M], data: Any, path: Path, where: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise MalformedFileError(first["msg"], file=path,
                                 item=f"{where}.{field}" if field else where) from None


def _items(data: Any, key: str) -> list[Any]:
    """A file holds one object, a list of them, or ``{"sites": [...], key: [...]}``."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and (key in data or "sites" in data):
        return list(data.get(key, []))
    return [data]


def _sites(store: CustodyStore, data: Any, path: Path) -> None:
    if isinstance(data, dict):
        for index, item in enumerate(data.get("sites", [])):
            store.add_site(_parse(Site, item, path, f"sites[{index}]"))


def _emit_events(events: list[Event], as_json: bool) -> None:
    if as_json:
        print(json.dumps(events, ensure_ascii=False, indent=2, allow_nan=False))
        return
    emit([Table.from_records("Events recorded",
                             [{"type": e["type"], "subject": e["subject"], "time": e["time"],
                               "actor": e["actor"]} for e in events])])


@app.command("add-batch")
def add_batch_command(file: Path, db: DbOption = None, actor: ActorOption = DEFAULT_ACTOR,
                      as_json: JsonOption = False) -> None:
    """Record batches entering the chain (and the sites in the file's "sites")."""
    data = _read_json(file)
    with Database.open(db) as database:
        store = CustodyStore(database)
        _sites(store, data, file)
        batches = [_parse(Batch, item, file, f"batches[{i}]")
                   for i, item in enumerate(_items(data, "batches"))]
        events = [store.add_batch(batch, actor=actor) for batch in batches]
    _emit_events(events, as_json)


@app.command("transform")
def transform_command(file: Path, db: DbOption = None, actor: ActorOption = DEFAULT_ACTOR,
                      as_json: JsonOption = False) -> None:
    """Record transformations; each is refused unless every element balances."""
    data = _read_json(file)
    with Database.open(db) as database:
        store = CustodyStore(database)
        _sites(store, data, file)
        events: list[Event] = []
        for index, item in enumerate(_items(data, "transformations")):
            events += store.record(_parse(Transformation, item, file,
                                          f"transformations[{index}]"), actor=actor)
    _emit_events(events, as_json)


@app.command("trace")
def trace_command(batch: str, forward: Annotated[bool, typer.Option(
        "--forward", help="Trace forward to products instead of back to origins.")] = False,
                  db: DbOption = None, as_json: JsonOption = False, csv: CsvOption = None,
                  xlsx: XlsxOption = None) -> None:
    """Trace a batch back to its origins (or forward to its products)."""
    with Database.open(db) as database:
        CustodyStore(database)
        genealogy = trace(database, batch, "forward" if forward else "back")
    ends = {b.id for b in (genealogy.products if forward else genealogy.origins)}
    records = [{"batch": b.id, "site": b.site, "mass_kg": b.mass_kg, "used_kg": b.used_kg,
                "produced_by": b.produced_by, "kind": b.kind,
                "end": ("product" if forward else "origin") if b.id in ends else ""}
               for b in genealogy.batches]
    direction = "forward to products" if forward else "back to origins"
    emit([Table.from_records(f"Trace of {batch} {direction}", records,
                             units={"mass_kg": "kg", "used_kg": "kg"},
                             notes=(f"{len(records)} batches, {len(ends)} "
                                    f"{'products' if forward else 'origins'}",))],
         as_json=as_json, csv_path=csv, xlsx_path=xlsx)


@app.command("open-ledger")
def open_ledger_command(site: SiteOption, characteristic: CharacteristicOption,
                        element: ElementOption = "Cu",
                        method: Annotated[str, typer.Option(
                            "--method", help="credit or rolling_average.")] = "credit",
                        expiry: Annotated[int | None, typer.Option(
                            "--expiry", help="Periods a credit may be carried (default: no "
                                             "expiry).")] = None,
                        db: DbOption = None) -> None:
    """Open a mass-balance ledger for a site, characteristic and element."""
    scope = _parse(LedgerScope, {"site": site, "characteristic": characteristic,
                                 "element": element, "method": method,
                                 "expiry_periods": expiry}, Path("--options"), "ledger")
    with Database.open(db) as database:
        MassBalanceLedger(database).open(scope)
    print(f"ledger {site}|{characteristic}|{element} open ({method})")


@app.command("ledger")
def ledger_command(site: SiteOption, period: PeriodOption,
                   characteristic: CharacteristicOption, element: ElementOption = "Cu",
                   db: DbOption = None, as_json: JsonOption = False, csv: CsvOption = None,
                   xlsx: XlsxOption = None) -> None:
    """Show a ledger period: totals, percentage, available credits and entries."""
    with Database.open(db) as database:
        ledger = MassBalanceLedger(database)
        scope = ledger.scope(site, characteristic, element)
        state = ledger.state(scope, period)
        entries = ledger.entries(scope, period)
    emit([Table.from_records(f"Ledger {site} {characteristic} {element} {period}",
                             [state.as_record()]),
          Table.from_records(f"Entries {period}", entries,
                             columns=["entry", "kind", "batch", "mass_kg", "credit_kg", "share",
                                      "conversion_factor", "origin_period", "evidence",
                                      "actor", "time"])],
         as_json=as_json, csv_path=csv, xlsx_path=xlsx)


@app.command("input")
def input_command(site: SiteOption, period: PeriodOption, characteristic: CharacteristicOption,
                  batch: Annotated[str, typer.Option("--batch", help="Input batch.")],
                  element: ElementOption = "Cu",
                  conversion_factor: Annotated[float, typer.Option(
                      "--conversion-factor", help="Output metal per input metal.")] = 1.0,
                  share: Annotated[float | None, typer.Option(
                      "--share", help="Qualifying share (default: from the batch).")] = None,
                  evidence: Annotated[str, typer.Option("--evidence")] = "",
                  db: DbOption = None, actor: ActorOption = DEFAULT_ACTOR,
                  as_json: JsonOption = False) -> None:
    """Record a batch as an input of a ledger period."""
    with Database.open(db) as database:
        ledger = MassBalanceLedger(database)
        scope = ledger.scope(site, characteristic, element)
        record = input_batch(CustodyStore(database), ledger, scope, period, batch,
                             conversion_factor=conversion_factor, share=share,
                             evidence=evidence, actor=actor)
    emit([Table.from_records("Ledger input", [record])], as_json=as_json)


@app.command("claim")
def claim_command(site: SiteOption, period: PeriodOption, characteristic: CharacteristicOption,
                  batch: Annotated[str, typer.Option("--batch", help="Output batch.")],
                  element: ElementOption = "Cu",
                  mass: Annotated[float | None, typer.Option(
                      "--mass", help="Qualifying mass to claim, kg of the element.")] = None,
                  share: Annotated[float | None, typer.Option(
                      "--share", help="Qualifying share of the output to claim.")] = None,
                  evidence: Annotated[str, typer.Option("--evidence")] = "",
                  db: DbOption = None, actor: ActorOption = DEFAULT_ACTOR,
                  as_json: JsonOption = False) -> None:
    """Claim qualifying mass on an output batch (refused beyond the credits available)."""
    with Database.open(db) as database:
        ledger = MassBalanceLedger(database)
        scope = ledger.scope(site, characteristic, element)
        claimed = claim_batch(CustodyStore(database), ledger, scope, period, batch,
                              qualifying_kg=mass, share=share, evidence=evidence, actor=actor)
    _emit_events([claimed], as_json)


@app.command("close-period")
def close_period_command(site: SiteOption, period: PeriodOption,
                         characteristic: CharacteristicOption, element: ElementOption = "Cu",
                         db: DbOption = None, actor: ActorOption = DEFAULT_ACTOR,
                         as_json: JsonOption = False) -> None:
    """Close a period: carry over (or expire) unused credits and reconcile."""
    with Database.open(db) as database:
        ledger = MassBalanceLedger(database)
        closed = ledger.close_period(ledger.scope(site, characteristic, element), period,
                                     actor=actor)
    if as_json:
        _emit_events([closed], as_json)
    else:
        emit([Table.from_records(f"Reconciliation {closed['subject']}", [closed["payload"]])])


@app.command("recycled-content")
def recycled_content_command(batch: str, element: ElementOption = "Cu", db: DbOption = None,
                             as_json: JsonOption = False, csv: CsvOption = None,
                             xlsx: XlsxOption = None) -> None:
    """Pre- and post-consumer recycled content of a batch, with isMassBalanced."""
    with Database.open(db) as database:
        CustodyStore(database)
        content = batch_recycled_content(database, batch, element)
    emit([Table.from_records(f"Recycled {element} in {batch}", [content.as_record()],
                             units={"element_kg": "kg"})],
         as_json=as_json, csv_path=csv, xlsx_path=xlsx)


@app.command("footprint")
def footprint_command(batch: str, element: ElementOption = "Cu",
                      allocation: Annotated[str, typer.Option(
                          "--allocation", help="element (by the element's mass) or mass.")
                      ] = "element",
                      db: DbOption = None, as_json: JsonOption = False, csv: CsvOption = None,
                      xlsx: XlsxOption = None) -> None:
    """Carbon footprint of a batch accumulated along its genealogy."""
    if allocation not in ("element", "mass"):
        raise OptionError(f"unknown allocation {allocation!r}", item="--allocation",
                          allowed="element, mass")
    with Database.open(db) as database:
        CustodyStore(database)
        result = batch_footprint(database, batch, allocation=allocation,  # type: ignore[arg-type]
                                 element=element)
    summary = {"batch": result.batch, "total_kgco2e": result.total_kgco2e,
               "mass_kg": result.mass_kg, "kgco2e_per_kg": result.per_kg,
               f"kgco2e_per_kg_{element}": result.per_kg_element,
               "allocation": result.allocation, "cut_off": ", ".join(result.cut_off)}
    emit([Table.from_records(f"Footprint of {batch}", [summary],
                             units={"total_kgco2e": "kgCO2e", "mass_kg": "kg"}),
          Table.from_records("Contributions", [{"source": s, "kgco2e": v}
                                               for s, v in result.contributions.items()],
                             units={"kgco2e": "kgCO2e"})],
         as_json=as_json, csv_path=csv, xlsx_path=xlsx)


def _shares(values: list[str], option: str) -> dict[str, float]:
    shares = {}
    for value in values:
        name, _, number = value.partition("=")
        try:
            shares[name.strip()] = float(number)
        except ValueError:
            raise OptionError(f"{value!r} is not NAME=SHARE", item=option,
                              allowed="e.g. Co=0.12") from None
    return shares


@app.command("check-art8")
def check_art8_command(
    category: Annotated[str, typer.Option("--category", help="ev, industrial, sli or lmt.")],
    date: Annotated[str, typer.Option("--date", help="Date to check at (YYYY-MM-DD).")],
    pre: Annotated[list[str] | None, typer.Option(
        "--pre", help="Pre-consumer share, METAL=SHARE (repeat).")] = None,
    post: Annotated[list[str] | None, typer.Option(
        "--post", help="Post-consumer share, METAL=SHARE (repeat).")] = None,
    batch: Annotated[str | None, typer.Option(
        "--batch", help="Take the shares of Co, Li, Ni, Pb from a recorded batch.")] = None,
    reuse: Annotated[bool, typer.Option(
        "--prepared-for-reuse", help="Art. 8(4) exemption applies.")] = False,
    db: DbOption = None, as_json: JsonOption = False, csv: CsvOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """Check a battery model's recycled content against the Art. 8 minimum shares."""
    when = _date(date)
    content: dict[str, tuple[float, float]] = {}
    if batch is not None:
        with Database.open(db) as database:
            store = CustodyStore(database)
            for metal in ("Co", "Li", "Ni", "Pb"):
                if metal in store.batch(batch).elements:
                    result = batch_recycled_content(database, batch, metal)
                    content[metal] = (result.pre_consumer.share, result.post_consumer.share)
    pre_shares, post_shares = _shares(pre or [], "--pre"), _shares(post or [], "--post")
    for metal in sorted(set(pre_shares) | set(post_shares)):
        content[metal] = (pre_shares.get(metal, 0.0), post_shares.get(metal, 0.0))
    if not content:
        raise OptionError("nothing to check", item="--pre/--post/--batch",
                          allowed="shares of Co, Li, Ni or Pb, or a batch that holds them")
    checks = check_art8(content, category=category, date=when,  # type: ignore[arg-type]
                        prepared_for_reuse=reuse)
    emit([Table.from_records(f"Art. 8 recycled content, {category}, {when}",
                             [c.as_record() for c in checks])],
         as_json=as_json, csv_path=csv, xlsx_path=xlsx)


@app.command("check-recovery")
def check_recovery_command(
    date: Annotated[str, typer.Option("--date", help="Date to check at (YYYY-MM-DD).")],
    recovery: Annotated[list[str] | None, typer.Option(
        "--recovery", help="Material recovery, METAL=SHARE (repeat).")] = None,
    efficiency: Annotated[list[str] | None, typer.Option(
        "--efficiency", help="Recycling efficiency, SCOPE=SHARE, e.g. "
                             "'lithium-based batteries=0.68'.")] = None,
    as_json: JsonOption = False, csv: CsvOption = None, xlsx: XlsxOption = None,
) -> None:
    """Check a recycler's recoveries against Annex XII Parts B and C."""
    when = _date(date)
    checks = check_recovery(_shares(recovery or [], "--recovery"), date=when,
                            efficiency=_shares(efficiency or [], "--efficiency"))
    emit([Table.from_records(f"Annex XII targets at {when}", [c.as_record() for c in checks])],
         as_json=as_json, csv_path=csv, xlsx_path=xlsx)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise OptionError(f"{text!r} is not a date", item="--date",
                          allowed="YYYY-MM-DD") from None
