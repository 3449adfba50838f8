"""The element mass balance of one transformation: ``in = out + declared loss``, per element.

Pure arithmetic on definitions, so the store, the bulk import and the tests share it. A
transformation may lose metal (slag, dust, scrap it declares) but never create it: an output
element mass above the input plus the allowance is refused whatever the declared losses.

Allowance. ``tolerance * in`` (weighing and rounding, see
:attr:`~valueloop.custody.model.Transformation.tolerance`) plus twice the combined standard
uncertainty of the assays, ``2 * sqrt(sum((m * u)**2))`` over inputs and outputs that declare one
(a coverage factor of 2, as for an expanded uncertainty at about 95 %), plus a microgram for
floating-point rounding.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from valueloop.custody.errors import MassBalanceError
from valueloop.custody.model import Batch, Transformation

COVERAGE = 2.0
"""Coverage factor applied to the combined standard uncertainty of the assays."""
FLOAT_SLACK_KG = 1e-9


@dataclass(frozen=True)
class ElementBalance:
    """Masses of one element through one transformation, kg."""

    element: str
    input_kg: float
    output_kg: float
    loss_kg: float
    allowance_kg: float

    @property
    def residual_kg(self) -> float:
        """``in - out - loss``: positive is metal unaccounted for, negative is metal created."""
        return self.input_kg - self.output_kg - self.loss_kg

    @property
    def closes(self) -> bool:
        return abs(self.residual_kg) <= self.allowance_kg

    def as_dict(self) -> dict[str, float | str]:
        return {"element": self.element, "input_kg": self.input_kg,
                "output_kg": self.output_kg, "loss_kg": self.loss_kg,
                "residual_kg": self.residual_kg}


def element_balances(transformation: Transformation,
                     used: Mapping[str, tuple[Batch, float]]) -> tuple[ElementBalance, ...]:
    """The balance of every element of a transformation's inputs and outputs.

    Parameters
    ----------
    transformation
        The transformation; its outputs carry their own element contents.
    used
        For each input batch id: the batch and the mass of it the transformation uses, kg.

    Returns
    -------
    tuple of ElementBalance
        One per element in any input or output, sorted by element; empty for mining, which
        creates the chain's origin batches from ore that is not a batch.
    """
    if transformation.kind == "mining":
        return ()
    elements = sorted({e for b, _ in used.values() for e in b.elements}
                      | {e for b in transformation.outputs for e in b.elements})
    balances = []
    for element in elements:
        amount_in = math.fsum(b.element_mass(element, m) for b, m in used.values())
        amount_out = math.fsum(b.element_mass(element) for b in transformation.outputs)
        if element in transformation.yields:
            loss = amount_in * (1.0 - transformation.yields[element])
        else:
            loss = transformation.losses_kg.get(element, 0.0)
        variance = math.fsum((m * b.elements[element].uncertainty) ** 2
                             for b, m in used.values()
                             if element in b.elements and b.elements[element].uncertainty)
        variance += math.fsum((b.mass_kg * b.elements[element].uncertainty) ** 2
                              for b in transformation.outputs
                              if element in b.elements and b.elements[element].uncertainty)
        allowance = (transformation.tolerance * amount_in + COVERAGE * math.sqrt(variance)
                     + FLOAT_SLACK_KG + 1e-12 * max(amount_in, amount_out))
        balances.append(ElementBalance(element, amount_in, amount_out, loss, allowance))
    return tuple(balances)


def check_balances(transformation: Transformation,
                   balances: tuple[ElementBalance, ...]) -> None:
    """Raise :class:`MassBalanceError` for an element that does not close, one that the
    transformation creates first."""
    where = f"transformation {transformation.id}"
    for balance in balances:
        if balance.output_kg > balance.input_kg + balance.allowance_kg:
            raise MassBalanceError(
                f"creates {balance.output_kg - balance.input_kg:.6g} kg of {balance.element} "
                f"(in {balance.input_kg:.6g} kg, out {balance.output_kg:.6g} kg)", item=where,
                allowed="outputs that hold no more of an element than the inputs")
    for balance in balances:
        if balance.closes:
            continue
        raise MassBalanceError(
            f"{balance.element} does not balance: in {balance.input_kg:.6g} kg, out "
            f"{balance.output_kg:.6g} kg, declared loss {balance.loss_kg:.6g} kg, "
            f"residual {balance.residual_kg:.6g} kg beyond {balance.allowance_kg:.3g} kg",
            item=where, allowed="in = out + declared loss (losses_kg or yields) within the "
                                "tolerance and the assay uncertainty")
