"""One customer's choice of firm, compiled: the scalar rules of ``switching`` and the per-firm table they read.

Staying, joining, the cost of leaving, joining and leaving itself are each written once
here, as ``@njit`` functions on one customer, and called by the kernels of
``switching`` (the month's choices), ``firms`` (customers of a firm that left choose
again) and by the array functions of ``switching`` that other code asks
(``joining_utility``, ``staying_utility``, ...). A customer of market ``r`` chooses among
that market's firms, slots ``r * F .. r * F + F - 1``; their opinion of local firm ``j``
is column ``j``. The logit noise of option ``k`` is draw ``k % 4`` of block ``first + k // 4``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import literal_unroll, njit

from sim.draws import gumbel, uniforms
from sim.mechanisms.exit_signal import signal
from sim.state import MarketState

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
#: Positions in :data:`TIES` of the ties a kernel reads or sets (kernels take the ties as one tuple, in this order).
TENURE, TRUST, BOND = TIES.index("tenure"), TIES.index("trust"), TIES.index("bond")
SATISFACTION, EXPECTATION = TIES.index("satisfaction"), TIES.index("expectation")
CONTRACT, POINTS, PROMO, UPSELL = (TIES.index(n) for n in ("contract_left", "points", "promo_left", "upsell"))

#: Columns of :func:`firm_table`, one row per firm slot (the last row: no firm).
PRICE, FACTOR, ACQ, EXIT_FEE, TAILORING, DECLINE, ACTIVE, SIGNAL, NEW_PRICE, TERM, DISCOUNT_MONTHS, PROMISED, REF = (
    range(13)
)


def firm_table(m: MarketState) -> np.ndarray:
    """(slots + 1, 13) what a choice reads of each firm; ``REF`` is its market's reference price (1 for no firm)."""
    lv, fs, F = m.levers, m.firms, m.firms_per_market
    ref = np.append(np.repeat(m.reference_prices(), F), 1.0)
    new_price = lv.price * fs.price_factor * (1 - lv.acquisition_discount) / ref - 1
    promised = lv.over_promise if m.mechanisms.advertising else np.zeros_like(lv.over_promise)
    columns = (lv.price, fs.price_factor, lv.acquisition_discount, lv.exit_fee, lv.tailoring, lv.decline_poor_fit)
    rest = (signal(m), new_price, lv.contract_term, lv.discount_months, promised, ref)
    return np.column_stack((*columns, fs.active.astype(float), *rest))


@njit(cache=True, inline="always")
def fit_of(d2: float, width: float) -> float:  # pragma: no cover - compiled
    """How well an offer meets needs at squared distance ``d2`` (``MarketState.fit_at``): a Gaussian of ``width``."""
    return math.exp(-d2 / (2 * width**2))


@njit(cache=True, inline="always")
def staying_of(  # pragma: no cover - compiled
    fit: float,
    trust: float,
    bond: float,
    sensitivity: float,
    relative_paid: float,
    weight_fit: float,
    weight_trust: float,
    weight_bond: float,
    weight_price: float,
) -> float:
    """Utility of staying: fit, trust, bond and the price actually paid relative to the market (``relative_paid``)."""
    return weight_fit * fit + weight_trust * trust + weight_bond * bond - weight_price * sensitivity * relative_paid


@njit(cache=True, inline="always")
def joining_of(  # pragma: no cover - compiled
    fit: float,
    opinion: float,
    sensitivity: float,
    relative_new_price: float,
    signal: float,
    weight_fit: float,
    weight_trust: float,
    weight_price: float,
) -> float:
    """Utility of joining: fit of the tailored offer, opinion, new-customer price, the exit terms' signal."""
    u = weight_fit * fit + weight_trust * opinion - weight_price * sensitivity * relative_new_price
    return u + weight_trust * signal


@njit(cache=True, inline="always")
def exit_cost_of(contract_left: int, exit_fee: float, points: float) -> float:  # pragma: no cover - compiled
    """Exit fee (while the contract runs) plus loyalty points lost, in monthly prices."""
    return (exit_fee if contract_left > 0 else 0.0) + points


