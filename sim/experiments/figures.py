"""Figures of an experiment: trajectories, paired differences, grid heatmaps, sensitivity bars, typology areas.

Figures are drawn on ``matplotlib.figure.Figure`` objects (no pyplot state), so
they can be made in any process or thread; each is saved as SVG and PDF (vector,
for a paper) and as a 300-dpi PNG. Labels are plain language with units, colours
the Okabe-Ito palette the workshop page uses (:mod:`sim.palette`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.metrics import OUTCOMES
from sim.palette import OKABE_ITO, TYPE_COLOURS
from sim.policies import POLICIES
from sim.typology import TYPES

if TYPE_CHECKING:
    from sim.experiments.report import Report

UNITS = {name: outcome.unit for name, outcome in OUTCOMES.items()}  # declared with each outcome, sim/metrics.py
NAMES = {name: outcome.label for name, outcome in OUTCOMES.items()}  # declared with each outcome too
TRAJECTORY_OUTCOMES = ("trust", "bond", "churn_rate_annual", "trapped_share")
#: Outcomes that count what happened during a month: nothing has happened yet at step 0.
FLOWS = frozenset(
    {"churn_rate_annual", "churned", "acquired", "complaints", "revenue", "profit", "revenue_per_customer"}
    | {"first_contact_resolution", "silent_failures", "defects_discovered", "word_of_mouth", "public_posts"}
)
FORMATS = ("svg", "pdf", "png")
DPI = 300


def name(outcome: str) -> str:
    """An outcome's plain-language name (the one place names and units are looked up)."""
    return NAMES.get(outcome, outcome.replace("_", " ").capitalize())


def label(outcome: str) -> str:
    """Axis label of an outcome: its plain-language name with its unit."""
    unit = UNITS.get(outcome)
    return name(outcome) + (f" [{unit}]" if unit else "")


def policy_name(policy: str) -> str:
    """A policy's plain-language name, e.g. 'Permanent exit'."""
    return POLICIES[policy].label if policy in POLICIES else policy.replace("_", " ")


def colours(policies: list[str]) -> dict[str, str]:
    """One Okabe-Ito colour per policy, in the experiment's order."""
    return {p: OKABE_ITO[i % len(OKABE_ITO)] for i, p in enumerate(policies)}


def save(fig: Figure, folder: Path, stem: str) -> list[Path]:
    """Save ``fig`` as ``stem.svg``, ``stem.pdf`` and a 300-dpi ``stem.png``; returns the paths."""
    paths = [folder / f"{stem}.{fmt}" for fmt in FORMATS]
    for path in paths:
        fig.savefig(path, dpi=DPI)
    return paths


def trajectories(results: pd.DataFrame, outcomes: list[str], policies: list[str]) -> Figure:
    """The focal firm's outcomes over the years, mean per policy.

    With one design point the band is the 95 % interval over its replications; with several, each point's
    replications are averaged and the line is the mean over points (no band: a spread over parameter space
    is no uncertainty). Outcomes counted over a month start at month one.
    """
    from sim.experiments.report import t_interval

    focal = results[results["focal"]]
    one_point = focal["point"].nunique() == 1
    colour = colours(policies)
    fig = Figure(figsize=(4.2 * len(outcomes), 3.8), layout="constrained")
    axes = fig.subplots(1, len(outcomes), squeeze=False)[0]
    for ax, outcome in zip(axes, outcomes, strict=True):
        rows = focal[focal["step"] > 0] if outcome in FLOWS else focal
        if not one_point:  # average each point's replications first: n counts design points
            rows = rows.groupby(["policy", "point", "year"], sort=False)[outcome].mean().reset_index()
        table = rows.groupby(["policy", "year"], sort=False)[outcome].agg(["mean", "std", "count"]).reset_index()
        for policy, g in table.groupby("policy", sort=False):
            n = int(g["count"].max())
            ax.plot(g["year"], g["mean"], color=colour.get(policy), label=f"{policy_name(policy)} (n = {n})")
            if one_point and n > 1:
                low, high = t_interval(g["mean"], g["std"], g["count"])
                ax.fill_between(g["year"], low, high, color=colour.get(policy), alpha=0.2, linewidth=0)
        ax.set(title=name(outcome), xlabel="Time [simulated years]", ylabel=label(outcome))
        ax.grid(alpha=0.3)
    axes[0].legend(title="Focal firm's policy", fontsize="small")
    what = (
        "mean over replications with 95 % confidence band"
        if one_point
        else f"mean over {focal['point'].nunique()} design points (n = points)"
    )
    fig.suptitle(f"The focal firm over time: {what}")
    return fig


