"""The relationship typology: the essays' language for where a relationship stands.

Every customer with a firm is exactly one of (checked in this order):

* ``trapped``   - wants to leave but is held by contract or points;
* ``estranged`` - trust below 0.35: the relationship has broken down inside;
* ``devoted``   - trust and emotional bond both at least 0.6: partners, fans;
* ``routine``   - together two years or more, trust at least 0.5, little bond: the old married couple;
* ``open``      - everyone else: shopping around, an open relationship.
"""

from __future__ import annotations

import numpy as np

from sim.state import CustomerState

TYPES = ("devoted", "routine", "open", "trapped", "estranged")
ESTRANGED_TRUST, DEVOTED_LEVEL, ROUTINE_TENURE, ROUTINE_TRUST = 0.35, 0.6, 24, 0.5


def classify(c: CustomerState) -> np.ndarray:
    """Index into :data:`TYPES` for every customer; -1 for customers without a firm."""
    kind = np.full(c.n, TYPES.index("open"))
    kind[(c.tenure >= ROUTINE_TENURE) & (c.trust >= ROUTINE_TRUST)] = TYPES.index("routine")
    kind[(c.trust >= DEVOTED_LEVEL) & (c.bond >= DEVOTED_LEVEL)] = TYPES.index("devoted")
    kind[c.trust < ESTRANGED_TRUST] = TYPES.index("estranged")
    kind[c.trapped] = TYPES.index("trapped")
    kind[~c.attached] = -1
    return kind
