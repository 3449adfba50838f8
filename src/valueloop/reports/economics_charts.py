"""Charts of the economics commands (cost, carbon, invest, locate), as inline SVG strings.

Same conventions as :mod:`valueloop.reports.outlook_charts`, whose drawing helpers they share:
no pyplot, deterministic bytes, English text inside the chart (the bilingual caption lives in the
HTML), NaN leaves a gap rather than failing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.colors import TwoSlopeNorm
from numpy.typing import ArrayLike

from valueloop.core.sensitivity import TornadoBar, TornadoResult
from valueloop.reports.outlook_charts import (
    _INK,
    Title,
    _colours,
    _latin,
    _legend_below,
    _single,
    _style,
    _title,
    figure_svg,
)


def stacked_bars(categories: Sequence[str], components: Sequence[str], values: ArrayLike,
                 unit: str, title: Title, *, totals: ArrayLike | None = None) -> str:
    """One horizontal bar per category, split into components (a cost or footprint breakdown).

    ``values`` has shape ``(len(categories), len(components))``. Negative parts (a credit) are
    drawn to the left of zero. ``totals``, if given, is printed at the end of each bar.
    """
    table = np.asarray(values, dtype=float)
    if table.shape != (len(categories), len(components)):
        raise ValueError(f"values have shape {table.shape}; ({len(categories)}, "
                         f"{len(components)}) is needed, one row per category")
    names = [_latin(str(c), "category") for c in categories]
    figure, axes = _single(1.6 + 0.45 * max(len(names), 1))
    positions = np.arange(len(names))[::-1].astype(float)
    right = np.zeros(len(names))
    left = np.zeros(len(names))
    handles = []
    for k, colour in enumerate(_colours(len(components))):
        part = np.nan_to_num(table[:, k])
        start = np.where(part >= 0, right, left)
        bars = axes.barh(positions, part, 0.6, left=start, color=colour,
                         label=_latin(str(components[k]), "component"))
        handles.append(bars)
        right = np.where(part >= 0, right + part, right)
        left = np.where(part < 0, left + part, left)
    if totals is not None:
        for y, total, end in zip(positions, np.asarray(totals, dtype=float), right, strict=True):
            if np.isfinite(total):
                axes.text(end, y, f" {total:,.3g}", va="center", fontsize="small", color=_INK)
    axes.set_yticks(positions, names)
    axes.tick_params(axis="y", length=0)
    axes.axvline(0.0, color=_INK, linewidth=0.8)
    _style(axes, grid_axis="x")
    axes.set_xlabel(_latin(unit, "unit"))
    axes.set_title(_title(title), fontsize="medium", loc="left")
    _legend_below(figure, handles, [h.get_label() for h in handles], "")
    return figure_svg(figure)


def lines(x: ArrayLike, series: Mapping[str, ArrayLike], xlabel: str, unit: str, title: Title,
          *, zero_line: bool = False, markers: bool = True) -> str:
    """A few named series against a shared x axis (carbon-price sweep, margins by year)."""
    xs = np.asarray(x, dtype=float)
    figure, axes = _single(3.6)
    handles = []
    for (name, values), colour in zip(series.items(), _colours(len(series)), strict=True):
        ys = np.asarray(values, dtype=float)
        if ys.shape != xs.shape:
            raise ValueError(f"series {name!r} has shape {ys.shape}; {xs.shape} is needed")
        (line,) = axes.plot(xs, ys, color=colour, linewidth=1.8, marker="o" if markers else None,
                            markersize=3, label=_latin(str(name), "series name"))
        handles.append(line)
    if zero_line:
        axes.axhline(0.0, color=_INK, linewidth=0.8)
    _style(axes)
    axes.set_xlabel(_latin(xlabel, "axis label"))
    axes.set_ylabel(_latin(unit, "unit"))
    axes.set_title(_title(title), fontsize="medium", loc="left")
    _legend_below(figure, handles, [h.get_label() for h in handles], "")
    return figure_svg(figure)


def sign_grid(columns: Sequence[int | str], rows: Sequence[str], values: ArrayLike, unit: str,
              title: Title) -> str:
    """A grid of values coloured by sign around zero (NPV by start year and price path).

    Blue cells are positive, red negative; each cell prints its value, so the chart reads in
    grey scale too.
    """
    grid = np.asarray(values, dtype=float)
    if grid.shape != (len(rows), len(columns)):
        raise ValueError(f"values have shape {grid.shape}; ({len(rows)}, {len(columns)}) needed")
    figure, axes = _single(1.4 + 0.42 * max(len(rows), 1))
    finite = grid[np.isfinite(grid)]
    extent = float(np.max(np.abs(finite))) if finite.size else 1.0
    norm = TwoSlopeNorm(vmin=-extent or -1.0, vcenter=0.0, vmax=extent or 1.0)
    axes.imshow(np.ma.masked_invalid(grid), cmap="RdBu", norm=norm, aspect="auto")
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            if np.isfinite(grid[i, j]):
                axes.text(j, i, f"{grid[i, j]:.3g}", ha="center", va="center", fontsize=6.5,
                          color=_INK)
    axes.set_xticks(np.arange(len(columns)), [str(c) for c in columns], fontsize="small")
    axes.set_yticks(np.arange(len(rows)), [_latin(str(r), "row label") for r in rows],
                    fontsize="small")
    axes.set_title(_title(title) + f" ({_latin(unit, 'unit')})", fontsize="medium", loc="left")
    return figure_svg(figure)


def cost_curve(labels: Sequence[str], widths: ArrayLike, heights: ArrayLike, xlabel: str,
               unit: str, title: Title) -> str:
    """A marginal abatement cost curve: bars as wide as the abatement, as tall as its cost.

    Bars are drawn in the order given (sort them by cost first); negative heights are savings.
    """
    w = np.asarray(widths, dtype=float)
    h = np.asarray(heights, dtype=float)
    if w.shape != (len(labels),) or h.shape != (len(labels),):
        raise ValueError("widths and heights need one value per label")
    figure, axes = _single(3.6)
    left = np.concatenate([[0.0], np.cumsum(np.nan_to_num(w))[:-1]])
    colours = _colours(len(labels))
    handles = []
    for i, name in enumerate(labels):
        bar = axes.bar(left[i], h[i], width=w[i], align="edge", color=colours[i],
                       edgecolor="white", linewidth=0.6, label=_latin(str(name), "label"))
        handles.append(bar)
    axes.axhline(0.0, color=_INK, linewidth=0.8)
    _style(axes)
    axes.set_xlabel(_latin(xlabel, "axis label"))
    axes.set_ylabel(_latin(unit, "unit"))
    axes.set_title(_title(title), fontsize="medium", loc="left")
    _legend_below(figure, handles, [b.get_label() for b in handles], "")
    return figure_svg(figure)

def range_bars(categories: Sequence[str], bands: ArrayLike, baseline: ArrayLike, unit: str,
               title: str) -> str:
    """Horizontal P10-P90 bars with a P50 tick and a baseline dot, one row per category.

    ``bands`` is ``(3, len(categories))``: P10, P50, P90.
    """
    low, mid, high = np.asarray(bands, dtype=float)
    names = [_latin(str(c), "category") for c in categories]
    figure, axes = _single(1.6 + 0.45 * max(len(names), 1))
    y = np.arange(len(names))[::-1].astype(float)
    colour, dot = _colours(2)
    span = axes.barh(y, high - low, 0.5, left=low, color=colour, alpha=0.45,
                     label="P10 to P90")
    (median,) = axes.plot(mid, y, linestyle="none", marker="|", markersize=14,
                          markeredgewidth=2.2, color=colour, label="P50")
    (point,) = axes.plot(np.asarray(baseline, dtype=float), y, linestyle="none", marker="o",
                         markersize=5, color=dot, label="baseline")
    axes.axvline(0.0, color=_INK, linewidth=0.8)
    axes.set_yticks(y, names)
    axes.tick_params(axis="y", length=0)
    _style(axes, grid_axis="x")
    axes.set_xlabel(_latin(unit, "unit"))
    axes.set_title(_title(title), fontsize="medium", loc="left")
    handles = [span, median, point]
    _legend_below(figure, handles, [h.get_label() for h in handles], "")
    return figure_svg(figure)


def tornado_bars(result: TornadoResult, scale: float, unit: str, title: str, *,
                 bars: Sequence[TornadoBar] | None = None, strip_prefix: str = "",
                 top: int = 10) -> str:
    """The ``top`` largest swings of a tornado as bars from the baseline (divided by ``scale``),
    as an SVG string; ``bars`` picks which (default: all, largest first), ``strip_prefix``
    shortens the factor names."""
    shown = list(result.bars if bars is None else bars)[:top]
    base = result.baseline / scale
    names = [_latin(b.factor.removeprefix(strip_prefix), "factor") for b in shown]
    figure, axes = _single(1.6 + 0.4 * max(len(names), 1))
    y = np.arange(len(names))[::-1].astype(float)
    low_colour, high_colour = _colours(2)
    lows = axes.barh(y, [b.output_low / scale - base for b in shown], 0.6, left=base,
                     color=low_colour, label=f"input at P{result.quantiles[0] * 100:g}")
    highs = axes.barh(y, [b.output_high / scale - base for b in shown], 0.6, left=base,
                      color=high_colour, label=f"input at P{result.quantiles[1] * 100:g}")
    axes.axvline(base, color=_INK, linewidth=0.8)
    axes.set_yticks(y, names)
    axes.tick_params(axis="y", length=0)
    _style(axes, grid_axis="x")
    axes.set_xlabel(_latin(unit, "unit"))
    axes.set_title(_title(title), fontsize="medium", loc="left")
    _legend_below(figure, [lows, highs], [lows.get_label(), highs.get_label()], "")
    return figure_svg(figure)
