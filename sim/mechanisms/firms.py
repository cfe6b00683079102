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

from sim.mechanisms.switching import detach, join, joining_utility
from sim.state import MarketState


def starting_reserves(m: MarketState) -> float:
    """Reserves of a firm entering the market (at the start or later), in money units."""
    F = m.firms_per_market  # every market of a batch is the same scenario: read the first
    firms_at_start = max(int(np.sum(m.entry_month[:F] == 0)), 1) if m.entry_month is not None else F
    price = float(np.mean(m.levers.price[:F]))
    return m.economics.starting_reserves * price * m.customers_per_market / firms_at_start


def enter_firms(m: MarketState) -> None:
    """Firms whose entry month has come join the market with fresh reserves and staff."""
    if m.entry_month is None or not m.mechanisms.firm_entry:
        return
    entering = np.flatnonzero((m.entry_month == m.month) & (m.month > 0))
    fs = m.firms
    fs.active[entering] = True
    fs.reserves[entering] = starting_reserves(m)
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
    leaving = np.flatnonzero(fs.active[:F] & (fs.reserves[:F] < 0))
    if not len(leaving):
        return
    fs.active[leaving] = False
    released = np.flatnonzero(np.isin(m.customers.firm, leaving))
    detach(m, released)
    fs.customers_end[leaving] = 0.0
    if not fs.active[:F].any() or not len(released):
        return
    b, rng = m.behaviour, m.rng["firms"]
    noise = b.choice_noise * rng.gumbel(size=(len(released), F + 1))
    options = joining_utility(m, released) + noise[:, :-1]
    best = np.argmax(options, axis=1)
    joins = options[np.arange(len(released)), best] > b.outside_option + noise[:, -1]
    join(m, released[joins], best[joins])
    fs.customers_end[:F] = np.bincount(m.slot, minlength=F + 1)[:F]
