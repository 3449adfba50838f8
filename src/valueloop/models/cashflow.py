"""Project cash-flow table, vectorised over samples (issue 4, item 6).

One table per project, *year-major* ``(T+1, N)`` like :mod:`valueloop.models.finance`: row ``t``
is year ``t`` of the project, column ``i`` is sample ``i``. Rows ``0 .. C-1`` are construction
years (``C = len(schedule.construction)``), rows ``C .. C+L-1`` the ``L`` operating years. Every
flow falls at the end of its year and row 0 is not discounted (the convention of
:func:`valueloop.models.finance.npv`). The logic follows BioSTEAM's cash-flow table
(``biosteam/_tea.py``, ``get_cashflow_table``; tea-lca note 1.2): capital over a construction
schedule, start-up fractions, working capital, depreciation, income tax with losses carried
forward, an annuity loan and a salvage value. Everything is in real terms (constant prices of
the base year); :func:`valueloop.models.esg_finance.real_rate` turns nominal rates into real ones.

Which cash flow
---------------
The table carries two bases, and every metric takes ``basis``:

* ``"project"``: free cash flow to the firm, *unlevered*. Tax is computed as if there were no
  debt (no interest deduction), so financing enters only through the discount rate (a WACC).
  This is the basis of the chapter-6 investment cases.
* ``"equity"``: free cash flow to equity, *levered*: project flow plus debt drawdowns, less
  interest and principal, with the tax recomputed after deducting interest (its own losses
  carried forward). Discount it at the cost of equity.

Tax rules (China)
-----------------
Corporate income tax 25 % (Enterprise Income Tax Law of the PRC, Art. 4; ``cn-eit-law-2007``);
a year's loss may be carried forward for at most five years (Art. 18), oldest loss first; no
carry-back and no refund of tax on a loss. Depreciation is straight line by default
(Implementing Regulations, Art. 59); the minimum life of production machinery is 10 years
(Art. 60), and accelerated methods (double-declining balance, Art. 98) are allowed for some
assets. Undepreciated book value at the end of the project is set against the salvage value as a
disposal gain or loss in the final year.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from valueloop.core.errors import OutOfBoundsError, ShareGroupError, UserInputError
from valueloop.core.tables import Table
from valueloop.models.finance import (
    annuity_factor,
    discounted_payback,
    irr,
    npv,
    payback,
)

Basis = Literal["project", "equity"]
DepreciationMethod = Literal["straight_line", "declining_balance"]

CN_INCOME_TAX_RATE = 0.25
"""Enterprise Income Tax Law of the PRC (2007, amended 2018), Art. 4."""
CN_LOSS_CARRY_FORWARD_YEARS = 5
"""Enterprise Income Tax Law of the PRC, Art. 18: losses carried forward for at most 5 years."""
CN_MIN_MACHINERY_LIFE_YEARS = 10
"""EIT Law Implementing Regulations (2007), Art. 60: minimum depreciation life of machinery and
other production equipment."""
DAYS_PER_YEAR = 365.0


class PathShapeError(UserInputError):
    """A year path (price, cost, rate by year) whose length does not match the project's years."""


# --- the schedule: what is the same for every sample -------------------------------------------

