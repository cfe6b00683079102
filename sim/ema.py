"""An EMA Workbench model of a market (``pip install 'crsim[ema]'``), its bounds taken from the schema.

Kwakkel (2017), "The Exploratory Modeling Workbench", Environmental Modelling & Software 96. Uncertainties
(what a firm cannot control) and levers (what the focal firm decides) are named by dotted parameter name;
each becomes an EMA parameter with the schema's bounds (whole-number fields an ``IntegerParameter``,
switches a ``BooleanParameter``, choices a ``CategoricalParameter``), or narrower bounds given as
``(name, low, high)`` or read from an experiment file's ``design.bounds``. EMA names must be Python
identifiers, so ``customers.needs_volatility`` appears there as ``customers__needs_volatility``.

    from ema_workbench import MultiprocessingEvaluator, perform_experiments
    import sim.ema

    model = sim.ema.model("permanent_exit", uncertainties=["customers.needs_volatility", "behaviour.trust_gain"],
                          levers=["levers.exit_fee"], outcomes=["trust", "churn_rate_annual"], years=5)
    with MultiprocessingEvaluator(model, n_processes=2) as evaluator:
        experiments, outcomes = perform_experiments(model, scenarios=64, policies=4, evaluator=evaluator)
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.evaluation import check_outcomes, evaluate
from sim.parameters import bounds, canonical, field_of, is_integer, is_switch
from sim.scenario import Scenario, ScenarioError, resolve_scenario

Spec = str | tuple[str, float, float]


def ema_name(name: str) -> str:
    """The identifier EMA uses for a dotted parameter name (``levers.exit_fee`` -> ``levers__exit_fee``)."""
    return canonical(name).replace(".", "__")


@dataclass
class MarketFunction:
    """The function EMA calls: keyword arguments by EMA name, the focal firm's outcomes back (picklable)."""

    scenario: dict[str, Any]
    outcomes: list[str]
    years: float | None = None
    seed: int | None = None
    window: int = 12
    constants: dict[str, Any] = field(default_factory=dict)

    def __call__(self, **kwargs: Any) -> dict[str, float]:
        params = {**self.constants, **{canonical(k): v for k, v in kwargs.items()}}
        return evaluate(
            Scenario.model_validate(self.scenario),
            params,
            years=self.years,
            seed=self.seed,
            outcomes=self.outcomes,
            window=self.window,
        )


def parameter(spec: Spec, narrower: dict[str, tuple[float, float]] | None = None):
    """The EMA parameter for a dotted name (schema bounds), or ``(name, low, high)``."""
    import ema_workbench as ema

    name, given = (spec, None) if isinstance(spec, str) else (spec[0], (spec[1], spec[2]))
    try:
        name = canonical(name)
    except ValueError as err:
        raise ScenarioError(str(err)) from None
    if is_switch(name):
        return ema.BooleanParameter(ema_name(name))
    choices = typing.get_args(field_of(name).annotation)
    if choices:
        return ema.CategoricalParameter(ema_name(name), list(choices))
    low, high = given or (narrower or {}).get(name) or bounds(name)
    schema_low, schema_high = bounds(name)
    if not schema_low <= low < high <= schema_high:
        raise ScenarioError(
            f"{name}: bounds [{low}, {high}] must lie within the schema's [{schema_low}, {schema_high}]"
        )
    if is_integer(name):
        return ema.IntegerParameter(ema_name(name), int(low), int(high))
    return ema.RealParameter(ema_name(name), float(low), float(high))


def model(
    scenario: Scenario | str | Path | None,
    uncertainties: Sequence[Spec] = (),
    levers: Sequence[Spec] = (),
    outcomes: Sequence[str] | None = None,
    *,
    name: str = "crsim",
    experiment: str | Path | None = None,
    years: float | None = None,
    seed: int | None = None,
    window: int = 12,
    constants: dict[str, Any] | None = None,
):
    """An ``ema_workbench.Model`` of ``scenario`` with these uncertainties, levers and outcomes.

    Each outcome is a ``ScalarOutcome``: the focal firm's value averaged over the last ``window`` months
    (see :func:`sim.evaluate`). ``experiment`` (a file) supplies the bounds of its ``design.bounds`` and,
    with no uncertainties named, its parameters; ``constants`` fixes other parameters by dotted name;
    ``seed`` None gives every run fresh entropy.
    """
    try:
        import ema_workbench as ema
    except ImportError:
        raise ScenarioError("sim.ema needs the EMA Workbench: pip install 'crsim[ema]'") from None
    narrower: dict[str, tuple[float, float]] = {}
    if experiment is not None:
        from sim.experiments.spec import load_experiment

        design = load_experiment(experiment).design
        narrower = {n: tuple(b) for n, b in design.bounds.items()}  # type: ignore[misc]
        if not uncertainties:
            uncertainties = [n for n in design.parameters if not n.startswith("levers.")]
            levers = levers or [n for n in design.parameters if n.startswith("levers.")]
    names = check_outcomes(outcomes)
    base = resolve_scenario(scenario)
    for c in constants or {}:
        canonical(c)
    function = MarketFunction(
        base.model_dump(mode="json"),
        names,
        years,
        seed,
        window,
        {canonical(k): v for k, v in (constants or {}).items()},
    )
    m = ema.Model(name, function=function)
    m.uncertainties = [parameter(u, narrower) for u in uncertainties]
    m.levers = [parameter(lv, narrower) for lv in levers]
    m.outcomes = [ema.ScalarOutcome(n) for n in names]
    return m
