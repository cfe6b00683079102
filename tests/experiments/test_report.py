"""The report: summaries with confidence intervals, paired differences, sensitivity indices and figures."""

from __future__ import annotations

import matplotlib.image
import numpy as np
import pandas as pd
import pytest
from exp_helpers import crsim, tiny
from matplotlib.figure import Figure
from scipy import stats

from sim.experiments import Design, Experiment, load_experiment, load_results, report, run_experiment

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    return run_experiment(load_experiment(tiny(folder, replications=4)), folder / "out", progress=False)


def test_summary_means_and_intervals_follow_the_runs(swept):
    rep = report(swept, figures=False)
    results = load_results(swept)
    focal = results[results["focal"] & (results["step"] > 0)]
    run = focal[focal["run_id"] == "00002_loyalty_lock_in_0003"]
    assert rep.finals.set_index("run_id").loc["00002_loyalty_lock_in_0003", "trust"] == pytest.approx(
        run["trust"].mean()
    )
    row = rep.summary.query("point == 2 and policy == 'loyalty_lock_in' and outcome == 'trust'").iloc[0]
    values = rep.finals.query("point == 2 and policy == 'loyalty_lock_in'")["trust"]
    low, high = stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
    assert row["n"] == 4 and row["mean"] == pytest.approx(values.mean())
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))
    assert len(rep.summary) == 4 * 2 * len(rep.summary["outcome"].unique())


def test_differences_are_paired_by_replication_against_the_reference(swept):
    rep = report(swept, figures=False)
    assert set(rep.differences["policy"]) == {"permanent_exit"} and set(rep.differences["reference"]) == {
        "loyalty_lock_in"
    }
    finals = rep.finals.query("point == 3").pivot(index="replication", columns="policy", values="trapped_share")
    diff = finals["permanent_exit"] - finals["loyalty_lock_in"]
    row = rep.differences.query("point == 3 and outcome == 'trapped_share'").iloc[0]
    test = stats.ttest_rel(finals["permanent_exit"], finals["loyalty_lock_in"])
    assert row["difference"] == pytest.approx(diff.mean())
    assert row["p_value"] == pytest.approx(test.pvalue)
    assert row["ci_low"] < row["difference"] < row["ci_high"]


def test_report_writes_tables_and_readable_figures(swept):
    rep = report(swept)
    stems = {"trajectories", "differences", "typology", "heatmap_permanent_exit", "heatmap_loyalty_lock_in"}
    assert stems <= set(rep.figures) and all(isinstance(f, Figure) for f in rep.figures.values())
    names = {p.name for p in rep.files}
    for stem, fig in rep.figures.items():
        assert {f"{stem}.svg", f"{stem}.pdf", f"{stem}.png"} <= names
        width, height = fig.get_size_inches() * 300  # 300 dpi
        assert matplotlib.image.imread(rep.folder / f"{stem}.png").shape[:2] == (round(height), round(width))
    for path in rep.files:
        if path.suffix == ".png":
            assert path.read_bytes()[:8] == PNG and path.stat().st_size > 10_000
        if path.suffix == ".pdf":
            assert path.read_bytes()[:5] == b"%PDF-"
        if path.suffix == ".svg":
            assert b"<svg" in path.read_bytes()[:500]
    for name in ("summary", "differences", "finals"):
        pd.testing.assert_frame_equal(pd.read_csv(rep.folder / f"{name}.csv"), getattr(rep, name), check_dtype=False)


def test_figures_have_titles_labels_and_legends(swept):
    import matplotlib.image

    from sim.experiments import figures

    rep = report(swept, figures=False)
    seen = []
    original = figures.Figure.savefig

    def check(fig, path, **kwargs):
        for ax in fig.axes:
            if ax.get_label() == "<colorbar>":
                assert ax.get_ylabel()
                continue
            assert (ax.get_title() and ax.get_xlabel()) or not ax.get_visible()
        assert fig.get_suptitle()
        named_on_axis = "differences" in str(path) and [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert any(ax.get_legend() for ax in fig.axes) or fig.legends or "heatmap" in str(path) or named_on_axis
        seen.append(path)
        return original(fig, path, **kwargs)

    figures.Figure.savefig = check
    try:
        figs = figures.all_figures(load_results(swept), rep, __import__("sim").experiments.load_record(swept))
        paths = figures.save_all(figs, rep.folder)
    finally:
        figures.Figure.savefig = original
    assert seen == paths and len(figs) == 5 and len(paths) == 15
    assert matplotlib.image.imread(paths[2]).shape[2] in (3, 4)


def test_sobol_sweep_reports_indices_and_a_bar_chart(tmp_path):
    bounds = {"behaviour.trust_gain": (0.01, 0.1), "levers.staff_authority": (0.1, 0.9)}
    exp = Experiment(
        name="sobol",
        scenario="permanent_exit",
        years=0.5,
        customers=100,
        seed=2,
        outcomes=["trust", "bond", "churn_rate_annual"],
        design=Design(kind="sobol", samples=4, bounds=bounds),
    )
    out = run_experiment(exp, tmp_path / "out", progress=False)
    rep = report(out)
    assert len(rep.sensitivity) == 3 * 2
    assert set(rep.sensitivity["parameter"]) == set(bounds)
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(rep.sensitivity.columns)
    assert np.isfinite(rep.sensitivity["ST"]).all()
    assert "sensitivity_permanent_exit" in rep.figures
    assert "sensitivity_permanent_exit.png" in {p.name for p in rep.files}


def test_report_command_prints_the_summary_and_files(swept):
    result = crsim("report", str(swept))
    assert result.returncode == 0, result.stderr
    assert "mean [95% CI]" in result.stdout and "permanent_exit" in result.stdout and "trust" in result.stdout
    assert "trajectories.png" in result.stdout


def test_report_of_a_folder_without_results_exits_2(tmp_path):
    result = crsim("report", str(tmp_path))
    assert result.returncode == 2 and "experiment.json" in result.stderr and result.stderr.count("\n") == 1
