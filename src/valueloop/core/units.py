"""The domain's unit registry, and conversions that must never happen silently.

pint is used at the boundary only: when a scenario is loaded each value is converted once to the
unit its model declares, and the models then compute on bare float arrays.

Currencies are separate dimensions (``[currency_CNY]``, ``[currency_USD]``, ``[currency_EUR]``), so
``CNY`` cannot be added to ``USD`` by accident; :func:`convert_currency` converts through an
explicit, dated :class:`ExchangeRate`. Greenhouse-gas mass is its own dimension (``[co2e]``) so
that a tonne of CO2e is never added to a tonne of cobalt.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import cache

import pint
from pydantic import BaseModel, ConfigDict, Field

from valueloop.core.errors import DimensionError, UserInputError
from valueloop.core.sources import Citation

# Each line is a pint definition. Chinese statistical units (万吨, 万元) are common in the seed
# reports, so they get ASCII names here.
_DOMAIN_DEFINITIONS = """
kt = 1e3 * t
Mt = 1e6 * t
wan_t = 1e4 * t
Wh = watt * hour
kWh = 1e3 * Wh
MWh = 1e6 * Wh
GWh = 1e9 * Wh
TWh = 1e12 * Wh
gCO2e = [co2e]
kgCO2e = 1e3 * gCO2e
tCO2e = 1e6 * gCO2e
ktCO2e = 1e9 * gCO2e
MtCO2e = 1e12 * gCO2e
IACS = 58e6 * siemens / meter
CNY = [currency_CNY]
wan_CNY = 1e4 * CNY
yi_CNY = 1e8 * CNY
USD = [currency_USD]
EUR = [currency_EUR]
vehicle = [vehicle]
tce = 29.3076e9 * joule
"""


@cache
def unit_registry() -> pint.UnitRegistry:
    """The one registry for the domain; built once, never modified afterwards."""
    registry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True, cache_folder=None)
    for definition in _DOMAIN_DEFINITIONS.strip().splitlines():
        registry.define(definition)
    return registry


def parse_unit(text: str, *, item: str | None = None) -> pint.Unit:
    """Parse a unit string, raising a :class:`UserInputError` that names the item on failure."""
    registry = unit_registry()
    try:
        return registry.Unit(_normalise(text))
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, ValueError,
            AttributeError, TypeError, AssertionError) as exc:
        raise DimensionError(
            f"unit {text!r} is not a known unit ({exc})",
            item=item,
            allowed="pint unit strings such as 't', 'kt/yr', 'CNY/t', 'kWh', 'tCO2e/t', '%IACS'",
        ) from None


def _normalise(text: str) -> str:
    stripped = text.strip()
    if stripped in ("", "1", "dimensionless"):
        return "dimensionless"
    return stripped


def conversion_factor(from_unit: str, to_unit: str, *, item: str | None = None) -> float:
    """Multiplicative factor from ``from_unit`` to ``to_unit``; a dimension error names the item.

    Offset units (degC) are rejected here because a factor cannot express them; use
    :func:`convert_value` for a single value.
    """
    source, target = parse_unit(from_unit, item=item), parse_unit(to_unit, item=item)
    _require_same_dimension(source, target, from_unit, to_unit, item)
    registry = unit_registry()
    # _is_multiplicative, not _ok_for_muldiv(): the latter is always true with autoconvert
    for unit, text in ((source, from_unit), (target, to_unit)):
        if not registry.Quantity(1.0, unit)._is_multiplicative:
            raise DimensionError(
                f"unit {text!r} has an offset, so it cannot be scaled",
                item=item, allowed="absolute units such as K",
            )
    return float(registry.Quantity(1.0, source).to(target).magnitude)


def convert_value(value: float, from_unit: str, to_unit: str, *, item: str | None = None) -> float:
    """Convert one value, offset units included."""
    source, target = parse_unit(from_unit, item=item), parse_unit(to_unit, item=item)
    _require_same_dimension(source, target, from_unit, to_unit, item)
    return float(unit_registry().Quantity(value, source).to(target).magnitude)


def _require_same_dimension(
    source: pint.Unit, target: pint.Unit, from_unit: str, to_unit: str, item: str | None
) -> None:
    if source.dimensionality != target.dimensionality:
        raise DimensionError(
            f"unit {from_unit!r} has dimension {_dimension_text(source)}, "
            f"but {_dimension_text(target)} is required",
            item=item,
            allowed=f"units convertible to {to_unit!r}",
        )


def _dimension_text(unit: pint.Unit) -> str:
    dims = unit.dimensionality
    return str(dims) if dims else "dimensionless"


def same_dimension(unit_a: str, unit_b: str) -> bool:
    return parse_unit(unit_a).dimensionality == parse_unit(unit_b).dimensionality


# --- currencies -----------------------------------------------------------------------------

CURRENCIES = ("CNY", "USD", "EUR")


class ExchangeRate(BaseModel):
    """``rate`` units of ``quote`` buy one unit of ``base`` on ``date`` (or as a period average)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base: str
    quote: str
    rate: float = Field(gt=0)
    date: dt.date
    basis: str = "period average"
    source: Citation


