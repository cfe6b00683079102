"""Shared helpers: small markets that run in a fraction of a second."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

import sim
from sim.scenario import Scenario, preset_scenario

#: The behaviour and service scores before the status-quo calibration moved their defaults: a market in which
#: a mechanism test shows its effect under stated parameters (the calibrated defaults are in sim/params.py).
UNCALIBRATED = {
    "behaviour": {"choice_noise": 0.1, "inertia": 0.1, "trust_gain": 0.05, "weight_service": 0.35, "bond_gain": 0.08},
    "scores": {"silent_failure": 0.1, "neglected": 0.0, "resolved_later": 0.4},
}
UNCALIBRATED_SETTINGS = {f"{section}.{k}": v for section, values in UNCALIBRATED.items() for k, v in values.items()}

settings.register_profile("ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def small(
    policy: str = "business_as_usual",
    *,
    customers: int = 600,
    years: float = 4,
    seed: int = 1,
    levers: dict | None = None,
    burn_in_years: float = 0.0,
    **sections,
) -> Scenario:
    """A preset market, shrunk; ``levers`` override the focal firm's, ``sections`` replace schema sections.

    Without burn-in by default: mechanism tests compare runs on common random numbers from the same start,
    which needs no settled market, and stay fast; the burn-in has tests of its own (tests/test_burn_in.py).
    """
    data = preset_scenario(policy, customers=customers).model_dump()
    data.update(years=years, seed=seed, burn_in_years=burn_in_years)
    if levers:
        data["firms"][0]["levers"].update(levers)
    for name, changes in sections.items():
        if isinstance(changes, dict):
            data[name] = {**data.get(name, {}), **changes}
        else:
            data[name] = changes
    return Scenario.model_validate(data)


def focal(table: pd.DataFrame, column: str, last_years: float = 2.0) -> float:
    """Mean of ``column`` for the focal (first) firm over the last years of a run."""
    first = table["firm"].iloc[0]
    rows = table[(table["firm"] == first) & (table["year"] > table["year"].max() - last_years)]
    return float(rows[column].mean())


def market_mean(table: pd.DataFrame, column: str, last_years: float = 2.0) -> float:
    """Customer-weighted mean of ``column`` over all firms in the last years of a run."""
    rows = table[table["year"] > table["year"].max() - last_years].dropna(subset=[column])
    return float((rows[column] * rows["customers"]).sum() / rows["customers"].sum())


@pytest.fixture(scope="session")
def market_table() -> pd.DataFrame:
    """The default market (one firm per policy preset), 2 years, small."""
    return sim.run(sim.default_market(customers=500).with_changes(years=2, seed=5))
