"""Life-cycle cost, cobalt balance, break-even, scale and footprint of cobalt hydroxide routes.

Pure functions over float arrays with a leading sample axis ``N`` and a route axis ``R`` (routes
and parameters are declared in :mod:`valueloop.models.process_route_definitions`, values come from
the scenario ``cobalt-process-routes.toml``). Per-tonne outputs are per t of contained cobalt in
the product; ``*_product`` outputs per t of product (see the definitions module for why).

The cost of one route at utilisation ``u`` of capacity ``Q`` (t of product per year) is

    cost per t = v + F / (u Q),

with ``v`` the variable cost per t (raw material, energy, reagents, environment, logistics and the
interest on the working capital they tie up) and ``F`` the fixed cost per year (labour and
management with their working capital, straight-line depreciation and interest on the
debt-financed share of capex). The breakdown's eight components add up to exactly that, so the
break-even price at ``u`` is the full cost, and the break-even utilisation at price ``P`` is
``u* = F / (Q (P - v))`` (report 2.2's formula). Scale follows the six-tenths rule of
BatPaC/EverBatt (``C = C0 (R/R0)^p``) for capex and, with its own exponent, for labour and
management.

Where the report's totals do not follow from its inputs
-------------------------------------------------------
Totals are built from inputs and differ from what the report states. On the scenario's baseline
(万元 per t Co; footprints per t of product, the report's apparent basis):

- hydromet cash cost 21.3 and full cost 23.8 against 18.5 and 20.3 (2.1, 2.2): the report's own
  per-t-of-*product* inputs (depreciation 4,200 元/t, environment, freight, energy) weigh
  1/0.31 = 3.2 times more per t of cobalt, and 63.4 % utilisation spreads the fixed cost thinner;
  at full use (override ``report-breakeven-plant``) the full cost is 22.5;
- pyromet full cost 23.6 against 21.6; bioleach 19.8 against 24.5 (the report's "auxiliaries
  over 40 % of opex" is matched by no plausible reagent use); recycling variable and cash costs
  8.8 and 10.6 against 13.8 and 15.2;
- footprints 3.5 (hydromet), 5.5 (pyromet), 2.0 (bioleach) tCO2e per t of product against 8.7,
  12.3 and 3.1 (2.2, 3.1), on MEE 2022 provincial grid factors;
- break-even: the report's example plant breaks even at 43.9 %, not 62.3 % (see
  :func:`breakeven_utilisation`); with the scenario's inputs hydromet and pyromet cannot break even
  within capacity at 20.8 万元/t.

The footprint boundary is the plant plus its purchased inputs: the mining and intermediate
production behind the primary feeds (``cobalt-operating-routes`` covers them) and the life of the
spent batteries are both outside. Recycling leaches every metal with EverBatt's reagents (charged
to cobalt by ``co_allocation``), so its gate-to-gate footprint per t Co is the highest of the four;
that ranking says nothing about cradle-to-gate footprints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from enum import IntEnum
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from valueloop.core.errors import (
    DimensionError,
    MissingParameterError,
    OutOfBoundsError,
    ValueloopError,
)
from valueloop.core.model import Inputs, ModelDefinition, OutputDeclaration, Outputs
from valueloop.core.parameters import ParameterDeclaration
from valueloop.core.units import ATOMIC_MASS
from valueloop.models.process_route_definitions import (
    CARBON_PREFIX,
    CASH_COMPONENTS,
    COBALT_FLOWS,
    COST_COMPONENTS,
    DEFAULT_ROUTES,
    FOOTPRINT_COMPONENTS,
    FUEL_UNITS,
    PREFIX,
    SCALE_CAPACITIES,
    WASTEWATER,
    YEARS,
    ProcessRouteDefinition,
    check_routes,
    process_route_parameters,
    route_name,
    union,
)
from valueloop.models.process_route_finance import plant_discount_rate, plant_finance

_DAYS_PER_YEAR = 365.0
_KG_PER_T = 1e3
_G_PER_KG = 1e3
_KWH_PER_MWH = 1e3
_CALCIUM = 40.078
"""IUPAC 2021 standard atomic weight of Ca (not in the shared table of valueloop.core.units)."""
CO2_PER_LIMESTONE = (ATOMIC_MASS["C"] + 2 * ATOMIC_MASS["O"]) / (
    _CALCIUM + ATOMIC_MASS["C"] + 3 * ATOMIC_MASS["O"])
"""t CO2 released per t of CaCO3 neutralising acid (CaCO3 + H2SO4 -> CaSO4 + H2O + CO2): 0.4397.
Limestone used as a neutraliser or flux is assumed to react completely, as EverBatt counts the
decomposition of carbonates (ANL-19/16, Eq. 9-10); sodium carbonate is not counted because the
recycling route uses it to precipitate lithium carbonate, which keeps the carbonate."""


class CobaltBalanceError(ValueloopError):
    """A cobalt balance that does not close: a bug in the model, never bad input."""


class BreakevenStatus(IntEnum):
    """What :func:`breakeven_utilisation` found.

    Attributes
    ----------
    FEASIBLE : 0
        ``0 <= u* <= 1``: the plant breaks even within its capacity.
    ABOVE_CAPACITY : 1
        ``u* > 1``: the unit margin is positive but too small to cover the fixed cost.
    NO_MARGIN : 2
        ``P <= v``: no output covers the fixed cost; ``u*`` is ``inf``.
    """

    FEASIBLE = 0
    ABOVE_CAPACITY = 1
    NO_MARGIN = 2


# --- closed forms ---------------------------------------------------------------------------------

def breakeven_utilisation(fixed_cost: ArrayLike, capacity: ArrayLike, price: ArrayLike,
                          variable_cost: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Utilisation at which the margin is zero: ``u* = F / (Q (P - v))``.

    Parameters
    ----------
    fixed_cost
        ``F``, fixed cost per year.
    capacity
        ``Q``, capacity per year (same tonne basis as ``P`` and ``v``), positive.
    price, variable_cost
        ``P`` and ``v`` per tonne.

    Returns
    -------
    (u, status)
        ``u`` is ``inf`` where ``P <= v``; ``status`` holds :class:`BreakevenStatus` codes.

    Examples
    --------
    Report 2.2's hydromet plant, 1.8 亿元/yr fixed, 16.7 万元/t variable, 10,000 t/yr, at 20.8
    万元/t: ``1.8e8 / (1e4 * 4.1e4) = 0.439`` (the report states 62.3 %).
    """
    f, q, p, v = (np.asarray(x, dtype=float) for x in (fixed_cost, capacity, price,
                                                       variable_cost))
    if np.any(q <= 0.0):
        raise OutOfBoundsError("capacity must be positive", item="capacity", allowed="> 0")
    unit_margin = p - v
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(unit_margin > 0.0, f / (q * unit_margin), np.inf)
    status = np.where(unit_margin <= 0.0, BreakevenStatus.NO_MARGIN,
                      np.where(u > 1.0, BreakevenStatus.ABOVE_CAPACITY,
                               BreakevenStatus.FEASIBLE))
    return u, status.astype(np.int8)


