"""Writing a materials chart (Ashby, design trade-off) to a PNG or SVG file.

The conventions of :mod:`valueloop.reports.charts`: the format comes from the file's suffix, the
figure is rendered to memory and written atomically with
:func:`valueloop.core.tables.write_bytes`. SVG output is deterministic (fixed id salt, no date or
creator), so identical charts are identical bytes, and draws glyphs as paths, so it looks the
same without any font installed (Chinese included).
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib as mpl
from matplotlib.figure import Figure

from valueloop.core.errors import OptionError
from valueloop.core.tables import write_bytes
from valueloop.reports.charts import FORMATS

_SALT = "valueloop"
_DPI = 150


def chart_target(path: str | Path, item: str) -> tuple[Path, str]:
    """The chart file and its matplotlib format.

    Raises :class:`~valueloop.core.errors.OptionError` naming ``item`` (the option or file the
    path came from) when the suffix is not one of :data:`~valueloop.reports.charts.FORMATS`.
    """
    target = Path(path)
    fmt = FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise OptionError(f"cannot write a chart as {target.suffix or 'a file without suffix'}",
                          item=item, allowed=", ".join(FORMATS))
    return target, fmt


def save_chart(figure: Figure, target: Path, fmt: str) -> Path:
    """Write ``figure`` to ``target`` in format ``fmt`` (see the module docstring)."""
    buffer = io.BytesIO()
    metadata = {"Date": None, "Creator": None} if fmt == "svg" else None
    # The id salt is only read from rcParams, hence the (briefly global, restored) rc_context.
    with mpl.rc_context({"svg.hashsalt": _SALT, "svg.fonttype": "path"}):
        figure.savefig(buffer, format=fmt, dpi=_DPI, metadata=metadata)
    write_bytes(target, buffer.getvalue())
    return target
