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
    """Each customer's month judged, and the relationship's clocks ticked, in the order of the rule.

    A chunk of customers at a time, in passes that each touch a few arrays, so that the compiler vectorises them
    (a customer's steps keep their order): the fits; what each customer's firm asks (gathered once); the month's
    experience; satisfaction and expectation; trust; bond; resentment; the clocks. A customer without a firm
    is computed alike and then keeps what the rule gives them (no experience, no satisfaction)."""
    no_firm = len(price) - 1
    weights = max(weight_fit + weight_service + weight_value, 1e-9)
    falls = min(trust_gain * trust_asymmetry, 1.0)
    n_markets = len(slot) // per_market
    fits = np.empty(CHUNK)  # the fit of each customer of a chunk with the offer they have
    xs = np.empty(CHUNK)  # their experience this month
    paid, penalty, promised = np.empty(CHUNK), np.empty(CHUNK), np.empty(CHUNK)  # what their firm asks, promises
    loyal, relieved = np.empty(CHUNK), np.empty(CHUNK)  # the points it gives; what its exit terms take off resentment
    for r in range(n_markets):
        yardstick = reference[r]
        for start in range(0, per_market, CHUNK):
            count, first = min(CHUNK, per_market - start), r * per_market + start
            for t in range(count):  # every fit of the chunk first (an unsigned index: the loops vectorise)
                h = np.uint64(first + t)
                d0 = float(needs[h, 0]) - float(offer[h, 0])
                d1 = float(needs[h, 1]) - float(offer[h, 1])
                fits[t] = d0 * d0 + d1 * d1
            for t in range(count):
                fits[t] = fit_of(fits[t], fit_width)
            for t in range(count):  # what each customer's firm asks of them, gathered (this loop stays scalar)
                i = first + t
                f = slot[i]
                promo = promo_left[i] > 0
                paid[t] = price[f] * price_factor[f] * (1.0 - (acquisition_discount[f] if promo else 0.0))
                paid[t] += upsell[i] * price[f]
                # paying more than new customers are offered feels unfair
                penalty[t] = fairness_sensitivity * acquisition_discount[f] if loyalty_penalty and not promo else 0.0
                promised[t] = over_promise[f] if advertising else 0.0
                loyal[t] = loyalty_points[f] if f != no_firm else 0.0
                relieved[t] = relief[f] if resentment_on else 1.0
            for t in range(count):  # the month's experience: fit, service and value, less annoyance and resentment
                h = np.uint64(first + t)
                value = 1.0 - sensitivity_now(price_sensitivity[h], recession) * (paid[t] / yardstick - 1.0)
                value = min(max(value - penalty[t], 0.0), 1.0)
                x = (weight_fit * fits[t] + weight_service * service_score[h] + weight_value * value) / weights
                x -= annoyance[h]
                x = x - resentment_weight * float(resentment[h]) if resentment_on else x
                xs[t] = min(max(x, 0.0), 1.0) if slot[h] != no_firm else 0.0
            for t in range(count):  # satisfaction: experience judged against expectation; expectation adapts
                h = np.uint64(first + t)
                x, attached = xs[t], slot[h] != no_firm
                expect = float(expectation[h])
                judged = min(max(x + disconfirmation * (x - expect), 0.0), 1.0)
                satisfied = satisfaction_memory * satisfaction[h] + (1.0 - satisfaction_memory) * judged
                satisfaction[h] = satisfied if attached else 0.0
                expected = expect + expectation_rate * (min(x + promised[t], 1.0) - expect)
                expectation[h] = expected if attached else expect
                experience[h] = x
            for t in range(count):  # trust moves towards experience, falling faster than it rises
                h = np.uint64(first + t)
                tr = float(trust[h])
                gap = xs[t] - tr
                moved = tr + (trust_gain if gap > 0 else falls) * gap
                trust[h] = min(max(moved if slot[h] != no_firm else tr, 0.0), 1.0)
            for t in range(count):  # bond grows from warm contact as far as wanted, fades, breaks in bad months
                h = np.uint64(first + t)
                bd = float(bond[h])
                badness = max(bad_month - xs[t], 0.0) / bad_month
                grow = bond_gain * relationship_need[h] * warmth[h] * (1.0 - bd)
                grown = bd + (grow - bond_decay * bd - bond_loss * badness * bd)
                bd = grown if slot[h] != no_firm else bd
                bond[h] = min(max(bd, 0.0), 1.0) if emotional_bond else 0.0
            for t in range(count):  # resentment grows while held, fades otherwise
                h = np.uint64(first + t)
                res = float(resentment[h])
                held = trapped[h] & (slot[h] != no_firm)
                grown = res + resentment_rate * reactance[h] * relieved[t] * (1.0 - res)
                res = (grown if held else res - resentment_decay * res) if resentment_on else res
                resentment[h] = min(max(res, 0.0), 1.0)
            for t in range(count):  # the clocks
                h = np.uint64(first + t)
                attached = slot[h] != no_firm
                left = contract_left[h]
                tenure[h] += attached
                triggered[h] |= attached & (left == 1)  # the contract comes up for renewal
                points[h] += loyal[t]
                contract_left[h] = left - (left > 0)
                promo_left[h] -= promo_left[h] > 0


def advocacy(m: MarketState) -> FloatArray:
    """How warmly each customer speaks of their firm (0..1): :func:`advocacy_of` for everyone."""
    c, b = m.customers, m.behaviour
    return b.advocacy_trust * c.trust + b.advocacy_satisfaction * c.satisfaction + b.advocacy_bond * c.bond