@dataclass(frozen=True)
class ProjectSchedule:
    """Integers and fixed fractions that set the table's shape; shared by every sample.

    Parameters
    ----------
    construction
        Share of capital spent in each construction year (rows ``0 .. C-1``); they sum to 1.
        Trailing zeros are idle years between the last spend and the first operating year
        (a commissioning delay).
    operating_years
        ``L``, the operating life; the table has ``C + L`` rows.
    ramp_up
        Output as a share of steady state in the first operating years (start-up); later years
        are at 1.
    depreciation
        ``"straight_line"``, or ``"declining_balance"`` at ``declining_factor / life`` per year
        with a switch to straight line once that gives more (so the base is written off exactly
        within the life).
    depreciation_years
        Depreciation life; may differ from ``operating_years``. Book value left at the end is
        set against the salvage value.
    declining_factor
        2.0 for double-declining balance.
    loss_carry_forward_years
        Years a tax loss may be carried forward (0: losses are lost).
    """

    construction: tuple[float, ...] = (1.0,)
    operating_years: int = 20
    ramp_up: tuple[float, ...] = ()
    depreciation: DepreciationMethod = "straight_line"
    depreciation_years: int = 10
    declining_factor: float = 2.0
    loss_carry_forward_years: int = CN_LOSS_CARRY_FORWARD_YEARS

    def __post_init__(self) -> None:
        spend = np.asarray(self.construction, dtype=float)
        if spend.size == 0 or np.any(spend < 0.0) or not np.isclose(spend.sum(), 1.0, atol=1e-9):
            raise ShareGroupError(
                f"construction shares {list(self.construction)} must be >= 0 and sum to 1",
                item="schedule.construction", allowed="e.g. (0.4, 0.6)")
        if self.operating_years < 1:
            raise OutOfBoundsError(f"operating_years is {self.operating_years}",
                                   item="schedule.operating_years", allowed="an integer >= 1")
        if len(self.ramp_up) > self.operating_years or any(
                not 0.0 <= f <= 1.0 for f in self.ramp_up):
            raise OutOfBoundsError(
                f"ramp_up {list(self.ramp_up)} needs fractions in [0, 1], at most one per "
                "operating year", item="schedule.ramp_up", allowed="e.g. (0.6, 0.85)")
        if self.depreciation not in ("straight_line", "declining_balance"):
            raise OutOfBoundsError(f"unknown depreciation method {self.depreciation!r}",
                                   item="schedule.depreciation",
                                   allowed="straight_line, declining_balance")
        if self.depreciation_years < 1:
            raise OutOfBoundsError(f"depreciation_years is {self.depreciation_years}",
                                   item="schedule.depreciation_years", allowed="an integer >= 1")
        if self.declining_factor <= 0.0:
            raise OutOfBoundsError(f"declining_factor is {self.declining_factor}",
                                   item="schedule.declining_factor", allowed="> 0, e.g. 2.0")
        if self.loss_carry_forward_years < 0:
            raise OutOfBoundsError(
                f"loss_carry_forward_years is {self.loss_carry_forward_years}",
                item="schedule.loss_carry_forward_years", allowed="an integer >= 0")

    @property
    def construction_years(self) -> int:
        """``C``: rows before the first operating year."""
        return len(self.construction)

    @property
    def rows(self) -> int:
        """``T + 1 = C + L``: rows of the table."""
        return self.construction_years + self.operating_years

    def ramp(self) -> np.ndarray:
        """Output share by operating year, ``(L,)``."""
        ramp = np.ones(self.operating_years)
        ramp[:len(self.ramp_up)] = self.ramp_up
        return ramp

    def depreciation_fractions(self) -> np.ndarray:
        """Share of the depreciable base written off in each operating year, ``(L,)``.

        Sums to 1 when ``depreciation_years <= operating_years``, else to the part written off
        within the operating life.
        """
        life = self.depreciation_years
        if self.depreciation == "straight_line":
            fractions = np.full(life, 1.0 / life)
        else:
            fractions = np.empty(life)
            book = 1.0
            rate = self.declining_factor / life
            for year in range(life):
                # switch to straight line on the remaining book value once it writes off more;
                # never below zero book value (a rate above 100 % for very short lives)
                fractions[year] = min(book, max(rate * book, book / (life - year)))
                book -= fractions[year]
        out = np.zeros(self.operating_years)
        kept = min(life, self.operating_years)
        out[:kept] = fractions[:kept]
        return out


# --- the inputs: arrays per sample ------------------------------------------------------------

@dataclass(frozen=True)
class ProjectInputs:
    """Numeric inputs of one project, normalised by :func:`project_inputs`.

    Per-sample scalars have shape ``(N,)`` or ``(1,)``; operating-year paths ``(L, N)``,
    ``(L, 1)``, or ``(1, N)`` / ``(1, 1)`` when constant over the years (year-major, they
    broadcast); ``debt_rate`` is a path over all ``T+1`` rows. Money is in one
    currency throughout; ``unit`` below is the unit of output (t, kWh...).
    """

    capital: np.ndarray
    """Capital cost, currency (spread over ``schedule.construction``)."""
    capacity: np.ndarray
    """Steady-state output at 100 % utilisation, unit/yr."""
    utilisation: np.ndarray
    """Path: output over capacity, before the ramp-up."""
    price: np.ndarray
    """Path: revenue per unit of output."""
    variable_cost: np.ndarray
    """Path: cost per unit of output."""
    fixed_cost: np.ndarray
    """Path: fixed operating cost per year (excluding depreciation)."""
    other_income: np.ndarray
    """Path: other taxable income per year (subsidies, premiums)."""
    carbon_intensity: np.ndarray
    """tCO2e per unit of output (negative: emissions avoided)."""
    free_allowance: np.ndarray
    """tCO2e per unit allocated free (benchmark allocation); priced emissions are the excess."""
    carbon_price: np.ndarray
    """Path: currency per tCO2e."""
    working_capital_share: np.ndarray
    """Working capital as a share of the year's revenue (days of sales / 365)."""
    tax_rate: np.ndarray
    taxable_revenue_share: np.ndarray
    """Share of revenue counted in taxable income (0.9 for resource-utilisation income)."""
    salvage_share: np.ndarray
    """Market value at the end, as a share of capital (received in the final year)."""
    book_residual_share: np.ndarray
    """Share of capital never depreciated (book residual value)."""
    decommissioning_share: np.ndarray
    """Decommissioning cost in the final year, as a share of capital (tax-deductible)."""
    debt_share: np.ndarray
    """Share of capital financed by debt, drawn as capital is spent."""
    debt_rate: np.ndarray
    """Path over all rows: real interest rate on the opening balance of each year."""
    debt_tenor: np.ndarray
    """Repayment years from the first operating year (annuity), 1 .. L."""
    discount_rate: np.ndarray
    """Discount rate of the project basis (a real WACC)."""
    equity_discount_rate: np.ndarray
    """Discount rate of the equity basis (real cost of equity)."""

    @property
    def n(self) -> int:
        """Samples: the broadcast length of every field's sample axis."""
        return max(np.shape(getattr(self, name))[-1] for name in self.__dataclass_fields__)


