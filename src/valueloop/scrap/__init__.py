"""Copper scrap grading: from a composition or an XRF/LIBS measurement to a scrap grade.

A composition (a passport's, taken as exact) or a measurement (element mass fractions with their
standard uncertainties) is compared with the limits of every grade of a shipped classification
(ISRI Scrap Specifications Circular, GB/T 13587). The confidence of a grade is the probability
that the true composition meets all of the grade's limits under normal measurement errors. The
best grade is the most valuable one whose confidence reaches a threshold; it comes with a
recycling route from a rule table and a value estimate from the grade's payable.
"""

from valueloop.scrap.definitions import ElementReading, Measurement
from valueloop.scrap.grades import GradeTable, grade_table
from valueloop.scrap.grading import GradingResult, grade_confidences, grade_measurement
from valueloop.scrap.reading import read_composition, read_measurement

__all__ = [
    "ElementReading",
    "GradeTable",
    "GradingResult",
    "Measurement",
    "grade_confidences",
    "grade_measurement",
    "grade_table",
    "read_composition",
    "read_measurement",
]