def convert_currency(amount: float, from_currency: str, to_currency: str,
                     rate: ExchangeRate) -> float:
    """Convert money with an explicit, dated rate; refuses a rate for another currency pair."""
    for code in (from_currency, to_currency):
        if code not in CURRENCIES:
            raise UserInputError(f"unknown currency {code!r}", allowed=", ".join(CURRENCIES))
    if from_currency == to_currency:
        return amount
    if (from_currency, to_currency) == (rate.base, rate.quote):
        return amount * rate.rate
    if (from_currency, to_currency) == (rate.quote, rate.base):
        return amount / rate.rate
    raise UserInputError(
        f"exchange rate {rate.base}/{rate.quote} of {rate.date} cannot convert "
        f"{from_currency} to {to_currency}",
        allowed=f"{rate.base}<->{rate.quote}",
    )


# --- compound versus contained metal ---------------------------------------------------------

ATOMIC_MASS = {  # g/mol, IUPAC 2021 standard atomic weights (abridged), rounded to 3 decimals
    "H": 1.008, "O": 15.999, "S": 32.06, "C": 12.011, "N": 14.007,
    "Co": 58.933, "Ni": 58.693, "Mn": 54.938, "Cu": 63.546, "Li": 6.94, "Fe": 55.845,
    "Al": 26.982, "P": 30.974,
}


class Compound(BaseModel):
    """A traded compound or product and how much of one metal it contains.

    ``metal_fraction`` is the mass fraction of the metal as traded (for example cobalt hydroxide
    at 31 % Co, the commercial grade, wet and impure); ``formula_mass_fraction`` is the
    stoichiometric fraction of the pure compound, kept for reference.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    metal: str
    metal_fraction: float = Field(gt=0, le=1)
    formula: str | None = None
    source: Citation

    @property
    def formula_mass_fraction(self) -> float | None:
        if self.formula is None:
            return None
        counts = _parse_formula(self.formula)
        total = sum(ATOMIC_MASS[element] * n for element, n in counts.items())
        return ATOMIC_MASS[self.metal] * counts.get(self.metal, 0) / total


def contained_metal(compound_mass: float, compound: Compound) -> float:
    """Mass of metal contained in ``compound_mass`` of the compound (same mass unit)."""
    return compound_mass * compound.metal_fraction


def compound_mass(metal_mass: float, compound: Compound) -> float:
    """Mass of compound that contains ``metal_mass`` of its metal (same mass unit)."""
    return metal_mass / compound.metal_fraction


def _parse_formula(formula: str) -> dict[str, float]:
    """Element counts of a simple formula with one level of parentheses, e.g. ``Co(OH)2``."""
    counts: dict[str, float] = {}

    def add(segment: str, multiplier: float) -> None:
        index = 0
        while index < len(segment):
            if not segment[index].isupper():
                raise UserInputError(f"cannot read formula {formula!r}")
            element = segment[index]
            index += 1
            while index < len(segment) and segment[index].islower():
                element += segment[index]
                index += 1
            digits = ""
            while index < len(segment) and (segment[index].isdigit() or segment[index] == "."):
                digits += segment[index]
                index += 1
            if element not in ATOMIC_MASS:
                raise UserInputError(f"unknown element {element!r} in formula {formula!r}")
            counts[element] = counts.get(element, 0.0) + float(digits or 1) * multiplier

    rest = formula
    while "(" in rest:
        head, _, tail = rest.partition("(")
        group, _, after = tail.partition(")")
        digits = ""
        while after and (after[0].isdigit() or after[0] == "."):
            digits, after = digits + after[0], after[1:]
        add(head, 1.0)
        add(group, float(digits or 1))
        rest = after
    add(rest, 1.0)
    if not math.isfinite(sum(counts.values())):
        raise UserInputError(f"cannot read formula {formula!r}")
    return counts