_SCALARS: Mapping[str, tuple[float, float, float]] = MappingProxyType({
    # name: (default, low, high) with bounds inclusive
    "capital": (np.nan, 0.0, np.inf),
    "capacity": (np.nan, 0.0, np.inf),
    "carbon_intensity": (0.0, -np.inf, np.inf),
    "free_allowance": (0.0, -np.inf, np.inf),
    "working_capital_share": (0.0, 0.0, np.inf),
    "tax_rate": (CN_INCOME_TAX_RATE, 0.0, 1.0),
    "taxable_revenue_share": (1.0, 0.0, 1.0),
    "salvage_share": (0.0, 0.0, np.inf),
    "book_residual_share": (0.0, 0.0, 1.0),
    "decommissioning_share": (0.0, 0.0, np.inf),
    "debt_share": (0.0, 0.0, 1.0),
    "debt_tenor": (1.0, 1.0, np.inf),
    "discount_rate": (np.nan, -0.99, np.inf),
    "equity_discount_rate": (np.nan, -0.99, np.inf),
})
_OPERATING_PATHS: Mapping[str, tuple[float, float, float]] = MappingProxyType({
    "utilisation": (1.0, 0.0, np.inf),
    "price": (np.nan, -np.inf, np.inf),
    "variable_cost": (0.0, -np.inf, np.inf),
    "fixed_cost": (0.0, -np.inf, np.inf),
    "other_income": (0.0, -np.inf, np.inf),
    "carbon_price": (0.0, -np.inf, np.inf),
})


def project_inputs(schedule: ProjectSchedule, **values: ArrayLike) -> ProjectInputs:
    """Validate and normalise the inputs of :func:`build_cash_flow_table`.

    Per-sample scalars (``capital``, ``tax_rate``...) accept a number or an ``(N,)`` array.
    Operating-year paths (``price``, ``utilisation``, ``variable_cost``, ``fixed_cost``,
    ``other_income``, ``carbon_price``) accept a number, a path over the ``L`` operating years
    ``(L,)`` shared by every sample, ``(N, L)``, or ``(N, 1)`` for a per-sample constant (so a
    1-D array is always a path over years, never per sample).
    ``debt_rate`` is the same over all ``T + 1`` rows. ``capital``, ``capacity``, ``price`` and
    ``discount_rate`` are required; ``equity_discount_rate`` defaults to ``discount_rate``.

    Raises
    ------
    OutOfBoundsError
        A value outside its bounds, or a debt tenor longer than the operating life.
    PathShapeError
        A path whose year axis does not have ``L`` (``T + 1`` for ``debt_rate``) entries.
    """
    values = dict(values)
    values.setdefault("equity_discount_rate", values.get("discount_rate", np.nan))
    defaults = {name: spec[0] for name, spec in (*_SCALARS.items(), *_OPERATING_PATHS.items())}
    fields = {name: _normalised(name, values.pop(name, default), schedule)
              for name, default in {**defaults, "debt_rate": 0.0}.items()}
    if values:
        raise OutOfBoundsError(f"unknown project input(s) {', '.join(sorted(values))}",
                               item="project_inputs", allowed=", ".join(sorted(fields)))
    sizes = {a.shape[-1] for a in fields.values()} - {1}
    if len(sizes) > 1:
        raise PathShapeError(f"sample axes of different lengths {sorted(sizes)}",
                             item="project_inputs", allowed="N or 1 samples per input")
    return ProjectInputs(**fields)


def replace_inputs(inputs: ProjectInputs, schedule: ProjectSchedule,
                   **values: ArrayLike) -> ProjectInputs:
    """A copy of ``inputs`` with some fields replaced, each normalised and checked as in
    :func:`project_inputs` (to vary one input: a price, a rate, the capital)."""
    return dataclasses.replace(inputs, **{name: _normalised(name, value, schedule)
                                          for name, value in values.items()})


def _normalised(name: str, value: ArrayLike, schedule: ProjectSchedule) -> np.ndarray:
    """One input in its canonical shape, checked against its bounds."""
    if name in _SCALARS:
        _, low, high = _SCALARS[name]
        array = _checked(_scalar(value, name), name, low, high)
        if name == "debt_tenor" and np.any(array > schedule.operating_years):
            raise OutOfBoundsError(
                f"debt_tenor up to {np.max(array):g} years exceeds the "
                f"{schedule.operating_years}-year operating life", item=name,
                allowed=f"1 .. {schedule.operating_years}")
        return array
    if name in _OPERATING_PATHS:
        _, low, high = _OPERATING_PATHS[name]
        return _checked(_path(value, name, schedule.operating_years), name, low, high)
    if name == "debt_rate":
        return _checked(_path(value, name, schedule.rows), name, -0.99, np.inf)
    raise OutOfBoundsError(f"unknown project input {name!r}", item="project_inputs",
                           allowed=", ".join((*_SCALARS, *_OPERATING_PATHS, "debt_rate")))


