"""Load and report time of a sweep's results at scale: 10^4 synthetic runs (ten years, four firms each).

    python benchmarks/results_scale.py [RUNS]

Builds (without fsync) a results folder for a policy comparison with RUNS runs (six policies), fills every run with random
outcomes of the real table's shape (121 months x 4 firms), folds them into the results dataset, then times
``load_results`` (the whole table), ``run_summaries`` (the streamed per-run summaries the report uses) and
``report`` (tables, then tables and figures). Peak memory is this process's resident maximum so far.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.experiments import load_experiment, load_results, report
from sim.experiments.dataset import COUNTS, compact
from sim.experiments.results import run_summaries
from sim.experiments.runfiles import fingerprint, stamp, write_run
from sim.experiments.runner import RUNS, _comparable, plan, prepare
from sim.metrics import METRICS
from sim.typology import TYPES

ROOT = Path(__file__).resolve().parent.parent


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic(run, firms: list[str], policies: list[str], months: int, rng: np.random.Generator) -> pd.DataFrame:
    rows = (months + 1) * len(firms)
    table = pd.DataFrame(
        {
            "run_id": run.key,
            "point": run.point,
            "policy": run.policy,
            "replication": run.replication,
            "seed": run.seed,
            "step": np.repeat(np.arange(months + 1), len(firms)),
            "year": np.repeat(np.arange(months + 1), len(firms)) / 12.0,
            "firm": np.tile(firms, months + 1),
            "firm_policy": np.tile([run.policy, *policies[1:]], months + 1),
            "focal": np.tile([True] + [False] * (len(firms) - 1), months + 1),
        }
    )
    for name in (*METRICS, *TYPES):
        table[name] = rng.integers(0, 500, rows).astype(float) if name in COUNTS else rng.random(rows)
    return table


def main(total: int = 10_000) -> None:
    exp = load_experiment(ROOT / "experiments" / "policy_comparison.toml").with_changes(replications=-(-total // 6))
    the_plan = plan(exp)
    out = Path(tempfile.mkdtemp(prefix="crsim-scale-"))
    record = the_plan.record()
    codes = prepare(out, record, resume=False)
    experiment = fingerprint(_comparable(record))
    firms = [f["name"] for f in the_plan.scenario["firms"]]
    months, rng = the_plan.experiment.years * 12 if the_plan.experiment.years else 120, np.random.default_rng(0)
    t = time.perf_counter()
    fsync, os.fsync = os.fsync, lambda fd: None  # setting up synthetic files need not wait for the disk
    try:
        for run in the_plan.runs:
            table = synthetic(run, firms, ["business_as_usual"] * len(firms), int(months), rng)
            write_run(out / RUNS / f"{run.key}.parquet", table, stamp(run, experiment, codes[-1]))
    finally:
        os.fsync = fsync
    timings = [("write run files (no fsync)", time.perf_counter() - t)]
    files_mb = sum(p.stat().st_size for p in (out / RUNS).glob("*.parquet")) / 2**20
    t = time.perf_counter()
    compact(out)
    timings.append(("compact", time.perf_counter() - t))
    dataset_mb = (out / "results.parquet").stat().st_size / 2**20
    for label, call in (
        ("run_summaries", lambda: run_summaries(out, ["trust", "bond", "churn_rate_annual", "trapped_share"])),
        ("report, tables only", lambda: report(out, figures=False)),
        ("report with figures", lambda: report(out)),
        ("load_results (whole table)", lambda: load_results(out)),
    ):
        t = time.perf_counter()
        call()
        timings.append((label, time.perf_counter() - t, peak_mb()))
    print(f"{len(the_plan.runs):,} runs x {int(months) + 1} months x {len(firms)} firms")
    print(f"run files {files_mb:,.0f} MB; one dataset {dataset_mb:,.0f} MB")
    print(f"{'step':<28}{'seconds':>9}{'peak MB':>10}")
    for label, seconds, *peak in timings:
        print(f"{label:<28}{seconds:>9.1f}{(f'{peak[0]:,.0f}' if peak else ''):>10}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
