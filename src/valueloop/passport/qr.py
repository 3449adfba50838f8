"""QR codes of a passport's resolver URL, written atomically as SVG or PNG with segno."""

from __future__ import annotations

import io
from pathlib import Path

import segno

from valueloop.core.errors import OptionError
from valueloop.core.tables import write_bytes
from valueloop.passport.identifiers import DEFAULT_RESOLVER, UniqueIdentifier

QR_FORMATS = (".svg", ".png")
ERROR_CORRECTION = "m"
"""Level M (about 15 % recovery): our choice for printed labels that may get scratched."""


def qr_bytes(identifier: UniqueIdentifier, kind: str, *, resolver: str = DEFAULT_RESOLVER,
             scale: int = 4) -> bytes:
    """The QR code of ``identifier``'s resolver URL as SVG or PNG bytes (``kind`` is the suffix)."""
    if kind not in QR_FORMATS:
        raise OptionError(f"cannot write a QR code as {kind or 'a file without suffix'}",
                          item="--out", allowed=", ".join(QR_FORMATS))
    code = segno.make(identifier.resolver_url(resolver), error=ERROR_CORRECTION, micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind=kind.removeprefix("."), scale=scale)
    return buffer.getvalue()


def write_qr(identifier: UniqueIdentifier, path: str | Path, *,
             resolver: str = DEFAULT_RESOLVER) -> Path:
    """Write the QR code to ``path`` (``.svg`` or ``.png``) atomically and return the path."""
    target = Path(path)
    write_bytes(target, qr_bytes(identifier, target.suffix.lower(), resolver=resolver))
    return target
