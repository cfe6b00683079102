"""Parameters by dotted name: the flat view of a scenario that samplers, optimisers and batch runners use.

A name is ``section.field`` with section one of ``customers``, ``network``, ``behaviour``, ``economics``,
``mechanisms`` (switches) or ``levers`` (the focal firm's levers), e.g. ``levers.exit_fee`` or
``customers.needs_volatility``; ``section__field`` is the same name in a form Python keywords allow.

>>> import sim
>>> s = sim.set_parameters(sim.preset_scenario("permanent_exit"), {"customers.count": 800, "levers.exit_fee": 3})
>>> s.customers.count, s.firms[0].levers.exit_fee, s.customers.relationship_seekers
(800, 3.0, 0.4)
>>> bounds("levers.exit_fee")
(0.0, 24.0)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.params import Behaviour, Customers, Economics, Levers, Measures, Mechanisms, Network, ServiceScores
from sim.scenario import Scenario
from sim.util import suggest

SECTIONS: dict[str, type[BaseModel]] = {
    "customers": Customers,
    "network": Network,
    "behaviour": Behaviour,
    "economics": Economics,
    "mechanisms": Mechanisms,
    "scores": ServiceScores,
    "measures": Measures,
    "levers": Levers,
}


def parameter_names() -> list[str]:
    """Every dotted parameter name, e.g. ``levers.exit_fee`` or ``customers.needs_volatility``."""
    return [f"{section}.{field}" for section, schema in SECTIONS.items() for field in schema.model_fields]


def canonical(name: str) -> str:
    """``customers__count`` -> ``customers.count``; raises ValueError for an unknown name, with a suggestion."""
    if "." not in name and "__" in name:
        name = name.replace("__", ".", 1)
    if name not in parameter_names():
        raise ValueError(f"unknown parameter {name!r}{suggest(name, parameter_names())}")
    return name


def field_of(name: str):
    """The pydantic field behind a dotted name."""
    section, field = canonical(name).split(".", 1)
    return SECTIONS[section].model_fields[field]


def is_integer(name: str) -> bool:
    """Whether the field behind a parameter name holds whole numbers (sampled values are rounded)."""
    return field_of(name).annotation is int


def is_switch(name: str) -> bool:
    """Whether the field is an on/off switch (``mechanisms.X``)."""
    return field_of(name).annotation is bool


def bounds(name: str) -> tuple[float, float]:
    """The schema's ``[low, high]`` of a numeric parameter (a ``Share`` is ``[0, 1]``)."""
    field = field_of(name)
    low = high = None
    for m in field.metadata:
        low = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else low
        low = getattr(m, "gt", None) if getattr(m, "gt", None) is not None else low
        high = getattr(m, "le", None) if getattr(m, "le", None) is not None else high
        high = getattr(m, "lt", None) if getattr(m, "lt", None) is not None else high
    if low is None or high is None or field.annotation not in (int, float):
        raise ValueError(f"{name}: has no numeric bounds in the schema")
    return (float(low), float(high)) if field.annotation is float else (int(low), int(high))


def describe_parameter(name: str) -> str:
    """The field's one-line meaning from the schema."""
    return field_of(name).description or ""


def apply(data: dict[str, Any], focal: int, values: Mapping[str, Any]) -> dict[str, Any]:
    """Scenario data (a ``model_dump``) with parameter values set in place (focal firm's levers); returns it."""
    for raw, value in values.items():
        name = canonical(raw)
        section, field = name.split(".", 1)
        if is_integer(name) and not isinstance(value, bool):
            value = int(round(value))
        if section == "levers":
            data["firms"][focal]["levers"][field] = value
        else:
            data[section][field] = value
    return data


def set_parameters(scenario: Scenario, values: Mapping[str, Any], *, firm: int | str = 0) -> Scenario:
    """A validated copy of ``scenario`` with parameters set by dotted name; ``levers.X`` go to ``firm``.

    ``firm`` is the firm's position or name (default: the first, the focal firm). Raises
    :class:`sim.ScenarioError` with one line naming the parameter for an unknown name or a bad value.
    """
    from sim.scenario import ScenarioError, describe

    if not values:
        return scenario
    names = [f.name for f in scenario.firms]
    if isinstance(firm, str):
        if firm not in names:
            raise ScenarioError(f"{scenario.name}: firm: unknown firm {firm!r}{suggest(firm, names)}")
        firm = names.index(firm)
    try:
        data = apply(scenario.model_dump(), firm, values)
    except ValueError as err:
        raise ScenarioError(f"{scenario.name}: {err}") from None
    except TypeError as err:
        raise ScenarioError(f"{scenario.name}: {err}") from None
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(f"{scenario.name}: {describe(err, Scenario)}") from None
