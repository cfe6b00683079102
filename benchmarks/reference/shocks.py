"""Every shock kind of ``sim.mechanisms.shocks``, written agent by agent.

Each kind is a pair of functions - what happens in the month it starts, and what holds in
every month while it lasts - keyed by the kind's registered name. ``tests/test_shocks.py``
fails when a registered kind has no entry here, so a kind cannot exist in one engine only.
"""

from __future__ import annotations

from collections.abc import Callable


def nothing(model, shock, firm) -> None:
    """The default of a kind that does nothing at its start (or nothing each month)."""


def scandal_starts(model, shock, firm) -> None:
    """``Scandal.start``: everyone's opinion of the firm and its customers' trust drop; its customers look around."""
    for c in model.customer_agents:
        c.opinion[firm.index] *= 1 - shock.severity
        if c.firm is firm:
            c.trust *= 1 - shock.severity
            c.triggered = True


def price_war_month(model, shock, firm) -> None:
    """``PriceWar.each_month``: the firm sells below its list price."""
    firm.price_factor *= 1 - shock.severity


def recession_starts(model, shock, firm) -> None:
    """``Recession.start``: every customer's needs move part of the way to the market's centre."""
    keep = 1 - model.scenario.customers.recession_contraction * shock.severity
    for c in model.customer_agents:
        c.needs = [n * keep for n in c.needs]


def recession_month(model, shock, firm) -> None:
    """``Recession.each_month``: money is tight, price sensitivity rises."""
    model.recession = max(model.recession, shock.severity)


Rule = Callable[..., None]
#: kind -> (at the start, each month while it lasts)
SHOCK_RULES: dict[str, tuple[Rule, Rule]] = {
    "scandal": (scandal_starts, nothing),
    "price_war": (nothing, price_war_month),
    "recession": (recession_starts, recession_month),
}


def apply_shocks(model) -> None:
    """``shocks.apply_shocks``: start what starts this month, keep going what lasts."""
    model.recession = 0.0
    for firm in model.firm_agents:
        firm.price_factor = 1.0
    for shock in model.scenario.shocks:
        start = max(1, round(shock.year * 12))
        firm = next((f for f in model.firm_agents if f.name == shock.firm), None)
        at_start, each_month = SHOCK_RULES[shock.kind]
        if model.month == start:
            at_start(model, shock, firm)
        if start <= model.month < start + shock.months:
            each_month(model, shock, firm)
