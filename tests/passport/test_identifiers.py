"""ISO/IEC 15459-style identifiers, resolver URLs and QR codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from valueloop.core.errors import OptionError
from valueloop.passport.errors import IdentifierError
from valueloop.passport.identifiers import MAX_LENGTH, UniqueIdentifier, parse_identifier
from valueloop.passport.qr import qr_bytes, write_qr

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@given(iac=st.text(ALNUM, min_size=1, max_size=3), cin=st.text(ALNUM, min_size=1, max_size=12),
       serial=st.text(ALNUM + "-/", min_size=1, max_size=30).filter(lambda s: s[0] in ALNUM))
def test_format_and_parse_round_trip(iac: str, cin: str, serial: str) -> None:
    identifier = UniqueIdentifier(iac, cin, serial)
    assert parse_identifier(str(identifier)) == identifier
    assert identifier.uii == iac + cin + serial


@pytest.mark.parametrize("text", ["LA:VLOOP", "la:VLOOP:1", "LA:VLOOP:", "ABCD:X:1",
                                  "LA:VLOOP:-1", "LA:VL OOP:1", "LA:VLOOP:" + "9" * MAX_LENGTH])
def test_bad_identifiers_are_user_errors(text: str) -> None:
    with pytest.raises(IdentifierError, match="identifier"):
        parse_identifier(text)


def test_resolver_url_uses_the_configured_base() -> None:
    identifier = parse_identifier("LA:VLOOP:BAT/0001")
    assert identifier.resolver_url("https://dpp.example.com/r/") == (
        "https://dpp.example.com/r/LA/VLOOP/BAT%2F0001")
    with pytest.raises(IdentifierError, match="resolver"):
        identifier.resolver_url("ftp://x")


def test_qr_codes_are_written_as_svg_and_png(tmp_path: Path) -> None:
    identifier = parse_identifier("LA:VLOOP:BAT-0001")
    svg = write_qr(identifier, tmp_path / "code.svg").read_text(encoding="utf-8")
    assert "<svg" in svg
    png = write_qr(identifier, tmp_path / "code.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["code.png", "code.svg"]
    # a different resolver is a different code
    assert qr_bytes(identifier, ".svg") != qr_bytes(identifier, ".svg",
                                                    resolver="https://other.example/p")
    with pytest.raises(OptionError, match=r"\.gif"):
        write_qr(identifier, tmp_path / "code.gif")
