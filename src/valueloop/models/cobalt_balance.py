"""China's cobalt hydroxide balance in 2024, as chapter 1 of the seed report states its inputs.

This is the first real model on the engine: it recomputes every figure that chapter 1.1 and 1.2
derive (utilisation, growth, implied hydroxide demand, import cover, margins) from the inputs the
same chapter gives, so that the claims check can show where the stated figures do not follow.

Masses are in t/yr. Hydroxide tonnages are physical (commercial hydroxide at its stated Co
content); ``*_metal`` flows are contained cobalt. The two are converted only through the explicit
Co-content parameters, never silently.
"""

from __future__ import annotations

import numpy as np

from valueloop.core.model import Inputs, ModelDefinition, OutputDeclaration, Outputs
from valueloop.core.parameters import ParameterDeclaration

YEARS = (2020, 2021, 2022, 2023, 2024)
_NON_NEGATIVE = (0.0, float("inf"))
_FRACTION = (0.0, 1.0)


def _declare(name: str, unit: str, description: str,
             bounds: tuple[float, float] = _NON_NEGATIVE) -> ParameterDeclaration:
    return ParameterDeclaration(name=name, unit=unit, description=description, bounds=bounds)


def _series(name: str, unit: str, description: str) -> ParameterDeclaration:
    return ParameterDeclaration(name=name, unit=unit, description=description,
                                bounds=_NON_NEGATIVE, shape="series", index_name="year")


PARAMETERS = (
    _declare("cobalt.hydroxide.capacity_2020", "t/yr", "Hydroxide production capacity, 2020"),
    _declare("cobalt.hydroxide.capacity_2024", "t/yr", "Hydroxide production capacity, 2024"),
    _declare("cobalt.hydroxide.consumption_2024", "t/yr",
             "Hydroxide actually consumed by precursor makers, 2024 (physical tonnes)"),
    _declare("cobalt.hydroxide.exports_2024", "t/yr", "Hydroxide exports, 2024 (physical)"),
    _declare("cobalt.hydroxide.exports_growth_2024", "dimensionless",
             "Year-on-year growth of hydroxide exports, 2024", (-1.0, float("inf"))),
    _declare("cobalt.hydroxide.co_content", "dimensionless",
             "Co mass fraction of commercial hydroxide (price basis)", _FRACTION),
    _series("cobalt.hydroxide.production", "t/yr", "Hydroxide production by year"),
    _series("cobalt.intermediate.imports_metal", "t/yr",
            "Imports of cobalt intermediates by year, contained cobalt"),
    _declare("cobalt.intermediate.imports_drc_share", "dimensionless",
             "Share of intermediate imports from the DRC and neighbours, 2024", _FRACTION),
    _declare("cobalt.precursor.output_2024", "t/yr", "Ternary (NCM) precursor output, 2024"),
    _declare("cobalt.precursor.co_content", "dimensionless",
             "Co mass fraction the report applies to precursor output", _FRACTION),
    _declare("cobalt.recycled.output_2024", "t/yr", "Recycled cobalt output, 2024 (metal)"),
    _declare("cobalt.recycled.share_of_supply_2024", "dimensionless",
             "Recycled cobalt as a share of domestic cobalt supply, 2024", _FRACTION),
    _declare("cobalt.battery.lfp_share_2020", "dimensionless",
             "LFP share of installed traction batteries, 2020", _FRACTION),
    _declare("cobalt.battery.lfp_share_2024", "dimensionless",
             "LFP share of installed traction batteries, 2024", _FRACTION),
    _declare("cobalt.price.hydroxide_2022_peak", "CNY/t", "Hydroxide price, 2022 peak"),
    _declare("cobalt.price.hydroxide_2024", "CNY/t", "Hydroxide average price, 2024"),
    _declare("cobalt.cost.cash_2024", "CNY/t", "Industry average cash cost of hydroxide, 2024"),
    _declare("cobalt.cost.full_2024", "CNY/t", "Full cost of hydrometallurgical hydroxide, 2024"),
)

