"""Replications stepped as one batched state equal single runs, bit for bit; sweeps batch them."""

import numpy as np
import pandas as pd
import pytest

import sim
from sim.engine import Engine, run_batch
from sim.experiments import batches as batches_module
from sim.experiments import load_experiment, load_results, run_experiment
from sim.scenario import FirmSpec, Shock, default_market, preset_scenario

SEEDS = [11, 5, 2**40 + 3]


def scenarios():
    yield "preset", preset_scenario("permanent_exit", customers=300).with_changes(years=2, burn_in_years=1)
    yield (
        "default market with shocks",
        default_market(customers=240).with_changes(
            years=3,
            burn_in_years=0.5,
            shocks=[
                Shock(kind="scandal", firm="Loyalty lock-in", year=0.5, severity=0.4),
                Shock(kind="recession", year=1.0, severity=0.5, months=6),
                Shock(kind="price_war", firm="Budget sales", year=1.5, severity=0.3, months=6),
            ],
        ),
    )
    base = preset_scenario("budget_sales", customers=300)
    firms = [*base.firms, FirmSpec(name="Entrant", policy="permanent_exit", enters_year=1.0)]
    yield (
        "entry, exit and re-steering",
        base.with_changes(
            years=4,
            burn_in_years=0.5,
            firms=[f.model_dump() for f in firms],
            economics={"starting_reserves": 0.5},
            mechanisms={"re_steering": True},
        ),
    )


@pytest.mark.parametrize("name,scenario", list(scenarios()), ids=[n for n, _ in scenarios()])
def test_a_batch_equals_single_runs_with_the_same_seeds_bit_for_bit(name, scenario):
    batch = run_batch(scenario, SEEDS)
    singles = pd.concat([sim.run(scenario, seed=s) for s in SEEDS], ignore_index=True)
    pd.testing.assert_frame_equal(batch, singles, check_exact=True)


def test_a_batch_of_one_equals_the_mesa_model_and_the_state_is_laid_out_by_market():
    scenario = preset_scenario("empowered_staff", customers=200).with_changes(years=1, burn_in_years=0)
    pd.testing.assert_frame_equal(run_batch(scenario, [4]), sim.run(scenario, seed=4), check_exact=True)
    engine = Engine(scenario, [4, 9])
    m = engine.state
    assert (m.markets, m.customers_per_market, m.firms_per_market, m.n_firms) == (2, 200, 4, 8)
    firm = m.customers.firm
    assert set(np.unique(firm[:200])) <= {-1, 0, 1, 2, 3} and set(np.unique(firm[200:])) <= {-1, 4, 5, 6, 7}
    assert m.network[:200, 200:].nnz == 0  # no ties across markets


def test_run_batch_refuses_no_seeds():
    with pytest.raises(ValueError, match="at least one seed"):
        run_batch("permanent_exit", [])


def test_a_batched_sweep_equals_the_same_sweep_run_one_by_one(tmp_path, monkeypatch):
    exp = load_experiment("experiments/policy_comparison.toml", customers=200, years=1, replications=3)
    batched = load_results(run_experiment(exp, tmp_path / "batched", progress=False))
    monkeypatch.setattr(batches_module, "BATCH_RUNS", 1)
    single = load_results(run_experiment(exp, tmp_path / "single", progress=False))
    key = ["run_id", "step", "firm"]
    pd.testing.assert_frame_equal(
        batched.sort_values(key).reset_index(drop=True), single.sort_values(key).reset_index(drop=True)
    )


def test_batch_size_keeps_a_batch_within_its_customer_budget():
    from sim.experiments.batches import BATCH_CUSTOMERS, BATCH_RUNS, batch_size

    assert batch_size(2_000) == BATCH_RUNS
    assert batch_size(10_000) * 10_000 <= BATCH_CUSTOMERS
    assert batch_size(5_000_000) == 1
