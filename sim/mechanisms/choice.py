"""One customer's choice of firm, compiled: the scalar rules of ``switching`` and the per-firm table they read.

Staying, joining, the cost of leaving, joining and leaving itself are each written once
here, as ``@njit`` functions on one customer, and called by the kernels of
``switching`` (the month's choices), ``firms`` (customers of a firm that left choose
again) and by the array functions of ``switching`` that other code asks
(``joining_utility``, ``staying_utility``, ...). A customer of market ``r`` chooses among
that market's firms, slots ``r * F .. r * F + F - 1``; their opinion of local firm ``j``
is column ``j``.

Logit noise (McFadden 1974: each option's utility plus an independent Gumbel of scale
``choice_noise``) is drawn through the Gumbel's max-stability rather than option by
option: the best of the options is option ``k`` with probability
``exp(V_k / s) / sum exp(V / s)``, and the best value is ``s * log(sum exp(V / s))`` plus a
Gumbel of scale ``s``, independent of which option it is (Train 2009, *Discrete Choice
Methods with Simulation*, ch. 3). So a choice among any number of options costs one
uniform for which option wins, and comparing the winner with a noisy alternative one
more: the difference of two Gumbels is a logistic variate.
"""

from __future__ import annotations

import numpy as np
from numba import literal_unroll, njit

from sim import numerics
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
    """(slots + 1, 13) what a choice reads of each firm; ``REF`` is its market's reference price (1 for no firm).

    Made once for as long as what it is made of stays the same (a month's choices read one table); kernels
    only read it."""
    lv, fs, b, on = m.levers, m.firms, m.behaviour, m.mechanisms
    arrays: list[np.ndarray] = [
        lv.price,
        fs.price_factor,
        lv.acquisition_discount,
        lv.exit_fee,
        lv.tailoring,
        lv.decline_poor_fit,
    ]
    arrays += [fs.active, lv.contract_term, lv.discount_months, lv.over_promise, lv.loyalty_points]
    key = (b"".join(a.tobytes() for a in arrays), b.term_burden, b.exit_signal_scale, b.exit_signal_strength)
    table: np.ndarray = m.memo("firm_table", (*key, on.exit_signal, on.advertising), lambda: _firm_table(m))
    return table


def _firm_table(m: MarketState) -> np.ndarray:
    lv, fs, F = m.levers, m.firms, m.firms_per_market
    ref = np.append(np.repeat(m.reference_prices(), F), 1.0)
    new_price = lv.price * fs.price_factor * (1 - lv.acquisition_discount) / ref - 1
    promised = lv.over_promise if m.mechanisms.advertising else np.zeros_like(lv.over_promise)
    columns = (lv.price, fs.price_factor, lv.acquisition_discount, lv.exit_fee, lv.tailoring, lv.decline_poor_fit)
    rest = (signal(m), new_price, lv.contract_term, lv.discount_months, promised, ref)
    return np.column_stack((*columns, fs.active.astype(float), *rest))


@njit(cache=True, error_model="numpy", inline="always")
def fit_of(d2: float, width: float) -> float:  # pragma: no cover - compiled
    """How well an offer meets needs at squared distance ``d2``: a Gaussian of ``width``."""
    return numerics.exp(-d2 / (2 * width**2))


@njit(cache=True, error_model="numpy", inline="always")
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


@njit(cache=True, error_model="numpy", inline="always")
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


@njit(cache=True, error_model="numpy", inline="always")
def exit_cost_of(contract_left: int, exit_fee: float, points: float) -> float:  # pragma: no cover - compiled
    """Exit fee (while the contract runs) plus loyalty points lost, in monthly prices."""
    return (exit_fee if contract_left > 0 else 0.0) + points


@njit(cache=True, error_model="numpy", inline="always")
def tailored_of(position: float, need: float, tailoring: float) -> float:  # pragma: no cover - compiled
    """One dimension of a firm's offer to a customer: its standard offer moved ``tailoring`` of the way to the need."""
    return position + tailoring * (need - position)


@njit(cache=True, error_model="numpy", inline="always")
def gap_of(need: float, position: float, tailoring: float) -> float:  # pragma: no cover - compiled
    """One dimension's part of the squared distance between a need and a firm's offer tailored to it."""
    return (need - tailored_of(position, need, tailoring)) ** 2


@njit(cache=True, error_model="numpy", inline="always")
def joining_d2(  # pragma: no cover - compiled
    i: int, h: int, j: int, table: np.ndarray, positions: np.ndarray, needs: np.ndarray
) -> float:
    """Squared distance between customer ``i``'s needs and firm slot ``h``'s (local firm ``j``) tailored offer."""
    d2 = 0.0
    for d in range(needs.shape[1]):
        d2 += gap_of(np.float64(needs[i, d]), positions[j, d], table[h, TAILORING])
    return d2


@njit(cache=True, error_model="numpy", inline="always")
def offered(fit: float, decline: float, active: float) -> bool:  # pragma: no cover - compiled
    """Whether a firm offers to take a customer its tailored offer fits ``fit``: it is in the market and does
    not decline that fit (``decline``: the poorest fit it takes)."""
    return (fit >= decline) & (active > 0)


@njit(cache=True, error_model="numpy", inline="always")
def joining_from_fit(  # pragma: no cover - compiled
    fit: float,
    i: int,
    h: int,
    j: int,
    table: np.ndarray,
    opinion: np.ndarray,
    sensitivity: float,
    weight_fit: float,
    weight_trust: float,
    weight_price: float,
) -> float:
    """Customer ``i``'s utility of joining firm slot ``h`` (local firm ``j``) whose tailored offer fits them ``fit``
    (-inf where the firm declines the customer or is not in the market)."""
    if not offered(fit, table[h, DECLINE], table[h, ACTIVE]):
        return -np.inf
    return joining_of(
        fit, opinion[i, j], sensitivity, table[h, NEW_PRICE], table[h, SIGNAL], weight_fit, weight_trust, weight_price
    )