def _scalar(value: ArrayLike, name: str) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    if array.ndim > 1:
        raise PathShapeError(f"has shape {array.shape}; a per-sample scalar is a number or (N,)",
                             item=name, allowed="a number or an (N,) array")
    return np.atleast_1d(array)


def _path(value: ArrayLike, name: str, years: int) -> np.ndarray:
    """A path, year-major: ``(years, N)``, ``(years, 1)``, or ``(1, N)`` / ``(1, 1)`` when it
    does not change over the years (it broadcasts)."""
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return array.reshape(1, 1)
    if array.ndim == 1:
        if array.size != years:
            raise PathShapeError(f"is a path of {array.size} years, the project has {years}",
                                 item=name, allowed=f"{years} values, or (N, 1) per sample")
        return array[:, None]
    if array.ndim == 2 and array.shape[1] == 1:
        return array.T
    if array.ndim == 2 and array.shape[1] == years:
        return np.ascontiguousarray(array.T)
    raise PathShapeError(f"has shape {array.shape}", item=name,
                         allowed=f"a number, ({years},), (N, {years}) or (N, 1)")


def _checked(array: np.ndarray, name: str, low: float, high: float) -> np.ndarray:
    # NaN fails both comparisons, so one pair of reductions checks everything
    if array.min() >= low and array.max() <= high:
        return array
    if np.any(np.isnan(array)):
        raise OutOfBoundsError("is missing or NaN", item=name, allowed="a finite number")
    bad = array[(array < low) | (array > high)].flat[0]
    raise OutOfBoundsError(f"has {bad:g}", item=name, allowed=f"[{low:g}, {high:g}]")


def working_capital_share_from_days(days: ArrayLike) -> np.ndarray:
    """Working capital as a share of annual revenue from days of sales tied up: ``days / 365``."""
    return np.asarray(days, dtype=float) / DAYS_PER_YEAR


# --- the kernel ---------------------------------------------------------------------------------

def tax_with_loss_carry_forward(taxable_income: ArrayLike, tax_rate: ArrayLike,
                                years: int) -> tuple[np.ndarray, np.ndarray]:
    """Income tax by year with losses carried forward, oldest first, for at most ``years``.

    A loss of year ``t`` can reduce taxable income of years ``t+1 .. t+years``; what is left
    after that expires. There is no carry-back and no refund, so tax is never negative.

    Parameters
    ----------
    taxable_income : array_like, shape (T+1, N)
        Taxable income before losses brought forward (negative: a loss).
    tax_rate : array_like, shape (N,) or scalar
    years : int
        Carry-forward limit (5 in China).

    Returns
    -------
    taxable_after_losses, tax : ndarray, shape (T+1, N)
    """
    income = np.asarray(taxable_income, dtype=float)
    taxable = np.maximum(income, 0.0)
    # only samples with a loss year need the year-by-year pool; the rest pay on their income
    losing = np.flatnonzero(np.any(income < 0.0, axis=0)) if years else np.empty(0, int)
    if losing.size:
        taxable[:, losing] = _after_losses(income[:, losing], years)
    return taxable, taxable * np.asarray(tax_rate, dtype=float)


def _after_losses(income: np.ndarray, years: int) -> np.ndarray:
    """Taxable income ``(T+1, M)`` after losses brought forward, oldest first."""
    pool = np.zeros((years, income.shape[1]))  # pool[k]: unused loss from k + 1 years ago
    taxable = np.empty_like(income)
    for t, row in enumerate(income):
        remaining = np.maximum(row, 0.0)
        for age in range(years - 1, -1, -1):
            used = np.minimum(pool[age], remaining)
            pool[age] -= used
            remaining -= used
        pool[1:] = pool[:-1].copy()  # every loss ages one year; the oldest expires
        pool[0] = np.maximum(-row, 0.0)
        taxable[t] = remaining
    return taxable


