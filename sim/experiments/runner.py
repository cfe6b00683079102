"""Running an experiment on any ``concurrent.futures``-style executor, resumably.

The runner submits runs to an executor (anything with ``submit(fn, *args)``
returning futures that ``concurrent.futures.wait`` understands): in-process for
one worker, a ``ProcessPoolExecutor`` for several, a Dask cluster through
``distributed.Client(address).get_executor()``, or any engine with the same
interface. A run returns its table to the runner, which writes it as
``DIR/runs/<key>.parquet`` atomically (temporary file, then rename) the moment
it finishes. A file that exists is therefore complete, and ``resume`` skips it.
"""

from __future__ import annotations

import copy
import json
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiments.cluster import dask_executor
from sim.experiments.design import Run, points, runs
from sim.experiments.spec import Experiment, apply, load_experiment, resolve
from sim.model import MarketModel
from sim.params import Scenario
from sim.runner import git_commit, versions, write_atomic
from sim.scenario import ScenarioError

RECORD = "experiment.json"
POLL_SECONDS = 1.0  # how often a waiting runner looks again at the cluster's size
RUNS = "runs"
ID_COLUMNS = ["run_id", "point", "policy", "replication", "seed", "step", "year", "firm", "firm_policy", "focal"]


@dataclass(frozen=True)
class Plan:
    """An experiment made concrete: base scenario (fixed values applied), focal firm, design points, runs."""

    experiment: Experiment
    scenario: dict[str, Any]
    focal: int
    points: pd.DataFrame
    policies: list[str]
    runs: list[Run]

    def record(self) -> dict[str, Any]:
        """What ``experiment.json`` holds, apart from versions, commit and time."""
        return {
            "name": self.experiment.name,
            "experiment": self.experiment.model_dump(mode="json"),
            "master_seed": self.experiment.seed,
            "scenario": self.scenario,
            "focal_firm": self.scenario["firms"][self.focal]["name"],
            "policies": self.policies,
            "reference": self.experiment.reference or self.policies[0],
            "design": {
                "kind": self.experiment.design.kind,
                "parameters": list(self.points.columns),
                "points": json.loads(self.points.to_json(orient="records")),
            },
            "runs": len(self.runs),
        }


def plan(exp: Experiment) -> Plan:
    """Resolve the base scenario, draw the design and list every run with its seed."""
    scenario, focal = resolve(exp)
    data = apply(scenario.model_dump(mode="json"), focal, dict(exp.fixed))
    policies = exp.policies or [data["firms"][focal]["policy"]]
    design_points = points(exp)
    return Plan(exp, data, focal, design_points, policies, runs(exp, design_points, policies))


def execute(scenario: dict[str, Any], focal: int, run: Run, outcomes: list[str]) -> pd.DataFrame:
    """Simulate one run and return its rows: identifiers, varied parameters, outcomes."""
    data = apply(copy.deepcopy(scenario), focal, run.values)
    data["firms"][focal]["policy"] = run.policy
    data["seed"] = run.seed
    model = MarketModel(Scenario.model_validate(data))
    try:
        model.run()
        table = model.outcomes()
    finally:
        model.release()
    table = table.drop(columns=["seed", "scenario"]).rename(columns={"policy": "firm_policy"})
    ids = {
        "run_id": run.key,
        "point": run.point,
        "policy": run.policy,
        "replication": run.replication,
        "seed": run.seed,
    }
    for column, value in reversed(ids.items()):
        table.insert(0, column, value)
    table["focal"] = table["firm"] == data["firms"][focal]["name"]
    for name, value in run.values.items():
        table[name] = value
    keep = outcomes or [c for c in table.columns if c not in (*ID_COLUMNS, *run.values)]
    return table[ID_COLUMNS + list(run.values) + keep].reset_index(drop=True)


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
        # ``import mesa`` forces the "spawn" start method on every pool (mesa.batchrunner), which re-imports
        # everything in each worker; a fork server with this module preloaded starts workers in milliseconds.
        if "forkserver" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__])
        else:  # Windows
            context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_watch_runner, initargs=(os.getpid(),))
        try:
            yield pool, 2 * workers
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _watch_runner(pid: int, interval: float = 1.0) -> None:
    """In a pool worker: exit when the runner is gone (killed), instead of waiting for work forever."""

    def watch() -> None:
        while True:
            time.sleep(interval)
            try:
                os.kill(pid, 0)
            except (ProcessLookupError, PermissionError):  # gone, or the id now belongs to another user
                os._exit(1)

    threading.Thread(target=watch, name="watch-runner", daemon=True).start()


