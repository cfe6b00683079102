"""Burn-in, hidden defects found one by one, churn per customer-year, and a typology whose five types can
each be the largest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.mechanisms.service import serve_customers
from sim.scenario import BURN_IN_YEARS, Scenario
from sim.state import RecentMonths
from sim.typology import TYPES

from conftest import UNCALIBRATED, small


# -- burn-in -----------------------------------------------------------------------------------------------
def test_burn_in_months_are_simulated_but_not_recorded():
    """Step 0 after a year's burn-in is month 12 of the same market run without one; nothing before it is kept.

    Only the books differ: they open with the first recorded month, so after a burn-in every firm starts
    step 0 with its starting reserves, and from then on adds exactly each month's profit.
    """
    burnt = sim.run(small(customers=300, years=1, seed=4, burn_in_years=1))
    plain = sim.run(small(customers=300, years=2, seed=4))
    assert burnt["step"].min() == 0 and burnt["step"].max() == 12
    later = plain[plain["step"] >= 12].assign(step=lambda t: t["step"] - 12, year=lambda t: t["step"] / 12)
    pd.testing.assert_frame_equal(
        burnt.drop(columns="reserves").reset_index(drop=True), later.drop(columns="reserves").reset_index(drop=True)
    )
    start = plain[plain["step"] == 0]["reserves"].to_numpy()
    for _, firm in burnt.groupby("firm", sort=False):
        assert firm["reserves"].iloc[0] == pytest.approx(start[0])
        booked = firm["reserves"].iloc[0] + firm["profit"].where(firm["step"] > 0, 0.0).cumsum()
        np.testing.assert_allclose(firm["reserves"], booked, rtol=1e-9)
    assert not np.allclose(burnt["reserves"], later["reserves"])  # the burn-in's profits were not booked


def test_shocks_are_scheduled_after_the_burn_in():
    """A shock at year 0.5 strikes half a year after step 0, never in the burn-in."""
    shock = [{"kind": "scandal", "year": 0.5, "firm": "Rival A", "severity": 0.6}]
    quiet = sim.run(small(customers=300, years=1, seed=2, burn_in_years=1))
    hit = sim.run(small(customers=300, years=1, seed=2, burn_in_years=1, shocks=shock))
    pd.testing.assert_frame_equal(quiet[quiet["step"] < 6], hit[hit["step"] < 6])
    assert not quiet[quiet["step"] >= 6].equals(hit[hit["step"] >= 6])


def test_default_burn_in_settles_the_start():
    """The default market starts from a burn-in; its first recorded year moves far less than a cold start's."""
    assert Scenario.model_fields["burn_in_years"].default == BURN_IN_YEARS > 0
    drift = {}
    for burn_in in (0.0, BURN_IN_YEARS):
        per_seed = []
        for seed in (1, 2, 3):
            t = sim.run(sim.default_market(customers=800).with_changes(years=1, seed=seed, burn_in_years=burn_in))
            trust = t.groupby("step")[["trust"]].mean()["trust"]
            per_seed.append(abs(trust.iloc[-1] - trust.iloc[0]))
        drift[burn_in] = np.mean(per_seed)
    assert drift[BURN_IN_YEARS] < drift[0.0] / 2


# -- hidden defects --------------------------------------------------------------------------------------
def test_each_hidden_defect_is_discovered_on_its_own():
    """With five hidden defects each, a month finds about 5 x defect_discovery per customer, sometimes several."""
    model = sim.MarketModel(small(customers=4000, mechanisms={"service_failures": False}))
    m = model.market
    held = np.where(m.customers.attached, 5, 0)
    m.customers.hidden_defects[:] = held
    m.tally.reset()
    serve_customers(m)
    found = held - m.customers.hidden_defects
    attached = m.customers.attached
    p = m.behaviour.defect_discovery
    assert found[~attached].sum() == 0
    mean, sd = found[attached].mean(), np.sqrt(5 * p * (1 - p) / attached.sum())
    assert abs(mean - 5 * p) < 4 * sd
    assert (found >= 2).any()  # more than one defect found in one month: not one a month
    assert m.tally.defects_discovered.sum() == found.sum()
    model.release()


def test_each_defect_found_costs_its_own_trust():
    """Finding k hidden defects in one month costs trust k times: x (1 - discovery_loss)^k, as k disclosures would."""
    model = sim.MarketModel(small(customers=2000, mechanisms={"service_failures": False}))
    m = model.market
    c = m.customers
    held = np.where(c.attached, 5, 0)
    c.hidden_defects[:] = held
    c.trust[:] = 0.8
    m.tally.reset()
    serve_customers(m)
    found = held - c.hidden_defects
    assert {1, 2} <= set(found[c.attached].tolist())
    np.testing.assert_allclose(c.trust[c.attached], 0.8 * (1 - m.behaviour.discovery_loss) ** found[c.attached])
    model.release()