def debt_service(drawdown: np.ndarray, rate: np.ndarray, tenor: np.ndarray,
                 first_repayment_row: int) -> tuple[np.ndarray, np.ndarray]:
    """Interest and principal of an annuity loan, ``(T+1, N)`` each.

    Interest of year ``t`` is ``rate_t`` times the balance at the end of year ``t-1``. From
    ``first_repayment_row`` the loan is repaid over ``tenor`` years by level payments,
    ``balance / a(rate_t, years left)`` (:func:`~valueloop.models.finance.annuity_factor`), so a
    rate that changes by year (a sustainability-linked margin) re-prices the remaining annuity.
    """
    rows, n = drawdown.shape[0], drawdown.shape[1]
    interest = np.zeros((rows, n))
    principal = np.zeros((rows, n))
    balance = np.zeros(n)
    for t in range(rows):
        interest[t] = rate[t] * balance
        left = tenor - (t - first_repayment_row)
        if t >= first_repayment_row:
            paying = left >= 1.0
            factor = annuity_factor(rate[t], np.where(paying, left, 1.0))
            payment = np.where(paying, balance / factor, 0.0)
            principal[t] = np.where(left <= 1.0, balance, payment - interest[t])
        balance = balance + drawdown[t] - principal[t]
    return interest, principal


@dataclass(frozen=True)
class _Operations:
    """The operating-year block ``(L, N)`` of every line that is zero while building."""

    production: np.ndarray
    revenue: np.ndarray
    variable_cost: np.ndarray
    fixed_cost: np.ndarray
    carbon_cost: np.ndarray
    other_income: np.ndarray
    depreciation: np.ndarray
    working_capital_change: np.ndarray
    salvage: np.ndarray
    """``(N,)``, final year."""
    decommissioning: np.ndarray
    """``(N,)``, final year."""
    taxable_income: np.ndarray
    """Project basis, disposal gain in the final year included."""

    @property
    def ebitda(self) -> np.ndarray:
        return (self.revenue + self.other_income - self.variable_cost - self.fixed_cost
                - self.carbon_cost)


def _operations(inputs: ProjectInputs, schedule: ProjectSchedule) -> _Operations:
    """Revenue, costs, depreciation, working capital and taxable income of the operating years.

    Revenue is ``capacity * utilisation_t * ramp_t * price_t``; variable and carbon costs scale
    with the same output; working capital is a share of revenue, invested as revenue builds up
    and recovered at the end of the final year; capital is depreciated from the first operating
    year; salvage and decommissioning fall in the final year, where the book value left is set
    against the salvage value.
    """
    shape = (schedule.operating_years, inputs.n)
    production = np.broadcast_to(
        inputs.capacity * inputs.utilisation * schedule.ramp()[:, None], shape)
    revenue = production * inputs.price
    variable_cost = production * inputs.variable_cost
    carbon_cost = production * inputs.carbon_price * (inputs.carbon_intensity
                                                      - inputs.free_allowance)
    fixed_cost = np.broadcast_to(inputs.fixed_cost, shape)
    other_income = np.broadcast_to(inputs.other_income, shape)
    base = inputs.capital * (1.0 - inputs.book_residual_share)
    depreciation = np.broadcast_to(schedule.depreciation_fractions()[:, None] * base, shape)
    book_at_end = inputs.capital - depreciation.sum(axis=0)
    working_capital = revenue * inputs.working_capital_share
    working_capital_change = np.diff(working_capital, axis=0, prepend=0.0)
    working_capital_change[-1] -= working_capital[-1]
    salvage = np.broadcast_to(inputs.salvage_share * inputs.capital, shape[1:])
    decommissioning = np.broadcast_to(inputs.decommissioning_share * inputs.capital, shape[1:])
    taxable_income = (revenue * inputs.taxable_revenue_share + other_income - variable_cost
                      - fixed_cost - carbon_cost - depreciation)
    taxable_income[-1] += salvage - decommissioning - book_at_end  # disposal gain (or loss)
    return _Operations(production, revenue, variable_cost, fixed_cost, carbon_cost,
                       other_income, depreciation, working_capital_change, salvage,
                       decommissioning, taxable_income)


def _capital_rows(inputs: ProjectInputs, schedule: ProjectSchedule) -> np.ndarray:
    """Capital spent in each construction year, ``(C, N)``."""
    return np.asarray(schedule.construction)[:, None] * np.broadcast_to(inputs.capital,
                                                                       (inputs.n,))


