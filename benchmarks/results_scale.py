"""Load and report time of a sweep's results at scale: 10^4 synthetic runs (ten years, four firms each).

    python benchmarks/results_scale.py [RUNS]

Builds a results folder for a policy comparison with RUNS runs (six named policies), every run with random
outcomes of the real table's shape (121 months x 4 firms): 300 runs as run files, the way a sweep writes
them, the rest straight into the results dataset; folds the files in (``compact``), then times
``load_results`` (the whole table), ``run_summaries`` (the streamed per-run summaries the report uses) and
``report`` (tables, then tables and figures), each in a fresh process whose peak resident memory is shown.
``python benchmarks/results_scale.py --dir DIR`` measures an existing results folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.experiments import load_experiment
from sim.experiments.dataset import COUNTS, DATASET_KEY, compact, typed
from sim.experiments.results import load_record
from sim.experiments.runfiles import fingerprint, stamp, write_batch
from sim.experiments.runner import RUNS, _comparable, plan, prepare
from sim.metrics import METRICS
from sim.typology import TYPES

ROOT = Path(__file__).resolve().parent.parent


def synthetic(chunk, firms: list[str], months: int, rng: np.random.Generator) -> pd.DataFrame:
    """Rows of the real table's shape for a list of runs, with random outcomes (counts whole)."""
    per_run = (months + 1) * len(firms)
    rows = per_run * len(chunk)
    steps = np.tile(np.repeat(np.arange(months + 1), len(firms)), len(chunk))
    table = pd.DataFrame(
        {
            "run_id": np.repeat([r.key for r in chunk], per_run),
            "point": np.repeat([r.point for r in chunk], per_run),
            "policy": np.repeat([r.policy for r in chunk], per_run),
            "replication": np.repeat([r.replication for r in chunk], per_run),
            "seed": np.repeat([r.seed for r in chunk], per_run),
            "step": steps,
            "year": steps / 12.0,
            "firm": np.tile(firms, (months + 1) * len(chunk)),
            "firm_policy": "business_as_usual",
            "focal": np.tile([True] + [False] * (len(firms) - 1), (months + 1) * len(chunk)),
        }
    )
    for name in (*METRICS, *TYPES):
        table[name] = rng.integers(0, 500, rows).astype(float) if name in COUNTS else rng.random(rows)
    return table


def main(total: int = 10_000, files: int = 300) -> None:
    exp = load_experiment(ROOT / "experiments" / "policy_comparison.toml").with_changes(replications=-(-total // 6))
    the_plan = plan(exp)
    out = Path(tempfile.mkdtemp(prefix="crsim-scale-"))
    record = the_plan.record()
    codes = prepare(out, record, resume=False)
    experiment = fingerprint(_comparable(record))
    firms = [f["name"] for f in the_plan.scenario["firms"]]
    months, rng = int((the_plan.experiment.years or 10) * 12), np.random.default_rng(0)
    timings = []
    # the last ``files`` runs land as run files, the way a sweep writes them, and are folded in at the end
    as_files, direct = the_plan.runs[-files:], the_plan.runs[:-files]
    t = time.perf_counter()
    for run in as_files:
        write_batch(
            out / RUNS / f"{run.key}.parquet", synthetic([run], firms, months, rng), [stamp(run, experiment, codes[-1])]
        )
    timings.append((f"write {files} run files (fsync)", time.perf_counter() - t))
    # the others go straight into a results dataset (setting up 10^4 files one by one would take long)
    t = time.perf_counter()
    meta = {"record": load_record(out), "runs": {}}
    schema, writer = None, None
    path = out / "results.parquet"
    for i in range(0, len(direct), 500):
        chunk = direct[i : i + 500]
        table = typed(pa.Table.from_pandas(synthetic(chunk, firms, months, rng), preserve_index=False))
        table = table.replace_schema_metadata(None)
        for run in chunk:
            meta["runs"][run.key] = {"seed": run.seed, "rows": (months + 1) * len(firms), "source": codes[-1]["source"]}
        if writer is None:
            schema = table.schema
            writer = pq.ParquetWriter(path, schema, compression="zstd")
        writer.write_table(table.cast(schema), row_group_size=250_000)
    writer.close()
    first = pq.read_table(path)
    pq.write_table(
        first.replace_schema_metadata({DATASET_KEY: json.dumps(meta).encode()}),
        path,
        compression="zstd",
        row_group_size=250_000,
    )
    del first
    timings.append((f"set up a dataset of {len(direct):,} runs", time.perf_counter() - t))
    t = time.perf_counter()
    compact(out)
    timings.append((f"compact: fold {files} files in", time.perf_counter() - t))
    dataset_mb = path.stat().st_size / 2**20
    print(f"{len(the_plan.runs):,} runs x {months + 1} months x {len(firms)} firms; dataset {dataset_mb:,.0f} MB")
    for label, seconds in timings:
        print(f"{label:<36}{seconds:>9.1f}")
    measure(out)


STEPS = {
    "run_summaries": "run_summaries(out, ['trust', 'bond', 'churn_rate_annual', 'trapped_share'])",
    "report, tables only": "report(out, figures=False)",
    "report with figures": "report(out)",
    "load_results (whole table)": "load_results(out)",
}


def measure(out: Path) -> None:
    """Each step in a fresh process: wall-clock seconds and that process's peak resident memory."""
    print(f"{'step (own process)':<36}{'seconds':>9}{'peak MB':>10}")
    for label, call in STEPS.items():
        code = (
            "import sys, time; from pathlib import Path; from sim.experiments import load_results, report; "
            "from sim.experiments.results import run_summaries; out = Path(sys.argv[1]); "
            f"t = time.perf_counter(); {call}; print(time.perf_counter() - t)"
        )
        child = subprocess.Popen([sys.executable, "-c", code, str(out)], stdout=subprocess.PIPE, text=True)
        seconds = float(child.stdout.read())
        _, _, usage = os.wait4(child.pid, 0)
        print(f"{label:<36}{seconds:>9.1f}{usage.ru_maxrss / 1024:>10,.0f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--dir"]:
        measure(Path(sys.argv[2]))  # an existing results folder
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
