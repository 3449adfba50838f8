"""The tables and charts of ``valueloop invest``: the chapter-6 investment cases.

:func:`run_investment` evaluates the ``cobalt-investment`` model once at the scenario's baseline
(N = 1) and once as a Monte Carlo study for the bands; the functions below turn that
:class:`InvestmentRun` into :class:`~valueloop.core.tables.Table` objects and
:func:`investment_charts` into SVG strings. Nothing here computes economics: every number comes
from :mod:`valueloop.models.investment_cases` and the case modules it calls.

Money in the tables is in 亿元 (``yi_CNY``, 1e8 CNY), the unit the seed report uses for
projects; prices and per-tonne figures stay in CNY/t. An IRR is printed only where the cash
flows have exactly one root: with no root or several, the IRR cell is empty and the status says
why (:func:`irr_status_words`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike

from valueloop.core.errors import OptionError
from valueloop.core.model import ModelDefinition
from valueloop.core.sampling import baseline_inputs
from valueloop.core.scenario import Scenario, load_scenario
from valueloop.core.sensitivity import TornadoBar, TornadoResult, tornado
from valueloop.core.study import Progress, StudyResult, run_study
from valueloop.core.tables import Table
from valueloop.models import investment_recycling, investment_vertical
from valueloop.models.cashflow import CashFlowTable, build_cash_flow_table
from valueloop.models.esg_finance import RATING_CLASSES, real_rate, wacc
from valueloop.models.finance import IrrStatus
from valueloop.models.investment_cases import (
    CASES,
    PREFIX,
    financing_terms,
    green_arrays,
    integration_arrays,
    recycling_arrays,
    refinery_arrays,
)
from valueloop.models.investment_green_power import PATHS, START_YEARS, green_case
from valueloop.models.registry import get_model
from valueloop.reports.economics_charts import lines, range_bars, sign_grid, tornado_bars

DEFAULT_SCENARIO = "valueloop:cobalt-investment"
MODEL = "cobalt-investment"
YI = 1e8
"""CNY per 亿元."""
MONEY = "yi_CNY"
CHART_MONEY = "100 million CNY"
QUANTILES = (0.1, 0.5, 0.9)
SAMPLED = ("npv", "irr", "irr_status", "npv_by_rating", "breakeven_price", "max_capex_overrun",
           "min_utilisation", "max_delay", "green_npv_window", "recycling_public_cost",
           "recycling_cobalt_recovered", "recycling_breakeven_subsidy")
"""Outputs kept for every sample (the bands); the rest are read at the baseline only."""

CASE_GROUPS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "all": CASES,
    "standalone_refinery": ("standalone_refinery",),
    "integrated": ("integrated",),
    "green_power": ("green_power",),
    "recycling": ("recycling_supported", "recycling_unsupported"),
})
"""What ``--case`` accepts and the model cases each name selects."""
CASH_FLOW_ALIASES: Mapping[str, str] = MappingProxyType({"recycling": "recycling_supported"})
PRODUCTION_UNITS: Mapping[str, str] = MappingProxyType({
    "standalone_refinery": "t/yr", "integrated": "t/yr", "green_power": "kWh/yr",
    "recycling_supported": "t/yr", "recycling_unsupported": "t/yr"})
"""Output of each case's cash-flow table: t Co, green kWh, t of batteries."""

