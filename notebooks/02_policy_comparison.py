# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: -all
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
# ---

# %% [markdown]
# # Comparing policies on common random numbers
#
# Does a permanent exit option earn more trust than loyalty lock-in? Do empowered staff matter more than
# sales budgets? One market run answers nothing: customers, networks and service failures are random. This
# notebook runs the shipped experiment `experiments/policy_comparison.toml`: each policy preset in turn is
# the *focal* firm, facing the same three business-as-usual rivals. Replication *k* of every policy sees the
# same simulated customers, network and shocks (common random numbers), so the difference between two
# policies in replication *k* is a paired difference, free of the noise of drawing another market.
#
# To stay quick, the notebook shrinks the experiment (fewer replications, a smaller market). The full
# version is one command: `crsim sweep experiments/policy_comparison.toml --out out/pc --workers 2`, then
# `crsim report out/pc`.

# %%
import tempfile

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

import sim
from sim.experiments import load_experiment, load_results, report, run_experiment

exp = load_experiment("../experiments/policy_comparison.toml", replications=8, customers=600)
print(exp.description)
print(
    f"{len(exp.policies)} policies x {exp.replications} replications, {exp.customers} customers, "
    f"{exp.years:g} years; reference policy: {exp.reference}"
)

# %%
out = run_experiment(exp, tempfile.mkdtemp(prefix="policy_comparison_"), progress=False)
results = load_results(out)
focal = results[results["focal"]]
focal[["run_id", "policy", "replication", "seed", "year", "trust", "bond", "churn_rate_annual"]].tail(3)

# %% [markdown]
# Each row is one firm in one month of one run, stamped with its run id, seed and policy. The seed column
# shows the common random numbers: replication *k* has the same seed under every policy.

# %%
focal.groupby("replication")["seed"].nunique().max()

# %% [markdown]
# ## Trajectories with 95 % confidence bands
#
# For each policy, the focal firm's yearly mean of trust, emotional bond and annual churn, averaged over
# replications, with a t-interval band over replications.

# %%
yearly = (
    focal[focal["step"] > 0]
    .assign(year_no=lambda d: np.ceil(d["year"]).astype(int))
    .groupby(["policy", "replication", "year_no"])[["trust", "bond", "churn_rate_annual"]]
    .mean()
    .reset_index()
)


def band(group: pd.DataFrame, column: str) -> pd.DataFrame:
    """Mean and 95 % t-interval over replications, per year."""
    g = group.groupby("year_no")[column]
    mean, sem, n = g.mean(), g.sem(), g.count()
    half = sem * stats.t.ppf(0.975, n - 1)
    return pd.DataFrame({"mean": mean, "low": mean - half, "high": mean + half})


panels = [
    ("trust", "Trust in the focal firm (0–1)"),
    ("bond", "Emotional bond (0–1)"),
    ("churn_rate_annual", "Churn (share of customers per year)"),
]
fig, axes = plt.subplots(1, 3, figsize=(17, 4.8))
for ax, (column, title) in zip(axes, panels, strict=True):
    for policy, group in yearly.groupby("policy"):
        b = band(group, column)
        ax.plot(b.index, b["mean"], label=policy)
        ax.fill_between(b.index, b["low"], b["high"], alpha=0.2)
    ax.set(title=title, xlabel="simulated year", ylabel=title.split(" (")[0])
axes[0].legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# ## Paired differences against business as usual
#
# `report` reduces every run to the focal firm's mean over its last twelve months and, per policy,
# subtracts the business-as-usual value of the same replication. The bars are those paired differences
# with their 95 % confidence intervals; an interval that does not cross zero is a difference the
# replications can tell apart from noise.

# %%
rep = report(out, figures=False)
key = rep.differences["outcome"].isin(["trust", "bond", "churn_rate_annual", "profit"])
rep.differences[key].pivot(index="policy", columns="outcome", values="difference").round(3)

# %%
fig, axes = plt.subplots(1, 3, figsize=(17, 4.2), sharey=True)
for ax, (column, title) in zip(axes, panels, strict=True):
    d = rep.differences[rep.differences["outcome"] == column].set_index("policy")
    ax.barh(
        d.index,
        d["difference"],
        xerr=[d["difference"] - d["ci_low"], d["ci_high"] - d["difference"]],
        capsize=4,
        color="#0072B2",
    )
    ax.axvline(0, color="black", lw=0.8)
    ax.set(title=f"{title.split(' (')[0]}: policy minus business as usual", xlabel="paired difference")
fig.tight_layout()

# %% [markdown]
# Which policies differ from business as usual, and in which direction, is read off the table rather than
# asserted here: the answer depends on the market's parameters (how fast needs drift, how strongly trust
# reacts to a breach, how much customers talk), which is what the sweep and the sensitivity notebooks vary.

# %%
significant = rep.differences[(rep.differences["ci_low"] > 0) | (rep.differences["ci_high"] < 0)]
for _, row in significant[significant["outcome"].isin(["trust", "bond", "churn_rate_annual"])].iterrows():
    print(
        f"{row['policy']:>20}: {row['outcome']:<18} {row['difference']:+.3f}  "
        f"[{row['ci_low']:+.3f}, {row['ci_high']:+.3f}]"
    )

# %% [markdown]
# ## The relationship typology per policy
#
# The same customers, sorted into the essays' relationship types by how they feel about the focal firm in
# the last year: *devoted* partners, the *routine* of an old couple, the *open* relationship, the *trapped*
# and the *estranged*.

# %%
types = list(sim.TYPES)
last_year = focal[focal["step"] > focal["step"].max() - 12]
shares = last_year.groupby("policy")[types].mean()
ax = shares.plot.barh(stacked=True, figsize=(10, 4.5), color=["#009E73", "#56B4E9", "#F0E442", "#D55E00", "#CC79A7"])
ax.set(title="Relationship types among the focal firm's customers, last year", xlabel="share of customers", ylabel="")
ax.legend(loc="center left", bbox_to_anchor=(1, 0.5))
