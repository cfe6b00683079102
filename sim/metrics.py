"""The outcomes recorded per firm and month, each defined once, here.

Every metric is a function of the market state at the end of a month that
returns one value per firm; its docstring says what it measures, and the
``@metric`` decorator declares its unit and a label for people (axis titles of
the report, chart titles of the workshop page). The ``METRICS`` registry is what
the model's DataCollector records; :data:`OUTCOMES` adds one share column per
relationship type and is every column of the tidy results table.

>>> OUTCOMES["trust"].unit, OUTCOMES["trust"].label
('0-1', 'Trust')
>>> OUTCOMES["devoted"].unit
'share of customers'
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import numpy as np
from numba import njit

from sim.mechanisms.relationship import advocacy_of
from sim.state import FloatArray, MarketState
from sim.typology import TYPES, thresholds, type_of

Measure = Callable[[MarketState], FloatArray]


@dataclass(frozen=True)
class Outcome:
    """One column of the results table: its name, unit, label for people and meaning."""

    name: str
    unit: str
    label: str
    description: str


@dataclass(frozen=True)
class Metric(Outcome):
    """An outcome measured by a function of the market state (call it with the state)."""

    fn: Measure

    def __call__(self, m: MarketState) -> FloatArray:
        return self.fn(m)


METRICS: dict[str, Metric] = {}


def metric(*, unit: str, label: str) -> Callable[[Measure], Metric]:
    """Decorator: register a per-firm outcome under its function's name, with its unit and label."""

    def register(fn: Measure) -> Metric:
        if fn.__name__ in METRICS:
            raise ValueError(f"metric {fn.__name__!r} registered twice")
        description = " ".join((fn.__doc__ or "").split())
        METRICS[fn.__name__] = Metric(fn.__name__, unit, label, description, fn)
        return METRICS[fn.__name__]

    return register


#: Columns of :func:`per_firm`: sums over each firm's customers, then one count per relationship type.
SUMS = ("customers", "trust", "bond", "satisfaction", "promoters", "detractors", "trapped", "points_owed")
_N, _TRUST, _BOND, _SATISFACTION, _PROMOTERS, _DETRACTORS, _TRAPPED, _OWED = range(len(SUMS))
_TYPES = len(SUMS)  # the first type count


@dataclass(frozen=True)
class PerFirm:
    """What one pass over the customers gives per firm slot (the last slot: customers without a firm)."""

    sums: FloatArray  # (slots + 1, len(SUMS) + len(TYPES))
    opinion_sum: FloatArray  # (slots,) opinions of the firm held by customers not with it
    opinion_count: FloatArray  # (slots,) how many such customers
    means: FloatArray  # (slots, len(SUMS) + len(TYPES)) each sum per customer of the firm (NaN without customers)


_PASS: ContextVar[tuple[MarketState, PerFirm] | None] = ContextVar("per_firm_pass", default=None)


def per_firm(m: MarketState) -> PerFirm:
    """The month's per-firm sums over customers: measured once per :func:`measure`, read by every metric."""
    cached = _PASS.get()
    if cached is not None and cached[0] is m:
        return cached[1]
    c, b, th = m.customers, m.behaviour, m.measures
    sums = np.zeros((m.n_firms + 1, len(SUMS) + len(TYPES)))
    opinion_sum, opinion_count = np.zeros(m.n_firms), np.zeros(m.n_firms)
    weights = (b.advocacy_trust, b.advocacy_satisfaction, b.advocacy_bond, th.promoter, th.detractor)
    owed = m.levers.price * m.economics.points_cost
    arrays = (c.firm, c.trust, c.bond, c.satisfaction, c.trapped, c.tenure, c.points, c.opinion)
    _per_firm_kernel(m.customers_per_market, *arrays, owed, *weights, *thresholds(th), sums, opinion_sum, opinion_count)
    return PerFirm(sums, opinion_sum, opinion_count, _ratio(sums[:-1], sums[:-1, _N : _N + 1]))


