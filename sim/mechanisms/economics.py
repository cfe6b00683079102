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
from numba import njit

from sim.state import MarketState


@njit(cache=True, error_model="numpy", inline="always")
def price_paid_of(  # pragma: no cover - compiled
    price: float, price_factor: float, acquisition_discount: float, promo_left: int, upsell: float
) -> float:
    """What one customer pays their firm this month: list price, less a running new-customer discount, plus
    pushed add-ons (the rule of every kernel that needs it)."""
    discount = acquisition_discount if promo_left > 0 else 0.0
    return price * price_factor * (1 - discount) + upsell * price


@njit(cache=True, error_model="numpy", inline="always")
def decayed_share(service_decay: float, tenure: int, horizon: float) -> float:  # pragma: no cover - compiled
    """Share of service quality one customer's firm has let decay with tenure (``service.service_quality``)."""
    return service_decay * min(tenure / horizon, 1.0)


def settle_accounts(m: MarketState) -> None:
    """Book this month's revenue, costs and profit per firm into the tally."""
    c, e, lv, t, fs = m.customers, m.economics, m.levers, m.tally, m.firms
    customers, paid, decayed = np.zeros(m.n_firms + 1), np.zeros(m.n_firms + 1), np.zeros(m.n_firms + 1)
    _settle_kernel(
        c.firm,
        c.points,
        c.promo_left,
        c.upsell,
        c.tenure,
        lv.price,
        fs.price_factor,
        lv.acquisition_discount,
        lv.service_decay,
        m.behaviour.points_redemption,
        m.behaviour.tenure_horizon,
        customers,
        paid,
        decayed,
        t.points_redeemed,
    )
    t.revenue[:] = paid + t.exit_fees
    t.costs[:] = (
        e.service_cost * (customers - e.decay_saving * decayed)
        + e.complaint_cost * t.complaints_handled
        + e.capacity_cost * fs.staff
        + e.disclosure_cost * t.disclosed
        + e.points_cost * t.points_redeemed
        + (e.empowerment_cost * lv.staff_authority + e.tailoring_cost * lv.tailoring) * customers
        + e.acquisition_cost * t.acquired
        + e.marketing_cost * lv.marketing * m.customers_per_market  # advertising reaches the firm's whole market
    )
    t.costs[~fs.active] = 0.0
    t.profit[:] = t.revenue - t.costs
    np.copyto(fs.customers_end, customers)


@njit(cache=True, error_model="numpy")
def _settle_kernel(  # pragma: no cover - compiled
    firm: np.ndarray,
    points: np.ndarray,
    promo_left: np.ndarray,
    upsell: np.ndarray,
    tenure: np.ndarray,
    price: np.ndarray,
    price_factor: np.ndarray,
    acquisition_discount: np.ndarray,
    service_decay: np.ndarray,
    redemption: float,
    horizon: float,
    customers: np.ndarray,
    paid: np.ndarray,
    decayed: np.ndarray,
    points_redeemed: np.ndarray,
) -> None:
    """One pass: customers redeem ``redemption`` of their points (the firm books their value, price times points);
    customers, prices paid and decayed service are summed per firm."""
    for i in range(firm.shape[0]):
        redeemed = redemption * np.float64(points[i])
        points[i] = points[i] - redeemed
        g = firm[i]
        if g < 0:
            continue
        points_redeemed[g] += redeemed * price[g]
        customers[g] += 1.0
        paid[g] += price_paid_of(price[g], price_factor[g], acquisition_discount[g], promo_left[i], upsell[i])
        decayed[g] += decayed_share(service_decay[g], tenure[i], horizon)