@njit(cache=True, inline="always")
def joining_at(  # pragma: no cover - compiled
    i: int,
    h: int,
    j: int,
    table: np.ndarray,
    positions: np.ndarray,
    needs: np.ndarray,
    opinion: np.ndarray,
    sensitivity: float,
    width: float,
    weight_fit: float,
    weight_trust: float,
    weight_price: float,
) -> tuple[float, float]:
    """Fit of firm slot ``h``'s tailored offer (local firm ``j``) for customer ``i``, and the utility of joining it
    (-inf where the firm declines the customer or is not in the market)."""
    d2 = 0.0
    for d in range(needs.shape[1]):
        need, position = np.float64(needs[i, d]), positions[j, d]
        d2 += (need - (position + table[h, TAILORING] * (need - position))) ** 2
    fit = fit_of(d2, width)
    if not (fit >= table[h, DECLINE] and table[h, ACTIVE] > 0):
        return fit, -np.inf
    u = joining_of(
        fit, opinion[i, j], sensitivity, table[h, NEW_PRICE], table[h, SIGNAL], weight_fit, weight_trust, weight_price
    )
    return fit, u


@njit(cache=True, inline="always")
def noise_row(  # pragma: no cover - compiled
    out: np.ndarray, key: np.ndarray, stream: int, month: int, customer: int, first: int, scale: float
) -> None:
    """``scale`` times a Gumbel draw for each option of ``out``: option ``k`` is word ``k % 4`` of block ``first + k // 4``."""
    for b in range((out.shape[0] + 3) // 4):
        u0, u1, u2, u3 = uniforms(key, stream, month, customer, first + b)
        k = 4 * b
        out[k] = scale * gumbel(u0)
        if k + 1 < out.shape[0]:
            out[k + 1] = scale * gumbel(u1)
        if k + 2 < out.shape[0]:
            out[k + 2] = scale * gumbel(u2)
        if k + 3 < out.shape[0]:
            out[k + 3] = scale * gumbel(u3)


@njit(cache=True)
def detach_one(  # pragma: no cover - compiled
    i: int, firm: np.ndarray, may_enter: np.ndarray, trapped: np.ndarray, ties: tuple[np.ndarray, ...]
) -> None:
    """End customer ``i``'s relationship: no firm, every tie cut, no return to the market the same month."""
    firm[i] = -1
    may_enter[i] = False
    trapped[i] = False
    for tie in literal_unroll(ties):
        tie[i] = 0


@njit(cache=True, inline="always")
def join_one(  # pragma: no cover - compiled
    i: int,
    h: int,
    j: int,
    table: np.ndarray,
    positions: np.ndarray,
    needs: np.ndarray,
    opinion: np.ndarray,
    firm: np.ndarray,
    ties: tuple[np.ndarray, ...],
    offer: np.ndarray,
    acquired: np.ndarray,
) -> None:
    """Customer ``i`` joins firm slot ``h`` (local firm ``j``): trust starts from the opinion and the exit terms'
    signal, expectation (and satisfaction) from the opinion and what advertising promised; the offer is the
    firm's, tailored; a contract and any new-customer discount start."""
    firm[i] = h
    o = np.float64(opinion[i, j])
    ties[TRUST][i] = min(max(o + table[h, SIGNAL], 0.0), 1.0)
    expected = min(o + table[h, PROMISED], 1.0)
    ties[EXPECTATION][i] = expected
    ties[SATISFACTION][i] = expected
    for d in range(needs.shape[1]):
        offer[i, d] = positions[j, d] + table[h, TAILORING] * (needs[i, d] - positions[j, d])
    ties[CONTRACT][i] = int(table[h, TERM])
    ties[PROMO][i] = int(table[h, DISCOUNT_MONTHS]) if table[h, ACQ] > 0 else 0
    acquired[h] += 1.0


@njit(cache=True, inline="always")
def choose(  # pragma: no cover - compiled
    i: int,
    base: int,
    noise: np.ndarray,
    outside_option: float,
    sensitivity: float,
    width: float,
    weight_fit: float,
    weight_trust: float,
    weight_price: float,
    table: np.ndarray,
    positions: np.ndarray,
    needs: np.ndarray,
    opinion: np.ndarray,
    firm: np.ndarray,
    ties: tuple[np.ndarray, ...],
    offer: np.ndarray,
    acquired: np.ndarray,
) -> None:
    """Customer ``i`` without a firm joins the best firm of their market (slots from ``base``) if it beats the
    outside option; ``noise`` holds each firm's logit noise and, last, the outside option's."""
    n_local = positions.shape[0]
    best, best_u = -1, -np.inf
    for j in range(n_local):
        u = (
            joining_at(
                i,
                base + j,
                j,
                table,
                positions,
                needs,
                opinion,
                sensitivity,
                width,
                weight_fit,
                weight_trust,
                weight_price,
            )[1]
            + noise[j]
        )
        if u > best_u:
            best, best_u = j, u
    if best >= 0 and best_u > outside_option + noise[n_local]:
        join_one(i, base + best, best, table, positions, needs, opinion, firm, ties, offer, acquired)
