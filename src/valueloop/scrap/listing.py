"""The shipped grades as one table, with their limits, payables and sources (for the CLI)."""

from __future__ import annotations

from valueloop.core.datatables import load_table
from valueloop.core.tables import Table
from valueloop.scrap.grades import SCHEMES, grade_table


def _limit_text(lower: float, upper: float, element: str) -> str:
    parts = []
    if lower > float("-inf"):
        parts.append(f"{element} ≥ {lower * 100:g} %")
    if upper < float("inf"):
        parts.append(f"{element} ≤ {upper * 100:g} %")
    return "; ".join(parts)


def grades_listing(scheme: str | None = None) -> Table:
    """One row per grade: name, family, form, limits, payable, and where each comes from."""
    schemes = SCHEMES if scheme is None else (grade_table(scheme).scheme,)
    described = load_table("scrap_grades")
    rows = []
    assumed = 0
    for name in schemes:
        table = grade_table(name)
        sources = dict(table.limit_sources)
        for i, grade in enumerate(table.grades):
            limits = [text for j, element in enumerate(table.elements)
                      if (text := _limit_text(table.lower[i, j], table.upper[i, j], element))]
            marks = sorted({("assumption" if citation.assumption else citation.document or "")
                            for key, citation in sources.items()
                            if key.startswith(f"{grade}/")})
            assumed += sum(1 for key, c in sources.items()
                           if key.startswith(f"{grade}/") and c.assumption)
            rows.append((name, grade, table.names[i], table.families[i], table.forms[i],
                         "; ".join(limits) or "none (sold on assay)",
                         float(table.payables[i]),
                         described.citation(scheme=name, grade=grade).short(),
                         ", ".join(marks) or "",
                         table.payable_sources[i].short()[:60]))
    return Table(
        "Copper scrap grades", ("scheme", "grade", "name", "family", "form", "limits",
                                "payable", "grade_source", "limit_sources", "payable_source"),
        tuple(rows),
        notes=(f"{assumed} limits are our assumptions (with their reasons); see "
               "`valueloop sources --tables` for each row's full source.",
               "Payables are shares of the reference copper price per tonne of gross scrap."))
