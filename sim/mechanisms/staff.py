"""Front-line staff as a pool per firm: strain, exhaustion and recovery.

Demanded surface acting - showing enthusiasm one does not feel - is the core
strain of emotional labour (Hochschild 1983; Grandey 2003); authority to decide
buffers it (Karasek 1979: demands with control strain less). Complaint load
beyond capacity and sales targets add strain. Exhaustion lowers service quality
(``service.service_quality``) and authenticity (``FirmState.authenticity``).
"""

from __future__ import annotations

import numpy as np

from sim.state import FloatArray, MarketState


def strain(m: MarketState) -> FloatArray:
    """Monthly strain per firm from surface acting, overload and sales pressure."""
    lv, b, fs = m.levers, m.behaviour, m.firms
    acting = lv.surface_acting * (1 - b.authority_buffer * lv.staff_authority)
    overload = b.overload_strain * np.maximum(fs.load - 1.0, 0.0)
    return acting + overload + b.target_strain * fs.sales_push


def update_staff(m: MarketState) -> None:
    """Exhaustion grows with strain (saturating at 1) and recovers at a constant rate."""
    if not m.mechanisms.staff_exhaustion:
        return
    b, e = m.behaviour, m.firms.exhaustion
    e += b.exhaustion_rate * strain(m) * (1 - e) - b.recovery_rate * e
    np.clip(e, 0.0, 1.0, out=e)
    e[-1] = 0.0


def displayed_enthusiasm(m: MarketState) -> np.ndarray:
    """What demanded surface acting adds to a good encounter's score and warmth, per firm (may be negative).

    Displayed enthusiasm lifts a customer's encounter while staff still have the energy to
    perform it (Grandey 2003: surface acting is seen through less often by fresh staff); as
    the same demand exhausts them it reads as fake and costs more than it gives (Hülsheger &
    Schewe 2011, meta-analysis: surface acting goes with exhaustion and lower performance).
    The lift is ``acting_lift * surface_acting`` with fresh staff, falls linearly with
    exhaustion, and is zero at ``acting_exposure``.
    """
    b, lv = m.behaviour, m.levers
    return b.acting_lift * lv.surface_acting * (1.0 - m.firms.exhaustion / b.acting_exposure)
