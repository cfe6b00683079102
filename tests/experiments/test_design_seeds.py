"""Designs and seeds: spawned by position, common random numbers across policies."""

from __future__ import annotations

import numpy as np
import pytest
from exp_helpers import tiny

from sim.experiments import Design, Experiment, load_experiment, plan
from sim.experiments.design import points, run_seed
from sim.experiments.runner import execute
from sim.model import MarketModel
from sim.scenario import Scenario


def test_grid_is_every_combination(tmp_path):
    exp = load_experiment(tiny(tmp_path))
    grid = points(exp)
    assert len(grid) == 4 and len(grid.drop_duplicates()) == 4
    assert set(grid["levers.exit_fee"]) == {0.0, 4.0} and set(grid["customers.needs_volatility"]) == {0.01, 0.06}


@pytest.mark.parametrize(("kind", "size"), [("sobol", 8 * (3 + 2)), ("latin_hypercube", 8), ("morris", 8 * (3 + 1))])
def test_sampled_designs_have_the_expected_size_stay_in_bounds_and_repeat(kind, size):
    bounds = {"behaviour.trust_gain": (0.01, 0.1), "levers.contract_term": (0, 24), "customers.patience": (0.2, 0.8)}
    exp = Experiment(name="s", seed=5, design=Design(kind=kind, samples=8, bounds=bounds))
    x = points(exp)
    assert len(x) == size and list(x.columns) == list(bounds)
    for name, (low, high) in bounds.items():
        assert x[name].between(low, high).all()
    assert x.equals(points(exp))
    assert not x.equals(points(exp.with_changes(seed=6)))


def test_whole_number_parameters_are_rounded_in_runs():
    exp = Experiment(
        name="s", design=Design(kind="latin_hypercube", samples=5, bounds={"levers.contract_term": (0, 24)})
    )
    terms = [r.values["levers.contract_term"] for r in plan(exp).runs]
    assert all(isinstance(t, int) for t in terms) and len(set(terms)) > 1


def test_seeds_are_spawned_by_position_and_shared_across_policies(tmp_path):
    exp = load_experiment(tiny(tmp_path, replications=3))
    the_plan = plan(exp)
    for run in the_plan.runs:
        child = (
            np.random.SeedSequence(exp.seed).spawn(run.point + 1)[run.point].spawn(run.replication + 1)[run.replication]
        )
        assert run.seed == int(child.generate_state(1, dtype=np.uint64)[0]) & (2**63 - 1)
    by_position = {}
    for run in the_plan.runs:
        by_position.setdefault((run.point, run.replication), set()).add(run.seed)
    assert all(len(seeds) == 1 for seeds in by_position.values())
    assert len({next(iter(s)) for s in by_position.values()}) == len(by_position)


def test_without_common_random_numbers_each_policy_gets_its_own_seed(tmp_path):
    exp = load_experiment(tiny(tmp_path), common_random_numbers=False)
    runs = plan(exp).runs
    assert len({r.seed for r in runs}) == len(runs)
    assert runs[0].seed == run_seed(exp.seed, 0, 0, 0)


def test_replication_k_of_every_policy_meets_the_same_customers_and_network(tmp_path):
    the_plan = plan(load_experiment(tiny(tmp_path)))
    a, b = (r for r in the_plan.runs if r.point == 0 and r.replication == 1)
    assert a.policy != b.policy
    models = []
    for run in (a, b):
        data = {**the_plan.scenario, "seed": run.seed}
        data["firms"] = [dict(f) for f in data["firms"]]
        data["firms"][the_plan.focal] = {**data["firms"][the_plan.focal], "policy": run.policy}
        models.append(MarketModel(Scenario.model_validate(data)))
    (ca, na), (cb, nb) = ((m.market.customers, m.market.network) for m in models)
    for trait in ("needs", "relationship_need", "price_sensitivity", "patience", "reactance", "talkativeness"):
        np.testing.assert_array_equal(getattr(ca, trait), getattr(cb, trait))
    assert (na != nb).nnz == 0
    for m in models:
        m.release()


def test_a_run_is_reproducible_on_its_own(tmp_path):
    the_plan = plan(load_experiment(tiny(tmp_path)))
    run = the_plan.runs[5]
    first = execute(the_plan.scenario, the_plan.focal, run, [])
    again = execute(the_plan.scenario, the_plan.focal, run, [])
    assert first.equals(again)
    assert (first["seed"] == run.seed).all() and (first["run_id"] == run.key).all()
    other = execute(the_plan.scenario, the_plan.focal, the_plan.runs[4], [])
    assert not first["trust"].equals(other["trust"])


def test_common_random_numbers_across_points_share_seeds_by_replication_only(tmp_path):
    exp = load_experiment(tiny(tmp_path, replications=3), common_random_numbers_across_points=True)
    runs = plan(exp).runs
    for rep in range(3):
        assert {r.seed for r in runs if r.replication == rep} == {run_seed(exp.seed, 0, rep)}
    assert len({r.seed for r in runs}) == 3
