"""Outputs of an inverse design: result tables, a Gorsse-layout recipe table and a chart.

* :func:`candidates_table`: every candidate with its composition, processing, each property's
  prediction and 90 % interval, the constraints it meets by prediction and by interval, domain
  flags and the nearest training alloy (for files and JSON);
* :func:`summary_tables`: the same candidates in a few readable columns (for the terminal);
* :func:`treatment_table`: each constraint and objective of the requirement and how the search
  treated it, or why it was not designed for;
* :func:`search_table`: settings, evaluations and the time to the first feasible candidate;
* :func:`recipe_table`: the candidates in the column layout of the Gorsse dataset, which
  ``valueloop materials predict --input`` reads back;
* :func:`tradeoff_chart`: the predicted trade-off of the candidates, with intervals, over the
  measured training data (written by :mod:`~valueloop.materials.chart_files`).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from valueloop.core.tables import Cell, Table
from valueloop.materials.chart_files import chart_target, save_chart
from valueloop.materials.design import DesignResult
from valueloop.materials.design_encoding import processing_columns
from valueloop.materials.properties import (
    AGING,
    AGING_T,
    AGING_TIME,
    COLD_ROLLING,
    ELEMENTS,
    FORMULA,
    PROCESS_COLUMNS,
    SECONDARY,
    SOLUTION_T,
    SOLUTION_TIME,
    AlloyTable,
)
from valueloop.materials.property_models import PROPERTIES

PARTS = ("pred", "lo", "hi", "in_domain")
"""Columns added per property, as ``valueloop materials predict`` writes them."""
_DIGITS = 3  # as materials predict rounds its predictions
_N_ELEMENTS = len(ELEMENTS)
_SHORT = {"electrical_conductivity_iacs": "EC", "hardness_hv": "HV", "yield_strength_mpa": "YS",
          "uts_mpa": "UTS"}
_TRAINING, _PARETO, _FEASIBLE, _INFEASIBLE = "#b0b0b0", "#dd8452", "#4c72b0", "#c44e52"


def _rows(result: DesignResult, top: int | None) -> range:
    return range(len(result) if top is None else min(top, len(result)))


def composition(result: DesignResult, i: int) -> dict[str, float]:
    """Non-zero solutes of candidate ``i`` in wt%, largest first."""
    row = result.raw[i, :_N_ELEMENTS]
    return {ELEMENTS[j]: float(row[j]) for j in np.argsort(-row, kind="stable") if row[j] > 0}


def formula(result: DesignResult, i: int) -> str:
    """A formula in the Gorsse style, e.g. ``Cu-2.35Ni-0.61Si``."""
    return "-".join(["Cu", *(f"{v:g}{e}" for e, v in composition(result, i).items())])


def _status(result: DesignResult, i: int) -> str:
    if result.pareto[i]:
        return "Pareto"
    return "feasible" if result.feasible[i] else "infeasible"


def _flag(value: bool) -> str:
    return "Y" if value else "N"


def _number(value: float) -> Cell:
    return None if math.isnan(value) else float(value)


def _process_cells(process: dict[str, np.ndarray], i: int) -> list[Cell]:
    return [float(process[SOLUTION_T][i]), float(process[SOLUTION_TIME][i]),
            float(process[COLD_ROLLING][i]), _flag(bool(process[AGING][i])),
            _number(process[AGING_T][i]), _number(process[AGING_TIME][i]),
            _flag(bool(process[SECONDARY][i]))]


def _prediction_cells(result: DesignResult, i: int) -> list[Cell]:
    cells: list[Cell] = []
    for p in result.predictions.values():
        cells += [round(float(p.pred[i]), _DIGITS), round(float(p.lo[i]), _DIGITS),
                  round(float(p.hi[i]), _DIGITS), bool(p.in_domain[i])]
    return cells


def _prediction_columns(result: DesignResult) -> list[str]:
    return [f"{name}_{part}" for name in result.predictions for part in PARTS]


def _prediction_units(result: DesignResult) -> dict[str, str]:
    return {f"{name}_{part}": PROPERTIES[name][1] for name in result.predictions
            for part in PARTS[:3]}


def _shortfalls(result: DesignResult, i: int) -> str:
    parts = [f"{_SHORT.get(c.model, c.model)} short by {result.shortfall[i, j]:.3g} {c.unit}"
             for j, c in enumerate(result.plan.constraints) if result.shortfall[i, j] > 0]
    if not result.settings.allow_extrapolation and not result.in_domain[i]:
        parts.append(f"outside the domain (distance ratio {result.distance_ratio[i]:.2f})")
    return "; ".join(parts)


def _search_notes(result: DesignResult) -> tuple[str, ...]:
    return (*result.notes,
            "predictions are random-forest point values with 90 % split-conformal intervals "
            "(grouped by alloy formula); in_domain: inside every designed-for model's domain")


def candidates_table(result: DesignResult, top: int | None = None) -> Table:
    """Every candidate (the first ``top``) with all its numbers, for files and JSON."""
    elements = result.space.element_names()
    constraints = result.plan.constraints
    columns = ["rank", "status", "feasible", "pareto", "in_domain", "distance_ratio",
               "beyond_measured", "Alloy formula", *elements, *PROCESS_COLUMNS,
               *_prediction_columns(result)]
    columns += [f"meets {c.label()} by {basis}" for c in constraints
                for basis in ("prediction", "interval")]
    columns += ["shortfall", "nearest training alloy", "nearest DOI", "nearest distance"]
    process = processing_columns(result.raw)
    rows = []
    for i in _rows(result, top):
        meets: list[Cell] = []
        for j in range(len(constraints)):
            meets += [bool(result.meets_by_prediction[i, j]),
                      bool(result.meets_by_interval[i, j])]
        rows.append((i + 1, _status(result, i), bool(result.feasible[i]),
                     bool(result.pareto[i]), bool(result.in_domain[i]),
                     round(float(result.distance_ratio[i]), 4),
                     bool(result.beyond_measured[i]), formula(result, i),
                     *(float(result.raw[i, ELEMENTS.index(e)]) for e in elements),
                     *_process_cells(process, i), *_prediction_cells(result, i), *meets,
                     _shortfalls(result, i), result.nearest_formula[i], result.nearest_doi[i],
                     round(float(result.nearest_distance[i]), 3)))
    units = {e: "wt%" for e in elements}
    units.update({SOLUTION_T: "K", SOLUTION_TIME: "h", COLD_ROLLING: "%", AGING_T: "K",
                  AGING_TIME: "h"})
    units.update(_prediction_units(result))
    return Table(f"design candidates: {result.plan.requirement}", tuple(columns), tuple(rows),
                 units=units, notes=_search_notes(result))


def summary_tables(result: DesignResult, top: int | None = 10) -> list[Table]:
    """The first ``top`` candidates for the terminal: their properties, then their recipes."""
    designed = result.plan.models_used()
    k = len(result.plan.constraints)
    process = processing_columns(result.raw)
    shown = _rows(result, top)
    short = not all(result.feasible[i] for i in shown)
    columns = ["#", "status", "domain", "beyond data", *(_label(name) for name in designed),
               "met pred/int", *(("shortfall",) if short else ())]
    rows = []
    for i in shown:
        predicted = [f"{p.pred[i]:.4g} ({p.lo[i]:.4g}-{p.hi[i]:.4g})"
                     for p in (result.predictions[name] for name in designed)]
        met = (f"{int(result.meets_by_prediction[i].sum())}/{k} "
               f"{int(result.meets_by_interval[i].sum())}/{k}")
        domain = f"{'in' if result.in_domain[i] else 'OUT'} {result.distance_ratio[i]:.2f}"
        rows.append((i + 1, _status(result, i), domain, _flag(bool(result.beyond_measured[i])),
                     *predicted, met, *((_shortfalls(result, i),) if short else ())))
    title = f"design candidates: {result.plan.requirement}"
    if not result.found:
        title += " (NONE MET THE TARGETS)"
    properties = Table(
        title, tuple(columns), tuple(rows),
        units={_label(name): PROPERTIES[name][1] for name in designed},
        notes=(*_search_notes(result),
               "domain: in/OUT of the designed-for models' domain and the distance to the "
               "nearest training row over the domain threshold; beyond data: better than every "
               "training row measured in these properties; met: constraints met by prediction "
               "and by the whole interval; "
               + ", ".join(f"{_SHORT.get(n, n)} = {n} (90 % interval)" for n in designed)))
    recipes = Table(
        "their recipes", ("#", "composition (wt%, Cu balance)", "processing",
                          "nearest training alloy", "DOI"),
        tuple((i + 1, " ".join(f"{e} {v:g}" for e, v in composition(result, i).items()) or "Cu",
               _process_text(process, i), result.nearest_formula[i], result.nearest_doi[i])
              for i in shown),
        notes=("ST: solution treatment, CR: cold-rolling reduction",))
    return [properties, recipes]


def _label(name: str) -> str:
    return f"{_SHORT.get(name, name)} [90 %]"


def _process_text(process: dict[str, np.ndarray], i: int) -> str:
    text = (f"ST {process[SOLUTION_T][i]:g} K {process[SOLUTION_TIME][i]:g} h; "
            f"CR {process[COLD_ROLLING][i]:g} %")
    if process[AGING][i]:
        text += f"; aged {process[AGING_T][i]:g} K {process[AGING_TIME][i]:g} h"
    if process[SECONDARY][i]:
        text += "; secondary TMT"
    return text


def treatment_table(result: DesignResult) -> Table:
    """How each constraint and objective of the requirement was treated."""
    plan = result.plan
    rows: list[tuple[Cell, ...]] = []
    rows += [("constraint", c.stated, c.treatment, c.reason) for c in plan.constraints]
    rows += [("objective", o.stated, o.treatment, "") for o in plan.objectives]
    rows += [(f"{n.kind}: not designed for", n.stated, n.why, n.reason)
             for n in plan.not_designed]
    return Table(f"constraints treated: {plan.requirement}",
                 ("kind", "requirement", "treated as", "reason"), tuple(rows),
                 notes=plan.notes)


def search_table(result: DesignResult) -> Table:
    """Settings of the search, its cost and when the first feasible candidate appeared."""
    settings, timing = result.settings, result.timing
    rows: list[tuple[Cell, Cell, Cell]] = [
        ("design elements", ", ".join(result.space.element_names()), ""),
        ("population", settings.population, ""),
        ("generations", timing.generations, ""),
        ("seed", settings.seed, ""),
        ("conservative", settings.conservative, ""),
        ("extrapolation allowed", settings.allow_extrapolation, ""),
        ("warm start", settings.warm_start, ""),
        ("within measured data", settings.within_measured, ""),
        ("evaluations", timing.evaluations, ""),
        ("search time", round(timing.seconds, 3), "s"),
        ("first feasible after", timing.first_feasible_evaluations, "evaluations"),
        ("first feasible at", None if timing.first_feasible_seconds is None
         else round(timing.first_feasible_seconds, 3), "s"),
        ("candidates (distinct)", len(result), ""),
        ("feasible", int(result.feasible.sum()), ""),
        ("Pareto", int(result.pareto.sum()), ""),
    ]
    return Table("design search", ("quantity", "value", "unit"), tuple(rows))


def recipe_table(result: DesignResult, top: int | None = None) -> Table:
    """Candidates in the Gorsse column layout, with predictions as ``materials predict`` adds.

    No units row, so that a CSV or workbook of it reads back with ``predict --input``.
    """
    columns = [FORMULA, "Alloy class", "Cu", *ELEMENTS, *PROCESS_COLUMNS,
               *_prediction_columns(result)]
    process = processing_columns(result.raw)
    rows = []
    for i in _rows(result, top):
        solutes = result.raw[i, :_N_ELEMENTS]
        rows.append((formula(result, i), f"designed candidate {i + 1}",
                     round(100.0 - float(solutes.sum()), _DIGITS),
                     *(float(v) if v > 0 else None for v in solutes),
                     *_process_cells(process, i), *_prediction_cells(result, i)))
    return Table("design recipes", tuple(columns), tuple(rows))


def _axes_properties(result: DesignResult) -> tuple[str, str]:
    names = [*result.plan.models_used(), *result.predictions]
    distinct = list(dict.fromkeys(n for n in names if n in result.predictions))
    if len(distinct) < 2:
        raise ValueError("a trade-off chart needs predictions of two properties")
    return distinct[0], distinct[1]


def tradeoff_chart(result: DesignResult, path: str | Path, training: AlloyTable) -> Path:
    """Predicted trade-off of the candidates (with 90 % intervals) over the training data.

    The axes are the first two properties designed for (objectives first), completed by the
    other predicted properties; the grey points are the training rows where both were
    measured; dashed lines are the designed constraints on either axis.

    Parameters
    ----------
    result
        From :func:`valueloop.materials.design.design`.
    path
        Target file; its suffix (``.svg`` or ``.png``) sets the format.
    training
        The training rows behind the models (for the measured points).

    Returns
    -------
    Path
        The file written.
    """
    target, fmt = chart_target(path, str(Path(path)))
    x_name, y_name = _axes_properties(result)
    figure = Figure(figsize=(7.5, 5.5), layout="constrained")
    axes = figure.add_subplot()
    measured_x = training.number_column(PROPERTIES[x_name][0])
    measured_y = training.number_column(PROPERTIES[y_name][0])
    both = ~np.isnan(measured_x) & ~np.isnan(measured_y)
    axes.scatter(measured_x[both], measured_y[both], s=8, color=_TRAINING, alpha=0.6,
                 label=f"training data, measured ({int(both.sum())} rows)", zorder=1)
    px, py = result.predictions[x_name], result.predictions[y_name]
    groups = ((result.pareto, _PARETO, "Pareto (predicted)"),
              (result.feasible & ~result.pareto, _FEASIBLE, "feasible (predicted)"),
              (~result.feasible, _INFEASIBLE, "infeasible (predicted)"))
    for rows, colour, label in groups:
        if not np.any(rows):
            continue
        axes.errorbar(px.pred[rows], py.pred[rows],
                      xerr=[px.pred[rows] - px.lo[rows], px.hi[rows] - px.pred[rows]],
                      yerr=[py.pred[rows] - py.lo[rows], py.hi[rows] - py.pred[rows]],
                      fmt="o" if colour != _INFEASIBLE else "x", color=colour, ecolor=colour,
                      elinewidth=0.6, alpha=0.8, capsize=0, markersize=4,
                      label=f"{label}, 90 % intervals", zorder=3)
    for c in result.plan.constraints:
        if c.model == x_name:
            axes.axvline(c.value, color="black", linestyle="--", linewidth=0.8)
        elif c.model == y_name:
            axes.axhline(c.value, color="black", linestyle="--", linewidth=0.8)
    axes.set_xlabel(f"{x_name} [{PROPERTIES[x_name][1]}]")
    axes.set_ylabel(f"{y_name} [{PROPERTIES[y_name][1]}]")
    found = "" if result.found else " (no candidate met the targets)"
    axes.set_title(f"Inverse design: {result.plan.requirement}{found}\n"
                   "dashed: designed constraints", fontsize="medium")
    axes.legend(loc="best", fontsize="small")
    return save_chart(figure, target, fmt)
