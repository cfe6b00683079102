"""Every registered policy passes the same checks (as every Axelrod strategy inherits one test class)."""

from __future__ import annotations

import pickle

import pandas.testing as pdt
import pytest

import sim
from sim.policies import STATUS_QUO, Policy, register

from conftest import small

CLASSIFIER_KEYS = {"lock_in", "exit_option", "empowered", "sales_budget"}


@pytest.fixture(params=sorted(sim.POLICIES))
def policy(request) -> type[Policy]:
    return sim.POLICIES[request.param]


class TestEveryPolicy:
    def test_is_described_for_people(self, policy):
        assert policy.name and policy.label and len(policy.description) > 20
        assert "_" not in policy.label

    def test_classifier_is_complete(self, policy):
        assert set(policy.classifier) == CLASSIFIER_KEYS
        assert all(isinstance(v, bool) for v in policy.classifier.values())

    def test_classifier_matches_levers(self, policy):
        lv = policy.levers
        assert policy.classifier["exit_option"] == (
            lv.contract_term == 0 and lv.exit_fee == 0 and lv.loyalty_points == 0
        )
        assert policy.classifier["lock_in"] == (lv.contract_term > 0 or lv.exit_fee > 0 or lv.loyalty_points > 0)
        assert policy.classifier["sales_budget"] == (lv.sales_target > 0)
        assert policy.classifier["empowered"] == (lv.staff_authority >= 0.7)

    def test_levers_are_valid_and_only_known_ones_change(self, policy):
        assert set(policy.changes) <= set(sim.Levers.model_fields)
        assert sim.Levers(**policy.levers.model_dump()) == policy.levers

    def test_pickle_round_trip(self, policy):
        assert pickle.loads(pickle.dumps(policy)) is policy
        assert pickle.loads(pickle.dumps(policy.levers)) == policy.levers

    def test_runs_reproducibly(self, policy):
        a = sim.run(small(policy.name, customers=150, years=1, seed=3))
        b = sim.run(small(policy.name, customers=150, years=1, seed=3))
        pdt.assert_frame_equal(a, b)
        assert (a["policy"].iloc[0]) == policy.name


def test_named_presets_exist():
    assert {
        "business_as_usual",
        "loyalty_lock_in",
        "permanent_exit",
        "empowered_staff",
        "budget_sales",
        "relationship_first",
    } <= set(sim.POLICIES)


def test_relationship_first_combines_exit_option_empowerment_and_no_budgets():
    rf, pe, es = (sim.POLICIES[n].levers for n in ("relationship_first", "permanent_exit", "empowered_staff"))
    assert (rf.contract_term, rf.exit_fee, rf.loyalty_points) == (pe.contract_term, pe.exit_fee, pe.loyalty_points)
    assert (rf.staff_authority, rf.tailoring) == (es.staff_authority, es.tailoring)
    assert rf.sales_target == 0 and rf.sales_pressure == 0


def test_a_new_policy_is_one_class_and_is_found_by_name():
    @register
    class Concierge(Policy):
        name = "concierge_test"
        label = "Concierge"
        description = "A test policy: very high service capacity and nothing else changed."
        classifier = {"lock_in": True, "exit_option": False, "empowered": False, "sales_budget": True}
        changes = {"service_capacity": 50.0}

    try:
        assert Concierge.levers.service_capacity == 50.0
        assert Concierge.levers.exit_fee == STATUS_QUO["exit_fee"]
        table = sim.run("concierge_test", years=0.25)
        assert "Concierge" in set(table["firm"])
        with pytest.raises(ValueError, match="registered twice"):
            register(Concierge)
    finally:
        sim.POLICIES.pop("concierge_test")