def breakeven_price(fixed_cost: ArrayLike, capacity: ArrayLike, utilisation: ArrayLike,
                    variable_cost: ArrayLike) -> np.ndarray:
    """Price at which the margin is zero at utilisation ``u``: ``P* = v + F / (u Q)``.

    ``inf`` where ``u Q = 0``. At the plant's own utilisation this is its full cost per tonne.
    """
    f, q, u, v = (np.asarray(x, dtype=float) for x in (fixed_cost, capacity, utilisation,
                                                       variable_cost))
    output = u * q
    with np.errstate(divide="ignore"):
        return np.where(output > 0.0, v + f / output, np.inf)


def margin(price: ArrayLike, variable_cost: ArrayLike, fixed_cost: ArrayLike,
           capacity: ArrayLike, utilisation: ArrayLike) -> np.ndarray:
    """Margin per year, ``(P - v) u Q - F``; zero at :func:`breakeven_utilisation` and
    :func:`breakeven_price`. Broadcasts, so a price path ``(N, T)`` gives margins ``(N, T)``."""
    return ((np.asarray(price, dtype=float) - np.asarray(variable_cost, dtype=float))
            * np.asarray(utilisation, dtype=float) * np.asarray(capacity, dtype=float)
            - np.asarray(fixed_cost, dtype=float))


def scale_law(reference_cost: ArrayLike, capacity: ArrayLike, reference_capacity: ArrayLike,
              exponent: ArrayLike) -> np.ndarray:
    """Cost of a plant of capacity ``R``, ``C = C0 (R / R0)^p`` (BatPaC; EverBatt Eq. 2).

    ``p = 0.6`` is the six-tenths rule; the cost *per unit of capacity* then scales as
    ``(R / R0)^(p - 1)`` (:func:`unit_cost_at_scale`).
    """
    ratio = np.asarray(capacity, dtype=float) / np.asarray(reference_capacity, dtype=float)
    return np.asarray(reference_cost, dtype=float) * ratio ** np.asarray(exponent, dtype=float)


def unit_cost_at_scale(reference_unit_cost: ArrayLike, capacity: ArrayLike,
                       reference_capacity: ArrayLike, exponent: ArrayLike) -> np.ndarray:
    """Cost per unit of capacity at ``R``: ``c0 (R / R0)^(p - 1)``."""
    return scale_law(reference_unit_cost, capacity, reference_capacity,
                     np.asarray(exponent, dtype=float) - 1.0)


class ScaleClass(NamedTuple):
    """One row of the report's 2.3 table (capacity class, management cost, recovery)."""

    low: float
    high: float
    management_cost: float
    """CNY per t."""
    recovery: float
    """Solvent-extraction recovery."""


SCALE_TABLE_2_3: tuple[ScaleClass, ...] = (
    ScaleClass(50_000, np.inf, 820.0, 0.945),
    ScaleClass(30_000, 49_999, 1_050.0, 0.932),
    ScaleClass(10_000, 29_999, 1_230.0, 0.918),
    ScaleClass(5_000, 9_999, 1_380.0, 0.905),
    ScaleClass(0, 4_999, 1_400.0, 0.900),
)
"""Seed report 2.3, table of producers by annual capacity (CNIA): management cost per t and
extraction recovery. Representative capacities are :data:`SCALE_CAPACITIES` (reversed)."""


