"""A sweep killed at any moment (SIGKILL) and resumed equals an uninterrupted sweep, re-running no finished run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pandas as pd
from helpers import ROOT, tiny

from sim.experiments import load_experiment, load_results, run_experiment


def test_killed_sweep_resumes_to_the_uninterrupted_result(tmp_path):
    path = tiny(tmp_path, replications=4, years=2, customers=300)  # 32 runs
    out = tmp_path / "killed"
    runs = out / "runs"
    sweep = subprocess.Popen([sys.executable, "-m", "sim.cli", "sweep", str(path), "--out", str(out), "--quiet"],
                             cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not (runs.is_dir() and len(list(runs.glob("*.parquet"))) >= 3):
        assert sweep.poll() is None, sweep.stderr.read().decode()
        assert time.monotonic() < deadline, "the sweep wrote no results"
        time.sleep(0.01)
    os.kill(sweep.pid, signal.SIGKILL)
    sweep.wait()
    finished = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in runs.glob("*.parquet")}
    assert 3 <= len(finished) < 32, "the kill came too late to interrupt the sweep"

    resumed = subprocess.run([sys.executable, "-m", "sim.cli", "sweep", str(path), "--out", str(out), "--resume"],
                             cwd=ROOT, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(finished)}/32" in resumed.stderr  # the progress bar starts at the finished runs
    after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in runs.glob("*.parquet")}
    assert len(after) == 32
    assert {name: after[name] for name in finished} == finished  # no finished run was written again
    assert not [p for p in runs.iterdir() if p.suffix != ".parquet" and not p.name.startswith(".")]

    clean = run_experiment(load_experiment(path), tmp_path / "clean", progress=False)
    pd.testing.assert_frame_equal(load_results(out), load_results(clean))


def test_resume_of_a_complete_sweep_runs_nothing(tmp_path):
    path = tiny(tmp_path, replications=1, years=0.25, customers=50)
    out = run_experiment(load_experiment(path), tmp_path / "out", progress=False)
    before = {p.name: p.stat().st_mtime_ns for p in (out / "runs").iterdir()}
    calls = []
    run_experiment(load_experiment(path), out, resume=True, progress=lambda done, total: calls.append(done))
    assert calls == [] and {p.name: p.stat().st_mtime_ns for p in (out / "runs").iterdir()} == before
