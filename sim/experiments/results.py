"""Reading an experiment's results back: the per-run tables and the experiment record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiments.runner import RECORD
from sim.scenario import ScenarioError


def load_record(out: str | Path) -> dict[str, Any]:
    """The ``experiment.json`` of a results folder: resolved experiment, master seed, design, versions, commit."""
    path = Path(out) / RECORD
    if not path.is_file():
        raise ScenarioError(f"{out}: no {RECORD}; not an experiment's results folder")
    return json.loads(path.read_text())


def load_results(out: str | Path, *, columns: list[str] | None = None, focal_only: bool = False) -> pd.DataFrame:
    """All finished runs of an experiment as one table, in design order.

    One row per run, firm and month: ``run_id``, ``point``, ``policy`` (the focal firm's policy in
    that run), ``replication``, ``seed``, ``step``, ``year``, ``firm``, ``firm_policy``, ``focal``,
    the varied parameters, then the recorded outcomes (types: :mod:`sim.experiments.dataset`).
    ``columns`` and ``focal_only`` read less: the results dataset is scanned, not loaded whole.
    """
    import numpy as np
    import pyarrow.compute as pc

    from sim.experiments.dataset import scan

    load_record(out)
    table = scan(Path(out), columns, pc.field("focal") == True if focal_only else None)  # noqa: E712
    if table.num_rows == 0:
        return pd.DataFrame()
    frame = table.to_pandas()
    for name in frame.columns:  # categories in sorted order, whatever order the runs were folded in
        if isinstance(frame[name].dtype, pd.CategoricalDtype):
            frame[name] = frame[name].cat.reorder_categories(sorted(frame[name].cat.categories))
    order = np.argsort(frame["run_id"].astype(str).to_numpy(), kind="stable") if "run_id" in frame else None
    return (frame if order is None else frame.iloc[order]).reset_index(drop=True)


def run_summaries(out: str | Path, outcomes: list[str], window: int = 12) -> pd.DataFrame:
    """One row per run (identity and varied parameters): the focal firm's outcomes over the last ``window`` months.

    Streams through the results: only the focal firm's last months are read, so a sweep of 10^5 runs
    is summarised without holding its time series.
    """
    from sim.experiments.dataset import run_summaries as summaries

    record = load_record(out)
    months = max(1, round(record["scenario"]["years"] * 12))
    keys = ["run_id", "point", "policy", "replication", "seed", *record["design"]["parameters"]]
    return summaries(Path(out), keys, outcomes, months, window)


def load_design(out: str | Path) -> pd.DataFrame:
    """The design's points (one row per point, one column per varied parameter), as drawn."""
    points = load_record(out)["design"]["points"]
    return pd.DataFrame(points, index=pd.RangeIndex(len(points), name="point"))
