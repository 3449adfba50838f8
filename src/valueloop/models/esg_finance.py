"""Financing cost by ESG rating class, sustainability-linked margins and WACC (report 3.3).

Seed report 3.3 gives, for 2024, the average bank-loan rate and bond coupon of cobalt-hydroxide
companies by ESG rating class (its table; loan rates attributed to the PBoC's *Green Finance
Development Annual Report 2024*, bond rates to ChinaBond's *2024 green bond market report*):

================  =========  =========
class             loan rate  bond rate
================  =========  =========
A and above       3.2 %      2.95 %
BBB               4.1 %      3.8 %
BB                4.9 %      4.3 %
CCC and below     5.8 %      4.7 %
================  =========  =========

The text disagrees with its own table twice: it puts the 3.2 % loan rate on "B and above"
(the table: "A and above"), and says issuers "below BBB" pay 4.7 % on ordinary bonds (the table:
4.3 % for BB, 4.7 % only for CCC and below). :data:`RATING_CLASSES` follows the table. The
260 bp loan spread between the best and worst class follows from 5.8 - 3.2 (claims file
``cobalt-economics.toml``, ``3.3-loan-spread``).

The report also says issuers below BBB see bond subscription under 1.2 times and that A-rated
issuers' green bonds price 45 bp below their other bonds; neither is given by class, so neither is
modelled. The report's sustainability-linked bond (GEM, 2024: 5 亿元 at 3.1 %; coupon -20 bp if the
product footprint reaches 4.5 tCO2e/t "before 2026", +30 bp otherwise) is
:data:`GEM_SLB_2024`; :func:`margin_adjustment` generalises it to yearly KPI tests over samples
and years.

Rates in this module are *nominal* unless named ``real``; the cash-flow model works in real
terms, so :func:`real_rate` converts with Fisher's equation.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike

from valueloop.core.errors import OutOfBoundsError
from valueloop.core.sources import Citation
from valueloop.core.tables import Table
from valueloop.models.cashflow import (
    CashFlowTable,
    ProjectInputs,
    ProjectSchedule,
    build_cash_flow_table,
    replace_inputs,
)
from valueloop.models.finance import npv

BASIS_POINT = 1e-4

_TABLE = Citation(document="seed-004", section="3.3, table",
                  note="ESG rating class: average loan rate and bond issue rate, 2024")


@dataclass(frozen=True)
class RatingClass:
    """One ESG rating class and its average financing rates (nominal, per year)."""

    id: str
    label: str
    loan_rate: float
    bond_rate: float
    source: Citation


RATING_CLASSES: tuple[RatingClass, ...] = (
    RatingClass("a", "A and above", 0.032, 0.0295, _TABLE),
    RatingClass("bbb", "BBB", 0.041, 0.038, _TABLE),
    RatingClass("bb", "BB", 0.049, 0.043, _TABLE),
    RatingClass("ccc", "CCC and below", 0.058, 0.047, _TABLE),
)
"""Seed report 3.3 table, best class first."""
RATING_IDS: tuple[str, ...] = tuple(c.id for c in RATING_CLASSES)
_BY_ID = MappingProxyType({c.id: c for c in RATING_CLASSES})


def rating_class(rating: str) -> RatingClass:
    """The class with id ``rating`` (``a``, ``bbb``, ``bb``, ``ccc``)."""
    try:
        return _BY_ID[rating]
    except KeyError:
        raise OutOfBoundsError(f"unknown ESG rating class {rating!r}", item="rating",
                               allowed=", ".join(RATING_IDS)) from None


def loan_spread(worse: str, better: str = "a") -> float:
    """Loan-rate difference ``worse - better`` as a rate (0.026 is 260 bp for CCC against A)."""
    return rating_class(worse).loan_rate - rating_class(better).loan_rate


def rating_table() -> Table:
    """The rating classes with their rates and spreads over class A, in basis points."""
    best = RATING_CLASSES[0]
    rows = tuple(
        (c.id, c.label, c.loan_rate, c.bond_rate,
         round((c.loan_rate - best.loan_rate) / BASIS_POINT, 6),
         round((c.bond_rate - best.bond_rate) / BASIS_POINT, 6), c.source.short())
        for c in RATING_CLASSES)
    return Table("ESG rating class and cost of debt (seed report 3.3)",
                 ("class", "label", "loan_rate", "bond_rate", "loan_spread_bp",
                  "bond_spread_bp", "source"), rows,
                 notes=("rates nominal, per year, 2024 averages as the report states them",))


# --- sustainability-linked margins --------------------------------------------------------------

@dataclass(frozen=True)
class SustainabilityLinkedTerms:
    """Terms of a sustainability-linked loan or bond with one KPI and one test year."""

    principal: float
    base_rate: float
    kpi: str
    target: float
    test_year: int
    step_down: float
    """Rate cut when the target is met (0.002 = 20 bp)."""
    step_up: float
    """Rate rise when it is missed."""
    lower_is_better: bool
    source: Citation


GEM_SLB_2024 = SustainabilityLinkedTerms(
    principal=5e8, base_rate=0.031, kpi="product carbon footprint, tCO2e per t", target=4.5,
    test_year=2026, step_down=20 * BASIS_POINT, step_up=30 * BASIS_POINT, lower_is_better=True,
    source=Citation(document="seed-004", section="3.3",
                    note="GEM 2024 SLB: 5 亿元, coupon 3.1 %, -20 bp if 4.5 tCO2e/t is reached "
                         "before 2026, +30 bp otherwise; the test is read as at the end of "
                         "2026"))


def margin_adjustment(kpi: ArrayLike, target: ArrayLike, *, step_up: ArrayLike,
                      step_down: ArrayLike, lower_is_better: ArrayLike = True,
                      lag: int = 1) -> np.ndarray:
    """Change of a loan's rate by year from its sustainability KPIs, ``(N, T)``.

    In a year with a test (a finite target) each KPI that meets its target lowers the rate by
    its ``step_down``, each one that misses it (or is not reported: NaN) raises it by
    ``step_up``. The outcome holds until the next test (0 before the first), and takes effect
    ``lag`` years after the test year, as margins are reset once the KPI is reported. The
    adjustments of several KPIs add up.

    Parameters
    ----------
    kpi : array_like, shape (N, T) or (N, T, K)
        Observed KPI by sample and year (``K`` KPIs on the last axis).
    target : array_like, shape (T,) or (T, K)
        Target by year; NaN in a year without a test.
    step_up, step_down : array_like, scalar or (K,)
        Rate steps, >= 0 (0.003 for 30 bp).
    lower_is_better : bool or array of bool, (K,)
        True for intensities (met when ``kpi <= target``), False for shares (``kpi >= target``).
    lag : int
        Years between a test and the rate change.

    Returns
    -------
    ndarray, shape (N, T)
        Rate change to add to the base rate.
    """
    values = np.asarray(kpi, dtype=float)
    goal = np.asarray(target, dtype=float)
    if values.ndim == 2:
        values, goal = values[..., None], goal[..., None]
    if values.ndim != 3 or goal.shape[0] != values.shape[1]:
        raise OutOfBoundsError(f"kpi {values.shape} and target {goal.shape} do not match",
                               item="kpi/target", allowed="kpi (N, T[, K]) and target (T[, K])")
    up, down = np.asarray(step_up, dtype=float), np.asarray(step_down, dtype=float)
    if np.any(up < 0.0) or np.any(down < 0.0):
        raise OutOfBoundsError("a margin step is negative", item="step_up/step_down",
                               allowed="steps >= 0; the direction is set by met or missed")
    if lag < 0:
        raise OutOfBoundsError(f"lag is {lag}", item="lag", allowed="an integer >= 0")
    better = np.asarray(lower_is_better, dtype=bool)
    met = np.where(better, values <= goal, values >= goal)
    outcome = np.where(met, -down, up)
    tested = np.broadcast_to(np.isfinite(goal), values.shape)
    held = np.zeros((values.shape[0], values.shape[2]))  # outcome of the latest test
    adjustment = np.zeros(values.shape[:2])
    for year in range(values.shape[1]):
        held = np.where(tested[:, year], outcome[:, year], held)
        if year + lag < values.shape[1]:
            adjustment[:, year + lag] = held.sum(axis=-1)
    return adjustment


def slb_rate_path(terms: SustainabilityLinkedTerms, kpi_by_year: ArrayLike,
                  years: ArrayLike, lag: int = 1) -> np.ndarray:
    """Coupon by year of ``terms`` given the KPI path ``(N, T)`` over calendar ``years``."""
    calendar = np.asarray(years)
    target = np.where(calendar == terms.test_year, terms.target, np.nan)
    return terms.base_rate + margin_adjustment(
        kpi_by_year, target, step_up=terms.step_up, step_down=terms.step_down,
        lower_is_better=terms.lower_is_better, lag=lag)


# --- discount rates -----------------------------------------------------------------------------

def real_rate(nominal: ArrayLike, inflation: ArrayLike) -> np.ndarray:
    """Fisher's equation: ``(1 + nominal) / (1 + inflation) - 1``."""
    return (1.0 + np.asarray(nominal, dtype=float)) / (1.0 + np.asarray(inflation, float)) - 1.0