def _project_flows(inputs: ProjectInputs, schedule: ProjectSchedule,
                   ops: _Operations) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Project-basis pre-tax flow, tax and net flow, ``(T+1, N)`` each."""
    c = schedule.construction_years
    pre_tax = np.empty((schedule.rows, inputs.n))
    pre_tax[:c] = -_capital_rows(inputs, schedule)
    pre_tax[c:] = ops.ebitda - ops.working_capital_change
    pre_tax[-1] += ops.salvage - ops.decommissioning
    tax = np.zeros_like(pre_tax)
    # construction years have no taxable income on this basis, so no loss to carry either
    _, tax[c:] = tax_with_loss_carry_forward(ops.taxable_income, inputs.tax_rate,
                                             schedule.loss_carry_forward_years)
    return pre_tax, tax, pre_tax - tax


def project_cash_flow(inputs: ProjectInputs, schedule: ProjectSchedule) -> np.ndarray:
    """The project-basis net cash flow ``(T+1, N)`` alone, without building the named table.

    Equal to ``build_cash_flow_table(inputs, schedule).net_cash_flow``; for solves that need
    only NPV.
    """
    return _project_flows(inputs, schedule, _operations(inputs, schedule))[2]


def project_npv(inputs: ProjectInputs, schedule: ProjectSchedule) -> np.ndarray:
    """Project-basis NPV at ``inputs.discount_rate``, ``(N,)``."""
    return npv(project_cash_flow(inputs, schedule), inputs.discount_rate)


@dataclass(frozen=True)
class CashFlowTable:
    """Named rows of a project's cash flows, each ``(T+1, N)``, year-major.

    Amounts are positive in the direction the name says (``capital`` and ``tax`` are outflows
    written as positive numbers); ``net_cash_flow`` and ``equity_cash_flow`` are signed. Rows
    that are zero while building (revenue, costs, depreciation...) are kept as their operating
    block and padded on first access, so metrics never pay for them.
    """

    schedule: ProjectSchedule
    operations: _Operations = field(repr=False)
    construction_capital: np.ndarray = field(repr=False)
    """Capital by construction year, ``(C, N)``."""
    tax: np.ndarray
    net_cash_flow: np.ndarray
    """Project (unlevered) free cash flow."""
    debt_share: np.ndarray = field(repr=False)
    interest: np.ndarray
    principal: np.ndarray
    equity_tax: np.ndarray
    equity_cash_flow: np.ndarray
    discount_rate: np.ndarray = field(repr=False)
    equity_discount_rate: np.ndarray = field(repr=False)

    ROWS = ("capital", "production", "revenue", "variable_cost", "fixed_cost", "carbon_cost",
            "other_income", "ebitda", "depreciation", "working_capital_change", "salvage",
            "decommissioning", "taxable_income", "tax", "net_cash_flow", "debt_drawdown",
            "interest", "principal", "equity_tax", "equity_cash_flow")

    def _padded(self, block: np.ndarray) -> np.ndarray:
        out = np.zeros(self.net_cash_flow.shape)
        out[self.schedule.construction_years:] = block
        return out

    def _final(self, values: np.ndarray) -> np.ndarray:
        out = np.zeros(self.net_cash_flow.shape)
        out[-1] = values
        return out

    @cached_property
    def capital(self) -> np.ndarray:
        out = np.zeros(self.net_cash_flow.shape)
        out[:self.schedule.construction_years] = self.construction_capital
        return out

    @cached_property
    def production(self) -> np.ndarray:
        """Output, unit/yr."""
        return self._padded(self.operations.production)

    @cached_property
    def revenue(self) -> np.ndarray:
        return self._padded(self.operations.revenue)

    @cached_property
    def variable_cost(self) -> np.ndarray:
        return self._padded(self.operations.variable_cost)

    @cached_property
    def fixed_cost(self) -> np.ndarray:
        return self._padded(self.operations.fixed_cost)

    @cached_property
    def carbon_cost(self) -> np.ndarray:
        return self._padded(self.operations.carbon_cost)

    @cached_property
    def other_income(self) -> np.ndarray:
        return self._padded(self.operations.other_income)

    @cached_property
    def ebitda(self) -> np.ndarray:
        return self._padded(self.operations.ebitda)

    @cached_property
    def depreciation(self) -> np.ndarray:
        return self._padded(self.operations.depreciation)

    @cached_property
    def working_capital_change(self) -> np.ndarray:
        """Investment in working capital (negative in the final year: its recovery)."""
        return self._padded(self.operations.working_capital_change)

    @cached_property
    def salvage(self) -> np.ndarray:
        return self._final(self.operations.salvage)

    @cached_property
    def decommissioning(self) -> np.ndarray:
        return self._final(self.operations.decommissioning)

    @cached_property
    def taxable_income(self) -> np.ndarray:
        """Project basis, before losses brought forward."""
        return self._padded(self.operations.taxable_income)

    @cached_property
    def debt_drawdown(self) -> np.ndarray:
        return self.capital * self.debt_share

    def flows(self, basis: Basis = "project") -> np.ndarray:
        """The signed cash flow of ``basis``, ``(T+1, N)``."""
        if basis == "project":
            return self.net_cash_flow
        if basis == "equity":
            return self.equity_cash_flow
        raise OutOfBoundsError(f"unknown basis {basis!r}", item="basis",
                               allowed="project, equity")

    def rate(self, basis: Basis = "project") -> np.ndarray:
        return self.discount_rate if basis == "project" else self.equity_discount_rate

    def cumulative(self, basis: Basis = "project") -> np.ndarray:
        return np.cumsum(self.flows(basis), axis=0)

    def discounted(self, basis: Basis = "project") -> np.ndarray:
        """Each year's flow over ``(1 + r)^t``."""
        years = np.arange(self.schedule.rows, dtype=float)[:, None]
        return self.flows(basis) / (1.0 + self.rate(basis)) ** years

    def cumulative_discounted(self, basis: Basis = "project") -> np.ndarray:
        return np.cumsum(self.discounted(basis), axis=0)

    def npv(self, basis: Basis = "project") -> np.ndarray:
        """Net present value at the basis' discount rate, ``(N,)``."""
        return npv(self.flows(basis), self.rate(basis))

    def irr(self, basis: Basis = "project") -> tuple[np.ndarray, np.ndarray]:
        """IRR and :class:`~valueloop.models.finance.IrrStatus` per sample."""
        return irr(self.flows(basis))

    def payback(self, basis: Basis = "project") -> np.ndarray:
        """Years from row 0 until the cumulative flow first reaches 0 (NaN: never)."""
        return payback(self.flows(basis))

    def discounted_payback(self, basis: Basis = "project") -> np.ndarray:
        return discounted_payback(self.flows(basis), self.rate(basis))

    def sample_table(self, sample: int = 0, first_year: int = 0, scale: float = 1.0,
                     unit: str = "") -> Table:
        """One sample as a readable table: a row per named line, a column per year.

        ``scale`` divides money rows (``1e8`` for 亿元); production is left as is.
        """
        years = tuple(str(first_year + t) for t in range(self.schedule.rows))
        rows = []
        for name in (*self.ROWS, "cumulative", "discounted", "cumulative_discounted"):
            values = getattr(self, name)() if name.startswith(("cum", "disc")) else getattr(
                self, name)
            column = values[:, min(sample, values.shape[1] - 1)]
            divisor = 1.0 if name == "production" else scale
            rows.append((name, *(float(v) / divisor for v in column)))
        return Table(f"Cash flow {unit}".strip(), ("line", *years), tuple(rows))