def paired_differences(differences: pd.DataFrame, outcomes: list[str], policies: list[str]) -> Figure:
    """Each policy minus the reference (95 % interval), one panel per outcome; a dot per design point."""
    colour = colours(policies)
    reference = policy_name(differences["reference"].iloc[0])
    others = list(dict.fromkeys(differences["policy"]))
    fig = Figure(figsize=(4.2 * len(outcomes), 1.2 + 0.5 * len(others)), layout="constrained")
    axes = fig.subplots(1, len(outcomes), squeeze=False, sharey=True)[0]
    for ax, outcome in zip(axes, outcomes, strict=True):
        rows = differences[differences["outcome"] == outcome]
        for k, policy in enumerate(others):
            g = rows[rows["policy"] == policy]
            spread = np.linspace(-0.2, 0.2, len(g)) if len(g) > 1 else np.zeros(1)
            err = np.vstack([g["difference"] - g["ci_low"], g["ci_high"] - g["difference"]])
            ax.errorbar(
                g["difference"],
                k + spread,
                xerr=None if np.isnan(err).all() else err,
                fmt="o",
                color=colour.get(policy),
                capsize=2,
                markersize=4,
            )
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(range(len(others)), [policy_name(p) for p in others])
        ax.set(title=name(outcome), xlabel=f"Difference [{UNITS.get(outcome, 'outcome units')}]")
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(f"Difference from {reference}, with 95 % confidence intervals")
    return fig


def heatmap(finals: pd.DataFrame, x: str, y: str, outcomes: list[str], policy: str, facet: str | None = None) -> Figure:
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
            title = name(outcome) + ("" if facet is None else f" ({facet} = {value:g})")
            ax.set(title=title, xlabel=x, ylabel=y)
            fig.colorbar(image, ax=ax, label=label(outcome))
    fig.suptitle(f"{policy_name(policy)}: the focal firm over the last year, by {x} and {y}")
    return fig


def sensitivity_bars(table: pd.DataFrame, policy: str) -> Figure:
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
        for k, (col, conf, what) in enumerate(bars):
            ax.barh(
                pos + (k - 0.5) * 0.4,
                g[col],
                height=0.4,
                xerr=g[conf] if conf else None,
                capsize=2,
                label=what,
                color=OKABE_ITO[3 + 2 * k],
            )
        ax.set_yticks(pos, g["parameter"])
        ax.invert_yaxis()
        unit = "share of output variance" if sobol else f"elementary effect [{UNITS.get(outcome, 'outcome units')}]"
        ax.set(title=name(outcome), xlabel=f"Index [{unit}]", ylabel="Parameter")
        ax.grid(axis="x", alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(
        handles, labels, title="with 95 % CI" if sobol else "Morris", loc="outside right upper", fontsize="small"
    )
    method = "Sobol indices" if sobol else "Morris screening"
    fig.suptitle(f"{method} of the final outcomes ({policy_name(policy)})")
    return fig


def typology(results: pd.DataFrame) -> Figure:
    """The focal firm's customers by relationship type over the years, one panel per policy."""
    focal = results[results["focal"]]
    policies = list(dict.fromkeys(focal["policy"]))
    fig = Figure(figsize=(4 * len(policies), 3.6), layout="constrained")
    axes = fig.subplots(1, len(policies), squeeze=False, sharey=True)[0]
    for ax, policy in zip(axes, policies, strict=True):
        shares = focal[focal["policy"] == policy].groupby("year")[list(TYPES)].mean()
        ax.stackplot(
            shares.index,
            shares.T.to_numpy(),
            labels=[t.capitalize() for t in TYPES],
            colors=[TYPE_COLOURS[t] for t in TYPES],
            alpha=0.85,
        )
        ax.set(title=policy_name(policy), xlabel="Time [simulated years]", ylim=(0, 1))
    axes[0].set_ylabel("Share of the focal firm's customers")
    axes[-1].legend(title="Relationship", loc="upper left", bbox_to_anchor=(1, 1), fontsize="small")
    fig.suptitle("What kind of relationship the focal firm's customers are in (mean over runs)")
    return fig


def all_figures(results: pd.DataFrame, rep: Report, record: dict[str, Any]) -> dict[str, Figure]:
    """Every figure that fits the experiment, by file stem."""
    figs: dict[str, Figure] = {}
    policies = list(record["policies"])
    outcomes = [o for o in TRAJECTORY_OUTCOMES if o in results.columns]
    if outcomes:
        figs["trajectories"] = trajectories(results, outcomes, policies)
    if not rep.differences.empty:
        key = [o for o in TRAJECTORY_OUTCOMES if o in set(rep.differences["outcome"])]
        if key:
            figs["differences"] = paired_differences(rep.differences, key, policies)
    if set(TYPES) <= set(results.columns):
        figs["typology"] = typology(results)
    design = record["design"]
    if design["kind"] == "grid" and len(design["parameters"]) >= 2:
        x, y = design["parameters"][:2]
        facet = design["parameters"][2] if len(design["parameters"]) > 2 else None
        key = [o for o in ("trust", "bond", "churn_rate_annual") if o in rep.finals.columns]
        for policy in policies:
            figs[f"heatmap_{policy}"] = heatmap(rep.finals, x, y, key, policy, facet)
    if not rep.sensitivity.empty:
        for policy in dict.fromkeys(rep.sensitivity["policy"]):
            figs[f"sensitivity_{policy}"] = sensitivity_bars(rep.sensitivity, policy)
    return figs


def save_all(figs: dict[str, Figure], folder: Path) -> list[Path]:
    """Save every figure in ``folder`` (SVG, PDF, PNG); returns the paths."""
    return [path for stem, fig in figs.items() for path in save(fig, folder, stem)]