_IRR_WORDS: Mapping[int, str] = MappingProxyType({
    IrrStatus.UNIQUE: "unique",
    IrrStatus.NO_ROOT: "no root: IRR undefined, use NPV",
    IrrStatus.MULTIPLE: "multiple roots: IRR not meaningful, use NPV",
})
_THRESHOLDS = (
    # output, label, unit, input it is compared with (None: 0), headroom sign
    ("breakeven_price", "break-even cobalt price", "CNY/t", "cobalt_price", -1.0),
    ("max_capex_overrun", "max capital overrun", "dimensionless", "refinery.capex_overrun", 1.0),
    ("min_utilisation", "min utilisation", "dimensionless", "refinery.utilisation", -1.0),
    ("max_delay", "max commissioning delay", "yr", None, 1.0),
)
_VARIANTS = ("standalone_refinery", "integrated")
_NO_SWING = 1e-12
"""A tornado swing below this share of the baseline is rounding, not an effect."""
_CASH_FLOW_COLUMNS = (
    # column, CashFlowTable attribute or method, money; the project basis that NPV uses:
    # cash_flow = ebitda - tax - working_capital + salvage - decommissioning - capital
    ("capital", "capital", True), ("production", "production", False),
    ("sales", "revenue", True), ("variable_cost", "variable_cost", True),
    ("fixed_cost", "fixed_cost", True), ("carbon_cost", "carbon_cost", True),
    ("other_income", "other_income", True), ("ebitda", "ebitda", True),
    ("depreciation", "depreciation", True), ("taxable_income", "taxable_income", True),
    ("tax", "tax", True), ("working_capital", "working_capital_change", True),
    ("salvage", "salvage", True), ("decommissioning", "decommissioning", True),
    ("cash_flow", "net_cash_flow", True), ("cumulative_cash_flow", "cumulative", True),
    ("cumulative_npv", "cumulative_discounted", True),
)


@dataclass(frozen=True)
class InvestmentRun:
    """The chapter-6 model at its baseline and over a Monte Carlo study."""

    scenario: Scenario
    model: ModelDefinition
    baseline: Mapping[str, np.ndarray]
    """Every model output at the baseline inputs, leading axis 1."""
    study: StudyResult
    """The outputs of :data:`SAMPLED` for every sample (the bands), with the sampled inputs."""

    def at_baseline(self, name: str) -> np.ndarray:
        """Output ``name`` at the baseline without its sample axis."""
        return np.asarray(self.baseline[name])[0]

    def input(self, name: str) -> float:
        """Baseline value of scalar input ``invest.<name>`` in the model's unit."""
        return float(np.asarray(self.scenario.parameters[PREFIX + name].value))


def run_investment(scenario: str = DEFAULT_SCENARIO, override: str | None = None,
                   samples: int = 2_000, seed: int = 0,
                   progress: Progress | None = None) -> InvestmentRun:
    """Evaluate the investment cases at the baseline and for ``samples`` Monte Carlo samples.

    Parameters
    ----------
    scenario
        Scenario file or ``valueloop:NAME`` for model ``cobalt-investment``.
    override
        A named override of the scenario (e.g. ``ccc-borrower``).
    samples, seed
        Monte Carlo samples (>= 1) and seed (>= 0).
    progress
        ``progress(done, total)`` callback of the study.

    Raises
    ------
    OptionError
        If ``samples`` or ``seed`` is out of range.
    ScenarioStructureError
        If the scenario is for another model.
    """
    if samples < 1:
        raise OptionError(f"{samples} samples", item="--samples", allowed="an integer >= 1")
    if seed < 0:
        raise OptionError(f"seed {seed}", item="--seed", allowed="an integer >= 0")
    model = get_model(MODEL)
    resolved = load_scenario(scenario, model=model, override=override)
    baseline = model(baseline_inputs(resolved), 1)
    study = run_study(model, resolved, samples, seed=seed, keep=SAMPLED, keep_inputs=True,
                      progress=progress)
    return InvestmentRun(resolved, model, MappingProxyType(baseline), study)


def select_cases(case: str) -> tuple[str, ...]:
    """The model cases that ``--case`` names (``recycling`` is both recycling variants)."""
    if case not in CASE_GROUPS:
        raise OptionError(f"unknown case {case!r}", item="--case",
                          allowed=", ".join(CASE_GROUPS))
    return CASE_GROUPS[case]


