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
    **{f"measures.{name}": (12 if name == "routine_tenure" else 0.5) for name in Measures.model_fields},
    "customers.seeker_need": 0.95,
    "customers.buyer_need": 0.05,
    "customers.needs_spread": 0.6,
    "customers.firm_radius": 0.6,
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
}
#: one recession so that its parameter has something to act on
RECESSION = [{"kind": "recession", "year": 0.5, "severity": 0.8, "months": 6}]


def run_with(name: str | None = None, value=None) -> pd.DataFrame:
    data = small(customers=300, years=2, seed=3, shocks=RECESSION).model_dump()
    if name:
        section, field = name.split(".")
        data[section][field] = value
    if name and name.startswith("measures.") and data["measures"]["detractor"] > data["measures"]["promoter"]:
        data["measures"]["detractor"] = data["measures"]["promoter"]
    return sim.run(sim.Scenario.model_validate(data))


@pytest.mark.parametrize("name", [*CHANGES, "customers.recession_contraction"])
def test_parameter_changes_the_run(name):
    value = CHANGES.get(name, 0.0)
    assert not run_with(name, value).equals(run_with())


def test_measures_change_what_is_reported_not_what_happens():
    """Reporting thresholds move the typology and the recommend balance, never the market itself."""
    base = run_with()
    for name in Measures.model_fields:
        other = run_with(f"measures.{name}", CHANGES[f"measures.{name}"])
        dynamics = ["customers", "trust", "bond", "satisfaction", "churned", "profit", "reputation"]
        pd.testing.assert_frame_equal(base[dynamics], other[dynamics])
