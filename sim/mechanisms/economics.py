"""Firm economics: what customers pay and what serving and winning them costs.

Revenue is the price each customer pays (list price, less a new customer's
discount, plus pushed add-ons) plus exit fees collected. Costs: serving each
customer, handling complaints, keeping back-office capacity, staff with authority
and tailored offers, winning each new customer, and advertising to the whole market.
Back-office capacity is paid for the staff the firm has (``capacity.hire_staff``). Service
that decays with tenure is cheaper to give (``decay_saving``); disclosing a defect costs
handling (``disclosure_cost``); loyalty points are redeemed month by month at a cost
(``points_cost``), and the points customers hold are a liability on the books
(``metrics.points_liability``). A firm out of the market books nothing.
"""

from __future__ import annotations

import numpy as np

from sim.state import MarketState, by_slot


def settle_accounts(m: MarketState) -> None:
    """Book this month's revenue, costs and profit per firm into the tally."""
    c, e, lv, t, F = m.customers, m.economics, m.levers, m.tally, m.n_firms
    customers = by_slot(m.slot, F, c.attached)
    redeem_points(m)
    t.revenue[:] = by_slot(m.slot, F, c.attached, m.price_paid()) + t.exit_fees
    t.costs[:] = (
        e.service_cost * (customers - e.decay_saving * by_slot(m.slot, F, c.attached, decayed_service(m)))
        + e.complaint_cost * t.complaints_handled
        + e.capacity_cost * m.firms.staff
        + e.disclosure_cost * t.disclosed
        + e.points_cost * t.points_redeemed
        + (e.empowerment_cost * lv.staff_authority + e.tailoring_cost * lv.tailoring) * customers
        + e.acquisition_cost * t.acquired
        + e.marketing_cost * lv.marketing * c.n
    )
    t.costs[~m.firms.active] = 0.0
    t.profit[:] = t.revenue - t.costs
    np.copyto(m.firms.customers_end, customers)


def decayed_service(m: MarketState) -> np.ndarray:
    """Per customer: share of service quality the firm has let decay with tenure (``service.service_quality``)."""
    return m.levers.service_decay[m.slot] * np.minimum(m.customers.tenure / m.behaviour.tenure_horizon, 1.0)


def redeem_points(m: MarketState) -> None:
    """Customers redeem ``points_redemption`` of their balance; the firm books its value (price times points)."""
    c = m.customers
    redeemed = m.behaviour.points_redemption * c.points
    c.points -= redeemed
    m.tally.add("points_redeemed", m.slot, c.attached, redeemed * m.levers.price[m.slot])
