"""The model as a function: parameters in, the focal firm's outcomes out.

``evaluate`` is the entry point for samplers and optimisers that call a function (SALib, EMA Workbench,
optuna, ``scipy.optimize``): it takes a scenario and a dict of parameters by dotted name, runs one
market and returns the focal (first) firm's outcomes averaged over the last ``window`` months.

>>> import sim
>>> out = sim.evaluate("permanent_exit", {"levers.exit_fee": 3, "customers.count": 200}, years=1, seed=1,
...                    outcomes=["trust", "churn_rate_annual"])
>>> sorted(out)
['churn_rate_annual', 'trust']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.metrics import METRICS
from sim.scenario import Scenario, ScenarioError, resolve_scenario
from sim.typology import TYPES
from sim.util import suggest

OUTCOMES: tuple[str, ...] = (*METRICS, *TYPES)


def check_outcomes(outcomes: Sequence[str] | None) -> list[str]:
    """The outcome names asked for (default: all), each checked against the metrics and relationship types."""
    if outcomes is None:
        return list(OUTCOMES)
    if isinstance(outcomes, str):
        outcomes = [outcomes]
    for name in outcomes:
        if name not in OUTCOMES:
            raise ScenarioError(f"outcomes: unknown outcome {name!r}{suggest(name, OUTCOMES)}")
    return list(outcomes)


def evaluate(
    scenario: Scenario | str | Path | None,
    params: Mapping[str, Any] | None = None,
    *,
    years: float | None = None,
    seed: int | None = None,
    outcomes: Sequence[str] | None = None,
    window: int = 12,
) -> dict[str, float]:
    """Run one market and return the focal firm's outcomes, each averaged over the last ``window`` months.

    ``scenario``: object, file, preset name or None (the default market); ``params``: dotted names
    (``levers.exit_fee``, ``customers.needs_volatility``, ...; ``levers.X`` are the focal firm's) to values;
    ``seed`` None draws fresh entropy. Unknown names, values out of bounds and a window longer than the
    horizon raise :class:`sim.ScenarioError` with one line.
    """
    from sim.model import MarketModel
    from sim.parameters import set_parameters

    names = check_outcomes(outcomes)
    base = resolve_scenario(scenario)
    if years is not None:
        base = _checked(base, years=years)
    base = set_parameters(base, dict(params or {}))
    if not (isinstance(window, int) and 1 <= window <= base.months):
        raise ScenarioError(f"window: must be a whole number of months from 1 to the horizon's {base.months}")
    model = MarketModel(base, seed=seed)
    try:
        model.run()
        table = model.outcomes()
    finally:
        model.release()
    focal = table[(table["firm"] == model.firms[0].name) & (table["step"] > table["step"].max() - window)]
    return {name: float(focal[name].mean()) for name in names}


def _checked(scenario: Scenario, **changes: Any) -> Scenario:
    from pydantic import ValidationError

    from sim.scenario import describe

    try:
        return scenario.with_changes(**changes)
    except ValidationError as err:
        raise ScenarioError(f"{scenario.name}: {describe(err, Scenario)}") from None
