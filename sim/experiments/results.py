"""Reading an experiment's results back: the per-run tables and the experiment record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiments.runner import RECORD, RUNS
from sim.scenario import ScenarioError


def load_record(out: str | Path) -> dict[str, Any]:
    """The ``experiment.json`` of a results folder: resolved experiment, master seed, design, versions, commit."""
    path = Path(out) / RECORD
    if not path.is_file():
        raise ScenarioError(f"{out}: no {RECORD}; not an experiment's results folder")
    return json.loads(path.read_text())


def load_results(out: str | Path) -> pd.DataFrame:
    """All finished runs of an experiment as one table, in design order.

    One row per run, firm and month: ``run_id``, ``point``, ``policy`` (the focal firm's policy in
    that run), ``replication``, ``seed``, ``step``, ``year``, ``firm``, ``firm_policy``, ``focal``,
    the varied parameters, then the recorded outcomes.
    """
    load_record(out)
    files = sorted((Path(out) / RUNS).glob("*.parquet"))
    if not files:
        return pd.DataFrame()
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


def load_design(out: str | Path) -> pd.DataFrame:
    """The design's points (one row per point, one column per varied parameter), as drawn."""
    points = load_record(out)["design"]["points"]
    return pd.DataFrame(points, index=pd.RangeIndex(len(points), name="point"))
