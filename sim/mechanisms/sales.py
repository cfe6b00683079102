"""Firm-initiated contact: sales pitches, care contacts, and listening to drifting needs.

A firm contacts some customers each month. Under sales pressure a contact is a
pitch: it annoys, and when accepted it adds a pushed offer that raises the price
and may not fit (push selling). Otherwise it is a care contact, which warms those
who want a relationship and mildly annoys those who just want to buy.
Sales targets (budgets) make pressure rise when acquisitions fall short.
Listening moves each customer's offer towards their current needs.
"""

from __future__ import annotations

import numpy as np

from sim.state import MarketState


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
    c, b, lv, f = m.customers, m.behaviour, m.levers, m.slot
    rng = m.rng["sales"]
    u = rng.random((3, c.n))
    c.annoyance[:] = 0.0
    if not m.mechanisms.sales_contacts:
        return
    contacted = c.attached & (u[0] < lv.contact_rate[f])
    pitch = contacted & (u[1] < m.firms.sales_push[f])
    care = contacted & ~pitch
    accepted = pitch & (u[2] < b.pitch_acceptance * (1 - c.price_sensitivity))
    c.offer[accepted] += rng.normal(0.0, b.push_misfit, (int(accepted.sum()), c.needs.shape[1]))
    c.upsell[accepted] += b.upsell_price
    c.annoyance[pitch] = b.sales_annoyance
    c.annoyance[care] = b.care_annoyance * b.sales_annoyance * (1 - c.relationship_need[care])
    c.warmth[care] = np.maximum(c.warmth[care], c.relationship_need[care] * m.firms.authenticity[f][care])
    c.triggered |= pitch
    m.tally.add("pitches", f, pitch)
    m.tally.add("accepted_pitches", f, accepted)
    m.tally.add("care_contacts", f, care)


def listen_and_adapt(m: MarketState) -> None:
    """Firms that listen move each customer's offer part of the way to their current needs."""
    c = m.customers
    rate = m.levers.listening[m.slot]
    c.offer += rate[:, None] * (c.needs - c.offer)