def wacc(cost_of_equity: ArrayLike, cost_of_debt: ArrayLike, tax_rate: ArrayLike,
         debt_share: ArrayLike) -> np.ndarray:
    """Weighted average cost of capital after tax.

    .. math:: \\mathrm{WACC} = (1 - w_D)\\,r_E + w_D\\,r_D\\,(1 - \\tau)

    Parameters
    ----------
    cost_of_equity, cost_of_debt : array_like
        Rates of the same kind (both nominal or both real).
    tax_rate : array_like
        Income-tax rate in [0, 1] (interest is deductible).
    debt_share : array_like
        Debt over debt plus equity, in [0, 1].
    """
    share = np.asarray(debt_share, dtype=float)
    tax = np.asarray(tax_rate, dtype=float)
    for name, value in (("debt_share", share), ("tax_rate", tax)):
        if np.any((value < 0.0) | (value > 1.0)):
            raise OutOfBoundsError("has values outside [0, 1]", item=name, allowed="[0, 1]")
    return ((1.0 - share) * np.asarray(cost_of_equity, dtype=float)
            + share * np.asarray(cost_of_debt, dtype=float) * (1.0 - tax))


def real_wacc_by_rating(cost_of_equity: ArrayLike, tax_rate: ArrayLike, debt_share: ArrayLike,
                        inflation: ArrayLike,
                        classes: tuple[RatingClass, ...] = RATING_CLASSES) -> np.ndarray:
    """Real WACC with each class's loan rate as the cost of debt, ``(N, K)``."""
    return np.stack([
        real_rate(wacc(cost_of_equity, c.loan_rate, tax_rate, debt_share), inflation)
        for c in classes], axis=-1)


