"""Summary statistics on hand-built markets: every number worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.calibration.statistics import STATISTICS, Observation, Watcher, measure, stay_probability
from sim.mechanisms.service import HANDLING
from sim.scenario import Scenario

FAILED, COMPLAINED, FIRST, LATER, GAVE_UP = (HANDLING[k] for k in HANDLING)


def market(terms=(0, 12, 24), customers=20) -> sim.MarketModel:
    firms = [{"name": f"F{t}", "policy": "business_as_usual", "levers": {"contract_term": t}} for t in terms]
    return sim.MarketModel(Scenario(customers={"count": customers}, network={"degree": 2}, firms=firms, years=1))


def quiet_month(m) -> None:
    """A month in which nothing happens: counts zero, no problems."""
    m.tally.reset()
    m.customers.handling[:] = 0


def test_every_statistic_has_unit_and_meaning_and_copes_with_an_empty_market():
    assert len(STATISTICS) >= 20
    for stat in STATISTICS.values():
        assert stat.unit and len(stat.description) > 15
    values = measure(
        Observation(
            contract_term=np.zeros(1),
            at_risk=np.zeros(1),
            churned=np.zeros(1),
            looked=np.zeros(1),
            failures=np.zeros(1),
            complaints=np.zeros(1),
        )
    )
    assert all(np.isnan(v) for v in values.values())


def test_churn_is_counted_per_customer_year_and_by_contract_type():
    model = market()
    m = model.market
    w = Watcher(m, burn_in=2, follow_up=12)
    for month in range(1, 15):
        quiet_month(m)
        m.firms.customers_start[:] = [100, 200, 50, 0]
        m.tally.churned[:] = [10, 4, 1, 0]
        m.tally.looked[:] = [20, 20, 10, 0]
        w.see(m, month)
    o = w.obs
    assert o.months == 12  # two months of burn-in not counted
    s = measure(o)
    assert s["annual_churn"] == pytest.approx(15 * 12 / 350)
    assert s["monthly_churn"] == pytest.approx(15 / 350)
    assert s["churn_month_to_month"] == pytest.approx(10 * 12 / 100)
    assert s["churn_one_year"] == pytest.approx(4 * 12 / 200)
    assert s["churn_two_year"] == pytest.approx(1 * 12 / 50)
    assert s["switch_when_looking"] == pytest.approx(15 / 50)
    model.release()


def test_retention_after_a_problem_follows_how_it_was_handled():
    model = market(customers=20)
    m, c = model.market, model.market.customers
    c.firm[:] = 0
    m.firms_changed()
    c.tenure[:] = 5
    c.complaint_wait[:] = 0
    w = Watcher(m, burn_in=0, follow_up=3)
    # month 1: 0 silent, 1 resolved at first contact, 2, 3 and 4 escalated (waiting)
    quiet_month(m)
    c.handling[0] = FAILED
    c.handling[1] = FAILED | COMPLAINED | FIRST
    c.handling[2:5] = FAILED | COMPLAINED
    c.complaint_wait[2:5] = 1
    c.tenure += 1
    w.see(m, 1)
    # month 2: 2 resolved later, 3 gives up; 1 leaves the firm and joins another
    quiet_month(m)
    c.handling[2], c.handling[3] = LATER, GAVE_UP
    c.complaint_wait[2:4] = 0
    c.tenure += 1
    c.firm[1], c.tenure[1] = 1, 0
    m.firms_changed()
    w.see(m, 2)
    for month in (3, 4):
        quiet_month(m)
        c.tenure += 1
        w.see(m, month)
    o = w.obs
    # no complaint: 0 stayed; unresolved: 3 (gave up, stayed) and 4 (still waiting, stayed);
    # resolved: 2 stayed; resolved quickly: 1 left
    assert o.problems.tolist() == [1, 2, 1, 1]
    assert o.retained.tolist() == [1, 2, 1, 0]
    s = measure(o)
    assert s["retention_resolved_quickly"] == 0 and s["retention_gradient"] == -1
    model.release()


def test_a_customer_who_leaves_while_waiting_counts_as_unresolved_and_lost():
    model = market(customers=20)
    m, c = model.market, model.market.customers
    c.firm[:] = 0
    m.firms_changed()
    w = Watcher(m, burn_in=0, follow_up=2)
    quiet_month(m)
    c.handling[0], c.complaint_wait[0] = FAILED | COMPLAINED, 1
    w.see(m, 1)
    quiet_month(m)
    c.firm[0], c.tenure[0], c.complaint_wait[0] = -1, 0, 0
    m.firms_changed()
    w.see(m, 2)
    quiet_month(m)
    w.see(m, 3)
    assert w.obs.problems.tolist() == [0, 1, 0, 0] and w.obs.retained.tolist() == [0, 0, 0, 0]
    model.release()


def test_relationship_shares_and_tenure():
    model = market(customers=10)
    m, c = model.market, model.market.customers
    c.firm[:] = [0] * 8 + [-1, -1]
    m.firms_changed()
    c.trapped[:] = False
    c.trust[:] = [0.9, 0.9, 0.7, 0.7, 0.2, 0.5, 0.5, 0.5, 0, 0]
    c.bond[:] = [0.8, 0.7, 0.0, 0.0, 0.0, 0.1, 0.1, 0.1, 0, 0]
    c.tenure[:] = [30, 30, 30, 2, 2, 2, 2, 2, 0, 0]
    c.trapped[7] = True
    w = Watcher(m, burn_in=0, follow_up=12)
    quiet_month(m)
    w.see(m, 1)
    s = measure(w.obs)
    assert s["share_devoted"] == pytest.approx(2 / 8)
    assert s["share_routine"] == pytest.approx(1 / 8)
    assert s["share_estranged"] == pytest.approx(1 / 8)
    assert s["share_trapped"] == pytest.approx(1 / 8)
    assert s["share_open"] == pytest.approx(3 / 8)
    assert s["share_open_or_worse"] == pytest.approx(5 / 8)
    assert s["share_emotional_bond"] == pytest.approx(2 / 8)
    assert s["median_tenure"] == 2
    model.release()


def test_watcher_counts_agree_with_the_models_own_outcomes():
    scenario = Scenario.model_validate(
        {**sim.preset_scenario("permanent_exit", customers=400).model_dump(), "years": 2}
    )
    model = sim.MarketModel(scenario.with_changes(seed=4))
    w = Watcher(model.market, burn_in=6, follow_up=6)
    for _ in range(scenario.months):
        model.step()
        w.see(model.market, model.steps)
    table = model.outcomes()
    measured = table[table["step"] > 6]
    assert w.obs.churned.sum() == measured["churned"].sum() > 0
    assert w.obs.complaints.sum() == measured["complaints"].sum() > 0
    assert w.obs.problems.sum() > 0 and 0 < w.obs.retained.sum() < w.obs.problems.sum()
    model.release()


def choice_market(customers=10) -> sim.MarketModel:
    """Two month-to-month firms; only trust (or opinion) counts in a choice, so utilities are worked out by hand."""
    firms = [{"name": n, "policy": "business_as_usual", "levers": {"contract_term": 0, "exit_fee": 0.0}} for n in "AB"]
    behaviour = {"weight_fit": 0, "weight_bond": 0, "weight_price": 0, "weight_trust": 1, "choice_noise": 0.1}
    behaviour.update(outside_option=0.3, inertia=0.2)
    scenario = Scenario(
        customers={"count": customers},
        network={"degree": 2},
        firms=firms,
        years=1,
        behaviour=behaviour,
        mechanisms={"exit_signal": False},
    )
    model = sim.MarketModel(scenario)
    m, c = model.market, model.market.customers
    c.firm[:] = 0
    m.firms_changed()
    c.tenure[:], c.trust[:], c.opinion[:, 1], c.complaint_wait[:] = 5, 0.6, 0.4, 0
    return model


def logit(stay: float, *others: float, noise: float = 0.1) -> float:
    return float(np.exp(stay / noise) / sum(np.exp(u / noise) for u in (stay, *others)))


def test_stay_probability_is_the_logit_choice_of_the_current_firm_without_inertia():
    model = choice_market()
    m, c = model.market, model.market.customers
    c.trust[1], c.opinion[1, 1] = 0.2, 0.7
    c.firm[2] = -1
    m.firms_changed()
    p = stay_probability(m, np.array([0, 1, 2]))
    # staying = trust; joining B = opinion of B; no firm = 0.3; inertia (0.2) left out
    assert p[0] == pytest.approx(logit(0.6, 0.4, 0.3))
    assert p[1] == pytest.approx(logit(0.2, 0.7, 0.3))
    assert p[2] == 0.0  # no firm to choose again
    m.behaviour = m.behaviour.model_copy(update={"choice_noise": 0.0})
    assert stay_probability(m, np.array([0, 1])).tolist() == [1.0, 0.0]  # no noise: the best option for sure
    model.release()


def test_intention_is_asked_when_a_problem_is_settled_and_is_zero_for_those_who_left():
    model = choice_market()
    m, c = model.market, model.market.customers
    w = Watcher(m, burn_in=0, follow_up=12)
    # month 1: 0 silent, 1 resolved at first contact, 2 and 3 wait, 4 fails and joins B in the same month
    quiet_month(m)
    c.handling[0], c.handling[1] = FAILED, FAILED | COMPLAINED | FIRST
    c.handling[2:4], c.complaint_wait[2:4] = FAILED | COMPLAINED, 1
    c.handling[4], c.firm[4], c.tenure[4] = FAILED, 1, 0
    c.trust[1] = 0.9
    m.firms_changed()
    w.see(m, 1)
    assert w.obs.asked.tolist() == [2, 0, 0, 1]  # the waiting complaints are not settled yet
    # month 2: 2 resolved after waiting (trust now 0.5); 3 gives up and leaves the market
    quiet_month(m)
    c.handling[2], c.trust[2], c.complaint_wait[2] = LATER, 0.5, 0
    c.handling[3], c.firm[3], c.tenure[3], c.complaint_wait[3] = GAVE_UP, -1, 0, 0
    c.tenure[:5] += 1
    m.firms_changed()
    w.see(m, 2)
    o = w.obs
    assert o.asked.tolist() == [2, 1, 1, 1]
    s = measure(o)
    assert s["intention_no_complaint"] == pytest.approx((logit(0.6, 0.4, 0.3) + 0) / 2)
    assert s["intention_unresolved"] == 0.0
    assert s["intention_resolved"] == pytest.approx(logit(0.5, 0.4, 0.3))
    assert s["intention_resolved_quickly"] == pytest.approx(logit(0.9, 0.4, 0.3))
    model.release()


def test_a_problem_in_the_month_of_switching_counts_as_lost_in_retention():
    model = choice_market()
    m, c = model.market, model.market.customers
    w = Watcher(m, burn_in=0, follow_up=2)
    quiet_month(m)
    c.handling[0], c.firm[0], c.tenure[0] = FAILED, 1, 0  # failed at A, joined B the same month
    m.firms_changed()
    w.see(m, 1)
    for month in (2, 3):
        quiet_month(m)
        c.tenure += 1
        w.see(m, month)
    assert w.obs.problems.tolist() == [1, 0, 0, 0] and w.obs.retained.tolist() == [0, 0, 0, 0]
    model.release()