def cash_flow_case(case: str) -> str:
    """A single model case for ``--cash-flow`` (``recycling`` means the supported variant)."""
    name = CASH_FLOW_ALIASES.get(case, case)
    if name not in CASES:
        raise OptionError(f"unknown case {case!r}", item="--cash-flow",
                          allowed=", ".join((*CASES, *CASH_FLOW_ALIASES)))
    return name


# --- IRR in words -------------------------------------------------------------------------------

def irr_status_words(status: ArrayLike) -> tuple[str, ...]:
    """Each :class:`~valueloop.models.finance.IrrStatus` code in words."""
    codes = np.atleast_1d(np.asarray(status, dtype=float))
    out = []
    for code in codes:
        if not np.isfinite(code) or int(code) not in _IRR_WORDS:
            raise ValueError(f"{code!r} is not an IRR status code (0, 1 or 2)")
        out.append(_IRR_WORDS[int(code)])
    return tuple(out)


def meaningful_irr(irr: ArrayLike, status: ArrayLike) -> np.ndarray:
    """The IRR where its root is unique, NaN elsewhere (a lowest-of-several root misleads)."""
    rate = np.asarray(irr, dtype=float)
    return np.where(np.asarray(status) == IrrStatus.UNIQUE, rate, np.nan)


# --- tables -------------------------------------------------------------------------------------

def _quantiles(values: np.ndarray) -> tuple[float, float, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return (np.nan, np.nan, np.nan)
    low, mid, high = np.quantile(finite, QUANTILES)
    return float(low), float(mid), float(high)


def _case_column(run: InvestmentRun, name: str, case: str) -> np.ndarray:
    return np.asarray(run.study.outputs[name])[:, CASES.index(case)]


def _float(value: ArrayLike) -> float:
    return float(np.asarray(value, dtype=float))


def case_summary(run: InvestmentRun, cases: Sequence[str] = CASES) -> Table:
    """Per case: capital, NPV (baseline and bands), P(NPV > 0), IRR with status, paybacks."""
    rows = []
    for case in cases:
        k = CASES.index(case)
        npv = _case_column(run, "npv", case)
        status = _case_column(run, "irr_status", case)
        shown = meaningful_irr(_case_column(run, "irr", case), status)
        base_status = run.at_baseline("irr_status")[k]
        rows.append((
            case, _float(run.at_baseline("capital")[k]) / YI,
            _float(run.at_baseline("npv")[k]) / YI, *(q / YI for q in _quantiles(npv)),
            float(np.mean(npv > 0.0)),
            _float(meaningful_irr(run.at_baseline("irr")[k], base_status)),
            irr_status_words(base_status)[0], *_quantiles(shown),
            float(np.mean(status == IrrStatus.UNIQUE)),
            _float(run.at_baseline("payback")[k]),
            _float(run.at_baseline("discounted_payback")[k])))
    n = run.study.n
    return Table(
        "Investment cases: NPV, IRR and payback",
        ("case", "capital", "npv", "npv_p10", "npv_p50", "npv_p90", "p_npv_positive", "irr",
         "irr_status", "irr_p10", "irr_p50", "irr_p90", "irr_unique_share", "payback",
         "discounted_payback"), tuple(rows),
        units={"capital": MONEY, "npv": MONEY, "npv_p10": MONEY, "npv_p50": MONEY,
               "npv_p90": MONEY, "irr": "1/yr", "irr_p10": "1/yr", "irr_p50": "1/yr",
               "irr_p90": "1/yr", "payback": "yr", "discounted_payback": "yr"},
        notes=(
            "project basis, real CNY of 2024, discounted at the real after-tax WACC; npv, irr "
            f"and paybacks at the scenario baseline, bands over {n:,} Monte Carlo samples",
            "irr is left empty unless the cash flows have exactly one root (irr_status); the "
            "IRR bands use only the samples with a unique root (irr_unique_share of them)",
            "payback counts years from the first construction year; empty: not paid back "
            "within the project life",
            "recycling_supported is the investor's share of the supported project (capital net "
            "of the grant); recycling_unsupported the same network without public support",
            "green_power is the increment of PV (and a green PPA) over grid power, started in "
            "2025 on the central power- and carbon-price paths",
        ))


def risk_thresholds(run: InvestmentRun, variants: Sequence[str] = _VARIANTS) -> Table:
    """6.1: the price, capital overrun, utilisation and delay at which NPV turns zero."""
    rows = []
    for variant in variants:
        v = _VARIANTS.index(variant)
        for output, label, unit, compared, sign in _THRESHOLDS:
            base = _float(run.at_baseline(output)[v])
            assumed = run.input(compared) if compared is not None else 0.0
            values = np.asarray(run.study.outputs[output])[:, v]
            rows.append((variant, label, unit, assumed, base, sign * (base - assumed),
                         *_quantiles(values), float(np.mean(np.isfinite(values)))))
    return Table(
        "6.1 Risk thresholds: where NPV turns zero",
        ("variant", "threshold", "unit", "assumed", "threshold_value", "headroom", "p10",
         "p50", "p90", "solved_share"), tuple(rows),
        notes=(
            "assumed: the scenario's baseline value of the input; headroom: how far it can "
            "move the wrong way before NPV is zero (negative: already under water)",
            "each threshold moves one input with all others at their values (baseline, or the "
            "sample's); solved_share: samples with a root in the search range (bands use those)",
            "max delay: operations start late, capital spent on schedule, no holding cost: an "
            "upper bound",
        ))


def _year_ranges(years: Sequence[int]) -> str:
    """``2025-2027, 2030`` for consecutive runs; ``none`` when empty."""
    if not years:
        return "none"
    runs: list[list[int]] = [[years[0], years[0]]]
    for year in years[1:]:
        if year == runs[-1][1] + 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in runs)


