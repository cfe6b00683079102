"""Running an experiment on any ``concurrent.futures``-style executor, resumably.

The runner submits runs to an executor (anything with ``submit(fn, *args)``
returning futures that ``concurrent.futures.wait`` understands): in-process for
one worker, a ``ProcessPoolExecutor`` for several, a Dask cluster through
``distributed.Client(address).get_executor()``, or any engine with the same
interface. A task is a batch of runs (:mod:`sim.experiments.batches`) and returns its
table to the runner, which writes it as ``DIR/runs/<first key>+<runs>.parquet`` atomically
(temporary file, then rename) the moment it finishes. Each file carries its runs' identities, the
experiment's fingerprint and the model code's version (:mod:`sim.experiments.runfiles`); ``resume``
checks every file and runs again the runs of any that is incomplete or belongs elsewhere.
"""

from __future__ import annotations

import copy
import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from sim.experiments.batches import batch_size, batches, execute_batch, label
from sim.experiments.budget import bounded_workers, describe_plan, run_count, sweep_estimate
from sim.experiments.dataset import RESULTS, compact, dataset_meta, folded_runs
from sim.experiments.design import Run, points, runs
from sim.experiments.pool import make_executor
from sim.experiments.runfiles import (
    batch_name,
    check_file,
    code_change,
    code_version,
    fingerprint,
    named_runs,
    stamp,
    write_batch,
    write_durable,
)
from sim.experiments.spec import Experiment, apply, load_experiment, resolve
from sim.memory import check as check_memory
from sim.model import MarketModel
from sim.runner import git_commit, versions
from sim.scenario import Scenario, ScenarioError

RECORD = "experiment.json"
POLL_SECONDS = 1.0  # how often a waiting runner looks again at the cluster's size
RUNS = "runs"


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


def plan(exp: Experiment, base: Scenario | None = None) -> Plan:
    """Resolve the base scenario (or take ``base``), draw the design and list every run with its seed."""
    scenario, focal = resolve(exp, base)
    data = apply(scenario.model_dump(mode="json"), focal, dict(exp.fixed))
    policies = list(exp.policies) or [data["firms"][focal]["policy"]]
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
    return label(table, [run], data["firms"][focal]["name"], outcomes)


def read_record(out: Path) -> dict[str, Any] | None:
    """The stored ``experiment.json`` of ``out`` (None if there is none); one line if it is corrupt."""
    path = out / RECORD
    if not path.exists():
        return None
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise ScenarioError(f"{path}: cannot be read as an experiment record ({err})") from None
    if not isinstance(stored, dict) or "experiment" not in stored:
        raise ScenarioError(f"{path}: not an experiment record")
    return stored


def recorded(out: Path) -> tuple[Experiment, Scenario]:
    """The experiment and base scenario recorded in ``out`` (to resume without the original files)."""
    stored = read_record(out)
    if stored is None:
        raise ScenarioError(f"{out}: no {RECORD}; nothing to resume")
    try:
        return Experiment.model_validate(stored["experiment"]), Scenario.model_validate(stored["scenario"])
    except (ValidationError, KeyError) as err:
        raise ScenarioError(f"{out / RECORD}: not a valid experiment record ({str(err).splitlines()[0]})") from None


