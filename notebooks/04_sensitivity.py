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
# # Which levers matter? Morris screening of a firm's policy levers
#
# A policy is a bundle of levers: contract term, exit fee, staff authority, sales pressure, discounts for
# new customers, service capacity, and more. Before arguing about bundles, it helps to know which single
# levers move trust, emotional bond and churn at all, and which act through interactions with the others.
#
# The elementary-effects method of Morris (1991), in the form of Campolongo, Cariboni & Saltelli (2007),
# does that screening cheaply: it moves one lever at a time along random trajectories through the space of
# all levers and records how much the outcome changes. Per lever, **mu\*** (mean absolute effect) says how
# much it matters; **sigma** (spread of its effects) says how much its effect depends on where the other
# levers stand (non-linearity or interaction). Sampling and analysis come from SALib.
#
# The focal firm of the business-as-usual market gets its levers drawn from the bounds below; its three
# rivals keep business as usual. For variance-based Sobol indices over the market's *behavioural*
# assumptions (how fast trust is gained and lost, how much customers talk, ...), run the shipped
# `experiments/sensitivity_sobol.toml` with `crsim sweep` and `crsim report`; it is the same API.

# %%
import tempfile

import matplotlib.pyplot as plt
from IPython.display import Image

from sim.experiments import Experiment, report, run_experiment

levers = {
    "levers.contract_term": [0, 36],  # months
    "levers.exit_fee": [0.0, 6.0],  # monthly prices
    "levers.staff_authority": [0.1, 0.9],  # chance staff may resolve a complaint at first contact
    "levers.tailoring": [0.0, 0.9],  # how closely offers fit current needs
    "levers.listening": [0.0, 0.1],  # monthly adaptation of the offer to drifting needs
    "levers.sales_pressure": [0.0, 0.8],  # share of contacts that push an offer
    "levers.acquisition_discount": [0.0, 0.3],  # price cut for new customers only
    "levers.service_capacity": [0.5, 10.0],  # escalated complaints handled per 100 customers a month
    "levers.surface_acting": [0.0, 1.0],  # displayed enthusiasm demanded of staff
}
exp = Experiment(
    name="lever_screening",
    description="Morris screening of the focal firm's levers",
    scenario="business_as_usual",
    replications=1,
    years=10,
    customers=400,
    seed=4242,
    outcomes=["trust", "bond", "churn_rate_annual", "profit"],
    design={"kind": "morris", "bounds": levers, "samples": 8, "levels": 4},
)
print(f"{exp.design.samples} trajectories x {len(levers) + 1} points = {exp.design.samples * (len(levers) + 1)} runs")

# %%
out = run_experiment(exp, tempfile.mkdtemp(prefix="lever_screening_"), progress=False)
rep = report(out)
table = rep.sensitivity.assign(parameter=lambda d: d["parameter"].str.removeprefix("levers."))
table.pivot(index="parameter", columns="outcome", values="mu_star").round(3)

# %% [markdown]
# `report` also saves the figures a sweep calls for; for a Morris design that is a bar chart of mu\* (with
# its bootstrap confidence interval) and sigma per lever and outcome:

# %%
Image(filename=str(next(p for p in rep.files if p.name.startswith("sensitivity") and p.suffix == ".png")))

# %% [markdown]
# ## mu\* against sigma
#
# The classic Morris plot. Levers near the origin hardly matter; far to the right they matter; high above
# the diagonal their effect depends strongly on the other levers. Both axes are in the outcome's own units, per
# move across a lever's whole range (SALib scales the levers to the unit interval), so levers with different
# units can be compared.

# %%
fig, axes = plt.subplots(1, 3, figsize=(17, 5))
for ax, outcome, title in zip(
    axes,
    ["trust", "bond", "churn_rate_annual"],
    ["Trust (0–1)", "Emotional bond (0–1)", "Churn (share per year)"],
    strict=True,
):
    rows = table[table["outcome"] == outcome]
    ax.scatter(rows["mu_star"], rows["sigma"], color="#0072B2")
    for _, row in rows.iterrows():
        ax.annotate(
            row["parameter"], (row["mu_star"], row["sigma"]), fontsize=8, xytext=(3, 3), textcoords="offset points"
        )
    limit = max(rows["mu_star"].max(), rows["sigma"].max()) * 1.15
    ax.plot([0, limit], [0, limit], color="grey", lw=0.8, ls="--")
    ax.set(
        title=title,
        xlabel="mu* (mean absolute elementary effect)",
        ylabel="sigma (spread of effects)",
        xlim=(0, limit),
        ylim=(0, limit),
    )
fig.tight_layout()

# %% [markdown]
# The ranking, computed from the runs above:

# %%
for outcome in ["trust", "bond", "churn_rate_annual"]:
    ranked = table[table["outcome"] == outcome].nlargest(4, "mu_star")
    print(
        f"{outcome:>18}: "
        + ", ".join(f"{p} ({m:.3f})" for p, m in zip(ranked["parameter"], ranked["mu_star"], strict=True))
    )

# %% [markdown]
# Eight trajectories on a 400-customer market is a screening, not a verdict: the confidence intervals in the
# bar chart show how far the ranking can be trusted. For a study, raise `samples` and `customers`, add
# `replications`, and run it on several workers (`run_experiment(exp, out, workers=4)`) or a Dask cluster
# (`scheduler="tcp://..."`).
