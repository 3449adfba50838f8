"""The mass-balance ledger per site, accounting period and characteristic.

Following ISO 22095 (mass balance) and the Aluminium Stewardship Initiative's Chain of Custody
Standard v2 as the reference note summarises them (passport-and-dataspace.md §5.1-5.2): we
have not read ISO 22095-2:2026 itself (paywalled), so the mechanics are those of §5.2.

* **Scope**: a ledger is a site, a characteristic and the element whose mass is accounted
  (:class:`~valueloop.custody.model.LedgerScope`); periods are calendar years, the
  12-month accounting period of ASI CoC v2.
* **Inputs** carry their element mass, their qualifying share and a conversion factor (input
  metal to output metal, e.g. the yield of the site's process). Each earns
  ``credit = mass * share * factor``; the converted total is ``mass * factor``.
* **Methods** (fixed per ledger):
  - ``credit``: a claim names the qualifying mass it allocates to an output and debits it;
  - ``rolling_average``: the period's running percentage
    ``(credits + carried in) / (converted inputs + carried in)`` is the most any output may
    carry; a claim is that share (or a lower one) of the output's element mass.
* **No over-claiming**, for both methods: a claim is refused when it would take the period's
  balance (credits + carried in - claimed) below zero, or claim more than the output holds.
  The same input or output batch cannot be entered twice in one ledger.
* **Carry-over**: closing a period carries the unused balance into the next, oldest credits
  used first; with ``expiry_periods = k`` a credit earned in period ``p`` may be carried up to
  period ``p + k`` and expires after that.
* **Period close** writes the carry-over and expiry entries, a reconciliation (opening, earned,
  claimed, carried out, expired, which must balance to the gram) and refuses later writes.

Masses are kept as whole grams (``BIGINT``): credits are rounded down and explicit claims up, so
rounding can never create a credit, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from valueloop.core.db import Database, Transaction
from valueloop.core.errors import OptionError
from valueloop.custody.errors import (
    DuplicateRecordError,
    OverClaimError,
    PeriodClosedError,
    UnknownRecordError,
)
from valueloop.custody.events import Event, event, now
from valueloop.custody.model import LedgerScope

COMPONENT = "custody_ledger"
SCHEMA_VERSION = 1
SCHEMA: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS custody_ledgers (id {TEXT} PRIMARY KEY, site {TEXT} NOT NULL, "
    "characteristic {TEXT} NOT NULL, element {TEXT} NOT NULL, record {TEXT} NOT NULL)",
    "CREATE TABLE IF NOT EXISTS custody_ledger_entries (id {ID}, "
    "ledger {TEXT} NOT NULL REFERENCES custody_ledgers (id), period {BIGINT} NOT NULL, "
    "kind {TEXT} NOT NULL, batch {TEXT}, mass_g {BIGINT} NOT NULL, "
    "converted_g {BIGINT} NOT NULL, credit_g {BIGINT} NOT NULL, share {REAL}, "
    "conversion_factor {REAL}, origin_period {BIGINT} NOT NULL, evidence {TEXT}, "
    "actor {TEXT} NOT NULL, time {TEXT} NOT NULL)",
    "CREATE INDEX IF NOT EXISTS custody_ledger_entries_period "
    "ON custody_ledger_entries (ledger, period)",
    "CREATE INDEX IF NOT EXISTS custody_ledger_entries_batch ON custody_ledger_entries (batch)",
    "CREATE UNIQUE INDEX IF NOT EXISTS custody_ledger_entries_once "
    "ON custody_ledger_entries (ledger, kind, batch) "
    "WHERE batch IS NOT NULL AND kind IN ('input', 'claim')",
    "CREATE TABLE IF NOT EXISTS custody_ledger_periods (ledger {TEXT} NOT NULL "
    "REFERENCES custody_ledgers (id), period {BIGINT} NOT NULL, "
    "reconciliation {TEXT} NOT NULL, PRIMARY KEY (ledger, period))",
)
FIRST_PERIOD, LAST_PERIOD = 1900, 9998
_G_PER_KG = 1000.0


def grams_down(kg: float) -> int:
    """Whole grams, rounded down (credits); float noise below a microgram is ignored."""
    return math.floor(round(kg * _G_PER_KG, 6))


def grams_up(kg: float) -> int:
    """Whole grams, rounded up (claims)."""
    return math.ceil(round(kg * _G_PER_KG, 6))


def ledger_id(scope: LedgerScope) -> str:
    return f"{scope.site}|{scope.characteristic}|{scope.element}"


@dataclass(frozen=True)
class PeriodState:
    """Totals of one ledger period, in whole grams (``*_kg`` properties give kilograms)."""

    scope: LedgerScope
    period: int
    input_g: int
    converted_g: int
    earned_g: int
    """Credits earned by this period's inputs."""
    carried_in_g: int
    claimed_g: int
    carried_out_g: int
    expired_g: int
    closed: bool

    @property
    def available_g(self) -> int:
        """Credits still available: earned + carried in - claimed - carried out - expired
        (zero once the period is closed)."""
        return (self.earned_g + self.carried_in_g - self.claimed_g - self.carried_out_g
                - self.expired_g)

    @property
    def percentage(self) -> float:
        """Rolling-average share: (earned + carried in) / (converted + carried in), 0 if none."""
        whole = self.converted_g + self.carried_in_g
        return (self.earned_g + self.carried_in_g) / whole if whole > 0 else 0.0

    def max_claim_g(self, output_g: int) -> int:
        """The most an output of ``output_g`` may carry at the rolling-average percentage
        (exact integer arithmetic, rounded down)."""
        whole = self.converted_g + self.carried_in_g
        return (self.earned_g + self.carried_in_g) * output_g // whole if whole > 0 else 0

    def as_record(self) -> dict[str, Any]:
        kg = {name: getattr(self, f"{name}_g") / _G_PER_KG
              for name in ("input", "converted", "earned", "carried_in", "claimed",
                           "carried_out", "expired", "available")}
        return {"site": self.scope.site, "characteristic": self.scope.characteristic,
                "element": self.scope.element, "method": self.scope.method,
                "period": self.period, **{f"{k}_kg": v for k, v in kg.items()},
                "percentage": self.percentage, "closed": self.closed}


