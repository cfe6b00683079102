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
from numba import njit

from sim.params import Measures
from sim.state import CustomerState

TYPES = ("devoted", "routine", "open", "trapped", "estranged")
DEVOTED, ROUTINE, OPEN, TRAPPED, ESTRANGED = range(len(TYPES))


@njit(cache=True, error_model="numpy", inline="always")
def type_of(  # pragma: no cover - compiled
    tenure: int,
    trust: float,
    bond: float,
    trapped: bool,
    routine_tenure: float,
    routine_trust: float,
    devoted_level: float,
    estranged_trust: float,
) -> int:
    """Index into :data:`TYPES` of one customer with a firm (the checks in the order of the module docstring: the
    first that holds decides, so they are applied here last to first, without a branch)."""
    kind = OPEN
    kind = ROUTINE if (tenure >= routine_tenure) & (trust >= routine_trust) else kind
    kind = DEVOTED if (trust >= devoted_level) & (bond >= devoted_level) else kind
    kind = ESTRANGED if trust < estranged_trust else kind
    return TRAPPED if trapped else kind


def thresholds(measures: Measures | None = None) -> tuple[float, float, float, float]:
    """The typology's thresholds as :func:`type_of` takes them."""
    th = Measures() if measures is None else measures
    return float(th.routine_tenure), th.routine_trust, th.devoted_level, th.estranged_trust


def classify(c: CustomerState, measures: Measures | None = None) -> np.ndarray:
    """Index into :data:`TYPES` for every customer; -1 for customers without a firm."""
    out: np.ndarray = _classify_kernel(c.firm, c.tenure, c.trust, c.bond, c.trapped, *thresholds(measures))
    return out


@njit(cache=True, error_model="numpy")
def _classify_kernel(  # pragma: no cover - compiled
    firm: np.ndarray,
    tenure: np.ndarray,
    trust: np.ndarray,
    bond: np.ndarray,
    trapped: np.ndarray,
    routine_tenure: float,
    routine_trust: float,
    devoted_level: float,
    estranged_trust: float,
) -> np.ndarray:
    kind = np.empty(firm.shape[0], dtype=np.int64)
    for i in range(firm.shape[0]):
        if firm[i] < 0:
            kind[i] = -1
        else:
            kind[i] = type_of(
                tenure[i], trust[i], bond[i], trapped[i], routine_tenure, routine_trust, devoted_level, estranged_trust
            )
    return kind
