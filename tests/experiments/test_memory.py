"""Memory stays flat over 300 sequential runs: every model is released, so Mesa's Agent._ids does not grow."""

from __future__ import annotations

import gc
from pathlib import Path

import mesa
import pytest

from sim.experiments import Experiment, run_experiment
from sim.experiments.dataset import folded_runs

pytestmark = pytest.mark.slow


def rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc to read the resident set size")
def test_memory_is_flat_over_300_sequential_runs(tmp_path):
    exp = Experiment(
        name="memory",
        scenario="business_as_usual",
        replications=300,
        years=0.25,
        customers=150,
        outcomes=["trust"],
        seed=9,
    )
    ids_before = len(mesa.Agent._ids)
    samples: dict[int, tuple[float, int]] = {}

    def measure(done: int, total: int) -> None:
        if done in (50, 300):
            gc.collect()
            samples[done] = (rss_mb(), len(mesa.Agent._ids))

    run_experiment(exp, tmp_path / "out", progress=measure)
    assert len(folded_runs(tmp_path / "out")) == 300
    (rss_50, ids_50), (rss_300, ids_300) = samples[50], samples[300]
    assert ids_50 == ids_300 == ids_before  # no model is kept alive by Mesa
    assert rss_300 - rss_50 < 25, f"resident memory grew {rss_300 - rss_50:.1f} MB over 250 runs"
