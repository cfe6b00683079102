"""One results dataset: folded from the run files, typed, carrying its provenance, summarised by streaming."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from exp_helpers import crsim, tiny
from test_integrity import partial

from sim.experiments import load_experiment, load_results, run_experiment
from sim.experiments.dataset import DATASET_KEY, RESULTS, folded_runs
from sim.experiments.report import final_values
from sim.experiments.results import run_summaries


def test_a_sweep_ends_as_one_typed_dataset_with_its_provenance(tmp_path):
    out = run_experiment(load_experiment(tiny(tmp_path, replications=1, years=0.5, customers=60)), tmp_path / "o")
    assert not list((out / "runs").iterdir())
    schema = pq.read_schema(out / RESULTS)
    for name in ("run_id", "policy", "firm", "firm_policy"):
        assert pa.types.is_dictionary(schema.field(name).type), name
    for name in ("point", "replication", "step", "customers"):
        assert schema.field(name).type == pa.int32(), name
    assert schema.field("seed").type == pa.int64() and schema.field("focal").type == pa.bool_()
    meta = json.loads(schema.metadata[DATASET_KEY])
    assert meta["record"]["master_seed"] == 11 and meta["record"]["code"]["source"]
    assert len(meta["runs"]) == 8 and all(r["rows"] == 7 * 4 for r in meta["runs"].values())
    assert pq.read_metadata(out / RESULTS).row_group(0).column(0).compression == "ZSTD"
    table = load_results(out)
    assert isinstance(table["policy"].dtype, pd.CategoricalDtype) and table["customers"].dtype == "int32"


def test_streamed_summaries_equal_those_of_the_whole_table(tmp_path):
    out = run_experiment(load_experiment(tiny(tmp_path, replications=2, years=1.5, customers=60)), tmp_path / "o")
    outcomes = ["trust", "bond", "churn_rate_annual", "customers"]
    params = ["levers.exit_fee", "customers.needs_volatility"]
    whole = final_values(load_results(out), params, outcomes)
    for column in ("run_id", "policy"):
        whole[column] = whole[column].astype(str)
    streamed = run_summaries(out, outcomes)
    pd.testing.assert_frame_equal(
        streamed.astype({"point": "int64", "replication": "int64"}),
        whole.astype({"point": "int64", "replication": "int64"}),
        check_dtype=False,
    )


def test_compacting_an_unfinished_sweep_and_resuming_gives_the_uninterrupted_result(tmp_path):
    path = tiny(tmp_path, replications=1, years=0.5, customers=60)
    out = tmp_path / "o"
    partial(path, out, after=3)
    result = crsim("compact", str(out))
    assert result.returncode == 0 and "3 runs in one dataset" in result.stdout, result.stderr
    assert len(folded_runs(out)) == 3 and not list((out / "runs").iterdir())
    resumed = crsim("sweep", "--resume", str(out), "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    clean = run_experiment(load_experiment(path), tmp_path / "clean", progress=False)
    pd.testing.assert_frame_equal(load_results(out), load_results(clean))
