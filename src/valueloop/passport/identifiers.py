"""Unique identifiers compatible with ISO/IEC 15459 and the resolver URL that a QR code carries.

An ISO/IEC 15459 unique identifier is the concatenation of an Issuing Agency Code (IAC, assigned
by the registration authority, AIM), a Company Identification Number (CIN, assigned by that
issuing agency) and a serial that the company makes unique within its CIN. Art. 77(3) of
Regulation (EU) 2023/1542 requires the battery passport identifier to comply with ISO/IEC 15459
(reference note §1.3).

The concatenated form cannot be split again without knowing the agency's CIN length, so the text
form we parse and print keeps the three parts apart: ``IAC:CIN:SERIAL``.

Limits (our assumption, to verify against ISO/IEC 15459-4:2014 §5.2 and §5.3, whose text was not
read): at most 50 characters in the concatenated identifier; upper-case letters A-Z and digits in
the IAC and CIN; A-Z, 0-9, ``-`` and ``/`` in the serial; an IAC of one to three characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from valueloop.passport.errors import IdentifierError

MAX_LENGTH = 50
"""Maximum characters of IAC + CIN + serial (assumption, see the module docstring)."""
DEFAULT_RESOLVER = "https://id.example.org/passport"
"""Resolver base used when none is configured (our placeholder; configure your own)."""

_IAC = re.compile(r"[A-Z0-9]{1,3}")
_CIN = re.compile(r"[A-Z0-9]{1,20}")
_SERIAL = re.compile(r"[A-Z0-9][A-Z0-9/-]*")
_ALLOWED = "IAC:CIN:SERIAL, e.g. LA:VLOOP:BAT-0001 (A-Z, 0-9; '-' and '/' in the serial)"


@dataclass(frozen=True, order=True)
class UniqueIdentifier:
    """One ISO/IEC 15459-style identifier: issuing agency, company, serial."""

    iac: str
    cin: str
    serial: str

    def __post_init__(self) -> None:
        for name, value, pattern in (("issuing agency code", self.iac, _IAC),
                                     ("company identification number", self.cin, _CIN),
                                     ("serial", self.serial, _SERIAL)):
            if not pattern.fullmatch(value):
                raise IdentifierError(f"bad {name} {value!r}", item="identifier",
                                      allowed=_ALLOWED)
        if len(self.uii) > MAX_LENGTH:
            raise IdentifierError(f"{self.uii!r} has {len(self.uii)} characters",
                                  item="identifier", allowed=f"at most {MAX_LENGTH}")

    @property
    def uii(self) -> str:
        """The concatenated identifier as ISO/IEC 15459 encodes it in a data carrier."""
        return f"{self.iac}{self.cin}{self.serial}"

    def __str__(self) -> str:
        return f"{self.iac}:{self.cin}:{self.serial}"

    def resolver_url(self, base: str = DEFAULT_RESOLVER) -> str:
        """The URL a QR code points to: ``{base}/{IAC}/{CIN}/{SERIAL}``."""
        if not base.startswith(("https://", "http://")):
            raise IdentifierError(f"resolver base {base!r} is not an HTTP(S) URL",
                                  item="resolver", allowed="https://host/path")
        return "/".join((base.rstrip("/"), self.iac, self.cin, quote(self.serial, safe="")))


def parse_identifier(text: str) -> UniqueIdentifier:
    """Parse ``IAC:CIN:SERIAL``; raises :class:`IdentifierError` naming what is wrong."""
    parts = text.strip().split(":")
    if len(parts) != 3:
        raise IdentifierError(f"{text!r} does not have three parts", item="identifier",
                              allowed=_ALLOWED)
    return UniqueIdentifier(*parts)


def is_valid_identifier(text: str) -> bool:
    """Whether ``text`` parses as an identifier."""
    try:
        parse_identifier(text)
    except IdentifierError:
        return False
    return True
