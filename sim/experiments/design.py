"""Designs, runs, keys and seeds.

A design is a table of points (one row per point, one column per varied
parameter): a full-factorial grid, or a Latin hypercube, Sobol (Saltelli) or
Morris sample drawn with SALib. Each point is run for every policy and
replication. Every run's seed is spawned from the master seed by its position
in the design (``SeedSequence(master, spawn_key=(point, replication))``), so a
run is reproducible on its own. With common random numbers the policy is not
part of the position: replication k of every policy at a point gets the same
seed, hence the same customers, network and shocks, and policy differences are
paired. With common random numbers across points, the point is left out of the
position too, so replication k meets the same customers at every design point.

>>> from sim.experiments.spec import Design, Experiment
>>> exp = Experiment(name="x", policies=["permanent_exit", "loyalty_lock_in"], replications=2,
...                  design=Design(kind="grid", values={"levers.exit_fee": [0, 3]}))
>>> plan = runs(exp, points(exp))
>>> [r.key for r in plan][:3]
['00000_permanent_exit_0000', '00000_permanent_exit_0001', '00000_loyalty_lock_in_0000']
>>> plan[0].seed == plan[2].seed != plan[1].seed
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.spec import Design, Experiment, is_integer

SEED_MASK = 2**63 - 1  # seeds fit a signed 64-bit column


@dataclass(frozen=True)
class Run:
    """One simulation of an experiment: a design point, a policy, a replication and its seed."""

    key: str
    point: int
    policy: str
    replication: int
    seed: int
    values: dict[str, Any] = field(default_factory=dict)


def problem(design: Design) -> dict[str, Any]:
    """The SALib problem of a sampled design."""
    names = design.parameters
    return {"num_vars": len(names), "names": names, "bounds": [list(design.bounds[n]) for n in names]}


def design_seed(master: int) -> int:
    """Seed of the sampler (scrambling, Latin hypercube, Morris trajectories), drawn from the master seed."""
    return int(np.random.SeedSequence(master).generate_state(1)[0])


def points(exp: Experiment) -> pd.DataFrame:
    """The design's points: one row per point, one column per varied parameter (none: one empty row)."""
    design = exp.design
    if design.kind == "none":
        return pd.DataFrame(index=pd.RangeIndex(1))
    if design.kind == "grid":
        grid = pd.MultiIndex.from_product(list(design.values.values()), names=design.parameters)
        return grid.to_frame(index=False)
    from SALib.sample import latin, morris, sobol

    seed = design_seed(exp.seed)
    spec = problem(design)
    if design.kind == "sobol":
        x = sobol.sample(spec, design.samples, calc_second_order=design.second_order, seed=seed)
    elif design.kind == "morris":
        x = morris.sample(spec, design.samples, num_levels=design.levels, seed=seed)
    else:
        x = latin.sample(spec, design.samples, seed=seed)
    return pd.DataFrame(x, columns=design.parameters)


def applied(values: dict[str, Any]) -> dict[str, Any]:
    """Values as set in the scenario: whole-number fields rounded, numpy scalars made plain."""
    out = {}
    for name, value in values.items():
        value = value.item() if isinstance(value, np.generic) else value
        out[name] = int(round(value)) if is_integer(name) and not isinstance(value, bool) else value
    return out


def run_seed(master: int, point: int, replication: int, policy: int | None = None) -> int:
    """Seed of a run, spawned by its position; ``policy`` is part of the position only without common random numbers."""
    key = (point, replication) if policy is None else (point, replication, policy)
    ss = np.random.SeedSequence(master, spawn_key=key)
    return int(ss.generate_state(1, dtype=np.uint64)[0]) & SEED_MASK


def run_key(point: int, policy: str, replication: int) -> str:
    """File-safe name of a run, sortable by design position."""
    return f"{point:05d}_{policy}_{replication:04d}"


def runs(exp: Experiment, design_points: pd.DataFrame, policies: list[str] | None = None) -> list[Run]:
    """Every run of the experiment, in design order: point, then policy, then replication."""
    policies = policies or list(exp.policies)  # validated: 'all' is already the list of presets
    plan = []
    for point, row in enumerate(design_points.to_dict("records")):
        values = applied(row)
        for p, policy in enumerate(policies):
            for rep in range(exp.replications):
                position = 0 if exp.common_random_numbers_across_points else point
                seed = run_seed(exp.seed, position, rep, None if exp.common_random_numbers else p)
                plan.append(Run(run_key(point, policy, rep), point, policy, rep, seed, values))
    return plan
