"""Where runs execute: in this process, in a local pool of worker processes, or on a Dask cluster.

A local pool forks its workers from a *fork server* that has already imported the model and loaded its
compiled kernels (:mod:`sim.experiments.preload`), so a worker starts in milliseconds. The fork server is
started with this process's ``sys.path``, so its workers run the same code as the process that hands out
the runs, wherever it was started from: on Python before 3.12.8 / 3.13.1 the fork server ignores the
``sys.path`` it is sent and puts the working directory first (CPython gh-117378), and a folder holding
another ``sim`` (an older checkout, say) would have silently run in the workers instead.
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.forkserver
import multiprocessing.process
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from sim.experiments.cluster import dask_executor

#: What the fork server imports before it forks workers.
PRELOAD = ["sim.experiments.preload", "sim.experiments.runner"]
#: The variable in which the fork server finds the environment to give back to its workers (see ``preload``).
RESTORE = "CRSIM_POOL_RESTORE"
#: Numerical libraries on one thread in every worker, set before the fork server imports numpy: the model
#: does no linear algebra, and a BLAS thread pool in each worker costs about half a second of start-up and
#: spins on the cores the other workers run on.
THREADS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_START = threading.Lock()


class InlineExecutor(Executor):
    """Runs each submitted call at once, in this process (one worker)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(err)
        return future


@contextmanager
def make_executor(workers: int = 1, scheduler: Any = None) -> Iterator[tuple[Executor, int | Callable[[], int]]]:
    """An executor and the number of runs to keep in flight: inline, a process pool, or a Dask cluster.

    For Dask, ``scheduler`` is an address, a ``distributed.Client`` or a cluster object (``LocalCluster``,
    dask-jobqueue's ``SLURMCluster``, ...), and the number in flight is a callable that follows the workers.
    """
    if scheduler is not None:
        with dask_executor(scheduler) as engine:
            yield engine
    elif workers <= 1:
        yield InlineExecutor(), 1
    else:
        pool = ProcessPoolExecutor(
            workers, mp_context=pool_context(), initializer=_watch_runner, initargs=(os.getpid(),)
        )
        try:
            yield pool, 2 * workers
        except BaseException:  # interrupted or failed: stop the runs in progress instead of waiting for them
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def pool_context() -> multiprocessing.context.BaseContext:
    """The fork server (started once per process, see the module's docstring), or "spawn" where there is none.

    ``import mesa`` forces the "spawn" start method on every pool (mesa.batchrunner), which re-imports
    everything in each worker; hence a context of our own rather than the default.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():  # Windows
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    single = {name: os.environ.get(name, "1") for name in THREADS}  # a user's own settings are kept
    with (
        _START,
        _environment(handed_back={"PYTHONPATH": os.pathsep.join(_search_path()), "PYTHONSAFEPATH": "1"}, kept=single),
    ):
        multiprocessing.forkserver.ensure_running()  # a no-op once it runs
    return context


def _search_path() -> list[str]:
    """This process's ``sys.path`` as a child should see it: ``''`` as the directory this process started in."""
    start = getattr(multiprocessing.process, "ORIGINAL_DIR", None) or os.getcwd()  # cwd when multiprocessing loaded
    return [start if entry == "" else entry for entry in sys.path if os.pathsep not in entry]


@contextmanager
def _environment(handed_back: dict[str, str], kept: dict[str, str]) -> Iterator[None]:
    """``os.environ`` with these values while the fork server starts (it copies the environment), then as before.

    The fork server gives ``handed_back`` back to what this process has (the values are sent in ``RESTORE``,
    see :mod:`sim.experiments.preload`); its workers keep ``kept``.
    """
    values = {**handed_back, **kept}
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values, **{RESTORE: json.dumps({name: before[name] for name in handed_back})})
    try:
        yield
    finally:
        os.environ.pop(RESTORE, None)
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _watch_runner(pid: int, interval: float = 1.0) -> None:
    """In a pool worker: leave Ctrl-C to the runner; exit when the runner is gone (killed)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while True:
            time.sleep(interval)
            try:
                os.kill(pid, 0)
            except (ProcessLookupError, PermissionError):  # gone, or the id now belongs to another user
                os._exit(1)

    threading.Thread(target=watch, name="watch-runner", daemon=True).start()
