"""The experiment schema: what a declared experiment holds, and reading it from TOML.

An experiment names a base scenario, the policies to compare on its focal firm,
what varies (a grid of values, or a sampled design over bounds), replications,
horizon, the outcomes to record and a master seed. Files are validated like
scenarios: a typo or an impossible value is one line naming the file and the
field (:class:`sim.ScenarioError`).

Parameters are named by dotted paths into the scenario: ``customers.X``,
``network.X``, ``behaviour.X``, ``economics.X``, ``mechanisms.X``, and
``levers.X`` for the focal firm's levers.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from sim.metrics import METRICS
from sim.parameters import SECTIONS, apply, is_integer, parameter_names  # noqa: F401 - re-exported
from sim.params import Strict
from sim.policies import POLICIES
from sim.scenario import Scenario, ScenarioError, load_toml, resolve_scenario, validate
from sim.typology import TYPES
from sim.util import suggest

OUTCOMES: tuple[str, ...] = (*METRICS, *TYPES)
SAMPLED = ("latin_hypercube", "sobol", "morris")


def _check_name(name: str) -> str:
    if name not in parameter_names():
        raise ValueError(f"unknown parameter {name!r}{suggest(name, parameter_names())}")
    return name


class Design(Strict):
    """What varies between runs: a full-factorial grid, or a sampled design over bounds."""

    kind: Literal["none", "grid", "latin_hypercube", "sobol", "morris"] = Field(
        "none",
        description="none = the base scenario only; grid = every combination of `values`; "
        "latin_hypercube, sobol, morris = sampled over `bounds` (SALib)",
    )
    values: dict[str, list[float | int | bool]] = Field(
        default_factory=dict, description="grid: parameter name -> list of values"
    )
    bounds: dict[str, tuple[float, float]] = Field(
        default_factory=dict, description="sampled designs: parameter name -> [low, high]"
    )
    samples: int = Field(
        16,
        ge=1,
        le=100_000,
        description="latin_hypercube: points; sobol: base samples N (a power of 2; "
        "N*(D+2) points, N*(2D+2) with second order); morris: trajectories",
    )
    second_order: bool = Field(False, description="sobol: also estimate second-order indices")
    levels: int = Field(4, ge=2, le=100, description="morris: grid levels of each parameter")

    @field_validator("bounds", mode="before")
    @classmethod
    def _pairs(cls, table: Any) -> Any:
        """TOML writes a pair as a list; strict types then check each bound."""
        if isinstance(table, dict):
            return {k: tuple(v) if isinstance(v, list) else v for k, v in table.items()}
        return table

    @field_validator("values", "bounds")
    @classmethod
    def _known(cls, table: dict) -> dict:
        for name in table:
            _check_name(name)
        return table

    @field_validator("values")
    @classmethod
    def _non_empty(cls, table: dict) -> dict:
        for name, values in table.items():
            if not values:
                raise ValueError(f"{name}: give at least one value")
        return table

    @model_validator(mode="after")
    def _consistent(self) -> Design:
        if self.kind == "grid" and (not self.values or self.bounds):
            raise ValueError("a grid design needs `values` (and no `bounds`)")
        if self.kind in SAMPLED and (not self.bounds or self.values):
            raise ValueError(f"a {self.kind} design needs `bounds` (and no `values`)")
        if self.kind == "none" and (self.values or self.bounds):
            raise ValueError("kind 'none' varies nothing: set kind to 'grid' or a sampled design")
        for name, (low, high) in self.bounds.items():
            if not low < high:
                raise ValueError(f"bounds of {name}: low must be below high (got [{low}, {high}])")
            if name.startswith("mechanisms."):
                raise ValueError(f"{name} is a switch: vary it in a grid, not a sampled design")
        if self.kind == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(f"sobol samples must be a power of 2 (got {self.samples})")
        if self.kind in ("sobol", "morris") and len(self.bounds) < 2:
            raise ValueError(f"a {self.kind} design needs at least two parameters")
        return self

    @property
    def parameters(self) -> list[str]:
        """Names of the varied parameters, in declaration order."""
        return list(self.values or self.bounds)


class Experiment(Strict):
    """A declared experiment: base scenario, policies, design, replications, horizon, outcomes, master seed."""

    name: str = Field(min_length=1, max_length=80, description="short name of the experiment")
    description: str = Field("", description="the question the experiment answers")
    scenario: str = Field(
        "market",
        description="base scenario: a file (relative to the experiment file), a policy preset's name, or 'market'",
    )
    focal_firm: str | None = Field(None, description="firm whose policy and levers vary (default: the first firm)")
    policies: list[str] | Literal["all"] = Field(
        default_factory=list,
        description="policy presets the focal firm runs in turn; 'all' = every preset; "
        "empty = keep the base scenario's policy",
    )
    reference: str | None = Field(None, description="policy the others are compared with (default: the first)")
    replications: int = Field(
        1, ge=1, le=10_000, description="runs per policy and design point, each with its own seed"
    )
    years: float | None = Field(None, gt=0, le=100, description="horizon in years (default: the scenario's)")
    customers: int | None = Field(None, ge=10, le=5_000_000, description="market size (default: the scenario's)")
    seed: int = Field(0, ge=0, description="master seed: every run's seed is spawned from it")
    common_random_numbers: bool = Field(
        True, description="replication k of every policy gets the same seed (same customers, network, shocks)"
    )
    common_random_numbers_across_points: bool = Field(
        False,
        description="replication k at every design point also gets the same seed (less noise in sweeps "
        "and sensitivity indices; points are then not independent)",
    )
    outcomes: list[str] = Field(default_factory=list, description="outcome columns to record (default: all)")
    fixed: dict[str, float | int | bool] = Field(
        default_factory=dict, description="parameter name -> value set in every run"
    )
    design: Design = Field(default_factory=Design)

    @field_validator("policies")
    @classmethod
    def _known_policies(cls, policies):
        if policies == "all":
            return list(POLICIES)
        for name in policies:
            if name not in POLICIES:
                raise ValueError(f"unknown policy {name!r}{suggest(name, POLICIES)}")
        if len(set(policies)) != len(policies):
            raise ValueError("policies repeat")
        return policies

    @field_validator("outcomes")
    @classmethod
    def _known_outcomes(cls, outcomes):
        for name in outcomes:
            if name not in OUTCOMES:
                raise ValueError(f"unknown outcome {name!r}{suggest(name, OUTCOMES)}")
        return outcomes

    @field_validator("fixed")
    @classmethod
    def _known_fixed(cls, table):
        for name in table:
            _check_name(name)
        return table

    @model_validator(mode="after")
    def _reference(self) -> Experiment:
        if self.reference is not None and self.policies and self.reference not in self.policies:
            raise ValueError(f"reference {self.reference!r} is not among the policies {self.policies}")
        return self

    def with_changes(self, **changes: Any) -> Experiment:
        """A validated copy with fields replaced (None leaves a field alone), e.g. ``replications=2, years=1``."""
        data = self.model_dump()
        data.update({k: v for k, v in changes.items() if v is not None})
        try:
            return Experiment.model_validate(data)
        except ValidationError as err:
            from sim.scenario import describe

            raise ScenarioError(f"{self.name}: {describe(err, Experiment)}") from None


def base_scenario(exp: Experiment, root: Path | None = None) -> Scenario:
    """The experiment's base scenario, with its horizon and market size applied."""
    ref = exp.scenario
    if root is not None and (root / ref).is_file():
        ref = str(root / ref)
    try:
        scenario = resolve_scenario(ref)
    except ScenarioError as err:
        raise ScenarioError(f"{exp.name}: scenario: {err}") from None
    changes: dict[str, Any] = {"years": exp.years}
    if exp.customers is not None:
        changes["customers"] = {**scenario.customers.model_dump(), "count": exp.customers}
    try:
        return scenario.with_changes(**changes)
    except ValidationError as err:
        from sim.scenario import describe

        raise ScenarioError(f"{exp.name}: {describe(err, Scenario)}") from None


