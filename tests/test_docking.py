"""Docking (Axtell, Axelrod, Epstein & Cohen 1996, "Aligning simulation models"): the vectorised
engine and the per-agent Mesa reference in ``benchmarks/reference`` compute the same model.

For each scenario, 30 replications of each implementation on a small market (300 customers,
a year's burn-in, five years) give distributions of trust, bond, churn and customers per firm - for the focal
firm and for its rivals. Two-sample Kolmogorov-Smirnov and Welch's t-test must not tell the
implementations apart at a family-wise error of 1% (Bonferroni over every comparison of the
docking family). Besides four presets against business as usual, one market sets every lever
away from its business-as-usual value and has a firm that sells below cost and runs out of
reserves (its customers choose again), a firm that enters in year two, and re-steering firms. The same criterion must tell them apart when one rule differs: trust falling
only half as fast in the reference.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import sim
from sim.scenario import preset_scenario

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.reference import run_reference  # noqa: E402

pytestmark = pytest.mark.slow

#: A scandal at the focal firm, a rival's price war and a recession, one after another: every shock kind's
#: rules are docked (tests/test_shocks.py checks that no registered kind is missing here).
SHOCKS = (
    {"kind": "scandal", "year": 1.0, "firm": "Business as usual", "severity": 0.5},
    {"kind": "price_war", "year": 2.0, "firm": "Rival A", "severity": 0.3, "months": 12},
    {"kind": "recession", "year": 3.0, "severity": 0.8, "months": 12},
)
#: A focal firm that hides every failure in a market where failures are common: customers hold several
#: hidden defects at once, so the rule that each is discovered on its own is docked too.
HIDING = {"levers": {"transparency": 0.0}, "behaviour": {"base_failure": 0.25}}
#: Every lever off its business-as-usual value somewhere in the market, a firm that leaves, one that enters.
LEVERS_AND_FIRMS = [
    {
        "name": "Focal",
        "policy": "relationship_first",
        "levers": {
            "listening": 0.1,
            "transparency": 0.9,
            "surface_acting": 0.8,
            "service_decay": 0.5,
            "decline_poor_fit": 0.5,
            "loyalty_points": 0.03,
            "over_promise": 0.3,
            "service_capacity": 5.0,
            "marketing": 1.0,
        },
    },
    {"name": "Cheap", "policy": "budget_sales", "levers": {"price": 0.3}},  # far below cost: runs out of reserves
    {"name": "Locked", "policy": "loyalty_lock_in"},
    {"name": "Late", "policy": "business_as_usual", "enters_year": 2.0},
]
#: case -> (policy of the focal firm, shocks, changes to the scenario)
CASES: dict[str, tuple[str, tuple, dict]] = {
    "business_as_usual": ("business_as_usual", (), {}),
    "loyalty_lock_in": ("loyalty_lock_in", (), {}),
    "permanent_exit": ("permanent_exit", (), {}),
    "budget_sales": ("budget_sales", (), {}),
    "shocks": ("business_as_usual", SHOCKS, {}),
    "hidden_defects": ("business_as_usual", (), HIDING),
    "levers_and_firms": ("business_as_usual", (), {"firms": LEVERS_AND_FIRMS, "mechanisms": {"re_steering": True}}),
}
SCENARIOS = tuple(CASES)
REPLICATIONS, CUSTOMERS, YEARS, BURN_IN = 25, 300, 5, 1.0
OUTCOMES = ("trust", "bond", "churn", "customers")
GROUPS = ("focal", "rivals")
#: Bonferroni: every scenario, outcome, firm group and test of the docking family shares 1 %. A false alarm
#: costs a change its landing (seeds are fixed, so it recurs until the draws change), while a real rule
#: difference such as a halved trust asymmetry shows in the rivals' trust at p ~ 1e-8; 1 % keeps false alarms
#: rare without losing that power.
ALPHA = 0.01 / (len(SCENARIOS) * len(OUTCOMES) * len(GROUPS) * 2)


def scenario(case: str, **behaviour) -> sim.Scenario:
    policy, shocks, changes = CASES[case]
    data = preset_scenario(policy, customers=CUSTOMERS).model_dump()
    data.update(years=YEARS, burn_in_years=BURN_IN, shocks=list(shocks))
    data["firms"][0]["levers"].update(changes.get("levers", {}))
    if "firms" in changes:
        data["firms"] = changes["firms"]
    data["mechanisms"].update(changes.get("mechanisms", {}))
    data["behaviour"].update({**changes.get("behaviour", {}), **behaviour})
    return sim.Scenario.model_validate(data)


def summary(table) -> dict[str, float]:
    """Trust, bond and customers at the end, churn over the run: the focal firm, and the rivals' mean."""
    focal = table["firm"] == table["firm"].iloc[0]
    last = table["step"] == table["step"].max()
    out = {}
    for group, rows in (("focal", focal), ("rivals", ~focal)):
        end = table[rows & last]
        out[f"{group}_trust"] = end["trust"].mean()  # a firm that has left (no customers) is skipped
        out[f"{group}_bond"] = end["bond"].mean()
        out[f"{group}_customers"] = end["customers"].mean()
        out[f"{group}_churn"] = table[rows].groupby("firm")["churned"].sum().mean()
    return out


