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

Each rule is one compiled scalar function (``*_of``); the month's phases run them in
kernels over all customers, and the array functions (:func:`joining_utility`, ...) run
the same functions for the customers asked about. A customer chooses among the firms of
their own market; opinions and the results of :func:`offer_fit` and :func:`joining_utility`
have one column per firm of the market.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim import numerics
from sim.draws import CHUNK, STREAM_ID, chunk_buffer, fill_uniforms, logistic, uniforms
from sim.mechanisms.choice import (
    ACQ,
    ACTIVE,
    BOND,
    CONTRACT,
    DECLINE,
    EXIT_FEE,
    FACTOR,
    NEW_PRICE,
    POINTS,
    PRICE,
    PROMO,
    REF,
    SIGNAL,
    TAILORING,
    TERM,
    TIES,
    TRUST,
    UPSELL,
    choose,
    detach_one,
    exit_cost_of,
    firm_table,
    fit_of,
    gap_of,
    higher_of,
    join_one,
    joining_at,
    joining_of,
    logit_pick,
    offered,
    staying_of,
)
from sim.mechanisms.economics import price_paid_of
from sim.mechanisms.relationship import sensitivity_now
from sim.state import FloatArray, IntArray, MarketState

_CHOICE, _ENTRY = STREAM_ID["choice"], STREAM_ID["entry"]
# rows of the month's choice kernel's work array, one column per looker of a chunk
_NEED0, _NEED1, _SENS, _OWN, _STAY_FIT, _U2, _U3, _TOP, _BEST, _TOTAL, _STAY, _NOISE = range(12)
_LOOKER_ROWS = 12
_BATCH = 8 * CHUNK  # customers whose lookers choose together (about 370 lookers: loops long enough to vectorise)


def _ties(m: MarketState) -> tuple[np.ndarray, ...]:
    """The customers' tie arrays, in the order of :data:`TIES` (as the kernels take them)."""
    return tuple(getattr(m.customers, name) for name in TIES)


def _positions(m: MarketState) -> np.ndarray:
    return np.ascontiguousarray(m.positions, dtype=np.float64)


def _weights(m: MarketState) -> tuple[float, float, float, float, float, float]:
    b = m.behaviour
    return b.fit_width, b.weight_fit, b.weight_trust, b.weight_bond, b.weight_price, m.recession


def offer_fit(m: MarketState, idx: IntArray) -> FloatArray:
    """(len(idx), F): fit each firm's offer would have, tailored as far as the firm tailors."""
    return _joining(m, idx, fit_only=True)


def joining_utility(m: MarketState, idx: IntArray) -> FloatArray:
    """(len(idx), F): utility of joining each firm; -inf where the firm declines the customer."""
    return _joining(m, idx, fit_only=False)


def _joining(m: MarketState, idx: IntArray, fit_only: bool) -> FloatArray:
    c = m.customers
    idx = np.asarray(idx, dtype=np.int64)
    args = (m.customers_per_market, firm_table(m), _positions(m), *_weights(m))
    out: FloatArray = _joining_table(idx, *args, c.needs, c.opinion, c.price_sensitivity, fit_only)
    return out


