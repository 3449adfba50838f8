"""Building blocks shared by the passport definitions: access tiers, tiered fields, CAS numbers.

Every field of a passport carries an access tier in its pydantic metadata (``tier``, and for
battery fields the Annex XIII point ``annex`` the tier follows from). :mod:`.tiers` reads these
when a passport is shown to an audience; nothing else decides who sees what.

Tiers and audiences follow Art. 77(2) of Regulation (EU) 2023/1542 (reference note §1.3-1.4):

* Annex XIII point 1 is public;
* point 2 is for persons with a legitimate interest *and* for notified bodies, market
  surveillance authorities and the Commission;
* point 3 is for notified bodies, market surveillance authorities and the Commission only;
* point 4 is for persons with a legitimate interest only.

So the tiers form a partial order, not a line: ``public`` is below everything,
``interest_and_authority`` is below both ``legitimate_interest`` and ``authority``, and those two
are not comparable. An audience sees exactly the tiers at or below its own.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from valueloop.core.errors import UserInputError


class Tier(StrEnum):
    """Who may read a field."""

    PUBLIC = "public"
    INTEREST_AND_AUTHORITY = "interest_and_authority"
    LEGITIMATE_INTEREST = "legitimate_interest"
    AUTHORITY = "authority"


class Audience(StrEnum):
    """Who is reading (``valueloop passport show --as``)."""

    PUBLIC = "public"
    LEGITIMATE_INTEREST = "legitimate_interest"
    AUTHORITY = "authority"


VISIBLE: dict[Audience, frozenset[Tier]] = {
    Audience.PUBLIC: frozenset({Tier.PUBLIC}),
    Audience.LEGITIMATE_INTEREST: frozenset({Tier.PUBLIC, Tier.INTEREST_AND_AUTHORITY,
                                             Tier.LEGITIMATE_INTEREST}),
    Audience.AUTHORITY: frozenset({Tier.PUBLIC, Tier.INTEREST_AND_AUTHORITY, Tier.AUTHORITY}),
}
"""The tiers at or below each audience (Art. 77(2), see the module docstring)."""

_POINT_TIER = {"1": Tier.PUBLIC, "2": Tier.INTEREST_AND_AUTHORITY, "3": Tier.AUTHORITY,
               "4": Tier.LEGITIMATE_INTEREST}


def tier_of_point(point: str) -> Tier:
    """The tier of an Annex XIII point such as ``"2(c)"`` (its leading number decides)."""
    return _POINT_TIER[point[0]]


def annex(point: str, *, alias: str | None = None, default: Any = ..., **kwargs: Any) -> Any:
    """A battery field under Annex XIII ``point``; its tier follows from the point (required
    unless a ``default`` is given)."""
    return Field(default, alias=alias, json_schema_extra={
        "tier": tier_of_point(point).value, "annex": point}, **kwargs)


def section(*, alias: str | None = None) -> Any:
    """An optional group of fields; the group itself is public, its fields carry their tiers."""
    return Field(None, alias=alias, json_schema_extra={"tier": Tier.PUBLIC.value})


def tiered(tier: Tier, *, alias: str | None = None, default: Any = ..., **kwargs: Any) -> Any:
    """A field readable from ``tier`` upwards (copper passports: our own tier choices);
    required unless a ``default`` is given."""
    return Field(default, alias=alias, json_schema_extra={"tier": tier.value}, **kwargs)


class Definition(BaseModel):
    """Base of every passport definition: frozen, no unknown fields, camelCase aliases.

    Unknown fields are refused (``extra="forbid"``) because a field without a declared tier
    could not be filtered; aliases are the upstream Battery Pass / Catena-X names so that payloads
    map one to one, and snake_case names are accepted too.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True,
                              alias_generator=to_camel, allow_inf_nan=False)


_CAS = re.compile(r"(\d{2,7})-(\d{2})-(\d)")


def check_cas(value: str) -> str:
    """A CAS Registry Number: the pattern of the schemas, no surrounding space, right check digit.

    The check digit is the sum of the other digits, each multiplied by its position counted
    from the right (1, 2, 3, ...), modulo 10 (CAS, "CAS Registry Number" check-digit rule).
    """
    match = _CAS.fullmatch(value)
    if match is None:
        raise ValueError(f"{value!r} is not a CAS number (NNNNNNN-NN-N, no spaces)")
    digits = (match[1] + match[2])[::-1]
    expected = sum(position * int(d) for position, d in enumerate(digits, start=1)) % 10
    if expected != int(match[3]):
        raise ValueError(f"CAS number {value!r} has check digit {match[3]}, expected {expected}")
    return value


def check_identifier(value: str) -> str:
    """A passport identifier in the ``IAC:CIN:SERIAL`` text form."""
    from valueloop.passport.identifiers import parse_identifier

    try:
        return str(parse_identifier(value))
    except UserInputError as exc:
        raise ValueError(exc.problem) from None


CasNumber = Annotated[str, AfterValidator(check_cas)]
IdentifierText = Annotated[str, AfterValidator(check_identifier)]
Percent = Annotated[float, Field(ge=0.0, le=100.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
