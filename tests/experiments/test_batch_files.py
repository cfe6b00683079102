"""A sweep writes a file per batch of runs; resume checks each file's runs against its name and the plan."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pyarrow.parquet as pq
import pytest
from exp_helpers import crsim, tiny

from sim.experiments import load_experiment, load_results, run_experiment
from sim.experiments.runfiles import META_KEY, named_runs, read_stamps


class Stop(Exception):
    pass


def partial(path, out, after: int):
    def progress(done, total):
        if done >= after:
            raise Stop

    with pytest.raises(Stop):
        run_experiment(load_experiment(path), out, progress=progress)


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    """Three batches of three runs that landed before a sweep of 8 batches (24 runs) stopped, and the clean result."""
    folder = tmp_path_factory.mktemp("batches")
    path = tiny(folder, replications=3, years=0.25, customers=50)
    partial(path, folder / "out", after=9)
    clean = load_results(run_experiment(load_experiment(path), folder / "clean", progress=False))
    return path, folder / "out", clean


def copy_of(landed, tmp_path):
    path, out, clean = landed
    shutil.copytree(out, tmp_path / "out")
    return path, tmp_path / "out", clean


def test_a_file_holds_a_batch_named_by_its_first_run_and_size(landed):
    _, out, _ = landed
    files = sorted((out / "runs").glob("*.parquet"))
    # design order: point, then policy, then replication; three batches of the same point and policy
    firsts = ["00000_loyalty_lock_in_0000", "00000_permanent_exit_0000", "00001_permanent_exit_0000"]
    assert [named_runs(p) for p in files] == [(first, 3) for first in firsts]
    for p in files:
        stamps = read_stamps(p)
        first, count = named_runs(p)
        assert p.stem == f"{first}+3" and [s["replication"] for s in stamps] == [0, 1, 2]
        assert stamps[0]["run_id"] == first and sum(s["rows"] for s in stamps) == pq.read_metadata(p).num_rows
        assert pq.read_table(p, columns=["run_id"]).column(0).to_pylist()[0] == first  # rows run after run


def test_resume_keeps_good_batch_files_and_finishes_to_the_clean_result(landed, tmp_path):
    path, out, clean = copy_of(landed, tmp_path)
    calls = []
    run_experiment(load_experiment(path), out, resume=True, progress=lambda d, t: calls.append(d))
    assert calls == list(range(10, 25))  # the nine runs of the three files were kept
    pd.testing.assert_frame_equal(load_results(out), clean)


@pytest.mark.parametrize("damage", ["renamed", "fewer", "foreign_run", "overlapping"])
def test_a_batch_file_that_is_not_what_its_name_says_is_run_again(landed, tmp_path, damage):
    path, out, clean = copy_of(landed, tmp_path)
    files = sorted((out / "runs").glob("*.parquet"))
    target = files[0]
    if damage == "renamed":  # another batch's complete file under this batch's name
        shutil.copy(files[1], target)
        why = "belongs to another run"
    elif damage == "fewer":  # the name promises more runs than the file holds
        target = target.rename(target.with_name(target.name.replace("+3", "+4")))
        why = "belongs to another run"
    elif damage == "foreign_run":  # one of its runs has another seed (another experiment's)
        table = pq.read_table(target)
        meta = json.loads(table.schema.metadata[META_KEY])
        meta["runs"][1]["seed"] += 1
        pq.write_table(table.replace_schema_metadata({META_KEY: json.dumps(meta).encode()}), target)
        why = "belongs to another run (seed"
    else:  # a second file holding runs of the first
        first, _ = named_runs(files[0])
        target = files[0].with_name(f"{first.replace('_0000', '_0001')}+2.parquet")
        table = pq.read_table(files[0])
        meta = json.loads(table.schema.metadata[META_KEY])
        rows = meta["runs"][0]["rows"]
        meta = {"runs": meta["runs"][1:], "rows": 2 * rows}
        pq.write_table(table.slice(rows).replace_schema_metadata({META_KEY: json.dumps(meta).encode()}), target)
        why = "holds runs another file holds"
    result = crsim("sweep", str(path), "--out", str(out), "--resume", "--quiet")
    assert result.returncode == 0, result.stderr
    assert f"{target}: {why}" in result.stderr and result.stderr.count("running it again") == 1, result.stderr
    pd.testing.assert_frame_equal(load_results(out), clean)


def test_a_run_file_of_one_run_as_written_before_batches_is_still_read(landed, tmp_path):
    _, out, _ = copy_of(landed, tmp_path)
    table = pq.read_table(sorted((out / "runs").glob("*.parquet"))[0])
    meta = json.loads(table.schema.metadata[META_KEY])["runs"][0]
    one = out / "runs" / f"{meta['run_id']}.parquet"
    pq.write_table(table.slice(0, meta["rows"]).replace_schema_metadata({META_KEY: json.dumps(meta).encode()}), one)
    assert read_stamps(one) == [meta]
