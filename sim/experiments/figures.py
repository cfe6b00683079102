"""Figures of an experiment, saved as PNG: trajectories, grid heatmaps, sensitivity bars, typology areas.

Figures are drawn on ``matplotlib.figure.Figure`` objects (no pyplot state), so
they can be made in any process or thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.metrics import OUTCOMES
from sim.typology import TYPES

if TYPE_CHECKING:
    from sim.experiments.report import Report

UNITS = {name: outcome.unit for name, outcome in OUTCOMES.items()}  # declared with each outcome, sim/metrics.py
TRAJECTORY_OUTCOMES = ("trust", "bond", "churn_rate_annual", "trapped_share")


def label(outcome: str) -> str:
    """Axis label of an outcome with its unit."""
    unit = UNITS.get(outcome)
    return outcome.replace("_", " ") + (f" [{unit}]" if unit else "")


def trajectories(results: pd.DataFrame, path: Path, outcomes: list[str]) -> Path:
    """The focal firm's outcomes over the years: mean per policy with a 95 % band over runs."""
    from sim.experiments.report import t_interval

    focal = results[results["focal"]]
    runs = focal.groupby("policy")["run_id"].nunique()
    fig = Figure(figsize=(5 * len(outcomes), 4), layout="constrained")
    axes = fig.subplots(1, len(outcomes), squeeze=False)[0]
    for ax, outcome in zip(axes, outcomes, strict=True):
        stats = focal.groupby(["policy", "year"], sort=False)[outcome].agg(["mean", "std", "count"]).reset_index()
        for policy, g in stats.groupby("policy", sort=False):
            low, high = t_interval(g["mean"], g["std"], g["count"])
            (line,) = ax.plot(g["year"], g["mean"], label=f"{policy} (n={runs[policy]})")
            ax.fill_between(g["year"], low, high, color=line.get_color(), alpha=0.2, linewidth=0)
        ax.set(title=outcome.replace("_", " "), xlabel="time [simulated years]", ylabel=label(outcome))
        ax.grid(alpha=0.3)
    axes[0].legend(title="focal firm's policy", fontsize="small")
    fig.suptitle("Focal firm's outcomes over time: mean over runs with 95 % confidence band")
    fig.savefig(path, dpi=110)
    return path


def heatmap(
    finals: pd.DataFrame, path: Path, x: str, y: str, outcomes: list[str], policy: str, facet: str | None = None
) -> Path:
    """Mean final outcome of one policy over two grid parameters, one row of panels per value of ``facet``.

    Values are averaged over replications and over any further grid parameters.
    """
    rows = finals[finals["policy"] == policy]
    facets = [(None, rows)] if facet is None else list(rows.groupby(facet, sort=True))
    fig = Figure(figsize=(5 * len(outcomes), 4.2 * len(facets)), layout="constrained")
    axes = fig.subplots(len(facets), len(outcomes), squeeze=False)
    cells = rows.groupby([c for c in (facet, x, y) if c])[outcomes].mean()
    for r, (value, subset) in enumerate(facets):
        for ax, outcome in zip(axes[r], outcomes, strict=True):
            table = subset.pivot_table(index=y, columns=x, values=outcome, aggfunc="mean")
            image = ax.imshow(
                table.to_numpy(float),
                origin="lower",
                aspect="auto",
                cmap="viridis",
                vmin=cells[outcome].min(),
                vmax=cells[outcome].max(),
            )  # one scale per outcome
            ax.set_xticks(range(len(table.columns)), [f"{v:g}" for v in table.columns])
            ax.set_yticks(range(len(table.index)), [f"{v:g}" for v in table.index])
            for (i, j), cell in np.ndenumerate(table.to_numpy(float)):
                light = image.norm(cell) > 0.5
                ax.text(
                    j, i, f"{cell:.2f}", ha="center", va="center", color="black" if light else "white", fontsize="small"
                )
            title = outcome.replace("_", " ") + ("" if facet is None else f" ({facet} = {value:g})")
            ax.set(title=title, xlabel=x, ylabel=y)
            fig.colorbar(image, ax=ax, label=label(outcome))
    fig.suptitle(f"{policy}: focal firm's mean over the last year, by {x} and {y}")
    fig.savefig(path, dpi=110)
    return path


