"""Same experiment, same results: serially, with 2 local worker processes, and on a real Dask cluster."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from exp_helpers import crsim, tiny

import sim
from sim.experiments import load_experiment, load_results, run_experiment

pytestmark = pytest.mark.slow

pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> pd.DataFrame:
    folder = tmp_path_factory.mktemp("serial")
    out = run_experiment(load_experiment(tiny(folder)), folder / "out", workers=1, progress=False)
    return load_results(out)


def test_serial_results_carry_ids_seeds_parameters_and_policy(serial):
    assert len(serial) == 16 * 4 * 13  # runs x firms x months (with month 0)
    for column in ("run_id", "seed", "step", "year", "policy", "levers.exit_fee", "customers.needs_volatility"):
        assert serial[column].notna().all()
    assert serial["run_id"].nunique() == 16 and serial.groupby("run_id")["seed"].nunique().eq(1).all()
    focal = serial[serial["focal"]]
    assert (focal["firm_policy"].astype(str) == focal["policy"].astype(str)).all()  # categoricals of their own
    assert set(serial.loc[~serial["focal"], "firm_policy"]) == {"business_as_usual"}
    assert sim.load_results is load_results


def test_two_local_workers_give_identical_results(tmp_path, serial):
    out = run_experiment(load_experiment(tiny(tmp_path)), tmp_path / "out", workers=2, progress=False)
    pd.testing.assert_frame_equal(load_results(out), serial)


def _wait_for(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} did not appear")
        time.sleep(0.2)


@pytest.fixture
def dask_cluster(tmp_path):
    """A Dask scheduler and two single-threaded worker processes, each its own process, on 127.0.0.1 only."""
    bin_dir = Path(sys.executable).parent
    info = tmp_path / "scheduler.json"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    scheduler = subprocess.Popen(
        [
            str(bin_dir / "dask"),
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(info),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers = subprocess.Popen(
        [
            str(bin_dir / "dask"),
            "worker",
            "--scheduler-file",
            str(info),
            "--host",
            "127.0.0.1",
            "--nworkers",
            "2",
            "--nthreads",
            "1",
            "--no-dashboard",
            "--local-directory",
            str(tmp_path / "dask"),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(info)
        address = json.loads(info.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
            hosts = {w.split("://")[1].rsplit(":", 1)[0] for w in client.scheduler_info()["workers"]}
            pids = set(client.run(os.getpid).values())
        assert hosts == {"127.0.0.1"} and len(pids) == 2 and os.getpid() not in pids
        yield address
    finally:
        for proc in (workers, scheduler):
            proc.terminate()
        for proc in (workers, scheduler):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_dask_cluster_gives_identical_results(tmp_path, serial, dask_cluster):
    out = tmp_path / "out"
    result = crsim("sweep", str(tiny(tmp_path)), "--out", str(out), "--scheduler", dask_cluster, "--quiet")
    assert result.returncode == 0, result.stderr
    pd.testing.assert_frame_equal(load_results(out), serial)
    record = json.loads((out / "experiment.json").read_text())
    assert record["master_seed"] == 11 and record["runs"] == 16 and "distributed" in record["versions"]


def test_unreachable_scheduler_is_one_line_exit_2(tmp_path):
    result = crsim(
        "sweep",
        str(tiny(tmp_path)),
        "--out",
        str(tmp_path / "out"),
        "--scheduler",
        "tcp://127.0.0.1:9",
        "--quiet",
        timeout=120,
    )
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Dask scheduler" in result.stderr
    assert not (tmp_path / "out").exists()


def test_any_concurrent_futures_executor_gives_identical_results(tmp_path, serial):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        out = run_experiment(
            load_experiment(tiny(tmp_path)), tmp_path / "out", executor=pool, in_flight=3, progress=False
        )
    pd.testing.assert_frame_equal(load_results(out), serial)
