"""A claim's verdict in one market, in a sentence: for the workshop page's verdict panel.

``verdict(market, claim)`` finds a firm running each arm of the claim in the
market (a :class:`~sim.model.MarketModel`, its outcomes table, or a pair of
them shown side by side), reads the claim's outcome over its window for both
and says whether the claim holds there. One market is one replication, with
the two arms either competing in it or facing the same customers side by side;
the atlas, not one market, says where a claim holds in general.

>>> from sim.model import MarketModel
>>> from sim.scenario import FirmSpec
>>> from sim.scenario import preset_scenario
>>> s = preset_scenario("empowered_staff", customers=300).with_changes(years=5, seed=2)
>>> print(verdict(MarketModel(s).run(months=3), "empowered_staff_first_contact"))  # doctest: +ELLIPSIS
In this market, the claim "Empowered staff resolve more complaints at first contact" cannot be judged yet: ...
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from sim.claims.registry import Arm, Claim, describe_outcome, lookup


@dataclass(eq=False)
class _Firm:
    name: str
    policy: str
    table: Callable[[], pd.DataFrame]  # the market's outcomes, read only when a verdict needs them
    levers: dict[str, Any] | None  # None: unknown (a table)
    scenario: Any  # the market's Scenario, None for a table
    focal: bool
    customers: int | None

    @property
    def rows(self) -> pd.DataFrame:
        table = self.table()
        return table[table["firm"] == self.name]


def _firms(market: Any) -> list[_Firm]:
    from sim.model import MarketModel

    if isinstance(market, MarketModel):
        table = cache(market.outcomes)
        return [
            _Firm(
                f.name,
                f.policy_name,
                table,
                f.levers.model_dump(),
                market.scenario,
                i == 0,
                market.scenario.customers.count,
            )
            for i, f in enumerate(market.firms)
        ]
    if isinstance(market, pd.DataFrame):
        names = list(dict.fromkeys(market["firm"]))
        return [
            _Firm(n, str(market.loc[market["firm"] == n, "policy"].iloc[0]), lambda: market, None, None, i == 0,
                  None)
            for i, n in enumerate(names)
        ]  # fmt: skip
    raise TypeError(f"verdict needs a MarketModel, an outcomes table or a pair of them, not {type(market).__name__}")


def _runs(firm: _Firm, arm: Arm) -> bool:
    """Whether the firm runs the arm as declared: its policy preset with exactly the arm's settings."""
    from sim.policies import POLICIES

    if firm.policy != arm.policy:
        return False
    if firm.levers is None:
        return not arm.settings
    expected = {**POLICIES[arm.policy].levers.model_dump()}
    for name, value in arm.settings.items():
        section, field = name.split(".", 1)
        if section == "levers":
            expected[field] = value
        elif getattr(getattr(firm.scenario, section), field) != value:
            return False
    return all(np.isclose(firm.levers[k], v) for k, v in expected.items())


def plain_outcome(claim: type[Claim]) -> str:
    """The claim's outcome as the page names it: 'trust (average)', 'new customers (total per 100 customers ...)'."""
    from sim.metrics import OUTCOMES

    declared = OUTCOMES.get(claim.outcome)
    name = declared.label.lower() if declared is not None else claim.outcome.replace("_", " ")
    return describe_outcome(claim).replace(claim.outcome.replace("_", " "), name, 1).replace("(mean)", "(average)")


def window_value(rows: pd.DataFrame, claim: type[Claim], customers: int | None) -> float:
    """The claim's statistic of its outcome over its window for one firm in one run."""
    rows = rows[rows["step"].between(claim.window.first, claim.window.last)]
    if claim.statistic == "mean":
        return float(rows[claim.outcome].mean())
    if claim.statistic == "total_per_100":
        return float(rows[claim.outcome].sum() * 100 / customers) if customers else float("nan")
    total = rows["customers"].sum()
    return float(rows[claim.outcome].sum() * 100 / total) if total > 0 else float("nan")


def _all_firms(market: Any) -> list[_Firm]:
    markets = list(market) if isinstance(market, Sequence) and not isinstance(market, str) else [market]
    return [f for m in markets for f in _firms(m)]


def _choose(firms: list[_Firm], claim: type[Claim]) -> list[_Firm | None]:
    """A distinct firm for each arm (a focal firm first), None for an arm no firm runs."""
    chosen: list[_Firm | None] = []
    for arm in claim.arms():
        candidates = [f for f in firms if _runs(f, arm) and all(f is not c for c in chosen)]
        chosen.append(sorted(candidates, key=lambda f: not f.focal)[0] if candidates else None)
    return chosen


def arm_firms(market: Any, claim: str | type[Claim]) -> tuple[str | None, str | None]:
    """Names of the firms the verdict would read for the treatment and the control (None: no firm runs it)."""
    claim = lookup(claim) if isinstance(claim, str) else claim
    treated, control = _choose(_all_firms(market), claim)
    return (treated.name if treated else None, control.name if control else None)


def arm_name(arm: Arm) -> str:
    """An arm as a facilitator says it: 'Permanent exit', 'Business as usual with listening 0.2'."""
    from sim.policies import POLICIES

    label = POLICIES[arm.policy].label if arm.policy in POLICIES else arm.policy
    if not arm.settings:
        return label
    inner = ", ".join(f"{k.split('.', 1)[1].replace('_', ' ')} {v}" for k, v in arm.settings.items())
    return f"{label} with {inner}"


def _at(firm: _Firm, arm: Arm) -> str:
    """The firm by its name, with the arm's settings when the claim sets a lever: 'Business as usual (listening 0.2)'."""
    if not arm.settings:
        return firm.name
    return f"{firm.name} ({arm_name(arm).split(' with ', 1)[1]})"


def verdict(market: Any, claim: str | type[Claim]) -> str:
    """'In this market, the claim "..." holds: ...' (or fails, or cannot be judged and why)."""
    claim = lookup(claim) if isinstance(claim, str) else claim
    head = f'In this market, the claim "{claim.title}"'
    chosen = _choose(_all_firms(market), claim)
    for arm, firm in zip(claim.arms(), chosen, strict=True):
        if firm is None:
            return f"{head} cannot be judged: no firm runs {arm_name(arm)} as the claim declares it."
    treated, control = (f for f in chosen if f is not None)
    t_rows, c_rows = treated.rows, control.rows
    month = int(min(t_rows["step"].max(), c_rows["step"].max()))
    if month < claim.window.last:
        return (
            f"{head} cannot be judged yet: it reads {claim.window.label()} (up to month {claim.window.last}) "
            f"and the market is at month {month}."
        )
    if claim.statistic == "total_per_100" and (treated.customers is None or control.customers is None):
        return f"{head} cannot be judged from a table alone: it needs the market's size; pass the model."
    a, b = window_value(t_rows, claim, treated.customers), window_value(c_rows, claim, control.customers)
    effect = a - b
    if np.isnan(effect):
        return f"{head} cannot be judged: {claim.outcome} is not defined for both firms in {claim.window.label()}."
    holds = claim.sign() * effect > claim.min_effect
    needed = f"more than {claim.min_effect:+.3g}" if claim.sign() > 0 else f"less than {-claim.min_effect:+.3g}"
    return (
        f"{head} {'holds' if holds else 'fails'}: {plain_outcome(claim)} in {claim.window.label()} is "
        f"{a:.3g} at {_at(treated, claim.treatment)} against {b:.3g} at {_at(control, claim.control)}, "
        f"a difference of {effect:+.3g} ({needed} needed)."
    )