def build_cash_flow_table(inputs: ProjectInputs, schedule: ProjectSchedule) -> CashFlowTable:
    """Every line of the project's cash flows, on both bases, for every sample.

    See :func:`_operations` for the operating lines. Debt is drawn in proportion to capital,
    serviced by :func:`debt_service`; the equity basis recomputes tax after interest, with its
    own losses carried forward.
    """
    c, n = schedule.construction_years, inputs.n
    shape = (schedule.rows, n)
    ops = _operations(inputs, schedule)
    pre_tax, tax, net_cash_flow = _project_flows(inputs, schedule, ops)
    if np.any(inputs.debt_share > 0.0):
        drawdown = np.zeros(shape)
        drawdown[:c] = _capital_rows(inputs, schedule) * inputs.debt_share
        interest, principal = debt_service(
            drawdown, np.broadcast_to(inputs.debt_rate, shape),
            np.broadcast_to(inputs.debt_tenor, (n,)), c)
        taxable = np.zeros(shape)
        taxable[c:] = ops.taxable_income
        _, equity_tax = tax_with_loss_carry_forward(taxable - interest, inputs.tax_rate,
                                                    schedule.loss_carry_forward_years)
        equity_cash_flow = pre_tax - equity_tax + drawdown - interest - principal
    else:
        # without debt the equity basis is the project basis
        interest = principal = np.zeros(shape)
        equity_tax, equity_cash_flow = tax, net_cash_flow
    return CashFlowTable(
        schedule=schedule, operations=ops, construction_capital=_capital_rows(inputs, schedule),
        tax=tax, net_cash_flow=net_cash_flow, debt_share=inputs.debt_share, interest=interest,
        principal=principal, equity_tax=equity_tax, equity_cash_flow=equity_cash_flow,
        discount_rate=np.broadcast_to(inputs.discount_rate, (n,)),
        equity_discount_rate=np.broadcast_to(inputs.equity_discount_rate, (n,)))


# --- thresholds ---------------------------------------------------------------------------------

def delay_npv(table: CashFlowTable, delay: ArrayLike, basis: Basis = "project") -> np.ndarray:
    """NPV if operations start ``delay`` years late, capital still spent on schedule.

    Every operating-year flow moves ``delay`` years later, so with ``PV_c`` the present value
    of the construction rows and ``PV_o`` that of the operating rows (both at delay 0),

    .. math:: \\mathrm{NPV}(d) = PV_c + PV_o\\,(1 + r)^{-d}.

    Exact for the project basis; for a whole number of years it equals the NPV of the table
    built with ``d`` zeros appended to ``schedule.construction``. On the equity basis interest
    during the delay is not added, so it is an approximation there.
    """
    construction, operating = _split_pv(table, basis)
    return construction + operating * (1.0 + table.rate(basis)) ** -np.asarray(delay, float)


def delay_threshold(table: CashFlowTable, basis: Basis = "project") -> np.ndarray:
    """Delay in years at which :func:`delay_npv` is 0: ``ln(PV_o / -PV_c) / ln(1 + r)``.

    Negative when the project is already under water at no delay (operations would have to
    start early); NaN when no delay makes NPV zero (operating value not positive, no capital,
    or a zero discount rate).
    """
    construction, operating = _split_pv(table, basis)
    rate = table.rate(basis)
    with np.errstate(divide="ignore", invalid="ignore"):
        delay = np.log(operating / -construction) / np.log1p(rate)
    ok = (operating > 0.0) & (construction < 0.0) & (rate != 0.0)
    return np.where(ok, delay, np.nan)