def fit_scale_exponent(capacity: ArrayLike, unit_cost: ArrayLike) -> float:
    """Exponent ``p`` of ``C = C0 R^p`` fitted to costs per unit by least squares in logs.

    The slope of ``ln(unit cost)`` on ``ln(R)`` is ``p - 1``. On the 2.3 table's management
    costs at :data:`SCALE_CAPACITIES` it gives ``p = 0.85``: the table's small plants pay far
    less of a penalty than the six-tenths rule would charge them (``p = 0.6``).
    """
    x = np.log(np.asarray(capacity, dtype=float))
    y = np.log(np.asarray(unit_cost, dtype=float))
    slope = np.polyfit(x, y, 1)[0]
    return float(slope + 1.0)


def scale_table_comparison(exponent: float, reference_class: int = 2
                           ) -> tuple[np.ndarray, np.ndarray]:
    """Management cost per t of each 2.3 class: the table's, and the scale law's prediction.

    The law is anchored on ``reference_class`` (default 10,000-29,999 t at 1,230 CNY/t) and
    evaluated at :data:`SCALE_CAPACITIES`, largest class first as the table lists them.
    """
    capacities = np.array(SCALE_CAPACITIES[::-1], dtype=float)
    stated = np.array([row.management_cost for row in SCALE_TABLE_2_3])
    predicted = unit_cost_at_scale(stated[reference_class], capacities,
                                   capacities[reference_class], exponent)
    return stated, predicted


# --- arrays ---------------------------------------------------------------------------------------

_PER_ROUTE = (
    "feed_grade", "recovery", "product_co_content", "feed_price", "feed_charges_rate",
    "compliance_cost", "electricity", "steam", "water", "wastewater", "wastewater_cost",
    "residue", "residue_cost", "process_emissions", "labour_productivity", "wage",
    "management_cost", "capex", "reference_capacity", "capacity", "utilisation",
    "depreciation_life", "working_capital_days", "feed_freight", "feed_distance",
    "product_freight", "product_distance", "grid_factor", "green_share",
)
_SHARED: Mapping[str, str] = MappingProxyType({
    "product_price": f"{PREFIX}product_price",
    "electricity_price": f"{PREFIX}price.electricity",
    "certificate_price": f"{PREFIX}price.green_certificate",
    "steam_price": f"{PREFIX}price.steam",
    "water_price": f"{PREFIX}price.water",
    "financing_rate": f"{PREFIX}financing.rate",
    "debt_share": f"{PREFIX}financing.debt_share",
    "cost_of_equity": f"{PREFIX}financing.cost_of_equity",
    "tax_rate": f"{PREFIX}financing.tax_rate",
    "inflation": f"{PREFIX}financing.inflation",
    "capex_exponent": f"{PREFIX}scale.capex_exponent",
    "fixed_cost_exponent": f"{PREFIX}scale.fixed_cost_exponent",
    "carbon_price": f"{CARBON_PREFIX}price",
    "steam_factor": f"{CARBON_PREFIX}factor.steam",
    "wastewater_factor": f"{CARBON_PREFIX}factor.{WASTEWATER}",
})
"""Kernel field name to the shared scalar parameter it reads."""


@dataclass(frozen=True)
class ProcessArrays:
    """Numeric inputs of the kernel in the declared units.

    Per-route fields are ``(N, R)``; ``reagents`` ``(N, R, K)`` and ``fuels`` ``(N, R, F)`` with
    zeros where a route does not use the item; shared prices and factors of items ``(N, 1, K)``
    or ``(N, 1, F)``; other shared scalars ``(N, 1)``; ``price_index`` ``(N or 1, T)``; the
    structure masks ``(R,)``. A leading 1 stands for an input that does not vary over samples.
    """

    feed_grade: np.ndarray
    recovery: np.ndarray
    product_co_content: np.ndarray
    feed_price: np.ndarray
    feed_charges_rate: np.ndarray
    compliance_cost: np.ndarray
    electricity: np.ndarray
    steam: np.ndarray
    water: np.ndarray
    wastewater: np.ndarray
    wastewater_cost: np.ndarray
    residue: np.ndarray
    residue_cost: np.ndarray
    process_emissions: np.ndarray
    labour_productivity: np.ndarray
    wage: np.ndarray
    management_cost: np.ndarray
    capex: np.ndarray
    reference_capacity: np.ndarray
    capacity: np.ndarray
    utilisation: np.ndarray
    depreciation_life: np.ndarray
    working_capital_days: np.ndarray
    feed_freight: np.ndarray
    feed_distance: np.ndarray
    product_freight: np.ndarray
    product_distance: np.ndarray
    grid_factor: np.ndarray
    green_share: np.ndarray
    pretreatment_recovery: np.ndarray
    pretreatment_electricity: np.ndarray
    allocation: np.ndarray
    residue_factor: np.ndarray
    feed_mode_factor: np.ndarray
    product_mode_factor: np.ndarray
    reagents: np.ndarray
    fuels: np.ndarray
    feed_basis: np.ndarray
    """``(R,)`` True where intensities are per t of feed."""
    material_price: np.ndarray
    """``(R,)`` True where the feed is priced per t of feed material."""
    reagent_price: np.ndarray
    reagent_factor: np.ndarray
    reagent_process_co2: np.ndarray
    """``(K,)`` t CO2 released in the plant per t of reagent (limestone)."""
    fuel_price: np.ndarray
    fuel_factor: np.ndarray
    fuel_cost_scale: np.ndarray
    fuel_emission_scale: np.ndarray
    product_price: np.ndarray
    electricity_price: np.ndarray
    certificate_price: np.ndarray
    steam_price: np.ndarray
    water_price: np.ndarray
    financing_rate: np.ndarray
    debt_share: np.ndarray
    cost_of_equity: np.ndarray
    tax_rate: np.ndarray
    inflation: np.ndarray
    capex_exponent: np.ndarray
    fixed_cost_exponent: np.ndarray
    carbon_price: np.ndarray
    steam_factor: np.ndarray
    wastewater_factor: np.ndarray
    price_index: np.ndarray


