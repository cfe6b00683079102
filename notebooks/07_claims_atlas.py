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
# # The claims atlas: where does each claim of the essays hold?
#
# The essays make claims: a permanent exit option earns more trust than lock-in, budget-driven sales wins
# customers and loses their trust, a firm that does not listen loses customers whose needs drift. In crsim
# each claim is a declared comparison: two *arms* for the focal firm (a policy preset, or a preset with some
# levers set), an outcome read over a window of months, a direction and the smallest effect that counts.
# The atlas tests each claim at many points of the plausible space of what nobody knows exactly (who the
# customers are, how fast their needs drift, how they trust and choose) and then asks PRIM (EMA Workbench)
# for the box of that space where the claim fails.
#
# This notebook runs a quick, small atlas for three claims. The full one is one command:
# `crsim claims --out out/atlas --workers 2`.

# %%
import tempfile

from IPython.display import Image, Markdown, display

from sim.claims import CLAIMS, verdict
from sim.claims.atlas import build_atlas
from sim.claims.evaluate import run_claims
from sim.claims.space import load_space
from sim.model import MarketModel
from sim.scenario import preset_scenario

claim = CLAIMS["exit_option_trust"]
print(f"„{claim.german}“ ({claim.seed})\n{claim.english}\n")
print("tested as:", claim.statement())

# %% [markdown]
# Every registered claim, with the essay it quotes; the sceptic's claims are the ones a critic of the essays
# would add:

# %%
for c in CLAIMS.values():
    print(f"{c.name:<36} {'sceptic ' if c.sceptic else ''}{c.title}")

# %% [markdown]
# ## The plausible space
#
# `claims/uncertainties.toml` states a range around the default of each uncertain parameter. A calibration
# posterior (`--posterior`, or `load_space(..., posterior=...)`) narrows each range to its weighted 5-95 %
# interval. Here the space is sampled thinly (16 points, one replication, 300 customers) to run in seconds.

# %%
space = load_space("../claims/uncertainties.toml", samples=16, replications=1, customers=300)
for name, (low, high) in space.bounds.items():
    print(f"{space.label(name):<45} {low:>6g} .. {high:<6g} (default {space.defaults[name]})")

# %% [markdown]
# ## Running the claims
#
# Each distinct arm is one declared experiment with a Latin hypercube design, run by the experiment runner:
# replication k at point i meets the same customers in every arm (common random numbers), so each claim's
# effect is a paired difference. The runs are resumable and can use worker processes or a Dask cluster.

# %%
claims = [CLAIMS[n] for n in ("exit_option_trust", "budget_sales_trust", "listening_keeps_customers")]
out = run_claims(claims, space, tempfile.mkdtemp(prefix="claims_"), progress=False)
atlas = build_atlas(claims, space, out)
atlas.table[["claim", "share_holds", "effect_mean", "effect_p05", "effect_p95", "fails_when"]]

# %% [markdown]
# `atlas.effects` has every point's paired effect (treatment minus control, averaged over replications),
# its 95 % interval and whether the claim holds there:

# %%
atlas.effects.query("claim == 'budget_sales_trust'")[["point", "effect", "ci_low", "ci_high", "holds"]].head()

# %% [markdown]
# ## Where a claim fails
#
# PRIM peels the space down to a box that holds many of the failures (coverage) and few of the points where
# the claim holds (density). The figure shows the points on the two parameters that matter most for the
# claim, filled where it holds and hollow where it fails, with the box where one was found.

# %%
for c in claims:
    box = atlas.boxes[c.name]
    print(f"{c.name}: {atlas.table.set_index('claim').loc[c.name, 'fails_when']}"
          + (f" (coverage {box.coverage:.0%}, density {box.density:.0%})" if box else ""))  # fmt: skip
display(Image(filename=str(atlas.figures["budget_sales_trust"])))

# %% [markdown]
# `claims.md` in the output folder says all of this in words, for a facilitator to read:

# %%
display(Markdown((out / "claims.md").read_text().split("## ", 1)[0]))

# %% [markdown]
# ## The verdict in one market
#
# The workshop page shows a claim's verdict beside its charts: in *this* market, with these customers, does
# the claim hold? `verdict` reads it from a market (or two side by side on the same customers).

# %%
exit_market = MarketModel(preset_scenario("permanent_exit", customers=500).with_changes(years=5, seed=3)).run()
lock_market = MarketModel(preset_scenario("loyalty_lock_in", customers=500).with_changes(years=5, seed=3)).run()
print(verdict((exit_market, lock_market), "exit_option_trust"))
print(verdict((exit_market, lock_market), "lock_in_short_run_profit"))
