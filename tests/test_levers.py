"""No free lunches: every lever buys something and costs something, each side shown on seeds 1-3.

For each lever, the focal firm (business as usual otherwise) runs at a low and a high value of
the lever on the same customers (same seed); ``COSTS`` names a setting in which more of the
lever hurts an outcome, ``BENEFITS`` one in which it helps. A lever that only ever helped would
be free, one that only ever hurt would be pointless; both kinds of case fail if a rule loses
its cost or its benefit.

At the calibrated defaults one case loses its sign on one seed: the trust a firm gains by declining poor fits
(high - low = -0.002, +0.008, +0.009 on seeds 1-3; its cost, fewer customers, holds). That case runs in the
market before calibration (``UNCALIBRATED``), where the mechanism shows; that it blurs at the calibrated
defaults is a finding about the status quo, not a lost rule.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim

from conftest import UNCALIBRATED, focal, small

SEEDS = (1, 2, 3)
CUSTOMERS, YEARS = 1000, 5  # large and long enough that each lever's own effect outweighs the noise of who switches
CARE = {"sales_pressure": 0.0, "sales_target": 0.0}  # every contact a care contact
CARE_CONTACTS = {**CARE, "service_capacity": 10.0}
SAME_CUSTOMERS = {"switching": False}  # nobody switches: an outcome of the same customers, not of who joins

# (lever, low, high, focal levers held fixed, other scenario sections, outcome, sign of high - low, why)
COSTS = [
    ("surface_acting", 0.0, 1.0, {}, {}, "bond", -1, "acting exhausts staff, then reads as fake"),
    ("service_decay", 0.0, 0.6, {}, {}, "trust", -1, "long-standing customers get worse service"),
    ("transparency", 0.0, 1.0, {}, {"behaviour": {"defect_discovery": 0.0}}, "profit", -1, "disclosure costs"),
    (
        "listening",
        0.0,
        0.5,
        {"tailoring": 1.0},
        {"mechanisms": {"needs_drift": False, "life_events": False}},
        "trust",
        -1,
        "listening to needs that do not move only takes back-office time",
    ),
    ("contact_rate", 0.0, 0.3, CARE, {}, "profit", -1, "contacts take time a tight back office needs for complaints"),
    ("loyalty_points", 0.0, 0.1, {}, {"behaviour": {"points_redemption": 0.5}}, "profit", -1, "points are redeemed"),
    ("service_capacity", 10.0, 60.0, {}, {}, "profit", -1, "staff are paid whether needed or not"),
    ("staff_authority", 0.3, 0.9, {}, {"mechanisms": SAME_CUSTOMERS}, "profit", -1, "skills and time cost money"),
    ("tailoring", 0.2, 0.8, {}, {"economics": {"tailoring_cost": 0.5}}, "profit", -1, "tailored offers cost"),
    ("decline_poor_fit", 0.0, 0.6, {}, {}, "customers", -1, "declined applicants go elsewhere"),
]
BENEFITS = [
    (
        "surface_acting",
        0.0,
        1.0,
        {},
        {"mechanisms": {"staff_exhaustion": False, **SAME_CUSTOMERS}},
        "trust",
        +1,
        "a lifted moment",
    ),
    ("service_decay", 0.0, 0.6, {}, {"mechanisms": {"switching": False}}, "profit", +1, "decayed service is cheaper"),
    ("transparency", 0.0, 1.0, {}, {}, "trust", +1, "no deception found out later"),
    (
        "listening",
        0.0,
        0.2,
        {"service_capacity": 10.0},
        {},
        "trust",
        +1,
        "offers follow drifting needs (staffed for it)",
    ),
    ("contact_rate", 0.0, 0.3, CARE_CONTACTS, {}, "bond", +1, "care contacts warm those who want a partner"),
    ("loyalty_points", 0.0, 0.1, {}, {}, "churned", -1, "points tie customers: fewer leave"),
    ("service_capacity", 1.0, 10.0, {}, {}, "trust", +1, "complaints do not wait"),
    ("staff_authority", 0.3, 0.9, {}, {}, "trust", +1, "problems solved at first contact"),
    ("tailoring", 0.2, 0.8, {}, {"mechanisms": SAME_CUSTOMERS}, "trust", +1, "offers fit"),
    (
        "decline_poor_fit",
        0.0,
        0.6,
        {},
        {"mechanisms": {"needs_drift": False, "life_events": False}, **UNCALIBRATED},  # see the module docstring
        "trust",
        +1,
        "the customers it keeps fit its offer (and, their needs steady, go on fitting it)",
    ),
]


def effect(lever, low, high, fixed, sections, outcome, seed) -> float:
    def run(value):
        return focal(
            sim.run(small(levers={**fixed, lever: value}, customers=CUSTOMERS, years=YEARS, seed=seed, **sections)),
            outcome,
        )

    return run(high) - run(low)


def _ids(cases):
    return [c[0] for c in cases]


@pytest.mark.parametrize("lever,low,high,fixed,sections,outcome,sign,why", COSTS, ids=_ids(COSTS))
def test_each_lever_has_a_cost(lever, low, high, fixed, sections, outcome, sign, why):
    effects = [effect(lever, low, high, fixed, sections, outcome, s) for s in SEEDS]
    assert all(np.sign(e) == sign for e in effects), f"{lever} ({why}): {outcome} high - low = {effects}"


@pytest.mark.parametrize("lever,low,high,fixed,sections,outcome,sign,why", BENEFITS, ids=_ids(BENEFITS))
def test_each_lever_has_a_benefit(lever, low, high, fixed, sections, outcome, sign, why):
    effects = [effect(lever, low, high, fixed, sections, outcome, s) for s in SEEDS]
    assert all(np.sign(e) == sign for e in effects), f"{lever} ({why}): {outcome} high - low = {effects}"


def test_every_lever_the_brief_names_has_both_sides():
    named = {
        "surface_acting",
        "service_decay",
        "transparency",
        "listening",
        "contact_rate",
        "loyalty_points",
        "service_capacity",
        "staff_authority",
        "tailoring",
        "decline_poor_fit",
    }
    assert {c[0] for c in COSTS} == {c[0] for c in BENEFITS} == named


def test_growth_congests_while_staff_are_hired():
    """A firm that grows fast waits for staff: a long hiring lag leaves complaints queueing."""
    queues = []
    for seed in SEEDS:
        slow, fast = (
            focal(
                sim.run(small("relationship_first", customers=500, years=3, seed=seed, economics={"hiring_lag": lag})),
                "complaint_queue",
                last_years=3,
            )
            for lag in (24.0, 1.0)
        )
        queues.append(slow - fast)
    assert all(q > 0 for q in queues), queues


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_decline_poor_fit_binds_in_the_selective_preset(seed):
    """In the market before calibration, where customers choose noisily; at the calibrated defaults (choice
    noise 0.03) hardly anyone applies to a firm whose offer fits them badly, so declining rarely binds."""
    a = sim.run(small("selective", customers=500, years=3, seed=seed, **UNCALIBRATED))
    b = sim.run(small("selective", customers=500, years=3, seed=seed, levers={"decline_poor_fit": 0.0}, **UNCALIBRATED))
    assert focal(a, "acquired", 3) < focal(b, "acquired", 3)


def test_the_lever_factorial_moves_each_recommended_lever_between_its_two_values():
    from pathlib import Path

    from sim.experiments import load_experiment

    exp = load_experiment(Path(__file__).resolve().parent.parent / "experiments" / "lever_factorial.toml")
    bau, rf = sim.POLICIES["business_as_usual"].levers, sim.POLICIES["relationship_first"].levers
    moved = {k for k, v in rf.model_dump().items() if v != bau.model_dump()[k]} - {"discount_months"}
    assert {name.removeprefix("levers.") for name in exp.design.values} == moved
    for name, values in exp.design.values.items():
        lever = name.removeprefix("levers.")
        assert values == [getattr(bau, lever), getattr(rf, lever)]
