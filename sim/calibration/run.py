"""``crsim calibrate``: ABC-SMC (pyabc) over the status-quo market, resumable, on any executor.

Approximate Bayesian computation by sequential Monte Carlo (Toni et al. 2009, *J. R. Soc. Interface* 6;
Beaumont et al. 2009, *Biometrika* 96; pyabc: Schälte et al. 2022, *JOSS* 7) draws parameter sets from
uniform priors, simulates the market, and keeps those whose statistics come closest to the targets, with
a threshold (the median distance of the previous generation) that shrinks generation by generation.
pyabc's history database (``DIR/history.db``) holds every generation the moment it is complete; a
resumed run loads it and goes on from the next generation.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sim.calibration.spec import Calibration, load_calibration, resolve
from sim.runner import git_commit, versions, write_atomic
from sim.scenario import ScenarioError

RECORD = "calibration.json"
HISTORY = "history.db"


def _abc(cal: Calibration, sampler):
    import pyabc

    from sim.calibration.simulate import Distance, Simulator

    prior = pyabc.Distribution(
        **{name: pyabc.RV("uniform", low, high - low) for name, (low, high) in cal.parameters.items()}
    )
    return pyabc.ABCSMC(
        Simulator(cal, resolve(cal)),
        prior,
        Distance(cal.targets),
        population_size=cal.population,
        sampler=sampler,
        eps=pyabc.MedianEpsilon(),
    )


def _prepare(out: Path, cal: Calibration, resume: bool) -> bool:
    """Check ``out`` and write ``calibration.json``; True when a history is to be continued."""
    if out.exists() and not out.is_dir():
        raise ScenarioError(f"{out}: --out must be a directory")
    record, history = out / RECORD, out / HISTORY
    if history.exists():
        if not resume:
            raise ScenarioError(f"{out}: holds a calibration already; add --resume to go on, or choose another --out")
        stored = json.loads(record.read_text()) if record.is_file() else {}
        if _comparable(stored.get("calibration", {})) != _comparable(cal.model_dump(mode="json")):
            raise ScenarioError(f"{out}: holds a different calibration; cannot resume")
    out.mkdir(parents=True, exist_ok=True)
    full = {
        "calibration": cal.model_dump(mode="json"),
        "scenario": resolve(cal).model_dump(mode="json"),
        "versions": versions("pyabc", "pyarrow", "distributed"),
        "git_commit": git_commit(),
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    write_atomic(record, lambda p: _write_text(p, json.dumps(full, indent=2)))
    return history.exists()


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _comparable(data: dict[str, Any]) -> dict[str, Any]:
    """What must match to resume: everything but where the scenario was read from, the stopping rule and checks."""
    return {k: v for k, v in data.items() if k not in ("scenario", "stop", "check", "compare", "description")}


def calibrate(
    calibration: Calibration | str | Path,
    out: str | Path,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    resume: bool = False,
    quiet: bool = True,
    **changes: Any,
) -> Path:
    """Run (or resume) a calibration into ``out`` and write posterior, scenario, diagnostics and checks.

    ``changes`` override fields of the calibration (``population``, ``max_generations``, ``customers`` ...).
    """
    from sim.calibration.outputs import write_outputs
    from sim.calibration.sampler import OrderedSampler
    from sim.calibration.simulate import Distance
    from sim.experiments.pool import make_executor
    from sim.experiments.runner import in_flight_now

    if isinstance(calibration, str | Path):
        calibration = load_calibration(calibration)
    cal = calibration.with_changes(**changes)
    if workers < 1:
        raise ScenarioError(f"command line: --workers: must be at least 1 (got {workers})")
    out = Path(out)
    logging.getLogger("ABC").setLevel(logging.WARNING if quiet else logging.INFO)
    if out.exists() and not out.is_dir():
        raise ScenarioError(f"{out}: --out must be a directory")
    with make_executor(workers, scheduler) as (executor, flight):
        window = in_flight_now(flight)
        continuing = _prepare(out, cal, resume)
        db = f"sqlite:///{(out / HISTORY).resolve()}"
        abc = _abc(cal, OrderedSampler(executor, cal.seed, window))
        if continuing:
            history = abc.load(db, 1)
        else:
            history = abc.new(db, Distance(cal.targets).observed(), meta_info={"calibration": cal.name})
        left = cal.stop.max_generations - (history.max_t + 1)
        if left > 0 and not _stopped(history, cal):
            abc.run(
                max_nr_populations=left,
                minimum_epsilon=cal.stop.min_epsilon,
                min_acceptance_rate=cal.stop.min_acceptance,
                max_walltime=timedelta(minutes=cal.stop.max_minutes) if cal.stop.max_minutes else None,
            )
        write_outputs(cal, out, history, executor, window)
    return out


def _stopped(history, cal: Calibration) -> bool:
    """Whether a stored run already met its epsilon or acceptance criterion."""
    if history.max_t < 0:
        return False
    pops = history.get_all_populations()
    last = pops[pops["t"] == history.max_t].iloc[0]
    return bool(
        last["epsilon"] <= cal.stop.min_epsilon or last["particles"] / last["samples"] < cal.stop.min_acceptance
    )
