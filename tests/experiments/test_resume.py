"""A sweep killed at any moment (SIGKILL) and resumed equals an uninterrupted sweep, re-running no finished run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from exp_helpers import ROOT, tiny

from sim.experiments import load_experiment, load_results, run_experiment
from sim.experiments.dataset import folded_runs


def test_killed_sweep_resumes_to_the_uninterrupted_result(tmp_path):
    path = tiny(tmp_path, replications=4, years=2, customers=300)  # 32 runs
    out = tmp_path / "killed"
    runs = out / "runs"
    sweep = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "sweep", str(path), "--out", str(out), "--quiet"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not (runs.is_dir() and len(list(runs.glob("*.parquet"))) >= 3):
        assert sweep.poll() is None, sweep.stderr.read().decode()
        assert time.monotonic() < deadline, "the sweep wrote no results"
        time.sleep(0.01)
    os.kill(sweep.pid, signal.SIGKILL)
    sweep.wait()
    finished = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in runs.glob("*.parquet")}
    assert 3 <= len(finished) < 32, "the kill came too late to interrupt the sweep"

    resumed = subprocess.run(
        [sys.executable, "-m", "sim.cli", "sweep", str(path), "--out", str(out), "--resume"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(finished)}/32" in resumed.stderr  # the progress bar starts at the finished runs
    assert len(folded_runs(out)) == 32 and not list(runs.iterdir())  # every run folded into one dataset
    assert not [p for p in out.iterdir() if p.name.startswith(".")]

    clean = run_experiment(load_experiment(path), tmp_path / "clean", progress=False)
    pd.testing.assert_frame_equal(load_results(out), load_results(clean))


def test_resume_of_a_complete_sweep_runs_nothing(tmp_path):
    path = tiny(tmp_path, replications=1, years=0.25, customers=50)
    out = run_experiment(load_experiment(path), tmp_path / "out", progress=False)
    before = (out / "results.parquet").stat().st_mtime_ns
    calls = []
    run_experiment(load_experiment(path), out, resume=True, progress=lambda done, total: calls.append(done))
    assert calls == [] and (out / "results.parquet").stat().st_mtime_ns == before


def descendants(pid: int) -> set[int]:
    """Ids of all processes below ``pid`` (read from /proc)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
def test_killing_a_runner_with_worker_processes_leaves_none_behind_and_resumes(tmp_path):
    path = tiny(tmp_path, replications=4, years=2, customers=300)
    out = tmp_path / "out"
    sweep = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "sweep", str(path), "--out", str(out), "--quiet", "--workers", "2"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not ((out / "runs").is_dir() and len(list((out / "runs").glob("*.parquet"))) >= 2):
        assert sweep.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    workers = descendants(sweep.pid)
    os.kill(sweep.pid, signal.SIGKILL)
    sweep.wait()
    assert len(workers) >= 2
    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in workers):
        assert time.monotonic() < deadline, "worker processes outlived the killed runner"
        time.sleep(0.2)
    assert len(list((out / "runs").glob("*.parquet"))) < 32
    run_experiment(load_experiment(path), out, resume=True, workers=2, progress=False)
    clean = run_experiment(load_experiment(path), tmp_path / "clean", progress=False)
    pd.testing.assert_frame_equal(load_results(out), load_results(clean))
