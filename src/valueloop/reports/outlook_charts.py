"""The charts of an outlook report, as SVG strings ready to inline in HTML.

Each function draws one chart kind on a :class:`matplotlib.figure.Figure` (no pyplot, so no global
figure registry or backend switch) and returns the SVG markup of the ``<svg>`` element, without
XML declaration or DOCTYPE. Output is deterministic: ids are hashed with a fixed salt, metadata
(date, creator) is left out, so the same input gives the same bytes, and a report rebuilt from the
same study is identical.

Language. The text inside a chart (title, axis labels, legend) is English only, and text with
Chinese characters is refused: matplotlib draws glyphs from its own fonts, this machine has
none that cover Chinese (``fc-list :lang=zh`` is empty), and a chart must not depend on the fonts
of the machine that made it. Glyphs are embedded as paths, so the SVG looks the same everywhere
without any font. The Chinese reader gets the same information from the bilingual figure caption
in the HTML (:class:`valueloop.reports.html.Figure`); a ``Text`` title is accepted and its English
half drawn, so the same ``Text`` can serve as title and caption.

Bands are ``(p10, p50, p90)`` triples of arrays along the x axis. NaN marks a value that does not
exist (a year before a series starts); it leaves a gap in the line and band rather than failing.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter
from numpy.typing import ArrayLike, NDArray

from valueloop.reports.i18n import Text, ui

Band = tuple[ArrayLike, ArrayLike, ArrayLike]
"""P10, P50 and P90 of one series, each an array with one value per x position."""

Title = Text | str

_WIDTH_INCHES = 7.5
_SALT = "valueloop"  # fixed, so clip-path and marker ids do not change between runs
_BAND_ALPHA = 0.22
_BAND_KEY = "line P50, band P10–P90"
_GRID = "#d9dde2"
_INK = "#1d2126"
_SUPPLY = "#1f77b4"
_DEMAND = "#d1762b"
_CAPACITY = "#5d6670"
_SURPLUS = "#2e8b57"
_DEFICIT = "#c0392b"
_WARNING = "#c0392b"
_S1_COLOUR = "#1f5f99"
_ST_COLOUR = "#9dbfe0"
# Chinese, Japanese and Korean scripts and their punctuation: no font matplotlib has draws them.
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
_PROLOG = re.compile(r"\A.*?(?=<svg[\s>])", re.DOTALL)


def fan_chart(years: ArrayLike, bands: Mapping[str, Band], unit: str, title: Title, *,
              reference: float | None = None, reference_label: str = "") -> str:
    """Series with uncertainty: a P50 line and a shaded P10–P90 band for each.

    Parameters
    ----------
    years
        The x positions (years).
    bands
        ``(p10, p50, p90)`` per series name; the name is the legend label.
    unit
        Unit of the values, shown on the value axis.
    title
        Drawn above the chart (its English text when a :class:`Text`).
    reference, reference_label
        An optional horizontal line (a target, a capacity) and its legend label.
    """
    x = _positions(years)
    figure, axes = _single(3.8)
    handles: list[object] = []
    labels: list[str] = []
    for colour, (name, band) in zip(_colours(len(bands)), bands.items(), strict=True):
        handles.append(_draw_band(axes, x, _band(band, len(x), name), colour))
        labels.append(_latin(name, "series name"))
    if reference is not None:
        handles.append(axes.axhline(reference, color=_CAPACITY, linestyle="--", linewidth=1.2))
        labels.append(_latin(reference_label or ui("reference").en, "reference label"))
    _finish(axes, x, unit, title)
    _legend_below(figure, handles, labels, _BAND_KEY)
    return figure_svg(figure)


def stacked_area(years: ArrayLike, series: Mapping[str, ArrayLike], unit: str, title: Title, *,
                 total: Band | None = None) -> str:
    """Parts of a whole over time (demand by chemistry), stacked in the order given.

    NaN counts as zero in the stack: a chemistry without a value in a year adds nothing to it.
    ``total``, when given, is drawn over the stack as the P10–P90 band and P50 of the total, so
    the stack of central values can be read against the uncertainty of the sum.
    """
    x = _positions(years)
    figure, axes = _single(4.2)
    names = [_latin(name, "series name") for name in series]
    values = [np.nan_to_num(_values(v, len(x), name), nan=0.0) for name, v in series.items()]
    colours = _colours(len(values))
    if values:
        axes.stackplot(x, np.vstack(values), colors=colours, alpha=0.9, linewidth=0.4,
                       edgecolor="white")
    # Top of the stack first, so the legend reads in the order of the coloured layers.
    handles: list[object] = [Patch(facecolor=c, alpha=0.9) for c in colours][::-1]
    labels = names[::-1]
    if total is not None:
        handles.insert(0, _draw_band(axes, x, _band(total, len(x), "total"), _INK, dashed=True))
        labels.insert(0, f"{ui('total').en} (P50, P10–P90)")
    _finish(axes, x, unit, title)
    axes.set_ylim(bottom=0.0)
    figure.legend(handles, labels, loc="outside right upper", fontsize="small", frameon=False)
    return figure_svg(figure)


def balance_chart(years: ArrayLike, supply: Band, demand: Band,
                  capacity: ArrayLike | None, unit: str, title: Title, *,
                  balance: Band | None = None) -> str:
    """Supply against demand (bands), capacity (line), and the surplus or deficit below.

    The lower panel shows the balance per year as a bar, green for a surplus and red for a
    deficit. Pass ``balance`` (the P10/P50/P90 of supply minus demand computed per sample) to
    show its P50 with P10–P90 whiskers; without it the bar is P50 supply minus P50 demand, which
    is not the median of the difference, and no whiskers are drawn.
    """
    x = _positions(years)
    figure = _figure(5.4)
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    handles = [_draw_band(top, x, _band(supply, len(x), "supply"), _SUPPLY),
               _draw_band(top, x, _band(demand, len(x), "demand"), _DEMAND)]
    labels = [ui("supply").en, ui("demand").en]
    if capacity is not None:
        handles.append(top.plot(x, _values(capacity, len(x), "capacity"), color=_CAPACITY,
                                linestyle="--", linewidth=1.4)[0])
        labels.append(ui("capacity").en)
    _style(top)
    top.set_ylabel(unit)
    top.set_title(_title(title), fontsize="medium", loc="left")
    _legend(top, handles, labels, _BAND_KEY)

    if balance is not None:
        low, mid, high = _band(balance, len(x), "balance")
        whiskers = np.vstack([mid - low, high - mid])
        whiskers = np.where(np.isfinite(whiskers), np.maximum(whiskers, 0.0), 0.0)
    else:
        mid = _band(supply, len(x), "supply")[1] - _band(demand, len(x), "demand")[1]
        whiskers = None
    shown = np.nan_to_num(mid, nan=0.0)
    colours = [_SURPLUS if value >= 0 else _DEFICIT for value in shown]
    bottom.bar(x, shown, width=_bar_width(x), color=colours, yerr=whiskers,
               error_kw={"ecolor": _INK, "elinewidth": 0.8, "capsize": 2})
    bottom.axhline(0.0, color=_INK, linewidth=0.8)
    _style(bottom)
    _year_axis(bottom, x)
    bottom.set_ylabel(unit)
    what = "P50, P10–P90" if balance is not None else "P50 supply − P50 demand"
    bottom.set_title(f"{ui('balance').en} ({what})", fontsize="small", loc="left")
    bottom.legend([Patch(color=_SURPLUS), Patch(color=_DEFICIT)],
                  [ui("surplus").en, ui("deficit").en], loc="best", fontsize="small",
                  frameon=False)
    return figure_svg(figure)


def utilisation_chart(years: ArrayLike, p10: ArrayLike, p50: ArrayLike, p90: ArrayLike,
                      title: Title, *, reference: float | None = None,
                      reference_label: str = "") -> str:
    """Capacity utilisation as a P50 line in a P10–P90 band, in percent, with a reference line.

    Values are fractions (0.8 is 80 %). ``reference`` is a level to read them against (a
    break-even or typical utilisation); its label defaults to "Reference".
    """
    x = _positions(years)
    figure, axes = _single(3.4)
    band = _band((p10, p50, p90), len(x), "utilisation")
    handles: list[object] = [_draw_band(axes, x, band, _SUPPLY)]
    labels = [ui("utilisation").en]
    if reference is not None:
        handles.append(axes.axhline(reference, color=_WARNING, linestyle="--", linewidth=1.2))
        labels.append(f"{_latin(reference_label or ui('reference').en, 'reference label')} "
                      f"({reference:.0%})")
    _finish(axes, x, "", title)
    axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    highest = float(np.nanmax(band[2])) if np.isfinite(band[2]).any() else 0.0
    axes.set_ylim(0.0, max(1.0, reference or 0.0, highest) * 1.05)
    _legend_below(figure, handles, labels, _BAND_KEY)
    return figure_svg(figure)


def inventory_curves(periods: ArrayLike, curves: Mapping[str, Band], warning_line: float,
                     title: Title, *, unit: str = "days", period_label: str = "") -> str:
    """Inventory over time for each stress-test case against a warning line.

    Each case is a P50 line in its P10–P90 band; the zone below ``warning_line`` is tinted so
    the periods spent under it stand out. ``period_label`` names the x axis (default "Period").
    """
    x = _positions(periods)
    figure, axes = _single(4.0)
    axes.axhspan(0.0, warning_line, color=_WARNING, alpha=0.06, linewidth=0)
    handles: list[object] = []
    labels: list[str] = []
    for colour, (name, band) in zip(_colours(len(curves)), curves.items(), strict=True):
        handles.append(_draw_band(axes, x, _band(band, len(x), name), colour))
        labels.append(_latin(name, "case name"))
    handles.append(axes.axhline(warning_line, color=_WARNING, linestyle="--", linewidth=1.2))
    labels.append(f"{ui('warning_line').en} ({f'{warning_line:g} {unit}'.strip()})")
    _finish(axes, x, f"{ui('inventory_days').en} [{unit}]" if unit else "", title, year=False)
    axes.set_xlabel(_latin(period_label or ui("period").en, "period label"))
    axes.set_ylim(bottom=0.0)
    _legend_below(figure, handles, labels, _BAND_KEY)
    return figure_svg(figure)


def driver_bars(factors: Sequence[str], s1: ArrayLike, st: ArrayLike, title: Title, *,
                s1_conf: ArrayLike | None = None, st_conf: ArrayLike | None = None,
                top: int | None = None) -> str:
    """Sobol' indices per factor as horizontal bars, the largest total index on top.

    ``s1`` and ``st`` are first-order and total indices, ``*_conf`` their confidence half-widths
    (drawn as whiskers). ``top`` keeps only that many factors. A factor whose total index is
    NaN sorts last and draws no bar.
    """
    names = [_latin(str(f), "factor name") for f in factors]
    first = _values(s1, len(names), "s1")
    total = _values(st, len(names), "st")
    order = np.argsort(np.where(np.isnan(total), np.inf, -total), kind="stable")
    if top is not None:
        order = order[:top]
    rows = len(order)
    figure, axes = _single(1.4 + 0.34 * max(rows, 1))
    positions = np.arange(rows)[::-1].astype(float)
    height = 0.38
    axes.barh(positions + height / 2, np.nan_to_num(total[order]), height, color=_ST_COLOUR,
              xerr=_whiskers(st_conf, len(names), order), capsize=2,
              error_kw={"elinewidth": 0.8}, label=ui("total_order").en)
    axes.barh(positions - height / 2, np.nan_to_num(first[order]), height, color=_S1_COLOUR,
              xerr=_whiskers(s1_conf, len(names), order), capsize=2,
              error_kw={"elinewidth": 0.8}, label=ui("first_order").en)
    axes.set_yticks(positions, [names[i] for i in order])
    axes.tick_params(axis="y", length=0)
    lowest = np.nanmin(first[order], initial=0.0) if rows else 0.0
    axes.set_xlim(left=min(0.0, float(lowest) * 1.1))
    axes.axvline(0.0, color=_INK, linewidth=0.8)
    _style(axes, grid_axis="x")
    axes.set_xlabel(ui("sobol_index").en)
    axes.set_title(_title(title), fontsize="medium", loc="left")
    axes.legend(loc="lower right", fontsize="small", frameon=False)
    return figure_svg(figure)


# ---- shared pieces ---------------------------------------------------------------------------


def _figure(height: float) -> Figure:
    return Figure(figsize=(_WIDTH_INCHES, height), layout="constrained", facecolor="white")


def _single(height: float) -> tuple[Figure, Axes]:
    figure = _figure(height)
    return figure, figure.add_subplot()


def _title(title: Title) -> str:
    return _latin(title.en if isinstance(title, Text) else title, "title")


def _latin(text: str, what: str) -> str:
    if _CJK.search(text):
        raise ValueError(f"chart {what} {text!r} has Chinese characters: no font here draws them "
                         "in the SVG; keep chart text English and put the Chinese in the caption")
    return text


def _positions(values: ArrayLike) -> NDArray[np.float64]:
    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"x positions must be a non-empty 1-D array, got shape {x.shape}")
    return x


def _values(values: ArrayLike, n: int, name: str) -> NDArray[np.float64]:
    array = np.asarray(values, dtype=float)
    if array.shape != (n,):
        raise ValueError(f"{name!r} has shape {array.shape}; one value per x position ({n}) "
                         "is needed")
    return array


def _band(band: Band, n: int, name: str) -> tuple[NDArray[np.float64], ...]:
    if len(band) != 3:
        raise ValueError(f"band {name!r} must be (p10, p50, p90), got {len(band)} arrays")
    return tuple(_values(v, n, f"{name} {level}")
                 for v, level in zip(band, ("p10", "p50", "p90"), strict=True))


def _whiskers(conf: ArrayLike | None, n: int, order: NDArray[np.intp]
              ) -> NDArray[np.float64] | None:
    if conf is None:
        return None
    return np.nan_to_num(np.abs(_values(conf, n, "confidence")[order]), nan=0.0)


def _colours(n: int) -> list[str]:
    # tab10 is familiar and colour-blind tolerable; tab20 only when a chart has more series.
    cmap = mpl.colormaps["tab10" if n <= 10 else "tab20"]
    return [to_hex(cmap(i % cmap.N)) for i in range(n)]


def _draw_band(axes: Axes, x: NDArray[np.float64], band: tuple[NDArray[np.float64], ...],
               colour: str, *, dashed: bool = False) -> tuple[Patch, Line2D]:
    low, mid, high = band
    both = np.isfinite(low) & np.isfinite(high)
    if both.any():
        axes.fill_between(x, low, high, where=both, color=colour, alpha=_BAND_ALPHA,
                          linewidth=0, interpolate=False)
        # Thin P10 and P90 edges keep overlapping bands (supply over demand) told apart.
        for edge in (low, high):
            axes.plot(x, edge, color=colour, linewidth=0.6, alpha=0.55)
    (line,) = axes.plot(x, mid, color=colour, linewidth=2.0 if not dashed else 1.4,
                        linestyle="--" if dashed else "-")
    # The legend key draws the band and the line together, as they appear in the chart.
    return Patch(facecolor=colour, alpha=_BAND_ALPHA, linewidth=0), line


def _style(axes: Axes, grid_axis: str = "y") -> None:
    axes.grid(axis=grid_axis, color=_GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _year_axis(axes: Axes, x: NDArray[np.float64]) -> None:
    axes.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
    pad = 0.5 * _bar_width(x)
    axes.set_xlim(float(x.min()) - pad, float(x.max()) + pad)


def _bar_width(x: NDArray[np.float64]) -> float:
    steps = np.diff(np.unique(x))
    return 0.7 * float(steps.min()) if steps.size else 0.7


def _finish(axes: Axes, x: NDArray[np.float64], ylabel: str, title: Title, *,
            year: bool = True) -> None:
    _style(axes)
    if year:
        _year_axis(axes, x)
    else:
        axes.set_xlim(float(x.min()), float(x.max()) if x.size > 1 else float(x.min()) + 1)
    if ylabel:
        axes.set_ylabel(_latin(ylabel, "unit"))
    axes.set_title(_title(title), fontsize="medium", loc="left")


def _legend(axes: Axes, handles: Sequence[object], labels: Sequence[str], title: str) -> None:
    if handles:
        axes.legend(handles, labels, title=title, loc="best", fontsize="small",
                    title_fontsize="small", frameon=True, framealpha=0.85, edgecolor=_GRID)


def _legend_below(figure: Figure, handles: Sequence[object], labels: Sequence[str],
                  title: str) -> None:
    # Below the plot, bands and curves that cross the whole chart are never hidden by it.
    if handles:
        figure.legend(handles, labels, title=title, loc="outside lower center",
                      ncols=min(len(handles), 3), fontsize="small", title_fontsize="small",
                      frameon=False)


def figure_svg(figure: Figure) -> str:
    buffer = io.BytesIO()
    # Glyphs as paths keep the chart independent of the reader's fonts; the fixed salt and
    # dropped metadata (date, creator, format) make identical charts identical bytes. The salt
    # is only read from rcParams, hence the (briefly global, restored) rc_context.
    with mpl.rc_context({"svg.hashsalt": _SALT, "svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg", metadata={
            "Date": None, "Creator": None, "Format": None, "Type": None})
    return _PROLOG.sub("", buffer.getvalue().decode("utf-8"), count=1)
