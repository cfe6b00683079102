"""crsim --version, --set on run/sweep/app, run --customers, --format and the --out guard."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.cli import main
from sim.overrides import parse_set, scenario_toml, write_scenario
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def test_version():
    out = subprocess.run([sys.executable, "-m", "sim.cli", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and out.stdout.startswith(f"crsim {sim.__version__} (Mesa 3.")


def test_run_with_set_customers_and_parquet(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["run", "loyalty_lock_in", "--years", "0.5", "--seed", "2", "--customers", "150", "--quiet"]
    sets = ["--set", "levers.exit_fee=2.5", "--set", "behaviour__trust_gain=0.06", "--set", "network.kind=random"]
    assert main([*args, *sets, "--out", str(out), "--format", "parquet"]) == 0
    table = pd.read_parquet(out / "timeseries.parquet")
    assert table["step"].max() == 6 and not (out / "timeseries.csv").exists()
    scenario = json.loads((out / "manifest.json").read_text())["scenario"]
    assert scenario["customers"]["count"] == 150 and scenario["firms"][0]["levers"]["exit_fee"] == 2.5
    assert scenario["behaviour"]["trust_gain"] == 0.06 and scenario["network"]["kind"] == "random"
    assert scenario["customers"]["relationship_seekers"] == 0.4  # the rest of the section kept
    assert "150 customers" in capsys.readouterr().out


def test_run_out_refuses_a_folder_that_holds_files_unless_forced(tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    args = ["run", "permanent_exit", "--years", "0.25", "--customers", "100", "--quiet", "--out", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "not empty" in err and "--force" in err and err.count("\n") == 1
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert main([*args, "--force"]) == 0 and (out / "timeseries.csv").exists()
    assert main(["run", "permanent_exit", "--years", "0.25", "--quiet", "--out", str(tmp_path / "new")]) == 0


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("levers.exit_fe=2", "did you mean 'levers.exit_fee'"),
        ("levers.exit_fee=99", "exit_fee"),
        ("levers.exit_fee", "expected NAME=VALUE"),
    ],
)
def test_bad_set_is_one_line_and_exit_2(option, message, capsys, tmp_path):
    assert main(["run", "permanent_exit", "--quiet", "--set", option, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_set_values_are_read_as_toml_or_text():
    assert parse_set("levers.contract_term=12") == ("levers.contract_term", 12)
    assert parse_set("behaviour.trust_gain=5e-2") == ("behaviour.trust_gain", 0.05)
    assert parse_set("mechanisms.switching=true") == ("mechanisms.switching", True)


def test_sweep_set_fixes_a_parameter_in_every_run(tmp_path, capsys):
    exp = tmp_path / "e.toml"
    exp.write_text('name = "e"\nscenario = "permanent_exit"\nreplications = 2\nyears = 0.25\ncustomers = 100\n')
    out = tmp_path / "out"
    assert main(["sweep", str(exp), "--out", str(out), "--quiet", "--set", "levers.exit_fee=4"]) == 0
    record = json.loads((out / "experiment.json").read_text())
    assert record["experiment"]["fixed"] == {"levers.exit_fee": 4}
    assert record["scenario"]["firms"][0]["levers"]["exit_fee"] == 4
    grid = tmp_path / "g.toml"
    grid.write_text(exp.read_text() + '[design]\nkind = "grid"\nvalues = { "levers.exit_fee" = [0, 1] }\n')
    assert main(["sweep", str(grid), "--out", str(tmp_path / "g"), "--set", "levers.exit_fee=4"]) == 2
    assert "the design varies it" in capsys.readouterr().err


def test_app_set_hands_the_server_a_changed_scenario(monkeypatch):
    seen = {}

    def fake_serve(scenario, port, host):
        seen["scenario"] = load_scenario(scenario)
        return 0

    monkeypatch.setattr("sim.app.serve.serve", fake_serve)
    assert main(["app", "loyalty_lock_in", "--set", "levers.exit_fee=1", "--set", "customers.count=300"]) == 0
    s = seen["scenario"]
    assert s.firms[0].levers.exit_fee == 1 and s.customers.count == 300 and s.name == "loyalty_lock_in"


@pytest.mark.parametrize("name", ["market", "turbulent_market", "loyalty_lock_in"])
def test_scenario_toml_reads_back_equal(name, tmp_path):
    scenario = sim.load_scenario(ROOT / "scenarios" / f"{name}.toml")
    scenario = sim.set_parameters(scenario, {"levers.exit_fee": 1.5, "network.kind": "scale_free"})
    assert load_scenario(write_scenario(scenario, tmp_path / "s.toml")) == scenario
    assert "[[firms]]" in scenario_toml(scenario)
