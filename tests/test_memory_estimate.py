"""Nothing can sink the machine: the memory estimate is close to the measured peak, and what cannot fit is refused."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from sim.memory import run_mb

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import sys
from sim.model import MarketModel
from sim.scenario import Scenario
n, degree, kind, firms = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
s = Scenario.model_validate({"customers": {"count": n}, "network": {"kind": kind, "degree": degree},
                             "firms": [{"name": f"F{i}", "policy": "business_as_usual"} for i in range(firms)]})
model = MarketModel(s)
model.run(months=2)
model.outcomes()
# the peak of this process's own memory since exec (VmHWM), not rusage's, which keeps a big parent's size
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")))
"""


def measured_peak_mb(*args: object) -> float:
    """Peak resident memory of a subprocess simulating a market (its own high-water mark, VmHWM)."""
    done = subprocess.run([sys.executable, "-c", CHILD, *map(str, args)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1]) / 1024  # kB


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc")
@pytest.mark.parametrize(
    ("customers", "degree", "kind", "firms"),
    [(20_000, 8, "small_world", 4), (150_000, 40, "small_world", 6), (60_000, 12, "scale_free", 3)],
)
def test_the_estimate_is_within_a_factor_of_1_5_of_the_measured_peak(customers, degree, kind, firms):
    peak = measured_peak_mb(customers, degree, kind, firms)
    estimate = run_mb(customers, degree, kind, firms)
    assert peak / 1.5 <= estimate <= peak * 1.5, f"estimated {estimate:.0f} MB, measured {peak:.0f} MB"


def crsim(*args: str, limit_mb: int | None = None) -> subprocess.CompletedProcess:
    def cap() -> None:
        if limit_mb:
            resource.setrlimit(resource.RLIMIT_AS, (limit_mb * 2**20, limit_mb * 2**20))

    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *args], capture_output=True, text=True, cwd=ROOT, preexec_fn=cap
    )


BIG = 'name = "big"\n[customers]\ncount = 5000000\n[network]\ndegree = 100\n[[firms]]\nname = "A"\npolicy = "permanent_exit"\n'


@pytest.mark.skipif(sys.platform != "linux", reason="caps memory with RLIMIT_AS")
def test_a_run_that_cannot_fit_is_refused_before_it_starts(tmp_path):
    path = tmp_path / "big.toml"
    path.write_text(BIG)
    result = crsim("run", str(path), "--out", str(tmp_path / "out"), limit_mb=3000)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "big needs about 20.3 GB of memory (2.9 GB available)" in result.stderr and "--force" in result.stderr
    assert not (tmp_path / "out").exists()
    app = crsim("app", str(path), "--port", "1", limit_mb=3000)
    assert app.returncode == 2 and "the page with big side by side needs about" in app.stderr


def test_a_huge_design_is_refused_before_it_is_drawn(tmp_path):
    path = tmp_path / "e.toml"
    bounds = ", ".join(f"'behaviour.{f}' = [0.01, 0.1]" for f in ("trust_gain", "bond_gain", "bond_decay", "bond_loss"))
    path.write_text(
        f'name = "huge"\nscenario = "business_as_usual"\nreplications = 10000\n[design]\nkind = "sobol"\n'
        f"samples = 65536\nsecond_order = true\nbounds = {{ {bounds} }}\n"
    )
    result = crsim("sweep", str(path), "--out", str(tmp_path / "out"), "--quiet")
    assert result.returncode == 2, result.stderr
    assert "a sweep of 6,553,600,000 runs in this process needs about" in result.stderr
    assert not (tmp_path / "out").exists()
    plan = crsim("sweep", str(path), "--dry-run")
    assert plan.returncode == 0 and "6,553,600,000 runs = 655,360 design points (sobol)" in plan.stderr


def test_workers_are_bounded_by_the_cores(tmp_path):
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    path = tmp_path / "e.toml"
    path.write_text('name = "e"\nscenario = "business_as_usual"\nyears = 0.25\ncustomers = 50\n')
    result = crsim("sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "64", "--dry-run")
    assert result.returncode == 0
    assert f"crsim: warning: --workers 64: this machine has {cores} core" in result.stderr
    assert f"on {cores} worker processes" in result.stderr or cores == 1
