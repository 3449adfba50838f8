"""Contract definitions (TOML), validated once into frozen pydantic models.

Money and rates are ``Decimal`` (read from the TOML text exactly: TOML floats are converted
through their shortest ``repr``, so ``9000.10`` stays ``9000.10``). Masses are tonnes, footprints
kg CO2e per kg (numerically tCO2e per t), shares in percent.
"""

from __future__ import annotations

import datetime as dt
import itertools
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from valueloop.core.errors import MalformedFileError

Money = Decimal


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Parties(Frozen):
    supplier: str = Field(min_length=1)
    """Delivers copper product and takes back scrap (the actor id in events)."""
    customer: str = Field(min_length=1)
    """Receives copper product and returns scrap."""


class Period(Frozen):
    id: str = Field(min_length=1)
    start: dt.date
    end: dt.date
    """Last day of the period, inclusive."""
    reference_copper_price: Money = Field(gt=0)
    """Copper price per tonne for the period, in the contract currency."""

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError(f"period {self.id} ends before it starts")
        return self

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


class TakeBack(Frozen):
    """The customer's take-back commitment and the quality terms of returned scrap."""

    min_mass_t: Decimal = Field(ge=0)
    """Mass of scrap meeting the quality terms to return per period."""
    accepted_grades: tuple[str, ...] = Field(min_length=1)
    min_cu_percent: Decimal | None = Field(default=None, ge=0, le=100)
    payables: dict[str, Decimal]
    """Share of the period's copper price paid per tonne of scrap, by grade."""
    off_spec_payable: Decimal = Field(ge=0, le=1)
    """Share paid for scrap below the quality terms (it also does not count toward volume)."""
    shortfall_penalty_per_t: Money = Field(ge=0)

    @model_validator(mode="after")
    def _payables(self) -> TakeBack:
        missing = [g for g in self.accepted_grades if g not in self.payables]
        if missing:
            raise ValueError(f"accepted grades without a payable: {', '.join(missing)}")
        if any(not Decimal(0) <= p <= Decimal(1) for p in self.payables.values()):
            raise ValueError("payables are shares of the copper price, between 0 and 1")
        return self


class Delivery(Frozen):
    """Price of product delivered to the customer, and the guarantees attached."""

    premium_per_t: Money
    """Fabrication premium over the period's copper price, per tonne."""
    baseline_footprint_kgco2e_per_kg: Decimal = Field(ge=0)
    carbon_step_per_tco2e: Money = Field(ge=0)
    """Price step per tonne CO2e saved against the baseline, paid to the supplier."""
    carbon_symmetric: bool = False
    """Whether a footprint above the baseline lowers the price (otherwise floored at 0)."""
    recycled_content_min_percent: Decimal = Field(ge=0, le=100)
    """Guaranteed mass-weighted recycled content of the period's deliveries."""
    recycled_shortfall_penalty_per_t: Money = Field(ge=0)
    """Penalty per tonne of recycled copper missing against the guarantee."""


class ContractDefinition(Frozen):
    id: str = Field(min_length=1)
    title: str
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    parties: Parties
    periods: tuple[Period, ...] = Field(min_length=1)
    takeback: TakeBack
    delivery: Delivery
    note: str | None = None

    @model_validator(mode="after")
    def _periods(self) -> ContractDefinition:
        ids = [p.id for p in self.periods]
        if len(set(ids)) != len(ids):
            raise ValueError("period ids repeat")
        spans = sorted(self.periods, key=lambda p: p.start)
        for before, after in itertools.pairwise(spans):
            if after.start <= before.end:
                raise ValueError(f"periods {before.id} and {after.id} overlap")
        return self

    def period(self, day: dt.date) -> Period | None:
        return next((p for p in self.periods if p.contains(day)), None)


def _decimals(value: Any) -> Any:
    # TOML floats become binary floats; repr gives their shortest decimal form, which is what
    # the author wrote, so Decimal(repr(x)) recovers it exactly.
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimals(v) for v in value]
    return value


def load_contract(path: str | Path) -> ContractDefinition:
    """Read and validate a contract TOML file; errors name the file and the field."""
    file = Path(path)
    try:
        raw = tomllib.loads(file.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise MalformedFileError(f"cannot be read ({exc.__class__.__name__})", file=file) from None
    except tomllib.TOMLDecodeError as exc:
        raise MalformedFileError(f"is not valid TOML ({exc})", file=file) from None
    try:
        return ContractDefinition.model_validate(_decimals(raw))
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "contract"
        raise MalformedFileError(str(error["msg"]).removeprefix("Value error, "), file=file,
                                 item=where) from None