@contextmanager
def measured_once(m: MarketState) -> Iterator[None]:
    """Within the block, every metric of ``m`` reads one :func:`per_firm` pass (the state must not change)."""
    token = _PASS.set((m, per_firm(m)))
    try:
        yield
    finally:
        _PASS.reset(token)


@njit(cache=True, error_model="numpy")
def _per_firm_kernel(  # pragma: no cover - compiled
    n_market: int,
    firm: np.ndarray,
    trust: np.ndarray,
    bond: np.ndarray,
    satisfaction: np.ndarray,
    trapped: np.ndarray,
    tenure: np.ndarray,
    points: np.ndarray,
    opinion: np.ndarray,
    owed: np.ndarray,
    w_trust: float,
    w_satisfaction: float,
    w_bond: float,
    promoter: float,
    detractor: float,
    routine_tenure: float,
    routine_trust: float,
    devoted_level: float,
    estranged_trust: float,
    sums: np.ndarray,
    opinion_sum: np.ndarray,
    opinion_count: np.ndarray,
) -> None:
    """One pass: each customer adds to their firm's sums and type count, and to the reputation of the other firms
    of their market."""
    n_local = opinion.shape[1]
    every = np.zeros(n_local)  # the opinions of everyone in the market, of each firm
    own = np.zeros(opinion_sum.shape[0] + 1)  # the opinions of each firm's own customers (last: no firm)
    for r in range(firm.shape[0] // n_market):
        base = r * n_local
        for i in range(r * n_market, (r + 1) * n_market):
            for j in range(n_local):
                every[j] += opinion[i, j]
            g = firm[i]
            if g >= 0:
                own[g] += opinion[i, g - base]
                opinion_count[g] -= 1.0
        for j in range(n_local):  # the reputation of a firm: the opinions of the market's other customers
            opinion_sum[base + j] += every[j] - own[base + j]
            opinion_count[base + j] += n_market
            every[j] = 0.0
    no_firm = sums.shape[0] - 1
    for i in range(firm.shape[0]):  # without a branch: customers without a firm add to the last row, never read
        h = np.uint64(firm[i] if firm[i] >= 0 else no_firm)  # (unsigned: no check for a negative index)
        row = sums[h]
        t, s, bd = np.float64(trust[i]), np.float64(satisfaction[i]), np.float64(bond[i])
        said = advocacy_of(t, s, bd, w_trust, w_satisfaction, w_bond)
        row[_N] += 1.0
        row[_TRUST] += t
        row[_BOND] += bd
        row[_SATISFACTION] += s
        row[_PROMOTERS] += said >= promoter
        row[_DETRACTORS] += said < detractor
        row[_TRAPPED] += trapped[i]
        row[_OWED] += points[i] * owed[h]
        kind = type_of(tenure[i], t, bd, trapped[i], routine_tenure, routine_trust, devoted_level, estranged_trust)
        row[_TYPES + kind] += 1.0


def _count(m: MarketState) -> FloatArray:
    out: FloatArray = per_firm(m).sums[:-1, _N].copy()
    return out


def _per_customer(m: MarketState, column: int) -> FloatArray:
    """Mean of ``column`` over each firm's customers (NaN for a firm without customers)."""
    out: FloatArray = per_firm(m).means[:, column].copy()
    return out


def _positive(b: FloatArray) -> FloatArray:
    """``b`` where it is positive, NaN elsewhere: dividing by it gives NaN where there is nothing to divide by."""
    out: FloatArray = np.where(b > 0, b, np.nan)
    return out


def _ratio(a: FloatArray, b: FloatArray) -> FloatArray:
    """``a / b``, NaN where ``b`` is not positive (no firm without customers has a mean)."""
    out: FloatArray = a / _positive(b)
    return out


@metric(unit="customers", label="Customers")
def customers(m: MarketState) -> FloatArray:
    """Customers with the firm at the end of the month."""
    return _count(m)


@metric(unit="customers per month", label="New customers")
def acquired(m: MarketState) -> FloatArray:
    """New customers won this month (from other firms or from outside the market)."""
    return m.tally.acquired[:-1].copy()


@metric(unit="customers per month", label="Customers lost")
def churned(m: MarketState) -> FloatArray:
    """Customers who left this month of their own accord (switched or left the market)."""
    return m.tally.churned[:-1].copy()


@metric(unit="share per year", label="Churn per year")
def churn_rate_annual(m: MarketState) -> FloatArray:
    """This month's churn as an annual rate: 1 - (1 - churned / customers at month start)^12 (0 if none at start)."""
    start = m.firms.customers_start[:-1]
    monthly = np.divide(m.tally.churned[:-1], start, out=np.zeros_like(start), where=start > 0)
    return 1 - (1 - np.minimum(monthly, 1.0)) ** 12


@metric(unit="per customer-year", label="Churn per customer-year")
def churn_per_customer_year(m: MarketState) -> FloatArray:
    """Churners over the last 12 months per average customer over them, as industry reports churn (per year).

    Over fewer months (early in a run without burn-in) it is churners per customer-year of the months there are.
    Unlike ``churn_rate_annual`` it does not compound one month's rate, so it reads like published churn figures.
    """
    return m.recent.per_customer_year()[:-1]


@metric(unit="0-1", label="Trust")
def trust(m: MarketState) -> FloatArray:
    """Mean trust of the firm's customers in the firm (0..1)."""
    return _per_customer(m, _TRUST)


@metric(unit="0-1", label="Emotional bond")
def bond(m: MarketState) -> FloatArray:
    """Mean emotional bond of the firm's customers (0..1)."""
    return _per_customer(m, _BOND)


@metric(unit="0-1", label="Satisfaction")
def satisfaction(m: MarketState) -> FloatArray:
    """Mean satisfaction: experience judged against expectation (0..1)."""
    return _per_customer(m, _SATISFACTION)


@metric(unit="-1..1", label="Recommend balance")
def recommend_balance(m: MarketState) -> FloatArray:
    """Share of promoters (advocacy >= measures.promoter) minus detractors (< measures.detractor), as in a net promoter score (-1..1)."""
    return _per_customer(m, _PROMOTERS) - _per_customer(m, _DETRACTORS)


@metric(unit="share of customers", label="Trapped customers")
def trapped_share(m: MarketState) -> FloatArray:
    """Share of the firm's customers who want to leave but are held by contract or points."""
    return _per_customer(m, _TRAPPED)


@metric(unit="complaints per month", label="Complaints")
def complaints(m: MarketState) -> FloatArray:
    """Complaints raised this month."""
    return m.tally.complaints[:-1].copy()


@metric(unit="share of complaints", label="Solved at first contact")
def first_contact_resolution(m: MarketState) -> FloatArray:
    """Share of this month's complaints resolved at first contact."""
    return _ratio(m.tally.resolved_first_contact[:-1], m.tally.complaints[:-1])


@metric(unit="failures per month", label="Silent failures")
def silent_failures(m: MarketState) -> FloatArray:
    """Service failures this month that customers suffered without complaining."""
    return m.tally.silent_failures[:-1].copy()


@metric(unit="defects per month", label="Hidden defects found")
def defects_discovered(m: MarketState) -> FloatArray:
    """Defects the firm had hidden that customers found out about this month."""
    return m.tally.defects_discovered[:-1].copy()


@metric(unit="complaints", label="Complaints waiting")
def complaint_queue(m: MarketState) -> FloatArray:
    """Escalated complaints still waiting at the end of the month."""
    return m.tally.queue[:-1].copy()


@metric(unit="customers per month", label="Word of mouth")
def word_of_mouth(m: MarketState) -> FloatArray:
    """Net word of mouth this month: customers speaking well minus customers speaking ill of the firm."""
    return (m.tally.wom_positive - m.tally.wom_negative)[:-1]


@metric(unit="posts per month", label="Public complaints")
def public_posts(m: MarketState) -> FloatArray:
    """Public complaints posted about the firm this month."""
    return m.tally.posts[:-1].copy()


@metric(unit="0-1", label="Reputation")
def reputation(m: MarketState) -> FloatArray:
    """Mean opinion of the firm among customers not with it (0..1)."""
    p = per_firm(m)
    return _ratio(p.opinion_sum, p.opinion_count)


@metric(unit="0-1", label="Staff exhaustion")
def staff_exhaustion(m: MarketState) -> FloatArray:
    """Exhaustion of the firm's front-line staff (0 = fresh, 1 = burnt out)."""
    return m.firms.exhaustion[:-1].copy()


@metric(unit="share of contacts", label="Sales pressure")
def sales_pressure(m: MarketState) -> FloatArray:
    """Effective sales pressure this month: the share of contacts that are pitches."""
    return m.firms.sales_push[:-1].copy()


@metric(unit="money units per month", label="Revenue per month")
def revenue(m: MarketState) -> FloatArray:
    """Revenue this month: prices paid plus exit fees collected (money units)."""
    return m.tally.revenue[:-1].copy()


@metric(unit="money units per customer per month", label="Revenue per customer")
def revenue_per_customer(m: MarketState) -> FloatArray:
    """Average revenue per customer this month (money units)."""
    return _ratio(m.tally.revenue[:-1], _count(m))


@metric(unit="money units per month", label="Profit per month")
def profit(m: MarketState) -> FloatArray:
    """Revenue minus the costs of service, complaints, capacity, acquisition and advertising."""
    return m.tally.profit[:-1].copy()


@metric(unit="money units per customer", label="Customer lifetime value")
def clv(m: MarketState) -> FloatArray:
    """Customer lifetime value: monthly profit per customer times r / (1 + d - r), r the monthly retention."""
    n = m.firms.customers_start[:-1]
    margin = _ratio(m.tally.profit[:-1], n)
    retention: FloatArray = 1 - np.minimum(_ratio(m.tally.churned[:-1], n), 1.0)
    return margin * retention / (1 + m.economics.discount_rate - retention)


@metric(unit="0/1", label="In the market")
def active(m: MarketState) -> FloatArray:
    """1 while the firm is in the market, 0 before it enters and after it has left (reserves ran out)."""
    return m.firms.active[:-1].astype(float)


@metric(unit="money units", label="Reserves")
def reserves(m: MarketState) -> FloatArray:
    """The firm's reserves at the end of the month: starting reserves plus all profits and losses (money units)."""
    return m.firms.reserves[:-1].copy()


@metric(unit="money units", label="Loyalty points owed")
def points_liability(m: MarketState) -> FloatArray:
    """What redeeming the loyalty points the firm's customers hold would cost it (money units), a liability."""
    out: FloatArray = per_firm(m).sums[:-1, _OWED].copy()
    return out


def _type_share(name: str, label: str, description: str) -> Outcome:
    return Outcome(name, "share of customers", label, f"Share of the firm's customers who are {name}: {description}.")


#: One share column per relationship type (``sim.typology``), measured together by :func:`typology_shares`.
TYPE_SHARES: dict[str, Outcome] = {
    o.name: o
    for o in (
        _type_share("devoted", "Devoted (fans)", "trust and emotional bond both high"),
        _type_share("routine", "Routine (old married couple)", "together for years, some trust, little bond"),
        _type_share("open", "Open (shopping around)", "none of the other types"),
        _type_share("trapped", "Trapped (want out, held in)", "want to leave, held by contract or points"),
        _type_share("estranged", "Estranged (trust broken)", "trust has broken down"),
    )
}


#: Every column of the results table, in the order of the table: the metrics, then the typology shares.
OUTCOMES: dict[str, Outcome] = {**METRICS, **TYPE_SHARES}


def typology_shares(m: MarketState) -> dict[str, FloatArray]:
    """Share of each relationship type among the firm's customers."""
    return {name: _per_customer(m, _TYPES + j) for j, name in enumerate(TYPES)}


def measure(m: MarketState) -> dict[str, FloatArray]:
    """All outcomes of the month: one array (per firm) per column of the results table."""
    with measured_once(m):
        out = {name: np.asarray(fn(m), dtype=float) for name, fn in METRICS.items()}
        out.update(typology_shares(m))
    return out
