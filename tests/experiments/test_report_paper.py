"""What makes the report fit for a paper: honest bands, Holm's correction, noise flags, palette, summaries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

from sim.experiments import figures
from sim.experiments.cli import print_summary
from sim.experiments.report import flag_noise, holm, noise_notes
from sim.palette import OKABE_ITO


def synthetic(points: int, replications: int, months: int = 24, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for point in range(points):
        for policy in ("permanent_exit", "loyalty_lock_in"):
            for rep in range(replications):
                for step in range(months + 1):
                    rows.append(
                        {
                            "run_id": f"{point}_{policy}_{rep}",
                            "point": point,
                            "policy": policy,
                            "replication": rep,
                            "step": step,
                            "year": step / 12,
                            "focal": True,
                            "trust": 0.5 + 0.1 * point + rng.normal(0, 0.02),
                            "churn_rate_annual": 0.0 if step == 0 else 0.2 + rng.normal(0, 0.01),
                        }
                    )
    return pd.DataFrame(rows)


def test_bands_only_over_the_replications_of_one_point():
    policies = ["permanent_exit", "loyalty_lock_in"]
    one = figures.trajectories(synthetic(1, 4), ["trust"], policies)
    assert any(isinstance(c, PolyCollection) for c in one.axes[0].collections)
    many = figures.trajectories(synthetic(3, 4), ["trust"], policies)
    assert not any(isinstance(c, PolyCollection) for c in many.axes[0].collections)
    assert "3 design points" in many.get_suptitle()
    assert [t.get_text() for t in many.axes[0].get_legend().get_texts()] == [
        "Permanent exit (n = 3)",
        "Loyalty lock-in (n = 3)",
    ]


def test_flows_start_at_month_one_and_colours_are_okabe_ito():
    fig = figures.trajectories(synthetic(1, 3), ["churn_rate_annual", "trust"], ["permanent_exit", "loyalty_lock_in"])
    churn, trust = fig.axes[:2]
    assert min(churn.lines[0].get_xdata()) == pytest.approx(1 / 12)  # no month-0 zero
    assert min(trust.lines[0].get_xdata()) == 0  # a stock has a starting value
    assert [line.get_color() for line in churn.lines] == list(OKABE_ITO[:2])
    assert churn.get_ylabel() == "Churn per year [share per year]" and churn.get_title() == "Churn per year"


def test_holm_matches_the_step_down_rule():
    p = pd.Series([0.01, 0.04, 0.03, np.nan, 0.5])
    adjusted = holm(p)
    assert adjusted.tolist()[:3] == pytest.approx([0.04, 0.09, 0.09])
    assert np.isnan(adjusted[3]) and adjusted[4] == 0.5
    assert (adjusted.dropna() >= p.dropna()).all()


def _sobol(s1, s1_conf, st):
    n = len(s1)
    return pd.DataFrame(
        {
            "policy": ["p"] * n,
            "outcome": ["trust"] * n,
            "parameter": [f"x{i}" for i in range(n)],
            "S1": s1,
            "S1_conf": s1_conf,
            "ST": st,
            "ST_conf": [0.05] * n,
        }
    )


@pytest.mark.parametrize(
    ("s1", "s1_conf", "st", "noisy"),
    [
        ([0.5, 0.3], [0.05, 0.05], [0.6, 0.4], False),
        ([0.5, -0.3], [0.05, 0.1], [0.6, 0.4], True),  # negative beyond its interval
        ([0.5, -0.05], [0.05, 0.1], [0.6, 0.4], False),  # negative within its interval: sampling error
        ([0.5, 0.3], [0.05, 0.05], [1.2, 0.9], True),  # total-order indices sum to 2.1
    ],
)
def test_sobol_results_are_flagged_when_replication_noise_dominates(s1, s1_conf, st, noisy):
    table = flag_noise(_sobol(s1, s1_conf, st))
    assert table["noise"].all() == noisy and table["noise"].any() == noisy
    notes = noise_notes(table, replications=1)
    assert bool(notes) == noisy
    if noisy:
        assert "1 replication per point" in notes[0] and "raise `replications`" in notes[0]


def test_one_run_per_point_is_summarised_over_the_points(capsys):
    summary = pd.DataFrame(
        {
            "point": [0, 1, 2],
            "policy": ["p"] * 3,
            "outcome": ["trust"] * 3,
            "n": [1, 1, 1],
            "mean": [0.4, 0.5, 0.6],
            "sd": [np.nan] * 3,
            "ci_low": [np.nan] * 3,
            "ci_high": [np.nan] * 3,
        }
    )
    print_summary(summary)
    out = capsys.readouterr().out
    assert "nan" not in out and "one run per design point" in out and "0.5" in out
