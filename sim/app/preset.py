"""Save a lever set from the page as a scenario file that ``crsim run`` and ``crsim app`` read.

TOML is written by hand here (the standard library reads TOML but does not write it),
for exactly the shapes a :class:`Scenario` has: scalars, tables of scalars, arrays of
tables. The file is written atomically and read back through the scenario loader
before it is kept, so what the page saves is what ``crsim run`` will accept.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

from sim.runner import write_atomic
from sim.scenario import Scenario, validate

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def scenario_toml(scenario: Scenario) -> str:
    """The scenario as TOML text (values equal to the schema's defaults are left out)."""
    data = scenario.model_dump(exclude_defaults=True, exclude_none=True)
    data["name"] = scenario.name
    data["firms"] = []
    for firm in scenario.firms:
        levers = firm.levers.model_dump(exclude_none=True)
        data["firms"].append({"name": firm.name, "policy": firm.policy, **({"levers": levers} if levers else {})})
    lines = [f"{k} = {_value(v)}" for k, v in data.items() if not isinstance(v, dict | list)]
    for k, v in data.items():
        if isinstance(v, dict):
            lines += ["", f"[{k}]", *(f"{kk} = {_value(vv)}" for kk, vv in v.items())]
    for k, v in data.items():
        if isinstance(v, list):
            for row in v:
                lines += ["", f"[[{k}]]", *(f"{kk} = {_value(vv)}" for kk, vv in row.items())]
    return "\n".join(lines) + "\n"


def save_preset(scenario: Scenario, folder: Path) -> Path:
    """Write ``folder/<scenario.name>.toml``; the name must be a plain file name (letters, digits, - and _)."""
    if not NAME.match(scenario.name):
        raise ValueError(f"name {scenario.name!r}: use letters, digits, '-' and '_' only (at most 40)")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{scenario.name}.toml"
    text = scenario_toml(scenario)
    validate(tomllib.loads(text), Scenario, str(path))  # what the page saves must load, or nothing is written
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return path
