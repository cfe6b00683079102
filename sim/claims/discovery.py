"""Scenario discovery: the boxes of the uncertainty space in which a claim fails (PRIM).

PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999), as used for
scenario discovery by Bryant & Lempert (2010), peels the space down to a box
that holds many of the points where a claim fails (*coverage*: the share of all
failures inside the box) and few where it holds (*density*: the share of the
box's points that fail). The implementation is EMA Workbench's
(``ema_workbench.analysis.prim``, Kwakkel 2017), an optional extra:
``pip install "crsim[atlas]"``. Of the boxes on PRIM's peeling trajectory the
one reported is the box of greatest coverage among those whose density
reaches the threshold and that restrict at most three parameters, so that its
conditions can be said in one sentence.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.scenario import ScenarioError

MAX_DIMENSIONS = 3


@dataclass(frozen=True)
class Box:
    """A box of the uncertainty space: the limits of its restricted parameters and how well it fits the failures."""

    limits: dict[str, tuple[float, float]] = field(default_factory=dict)
    coverage: float = 0.0
    density: float = 0.0
    mass: float = 0.0

    def contains(self, points: pd.DataFrame) -> np.ndarray:
        inside = np.ones(len(points), dtype=bool)
        for name, (low, high) in self.limits.items():
            inside &= (points[name] >= low) & (points[name] <= high)
        return inside


def require_prim():
    """EMA Workbench's PRIM module; a one-line error naming the extra to install when it is missing."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ema_workbench warns about optional parallel back-ends at import
            from ema_workbench.analysis import prim
    except ImportError:
        raise ScenarioError('scenario discovery needs EMA Workbench: pip install "crsim[atlas]"') from None
    return prim


def failure_box(
    points: pd.DataFrame,
    fails: np.ndarray,
    bounds: dict[str, tuple[float, float]],
    *,
    density: float = 0.8,
    mass_min: float = 0.05,
) -> Box | None:
    """The box in which the claim fails (None when it never fails or no box is dense enough).

    A claim that fails everywhere gets the whole space (no limits, coverage and density 1).
    """
    fails = np.asarray(fails, dtype=bool)
    if not fails.any():
        return None
    if fails.all():
        return Box({}, 1.0, 1.0, 1.0)
    prim = require_prim()
    x = points[list(bounds)].astype(float).reset_index(drop=True)
    import logging

    logging.getLogger("EMA").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        algorithm = prim.Prim(x, fails.astype(int), threshold=0.0, peel_alpha=0.05, mass_min=mass_min)
        found = algorithm.find_box()
    assert found is not None
    candidates = [_box(lims, x, fails, bounds) for lims in found.box_lims]
    fitting = [b for b in candidates if b.density >= density and len(b.limits) <= MAX_DIMENSIONS]
    if not fitting:
        return None
    return max(fitting, key=lambda b: (b.coverage, -len(b.limits), b.density))


def _box(lims: pd.DataFrame, x: pd.DataFrame, fails: np.ndarray, bounds: dict[str, tuple[float, float]]) -> Box:
    """A box from PRIM's limits (rows 0 and 1: lower and upper), its statistics counted on the points."""
    limits = {}
    for name, (low, high) in bounds.items():
        box_low, box_high = float(lims.loc[0, name]), float(lims.loc[1, name])
        restrict_low, restrict_high = box_low > x[name].min(), box_high < x[name].max()
        if restrict_low or restrict_high:
            limits[name] = (box_low if restrict_low else low, box_high if restrict_high else high)
    inside = Box(limits).contains(x)
    hits = int((inside & fails).sum())
    return Box(limits, float(hits / fails.sum()), hits / max(int(inside.sum()), 1), float(inside.mean()))


def number(value: float) -> str:
    """A parameter value as a facilitator reads it: three significant digits."""
    return f"{value:.3g}"


def conditions(box: Box, bounds: dict[str, tuple[float, float]], label) -> str:
    """The box's limits in words: 'how fast needs drift is below 0.02 and price sensitivity is above 0.61'."""
    if not box.limits:
        return "throughout the plausible space"
    parts = []
    for name, (low, high) in box.limits.items():
        full_low, full_high = bounds[name]
        lower, upper = low > full_low, high < full_high
        if lower and upper:
            parts.append(f"{label(name)} is between {number(low)} and {number(high)}")
        elif lower:
            parts.append(f"{label(name)} is above {number(low)}")
        else:
            parts.append(f"{label(name)} is below {number(high)}")
    return " and ".join(parts)
