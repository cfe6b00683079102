"""Firm economics: what customers pay and what serving and winning them costs.

Revenue is the price each customer pays (list price, less a new customer's
discount, plus pushed add-ons) plus exit fees collected. Costs: serving each
customer, handling complaints, keeping back-office capacity, staff with authority
and tailored offers, winning each new customer, and advertising to the whole market.
"""

from __future__ import annotations

import numpy as np

from sim.state import MarketState, by_slot


def settle_accounts(m: MarketState) -> None:
    """Book this month's revenue, costs and profit per firm into the tally."""
    c, e, lv, t, F = m.customers, m.economics, m.levers, m.tally, m.n_firms
    customers = by_slot(m.slot, F, c.attached)
    t.revenue[:] = by_slot(m.slot, F, c.attached, m.price_paid()) + t.exit_fees
    t.costs[:] = (
        e.service_cost * customers
        + e.complaint_cost * t.complaints_handled
        + e.capacity_cost * lv.service_capacity * customers / 100.0
        + (e.empowerment_cost * lv.staff_authority + e.tailoring_cost * lv.tailoring) * customers
        + e.acquisition_cost * t.acquired
        + e.marketing_cost * lv.marketing * c.n
    )
    t.costs[-1] = 0.0
    t.profit[:] = t.revenue - t.costs
    np.copyto(m.firms.customers_end, customers)
