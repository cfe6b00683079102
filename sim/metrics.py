"""The outcomes recorded per firm and month, each defined once, here.

Every metric is a function of the market state at the end of a month that
returns one value per firm; its docstring says what it measures. The
``METRICS`` registry is what the model's DataCollector records and what the
tidy results table has as columns (plus one share column per relationship type).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.mechanisms.relationship import advocacy
from sim.state import MarketState, by_slot
from sim.typology import TYPES, classify

METRICS: dict[str, Callable[[MarketState], np.ndarray]] = {}
PROMOTER, DETRACTOR = 0.7, 0.4  # advocacy thresholds of the recommend balance


def metric(fn: Callable[[MarketState], np.ndarray]) -> Callable[[MarketState], np.ndarray]:
    METRICS[fn.__name__] = fn
    return fn


def _count(m: MarketState, mask: np.ndarray | None = None) -> np.ndarray:
    return by_slot(m.slot, m.n_firms, m.customers.attached if mask is None else mask)[:-1]


def _mean(m: MarketState, values: np.ndarray) -> np.ndarray:
    total = by_slot(m.slot, m.n_firms, None, values)[:-1]  # customers without a firm land in the dropped last slot
    n = _count(m)
    return np.divide(total, n, out=np.full_like(total, np.nan), where=n > 0)


def _share(m: MarketState, mask: np.ndarray) -> np.ndarray:
    n = _count(m)
    return np.divide(_count(m, mask), n, out=np.full_like(n, np.nan), where=n > 0)


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.divide(a, b, out=np.full_like(a, np.nan, dtype=float), where=b > 0)


@metric
def customers(m):
    """Customers with the firm at the end of the month."""
    return _count(m)


@metric
def acquired(m):
    """New customers won this month (from other firms or from outside the market)."""
    return m.tally.acquired[:-1].copy()


@metric
def churned(m):
    """Customers who left this month of their own accord (switched or left the market)."""
    return m.tally.churned[:-1].copy()


@metric
def churn_rate_annual(m):
    """This month's churn as an annual rate: 1 - (1 - churned / customers at month start)^12 (0 if none at start)."""
    start = m.firms.customers_start[:-1]
    monthly = np.divide(m.tally.churned[:-1], start, out=np.zeros_like(start), where=start > 0)
    return 1 - (1 - np.minimum(monthly, 1.0)) ** 12


@metric
def trust(m):
    """Mean trust of the firm's customers in the firm (0..1)."""
    return _mean(m, m.customers.trust)


@metric
def bond(m):
    """Mean emotional bond of the firm's customers (0..1)."""
    return _mean(m, m.customers.bond)


@metric
def satisfaction(m):
    """Mean satisfaction: experience judged against expectation (0..1)."""
    return _mean(m, m.customers.satisfaction)


@metric
def recommend_balance(m):
    """Share of promoters (advocacy >= 0.7) minus share of detractors (< 0.4), as in a net promoter score (-1..1)."""
    said = advocacy(m)
    return _share(m, said >= PROMOTER) - _share(m, said < DETRACTOR)


@metric
def trapped_share(m):
    """Share of the firm's customers who want to leave but are held by contract or points."""
    return _share(m, m.customers.trapped)


@metric
def complaints(m):
    """Complaints raised this month."""
    return m.tally.complaints[:-1].copy()


@metric
def first_contact_resolution(m):
    """Share of this month's complaints resolved at first contact."""
    return _ratio(m.tally.resolved_first_contact[:-1], m.tally.complaints[:-1])


@metric
def silent_failures(m):
    """Service failures this month that customers suffered without complaining."""
    return m.tally.silent_failures[:-1].copy()


@metric
def defects_discovered(m):
    """Defects the firm had hidden that customers found out about this month."""
    return m.tally.defects_discovered[:-1].copy()


@metric
def complaint_queue(m):
    """Escalated complaints still waiting at the end of the month."""
    return m.tally.queue[:-1].copy()


@metric
def word_of_mouth(m):
    """Net word of mouth this month: customers speaking well minus customers speaking ill of the firm."""
    return (m.tally.wom_positive - m.tally.wom_negative)[:-1]


@metric
def public_posts(m):
    """Public complaints posted about the firm this month."""
    return m.tally.posts[:-1].copy()


@metric
def reputation(m):
    """Mean opinion of the firm among customers not with it (0..1)."""
    c = m.customers
    out = np.empty(m.n_firms)
    for g in range(m.n_firms):  # a loop over firms, not customers
        others = m.slot != g
        out[g] = c.opinion[:, g][others].mean() if others.any() else np.nan
    return out


@metric
def staff_exhaustion(m):
    """Exhaustion of the firm's front-line staff (0 = fresh, 1 = burnt out)."""
    return m.firms.exhaustion[:-1].copy()


@metric
def sales_pressure(m):
    """Effective sales pressure this month: the share of contacts that are pitches."""
    return m.firms.sales_push[:-1].copy()


@metric
def revenue(m):
    """Revenue this month: prices paid plus exit fees collected (money units)."""
    return m.tally.revenue[:-1].copy()


@metric
def revenue_per_customer(m):
    """Average revenue per customer this month (money units)."""
    return _ratio(m.tally.revenue[:-1], _count(m))


@metric
def profit(m):
    """Revenue minus the costs of service, complaints, capacity, acquisition and advertising."""
    return m.tally.profit[:-1].copy()


@metric
def clv(m):
    """Customer lifetime value: monthly profit per customer times r / (1 + d - r), r the monthly retention."""
    n = m.firms.customers_start[:-1]
    margin = _ratio(m.tally.profit[:-1], n)
    retention = 1 - np.minimum(_ratio(m.tally.churned[:-1], n), 1.0)
    return margin * retention / (1 + m.economics.discount_rate - retention)


@metric
def active(m):
    """1 while the firm is in the market, 0 before it enters and after it has left (reserves ran out)."""
    return m.firms.active[:-1].astype(float)


@metric
def reserves(m):
    """The firm's reserves at the end of the month: starting reserves plus all profits and losses (money units)."""
    return m.firms.reserves[:-1].copy()


@metric
def points_liability(m):
    """What redeeming the loyalty points the firm's customers hold would cost it (money units), a liability."""
    c = m.customers
    owed = c.points * m.levers.price[m.slot] * m.economics.points_cost
    return by_slot(m.slot, m.n_firms, c.attached, owed)[:-1]


def typology_shares(m: MarketState) -> dict[str, np.ndarray]:
    """Share of each relationship type among the firm's customers."""
    kind = classify(m.customers)
    k = len(TYPES)
    counts = np.bincount(m.slot * k + np.maximum(kind, 0), minlength=(m.n_firms + 1) * k).reshape(-1, k)[:-1]
    n = _count(m)
    return {
        name: np.divide(counts[:, j].astype(float), n, out=np.full_like(n, np.nan), where=n > 0)
        for j, name in enumerate(TYPES)
    }


def measure(m: MarketState) -> dict[str, np.ndarray]:
    """All outcomes of the month: one array (per firm) per column of the results table."""
    out = {name: np.asarray(fn(m), dtype=float) for name, fn in METRICS.items()}
    out.update(typology_shares(m))
    return out
