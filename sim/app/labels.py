"""Plain-language names, explanations and colours for the workshop page."""

from __future__ import annotations

from pathlib import Path

from sim.metrics import OUTCOMES as DECLARED
from sim.policies import POLICIES
from sim.typology import TYPES

#: Relationship types in plain language, with a colour each (Okabe-Ito).
TYPE_LABELS = {name: DECLARED[name].label for name in TYPES}  # declared in sim/metrics.py
assert set(TYPE_LABELS) == set(TYPES)

#: The levers a facilitator can pull per firm: (label, explanation, min, max, step).
LEVERS = {
    "contract_term": (
        "Contract term (months)",
        "Minimum contract length, renewed automatically. 0 means customers may leave any month.",
        0,
        36,
        1,
    ),
    "exit_fee": (
        "Exit fee (monthly prices)",
        "What a customer pays for leaving before the contract ends, in monthly prices.",
        0.0,
        12.0,
        0.5,
    ),
    "staff_authority": (
        "Staff empowerment",
        "Chance that front-line staff may and can solve a complaint at first contact "
        "(0 = must escalate everything, 1 = always decide themselves).",
        0.0,
        1.0,
        0.05,
    ),
    "sales_pressure": (
        "Sales pressure",
        "Share of contacts with existing customers that push an offer (sales bonuses) "
        "rather than caring for the customer.",
        0.0,
        1.0,
        0.05,
    ),
    "acquisition_discount": (
        "Discount for new customers",
        "Price cut offered to new customers only; existing customers pay full price (the loyalty penalty).",
        0.0,
        0.6,
        0.05,
    ),
    "service_capacity": (
        "Service capacity",
        "Escalated complaints the back office solves per month per 100 customers. Too little and queues grow.",
        0.0,
        10.0,
        0.5,
    ),
}

#: Outcome charts over simulated years: metric -> (title, explanation); titles are declared with each outcome.
OUTCOMES = {
    name: (DECLARED[name].label, text)
    for name, text in {
        "trust": "Average trust of the firm's customers in the firm (0 to 1).",
        "bond": "Average emotional bond of the firm's customers (0 to 1).",
        "customers": "Customers with the firm.",
        "churn_rate_annual": "Share of customers leaving per year (average of the last 12 months).",
        "profit": "Revenue minus costs per month (average of the last 12 months).",
    }.items()
}
SMOOTHED = ("churn_rate_annual", "profit")


def shock_kinds() -> dict[str, tuple[str, str, bool]]:
    """The shocks a facilitator can fire, from the shock registry: kind -> (label, explanation, hits a chosen firm)."""
    from sim.mechanisms.shocks import SHOCKS

    return {name: (kind.label, kind.description, kind.needs_firm) for name, kind in SHOCKS.items()}


DEFAULT_MARKET = "Default market: one firm of each of the six named policies"


def preset_label(policy: str) -> str:
    """'Loyalty lock-in vs. three rivals' for a preset market."""
    return f"{POLICIES[policy].label} vs. three rivals"


def policy_labels() -> dict[str, str]:
    """Plain-language policy name -> registered policy name."""
    return {cls.label: name for name, cls in POLICIES.items()}


def scenario_choices(extra: str | None = None) -> dict[str, str | None]:
    """Label shown in the market menu -> what ``resolve_scenario`` takes (None = default market)."""
    choices: dict[str, str | None] = {DEFAULT_MARKET: None}
    choices.update({preset_label(name): name for name in POLICIES})
    if extra and extra not in POLICIES and extra != "market":
        choices = {f"File: {Path(extra).name}": extra, **choices}
    return choices


def first_choice(extra: str | None = None) -> str:
    """The market menu's label of the market given on the command line (default market if none)."""
    for label, value in scenario_choices(extra).items():
        if value == (None if extra in (None, "", "market") else extra):
            return label
    return DEFAULT_MARKET
