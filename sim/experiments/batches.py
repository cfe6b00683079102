"""Runs of a sweep stepped together: the replications of one design point and policy as one batched state.

Runs that differ only in their seed (the replications of a point and policy) are handed to a
worker as one task and stepped as one state of R x N customers (:func:`sim.engine.run_batch`),
which shares the month's fixed costs among them. A batch's results equal those of its runs
one by one, bit for bit, so batching changes speed only; each run still gets its own file.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from sim.engine import run_batch
from sim.experiments.design import Run
from sim.experiments.spec import apply
from sim.scenario import Scenario

#: Customers stepped as one state at most (a batch of small markets fits in cache-friendly arrays).
BATCH_CUSTOMERS = 32_000
#: Replications in one batch at most.
BATCH_RUNS = 16


def batch_size(customers: int) -> int:
    """Runs per batch for markets of ``customers``: up to ``BATCH_RUNS``, within ``BATCH_CUSTOMERS`` customers."""
    return max(1, min(BATCH_RUNS, BATCH_CUSTOMERS // max(customers, 1)))


def batches(runs: Iterable[Run], size: Callable[[Run], int]) -> Iterator[list[Run]]:
    """Consecutive runs of the same point and policy, ``size(run)`` at most at a time, in the order given.

    >>> from sim.experiments.design import Run
    >>> runs = [Run(f"k{i}", i // 3, "p", i % 3, i) for i in range(6)]
    >>> [[r.key for r in b] for b in batches(runs, lambda run: 2)]
    [['k0', 'k1'], ['k2'], ['k3', 'k4'], ['k5']]
    """
    batch: list[Run] = []
    for run in runs:
        same = batch and (run.point, run.policy) == (batch[0].point, batch[0].policy)
        if batch and (not same or len(batch) >= size(batch[0])):
            yield batch
            batch = []
        batch.append(run)
    if batch:
        yield batch


def execute_batch(scenario: dict[str, Any], focal: int, runs: list[Run], outcomes: list[str]) -> pd.DataFrame:
    """Simulate the runs of one point and policy as one batch: every run's rows, run after run, labelled."""
    first = runs[0]
    data = apply(copy.deepcopy(scenario), focal, first.values)
    data["firms"][focal]["policy"] = first.policy
    data["seed"] = first.seed
    table = run_batch(Scenario.model_validate(data), [run.seed for run in runs])
    return label(table, runs, data["firms"][focal]["name"], outcomes)


ID_COLUMNS = ["run_id", "point", "policy", "replication", "seed", "step", "year", "firm", "firm_policy", "focal"]


def label(table: pd.DataFrame, runs: list[Run], focal_name: str, outcomes: list[str]) -> pd.DataFrame:
    """The rows of ``runs`` (as many rows each, run after run) with each run's identity, its design point's
    values and the outcomes asked for (all by default). The runs share a design point, as in a batch."""
    rows, values = len(table) // len(runs), runs[0].values
    table = table.drop(columns=["seed", "scenario"]).rename(columns={"policy": "firm_policy"})
    ids = {
        "run_id": [run.key for run in runs],
        "point": [run.point for run in runs],
        "policy": [run.policy for run in runs],
        "replication": [run.replication for run in runs],
        "seed": [run.seed for run in runs],
    }
    for column, value in reversed(ids.items()):
        table.insert(
            0, column, np.repeat(np.array(value, dtype=object if column in ("run_id", "policy") else None), rows)
        )
    table["focal"] = table["firm"] == focal_name
    for name, value in values.items():
        table[name] = value
    keep = outcomes or [c for c in table.columns if c not in (*ID_COLUMNS, *values)]
    return table[ID_COLUMNS + list(values) + keep].reset_index(drop=True)