@dataclass(frozen=True)
class Claim:
    """A claim recorded on an output batch."""

    batch: str
    characteristic: str
    element: str
    site: str
    period: int
    claimed_kg: float
    output_kg: float
    """Element mass of the output the claim was made on."""

    @property
    def share(self) -> float:
        return self.claimed_kg / self.output_kg if self.output_kg > 0 else 0.0


def _check_period(period: int) -> int:
    if isinstance(period, bool) or not isinstance(period, int) \
            or not FIRST_PERIOD <= period <= LAST_PERIOD:
        raise OptionError(f"period {period!r} is not a year", item="period",
                          allowed=f"a calendar year {FIRST_PERIOD}-{LAST_PERIOD}")
    return period


class MassBalanceLedger:
    """Mass-balance ledgers in one database (tables created on first use)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate(COMPONENT, SCHEMA_VERSION, SCHEMA)

    # --- scopes ---------------------------------------------------------------------------

    def open(self, scope: LedgerScope) -> LedgerScope:
        """Open a ledger; opening the same scope again with the same rules is a no-op."""
        with self.db.transaction() as tx:
            row = tx.execute("SELECT record FROM custody_ledgers WHERE id = ?",
                             (ledger_id(scope),)).fetchone()
            if row is not None:
                existing = LedgerScope.model_validate_json(row[0])
                if existing != scope:
                    raise DuplicateRecordError(
                        f"is open with method {existing.method} and expiry "
                        f"{existing.expiry_periods}", item=f"ledger {ledger_id(scope)}",
                        allowed="the same rules (a ledger's method never changes)")
                return existing
            tx.execute("INSERT INTO custody_ledgers (id, site, characteristic, element, record) "
                       "VALUES (?, ?, ?, ?, ?)", (ledger_id(scope), scope.site,
                                                  scope.characteristic, scope.element,
                                                  scope.model_dump_json()))
        return scope

    def scope(self, site: str, characteristic: str, element: str = "Cu") -> LedgerScope:
        """The open ledger of a site, characteristic and element."""
        key = f"{site}|{characteristic}|{element}"
        rows = self.db.query("SELECT record FROM custody_ledgers WHERE id = ?", (key,))
        if not rows:
            raise UnknownRecordError("is not open", item=f"ledger {key}",
                                     allowed="a ledger opened first (valueloop custody "
                                             "open-ledger)")
        return LedgerScope.model_validate_json(rows[0][0])

    # --- writes ---------------------------------------------------------------------------

    def record_input(self, scope: LedgerScope, period: int, *, element_kg: float,
                     qualifying_share: float, conversion_factor: float = 1.0,
                     batch: str | None = None, evidence: str = "", actor: str,
                     time: dt.datetime | None = None) -> dict[str, Any]:
        """Record an input and the credit it earns; returns the entry as a record.

        Raises
        ------
        OptionError
            A negative or non-finite mass, a share outside [0, 1], a conversion factor outside
            (0, 1] (a site cannot make more metal than it receives).
        DuplicateRecordError
            The batch is already an input of this ledger.
        PeriodClosedError
            The period is closed.
        """
        _finite_in("element_kg", element_kg, 0.0, math.inf)
        _finite_in("qualifying_share", qualifying_share, 0.0, 1.0)
        _finite_in("conversion_factor", conversion_factor, 0.0, 1.0, open_low=True)
        moment = time or now()
        mass_g = grams_down(element_kg)
        credit_g = grams_down(element_kg * qualifying_share * conversion_factor)
        converted_g = max(grams_down(element_kg * conversion_factor), credit_g)
        with self.db.transaction() as tx:
            self._writable(tx, scope, _check_period(period))
            self._no_duplicate(tx, scope, "input", batch)
            self._insert(tx, scope, period, "input", batch=batch, mass_g=mass_g,
                         converted_g=converted_g, credit_g=credit_g, share=qualifying_share,
                         factor=conversion_factor, origin=period, evidence=evidence,
                         actor=actor, time=moment)
        return {"batch": batch, "period": period, "element_kg": mass_g / _G_PER_KG,
                "credit_kg": credit_g / _G_PER_KG, "converted_kg": converted_g / _G_PER_KG}

    def claim(self, scope: LedgerScope, period: int, *, batch: str, output_kg: float,
              qualifying_kg: float | None = None, share: float | None = None,
              evidence: str = "", actor: str, time: dt.datetime | None = None) -> Event:
        """Allocate qualifying mass to an output batch (a CoC claim for one delivery).

        Parameters
        ----------
        output_kg
            Element mass of the output batch, kg.
        qualifying_kg, share
            What to claim: a mass, or a share of ``output_kg``. The credit method needs one of
            them; the rolling-average method defaults to the period's running percentage.

        Returns
        -------
        Event
            ``custody.claim`` with the claimed mass and share, the method and
            ``isMassBalanced: true``.

        Raises
        ------
        OverClaimError
            The claim exceeds the period's available credits, the output's element mass, or
            (rolling average) the period's percentage.
        """
        _finite_in("output_kg", output_kg, 0.0, math.inf)
        if qualifying_kg is not None and share is not None:
            raise OptionError("give a qualifying mass or a share, not both", item="claim")
        if qualifying_kg is not None:
            _finite_in("qualifying_kg", qualifying_kg, 0.0, math.inf)
        if share is not None:
            _finite_in("share", share, 0.0, 1.0)
        if scope.method == "credit" and qualifying_kg is None and share is None:
            raise OptionError("the credit method needs the mass or share to claim",
                              item="claim", allowed="qualifying_kg or share")
        moment = time or now()
        output_g = grams_down(output_kg)
        where = f"ledger {ledger_id(scope)} {period}: batch {batch}"
        with self.db.transaction() as tx:
            self._writable(tx, scope, _check_period(period))
            self._no_duplicate(tx, scope, "claim", batch)
            state = self._state(tx, scope, period)
            available_g = state.available_g
            if qualifying_kg is not None:
                claimed_g = grams_up(qualifying_kg)
            elif share is not None:
                claimed_g = grams_up(share * output_kg)
            else:  # rolling average, at the period's percentage: round down
                claimed_g = state.max_claim_g(output_g)
            if scope.method == "rolling_average" and claimed_g > state.max_claim_g(output_g):
                # an output that rounds to 0 g has no share to quote
                quoted = (f"{claimed_g / output_g:.4%} of the output" if output_g
                          else f"{claimed_g} g of an output that rounds to 0 g")
                raise OverClaimError(
                    f"claims {quoted}, above the period's rolling-average "
                    f"{state.percentage:.4%}", item=where,
                    allowed="at most the period's percentage")
            if claimed_g > output_g:
                raise OverClaimError(
                    f"claims {claimed_g / _G_PER_KG:.6g} kg but the output holds "
                    f"{output_g / _G_PER_KG:.6g} kg of {scope.element}", item=where,
                    allowed="at most the output's element mass")
            if claimed_g > available_g:
                raise OverClaimError(
                    f"claims {claimed_g / _G_PER_KG:.6g} kg of {scope.characteristic} "
                    f"{scope.element} but only {available_g / _G_PER_KG:.6g} kg of credits are "
                    "available", item=where,
                    allowed="at most the credits earned this period plus those carried in, "
                            "less what is already claimed")
            self._insert(tx, scope, period, "claim", batch=batch, mass_g=output_g,
                         converted_g=0, credit_g=-claimed_g,
                         share=claimed_g / output_g if output_g else 0.0, factor=None,
                         origin=period, evidence=evidence, actor=actor, time=moment)
        return event("custody.claim", actor=actor, time=moment, subject=batch,
                     payload={"site": scope.site, "characteristic": scope.characteristic,
                              "element": scope.element, "method": scope.method,
                              "period": period, "claimed_kg": claimed_g / _G_PER_KG,
                              "output_kg": output_g / _G_PER_KG,
                              "share": claimed_g / output_g if output_g else 0.0,
                              "isMassBalanced": True,
                              "available_after_kg": (available_g - claimed_g) / _G_PER_KG})

    def close_period(self, scope: LedgerScope, period: int, *, actor: str,
                     time: dt.datetime | None = None) -> Event:
        """Close a period: carry the unused credits over (or expire them) and reconcile.

        Returns
        -------
        Event
            ``custody.period_close`` with the reconciliation.

        Raises
        ------
        PeriodClosedError
            The period, or the next one that would receive the carry-over, is closed.
        """
        moment = time or now()
        with self.db.transaction() as tx:
            self._writable(tx, scope, _check_period(period))
            self._writable(tx, scope, period + 1)
            state = self._state(tx, scope, period)
            remaining = self._remaining_by_origin(tx, scope, period)
            carried = expired = 0
            for origin, amount in remaining:
                keep = scope.expiry_periods is None or period + 1 <= origin + scope.expiry_periods
                kind = "carry_out" if keep else "expire"
                self._insert(tx, scope, period, kind, batch=None, mass_g=amount, converted_g=0,
                             credit_g=-amount, share=None, factor=None, origin=origin,
                             evidence="", actor=actor, time=moment)
                if keep:
                    carried += amount
                    self._insert(tx, scope, period + 1, "carry_in", batch=None, mass_g=amount,
                                 converted_g=0, credit_g=amount, share=None, factor=None,
                                 origin=origin, evidence=f"carried from {period}", actor=actor,
                                 time=moment)
                else:
                    expired += amount
            opening, earned, claimed = state.carried_in_g, state.earned_g, state.claimed_g
            if opening + earned - claimed - carried - expired != 0:
                raise AssertionError(f"ledger {ledger_id(scope)} {period} does not reconcile")
            reconciliation = {"carried_in_kg": opening / _G_PER_KG,
                              "input_kg": state.input_g / _G_PER_KG,
                              "converted_kg": state.converted_g / _G_PER_KG,
                              "earned_kg": earned / _G_PER_KG, "claimed_kg": claimed / _G_PER_KG,
                              "carried_out_kg": carried / _G_PER_KG,
                              "expired_kg": expired / _G_PER_KG,
                              "percentage": state.percentage, "balanced": True}
            tx.execute("INSERT INTO custody_ledger_periods (ledger, period, reconciliation) "
                       "VALUES (?, ?, ?)", (ledger_id(scope), period,
                                            json.dumps(reconciliation, allow_nan=False)))
        return event("custody.period_close", actor=actor, time=moment,
                     subject=f"{ledger_id(scope)}|{period}",
                     payload={"site": scope.site, "characteristic": scope.characteristic,
                              "element": scope.element, "method": scope.method,
                              "period": period, **reconciliation})

    # --- reads ----------------------------------------------------------------------------

    def state(self, scope: LedgerScope, period: int) -> PeriodState:
        """Totals of one period (an empty period has zeros)."""
        with self.db.transaction() as tx:
            return self._state(tx, scope, _check_period(period))

    def entries(self, scope: LedgerScope, period: int) -> list[dict[str, Any]]:
        """The entries of one period in the order they were written."""
        rows = self.db.query(
            "SELECT id, kind, batch, mass_g, credit_g, share, conversion_factor, origin_period, "
            "evidence, actor, time FROM custody_ledger_entries WHERE ledger = ? AND period = ? "
            "ORDER BY id", (ledger_id(scope), _check_period(period)))
        return [{"entry": r[0], "kind": r[1], "batch": r[2], "mass_kg": r[3] / _G_PER_KG,
                 "credit_kg": r[4] / _G_PER_KG, "share": r[5], "conversion_factor": r[6],
                 "origin_period": r[7], "evidence": r[8], "actor": r[9], "time": r[10]}
                for r in rows]

    def claims_on(self, batch: str) -> list[Claim]:
        """Every claim recorded on an output batch, in any ledger."""
        rows = self.db.query(
            "SELECT l.characteristic, l.element, l.site, e.period, e.credit_g, e.mass_g "
            "FROM custody_ledger_entries e JOIN custody_ledgers l ON l.id = e.ledger "
            "WHERE e.batch = ? AND e.kind = 'claim' ORDER BY e.id", (batch,))
        return [Claim(batch, r[0], r[1], r[2], int(r[3]), -r[4] / _G_PER_KG, r[5] / _G_PER_KG)
                for r in rows]

    # --- helpers --------------------------------------------------------------------------

    def _writable(self, tx: Transaction, scope: LedgerScope, period: int) -> None:
        lock = " FOR UPDATE" if tx.dialect == "postgresql" else ""
        # the row lock serialises writers of one ledger on PostgreSQL; SQLite's BEGIN IMMEDIATE
        # already serialises all writers
        row = tx.execute("SELECT record FROM custody_ledgers WHERE id = ?" + lock,
                         (ledger_id(scope),)).fetchone()
        if row is None:
            raise UnknownRecordError("is not open", item=f"ledger {ledger_id(scope)}",
                                     allowed="a ledger opened first")
        if LedgerScope.model_validate_json(row[0]) != scope:
            raise DuplicateRecordError("is open with other rules",
                                       item=f"ledger {ledger_id(scope)}")
        if tx.execute("SELECT 1 FROM custody_ledger_periods WHERE ledger = ? AND period = ?",
                      (ledger_id(scope), period)).fetchone():
            raise PeriodClosedError("is closed", item=f"ledger {ledger_id(scope)} {period}",
                                    allowed="an open period")

    def _no_duplicate(self, tx: Transaction, scope: LedgerScope, kind: str,
                      batch: str | None) -> None:
        if batch is None:
            return
        row = tx.execute("SELECT period FROM custody_ledger_entries WHERE ledger = ? "
                         "AND kind = ? AND batch = ?", (ledger_id(scope), kind, batch)).fetchone()
        if row is not None:
            raise DuplicateRecordError(f"already has a {kind} in period {row[0]}",
                                       item=f"ledger {ledger_id(scope)}: batch {batch}",
                                       allowed="each batch once per ledger (no double counting)")

    def _insert(self, tx: Transaction, scope: LedgerScope, period: int, kind: str, *,
                batch: str | None, mass_g: int, converted_g: int, credit_g: int,
                share: float | None, factor: float | None, origin: int, evidence: str,
                actor: str, time: dt.datetime) -> None:
        tx.execute(
            "INSERT INTO custody_ledger_entries (ledger, period, kind, batch, mass_g, "
            "converted_g, credit_g, share, conversion_factor, origin_period, evidence, actor, "
            "time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ledger_id(scope), period, kind, batch, mass_g, converted_g, credit_g, share, factor,
             origin, evidence, actor, time.isoformat()))

    def _state(self, tx: Transaction, scope: LedgerScope, period: int) -> PeriodState:
        rows = tx.execute(
            "SELECT kind, SUM(mass_g), SUM(converted_g), SUM(credit_g) "
            "FROM custody_ledger_entries WHERE ledger = ? AND period = ? GROUP BY kind",
            (ledger_id(scope), period)).fetchall()
        sums = {kind: (int(m or 0), int(c or 0), int(k or 0)) for kind, m, c, k in rows}
        closed = tx.execute("SELECT 1 FROM custody_ledger_periods WHERE ledger = ? AND "
                            "period = ?", (ledger_id(scope), period)).fetchone() is not None

        def grams(kind: str, column: int, sign: int = 1) -> int:
            return sign * sums.get(kind, (0, 0, 0))[column]

        return PeriodState(scope, period, input_g=grams("input", 0),
                           converted_g=grams("input", 1), earned_g=grams("input", 2),
                           carried_in_g=grams("carry_in", 2), claimed_g=grams("claim", 2, -1),
                           carried_out_g=grams("carry_out", 2, -1),
                           expired_g=grams("expire", 2, -1), closed=closed)

    def _remaining_by_origin(self, tx: Transaction, scope: LedgerScope,
                             period: int) -> Sequence[tuple[int, int]]:
        """Unused credits of a period by the period that earned them, oldest used first."""
        rows = tx.execute(
            "SELECT origin_period, SUM(credit_g) FROM custody_ledger_entries "
            "WHERE ledger = ? AND period = ? AND kind IN ('input', 'carry_in') "
            "GROUP BY origin_period ORDER BY origin_period", (ledger_id(scope), period)).fetchall()
        claimed = -int(tx.execute(
            "SELECT COALESCE(SUM(credit_g), 0) FROM custody_ledger_entries WHERE ledger = ? "
            "AND period = ? AND kind = 'claim'", (ledger_id(scope), period)).fetchone()[0])
        remaining = []
        for origin, amount in rows:
            used = min(int(amount), claimed)
            claimed -= used
            if int(amount) - used > 0:
                remaining.append((int(origin), int(amount) - used))
        return remaining


def _finite_in(name: str, value: float, low: float, high: float, *,
               open_low: bool = False) -> None:
    ok = isinstance(value, int | float) and math.isfinite(value) and value <= high \
        and (value > low if open_low else value >= low)
    if not ok:
        bracket = "(" if open_low else "["
        raise OptionError(f"{value!r} is out of range", item=name,
                          allowed=f"a number in {bracket}{low:g}, {high:g}]")
