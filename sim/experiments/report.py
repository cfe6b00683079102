"""Analysing an experiment: summaries with confidence intervals, paired differences, sensitivity indices.

Each run is reduced to one value per outcome: the focal firm's mean over the
last twelve months of the horizon (the whole horizon when it is shorter). From
those values :func:`report` builds

* ``summary``: per design point and policy, mean, s.d., n and the 95 % t-interval over replications;
* ``differences``: per design point, each policy minus the reference policy, paired by
  replication under common random numbers (a paired t-test, Welch's otherwise), with its 95 % interval
  and the p-value adjusted for the whole table of tests (Holm 1979, ``p_holm``);
* ``sensitivity``: Sobol S1/ST with confidence intervals, or Morris mu*/sigma, from SALib, with Sobol
  results flagged where replication noise dominates (``noise``, and a recommendation in ``notes``);

and writes them as CSV plus the figures of :mod:`sim.experiments.figures` (SVG, PDF, 300-dpi PNG) into
``DIR/report/``; ``Report.figures`` holds the matplotlib Figures themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.experiments.design import design_seed
from sim.experiments.results import load_record, load_results, run_summaries

if TYPE_CHECKING:
    from matplotlib.figure import Figure

KEY_OUTCOMES = ("trust", "bond", "churn_rate_annual", "trapped_share", "satisfaction", "profit")
WINDOW = 12  # months at the end of the horizon over which a run's outcomes are averaged
RUN_COLUMNS = ["run_id", "point", "policy", "replication", "seed"]


@dataclass
class Report:
    """Tables and figures of an experiment's results."""

    summary: pd.DataFrame
    differences: pd.DataFrame
    sensitivity: pd.DataFrame
    finals: pd.DataFrame
    figures: dict[str, Figure] = field(default_factory=dict)  # by file stem, e.g. "trajectories"
    files: list[Path] = field(default_factory=list)  # every table and figure written
    folder: Path | None = None
    paired: bool = True
    notes: list[str] = field(default_factory=list)  # warnings about what the numbers can carry


def outcome_columns(results: pd.DataFrame, record: dict[str, Any]) -> list[str]:
    """The outcomes to analyse: the key ones that were recorded, else everything recorded."""
    recorded = [
        c
        for c in results.columns
        if c not in RUN_COLUMNS + ["step", "year", "firm", "firm_policy", "focal"]
        and c not in record["design"]["parameters"]
    ]
    key = [c for c in KEY_OUTCOMES if c in recorded]
    return key or recorded


def final_values(
    results: pd.DataFrame, parameters: list[str], outcomes: list[str], window: int = WINDOW
) -> pd.DataFrame:
    """One row per run: the focal firm's outcomes averaged over the last ``window`` months."""
    focal = results[results["focal"] & (results["step"] > 0)]
    last = focal[focal["step"] > focal.groupby("run_id")["step"].transform("max") - window]
    keys = RUN_COLUMNS + parameters
    return last.groupby(keys, sort=False, dropna=False)[outcomes].mean().reset_index()


def t_interval(mean: pd.Series, sd: pd.Series, n: pd.Series, level: float = 0.95) -> tuple[pd.Series, pd.Series]:
    """Student-t confidence interval of a mean (NaN with fewer than two values)."""
    from scipy import stats

    half = stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n)
    half = half.where(n > 1)
    return mean - half, mean + half


def summarise(finals: pd.DataFrame, parameters: list[str], outcomes: list[str]) -> pd.DataFrame:
    """Per design point, policy and outcome: n, mean, s.d. and the 95 % interval over replications."""
    long = finals.melt(id_vars=["point", "policy", *parameters], value_vars=outcomes, var_name="outcome")
    grouped = long.groupby(["point", *parameters, "policy", "outcome"], sort=False, dropna=False)["value"]
    out = grouped.agg(n="count", mean="mean", sd="std").reset_index()
    out["ci_low"], out["ci_high"] = t_interval(out["mean"], out["sd"], out["n"])
    return out


