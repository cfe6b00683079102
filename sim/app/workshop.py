"""The model behind the workshop page: one market, or two side by side on the same customers.

:class:`Workshop` wraps one or two :class:`MarketModel` instances built from the
same seed, so both start with the very same customers and network; in the second
market the first firm runs another policy. Levers act live: a change made while
the market runs applies from the next month (as NetLogo reads its sliders every
tick), and every lever change and shock is logged as an :class:`Event` with its
month. A Workshop belongs to one browser session and is only ever touched by
that session's player thread (``sim.app.player``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.app.labels import LEVERS, SMOOTHED, scenario_choices, shock_kinds
from sim.model import MarketModel
from sim.policies import POLICIES
from sim.scenario import FirmSpec, Scenario, resolve_scenario

HISTORY = ("trust", "bond", "customers", "churn_rate_annual", "profit")


@dataclass(frozen=True)
class Settings:
    """What a Reset builds: the market menu's choice, seed, side-by-side choice, horizon and size."""

    market: str = ""
    seed: int = 0
    side_by_side: bool = False
    compare_with: str = "Permanent exit"
    years: float | None = None  # None = the scenario's own horizon
    customers: int | None = None
    extra: str | None = None  # scenario file or preset given on the command line


@dataclass(frozen=True)
class Event:
    """A shock or a lever change, from ``month`` on; ``tag`` labels its line on the charts (E1, E2, ...)."""

    tag: str
    month: int
    kind: str  # a shock kind or "lever"
    text: str


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
        return smoothed(name, np.vstack(self.history[name]))


def smoothed(name: str, data: np.ndarray) -> np.ndarray:
    """Churn and profit as trailing 12-month means (the months there are, at the start); others as they are."""
    if name not in SMOOTHED:
        return data
    cum = np.cumsum(np.nan_to_num(data), axis=0)
    n = np.arange(1, len(data) + 1)[:, None]
    shifted = np.vstack([np.zeros((1, data.shape[1])), cum])[np.maximum(n[:, 0] - 12, 0)]
    return (cum - shifted) / np.minimum(n, 12)


def market_scenario(choice: str, extra: str | None = None) -> Scenario:
    """The scenario behind a label of the market menu (or a file path / preset name)."""
    choices = scenario_choices(extra)
    return resolve_scenario(choices[choice] if choice in choices else choice)


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