def first_difference(old: Any, new: Any, where: str = "") -> str | None:
    """The dotted path of the first difference between two JSON values, with both values, or None."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            found = first_difference(old.get(key), new.get(key), f"{where}.{key}" if where else str(key))
            if found:
                return found
        return None
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            found = first_difference(a, b, f"{where}[{i}]")
            if found:
                return found
        return None
    return None if old == new else f"{where or 'record'}: {_short(old)} in the folder, {_short(new)} now"


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def prepare(out: Path, record: dict[str, Any], resume: bool, accept_code_change: bool = False) -> list[dict[str, Any]]:
    """Check ``out`` against the experiment and the model code, then write ``experiment.json``.

    Refuses to mix experiments (naming the first field that differs) and, unless ``accept_code_change``,
    results of different model code. Returns every code version whose runs may stay in the folder.
    """
    stored = read_record(out)
    held = stored is not None or any((out / RUNS).glob("*.parquet")) or (out / RESULTS).exists()
    if held and not resume:
        raise ScenarioError(f"{out}: holds results already; add --resume to finish them, or choose another --out")
    code = code_version()
    history = [code]
    if stored is not None:
        difference = first_difference(_comparable(stored), _comparable(json.loads(json.dumps(record))))
        if difference:
            raise ScenarioError(f"{out}: holds results of a different experiment ({difference}); cannot resume")
        history = stored.get("code_history") or ([stored["code"]] if "code" in stored else [])
        change = code_change(history[-1], code) if history else "no model version recorded"
        if change and not accept_code_change:
            raise ScenarioError(
                f"{out}: its runs were made by other model code ({change}); "
                "add --accept-code-change to finish them with this code (both versions are recorded)"
            )
        if change:
            history = [*history, code]
    (out / RUNS).mkdir(parents=True, exist_ok=True)
    full = {
        **record,
        "fingerprint": fingerprint(_comparable(json.loads(json.dumps(record)))),
        "versions": versions("SALib", "pyarrow", "distributed"),
        "git_commit": git_commit(),
        "code": code,
        "code_history": history,
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    write_durable(out / RECORD, lambda p: p.write_text(json.dumps(full, indent=2)))
    return history


def _comparable(record: dict[str, Any]) -> dict[str, Any]:
    """What must match to resume: everything but where the base scenario file was read from."""
    keys = ("name", "experiment", "master_seed", "scenario", "focal_firm", "policies", "reference", "design", "runs")
    out = {k: record.get(k) for k in keys}
    out["experiment"] = {k: v for k, v in (out["experiment"] or {}).items() if k != "scenario"}
    return out


def pending(folder: Path, all_runs: list[Run], experiment: str, codes: list[dict[str, Any]]) -> list[Run]:
    """The runs without a complete file in ``folder``; bad and stray files are named and removed."""
    planned = {run.key: run for run in all_runs}
    folded = folded_runs(folder.parent)
    if folded and (dataset_meta(folder.parent) or {}).get("record", {}).get("fingerprint") != experiment:
        aside = folder.parent / f"{RESULTS}.other"
        (folder.parent / RESULTS).replace(aside)
        print(
            f"crsim: {folder.parent / RESULTS}: holds results of another experiment; moved to {aside}", file=sys.stderr
        )
        folded = {}
    in_dataset = {key for key, run in planned.items() if key in folded and folded[key].get("seed") == run.seed}
    done = set(in_dataset)
    for path in sorted(folder.glob("*.parquet")):
        first, _ = named_runs(path)
        if first in in_dataset:
            continue  # in the results dataset already (folded in, but not yet removed)
        if first not in planned:
            print(f"crsim: {path}: not a run of this experiment; removed", file=sys.stderr)
            path.unlink()
            continue
        why, keys = check_file(path, planned, experiment, codes)
        held = set(keys)
        if not why and held & done:
            why = "holds runs another file holds"
        if why:
            print(f"crsim: {path}: {why}; running it again", file=sys.stderr)
            path.unlink()
            continue
        done |= held
    return [run for run in all_runs if run.key not in done]


def run_experiment(
    experiment: Experiment | str | Path | None,
    out: str | Path,
    *,
    workers: int = 1,
    scheduler: Any = None,
    executor: Executor | None = None,
    in_flight: int | Callable[[], int] | None = None,
    resume: bool = False,
    progress: bool | Callable[[int, int], None] = True,
    replications: int | None = None,
    years: float | None = None,
    customers: int | None = None,
    accept_code_change: bool = False,
    force: bool = False,
    dry_run: bool = False,
) -> Path:
    """Run every run of an experiment not yet in ``out``, writing each as it finishes; returns ``out``.

    ``experiment`` is an :class:`Experiment`, a file, or None to resume the one recorded in ``out``.
    ``workers`` > 1 uses a local process pool,
    ``scheduler`` a Dask cluster (``tcp://host:port``, a ``distributed.Client`` or a cluster object; runs are
    handed out as workers join); or pass any ``concurrent.futures`` executor (left
    open afterwards), with ``in_flight`` runs submitted at a time (default ``2 * workers``). ``resume``
    skips runs whose files exist; without it, a folder that already holds results is refused.
    ``replications``, ``years`` and ``customers`` shrink (or grow) the experiment, e.g. for a quick look.
    ``progress`` is True for a progress bar on stderr, False for none, or a callable ``(done, total)``.
    On resume every run file is opened and checked (complete, this run, this experiment, recorded model
    code); any that fails is named on stderr and run again. Results of other model code are refused
    unless ``accept_code_change``, which records both versions. A sweep that cannot fit in memory is
    refused before it starts unless ``force``; ``workers`` is cut to the cores; ``dry_run`` prints the
    plan (runs, memory) and runs nothing.
    """
    out = Path(out)
    base = None
    if experiment is None:
        experiment, base = recorded(out)
    elif isinstance(experiment, str | Path):
        experiment = load_experiment(experiment)
    stored = read_record(out) if resume else None
    given: dict[str, Any] = {"replications": replications, "years": years, "customers": customers}
    if stored is not None:  # overrides given when the sweep started are in its record
        given = {k: v if v is not None else stored["experiment"].get(k) for k, v in given.items()}
    experiment = experiment.with_changes(**given)
    workers = bounded_workers(workers)
    scenario, _ = resolve(experiment, base)
    estimate = sweep_estimate(experiment, scenario, workers, remote=scheduler is not None or executor is not None)
    if dry_run:
        print(describe_plan(experiment, run_count(experiment), workers, estimate), file=sys.stderr)
        return out
    check_memory(estimate, force)
    the_plan = plan(experiment, base)
    check_out(out)
    folder = out / RUNS
    record = the_plan.record()

    from tqdm import tqdm

    context = make_executor(workers, scheduler) if executor is None else _given(executor, in_flight or 2 * workers)
    with context as (pool, window):  # connected (to a cluster, say) before anything is written
        codes = prepare(out, record, resume, accept_code_change)
        experiment_id = fingerprint(_comparable(json.loads(json.dumps(record))))
        todo = pending(folder, the_plan.runs, experiment_id, codes) if resume else the_plan.runs
        total, done = len(the_plan.runs), len(the_plan.runs) - len(todo)
        if progress is True:
            line = describe_plan(experiment, total, workers, estimate).splitlines()[0]
            print(f"{line}{f'; {done} done' if resume else ''}", file=sys.stderr)
        args = (the_plan.scenario, the_plan.focal)
        outcomes = experiment.outcomes
        code = codes[-1]
        cluster = getattr(window, "record", None)
        if cluster:  # a Dask cluster: its workers' versions join the record
            record_cluster(out, cluster)
        bar = tqdm(
            total=total,
            initial=done,
            unit="run",
            desc=experiment.name,
            file=sys.stderr,
            disable=progress is not True,
            smoothing=0.1,
        )
        waiting: dict[Future, list[Run]] = {}
        count = the_plan.scenario["customers"]["count"]
        queue = batches(todo, lambda run: batch_size(int(run.values.get("customers.count", count))))
        try:
            while True:
                while len(waiting) < in_flight_now(window) and (batch := next(queue, None)) is not None:
                    waiting[pool.submit(execute_batch, *args, batch, outcomes)] = batch
                if not waiting:
                    break
                finished, _ = wait(list(waiting), timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                for future in finished:
                    batch = waiting.pop(future)
                    stamps = [stamp(run, experiment_id, code) for run in batch]
                    write_batch(folder / f"{batch_name(batch)}.parquet", future.result(), stamps)
                    for _ in batch:
                        done += 1
                        bar.update(1)
                        if callable(progress):
                            progress(done, total)
        finally:
            bar.close()
            for future in waiting:
                future.cancel()
    compact(out)  # every run is in: fold them into one dataset
    return out


def check_out(out: Path) -> None:
    """Refuse, before anything runs, an ``--out`` that is not a folder or cannot be written."""
    if out.exists() and not out.is_dir():
        raise ScenarioError(f"{out}: --out must be a directory")
    parent = next((p for p in (out, *out.parents) if p.exists()), Path("."))
    if not parent.is_dir():
        raise ScenarioError(f"{out}: --out lies under {parent}, which is not a directory")
    try:
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as err:
        raise ScenarioError(f"{out}: --out is not writable ({parent}: {err.strerror or err})") from None


def in_flight_now(window: int | Callable[[], int]) -> int:
    """Runs to keep in flight now: a fixed number, or what a growing cluster can take at this moment."""
    return window() if callable(window) else window


def record_cluster(out: Path, cluster: dict[str, Any]) -> None:
    """Add what the cluster reported of itself (workers' versions) to ``experiment.json``."""
    path = out / RECORD
    full = {**json.loads(path.read_text()), **cluster}
    write_durable(path, lambda p: p.write_text(json.dumps(full, indent=2)))


@contextmanager
def _given(executor: Executor, window: int | Callable[[], int]) -> Iterator[tuple[Executor, int | Callable[[], int]]]:
    yield executor, window if callable(window) else max(1, window)
