"""MarketModel as Mesa users drive it: flat dotted parameters, seed or rng, fresh entropy, mesa.batch_run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim import compat
from sim.scenario import ScenarioError

mesa = compat.mesa
OUTCOMES = [*sim.METRICS, *sim.TYPES]


def test_batch_run_gives_every_outcome_every_month_and_distinct_replications():
    rows = mesa.batch_run(
        sim.MarketModel,
        parameters={"scenario": "permanent_exit", "customers.count": 150, "years": 1, "levers.exit_fee": [0, 3]},
        iterations=3,
        number_processes=1,
        data_collection_period=1,
        display_progress=False,
    )
    df = pd.DataFrame(rows)
    assert set(OUTCOMES) <= set(df.columns) and {"seed", "focal_firm"} <= set(df.columns)
    assert sorted(df["Step"].unique()) == list(range(13))  # the starting state and all twelve months
    assert len(df) == 2 * 3 * 13
    finals = df[df["Step"] == 12]
    assert finals["seed"].nunique() == 6  # every run its own fresh seed
    assert finals.groupby("levers.exit_fee")["trust"].std().gt(0).all()  # replications differ
    assert (df["focal_firm"] == "Permanent exit").all()
    # each row is the focal firm's outcome in that month, as the tidy table has it
    one = finals[finals["levers.exit_fee"] == 3].iloc[0]
    params = {"customers.count": 150, "levers.exit_fee": 3}
    again = sim.MarketModel("permanent_exit", seed=int(one["seed"]), years=1, **params)
    table = again.run().outcomes()
    focal = table[(table["firm"] == "Permanent exit") & (table["step"] == 12)].iloc[0]
    assert focal["trust"] == one["trust"] and focal["customers"] == one["customers"]


def test_flat_parameters_by_dotted_name_or_double_underscore():
    a = sim.MarketModel("permanent_exit", **{"customers.count": 120, "levers.exit_fee": 3, "behaviour.inertia": 0.3})
    b = sim.MarketModel("permanent_exit", customers__count=120, levers__exit_fee=3, behaviour__inertia=0.3)
    c = sim.MarketModel("permanent_exit", customers=120, levers__exit_fee=3, behaviour__inertia=0.3)
    for m in (a, b, c):
        s = m.scenario
        assert s.customers.count == 120 and s.firms[0].levers.exit_fee == 3 and s.behaviour.inertia == 0.3
        assert s.customers.relationship_seekers == sim.preset_scenario("permanent_exit").customers.relationship_seekers
        assert s.firms[0].resolved_levers().exit_fee == 3
        m.release()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"levers.exit_fe": 3}, "unknown parameter 'levers.exit_fe'; did you mean 'levers.exit_fee'?"),
        ({"customers.count": 3}, "customers.count"),
        ({"customer__count": 300}, "unknown parameter 'customer.count'"),
    ],
)
def test_bad_flat_parameters_get_one_line(params, message):
    with pytest.raises(ScenarioError, match=message.replace("?", r"\?")) as err:
        sim.MarketModel("permanent_exit", **params)
    assert "\n" not in str(err.value)


def test_no_seed_means_fresh_entropy_recorded_and_reproducible():
    a = sim.MarketModel("permanent_exit", customers=150, years=0.5)
    b = sim.MarketModel("permanent_exit", customers=150, years=0.5)
    assert a.scenario.seed != b.scenario.seed
    ta, tb = a.run().outcomes(), b.run().outcomes()
    assert (ta["seed"] == a.scenario.seed).all()
    assert not ta["trust"].equals(tb["trust"])
    again = sim.MarketModel(a.scenario).run().outcomes()  # the recorded seed reproduces the run
    pd.testing.assert_frame_equal(ta, again)


def test_a_scenario_that_names_its_seed_keeps_it():
    scenario = sim.preset_scenario("permanent_exit", customers=150).with_changes(seed=9)
    assert sim.MarketModel(scenario).scenario.seed == 9
    assert sim.MarketModel(scenario, seed=4).scenario.seed == 4


def test_rng_as_integer_generator_or_seed_sequence():
    base = dict(customers=150, years=0.5)
    by_seed = sim.MarketModel("permanent_exit", seed=5, **base).run().outcomes()
    by_rng = sim.MarketModel("permanent_exit", rng=5, **base).run().outcomes()
    pd.testing.assert_frame_equal(by_seed, by_rng)
    g1 = sim.MarketModel("permanent_exit", rng=np.random.default_rng(1), **base).scenario.seed
    g2 = sim.MarketModel("permanent_exit", rng=np.random.default_rng(1), **base).scenario.seed
    s1 = sim.MarketModel("permanent_exit", rng=np.random.SeedSequence(1), **base).scenario.seed
    assert g1 == g2 and s1 != g1
    with pytest.raises(ValueError, match="seed or rng"):
        sim.MarketModel("permanent_exit", seed=1, rng=1, **base)


def test_a_step_past_the_horizon_ends_the_run():
    model = sim.MarketModel("permanent_exit", customers=100, years=0.25, seed=1)
    while model.running:
        model.step()
    table = model.outcomes()
    assert table["step"].max() == 3 and model.steps == 4  # three months, then the step that ends the run
    model.release()
    ran = sim.MarketModel("permanent_exit", customers=100, years=0.25, seed=1).run()
    assert not ran.running
    pd.testing.assert_frame_equal(ran.outcomes(), table)


def test_with_changes_merges_a_section():
    base = sim.preset_scenario("permanent_exit").with_changes(customers={"relationship_seekers": 0.7})
    changed = base.with_changes(customers={"count": 800})
    assert changed.customers.count == 800 and changed.customers.relationship_seekers == 0.7
    assert changed.behaviour == base.behaviour


def test_set_parameters_is_public_and_validated():
    s = sim.set_parameters(sim.preset_scenario("loyalty_lock_in"), {"levers.contract_term": 12.4}, firm="Rival A")
    assert s.firms[1].levers.contract_term == 12 and s.firms[0].levers.contract_term is None
    with pytest.raises(ScenarioError, match="unknown firm 'Rival Z'"):
        sim.set_parameters(s, {"levers.exit_fee": 1}, firm="Rival Z")
    with pytest.raises(ScenarioError, match="exit_fee"):
        sim.set_parameters(s, {"levers.exit_fee": 99})
