"""Experiment files: the shipped ones load, bad ones get one line naming the file and field, exit 2."""

from __future__ import annotations

import pytest
from exp_helpers import ROOT, crsim, tiny

from sim.cli import main
from sim.experiments import load_experiment, plan
from sim.scenario import ScenarioError

SHIPPED = sorted((ROOT / "experiments").glob("*.toml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_experiments_load_and_plan(path):
    exp = load_experiment(path)
    the_plan = plan(exp)
    assert len(the_plan.runs) == len(the_plan.points) * len(the_plan.policies) * exp.replications
    assert len({r.key for r in the_plan.runs}) == len(the_plan.runs)


def test_shipped_experiments_answer_the_questions():
    comparison = load_experiment(ROOT / "experiments" / "policy_comparison.toml")
    from sim.scenario import DEFAULT_MARKET

    assert set(comparison.policies) == set(DEFAULT_MARKET) and comparison.common_random_numbers
    sweep = load_experiment(ROOT / "experiments" / "exit_vs_lockin_sweep.toml")
    assert set(sweep.design.values) == {"levers.contract_term", "levers.exit_fee", "customers.needs_volatility"}
    sobol = load_experiment(ROOT / "experiments" / "sensitivity_sobol.toml")
    assert sobol.design.kind == "sobol" and len(sobol.design.bounds) >= 8 and sobol.years == 10
    assert {"trust", "bond", "churn_rate_annual"} <= set(sobol.outcomes)


BAD = [
    ("replicatons = 3\n", "unknown field 'replicatons'; did you mean 'replications'?"),
    ("replications = 'many'\n", "replications: Input should be a valid integer"),
    ("replications = 0\n", "replications: Input should be greater than or equal to 1 (got 0)"),
    ("policies = ['loyalty_lockin']\n", "policies: unknown policy 'loyalty_lockin'; did you mean 'loyalty_lock_in'?"),
    ("outcomes = ['trsut']\n", "outcomes: unknown outcome 'trsut'; did you mean 'trust'?"),
    ("focal_firm = 'Rivl A'\n", "focal_firm: unknown firm 'Rivl A'; did you mean 'Rival A'?"),
    ("scenario = 'nope.toml'\n", "scenario: nope.toml: no such file"),
    (
        "[design]\nkind = 'grid'\nvalues = { 'levers.exit_fe' = [1.0] }\n",
        "design.values: unknown parameter 'levers.exit_fe'; did you mean 'levers.exit_fee'?",
    ),
    (
        "[design]\nkind = 'grid'\nvalues = { 'levers.exit_fee' = [1.0, 99.0] }\n",
        "design.values.levers.exit_fee: Input should be less than or equal to 24 (got 99.0)",
    ),
    (
        "[design]\nkind = 'sobol'\nsamples = 10\nbounds = { 'behaviour.trust_gain' = [0.0, 0.1], 'behaviour.bond_gain' = [0.0, 0.1] }\n",
        "design: sobol samples must be a power of 2 (got 10)",
    ),
    (
        "[design]\nkind = 'latin_hypercube'\nbounds = { 'behaviour.trust_gain' = [0.2, 0.1] }\n",
        "design: bounds of behaviour.trust_gain: low must be below high",
    ),
    (
        "[design]\nkind = 'latin_hypercube'\nvalues = { 'behaviour.trust_gain' = [0.2] }\n",
        "design: a latin_hypercube design needs `bounds`",
    ),
    ("[design]\nkind = 'factorial'\n", "design.kind: Input should be 'none', 'grid'"),
    ("name = \n", "not valid TOML"),
]


@pytest.mark.parametrize(("body", "message"), BAD, ids=[m.split(":")[0] for _, m in BAD])
def test_bad_experiment_is_one_line_naming_file_and_field(tmp_path, capsys, body, message):
    path = tmp_path / "bad.toml"
    head = "" if body.startswith("name") else "name = 'bad'\n"
    head += "" if body.startswith(("name", "scenario")) else "scenario = 'business_as_usual'\n"
    path.write_text(head + body)
    with pytest.raises(ScenarioError) as err:
        load_experiment(path)
    text = str(err.value)
    assert "\n" not in text and text.startswith(f"{path}: ") and message in text
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 2
    stderr = capsys.readouterr().err
    assert stderr.strip() == f"crsim: {text}"
    assert not out.exists()


def test_bad_experiment_from_the_command_line_exits_2_and_writes_nothing(tmp_path):
    path = tiny(tmp_path)
    path.write_text(path.read_text().replace("replications = 2", "replications = -2"))
    out = tmp_path / "out"
    result = crsim("sweep", str(path), "--out", str(out))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and f"{path}: replications:" in result.stderr
    assert not out.exists()


def test_bad_override_names_the_option(tmp_path, capsys):
    assert main(["sweep", str(tiny(tmp_path)), "--out", str(tmp_path / "o"), "--customers", "3"]) == 2
    assert "customers: Input should be greater than or equal to 10" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_existing_results_are_not_overwritten_without_resume(tmp_path, capsys):
    path = tiny(tmp_path, replications=1, years=0.25, customers=50)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.rglob("*.parquet")}
    assert before
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 2
    assert "add --resume" in capsys.readouterr().err
    path.write_text(path.read_text().replace("seed = 11", "seed = 12"))
    assert main(["sweep", str(path), "--out", str(out), "--quiet", "--resume"]) == 2
    assert "different experiment" in capsys.readouterr().err
    assert {p.name: p.stat().st_mtime_ns for p in out.rglob("*.parquet")} == before