@njit(cache=True, error_model="numpy")
def _joining_table(  # pragma: no cover - compiled
    idx: np.ndarray,
    n_market: int,
    table: np.ndarray,
    positions: np.ndarray,
    width: float,
    wf: float,
    wt: float,
    wb: float,
    wp: float,
    recession: float,
    needs: np.ndarray,
    opinion: np.ndarray,
    sensitivity: np.ndarray,
    fit_only: bool,
) -> np.ndarray:
    n_local = positions.shape[0]
    out = np.empty((idx.shape[0], n_local))
    for k in range(idx.shape[0]):
        i = idx[k]
        base = (i // n_market) * n_local
        sens = sensitivity_now(sensitivity[i], recession)
        for j in range(n_local):
            fit, u = joining_at(i, base + j, j, table, positions, needs, opinion, sens, width, wf, wt, wp)
            out[k, j] = fit if fit_only else u
    return out


def staying_utility(m: MarketState, idx: IntArray) -> FloatArray:
    """Utility of staying with the current firm: fit, trust, bond and the price actually paid."""
    c = m.customers
    idx = np.asarray(idx, dtype=np.int64)
    args = (firm_table(m), *_weights(m), c.firm, c.needs, c.offer, c.price_sensitivity, _ties(m))
    out: FloatArray = _staying_table(idx, *args)
    return out


@njit(cache=True, error_model="numpy")
def _staying_table(  # pragma: no cover - compiled
    idx: np.ndarray,
    table: np.ndarray,
    width: float,
    wf: float,
    wt: float,
    wb: float,
    wp: float,
    recession: float,
    firm: np.ndarray,
    needs: np.ndarray,
    offer: np.ndarray,
    sensitivity: np.ndarray,
    ties: tuple[np.ndarray, ...],
) -> np.ndarray:
    out = np.empty(idx.shape[0])
    for k in range(idx.shape[0]):
        i = idx[k]
        sens = sensitivity_now(sensitivity[i], recession)
        out[k] = _stay(i, firm[i], table, width, wf, wt, wb, wp, sens, needs, offer, ties)
    return out


@njit(cache=True, error_model="numpy", inline="always")
def _stay(  # pragma: no cover - compiled
    i: int,
    g: int,
    table: np.ndarray,
    width: float,
    wf: float,
    wt: float,
    wb: float,
    wp: float,
    sensitivity: float,
    needs: np.ndarray,
    offer: np.ndarray,
    ties: tuple[np.ndarray, ...],
) -> float:
    """Customer ``i``'s utility of staying with firm slot ``g`` (-1: no firm, who pays nothing)."""
    fit = fit_of(_stay_d2(i, needs, offer), width)
    return _stay_from_fit(fit, i, g, table, wf, wt, wb, wp, sensitivity, ties)


@njit(cache=True, error_model="numpy", inline="always")
def _stay_d2(i: int, needs: np.ndarray, offer: np.ndarray) -> float:  # pragma: no cover - compiled
    """Squared distance between customer ``i``'s needs and the offer they have."""
    d2 = 0.0
    for d in range(needs.shape[1]):
        d2 += (np.float64(needs[i, d]) - offer[i, d]) ** 2
    return d2


@njit(cache=True, error_model="numpy", inline="always")
def _stay_from_fit(  # pragma: no cover - compiled
    fit: float,
    i: int,
    g: int,
    table: np.ndarray,
    wf: float,
    wt: float,
    wb: float,
    wp: float,
    sensitivity: float,
    ties: tuple[np.ndarray, ...],
) -> float:
    """:func:`_stay` once the fit of the offer is known."""
    h = g if g >= 0 else table.shape[0] - 1
    paid = 0.0
    if g >= 0:
        paid = price_paid_of(table[h, PRICE], table[h, FACTOR], table[h, ACQ], ties[PROMO][i], ties[UPSELL][i])
    return staying_of(fit, ties[TRUST][i], ties[BOND][i], sensitivity, paid / table[h, REF] - 1, wf, wt, wb, wp)


def exit_cost(m: MarketState, idx: IntArray) -> FloatArray:
    """Exit fee (while the contract runs) plus loyalty points lost, in monthly prices."""
    c = m.customers
    idx = np.asarray(idx, dtype=np.int64)
    out: FloatArray = _exit_cost_table(idx, c.firm, c.contract_left, c.points, m.levers.exit_fee)
    return out


@njit(cache=True, error_model="numpy")
def _exit_cost_table(  # pragma: no cover - compiled
    idx: np.ndarray, firm: np.ndarray, contract_left: np.ndarray, points: np.ndarray, exit_fee: np.ndarray
) -> np.ndarray:
    out = np.empty(idx.shape[0])
    for k in range(idx.shape[0]):
        i = idx[k]
        out[k] = exit_cost_of(contract_left[i], exit_fee[firm[i]], points[i])
    return out


def decide(m: MarketState) -> None:
    """Customers who look around stay, switch to the best other firm, or leave the market."""
    c, b, t = m.customers, m.behaviour, m.tally
    rules = (b.review_rate, b.trigger_review, b.choice_noise, b.outside_option, b.inertia, b.switching_cost_weight)
    choice = (*_weights(m), firm_table(m), _positions(m))
    state = (c.firm, c.may_enter, c.trapped, _ties(m), c.triggered, c.needs, c.offer, c.opinion, c.price_sensitivity)
    counts = (t.looked, t.exit_fees, t.churned, t.switched_out, t.left_market, t.acquired)
    on = bool(m.mechanisms.switching)
    args = (m.keys, m.elapsed, m.customers_per_market, on, *rules, *choice, *state, *counts)
    _decide_kernel(*args)
    m.firms_changed()


@njit(cache=True, error_model="numpy")
def _decide_kernel(  # pragma: no cover - compiled
    keys: np.ndarray,
    month: int,
    n_market: int,
    switching: bool,
    review_rate: float,
    trigger_review: float,
    noise: float,
    outside_option: float,
    inertia: float,
    cost_weight: float,
    width: float,
    wf: float,
    wt: float,
    wb: float,
    wp: float,
    recession: float,
    table: np.ndarray,
    positions: np.ndarray,
    firm: np.ndarray,
    may_enter: np.ndarray,
    trapped: np.ndarray,
    ties: tuple[np.ndarray, ...],
    triggered: np.ndarray,
    needs: np.ndarray,
    offer: np.ndarray,
    opinion: np.ndarray,
    sensitivity: np.ndarray,
    looked: np.ndarray,
    exit_fees: np.ndarray,
    churned: np.ndarray,
    switched_out: np.ndarray,
    left_market: np.ndarray,
    acquired: np.ndarray,
) -> None:
    """Per customer with a firm: look around (two draws: by chance, after a trigger); a looker compares staying,
    each other firm of the market and the outside option (logit noise: which option is best, and how much better
    than staying; ``choice.logit_best``), and moves, or stays, trapped if only the exit cost holds them; then a
    contract that has run out renews. A batch of customers' lookers are listed first and then decide, in order;
    then the batch's contracts renew."""
    n_local = positions.shape[0]
    width_k = n_local + 1  # a looker's options: each firm of the market, then the outside option
    trust, contract_left, points = ties[TRUST], ties[CONTRACT], ties[POINTS]
    # the batch's lookers' work, one column per looker: their own quantities (rows of ``lw``), each option's fit,
    # each option's utility (then its logit weight), their opinion of each firm; so that the loops over the lookers
    # vectorise, one firm at a time
    lw = np.empty((_LOOKER_ROWS, _BATCH))
    fits, values, opinions = np.empty((n_local, _BATCH)), np.empty((width_k, _BATCH)), np.empty((n_local, _BATCH))
    ubuf = chunk_buffer()
    lookers = np.empty(_BATCH, dtype=np.int64)  # the batch's customers who look around, in order
    no_firm = table.shape[0] - 1
    terms = np.zeros(table.shape[0], dtype=contract_left.dtype)  # each firm's contract term in months (0: none)
    for h in range(no_firm):
        terms[h] = int(table[h, TERM])
    noisy = noise > 0.0
    for r in range(firm.shape[0] // n_market):
        key = keys[r]
        base = r * n_local
        for batch in range(0, n_market, _BATCH):  # a few chunks of customers at a time: enough lookers to vectorise
            first, size = r * n_market + batch, min(_BATCH, n_market - batch)
            n_look = 0
            for start in range(batch, batch + size, CHUNK) if switching else range(0):
                count, at = min(CHUNK, batch + size - start), r * n_market + start
                fill_uniforms(ubuf, key, _CHOICE, month, start, count, 0)
                for t in range(count):  # the lookers, listed without a branch (most customers do not look)
                    i = np.uint64(at + t)
                    lookers[n_look] = i
                    lw[_U2, n_look], lw[_U3, n_look] = ubuf[2, t], ubuf[3, t]  # their other two draws
                    by_chance, after_trigger = ubuf[0, t] < review_rate, triggered[i] & (ubuf[1, t] < trigger_review)
                    n_look += (firm[i] >= 0) & (by_chance | after_trigger)
            # the lookers' choices in passes: what each looker brings (gathered); the fit of each firm's offer and
            # each firm's utility, a firm at a time over all lookers; the best and the logit weights; the pick
            for k in range(n_look):
                i = lookers[k]
                lw[_NEED0, k], lw[_NEED1, k] = needs[i, 0], needs[i, 1]
                lw[_SENS, k] = sensitivity_now(sensitivity[i], recession)
                lw[_OWN, k] = firm[i] - base
                lw[_STAY_FIT, k] = _stay_d2(i, needs, offer)
                for j in range(n_local):
                    opinions[j, k] = opinion[i, j]
            for k in range(n_look):
                lw[_STAY_FIT, k] = fit_of(lw[_STAY_FIT, k], width)
            for j in range(n_local):  # the fit of firm j's tailored offer (choice.joining_d2, in a plane of needs)
                tailoring, p0, p1 = table[base + j, TAILORING], positions[j, 0], positions[j, 1]
                for k in range(n_look):
                    d2 = 0.0
                    d2 += gap_of(lw[_NEED0, k], p0, tailoring)
                    d2 += gap_of(lw[_NEED1, k], p1, tailoring)
                    fits[j, k] = fit_of(d2, width)
            for j in range(n_local):  # the utility of joining firm j (choice.joining_from_fit; -inf: their own)
                h = base + j
                decline, active, new_price, sig = (
                    table[h, DECLINE],
                    table[h, ACTIVE],
                    table[h, NEW_PRICE],
                    table[h, SIGNAL],
                )
                for k in range(n_look):
                    fit = fits[j, k]
                    u = joining_of(fit, opinions[j, k], lw[_SENS, k], new_price, sig, wf, wt, wp)
                    values[j, k] = u if offered(fit, decline, active) & (lw[_OWN, k] != j) else -np.inf
            for k in range(n_look):
                values[n_local, k] = outside_option
                lw[_TOP, k], lw[_BEST, k] = -np.inf, -1.0
            for j in range(width_k):  # the best option (choice.logit_top: the first of equal ones)
                for k in range(n_look):
                    lw[_BEST, k], lw[_TOP, k] = higher_of(values[j, k], j, lw[_BEST, k], lw[_TOP, k])
            for j in range(width_k):  # the logit weights (noise, and something on offer; else unused)
                for k in range(n_look):
                    top = lw[_TOP, k]
                    values[j, k] = numerics.exp((values[j, k] - top) / noise) if noisy & (top != -np.inf) else 0.0
            for k in range(n_look):  # which option is best, and the total of the weights (1: no noise); staying
                i = lookers[k]
                g = firm[i]
                weighed = noisy and lw[_TOP, k] != -np.inf
                j, total = logit_pick(values[:, k], 0, width_k, lw[_U2, k]) if weighed else (int(lw[_BEST, k]), 1.0)
                lw[_BEST, k], lw[_TOTAL, k] = j, total
                lw[_STAY, k] = _stay_from_fit(lw[_STAY_FIT, k], i, g, table, wf, wt, wb, wp, lw[_SENS, k], ties)
            for k in range(n_look):  # the logarithms, in a loop that vectorises
                lw[_TOTAL, k] = numerics.log(lw[_TOTAL, k])
                lw[_NOISE, k] = logistic(lw[_U3, k])
            for k in range(n_look):
                i = lookers[k]
                g = firm[i]
                looked[g] += 1.0
                j, top = int(lw[_BEST, k]), lw[_TOP, k]
                best_value = top + noise * lw[_TOTAL, k] if noisy and top != -np.inf else top
                gain = best_value + noise * lw[_NOISE, k] - lw[_STAY, k]  # the best alternative's noise less staying's
                target = base + j if j < n_local else -1
                cost = cost_weight * exit_cost_of(contract_left[i], table[g, EXIT_FEE], points[i])
                wants_out = gain > inertia
                moves = wants_out and gain - cost > inertia
                trapped[i] = wants_out and not moves
                if moves:
                    if contract_left[i] > 0:
                        exit_fees[g] += table[g, EXIT_FEE] * table[g, PRICE]
                    churned[g] += 1.0
                    if target >= 0:
                        switched_out[g] += 1.0
                    else:
                        left_market[g] += 1.0
                    opinion[i, g - base] = trust[i]  # what they think of the firm they left
                    detach_one(i, firm, may_enter, trapped, ties)
                    if target >= 0:
                        join_one(
                            i, target, target - base, table, positions, needs, opinion, firm, ties, offer, acquired
                        )
            for t in range(size):  # a contract that has run out renews (without a branch; unsigned indices)
                i = np.uint64(first + t)
                g = firm[i]
                left = contract_left[i]
                renews = (g >= 0) & (left == 0)
                contract_left[i] = terms[np.uint64(g if g >= 0 else no_firm)] if renews else left


def enter_market(m: MarketState) -> None:
    """Customers without a firm come back now and then, and join the firm they like best, if any."""
    c, b = m.customers, m.behaviour
    rules = (b.reentry_rate, b.choice_noise, b.outside_option, *_weights(m), firm_table(m), _positions(m))
    state = (c.firm, c.may_enter, _ties(m), c.needs, c.offer, c.opinion, c.price_sensitivity, m.tally.acquired)
    _enter_kernel(m.keys, m.elapsed, m.customers_per_market, *rules, *state)
    m.firms_changed()


@njit(cache=True, error_model="numpy")
def _enter_kernel(  # pragma: no cover - compiled
    keys: np.ndarray,
    month: int,
    n_market: int,
    reentry_rate: float,
    noise: float,
    outside_option: float,
    width: float,
    wf: float,
    wt: float,
    wb: float,
    wp: float,
    recession: float,
    table: np.ndarray,
    positions: np.ndarray,
    firm: np.ndarray,
    may_enter: np.ndarray,
    ties: tuple[np.ndarray, ...],
    needs: np.ndarray,
    offer: np.ndarray,
    opinion: np.ndarray,
    sensitivity: np.ndarray,
    acquired: np.ndarray,
) -> None:
    """Per customer without a firm who may come back: one draw whether they do, then the best firm of the market
    joins them if it beats staying out (logit noise, ``choice.logit_best``: a second draw)."""
    n_local = positions.shape[0]
    values = np.empty(n_local + 1)  # each firm of the market, then the outside option
    weights = np.empty(n_local + 1)
    r, end = -1, 0  # the market of customer i, and where the next one starts
    for i in range(firm.shape[0]):
        if i == end:
            r, end = r + 1, end + n_market
        if firm[i] >= 0 or not may_enter[i]:
            continue
        li = i - r * n_market
        u0, u1, _, _ = uniforms(keys[r], _ENTRY, month, li, 0)
        if not u0 < reentry_rate:
            continue
        sens = sensitivity_now(sensitivity[i], recession)
        choose(
            i,
            r * n_local,
            values,
            weights,
            noise,
            u1,
            outside_option,
            sens,
            width,
            wf,
            wt,
            wp,
            table,
            positions,
            needs,
            opinion,
            firm,
            ties,
            offer,
            acquired,
        )


def detach(m: MarketState, idx: IntArray) -> None:
    """End the relationship: the customer has no firm and all ties are cut."""
    c = m.customers
    _detach_kernel(np.asarray(idx, dtype=np.int64), c.firm, c.may_enter, c.trapped, _ties(m))
    m.firms_changed()


@njit(cache=True, error_model="numpy")
def _detach_kernel(  # pragma: no cover - compiled
    idx: np.ndarray, firm: np.ndarray, may_enter: np.ndarray, trapped: np.ndarray, ties: tuple[np.ndarray, ...]
) -> None:
    for k in range(idx.shape[0]):
        detach_one(idx[k], firm, may_enter, trapped, ties)


def join(m: MarketState, idx: IntArray, firm: np.ndarray) -> None:
    """Start a relationship: trust starts from the opinion, the offer is the firm's, tailored."""
    c = m.customers
    idx, target = np.asarray(idx, dtype=np.int64), np.asarray(firm, dtype=np.int64)
    state = (c.needs, c.opinion, c.firm, _ties(m), c.offer, m.tally.acquired)
    _join_kernel(idx, target, m.customers_per_market, firm_table(m), _positions(m), *state)
    m.firms_changed()


@njit(cache=True, error_model="numpy")
def _join_kernel(  # pragma: no cover - compiled
    idx: np.ndarray,
    target: np.ndarray,
    n_market: int,
    table: np.ndarray,
    positions: np.ndarray,
    needs: np.ndarray,
    opinion: np.ndarray,
    firm: np.ndarray,
    ties: tuple[np.ndarray, ...],
    offer: np.ndarray,
    acquired: np.ndarray,
) -> None:
    n_local = positions.shape[0]
    for k in range(idx.shape[0]):
        i, h = idx[k], target[k]
        join_one(i, h, h - (i // n_market) * n_local, table, positions, needs, opinion, firm, ties, offer, acquired)
