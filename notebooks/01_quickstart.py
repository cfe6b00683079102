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
# # Quickstart: the default market in a few lines
#
# Six firms compete for the same 2,000 customers for ten simulated years. Each firm runs one of the
# policy presets: business as usual, loyalty lock-in, a permanent exit option, empowered staff,
# budget-driven sales, and "relationship first" (exit option + empowered staff + no sales budgets).
# `sim.run` returns a tidy table: one row per firm and month.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import sim

df = sim.run(seed=1)
df[["year", "firm", "customers", "trust", "bond", "churn_rate_annual", "profit"]].tail(6)

# %% [markdown]
# ## Trust, emotional bond and churn per firm
#
# Monthly churn is noisy in a small market, so the churn panel shows a twelve-month rolling mean of the
# annualised rate.

# %%
fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
panels = [
    ("trust", "Trust in the firm (0–1)"),
    ("bond", "Emotional bond (0–1)"),
    ("churn_rate_annual", "Churn, annual rate (12-month mean)"),
]
for ax, (column, title) in zip(axes, panels, strict=True):
    wide = df.pivot_table(index="year", columns="firm", values=column)
    if column == "churn_rate_annual":
        wide = wide.rolling(12, min_periods=1).mean()
    wide.plot(ax=ax, legend=False)
    ax.set(title=title, xlabel="simulated years", ylabel=title.split(" (")[0])
axes[0].legend(loc="lower left", fontsize=8)
fig.tight_layout()

# %% [markdown]
# The relationship typology speaks the essays' language: *devoted* partners, the *routine* old married
# couple, the *open* relationship (shopping around), the *trapped* and the *estranged*. Here it is at the
# end of the ten years:

# %%
final = df[df["step"] == df["step"].max()].set_index("firm")
final[list(sim.TYPES)].plot.barh(
    stacked=True, figsize=(9, 4), title="Relationship types after ten years", xlabel="share of the firm's customers"
).legend(loc="center left", bbox_to_anchor=(1, 0.5))

# %% [markdown]
# ## Inside one customer's history
#
# Customers are Mesa agents; each reads its own row of the market's state. To follow a customer who
# *leaves* their firm, we first run the market once and record everyone's firm each month, pick a customer
# who wants a relationship and moved exactly once, then run the same market again on the same seed — runs are deterministic — and
# record that customer's state month by month.

# %%
model = sim.MarketModel(seed=1)
firms = [model.market.customers.firm.copy()]
for _ in range(model.scenario.months):
    model.step()
    firms.append(model.market.customers.firm.copy())
model.release()
firms = np.array(firms)
moves_per_customer = (firms[1:] != firms[:-1]).sum(axis=0)
seeks_partner = model.market.customers.relationship_need > 0.5
who = int(np.flatnonzero((moves_per_customer == 1) & (firms[0] >= 0) & seeks_partner)[0])

model = sim.MarketModel(seed=1)
customer = model.customer(who)
history = [customer.snapshot()]
for _ in range(model.scenario.months):
    model.step()
    history.append(customer.snapshot())
model.release()
history = pd.DataFrame(history)
history["year"] = history["step"] / 12
history[["year", "firm", "relationship", "trust", "bond", "satisfaction", "trapped"]].iloc[::12]

# %%
moves = history[history["firm"] != history["firm"].shift()].iloc[1:]
fig, (top, bottom) = plt.subplots(2, 1, figsize=(12, 6), sharex=True)
top.plot(history["year"], history["need_x"], label="need, axis 1")
top.plot(history["year"], history["need_y"], label="need, axis 2")
top.set(title=f"Customer {who}: needs drift by themselves", ylabel="position in needs plane")
top.legend()
for column in ("trust", "bond", "satisfaction"):
    bottom.plot(history["year"], history[column], label=column)
for _, move in moves.iterrows():
    for ax in (top, bottom):
        ax.axvline(move["year"], color="grey", linestyle="--")
    bottom.annotate(f"→ {move['firm'] or 'no firm'}", (move["year"], 0.95), fontsize=8, rotation=90, va="top")
bottom.set(
    title="Trust, bond and satisfaction with the current firm (dashed: the customer moves)",
    xlabel="simulated years",
    ylabel="0–1",
    ylim=(0, 1),
)
bottom.legend(loc="lower left")
fig.tight_layout()
