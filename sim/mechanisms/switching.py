"""Stay, switch or leave; and how firms win customers.

Customers look around now and then, and more often after a trigger (a failure,
a life event, a sales pitch, a contract coming up for renewal: Roos 1999,
switching paths). Looking around, they compare the utility of staying - fit,
trust, bond, price - with what each other firm seems to offer - the fit its
offer would have, their opinion of it, its price for new customers - and with
leaving the market. Choices are logit (random-utility; McFadden 1974). A customer
who wants out but for whom exit fee and lost points outweigh the gain stays,
trapped (Burnham, Frels & Mahajan 2003, switching costs). Firms may decline
applicants whose needs they do not fit, and a firm out of the market takes no one.
What a firm demands to let a customer go is seen before joining (``exit_signal``).
Customers without a firm come back to the market now and then and choose the same way.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.exit_signal import signal
from sim.mechanisms.relationship import price_sensitivity
from sim.state import FloatArray, IntArray, MarketState


def offer_fit(m: MarketState, idx: IntArray) -> FloatArray:
    """(len(idx), F): fit each firm's offer would have, tailored as far as the firm tailors."""
    needs = m.customers.needs[idx]
    tailoring = m.levers.tailoring[:-1]
    d2: FloatArray | float = 0.0
    for d in range(needs.shape[1]):  # a loop over the dimensions of needs, not over customers
        need, position = needs[:, d, None], m.positions[None, :, d]
        offer = position + tailoring * (need - position)
        d2 = d2 + (need - offer) ** 2
    return m.fit_at(d2)


def joining_utility(m: MarketState, idx: IntArray) -> FloatArray:
    """(len(idx), F): utility of joining each firm; -inf where the firm declines the customer."""
    c, b, lv, F = m.customers, m.behaviour, m.levers, m.n_firms
    fit = offer_fit(m, idx)
    new_price = lv.price[:F] * m.firms.price_factor[:F] * (1 - lv.acquisition_discount[:F])
    relative = new_price / m.reference_price() - 1
    u = (
        b.weight_fit * fit
        + b.weight_trust * c.opinion[idx]
        - b.weight_price * price_sensitivity(m, idx)[:, None] * relative
    )
    u = u + b.weight_trust * signal(m)[:F]
    return np.where((fit >= lv.decline_poor_fit[:F]) & m.firms.active[:F], u, -np.inf)


def staying_utility(m: MarketState, idx: IntArray) -> FloatArray:
    """Utility of staying with the current firm: fit, trust, bond and the price actually paid."""
    c, b = m.customers, m.behaviour
    relative = m.price_paid(idx) / m.reference_price() - 1
    fit = m.fit(c.offer[idx], c.needs[idx])
    return (
        b.weight_fit * fit
        + b.weight_trust * c.trust[idx]
        + b.weight_bond * c.bond[idx]
        - b.weight_price * price_sensitivity(m, idx) * relative
    )


def exit_cost(m: MarketState, idx: IntArray) -> FloatArray:
    """Exit fee (while the contract runs) plus loyalty points lost, in monthly prices."""
    c, lv = m.customers, m.levers
    f = c.firm[idx]
    return np.where(c.contract_left[idx] > 0, lv.exit_fee[f], 0.0) + c.points[idx]


