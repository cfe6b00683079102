"""What a job will need before it starts: peak memory of a run, runs of a design, cores to use.

The peak resident memory of one market is linear in the number of customers, with a cost per customer
that grows with the network's mean degree (the network is the largest structure; scale-free and random
networks are built through networkx, which costs more per tie) and with the number of firms (opinions
and shares are kept per customer and firm). The coefficients were fitted to peaks measured on Python 3.11,
numpy 2 and networkx 3 (``python benchmarks/memory.py`` measures them again); a test keeps the estimate
within a factor of 1.5 of the measured peak. ``crsim run``, ``sweep`` and ``app`` refuse, before
anything runs, a job whose estimate exceeds the memory available (``--force`` runs it anyway).
"""

from __future__ import annotations

import math
import os
import resource
from dataclasses import dataclass
from pathlib import Path

from sim.scenario import Scenario

MB = 2**20
PROCESS_MB = 270.0  # Python with numpy, pandas, scipy, networkx, Mesa and numba imported, the kernels loaded
APP_MB = 330.0  # the workshop page's server (Solara, matplotlib) on top of its markets
PER_FIRM = 18.0  # bytes per customer and firm
# bytes per customer: (fixed, per unit of mean degree) for each network family
PER_CUSTOMER = {"small_world": (80.0, 42.0), "scale_free": (450.0, 125.0), "random": (380.0, 137.0)}
RUN_OVERHEAD = 2_000  # bytes of the plan per run (identity, seed, design values)
LARGE_MB = 1024.0  # jobs above this are announced before they start


def run_mb(customers: int, degree: int, kind: str, firms: int) -> float:
    """Estimated peak resident memory (MiB) of one process simulating one market of this size."""
    fixed, per_degree = PER_CUSTOMER[kind]
    return PROCESS_MB + customers * (fixed + per_degree * degree + PER_FIRM * firms) / MB


def scenario_mb(scenario: Scenario) -> float:
    """Estimated peak resident memory (MiB) of a process running ``scenario``."""
    return run_mb(scenario.customers.count, scenario.network.degree, scenario.network.kind, len(scenario.firms))


def available_mb() -> float:
    """Memory this process may still use: the least of free memory, a cgroup limit and an address-space limit."""
    limits = [math.inf]
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                limits.append(int(line.split()[1]) / 1024)
    except OSError:
        pass
    try:
        cap, used = (Path("/sys/fs/cgroup") / name for name in ("memory.max", "memory.current"))
        if cap.read_text().strip() != "max":
            limits.append((int(cap.read_text()) - int(used.read_text())) / MB)
    except (OSError, ValueError):
        pass
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        limits.append(soft / MB)
    if len(limits) == 1:  # no way to know (not Linux): assume the job fits
        return math.inf
    return min(limits)


def cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Estimate:
    """Peak memory of a job against what the machine has, and a one-line description."""

    mb: float
    available: float
    what: str

    @property
    def fits(self) -> bool:
        return self.mb <= self.available

    @property
    def large(self) -> bool:
        return self.mb >= LARGE_MB

    def line(self) -> str:
        have = "unknown" if math.isinf(self.available) else _size(self.available)
        return f"{self.what} needs about {_size(self.mb)} of memory ({have} available)"


def _size(mb: float) -> str:
    return f"{mb / 1024:.1f} GB" if mb >= 1024 else f"{mb:.0f} MB"


def check(estimate: Estimate, force: bool) -> None:
    """Refuse (one-line ``ScenarioError``) a job that cannot fit, unless ``force``; announce large jobs."""
    import sys

    from sim.scenario import ScenarioError

    if not estimate.fits and not force:
        raise ScenarioError(f"{estimate.line()}; too much for this machine (--force runs it anyway)")
    if estimate.large or not estimate.fits:
        print(f"crsim: {estimate.line()}", file=sys.stderr)
