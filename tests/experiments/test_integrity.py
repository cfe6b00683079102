"""Resume trusts no file because of its name: every run file is opened and checked, and model code is pinned."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest
from exp_helpers import ROOT, crsim, tiny

from sim.cli import main
from sim.experiments import load_experiment, load_results, run_experiment
from sim.experiments import runner as runner_module
from sim.experiments.dataset import folded_runs
from sim.experiments.runfiles import named_runs
from sim.scenario import ScenarioError


class Stop(Exception):
    pass


def partial(path, out, after: int, **kwargs):
    """Run an experiment and stop it after ``after`` runs have landed."""

    def progress(done, total):
        if done >= after:
            raise Stop

    with pytest.raises(Stop):
        run_experiment(load_experiment(path), out, progress=progress, **kwargs)


def test_resume_redoes_corrupt_foreign_truncated_and_empty_files(tmp_path):
    path = tiny(tmp_path, replications=1, years=0.25, customers=50)  # 8 runs
    out = tmp_path / "out"
    partial(path, out, after=6)
    files = sorted((out / "runs").glob("*.parquet"))
    clean = load_results(run_experiment(load_experiment(path), tmp_path / "clean", progress=False))
    files[0].write_bytes(b"")  # zero-length
    files[1].write_bytes(files[1].read_bytes()[: files[1].stat().st_size // 2])  # truncated
    files[2].write_bytes(os.urandom(4000))  # random bytes
    shutil.copy(files[4], files[3])  # a complete file of another run under this run's name
    kept = {p.name: p.stat().st_mtime_ns for p in files[4:]}
    result = crsim("sweep", str(path), "--out", str(out), "--resume", "--quiet")
    assert result.returncode == 0, result.stderr
    for bad, why in zip(files[:4], ("empty", "unreadable", "unreadable", "belongs to another run"), strict=True):
        assert f"{bad}: {why}" in result.stderr, result.stderr
    assert len(kept) == 2 and result.stderr.count("running it again") == 4  # the two good files were kept
    pd.testing.assert_frame_equal(load_results(out), clean)
    assert sorted(folded_runs(out)) == sorted(load_results(out)["run_id"].unique())


def test_runs_of_another_experiment_are_not_kept_even_without_its_record(tmp_path):
    path = tiny(tmp_path, replications=1, years=0.25, customers=50)
    out = run_experiment(load_experiment(path), tmp_path / "out", progress=False)
    (out / "experiment.json").unlink()
    other = load_experiment(path).with_changes(seed=12)  # same run names, other seeds
    calls = []
    run_experiment(other, out, resume=True, progress=lambda done, total: calls.append(done))
    assert len(calls) == 8  # every run was made again
    pd.testing.assert_frame_equal(
        load_results(out), load_results(run_experiment(other, tmp_path / "b", progress=False))
    )


def test_resume_refuses_a_different_experiment_naming_the_field(tmp_path):
    path = tiny(tmp_path, replications=1, years=0.25, customers=50)
    partial(path, tmp_path / "out", after=2)
    path.write_text(path.read_text().replace("seed = 11", "seed = 12"))
    result = crsim("sweep", str(path), "--out", str(tmp_path / "out"), "--resume")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "experiment.seed: 11 in the folder, 12 now" in result.stderr


def test_resume_across_a_code_change_is_refused_unless_accepted_and_then_records_both(tmp_path, monkeypatch):
    path = tiny(tmp_path, replications=1, years=0.25, customers=50)
    out = tmp_path / "out"
    partial(path, out, after=3)
    before = json.loads((out / "experiment.json").read_text())["code"]
    changed = {**before, "source": "0123456789abcdef"}
    monkeypatch.setattr(runner_module, "code_version", lambda: changed)
    with pytest.raises(ScenarioError, match=f"source {before['source']} -> 0123456789abcdef.*--accept-code-change"):
        run_experiment(load_experiment(path), out, resume=True, progress=False)
    calls = []
    run_experiment(
        load_experiment(path), out, resume=True, accept_code_change=True, progress=lambda d, t: calls.append(d)
    )
    assert len(calls) == 5  # the three runs of the first code were kept, not redone
    record = json.loads((out / "experiment.json").read_text())
    assert record["code_history"] == [before, changed]
    sources = sorted(run["source"] for run in folded_runs(out).values())
    assert sources.count(before["source"]) == 3 and sources.count("0123456789abcdef") == 5


def test_resume_from_the_folder_alone_uses_the_recorded_overrides(tmp_path):
    path = tiny(tmp_path, replications=3, years=1, customers=100)
    out = tmp_path / "out"
    partial(path, out, after=2, replications=1, years=0.25, customers=50)
    path.unlink()  # the experiment file is gone; the record holds everything
    result = crsim("sweep", "--resume", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    table = load_results(out)
    assert table["run_id"].nunique() == 8 and table["step"].max() == 3  # 1 replication, 3 months: as recorded


def test_report_of_an_incomplete_sweep_says_so(tmp_path):
    path = tiny(tmp_path, replications=2, years=0.25, customers=50)
    partial(path, tmp_path / "out", after=5)  # in batches of two runs: six have landed
    result = crsim("report", str(tmp_path / "out"))
    assert result.returncode == 3, result.stderr
    assert "incomplete sweep, 6 of 16 runs" in result.stderr
    assert "report of an incomplete sweep" in result.stderr.splitlines()[-1]


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_ends_a_sweep_with_one_line_and_leaves_nothing_behind(tmp_path, workers):
    path = tiny(tmp_path, replications=4, years=2, customers=300)
    # a short temporary folder of its own: the fork server's socket lives there, and AF_UNIX paths are short
    out, tmp = tmp_path / "out", Path(tempfile.mkdtemp(prefix="crsim-"))
    sweep = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "sweep", str(path), "--out", str(out), "--quiet", "--workers", workers],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp)},
        start_new_session=True,  # a terminal's Ctrl-C reaches the whole process group
    )
    deadline = time.monotonic() + 120
    while not ((out / "runs").is_dir() and len(list((out / "runs").glob("*.parquet"))) >= 2):
        assert sweep.poll() is None and time.monotonic() < deadline, sweep.stderr.read() if sweep.poll() else "timeout"
        time.sleep(0.02)
    os.killpg(sweep.pid, signal.SIGINT)
    _, err = sweep.communicate(timeout=60)
    assert sweep.returncode == 130, err
    kept = sum(named_runs(p)[1] for p in (out / "runs").glob("*.parquet"))  # a file holds a batch of runs
    assert err.strip() == f"crsim: interrupted: {kept}/32 runs kept; `crsim sweep --resume {out}` finishes it"
    assert not [p.name for p in (out / "runs").iterdir() if p.suffix != ".parquet"]
    assert not list(tmp.iterdir())  # no pymp-* folders or temporary files
    tmp.rmdir()


def cli_main(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(list(args))
    return code, err.getvalue()


def test_disk_full_is_one_line_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    def full(path, table, stamps):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr("sim.experiments.runner.write_batch", full)
    exp = tiny(tmp_path, replications=1, years=0.25, customers=50)
    code, err = cli_main("sweep", str(exp), "--out", str(tmp_path / "out"), "--quiet")
    assert code == 1 and err.count("\n") == 1 and "No space left on device: 0/8 runs kept" in err, err
    assert not [p for p in (tmp_path / "out").rglob("*") if p.name.startswith(".")]


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="reads the process tree from /proc")
def test_a_killed_worker_ends_the_sweep_with_one_line_and_leaves_nothing_behind(tmp_path):
    from test_resume import descendants

    path = tiny(tmp_path, replications=4, years=2, customers=300)
    # a short temporary folder of its own: the fork server's socket lives there, and AF_UNIX paths are short
    out, tmp = tmp_path / "out", Path(tempfile.mkdtemp(prefix="crsim-"))
    sweep = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "sweep", str(path), "--out", str(out), "--quiet", "--workers", "2"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp)},
    )
    deadline = time.monotonic() + 120
    while not ((out / "runs").is_dir() and len(list((out / "runs").glob("*.parquet"))) >= 2):
        assert sweep.poll() is None and time.monotonic() < deadline, sweep.stderr.read() if sweep.poll() else "timeout"
        time.sleep(0.02)
    children = {int(p.name) for p in Path(f"/proc/{sweep.pid}/task").glob("*")}  # threads, not processes
    workers = sorted(descendants(sweep.pid) - children)
    grandchildren = [p for p in workers if Path(f"/proc/{p}/stat").exists() and _parent(p) != sweep.pid]
    assert grandchildren, "no pool worker found"
    os.kill(grandchildren[0], signal.SIGKILL)
    _, err = sweep.communicate(timeout=60)
    assert sweep.returncode == 1, err
    assert err.count("\n") == 1 and "a worker process died" in err and "--resume" in err, err
    assert not list(tmp.iterdir())  # no pymp-* folders
    assert not [p for p in (out / "runs").iterdir() if p.suffix != ".parquet"]


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError):
        return -1


def test_the_model_fingerprint_covers_the_model_and_not_the_page_or_the_claims(tmp_path):
    from sim.kernel_cache import source_hash

    for rel in ("model.py", "mechanisms/trust.py", "app/page.py", "claims/atlas.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x = 1\n")

    def fingerprint():
        return source_hash(tmp_path)

    before = fingerprint()
    for rel in ("app/page.py", "claims/atlas.py"):  # a claim's arms are recorded in each arm's experiment
        (tmp_path / rel).write_text("x = 2\n")
        assert fingerprint() == before, rel
    (tmp_path / "mechanisms" / "trust.py").write_text("x = 2\n")
    assert fingerprint() != before