def _split_pv(table: CashFlowTable, basis: Basis) -> tuple[np.ndarray, np.ndarray]:
    flows = table.flows(basis)
    c = table.schedule.construction_years
    total = npv(flows, table.rate(basis))
    construction = npv(flows[:c], table.rate(basis))
    return construction, total - construction


def solve_for_zero(function: Callable[[np.ndarray], np.ndarray], low: ArrayLike,
                   high: ArrayLike, *, xtol: ArrayLike, ftol: ArrayLike = 0.0,
                   max_iter: int = 100) -> np.ndarray:
    """Root of a function monotone in ``x`` per sample, in ``[low, high]`` (Illinois method).

    ``function`` maps ``x`` of shape ``(N,)`` to NPV ``(N,)`` for every sample at once; NPV is
    piecewise linear in prices, costs and utilisation (tax kinks), so regula falsi with the
    Illinois correction converges in a few steps per linear piece, and the bracket keeps it
    safe. A sample whose NPV has the same sign at both ends gets NaN.

    Parameters
    ----------
    low, high : array_like, shape (N,) or scalar
        The bracket.
    xtol : array_like, scalar or (N,)
        A sample is done when its bracket is narrower than this...
    ftol : array_like, scalar or (N,)
        ...or when ``|f(x)| <= ftol``. A done sample is frozen, so its root does not depend on
        the other samples solved with it (give per-sample tolerances for that).
    """
    a, b = (np.array(end, dtype=float) for end in np.broadcast_arrays(
        np.asarray(low, dtype=float), np.asarray(high, dtype=float)))
    fa, fb = function(a), function(b)
    a, b = np.broadcast_to(a, fa.shape).copy(), np.broadcast_to(b, fa.shape).copy()
    valid = np.isfinite(fa) & np.isfinite(fb) & (np.sign(fa) * np.sign(fb) <= 0.0)
    x = np.where(np.abs(fa) <= np.abs(fb), a, b)
    done = ~valid | (fa == 0.0) | (fb == 0.0)
    kept = np.zeros(a.shape, dtype=np.int8)  # +1: a kept last step, -1: b kept
    for _ in range(max_iter):
        if done.all():
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            c = b - fb * (b - a) / (fb - fa)
        outside = ~np.isfinite(c) | (c <= np.minimum(a, b)) | (c >= np.maximum(a, b))
        c = np.where(outside, 0.5 * (a + b), c)
        fc = function(c)
        x = np.where(done, x, c)
        left = np.sign(fa) * np.sign(fc) < 0.0  # root between a and c: c replaces b
        new_fa = np.where(left, fa, fc)
        new_fb = np.where(left, fc, fb)
        # Illinois: halve the value at an end kept twice running, so both ends move
        new_fa = np.where(left & (kept == 1), 0.5 * new_fa, new_fa)
        new_fb = np.where(~left & (kept == -1), 0.5 * new_fb, new_fb)
        kept = np.where(left, 1, -1).astype(np.int8)
        a = np.where(done, a, np.where(left, a, c))
        b = np.where(done, b, np.where(left, c, b))
        fa = np.where(done, fa, new_fa)
        fb = np.where(done, fb, new_fb)
        done |= (np.abs(b - a) <= xtol) | (np.abs(fc) <= ftol)
    return np.where(valid, x, np.nan)


# --- summary ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProjectMetrics:
    """The usual decision metrics of a cash-flow table, each ``(N,)``."""

    npv: np.ndarray
    irr: np.ndarray
    irr_status: np.ndarray
    """:class:`~valueloop.models.finance.IrrStatus` codes."""
    payback: np.ndarray
    discounted_payback: np.ndarray
    capital: np.ndarray
    """Total capital spent (undiscounted)."""
    equity_npv: np.ndarray
    equity_irr: np.ndarray

    def scaled(self, share: ArrayLike) -> ProjectMetrics:
        """The metrics of a ``share`` of the project: money scales, rates and periods do not."""
        s = np.asarray(share, dtype=float)
        return dataclasses.replace(self, npv=self.npv * s, capital=self.capital * s,
                                   equity_npv=self.equity_npv * s)


def project_metrics(table: CashFlowTable) -> ProjectMetrics:
    """NPV, IRR with status, payback and discounted payback (project basis), capital, and the
    equity NPV and IRR."""
    rate, status = table.irr("project")
    equity_rate, _ = table.irr("equity")
    return ProjectMetrics(
        npv=table.npv("project"), irr=rate, irr_status=status.astype(float),
        payback=table.payback("project"), discounted_payback=table.discounted_payback("project"),
        capital=table.capital.sum(axis=0), equity_npv=table.npv("equity"),
        equity_irr=equity_rate)
