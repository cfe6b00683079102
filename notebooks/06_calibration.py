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
# # Calibration: does the status-quo market look like a real one?
#
# `calibration/status_quo.toml` declares the status-quo market (four business-as-usual operators with
# month-to-month, one-year and two-year contracts), eight behavioural parameters with uniform priors, and
# public targets: industry churn (Ofcom) and the TARP gradient of loyalty after a problem for calibration;
# US operators' monthly churn, churn by contract type and the Corporate Love Meter shares kept back for
# validation. `crsim calibrate` runs ABC-SMC (pyabc) on it. Here a *quick* version — a small market, a
# small population, two generations — shows the outputs; the full run is one command:
#
# ```bash
# crsim calibrate calibration/status_quo.toml --out out/calibration --workers 2
# ```

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

import sim
from sim.calibration import STATISTICS, calibrate, load_calibration

cal = load_calibration("../calibration/status_quo.toml", population=12, max_generations=2, customers=300)
cal = cal.with_changes(check={"draws": 12, "replications": 3})
out = calibrate(cal, Path(tempfile.mkdtemp()) / "calibration")
sorted(p.name for p in out.iterdir())

# %% [markdown]
# ## What the statistics mean
#
# Every target is a registered statistic with a unit and a definition (`sim.calibration.statistics`).

# %%
pd.DataFrame(
    [
        (t.statistic, t.use, t.value, STATISTICS[t.statistic].unit, STATISTICS[t.statistic].description)
        for t in cal.targets
    ],
    columns=["statistic", "use", "observed", "unit", "meaning"],
)

# %% [markdown]
# ## Generations: threshold and acceptance
#
# Each generation accepts the particles whose distance (root-mean-square of the calibration targets'
# deviations in standard deviations) is below the previous generation's median.

# %%
pd.read_csv(out / "diagnostics.csv")

# %% [markdown]
# ## The posterior-predictive check
#
# Every target beside its simulated distribution: posterior draws (grey), runs at the accepted parameter
# set — the weighted posterior mean — (orange), the observed value (blue line) and its acceptance band.
# Validation targets were not used to calibrate.

# %%
check = pd.read_csv(out / "predictive_check.csv")
check[
    [
        "statistic",
        "use",
        "observed",
        "simulated_q05",
        "simulated_median",
        "simulated_q95",
        "accepted_mean",
        "within_range",
    ]
]

# %%
fig, ax = plt.subplots(figsize=(12, 7))
ax.imshow(plt.imread(out / "predictive_check.png"))
ax.axis("off")
# %% [markdown]
# ## The accepted parameter set is a scenario file
#
# `calibrated.toml` is the base scenario with the posterior means set; `crsim run` and `sim.run` take it
# as it is. Against the uncalibrated status quo, on the same seed:

# %%
calibrated = sim.load_scenario(out / "calibrated.toml")
base = sim.load_scenario("../calibration/status_quo_market.toml")
rows = {}
for label, scenario in (("default", base), ("calibrated", calibrated)):
    table = sim.run(scenario.with_changes(years=4, seed=3))
    last = table[table["year"] > 2]
    rows[label] = last.groupby("firm")["churn_rate_annual"].mean()
pd.DataFrame(rows).round(3)

# %% [markdown]
# A quick calibration like this one is only a demonstration: two generations of twelve particles barely
# move away from the priors. The full calibration's figures, the targets kept back for validation and
# how far the posterior spreads are in `docs/ODD.md`, section 8.