@cache
def engine_runs(case: str) -> dict[str, np.ndarray]:
    return _stack([summary(sim.run(scenario(case), seed=k)) for k in range(REPLICATIONS)])


@cache
def reference_runs(case: str, **behaviour) -> dict[str, np.ndarray]:
    s = scenario(case, **behaviour)
    return _stack([summary(run_reference(s, seed=10_000 + k)) for k in range(REPLICATIONS)])


def _stack(rows: list[dict[str, float]]) -> dict[str, np.ndarray]:
    return {key: np.array([r[key] for r in rows]) for key in rows[0]}


def disagreements(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> dict[str, float]:
    """Outcomes whose distributions differ (KS or Welch p below ``ALPHA``), with the smaller p."""
    out = {}
    for key in a:
        p = min(stats.ks_2samp(a[key], b[key]).pvalue, stats.ttest_ind(a[key], b[key], equal_var=False).pvalue)
        if p < ALPHA:
            out[key] = p
    return out


@pytest.mark.parametrize("case", SCENARIOS)
def test_engine_and_reference_dock(case):
    engine, reference = engine_runs(case), reference_runs(case)
    assert set(engine) == {f"{g}_{o}" for g in GROUPS for o in OUTCOMES}
    assert all(np.isfinite(v).all() for v in (*engine.values(), *reference.values()))
    assert disagreements(engine, reference) == {}


def test_a_real_rule_difference_is_detected():
    """Trust falling half as fast in the reference only must break the docking.

    It shows in the rivals' trust (three firms pooled), at p of about 1e-8. One firm's trust moves by less
    than its spread from run to run (about 0.01, p about 5e-4 after a year's burn-in, where trust also falls
    with every defect found and every disclosure, whatever the asymmetry), short of the family's threshold.
    """
    halved = sim.Scenario.model_fields["behaviour"].default_factory().trust_asymmetry / 2
    engine = engine_runs("business_as_usual")
    reference = reference_runs("business_as_usual", trust_asymmetry=halved)
    found = disagreements(engine, reference)
    assert "rivals_trust" in found
    assert reference["focal_trust"].mean() > engine["focal_trust"].mean()  # the focal firm's trust moves the same way


def test_the_market_with_firm_exit_and_entry_has_both():
    """The levers-and-firms case really has a firm leaving and one entering, in both implementations."""
    s = scenario("levers_and_firms")
    for table in (sim.run(s, seed=1), run_reference(s, seed=1)):
        end = table[table["step"] == table["step"].max()].set_index("firm")
        assert end.loc["Cheap", "active"] == 0 and end.loc["Cheap", "customers"] == 0
        assert end.loc["Late", "active"] == 1 and end.loc["Late", "customers"] > 0