OUTPUTS = (
    OutputDeclaration("capacity_growth", "dimensionless", "Capacity growth 2020-2024"),
    OutputDeclaration("utilisation_consumption", "dimensionless",
                      "Capacity utilisation measured by consumption, 2024"),
    OutputDeclaration("utilisation_production", "dimensionless",
                      "Capacity utilisation measured by production, 2024"),
    OutputDeclaration("spare_capacity", "t/yr", "Capacity minus production, 2024"),
    OutputDeclaration("precursor_cobalt_metal", "t/yr",
                      "Contained cobalt in 2024 precursor output at the stated Co content"),
    OutputDeclaration("precursor_hydroxide_demand", "t/yr",
                      "Hydroxide (physical) needed for that cobalt"),
    OutputDeclaration("imports_as_hydroxide", "t/yr",
                      "2024 intermediate imports expressed as hydroxide (physical)"),
    OutputDeclaration("import_to_production_cobalt", "dimensionless",
                      "Cobalt imported per unit of cobalt in hydroxide produced, 2024"),
    OutputDeclaration("imports_growth", "dimensionless",
                      "Year-on-year growth of intermediate imports", ("report_year",)),
    OutputDeclaration("production_growth", "dimensionless",
                      "Year-on-year growth of hydroxide production", ("report_year",)),
    OutputDeclaration("imports_from_drc_metal", "t/yr",
                      "Intermediate imports from the DRC and neighbours, 2024, contained Co"),
    OutputDeclaration("domestic_supply_implied", "t/yr",
                      "Domestic cobalt supply implied by the recycled share, 2024"),
    OutputDeclaration("exports_2023_implied", "t/yr",
                      "2023 hydroxide exports implied by the 2024 growth rate"),
    OutputDeclaration("price_change_2022_2024", "dimensionless",
                      "Change of the hydroxide price from the 2022 peak to 2024"),
    OutputDeclaration("cash_margin", "dimensionless", "(price - cash cost) / price, 2024"),
    OutputDeclaration("full_cost_margin", "dimensionless", "(price - full cost) / price, 2024"),
    OutputDeclaration("ternary_share_2024", "dimensionless",
                      "Ternary share of installed traction batteries, 2024 (1 - LFP)"),
)


def evaluate(inputs: Inputs) -> Outputs:
    capacity_2020 = inputs["cobalt.hydroxide.capacity_2020"]
    capacity = inputs["cobalt.hydroxide.capacity_2024"]
    production = inputs["cobalt.hydroxide.production"]
    imports_metal = inputs["cobalt.intermediate.imports_metal"]
    co_content = inputs["cobalt.hydroxide.co_content"]
    production_2024 = production[..., -1]
    imports_2024 = imports_metal[..., -1]
    precursor_metal = (inputs["cobalt.precursor.output_2024"]
                       * inputs["cobalt.precursor.co_content"])
    price = inputs["cobalt.price.hydroxide_2024"]
    return {
        "capacity_growth": capacity / capacity_2020 - 1.0,
        "utilisation_consumption": inputs["cobalt.hydroxide.consumption_2024"] / capacity,
        "utilisation_production": production_2024 / capacity,
        "spare_capacity": capacity - production_2024,
        "precursor_cobalt_metal": precursor_metal,
        "precursor_hydroxide_demand": precursor_metal / co_content,
        "imports_as_hydroxide": imports_2024 / co_content,
        "import_to_production_cobalt": imports_2024 / (production_2024 * co_content),
        "imports_growth": _growth(imports_metal),
        "production_growth": _growth(production),
        "imports_from_drc_metal": imports_2024 * inputs["cobalt.intermediate.imports_drc_share"],
        "domestic_supply_implied": inputs["cobalt.recycled.output_2024"]
        / inputs["cobalt.recycled.share_of_supply_2024"],
        "exports_2023_implied": inputs["cobalt.hydroxide.exports_2024"]
        / (1.0 + inputs["cobalt.hydroxide.exports_growth_2024"]),
        "price_change_2022_2024": price / inputs["cobalt.price.hydroxide_2022_peak"] - 1.0,
        "cash_margin": 1.0 - inputs["cobalt.cost.cash_2024"] / price,
        "full_cost_margin": 1.0 - inputs["cobalt.cost.full_2024"] / price,
        "ternary_share_2024": 1.0 - inputs["cobalt.battery.lfp_share_2024"],
    }


def _growth(series: np.ndarray) -> np.ndarray:
    """Year-on-year growth; the first year has no predecessor and is NaN."""
    growth = np.full(series.shape, np.nan)
    growth[..., 1:] = series[..., 1:] / series[..., :-1] - 1.0
    return growth


COBALT_BALANCE = ModelDefinition(
    name="cobalt-balance",
    title="China cobalt hydroxide balance, 2024 (report chapter 1)",
    parameters=PARAMETERS,
    outputs=OUTPUTS,
    evaluate=evaluate,
    axis_labels={"report_year": YEARS},
)