def green_window_table(run: InvestmentRun) -> Table:
    """6.2: green-power NPV by start year for each power- and carbon-price path, baseline."""
    window = run.at_baseline("green_npv_window")  # (S, P, C)
    best = run.at_baseline("green_best_start")  # (P, C)
    rows = []
    for p, power in enumerate(PATHS):
        for c, carbon in enumerate(PATHS):
            values = window[:, p, c]
            positive = [y for y, v in zip(START_YEARS, values, strict=True) if v > 0.0]
            rows.append((power, carbon, *(float(v) / YI for v in values),
                         _year_ranges(positive), int(best[p, c])))
    years = tuple(str(y) for y in START_YEARS)
    return Table(
        "6.2 Green power: NPV by start year and price paths (baseline)",
        ("power_path", "carbon_path", *years, "positive_years", "best_start"), tuple(rows),
        units=dict.fromkeys(years, MONEY),
        notes=("NPV of adding PV (and a green PPA) to the plant, valued in its start year; "
               "best_start: the start year with the highest NPV valued in 2025 (waiting buys "
               "cheaper PV and dearer carbon)",))


def green_probability_table(run: InvestmentRun) -> Table:
    """6.2: the share of Monte Carlo samples in which green power has a positive NPV."""
    positive = np.mean(np.asarray(run.study.outputs["green_npv_window"]) > 0.0, axis=0)
    years = tuple(str(y) for y in START_YEARS)
    rows = tuple((power, carbon, *(float(v) for v in positive[:, p, c]))
                 for p, power in enumerate(PATHS) for c, carbon in enumerate(PATHS))
    return Table("6.2 Green power: probability of a positive NPV by start year",
                 ("power_path", "carbon_path", *years), rows,
                 notes=(f"share of {run.study.n:,} Monte Carlo samples; the path multipliers "
                        "and PV costs vary across samples",))


