"""The back office as staff a firm pays for: hired with a lag, and shared with contacts, listening and training.

The capacity a firm's customer base needs is ``service_capacity`` escalated complaints per
month per 100 customers; staff follow that need over ``hiring_lag`` months (recruiting and
onboarding take time; a firm that grows fast is understaffed, one that shrinks overstaffed),
and the firm pays for the staff it has, not for the staff it needs. Out of that staff time
come care and sales contacts (``contact_time`` per contact), listening to customers'
drifting needs (``listening_time`` per customer and unit of listening) and training for
authority and tailoring (``training_time``); what is left works through complaints
(``service.serve_customers``). Contacts and listening are counted at the firm's contact
rate and listening level over last month's customers: planned time, not this month's draws.
"""

from __future__ import annotations

import numpy as np

from sim.state import MarketState


def needed_capacity(m: MarketState) -> np.ndarray:
    """Back-office capacity (complaints per month) the customers at the start of the month call for."""
    return m.levers.service_capacity / 100.0 * m.firms.customers_start


def hire_staff(m: MarketState) -> None:
    """Staff move a ``1 / hiring_lag`` part of the way towards the needed capacity; a firm out of the market has none."""
    fs = m.firms
    fs.staff += (needed_capacity(m) - fs.staff) / m.economics.hiring_lag
    fs.staff[~fs.active] = 0.0


def available_capacity(m: MarketState) -> np.ndarray:
    """Complaints per month the back office can work through after contacts, listening and training."""
    lv, e, n = m.levers, m.economics, m.firms.customers_start
    trained = m.firms.staff * (1.0 - e.training_time * (lv.staff_authority + lv.tailoring) / 2.0)
    contacts = e.contact_time * (lv.contact_rate if m.mechanisms.sales_contacts else 0.0) * n
    return np.maximum(trained - contacts - e.listening_time * lv.listening * n, 0.0)