def prepare(out: Path, record: dict[str, Any], resume: bool) -> None:
    """Check ``out`` against the experiment, then write ``experiment.json``; refuses to mix experiments."""
    path = out / RECORD
    if path.exists():
        if not resume:
            raise ScenarioError(f"{out}: holds results already; add --resume to finish them, or choose another --out")
        stored = json.loads(path.read_text())
        if _comparable(stored) != _comparable(json.loads(json.dumps(record))):
            raise ScenarioError(f"{out}: holds results of a different experiment; cannot resume")
    (out / RUNS).mkdir(parents=True, exist_ok=True)
    full = {
        **record,
        "versions": versions("SALib", "pyarrow", "distributed"),
        "git_commit": git_commit(),
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    write_atomic(path, lambda p: p.write_text(json.dumps(full, indent=2)))


def _comparable(record: dict[str, Any]) -> dict[str, Any]:
    """What must match to resume: everything but where the base scenario file was read from."""
    out = {
        k: record.get(k)
        for k in (
            "name",
            "experiment",
            "master_seed",
            "scenario",
            "focal_firm",
            "policies",
            "reference",
            "design",
            "runs",
        )
    }
    out["experiment"] = {k: v for k, v in (out["experiment"] or {}).items() if k != "scenario"}
    return out


def run_experiment(
    experiment: Experiment | str | Path,
    out: str | Path,
    *,
    workers: int = 1,
    scheduler: Any = None,
    executor: Executor | None = None,
    in_flight: int | None = None,
    resume: bool = False,
    progress: bool | Callable[[int, int], None] = True,
    replications: int | None = None,
    years: float | None = None,
    customers: int | None = None,
) -> Path:
    """Run every run of an experiment not yet in ``out``, writing each as it finishes; returns ``out``.

    ``experiment`` is an :class:`Experiment` or a file. ``workers`` > 1 uses a local process pool,
    ``scheduler`` a Dask cluster (``tcp://host:port``, a ``distributed.Client`` or a cluster object; runs are
    handed out as workers join); or pass any ``concurrent.futures`` executor (left
    open afterwards), with ``in_flight`` runs submitted at a time (default ``2 * workers``). ``resume``
    skips runs whose files exist; without it, a folder that already holds results is refused.
    ``replications``, ``years`` and ``customers`` shrink (or grow) the experiment, e.g. for a quick look.
    ``progress`` is True for a progress bar on stderr, False for none, or a callable ``(done, total)``.
    """
    if isinstance(experiment, str | Path):
        experiment = load_experiment(experiment)
    experiment = experiment.with_changes(replications=replications, years=years, customers=customers)
    the_plan = plan(experiment)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ScenarioError(f"{out}: --out must be a directory")
    folder = out / RUNS
    todo = [r for r in the_plan.runs if not (folder / f"{r.key}.parquet").exists()] if resume else the_plan.runs
    total, done = len(the_plan.runs), len(the_plan.runs) - len(todo)
    args = (the_plan.scenario, the_plan.focal)
    outcomes = experiment.outcomes

    from tqdm import tqdm

    context = make_executor(workers, scheduler) if executor is None else _given(executor, in_flight or 2 * workers)
    with context as (pool, window):
        prepare(out, {**the_plan.record(), **getattr(window, "record", {})}, resume)
        bar = tqdm(
            total=total,
            initial=done,
            unit="run",
            desc=experiment.name,
            file=sys.stderr,
            disable=progress is not True,
            smoothing=0.1,
        )
        waiting: dict[Future, Run] = {}
        queue = iter(todo)
        try:
            while True:
                while len(waiting) < in_flight_now(window) and (run := next(queue, None)) is not None:
                    waiting[pool.submit(execute, *args, run, outcomes)] = run
                if not waiting:
                    break
                finished, _ = wait(list(waiting), timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                for future in finished:
                    run = waiting.pop(future)
                    table = future.result()
                    write_atomic(folder / f"{run.key}.parquet", lambda p, t=table: t.to_parquet(p, index=False))
                    done += 1
                    bar.update(1)
                    if callable(progress):
                        progress(done, total)
        finally:
            bar.close()
            for future in waiting:
                future.cancel()
    return out


def in_flight_now(window: int | Callable[[], int]) -> int:
    """Runs to keep in flight now: a fixed number, or what a growing cluster can take at this moment."""
    return window() if callable(window) else window


@contextmanager
def _given(executor: Executor, window: int) -> Iterator[tuple[Executor, int]]:
    yield executor, max(1, window)
