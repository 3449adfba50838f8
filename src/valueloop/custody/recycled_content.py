"""Recycled content per batch, and the Regulation (EU) 2023/1542 checks that use it.

Recycled content of one element in one batch, pre- and post-consumer separately, each with the
``isMassBalanced`` flag that Catena-X SecondaryMaterialContentVerifiable 1.0.0 carries per share:

* a **claim** recorded in a mass-balance ledger on the batch gives a mass-balanced share
  (claimed mass / element mass of the batch, ``isMassBalanced = true``);
* otherwise the **physical** share: declared on the batch where material becomes waste (or on
  a purchased lot), else the inputs' shares weighted by the element mass each brings, along the
  genealogy (``isMassBalanced = false``). Entering batches that declare nothing count as
  primary material.

The reference note (§1.2, §5.2) explains why both are kept: the delegated act fixing the Art. 8
method is not adopted, so whether mass balance will count is open.

Regulation checks read their figures from the shipped ``eu_battery_regulation`` table (the
Art. 8 minimum shares with the dates they apply from, Annex XII Part B and C targets with their
deadlines), never from constants here. A figure with ``date_basis = applies_from`` binds on and
after its date; a ``deadline`` ("by 31 December 2027") binds after it, as
:data:`valueloop.models.operating.ANNEX_XII_COBALT` reads it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from valueloop.core.datatables import load_table
from valueloop.core.db import Database
from valueloop.core.errors import OptionError
from valueloop.custody.genealogy import Upstream, topological, upstream
from valueloop.custody.ledger import MassBalanceLedger
from valueloop.custody.model import RECYCLED

BatteryCategory = Literal["ev", "industrial", "sli", "lmt"]
BATTERY_CATEGORIES: tuple[str, ...] = get_args(BatteryCategory)
_CATEGORY_WORD = {"ev": "EV", "industrial": "industrial", "sli": "SLI", "lmt": "LMT"}
"""How each category is written in the table's ``battery_categories`` column."""
ART8_METALS: tuple[str, ...] = ("Co", "Li", "Ni", "Pb")
TABLE = "eu_battery_regulation"


@dataclass(frozen=True)
class Share:
    """One recycled share of an element and whether it is mass-balanced."""

    share: float
    is_mass_balanced: bool


@dataclass(frozen=True)
class RecycledContent:
    """Pre- and post-consumer recycled content of one element in one batch."""

    batch: str
    element: str
    element_kg: float
    pre_consumer: Share
    post_consumer: Share

    @property
    def total(self) -> float:
        return self.pre_consumer.share + self.post_consumer.share

    def as_record(self) -> dict[str, Any]:
        return {"batch": self.batch, "element": self.element, "element_kg": self.element_kg,
                "pre_consumer_share": self.pre_consumer.share,
                "pre_consumer_mass_balanced": self.pre_consumer.is_mass_balanced,
                "post_consumer_share": self.post_consumer.share,
                "post_consumer_mass_balanced": self.post_consumer.is_mass_balanced,
                "total_share": self.total}

    def secondary_material_content(self) -> dict[str, Any]:
        """The ``inorganic.secondaryInorganic`` part of a Catena-X
        SecondaryMaterialContentVerifiable 1.0.0 entry (percentages of material weight).

        The recycling route (mechanical or chemical) is not tracked by the chain of custody;
        the schema needs both, so the whole share is given as ``mechanicalRecycling`` (copper
        scrap remelting) and ``chemicalRecycling`` as 0 %: our simplification.
        """
        def block(share: Share) -> dict[str, Any]:
            return {"mechanicalRecycling": {"percentageOfMaterialWeight": 100.0 * share.share,
                                            "isMassBalanced": share.is_mass_balanced},
                    "chemicalRecycling": {"percentageOfMaterialWeight": 0.0,
                                          "isMassBalanced": share.is_mass_balanced}}

        # the schema also requires the automotive part of post-consumer material, which the
        # chain of custody does not track: reported as 0 %
        automotive = Share(0.0, self.post_consumer.is_mass_balanced)
        return {"secondaryInorganic": {"preConsumer": block(self.pre_consumer),
                                       "postConsumer": block(self.post_consumer),
                                       "postConsumerAutomotive": block(automotive)},
                "primaryInorganic": {"percentageOfMaterialWeight":
                                     100.0 * max(0.0, 1.0 - self.total)}}


