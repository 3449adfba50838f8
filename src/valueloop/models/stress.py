"""Stress tests of China's cobalt-intermediate supply: inventory days under named disruptions.

Seed report section 1.2 describes a supply chain with one dominant origin (over 85 % of the 12.4
万吨 of contained cobalt imported in 2024 came from the DRC and its neighbours), one long land
route (the southern railway to Durban) and a stock warning line: a Q2 2024 South African port
strike pushed some Chinese plants' raw-material stock below 15 days. Section 5.3 promises
geopolitical stress tests of that dependence and stops at its title. This module builds them.

It simulates the Chinese refiners' stock of cobalt intermediates (t contained Co) over a horizon
of H periods for N samples and K named cases at once; every per-period result has shape
``(N, K, H)``.

Conventions
-----------
* **Period**: one mean month of ``PERIOD_DAYS = 365.25 / 12`` days. Monthly, not weekly, because
  what drives the stock is monthly or slower (customs statistics, ARECOMS quota allocations, the
  36-month horizon of the DRC measures), while sub-month events lose nothing on a monthly grid:
  windows are fractional (a 21-day port closure covers 0.69 of a period) and a transit lag of a
  fraction of a period splits each month's shipments exactly between two arrival months, since
  flows are taken as uniform within a period. A weekly grid would cost four times as much; what
  it would add is the intra-month minimum of the stock, which a monthly grid does not see
  (stocks are read at the end of each period), and a finer timing of the mitigations.
* **Time**: period ``t`` covers ``[t, t + 1)``; a window ``[start, start + duration)`` is in the
  same period units, measured from the start of the run. :func:`month_position` turns calendar
  dates into that axis.
* **Units**: masses in t contained Co, flows in t per period, stocks at the end of a period.
  Inventory days = closing stock / (the period's demand / ``PERIOD_DAYS``).
* **Order of events within a period**: imports arrive and recycled/domestic supply comes in;
  mitigations (extra recycling, then the alternative origin) top the stock up towards its normal
  level; the strategic stock is released to hold the warning line; refiners consume
  ``min(demand, available stock)``; what they cannot consume is the shortfall.
* **No restocking by itself**: once a disruption ends, supply returns to its normal rate, which
  only matches demand. Stock lost to a disruption comes back only through backlogs (a port
  strike, rejected material returned), extra recycling or the alternative origin, so a case
  without mitigations can stay below the line for good (time to recovery ``inf``). The price
  response is an output only: it does not feed back into demand or supply.
* **Inputs with a sample axis**: every number of :class:`Market`, of a disruption and of a
  mitigation is a float or a 1-D array of N samples, so an outlook can sample them all.

Disruptions are small validated pydantic definitions (:class:`ExportBan`, :class:`ExportQuota`,
:class:`PortStrike`, :class:`Reroute`, :class:`ComplianceRejection`), grouped with a
:class:`Mitigation` into a :class:`StressCase`. :func:`case_flows` turns one case into float
arrays of shipments and arrivals; :func:`simulate` runs the inventory kernel for all cases;
:class:`StressResult` gives inventory days, shortfall, time to recovery and the price response;
:func:`check_mass_balance` checks the stock balance of every period and sample.
:func:`catalogue` returns the named cases and :func:`mitigation_catalogue` the named mitigation
packages.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from types import MappingProxyType
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, model_validator

from valueloop.core.errors import OutOfBoundsError, ShareGroupError, ValueloopError

ORIGINS: tuple[str, ...] = ("drc", "indonesia", "other")
"""Origins of intermediate imports. ``drc`` is the report's "DRC and neighbours" (section 1.2)."""
Origin = Literal["drc", "indonesia", "other"]

PERIODS_PER_YEAR = 12
PERIOD_DAYS = 365.25 / PERIODS_PER_YEAR
"""Days in one period (a mean month)."""

WARNING_DAYS = 15.0
"""Stock warning line in days of demand: the "15天警戒线" of seed report section 1.2."""

NORMAL_DAYS_2024 = 28.0
"""Normal stock cover in days. Our assumption: the report's (section 2.3) inventory turnover of
28 days for large integrated producers, used as the normal raw-material cover of refiners."""

PRICE_SWING_2024 = 0.22
"""Spot price swing of cobalt intermediates in 2024, +-22 % (seed report 1.2, SMM)."""

PRICE_ELASTICITY = math.log(NORMAL_DAYS_2024 / WARNING_DAYS) / math.log(1.0 + PRICE_SWING_2024)
"""Default elasticity of the price response (about 3.14). Our assumption, calibrated so that a
stock at the warning line (15 days against a normal 28) gives the +22 % price swing the report
gives for 2024, the year in which some plants fell below that line."""

PRICE_CAP = 3.0
"""Default cap of the price multiplier (and 1 / cap its floor). Our assumption: beyond a tripling,
demand destruction and substitution that this model does not represent would bind."""

IMPORTS_2024_T = 124_000.0
"""China's imports of cobalt intermediates in 2024, t contained Co (seed report 1.2, customs)."""
DRC_SHARE_2024 = 0.85
"""Share of those imports from the DRC and neighbours, "over 85 %" (seed report 1.2)."""
RECYCLED_2024_T = 19_000.0
"""Recycled cobalt output in 2024, t (seed report 1.1 and 1.2, citing GEM's annual report)."""
DRC_OUTPUT_2024_T = 220_000.0
"""DRC mine output of cobalt in 2024, t (USGS Mineral Commodity Summaries 2025)."""
CHINA_SHARE_OF_DRC_EXPORTS = DRC_SHARE_2024 * IMPORTS_2024_T / DRC_OUTPUT_2024_T
"""Share of a DRC export quota that reaches China (about 0.48). Our assumption: China's 2024
imports from the DRC and neighbours (report 1.2) over DRC 2024 output (USGS); a low estimate,
since part of the output was stocked in the DRC rather than exported."""
DRC_QUOTA_ANNUAL_T = 96_600.0
"""DRC annual export quota for 2026 and 2027, t Co: 87,000 t base + 9,600 t strategic
(ARECOMS, Decision No. 004/ARECOMS/2025)."""

_RTOL = 1e-9  # stocks set exactly at a line by the kernel must not count as below it


# --------------------------------------------------------------------------------------------
# Definitions (validated once; the kernel sees only float arrays)
# --------------------------------------------------------------------------------------------

Sampled = float | np.ndarray
"""A number or a 1-D array over the sample axis."""


