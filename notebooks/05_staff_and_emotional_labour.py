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
# # Staff and emotional labour
#
# Front-line staff carry the relationship. A firm can demand that they *show* enthusiasm whatever they feel
# (surface acting), load them with sales targets and too many escalated complaints — or give them the
# authority to decide. In the model, strain exhausts staff; exhaustion lowers service quality and the
# authenticity of every contact, which customers feel in their trust and emotional bond.
#
# We compare two presets, each as the focal firm against three business-as-usual rivals on the same
# customers, with five replications (seeds) each: **budget-driven sales** and **empowered staff**.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import sim

SEEDS = range(5)
runs = []
for policy in ("budget_sales", "empowered_staff"):
    for seed in SEEDS:
        table = sim.run(sim.preset_scenario(policy, customers=1500), years=8, seed=seed)
        runs.append(table[table["firm"] == sim.POLICIES[policy].label].assign(preset=policy))
focal = pd.concat(runs)
focal.groupby("preset")[["staff_exhaustion", "first_contact_resolution", "trust", "bond"]].mean().round(3)

# %% [markdown]
# ## Exhaustion and what it does to service
#
# Lines are means over the five replications, bands their range.

# %%
fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
for ax, (column, title) in zip(
    axes,
    [
        ("staff_exhaustion", "Staff exhaustion (0–1)"),
        ("first_contact_resolution", "Complaints resolved at first contact"),
        ("bond", "Customers' emotional bond (0–1)"),
    ],
    strict=True,
):
    for preset, rows in focal.groupby("preset"):
        by_year = rows.groupby("year")[column]
        mean = by_year.mean().rolling(6, min_periods=1).mean()
        ax.plot(mean.index, mean, label=sim.POLICIES[preset].label)
        ax.fill_between(
            mean.index,
            by_year.min().rolling(6, min_periods=1).mean(),
            by_year.max().rolling(6, min_periods=1).mean(),
            alpha=0.2,
        )
    ax.set(title=title, xlabel="simulated years", ylabel=title.split(" (")[0])
axes[0].legend()
fig.tight_layout()

# %% [markdown]
# ## The feedback on customers
#
# Is it the exhaustion itself that costs the budget-driven firm its customers' trust and bond? Switch the
# mechanism off (`mechanisms.staff_exhaustion = false`: staff stay fresh whatever the strain) and compare on
# the same seeds — the same customers, the same network, the same life events.

# %%
rows = []
for exhaustion in (True, False):
    for seed in SEEDS:
        base = sim.preset_scenario("budget_sales", customers=1500).model_dump()
        base["mechanisms"]["staff_exhaustion"] = exhaustion
        table = sim.run(sim.Scenario.model_validate(base), years=8, seed=seed)
        last = table[(table["firm"] == "Budget sales") & (table["year"] > 6)]
        rows.append(
            {
                "staff exhaustion": "on" if exhaustion else "off",
                "seed": seed,
                **last[["trust", "bond", "first_contact_resolution", "customers"]].mean().to_dict(),
            }
        )
feedback = pd.DataFrame(rows)
paired = feedback.pivot(index="seed", columns="staff exhaustion")
difference = paired.xs("on", axis=1, level=1) - paired.xs("off", axis=1, level=1)
summary = difference.agg(["mean", "min", "max"]).T
summary.columns = ["on − off (mean)", "min", "max"]
summary.round(3)

# %%
ax = summary["on − off (mean)"].plot.barh(
    xerr=[summary["on − off (mean)"] - summary["min"], summary["max"] - summary["on − off (mean)"]], figsize=(8, 3.5)
)
ax.axvline(0, color="black", linewidth=0.8)
ax.set(
    title="Budget sales: effect of staff exhaustion on the firm (years 6–8, paired by seed)",
    xlabel="difference, exhaustion on minus off (bars: range over seeds)",
)
plt.tight_layout()

# %% [markdown]
# Reading the results: exhaustion costs the budget-driven firm trust and bond, through first-contact
# resolution (tired staff resolve less at once) and through the warmth of every contact. Note that the
# switch acts on *every* firm in the market: with exhaustion off, the rivals' staff stay fresh too, which is
# why the budget-driven firm can end up with *fewer* customers when its own staff no longer tire. Effects on
# market shares are relative; the sweeps in `experiments/` measure them with confidence intervals.
