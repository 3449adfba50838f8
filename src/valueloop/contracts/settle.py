"""Settlement per period from contract events, with breach detection.

Per period (events whose time falls on a day of the period, UTC):

* delivery: ``mass_t x (copper price + premium)``, customer to supplier;
* carbon adjustment: ``mass_t x (baseline - footprint) x step`` (kg CO2e/kg equals tCO2e/t),
  customer to supplier; floored at 0 unless the contract makes it symmetric;
* take-back: ``mass_t x copper price x payable(grade)``, supplier to customer; a lot below the
  quality terms (grade not accepted, or Cu below the minimum or not reported) is a quality breach,
  is paid at the off-spec payable and does not count toward the volume;
* volume shortfall: ``max(0, committed - qualifying mass) x penalty``, customer to supplier;
* recycled-content guarantee: when the mass-weighted recycled content of the period's
  deliveries is below the guarantee, the missing recycled tonnes
  ``sum(mass) x guarantee - sum(mass x content)`` (in percent / 100) times the penalty, supplier
  to customer.

Arithmetic is in ``Decimal`` throughout. Each line's amount is rounded once, to the cent
(``0.01``, half to even); totals are sums of rounded lines, so they add up exactly as printed.
Masses and rates are not rounded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Literal

from valueloop.contracts.definition import ContractDefinition, Period
from valueloop.contracts.events import finite, moment
from valueloop.core.errors import UserInputError
from valueloop.core.tables import Table
from valueloop.log.event import Event

CENT = Decimal("0.01")
DELIVERY, TAKEBACK = "contract.delivery", "contract.takeback"
Payer = Literal["customer", "supplier"]


class ContractEventError(UserInputError):
    """A contract event whose payload lacks a field or has a value out of range."""


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Line:
    """One amount due: ``payer`` pays ``amount`` (>= 0) to the other party."""

    kind: str
    reference: str
    quantity: Decimal
    unit: str
    rate: Decimal
    amount: Decimal
    payer: Payer


@dataclass(frozen=True)
class Breach:
    kind: Literal["volume_shortfall", "quality", "recycled_content"]
    detail: str
    shortfall: Decimal
    unit: str


@dataclass(frozen=True)
class PeriodSettlement:
    period: str
    lines: tuple[Line, ...]
    breaches: tuple[Breach, ...]
    delivered_t: Decimal
    taken_back_t: Decimal
    qualifying_t: Decimal
    recycled_content_percent: Decimal | None

    @property
    def net_customer_to_supplier(self) -> Decimal:
        """What the customer owes the supplier on balance (negative: the supplier owes)."""
        return sum((line.amount if line.payer == "customer" else -line.amount
                    for line in self.lines), Decimal(0))

    def to_record(self) -> dict[str, Any]:
        return {
            "period": self.period, "delivered_t": str(self.delivered_t),
            "taken_back_t": str(self.taken_back_t), "qualifying_t": str(self.qualifying_t),
            "recycled_content_percent": None if self.recycled_content_percent is None
            else str(self.recycled_content_percent),
            "net_customer_to_supplier": str(self.net_customer_to_supplier),
            "lines": [{"kind": x.kind, "reference": x.reference, "quantity": str(x.quantity),
                       "unit": x.unit, "rate": str(x.rate), "amount": str(x.amount),
                       "payer": x.payer} for x in self.lines],
            "breaches": [{"kind": b.kind, "detail": b.detail, "shortfall": str(b.shortfall),
                          "unit": b.unit} for b in self.breaches],
        }


@dataclass(frozen=True)
class Settlement:
    contract: str
    currency: str
    periods: tuple[PeriodSettlement, ...]
    unassigned: int = 0
    """Contract events whose time falls in no period (ignored)."""
    notes: tuple[str, ...] = field(default=())

    def tables(self) -> tuple[Table, Table, Table]:
        summary = Table(
            f"Settlement of {self.contract} ({self.currency})",
            ("period", "delivered_t", "taken_back_t", "qualifying_t",
             "recycled_content_percent", "breaches", "net_customer_to_supplier"),
            tuple((p.period, float(p.delivered_t), float(p.taken_back_t),
                   float(p.qualifying_t), None if p.recycled_content_percent is None
                   else float(p.recycled_content_percent), len(p.breaches),
                   str(p.net_customer_to_supplier)) for p in self.periods),
            notes=(*self.notes, "Amounts rounded per line to 0.01, half to even.",
                   *((f"{self.unassigned} contract event(s) outside every period ignored.",)
                     if self.unassigned else ())))
        lines = Table("Lines", ("period", "kind", "reference", "quantity", "unit", "rate",
                                "amount", "payer"),
                      tuple((p.period, x.kind, x.reference, float(x.quantity), x.unit,
                             str(x.rate), str(x.amount), x.payer)
                            for p in self.periods for x in p.lines))
        breaches = Table("Breaches", ("period", "kind", "detail", "shortfall", "unit"),
                         tuple((p.period, b.kind, b.detail, float(b.shortfall), b.unit)
                               for p in self.periods for b in p.breaches))
        return summary, lines, breaches


def _number(event: Event, index: int, name: str, *, required: bool = True,
            low: Decimal | None = Decimal(0), high: Decimal | None = None) -> Decimal | None:
    value = event.payload.get(name)
    item = f"event {index} ({event.type}) payload.{name}"
    if value is None:
        if required:
            raise ContractEventError("is missing", item=item, allowed="a number")
        return None
    if not finite(value):
        raise ContractEventError(f"{value!r} is not a finite number", item=item)
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if number == number.to_integral_value():
        # 90 and 90.0 are one JSON number (the log stores RFC 8785's 90); read them alike
        number = number.quantize(Decimal(1))
    if (low is not None and number < low) or (high is not None and number > high):
        raise ContractEventError(f"{value} is out of range", item=item,
                                 allowed=f"{low} to {high if high is not None else 'any'}")
    return number


def _reference(event: Event, index: int) -> str:
    lot = event.payload.get("lot")
    return str(lot) if lot is not None else f"event {index}"


def settle(contract: ContractDefinition, events: Iterable[Event],
           period: str | None = None) -> Settlement:
    """Settle every period of ``contract`` (or only ``period``) from ``events``.

    Events of other subjects and other types are ignored: a log carries many kinds.
    """
    periods = contract.periods
    if period is not None:
        periods = tuple(p for p in periods if p.id == period)
        if not periods:
            raise ContractEventError(f"no period {period!r} in contract {contract.id}",
                                     item="--period",
                                     allowed=", ".join(p.id for p in contract.periods))
    mine = [(i, e) for i, e in enumerate(events, start=1)
            if e.subject == contract.id and e.type in (DELIVERY, TAKEBACK)]
    by_period: dict[str, list[tuple[int, Event]]] = {p.id: [] for p in contract.periods}
    unassigned = 0
    for index, event in mine:
        found = contract.period(moment(event).date())
        if found is None:
            unassigned += 1
        else:
            by_period[found.id].append((index, event))
    return Settlement(contract.id, contract.currency,
                      tuple(_settle_period(contract, p, by_period[p.id]) for p in periods),
                      unassigned)


def _settle_period(contract: ContractDefinition, period: Period,
                   events: list[tuple[int, Event]]) -> PeriodSettlement:
    terms, prices = contract.takeback, contract.delivery
    price = period.reference_copper_price
    lines: list[Line] = []
    breaches: list[Breach] = []
    delivered = recycled_mass = taken = qualifying = Decimal(0)
    for index, event in events:
        mass = _number(event, index, "mass_t", low=Decimal(0))
        assert mass is not None  # required=True
        reference = _reference(event, index)
        if event.type == DELIVERY:
            footprint = _number(event, index, "footprint_kgco2e_per_kg")
            content = _number(event, index, "recycled_content_percent", high=Decimal(100))
            assert footprint is not None and content is not None
            delivered += mass
            recycled_mass += mass * content
            unit_price = price + prices.premium_per_t
            lines.append(Line("delivery", reference, mass, "t", unit_price,
                              cents(mass * unit_price), "customer"))
            saved = mass * (prices.baseline_footprint_kgco2e_per_kg - footprint)
            if not prices.carbon_symmetric:
                saved = max(saved, Decimal(0))
            if saved != 0:
                amount = cents(saved * prices.carbon_step_per_tco2e)
                lines.append(Line("carbon_adjustment", reference, saved, "tCO2e saved",
                                  prices.carbon_step_per_tco2e, abs(amount),
                                  "customer" if amount >= 0 else "supplier"))
        else:
            grade = event.payload.get("grade")
            cu = _number(event, index, "cu_percent", required=False, high=Decimal(100))
            taken += mass
            problems = []
            if grade not in terms.accepted_grades:
                problems.append(f"grade {grade!r} not accepted")
            if terms.min_cu_percent is not None and (cu is None or cu < terms.min_cu_percent):
                problems.append(f"Cu {cu if cu is not None else 'not reported'} below "
                                f"{terms.min_cu_percent} %")
            if problems:
                breaches.append(Breach("quality", f"{reference}: {'; '.join(problems)}",
                                       mass, "t"))
                payable = terms.off_spec_payable
            else:
                qualifying += mass
                payable = terms.payables[str(grade)]
            rate = price * payable
            lines.append(Line("takeback", reference, mass, "t", rate, cents(mass * rate),
                              "supplier"))
    shortfall = max(terms.min_mass_t - qualifying, Decimal(0))
    if shortfall > 0:
        breaches.append(Breach("volume_shortfall",
                               f"{qualifying} t qualifying of {terms.min_mass_t} t committed",
                               shortfall, "t"))
        lines.append(Line("volume_shortfall_penalty", period.id, shortfall, "t",
                          terms.shortfall_penalty_per_t,
                          cents(shortfall * terms.shortfall_penalty_per_t), "customer"))
    content_percent = None
    if delivered > 0:
        content_percent = recycled_mass / delivered
        guarantee = prices.recycled_content_min_percent
        if content_percent < guarantee:
            missing = (delivered * guarantee - recycled_mass) / 100
            breaches.append(Breach(
                "recycled_content",
                f"{content_percent:.4f} % recycled against {guarantee} % guaranteed",
                missing, "t recycled copper"))
            lines.append(Line("recycled_content_penalty", period.id, missing, "t",
                              prices.recycled_shortfall_penalty_per_t,
                              cents(missing * prices.recycled_shortfall_penalty_per_t),
                              "supplier"))
    return PeriodSettlement(period.id, tuple(lines), tuple(breaches), delivered, taken,
                            qualifying, content_percent)
