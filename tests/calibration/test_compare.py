"""Claims across the posterior: draws by weight, paired arms on common random numbers, verdicts by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cal_helpers import write

pytest.importorskip("pyabc")  # crsim calibrate needs it

from sim.calibration import load_calibration  # noqa: E402
from sim.calibration.compare import compare_posterior, compare_runs, draws, focal_outcomes, summarise  # noqa: E402
from sim.claims import lookup  # noqa: E402
from sim.cli import main  # noqa: E402
from sim.scenario import ScenarioError  # noqa: E402

CLAIM = "listening_keeps_customers"


def fake_posterior(cal, weights=(0.5, 0.25, 0.25)) -> pd.DataFrame:
    table = pd.DataFrame({name: np.linspace(low, high, len(weights)) for name, (low, high) in cal.parameters.items()})
    return table.assign(weight=list(weights))


def test_draw_zero_is_the_weighted_mean_and_draws_follow_the_weights(tmp_path):
    cal = load_calibration(write(tmp_path))
    post = fake_posterior(cal, (1.0, 0.0, 0.0))
    table = draws(cal, post, 5)
    assert table["draw"].tolist() == list(range(6))
    for name in cal.parameters:
        assert table[name].iloc[0] == pytest.approx(post[name].iloc[0])  # all the weight on the first row
        assert (table[name].iloc[1:] == post[name].iloc[0]).all()
    post = fake_posterior(cal)
    assert draws(cal, post, 8).equals(draws(cal, post, 8))  # seeded
    mean = draws(cal, post, 2).iloc[0]
    name = next(iter(cal.parameters))
    assert mean[name] == pytest.approx(float(np.dot(post[name], post["weight"])))


def test_summary_reads_effects_in_the_claims_direction_and_margin():
    # listening: churn lower by more than 0.02. Draw 0 = mean; draws 1-4 over the posterior
    effects = {0: [-0.05, -0.03], 1: [-0.05, -0.05], 2: [-0.04, -0.02], 3: [0.01, 0.01], 4: [-0.03, -0.05]}
    rows = [
        {"claim": CLAIM, "draw": d, "replication": r, "effect": e}
        for d, es in effects.items()
        for r, e in enumerate(es)
    ]
    s = summarise(pd.DataFrame(rows)).iloc[0]
    assert s["effect_at_mean"] == pytest.approx(-0.04)
    assert s["share_holds"] == pytest.approx(3 / 4)  # draw 3 goes the wrong way
    assert s["verdict"] == "holds at the mean only" and s["draws"] == 4
    rows = [r for r in rows if r["draw"] != 3]
    assert summarise(pd.DataFrame(rows)).iloc[0]["verdict"] == "holds across the posterior"
    rows = [{**r, "effect": -r["effect"]} for r in rows]
    assert summarise(pd.DataFrame(rows)).iloc[0]["verdict"] == "fails at the mean"


def test_runs_repeat_and_the_arms_differ_only_in_what_the_claim_sets(tmp_path):
    cal = load_calibration(write(tmp_path)).with_changes()
    cal = cal.model_copy(update={"compare": cal.compare.model_copy(update={"claims": [CLAIM], "customers": 60})})
    post = fake_posterior(cal)
    a = compare_runs(cal, post, draws=2, replications=1)
    assert len(a) == 3 and a["effect"].notna().all()
    pd.testing.assert_frame_equal(a, compare_runs(cal, post, draws=2, replications=1))
    assert (a["treatment"] != a["control"]).any()
    # common random numbers: an arm run twice on one seed is the same market, month by month
    control = lookup(CLAIM).control
    one, two = (focal_outcomes(control, {}, 60, 12, seed=5) for _ in range(2))
    pd.testing.assert_frame_equal(one.reset_index(drop=True), two.reset_index(drop=True))


def test_compare_without_a_posterior_is_one_line_and_exit_code_2(tmp_path, capsys):
    path = write(tmp_path)
    with pytest.raises(ScenarioError, match="no posterior.parquet"):
        compare_posterior(load_calibration(path), tmp_path / "nothing")
    assert main(["calibrate", str(path), "--out", str(tmp_path / "nothing"), "--compare"]) == 2
    err = capsys.readouterr().err.strip()
    assert "no posterior.parquet" in err and len(err.splitlines()) == 1


def test_an_unknown_claim_in_the_compare_section_names_the_field(tmp_path):
    text = write(tmp_path).read_text() + '\n[compare]\nclaims = ["exit_option_trusts"]\n'
    (tmp_path / "cal.toml").write_text(text)
    with pytest.raises(ScenarioError, match="compare.claims.*exit_option_trust"):
        load_calibration(tmp_path / "cal.toml")