def differences(
    finals: pd.DataFrame, parameters: list[str], outcomes: list[str], reference: str, paired: bool
) -> pd.DataFrame:
    """Each policy minus the reference policy per design point and outcome, with a 95 % interval and p-value."""
    from scipy import stats

    rows = []
    for (point, policy), group in finals.groupby(["point", "policy"], sort=False):
        if policy == reference:
            continue
        base = finals[(finals["point"] == point) & (finals["policy"] == reference)]
        first = group.iloc[0]  # design values, before pairing may leave no replication (an unfinished sweep)
        if paired:
            group, base = (g.set_index("replication").sort_index() for g in (group, base))
            common = group.index.intersection(base.index)
            group, base = group.loc[common], base.loc[common]
        for outcome in outcomes:
            x, y = group[outcome].to_numpy(float), base[outcome].to_numpy(float)
            ok = ~(np.isnan(x) | np.isnan(y)) if paired else slice(None)
            x, y = (x[ok], y[ok]) if paired else (x[~np.isnan(x)], y[~np.isnan(y)])
            row = {
                "point": point,
                **{p: first[p] for p in parameters},
                "policy": policy,
                "reference": reference,
                "outcome": outcome,
                "n": len(x),
                "difference": float(np.mean(x) - np.mean(y)) if len(x) and len(y) else np.nan,
                "ci_low": np.nan,
                "ci_high": np.nan,
                "p_value": np.nan,
            }
            if len(x) > 1 and len(y) > 1 and np.ptp(np.concatenate([x - y if paired else x, y])) > 0:
                test = stats.ttest_rel(x, y) if paired else stats.ttest_ind(x, y, equal_var=False)
                ci = test.confidence_interval(0.95)
                row.update(ci_low=float(ci.low), ci_high=float(ci.high), p_value=float(test.pvalue))
            rows.append(row)
    table = pd.DataFrame(rows)
    if not table.empty:
        table["p_holm"] = holm(table["p_value"])
    return table


def holm(p: pd.Series) -> pd.Series:
    """Holm's (1979) step-down adjustment of p-values for the family of all tests given (NaN left out)."""
    valid = p.dropna().sort_values()
    m = len(valid)
    adjusted = (valid * np.arange(m, 0, -1)).cummax().clip(upper=1.0)
    return adjusted.reindex(p.index)


def indices(
    kind: str,
    problem: dict[str, Any],
    x: np.ndarray,
    y: np.ndarray,
    *,
    second_order: bool = False,
    levels: int = 4,
    seed: int = 0,
) -> pd.DataFrame:
    """Sensitivity indices of output ``y`` over design ``x`` (SALib): Sobol S1/ST or Morris mu*/sigma."""
    if kind == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(problem, y, calc_second_order=second_order, seed=seed)
        keys = ["S1", "S1_conf", "ST", "ST_conf"]
    elif kind == "morris":
        from SALib.analyze import morris

        res = morris.analyze(problem, x, y, num_levels=levels, seed=seed)
        keys = ["mu", "mu_star", "mu_star_conf", "sigma"]
    else:
        raise ValueError(f"no sensitivity indices for a {kind} design")
    return pd.DataFrame({"parameter": problem["names"], **{k: np.asarray(res[k], float) for k in keys}})


def sensitivity(finals: pd.DataFrame, record: dict[str, Any], outcomes: list[str]) -> pd.DataFrame:
    """Sensitivity indices per policy and outcome, from the mean over replications at each design point."""
    exp, kind = record["experiment"], record["design"]["kind"]
    if kind not in ("sobol", "morris"):
        return pd.DataFrame()
    names = record["design"]["parameters"]
    problem = {"num_vars": len(names), "names": names, "bounds": [exp["design"]["bounds"][n] for n in names]}
    x = pd.DataFrame(record["design"]["points"])[names].to_numpy(float)
    tables = []
    for policy, group in finals.groupby("policy", sort=False):
        means = group.groupby("point")[outcomes].mean().reindex(range(len(x)))
        for outcome in outcomes:
            y = means[outcome].to_numpy(float)
            if np.isnan(y).any() or np.ptp(y) == 0:
                continue  # an unfinished sweep, an outcome undefined in some run, or one that never varies
            table = indices(
                kind,
                problem,
                x,
                y,
                second_order=exp["design"]["second_order"],
                levels=exp["design"]["levels"],
                seed=design_seed(record["master_seed"]),
            )
            tables.append(table.assign(policy=policy, outcome=outcome))
    if not tables:
        return pd.DataFrame()
    out = pd.concat(tables, ignore_index=True)
    if kind == "sobol":
        out = flag_noise(out)
    return out[["policy", "outcome", *[c for c in out.columns if c not in ("policy", "outcome")]]]


