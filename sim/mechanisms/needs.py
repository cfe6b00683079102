"""Customers change by themselves: needs drift and jump with life events.

Needs follow a mean-reverting random walk (Ornstein-Uhlenbeck in discrete time)
in a plane of needs, plus rare jumps at life events (moving house, a child, a
new job). A recession shifts everyone's needs at once (see ``shocks``).
"""

from __future__ import annotations

from sim.state import NEEDS_DIM, MarketState


def drift_needs(m: MarketState) -> None:
    """Move every customer's needs by a small random step and, rarely, a life-event jump."""
    c, spec, rng = m.customers, m.customer_spec, m.rng["needs"]
    step = rng.normal(0.0, spec.needs_volatility, (c.n, NEEDS_DIM))
    life_event = rng.random(c.n) < spec.life_event_rate
    jump = rng.normal(0.0, spec.life_event_size, (int(life_event.sum()), NEEDS_DIM))  # drawn on or off alike
    if m.mechanisms.needs_drift:
        c.needs += step - spec.needs_reversion * c.needs
    if m.mechanisms.life_events:
        c.needs[life_event] += jump
        c.triggered |= life_event
