"""Charts of sensitivity results, written as PNG or SVG.

Figures are built with :class:`matplotlib.figure.Figure` directly rather than through pyplot, so
no global figure registry or backend switch is touched, and rendered to memory before being
written atomically with :func:`valueloop.core.tables.write_bytes`.

``labels`` lets a caller replace any text: ``"title"`` and ``"xlabel"`` for the chart's title and
value axis, and a factor's name for the label of its bar (for translated or shorter names).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import EngFormatter, MaxNLocator

from valueloop.core.errors import OptionError
from valueloop.core.sensitivity import SobolResult, TornadoResult
from valueloop.core.tables import write_bytes

FORMATS = {".png": "png", ".svg": "svg"}
_LOW_COLOUR = "#4c72b0"
_HIGH_COLOUR = "#dd8452"
_ROW_INCHES = 0.4
_BASE_INCHES = 1.6
_WIDTH_INCHES = 7.5
_DPI = 150


def tornado_chart(result: TornadoResult, path: str | Path,
                  labels: Mapping[str, str] | None = None) -> Path:
    """Draw the tornado of ``result``: each factor's output range around the baseline.

    Bars run from the baseline to the output with the factor at its low quantile (one colour)
    and at its high quantile (the other); the largest swing is on top.

    Parameters
    ----------
    result
        From :func:`valueloop.core.sensitivity.tornado`.
    path
        Target file; its suffix (``.png`` or ``.svg``) sets the format.
    labels
        Optional replacement texts (see the module docstring).

    Returns
    -------
    Path
        The file written.
    """
    target, fmt = _target(path)
    text = dict(labels or {})
    bars = result.bars
    figure = _figure(len(bars))
    axes = figure.add_subplot()
    positions = np.arange(len(bars))[::-1]
    low_q, high_q = result.quantiles
    axes.barh(positions, [b.output_low - result.baseline for b in bars], left=result.baseline,
              color=_LOW_COLOUR, label=f"factor at its {low_q:g} quantile")
    axes.barh(positions, [b.output_high - result.baseline for b in bars], left=result.baseline,
              color=_HIGH_COLOUR, label=f"factor at its {high_q:g} quantile")
    axes.axvline(result.baseline, color="black", linewidth=0.8)
    axes.set_yticks(positions, [f"{text.get(b.factor, b.factor)}\n"
                                f"{b.low:.4g} to {b.high:.4g} {_unit(b.unit)}".rstrip()
                                for b in bars])
    axes.set_xlabel(text.get("xlabel", f"{result.output} {_unit(result.unit)}".rstrip()))
    axes.set_title(text.get("title", f"Tornado of {result.output}\n{result.scenario}, "
                                     f"baseline {result.baseline:.4g}"), fontsize="medium")
    _readable_ticks(axes)
    if bars:
        axes.legend(loc="best", fontsize="small")
    return _save(figure, target, fmt)


def sobol_chart(result: SobolResult, path: str | Path,
                labels: Mapping[str, str] | None = None) -> Path:
    """Draw first-order and total Sobol' indices per factor, with their confidence widths.

    Factors are sorted by total index, the largest on top.

    Parameters
    ----------
    result
        From :func:`valueloop.core.sensitivity.sobol_indices`.
    path
        Target file; its suffix (``.png`` or ``.svg``) sets the format.
    labels
        Optional replacement texts (see the module docstring).

    Returns
    -------
    Path
        The file written.
    """
    target, fmt = _target(path)
    text = dict(labels or {})
    order = np.argsort(-result.ST, kind="stable")
    figure = _figure(len(order))
    axes = figure.add_subplot()
    positions = np.arange(len(order))[::-1]
    height = 0.4
    axes.barh(positions + height / 2, result.S1[order], height, xerr=result.S1_conf[order],
              color=_LOW_COLOUR, label="first order (S1)", capsize=2)
    axes.barh(positions - height / 2, result.ST[order], height, xerr=result.ST_conf[order],
              color=_HIGH_COLOUR, label="total (ST)", capsize=2)
    axes.set_yticks(positions, [text.get(result.factors[i], result.factors[i]) for i in order])
    axes.set_xlim(left=min(0.0, float(np.min(result.S1 - result.S1_conf, initial=0.0))))
    axes.set_xlabel(text.get("xlabel", "Sobol' index"))
    axes.set_title(text.get("title", f"Sobol' indices of {result.output}\n{result.scenario}, "
                                     f"N = {result.n}"), fontsize="medium")
    axes.legend(loc="best", fontsize="small")
    return _save(figure, target, fmt)


def _target(path: str | Path) -> tuple[Path, str]:
    target = Path(path)
    fmt = FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise OptionError(f"cannot write a chart as {target.suffix or 'a file without suffix'}",
                          item=str(target), allowed=", ".join(FORMATS))
    return target, fmt


def _figure(rows: int) -> Figure:
    return Figure(figsize=(_WIDTH_INCHES, _BASE_INCHES + _ROW_INCHES * max(rows, 1)),
                  layout="constrained")


def _unit(unit: str) -> str:
    return "" if unit == "dimensionless" else f"[{unit}]"


def _readable_ticks(axes: Axes) -> None:
    # Large outputs (tonnes, CNY) otherwise print as crowded six-digit ticks.
    axes.xaxis.set_major_locator(MaxNLocator(nbins=5))
    axes.xaxis.set_major_formatter(EngFormatter(sep=""))


def _save(figure: Figure, target: Path, fmt: str) -> Path:
    buffer = io.BytesIO()
    # A creation date in the SVG would make identical charts differ byte for byte.
    metadata = {"Date": None} if fmt == "svg" else None
    figure.savefig(buffer, format=fmt, dpi=_DPI, metadata=metadata)
    write_bytes(target, buffer.getvalue())
    return target
