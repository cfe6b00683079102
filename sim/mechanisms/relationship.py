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

from sim.draws import CHUNK
from sim.mechanisms.choice import fit_of
from sim.mechanisms.exit_signal import reactance_relief
from sim.state import FloatArray, IntArray, MarketState


@njit(cache=True, error_model="numpy", inline="always")
def sensitivity_now(sensitivity: float, recession: float) -> float:  # pragma: no cover - compiled
    """One customer's price sensitivity now: a recession makes everyone count the pennies (at most 1)."""
    return min(sensitivity * (1.0 + recession), 1.0)


@njit(cache=True, error_model="numpy", inline="always")
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
    _judge_kernel(
        m.customers_per_market,
        m.slot,
        c.needs,
        c.offer,
        c.service_score,
        c.annoyance,
        c.warmth,
        c.price_sensitivity,
        c.relationship_need,
        c.reactance,
        c.trapped,
        c.promo_left,
        c.upsell,
        c.experience,
        c.satisfaction,
        c.expectation,
        c.trust,
        c.bond,
        c.resentment,
        c.tenure,
        c.contract_left,
        c.points,
        c.triggered,
        lv.price,
        m.firms.price_factor,
        lv.acquisition_discount,
        lv.over_promise,
        lv.loyalty_points,
        reactance_relief(m) if on.resentment else np.ones(1),
        m.reference_prices(),
        m.recession,
        b.fit_width,
        b.fairness_sensitivity,
        b.weight_fit,
        b.weight_service,
        b.weight_value,
        b.resentment_weight,
        b.disconfirmation,
        b.satisfaction_memory,
        b.expectation_rate,
        b.trust_gain,
        b.trust_asymmetry if on.trust_asymmetry else 1.0,
        b.bad_month,
        b.bond_gain,
        b.bond_decay,
        b.bond_loss,
        b.resentment_rate,
        b.resentment_decay,
        bool(on.loyalty_penalty),
        bool(on.advertising),
        bool(on.emotional_bond),
        bool(on.resentment),
    )


@njit(cache=True, error_model="numpy")
def _judge_kernel(  # pragma: no cover - compiled
    per_market: int,
    slot: np.ndarray,
    needs: np.ndarray,
    offer: np.ndarray,
    service_score: np.ndarray,
    annoyance: np.ndarray,
    warmth: np.ndarray,
    price_sensitivity: np.ndarray,
    relationship_need: np.ndarray,
    reactance: np.ndarray,
    trapped: np.ndarray,
    promo_left: np.ndarray,
    upsell: np.ndarray,
    experience: np.ndarray,
    satisfaction: np.ndarray,
    expectation: np.ndarray,
    trust: np.ndarray,
    bond: np.ndarray,
    resentment: np.ndarray,
    tenure: np.ndarray,
    contract_left: np.ndarray,
    points: np.ndarray,
    triggered: np.ndarray,
    price: np.ndarray,
    price_factor: np.ndarray,
    acquisition_discount: np.ndarray,
    over_promise: np.ndarray,
    loyalty_points: np.ndarray,
    relief: np.ndarray,
    reference: np.ndarray,
    recession: float,
    fit_width: float,
    fairness_sensitivity: float,
    weight_fit: float,
    weight_service: float,
    weight_value: float,
    resentment_weight: float,
    disconfirmation: float,
    satisfaction_memory: float,
    expectation_rate: float,
    trust_gain: float,
    trust_asymmetry: float,
    bad_month: float,
    bond_gain: float,
    bond_decay: float,
    bond_loss: float,
    resentment_rate: float,
    resentment_decay: float,
    loyalty_penalty: bool,
    advertising: bool,
    emotional_bond: bool,
    resentment_on: bool,
) -> None:
    """Each customer's month judged, and the relationship's clocks ticked, in the order of the rule."""
    no_firm = len(price) - 1
    weights = max(weight_fit + weight_service + weight_value, 1e-9)
    falls = min(trust_gain * trust_asymmetry, 1.0)
    n_markets = len(slot) // per_market
    fits = np.empty(CHUNK)  # the fit of each customer of a chunk with the offer they have
    for r in range(n_markets):
        yardstick = reference[r]
        for start in range(0, per_market, CHUNK):
            count, first = min(CHUNK, per_market - start), r * per_market + start
            for t in range(count):  # every fit of the chunk first, in two loops that vectorise (an unsigned index)
                h = np.uint64(first + t)
                d0 = float(needs[h, 0]) - float(offer[h, 0])
                d1 = float(needs[h, 1]) - float(offer[h, 1])
                fits[t] = d0 * d0 + d1 * d1
            for t in range(count):
                fits[t] = fit_of(fits[t], fit_width)
            for t in range(count):
                i = first + t
                f = slot[i]
                attached = f != no_firm
                res = float(resentment[i])
                tr = float(trust[i])
                bd = float(bond[i])
                x = 0.0
                if attached:
                    fit = fits[t]
                    promo = promo_left[i] > 0
                    paid = price[f] * price_factor[f] * (1.0 - (acquisition_discount[f] if promo else 0.0))
                    paid += upsell[i] * price[f]
                    value = 1.0 - sensitivity_now(price_sensitivity[i], recession) * (paid / yardstick - 1.0)
                    if loyalty_penalty and not promo:  # paying more than new customers are offered feels unfair
                        value -= fairness_sensitivity * acquisition_discount[f]
                    value = min(max(value, 0.0), 1.0)
                    x = (weight_fit * fit + weight_service * service_score[i] + weight_value * value) / weights
                    x -= annoyance[i]
                    if resentment_on:
                        x -= resentment_weight * res
                    x = min(max(x, 0.0), 1.0)
                    expect = float(expectation[i])
                    judged = min(max(x + disconfirmation * (x - expect), 0.0), 1.0)
                    satisfaction[i] = satisfaction_memory * satisfaction[i] + (1.0 - satisfaction_memory) * judged
                    promised = over_promise[f] if advertising else 0.0
                    expectation[i] = expect + expectation_rate * (min(x + promised, 1.0) - expect)
                    gap = x - tr
                    tr += (trust_gain if gap > 0 else falls) * gap
                    if emotional_bond:
                        badness = max(bad_month - x, 0.0) / bad_month
                        grow = bond_gain * relationship_need[i] * warmth[i] * (1.0 - bd)
                        bd += grow - bond_decay * bd - bond_loss * badness * bd
                else:
                    satisfaction[i] = 0.0
                if not emotional_bond:
                    bd = 0.0
                if resentment_on:  # grows while held, fades otherwise (a select: being held is a coin toss)
                    held = trapped[i] & attached
                    grown = res + resentment_rate * reactance[i] * relief[f] * (1.0 - res)
                    res = grown if held else res - resentment_decay * res
                experience[i] = x
                trust[i] = min(max(tr, 0.0), 1.0)
                bond[i] = min(max(bd, 0.0), 1.0)
                resentment[i] = min(max(res, 0.0), 1.0)
                # the clocks, without a branch (whether a customer's firm has contracts is a coin toss)
                left = contract_left[i]
                tenure[i] += attached
                triggered[i] |= attached & (left == 1)  # the contract comes up for renewal
                points[i] += loyalty_points[f] if attached else 0.0
                contract_left[i] = left - (left > 0)
                promo_left[i] -= promo_left[i] > 0


def advocacy(m: MarketState) -> FloatArray:
    """How warmly each customer speaks of their firm (0..1): :func:`advocacy_of` for everyone."""
    c, b = m.customers, m.behaviour
    return b.advocacy_trust * c.trust + b.advocacy_satisfaction * c.satisfaction + b.advocacy_bond * c.bond
