"""Firms that must pay their way: reserves, leaving the market when they run out, and entry.

Every firm starts with reserves of ``starting_reserves`` monthly prices per customer of an
equal share of the market; each month's profit or loss is added to them. A firm whose
reserves fall below zero leaves the market at the end of the month (exit of unprofitable
firms, Jovanovic 1982; Hopenhayn 1992): its customers are released, with every tie cut,
and choose again at once among the firms still in the market, or stay out. A scenario
may name firms that enter later (``FirmSpec.enters_year``); an entrant starts with the
same reserves, no customers and no staff, and is known only through word of mouth and
advertising from then on. Released customers who join another firm count among its
acquisitions but cost it nothing to win (they came unasked). Both are switchable (``mechanisms.firm_exit``, ``firm_entry``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.draws import STREAM_ID, uniforms
from sim.mechanisms.choice import TIES, choose, detach_one, firm_table
from sim.mechanisms.relationship import sensitivity_now
from sim.state import FloatArray, MarketState

_FIRMS = STREAM_ID["firms"]


def starting_reserves(m: MarketState) -> FloatArray:
    """Per firm slot: reserves of a firm entering its market (at the start or later), in money units."""
    R, F = m.markets, m.firms_per_market
    mean_price = m.levers.price[:-1].reshape(R, F).mean(axis=1)
    if m.entry_month is None:
        at_start = np.full(R, F)
    else:  # one entry month per firm of a market, or per firm slot of the state
        entry = np.asarray(m.entry_month).reshape(-1, F)
        at_start = np.broadcast_to(np.maximum(np.sum(entry == 0, axis=1), 1), (R,))
    per_market = m.economics.starting_reserves * mean_price * m.customers_per_market / at_start
    out: FloatArray = np.repeat(per_market, F)
    return out


def enter_firms(m: MarketState) -> None:
    """Firms whose entry month has come join the market with fresh reserves and staff."""
    if m.entry_month is None or not m.mechanisms.firm_entry:
        return
    if m.month <= 0:
        return
    entering = np.flatnonzero(np.resize(m.entry_month, m.n_firms) == m.month)
    if not len(entering):
        return
    fs = m.firms
    fs.active[entering] = True
    fs.reserves[entering] = starting_reserves(m)[entering]
    fs.exhaustion[entering] = 0.0
    fs.staff[entering] = 0.0


def settle_reserves(m: MarketState) -> None:
    """Add the month's profit to reserves; a firm out of money leaves and its customers choose again.

    The books open with the first recorded month: profits and losses of the burn-in, while the
    market settles from its random start, are not the firms' to carry.
    """
    if m.month <= 0:
        return
    fs, F = m.firms, m.n_firms
    fs.reserves[:F] += np.where(fs.active[:F], m.tally.profit[:F], 0.0)
    if not m.mechanisms.firm_exit:
        return
    leaving = fs.active & (fs.reserves < 0)
    leaving[-1] = False
    if not leaving.any():
        return
    fs.active[leaving] = False
    c, b = m.customers, m.behaviour
    w = (b.fit_width, b.weight_fit, b.weight_trust, b.weight_price, m.recession)
    ties = tuple(getattr(c, name) for name in TIES)
    state = (c.firm, c.may_enter, c.trapped, ties, c.needs, c.offer, c.opinion, c.price_sensitivity)
    table, positions = firm_table(m), np.ascontiguousarray(m.positions, dtype=np.float64)
    args = (m.keys, m.elapsed, m.customers_per_market, leaving, b.choice_noise, b.outside_option, *w, table, positions)
    _release_kernel(*args, *state, m.tally.acquired)
    m.firms_changed()
    fs.customers_end[:F] = np.bincount(m.slot, minlength=F + 1)[:F]


@njit(cache=True, error_model="numpy")
def _release_kernel(  # pragma: no cover - compiled
    keys: np.ndarray,
    month: int,
    n_market: int,
    leaving: np.ndarray,
    noise: float,
    outside_option: float,
    width: float,
    wf: float,
    wt: float,
    wp: float,
    recession: float,
    table: np.ndarray,
    positions: np.ndarray,
    firm: np.ndarray,
    may_enter: np.ndarray,
    trapped: np.ndarray,
    ties: tuple[np.ndarray, ...],
    needs: np.ndarray,
    offer: np.ndarray,
    opinion: np.ndarray,
    sensitivity: np.ndarray,
    acquired: np.ndarray,
) -> None:
    """Customers of a leaving firm are released, every tie cut, and choose again at once among the firms still in
    their market (logit noise, ``choice.logit_best``: one draw), or stay out."""
    n_local = positions.shape[0]
    values = np.empty(n_local + 1)  # each firm of the market, then the outside option
    weights = np.empty(n_local + 1)
    for i in range(firm.shape[0]):
        g = firm[i]
        if g < 0 or not leaving[g]:
            continue
        detach_one(i, firm, may_enter, trapped, ties)
        r = i // n_market
        u0, _, _, _ = uniforms(keys[r], _FIRMS, month, i - r * n_market, 0)
        sens = sensitivity_now(sensitivity[i], recession)
        choose(
            i,
            r * n_local,
            values,
            weights,
            noise,
            u0,
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
