"""Sensitivity analysis recovers known indices of toy functions through the experiment's own design and analysis."""

from __future__ import annotations

import numpy as np
import pytest

from sim.experiments import Design, Experiment
from sim.experiments.design import points, problem
from sim.experiments.report import indices

# Three stand-in parameters; their names only have to be known to the schema.
NAMES = ["behaviour.trust_gain", "behaviour.bond_gain", "behaviour.inertia"]


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Analytical first-order and total Sobol indices of the Ishigami function."""
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


def test_sobol_recovers_the_ishigami_indices():
    design = Design(kind="sobol", samples=2048, bounds={n: (-np.pi, np.pi) for n in NAMES})
    exp = Experiment(name="ishigami", seed=3, design=design)
    x = points(exp).to_numpy()
    table = indices("sobol", problem(design), x, ishigami(x), seed=3)
    s1, st = ishigami_indices()
    np.testing.assert_allclose(table["S1"], s1, atol=0.05)
    np.testing.assert_allclose(table["ST"], st, atol=0.05)
    assert (table["S1_conf"] > 0).all() and (table["ST_conf"] < 0.1).all()
    assert list(table["parameter"]) == NAMES


def test_morris_recovers_the_effects_of_a_linear_function():
    design = Design(kind="morris", samples=20, levels=4, bounds={n: (0.0, 1.0) for n in NAMES})
    x = points(Experiment(name="linear", seed=4, design=design)).to_numpy()
    coefficients = np.array([5.0, -1.0, 0.0])
    table = indices("morris", problem(design), x, x @ coefficients, levels=4, seed=4)
    np.testing.assert_allclose(table["mu_star"], np.abs(coefficients), atol=1e-9)
    np.testing.assert_allclose(table["mu"], coefficients, atol=1e-9)
    np.testing.assert_allclose(table["sigma"], 0.0, atol=1e-9)


def test_other_designs_have_no_indices():
    with pytest.raises(ValueError, match="latin_hypercube"):
        indices("latin_hypercube", {"num_vars": 1, "names": ["x"], "bounds": [[0, 1]]}, np.zeros((2, 1)), np.zeros(2))
