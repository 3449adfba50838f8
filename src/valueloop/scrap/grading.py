"""Grade confidences (vectorised), the best grade, its route and its value.

Confidence model. Each element's reading is the true mass fraction plus a normal error with the
reading's standard uncertainty; errors of different elements are taken as independent (XRF and
LIBS report them per element; a shared calibration bias would correlate them, which this model
does not capture). The probability that a grade's limits all hold is then the product over its
limits of ``Phi((mean - min) / sigma)`` and ``Phi((max - mean) / sigma)``. With zero
uncertainty these become 1 or 0 (a value exactly on a limit meets it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import ndtr

from valueloop.core.errors import OptionError
from valueloop.core.sources import Citation
from valueloop.core.tables import Table
from valueloop.scrap.definitions import Measurement
from valueloop.scrap.grades import GradeTable, grade_table
from valueloop.scrap.routes import Route, recommend_route

DEFAULT_THRESHOLD = 0.95
"""Confidence a grade needs to be called (one-sided 95 %, a common acceptance level)."""
DEFAULT_COPPER_PRICE = 9000.0
DEFAULT_PRICE_UNIT = "USD/t"
COPPER_PRICE_SOURCE = Citation(assumption=(
    "illustrative round copper price of 9,000 USD/t; no price series is shipped. Pass the day's "
    "reference price (LME, COMEX or SHFE) with --copper-price"))


def limit_probabilities(mean: np.ndarray, sigma: np.ndarray, lower: np.ndarray,
                        upper: np.ndarray) -> np.ndarray:
    """Probability that each grade's limits all hold, for each of N readings.

    Parameters
    ----------
    mean, sigma : ndarray, shape (N, E)
        Measured mass fractions and their standard uncertainties per element.
    lower, upper : ndarray, shape (G, E)
        Grade limits; -inf and +inf where a grade sets none.

    Returns
    -------
    ndarray, shape (N, G)
    """
    m, s = mean[:, None, :], sigma[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        z_low = np.where(s > 0, (m - lower) / s, np.where(m >= lower, np.inf, -np.inf))
        z_high = np.where(s > 0, (upper - m) / s, np.where(m <= upper, np.inf, -np.inf))
    # An absent limit gives z = +inf (or nan from inf - inf never occurs: means are finite).
    return np.prod(ndtr(z_low) * ndtr(z_high), axis=-1)


def grade_confidences(mean: np.ndarray, sigma: np.ndarray,
                      table: GradeTable) -> np.ndarray:
    """Confidences of every grade of ``table`` for readings over ``table.elements``.

    ``mean`` and ``sigma`` have shape (E,) for one lot or (N, E) for N lots; the result has
    shape (G,) or (N, G).
    """
    mean, sigma = np.asarray(mean, dtype=float), np.asarray(sigma, dtype=float)
    single = mean.ndim == 1
    result = limit_probabilities(np.atleast_2d(mean), np.atleast_2d(sigma), table.lower,
                                 table.upper)
    return result[0] if single else result


@dataclass(frozen=True)
class GradingResult:
    """The grading of one lot: confidences, best grade, route and value."""

    scheme: str
    subject: str | None
    method: str
    table: GradeTable
    confidences: np.ndarray
    eligible: np.ndarray
    """False for grades of another physical form than the lot's."""
    threshold: float
    best: str | None
    copper: float
    copper_uncertainty: float
    unreported: tuple[str, ...]
    """Elements some grade limits but the reading does not give (read as 0)."""
    route: Route
    copper_price: float
    price_unit: str
    mass_t: float | None

    @property
    def best_index(self) -> int | None:
        return None if self.best is None else self.table.index(self.best)

    @property
    def best_confidence(self) -> float | None:
        index = self.best_index
        return None if index is None else float(self.confidences[index])

    @property
    def payable(self) -> float | None:
        index = self.best_index
        return None if index is None else float(self.table.payables[index])

    @property
    def value_per_t(self) -> float | None:
        """Reference copper price times the best grade's payable, per tonne of gross scrap."""
        payable = self.payable
        return None if payable is None else self.copper_price * payable

    def to_record(self) -> dict[str, Any]:
        """A JSON-ready summary (no NaN or infinities)."""
        value = self.value_per_t
        return {
            "scheme": self.scheme, "subject": self.subject, "method": self.method,
            "best_grade": self.best, "confidence": self.best_confidence,
            "threshold": self.threshold, "copper": self.copper,
            "copper_uncertainty": self.copper_uncertainty,
            "route": self.route.route, "route_reasoning": self.route.reasoning,
            "payable": self.payable, "copper_price": self.copper_price,
            "price_unit": self.price_unit, "value_per_t": value,
            "mass_t": self.mass_t,
            "value": None if value is None or self.mass_t is None else value * self.mass_t,
            "unreported_elements": list(self.unreported),
            "grades": [
                {"grade": grade, "confidence": float(self.confidences[i]),
                 "eligible": bool(self.eligible[i]), "payable": float(self.table.payables[i])}
                for i, grade in enumerate(self.table.grades)],
        }

    def tables(self) -> tuple[Table, Table]:
        """The summary and the per-grade confidences, for the CLI."""
        record = self.to_record()
        summary = Table(
            f"Scrap grade ({self.scheme})",
            ("quantity", "value"),
            tuple((key, _cell(record[key])) for key in (
                "subject", "method", "best_grade", "confidence", "threshold", "copper",
                "copper_uncertainty", "route", "route_reasoning", "payable", "copper_price",
                "price_unit", "value_per_t", "mass_t", "value")),
            notes=(f"Copper price: {COPPER_PRICE_SOURCE.short()}"
                   if self.copper_price == DEFAULT_COPPER_PRICE else "Copper price: given",
                   "Payables are illustrative assumptions (valueloop scrap grades).",
                   *((f"Not reported, read as 0: {', '.join(self.unreported)}",)
                     if self.unreported else ())))
        rows = tuple(
            (grade, self.table.names[i], self.table.forms[i], float(self.confidences[i]),
             bool(self.eligible[i]), float(self.table.payables[i]))
            for i, grade in enumerate(self.table.grades))
        return summary, Table("Confidence per grade",
                              ("grade", "name", "form", "confidence", "eligible", "payable"),
                              rows)


