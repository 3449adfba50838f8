"""Per-solute residual resistivity coefficients of dilute copper alloys, with their provenance.

The coefficients are the linear (Matthiessen) increments ζ in µΩ·cm per at.% of dissolved
solute, as compiled in the valueloop reference note ``materials.md`` §5.6 (table "solute / ζ
µΩ·cm/at.%"). Per-wt% values are derived, not stored: for a dilute solute
``ζ_wt = ζ_at · M_Cu / M_solute`` (same note, same section), with IUPAC 2021 standard atomic
weights. Most values were written in the note from recollection ("recall") and are kept here
with that label and a confidence, so that a caller can tell them from retrieved values; the note
asks for them to be replaced by a primary compilation (Rossiter 1987; ASM Specialty Handbook
*Copper and Copper Alloys*) or by fits on solution-treated records before being quoted as facts.

Zr and Be are absent on purpose: the note found no coefficient for them.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

NOTE = "valueloop reference note materials.md §5.6"

#: g/mol, IUPAC 2021 standard atomic weights (abridged), rounded as in valueloop.core.units.
ATOMIC_MASS_G_PER_MOL = MappingProxyType({
    "Cu": 63.546, "Ag": 107.87, "Ni": 58.693, "Zn": 65.38, "Mg": 24.305, "Al": 26.982,
    "Sn": 118.71, "Mn": 54.938, "Si": 28.085, "Cr": 51.996, "Co": 58.933, "P": 30.974,
    "Fe": 55.845, "Ti": 47.867, "Zr": 91.224, "Be": 9.0122,
})


class SoluteCoefficient(BaseModel):
    """Residual resistivity increment of one solute dissolved in copper.

    Attributes
    ----------
    solute : str
        Element symbol.
    zeta_uohm_cm_per_at_pct : float
        Resistivity increment, µΩ·cm per at.% of dissolved solute (dilute limit).
    basis : {"retrieved", "recall"}
        Whether the value was read in a retrieved text or written from recollection.
    confidence : {"medium", "low"}
        Our rating; "low" where the note itself says so.
    source : str
        Document and section, plus the note's own provenance remark.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    solute: str
    zeta_uohm_cm_per_at_pct: float = Field(gt=0)
    basis: Literal["retrieved", "recall"]
    confidence: Literal["medium", "low"]
    source: str

    @property
    def zeta_uohm_cm_per_wt_pct(self) -> float:
        """Increment per wt% (dilute): ζ_at · M_Cu / M_solute."""
        return (self.zeta_uohm_cm_per_at_pct * ATOMIC_MASS_G_PER_MOL["Cu"]
                / ATOMIC_MASS_G_PER_MOL[self.solute])


def _row(solute: str, zeta: float, basis: Literal["retrieved", "recall"],
         confidence: Literal["medium", "low"], remark: str) -> SoluteCoefficient:
    return SoluteCoefficient(solute=solute, zeta_uohm_cm_per_at_pct=zeta, basis=basis,
                             confidence=confidence, source=f"{NOTE}; {remark}")


SOLUTE_COEFFICIENTS: MappingProxyType[str, SoluteCoefficient] = MappingProxyType({
    row.solute: row for row in (
        _row("Ag", 0.14, "retrieved", "medium", "worked example (tutorsglobe)"),
        # 1.11 at 4.2 K is the residual value; the note's 1.2 µΩ·cm/wt% column derives from it
        _row("Ni", 1.11, "retrieved", "medium",
             "residual-resistivity study of Cu-Ni (scilit abstract), 4.2 K"),
        _row("Zn", 0.30, "recall", "medium", "recall"),
        _row("Mg", 0.65, "recall", "medium", "recall"),
        _row("Al", 1.25, "recall", "medium", "recall"),
        _row("Sn", 2.88, "recall", "medium",
             "recall; validated against CuSn8 and CuSn0.15 grade data in the note"),
        _row("Mn", 2.9, "recall", "medium", "recall"),
        _row("Si", 3.95, "recall", "medium", "recall"),
        _row("Cr", 4.0, "recall", "low", "recall, low confidence (RT solubility < 0.1 at.%)"),
        _row("Co", 6.4, "recall", "medium", "recall"),
        _row("P", 6.7, "recall", "medium", "recall; plausible against DHP copper C12200"),
        _row("Fe", 9.3, "recall", "medium", "recall"),
        _row("Ti", 16.0, "recall", "low", "recall, low confidence"),
    )
})
