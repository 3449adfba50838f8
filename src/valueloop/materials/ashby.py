"""Ashby charts of a selection: two properties of every candidate, feasible ones highlighted.

The chart follows :mod:`valueloop.reports.charts`: a :class:`matplotlib.figure.Figure` built
directly (no pyplot, no global figure registry), written by
:mod:`~valueloop.materials.chart_files` (PNG or SVG by the file's suffix, deterministic SVG with
glyphs as paths, so it looks the same without any font installed).

What is drawn: every candidate with both values, light grey when it fails, dark grey when it
lacks data on some constraint, coloured when it meets the requirement (or meets it if
predictions hold); filled circles for measured or derived values, hollow triangles for
predicted ones (a cross when a prediction is outside the model's domain), with the 90 %
interval as whiskers on the feasible predicted points; each constraint on either axis as a
dashed line with its infeasible side shaded; the trade-off line of the feasible candidates on
these two axes; a ring around the Pareto front of all objectives; the best-ranked candidates
that do not fail numbered and named in the legend. An axis is logarithmic when its data span
more than a decade.

Language. ``lang="en"`` (default) or ``"zh"``: titles, axis labels and the legend in Chinese,
with the property labels of :data:`~valueloop.materials.requirement.PROPERTY_KEYS`. matplotlib's
own fonts have no Chinese glyphs (which is why the report charts keep chart text English), so a
Chinese chart uses an installed CJK font, passed to each text element by file (no global font
registration); without one it is refused with a message saying what to install.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findSystemFonts
from matplotlib.lines import Line2D

from valueloop.core.errors import OptionError
from valueloop.materials.candidates import PREDICTED
from valueloop.materials.chart_files import chart_target, save_chart
from valueloop.materials.requirement import PROPERTY_KEYS
from valueloop.materials.selection import FAILED, MET, NO_DATA, pareto_front
from valueloop.materials.selection_tables import SelectionRun

LANGUAGES = ("en", "zh")
_SIZE_INCHES = (7.5, 7.2)
_MEETS = "#1f77b4"
_IF_PREDICTED = "#d1762b"
_LACKING = "#7d8793"
_OTHER = "#c8cdd3"
_FRONT = "#2e8b57"
_LIMIT = "#c0392b"
_INK = "#1d2126"
_GRID = "#d9dde2"
_LABEL_CHARS = 76
_CJK_HINTS = ("wqy", "noto", "sourcehan", "source-han", "droid", "uming", "ukai", "arphic",
              "simhei", "simsun", "msyh", "pingfang", "hiragino", "cjk")
_TEXT: Mapping[str, Mapping[str, str]] = {
    "en": {"meets": "meets", "if": "meets if predictions hold",
           "lacking": "no data on a constraint", "fails": "fails",
           "measured": "measured or derived", "predicted": "predicted (90 % interval)",
           "outside": "predicted outside the model's domain", "front": "Pareto front (all "
           "objectives)", "tradeoff": "trade-off on these axes", "limit": "constraint",
           "vs": "{y} vs {x}"},
    "zh": {"meets": "满足要求", "if": "若预测成立则满足", "lacking": "某项约束缺少数据",
           "fails": "不满足",
           "measured": "实测或推导", "predicted": "预测（90 % 区间）",
           "outside": "预测超出模型适用域", "front": "帕累托前沿（全部目标）",
           "tradeoff": "本图两轴上的权衡", "limit": "约束", "vs": "{y}与{x}"},
}


@functools.cache
def cjk_font() -> Path | None:
    """An installed font file that draws Chinese, or ``None``.

    Searched among the system fonts whose file name suggests a CJK font, each checked for the
    glyph 中; the result is cached, as the installed fonts do not change while we run.
    """
    from matplotlib.ft2font import FT2Font

    for name in sorted(findSystemFonts()):
        if not any(hint in Path(name).name.lower() for hint in _CJK_HINTS):
            continue
        try:
            if FT2Font(name).get_char_index(ord("中")):
                return Path(name)
        except (OSError, RuntimeError):  # an unreadable font file: try the next
            continue
    return None


def ashby_chart(run: SelectionRun, x: str, y: str, path: str | Path, *, lang: str = "en",
                label_top: int = 5) -> Path:
    """Draw ``y`` against ``x`` for every candidate of ``run`` into ``path`` (PNG or SVG).

    Parameters
    ----------
    run
        From :func:`~valueloop.materials.selection_tables.run_selection`; ``x`` and ``y`` must
        be columns of its candidates (pass them as ``extra_keys`` when not in the requirement).
    x, y
        Property keys of the horizontal and vertical axes.
    path
        Target file; its suffix (``.png`` or ``.svg``) sets the format.
    lang
        ``"en"`` or ``"zh"``.
    label_top
        How many of the best-ranked candidates that do not fail to label.

    Returns
    -------
    Path
        The file written.
    """
    target, fmt = chart_target(path, "--chart")
    return save_chart(ashby_figure(run, x, y, lang=lang, label_top=label_top), target, fmt)


def ashby_figure(run: SelectionRun, x: str, y: str, *, lang: str = "en",
                 label_top: int = 5) -> Figure:
    """The figure :func:`ashby_chart` writes (same parameters, no file)."""
    if lang not in LANGUAGES:
        raise OptionError(f"unknown language {lang!r}", item="--lang",
                          allowed=", ".join(LANGUAGES))
    font = _font(lang)
    matrix, selection = run.matrix, run.selection
    xi, yi = matrix.column(x), matrix.column(y)
    text = _TEXT[lang]
    figure = Figure(figsize=_SIZE_INCHES, layout="constrained", facecolor="white")
    axes = figure.add_subplot()
    xv, yv = matrix.value[:, xi], matrix.value[:, yi]
    shown = np.isfinite(xv) & np.isfinite(yv)
    predicted = (matrix.origin[:, xi] == PREDICTED) | (matrix.origin[:, yi] == PREDICTED)
    outside = (predicted & ~(matrix.in_domain[:, xi] & matrix.in_domain[:, yi]))
    status = selection.status
    meets = shown & (status == MET)
    if_predicted = shown & selection.feasible & ~meets
    lacking = shown & (status == NO_DATA)
    fails = shown & (status == FAILED)
    for mask, colour, order in ((fails, _OTHER, 1), (lacking, _LACKING, 2),
                                (if_predicted, _IF_PREDICTED, 3), (meets, _MEETS, 4)):
        _points(axes, xv, yv, mask & ~predicted, "o", colour, order)
        _points(axes, xv, yv, mask & predicted & ~outside, "^", colour, order)
        _points(axes, xv, yv, mask & outside, "x", colour, order)
    _whiskers(run, axes, xi, yi, shown & selection.feasible & predicted)
    _scale(axes, xv[shown], "x")
    _scale(axes, yv[shown], "y")
    _constraints(run, axes, x, y)
    tradeoff = _tradeoff(run, axes, xi, yi, shown & selection.feasible)
    ring = shown & selection.pareto
    axes.scatter(xv[ring], yv[ring], s=70, facecolors="none", edgecolors=_FRONT,
                 linewidths=1.2, zorder=5)
    # the best ranked that do not fail: feasible ones, or those lacking data when none is
    named = _labels(run, axes, xi, yi, shown & (status != FAILED), label_top)
    spec_x, spec_y = PROPERTY_KEYS[x], PROPERTY_KEYS[y]
    name_x = spec_x.label_zh if lang == "zh" else spec_x.label
    name_y = spec_y.label_zh if lang == "zh" else spec_y.label
    axes.set_xlabel(f"{name_x} [{matrix.units[xi]}]", fontproperties=font)
    axes.set_ylabel(f"{name_y} [{matrix.units[yi]}]", fontproperties=font)
    axes.set_title(f"{run.requirement.name}: " + text["vs"].format(x=name_x, y=name_y),
                   fontproperties=font, loc="left", fontsize="medium")
    axes.grid(color=_GRID, linewidth=0.6, which="major")
    axes.set_axisbelow(True)
    handles = [
        Line2D([], [], linestyle="", marker="o", color=_MEETS, label=text["meets"]),
        Line2D([], [], linestyle="", marker="o", color=_IF_PREDICTED, label=text["if"]),
        Line2D([], [], linestyle="", marker="o", color=_LACKING, label=text["lacking"]),
        Line2D([], [], linestyle="", marker="o", color=_OTHER, label=text["fails"]),
        Line2D([], [], linestyle="", marker="o", color=_INK, label=text["measured"]),
        Line2D([], [], linestyle="", marker="^", color=_INK, markerfacecolor="none",
               label=text["predicted"]),
        Line2D([], [], linestyle="", marker="x", color=_INK, label=text["outside"]),
        Line2D([], [], linestyle="", marker="o", markersize=9, markerfacecolor="none",
               color=_FRONT, label=text["front"]),
        Line2D([], [], linestyle="--", color=_LIMIT, label=text["limit"]),
    ]
    if tradeoff:
        handles.append(Line2D([], [], color=_FRONT, label=text["tradeoff"]))
    legend_font = font.copy() if font is not None else FontProperties()
    legend_font.set_size("x-small")
    # below the plot, so the plot keeps the figure's width; the named candidates last
    figure.legend(handles=handles + named, loc="outside lower center", ncols=2,
                  prop=legend_font, frameon=False)
    return figure


def _font(lang: str) -> FontProperties | None:
    if lang == "en":
        return None
    path = cjk_font()
    if path is None:
        raise OptionError("no installed font draws Chinese", item="--lang",
                          allowed="en, or install a CJK font (Debian: fonts-wqy-microhei or "
                                  "fonts-noto-cjk)")
    return FontProperties(fname=str(path))


def _points(axes: Axes, x: np.ndarray, y: np.ndarray, mask: np.ndarray, marker: str,
            colour: str, order: int) -> None:
    if not mask.any():
        return
    alpha = 0.5 if order == 1 else 0.9
    if marker == "o":  # measured or derived: filled
        axes.scatter(x[mask], y[mask], s=16, marker="o", color=colour, linewidths=0,
                     zorder=order, alpha=alpha)
    elif marker == "x":  # an unfilled marker takes its colour from c
        axes.scatter(x[mask], y[mask], s=18, marker="x", c=colour, linewidths=0.8,
                     zorder=order, alpha=alpha)
    else:  # predicted: hollow
        axes.scatter(x[mask], y[mask], s=18, marker=marker, facecolors="none",
                     edgecolors=colour, linewidths=0.8, zorder=order, alpha=alpha)


def _whiskers(run: SelectionRun, axes: Axes, xi: int, yi: int, mask: np.ndarray) -> None:
    matrix = run.matrix
    if not mask.any():
        return
    rows = np.flatnonzero(mask)
    xv, yv = matrix.value[rows, xi], matrix.value[rows, yi]

    def errors(column: int, centre: np.ndarray) -> np.ndarray:
        guessed = matrix.origin[rows, column] == PREDICTED
        low = np.where(guessed, centre - matrix.lower[rows, column], 0.0)
        high = np.where(guessed, matrix.upper[rows, column] - centre, 0.0)
        return np.nan_to_num(np.vstack([low, high]), nan=0.0, posinf=0.0, neginf=0.0)

    axes.errorbar(xv, yv, xerr=errors(xi, xv), yerr=errors(yi, yv), fmt="none",
                  ecolor=_IF_PREDICTED, elinewidth=0.4, alpha=0.3, zorder=2)


def _scale(axes: Axes, values: np.ndarray, which: str) -> None:
    positive = values[values > 0]
    if positive.size and positive.size == values.size and positive.max() > 10 * positive.min():
        (axes.set_xscale if which == "x" else axes.set_yscale)("log")


def _constraints(run: SelectionRun, axes: Axes, x: str, y: str) -> None:
    # a limit outside the data widens the view so that it shows
    xlim = _widened(axes.get_xlim(), run, x, axes.get_xscale())
    ylim = _widened(axes.get_ylim(), run, y, axes.get_yscale())
    for index, constraint in enumerate(run.requirement.constraints):
        if constraint.property not in (x, y):
            continue
        t = float(run.criteria.threshold[index])
        below = constraint.operator == ">="  # the infeasible side lies below a >= limit
        if constraint.property == x:
            axes.axvline(t, color=_LIMIT, linestyle="--", linewidth=1.0, zorder=6)
            axes.axvspan(xlim[0] if below else t, t if below else xlim[1], color=_LIMIT,
                         alpha=0.07, linewidth=0, zorder=0)
        if constraint.property == y:
            axes.axhline(t, color=_LIMIT, linestyle="--", linewidth=1.0, zorder=6)
            axes.axhspan(ylim[0] if below else t, t if below else ylim[1], color=_LIMIT,
                         alpha=0.07, linewidth=0, zorder=0)
    axes.set_xlim(*xlim)
    axes.set_ylim(*ylim)


def _widened(limits: tuple[float, float], run: SelectionRun, key: str,
             scale: str) -> tuple[float, float]:
    low, high = limits
    for index, constraint in enumerate(run.requirement.constraints):
        if constraint.property == key:
            t = float(run.criteria.threshold[index])
            if scale == "log" and t <= 0:
                continue
            pad = (t * 1.15, t / 1.15) if scale == "log" else (t + 0.05 * abs(t),
                                                              t - 0.05 * abs(t))
            low, high = min(low, pad[1]), max(high, pad[0])
    return low, high


def _sense(run: SelectionRun, key: str) -> bool:
    """True to maximise ``key`` on a chart axis: its objective's sense, else its constraint's."""
    for objective in run.requirement.objectives:
        if objective.property == key:
            return objective.sense == "max"
    for constraint in run.requirement.constraints:
        if constraint.property == key:
            return constraint.operator == ">="
    return True


def _tradeoff(run: SelectionRun, axes: Axes, xi: int, yi: int, mask: np.ndarray) -> bool:
    """Step line through the feasible candidates non-dominated on the two axes."""
    rows = np.flatnonzero(mask)
    if rows.size < 2:
        return False
    matrix = run.matrix
    signs = np.array([-1.0 if _sense(run, k) else 1.0
                      for k in (matrix.keys[xi], matrix.keys[yi])])
    points = np.column_stack([matrix.value[rows, xi], matrix.value[rows, yi]])
    front = points[pareto_front(points * signs)]
    front = front[np.argsort(front[:, 0], kind="stable")]
    axes.step(front[:, 0], front[:, 1], where="post", color=_FRONT, linewidth=1.3, zorder=5)
    return True


def _labels(run: SelectionRun, axes: Axes, xi: int, yi: int, mask: np.ndarray,
            count: int) -> list[Line2D]:
    """Number the best-ranked points of ``mask``; return legend entries that name them."""
    matrix = run.matrix
    chosen = [r for r in run.selection.order.tolist() if mask[r]][:count]
    entries = []
    for position, r in enumerate(chosen):
        axes.annotate(str(position + 1), (matrix.value[r, xi], matrix.value[r, yi]),
                      xytext=(5, 4 + 7 * (position % 3)), textcoords="offset points",
                      fontsize=7, fontweight="bold", color=_INK, zorder=7,
                      arrowprops={"arrowstyle": "-", "color": _INK, "linewidth": 0.4})
        label = f"{matrix.name[r]}, {matrix.record[r]}"
        if len(label) > _LABEL_CHARS:
            label = label[:_LABEL_CHARS - 1] + "…"
        entries.append(Line2D([], [], linestyle="", marker=f"${position + 1}$", color=_INK,
                              label=label))
    return entries

