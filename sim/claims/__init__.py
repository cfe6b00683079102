"""Claims of the essays as declared comparisons, tested across the plausible space (the claims atlas).

>>> from sim.claims import CLAIMS
>>> CLAIMS["exit_option_trust"].statement()
'trust (mean) is higher under permanent_exit than under loyalty_lock_in by more than 0.02, in year 5'
"""

from __future__ import annotations

from sim.claims import catalogue as _catalogue  # noqa: F401 - registers the shipped claims
from sim.claims.registry import CLAIMS, Arm, Claim, Window, lookup, register
from sim.claims.verdict import verdict

__all__ = ["CLAIMS", "Arm", "Claim", "Window", "lookup", "register", "verdict"]
