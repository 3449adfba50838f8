"""Carbon footprint per batch, accumulated along its genealogy.

For a batch ``b`` made by transformation ``t``::

    footprint(b) = share(b) * (own(t) + sum over inputs i of footprint(i) * used_i / mass_i)

* ``own(t)`` are the transformation's own emissions, computed from its inventory with the shared
  factor registry when it was recorded (:mod:`~valueloop.custody.emissions`);
* an input contributes the part of its footprint that matches the mass used, so the rest of a
  partly used batch keeps the rest of its footprint;
* ``share(b)`` allocates the total to the outputs of ``t``: by the mass of one element
  (``allocation="element"``, the default, for copper ``Cu``: cathode and anode slime share a
  refinery's burden by the copper they carry) or by total mass (``allocation="mass"``). Where no
  output carries the element (a plastics fraction from dismantling only), the transformation
  falls back to mass. Declared losses (slag, dust) carry no burden: it all goes to the outputs.

Batches no recorded transformation produced start with their declared footprint (a supplier's
PCF, ``declared_footprint_kgco2e``) or zero: a cut-off that :attr:`BatchFootprint.cut_off`
lists so a reader sees what is missing. Allocation choices follow the ISO 14044 hierarchy only
loosely; physical allocation by metal content is our assumption, the usual choice for
co-products of metal refining.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from valueloop.core.db import Database
from valueloop.core.errors import OptionError
from valueloop.custody.genealogy import Upstream, topological, upstream

Allocation = Literal["element", "mass"]


@dataclass(frozen=True)
class BatchFootprint:
    """Cradle-to-gate footprint of one batch, kgCO2e, and where it comes from."""

    batch: str
    total_kgco2e: float
    mass_kg: float
    element: str
    element_kg: float
    allocation: Allocation
    contributions: Mapping[str, float]
    """kgCO2e of this batch from each transformation (own emissions) and each entering batch
    (declared footprint), keyed ``transformation:<id>`` or ``batch:<id>``."""
    cut_off: tuple[str, ...]
    """Entering batches with no declared footprint (counted as zero)."""

    @property
    def per_kg(self) -> float:
        """kgCO2e per kg of batch."""
        return self.total_kgco2e / self.mass_kg

    @property
    def per_kg_element(self) -> float | None:
        """kgCO2e per kg of the element in the batch (``None`` without the element)."""
        return self.total_kgco2e / self.element_kg if self.element_kg > 0 else None


def batch_footprint(db: Database, batch_id: str, *, allocation: Allocation = "element",
                    element: str = "Cu") -> BatchFootprint:
    """The footprint of ``batch_id`` accumulated along its back lineage.

    Raises
    ------
    OptionError
        An unknown allocation.
    UnknownRecordError
        The batch is not recorded.
    """
    if allocation not in ("element", "mass"):
        raise OptionError(f"unknown allocation {allocation!r}", item="allocation",
                          allowed="element, mass")
    up = upstream(db, batch_id)
    return footprint_of(up, allocation=allocation, element=element)


def footprint_of(up: Upstream, *, allocation: Allocation = "element",
                 element: str = "Cu") -> BatchFootprint:
    """:func:`batch_footprint` on a lineage already loaded with :func:`upstream`."""
    contributions: dict[str, dict[str, float]] = {}
    cut_off: list[str] = []
    for batch_id in topological(up):
        batch = up.batches[batch_id]
        producer = up.produced_by[batch_id]
        if producer is None:
            declared = batch.declared_footprint_kgco2e
            if declared is None:
                cut_off.append(batch_id)
            contributions[batch_id] = {f"batch:{batch_id}": declared or 0.0}
            continue
        share = _share(up, producer, batch_id, allocation, element)
        mixed: dict[str, float] = {f"transformation:{producer}":
                                   up.emissions_kgco2e.get(producer, 0.0)}
        for parent, used in up.inputs.get(producer, ()):
            fraction = used / up.batches[parent].mass_kg
            for source, amount in contributions[parent].items():
                mixed[source] = mixed.get(source, 0.0) + amount * fraction
        contributions[batch_id] = {s: a * share for s, a in mixed.items()}
    root = up.batches[up.root]
    mine = contributions[up.root]
    return BatchFootprint(up.root, math.fsum(mine.values()), root.mass_kg, element,
                          root.element_mass(element), allocation, dict(sorted(mine.items())),
                          tuple(sorted(cut_off)))


def _share(up: Upstream, transformation: str, batch_id: str, allocation: Allocation,
           element: str) -> float:
    outputs = [up.batches[o] for o in up.outputs[transformation]]
    if allocation == "element":
        weights = {o.id: o.element_mass(element) for o in outputs}
        if math.fsum(weights.values()) > 0.0:
            return weights[batch_id] / math.fsum(weights.values())
    return up.batches[batch_id].mass_kg / math.fsum(o.mass_kg for o in outputs)
