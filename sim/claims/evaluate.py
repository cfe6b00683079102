"""Testing claims across the uncertainty space with the experiment runner.

Every distinct arm of the selected claims becomes one declared experiment
(:class:`sim.experiments.Experiment`): the focal firm runs the arm's policy with
its settings as fixed values, over a Latin hypercube of the uncertainties, with
replications. All arms share the master seed, the design and hence every run's
seed (``SeedSequence(seed, spawn_key=(point, replication))``): replication k at
point i meets the same customers, network and shocks in every arm, so each
claim's effect is a paired difference on common random numbers. The runner
writes, resumes, parallelises (process pool or Dask) and records provenance as
for any sweep; results live in ``DIR/arms/<arm>/``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.claims.registry import Arm, Claim
from sim.claims.space import Space
from sim.experiments import Design, Experiment, load_design, load_results, plan, run_experiment
from sim.runner import git_commit, versions, write_atomic
from sim.scenario import ScenarioError

ARMS = "arms"
RECORD = "claims.json"
EFFECTS = "effects.csv"


def distinct_arms(claims: Iterable[type[Claim]]) -> list[Arm]:
    """The arms the claims compare, each once, in order of first use."""
    seen: dict[str, Arm] = {}
    for claim in claims:
        for arm in claim.arms():
            seen.setdefault(arm.key(), arm)
    return list(seen.values())


def horizon(claims: Iterable[type[Claim]]) -> int:
    """Months every run lasts: the latest end of the claims' windows."""
    return max(c.window.last for c in claims)


def experiment(arm: Arm, space: Space, months: int) -> Experiment:
    """The declared experiment that runs one arm over the space."""
    clash = sorted(set(arm.settings) & set(space.bounds))
    if clash:
        raise ScenarioError(f"{space.source}: uncertainties.{clash[0]}: an arm sets it; it cannot also be uncertain")
    spec = space.spec
    return Experiment(
        name=f"claims {arm.label()}"[:80],
        description=f"The arm {arm.label()} of the claims atlas, over the uncertainty space of {space.source}",
        scenario=spec.scenario,
        focal_firm=spec.focal_firm,
        policies=[arm.policy],
        replications=spec.replications,
        years=months / 12,
        customers=spec.customers,
        seed=spec.seed,
        common_random_numbers=True,
        fixed={**space.fixed, **arm.settings},
        design=Design(kind="latin_hypercube", bounds=space.bounds, samples=spec.samples),
    )


def record(claims: list[type[Claim]], space: Space, months: int) -> dict[str, Any]:
    """What ``claims.json`` holds, apart from versions, commit and time."""
    return {
        "claims": [c.as_dict() for c in claims],
        "space": space.spec.model_dump(mode="json"),
        "bounds": {k: list(v) for k, v in space.bounds.items()},
        "fixed": space.fixed,
        "posterior": space.posterior,
        "months": months,
        "arms": {a.key(): {"policy": a.policy, "settings": a.settings} for a in distinct_arms(claims)},
    }


def refuse_if_too_big(space: Space, months: int, share: float = 0.5) -> None:
    """Refuse a space whose largest arm's results would not fit in half the memory available for the atlas."""
    import os

    from sim.experiments.spec import OUTCOMES, resolve

    scenario, _ = resolve(experiment(Arm("business_as_usual"), space, months))
    rows = space.spec.samples * space.spec.replications * len(scenario.firms) * (months + 1)
    need = rows * (len(OUTCOMES) + 12 + len(space.bounds)) * 8
    try:
        available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # not on every platform
        return
    if need > share * available:
        raise ScenarioError(
            f"{space.source}: samples x replications: one arm's results need about {need / 2**30:.1f} GiB, "
            f"more than half the {available / 2**30:.1f} GiB available; use fewer samples or replications"
        )


