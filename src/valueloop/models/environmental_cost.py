"""Environmental-cost internalisation shock by process route (issue 4 item 5; seed report 3.2).

In 2024 the cobalt industry's standard conditions (as report 3.2 states them) required wastewater
reuse of at least 85 % and comprehensive utilisation of at least 90 % of cobalt-bearing residue.
Treatment moved from cheap third-party disposal to on-site deep treatment and residue recovery.
This module prices both rule sets for each process route (hydrometallurgy, pyrometallurgy,
bioleaching, recycling) and gives the effect on margins, per route and sample.

Per tonne of product, for route ``r`` and rule set ``s`` (shipped values in
``data/tables/environmental_rules.csv``, each row with its source):

.. math::

    W_r c^w_{rs}                                            &\\quad\\text{wastewater treatment}\\\\
    H_r u_{rs} c^u_{rs}                                     &\\quad\\text{residue utilisation}\\\\
    H_r (1 - u_{rs}) c^d_{rs}                               &\\quad\\text{residue disposal}\\\\
    -H_r u_{rs} k_{rs}                                      &\\quad\\text{recovery credit}\\\\
    (1 - \\rho_{rs}) [W_r (1 - q_{rs}) L_{rs} \\tau^w_{rs}
        + H_r (1 - u_{rs}) \\tau^h_{rs}]                    &\\quad\\text{environmental tax}\\\\
    K_{rs} / (n_{rs}\\, U)                                  &\\quad\\text{capital}

with ``W`` wastewater (m3/t), ``H`` residue (t/t), ``q`` the reuse share, ``L`` pollutant
equivalents per m3 discharged, ``tau`` the tax per equivalent or per t of residue disposed, ``rho``
a tax relief, ``K`` treatment capex per t/yr of capacity depreciated straight-line over ``n``
years, and ``U`` the utilisation. China's Environmental Protection Tax Law taxes discharged water
per pollutant equivalent (1.4-14 元, by province); residue disposed of at compliant facilities is
not taxed (Art. 4). The report's stated variable cost of each route (hydromet 16.7 万元/t) is read
as including the environmental cost under the old rules, so the non-environmental cost is
``variable_cost - env_cost(old)`` and every rule set is priced on top of it.

Where the report's 3.2 figures do not follow from its own inputs
----------------------------------------------------------------
- Its table's per-tonne costs of primary hydromet (1,500 元/t before, 2,000 元/t after) do not
  follow from its own volumes (12 m3 and 1.8 t of residue per t) and unit costs: 12 x 18 +
  1.8 x 1,000 = 2,016 元/t before and 12 x 52 + 1.8 x 2,050 = 4,314 元/t after. This module gives
  2,017 元/t before (the tax adds 1 元) and 5,867 元/t after: 4,692 of opex at the 90 % floor
  (the last 10 % of residue goes to hazardous-waste disposal at 4,150 元/t, 2.1) plus 1,175 元/t of
  depreciation of the 11,750 万元 plant.
- The text's rise of the variable cost from 16.7 to 17.1 万元/t (4,000 元/t) is larger than the
  rise of the annual spend it states (about 1,800 to over 4,200 万元 for 10,000 t, 2,400 元/t) and
  eight times its table's rise (500 元/t); with depreciation included the rise here is 3,850 元/t,
  which is why the margin computed here, 17.9 % at 20.8 万元/t, lands near the report's 17.8 %.
- The environmental shares of "operating cost" (2.8 % before, 6.8-7.5 % and 7.2 % after) need an
  operating cost of 2.8-5.4 万元/t, a third or less of the report's own variable cost; on the
  variable cost they are 1.2 % and 3.4 % here.
- "Pyrometallurgy about 40 % above hydromet" (2,300 against 2,000 is 15 %) and "recycling 25 %
  below primary hydromet" (1,300 against 2,000 is 35 %) disagree with the report's own table.
- Section 1.3 puts the environmental share of a Hunan 10,000 t plant's operating cost at 9.3 %
  (6.1 % in Jiangsu and Guangdong). On 3.2's 17.1 万元/t that is about 15,900 (10,400) 元/t,
  2.7 (1.8) times the 5,867 元/t computed here under the new rules; 3.2's table (7.2 % for
  2,000 元/t) implies yet another base: the chapters do not share one. 1.3's 18.5 % a year
  rise of outsourced hazardous-waste disposal enters :func:`shock_path` as
  ``disposal_growth``.
- The 30 % "environmental tax" relief of recycling comes from an income-tax incentive; applied to
  the environmental protection tax, as the report words it, it is worth well under 1 元/t, since
  the tax on 15 % of 12 m3 of treated water is small against treatment costs of tens of 元 per m3.

The volumes of the non-hydromet routes are not in the report; they are chosen so that the
report's table unit costs reproduce its per-tonne figures (see the table's assumption column).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from valueloop.core.datatables import DataTable, load_table
from valueloop.core.errors import (
    MalformedFileError,
    MissingParameterError,
    OutOfBoundsError,
)
from valueloop.core.model import Inputs, ModelDefinition, OutputDeclaration, Outputs
from valueloop.core.parameters import ParameterDeclaration
from valueloop.core.sources import Citation
from valueloop.core.tables import Table
from valueloop.core.units import conversion_factor

TABLE = "environmental_rules"
PREFIX = "env."
ROUTES: tuple[str, ...] = ("hydrometallurgy", "pyrometallurgy", "bioleaching", "recycling")
RULE_SETS: tuple[str, ...] = ("old", "new")
ALL_ROUTES = "all"
ANY_RULE = "any"
COMPONENTS: tuple[str, ...] = ("wastewater_treatment", "residue_utilisation", "residue_disposal",
                               "residue_credit", "environmental_tax", "capital")

BASELINE_PRICE = 208_000.0
"""CNY/t: 2024 average price of cobalt hydroxide, 20.8 万元/t (seed-004 3.2 and 2.2)."""
BASELINE_PRICE_SOURCE = Citation(document="seed-004", section="3.2",
                                 note="2024 market average 20.8 万元/t")
BASELINE_OUTPUT = 10_000.0
"""t/yr: the typical 万吨-class hydromet plant of seed-004 3.2."""
DEFAULT_PHASE_IN = (2024.0, 2026.0)
"""Years in which the new rules start to bite and are fully in force. Assumption: the 2024
standard conditions were issued in 2024 (3.2) and building a deep-treatment plant and a residue
line takes about two years; the report gives no transition."""

_INF = float("inf")


class _Quantity(NamedTuple):
    key: str
    unit: str
    description: str
    bounds: tuple[float, float] = (0.0, _INF)


ROUTE_QUANTITIES: tuple[_Quantity, ...] = (
    _Quantity("wastewater", "m**3/t", "Wastewater generated per t of product"),
    _Quantity("residue", "dimensionless", "Solid residue generated, t per t of product"),
    _Quantity("variable_cost", "CNY/t",
              "Stated variable cost per t, including the environmental cost of the old rules"),
)
"""Properties of a route, the same under every rule set (table rule_set 'any')."""

RULE_QUANTITIES: tuple[_Quantity, ...] = (
    _Quantity("wastewater_treatment_cost", "CNY/m**3", "Treatment cost per m3 of wastewater"),
    _Quantity("wastewater_reuse", "dimensionless", "Share of wastewater reused", (0.0, 1.0)),
    _Quantity("pollutant_load", "1/m**3", "Taxable pollutant equivalents per m3 discharged"),
    _Quantity("water_tax_rate", "CNY", "Environmental protection tax per pollutant equivalent"),
    _Quantity("residue_utilisation", "dimensionless", "Share of residue utilised", (0.0, 1.0)),
    _Quantity("residue_utilisation_cost", "CNY/t", "Cost per t of residue utilised"),
    _Quantity("residue_disposal_cost", "CNY/t", "Cost per t of residue disposed of"),
    _Quantity("residue_credit", "CNY/t", "Revenue per t of residue utilised"),
    _Quantity("residue_tax_rate", "CNY/t", "Environmental protection tax per t of residue "
                                           "disposed of"),
    _Quantity("tax_relief", "dimensionless", "Relief on the environmental protection tax",
              (0.0, 1.0)),
    _Quantity("capex", "CNY*yr/t", "Own treatment capital per t/yr of capacity"),
    _Quantity("capex_life", "yr", "Depreciation life of the treatment capital", (1e-9, _INF)),
)
"""Quantities set by a rule set (table rule_set 'old'/'new', or 'any' for both)."""

_QUANTITIES: Mapping[str, _Quantity] = MappingProxyType(
    {q.key: q for q in (*ROUTE_QUANTITIES, *RULE_QUANTITIES)})


# --- the numeric kernel -------------------------------------------------------------------------

@dataclass(frozen=True)
class RuleArrays:
    """Inputs of the shock kernel in canonical units (see :data:`ROUTE_QUANTITIES` and
    :data:`RULE_QUANTITIES`).

    Route quantities broadcast to ``(N, R, 1)``, rule quantities to ``(N, R, S)`` with ``R``
    routes and ``S`` rule sets; a leading 1 stands for a value that does not vary over samples.
    Replace fields (``dataclasses.replace``) with ``(N, R, S)`` draws for an uncertainty study.
    """

    wastewater: np.ndarray
    residue: np.ndarray
    variable_cost: np.ndarray
    wastewater_treatment_cost: np.ndarray
    wastewater_reuse: np.ndarray
    pollutant_load: np.ndarray
    water_tax_rate: np.ndarray
    residue_utilisation: np.ndarray
    residue_utilisation_cost: np.ndarray
    residue_disposal_cost: np.ndarray
    residue_credit: np.ndarray
    residue_tax_rate: np.ndarray
    tax_relief: np.ndarray
    capex: np.ndarray
    capex_life: np.ndarray


@dataclass(frozen=True)
class ShockResults:
    """Environmental cost and margins of every route and rule set; see :func:`evaluate_shock`."""

    breakdown: np.ndarray
    """``(N, R, S, len(COMPONENTS))`` CNY/t."""
    env_cost: np.ndarray
    """``(N, R, S)`` CNY/t, the sum of the breakdown."""
    increase: np.ndarray
    """``(N, R, S)`` CNY/t, environmental cost minus that of the reference rule set."""
    total_cost: np.ndarray
    """``(N, R, S)`` CNY/t: non-environmental variable cost plus environmental cost."""
    margin: np.ndarray
    """``(N, R, S)`` CNY/t, price minus total cost; also the price margin above break-even."""
    margin_rate: np.ndarray
    """``(N, R, S)`` margin over price."""
    margin_rate_change: np.ndarray
    """``(N, R, S)`` change of the margin rate against the reference rule set."""
    env_share: np.ndarray
    """``(N, R, S)`` environmental cost over total cost."""


def _checked(a: RuleArrays) -> None:
    for field in fields(a):
        quantity = _QUANTITIES[field.name]
        value = np.asarray(getattr(a, field.name))
        low, high = quantity.bounds
        if field.name == "variable_cost":
            continue  # checked against the environmental cost in evaluate_shock
        if np.any(np.isnan(value)) or np.any(value < low) or np.any(value > high):
            raise OutOfBoundsError(
                f"has values outside [{low:g}, {high:g}]", item=field.name,
                allowed=f"{quantity.description} in {quantity.unit}, within the bounds")


def _sample_column(value: ArrayLike, name: str) -> np.ndarray:
    """A scalar or ``(N,)`` input as ``(N, 1, 1)``; ``(N, R)`` as ``(N, R, 1)``."""
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return array.reshape(1, 1, 1)
    if array.ndim == 1:
        return array[:, None, None]
    if array.ndim == 2:
        return array[:, :, None]
    raise OutOfBoundsError(f"has {array.ndim} dimensions", item=name,
                           allowed="a number, one value per sample (N,) or per sample and "
                                   "route (N, R)")


def environmental_cost_breakdown(a: RuleArrays, utilisation: ArrayLike = 1.0) -> np.ndarray:
    """Environmental cost components per t of product, ``(N, R, S, len(COMPONENTS))`` CNY/t.

    Parameters
    ----------
    a
        Kernel inputs, see :class:`RuleArrays`.
    utilisation
        Output over capacity, scalar, ``(N,)`` or ``(N, R)``, in (0, 1]; only the capital
        component depends on it (fixed depreciation spread over fewer tonnes).
    """
    _checked(a)
    u = _sample_column(utilisation, "utilisation")
    if np.any(~(u > 0.0)) or np.any(u > 1.0):
        raise OutOfBoundsError("must lie in (0, 1]", item="utilisation",
                               allowed="output over capacity, above 0 and at most 1")
    utilised = a.residue * a.residue_utilisation
    disposed = a.residue * (1.0 - a.residue_utilisation)
    discharged = a.wastewater * (1.0 - a.wastewater_reuse)
    tax = (1.0 - a.tax_relief) * (discharged * a.pollutant_load * a.water_tax_rate
                                  + disposed * a.residue_tax_rate)
    components = (
        a.wastewater * a.wastewater_treatment_cost,
        utilised * a.residue_utilisation_cost,
        disposed * a.residue_disposal_cost,
        0.0 - utilised * a.residue_credit,  # 0.0 - x, not -x: no -0.0 in tables
        tax,
        a.capex / (a.capex_life * u),
    )
    return np.stack(np.broadcast_arrays(*components), axis=-1)


def evaluate_shock(a: RuleArrays, price: ArrayLike = BASELINE_PRICE,
                   utilisation: ArrayLike = 1.0, *, reference: int = 0) -> ShockResults:
    """Environmental cost per route and rule set and its effect on margins.

    Parameters
    ----------
    a
        Kernel inputs, see :class:`RuleArrays`.
    price
        Product price in CNY/t: scalar, ``(N,)`` or ``(N, R)``.
    utilisation
        See :func:`environmental_cost_breakdown`.
    reference
        Index of the rule set whose environmental cost the stated ``variable_cost`` includes,
        and against which increases are measured (0, the old rules, by default).

    Returns
    -------
    ShockResults
        The margin is ``price - (variable_cost - env_cost[reference] + env_cost)``, so a rule
        set priced like the reference leaves it unchanged, and ``margin`` falls by exactly
        ``increase``.

    Raises
    ------
    OutOfBoundsError
        For an input outside its bounds, a non-positive price, or a stated variable cost below
        the environmental cost it is said to include.
    """
    breakdown = environmental_cost_breakdown(a, utilisation)
    env = np.sum(breakdown, axis=-1)
    p = _positive_price(price)
    base = _non_environmental_cost(a, env, reference)
    reference_env = env[..., reference:reference + 1]
    total = base + env
    margin = p - total
    rate = margin / p
    return ShockResults(
        breakdown=breakdown, env_cost=env, increase=env - reference_env, total_cost=total,
        margin=margin, margin_rate=rate,
        margin_rate_change=rate - rate[..., reference:reference + 1], env_share=env / total)


def _positive_price(price: ArrayLike) -> np.ndarray:
    p = _sample_column(price, "price")
    if np.any(~(p > 0.0)):
        raise OutOfBoundsError("must be positive", item="price", allowed="CNY/t above 0")
    return p


def _non_environmental_cost(a: RuleArrays, env: np.ndarray, reference: int) -> np.ndarray:
    """``variable_cost - env[reference]``, ``(N, R, 1)``: the stated variable cost is read as
    including the environmental cost of the reference rule set."""
    if not 0 <= reference < env.shape[-1]:
        raise OutOfBoundsError(f"is {reference}", item="reference",
                               allowed=f"a rule-set index from 0 to {env.shape[-1] - 1}")
    base = a.variable_cost - env[..., reference:reference + 1]
    if np.any(base < 0.0):
        raise OutOfBoundsError("is below the environmental cost it includes",
                               item="variable_cost",
                               allowed="a stated variable cost at least the reference rule "
                                       "set's environmental cost")
    return base


# --- shock over time ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ShockPath:
    """The move from one rule set to another, year by year; see :func:`shock_path`."""

    years: np.ndarray
    """``(T,)``."""
    share_new: np.ndarray
    """``(T,)`` weight of the new rules in each year."""
    env_cost: np.ndarray
    """``(N, R, T)`` CNY/t."""
    margin: np.ndarray
    """``(N, R, T)`` CNY/t."""
    margin_rate: np.ndarray
    """``(N, R, T)``."""
    extra_cost: np.ndarray
    """``(N, R, T)`` CNY/yr for a plant of the given output: cost above the old rules."""
    cumulative_extra_cost: np.ndarray
    """``(N, R, T)`` CNY, running sum of ``extra_cost``."""


def phase_in_share(years: ArrayLike, start: float, end: float) -> np.ndarray:
    """Weight of the new rules: 0 up to ``start``, rising linearly to 1 at ``end``.

    ``start == end`` is a step at ``start``. Linear, because existing plants retrofit one after
    another; for a single plant read it as the expected share of the year under the new rules.
    """
    t = np.asarray(years, dtype=float)
    if end < start:
        raise OutOfBoundsError(f"ends ({end:g}) before it starts ({start:g})", item="phase_in",
                               allowed="(start, end) with start <= end")
    if end == start:
        return (t >= start).astype(float)
    return np.clip((t - start) / (end - start), 0.0, 1.0)


def shock_path(a: RuleArrays, years: ArrayLike, price_path: ArrayLike | None = None, *,
               phase_in: tuple[float, float] = DEFAULT_PHASE_IN, utilisation: ArrayLike = 1.0,
               output: float = BASELINE_OUTPUT, disposal_growth: ArrayLike = 0.0,
               old: int = 0, new: int = 1) -> ShockPath:
    """Environmental cost and margin while the new rules phase in.

    Parameters
    ----------
    a
        Kernel inputs with at least the rule sets ``old`` and ``new``.
    years
        Calendar years ``(T,)``; the first is the year of the inputs.
    price_path
        CNY/t, ``(T,)`` or ``(N, T)``; default the flat 2024 price (:data:`BASELINE_PRICE`).
    phase_in
        ``(start, end)`` years of :func:`phase_in_share`; default :data:`DEFAULT_PHASE_IN`.
    utilisation
        See :func:`environmental_cost_breakdown`.
    output
        Plant output in t/yr for the extra cost per year (default :data:`BASELINE_OUTPUT`).
    disposal_growth
        Yearly growth of the residue-disposal price under both rule sets, scalar or ``(N,)``;
        default 0. Report 1.3 says a Hunan plant's outsourced hazardous-waste disposal cost
        grew 18.5 % a year to 2024 (citing MEE price monitoring); 0.185 extrapolates that.
    old, new
        Rule-set indices.

    Returns
    -------
    ShockPath
        The environmental cost is ``(1 - w_t) env_old(t) + w_t env_new(t)``; the margin uses
        the non-environmental cost of :func:`evaluate_shock` (from the first year's inputs), and
        the extra cost compares with the old rules in the same year.
    """
    t = np.asarray(years, dtype=float)
    weight = phase_in_share(t, *phase_in)
    prices = np.full(t.shape, BASELINE_PRICE) if price_path is None else np.asarray(
        price_path, dtype=float)
    if prices.shape[-1] != t.shape[-1] or prices.ndim > 2:
        raise OutOfBoundsError(f"has shape {prices.shape}", item="price_path",
                               allowed=f"one price per year, ({t.size},) or (N, {t.size})")
    if np.any(~(prices > 0.0)):
        raise OutOfBoundsError("must be positive", item="price_path", allowed="CNY/t above 0")
    growth = np.asarray(disposal_growth, dtype=float)
    if np.any(~(growth > -1.0)):
        raise OutOfBoundsError("must exceed -100 %", item="disposal_growth",
                               allowed="a yearly growth rate above -1")
    breakdown = environmental_cost_breakdown(a, utilisation)
    env_first = np.sum(breakdown, axis=-1)
    base = _non_environmental_cost(a, env_first, old)
    if not 0 <= new < env_first.shape[-1]:
        raise OutOfBoundsError(f"is {new}", item="new",
                               allowed=f"a rule-set index from 0 to {env_first.shape[-1] - 1}")
    # (N, 1, 1, T): growth may vary by sample, the years run along the last axis
    escalation = (1.0 + growth.reshape(-1, 1, 1, 1)) ** (t - t[0]) - 1.0
    disposal = breakdown[..., COMPONENTS.index("residue_disposal")]
    env_rules = env_first[..., None] + disposal[..., None] * escalation
    env_old, env_new = env_rules[:, :, old], env_rules[:, :, new]
    env = env_old + weight * (env_new - env_old)
    p = prices[None, None, :] if prices.ndim == 1 else prices[:, None, :]
    margin = p - base - env
    extra = (env - env_old) * float(output)
    return ShockPath(years=t, share_new=weight, env_cost=env, margin=margin,
                     margin_rate=margin / p, extra_cost=extra,
                     cumulative_extra_cost=np.cumsum(extra, axis=-1))


# --- from the shipped table and from engine inputs -----------------------------------------------

def parameter_name(route: str, quantity: str, rule_set: str | None = None) -> str:
    """``env.<route>.<quantity>`` for route quantities, ``env.<route>.<rule>.<quantity>`` else."""
    if rule_set is None:
        return f"{PREFIX}{route}.{quantity}"
    return f"{PREFIX}{route}.{rule_set}.{quantity}"


def environmental_parameters(routes: Sequence[str] = ROUTES,
                             rule_sets: Sequence[str] = RULE_SETS
                             ) -> tuple[ParameterDeclaration, ...]:
    """Declarations of every kernel input, plus ``env.price`` and ``env.utilisation``."""
    declared = [
        ParameterDeclaration(name=parameter_name(r, q.key), unit=q.unit,
                             description=f"{r}: {q.description}", bounds=q.bounds)
        for r in routes for q in ROUTE_QUANTITIES]
    declared += [
        ParameterDeclaration(name=parameter_name(r, q.key, s), unit=q.unit,
                             description=f"{r}, {s} rules: {q.description}", bounds=q.bounds)
        for r in routes for s in rule_sets for q in RULE_QUANTITIES]
    declared += [
        ParameterDeclaration(name=f"{PREFIX}price", unit="CNY/t",
                             description="Price of cobalt hydroxide", bounds=(1e-9, _INF)),
        ParameterDeclaration(name=f"{PREFIX}utilisation", unit="dimensionless",
                             description="Output over capacity", bounds=(1e-9, 1.0)),
    ]
    return tuple(declared)


class _Row(NamedTuple):
    value: float
    citation: Citation
    number: int


def _index(table: DataTable) -> dict[tuple[str, str, str], _Row]:
    """Rows by (route, rule_set, quantity), values converted to the canonical unit."""
    rows: dict[tuple[str, str, str], _Row] = {}
    for number, (record, citation) in enumerate(
            zip(table.records(), table.citations, strict=True), start=1):
        route, rule, key = str(record["route"]), str(record["rule_set"]), str(record["quantity"])
        item = f"{TABLE}.csv row {number} ({route}/{rule}/{key})"
        quantity = _QUANTITIES.get(key)
        if quantity is None:
            raise MalformedFileError(f"has unknown quantity {key!r}", item=item,
                                     allowed=", ".join(_QUANTITIES))
        if rule != ANY_RULE and any(q.key == key for q in ROUTE_QUANTITIES):
            raise MalformedFileError(f"gives route quantity {key!r} for rule set {rule!r}",
                                     item=item, allowed=f"rule_set '{ANY_RULE}'")
        factor = conversion_factor(str(record["unit"]), quantity.unit, item=item)
        rows[(route, rule, key)] = _Row(float(record["value"]) * factor, citation, number)
    return rows


def _lookup(rows: Mapping[tuple[str, str, str], _Row], route: str, rule: str,
            quantity: str) -> _Row:
    # a route's own row beats the 'all' default; a rule set's own row beats 'any'
    for key in ((route, rule, quantity), (route, ANY_RULE, quantity),
                (ALL_ROUTES, rule, quantity), (ALL_ROUTES, ANY_RULE, quantity)):
        if key in rows:
            return rows[key]
    raise MissingParameterError(
        "has no row", item=f"{TABLE}: {route}/{rule}/{quantity}",
        allowed=f"a row for route {route!r} or 'all' and rule set {rule!r} or 'any'")


def _table_rows(routes: Sequence[str], rule_sets: Sequence[str],
                table: DataTable | None) -> dict[str, _Row]:
    rows = _index(load_table(TABLE) if table is None else table)
    chosen = {parameter_name(r, q.key): _lookup(rows, r, ANY_RULE, q.key)
              for r in routes for q in ROUTE_QUANTITIES}
    chosen.update({parameter_name(r, q.key, s): _lookup(rows, r, s, q.key)
                   for r in routes for s in rule_sets for q in RULE_QUANTITIES})
    return chosen


def default_values(routes: Sequence[str] = ROUTES, rule_sets: Sequence[str] = RULE_SETS,
                   table: DataTable | None = None) -> dict[str, float]:
    """Baseline of every kernel input from ``environmental_rules.csv`` (a new dict each call).

    Includes ``env.price`` (:data:`BASELINE_PRICE`) and ``env.utilisation`` (1, i.e. full
    output: our assumption; the report's shares are for a running plant).
    """
    values = {name: row.value for name, row in _table_rows(routes, rule_sets, table).items()}
    values[f"{PREFIX}price"] = BASELINE_PRICE
    values[f"{PREFIX}utilisation"] = 1.0
    return values


def rule_sources(routes: Sequence[str] = ROUTES, rule_sets: Sequence[str] = RULE_SETS,
                 table: DataTable | None = None) -> Table:
    """Every kernel input with its value, unit, table row and source, for display."""
    records = []
    for name, row in _table_rows(routes, rule_sets, table).items():
        quantity = _QUANTITIES[name.rsplit(".", 1)[-1]]
        records.append({"parameter": name, "value": row.value, "unit": quantity.unit,
                        "table_row": row.number, "source": row.citation.short()})
    records.append({"parameter": f"{PREFIX}price", "value": BASELINE_PRICE, "unit": "CNY/t",
                    "table_row": None, "source": BASELINE_PRICE_SOURCE.short()})
    return Table.from_records("Environmental-cost inputs and their sources", records)


def rule_arrays_from_inputs(inputs: Inputs, routes: Sequence[str] = ROUTES,
                            rule_sets: Sequence[str] = RULE_SETS) -> RuleArrays:
    """Stack engine inputs (``(N,)`` or ``(1,)`` arrays by parameter name) into a
    :class:`RuleArrays`."""
    def route_field(key: str) -> np.ndarray:
        columns = [np.atleast_1d(np.asarray(inputs[parameter_name(r, key)], dtype=float))
                   for r in routes]
        return np.stack(np.broadcast_arrays(*columns), axis=-1)[..., None]

    def rule_field(key: str) -> np.ndarray:
        cells = [np.atleast_1d(np.asarray(inputs[parameter_name(r, key, s)], dtype=float))
                 for r in routes for s in rule_sets]
        stacked = np.stack(np.broadcast_arrays(*cells), axis=-1)
        return stacked.reshape(stacked.shape[0], len(routes), len(rule_sets))

    return RuleArrays(**{q.key: route_field(q.key) for q in ROUTE_QUANTITIES},
                      **{q.key: rule_field(q.key) for q in RULE_QUANTITIES})


def rule_arrays(routes: Sequence[str] = ROUTES, rule_sets: Sequence[str] = RULE_SETS,
                table: DataTable | None = None) -> RuleArrays:
    """The shipped baseline as a :class:`RuleArrays` with a sample axis of 1."""
    values = default_values(routes, rule_sets, table)
    return rule_arrays_from_inputs({k: np.array([v]) for k, v in values.items()},
                                   routes, rule_sets)


# --- the model contract ---------------------------------------------------------------------------

def environmental_cost_model(routes: Sequence[str] = ROUTES,
                             rule_sets: Sequence[str] = RULE_SETS) -> ModelDefinition:
    """The shock as a :class:`ModelDefinition` (old rules are the reference, index 0)."""
    routes, rule_sets = tuple(routes), tuple(rule_sets)

    def evaluate(inputs: Inputs) -> Outputs:
        results = evaluate_shock(rule_arrays_from_inputs(inputs, routes, rule_sets),
                                 inputs[f"{PREFIX}price"], inputs[f"{PREFIX}utilisation"])
        return {"env_breakdown": results.breakdown, "env_cost": results.env_cost,
                "increase": results.increase, "margin": results.margin,
                "margin_rate": results.margin_rate, "env_share": results.env_share}

    cells = ("route", "rule_set")
    return ModelDefinition(
        name="cobalt-environmental-cost",
        title="Environmental-cost internalisation shock by process route (report 3.2)",
        parameters=environmental_parameters(routes, rule_sets),
        outputs=(
            OutputDeclaration("env_breakdown", "CNY/t", "Environmental cost components per t",
                              (*cells, "component")),
            OutputDeclaration("env_cost", "CNY/t", "Environmental cost per t", cells),
            OutputDeclaration("increase", "CNY/t",
                              "Environmental cost above the old rules per t", cells),
            OutputDeclaration("margin", "CNY/t", "Price minus variable cost per t", cells),
            OutputDeclaration("margin_rate", "dimensionless", "Margin over price", cells),
            OutputDeclaration("env_share", "dimensionless",
                              "Environmental cost over variable cost", cells),
        ),
        evaluate=evaluate,
        axis_labels={"route": routes, "rule_set": rule_sets, "component": COMPONENTS},
    )


ENVIRONMENTAL_COST = environmental_cost_model()


# --- tables for a command -------------------------------------------------------------------------

class StatedFigure(NamedTuple):
    """A figure seed report 3.2 states, for comparison (never an input)."""

    route: str
    rule_set: str
    quantity: str
    stated: float
    unit: str
    section: str


STATED_3_2: tuple[StatedFigure, ...] = (
    StatedFigure("hydrometallurgy", "old", "env_cost", 1500.0, "CNY/t", "3.2 table"),
    StatedFigure("hydrometallurgy", "new", "env_cost", 2000.0, "CNY/t", "3.2 table"),
    StatedFigure("pyrometallurgy", "new", "env_cost", 2300.0, "CNY/t", "3.2 table"),
    StatedFigure("bioleaching", "new", "env_cost", 2800.0, "CNY/t", "3.2 table"),
    StatedFigure("recycling", "new", "env_cost", 1300.0, "CNY/t", "3.2 table"),
    StatedFigure("hydrometallurgy", "old", "env_share", 0.028, "dimensionless", "3.2 table"),
    StatedFigure("hydrometallurgy", "new", "env_share", 0.072, "dimensionless", "3.2 table"),
    StatedFigure("pyrometallurgy", "new", "env_share", 0.081, "dimensionless", "3.2 table"),
    StatedFigure("bioleaching", "new", "env_share", 0.095, "dimensionless", "3.2 table"),
    StatedFigure("recycling", "new", "env_share", 0.045, "dimensionless", "3.2 table"),
    StatedFigure("hydrometallurgy", "old", "margin_rate", 0.197, "dimensionless", "3.2"),
    StatedFigure("hydrometallurgy", "new", "margin_rate", 0.178, "dimensionless", "3.2"),
)
"""The report's per-route figures. Its environmental shares are of an unstated "operating cost";
they are compared here with the share of the variable cost."""


def shock_table(results: ShockResults, routes: Sequence[str] = ROUTES,
                rule_sets: Sequence[str] = RULE_SETS, sample: int = 0) -> Table:
    """One row per route and rule set for one sample: components, cost, increase, margins."""
    records = []
    for i, route in enumerate(routes):
        for j, rule in enumerate(rule_sets):
            record: dict[str, str | float] = {"route": route, "rule_set": rule}
            record.update({c: float(results.breakdown[sample, i, j, k])
                           for k, c in enumerate(COMPONENTS)})
            record.update({
                "env_cost": float(results.env_cost[sample, i, j]),
                "increase": float(results.increase[sample, i, j]),
                "total_cost": float(results.total_cost[sample, i, j]),
                "margin": float(results.margin[sample, i, j]),
                "margin_rate_pct": 100.0 * float(results.margin_rate[sample, i, j]),
                "env_share_pct": 100.0 * float(results.env_share[sample, i, j]),
            })
            records.append(record)
    units = {**dict.fromkeys((*COMPONENTS, "env_cost", "increase", "total_cost", "margin"),
                             "CNY/t"), "margin_rate_pct": "%", "env_share_pct": "%"}
    return Table.from_records("Environmental cost per t of product before and after the 2024 "
                              "rules (report 3.2)", records, units=units)


def report_comparison(results: ShockResults, routes: Sequence[str] = ROUTES,
                      rule_sets: Sequence[str] = RULE_SETS, sample: int = 0) -> Table:
    """The report's 3.2 figures against the values computed from its inputs."""
    records = []
    for figure in STATED_3_2:
        if figure.route not in routes or figure.rule_set not in rule_sets:
            continue
        cell = (sample, routes.index(figure.route), rule_sets.index(figure.rule_set))
        computed = float(getattr(results, figure.quantity)[cell])
        records.append({"route": figure.route, "rule_set": figure.rule_set,
                        "quantity": figure.quantity, "stated": figure.stated,
                        "computed": computed, "unit": figure.unit,
                        "relative_difference": computed / figure.stated - 1.0,
                        "source": f"seed-004 §{figure.section}"})
    return Table.from_records("Report 3.2 figures against what its inputs give", records)


def environmental_shock_tables(price: float = BASELINE_PRICE, utilisation: float = 1.0
                               ) -> tuple[Table, Table, Table]:
    """Everything a command prints, from the shipped data: results, comparison, sources."""
    results = evaluate_shock(rule_arrays(), price, utilisation)
    return shock_table(results), report_comparison(results), rule_sources()
