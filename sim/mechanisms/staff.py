"""Front-line staff as a pool per firm: strain, exhaustion and recovery.

Demanded surface acting - showing enthusiasm one does not feel - is the core
strain of emotional labour (Hochschild 1983; Grandey 2003); authority to decide
buffers it (Karasek 1979: demands with control strain less). Complaint load
beyond capacity and sales targets add strain. Exhaustion lowers service quality
(``service.service_quality``) and authenticity (``FirmState.authenticity``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.state import FloatArray, MarketState


@njit(cache=True, error_model="numpy", inline="always")
def strain_of(  # pragma: no cover - compiled
    surface_acting: float,
    staff_authority: float,
    load: float,
    sales_push: float,
    authority_buffer: float,
    overload_strain: float,
    target_strain: float,
) -> float:
    """One firm's monthly strain: surface acting (buffered by authority), overload, and sales pressure."""
    acting = surface_acting * (1.0 - authority_buffer * staff_authority)
    return acting + overload_strain * max(load - 1.0, 0.0) + target_strain * sales_push


@njit(cache=True, error_model="numpy")
def _staff_kernel(  # pragma: no cover - compiled
    surface_acting: np.ndarray,
    staff_authority: np.ndarray,
    load: np.ndarray,
    sales_push: np.ndarray,
    exhaustion: np.ndarray | None,
    out: np.ndarray,
    authority_buffer: float,
    overload_strain: float,
    target_strain: float,
    exhaustion_rate: float,
    recovery_rate: float,
) -> None:
    """Per firm slot: strain into ``out``; with ``exhaustion`` given, exhaustion moves (the no-firm slot stays 0)."""
    for f in range(len(out)):
        out[f] = strain_of(
            surface_acting[f],
            staff_authority[f],
            load[f],
            sales_push[f],
            authority_buffer,
            overload_strain,
            target_strain,
        )
        if exhaustion is not None:
            e = exhaustion[f]
            e += exhaustion_rate * out[f] * (1.0 - e) - recovery_rate * e
            exhaustion[f] = min(max(e, 0.0), 1.0) if f < len(out) - 1 else 0.0


def _staff(m: MarketState, exhaustion: np.ndarray | None) -> FloatArray:
    lv, b, fs = m.levers, m.behaviour, m.firms
    out: FloatArray = np.empty(len(fs.load))
    _staff_kernel(
        lv.surface_acting,
        lv.staff_authority,
        fs.load,
        fs.sales_push,
        exhaustion,
        out,
        b.authority_buffer,
        b.overload_strain,
        b.target_strain,
        b.exhaustion_rate,
        b.recovery_rate,
    )
    return out


def strain(m: MarketState) -> FloatArray:
    """Monthly strain per firm from surface acting, overload and sales pressure (:func:`strain_of` for each)."""
    return _staff(m, None)


def update_staff(m: MarketState) -> None:
    """Exhaustion grows with strain (saturating at 1) and recovers at a constant rate."""
    if not m.mechanisms.staff_exhaustion:
        return
    _staff(m, m.firms.exhaustion)


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
