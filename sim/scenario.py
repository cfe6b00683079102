"""Scenarios: what a market is (the schema of a whole run), and reading, checking and naming them.

A :class:`Scenario` is the market's sections (``sim.params``), its firms (each a
registered policy preset with overrides, :class:`FirmSpec`) and its shocks (each a
registered shock kind, :class:`Shock`). A scenario comes from a TOML file (``load_scenario``), from a policy preset's
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

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from sim.mechanisms.shocks import SHOCKS
from sim.params import (
    Behaviour,
    Customers,
    Economics,
    LeverOverrides,
    Levers,
    Measures,
    Mechanisms,
    Network,
    ServiceScores,
    Share,
    Strict,
)
from sim.policies import POLICIES
from sim.util import suggest

RIVALS = ("Rival A", "Rival B", "Rival C")
#: The default market: the six named policies of the model brief, one firm each. An explicit list, so that
#: registering a new policy changes no baseline.
DEFAULT_MARKET = (
    "business_as_usual",
    "loyalty_lock_in",
    "permanent_exit",
    "empowered_staff",
    "budget_sales",
    "relationship_first",
)
DEFAULT_CUSTOMERS = 2000


#: Default burn-in. The start is a guessed market - customers spread over firms regardless of fit, trust,
#: tenure and bond drawn from guesses - that relaxes at the model's slowest rates: trust (time constant
#: 1/trust_gain = 20 months), the spread of needs (variance relaxes at 2·needs_reversion, ~50 months) and
#: tenure (at the churn rate). On the default market (2,000 customers, seeds 1-3) every firm's mean trust is
#: within 0.02 of its level in years 10-15 after five years, but 0.03-0.05 short of it after three; churn per
#: customer-year has settled by then too. The devoted share, built by bond over long tenures, still creeps up.
BURN_IN_YEARS = 5.0


class FirmSpec(Strict):
    """One firm in the market: a name, a policy preset and optional lever overrides."""

    name: str = Field(min_length=1, max_length=40, description="the firm's name as shown in results")
    policy: str = Field(description="name of a registered policy preset")
    levers: LeverOverrides = Field(default_factory=LeverOverrides)  # type: ignore[valid-type]
    enters_year: float = Field(
        0.0, ge=0, le=100, description="year in which the firm enters the market (0 = present from the start)"
    )

    @model_validator(mode="after")
    def _known_policy(self) -> FirmSpec:
        if self.policy not in POLICIES:
            raise ValueError(f"unknown policy {self.policy!r}{suggest(self.policy, POLICIES)}")
        return self

    def resolved_levers(self) -> Levers:
        """The preset's levers with this firm's overrides applied."""
        base = POLICIES[self.policy].levers.model_dump()
        base.update(self.levers.model_dump(exclude_none=True))
        return Levers(**base)


class Shock(Strict):
    """An event a scenario schedules: a scandal, a competitor's price war, a recession, ...

    ``kind`` names a registered shock kind (:data:`sim.mechanisms.shocks.SHOCKS`), which says
    whether the shock needs a firm and what it does.
    """

    kind: str = Field(description="what happens: the name of a registered shock kind")
    year: float = Field(ge=0, le=100, description="when it starts, in simulated years")
    firm: str | None = Field(None, description="the firm hit by a scandal or starting a price war")
    severity: Share = Field(
        0.5, description="strength: trust lost, price cut, or how far needs contract and price sensitivity rises"
    )
    months: int = Field(12, ge=1, le=120, description="how long a price war or recession lasts")

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind not in SHOCKS:
            raise ValueError(f"unknown shock kind {kind!r}{suggest(kind, SHOCKS)} (kinds: {', '.join(SHOCKS)})")
        return kind

    @model_validator(mode="after")
    def _firm_needed(self) -> Shock:
        if SHOCKS[self.kind].needs_firm and self.firm is None:
            raise ValueError(f"a {self.kind} needs a firm")
        return self


class Scenario(Strict):
    """A market: customers, their network and behaviour, firms with policies, and shocks."""

    name: str = Field("market", min_length=1, description="short name, stamped on every result row")
    description: str = Field("", description="what the scenario is for")
    years: float = Field(10.0, gt=0, le=100, description="horizon in simulated years (a step is a month)")
    seed: int | None = Field(
        None, ge=0, description="seed of the run; all randomness flows from it (none = fresh entropy, recorded)"
    )
    burn_in_years: float = Field(
        BURN_IN_YEARS,
        ge=0,
        le=50,
        description="years simulated before step 0 and not recorded, so results start from a settled market",
    )
    customers: Customers = Field(default_factory=Customers)
    network: Network = Field(default_factory=Network)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    economics: Economics = Field(default_factory=Economics)
    mechanisms: Mechanisms = Field(default_factory=Mechanisms)
    scores: ServiceScores = Field(default_factory=ServiceScores)
    measures: Measures = Field(default_factory=Measures)
    firms: list[FirmSpec] = Field(min_length=1, max_length=16)
    shocks: list[Shock] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        names = [f.name for f in self.firms]
        keys = [" ".join(n.split()).casefold() for n in names]  # "A", "a" and "A " are one name to a reader
        dupes = [n for n, k in zip(names, keys, strict=True) if keys.count(k) > 1]
        if dupes:
            raise ValueError(
                f"firm names must differ by more than case or spaces, repeated: {', '.join(map(repr, dupes))}"
            )
        for shock in self.shocks:
            if shock.firm is not None and shock.firm not in names:
                raise ValueError(f"shock names unknown firm {shock.firm!r}{suggest(shock.firm, names)}")
        if self.network.degree >= self.customers.count:
            raise ValueError("network.degree must be smaller than customers.count")
        if all(f.enters_year > 0 for f in self.firms):
            raise ValueError("at least one firm must be in the market from the start (enters_year = 0)")
        return self

    @property
    def months(self) -> int:
        """Number of monthly steps in the horizon."""
        return max(1, round(self.years * 12))

    @property
    def burn_in_months(self) -> int:
        """Number of months simulated before step 0."""
        return round(self.burn_in_years * 12)

    def with_changes(self, **changes: Any) -> Scenario:
        """A validated copy with fields changed, e.g. ``years=5, seed=3``; None leaves a field alone.

        A dict for a section changes only the fields it names: ``customers={"count": 800}`` keeps the
        section's other values.
        """
        data = self.model_dump()
        for key, value in changes.items():
            if value is None:
                continue
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                value = {**data[key], **value}
            data[key] = value
        return Scenario.model_validate(data)


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
        customers=Customers(count=customers),
        firms=firms,
    )


def default_market(*, customers: int = DEFAULT_CUSTOMERS) -> Scenario:
    """The default market: one firm of each of the six named policies competing for the same customers."""
    firms = [FirmSpec(name=POLICIES[name].label, policy=name) for name in DEFAULT_MARKET]
    return Scenario(
        name="market",
        description="One firm of each of the six named policy presets competes for the same customers.",
        customers=Customers(count=customers),
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