def _get(inputs: Inputs, name: str) -> np.ndarray:
    try:
        return np.atleast_1d(np.asarray(inputs[name], dtype=float))
    except KeyError:
        raise MissingParameterError("is needed by the process-route kernel", item=name,
                                    allowed="every parameter process_route_parameters() "
                                            "declares") from None


def _stack(columns: Sequence[ArrayLike]) -> np.ndarray:
    """Scalars of shape ``(N,)``/``(1,)`` (or plain numbers) side by side: ``(N, len)``."""
    arrays = [np.atleast_1d(np.asarray(column, dtype=float)) for column in columns]
    return np.stack(np.broadcast_arrays(*arrays), axis=-1)


def validate_inputs(inputs: Inputs, declarations: Sequence[ParameterDeclaration]) -> None:
    """Raise :class:`OutOfBoundsError` naming the first input outside its declared bounds."""
    for declared in declarations:
        values = _get(inputs, declared.name)
        low, high = declared.bounds
        if np.any(np.isnan(values)) or np.any(values < low) or np.any(values > high):
            raise OutOfBoundsError(
                f"value outside the allowed range ({np.nanmin(values):.6g} to "
                f"{np.nanmax(values):.6g}, or NaN)", item=declared.name,
                allowed=f"[{low:g}, {high:g}] {declared.unit}")


def process_arrays(inputs: Inputs, routes: Sequence[ProcessRouteDefinition] = DEFAULT_ROUTES
                   ) -> ProcessArrays:
    """Stack the declared inputs of ``routes`` into a :class:`ProcessArrays`.

    Parameters
    ----------
    inputs
        Parameter name to array of shape ``(N,)`` or ``(1,)`` (the price index ``(1, T)``), as the
        engine passes them; see :func:`process_route_parameters`.
    routes
        The routes, in the order of the route axis.
    """
    routes = check_routes(routes)
    reagents, fuels = union(routes, "reagents"), union(routes, "fuels")
    per_route = {key: _stack([_get(inputs, route_name(r.id, key)) for r in routes])
                 for key in _PER_ROUTE}

    def optional(key: str, present: Sequence[bool], default: float) -> np.ndarray:
        return _stack([_get(inputs, route_name(r.id, key)) if has else default
                       for r, has in zip(routes, present, strict=True)])

    def items(kind: str, ids: tuple[str, ...], used: Sequence[tuple[str, ...]]) -> np.ndarray:
        if not ids:
            return np.zeros((1, len(routes), 0))
        per_item = [_stack([_get(inputs, route_name(r.id, f"{kind}.{i}")) if i in own else 0.0
                            for r, own in zip(routes, used, strict=True)]) for i in ids]
        return np.stack(np.broadcast_arrays(*per_item), axis=-1)

    def shared(names: Sequence[str]) -> np.ndarray:
        if not names:
            return np.zeros((1, 1, 0))
        return _stack([_get(inputs, name) for name in names])[:, None, :]

    def factor_by(kinds: Sequence[str]) -> np.ndarray:
        return _stack([_get(inputs, f"{CARBON_PREFIX}factor.{kind}") for kind in kinds])

    pretreatment = [r.has_pretreatment for r in routes]
    price_index = np.atleast_2d(_get(inputs, f"{PREFIX}price_index"))
    if price_index.shape[-1] != len(YEARS):
        raise DimensionError(f"needs one value per year {YEARS[0]}-{YEARS[-1]}, got "
                             f"{price_index.shape[-1]}", item=f"{PREFIX}price_index")
    return ProcessArrays(
        **per_route,
        pretreatment_recovery=optional("pretreatment_recovery", pretreatment, 1.0),
        pretreatment_electricity=optional("pretreatment_electricity", pretreatment, 0.0),
        allocation=optional("co_allocation", [r.has_joint_inputs for r in routes], 1.0),
        residue_factor=factor_by([r.residue_disposal for r in routes]),
        feed_mode_factor=factor_by([r.feed_mode for r in routes]),
        product_mode_factor=factor_by([r.product_mode for r in routes]),
        reagents=items("reagent", reagents, [r.reagents for r in routes]),
        fuels=items("fuel", fuels, [r.fuels for r in routes]),
        feed_basis=np.array([r.intensity_basis == "feed" for r in routes]),
        material_price=np.array([r.feed_price_basis == "feed_material" for r in routes]),
        reagent_price=shared([f"{PREFIX}price.{i}" for i in reagents]),
        reagent_factor=shared([f"{CARBON_PREFIX}factor.{i}" for i in reagents]),
        reagent_process_co2=np.array([CO2_PER_LIMESTONE if i == "limestone" else 0.0
                                      for i in reagents]),
        fuel_price=shared([f"{PREFIX}price.{i}" for i in fuels]),
        fuel_factor=shared([f"{CARBON_PREFIX}factor.{i}" for i in fuels]),
        fuel_cost_scale=np.array([FUEL_UNITS[i].cost_scale for i in fuels]),
        fuel_emission_scale=np.array([FUEL_UNITS[i].emission_scale for i in fuels]),
        **{key: _get(inputs, name)[:, None] for key, name in _SHARED.items()},
        price_index=price_index,
    )