def decide(m: MarketState) -> None:
    """Customers who look around stay, switch to the best other firm, or leave the market."""
    c, b, lv, t = m.customers, m.behaviour, m.levers, m.tally
    rng = m.rng["choice"]
    u = rng.random((2, c.n))
    looks = c.attached & ((u[0] < b.review_rate) | (c.triggered & (u[1] < b.trigger_review)))
    idx = np.flatnonzero(looks) if m.mechanisms.switching else np.empty(0, dtype=int)
    t.add("looked", m.slot, looks & m.mechanisms.switching)
    noise = b.choice_noise * rng.gumbel(size=(len(idx), m.n_firms + 2))
    stay = staying_utility(m, idx) + noise[:, 0]
    alternatives = joining_utility(m, idx) + noise[:, 1:-1]
    alternatives[np.arange(len(idx)), c.firm[idx]] = -np.inf
    best = np.argmax(alternatives, axis=1) if len(idx) else np.empty(0, dtype=int)
    best_u = alternatives[np.arange(len(idx)), best] if len(idx) else np.empty(0)
    outside = b.outside_option + noise[:, -1]
    gain = np.maximum(best_u, outside) - stay
    cost = b.switching_cost_weight * exit_cost(m, idx)
    wants_out = gain > b.inertia
    moves = wants_out & (gain - cost > b.inertia)
    c.trapped[idx] = wants_out & ~moves

    movers, target = idx[moves], np.where(best_u >= outside, best, -1)[moves]
    old = c.firm[movers]
    fee = np.where(c.contract_left[movers] > 0, lv.exit_fee[old] * lv.price[old], 0.0)
    t.add("exit_fees", old, weights=fee)
    t.add("churned", old)
    t.add("switched_out", old, target >= 0)
    t.add("left_market", old, target < 0)
    c.opinion[movers, old] = c.trust[movers]  # what they think of the firm they left
    detach(m, movers)
    join(m, movers[target >= 0], target[target >= 0])

    renew = c.attached & (c.contract_left == 0) & (lv.contract_term[m.slot] > 0)
    c.contract_left[renew] = lv.contract_term[m.slot[renew]].astype(int)


def enter_market(m: MarketState) -> None:
    """Customers without a firm come back now and then, and join the firm they like best, if any."""
    c, b = m.customers, m.behaviour
    rng = m.rng["entry"]
    u = rng.random(c.n)
    idx = np.flatnonzero(~c.attached & (u < b.reentry_rate) & c.may_enter)
    noise = b.choice_noise * rng.gumbel(size=(len(idx), m.n_firms + 1))
    options = joining_utility(m, idx) + noise[:, :-1]
    if not len(idx):
        return
    best = np.argmax(options, axis=1)
    joins = options[np.arange(len(idx)), best] > b.outside_option + noise[:, -1]
    join(m, idx[joins], best[joins])


#: What a customer has with their firm and loses on leaving it (reset to 0; also read by ``benchmarks/reference``).
TIES = (
    "tenure",
    "trust",
    "bond",
    "satisfaction",
    "expectation",
    "resentment",
    "contract_left",
    "points",
    "promo_left",
    "upsell",
    "complaint_wait",
    "hidden_defects",
)


def detach(m: MarketState, idx: IntArray) -> None:
    """End the relationship: the customer has no firm and all ties are cut."""
    c = m.customers
    c.firm[idx] = -1
    m.firms_changed()
    c.may_enter[idx] = False  # those who just left do not come back the same month
    for name in (*TIES, "trapped"):
        getattr(c, name)[idx] = 0


def join(m: MarketState, idx: IntArray, firm: np.ndarray) -> None:
    """Start a relationship: trust starts from the opinion, the offer is the firm's, tailored."""
    c, lv = m.customers, m.levers
    c.firm[idx] = firm
    m.firms_changed()
    c.trust[idx] = np.clip(c.opinion[idx, firm] + signal(m)[firm], 0.0, 1.0)
    promised = lv.over_promise[firm] if m.mechanisms.advertising else 0.0
    c.expectation[idx] = np.minimum(c.opinion[idx, firm] + promised, 1.0)
    c.satisfaction[idx] = c.expectation[idx]
    c.offer[idx] = m.positions[firm] + lv.tailoring[firm][:, None] * (c.needs[idx] - m.positions[firm])
    c.contract_left[idx] = lv.contract_term[firm].astype(int)
    c.promo_left[idx] = np.where(lv.acquisition_discount[firm] > 0, lv.discount_months[firm], 0).astype(int)
    m.tally.add("acquired", firm)
