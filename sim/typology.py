"""The relationship typology: the essays' language for where a relationship stands.

Every customer with a firm is exactly one of (checked in this order; thresholds are
``scenario.measures``, :class:`~sim.params.Measures`):

* ``trapped``   - wants to leave but is held by contract or points;
* ``estranged`` - trust below ``estranged_trust``: the relationship has broken down inside;
* ``devoted``   - trust and emotional bond both at least ``devoted_level``: partners, fans;
* ``routine``   - together ``routine_tenure`` months or more, trust at least ``routine_trust``, less bond:
  the old married couple;
* ``open``      - everyone else: shopping around, an open relationship.
"""

from __future__ import annotations

import numpy as np

from sim.params import Measures
from sim.state import CustomerState

TYPES = ("devoted", "routine", "open", "trapped", "estranged")


def classify(c: CustomerState, measures: Measures | None = None) -> np.ndarray:
    """Index into :data:`TYPES` for every customer; -1 for customers without a firm."""
    th = Measures() if measures is None else measures
    kind = np.full(c.n, TYPES.index("open"))
    kind[(c.tenure >= th.routine_tenure) & (c.trust >= th.routine_trust)] = TYPES.index("routine")
    kind[(c.trust >= th.devoted_level) & (c.bond >= th.devoted_level)] = TYPES.index("devoted")
    kind[c.trust < th.estranged_trust] = TYPES.index("estranged")
    kind[c.trapped] = TYPES.index("trapped")
    kind[~c.attached] = -1
    return kind
