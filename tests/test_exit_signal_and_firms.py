"""The exit option as a signal, firms that must pay their way (reserves, exit, entry), and re-steering."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.mechanisms.choice import ACTIVE, FACTOR, PRICE, SIGNAL, _firm_table, firm_table
from sim.mechanisms.exit_signal import freedom, reactance_relief, signal
from sim.mechanisms.switching import join, joining_utility
from sim.policies import STATUS_QUO, Policy

from conftest import focal, small

EXIT_TERMS = {"contract_term": 0, "exit_fee": 0.0, "loyalty_points": 0.0}


def market(**mechanisms) -> sim.MarketModel:
    return sim.MarketModel(small(customers=300, years=1, mechanisms=mechanisms))


def test_with_the_signal_off_exit_terms_do_not_enter_the_choice_to_join():
    model = market(exit_signal=False)
    m = model.market
    idx = np.arange(m.customers.n)
    before = joining_utility(m, idx)
    m.levers.update([m.levers.levers[0].model_copy(update=EXIT_TERMS), *m.levers.levers[1:]])
    assert np.array_equal(joining_utility(m, idx), before)
    assert np.all(signal(m) == 0) and np.all(reactance_relief(m) == 1)
    model.release()


def test_with_the_signal_on_freedom_to_leave_raises_the_pull_to_join_and_starting_trust():
    model = market()
    m = model.market
    idx = np.flatnonzero(~m.customers.attached)
    before = joining_utility(m, idx)
    m.levers.update([m.levers.levers[0].model_copy(update=EXIT_TERMS), *m.levers.levers[1:]])
    after = joining_utility(m, idx)
    assert np.all(after[:, 0] > before[:, 0]) and np.array_equal(after[:, 1:], before[:, 1:])
    assert freedom(m)[0] == 1.0 and freedom(m)[1] < 1.0 and signal(m)[0] > 0 > signal(m)[1]
    join(m, idx, np.zeros(len(idx), dtype=int))
    gain = m.customers.trust[idx] - np.minimum(m.customers.opinion[idx, 0], 1.0)
    assert np.allclose(gain[m.customers.opinion[idx, 0] < 0.8], signal(m)[0])
    assert reactance_relief(m)[0] < reactance_relief(m)[1] < 1.0
    model.release()


@pytest.mark.parametrize("seed", (1, 2, 3))
def test_the_signal_raises_a_free_firms_acquisitions_and_new_customers_trust(seed):
    def run(strength):
        return sim.run(
            small("permanent_exit", customers=500, years=3, seed=seed, behaviour={"exit_signal_strength": strength})
        )

    off, on = run(0.0), run(0.3)
    assert focal(on, "acquired", 3) > focal(off, "acquired", 3)
    assert focal(on, "trust", 3) > focal(off, "trust", 3)


def test_a_firm_out_of_money_leaves_and_its_customers_choose_again():
    s = small(customers=400, years=4, levers={"price": 0.5})
    table = sim.run(s)
    mine = table[table["firm"] == "Business as usual"]
    gone = mine[mine["active"] == 0]
    assert len(gone) and (gone["customers"] == 0).all() and gone["step"].max() == table["step"].max()
    left_at = int(gone["step"].min())
    assert mine[mine["step"] == left_at - 1]["reserves"].iloc[0] >= 0 > gone["reserves"].iloc[0]
    rivals = table[table["firm"] != "Business as usual"].groupby("step")["acquired"].sum()
    assert rivals[left_at] > rivals.drop(left_at).max()  # the released customers join the others at once
    kept = sim.run(s.with_changes(mechanisms={"firm_exit": False}))
    assert (kept["active"] == 1).all() and kept[kept["firm"] == "Business as usual"]["reserves"].iloc[-1] < 0


def test_a_firm_enters_in_its_year_and_wins_customers():
    firms = [f.model_dump() for f in small().firms] + [{"name": "New", "policy": "permanent_exit", "enters_year": 1.0}]
    table = sim.run(small(customers=400, years=3, firms=firms))
    new = table[table["firm"] == "New"].set_index("step")
    assert (new.loc[:11, "active"] == 0).all() and (new.loc[:11, "customers"] == 0).all()
    assert (new.loc[12:, "active"] == 1).all() and new["customers"].iloc[-1] > 0
    shut = sim.run(small(customers=400, years=3, firms=firms, mechanisms={"firm_entry": False}))
    assert (shut[shut["firm"] == "New"]["customers"] == 0).all()


def test_a_market_needs_a_firm_from_the_start():
    firms = [{"name": "A", "policy": "business_as_usual", "enters_year": 1.0}]
    with pytest.raises(ValueError, match="at least one firm must be in the market from the start"):
        sim.Scenario.model_validate({"firms": firms})


def test_re_steering_firms_that_lose_customers_push_sales_and_discounts():
    levers = sim.Levers(**STATUS_QUO)
    rule = sim.Scenario.model_fields["behaviour"].default_factory()
    assert Policy.adapt({"customer_change": 0.0}, levers, rule) == {}
    changes = Policy.adapt({"customer_change": -0.2}, levers, rule)
    assert changes["sales_pressure"] > levers.sales_pressure
    assert changes["acquisition_discount"] > levers.acquisition_discount
    model = sim.MarketModel(small("permanent_exit", customers=400, years=4, mechanisms={"re_steering": True}))
    model.run()
    assert model.firms[0].levers.sales_pressure > sim.POLICIES["permanent_exit"].levers.sales_pressure
    model.release()


def test_the_firm_table_is_made_again_whenever_what_it_reads_changes_in_place():
    model = market()
    m = model.market
    first = firm_table(m)
    assert firm_table(m) is first  # the month's choices share one table
    m.firms.price_factor[0] *= 0.8  # a price war, written in place
    war = firm_table(m)
    assert war is not first and war[0, PRICE] == first[0, PRICE] and war[0, FACTOR] == pytest.approx(0.8)
    m.firms.active[1] = False  # a firm leaves
    assert firm_table(m)[1, ACTIVE] == 0.0
    m.levers.exit_fee[2] += 3.0  # the signal of the exit terms changes with them
    assert firm_table(m)[2, SIGNAL] < war[2, SIGNAL]
    np.testing.assert_array_equal(firm_table(m), _firm_table(m))
    model.release()
