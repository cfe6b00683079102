"""Writing a scenario (its ``model_dump``) as a TOML file that ``crsim run`` reads back unchanged.

Scenario data are tables of scalars, a list of firms (each with a table of lever overrides) and a list of
shocks: a small, fixed shape, so a few lines do instead of another dependency.

>>> import tomllib
>>> data = {"name": "m", "years": 2.0, "customers": {"count": 10}, "firms": [{"name": "A", "levers": {"price": 1.0}}]}
>>> tomllib.loads(dumps(data)) == data
True
"""

from __future__ import annotations

import json
from typing import Any


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        items = [f"{k} = {_value(x)}" for k, x in v.items() if x is not None]
        return "{ " + ", ".join(items) + " }" if items else "{}"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def dumps(data: dict[str, Any]) -> str:
    """TOML text of a scenario's data; ``None`` values (unset overrides) are left out."""
    head, tables, arrays = [], [], []
    for key, v in data.items():
        if v is None:
            continue
        if isinstance(v, dict):
            tables.append(f"\n[{key}]\n" + "".join(f"{k} = {_value(x)}\n" for k, x in v.items() if x is not None))
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            for item in v:
                lines = "".join(f"{k} = {_value(x)}\n" for k, x in item.items() if x is not None and x != {})
                arrays.append(f"\n[[{key}]]\n{lines}")
        else:
            head.append(f"{key} = {_value(v)}\n")
    return "".join(head) + "".join(tables) + "".join(arrays)