def recycling_table(run: InvestmentRun) -> Table:
    """6.3: investor NPV with and without support, and the public cost per t of cobalt."""
    supported = _case_column(run, "npv", "recycling_supported")
    unsupported = _case_column(run, "npv", "recycling_unsupported")
    k_s, k_u = CASES.index("recycling_supported"), CASES.index("recycling_unsupported")
    base_s, base_u = (_float(run.at_baseline("npv")[k]) for k in (k_s, k_u))
    public = np.asarray(run.study.outputs["recycling_public_cost"])
    price = run.input("cobalt_price")
    # the price varies across samples in the shipped scenario, fixed in others
    sampled_price = (run.study.input(PREFIX + "cobalt_price")
                     if PREFIX + "cobalt_price" in run.study.input_names else price)
    share = public / sampled_price
    items = (
        ("investor NPV with support", MONEY, base_s / YI, supported / YI),
        ("investor NPV without support", MONEY, base_u / YI, unsupported / YI),
        ("NPV gain from support", MONEY, (base_s - base_u) / YI, (supported - unsupported) / YI),
        ("public cost per t Co recovered", "CNY/t",
         _float(run.at_baseline("recycling_public_cost")), public),
        ("public cost over the cobalt price", "dimensionless",
         _float(run.at_baseline("recycling_public_cost")) / price, share),
        ("cobalt recovered", "t/yr", _float(run.at_baseline("recycling_cobalt_recovered")),
         np.asarray(run.study.outputs["recycling_cobalt_recovered"])),
        ("break-even subsidy per t of batteries", "CNY/t",
         _float(run.at_baseline("recycling_breakeven_subsidy")),
         np.asarray(run.study.outputs["recycling_breakeven_subsidy"])),
    )
    rows = tuple((item, unit, base, *_quantiles(np.asarray(values, dtype=float)))
                 for item, unit, base, values in items)
    grant = run.input("recycle.capital_grant_share")
    subsidy = run.input("recycle.subsidy")
    equity = run.input("recycle.public_equity_share")
    return Table(
        "6.3 Recycling network: investor return and public cost",
        ("item", "unit", "baseline", "p10", "p50", "p90"), rows,
        notes=(
            f"support: a capital grant of {grant:.0%}, {subsidy:,.0f} CNY per t of batteries "
            f"treated, public co-investment of {equity:.0%}",
            "without support the public cost is zero by construction; the public cost is "
            "gross (tax receipts not netted off), discounted at the public rate and levelised "
            "over the discounted cobalt recovered",
            "break-even subsidy: with the grant and co-investment, the subsidy at which the "
            "investor's NPV is zero (negative: the project pays without any subsidy)",
            f"P(NPV > 0): {np.mean(supported > 0):.1%} with support, "
            f"{np.mean(unsupported > 0):.1%} without",
        ))


def rating_table(run: InvestmentRun, cases: Sequence[str] = CASES) -> Table:
    """ESG rating classes (3.3): loan rate, real WACC and each case's NPV by class."""
    coe, tax = run.input("finance.cost_of_equity"), run.input("finance.tax_rate")
    debt, inflation = run.input("finance.debt_share"), run.input("finance.inflation")
    base = run.at_baseline("npv_by_rating")  # (case, rating)
    sampled = np.asarray(run.study.outputs["npv_by_rating"])
    rows = []
    for case in cases:
        k = CASES.index(case)
        for r, rating in enumerate(RATING_CLASSES):
            loan = run.input(f"finance.esg_loan_rate.{rating.id}")
            rows.append((case, rating.id, rating.label, loan,
                         _float(real_rate(wacc(coe, loan, tax, debt), inflation)),
                         float(base[k, r]) / YI, float(base[k, r] - base[k, 0]) / YI,
                         _quantiles(sampled[:, k, r])[1] / YI,
                         float(np.mean(sampled[:, k, r] > 0.0))))
    return Table(
        "ESG rating class: cost of debt and NPV",
        ("case", "rating", "label", "loan_rate", "real_wacc", "npv", "npv_change_vs_a",
         "npv_p50", "p_npv_positive"), tuple(rows),
        units={"loan_rate": "1/yr", "real_wacc": "1/yr", "npv": MONEY,
               "npv_change_vs_a": MONEY, "npv_p50": MONEY},
        notes=("loan rates by class: seed report 3.3 table (2024 averages, nominal); on the "
               "project basis the class moves only the discount rate (real after-tax WACC)",))