def _cell(value: object) -> str | float | None:
    if value is None or isinstance(value, str | float):
        return value
    return str(value)


def grade_measurement(measurement: Measurement, *, scheme: str = "ISRI",
                      threshold: float = DEFAULT_THRESHOLD,
                      copper_price: float = DEFAULT_COPPER_PRICE,
                      price_unit: str = DEFAULT_PRICE_UNIT,
                      mass_t: float | None = None) -> GradingResult:
    """Grade one lot: the most valuable grade whose confidence reaches ``threshold``.

    Grades of another physical form than ``measurement.form`` (when given) are not eligible.
    Ties in payable go to the grade listed first in the table.
    """
    if not 0.0 < threshold < 1.0:
        raise OptionError(f"confidence threshold {threshold} is outside (0, 1)",
                          item="--threshold", allowed="a probability such as 0.95")
    if not (math.isfinite(copper_price) and copper_price > 0):
        raise OptionError(f"copper price {copper_price} is not a positive number",
                          item="--copper-price")
    if mass_t is not None and not (math.isfinite(mass_t) and mass_t >= 0):
        raise OptionError(f"mass {mass_t} is not a non-negative number", item="--mass")
    table = grade_table(scheme)
    readings = measurement.elements
    mean = np.array([readings[e].value if e in readings else 0.0 for e in table.elements])
    sigma = np.array([readings[e].uncertainty if e in readings else 0.0
                      for e in table.elements])
    confidences = grade_confidences(mean, sigma, table)
    eligible = np.array([measurement.form is None or form == measurement.form
                         for form in table.forms])
    called = eligible & (confidences >= threshold)
    best = None
    if called.any():
        payables = np.where(called, table.payables, -np.inf)
        best = table.grades[int(np.argmax(payables))]
    copper = readings["Cu"].value if "Cu" in readings else 0.0
    family = None if best is None else table.families[table.index(best)]
    return GradingResult(
        scheme=scheme, subject=measurement.subject, method=measurement.method, table=table,
        confidences=confidences, eligible=eligible, threshold=threshold, best=best,
        copper=copper,
        copper_uncertainty=readings["Cu"].uncertainty if "Cu" in readings else 0.0,
        unreported=tuple(e for e in table.elements if e not in readings),
        route=recommend_route(family, copper), copper_price=copper_price,
        price_unit=price_unit, mass_t=mass_t)
