"""Definitions of the chain of custody: sites, batches, transformations and ledger scopes.

Small frozen pydantic models, validated once when a file or a call hands them over; the logic
lives in :mod:`~valueloop.custody.store`, :mod:`~valueloop.custody.ledger` and the other modules.

Masses are kilograms; element contents are mass fractions in [0, 1] with an optional standard
uncertainty (absolute, in the same fraction). Times are timezone-aware and kept in UTC.

The characteristics follow the reference note (passport-and-dataspace.md §5.2): the recycled
shares split as Regulation (EU) 2023/1542 Art. 8 and the Battery Pass ``recycledContent``
attribute split them, pre-consumer (manufacturing waste) and post-consumer (end-of-life waste);
the Copper Mark is a *site* credential (§5.3), so ``copper_mark_site`` says what share of a
batch comes from Copper-Mark sites, never a recycled share.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

Identifier = Annotated[str, StringConstraints(min_length=1, max_length=200,
                                              pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/#+-]*$")]
"""Batch, site and transformation ids: letters, digits and ``._:/#+-`` (URNs and GS1 keys fit)."""
Element = Annotated[str, StringConstraints(pattern=r"^[A-Z][a-z]?$")]
"""A chemical element symbol (``Cu``, ``Co``)."""
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]

TransformationKind = Literal["mining", "smelting", "refining", "alloying", "fabrication",
                             "assembly", "use", "collection", "dismantling", "recycling"]
TRANSFORMATION_KINDS: tuple[str, ...] = get_args(TransformationKind)
Characteristic = Literal["post_consumer_recycled", "pre_consumer_recycled", "copper_mark_site"]
CHARACTERISTICS: tuple[str, ...] = get_args(Characteristic)
RECYCLED: tuple[str, str] = ("pre_consumer_recycled", "post_consumer_recycled")
LedgerMethod = Literal["rolling_average", "credit"]
LEDGER_METHODS: tuple[str, ...] = get_args(LedgerMethod)

_SUM_SLACK = 1e-9  # fractions read from files are rounded; a sum of 1 + 1e-12 is still whole


