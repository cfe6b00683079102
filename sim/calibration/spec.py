"""The calibration schema: what a calibration file holds, and reading it from TOML.

A calibration names a base scenario (the status-quo market), the parameters to calibrate with the bounds
of their uniform priors (dotted names, checked like experiment files), the targets (a registered
statistic with an observed value, an uncertainty or acceptance range, and a source each), how the market
is measured (burn-in, measured years, follow-up of problems), replications per particle, population size,
the stopping rule and one master seed. Bad files are one line naming the file and the field.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from sim.calibration.statistics import CONTRACTS, STATISTICS
from sim.experiments.spec import Design, Experiment, apply, check
from sim.params import Strict
from sim.scenario import Scenario, ScenarioError, describe, load_toml, resolve_scenario, validate
from sim.util import suggest


class Target(Strict):
    """One observed fact about the status-quo market, with its uncertainty and its public source."""

    statistic: str = Field(description="name of a registered statistic (sim.calibration.statistics)")
    observed: float | None = Field(None, description="observed value (default: the middle of `range`)")
    sd: float | None = Field(None, gt=0, description="uncertainty of the observed value (one standard deviation)")
    range: tuple[float, float] | None = Field(
        None, strict=False, description="acceptance range [low, high], read as a 95 % interval (sd = width / 4)"
    )
    weight: float = Field(1.0, gt=0, le=100, description="weight of the target in the distance")
    use: Literal["calibration", "validation"] = Field(
        "calibration", description="calibration: in the distance; validation: kept back, only checked afterwards"
    )
    source: str = Field(min_length=3, description="where the number comes from (a public source)")
    note: str = Field("", description="how the source's figure maps onto the statistic")

    @field_validator("statistic")
    @classmethod
    def _known(cls, name: str) -> str:
        if name not in STATISTICS:
            raise ValueError(f"unknown statistic {name!r}{suggest(name, STATISTICS)}")
        return name

    @model_validator(mode="after")
    def _uncertainty(self) -> Target:
        if (self.sd is None) == (self.range is None):
            raise ValueError("give exactly one of `sd` and `range`")
        if self.range is not None:
            low, high = self.range
            if not low < high:
                raise ValueError(f"range: low must be below high (got [{low}, {high}])")
            if self.observed is not None and not low <= self.observed <= high:
                raise ValueError(f"observed {self.observed} lies outside its range [{low}, {high}]")
        elif self.observed is None:
            raise ValueError("a target with `sd` needs `observed`")
        return self

    @property
    def value(self) -> float:
        """The observed value (the middle of the range if none is given)."""
        if self.observed is not None:
            return self.observed
        assert self.range is not None
        return (self.range[0] + self.range[1]) / 2

    @property
    def scale(self) -> float:
        """The uncertainty as one standard deviation."""
        return self.sd if self.sd is not None else (self.range[1] - self.range[0]) / 4  # type: ignore[index]


class Stop(Strict):
    """When the ABC-SMC run stops: whichever comes first."""

    max_generations: int = Field(8, ge=1, le=100, description="generations (populations) at most")
    min_epsilon: float = Field(0.0, ge=0, description="stop once the acceptance threshold is this small")
    min_acceptance: float = Field(0.0, ge=0, lt=1, description="stop once a generation accepts fewer than this share")
    max_minutes: float | None = Field(None, gt=0, description="stop after this wall time (minutes, counted per call)")


class Check(Strict):
    """The posterior-predictive check run after the calibration."""

    draws: int = Field(40, ge=2, le=10_000, description="posterior draws simulated (one run each)")
    replications: int = Field(8, ge=1, le=1000, description="runs at the accepted parameter set")


#: The essays' main claims: exit option against lock-in, empowered staff, budget-driven sales, listening.
MAIN_CLAIMS = (
    "exit_option_trust",
    "empowered_staff_first_contact",
    "empowered_staff_trust",
    "budget_sales_trust",
    "listening_keeps_customers",
)


class Compare(Strict):
    """Claims re-run across the posterior (``crsim calibrate --compare``, :mod:`sim.calibration.compare`)."""

    claims: list[str] = Field(
        default_factory=lambda: list(MAIN_CLAIMS), min_length=1, description="registered claims (sim.claims) to re-run"
    )
    draws: int = Field(30, ge=2, le=10_000, description="posterior draws, besides the posterior mean")
    replications: int = Field(2, ge=1, le=1000, description="paired runs per draw and claim")
    customers: int = Field(1000, ge=10, le=5_000_000, description="market size of every run")
    seed: int = Field(0, ge=0, description="master seed of the runs (common random numbers across arms)")

    @field_validator("claims")
    @classmethod
    def _registered(cls, names: list[str]) -> list[str]:
        from sim.claims import CLAIMS

        for name in names:
            if name not in CLAIMS:
                raise ValueError(f"unknown claim {name!r}{suggest(name, CLAIMS)}")
        return names


class Calibration(Strict):
    """A declared calibration of the status-quo market by ABC-SMC (pyabc)."""

    name: str = Field(min_length=1, max_length=80, description="short name of the calibration")
    description: str = Field("", description="what is calibrated, and against what")
    scenario: str = Field(
        description="base scenario: a file (relative to the calibration file), a policy preset's name, or 'market'"
    )
    customers: int | None = Field(None, ge=10, le=5_000_000, description="market size (default: the scenario's)")
    burn_in_years: float = Field(2.0, ge=0, le=50, description="years simulated before anything is measured")
    years: float = Field(3.0, gt=0, le=50, description="years measured after the burn-in")
    follow_up: int = Field(12, ge=1, le=120, description="months after a problem at which retention is counted")
    replications: int = Field(1, ge=1, le=100, description="runs per particle; statistics are averaged over them")
    population: int = Field(100, ge=5, le=100_000, description="particles per generation")
    seed: int = Field(0, ge=0, description="master seed: sampling and every simulation's seed derive from it")
    parameters: dict[str, tuple[float, float]] = Field(
        description="parameter name -> [low, high] of its uniform prior, e.g. 'behaviour.choice_noise'"
    )

    @field_validator("parameters", mode="before")
    @classmethod
    def _pairs(cls, table: Any) -> Any:
        """TOML writes a pair as a list; strict types then check each bound."""
        if isinstance(table, dict):
            return {k: tuple(v) if isinstance(v, list) else v for k, v in table.items()}
        return table

    targets: list[Target] = Field(min_length=1, description="observed facts of the status-quo market")
    stop: Stop = Field(default_factory=Stop)
    check: Check = Field(default_factory=Check)
    compare: Compare = Field(default_factory=Compare)

    @field_validator("parameters")
    @classmethod
    def _parameters(cls, table: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        if not table:
            raise ValueError("name at least one parameter to calibrate")
        try:  # names, bounds and switches, checked as for sweeps
            Design.model_validate({"kind": "latin_hypercube", "bounds": table})
        except ValidationError as err:
            raise ValueError(err.errors()[0]["msg"].removeprefix("Value error, ")) from None
        for name in table:
            if name.startswith("levers."):
                raise ValueError(f"{name}: levers are what firms decide; set them in the base scenario")
        return table

    @model_validator(mode="after")
    def _targets(self) -> Calibration:
        names = [t.statistic for t in self.targets]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"targets: statistic repeated: {', '.join(repeated)}")
        if not any(t.use == "calibration" for t in self.targets):
            raise ValueError("targets: at least one target must have use = 'calibration'")
        return self

    @property
    def months(self) -> int:
        """Months simulated per run: burn-in plus measured years."""
        return round((self.burn_in_years + self.years) * 12)

    @property
    def burn_in(self) -> int:
        return round(self.burn_in_years * 12)

    @property
    def calibration_targets(self) -> list[Target]:
        return [t for t in self.targets if t.use == "calibration"]

    def with_changes(self, **changes: Any) -> Calibration:
        """A validated copy with fields replaced (None leaves a field alone); ``stop``/``check`` fields by name."""
        data = self.model_dump()
        for key, value in changes.items():
            if value is None:
                continue
            if key in Stop.model_fields:
                data["stop"][key] = value
            else:
                data[key] = value
        try:
            return Calibration.model_validate(data)
        except ValidationError as err:
            raise ScenarioError(f"{self.name}: {describe(err, Calibration)}") from None


def base_scenario(cal: Calibration) -> Scenario:
    """The status-quo market as simulated: the base scenario with market size and horizon set."""
    try:
        scenario = resolve_scenario(cal.scenario)
    except ScenarioError as err:
        raise ScenarioError(f"scenario: {err}") from None
    data = scenario.model_dump()
    data["years"] = cal.months / 12
    if cal.customers is not None:
        data["customers"]["count"] = cal.customers
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(f"{describe(err, Scenario)}") from None


def resolve(cal: Calibration) -> Scenario:
    """The base scenario, after checking the priors and the targets against it; raises ScenarioError."""
    scenario = base_scenario(cal)
    try:
        probe = {"name": cal.name, "design": {"kind": "latin_hypercube", "bounds": cal.parameters}}
        check(Experiment.model_validate(probe), scenario)
    except ValueError as err:
        raise ScenarioError(str(err).replace("design.bounds.", "parameters.", 1)) from None
    terms = [spec.resolved_levers().contract_term for spec in scenario.firms]
    for i, target in enumerate(cal.targets):
        kind = target.statistic.removeprefix("churn_")
        if kind in CONTRACTS:
            low, high = CONTRACTS[kind]
            if not any(low <= term <= high for term in terms):
                raise ScenarioError(
                    f"targets[{i}].statistic: {target.statistic} needs a firm with a minimum term of "
                    f"{low}-{high} months in the base scenario"
                )
    return scenario


def scenario_with(scenario: Scenario | dict[str, Any], values: dict[str, float]) -> dict[str, Any]:
    """Scenario data with calibrated parameter values set (whole numbers rounded)."""
    data = copy.deepcopy(scenario if isinstance(scenario, dict) else scenario.model_dump(mode="json"))
    return apply(data, 0, values)


def load_calibration(path: str | Path, **changes: Any) -> Calibration:
    """Read and validate a calibration file; ``changes`` override fields (e.g. ``population=20``)."""
    path = Path(path)
    cal: Calibration = validate(load_toml(path), Calibration, str(path))
    if (path.parent / cal.scenario).is_file():
        cal = cal.model_copy(update={"scenario": str(path.parent / cal.scenario)})
    try:
        cal = cal.with_changes(**changes)
        resolve(cal)
    except ScenarioError as err:
        raise ScenarioError(f"{path}: {str(err).removeprefix(cal.name + ': ')}") from None
    return cal