def physical_shares(up: Upstream, element: str) -> dict[str, tuple[float, float]]:
    """(pre, post) physical recycled share of ``element`` for every batch of a lineage."""
    shares: dict[str, tuple[float, float]] = {}
    for batch_id in topological(up):
        batch = up.batches[batch_id]
        producer = up.produced_by[batch_id]
        if any(c in batch.characteristics for c in RECYCLED):
            shares[batch_id] = (batch.characteristics.get(RECYCLED[0], 0.0),
                                batch.characteristics.get(RECYCLED[1], 0.0))
            continue
        inputs = up.inputs.get(producer, ()) if producer else ()
        if not inputs:
            shares[batch_id] = (0.0, 0.0)
            continue
        weights = [(up.batches[p].element_mass(element, used), p) for p, used in inputs]
        if math.fsum(w for w, _ in weights) <= 0.0:
            weights = [(used, p) for p, used in inputs]  # no element in: blend by mass
        whole = math.fsum(w for w, _ in weights)
        shares[batch_id] = (math.fsum(w * shares[p][0] for w, p in weights) / whole,
                            math.fsum(w * shares[p][1] for w, p in weights) / whole)
    return shares


def batch_recycled_content(db: Database, batch_id: str, element: str = "Cu"
                           ) -> RecycledContent:
    """Recycled content of ``element`` in a batch: ledger claims first, else physical.

    Raises
    ------
    UnknownRecordError
        The batch is not recorded.
    """
    up = upstream(db, batch_id)
    pre, post = physical_shares(up, element)[batch_id]
    batch = up.batches[batch_id]
    element_kg = batch.element_mass(element)
    result = {"pre_consumer_recycled": Share(pre, False),
              "post_consumer_recycled": Share(post, False)}
    for claim in MassBalanceLedger(db).claims_on(batch_id):
        if claim.element == element and claim.characteristic in result:
            result[claim.characteristic] = Share(claim.share, True)
    return RecycledContent(batch_id, element, element_kg, result["pre_consumer_recycled"],
                           result["post_consumer_recycled"])


# --- Regulation (EU) 2023/1542 ----------------------------------------------------------------

@dataclass(frozen=True)
class RegulationCheck:
    """One requirement checked at one date."""

    provision: str
    article: str
    subject: str
    """Metal (``Co``) or scope (``lithium-based batteries``)."""
    date: dt.date
    required: float | None
    """Share in force at ``date`` (``None`` when none binds yet)."""
    actual: float | None
    next_change: str
    """The next date the requirement changes and its new share, if any."""
    source: str

    @property
    def complies(self) -> bool | None:
        if self.required is None or self.actual is None:
            return None
        return self.actual >= self.required - 1e-12

    def as_record(self) -> dict[str, Any]:
        verdict = {True: "complies", False: "below minimum", None: "not binding"}[self.complies]
        return {"provision": self.provision, "article": self.article, "subject": self.subject,
                "date": self.date.isoformat(), "required": self.required,
                "actual": self.actual, "verdict": verdict, "next_change": self.next_change,
                "source": self.source}


def _binds(basis: str, start: dt.date, date: dt.date) -> bool:
    return date >= start if basis == "applies_from" else date > start


def _requirement(provision: str, subject: str, date: dt.date, category: str | None
                 ) -> tuple[float | None, str, str, str]:
    """(share in force, article, next change, source) of one provision and subject."""
    table = load_table(TABLE).where(provision=provision, metal_or_scope=subject)
    rows = []
    for record, citation in zip(table.records(), table.citations, strict=True):
        if category is not None and not re.search(
                rf"\b{re.escape(_CATEGORY_WORD[category])}\b", str(record["battery_categories"])):
            continue
        # the table validates dates and keeps them as ISO text
        rows.append((dt.date.fromisoformat(str(record["applies_from"])), record, citation))
    rows.sort(key=lambda r: r[0])
    in_force = [r for r in rows if _binds(str(r[1]["date_basis"]), r[0], date)]
    later = [r for r in rows if not _binds(str(r[1]["date_basis"]), r[0], date)]
    chosen = in_force[-1] if in_force else None
    upcoming = (f"{later[0][1]['date_basis']} {later[0][0].isoformat()}: "
                f"{float(later[0][1]['share']):.0%}") if later else ""
    reference = chosen or (later[0] if later else None)
    if reference is None:
        return None, "", "", ""
    citation = reference[2]
    source = f"{TABLE}: {citation.document}, {citation.section}"
    return (float(chosen[1]["share"]) if chosen else None, str(reference[1]["article"]),
            upcoming, source)