def focal_index(exp: Experiment, scenario: Scenario) -> int:
    """Position of the focal firm in the scenario."""
    names = [f.name for f in scenario.firms]
    if exp.focal_firm is None:
        return 0
    if exp.focal_firm not in names:
        raise ValueError(f"focal_firm: unknown firm {exp.focal_firm!r}{suggest(exp.focal_firm, names)}")
    return names.index(exp.focal_firm)


def check(exp: Experiment, scenario: Scenario) -> None:
    """Every fixed value, grid value and bound must give a valid scenario; raises ValueError naming the field."""
    focal = focal_index(exp, scenario)
    probes = [("fixed", name, v) for name, v in exp.fixed.items()]
    probes += [("design.values", name, v) for name, vs in exp.design.values.items() for v in vs]
    probes += [("design.bounds", name, v) for name, vs in exp.design.bounds.items() for v in vs]
    for where, name, value in probes:
        data = apply(scenario.model_dump(), focal, {**exp.fixed, name: value})
        try:
            Scenario.model_validate(data)
        except ValidationError as err:
            problem = err.errors()[0]["msg"].removeprefix("Value error, ")
            raise ValueError(f"{where}.{name}: {problem} (got {value!r})") from None


PROJECT_SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def scenario_roots(path: Path) -> list[Path]:
    """Folders an experiment file may take its scenario file from: its own, and the project's ``scenarios/``."""
    return [path.resolve().parent, PROJECT_SCENARIOS, Path.cwd().resolve() / "scenarios"]


