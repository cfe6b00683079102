"""The model behind the workshop page: one market, or two side by side on the same customers.

:class:`Workshop` is a Mesa model that SolaraViz re-creates on every reset from
the page's parameters. In side-by-side mode it runs two :class:`MarketModel`
instances built from the same seed, so both start with the very same customers
and network; in the second market the first firm runs another policy. Lever
changes made on the page wait in a :class:`LeverBoard` and take effect on the
next reset; shocks take effect in the running markets at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mesa
import numpy as np

from sim.app.labels import LEVERS, SMOOTHED, scenario_choices
from sim.mechanisms.shocks import SHOCKS
from sim.model import MarketModel
from sim.policies import POLICIES
from sim.scenario import FirmSpec, Scenario, resolve_scenario

HISTORY = ("trust", "bond", "customers", "churn_rate_annual", "profit")


class LeverBoard:
    """Lever values set on the page, waiting for the next reset: (market, firm) -> {lever: value}."""

    def __init__(self):
        self.changes: dict[tuple[str, str], dict[str, float]] = {}

    def set(self, market: str, firm: str, lever: str, value: float) -> None:
        if lever not in LEVERS:
            raise ValueError(f"unknown lever {lever!r}")
        self.changes.setdefault((market, firm), {})[lever] = value

    def get(self, market: str, firm: str) -> dict[str, float]:
        return dict(self.changes.get((market, firm), {}))

    def clear(self, market: str | None = None) -> None:
        for key in [k for k in self.changes if market is None or k[0] == market]:
            del self.changes[key]


@dataclass
class Side:
    """One market on the page with the history the charts draw."""

    title: str
    model: MarketModel
    history: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def record(self) -> None:
        """Append this month's outcomes, as the model measured them when it stepped."""
        firms = self.model.firms
        for name in HISTORY:
            self.history.setdefault(name, []).append(np.array([f.outcomes[name] for f in firms]))

    def series(self, name: str) -> np.ndarray:
        """(months + 1, firms) array of an outcome; churn and profit as trailing 12-month means."""
        data = np.vstack(self.history[name])
        if name in SMOOTHED:
            cum = np.cumsum(np.nan_to_num(data), axis=0)
            n = np.arange(1, len(data) + 1)[:, None]
            window = np.minimum(n, 12)
            shifted = np.vstack([np.zeros((1, data.shape[1])), cum])[np.maximum(n[:, 0] - 12, 0)]
            data = (cum - shifted) / window
        return data


def market_scenario(choice: str, extra: str | None = None) -> Scenario:
    """The scenario behind a label of the market menu (or a file path / preset name)."""
    choices = scenario_choices(extra)
    return resolve_scenario(choices[choice] if choice in choices else choice)


def with_levers(scenario: Scenario, board: LeverBoard | None, market: str, skip_first: bool = False) -> Scenario:
    """The scenario with the board's lever values applied to its firms."""
    if board is None:
        return scenario
    firms = []
    for i, spec in enumerate(scenario.firms):
        changes = {} if (skip_first and i == 0) else board.get(market, spec.name)
        if changes:
            levers = {**spec.levers.model_dump(exclude_none=True), **changes}
            spec = FirmSpec.model_validate({"name": spec.name, "policy": spec.policy, "levers": levers})
        firms.append(spec)
    return scenario.model_copy(update={"firms": firms})


def with_first_policy(scenario: Scenario, policy: str) -> Scenario:
    """The same market with its first firm running ``policy`` (named after it) instead."""
    label = POLICIES[policy].label
    others = [f.name for f in scenario.firms[1:]]
    name = label if label not in others else f"{label} (B)"
    firms = [FirmSpec(name=name, policy=policy), *scenario.firms[1:]]
    shocks = [s.model_copy(update={"firm": name}) if s.firm == scenario.firms[0].name else s for s in scenario.shocks]
    return Scenario.model_validate(
        {**scenario.model_dump(), "firms": [f.model_dump() for f in firms], "shocks": [s.model_dump() for s in shocks]}
    )


class Workshop(mesa.Model):
    """What the page runs: a market, or two markets on the same customers (side by side).

    >>> w = Workshop(market="loyalty_lock_in", seed=3, side_by_side=True, compare_with="Permanent exit")
    >>> [s.title for s in w.sides]
    ['A: Loyalty lock-in', 'B: Permanent exit']
    >>> w.step(); w.month
    1
    """

    def __init__(
        self,
        market: str = "",
        seed: int = 0,
        side_by_side: bool = False,
        compare_with: str = "Permanent exit",
        board: LeverBoard | None = None,
        extra: str | None = None,
        customers: int | None = None,
        years: float = 100.0,
    ):
        super().__init__(seed=int(seed))
        self.board = board
        self.market_choice = market
        base = market_scenario(market, extra) if market else resolve_scenario(extra)
        if customers is not None:
            base = base.model_copy(update={"customers": base.customers.model_copy(update={"count": customers})})
        # the page keeps playing well past a scenario's own horizon
        base = base.with_changes(seed=int(seed), years=max(base.years, years))
        self.base = base
        a = with_levers(base, board, market)
        self.sides = [Side("A: " + a.firms[0].name if side_by_side else a.name, MarketModel(a))]
        if side_by_side:
            policy = _policy_name(compare_with)
            b = with_levers(with_first_policy(base, policy), board, market, skip_first=True)
            self.sides.append(Side("B: " + b.firms[0].name, MarketModel(b)))
        for side in self.sides:
            side.model.release()  # no agents are added later; let Mesa forget the model
            side.record()
        self.shocks_fired: list[tuple[int, str, str | None]] = []

    @property
    def side_by_side(self) -> bool:
        return len(self.sides) == 2

    @property
    def month(self) -> int:
        return self.sides[0].model.steps

    @property
    def firm_names(self) -> list[str]:
        """The firms of the first market (the ones the lever and shock controls address)."""
        return [f.name for f in self.sides[0].model.firms]

    def step(self) -> None:
        for side in self.sides:
            side.model.step()
            side.record()

    def fire(self, kind: str, firm: int = 0, severity: float = 0.5) -> None:
        """Start a shock next month in every market; ``firm`` is the firm's position (same in both markets)."""
        name = None
        for side in self.sides:
            target = side.model.firms[firm].name if SHOCKS[kind].needs_firm else None
            side.model.fire_shock(kind, firm=target, severity=severity)
            name = name or target
        self.shocks_fired.append((self.month + 1, kind, name))


def _policy_name(choice: str) -> str:
    if choice in POLICIES:
        return choice
    for name, cls in POLICIES.items():
        if cls.label == choice:
            return name
    raise ValueError(f"unknown policy {choice!r}")