def case_cash_flow(run: InvestmentRun, case: str) -> CashFlowTable:
    """The baseline cash-flow table of one case, built with the model's own functions.

    For ``recycling_supported`` it is the whole supported project, before any public equity
    share is taken out.
    """
    inputs = baseline_inputs(run.scenario)
    finance = financing_terms(inputs)
    price = np.atleast_1d(np.asarray(inputs[PREFIX + "cobalt_price"], dtype=float))
    if case in _VARIANTS:
        carbon = np.atleast_1d(np.asarray(inputs[PREFIX + "carbon_price"], dtype=float))
        project = investment_vertical.vertical_inputs(
            refinery_arrays(inputs), integration_arrays(inputs), finance, price, carbon,
            np.array([float(case == "integrated")]))
        return build_cash_flow_table(project, investment_vertical.SCHEDULE)
    if case == "green_power":
        return green_case(green_arrays(inputs), finance)[1]
    if case in investment_recycling.VARIANTS:
        support = 1.0 if case == "recycling_supported" else 0.0
        project = investment_recycling.recycling_inputs(recycling_arrays(inputs), finance, price,
                                                        support)
        return build_cash_flow_table(project, investment_recycling.SCHEDULE)
    raise OptionError(f"unknown case {case!r}", item="case", allowed=", ".join(CASES))


def cash_flow_table(run: InvestmentRun, case: str) -> Table:
    """One case's baseline cash flows: a row per project year, a named column per line."""
    table = case_cash_flow(run, case)
    columns = []
    for name, attribute, money in _CASH_FLOW_COLUMNS:
        value = getattr(table, attribute)
        values = np.asarray(value() if callable(value) else value)[:, 0]
        columns.append((name, values / YI if money else values))
    discount = 1.0 / (1.0 + float(table.rate("project")[0])) ** np.arange(table.schedule.rows)
    rows = tuple((t, float(discount[t]), *(float(values[t]) for _, values in columns))
                 for t in range(table.schedule.rows))
    units = {name: MONEY for name, _, money in _CASH_FLOW_COLUMNS if money}
    units["production"] = PRODUCTION_UNITS[case]
    built = table.schedule.construction_years
    notes = [f"baseline, project basis; years 0-{built - 1} construction, then operation; "
             f"discounted at the real WACC of {float(table.rate('project')[0]):.2%}; NPV "
             f"{float(table.npv('project')[0]) / YI:.4f} {MONEY}",
             "capital, costs, tax and decommissioning are outflows written as positive "
             "numbers; working_capital is the investment in it (negative: its recovery); "
             "cash_flow = ebitda - tax - working_capital + salvage - decommissioning - capital"]
    if case == "green_power":
        notes.append(f"year 0 is {START_YEARS[0]}; production is the green kWh, sales the grid "
                     "power they replace")
    if case == "recycling_supported":
        notes.append("the whole supported project; the investor holds 1 - public_equity_share")
    return Table(f"Cash flow: {case}",
                 ("year", "discount_factor", *(name for name, _ in columns)), rows,
                 units=units, notes=tuple(notes))


def npv_tornado(run: InvestmentRun, case: str) -> TornadoResult:
    """One-at-a-time swings of one case's NPV (each input at its P10 and P90)."""
    return tornado(run.model, run.scenario, "npv", select=(CASES.index(case),))


def moving_bars(result: TornadoResult) -> tuple[TornadoBar, ...]:
    """The bars whose input moves the output (the model's other cases' inputs do not)."""
    floor = _NO_SWING * max(abs(result.baseline), 1.0)
    return tuple(b for b in result.bars if b.swing > floor)


