"""The recycling route of a graded lot, from the shipped rule table ``scrap_routes``.

Rules are tried in the order of their ``rule`` number; the first whose family matches the
grade's family (or is ``any``) and whose copper range holds the lot's copper estimate wins.
``cu_min`` is inclusive and ``cu_max`` exclusive, except a ``cu_max`` of 100 % which includes
pure copper.
"""

from __future__ import annotations

from dataclasses import dataclass

from valueloop.core.datatables import load_table
from valueloop.core.sources import Citation
from valueloop.scrap.grades import as_fraction


@dataclass(frozen=True)
class Route:
    """A recommended recycling route and why."""

    route: str
    rule: int
    reasoning: str
    source: Citation


def recommend_route(family: str | None, copper: float) -> Route:
    """The route for a lot of grade family ``family`` (``None``: ungraded), ``copper`` a fraction.

    Raises
    ------
    LookupError
        If no rule matches; the shipped rule table ends in a catch-all, so this is a bug.
    """
    table = load_table("scrap_routes")
    wanted = "ungraded" if family is None else family
    for index, record in sorted(enumerate(table.records()), key=lambda item: item[1]["rule"]):
        low = as_fraction(record["cu_min"], str(record["unit"]))
        high = as_fraction(record["cu_max"], str(record["unit"]))
        if record["family"] not in (wanted, "any"):
            continue
        if low <= copper and (copper < high or (high >= 1.0 and copper <= high)):
            return Route(str(record["route"]), int(record["rule"]),  # type: ignore[arg-type]
                         str(record["reasoning"]), table.citations[index])
    raise LookupError(f"no route rule for family {wanted!r} at Cu {copper:.4f}")
