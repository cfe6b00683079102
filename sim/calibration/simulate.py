"""Simulating the status-quo market at one parameter set and measuring its summary statistics.

Every simulation's seed is derived from the master seed and the parameter values themselves
(``numpy.random.SeedSequence``), so a particle's data do not depend on which process, in which order,
simulated it: the posterior file alone is enough to simulate any particle again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.calibration.spec import Calibration, Target, resolve, scenario_with
from sim.calibration.statistics import Observation, Watcher, measure
from sim.model import MarketModel
from sim.scenario import Scenario


def seeds(master: int, values: dict[str, float], n: int, salt: int = 0) -> list[int]:
    """``n`` run seeds for a parameter set: spawned from the master seed and the values' bits."""
    words = np.frombuffer(np.asarray(list(values.values()), dtype=np.float64).tobytes(), dtype=np.uint32)
    root = np.random.SeedSequence([master, salt, *words.tolist()])
    return [int(s.generate_state(1)[0]) for s in root.spawn(n)]


def observe(scenario: dict[str, Any], seed: int, burn_in: int, follow_up: int) -> Observation:
    """Run one market (scenario data) with ``seed`` and return what was seen after the burn-in."""
    model = MarketModel(Scenario.model_validate({**scenario, "seed": seed}))
    try:
        watcher = Watcher(model.market, burn_in, follow_up)
        for _ in range(model.scenario.months):
            model.step()
            watcher.see(model.market, model.steps)
        return watcher.obs
    finally:
        model.release()


class Simulator:
    """The model as pyabc sees it: parameters in, the targets' statistics (averaged over replications) out.

    Picklable, so it runs in worker processes and on Dask workers alike.
    """

    def __init__(self, cal: Calibration, scenario: Scenario | None = None, salt: int = 0):
        self.scenario = (scenario or resolve(cal)).model_dump(mode="json")
        self.names = list(cal.parameters)
        self.statistics = [t.statistic for t in cal.targets]
        self.seed, self.salt = cal.seed, salt
        self.burn_in, self.follow_up, self.replications = cal.burn_in, cal.follow_up, cal.replications

    def values(self, parameters: dict[str, Any]) -> dict[str, float]:
        return {name: float(parameters[name]) for name in self.names}

    def run(self, values: dict[str, float], replications: int | None = None) -> list[dict[str, float]]:
        """The statistics of each replication at ``values``."""
        data = scenario_with(self.scenario, values)
        out = []
        for seed in seeds(self.seed, values, replications or self.replications, self.salt):
            out.append(measure(observe(data, seed, self.burn_in, self.follow_up), self.statistics))
        return out

    def __call__(self, parameters: dict[str, Any]) -> dict[str, float]:
        runs = self.run(self.values(parameters))
        with np.errstate(invalid="ignore"):
            return {name: _nanmean([r[name] for r in runs]) for name in self.statistics}


def _nanmean(values: list[float]) -> float:
    arr = np.asarray(values, dtype=float)
    return float(np.nanmean(arr)) if np.isfinite(arr).any() else float("nan")


class Distance:
    """Root-mean-square of the calibration targets' standardised deviations, (simulated - observed) / sd.

    A statistic the market cannot produce (NaN, e.g. no problem was followed up) is infinitely far.
    """

    def __init__(self, targets: list[Target]):
        self.targets = [(t.statistic, t.value, t.scale, t.weight) for t in targets if t.use == "calibration"]

    def __call__(self, x: dict[str, float], x0: dict[str, float] | None = None) -> float:
        total = weights = 0.0
        for name, value, scale, weight in self.targets:
            z = (float(x[name]) - value) / scale
            if not np.isfinite(z):
                return float("inf")
            total += weight * z * z
            weights += weight
        return float(np.sqrt(total / weights))

    def observed(self) -> dict[str, float]:
        return {name: value for name, value, _, _ in self.targets}