class Frozen(BaseModel):
    """Frozen, no unknown fields, no NaN or infinity."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("needs a time zone, e.g. 2026-11-22T10:00:00Z")
    return value.astimezone(dt.UTC)


class Site(Frozen):
    """A facility that holds, transforms or accounts for material."""

    id: Identifier
    name: str = ""
    country: str | None = None
    grid: str | None = None
    """Place for :func:`valueloop.models.carbon.grid_factor` (province, grid or country)."""
    credentials: tuple[str, ...] = ()
    """Site-level credentials such as ``copper_mark`` (reference note §5.3)."""


class ElementContent(Frozen):
    """Mass fraction of one element in a batch, with its standard uncertainty if measured."""

    fraction: Fraction
    uncertainty: Annotated[float, Field(ge=0.0, le=1.0)] | None = None


class Batch(Frozen):
    """A physical lot of material with its mass, element contents and characteristics."""

    id: Identifier
    site: Identifier
    mass_kg: Annotated[float, Field(gt=0.0)]
    elements: dict[Element, ElementContent] = Field(default_factory=dict)
    characteristics: dict[Characteristic, Fraction] = Field(default_factory=dict)
    """Share of the batch's mass with each characteristic. Declared where material becomes
    waste (collection: post-consumer; manufacturing scrap: pre-consumer) or on purchased lots;
    left empty, it is derived from the inputs along the genealogy."""
    origin: str | None = None
    """Where the material comes from (mine, country), for origin batches."""
    produced_at: dt.datetime | None = None
    declared_footprint_kgco2e: Annotated[float, Field(ge=0.0)] | None = None
    """Cradle-to-gate footprint of a batch entering the chain (a supplier's PCF); used only for
    batches that no recorded transformation produced."""
    description: str = ""

    @field_validator("elements", mode="before")
    @classmethod
    def _plain_fractions(cls, value: Any) -> Any:
        # {"Cu": 0.9999} is the common case; {"Cu": {"fraction": ..., "uncertainty": ...}} too
        if isinstance(value, dict):
            return {k: {"fraction": v} if isinstance(v, int | float) else v
                    for k, v in value.items()}
        return value

    @field_validator("produced_at")
    @classmethod
    def _in_utc(cls, value: dt.datetime | None) -> dt.datetime | None:
        return None if value is None else _utc(value)

    @model_validator(mode="after")
    def _shares_are_parts_of_a_whole(self) -> Batch:
        total = math.fsum(c.fraction for c in self.elements.values())
        if total > 1.0 + _SUM_SLACK:
            raise ValueError(f"element fractions add up to {total:.6g}, more than 1")
        recycled = math.fsum(self.characteristics.get(c, 0.0) for c in RECYCLED)
        if recycled > 1.0 + _SUM_SLACK:
            raise ValueError(f"pre- and post-consumer recycled shares add up to {recycled:.6g}")
        return self

    def element_mass(self, element: str, mass_kg: float | None = None) -> float:
        """Mass of ``element`` in the batch (or in ``mass_kg`` of it), kg; 0 if not declared."""
        content = self.elements.get(element)
        return 0.0 if content is None else (self.mass_kg if mass_kg is None else mass_kg) \
            * content.fraction


class InputUse(Frozen):
    """A batch going into a transformation: all that is left of it, or ``mass_kg`` of it."""

    batch: Identifier
    mass_kg: Annotated[float, Field(gt=0.0)] | None = None


class Inventory(Frozen):
    """What a transformation consumed, for its own emissions.

    ``items`` are ids of the shared carbon factor registry
    (:func:`valueloop.models.carbon.factor_registry`) with an absolute amount and its unit for
    the whole transformation, e.g. ``{"diesel": [1200, "kg"], "road": [50000, "t*km"]}``.
    """

    electricity_kwh: Annotated[float, Field(ge=0.0)] = 0.0
    grid: str | None = None
    """Place of the grid factor; the site's ``grid`` when not given."""
    items: dict[str, tuple[float, str]] = Field(default_factory=dict)


class Transformation(Frozen):
    """Input batches turned into output batches at one site, with the losses it declares.

    The element balance a store checks: for every element in any input or output,
    ``in = out + loss`` within ``tolerance`` (relative to the input) plus twice the combined
    standard uncertainty of the assays. A loss is declared in kg (``losses_kg``) or as a yield
    (``yields``: out / in of that element); an element with neither must balance exactly.
    """

    id: Identifier
    kind: TransformationKind
    site: Identifier
    time: dt.datetime
    inputs: tuple[InputUse, ...] = ()
    outputs: tuple[Batch, ...] = Field(min_length=1)
    losses_kg: dict[Element, Annotated[float, Field(ge=0.0)]] = Field(default_factory=dict)
    yields: dict[Element, Annotated[float, Field(gt=0.0, le=1.0)]] = Field(default_factory=dict)
    tolerance: Annotated[float, Field(ge=0.0, le=0.1)] = 0.001
    """Relative slack for weighing and rounding. Our assumption: 0.1 % of the element input,
    the order of the weighing and sampling error of commercial settlement; raise it only with
    evidence."""
    inventory: Inventory | None = None

    @field_validator("time")
    @classmethod
    def _in_utc(cls, value: dt.datetime) -> dt.datetime:
        return _utc(value)

    @model_validator(mode="after")
    def _consistent(self) -> Transformation:
        if self.kind == "mining" and self.inputs:
            raise ValueError("a mining transformation has no input batches (ore is not a batch)")
        if self.kind != "mining" and not self.inputs:
            raise ValueError(f"a {self.kind} transformation needs at least one input batch")
        both = sorted(set(self.losses_kg) & set(self.yields))
        if both:
            raise ValueError(f"give a loss or a yield for {', '.join(both)}, not both")
        ins = [i.batch for i in self.inputs]
        outs = [o.id for o in self.outputs]
        for name, ids in (("input", ins), ("output", outs)):
            if len(set(ids)) != len(ids):
                raise ValueError(f"an {name} batch is listed twice")
        if set(ins) & set(outs):
            raise ValueError("a batch cannot be both input and output")
        wrong = [o.id for o in self.outputs if o.site != self.site]
        if wrong:
            raise ValueError(f"output batch(es) {', '.join(wrong)} are not at site {self.site}")
        return self


class LedgerScope(Frozen):
    """One mass-balance ledger: a site, a characteristic, the element accounted and a method.

    The method is fixed when the ledger opens: switching between the rolling-average percentage
    and the credit method inside a ledger would let the same input be counted twice.
    """

    site: Identifier
    characteristic: Characteristic
    element: Element = "Cu"
    method: LedgerMethod = "credit"
    expiry_periods: Annotated[int, Field(ge=0)] | None = None
    """How many periods after the one that earned it a credit may be carried into; ``None``:
    credits never expire (our default; schemes set their own rule)."""
