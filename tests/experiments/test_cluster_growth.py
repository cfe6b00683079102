"""A Dask cluster that grows: a worker that joins a running sweep gets work; versions are checked and recorded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from exp_helpers import tiny

from sim.experiments import load_experiment, load_results, run_experiment
from sim.scenario import ScenarioError

pytestmark = pytest.mark.slow

distributed = pytest.importorskip("distributed")
BIN = Path(sys.executable).parent
ENV = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}


def _start(*args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "dask"), *args], cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _worker(info: Path, folder: Path) -> subprocess.Popen:
    folder.mkdir(exist_ok=True)
    args = ["worker", "--scheduler-file", str(info), "--host", "127.0.0.1", "--nthreads", "1", "--no-dashboard"]
    return _start(*args, "--local-directory", str(folder), cwd=folder)


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def one_worker(tmp_path):
    """A scheduler and one single-threaded worker, each its own process, on 127.0.0.1; yields (client, info)."""
    info = tmp_path / "scheduler.json"
    procs = [
        _start(
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(info),
            cwd=tmp_path,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        procs.append(_worker(info, tmp_path / "w1"))
        with distributed.Client(json.loads(info.read_text())["address"], timeout=60) as client:
            client.wait_for_workers(1, timeout=120)
            yield client, info, procs
    finally:
        _stop(procs)


def test_a_worker_that_joins_a_running_sweep_gets_work(tmp_path, one_worker, monkeypatch):
    from sim.experiments import batches

    monkeypatch.setattr(batches, "BATCH_RUNS", 1)  # one run a task: 24 tasks for the joining worker to share
    client, info, procs = one_worker
    first = set(client.nthreads())
    # 24 runs, each long enough that the sweep is still going when the second worker has started
    exp = load_experiment(tiny(tmp_path, replications=3, years=10, customers=3000))
    started = []

    def progress(done, total):
        if done == 1 and not started:  # the sweep is running on one worker: a second one joins
            started.append(_worker(info, tmp_path / "w2"))
            procs.append(started[0])

    with distributed.get_task_stream(client=client) as stream:
        out = run_experiment(exp, tmp_path / "out", scheduler=client, progress=progress)
    late = set(client.nthreads()) - first
    assert len(late) == 1
    by_worker = pd.Series([t["worker"] for t in stream.data if "execute" in t["key"]]).value_counts()
    assert by_worker.sum() == 24 and by_worker.get(late.pop(), 0) >= 1
    assert len(load_results(out)["run_id"].unique()) == 24
    record = json.loads((out / "experiment.json").read_text())
    assert set(record["cluster"]["workers"]) == first
    assert all(v["mesa"] == record["versions"]["mesa"] for v in record["cluster"]["workers"].values())
    assert client.status == "running"  # a client passed in is left open


def test_a_worker_with_other_versions_is_refused(tmp_path, one_worker, monkeypatch):
    client, _, _ = one_worker
    from sim.experiments import cluster

    real = cluster.local_versions
    monkeypatch.setattr(cluster, "local_versions", lambda: {**real(), "mesa": "9.9.9"})
    with pytest.raises(ScenarioError, match=r"mesa .* there, 9\.9\.9 here"):
        run_experiment(load_experiment(tiny(tmp_path)), tmp_path / "out", scheduler=client, progress=False)
    assert not (tmp_path / "out" / "experiment.json").exists()


def test_a_cluster_object_is_accepted(tmp_path, capsys):
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address="127.0.0.1:0", processes=True
    ) as cluster:
        out = run_experiment(load_experiment(tiny(tmp_path, replications=1)), tmp_path / "out", scheduler=cluster)
        assert cluster.status.name == "running"
    assert "Dask dashboard: http://127.0.0.1:" in capsys.readouterr().err
    assert len(load_results(out)["run_id"].unique()) == 8