# --- cobalt balance ---------------------------------------------------------------------------

@dataclass(frozen=True)
class CobaltBalance:
    """Cobalt flows per t of product, ``(N, R)`` each, in t Co."""

    feed_per_product: np.ndarray
    """t of feed material per t of product: ``c_p / (grade x recovery x pretreatment recovery)``."""
    feed: np.ndarray
    """Cobalt in that feed, computed as feed mass x grade."""
    product: np.ndarray
    pretreatment_loss: np.ndarray
    process_loss: np.ndarray

    @property
    def residual(self) -> np.ndarray:
        """Cobalt in minus cobalt out (t Co per t of product); zero up to rounding."""
        return self.feed - (self.product + self.pretreatment_loss + self.process_loss)

    def flows(self) -> np.ndarray:
        """``(N, R, len(COBALT_FLOWS))``."""
        return np.stack(np.broadcast_arrays(
            self.feed, self.product, self.pretreatment_loss, self.process_loss), axis=-1)


def cobalt_balance(a: ProcessArrays) -> CobaltBalance:
    """Cobalt through pretreatment and the main process, per t of product.

    Each stage's loss is what its recovery leaves behind: ``(1 - r_pre)`` of the feed's cobalt in
    pretreatment, ``(1 - r)`` of the black mass's in the main process (to residue, wastewater
    and fume). The feed is sized from the product alone, so the balance is a check on the stage
    algebra, not an identity of the inputs.
    """
    overall = a.recovery * a.pretreatment_recovery
    feed_per_product = a.product_co_content / (a.feed_grade * overall)
    cobalt_in = feed_per_product * a.feed_grade
    to_main = a.product_co_content / a.recovery
    return CobaltBalance(
        feed_per_product=feed_per_product, feed=cobalt_in, product=a.product_co_content,
        pretreatment_loss=to_main * (1.0 - a.pretreatment_recovery) / a.pretreatment_recovery,
        process_loss=to_main * (1.0 - a.recovery))


def check_cobalt_balance(balance: CobaltBalance, rtol: float = 1e-9) -> None:
    """Raise :class:`CobaltBalanceError` unless cobalt in equals cobalt out in every cell, with
    no negative flow; the tolerance is relative to the cobalt in the feed."""
    residual = np.abs(balance.residual)
    scale = np.maximum(np.abs(balance.feed), 1e-300)
    if not np.all(residual <= rtol * scale):
        worst = np.unravel_index(np.nanargmax(residual / scale), residual.shape)
        raise CobaltBalanceError(f"cobalt balance off by {residual[worst]:.3g} t/t at sample, "
                                 f"route {tuple(int(i) for i in worst)}")
    flows = balance.flows()
    if np.any(flows < 0.0) or np.any(np.isnan(flows)):
        raise CobaltBalanceError("a cobalt flow is negative or NaN")


# --- cost ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CostStructure:
    """Variable costs per t of product and fixed costs per year, ``(N, R)`` each (CNY)."""

    raw_material: np.ndarray
    energy: np.ndarray
    reagents: np.ndarray
    environment: np.ndarray
    logistics: np.ndarray
    labour: np.ndarray
    """Wages and management per year."""
    depreciation: np.ndarray
    """Straight-line depreciation per year."""
    interest: np.ndarray
    """Interest on the debt-financed share of capex per year."""
    working_capital: np.ndarray
    """Interest on working capital per CNY of cash operating cost."""
    output: np.ndarray
    """t of product per year."""
    capex: np.ndarray
    """Investment of the plant, CNY."""

    @property
    def variable_cash(self) -> np.ndarray:
        return self.raw_material + self.energy + self.reagents + self.environment + self.logistics

    @property
    def variable(self) -> np.ndarray:
        """``v`` per t of product."""
        return self.variable_cash * (1.0 + self.working_capital)

    @property
    def fixed(self) -> np.ndarray:
        """``F`` per year."""
        return self.labour * (1.0 + self.working_capital) + self.depreciation + self.interest

    def breakdown(self) -> np.ndarray:
        """Components per t of product at the plant's utilisation, ``(N, R, 8)``.

        They add up to ``v + F / (u Q)``: the working-capital interest on labour and the capital
        charges are spread over the year's output like the rest of ``F``.
        """
        labour = self.labour / self.output
        financing = (self.working_capital * (self.variable_cash + labour)
                     + self.interest / self.output)
        return np.stack(np.broadcast_arrays(
            self.raw_material, self.energy, self.reagents, labour,
            self.depreciation / self.output, self.environment, self.logistics, financing),
            axis=-1)