ST_SUM_LIMIT = 1.5  # a sum of total-order indices this far above 1 is beyond what interactions explain


def flag_noise(table: pd.DataFrame) -> pd.DataFrame:
    """Mark Sobol results of each policy and outcome where replication noise dominates.

    Signs: a first-order index below zero beyond its confidence interval (impossible for a variance share),
    or total-order indices summing far above 1 (``ST_SUM_LIMIT``); both arise when runs at the same point
    differ about as much as runs at different points.
    """
    keys = [table["policy"], table["outcome"]]
    negative = (table["S1"] + table["S1_conf"] < 0).groupby(keys).transform("any")
    st_sum = table["ST"].groupby(keys).transform("sum")
    return table.assign(st_sum=st_sum, negative_s1=negative, noise=negative | (st_sum > ST_SUM_LIMIT))


def noise_notes(table: pd.DataFrame, replications: int) -> list[str]:
    """A recommendation for each policy and outcome whose Sobol indices replication noise dominates."""
    if table.empty or "noise" not in table.columns:
        return []
    flagged = table[table["noise"]].drop_duplicates(["policy", "outcome"])
    reps = f"{replications} replication{'s' if replications != 1 else ''} per point"
    return [
        f"{r.policy}, {r.outcome}: Sobol indices dominated by replication noise (sum of ST {r.st_sum:.2f}"
        f"{', a negative S1 beyond its interval' if r.negative_s1 else ''}; {reps}): raise `replications`, "
        "set `common_random_numbers_across_points = true`, or use a larger `samples` before reading them"
        for r in flagged.itertuples()
    ]


def report(out: str | Path, *, outcomes: list[str] | None = None, figures: bool = True) -> Report:
    """Analyse the results in ``out``; writes CSV tables and figures (SVG, PDF, PNG) into ``out/report/``."""
    from sim.experiments import figures as fig

    out = Path(out)
    record = load_record(out)
    from sim.experiments.dataset import columns

    names = columns(out)
    if not names:
        from sim.scenario import ScenarioError

        raise ScenarioError(f"{out}: no finished runs to report on")
    parameters = record["design"]["parameters"]
    outcomes = outcomes or outcome_columns(pd.DataFrame(columns=names), record)
    finals = run_summaries(out, outcomes, WINDOW)  # streamed: only the focal firm's last months are read
    paired = record["experiment"]["common_random_numbers"]
    folder = out / "report"
    rep = Report(
        summary=summarise(finals, parameters, outcomes),
        differences=differences(finals, parameters, outcomes, record["reference"], paired=paired),
        sensitivity=sensitivity(finals, record, outcomes),
        finals=finals,
        folder=folder,
        paired=paired,
    )
    rep.notes = noise_notes(rep.sensitivity, record["experiment"]["replications"])
    folder.mkdir(exist_ok=True)
    for name in ("summary", "differences", "sensitivity", "finals"):
        table = getattr(rep, name)
        if not table.empty:
            table.to_csv(folder / f"{name}.csv", index=False)
            rep.files.append(folder / f"{name}.csv")
    if figures:
        results = load_results(out, focal_only=True)  # the figures draw the focal firm only
        rep.figures = fig.all_figures(results, rep, record)
        rep.files += fig.save_all(rep.figures, folder)
    return rep
