"""A calibration writes what it promises; same seed, same posterior (serially, on worker processes, resumed)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from cal_helpers import write

pytest.importorskip("pyabc")

from sim.calibration import calibrate, load_calibration  # noqa: E402
from sim.cli import main  # noqa: E402
from sim.scenario import ScenarioError, load_scenario  # noqa: E402


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serial")
    return calibrate(load_calibration(write(folder)), folder / "out")


def posterior(out) -> pd.DataFrame:
    return pd.read_parquet(out / "posterior.parquet")


def test_outputs_posterior_scenario_diagnostics_and_predictive_check(serial):
    cal = load_calibration(serial.parent / "cal.toml")
    post = posterior(serial)
    assert len(post) == cal.population and post["weight"].sum() == pytest.approx(1.0)
    for name, (low, high) in cal.parameters.items():
        assert post[name].between(low, high).all()
    diag = pd.read_csv(serial / "diagnostics.csv")
    assert diag["generation"].tolist() == [0, 1]
    assert (diag["acceptance"] > 0).all() and (diag["acceptance"] <= 1).all()
    assert diag["epsilon"].is_monotonic_decreasing
    check = pd.read_csv(serial / "predictive_check.csv")
    assert check["statistic"].tolist() == [t.statistic for t in cal.targets]
    assert check["use"].tolist() == ["calibration", "calibration", "validation"]
    assert check["simulated_median"].notna().all() and check["accepted_mean"].notna().all()
    runs = pd.read_parquet(serial / "predictive_runs.parquet")
    assert set(runs["source"]) == {"posterior", "accepted"}
    assert runs[runs["source"] == "posterior"]["draw"].nunique() == cal.check.draws
    for figure in ("predictive_check.png", "diagnostics.png", "posterior_marginals.png", "posterior_pairs.png"):
        assert (serial / figure).stat().st_size > 1000
    record = json.loads((serial / "calibration.json").read_text())
    assert record["calibration"]["seed"] == 11 and "pyabc" in record["versions"]


def test_accepted_scenario_is_the_posterior_mean_and_runs(serial, capsys):
    cal = load_calibration(serial.parent / "cal.toml")
    scenario = load_scenario(serial / "calibrated.toml")
    post = posterior(serial)
    for name in cal.parameters:
        section, field = name.split(".")
        expected = float(np.sum(post[name] * post["weight"]))
        assert getattr(getattr(scenario, section), field) == pytest.approx(expected)
    base = load_scenario(serial.parent / "market.toml")
    assert scenario.years == base.years and [f.name for f in scenario.firms] == [f.name for f in base.firms]
    assert main(["run", str(serial / "calibrated.toml"), "--years", "0.5", "--quiet"]) == 0
    assert "Monthly" in capsys.readouterr().out


def test_same_seed_same_posterior_and_another_seed_another(tmp_path, serial):
    again = calibrate(load_calibration(write(tmp_path / "a")), tmp_path / "a" / "out")
    pd.testing.assert_frame_equal(posterior(again), posterior(serial))
    pd.testing.assert_frame_equal(
        pd.read_csv(again / "predictive_check.csv"), pd.read_csv(serial / "predictive_check.csv")
    )
    other = calibrate(load_calibration(write(tmp_path / "b"), seed=12), tmp_path / "b" / "out")
    assert not posterior(other)[["behaviour.choice_noise"]].equals(posterior(serial)[["behaviour.choice_noise"]])


def test_two_worker_processes_give_the_same_posterior(tmp_path, serial):
    out = calibrate(load_calibration(write(tmp_path)), tmp_path / "out", workers=2)
    pd.testing.assert_frame_equal(posterior(out), posterior(serial))
    diag = pd.read_csv(out / "diagnostics.csv").drop(columns="seconds")
    pd.testing.assert_frame_equal(diag, pd.read_csv(serial / "diagnostics.csv").drop(columns="seconds"))


def test_resumed_calibration_ends_where_an_uninterrupted_one_does(tmp_path, serial):
    path = write(tmp_path)
    out = tmp_path / "out"
    calibrate(load_calibration(path, max_generations=1), out)
    assert len(pd.read_csv(out / "diagnostics.csv")) == 1
    with pytest.raises(ScenarioError, match="add --resume"):
        calibrate(load_calibration(path), out)
    with pytest.raises(ScenarioError, match="different calibration"):
        calibrate(load_calibration(path, population=9), out, resume=True)
    calibrate(load_calibration(path), out, resume=True)  # max_generations = 2: one more generation
    pd.testing.assert_frame_equal(posterior(out), posterior(serial))
    calibrate(load_calibration(path), out, resume=True)  # nothing left to do: the same outputs again
    pd.testing.assert_frame_equal(posterior(out), posterior(serial))
