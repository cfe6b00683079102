"""Do the essays' claims hold across the calibration posterior, or only at its mean?

A calibration leaves a posterior, not a point: parameter sets that all reproduce the status quo about as
well. A claim that holds at the posterior mean (the shipped defaults) may fail elsewhere in it. Here every
claim of :mod:`sim.claims` named in the calibration's ``[compare]`` section is re-run at the weighted
posterior mean (draw 0) and at ``draws`` parameter sets drawn from the posterior by weight. Each claim's
arms meet the same customers (common random numbers: one seed per draw and replication, the same in every
arm, :func:`sim.experiments.design.run_seed`), in the claim's own market (its preset against three
business-as-usual rivals), and the paired effect is read as the claims atlas reads it
(:func:`sim.claims.evaluate.arm_values`).
"""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.spec import Calibration
from sim.claims.evaluate import arm_values, distinct_arms, horizon
from sim.claims.registry import Arm, Claim, lookup
from sim.experiments.design import run_seed
from sim.parameters import apply
from sim.scenario import Scenario, ScenarioError, preset_scenario

COMPARE_SALT = 2  # posterior draws of the comparison, apart from those of the predictive check
RUNS, SUMMARY = "claims_across_posterior_runs.csv", "claims_across_posterior.csv"


def draws(cal: Calibration, posterior: pd.DataFrame, n: int) -> pd.DataFrame:
    """Draw 0: the weighted posterior mean; draws 1..n: parameter sets resampled by weight (seeded)."""
    names, w = list(cal.parameters), posterior["weight"].to_numpy(float)
    rng = np.random.default_rng(np.random.SeedSequence([cal.seed, COMPARE_SALT]))
    picks = rng.choice(len(posterior), size=n, p=w / w.sum())
    mean = {name: float(np.sum(posterior[name].to_numpy(float) * w) / w.sum()) for name in names}
    rows = [mean] + [{name: float(posterior[name].iloc[i]) for name in names} for i in picks]
    table = pd.DataFrame(rows)
    table.insert(0, "draw", range(len(table)))
    return table


def focal_outcomes(arm: Arm, values: dict[str, float], customers: int, months: int, seed: int) -> pd.DataFrame:
    """Month by month outcomes of the focal firm running ``arm`` in its preset market at ``values``."""
    from sim.model import MarketModel

    data = preset_scenario(arm.policy, customers=customers).model_dump(mode="json")
    data.update(years=months / 12, seed=seed)
    model = MarketModel(Scenario.model_validate(apply(data, 0, {**values, **arm.settings})))
    try:
        model.run()
        table = model.outcomes()
        return table[table["firm"] == model.firms[0].name].assign(focal=True)
    finally:
        model.release()


def paired(
    claims: list[type[Claim]], values: dict[str, float], customers: int, months: int, seed: int
) -> list[dict[str, Any]]:
    """Each claim's treatment and control value at one parameter set and seed (every arm run once)."""
    tables = {arm.key(): focal_outcomes(arm, values, customers, months, seed) for arm in distinct_arms(claims)}
    rows = []
    for claim in claims:
        t, c = (arm_values(tables[a.key()].assign(point=0, replication=0), claim, customers) for a in claim.arms())
        rows.append({"claim": claim.name, "treatment": float(t["value"].iloc[0]), "control": float(c["value"].iloc[0])})
    return rows


def compare_runs(
    cal: Calibration, posterior: pd.DataFrame, executor: Executor | None = None, **changes: Any
) -> pd.DataFrame:
    """One row per claim, draw and replication: treatment, control and effect (treatment - control)."""
    from sim.experiments.pool import InlineExecutor

    spec = cal.compare.model_copy(update={k: v for k, v in changes.items() if v is not None})
    try:
        claims = [lookup(name) for name in spec.claims]
    except KeyError as err:
        raise ScenarioError(f"compare.claims: {err.args[0]}") from None
    points = draws(cal, posterior, spec.draws)
    months = horizon(claims)
    executor = executor or InlineExecutor()
    jobs = []
    for row in points.to_dict("records"):
        draw, values = int(row["draw"]), {name: float(row[name]) for name in cal.parameters}
        for rep in range(spec.replications):
            seed = run_seed(spec.seed, draw, rep)
            jobs.append((draw, rep, executor.submit(paired, claims, values, spec.customers, months, seed)))
    out = []
    for draw, rep, future in jobs:
        out += [{"draw": draw, "replication": rep, **r} for r in future.result()]
    table = pd.DataFrame(out)
    table["effect"] = table["treatment"] - table["control"]
    return table.merge(points, on="draw")


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Per claim: the effect at the posterior mean, its spread over the draws, and where it holds.

    A claim holds at a draw when its paired effect (mean over replications), signed in the claim's
    direction, exceeds the claim's minimum effect, as in the claims atlas. ``verdict``: *across the
    posterior* when it holds at the mean and at 90 % of the draws or more; *at the mean only* when it
    holds at the mean but at fewer; *fails at the mean* otherwise.
    """
    rows = []
    for name, table in runs.groupby("claim", sort=False):
        claim = lookup(str(name))
        effect = table.groupby("draw")["effect"].mean()
        holds = claim.sign() * effect > claim.min_effect
        at_mean, spread = effect.loc[0], effect.drop(index=0)
        share = float(holds.drop(index=0).mean())
        if holds.loc[0] and share >= 0.9:
            verdict = "holds across the posterior"
        elif holds.loc[0]:
            verdict = "holds at the mean only"
        else:
            verdict = "fails at the mean"
        rows.append(
            {
                "claim": claim.name,
                "statement": claim.statement(),
                "min_effect": claim.min_effect,
                "effect_at_mean": float(at_mean),
                "effect_q05": float(spread.quantile(0.05)),
                "effect_median": float(spread.median()),
                "effect_q95": float(spread.quantile(0.95)),
                "share_holds": share,
                "draws": len(spread),
                "verdict": verdict,
            }
        )
    return pd.DataFrame(rows)


def compare_posterior(
    cal: Calibration, out: str | Path, workers: int = 1, scheduler: str | None = None, **changes: Any
) -> pd.DataFrame:
    """Run the comparison on the posterior stored in ``out`` and write its runs and summary there."""
    from sim.experiments.pool import make_executor
    from sim.runner import write_atomic

    out = Path(out)
    path = out / "posterior.parquet"
    if not path.is_file():
        raise ScenarioError(f"{out}: no posterior.parquet; run the calibration first")
    posterior = pd.read_parquet(path)
    missing = [name for name in [*cal.parameters, "weight"] if name not in posterior.columns]
    if missing:
        raise ScenarioError(f"{path}: column {missing[0]!r} missing: not the posterior of this calibration")
    with make_executor(workers, scheduler) as (executor, _):
        runs = compare_runs(cal, posterior, executor, **changes)
    summary = summarise(runs)
    write_atomic(out / RUNS, lambda p: runs.to_csv(p, index=False))
    write_atomic(out / SUMMARY, lambda p: summary.to_csv(p, index=False))
    return summary
