"""How a customer judges the month, and how trust, bond and resentment move.

A month's experience mixes needs fit, service and price fairness. Satisfaction
is experience judged against expectation (expectation-disconfirmation, Oliver
1980); expectations adapt to experience and are inflated by over-promising.
Trust moves towards experience, rising slowly and falling ``trust_asymmetry``
times faster (Slovic 1993). Emotional bond grows only from warm, authentic
contact and only as far as a customer wants a relationship; it fades without
contact and breaks in bad months. Customers held by ties they would rather cut
grow resentful, more so the more they react to being locked in (Brehm 1966,
reactance), and resentment sours every later month.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.mechanisms.exit_signal import reactance_relief
from sim.state import FloatArray, IntArray, MarketState


@njit(cache=True, inline="always")
def sensitivity_now(sensitivity: float, recession: float) -> float:  # pragma: no cover - compiled
    """One customer's price sensitivity now: a recession makes everyone count the pennies (at most 1)."""
    return min(sensitivity * (1.0 + recession), 1.0)


@njit(cache=True, inline="always")
def advocacy_of(  # pragma: no cover - compiled
    trust: float, satisfaction: float, bond: float, weight_trust: float, weight_satisfaction: float, weight_bond: float
) -> float:
    """How warmly one customer speaks of their firm (0..1): mostly trust and satisfaction, some bond."""
    return weight_trust * trust + weight_satisfaction * satisfaction + weight_bond * bond


def price_sensitivity(m: MarketState, idx: IntArray | None = None) -> FloatArray:
    """Price sensitivity now (of everyone, or of the customers in ``idx``): :func:`sensitivity_now` for each."""
    sensitivity = m.customers.price_sensitivity if idx is None else m.customers.price_sensitivity[idx]
    return np.minimum(sensitivity * (1 + m.recession), 1.0)


def judge_month(m: MarketState) -> None:
    """Experience, satisfaction, expectation, trust, bond, resentment; then the clocks tick."""
    c, b, lv, on = m.customers, m.behaviour, m.levers, m.mechanisms
    f, att = m.slot, c.attached
    fit = m.fit(c.offer)
    value = 1 - price_sensitivity(m) * (m.price_paid() / m.reference_price() - 1)
    if on.loyalty_penalty:  # paying more than new customers are offered feels unfair
        value -= b.fairness_sensitivity * lv.acquisition_discount[f] * (c.promo_left == 0)
    weights = b.weight_fit + b.weight_service + b.weight_value
    x = (b.weight_fit * fit + b.weight_service * c.service_score + b.weight_value * np.clip(value, 0, 1)) / max(
        weights, 1e-9
    )
    x -= c.annoyance
    if on.resentment:
        x -= b.resentment_weight * c.resentment
    x = np.where(att, np.clip(x, 0.0, 1.0), 0.0)
    c.experience[:] = x

    judged = np.clip(x + b.disconfirmation * (x - c.expectation), 0.0, 1.0)
    c.satisfaction[:] = np.where(
        att, b.satisfaction_memory * c.satisfaction + (1 - b.satisfaction_memory) * judged, 0.0
    )
    promised = lv.over_promise[f] if on.advertising else 0.0
    c.expectation += np.where(att, b.expectation_rate * (np.minimum(x + promised, 1.0) - c.expectation), 0.0)

    gap = x - c.trust
    falls = b.trust_gain * (b.trust_asymmetry if on.trust_asymmetry else 1.0)
    c.trust += np.where(att, np.where(gap > 0, b.trust_gain, min(falls, 1.0)) * gap, 0.0)

    if on.emotional_bond:
        badness = np.maximum(b.bad_month - x, 0.0) / b.bad_month
        grow = b.bond_gain * c.relationship_need * c.warmth * (1 - c.bond)
        c.bond += np.where(att, grow - b.bond_decay * c.bond - b.bond_loss * badness * c.bond, 0.0)
    else:
        c.bond[:] = 0.0
    if on.resentment:
        c.resentment += np.where(
            c.trapped & att,
            b.resentment_rate * c.reactance * reactance_relief(m)[f] * (1 - c.resentment),
            -b.resentment_decay * c.resentment,
        )
    np.clip(c.trust, 0, 1, out=c.trust)
    np.clip(c.bond, 0, 1, out=c.bond)
    np.clip(c.resentment, 0, 1, out=c.resentment)

    c.tenure += att
    c.triggered |= att & (c.contract_left == 1)  # the contract comes up for renewal
    c.contract_left -= c.contract_left > 0
    c.promo_left -= c.promo_left > 0
    c.points += np.where(att, lv.loyalty_points[f], 0.0)


def advocacy(m: MarketState) -> FloatArray:
    """How warmly each customer speaks of their firm (0..1): :func:`advocacy_of` for everyone."""
    c, b = m.customers, m.behaviour
    return b.advocacy_trust * c.trust + b.advocacy_satisfaction * c.satisfaction + b.advocacy_bond * c.bond
