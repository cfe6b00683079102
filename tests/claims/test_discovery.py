"""PRIM finds a planted failure box; holding everywhere or failing everywhere need no search."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.claims.discovery import Box, conditions, failure_box

BOUNDS = {"a.x": (0.0, 1.0), "a.y": (0.0, 1.0), "a.z": (0.0, 1.0)}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_prim_finds_the_box_where_failures_were_planted(seed):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(0, 1, (300, 3)), columns=list(BOUNDS))
    fails = ((x["a.x"] < 0.3) & (x["a.y"] > 0.5)).to_numpy()
    box = failure_box(x, fails, BOUNDS)
    assert box is not None and set(box.limits) == {"a.x", "a.y"}
    assert box.limits["a.x"][0] == 0.0 and abs(box.limits["a.x"][1] - 0.3) < 0.05
    assert box.limits["a.y"][1] == 1.0 and abs(box.limits["a.y"][0] - 0.5) < 0.05
    assert box.coverage >= 0.8 and box.density >= 0.8
    inside = box.contains(x)
    assert np.isclose(box.coverage, (inside & fails).sum() / fails.sum())
    assert np.isclose(box.density, (inside & fails).sum() / inside.sum())
    words = conditions(box, BOUNDS, lambda n: n.split(".")[1])
    assert words.startswith("x is below 0.") and " and y is above 0." in words


def test_no_failure_means_no_box_and_failing_everywhere_means_the_whole_space():
    x = pd.DataFrame(np.random.default_rng(0).uniform(0, 1, (20, 3)), columns=list(BOUNDS))
    assert failure_box(x, np.zeros(20, bool), BOUNDS) is None
    whole = failure_box(x, np.ones(20, bool), BOUNDS)
    assert whole == Box({}, 1.0, 1.0, 1.0) and conditions(whole, BOUNDS, str) == "throughout the plausible space"


def test_scattered_failures_give_no_box_dense_enough():
    rng = np.random.default_rng(5)
    x = pd.DataFrame(rng.uniform(0, 1, (200, 3)), columns=list(BOUNDS))
    fails = rng.uniform(size=200) < 0.2  # failures unrelated to any parameter
    assert failure_box(x, fails, BOUNDS, density=0.8) is None


def test_a_box_between_two_limits_reads_between():
    box = Box({"a.x": (0.2, 0.6)})
    assert conditions(box, BOUNDS, lambda n: "drift") == "drift is between 0.2 and 0.6"