def _sampled(low: float, high: float = math.inf, *, open_low: bool = False) -> PlainValidator:
    """A validator for a float or 1-D array of samples within ``[low, high]``."""
    interval = f"{'(' if open_low else '['}{low}, {high}]"

    def validate(value: object) -> Sampled:
        try:
            array = np.array(value, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"must be a number or a 1-D array of numbers, got {value!r}") from None
        if array.ndim > 1:
            raise ValueError(f"must be a number or a 1-D array over samples, got shape "
                             f"{array.shape}")
        too_low = array <= low if open_low else array < low
        if np.isnan(array).any() or too_low.any() or (array > high).any():
            raise ValueError(f"must be in {interval}")
        if array.ndim == 0:
            return float(array)
        array.flags.writeable = False
        return array

    return PlainValidator(validate)


Fraction = Annotated[Sampled, _sampled(0.0, 1.0)]
NonNegative = Annotated[Sampled, _sampled(0.0)]
Positive = Annotated[Sampled, _sampled(0.0, open_low=True)]

class _Window(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    start: NonNegative = 0.0
    """Start of the window, in periods from the start of the run (fractions allowed)."""
    duration: Positive = 1.0
    """Length of the window in periods; ``math.inf`` for the rest of the run."""


class ExportBan(_Window):
    """Shipments from an origin fall to ``1 - severity`` of normal during the window."""

    kind: Literal["export-ban"] = "export-ban"
    origin: Origin
    severity: Fraction = 1.0
    """Share of the origin's shipments stopped; 1 is a full ban."""


class ExportQuota(_Window):
    """An origin's exports are capped at ``quota`` tonnes over the window, spread evenly.

    The cap per period is ``quota * share_to_china / duration`` (times the part of the period in
    the window): an annual quota over a 12-period window allows ``quota / 12`` a month. Quotas
    of one origin in force at the same time add up.
    """

    kind: Literal["export-quota"] = "export-quota"
    origin: Origin
    quota: NonNegative
    """Tonnes the origin may export over the whole window (to all destinations)."""
    share_to_china: Fraction = 1.0
    """Share of the quota shipped to China."""

    @model_validator(mode="after")
    def _finite_window(self) -> ExportQuota:
        if not np.isfinite(self.duration).all():
            raise ValueError("a quota is spread over its window, which must be finite")
        return self


class PortStrike(_Window):
    """Shipments through a port are held during the window and released as a backlog after it.

    After the window the port moves up to ``catch_up`` times its normal flow on top of the
    normal flow, until the backlog is cleared: nothing is lost, only delayed.
    """

    kind: Literal["port-strike"] = "port-strike"
    origin: Origin
    share: Fraction = 1.0
    """Share of the origin's shipments that leave through the port."""
    catch_up: Positive = 0.5
    """Extra throughput after the strike, as a multiple of the port's normal flow."""


class Reroute(_Window):
    """Shipments that leave during the window take ``extra_days`` longer to arrive.

    The window is in departure time: what left before it keeps its normal transit.
    """

    kind: Literal["reroute"] = "reroute"
    origin: Origin
    share: Fraction = 1.0
    """Share of the origin's shipments that are rerouted."""
    extra_days: NonNegative
    """Days added to the transit time of the rerouted shipments."""


class ComplianceRejection(_Window):
    """A share of the shipments arriving during the window is rejected on compliance grounds.

    The window is in arrival time. Rejected material is lost (``delay=None``) or arrives again
    ``delay`` periods later (returned, re-documented and accepted, not checked again).
    """

    kind: Literal["compliance-rejection"] = "compliance-rejection"
    origin: Origin
    share: Fraction
    """Share of the origin's arrivals rejected."""
    delay: NonNegative | None = None
    """Periods until rejected material arrives again; ``None`` when it is lost."""


Disruption = Annotated[ExportBan | ExportQuota | PortStrike | Reroute | ComplianceRejection,
                       Field(discriminator="kind")]


class Ramp(BaseModel):
    """A supply that becomes available ``lag`` periods after the event starts, ramping linearly."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rate: NonNegative = 0.0
    """Full capacity, t per period."""
    lag: NonNegative = 0.0
    """Periods from the start of the event to the start of the ramp (include any transit)."""
    ramp: NonNegative = 0.0
    """Periods from zero to full capacity; 0 is a step."""


class StrategicStock(BaseModel):
    """A reserve released while the stock would otherwise close below the warning line."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reserve: NonNegative = 0.0
    """Reserve at the start of the run, t."""
    max_release: NonNegative = math.inf
    """Largest release in one period, t per period."""


class Mitigation(BaseModel):
    """Responses to a disruption. The default is none.

    Extra recycling and the alternative origin are capacities used only as far as they bring the
    stock back to its normal level: refiners do not buy beyond their normal cover, so a
    mitigation never pushes the stock above its pre-event level by itself, and it has no effect
    in a case without disruptions (it is activated by the first disruption of the case).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    extra_recycled: Ramp = Ramp()
    """Extra recycled supply (t per period at full ramp)."""
    alternative_origin: Ramp = Ramp()
    """Capacity from a diversified origin (for example Indonesia's nickel-cobalt route)."""
    strategic_stock: StrategicStock = StrategicStock()


NO_MITIGATION = Mitigation()


class StressCase(BaseModel):
    """A named set of disruptions and the mitigations that answer them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9+-]*$")
    description: str = ""
    source: str = ""
    """Where the figures come from, and which of them are our assumptions."""
    disruptions: tuple[Disruption, ...] = ()
    mitigation: Mitigation = NO_MITIGATION

    def with_mitigation(self, mitigation: Mitigation, label: str) -> StressCase:
        """The same disruptions answered by ``mitigation``, named ``<name>+<label>``."""
        return StressCase(name=f"{self.name}+{label}", description=self.description,
                          source=self.source, disruptions=self.disruptions,
                          mitigation=mitigation)


# --------------------------------------------------------------------------------------------
# The market before any disruption
# --------------------------------------------------------------------------------------------

def _as_samples(value: Sampled | Sequence[float], name: str, *, series: bool = False
                ) -> np.ndarray:
    """A float array of shape (n,) or, for a series, (n,) or (n, H)."""
    array = np.array(value, dtype=float)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim > (2 if series else 1):
        raise OutOfBoundsError(f"expected a number or samples, got shape {array.shape}",
                               item=name)
    if not np.isfinite(array).all() or (array < 0).any():
        raise OutOfBoundsError("must be finite and non-negative", item=name, allowed=">= 0")
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class Market:
    """The normal state of the market, per sample.

    Parameters
    ----------
    imports
        Normal import rate of intermediates, t contained Co per period, shape (N,) or scalar.
    shares
        Share of the imports from each origin in :data:`ORIGINS`; they sum to 1 per sample.
    transit_days
        Days from leaving an origin to arriving at the refiners, per origin.
    recycled
        Recycled and domestic supply, t per period: (N,), (N, H) or scalar.
    demand
        Refiners' demand for cobalt units, t per period: (N,), (N, H) or scalar.
    normal_days
        Normal stock cover in days of demand: the opening stock and the level mitigations restore.
    """

    imports: np.ndarray
    shares: Mapping[str, np.ndarray]
    transit_days: Mapping[str, np.ndarray]
    recycled: np.ndarray
    demand: np.ndarray
    normal_days: np.ndarray

    def __post_init__(self) -> None:
        fix = object.__setattr__  # frozen: normalise once, here
        fix(self, "imports", _as_samples(self.imports, "imports"))
        fix(self, "recycled", _as_samples(self.recycled, "recycled", series=True))
        fix(self, "demand", _as_samples(self.demand, "demand", series=True))
        fix(self, "normal_days", _as_samples(self.normal_days, "normal_days"))
        fix(self, "shares", self._per_origin(self.shares, "shares"))
        fix(self, "transit_days", self._per_origin(self.transit_days, "transit_days"))
        total = np.asarray(sum(self.shares.values()))
        worst = total.flat[np.argmax(np.abs(total - 1.0))]
        if abs(worst - 1.0) > 1e-9:
            raise ShareGroupError(f"origin shares sum to {worst:.9g}, not 1", item="shares")

    @staticmethod
    def _per_origin(values: Mapping[str, Sampled], name: str) -> Mapping[str, np.ndarray]:
        if set(values) != set(ORIGINS):
            raise ShareGroupError(f"needs exactly the origins {list(ORIGINS)}, got "
                                  f"{sorted(values)}", item=name, allowed=", ".join(ORIGINS))
        return {origin: _as_samples(values[origin], f"{name}.{origin}") for origin in ORIGINS}

    def arrays(self) -> Iterable[np.ndarray]:
        """Every input array (for finding the sample count)."""
        yield from (self.imports, self.recycled, self.demand, self.normal_days)
        yield from self.shares.values()
        yield from self.transit_days.values()


def market_2024(**changes: Sampled | Mapping[str, Sampled]) -> Market:
    """China's market of cobalt intermediates in 2024, monthly, from the seed report.

    Imports of 12.4 万吨 contained Co a year (report 1.2) are 10,333 t a month; 85 % come from the
    DRC and neighbours (report 1.2). Our assumptions: the other 15 % split 10 % Indonesia and 5 %
    other origins; transit of 60 days from the Copperbelt (rail or road to Durban, port time and
    about four weeks at sea), 10 days from Indonesia and 35 days from other origins; demand
    equal to imports plus recycled supply (19,000 t in 2024, report 1.1 and 1.2), so that the
    stock is steady without disruption; a normal cover of :data:`NORMAL_DAYS_2024`. ``changes``
    replace any field, with samples if wanted; unless ``demand`` is among them, it follows the
    imports and recycled supply given.
    """
    fields: dict[str, Sampled | Mapping[str, Sampled]] = {
        "imports": IMPORTS_2024_T / PERIODS_PER_YEAR,
        "shares": {"drc": DRC_SHARE_2024, "indonesia": 0.10, "other": 0.05},
        "transit_days": {"drc": 60.0, "indonesia": 10.0, "other": 35.0},
        "recycled": RECYCLED_2024_T / PERIODS_PER_YEAR,
        "normal_days": NORMAL_DAYS_2024,
    }
    fields.update(changes)
    if "demand" not in fields:
        fields["demand"] = np.asarray(fields["imports"]) + np.asarray(fields["recycled"])
    return Market(**fields)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# From a case to float arrays: shipments and arrivals by origin
# --------------------------------------------------------------------------------------------

def _column(value: Sampled) -> np.ndarray:
    """A sampled value as a column: (1, 1) for a scalar, (N, 1) for samples."""
    return np.asarray(value, dtype=float).reshape(-1, 1)


def _coverage(window: _Window, horizon: int) -> np.ndarray:
    """Part of each period inside the window, (n, H) with n = 1 or N."""
    start = _column(window.start)
    end = start + _column(window.duration)
    t = np.arange(horizon, dtype=float)
    return np.clip(np.minimum(end, t + 1.0) - np.maximum(start, t), 0.0, 1.0)


def _cumulative_ramp(tau: np.ndarray, begin: np.ndarray, ramp: np.ndarray) -> np.ndarray:
    """Integral over time of a level that rises linearly from 0 at ``begin`` to 1 after ``ramp``."""
    elapsed = tau - begin
    rising = np.clip(elapsed, 0.0, ramp)
    with np.errstate(invalid="ignore", divide="ignore"):
        triangle = np.where(ramp > 0, rising**2 / (2.0 * ramp), 0.0)
    return triangle + np.maximum(elapsed - ramp, 0.0)


def _ramp_capacity(ramp: Ramp, event_start: np.ndarray, horizon: int) -> np.ndarray:
    """Capacity available in each period, t per period, (n, H): the period mean of the ramp."""
    begin = event_start + _column(ramp.lag)
    length = _column(ramp.ramp)
    cumulative = _cumulative_ramp(np.arange(horizon + 1, dtype=float), begin, length)
    return _column(ramp.rate) * np.diff(cumulative, axis=1)


def _delay(flow: np.ndarray, lag: np.ndarray, before: np.ndarray) -> np.ndarray:
    """Arrivals of ``flow`` (n, H) after ``lag`` periods (n, 1); ``before`` flowed before t = 0.

    Shipments of period j are spread evenly over [j, j + 1), so they arrive over
    [j + lag, j + lag + 1): a share ``1 - frac(lag)`` in period ``j + floor(lag)`` and the rest in
    the next one. This is exact, which is why fractional lags need no finer grid.
    """
    n = max(flow.shape[0], lag.shape[0], before.shape[0])
    horizon = flow.shape[1]
    flow = np.broadcast_to(flow, (n, horizon))
    whole = np.floor(lag)
    part = lag - whole
    shift = np.minimum(whole, horizon + 1).astype(np.intp)  # older departures all equal `before`
    pad = horizon + 2
    padded = np.concatenate([np.broadcast_to(before, (n, pad)), flow], axis=1)
    if (shift == shift.flat[0]).all():  # one whole lag for all samples: slices, not a gather
        first = pad - int(shift.flat[0])
        recent, older = padded[:, first:first + horizon], padded[:, first - 1:first - 1 + horizon]
    else:
        index = np.broadcast_to(np.arange(horizon) - shift + pad, (n, horizon))
        recent = np.take_along_axis(padded, index, axis=1)
        older = np.take_along_axis(padded, index - 1, axis=1)
    return (1.0 - part) * recent + part * older


def _hold_at_port(shipped: np.ndarray, normal: np.ndarray, strike: PortStrike,
                  horizon: int) -> np.ndarray:
    """Shipments after a port strike: held during the window, then released at the catch-up rate."""
    covered = _coverage(strike, horizon)
    share = _column(strike.share)
    held = share * shipped * covered
    catch_up = _column(strike.catch_up) * share * normal * (1.0 - covered)
    released = np.zeros(np.broadcast_shapes(held.shape, catch_up.shape))
    backlog = np.zeros((released.shape[0], 1))
    for t in range(horizon):  # a queue: what is released depends on what is still waiting
        released[:, t:t + 1] = np.minimum(backlog, catch_up[:, t:t + 1])
        backlog = backlog + held[:, t:t + 1] - released[:, t:t + 1]
    return shipped - held + released


def _departures(normal: np.ndarray, disruptions: Sequence[_Window], horizon: int) -> np.ndarray:
    """Shipments leaving one origin per period, (n, H), after bans, quotas and port strikes.

    Quotas in force at the same time add up (an allowance carried over from one year adds to
    the next year's), and within a period they cap what ships in the part of it they cover.
    The losses of bans and of quotas add up: exact when their windows do not overlap in time
    (a suspension followed by quotas, as in the DRC in 2025), an overstatement where they do;
    the result is floored at zero.
    """
    loss = np.zeros((1, horizon))
    quota_cover, quota_allowed = np.zeros((1, horizon)), np.zeros((1, horizon))
    for measure in disruptions:
        covered = _coverage(measure, horizon)
        if isinstance(measure, ExportBan):
            loss = loss + _column(measure.severity) * covered * normal
        elif isinstance(measure, ExportQuota):
            per_period = _column(measure.quota) * _column(measure.share_to_china) / _column(
                measure.duration)
            quota_cover = quota_cover + covered
            quota_allowed = quota_allowed + covered * per_period
    loss = loss + np.maximum(np.minimum(quota_cover, 1.0) * normal - quota_allowed, 0.0)
    shipped = np.maximum(normal - loss, 0.0)
    for measure in disruptions:
        if isinstance(measure, PortStrike):
            shipped = _hold_at_port(shipped, normal, measure, horizon)
    return shipped


def _arrivals(shipped: np.ndarray, normal: np.ndarray, transit: np.ndarray,
              disruptions: Sequence[_Window], horizon: int) -> np.ndarray:
    """Arrivals from one origin per period, (n, H), after transit, reroutes and rejections."""
    lag = transit / PERIOD_DAYS
    staying = shipped
    arrived = np.zeros((1, horizon))
    for measure in disruptions:
        if isinstance(measure, Reroute):
            moved = shipped * _column(measure.share) * _coverage(measure, horizon)
            staying = staying - moved
            extra = _column(measure.extra_days) / PERIOD_DAYS
            arrived = arrived + _delay(moved, lag + extra, np.zeros((1, 1)))
    arrived = arrived + _delay(staying, lag, normal)
    for measure in disruptions:
        if isinstance(measure, ComplianceRejection):
            rejected = arrived * _column(measure.share) * _coverage(measure, horizon)
            arrived = arrived - rejected
            if measure.delay is not None:
                arrived = arrived + _delay(rejected, _column(measure.delay), np.zeros((1, 1)))
    return arrived


def _event_start(case: StressCase) -> np.ndarray:
    """Start of the case's first disruption, (n, 1); ``inf`` when the case has none."""
    if not case.disruptions:
        return np.full((1, 1), math.inf)
    starts = [_column(d.start) for d in case.disruptions]
    return np.minimum.reduce(np.broadcast_arrays(*starts))


@dataclass(frozen=True)
class CaseFlows:
    """One case as float arrays: what ships and arrives per origin, and mitigation capacities.

    Arrays have shape (n, H) or (n, 1) with n = 1 or N; an origin without disruptions keeps its
    normal rate as an (n, 1) column.
    """

    departures: Mapping[str, np.ndarray]
    """Shipments leaving each origin, t per period."""
    arrivals: Mapping[str, np.ndarray]
    """Imports reaching the refiners from each origin, t per period."""
    extra_recycled_capacity: np.ndarray
    alternative_capacity: np.ndarray
    reserve: np.ndarray
    """Strategic reserve at the start, t, (n, 1)."""
    max_release: np.ndarray
    """Largest strategic release per period, t, (n, 1)."""
    event_start: np.ndarray
    """Start of the first disruption in periods, (n, 1); ``inf`` without disruptions."""


def case_flows(market: Market, case: StressCase, horizon: int) -> CaseFlows:
    """Shipments, arrivals and mitigation capacities of one case, before the inventory kernel."""
    departures: dict[str, np.ndarray] = {}
    arrivals: dict[str, np.ndarray] = {}
    for origin in ORIGINS:
        normal = _column(market.imports) * _column(market.shares[origin])
        here = [d for d in case.disruptions if d.origin == origin]
        if not here:  # undisturbed: arrivals equal shipments whatever the transit time
            departures[origin] = arrivals[origin] = normal
            continue
        departures[origin] = _departures(normal, here, horizon)
        arrivals[origin] = _arrivals(departures[origin], normal,
                                     _column(market.transit_days[origin]), here, horizon)
    start = _event_start(case)
    mitigation = case.mitigation
    return CaseFlows(
        departures=departures,
        arrivals=arrivals,
        extra_recycled_capacity=_ramp_capacity(mitigation.extra_recycled, start, horizon),
        alternative_capacity=_ramp_capacity(mitigation.alternative_origin, start, horizon),
        reserve=_column(mitigation.strategic_stock.reserve),
        max_release=_column(mitigation.strategic_stock.max_release),
        event_start=start,
    )


# --------------------------------------------------------------------------------------------
# The inventory kernel
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StressResult:
    """Stock and flows of every sample, case and period; per-period arrays are (N, K, H).

    Flows are t per period, stocks t at the end of a period. ``arrivals`` include the alternative
    origin and ``recycled`` the extra recycling, so that
    ``opening + arrivals + recycled + strategic_release - consumption = closing``.
    """

    cases: tuple[str, ...]
    warning_days: float
    demand: np.ndarray
    """(N, 1, H)."""
    normal_days: np.ndarray
    """(N, 1, 1)."""
    opening_stock: np.ndarray
    """Stock at the start of the run, (N, 1)."""
    imports: np.ndarray
    """Arrivals from the disrupted origins, before any alternative origin."""
    alternative: np.ndarray
    """Arrivals from the alternative origin (a mitigation)."""
    base_recycled: np.ndarray
    """Recycled and domestic supply without mitigation, (N, 1, H)."""
    extra_recycled: np.ndarray
    """Extra recycled supply used (a mitigation)."""
    strategic_release: np.ndarray
    """Released from the strategic stock (a mitigation)."""
    consumption: np.ndarray
    """Demand met: ``min(demand, available stock)``."""
    closing: np.ndarray
    """Stock at the end of each period, t."""
    event_start: np.ndarray
    """Start of each case's first disruption in periods, (N, K); ``inf`` without one."""

    @property
    def arrivals(self) -> np.ndarray:
        return self.imports + self.alternative

    @property
    def recycled(self) -> np.ndarray:
        return self.base_recycled + self.extra_recycled

    @property
    def opening(self) -> np.ndarray:
        """Stock at the start of each period."""
        first = np.broadcast_to(self.opening_stock[:, :, None], (*self.closing.shape[:2], 1))
        return np.concatenate([first, self.closing[..., :-1]], axis=-1)

    @property
    def shortfall(self) -> np.ndarray:
        """Demand that could not be met, t per period."""
        return self.demand - self.consumption

    @cached_property
    def inventory_days(self) -> np.ndarray:
        """Closing stock in days of the period's demand (``inf`` where demand is zero)."""
        daily = self.demand / PERIOD_DAYS
        with np.errstate(divide="ignore", invalid="ignore"):
            days = self.closing / daily
        return np.where(daily > 0, days, math.inf)

    def minimum_days(self) -> np.ndarray:
        """Lowest inventory days over the horizon, (N, K)."""
        return self.inventory_days.min(axis=-1)

    def _below(self, days: float | np.ndarray) -> np.ndarray:
        return self.inventory_days < np.asarray(days) * (1.0 - _RTOL)

    def periods_below(self, days: float | None = None) -> np.ndarray:
        """Periods whose closing stock is below ``days`` (default the warning line), (N, K)."""
        return self._below(self.warning_days if days is None else days).sum(axis=-1)

    def cumulative_shortfall(self) -> np.ndarray:
        """Total unmet demand over the horizon, t, (N, K)."""
        return self.shortfall.sum(axis=-1)

    def time_to_recovery(self, days: float | np.ndarray | None = None) -> np.ndarray:
        """Periods from the start of the disruption until the stock is back for good, (N, K).

        The stock is back once inventory days are at or above ``days`` (default the warning
        line; pass ``normal_days`` for the pre-event level) in every later period of the
        horizon. With ``s`` the period in which the first disruption starts and ``r`` the first
        period from which the stock stays back, the result is ``r - s``: 0 when the stock never
        falls below after ``s``, ``inf`` when it is still below in the last period. Transit lags
        are part of the count, since a disruption at the origin reaches the stock weeks later.
        """
        threshold = self.warning_days if days is None else days
        below = self._below(np.reshape(threshold, (-1, 1, 1)) if np.ndim(threshold) else
                            threshold)
        horizon = below.shape[-1]
        start = np.where(np.isfinite(self.event_start), np.floor(self.event_start), 0.0)
        below &= np.arange(horizon) >= start[..., None]
        last = horizon - 1 - np.argmax(below[..., ::-1], axis=-1)
        recovery = np.where(below.any(axis=-1), last + 1 - start, 0.0)
        return np.where(below[..., -1], math.inf, recovery)

    def price_multiplier(self, elasticity: Sampled = PRICE_ELASTICITY,
                         cap: float = PRICE_CAP) -> np.ndarray:
        """Price relative to normal in each period, (N, K, H).

        ``(inventory_days / normal_days) ** (-1 / elasticity)``, clipped to ``[1 / cap, cap]``.
        The elasticity (default :data:`PRICE_ELASTICITY`) and the cap are our assumptions.
        """
        return price_multiplier(self.inventory_days, self.normal_days,
                                np.reshape(elasticity, (-1, 1, 1)), cap)

    def peak_price_multiplier(self, elasticity: Sampled = PRICE_ELASTICITY,
                              cap: float = PRICE_CAP) -> np.ndarray:
        """Highest price multiplier over the horizon, (N, K); its P10/P90 are the caller's.

        The multiplier falls as inventory days rise, so its peak is the multiplier at the
        minimum: one power per sample and case instead of one per period.
        """
        return price_multiplier(self.minimum_days(), self.normal_days[:, :, 0],
                                np.reshape(elasticity, (-1, 1)), cap)

    def summary(self) -> dict[str, np.ndarray]:
        """The headline results, by name, with the sample axis first."""
        return {
            "inventory_days": self.inventory_days,
            "minimum_days": self.minimum_days(),
            "periods_below_warning": self.periods_below().astype(float),
            "cumulative_shortfall": self.cumulative_shortfall(),
            "time_to_recovery": self.time_to_recovery(),
            "peak_price_multiplier": self.peak_price_multiplier(),
        }


def price_multiplier(days: np.ndarray, normal_days: np.ndarray | float,
                     elasticity: np.ndarray | float = PRICE_ELASTICITY,
                     cap: float = PRICE_CAP) -> np.ndarray:
    """``(days / normal_days) ** (-1 / elasticity)`` clipped to ``[1 / cap, cap]``.

    An empty stock gives the cap. ``elasticity`` is our assumption (see
    :data:`PRICE_ELASTICITY`); it must be positive.
    """
    if np.any(np.asarray(elasticity) <= 0) or cap < 1:
        raise OutOfBoundsError("elasticity must be > 0 and cap >= 1", item="price response")
    ratio = np.asarray(days, dtype=float) / normal_days
    with np.errstate(divide="ignore"):
        multiplier = np.power(ratio, -1.0 / np.asarray(elasticity, dtype=float))
    return np.clip(multiplier, 1.0 / cap, cap)


def _sample_count(market: Market, cases: Sequence[StressCase]) -> int:
    sizes = {array.shape[0] for array in market.arrays()}
    for case in cases:
        for definition in (*case.disruptions, case.mitigation.extra_recycled,
                           case.mitigation.alternative_origin, case.mitigation.strategic_stock):
            sizes.update(np.size(value) for value in definition.__dict__.values()
                         if isinstance(value, np.ndarray))
    n = max(sizes)
    if sizes - {1, n}:
        raise ValueError(f"sampled inputs have different sample counts: {sorted(sizes)}")
    return n


def _series(array: np.ndarray, n: int, horizon: int, name: str) -> np.ndarray:
    """A (n,) or (n, H) input as (n, H)."""
    if array.ndim == 2 and array.shape[1] != horizon:
        raise OutOfBoundsError(f"series has {array.shape[1]} periods, the horizon {horizon}",
                               item=name)
    return np.broadcast_to(array.reshape(array.shape[0], -1), (n, horizon))


def _stack(arrays: Sequence[np.ndarray], n: int, horizon: int) -> np.ndarray:
    """Per-case (n, H) arrays as one time-major (H, N, K) array (the kernel walks time)."""
    stacked = np.empty((horizon, n, len(arrays)))
    for k, array in enumerate(arrays):
        stacked[:, :, k] = np.broadcast_to(array, (n, horizon)).T
    return stacked


def _per_case(columns: Sequence[np.ndarray], n: int) -> np.ndarray:
    """Per-case (n, 1) columns as one (N, K) array."""
    return np.hstack([np.broadcast_to(column, (n, 1)) for column in columns])


def simulate(market: Market, cases: Sequence[StressCase] | Mapping[str, StressCase],
             horizon: int = 36, warning_days: float = WARNING_DAYS) -> StressResult:
    """Run every case for every sample over ``horizon`` periods.

    Parameters
    ----------
    market
        The normal state, per sample.
    cases
        The cases to run (a sequence, or the mapping :func:`catalogue` returns).
    horizon
        Number of periods H.
    warning_days
        The stock warning line in days of demand (default 15, seed report 1.2): the strategic
        stock is released to hold it, and recovery is measured against it.

    Returns
    -------
    StressResult
        Arrays of shape (N, K, H), N the sample count of the inputs, K ``len(cases)``.
    """
    cases = tuple(cases.values()) if isinstance(cases, Mapping) else tuple(cases)
    if horizon < 1 or not cases:
        raise OutOfBoundsError("needs at least one case and one period", item="simulate")
    n = _sample_count(market, cases)
    flows = [case_flows(market, case, horizon) for case in cases]
    demand = _series(market.demand, n, horizon, "demand")
    recycled = _series(market.recycled, n, horizon, "recycled")
    imports = _stack([sum(f.arrivals.values()) for f in flows], n, horizon)
    normal_days = np.broadcast_to(market.normal_days.reshape(-1, 1), (n, 1))
    opening = normal_days * demand[:, :1] / PERIOD_DAYS
    state = _Kernel(
        imports=imports,
        recycled=recycled.T[:, :, None],
        demand=demand.T[:, :, None],
        extra_capacity=_stack([f.extra_recycled_capacity for f in flows], n, horizon),
        alternative_capacity=_stack([f.alternative_capacity for f in flows], n, horizon),
        reserve=_per_case([f.reserve for f in flows], n),
        max_release=_per_case([f.max_release for f in flows], n),
        normal_days=normal_days,
        warning_days=warning_days,
    )
    closing, consumption, extra, alternative, release = state.run(opening)
    event_start = _per_case([f.event_start for f in flows], n)

    def sample_major(time_major: np.ndarray) -> np.ndarray:
        return np.moveaxis(time_major, 0, -1)

    return StressResult(
        cases=tuple(case.name for case in cases),
        warning_days=float(warning_days),
        demand=demand[:, None, :],
        normal_days=normal_days[:, :, None],
        opening_stock=opening,
        imports=sample_major(imports),
        alternative=sample_major(alternative),
        base_recycled=recycled[:, None, :],
        extra_recycled=sample_major(extra),
        strategic_release=sample_major(release),
        consumption=sample_major(consumption),
        closing=sample_major(closing),
        event_start=event_start,
    )


_BLOCK = 4096
"""Samples per block of the kernel: a block's (samples, cases) slices stay in cache."""


@dataclass(frozen=True)
class _Kernel:
    """The stock recursion over time, vectorised over samples and cases: (H, N, K) arrays."""

    imports: np.ndarray
    recycled: np.ndarray
    demand: np.ndarray
    extra_capacity: np.ndarray
    alternative_capacity: np.ndarray
    reserve: np.ndarray
    max_release: np.ndarray
    normal_days: np.ndarray
    warning_days: float

    def run(self, opening: np.ndarray) -> tuple[np.ndarray, ...]:
        """Closing stock, consumption, extra recycling, alternative origin and release."""
        horizon, n, k = self.imports.shape
        outputs = tuple(np.empty((horizon, n, k)) for _ in range(5))
        daily = self.demand / PERIOD_DAYS
        # Targets of the two rules, as stock before consumption: a level plus the period's demand.
        normal = self.normal_days * daily + self.demand
        warning = self.warning_days * daily + self.demand
        for low in range(0, n, _BLOCK):
            block = slice(low, min(low + _BLOCK, n))
            self._run_block(block, opening, normal, warning, outputs)
        return outputs

    def _run_block(self, block: slice, opening: np.ndarray, normal: np.ndarray,
                   warning: np.ndarray, outputs: tuple[np.ndarray, ...]) -> None:
        closing, consumption, extra, alternative, release = (out[:, block] for out in outputs)
        size = (block.stop - block.start, self.imports.shape[2])
        stock = np.broadcast_to(opening[block], size).copy()
        reserve = np.broadcast_to(self.reserve[block], size).copy()
        max_release = self.max_release[block]
        need = np.empty(size)
        for t in range(self.imports.shape[0]):
            demand = self.demand[t, block]
            stock += self.imports[t, block]
            stock += self.recycled[t, block]
            # Mitigations fill the gap to the normal stock, domestic recycling first.
            np.subtract(normal[t, block], stock, out=need)
            np.maximum(need, 0.0, out=need)
            np.minimum(self.extra_capacity[t, block], need, out=extra[t])
            need -= extra[t]
            np.minimum(self.alternative_capacity[t, block], need, out=alternative[t])
            stock += extra[t]
            stock += alternative[t]
            # The reserve holds the warning line: it covers only what would close below it.
            np.subtract(warning[t, block], stock, out=need)
            np.maximum(need, 0.0, out=need)
            np.minimum(need, max_release, out=release[t])
            np.minimum(release[t], reserve, out=release[t])
            reserve -= release[t]
            stock += release[t]
            np.minimum(demand, stock, out=consumption[t])
            stock -= consumption[t]
            closing[t] = stock


class MassBalanceError(ValueloopError):
    """A stock balance that does not close: a bug in the model, never bad input."""


def mass_balance_residual(result: StressResult) -> np.ndarray:
    """Closing stock minus (opening + arrivals + recycled + release - consumption), (N, K, H)."""
    inflow = result.opening + result.arrivals + result.recycled + result.strategic_release
    return result.closing - (inflow - result.consumption)


def check_mass_balance(result: StressResult, rtol: float = 1e-9) -> None:
    """Raise :class:`MassBalanceError` unless every period of every sample and case balances.

    Also checks that no stock or flow is negative and that consumption never exceeds demand.
    The tolerance is ``rtol`` times the largest demand, since the sums run over t-sized flows.
    """
    scale = max(float(np.max(result.demand)), 1.0)
    residual = np.abs(mass_balance_residual(result))
    if residual.max() > rtol * scale:
        worst = np.unravel_index(np.argmax(residual), residual.shape)
        raise MassBalanceError(f"stock balance off by {residual.max():.3g} t at sample, case, "
                               f"period {tuple(int(i) for i in worst)}")
    flows = {"closing": result.closing, "arrivals": result.arrivals,
             "recycled": result.recycled, "strategic_release": result.strategic_release,
             "consumption": result.consumption}
    for name, flow in flows.items():
        if flow.min() < -rtol * scale:
            raise MassBalanceError(f"{name} is negative: {flow.min():.3g}")
    if result.shortfall.min() < -rtol * scale:
        raise MassBalanceError("consumption exceeds demand")


# --------------------------------------------------------------------------------------------
# Calendar helper and the catalogue of named cases
# --------------------------------------------------------------------------------------------

def month_position(day: date, month0: date) -> float:
    """Position of the start of ``day`` on the period axis of a run starting at ``month0``.

    Calendar months map one to one onto periods, and a day within its month onto the fraction
    of the month's days before it: 2025-02-22 in a run from 2025-01 is 1 + 21/28 = 1.75. (Flows
    and inventory days use the mean month of :data:`PERIOD_DAYS`; the difference is a day or two
    at the edges of a window.)
    """
    months = (day.year - month0.year) * 12 + day.month - month0.month
    return months + (day.day - 1) / calendar.monthrange(day.year, day.month)[1]


def _window(first: date, last: date, month0: date) -> tuple[float, float]:
    """(start, duration) of the days ``first`` to ``last`` inclusive, clipped at the run start."""
    start = month_position(first, month0)
    end = month_position(last + timedelta(days=1), month0)
    return max(start, 0.0), end - max(start, 0.0)


def drc_export_ban(*, start: Sampled = 3.0, duration: Sampled = 6.0, severity: Sampled = 1.0,
                   mitigation: Mitigation = NO_MITIGATION) -> StressCase:
    """A ban on exports from the DRC and neighbours; by default full, for six months."""
    return StressCase(
        name="drc-export-ban",
        description="Exports from the DRC and neighbours stopped (a full ban by default).",
        source="Origin share: seed report 1.2. Start, duration, severity: our assumptions.",
        disruptions=(ExportBan(origin="drc", start=start, duration=duration,
                               severity=severity),),
        mitigation=mitigation)


def drc_export_quota(*, start: Sampled = 3.0, duration: Sampled = 24.0,
                     annual_quota: Sampled = DRC_QUOTA_ANNUAL_T,
                     share_to_china: Sampled = CHINA_SHARE_OF_DRC_EXPORTS,
                     mitigation: Mitigation = NO_MITIGATION) -> StressCase:
    """A DRC export quota at its 2026 level, spread evenly over the months it covers."""
    quota = np.asarray(annual_quota) * np.asarray(duration) / PERIODS_PER_YEAR
    return StressCase(
        name="drc-export-quota",
        description="DRC exports capped at an annual quota, China receiving a share of it.",
        source="Quota 96,600 t/yr: ARECOMS Decision No. 004/ARECOMS/2025. Share to China: our "
               "assumption (see CHINA_SHARE_OF_DRC_EXPORTS).",
        disruptions=(ExportQuota(origin="drc", start=start, duration=duration, quota=quota,
                                 share_to_china=share_to_china),),
        mitigation=mitigation)


def durban_port_strike(*, start: Sampled = 3.0, duration: Sampled = 1.0, share: Sampled = 0.6,
                       catch_up: Sampled = 0.3,
                       mitigation: Mitigation = NO_MITIGATION) -> StressCase:
    """A strike at Durban that holds the Copperbelt's shipments through the port.

    Seed report 1.2: a Q2 2024 South African port strike delayed intermediate exports and pushed
    some Chinese plants below the 15-day line. The report gives neither length nor the share of
    the route; our assumptions (one month, 60 % through Durban, 30 % catch-up) reproduce a
    stock just below 15 days from a normal 28 with the 2024 market.
    """
    return StressCase(
        name="durban-port-strike",
        description="Shipments through Durban held for the strike, then released as a backlog.",
        source="Event: seed report 1.2 (Q2 2024). Duration, port share, catch-up: our "
               "assumptions.",
        disruptions=(PortStrike(origin="drc", start=start, duration=duration, share=share,
                                catch_up=catch_up),),
        mitigation=mitigation)


def durban_reroute(*, start: Sampled = 3.0, duration: Sampled = 21.0 / PERIOD_DAYS,
                   share: Sampled = 0.6, extra_days: Sampled = 30.0,
                   mitigation: Mitigation = NO_MITIGATION) -> StressCase:
    """Copperbelt exports rerouted from Durban to other ports, as in the 2020 lockdown.

    The shipping reroute of the catalogue. A Red Sea reroute would not touch China's cobalt
    imports: the DRC's material sails from Durban or Dar es Salaam across the Indian Ocean. The
    documented reroute on this route is South Africa's 21-day lockdown from 2020-03-23, when
    Durban refused metal cargoes, including cobalt, and Copperbelt shipments were diverted to
    Dar es Salaam, Beira and Walvis Bay with month-long delivery delays to Asia (Fastmarkets,
    2020-04-01; Reuters, 2020-04-07). Our assumptions: 60 % of the route through Durban and
    30 extra days for the rerouted shipments.
    """
    return StressCase(
        name="durban-reroute",
        description="Durban closed to metal cargoes; shipments rerouted with a longer transit.",
        source="Event: Fastmarkets 2020-04-01, Reuters 2020-04-07 (21-day lockdown). Port "
               "share and extra days: our assumptions.",
        disruptions=(Reroute(origin="drc", start=start, duration=duration, share=share,
                             extra_days=extra_days),),
        mitigation=mitigation)


def compliance_rejection(*, start: Sampled = 3.0, duration: Sampled = 6.0,
                         share: Sampled = 0.35, delay: Sampled | None = 2.0,
                         origin: Origin = "drc",
                         mitigation: Mitigation = NO_MITIGATION) -> StressCase:
    """A share of arriving DRC material held back on supply-chain (ESG) grounds.

    Seed report 1.2: about 35 % of China's hydroxide *export* orders were delayed in 2024 or had
    to prove their supply chain again. We apply that share to arriving intermediates, held for
    ``delay`` periods (two by default) or lost when ``delay`` is None: our assumption.
    """
    return StressCase(
        name="compliance-rejection",
        description="A share of arriving material rejected for supply-chain proof, then "
                    "returned after a delay (or lost).",
        source="35 %: seed report 1.2 (China Chamber of Commerce of Metals, Minerals & "
               "Chemicals survey), transferred from export orders to imports: our assumption.",
        disruptions=(ComplianceRejection(origin=origin, start=start, duration=duration,
                                         share=share, delay=delay),),
        mitigation=mitigation)


DRC_QUOTAS_2025_2027: tuple[tuple[date, date, float], ...] = (
    (date(2025, 10, 16), date(2025, 12, 31), 18_125.0),
    (date(2026, 1, 1), date(2026, 12, 31), DRC_QUOTA_ANNUAL_T),
    (date(2027, 1, 1), date(2027, 12, 31), DRC_QUOTA_ANNUAL_T),
)
"""DRC export quotas (first day, last day, tonnes): ARECOMS, Decision No. 004/ARECOMS/2025."""


def drc_2025_actual(*, month0: date = date(2025, 1, 1),
                    suspension: tuple[date, date] = (date(2025, 2, 22), date(2025, 10, 15)),
                    quotas: Sequence[tuple[date, date, Sampled]] = DRC_QUOTAS_2025_2027,
                    share_to_china: Sampled = CHINA_SHARE_OF_DRC_EXPORTS,
                    severity: Sampled = 1.0,
                    mitigation: Mitigation = NO_MITIGATION) -> StressCase:
    """The DRC's 2025 export suspension and the quotas that replaced it, from ``month0``.

    Sources: the DRC (about 75 % of world mine output, about 220 kt Co in 2024 per USGS MCS 2025)
    suspended cobalt exports from 2025-02-22 (ARECOMS), extended the suspension twice, to
    2025-10-15 (Decision No. 004/ARECOMS/2025), then set export quotas of 18,125 t for
    2025-10-16 to 12-31 and 96,600 t a year for 2026 and 2027 (87,000 t base + 9,600 t
    strategic). The figures are arguments, so that an outlook can sample them or follow later
    decisions: ``quotas`` takes any windows (first day, last day, tonnes), for example monthly
    allocations or an allowance carried over into the next year, which adds to that year's.

    Our assumptions: the report's "DRC and neighbours" origin stands for the DRC (``severity``
    below 1 leaves the neighbours' share unaffected); China receives ``share_to_china`` of each
    quota. Shipments are taken to restart on the first quota day; in fact approvals and
    shipments came weeks later (Reuters, October-November 2025), which a later first quota day
    represents. A ``month0`` after a window's start starts the run, from a normal stock, in the
    middle of the measures.
    """
    measures: list[ExportBan | ExportQuota] = []
    start, duration = _window(*suspension, month0)
    if duration > 0:
        measures.append(ExportBan(origin="drc", start=start, duration=duration,
                                  severity=severity))
    for first, last, tonnes in quotas:
        start, duration = _window(first, last, month0)
        if duration > 0:
            measures.append(ExportQuota(origin="drc", start=start, duration=duration,
                                        quota=tonnes, share_to_china=share_to_china))
    return StressCase(
        name="drc-2025-actual",
        description="DRC export suspension from 2025-02-22 to 2025-10-15, then quotas of "
                    "18,125 t (rest of 2025) and 96,600 t/yr (2026, 2027).",
        source="ARECOMS communiqué of 2025-02-22; Decision No. 004/ARECOMS/2025; USGS MCS "
               "2025. Share to China: our assumption.",
        disruptions=tuple(measures),
        mitigation=mitigation)


CASE_BUILDERS: Mapping[str, Callable[..., StressCase]] = MappingProxyType({
    "drc-export-ban": drc_export_ban,
    "drc-export-quota": drc_export_quota,
    "durban-port-strike": durban_port_strike,
    "durban-reroute": durban_reroute,
    "compliance-rejection": compliance_rejection,
    "drc-2025-actual": drc_2025_actual,
})
"""The builder of each named case; each takes its parameters as keyword arguments."""


def catalogue(*, start: Sampled = 3.0, month0: date = date(2025, 1, 1),
              mitigation: Mitigation = NO_MITIGATION,
              parameters: Mapping[str, Mapping[str, object]] | None = None
              ) -> dict[str, StressCase]:
    """The named stress cases, in a fixed order.

    Parameters
    ----------
    start
        Start of the hypothetical cases, in periods from the start of the run.
    month0
        Calendar month of period 0, for the dated ``drc-2025-actual`` case.
    mitigation
        Applied to every case (the default is none).
    parameters
        Per case name, keyword arguments for its builder (:data:`CASE_BUILDERS`), for example
        ``{"drc-export-ban": {"severity": samples}}``.
    """
    parameters = parameters or {}
    unknown = sorted(set(parameters) - set(CASE_BUILDERS))
    if unknown:
        raise OutOfBoundsError(f"no stress case named {unknown}", item="catalogue",
                               allowed=", ".join(CASE_BUILDERS))
    cases = {}
    for name, build in CASE_BUILDERS.items():
        defaults: dict[str, object] = {"mitigation": mitigation}
        defaults.update({"month0": month0} if name == "drc-2025-actual" else {"start": start})
        cases[name] = build(**{**defaults, **parameters.get(name, {})})
    return cases


def mitigation_catalogue(*, extra_recycled: Sampled = 0.5 * RECYCLED_2024_T / PERIODS_PER_YEAR,
                         alternative: Sampled = 16_500.0 / PERIODS_PER_YEAR,
                         reserve: Sampled = 15_000.0, max_release: Sampled = 3_000.0
                         ) -> dict[str, Mitigation]:
    """Named mitigation packages: none, each lever alone, and all three combined.

    Our assumptions, each an argument: extra recycling of half the 2024 recycled output
    (report 1.1) after 3 months, ramping over 12; an alternative origin delivering what one
    more year of Indonesia's 2024 growth would add (+67 % to 4.1 万吨, so about 16.5 kt/yr,
    report 4.1) after 6 months, ramping over 12; a strategic reserve of 15,000 t (about five
    weeks of demand; state reserve holdings are not public) released at up to 3,000 t a month.
    """
    recycling = Ramp(rate=extra_recycled, lag=3.0, ramp=12.0)
    diversification = Ramp(rate=alternative, lag=6.0, ramp=12.0)
    stock = StrategicStock(reserve=reserve, max_release=max_release)
    return {
        "none": NO_MITIGATION,
        "recycling": Mitigation(extra_recycled=recycling),
        "diversification": Mitigation(alternative_origin=diversification),
        "strategic-stock": Mitigation(strategic_stock=stock),
        "combined": Mitigation(extra_recycled=recycling, alternative_origin=diversification,
                               strategic_stock=stock),
    }