def tornado_table(result: TornadoResult, case: str) -> Table:
    """:func:`npv_tornado` in 亿元, without the inputs that do not move this case's NPV."""
    bars = moving_bars(result)
    rows = tuple((b.factor.removeprefix(PREFIX), b.unit, b.low, b.high, b.output_low / YI,
                  b.output_high / YI, b.swing / YI) for b in bars)
    low, high = result.quantiles
    return Table(f"Tornado of NPV: {case}",
                 ("factor", "unit", "low", "high", "npv_low", "npv_high", "swing"), rows,
                 units=dict.fromkeys(("npv_low", "npv_high", "swing"), MONEY),
                 notes=(f"baseline NPV {result.baseline / YI:.4f} {MONEY}; each input at its "
                        f"{low:g} and {high:g} quantile, all others at baseline; "
                        f"{len(result.bars) - len(bars)} uncertain inputs that do not move "
                        "this case's NPV are left out",))


def investment_tables(run: InvestmentRun, cases: Sequence[str] = CASES,
                      cash_flow: str | None = None) -> tuple[Table, ...]:
    """Every table of ``valueloop invest`` for the selected cases.

    ``cash_flow`` names the case whose cash flows and tornado are shown (the first selected
    case when None).
    """
    chosen = cash_flow if cash_flow is not None else cases[0]
    tables = [case_summary(run, cases)]
    variants = [c for c in cases if c in _VARIANTS]
    if variants:
        tables.append(risk_thresholds(run, variants))
    if "green_power" in cases:
        tables += [green_window_table(run), green_probability_table(run)]
    if any(c in investment_recycling.VARIANTS for c in cases):
        tables.append(recycling_table(run))
    tables += [rating_table(run, cases), cash_flow_table(run, chosen),
               tornado_table(npv_tornado(run, chosen), chosen)]
    return tuple(tables)


# --- charts -------------------------------------------------------------------------------------

def chart_names(cases: Sequence[str] = CASES) -> tuple[str, ...]:
    """The names :func:`investment_charts` returns for these cases, in order."""
    return ("npv", *(("window",) if "green_power" in cases else ()), "cash_flow", "tornado")


def investment_charts(run: InvestmentRun, cases: Sequence[str] = CASES,
                      cash_flow: str | None = None) -> dict[str, str]:
    """SVG charts by name: ``npv`` bands per case, ``window`` (6.2, when green power is
    selected), ``cash_flow`` (cumulative, baseline) and ``tornado`` of the ``cash_flow`` case."""
    chosen = cash_flow if cash_flow is not None else cases[0]
    npv = np.stack([_case_column(run, "npv", c) for c in cases], axis=1) / YI
    bands = np.quantile(npv, QUANTILES, axis=0)
    base = np.array([run.at_baseline("npv")[CASES.index(c)] for c in cases]) / YI
    charts = {"npv": range_bars(cases, bands, base, CHART_MONEY,
                                "NPV by case: P10-P90, P50 and baseline")}
    if "green_power" in cases:
        window = run.at_baseline("green_npv_window") / YI
        labels = [f"power {p} / carbon {c}" for p in PATHS for c in PATHS]
        grid = np.stack([window[:, p, c] for p in range(len(PATHS))
                         for c in range(len(PATHS))])
        charts["window"] = sign_grid(START_YEARS, labels, grid, CHART_MONEY,
                                     "Green-power NPV by start year, baseline")
    flows = {c: case_cash_flow(run, c).cumulative()[:, 0] / YI for c in cases}
    years = max(len(f) for f in flows.values())
    padded = {c: np.concatenate([f, np.full(years - len(f), np.nan)]) for c, f in flows.items()}
    charts["cash_flow"] = lines(np.arange(years), padded, "project year (0 = first construction)",
                                CHART_MONEY, "Cumulative net cash flow, baseline",
                                zero_line=True, markers=False)
    tornado = npv_tornado(run, chosen)
    charts["tornado"] = tornado_bars(tornado, YI, CHART_MONEY,
                                     f"NPV of {chosen}: inputs at P10 and P90",
                                     bars=moving_bars(tornado), strip_prefix=PREFIX)
    return charts
