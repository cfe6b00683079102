"""Every parameter that replaced a constant is wired in: changing it alone changes what a run reports."""

from __future__ import annotations

import pandas as pd
import pytest

import sim
from sim.params import Measures, ServiceScores

from conftest import small

#: dotted name -> a value away from the default
CHANGES = {
    **{f"scores.{name}": 0.55 for name in ServiceScores.model_fields},
    **{f"measures.{name}": 0.5 for name in Measures.model_fields},
    "measures.routine_tenure": 12,
    "measures.routine_trust": 0.7,
    "measures.devoted_level": 0.2,
    "customers.seeker_need": 0.95,
    "customers.buyer_need": 0.05,
    "customers.needs_spread": 0.6,
    "customers.firm_radius": 0.6,
    "customers.recession_contraction": 0.0,
    "behaviour.voice_floor": 0.9,
    "behaviour.tenure_horizon": 24,
    "behaviour.satisfaction_memory": 0.9,
    "behaviour.care_annoyance": 1.0,
    "behaviour.pitch_acceptance": 1.0,
    "behaviour.target_gain": 5.0,
    "behaviour.advocacy_trust": 0.9,
    "behaviour.advocacy_satisfaction": 0.9,
    "behaviour.advocacy_bond": 0.9,
    "behaviour.authority_buffer": 1.0,
    "behaviour.bad_month": 0.9,
}
#: one recession so that its parameter has something to act on
RECESSION = [{"kind": "recession", "year": 0.5, "severity": 0.8, "months": 6}]
DYNAMICS = ["customers", "trust", "bond", "satisfaction", "churned", "profit", "reputation"]


def run_with(name: str | None = None, value=None) -> pd.DataFrame:
    data = small(customers=300, years=2, seed=3, shocks=RECESSION).model_dump()
    if name:
        section, field = name.split(".")
        data[section][field] = value
    return sim.run(sim.Scenario.model_validate(data))


@pytest.fixture(scope="module")
def base() -> pd.DataFrame:
    return run_with()


@pytest.mark.parametrize("name", CHANGES)
def test_parameter_changes_the_run(name, base):
    assert not run_with(name, CHANGES[name]).equals(base)


@pytest.mark.parametrize("name", [n for n in CHANGES if n.startswith("measures.")])
def test_measures_change_what_is_reported_not_what_happens(name, base):
    """Reporting thresholds move the typology, the recommend balance and word of mouth, never the market."""
    pd.testing.assert_frame_equal(base[DYNAMICS], run_with(name, CHANGES[name])[DYNAMICS])