def run_claims(
    claims: list[type[Claim]],
    space: Space,
    out: str | Path,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool | Callable[[int, int], None] = True,
) -> Path:
    """Run every arm of the claims over the space into ``out`` (resumable); returns ``out``."""
    from sim.experiments.pool import make_executor

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ScenarioError(f"{out}: --out must be a directory")
    months = horizon(claims)
    arms = distinct_arms(claims)
    experiments = {arm.key(): experiment(arm, space, months) for arm in arms}
    refuse_if_too_big(space, months)
    for exp in experiments.values():
        plan(exp)  # every arm's settings and every range checked against the schema before anything is written
    path = out / RECORD
    if path.exists() and not resume:
        raise ScenarioError(f"{out}: holds results already; add --resume to finish them, or choose another --out")
    mine = record(claims, space, months)
    if path.exists():
        stored = json.loads(path.read_text())
        if any(stored.get(k) != json.loads(json.dumps(mine[k])) for k in ("space", "bounds", "fixed", "months")):
            raise ScenarioError(f"{out}: holds claims tested over another space; cannot resume")
    out.mkdir(parents=True, exist_ok=True)
    full = {**mine, "versions": versions("SALib", "pyarrow"), "git_commit": git_commit()}
    full["written"] = datetime.now(UTC).isoformat(timespec="seconds")
    write_atomic(path, lambda p: p.write_text(json.dumps(full, indent=2)))
    total = len(arms) * space.spec.samples * space.spec.replications
    done = 0

    def tick(k: int, n: int) -> None:
        if callable(progress):
            progress(done + k, total)

    with make_executor(workers, scheduler) as (pool, window):
        for key, exp in experiments.items():
            folder = out / ARMS / key
            run_experiment(
                exp,
                folder,
                executor=pool,
                in_flight=window,
                resume=resume,
                progress=tick if callable(progress) else progress,
            )
            done += space.spec.samples * space.spec.replications
    return out


def arm_values(table: pd.DataFrame, claim: type[Claim], market: int) -> pd.DataFrame:
    """Per point and replication: the claim's statistic of its outcome for the focal firm over its window."""
    first, last = claim.window.first, claim.window.last
    rows = table[table["focal"] & table["step"].between(first, last)]
    if rows["step"].max() < last if len(rows) else True:
        raise ScenarioError(f"claim {claim.name}: the runs end before month {last}")
    grouped = rows.groupby(["point", "replication"], sort=True)
    if claim.statistic == "mean":
        value = grouped[claim.outcome].mean()
    elif claim.statistic == "total_per_100":
        value = grouped[claim.outcome].sum() * 100 / market
    else:
        sums = grouped[[claim.outcome, "customers"]].sum()
        value = sums[claim.outcome] * 100 / sums["customers"].where(sums["customers"] > 0)
    return value.rename("value").reset_index()


def effects(claims: list[type[Claim]], out: str | Path) -> pd.DataFrame:
    """One row per claim and point: the paired effect (treatment - control) with its 95 % interval and verdict."""
    from scipy import stats

    out = Path(out)
    market = json.loads((out / RECORD).read_text())["space"]["customers"]
    cache: dict[str, pd.DataFrame] = {}

    def table(arm: Arm) -> pd.DataFrame:
        if arm.key() not in cache:
            folder = out / ARMS / arm.key()
            if not folder.is_dir():
                raise ScenarioError(f"{out}: no results for the arm {arm.label()}; run the claims first")
            full = load_results(folder)
            cache[arm.key()] = full[full["focal"]]
        return cache[arm.key()]

    frames = []
    for claim in claims:
        folder_t = out / ARMS / claim.treatment.key()
        design = load_design(folder_t)
        t = arm_values(table(claim.treatment), claim, market)
        c = arm_values(table(claim.control), claim, market)
        paired = t.merge(c, on=["point", "replication"], suffixes=("_t", "_c")).dropna()
        paired["diff"] = paired["value_t"] - paired["value_c"]
        g = paired.groupby("point")
        summary = pd.DataFrame(
            {
                "treatment": g["value_t"].mean(),
                "control": g["value_c"].mean(),
                "effect": g["diff"].mean(),
                "sd": g["diff"].std(),
                "n": g["diff"].count(),
            }
        ).reindex(design.index)
        half = stats.t.ppf(0.975, summary["n"] - 1) * summary["sd"] / np.sqrt(summary["n"])
        half = half.where(summary["n"] > 1)
        summary["ci_low"], summary["ci_high"] = summary["effect"] - half, summary["effect"] + half
        signed = claim.sign() * summary["effect"]
        signed_low = np.where(claim.sign() > 0, summary["ci_low"], -summary["ci_high"])
        signed_high = np.where(claim.sign() > 0, summary["ci_high"], -summary["ci_low"])
        summary["holds"] = signed > claim.min_effect
        summary["verdict"] = np.select(
            [signed_low > claim.min_effect, signed_high < claim.min_effect],
            ["holds", "fails"],
            np.where(summary["effect"].isna(), "no data", "undecided"),
        )
        summary.loc[summary["effect"].isna(), "holds"] = False
        summary.insert(0, "claim", claim.name)
        frames.append(summary.join(design).reset_index())
    return pd.concat(frames, ignore_index=True)
