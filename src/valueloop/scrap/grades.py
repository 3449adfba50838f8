"""The shipped grade classifications as arrays: one row per grade, one column per element.

Limits come from ``scrap_grade_limits`` (fractions after unit conversion), payables from
``scrap_payables``, names and forms from ``scrap_grades``. A missing lower limit is -inf and a
missing upper limit +inf, so every grade is tested against every element with the same array
expression.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import numpy as np

from valueloop.core.datatables import load_table
from valueloop.core.errors import OptionError
from valueloop.core.sources import Citation
from valueloop.core.units import conversion_factor

SCHEMES = ("ISRI", "GB/T 13587")


def as_fraction(value: object, unit: str) -> float:
    """``value`` in ``unit`` (``%``, ``dimensionless``...) as a fraction.

    Through ``Decimal``, so 94 % is exactly the float 0.94 (94 * 0.01 in binary is not), and a
    reading of 0.94 sits exactly on the limit.
    """
    factor = conversion_factor(unit, "dimensionless")
    return float(Decimal(repr(float(value))) * Decimal(repr(factor)))  # type: ignore[arg-type]


@dataclass(frozen=True)
class GradeTable:
    """The grades of one scheme with their limits as (grades x elements) arrays."""

    scheme: str
    grades: tuple[str, ...]
    names: tuple[str, ...]
    families: tuple[str, ...]
    forms: tuple[str, ...]
    elements: tuple[str, ...]
    lower: np.ndarray
    """Minimum mass fraction per grade and element, -inf where the grade sets none."""
    upper: np.ndarray
    """Maximum mass fraction per grade and element, +inf where the grade sets none."""
    payables: np.ndarray
    """Share of the reference copper price paid per tonne of gross scrap, per grade."""
    limit_sources: tuple[tuple[str, Citation], ...]
    """(grade/element/bound, citation) of every limit."""
    payable_sources: tuple[Citation, ...]

    def index(self, grade: str) -> int:
        try:
            return self.grades.index(grade)
        except ValueError:
            raise OptionError(f"no grade {grade!r} in {self.scheme}", item="grade",
                              allowed=", ".join(self.grades)) from None


@cache
def grade_table(scheme: str = "ISRI") -> GradeTable:
    """The grades of ``scheme`` (``ISRI`` or ``GB/T 13587``), cached and read-only."""
    if scheme not in SCHEMES:
        raise OptionError(f"unknown scrap classification {scheme!r}", item="--scheme",
                          allowed=", ".join(SCHEMES))
    grades = load_table("scrap_grades").where(scheme=scheme)
    limits = load_table("scrap_grade_limits").where(scheme=scheme)
    payables = load_table("scrap_payables").where(scheme=scheme)
    names = tuple(str(g) for g in grades.column("grade"))
    elements = tuple(sorted({str(e) for e in limits.column("element")},
                            key=lambda e: (e != "Cu", e)))
    lower = np.full((len(names), len(elements)), -np.inf)
    upper = np.full((len(names), len(elements)), np.inf)
    sources: list[tuple[str, Citation]] = []
    for record, citation in zip(limits.records(), limits.citations, strict=True):
        row, column = names.index(str(record["grade"])), elements.index(str(record["element"]))
        value = as_fraction(record["value"], str(record["unit"]))
        (lower if record["bound"] == "min" else upper)[row, column] = value
        sources.append((f"{record['grade']}/{record['element']}/{record['bound']}", citation))
    paid = np.array([as_fraction(payables.value("payable", grade=name),
                                 str(payables.where(grade=name).column("unit")[0]))
                     for name in names])
    for array in (lower, upper, paid):
        array.setflags(write=False)
    return GradeTable(
        scheme=scheme, grades=names, names=tuple(str(n) for n in grades.column("name")),
        families=tuple(str(f) for f in grades.column("family")),
        forms=tuple(str(f) for f in grades.column("form")), elements=elements,
        lower=lower, upper=upper, payables=paid, limit_sources=tuple(sources),
        payable_sources=tuple(payables.citation(grade=name) for name in names))
