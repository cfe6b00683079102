"""Customers change by themselves: needs drift and jump with life events.

Needs follow a mean-reverting random walk (Ornstein-Uhlenbeck in discrete time)
in a plane of needs, plus rare jumps at life events (moving house, a child, a
new job). A recession shifts everyone's needs at once (see ``shocks``).

Draws (stream ``needs``): block 0 gives the step (two normals) and the life-event draw;
block 1, taken only at a life event, gives the jump.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.draws import CHUNK, STREAM_ID, chunk_buffer, fill_normals, fill_uniforms, normals, uniforms
from sim.state import MarketState

_STREAM = STREAM_ID["needs"]


def drift_needs(m: MarketState) -> None:
    """Move every customer's needs by a small random step and, rarely, a life-event jump."""
    c, spec, on = m.customers, m.customer_spec, m.mechanisms
    if not (on.needs_drift or on.life_events):
        return
    _drift_kernel(
        m.keys,
        m.elapsed,
        m.customers_per_market,
        c.needs,
        c.triggered,
        spec.needs_volatility,
        spec.needs_reversion,
        spec.life_event_rate,
        spec.life_event_size,
        bool(on.needs_drift),
        bool(on.life_events),
    )


@njit(cache=True, error_model="numpy")
def _drift_kernel(  # pragma: no cover - compiled
    keys: np.ndarray,
    month: int,
    per_market: int,
    needs: np.ndarray,
    triggered: np.ndarray,
    volatility: float,
    reversion: float,
    life_event_rate: float,
    life_event_size: float,
    drift: bool,
    life_events: bool,
) -> None:
    """Each customer's needs: ``needs += step - reversion * needs``, then a jump at a life event."""
    n_markets = needs.shape[0] // per_market
    ubuf, zbuf = chunk_buffer(), np.empty((2, CHUNK))
    for r in range(n_markets):
        key = keys[r]
        for start in range(0, per_market, CHUNK):
            count = min(CHUNK, per_market - start)
            fill_uniforms(ubuf, key, _STREAM, month, start, count, 0)
            if drift:
                fill_normals(zbuf, ubuf, count)  # the steps: normals of u0 and u1
            for t in range(count):
                li = start + t
                i = r * per_market + li
                x, y = float(needs[i, 0]), float(needs[i, 1])
                if drift:
                    x += volatility * zbuf[0, t] - reversion * x
                    y += volatility * zbuf[1, t] - reversion * y
                if life_events and ubuf[2, t] < life_event_rate:
                    v0, v1, _, _ = uniforms(key, _STREAM, month, li, 1)
                    j0, j1 = normals(v0, v1)
                    x += life_event_size * j0
                    y += life_event_size * j1
                    triggered[i] = True
                needs[i, 0] = x
                needs[i, 1] = y
