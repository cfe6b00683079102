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