def test_the_reference_charges_each_defect_found_too():
    """The per-agent reference follows the same rule: five defects, each found, cost x (1 - discovery_loss)^5."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.reference.model import ReferenceModel

    model = ReferenceModel(
        small(customers=50, behaviour={"defect_discovery": 1.0}, mechanisms={"service_failures": False})
    )
    try:
        customer = next(c for c in model.customer_agents if c.firm is not None)
        customer.hidden_defects, customer.trust = 5, 0.8
        customer.use_service()
        assert customer.hidden_defects == 0
        assert customer.trust == pytest.approx(0.8 * (1 - model.scenario.behaviour.discovery_loss) ** 5)
    finally:
        model.release()


def test_hidden_defects_do_not_pile_up():
    """A firm that hides every failure: the defects its customers hold settle instead of growing with time."""
    scenario = small(customers=600, years=10, levers={"transparency": 0.0}, behaviour={"base_failure": 0.3})
    model = sim.MarketModel(scenario)
    held = []
    for _ in range(10):
        model.run(months=12)
        c = model.market.customers
        held.append(c.hidden_defects[c.firm == 0].mean())
    model.release()
    assert abs(np.mean(held[7:]) - np.mean(held[3:6])) < 0.5  # no trend in the second half of the run
    assert max(held) < model.market.behaviour.usage_rate / model.market.behaviour.defect_discovery


# -- churn per customer-year -----------------------------------------------------------------------------
def test_churn_per_customer_year_on_a_hand_built_year():
    """100 customers, 2 leave a month: 24 churners per customer-year; the compounding rate says 21.5 %."""
    recent = RecentMonths(n_firms=1)
    assert np.isnan(recent.per_customer_year()[0])
    for _ in range(3):
        recent.push(np.array([2.0, 0.0]), np.array([100.0, 0.0]))
    assert recent.per_customer_year()[0] == pytest.approx(0.24)  # three months scaled to a year
    for _ in range(9):
        recent.push(np.array([2.0, 0.0]), np.array([100.0, 0.0]))
    assert recent.per_customer_year()[0] == pytest.approx(0.24)
    recent.push(np.array([14.0, 0.0]), np.array([50.0, 0.0]))  # the oldest month drops out
    assert recent.per_customer_year()[0] == pytest.approx((22 + 14) / ((11 * 100 + 50) / 12))
    assert 1 - (1 - 2 / 100) ** 12 == pytest.approx(0.2153, abs=1e-4)


def test_churn_per_customer_year_matches_the_table():
    """From the results table: churners over the last 12 months / the firm's mean customers over them."""
    t = sim.run(small(customers=500, years=3, seed=6))
    for firm, rows in t.groupby("firm"):
        rows = rows.set_index("step")
        base = (rows["customers"].shift(1) + rows["customers"]) / 2  # customers at the month's start and end
        for step in (12, 24, 36):
            window = range(step - 11, step + 1)
            expected = rows.loc[window, "churned"].sum() / base.loc[window].mean()
            assert rows.loc[step, "churn_per_customer_year"] == pytest.approx(expected), firm


# -- the typology ----------------------------------------------------------------------------------------
#: Markets built so that each relationship type is the largest among the focal firm's customers.
TYPE_MARKETS = {
    "devoted": dict(
        policy="relationship_first",
        customers={"relationship_seekers": 1.0},
        mechanisms={"staff_exhaustion": False},
        levers={"contact_rate": 0.5},
        behaviour={"bond_gain": 0.3},
    ),
    "routine": dict(
        policy="permanent_exit",
        mechanisms={"emotional_bond": False, "switching": False},
        behaviour={"base_failure": 0.02},
    ),
    # customers who look around every month: at the calibrated defaults long, trusting tenures are routine
    "open": dict(policy="permanent_exit", mechanisms={"emotional_bond": False}, behaviour={"review_rate": 1.0}),
    "trapped": dict(  # in the market before calibration: at the calibrated defaults open relationships outnumber it
        policy="loyalty_lock_in",
        levers={"contract_term": 60, "exit_fee": 24.0, "loyalty_points": 0.5},
        behaviour={**UNCALIBRATED["behaviour"], "base_failure": 0.4, "review_rate": 0.5},
        scores=UNCALIBRATED["scores"],
    ),
    "estranged": dict(
        policy="budget_sales",
        mechanisms={"switching": False},
        behaviour={"base_failure": 0.6},
        levers={"staff_authority": 0.0, "service_capacity": 0.0},
    ),
}


@pytest.mark.parametrize("kind", TYPES)
def test_each_relationship_type_is_the_largest_somewhere(kind):
    spec = dict(TYPE_MARKETS[kind])
    policy, traits = spec.pop("policy"), spec.pop("customers", {})
    data = small(policy, customers=400, years=4, seed=1, **spec).model_dump()
    data["customers"].update(traits)
    t = sim.run(Scenario.model_validate(data))
    end = t[(t["step"] == t["step"].max()) & (t["firm"] == t["firm"].iloc[0])]
    shares = end[list(TYPES)].iloc[0]
    assert shares.idxmax() == kind, shares.round(3).to_dict()
