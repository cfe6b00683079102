"""The model as a function: sim.evaluate, and the EMA Workbench model built from the schema."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.scenario import ScenarioError


def test_evaluate_returns_the_focal_firms_outcomes_over_the_window():
    params = {"levers.exit_fee": 3, "customers.count": 200}
    out = sim.evaluate("loyalty_lock_in", params, years=2, seed=4, window=6)
    assert set(out) == {*sim.METRICS, *sim.TYPES}
    table = sim.MarketModel("loyalty_lock_in", seed=4, years=2, **params).run().outcomes()
    focal = table[(table["firm"] == "Loyalty lock-in") & (table["step"] > 18)]
    assert out["trust"] == pytest.approx(focal["trust"].mean()) and len(focal) == 6
    assert sim.evaluate("loyalty_lock_in", params, years=2, seed=4, window=6) == out  # same seed, same result


def test_evaluate_answers_its_parameters():
    low = sim.evaluate("loyalty_lock_in", {"customers.count": 300, "levers.exit_fee": 0}, years=3, seed=2)
    high = sim.evaluate("loyalty_lock_in", {"customers.count": 300, "levers.exit_fee": 12}, years=3, seed=2)
    assert high["trapped"] > low["trapped"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"params": {"levers.exit_fe": 1}}, "did you mean 'levers.exit_fee'"),
        ({"params": {"levers.exit_fee": -1}}, "exit_fee"),
        ({"outcomes": ["trust", "trsut"]}, "unknown outcome 'trsut'"),
        ({"window": 40}, "window"),
        ({"years": -1}, "years"),
    ],
)
def test_evaluate_refuses_bad_input_in_one_line(kwargs, message):
    kwargs = {"params": {}, "years": 1, **kwargs}
    with pytest.raises(ScenarioError, match=message) as err:
        sim.evaluate("permanent_exit", kwargs.pop("params"), seed=1, **kwargs)
    assert "\n" not in str(err.value)


def test_evaluate_drives_scipy_optimize():
    from scipy.optimize import minimize_scalar

    def loss(fee: float) -> float:
        return -sim.evaluate("permanent_exit", {"levers.exit_fee": fee, "customers.count": 150}, years=1, seed=3)[
            "profit"
        ]

    best = minimize_scalar(loss, bounds=(0, 6), method="bounded", options={"maxiter": 4})
    assert 0 <= best.x <= 6 and np.isfinite(best.fun)


def test_ema_model_takes_bounds_from_the_schema():
    ema = pytest.importorskip("ema_workbench")
    import sim.ema

    m = sim.ema.model(
        "permanent_exit",
        uncertainties=["customers.needs_volatility", ("behaviour.trust_gain", 0.02, 0.08), "network.kind"],
        levers=["levers.exit_fee", "levers.contract_term", "mechanisms.word_of_mouth"],
        outcomes=["trust", "churn_rate_annual"],
    )
    u = {p.name: p for p in m.uncertainties}
    lv = {p.name: p for p in m.levers}
    assert (u["customers__needs_volatility"].lower_bound, u["customers__needs_volatility"].upper_bound) == (0, 0.5)
    assert (u["behaviour__trust_gain"].lower_bound, u["behaviour__trust_gain"].upper_bound) == (0.02, 0.08)
    assert isinstance(u["network__kind"], ema.CategoricalParameter)
    assert (lv["levers__exit_fee"].lower_bound, lv["levers__exit_fee"].upper_bound) == (0, 24)
    assert isinstance(lv["levers__contract_term"], ema.IntegerParameter)
    assert isinstance(lv["mechanisms__word_of_mouth"], ema.BooleanParameter)
    assert [o.name for o in m.outcomes] == ["trust", "churn_rate_annual"]
    with pytest.raises(ScenarioError, match="within the schema"):
        sim.ema.model("permanent_exit", uncertainties=[("levers.exit_fee", 0, 99)], outcomes=["trust"])


def test_ema_model_reads_bounds_from_an_experiment_file():
    pytest.importorskip("ema_workbench")
    import sim.ema

    exp = sim.experiments.load_experiment("experiments/sensitivity_sobol.toml")
    m = sim.ema.model("permanent_exit", experiment="experiments/sensitivity_sobol.toml", outcomes=["trust"])
    names = [p.name for p in [*m.uncertainties, *m.levers]]
    assert sorted(names) == sorted(n.replace(".", "__") for n in exp.design.parameters)
    first = exp.design.parameters[0]
    p = next(p for p in [*m.uncertainties, *m.levers] if p.name == first.replace(".", "__"))
    assert (p.lower_bound, p.upper_bound) == tuple(exp.design.bounds[first])


def test_ema_perform_experiments_on_a_process_pool():
    pytest.importorskip("ema_workbench")
    from ema_workbench import MultiprocessingEvaluator, perform_experiments

    import sim.ema

    m = sim.ema.model(
        "loyalty_lock_in",
        uncertainties=["customers.needs_volatility"],
        levers=["levers.exit_fee"],
        outcomes=["trust", "trapped"],
        years=1,
        seed=5,
        constants={"customers.count": 150},
    )
    with MultiprocessingEvaluator(m, n_processes=2) as evaluator:
        experiments, outcomes = perform_experiments(m, scenarios=4, policies=2, evaluator=evaluator)
    assert len(experiments) == 8 and set(outcomes) == {"trust", "trapped"}
    assert np.isfinite(outcomes["trust"]).all() and np.unique(outcomes["trust"]).size > 1
    row = experiments.iloc[0]
    again = sim.evaluate(
        "loyalty_lock_in",
        {
            "customers.count": 150,
            "customers.needs_volatility": row["customers__needs_volatility"],
            "levers.exit_fee": row["levers__exit_fee"],
        },
        years=1,
        seed=5,
        outcomes=["trust"],
    )
    assert again["trust"] == pytest.approx(outcomes["trust"][0])
