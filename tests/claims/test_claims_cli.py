"""crsim claims: bad files and names get one line and exit 2 with nothing written; a run interrupted and resumed
equals an uninterrupted one; a posterior narrows the ranges to its weighted quantiles."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from claims_helpers import TOYS, space_file

from sim.claims.evaluate import effects, run_claims
from sim.claims.space import load_space, weighted_quantile
from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *args):
    code = main(["claims", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_shipped_uncertainties_hold_every_default_inside_its_range():
    space = load_space(ROOT / "claims" / "uncertainties.toml")
    assert len(space.bounds) >= 8
    for name, (low, high) in space.bounds.items():
        assert low <= space.defaults[name] <= high, name


GOOD = space_file.__globals__["SPACE"].format(customers=100, samples=4, replications=1)


@pytest.mark.parametrize(
    "text, message",
    [
        (GOOD.replace("customers.price_sensitivity", "customers.price_sensitivty"),
         "uncertainties: unknown parameter 'customers.price_sensitivty'; did you mean 'customers.price_sensitivity'?"),
        (GOOD.replace("low = 0.0, high = 1.0", "low = 0.5, high = 0.5"), "low must be below high"),
        (GOOD.replace("high = 1.0", "high = 1.5"), "uncertainties.customers.price_sensitivity: "),
        (GOOD.replace("customers.price_sensitivity", "levers.price"), "levers are what a firm decides"),
        (GOOD.replace("samples = 4", "samples = 1"), "samples: "),
        (GOOD.replace("samples = 4", "sample = 4"), "unknown field 'sample'; did you mean 'samples'?"),
        (GOOD.replace('scenario = "business_as_usual"', 'scenario = "nowhere.toml"'), "scenario: "),
        (GOOD + "\n[broken", "not valid TOML"),
    ],
)  # fmt: skip
def test_a_bad_uncertainties_file_is_one_line_and_exit_2_and_writes_nothing(tmp_path, capsys, text, message):
    path = tmp_path / "space.toml"
    path.write_text(text)
    code, out, err = run(capsys, "--uncertainties", path, "--out", tmp_path / "out", "--quiet")
    assert code == 2 and err.count("\n") == 1 and err.startswith(f"crsim: {path}: ") and message in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["exit_option_trsut"], "claims: unknown claim 'exit_option_trsut'; did you mean 'exit_option_trust'?"),
        (["--workers", "0"], "--workers: must be at least 1"),
        (["--posterior", "missing.parquet"], "missing.parquet: no such file"),
        (["--samples", "100000", "--replications", "10000"], "GiB, more than half the"),  # refused before it starts
    ],
)
def test_bad_command_lines_are_one_line_and_exit_2(tmp_path, capsys, args, message):
    code, _, err = run(capsys, *args, "--uncertainties", space_file(tmp_path), "--out", tmp_path / "out")
    assert code == 2 and err.count("\n") == 1 and message in err and not (tmp_path / "out").exists()


def test_a_file_that_is_not_parquet_is_refused_whatever_its_name(tmp_path, capsys):
    fake = tmp_path / "posterior.parquet"
    fake.write_text("weight,customers.price_sensitivity\n1,0.5\n")
    code, _, err = run(capsys, "--posterior", fake, "--uncertainties", space_file(tmp_path), "--out", tmp_path / "o")
    assert code == 2 and "not a parquet table" in err and not (tmp_path / "o").exists()


def test_a_posterior_sets_ranges_from_weighted_quantiles_and_fixes_the_other_calibrated_parameters(tmp_path):
    rng = np.random.default_rng(3)
    post = pd.DataFrame({"customers.price_sensitivity": rng.uniform(0.3, 0.6, 400), "behaviour.inertia":
                         rng.uniform(0.1, 0.2, 400), "weight": rng.uniform(0, 1, 400), "distance": 1.0})  # fmt: skip
    post.to_parquet(tmp_path / "post.parquet")
    space = load_space(space_file(tmp_path), tmp_path / "post.parquet")
    low, high = space.bounds["customers.price_sensitivity"]
    values, w = post["customers.price_sensitivity"].to_numpy(), post["weight"].to_numpy()
    assert (low, high) == (weighted_quantile(values, w, 0.05), weighted_quantile(values, w, 0.95))
    assert 0.3 < low < 0.35 and 0.55 < high < 0.6
    assert space.bounds["behaviour.bond_decay"] == (0.005, 0.02)  # not calibrated: the file's range
    assert space.fixed == {"behaviour.inertia": weighted_quantile(post["behaviour.inertia"].to_numpy(), w, 0.5)}
    bad = post.rename(columns={"behaviour.inertia": "behaviour.inertie"})
    bad.to_parquet(tmp_path / "bad.parquet")
    with pytest.raises(ValueError, match="column 'behaviour.inertie': unknown parameter; did you mean"):
        load_space(space_file(tmp_path), tmp_path / "bad.parquet")


def test_weighted_quantile_of_equal_weights_is_the_median_and_weights_move_it():
    values = np.array([1.0, 2.0, 3.0])
    assert weighted_quantile(values, np.ones(3), 0.5) == 2.0
    assert weighted_quantile(values, np.array([0.0, 0.0, 1.0]), 0.5) == 3.0


def test_an_interrupted_run_resumes_to_the_uninterrupted_result(tmp_path, capsys):
    space = load_space(space_file(tmp_path, customers=100, samples=4, replications=2))
    claims = TOYS[1:]

    class Stop(Exception):
        pass

    def stop_after_five(done, total):
        if done == 5:
            raise Stop

    with pytest.raises(Stop):
        run_claims(claims, space, tmp_path / "cut", progress=stop_after_five)
    code, _, err = run(capsys, "--uncertainties", tmp_path / "space.toml", "--out", tmp_path / "cut", "--quiet",
                       "--samples", 4, "--replications", 2, "--customers", 100)  # fmt: skip
    assert code == 2 and "add --resume" in err
    calls = []
    run_claims(claims, space, tmp_path / "cut", resume=True, progress=lambda done, total: calls.append(done))
    assert calls[0] == 7 and calls[-1] == 16  # only the missing runs ran (in batches of two: six had landed)
    clean = run_claims(claims, space, tmp_path / "clean", progress=False)
    pd.testing.assert_frame_equal(effects(claims, tmp_path / "cut"), effects(claims, clean))
    other = load_space(space_file(tmp_path, customers=100, samples=5, replications=2))
    with pytest.raises(ValueError, match="holds claims tested over another space; cannot resume"):
        run_claims(claims, other, tmp_path / "cut", resume=True, progress=False)


@pytest.mark.slow
def test_a_posterior_written_by_crsim_calibrate_narrows_the_space_of_a_claims_run(tmp_path, capsys):
    pytest.importorskip("pyabc")
    import importlib.util

    from sim.calibration import calibrate, load_calibration

    spec = importlib.util.spec_from_file_location("cal_helpers", ROOT / "tests" / "calibration" / "cal_helpers.py")
    helpers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helpers)
    cal = calibrate(load_calibration(helpers.write(tmp_path / "cal")), tmp_path / "cal" / "out")
    posterior = pd.read_parquet(cal / "posterior.parquet")
    assert any(c.startswith("stat.") for c in posterior.columns) and "distance" in posterior.columns
    space = space_file(tmp_path, customers=100, samples=3, replications=1)
    space.write_text(space.read_text() + '"behaviour.base_failure" = { low = 0.01, high = 0.3 }\n')
    code, out, err = run(capsys, "budget_sales_acquisitions", "--uncertainties", space, "--posterior",
                         cal / "posterior.parquet", "--out", tmp_path / "atlas", "--quiet")  # fmt: skip
    assert code == 0, err
    record = json.loads((tmp_path / "atlas" / "claims.json").read_text())
    w = posterior["weight"].to_numpy()
    quantiles = [weighted_quantile(posterior["behaviour.base_failure"].to_numpy(), w, q) for q in (0.05, 0.95)]
    assert record["bounds"]["behaviour.base_failure"] == pytest.approx(quantiles)  # the calibrated range
    assert record["bounds"]["customers.price_sensitivity"] == [0.0, 1.0]  # not calibrated: the file's range
    median = weighted_quantile(posterior["behaviour.choice_noise"].to_numpy(), w, 0.5)
    assert record["fixed"] == {"behaviour.choice_noise": pytest.approx(median)}  # calibrated, not uncertain here
    assert record["posterior"] == str(cal / "posterior.parquet")
    md = (tmp_path / "atlas" / "claims.md").read_text()
    assert "narrowed by the posterior" in md and "`behaviour.choice_noise` =" in md
