"""Run files that prove themselves, and the model version a result was made with.

Each batch of a sweep (the runs stepped together, :mod:`sim.experiments.batches`) is one parquet file,
``DIR/runs/<first key>+<runs>.parquet`` (``DIR/runs/<key>.parquet`` for a batch of one run), whose schema
metadata says, for each of its runs, which run it is (run id, seed, design point, policy, replication,
parameter values, rows), which experiment it belongs to (a fingerprint of everything that must match to
resume) and which model code made it (package version, git commit, a fingerprint of the model's source
files). It is written to a temporary file, flushed to disk (fsync), renamed into place, and the folder is
flushed too, so after a crash a file either is complete or does not exist. ``--resume`` opens every file
and keeps only those that :func:`check_file` accepts, in the spirit of Snakemake's checks of incomplete
output; the name is checked against the content, never trusted.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiments.design import Run
from sim.kernel_cache import model_source_hash

META_KEY = b"crsim.run"


def fingerprint(data: Any) -> str:
    """A short, stable hash of JSON-able data (sorted keys)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def source_fingerprint() -> str:
    """Hash of every Python source file of the model (the ``sim`` package without the page and the claims)."""
    return model_source_hash()


@functools.cache
def code_version() -> dict[str, str | None]:
    """What identifies the model code: package version, git commit (None outside a checkout), source hash."""
    from importlib.metadata import PackageNotFoundError, version

    from sim.runner import git_commit

    try:
        package = version("crsim")
    except PackageNotFoundError:
        package = "unknown"
    return {"crsim": package, "git_commit": git_commit(), "source": source_fingerprint()}


def code_change(old: dict[str, Any], new: dict[str, Any]) -> str | None:
    """What differs between two code versions that can change results (package version, source), or None.

    The git commit alone is not compared: a commit that changes no model source file changes no result.
    """
    changed = [f"{k} {old.get(k)} -> {new.get(k)}" for k in ("crsim", "source") if old.get(k) != new.get(k)]
    return ", ".join(changed) or None


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename) to disk; a no-op where folders cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_durable(path: Path, write: Callable[[Path], object]) -> None:
    """Write through a temporary file in the same folder, fsync it, rename it into place, fsync the folder."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        tmp.replace(path)
        fsync_dir(path.parent)
    finally:
        tmp.unlink(missing_ok=True)


def stamp(run: Run, experiment: str, code: dict[str, Any]) -> dict[str, Any]:
    """The metadata a run file carries: who it is, which experiment, which code."""
    return {
        "run_id": run.key,
        "point": run.point,
        "policy": run.policy,
        "replication": run.replication,
        "seed": run.seed,
        "values": run.values,
        "experiment": experiment,
        "code": code,
    }


def batch_name(runs: list[Run]) -> str:
    """The file name (without ``.parquet``) of a batch of ``runs``: its first run's key, and how many it holds.

    >>> from sim.experiments.design import Run
    >>> batch_name([Run("00000_a_0000", 0, "a", 0, 1)]), batch_name([Run(f"00000_a_000{i}", 0, "a", i, i) for i in range(3)])
    ('00000_a_0000', '00000_a_0000+3')
    """
    return runs[0].key if len(runs) == 1 else f"{runs[0].key}+{len(runs)}"


def named_runs(path: Path) -> tuple[str, int]:
    """What a run file's name says it holds: (first run key, number of runs); nothing is read."""
    first, _, count = path.stem.partition("+")
    return first, int(count) if count.isdigit() else 1


def write_batch(path: Path, table: pd.DataFrame, stamps: list[dict[str, Any]]) -> None:
    """Write a batch's table (its runs' rows, run after run) as parquet, each run's stamp and row count in the
    schema metadata, durably."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(table, preserve_index=False)
    counts = table["run_id"].value_counts()
    meta = {"runs": [{**one, "rows": int(counts.get(one["run_id"], 0))} for one in stamps], "rows": arrow.num_rows}
    arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), META_KEY: json.dumps(meta).encode()})
    write_durable(path, lambda p: pq.write_table(arrow, p, compression="zstd"))


def read_stamps(path: Path) -> list[dict[str, Any]]:
    """The stamps of the runs in a run file; raises ValueError when the file is not a complete run file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        meta = pq.read_metadata(path)
        raw = (meta.schema.to_arrow_schema().metadata or {}).get(META_KEY)
    except (OSError, pa.ArrowException) as err:
        raise ValueError(f"unreadable ({str(err).splitlines()[0]})") from None
    if raw is None:
        raise ValueError("carries no run metadata")
    try:
        found = json.loads(raw)
        stamps = found["runs"] if "runs" in found else [found]  # a file of one run, as written before batches
        rows = sum(int(one["rows"]) for one in stamps)
    except (ValueError, TypeError, KeyError):
        raise ValueError("corrupt run metadata") from None
    if not stamps or rows != meta.num_rows:
        raise ValueError(f"holds {meta.num_rows} rows, its metadata says {rows}")
    return list(stamps)


def check_file(
    path: Path, planned: dict[str, Run], experiment: str, codes: list[dict[str, Any]]
) -> tuple[str | None, list[str]]:
    """Why the file at ``path`` is not a complete result of the runs its name says, in this experiment (None if it
    is), and the keys of the runs it holds (none when it is not).

    ``planned`` maps every run key of the experiment to its run.
    """
    first, count = named_runs(path)
    try:
        if path.stat().st_size == 0:
            return "empty", []
        found = read_stamps(path)
    except (OSError, ValueError) as err:
        return str(err), []
    if found[0].get("run_id") != first or len(found) != count:
        held, expected = _runs(found[0].get("run_id"), len(found)), _runs(first, count)
        return f"belongs to another run (run_id {held}, expected {expected})", []
    for one in found:
        run = planned.get(one.get("run_id"))  # type: ignore[arg-type]
        if run is None:
            return f"holds a run this experiment does not have ({one.get('run_id')!r})", []
        why = _check_stamp(one, run, experiment, codes)
        if why:
            return (why if len(found) == 1 else f"{why}: {run.key}"), []
    return None, [one["run_id"] for one in found]


def _runs(first: Any, count: int) -> str:
    return repr(first) if count == 1 else f"{first!r} and {count - 1} more"


def _check_stamp(found: dict[str, Any], run: Run, experiment: str, codes: list[dict[str, Any]]) -> str | None:
    """Why a run file's stamp is not that of ``run`` in this experiment, or None if it is."""
    expected = stamp(run, experiment, {})
    for key in ("run_id", "point", "policy", "replication", "seed"):
        if found.get(key) != expected[key]:
            return f"belongs to another run ({key} {found.get(key)!r}, expected {expected[key]!r})"
    if json.loads(json.dumps(found.get("values"))) != json.loads(json.dumps(run.values)):
        return "belongs to another design point"
    if found.get("experiment") != experiment:
        return "belongs to another experiment"
    if not any(code_change(found.get("code") or {}, code) is None for code in codes):
        return "made by model code this folder does not record"
    return None