def project_npv_by_rating(table: CashFlowTable, cost_of_equity: ArrayLike, tax_rate: ArrayLike,
                          debt_share: ArrayLike, inflation: ArrayLike,
                          classes: tuple[RatingClass, ...] = RATING_CLASSES) -> np.ndarray:
    """Project-basis NPV at the real WACC of each rating class, ``(N, K)``.

    On the project basis the cash flows do not depend on the loan rate; the class moves only
    the discount rate.
    """
    rates = np.broadcast_to(
        real_wacc_by_rating(cost_of_equity, tax_rate, debt_share, inflation, classes),
        (table.net_cash_flow.shape[1], len(classes)))
    return np.stack([npv(table.net_cash_flow, rates[:, k]) for k in range(len(classes))],
                    axis=-1)


def equity_npv_by_rating(inputs: ProjectInputs, schedule: ProjectSchedule, inflation: ArrayLike,
                         classes: tuple[RatingClass, ...] = RATING_CLASSES) -> np.ndarray:
    """Equity-basis NPV with each class's loan rate on the project's debt, ``(N, K)``.

    The loan rate (nominal) becomes a real rate with ``inflation``; interest, repayments and the
    interest tax shield follow, and the flows are discounted at ``inputs.equity_discount_rate``.
    """
    out = []
    for c in classes:
        varied = replace_inputs(inputs, schedule, debt_rate=real_rate(c.loan_rate, inflation))
        out.append(build_cash_flow_table(varied, schedule).npv("equity"))
    return np.stack(out, axis=-1)


def rating_npv_effect(inputs: ProjectInputs, schedule: ProjectSchedule, inflation: ArrayLike,
                      from_rating: str, to_rating: str) -> np.ndarray:
    """Change of equity NPV when the borrower moves from one rating class to another, ``(N,)``."""
    pair = (rating_class(from_rating), rating_class(to_rating))
    before, after = equity_npv_by_rating(inputs, schedule, inflation, pair).T
    return after - before


@dataclass(frozen=True)
class FinancingTerms:
    """How an investor funds a project, per sample (arrays ``(N,)`` or ``(1,)``; nominal rates).

    :meth:`project_fields` gives the financing inputs of
    :func:`~valueloop.models.cashflow.project_inputs` in real terms: the project basis is
    discounted at the real after-tax WACC, the equity basis at the real cost of equity, and the
    loan carries the real loan rate.
    """

    cost_of_equity: np.ndarray
    debt_rate: np.ndarray
    debt_share: np.ndarray
    debt_tenor: np.ndarray
    inflation: np.ndarray
    tax_rate: np.ndarray

    @property
    def discount_rate(self) -> np.ndarray:
        """Real after-tax WACC."""
        return real_rate(wacc(self.cost_of_equity, self.debt_rate, self.tax_rate,
                              self.debt_share), self.inflation)

    @property
    def equity_rate(self) -> np.ndarray:
        return real_rate(self.cost_of_equity, self.inflation)

    def project_fields(self) -> dict[str, np.ndarray]:
        return {"tax_rate": self.tax_rate, "debt_share": self.debt_share,
                "debt_rate": self._real_debt_path(), "debt_tenor": self.debt_tenor,
                "discount_rate": self.discount_rate, "equity_discount_rate": self.equity_rate}

    def _real_debt_path(self) -> np.ndarray:
        # one real rate for every year of the loan, as an (N, 1) per-sample constant path
        return np.atleast_1d(real_rate(self.debt_rate, self.inflation))[:, None]
