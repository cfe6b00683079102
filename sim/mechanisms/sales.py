"""Firm-initiated contact: sales pitches, care contacts, and listening to drifting needs.

A firm contacts some customers each month. Under sales pressure a contact is a
pitch: it annoys, and when accepted it adds a pushed offer that raises the price
and may not fit (push selling). Otherwise it is a care contact, which warms those
who want a relationship and mildly annoys those who just want to buy.
Sales targets (budgets) make pressure rise when acquisitions fall short.
Listening moves each customer's offer towards their current needs.

Draws (stream ``sales``): block 0 gives contact, pitch and acceptance; block 1, taken only when a
pitch is accepted, gives the pushed offer's misfit (two normals).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.draws import CHUNK, STREAM_ID, chunk_buffer, fill_uniforms, normals, uniforms
from sim.state import MarketState

_STREAM = STREAM_ID["sales"]


def set_sales_pressure(m: MarketState) -> None:
    """Budget-driven firms push harder when last month's acquisitions missed the target.

    In the first month there is no last month, so no shortfall either.
    """
    lv, fs = m.levers, m.firms
    acquired_rate = m.tally.acquired / np.maximum(fs.customers_start, 1.0)
    measured = (lv.sales_target > 0) & (m.elapsed > 1)
    shortfall = np.where(measured, np.clip(1 - acquired_rate / np.maximum(lv.sales_target, 1e-9), 0, 1), 0.0)
    fs.sales_push[:] = np.clip(lv.sales_pressure * (1 + m.behaviour.target_gain * shortfall), 0, 1)


def contact_customers(m: MarketState) -> None:
    """Pitches (accepted or not) and care contacts; effects land in annoyance, warmth, offer and upsell."""
    c, b, lv, t = m.customers, m.behaviour, m.levers, m.tally
    if not m.mechanisms.sales_contacts:
        c.annoyance[:] = 0.0
        return
    _contact_kernel(
        m.keys,
        m.elapsed,
        m.customers_per_market,
        m.slot,
        c.price_sensitivity,
        c.relationship_need,
        c.offer,
        c.upsell,
        c.annoyance,
        c.warmth,
        c.triggered,
        lv.contact_rate,
        m.firms.sales_push,
        m.firms.authenticity,
        b.pitch_acceptance,
        b.push_misfit,
        b.upsell_price,
        b.sales_annoyance,
        b.care_annoyance,
        t.pitches,
        t.accepted_pitches,
        t.care_contacts,
    )


@njit(cache=True, error_model="numpy")
def _contact_kernel(  # pragma: no cover - compiled
    keys: np.ndarray,
    month: int,
    per_market: int,
    slot: np.ndarray,
    price_sensitivity: np.ndarray,
    relationship_need: np.ndarray,
    offer: np.ndarray,
    upsell: np.ndarray,
    annoyance: np.ndarray,
    warmth: np.ndarray,
    triggered: np.ndarray,
    contact_rate: np.ndarray,
    sales_push: np.ndarray,
    authenticity: np.ndarray,
    pitch_acceptance: float,
    push_misfit: float,
    upsell_price: float,
    sales_annoyance: float,
    care_annoyance: float,
    n_pitches: np.ndarray,
    n_accepted: np.ndarray,
    n_care: np.ndarray,
) -> None:
    """Each attached customer may be contacted: a pitch (perhaps accepted) or a care contact."""
    no_firm = len(contact_rate) - 1
    n_markets = len(slot) // per_market
    ubuf = chunk_buffer()
    contacted = np.empty(CHUNK, dtype=np.int64)  # the chunk's customers their firm contacts, in order
    for r in range(n_markets):
        key = keys[r]
        for start in range(0, per_market, CHUNK):
            count, first = min(CHUNK, per_market - start), r * per_market + start
            fill_uniforms(ubuf, key, _STREAM, month, start, count, 0)
            n_contacted = 0
            for t in range(count):  # no annoyance without a contact; the contacted listed without a branch
                i = np.uint64(first + t)
                f = np.uint64(slot[i])
                annoyance[i] = 0.0
                contacted[n_contacted] = t
                n_contacted += (f != no_firm) & (ubuf[0, t] < contact_rate[f])
            for k in range(n_contacted):
                t = contacted[k]
                li = start + t
                i = first + t
                f = slot[i]
                u1, u2 = ubuf[1, t], ubuf[2, t]
                if u1 < sales_push[f]:
                    n_pitches[f] += 1.0
                    annoyance[i] = sales_annoyance
                    triggered[i] = True
                    if u2 < pitch_acceptance * (1.0 - price_sensitivity[i]):
                        n_accepted[f] += 1.0
                        v0, v1, _, _ = uniforms(key, _STREAM, month, li, 1)
                        e0, e1 = normals(v0, v1)
                        offer[i, 0] += push_misfit * e0
                        offer[i, 1] += push_misfit * e1
                        upsell[i] += upsell_price
                else:
                    n_care[f] += 1.0
                    need = float(relationship_need[i])
                    annoyance[i] = care_annoyance * sales_annoyance * (1.0 - need)
                    warmth[i] = max(float(warmth[i]), need * authenticity[f])


def listen_and_adapt(m: MarketState) -> None:
    """Firms that listen move each customer's offer part of the way to their current needs."""
    c = m.customers
    _listen_kernel(m.slot, m.levers.listening, c.needs, c.offer)


@njit(cache=True, error_model="numpy")
def _listen_kernel(  # pragma: no cover - compiled
    slot: np.ndarray, listening: np.ndarray, needs: np.ndarray, offer: np.ndarray
) -> None:
    """``offer += listening * (needs - offer)`` for every customer (no firm: listening 0)."""
    for i in range(len(slot)):  # without a branch: a rate of 0 leaves the offer as it is, bit for bit
        rate = listening[slot[i]]
        offer[i, 0] += rate * (float(needs[i, 0]) - offer[i, 0])
        offer[i, 1] += rate * (float(needs[i, 1]) - offer[i, 1])
