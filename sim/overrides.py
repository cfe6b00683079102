"""Parameter overrides from the command line (``--set DOTTED=VALUE``), and writing a scenario back as TOML.

>>> parse_set("levers.exit_fee=3")
('levers.exit_fee', 3)
>>> parse_set("network.kind=scale_free"), parse_set("mechanisms.word_of_mouth=false")
(('network.kind', 'scale_free'), ('mechanisms.word_of_mouth', False))
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.parameters import canonical, set_parameters
from sim.scenario import Scenario, ScenarioError


def parse_set(text: str) -> tuple[str, Any]:
    """``name=value`` -> (dotted name, value); the value is read as TOML (number, true/false), else as text."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip() or not raw.strip():
        raise ScenarioError(f"command line: --set {text}: expected NAME=VALUE, e.g. --set levers.exit_fee=3")
    try:
        name = canonical(name.strip())
    except ValueError as err:
        raise ScenarioError(f"command line: --set {text}: {err}") from None
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return name, value


def parse_sets(texts: Sequence[str] | None) -> dict[str, Any]:
    """All ``--set`` options as one dict of dotted name -> value (a later one wins)."""
    return dict(parse_set(t) for t in texts or [])


def apply_sets(scenario: Scenario, sets: dict[str, Any]) -> Scenario:
    """The scenario with the overrides applied; a bad value is one line naming the option."""
    try:
        return set_parameters(scenario, sets)
    except ScenarioError as err:
        raise ScenarioError(f"command line: --set: {str(err).removeprefix(scenario.name + ': ')}") from None


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_value(x)}" for k, x in v.items() if x is not None) + " }"
    return repr(v)


def scenario_toml(scenario: Scenario) -> str:
    """The scenario as a TOML scenario file (fields left unset are omitted), read back equal by load_scenario."""
    data = scenario.model_dump(mode="json")
    lines = [f"{k} = {_value(v)}" for k, v in data.items() if not isinstance(v, dict | list) and v is not None]
    for key, section in data.items():
        if isinstance(section, dict):
            lines += ["", f"[{key}]", *(f"{k} = {_value(v)}" for k, v in section.items() if v is not None)]
    for key in ("firms", "shocks"):
        for item in data[key]:
            lines += ["", f"[[{key}]]", *(f"{k} = {_value(v)}" for k, v in item.items() if v is not None)]
    return "\n".join(lines) + "\n"


def write_scenario(scenario: Scenario, path: Path) -> Path:
    """Write ``scenario`` as a TOML file at ``path``; returns the path."""
    path.write_text(scenario_toml(scenario), encoding="utf-8")
    return path