def check_art8(content: Mapping[str, tuple[float, float]], *, category: BatteryCategory,
               date: dt.date, prepared_for_reuse: bool = False) -> list[RegulationCheck]:
    """Check a battery model's recycled content against the Art. 8 minimum shares at ``date``.

    Parameters
    ----------
    content
        ``{metal: (pre-consumer share, post-consumer share)}`` of the metals in active
        materials (lead: in the battery). Art. 8 counts both: waste from battery manufacturing
        and post-consumer waste.
    category
        ``ev``, ``industrial`` (> 2 kWh), ``sli`` or ``lmt``.
    prepared_for_reuse
        Art. 8(4): batteries prepared for re-use or repurposing, or remanufactured, placed on
        the market before that operation, are exempt; every row is then not binding.

    Raises
    ------
    OptionError
        An unknown category, a metal outside Art. 8 (Co, Li, Ni, Pb; copper is not one), or a
        share outside [0, 1].
    """
    if category not in BATTERY_CATEGORIES:
        raise OptionError(f"unknown battery category {category!r}", item="category",
                          allowed=", ".join(BATTERY_CATEGORIES))
    checks = []
    for metal, (pre, post) in sorted(content.items()):
        if metal not in ART8_METALS:
            raise OptionError(f"{metal} has no Art. 8 recycled-content minimum", item=metal,
                              allowed=", ".join(ART8_METALS))
        for name, value in (("pre-consumer", pre), ("post-consumer", post)):
            if not 0.0 <= value <= 1.0:
                raise OptionError(f"{name} share {value!r} is outside [0, 1]", item=metal)
        required, article, upcoming, source = _requirement("recycled_content_min", metal, date,
                                                           category)
        if prepared_for_reuse:
            required, upcoming = None, "exempt under Art. 8(4)"
        checks.append(RegulationCheck("recycled_content_min", article or "Art. 8", metal, date,
                                      required, pre + post, upcoming, source))
    return checks


def check_recovery(recovery: Mapping[str, float], *, date: dt.date,
                   efficiency: Mapping[str, float] | None = None) -> list[RegulationCheck]:
    """Check a recycler's material recovery (Annex XII Part C) and recycling efficiency
    (Part B) at ``date``.

    Parameters
    ----------
    recovery
        ``{material: recovered share}``, e.g. ``{"Co": 0.92, "Cu": 0.96, "Li": 0.55}``.
    efficiency
        ``{scope: recycling efficiency}`` with the table's scopes, e.g.
        ``{"lithium-based batteries": 0.68}``.
    """
    table = load_table(TABLE)
    known = {str(v) for v in table.where(provision="material_recovery_target")
             .column("metal_or_scope")}
    scopes = {str(v) for v in table.where(provision="recycling_efficiency_target")
              .column("metal_or_scope")}
    checks = []
    for provision, values, allowed in (("material_recovery_target", recovery, known),
                                       ("recycling_efficiency_target", efficiency or {},
                                        scopes)):
        for subject, value in sorted(values.items()):
            if subject not in allowed:
                raise OptionError(f"no {provision.replace('_', ' ')} for {subject!r}",
                                  item=subject, allowed=", ".join(sorted(allowed)))
            if not 0.0 <= value <= 1.0:
                raise OptionError(f"share {value!r} is outside [0, 1]", item=subject)
            required, article, upcoming, source = _requirement(provision, subject, date, None)
            checks.append(RegulationCheck(provision, article, subject, date, required, value,
                                          upcoming, source))
    return checks
