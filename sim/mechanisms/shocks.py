"""Events a scenario schedules (or a facilitator fires): scandal, price war, recession.

* scandal - the firm's reputation and its customers' trust drop by ``severity`` at once;
* price war - the firm cuts its price by ``severity`` for ``months``;
* recession - everyone's needs shift towards the basic end of the market at once, and
  price sensitivity rises by ``severity`` (relative) for ``months``.
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.params import Shock
from sim.state import MarketState

RECESSION_SHIFT = 0.5  # distance needs move (times severity) when a recession starts


def start_month(shock: Shock) -> int:
    """The step at which a shock starts (years are converted to months, first month = 1)."""
    return max(1, round(shock.year * 12))


def apply_shocks(m: MarketState, shocks: Sequence[Shock], firm_index: dict[str, int]) -> None:
    """Start what starts this month; keep price wars and recessions going while they last."""
    c = m.customers
    m.firms.price_factor[:] = 1.0
    m.recession = 0.0
    for shock in shocks:
        start = start_month(shock)
        active = start <= m.month < start + shock.months
        if shock.kind == "scandal" and shock.firm is not None and m.month == start:
            g = firm_index[shock.firm]
            c.opinion[:, g] *= 1 - shock.severity
            hit = c.firm == g
            c.trust[hit] *= 1 - shock.severity
            c.triggered |= hit
        elif shock.kind == "price_war" and shock.firm is not None and active:
            m.firms.price_factor[firm_index[shock.firm]] *= 1 - shock.severity
        elif shock.kind == "recession" and active:
            m.recession = max(m.recession, shock.severity)
            if m.month == start:
                c.needs[:, 0] -= RECESSION_SHIFT * shock.severity
