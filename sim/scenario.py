"""Reading, checking and naming scenarios.

A scenario comes from a TOML file (``load_scenario``), from a policy preset's
name (that policy's firm against business-as-usual rivals on the same
customers, ``preset_scenario``) or is the default market in which one firm of
each preset competes (``default_market``). Bad input raises
:class:`ScenarioError`, whose message is one line naming the file and the field.
"""

from __future__ import annotations

import stat
import tomllib
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.params import FirmSpec, Scenario
from sim.policies import POLICIES, suggest

RIVALS = ("Rival A", "Rival B", "Rival C")
DEFAULT_CUSTOMERS = 2000


class ScenarioError(ValueError):
    """Bad input file or value; the message is one line: ``source: field: problem``."""


MAX_FILE_BYTES = 10_000_000  # a scenario or experiment file is a few kB


def read_text(path: str | Path, what: str = "file") -> str:
    """The UTF-8 text of a small regular file (a byte-order mark is dropped); one-line ``ScenarioError`` else."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file") from None
    except OSError as err:  # a symbolic link loop, a name too long, a folder that cannot be entered
        raise ScenarioError(f"{path}: cannot be read ({err.strerror or err})") from None
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError(f"{path}: is a directory, not a {what}")
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError(f"{path}: not a regular file (a pipe, socket or device), not a {what}")
    if info.st_size > MAX_FILE_BYTES:
        raise ScenarioError(f"{path}: {info.st_size:,} bytes is too large for a {what}")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ScenarioError(f"{path}: cannot be read ({err.strerror or err})") from None
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        raise ScenarioError(f"{path}: not UTF-8 text (byte {err.start})") from None


def load_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file, turning an unreadable file or bad syntax into a one-line ``ScenarioError``."""
    text = read_text(path, "TOML file")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{path}: not valid TOML: {err}") from None
    except RecursionError:
        raise ScenarioError(f"{path}: not valid TOML: nested too deeply") from None


def validate(data: dict[str, Any], schema: type[BaseModel], source: str) -> Any:
    """Validate ``data`` against ``schema``; on failure one line naming ``source`` and the field."""
    try:
        return schema.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(f"{source}: {describe(err, schema)}") from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file."""
    return validate(load_toml(path), Scenario, str(path))


def describe(err: ValidationError, schema: type[BaseModel]) -> str:
    """The first problem of a validation error as 'field: problem', with a suggestion for typos."""
    problems = err.errors()
    first = problems[0]
    loc = first["loc"]
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    if first["type"] == "extra_forbidden":
        fields = _fields_at(schema, loc[:-1])
        text = f"unknown field {loc[-1]!r}{suggest(str(loc[-1]), fields)}"
    elif first["type"] == "missing":
        text = "required field is missing"
    else:
        text = first["msg"].removeprefix("Value error, ")
        if "input" in first and not isinstance(first["input"], dict | list):
            text += f" (got {first['input']!r})"
    more = f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})" if len(problems) > 1 else ""
    return f"{where + ': ' if where else ''}{text}{more}"


def _fields_at(schema: type[BaseModel] | None, loc: tuple) -> list[str]:
    """Field names of the (nested) schema class found by following ``loc``."""
    for part in loc:
        if schema is None:
            return []
        if isinstance(part, int):
            continue
        field = schema.model_fields.get(part)
        schema = _model_in(field.annotation) if field else None
    return list(schema.model_fields) if schema else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found:
            return found
    return None


def preset_scenario(policy: str, *, customers: int = DEFAULT_CUSTOMERS) -> Scenario:
    """A market in which a firm running ``policy`` meets business-as-usual rivals on the same customers."""
    if policy not in POLICIES:
        raise ScenarioError(f"unknown policy {policy!r}{suggest(policy, POLICIES)}")
    firms = [FirmSpec(name=POLICIES[policy].label, policy=policy)]
    firms += [FirmSpec(name=rival, policy="business_as_usual") for rival in RIVALS]
    return Scenario(
        name=policy,
        description=f"{POLICIES[policy].label} against three business-as-usual rivals.",
        customers={"count": customers},
        firms=firms,
    )


def default_market(*, customers: int = DEFAULT_CUSTOMERS) -> Scenario:
    """The default market: one firm of each registered policy competing for the same customers."""
    firms = [FirmSpec(name=cls.label, policy=name) for name, cls in POLICIES.items()]
    return Scenario(
        name="market",
        description="One firm of each policy preset competes for the same customers.",
        customers={"count": customers},
        firms=firms,
    )


def resolve_scenario(scenario: Scenario | str | Path | None) -> Scenario:
    """A scenario from an object, a file path, a preset name, 'market', or None (the default market)."""
    if scenario is None or scenario == "market":
        return default_market()
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, str) and scenario in POLICIES:
        return preset_scenario(scenario)
    path = Path(scenario)
    if path.suffix == ".toml" or path.exists() or path.is_symlink():
        return load_scenario(path)
    names = [*POLICIES, "market"]
    raise ScenarioError(
        f"{scenario}: not a scenario file or preset{suggest(str(scenario), names)} (presets: {', '.join(names)})"
    )