def _per_item(amounts: np.ndarray, weights: ArrayLike) -> np.ndarray:
    """``sum_k amounts[..., k] * weights[..., k]`` over items, ``(N, R)``.

    einsum on broadcast views avoids the ``(N, R, K)`` temporary of a product-then-sum, about
    four times faster on the reagent arrays.
    """
    weights = np.asarray(weights, dtype=float)
    shape = np.broadcast_shapes(amounts.shape, weights.shape)
    return np.einsum("nrk,nrk->nr", np.broadcast_to(amounts, shape),
                     np.broadcast_to(weights, shape))


def _per_basis(a: ProcessArrays, feed_per_product: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(t of intensity basis charged to cobalt per t of product, t of feed charged per t)."""
    joint_feed = feed_per_product * a.allocation
    return np.where(a.feed_basis, joint_feed, 1.0), joint_feed


def _electricity(a: ProcessArrays, basis: np.ndarray, joint_feed: np.ndarray) -> np.ndarray:
    """kWh per t of product charged to cobalt."""
    return a.electricity * basis + a.pretreatment_electricity * joint_feed


def cost_structure(a: ProcessArrays, balance: CobaltBalance) -> CostStructure:
    """Variable and fixed costs of every route and sample (see the module docstring)."""
    basis, joint_feed = _per_basis(a, balance.feed_per_product)
    feed_bought = np.where(a.material_price, joint_feed, balance.feed)
    raw = feed_bought * a.feed_price * (1.0 + a.feed_charges_rate) + a.compliance_cost
    fuel_cost = _per_item(a.fuels, a.fuel_price * a.fuel_cost_scale)
    energy = (_electricity(a, basis, joint_feed) * (a.electricity_price + a.green_share
                                                    * a.certificate_price / _KWH_PER_MWH)
              + basis * (a.steam * a.steam_price + fuel_cost))
    reagents = basis * (_per_item(a.reagents, a.reagent_price) / _KG_PER_T
                        + a.water * a.water_price)
    environment = basis * (a.wastewater * a.wastewater_cost + a.residue * a.residue_cost)
    logistics = joint_feed * a.feed_freight + a.product_freight

    fixed_scale = (a.capacity / a.reference_capacity) ** (a.fixed_cost_exponent - 1.0)
    capex_per_capacity = unit_cost_at_scale(a.capex, a.capacity, a.reference_capacity,
                                            a.capex_exponent)
    capex = capex_per_capacity * a.capacity
    labour = a.capacity * fixed_scale * (a.wage / a.labour_productivity + a.management_cost)
    return CostStructure(
        raw_material=raw, energy=energy, reagents=reagents, environment=environment,
        logistics=logistics, labour=labour, depreciation=capex / a.depreciation_life,
        # a loan repaid straight-line over the depreciation life carries half its principal
        # on average
        interest=a.financing_rate * a.debt_share * capex / 2.0,
        working_capital=a.financing_rate * a.working_capital_days / _DAYS_PER_YEAR,
        output=a.utilisation * a.capacity, capex=capex)


def fixed_cost_per_capacity(a: ProcessArrays, capacity: ArrayLike) -> np.ndarray:
    """Fixed cost per t of capacity and year of the same route built at ``capacity``.

    ``capacity`` broadcasts against the route axis, e.g. ``(1, 1, K)`` for a scale curve (then
    the route arrays get a trailing axis). Equals ``F / Q`` at the plant's own capacity.
    """
    r = np.asarray(capacity, dtype=float)

    def sized(x: np.ndarray) -> np.ndarray:
        # a capacity grid on a trailing axis needs the (N, R) route arrays to have one too
        return x[..., None] if r.ndim > 2 else x

    ratio = r / sized(a.reference_capacity)
    wc = sized(a.financing_rate * a.working_capital_days / _DAYS_PER_YEAR)
    labour = (sized(a.wage / a.labour_productivity + a.management_cost)
              * ratio ** (sized(a.fixed_cost_exponent) - 1.0))
    capex = sized(a.capex) * ratio ** (sized(a.capex_exponent) - 1.0)
    return (labour * (1.0 + wc)
            + capex * (1.0 / sized(a.depreciation_life) + sized(a.financing_rate * a.debt_share)
                       / 2.0))


# --- footprint ----------------------------------------------------------------------------------

def footprint_breakdown(a: ProcessArrays, balance: CobaltBalance) -> np.ndarray:
    """Footprint components per t of product, ``(N, R, len(FOOTPRINT_COMPONENTS))``, tCO2e/t.

    Gate-to-gate plus purchased inputs: electricity (location-based grid factor, certified green
    supply counted at zero), steam, fuel combustion, reagents cradle-to-gate, process emissions
    (declared ones plus the CO2 of limestone), waste treatment and freight to and from the plant.
    The feed's own upstream (mining, intermediate production, sea freight) is outside: the
    ``cobalt-operating-routes`` model covers it.
    """
    basis, joint_feed = _per_basis(a, balance.feed_per_product)
    kwh = _electricity(a, basis, joint_feed)
    components = (
        kwh * a.grid_factor * (1.0 - a.green_share),
        basis * a.steam * a.steam_factor,
        basis * _per_item(a.fuels, a.fuel_factor * a.fuel_emission_scale),
        basis * _per_item(a.reagents, a.reagent_factor),
        basis * (a.process_emissions + _per_item(a.reagents, a.reagent_process_co2)),
        basis * (a.wastewater * a.wastewater_factor + a.residue * a.residue_factor),
        (joint_feed * a.feed_distance * a.feed_mode_factor
         + a.product_distance * a.product_mode_factor) / _G_PER_KG,
    )
    # every component above is in kgCO2e per t of product
    return np.stack(np.broadcast_arrays(*components), axis=-1) / _KG_PER_T


# --- all together -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProcessResults:
    """Outputs of :func:`evaluate_process_routes`; per-tonne figures per t Co unless named
    ``*_product``. Field names are the model's output names."""

    cost_breakdown: np.ndarray
    cost_shares: np.ndarray
    full_cost: np.ndarray
    cash_cost: np.ndarray
    full_cost_product: np.ndarray
    cash_cost_product: np.ndarray
    variable_cost: np.ndarray
    fixed_cost: np.ndarray
    capex: np.ndarray
    capex_per_capacity: np.ndarray
    cobalt_output: np.ndarray
    footprint_breakdown: np.ndarray
    footprint: np.ndarray
    footprint_product: np.ndarray
    carbon_cost: np.ndarray
    breakeven_utilisation: np.ndarray
    breakeven_price: np.ndarray
    breakeven_status: np.ndarray
    unit_margin: np.ndarray
    margin: np.ndarray
    annual_margin: np.ndarray
    full_cost_by_scale: np.ndarray
    feed_per_product: np.ndarray
    cobalt_balance: np.ndarray
    cobalt_mass_balance_residual: np.ndarray
    npv: np.ndarray
    payback: np.ndarray
    discounted_payback: np.ndarray
    discount_rate: np.ndarray

    def outputs(self) -> Outputs:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def evaluate_process_routes(a: ProcessArrays, *, check_balance: bool = True) -> ProcessResults:
    """Cost, footprint, break-even, margins, scale curve and cobalt balance of every route."""
    balance = cobalt_balance(a)
    if check_balance:
        check_cobalt_balance(balance)
    costs = cost_structure(a, balance)
    c_p = a.product_co_content
    breakdown = costs.breakdown() / c_p[..., None]
    full = np.sum(breakdown, axis=-1)
    cash = np.sum(breakdown[..., [COST_COMPONENTS.index(c) for c in CASH_COMPONENTS]], axis=-1)
    footprints = footprint_breakdown(a, balance)
    footprint_product = np.sum(footprints, axis=-1)
    variable = costs.variable / c_p
    capacity_co = a.capacity * c_p
    price = a.product_price
    u_star, status = breakeven_utilisation(costs.fixed, capacity_co, price, variable)
    path = price[..., None] * a.price_index[:, None, :]
    scale = np.asarray(SCALE_CAPACITIES, dtype=float)[None, None, :]
    rate = plant_discount_rate(a.cost_of_equity, a.financing_rate, a.tax_rate, a.debt_share,
                               a.inflation)
    plant = plant_finance(
        capex=costs.capex, capacity=a.capacity, utilisation=a.utilisation,
        product_price=price * c_p, price_index=a.price_index,
        variable_cash_cost=costs.variable_cash, fixed_cash_cost=costs.labour,
        working_capital_days=a.working_capital_days, depreciation_life=a.depreciation_life,
        tax_rate=a.tax_rate, discount_rate=rate)
    by_scale = (costs.variable[..., None] + fixed_cost_per_capacity(a, scale)
                / a.utilisation[..., None]) / c_p[..., None]
    return ProcessResults(
        cost_breakdown=breakdown,
        cost_shares=breakdown / full[..., None],
        full_cost=full, cash_cost=cash,
        full_cost_product=full * c_p, cash_cost_product=cash * c_p,
        variable_cost=variable, fixed_cost=costs.fixed, capex=costs.capex,
        capex_per_capacity=costs.capex / a.capacity,
        cobalt_output=costs.output * c_p,
        footprint_breakdown=footprints / c_p[..., None],
        footprint=footprint_product / c_p, footprint_product=footprint_product,
        carbon_cost=footprint_product / c_p * a.carbon_price,
        breakeven_utilisation=u_star,
        breakeven_price=breakeven_price(costs.fixed, capacity_co, a.utilisation, variable),
        breakeven_status=status,
        unit_margin=price - full,
        margin=margin(price, variable, costs.fixed, capacity_co, a.utilisation),
        annual_margin=margin(path, variable[..., None], costs.fixed[..., None],
                             capacity_co[..., None], a.utilisation[..., None]),
        full_cost_by_scale=by_scale,
        feed_per_product=balance.feed_per_product,
        cobalt_balance=balance.flows(),
        cobalt_mass_balance_residual=balance.residual,
        npv=plant.npv, payback=plant.payback, discounted_payback=plant.discounted_payback,
        discount_rate=plant.discount_rate,
    )


_OUTPUTS = (
    ("cost_breakdown", "CNY/t", "Life-cycle cost components per t Co", ("route", "component")),
    ("cost_shares", "dimensionless", "Cost components as shares of the full cost",
     ("route", "component")),
    ("full_cost", "CNY/t", "Full cost per t Co (all eight components)", ("route",)),
    ("cash_cost", "CNY/t", "Cash cost per t Co (without depreciation and financing)",
     ("route",)),
    ("full_cost_product", "CNY/t", "Full cost per t of product", ("route",)),
    ("cash_cost_product", "CNY/t", "Cash cost per t of product", ("route",)),
    ("variable_cost", "CNY/t", "Variable cost v per t Co", ("route",)),
    ("fixed_cost", "CNY/yr", "Fixed cost F per year", ("route",)),
    ("capex", "CNY", "Investment of the plant at its capacity", ("route",)),
    ("capex_per_capacity", "CNY*yr/t", "Investment per t/yr of product capacity at the "
                                       "plant's scale", ("route",)),
    ("cobalt_output", "t/yr", "Cobalt in the year's product (u x Q x Co content)", ("route",)),
    ("footprint_breakdown", "tCO2e/t", "Footprint components per t Co",
     ("route", "footprint_component")),
    ("footprint", "tCO2e/t", "Footprint per t Co", ("route",)),
    ("footprint_product", "tCO2e/t", "Footprint per t of product", ("route",)),
    ("carbon_cost", "CNY/t", "Footprint per t Co at the carbon price", ("route",)),
    ("breakeven_utilisation", "dimensionless", "u* = F / (Q (P - v)); inf without margin",
     ("route",)),
    ("breakeven_price", "CNY/t", "P* = v + F / (u Q) per t Co at the plant's utilisation",
     ("route",)),
    ("breakeven_status", "dimensionless",
     "0 feasible, 1 above capacity, 2 no unit margin (BreakevenStatus)", ("route",)),
    ("unit_margin", "CNY/t", "Product price minus full cost, per t Co", ("route",)),
    ("margin", "CNY/yr", "Margin per year at the product price", ("route",)),
    ("annual_margin", "CNY/yr", "Margin per year under the price path", ("route", "year")),
    ("full_cost_by_scale", "CNY/t", "Full cost per t Co of the same route built at each "
                                    "capacity of the 2.3 classes", ("route", "scale")),
    ("feed_per_product", "dimensionless", "t of feed per t of product", ("route",)),
    ("cobalt_balance", "dimensionless", "Cobalt flows, t Co per t of product",
     ("route", "cobalt_flow")),
    ("cobalt_mass_balance_residual", "dimensionless",
     "Cobalt in minus out, t Co per t of product", ("route",)),
    ("npv", "CNY", "NPV of the plant at the real after-tax WACC (process_route_finance)",
     ("route",)),
    ("payback", "yr", "Years from construction start to a positive cumulative cash flow",
     ("route",)),
    ("discounted_payback", "yr", "Payback of the discounted cash flow", ("route",)),
    ("discount_rate", "dimensionless", "Real after-tax WACC", ()),
)


def process_routes_model(routes: Sequence[ProcessRouteDefinition] = DEFAULT_ROUTES
                         ) -> ModelDefinition:
    """The process-route calculator as a :class:`ModelDefinition` for scenarios and studies."""
    routes = check_routes(routes)
    declarations = process_route_parameters(routes)

    def evaluate(inputs: Inputs) -> Outputs:
        validate_inputs(inputs, declarations)
        return evaluate_process_routes(process_arrays(inputs, routes)).outputs()

    return ModelDefinition(
        name="cobalt-process-routes",
        title="Life-cycle cost, footprint, break-even and cobalt balance of cobalt hydroxide "
              "process routes (report 2.1-2.3, 3.1, 3.2)",
        parameters=declarations,
        outputs=tuple(OutputDeclaration(*spec) for spec in _OUTPUTS),
        evaluate=evaluate,
        axis_labels={"route": tuple(r.id for r in routes), "component": COST_COMPONENTS,
                     "footprint_component": FOOTPRINT_COMPONENTS, "year": YEARS,
                     "scale": SCALE_CAPACITIES, "cobalt_flow": COBALT_FLOWS},
    )


PROCESS_ROUTES = process_routes_model()
