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
# # Exit option or lock-in: where does lock-in stop winning?
#
# Lock-in keeps customers who would otherwise leave: a long contract with an exit fee makes leaving
# expensive. The essays argue that the strongest signal a firm can send is the opposite, a permanent exit
# option, and that customers change by themselves: their needs drift, and a contract written for last
# year's needs fits less every month. If that is so, lock-in should pay where needs are stable and stop
# paying where they drift fast.
#
# This notebook sweeps the focal firm's **contract term** (0 months = leave any month, no exit fee) against
# the customers' **needs volatility** (how fast needs drift month by month), with an exit fee of three
# monthly prices during the contract. It is a shrunken version of `experiments/exit_vs_lockin_sweep.toml`,
# which adds the exit fee as a third axis (`crsim sweep experiments/exit_vs_lockin_sweep.toml --out out/sweep`).

# %%
import tempfile

import matplotlib.pyplot as plt
import numpy as np

from sim.experiments import load_experiment, report, run_experiment

exp = load_experiment(
    "../experiments/exit_vs_lockin_sweep.toml",
    replications=4,
    customers=500,
    fixed={"levers.exit_fee": 3.0},
    design={
        "kind": "grid",
        "values": {"levers.contract_term": [0, 6, 12, 24, 36], "customers.needs_volatility": [0.01, 0.03, 0.06, 0.1]},
    },
)
print(
    f"{len(exp.design.values['levers.contract_term']) * len(exp.design.values['customers.needs_volatility'])} "
    f"design points x {exp.replications} replications, {exp.customers} customers, {exp.years:g} years"
)

# %%
out = run_experiment(exp, tempfile.mkdtemp(prefix="exit_vs_lockin_"), progress=False)
rep = report(
    out, outcomes=["trust", "bond", "churn_rate_annual", "trapped_share", "customers", "profit"], figures=False
)
rep.summary.head()

# %% [markdown]
# `rep.summary` has one row per design point and outcome: the focal firm's mean over the last year, averaged
# over replications, with a 95 % confidence interval. As heatmaps:

# %%
term, volatility = "levers.contract_term", "customers.needs_volatility"
outcomes = [
    ("trust", "Trust (0–1)", "viridis"),
    ("churn_rate_annual", "Churn (share per year)", "magma_r"),
    ("trapped_share", "Customers who feel trapped (share)", "magma_r"),
    ("profit", "Profit per month", "viridis"),
]


def grid(outcome: str):
    """Outcome means as a table: needs volatility down, contract term across."""
    rows = rep.summary[rep.summary["outcome"] == outcome]
    return rows.pivot_table(index=volatility, columns=term, values="mean")


def luminance(rgba) -> float:
    """Perceived brightness of a colour, to write dark text on light cells and light text on dark ones."""
    return 0.299 * rgba[0] + 0.587 * rgba[1] + 0.114 * rgba[2]


fig, axes = plt.subplots(1, 4, figsize=(20, 4.4))
for ax, (outcome, title, cmap) in zip(axes, outcomes, strict=True):
    table = grid(outcome)
    image = ax.imshow(table.to_numpy(), origin="lower", aspect="auto", cmap=cmap)
    ax.set_xticks(range(table.shape[1]), [f"{int(t)}" for t in table.columns])
    ax.set_yticks(range(table.shape[0]), [f"{v:g}" for v in table.index])
    for (i, j), value in np.ndenumerate(table.to_numpy()):
        ax.text(
            j,
            i,
            f"{value:.2f}" if abs(value) < 10 else f"{value:.0f}",
            ha="center",
            va="center",
            color="white" if luminance(image.cmap(image.norm(value))) < 0.5 else "black",
            fontsize=9,
        )
    ax.set(title=title, xlabel="contract term (months)", ylabel="needs volatility (s.d. per month)")
    fig.colorbar(image, ax=ax, shrink=0.8)
fig.tight_layout()

# %% [markdown]
# ## Lock-in against the exit option, row by row
#
# The column with contract term 0 is the permanent exit option. Subtracting it from every other column
# shows, for each level of needs volatility, what lock-in buys (positive: more than the exit option) or
# costs. Where lock-in "wins" depends on what one counts: it holds customers (lower churn) while it may
# cost trust; the question is whether that trade still pays once needs drift.

# %%
fig, axes = plt.subplots(1, 3, figsize=(17, 4.2))
for ax, outcome, title in zip(
    axes,
    ["trust", "customers", "profit"],
    ["Trust: lock-in minus exit option", "Customers: lock-in minus exit option", "Profit: lock-in minus exit option"],
    strict=True,
):
    table = grid(outcome)
    gain = table.sub(table[0], axis=0).drop(columns=0)
    for v, row in gain.iterrows():
        ax.plot(row.index, row.to_numpy(), marker="o", label=f"needs volatility {v:g}")
    ax.axhline(0, color="black", lw=0.8)
    ax.set(title=title, xlabel="contract term (months)", ylabel="difference from contract term 0")
axes[0].legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# The table below says, for each needs volatility, at which contract terms lock-in keeps more customers
# than the exit option *and* earns more profit, and whether it ever keeps as much trust. It is computed from
# the runs above, not written in; a different market (more talkative customers, a harsher trust asymmetry)
# moves the boundary, which is what `04_sensitivity` explores.

# %%
customers, profit, trust = (grid(o) for o in ("customers", "profit", "trust"))
for v in customers.index:
    wins = [
        int(t)
        for t in customers.columns[1:]
        if customers.loc[v, t] > customers.loc[v, 0] and profit.loc[v, t] > profit.loc[v, 0]
    ]
    keeps_trust = [int(t) for t in trust.columns[1:] if trust.loc[v, t] >= trust.loc[v, 0]]
    print(
        f"needs volatility {v:<5g} lock-in wins on customers and profit at terms {wins or 'none'}; "
        f"keeps the exit option's trust at terms {keeps_trust or 'none'}"
    )