def load_experiment(path: str | Path, *, any_scenario: bool = False, **changes: Any) -> Experiment:
    """Read and validate an experiment file; ``changes`` override fields (e.g. ``replications=2``).

    The base scenario is resolved relative to the file's folder and stored in the experiment, so
    the experiment no longer depends on where it was read from. A scenario file must lie under the
    experiment's folder or the project's ``scenarios/`` (a file cannot make crsim read any file on the
    machine), unless ``any_scenario``.
    """
    path = Path(path)
    exp: Experiment = validate(load_toml(path), Experiment, str(path))
    if exp.scenario not in POLICIES and exp.scenario != "market":
        target = path.parent / exp.scenario
        if not target.exists() and not target.is_symlink() and Path(exp.scenario).exists():
            target = Path(exp.scenario)  # relative to the working folder
        real = target.resolve()
        if not any_scenario and not any(real.is_relative_to(root) for root in scenario_roots(path)):
            raise ScenarioError(
                f"{path}: scenario: {exp.scenario}: lies outside the experiment's folder and scenarios/ "
                "(--any-scenario allows it)"
            )
        if target.exists():
            exp = exp.model_copy(update={"scenario": str(target)})
    try:
        exp = exp.with_changes(**changes)
        scenario, _ = resolve(exp)
    except ScenarioError as err:
        raise ScenarioError(f"{path}: {str(err).removeprefix(exp.name + ': ')}") from None
    from sim.checks import InputWarning, meaningless, meaningless_design

    for problem in [*meaningless(scenario), *meaningless_design(exp.design.bounds)]:
        warnings.warn(f"{path}: {problem}", InputWarning, stacklevel=2)
    return exp


def resolve(exp: Experiment, base: Scenario | None = None) -> tuple[Scenario, int]:
    """The base scenario (``base`` if given) and focal firm index, after checking the design against the schema."""
    scenario = base_scenario(exp) if base is None else base
    try:
        focal = focal_index(exp, scenario)
        check(exp, scenario)
    except ValueError as err:
        raise ScenarioError(f"{exp.name}: {err}") from None
    return scenario, focal