@njit(cache=True, error_model="numpy", inline="always")
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
    fit = fit_of(joining_d2(i, h, j, table, positions, needs), width)
    return fit, joining_from_fit(fit, i, h, j, table, opinion, sensitivity, weight_fit, weight_trust, weight_price)


@njit(cache=True, error_model="numpy", inline="always")
def logit_top(values: np.ndarray, first: int, n: int) -> tuple[int, float]:  # pragma: no cover - compiled
    """The highest of ``values[first:first + n]`` (the first of equal ones; -1 if all are -inf), and its value."""
    best, top = -1, -np.inf
    for k in range(n):
        best, top = higher_of(values[first + k], k, best, top)
    return best, top


@njit(cache=True, error_model="numpy", inline="always")
def higher_of(value: float, k: int, best: int, top: float) -> tuple[int, float]:  # pragma: no cover - compiled
    """Option ``k`` of ``value`` against the best so far (``best`` of ``top``): the best of them, the earlier of
    equal ones. Without a branch: which option is highest is a coin toss for the branch predictor."""
    higher = value > top
    return (k if higher else best), (value if higher else top)


@njit(cache=True, error_model="numpy", inline="always")
def logit_pick(  # pragma: no cover - compiled
    weights: np.ndarray, first: int, n: int, u: float
) -> tuple[int, float]:
    """Which option :func:`logit_best` picks once the weights ``weights[first + k] = exp((V_k - top) / scale)`` are
    known: the first whose running sum of weights passes ``u`` times their total (the last on offer if rounding
    leaves none); and the total (the best value is ``top + scale * log(total)``)."""
    total = 0.0
    for k in range(n):
        total += weights[first + k]
    target, acc, best, found = u * total, 0.0, -1, False
    for k in range(n):  # without a branch (adding a weight of 0 leaves the sum as it is)
        w = weights[first + k]
        acc += w
        on_offer = w > 0.0
        best = k if on_offer and not found else best
        found = found or (on_offer and acc > target)
    return best, total


@njit(cache=True, error_model="numpy", inline="always")
def logit_best(
    values: np.ndarray, weights: np.ndarray, scale: float, u: float
) -> tuple[int, float]:  # pragma: no cover - compiled
    """Which of ``values`` (utilities; -inf: not on offer) is best once each gets a Gumbel of ``scale``, from the
    uniform ``u``, and the best value's part that does not depend on the noise, ``scale * log(sum exp(V / scale))``
    (add ``scale`` times a Gumbel for the best value itself). ``weights`` is scratch of the same length. Without
    noise (``scale`` 0) the best is the highest value (the first of equal ones)."""
    n = values.shape[0]
    best, top = logit_top(values, 0, n)
    if not scale > 0.0 or top == -np.inf:
        return best, top
    for k in range(n):
        weights[k] = numerics.exp((values[k] - top) / scale)
    best, total = logit_pick(weights, 0, n, u)
    return best, top + scale * numerics.log(total)


@njit(cache=True, error_model="numpy")
def detach_one(  # pragma: no cover - compiled
    i: int, firm: np.ndarray, may_enter: np.ndarray, trapped: np.ndarray, ties: tuple[np.ndarray, ...]
) -> None:
    """End customer ``i``'s relationship: no firm, every tie cut, no return to the market the same month."""
    firm[i] = -1
    may_enter[i] = False
    trapped[i] = False
    for tie in literal_unroll(ties):
        tie[i] = 0


@njit(cache=True, error_model="numpy", inline="always")
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
        offer[i, d] = tailored_of(positions[j, d], np.float64(needs[i, d]), table[h, TAILORING])
    ties[CONTRACT][i] = int(table[h, TERM])
    ties[PROMO][i] = int(table[h, DISCOUNT_MONTHS]) if table[h, ACQ] > 0 else 0
    acquired[h] += 1.0


@njit(cache=True, error_model="numpy", inline="always")
def joining_values(  # pragma: no cover - compiled
    values: np.ndarray,
    i: int,
    base: int,
    own: int,
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
) -> None:
    """``values[j]``: customer ``i``'s utility of joining local firm ``j`` of their market (slots from ``base``;
    -inf for the slot ``own``, their own firm, -1 for none, and for a firm that declines them); last, the outside
    option: the options :func:`logit_best` chooses among."""
    n_local = positions.shape[0]
    for j in range(n_local):
        if base + j == own:
            values[j] = -np.inf
        else:
            values[j] = joining_at(
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
    values[n_local] = outside_option


@njit(cache=True, error_model="numpy", inline="always")
def choose(  # pragma: no cover - compiled
    i: int,
    base: int,
    values: np.ndarray,
    weights: np.ndarray,
    noise: float,
    u: float,
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
    outside option, each with logit noise of scale ``noise`` (:func:`logit_best`, from the uniform ``u``);
    ``values`` and ``weights`` are scratch for each firm of the market and, last, the outside option."""
    n_local = positions.shape[0]
    joining_values(
        values,
        i,
        base,
        -1,
        outside_option,
        sensitivity,
        width,
        weight_fit,
        weight_trust,
        weight_price,
        table,
        positions,
        needs,
        opinion,
    )
    best = logit_best(values, weights, noise, u)[0]
    if best < n_local and (noise > 0.0 or values[best] > outside_option):  # without noise a tie stays out
        join_one(i, base + best, best, table, positions, needs, opinion, firm, ties, offer, acquired)
