"""The exit option as a signal: what a firm demands to let a customer go is seen before joining.

A contract term, an exit fee and loyalty points that are lost on leaving are printed on
the offer. A firm that lets customers go at any time and at no cost signals that it
expects to keep them by serving them (signalling, Spence 1973; a costly commitment is
credible because a firm that serves badly would lose by it, Kirmani & Rao 2000);
a firm that ties them signals the opposite. The visible burden, in monthly prices, is

    exit fee (if there is a term) + term_burden * contract term + a year's loyalty points,

and freedom to leave is ``exp(-burden / exit_signal_scale)`` (1 = leave any month for
free). The signal, ``exit_signal_strength * (2 * freedom - 1)``, is added to a new
customer's starting trust and, weighted like trust, to the utility of joining; freedom
also lowers how much being held breeds resentment (reactance, Brehm 1966: a freedom one
knows one has is less fiercely defended). With the mechanism off, or the strength 0, the
terms only tie.
"""

from __future__ import annotations

import numpy as np

from sim.params import Behaviour
from sim.state import FirmTable, MarketState

YEAR = 12  # months of loyalty points counted in the visible burden


def freedom(m: MarketState) -> np.ndarray:
    """Per firm (F + 1): how free a customer is to leave, as seen before joining (1 = no term, fee or points)."""
    lv, b = m.levers, m.behaviour
    key = (lv.contract_term.tobytes(), lv.exit_fee.tobytes(), lv.loyalty_points.tobytes(), b.term_burden)
    out: np.ndarray = m.memo("freedom", (*key, b.exit_signal_scale), lambda: _freedom(lv, b))
    return out


def _freedom(lv: FirmTable, b: Behaviour) -> np.ndarray:
    burden = np.where(lv.contract_term > 0, lv.exit_fee, 0.0) + b.term_burden * lv.contract_term
    burden = burden + YEAR * lv.loyalty_points
    out = np.exp(-burden / b.exit_signal_scale)
    out.flags.writeable = False  # kept for later calls (MarketState.memo): no caller may change it
    return out


def signal(m: MarketState) -> np.ndarray:
    """Per firm (F + 1): trust a new customer gains (or loses, under lock-in) from the firm's exit terms."""
    if not m.mechanisms.exit_signal:
        return np.zeros(m.n_firms + 1)
    return m.behaviour.exit_signal_strength * (2.0 * freedom(m) - 1.0)


def reactance_relief(m: MarketState) -> np.ndarray:
    """Per firm (F + 1): factor on the growth of resentment while held (1 = none taken away)."""
    if not m.mechanisms.exit_signal:
        return np.ones(m.n_firms + 1)
    return 1.0 - m.behaviour.exit_signal_strength * freedom(m)
