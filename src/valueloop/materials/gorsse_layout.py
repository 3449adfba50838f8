"""A database record's composition and processing as cells of the Gorsse column layout.

The one rule for putting stored records in the layout the property models read, used for the
training tables built from the database (:mod:`~valueloop.materials.training_data`) and for the
predictions that fill a selection's candidates (:mod:`~valueloop.materials.candidates`):

* element wt%: each composition entry's nominal value (the midpoint of a min-max range when no
  nominal is given, our assumption); Cu is the balance and has no column;
* processing: ``solution_treatment`` gives ``Tss (K)``/``tss (h)``, ``cold_work`` the
  ``CR reduction (%)``, ``ageing`` sets ``Aging`` = Y with ``Tag (K)``/``tag (h)``, and
  ``secondary_thermomechanical`` the ``Secondary thermo-mechanical process`` flag (``N`` where
  the step is absent);
* what the layout cannot hold gives no row, with the reason (:data:`SKIP_ELEMENT`,
  :data:`SKIP_COMPOSITION`, :data:`SKIP_PROCESSING`): an element outside the 26 Gorsse solutes,
  a composition entry with neither a nominal value nor a full range, a processing step of
  another kind or a kind given twice.

Numbers are written with ``repr``, which reads back to the same float, so the features match
the shipped CSV bit for bit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from valueloop.materials.model import CompositionEntry, ProcessingStep
from valueloop.materials.properties import (
    AGING,
    AGING_T,
    AGING_TIME,
    COLD_ROLLING,
    ELEMENTS,
    PROCESS_COLUMNS,
    SECONDARY,
    SOLUTION_T,
    SOLUTION_TIME,
)

INPUT_COLUMNS: tuple[str, ...] = (*ELEMENTS, *PROCESS_COLUMNS)
"""The columns :func:`layout_cells` fills: element wt%, then processing."""
STEP_KINDS = frozenset({"solution_treatment", "cold_work", "ageing", "secondary_thermomechanical"})
SKIP_ELEMENT = "element outside the 26 Gorsse solutes"
SKIP_COMPOSITION = "composition without nominal value or full range"
SKIP_PROCESSING = "processing not representable in the Gorsse layout"


def cell_text(value: float | None) -> str:
    """A number as a cell (``repr`` reads back to the same float); blank for ``None``."""
    return "" if value is None else repr(float(value))


def layout_cells(composition: Iterable[CompositionEntry], processing: Sequence[ProcessingStep],
                 skipped: Counter[str] | None = None) -> dict[str, str] | None:
    """The :data:`INPUT_COLUMNS` cells of one record, or ``None`` where the layout cannot hold it.

    Parameters
    ----------
    composition
        The material's composition entries (Cu, the balance, is ignored).
    processing
        The record's processing steps, in order.
    skipped
        Counts the reason (module docstring) when the record gives no row.
    """
    cells = dict.fromkeys(INPUT_COLUMNS, "")
    cells[AGING] = cells[SECONDARY] = "N"
    for entry in composition:
        if entry.element == "Cu":
            continue
        if entry.element not in ELEMENTS:
            return _skip(skipped, SKIP_ELEMENT)
        value = entry.nominal
        if value is None and entry.min is not None and entry.max is not None:
            value = (entry.min + entry.max) / 2.0
        if value is None:
            return _skip(skipped, SKIP_COMPOSITION)
        cells[entry.element] = cell_text(value)
    kinds = [step.kind for step in processing]
    if any(k not in STEP_KINDS for k in kinds) or len(set(kinds)) != len(kinds):
        return _skip(skipped, SKIP_PROCESSING)
    for step in processing:
        if step.kind == "solution_treatment":
            cells[SOLUTION_T] = cell_text(step.temperature_k)
            cells[SOLUTION_TIME] = cell_text(step.time_h)
        elif step.kind == "cold_work":
            cells[COLD_ROLLING] = cell_text(step.reduction_pct)
        elif step.kind == "ageing":
            cells[AGING], cells[AGING_T] = "Y", cell_text(step.temperature_k)
            cells[AGING_TIME] = cell_text(step.time_h)
        else:
            cells[SECONDARY] = "Y"
    return cells


def _skip(skipped: Counter[str] | None, reason: str) -> None:
    if skipped is not None:
        skipped[reason] += 1
    return None
