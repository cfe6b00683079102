"""The size of a sweep before anything is drawn or run: runs, memory, workers; and the plan as text."""

from __future__ import annotations

import math
import warnings

from sim.experiments.batches import batch_size
from sim.experiments.spec import Experiment
from sim.memory import PROCESS_MB, RUN_OVERHEAD, Estimate, available_mb, cores, run_mb
from sim.scenario import Scenario


def design_points(exp: Experiment) -> int:
    """How many points the design has (computed, not drawn: a huge design is refused before sampling)."""
    d, n = exp.design, exp.design.samples
    if d.kind == "grid":
        return math.prod(len(v) for v in d.values.values())
    dims = len(d.bounds)
    return {"none": 1, "latin_hypercube": n, "morris": n * (dims + 1)}.get(
        d.kind, n * (2 * dims + 2 if d.second_order else dims + 2)
    )


def run_count(exp: Experiment) -> int:
    """Points x policies x replications."""
    return design_points(exp) * max(1, len(exp.policies)) * exp.replications


def largest(exp: Experiment, scenario: Scenario, name: str, value: int) -> int:
    """The largest value a design gives a parameter (its base value if it does not vary)."""
    found = [*exp.design.values.get(name, []), *exp.design.bounds.get(name, ())]
    if name in exp.fixed:
        found.append(exp.fixed[name])
    return int(max([value, *found]))


def sweep_estimate(exp: Experiment, scenario: Scenario, workers: int, remote: bool) -> Estimate:
    """Peak memory of the sweep on this machine: the runner, its plan and every local worker's batch of markets."""
    customers = largest(exp, scenario, "customers.count", scenario.customers.count)
    degree = largest(exp, scenario, "network.degree", scenario.network.degree)
    batched = customers * min(batch_size(customers), exp.replications)  # a worker steps a batch of replications
    one = run_mb(batched, degree, scenario.network.kind, len(scenario.firms))
    runs = run_count(exp)
    plan = runs * RUN_OVERHEAD / 2**20
    if remote:
        mb, where = PROCESS_MB + plan, f"the runner of {runs:,} runs (each batch about {one:.0f} MB on a worker)"
    elif workers <= 1:
        mb, where = one + plan, f"a sweep of {runs:,} runs in this process"
    else:
        mb, where = PROCESS_MB + plan + workers * one, f"a sweep of {runs:,} runs on {workers} worker processes"
    return Estimate(mb, available_mb(), where)


def bounded_workers(workers: int) -> int:
    """``workers``, at most the cores this process may use (with a warning when it is cut)."""
    have = cores()
    if workers > have:
        from sim.checks import InputWarning

        warnings.warn(
            f"--workers {workers}: this machine has {have} core{'s' if have > 1 else ''}; using {have}",
            InputWarning,
            stacklevel=2,
        )
        return have
    return workers


def describe_plan(exp: Experiment, runs: int, workers: int, estimate: Estimate) -> str:
    """The plan in a few lines: what runs, how many, where, how much memory."""
    policies = exp.policies or ["(the scenario's own)"]
    points = design_points(exp)
    lines = [
        f"{exp.name}: {runs:,} runs = {points:,} design point{'s' if points != 1 else ''} ({exp.design.kind})"
        f" x {len(policies)} polic{'ies' if len(policies) != 1 else 'y'} x {exp.replications} replication"
        f"{'s' if exp.replications != 1 else ''}",
        f"  policies: {', '.join(policies)}",
        f"  varied: {', '.join(exp.design.parameters) or 'nothing'}; master seed {exp.seed}",
        f"  {estimate.line()}",
    ]
    return "\n".join(lines)
