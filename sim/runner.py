"""Running a scenario to a results table, and what makes a run reproducible."""

from __future__ import annotations

import json
import platform
import subprocess
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sim.model import MarketModel
from sim.scenario import Scenario, resolve_scenario


def run(
    scenario: Scenario | str | Path | None = None,
    *,
    years: float | None = None,
    seed: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Run a scenario (object, file path or preset name; None = default market) and return the tidy table.

    One row per firm and month (step 0 is the state after the unrecorded burn-in); see ``sim.metrics`` for the columns.
    """
    model = MarketModel(resolve_scenario(scenario), seed=seed, years=years)
    try:
        model.run(progress=progress)
        return model.outcomes()
    finally:
        model.release()


def versions(*extra: str) -> dict[str, str]:
    """Versions of Python and the packages a result depends on, plus the ``extra`` packages named."""
    from importlib.metadata import version

    out = {"python": platform.python_version()}
    for pkg in ("crsim", "mesa", "numpy", "pandas", "scipy", "networkx", "pydantic", *extra):
        try:
            out[pkg] = version(pkg)
        except Exception:  # noqa: BLE001 - a missing package is recorded as such
            out[pkg] = "not installed"
    return out


def git_commit() -> str | None:
    """Commit of the source tree the package runs from, when it is a git checkout."""
    try:
        root = Path(__file__).resolve().parent.parent
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
        return out.stdout.strip() or None if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def manifest(scenario: Scenario, **extra) -> dict:
    """Everything needed to reproduce a result: the resolved scenario, seed, versions, commit."""
    return {
        "scenario": scenario.model_dump(mode="json"),
        "seed": scenario.seed,
        "versions": versions(),
        "git_commit": git_commit(),
        **extra,
    }


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Write through a temporary file in the same folder, flush it to disk, rename it into place."""
    import os

    tmp = path.with_name(f".{path.name}.tmp")
    try:
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def save_run(out: Path, table: pd.DataFrame, scenario: Scenario, fmt: str = "csv") -> Path:
    """Write ``timeseries.csv`` (or ``.parquet``) and ``manifest.json`` into ``out`` (each atomically)."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"timeseries.{fmt}"
    if fmt == "parquet":
        write_atomic(path, lambda p: table.to_parquet(p, index=False))
    else:
        write_atomic(path, lambda p: table.to_csv(p, index=False))
    write_atomic(out / "manifest.json", lambda p: p.write_text(json.dumps(manifest(scenario), indent=2)))
    return path