class Workshop:
    """What the page runs: a market, or two markets on the same customers (side by side).

    >>> w = Workshop(Settings(market="loyalty_lock_in", seed=3, side_by_side=True, customers=200))
    >>> [s.title for s in w.sides]
    ['A: Loyalty lock-in', 'B: Permanent exit']
    >>> w.step(); w.month
    1
    """

    def __init__(self, settings: Settings = Settings()):
        self.settings = settings
        base = market_scenario(settings.market, settings.extra) if settings.market else resolve_scenario(settings.extra)
        if settings.customers is not None:
            base = base.model_copy(
                update={"customers": base.customers.model_copy(update={"count": settings.customers})}
            )
        base = base.with_changes(seed=int(settings.seed), years=settings.years)
        self.base = base
        self.horizon = base.months
        self.sides = [Side("A: " + base.firms[0].name if settings.side_by_side else base.name, MarketModel(base))]
        if settings.side_by_side:
            b = with_first_policy(base, policy_name(settings.compare_with))
            self.sides.append(Side("B: " + b.firms[0].name, MarketModel(b)))
        for side in self.sides:
            side.model.release()  # no agents are added later; let Mesa forget the model
            side.record()
        self.events: list[Event] = []

    @property
    def side_by_side(self) -> bool:
        return len(self.sides) == 2

    @property
    def month(self) -> int:
        return self.sides[0].model.steps

    @property
    def at_horizon(self) -> bool:
        return self.month >= self.horizon

    @property
    def firm_names(self) -> list[str]:
        """The firms of the first market (the ones the shock controls address)."""
        return [f.name for f in self.sides[0].model.firms]

    def lever_targets(self) -> list[tuple[int, int, str]]:
        """(side, firm, label) of every firm whose levers the page offers: market A's firms, and B's first firm.

        A rival's levers are the same firm's in both markets, so they change in both at once.
        """
        names = self.firm_names
        targets = [(0, g, ("A: " if self.side_by_side else "") + n) for g, n in enumerate(names)]
        if self.side_by_side:
            targets.append((1, 0, "B: " + self.sides[1].model.firms[0].name))
        return targets

    def levers(self, side: int, firm: int) -> dict[str, float]:
        lv = self.sides[side].model.firms[firm].levers
        return {name: getattr(lv, name) for name in LEVERS}

    def step(self) -> None:
        for side in self.sides:
            side.model.step()
            side.record()

    def _log(self, kind: str, text: str) -> Event:
        event = Event(f"E{len(self.events) + 1}", self.month + 1, kind, text)
        self.events.append(event)
        return event

    def fire(self, kind: str, firm: int = 0, severity: float = 0.5) -> Event:
        """Start a shock next month in every market; ``firm`` is the firm's position (same in both markets)."""
        if kind not in shock_kinds():
            raise ValueError(f"unknown shock {kind!r}")
        names = []
        for side in self.sides:
            target = side.model.firms[firm].name if shock_kinds()[kind][2] else None
            side.model.fire_shock(kind, firm=target, severity=severity)
            if target and target not in names:
                names.append(target)
        at = "" if not names else f" at {names[0]}" if len(names) == 1 else f" at {names[0]} (A) / {names[1]} (B)"
        return self._log(kind, shock_kinds()[kind][0] + at)

    def set_lever(self, side: int, firm: int, lever: str, value: float) -> Event | None:
        """Change a lever from next month on; a rival's lever changes in both markets. None if unchanged."""
        if lever not in LEVERS:
            raise ValueError(f"unknown lever {lever!r}")
        target = self.sides[side].model.firms[firm]
        old = getattr(target.levers, lever)
        value = type(old)(value)
        if value == old:
            return None
        sides = [self.sides[side]] if (firm == 0 or not self.side_by_side) else self.sides
        for s in sides:
            s.model.firms[firm].set_levers(**{lever: value})
        who = ("B: " if side == 1 else "A: " if self.side_by_side and firm == 0 else "") + target.name
        return self._log("lever", f"{who}: {LEVERS[lever][0].lower()} {old:g} → {value:g}")

    def table(self) -> pd.DataFrame:
        """The charts' data as a tidy table: one row per market, firm and month."""
        return history_table([(s.title, [f.name for f in s.model.firms], s.history) for s in self.sides])

    def scenario_now(self, name: str) -> Scenario:
        """Market A's scenario with the firms' current levers, as a preset scenario for ``crsim run``."""
        side = self.sides[0]
        firms = []
        for spec, firm in zip(side.model.scenario.firms, side.model.firms, strict=True):
            preset = POLICIES[spec.policy].levers.model_dump()
            now = firm.levers.model_dump()
            firms.append(
                FirmSpec.model_validate(
                    {
                        "name": spec.name,
                        "policy": spec.policy,
                        "levers": {k: v for k, v in now.items() if v != preset[k]},
                    }
                )
            )
        return self.base.model_copy(
            update={
                "name": name,
                "description": f"Levers saved from the workshop page at month {self.month}.",
                "firms": firms,
            }
        )


def history_table(sides: list[tuple[str, list[str], dict[str, list[np.ndarray]]]]) -> pd.DataFrame:
    """Tidy table of chart histories: market, firm, month, year and the charted outcomes (as the charts show them)."""
    frames = []
    for title, firms, history in sides:
        months = len(history[HISTORY[0]])
        cols = {name: smoothed(name, np.vstack(history[name])).ravel() for name in HISTORY}
        frames.append(
            pd.DataFrame(
                {
                    "market": title,
                    "firm": np.tile(firms, months),
                    "month": np.repeat(np.arange(months), len(firms)),
                    **cols,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out.insert(3, "year", out["month"] / 12)
    return out


def policy_name(choice: str) -> str:
    """The registered policy name of a policy or its plain-language label."""
    if choice in POLICIES:
        return choice
    for name, cls in POLICIES.items():
        if cls.label == choice:
            return name
    raise ValueError(f"unknown policy {choice!r}")
