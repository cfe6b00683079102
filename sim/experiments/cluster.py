"""Running a sweep on a Dask cluster that may grow while it runs (``pip install 'crsim[cluster]'``).

The runner keeps about two runs in flight per worker thread; the count is looked up again as the sweep
goes, so workers that join later (dask-jobqueue on SLURM, an adaptive cluster) get work, and Dask's work
stealing hands them queued runs at once. Before anything runs, every worker's versions of Python and of the
packages that shape results are checked against this machine's (a worker that differs is refused, one
that joins later too) and recorded in ``experiment.json``; the dashboard's address is printed.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sim.runner import versions
from sim.scenario import ScenarioError

#: Packages whose versions must agree between this machine and every worker.
MUST_MATCH = ("python", "crsim", "mesa", "numpy", "pandas", "scipy", "networkx", "pydantic")
LOOK_AGAIN_SECONDS = 0.5


def local_versions() -> dict[str, str]:
    """This machine's versions, as workers report theirs."""
    return versions()


class Capacity:
    """Runs to keep in flight on a Dask cluster right now: two per worker thread (at least two).

    Called before each submission; asks the scheduler at most every ``LOOK_AGAIN_SECONDS``, and checks the
    versions of workers it has not seen before.
    """

    def __init__(self, client: Any):
        self.client = client
        self.ours = local_versions()
        self.workers: dict[str, dict[str, str]] = {}
        self._threads = 0
        self._asked = 0.0
        self.refresh()

    def __call__(self) -> int:
        if time.monotonic() - self._asked >= LOOK_AGAIN_SECONDS:
            self.refresh()
        return max(2, 2 * self._threads)

    def refresh(self) -> None:
        threads = self.client.nthreads()
        new = [w for w in threads if w not in self.workers]
        if new:
            self.check(new)
        self._threads = sum(threads.values())
        self._asked = time.monotonic()

    def check(self, workers: list[str]) -> None:
        """Refuse workers whose versions differ from this machine's; remember the versions of the others."""
        try:
            found = self.client.run(versions, workers=workers, on_error="return")
        except Exception as err:  # noqa: BLE001 - any failure to ask is the same problem for the user
            raise ScenarioError(f"Dask workers {', '.join(workers)}: cannot report their versions: {err}") from None
        for worker, theirs in found.items():
            if isinstance(theirs, BaseException):
                raise ScenarioError(f"Dask worker {worker}: cannot import crsim ({theirs}); install it there")
            for pkg in MUST_MATCH:
                if theirs.get(pkg) != self.ours.get(pkg):
                    raise ScenarioError(
                        f"Dask worker {worker}: {pkg} {theirs.get(pkg)} there, {self.ours.get(pkg)} here; "
                        "install the same versions on every worker"
                    )
            self.workers[worker] = theirs

    @property
    def record(self) -> dict[str, Any]:
        """What ``experiment.json`` keeps about the cluster."""
        return {
            "cluster": {
                "scheduler": self.client.scheduler.address,
                "dashboard": self.client.dashboard_link,
                "workers": dict(self.workers),
            }
        }


@contextmanager
def dask_executor(scheduler: Any) -> Iterator[tuple[Any, Capacity]]:
    """An executor on the cluster and its :class:`Capacity`; ``scheduler`` is an address, Client or cluster.

    A client passed in is left open; one made here (from an address or a cluster object) is closed after.
    """
    try:
        from distributed import Client
    except ImportError:
        raise ScenarioError("--scheduler needs dask.distributed: pip install 'crsim[cluster]'") from None
    own = not isinstance(scheduler, Client)
    if own:
        try:
            client = Client(scheduler, timeout=10)
        except (OSError, TimeoutError, ValueError) as err:
            raise ScenarioError(f"{scheduler}: cannot reach the Dask scheduler: {err}") from None
    else:
        client = scheduler
    try:
        client.get_versions(check=True)  # Dask's own packages: warns on a mismatch; ours are refused below
        capacity = Capacity(client)
        print(f"Dask dashboard: {client.dashboard_link}", file=sys.stderr, flush=True)
        yield client.get_executor(pure=False), capacity
    finally:
        if own:
            client.close()
