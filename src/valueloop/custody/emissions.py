"""A transformation's own emissions from its inventory, with the shared factor registry.

Electricity times a grid factor (:func:`valueloop.models.carbon.grid_factor`, location-based
average of the transformation's grid, else its site's) plus fuels, reagents, freight and waste
from :func:`valueloop.models.carbon.inventory_footprint`, in kgCO2e for the whole
transformation. Computed once when the transformation is recorded and stored with the factors
used, so later changes to the registry do not rewrite history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from valueloop.core.errors import OptionError
from valueloop.custody.model import Inventory
from valueloop.models.carbon import factor_registry, grid_factor, inventory_footprint

UNIT = "kgCO2e"


@dataclass(frozen=True)
class OwnEmissions:
    """Emissions of one transformation, kgCO2e, and how they were computed."""

    total_kgco2e: float
    breakdown: tuple[dict[str, Any], ...]
    """One record per item: ``item``, ``amount``, ``unit``, ``kgco2e``, ``factor_source``."""


def own_emissions(inventory: Inventory | None, site_grid: str | None) -> OwnEmissions:
    """Emissions of an inventory; zero for none.

    Raises
    ------
    OptionError
        Electricity without a grid place on the inventory or the site, or an unknown place.
    UnknownParameterError, DimensionError
        An item not in the factor registry, or an amount unit that does not fit its factor.
    """
    if inventory is None:
        return OwnEmissions(0.0, ())
    rows: list[dict[str, Any]] = []
    total = 0.0
    if inventory.electricity_kwh > 0.0:
        place = inventory.grid or site_grid
        if place is None:
            raise OptionError("electricity needs a grid place", item="inventory.grid",
                              allowed="a grid on the inventory or on the site, e.g. 'Jiangxi'")
        factor = grid_factor(place)
        amount = inventory.electricity_kwh * factor.value
        total += amount
        rows.append({"item": "electricity", "amount": inventory.electricity_kwh, "unit": "kWh",
                     "kgco2e": amount,
                     "factor_source": f"{factor.table}: {factor.place} {factor.kind} "
                                      f"{factor.year}, {factor.value} kgCO2e/kWh"})
    if inventory.items:
        registry = factor_registry()
        result = inventory_footprint(
            {item: (amount, unit) for item, (amount, unit) in inventory.items.items()},
            registry=registry, unit=UNIT)
        for index, item in enumerate(result.items):
            value = float(result.breakdown[0, index])
            total += value
            amount, unit = inventory.items[item]
            citation = registry[item].citation
            source = citation.document or f"assumption: {citation.assumption}"
            rows.append({"item": item, "amount": amount, "unit": unit, "kgco2e": value,
                         "factor_source": f"carbon_factors/{item}: {source}, "
                                          f"{citation.section or ''}".rstrip(", ")})
    return OwnEmissions(total, tuple(rows))
