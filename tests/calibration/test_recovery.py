"""The calibration recovers known parameters from data the model itself simulated at them."""

from __future__ import annotations

import numpy as np
import pytest
from cal_helpers import MARKET, write

pytest.importorskip("pyabc")

from sim.calibration import calibrate, load_calibration  # noqa: E402
from sim.calibration.simulate import Simulator  # noqa: E402

TRUTH = {"behaviour.base_failure": 0.06, "behaviour.complaint_propensity": 0.5, "behaviour.choice_noise": 0.08}
PRIORS = {
    "behaviour.base_failure": (0.01, 0.2),
    "behaviour.complaint_propensity": (0.1, 1.0),
    "behaviour.choice_noise": (0.02, 0.3),
}
STATISTICS = ("problem_rate", "voice_share", "annual_churn")

CALIBRATION = """
name = "recovery"
scenario = "market.toml"
burn_in_years = 0.5
years = 1.5
follow_up = 6
population = 60
seed = 5
[stop]
max_generations = 5
[check]
draws = 4
replications = 1
[parameters]
{parameters}
{targets}
"""


def test_posterior_covers_the_parameters_that_made_the_data(tmp_path):
    market = MARKET.replace("count = 200", "count = 400")
    priors = "\n".join(f'"{k}" = [{lo}, {hi}]' for k, (lo, hi) in PRIORS.items())
    dummy = "".join(
        f'\n[[targets]]\nstatistic = "{s}"\nobserved = 0.5\nsd = 1.0\nsource = "simulated"\n' for s in STATISTICS
    )
    path = write(tmp_path / "probe", CALIBRATION.format(parameters=priors, targets=dummy), market)
    # the "observed" data: the model at TRUTH, its spread over replications as the uncertainty
    runs = Simulator(load_calibration(path), salt=99).run(TRUTH, replications=6)
    targets = ""
    for s in STATISTICS:
        values = np.array([r[s] for r in runs])
        targets += f'\n[[targets]]\nstatistic = "{s}"\nobserved = {values.mean()}\nsd = {max(values.std(ddof=1), 1e-3)}\nsource = "simulated at known parameters"\n'
    path = write(tmp_path / "cal", CALIBRATION.format(parameters=priors, targets=targets), market)
    out = calibrate(load_calibration(path), tmp_path / "out")
    import pandas as pd

    post = pd.read_parquet(out / "posterior.parquet")
    for name, true in TRUTH.items():
        order = np.argsort(post[name].to_numpy())
        cdf = np.cumsum(post["weight"].to_numpy()[order])
        values = post[name].to_numpy()[order]
        low, high = values[np.searchsorted(cdf, 0.025)], values[min(np.searchsorted(cdf, 0.975), len(values) - 1)]
        assert low <= true <= high, f"{name}: {true} outside the 95 % posterior interval [{low:.3f}, {high:.3f}]"
        prior_low, prior_high = PRIORS[name]
        assert high - low < 0.8 * (prior_high - prior_low), f"{name}: the data did not narrow the prior"
