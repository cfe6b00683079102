"""Where each parameter's default comes from: the literature, a definition, or calibration.

The ODD's parameter table (``python -m sim.generate``) reads :func:`source` for its "source"
column. A parameter with a prior in ``calibration/status_quo.toml`` is "calibrated"; one named
here has the reason given; every other default is an assumption of the model's authors,
marked as such, for a study to vary (``crsim sweep``) or to calibrate.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

CALIBRATION = Path(__file__).resolve().parent.parent / "calibration" / "status_quo.toml"
ASSUMED = "assumed (not calibrated yet)"

SOURCES: dict[str, str] = {
    "name": "bookkeeping",
    "description": "bookkeeping",
    "years": "choice of the study",
    "seed": "choice of the study",
    "burn_in_years": "measured: trust within 0.02 of its long-run level after 5 years (ODD section 5)",
    "customers.count": "choice of the study",
    "customers.seeker_need": "assumed; calibration target: relationship types (seed 004, Corporate Love Meter)",
    "customers.buyer_need": "assumed; calibration target: relationship types (seed 004, Corporate Love Meter)",
    "behaviour.trust_asymmetry": "Slovic 1993: trust is destroyed faster than it is built",
    "behaviour.voice_floor": "Hirschman 1970: voice needs some trust; assumed level",
    "behaviour.authority_buffer": "Karasek 1979 (job demand-control); assumed level",
    "behaviour.acting_lift": "Grandey 2003 (surface acting); assumed level",
    "behaviour.acting_exposure": "Hülsheger & Schewe 2011 (surface acting and exhaustion); assumed level",
    "behaviour.discovery_loss": "Slovic 1993 (a deception found out weighs more than a fault admitted); assumed level",
    "behaviour.points_redemption": "assumed (loyalty programmes' redemption rates)",
    "behaviour.exit_signal_strength": "Spence 1973, Kirmani & Rao 2000 (signalling); assumed level",
    "economics.points_cost": "assumed (rewards cost the firm less than their face value)",
    "economics.hiring_lag": "assumed (months to recruit and onboard)",
    "scores.resolved_first_contact": "de Matos, Henrique & Rossi 2007 (recovery paradox, meta-analysis)",
    "scores.resolved_later": "TARP 1986: quick resolution keeps most customers",
    "scores.neglected": "Bitner, Booms & Tetreault 1990; Maxham & Netemeyer 2002 (double deviation)",
    "measures.promoter": "Reichheld 2003 (net promoter score bands)",
    "measures.detractor": "Reichheld 2003 (net promoter score bands)",
}


@cache
def calibrated() -> dict[str, tuple[float, float]]:
    """Parameter -> prior bounds of the status-quo calibration (empty without the calibration file)."""
    if not CALIBRATION.exists():
        return {}
    with CALIBRATION.open("rb") as handle:
        table = tomllib.load(handle).get("parameters", {})
    return {name: (float(low), float(high)) for name, (low, high) in table.items()}


def source(name: str) -> str:
    """Where the default of parameter ``name`` (dotted, as in the ODD's table) comes from."""
    if name in calibrated():
        low, high = calibrated()[name]
        return f"calibrated: prior [{low:g}, {high:g}] in calibration/status_quo.toml"
    if name.startswith("firms[].levers."):
        return "a firm's decision (policy presets, sim/policies.py)"
    if name.startswith(("firms[].", "shocks[].", "mechanisms.")):
        return "choice of the study"
    return SOURCES.get(name, ASSUMED)
