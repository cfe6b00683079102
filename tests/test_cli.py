"""The crsim command end to end, in a subprocess like a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def crsim(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_run_writes_table_and_manifest(tmp_path):
    out = tmp_path / "run"
    result = crsim("run", "permanent_exit", "--years", "1", "--seed", "3", "--out", str(out))
    assert result.returncode == 0, result.stderr
    for column in ("trust", "bond", "churn/yr", "customers", "profit/yr"):
        assert column in result.stdout
    assert "Permanent exit" in result.stdout
    assert "month" in result.stderr  # the progress bar
    table = pd.read_csv(out / "timeseries.csv")
    assert table["step"].max() == 12 and set(table["firm"]) == {"Permanent exit", "Rival A", "Rival B", "Rival C"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3 and manifest["scenario"]["years"] == 1
    assert {"python", "mesa", "numpy", "crsim"} <= set(manifest["versions"])
    assert "git_commit" in manifest


def test_run_without_scenario_runs_the_default_market(tmp_path):
    result = crsim("run", "--years", "0.25", "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("market:")
    assert "Relationship first" in result.stdout and "Loyalty lock-in" in result.stdout


def test_bad_scenario_exits_2_with_one_line_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('years = 2\n[[firms]]\nname = "A"\npolicy = "loyalty_lockin"\n')
    out = tmp_path / "out"
    result = crsim("run", str(bad), "--out", str(out))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert (
        str(bad) in result.stderr and "firms[0]" in result.stderr and "did you mean 'loyalty_lock_in'" in result.stderr
    )
    assert not out.exists()


def test_missing_scenario_file_exits_2(tmp_path):
    result = crsim("run", str(tmp_path / "nope.toml"))
    assert result.returncode == 2 and "no such file" in result.stderr


def test_validate_reports_each_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[customers]\ncount = 5\n[[firms]]\nname = "A"\npolicy = "permanent_exit"\n')
    ok = crsim("validate", *sorted(str(p) for p in (ROOT / "scenarios").glob("*.toml")))
    assert ok.returncode == 0 and ok.stdout.count(": ok") == len(list((ROOT / "scenarios").glob("*.toml")))
    result = crsim("validate", str(ROOT / "scenarios" / "market.toml"), str(bad))
    assert result.returncode == 2
    assert "market.toml: ok" in result.stdout
    assert "customers.count: Input should be greater than or equal to 10" in result.stderr


def test_list_shows_presets_and_files():
    result = crsim("list")
    assert result.returncode == 0
    for name in (
        "business_as_usual",
        "loyalty_lock_in",
        "permanent_exit",
        "empowered_staff",
        "budget_sales",
        "relationship_first",
        "scenarios/market.toml",
    ):
        assert name in result.stdout


def test_impossible_option_value_exits_2(tmp_path):
    result = crsim("run", "--years", "-1", "--out", str(tmp_path / "o"))
    assert result.returncode == 2
    assert result.stderr.strip() == "crsim: command line: --years: Input should be greater than 0 (got -1.0)"
    assert not (tmp_path / "o").exists()