def sensitivity_bars(table: pd.DataFrame, path: Path, policy: str) -> Path:
    """Sobol S1 and ST (or Morris mu* and sigma) per parameter, one panel per outcome."""
    rows = table[table["policy"] == policy]
    outcomes = list(dict.fromkeys(rows["outcome"]))
    sobol = "S1" in rows.columns and rows["S1"].notna().any()
    bars = (
        [("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total ST")]
        if sobol
        else [("mu_star", "mu_star_conf", "mu*"), ("sigma", None, "sigma")]
    )
    ncols = min(3, len(outcomes))
    nrows = -(-len(outcomes) // ncols)
    fig = Figure(figsize=(5.5 * ncols + 1.5, nrows * (0.35 * rows["parameter"].nunique() + 2.5)), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[len(outcomes) :]:
        ax.set_visible(False)
    for ax, outcome in zip(axes, outcomes, strict=False):
        g = rows[rows["outcome"] == outcome]
        pos = np.arange(len(g))
        for k, (col, conf, name) in enumerate(bars):
            ax.barh(pos + (k - 0.5) * 0.4, g[col], height=0.4, xerr=g[conf] if conf else None, capsize=2, label=name)
        ax.set_yticks(pos, g["parameter"])
        ax.invert_yaxis()
        unit = "share of output variance" if sobol else f"elementary effect [{UNITS.get(outcome, 'outcome units')}]"
        ax.set(title=outcome.replace("_", " "), xlabel=f"index [{unit}]", ylabel="parameter")
        ax.grid(axis="x", alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(
        handles, labels, title="with 95 % CI" if sobol else "Morris", loc="outside right upper", fontsize="small"
    )
    method = "Sobol indices" if sobol else "Morris screening"
    fig.suptitle(f"{method} of the final outcomes ({policy})")
    fig.savefig(path, dpi=110)
    return path


def typology(results: pd.DataFrame, path: Path) -> Path:
    """The focal firm's customers by relationship type over the years, one panel per policy."""
    focal = results[results["focal"]]
    policies = list(dict.fromkeys(focal["policy"]))
    fig = Figure(figsize=(4 * len(policies), 3.6), layout="constrained")
    axes = fig.subplots(1, len(policies), squeeze=False, sharey=True)[0]
    for ax, policy in zip(axes, policies, strict=True):
        shares = focal[focal["policy"] == policy].groupby("year")[list(TYPES)].mean()
        ax.stackplot(shares.index, shares.T.to_numpy(), labels=TYPES, alpha=0.85)
        ax.set(title=policy, xlabel="time [simulated years]", ylim=(0, 1))
    axes[0].set_ylabel("share of the focal firm's customers")
    axes[-1].legend(title="relationship", loc="upper left", bbox_to_anchor=(1, 1), fontsize="small")
    fig.suptitle("Relationship typology of the focal firm's customers (mean over runs)")
    fig.savefig(path, dpi=110)
    return path


def all_figures(results: pd.DataFrame, rep: Report, record: dict[str, Any], folder: Path) -> list[Path]:
    """Every figure that fits the experiment, saved in ``folder``."""
    paths = []
    outcomes = [o for o in TRAJECTORY_OUTCOMES if o in results.columns]
    if outcomes:
        paths.append(trajectories(results, folder / "trajectories.png", outcomes))
    if set(TYPES) <= set(results.columns):
        paths.append(typology(results, folder / "typology.png"))
    design = record["design"]
    if design["kind"] == "grid" and len(design["parameters"]) >= 2:
        x, y = design["parameters"][:2]
        facet = design["parameters"][2] if len(design["parameters"]) > 2 else None
        key = [o for o in ("trust", "bond", "churn_rate_annual") if o in rep.finals.columns]
        for policy in record["policies"]:
            paths.append(heatmap(rep.finals, folder / f"heatmap_{policy}.png", x, y, key, policy, facet))
    if not rep.sensitivity.empty:
        for policy in dict.fromkeys(rep.sensitivity["policy"]):
            paths.append(sensitivity_bars(rep.sensitivity, folder / f"sensitivity_{policy}.png", policy))
    return paths
