"""The uncertainty space of the claims atlas: ranges from a file, optionally narrowed by a calibration posterior.

The file (TOML, ``claims/uncertainties.toml``) names the base scenario, the market
size, the number of Latin hypercube points and replications, the master seed, the
PRIM settings, and one ``[low, high]`` range with a plain-language label per
uncertain parameter (dotted names into the scenario schema, checked against it).
A calibration posterior (a parquet table with one column per dotted parameter
name and an optional ``weight`` column, as ``crsim calibrate`` writes it in
``posterior.parquet``; its ``distance`` and ``stat.*`` columns are not parameters) replaces each listed range by its
weighted ``posterior_interval`` quantiles and fixes every other calibrated
parameter at its weighted median, so the claims are tested around the
calibrated market.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field, ValidationError, field_validator, model_validator

from sim.experiments.spec import SECTIONS, apply, base_scenario, parameter_names
from sim.params import Share, Strict
from sim.scenario import Scenario, ScenarioError, load_toml, validate
from sim.util import suggest

WEIGHT_COLUMNS = ("weight", "w")
STATISTIC_PREFIX = "stat."  # a calibration posterior's summary statistics, one column each: not parameters


class Uncertainty(Strict):
    """One uncertain parameter: its plausible range and how the atlas names it."""

    low: float = Field(description="lower end of the plausible range")
    high: float = Field(description="upper end of the plausible range")
    label: str = Field("", max_length=80, description="plain-language name used in the atlas")

    @model_validator(mode="after")
    def _ordered(self) -> Uncertainty:
        if not self.low < self.high:
            raise ValueError(f"low must be below high (got [{self.low}, {self.high}])")
        return self


class SpaceFile(Strict):
    """The uncertainties file: the plausible space and how densely it is sampled."""

    description: str = Field("", description="what the space stands for")
    scenario: str = Field("business_as_usual", description="base scenario: a file, a policy preset or 'market'")
    focal_firm: str | None = Field(None, description="firm whose policy the claims vary (default: the first)")
    customers: int = Field(1000, ge=10, le=5_000_000, description="market size of every run")
    samples: int = Field(64, ge=2, le=100_000, description="Latin hypercube points")
    replications: int = Field(3, ge=1, le=10_000, description="runs per arm and point")
    seed: int = Field(0, ge=0, description="master seed of the points and of every run")
    density: Share = Field(0.8, description="PRIM threshold: share of failures a reported box must hold")
    mass_min: Share = Field(0.05, description="PRIM: smallest share of the points a box may hold")
    posterior_interval: tuple[Share, Share] = Field(
        (0.05, 0.95), strict=False, description="quantiles of a calibration posterior that bound a range (a TOML list)"
    )
    uncertainties: dict[str, Uncertainty] = Field(min_length=1, description="dotted parameter name -> range")

    @field_validator("uncertainties")
    @classmethod
    def _known(cls, table: dict[str, Uncertainty]) -> dict[str, Uncertainty]:
        for name in table:
            if name not in parameter_names():
                raise ValueError(f"unknown parameter {name!r}{suggest(name, parameter_names())}")
            if name.startswith("levers."):
                raise ValueError(f"{name}: levers are what a firm decides; a claim sets them, not the space")
            if name.startswith("mechanisms."):
                raise ValueError(f"{name} is a switch, not a range")
        return table

    @model_validator(mode="after")
    def _interval(self) -> SpaceFile:
        if not self.posterior_interval[0] < self.posterior_interval[1]:
            raise ValueError("posterior_interval: the first quantile must be below the second")
        return self


@dataclass
class Space:
    """The resolved space: bounds and labels of the uncertainties, values held fixed, and the file's settings."""

    spec: SpaceFile
    bounds: dict[str, tuple[float, float]]
    labels: dict[str, str]
    defaults: dict[str, Any]
    fixed: dict[str, float] = field(default_factory=dict)
    source: str = ""
    posterior: str | None = None

    def label(self, name: str) -> str:
        return self.labels.get(name) or name.split(".", 1)[1].replace("_", " ")


def load_space(path: str | Path, posterior: str | Path | None = None, **changes: Any) -> Space:
    """Read and check the uncertainties file (and a posterior); a ``ScenarioError`` names the file and field.

    ``changes`` override the file's settings (``samples``, ``replications``, ``customers``, ``seed``; None keeps).
    """
    path = Path(path)
    data = load_toml(path)
    spec: SpaceFile = validate(data, SpaceFile, str(path))
    if any(v is not None for v in changes.values()):
        data = {**data, **{k: v for k, v in changes.items() if v is not None}}
        spec = validate(data, SpaceFile, "command line")
    if (path.parent / spec.scenario).is_file():
        spec = spec.model_copy(update={"scenario": str(path.parent / spec.scenario)})
    bounds = {name: (u.low, u.high) for name, u in spec.uncertainties.items()}
    fixed: dict[str, float] = {}
    if posterior is not None:
        narrowed, fixed = posterior_ranges(posterior, list(bounds), spec.posterior_interval)
        bounds.update(narrowed)
    scenario = _base(spec, path)
    for name, (low, high) in bounds.items():
        for value in (low, high):
            _probe(scenario, {**fixed, name: value}, f"{path}: uncertainties.{name}")
    defaults = {name: _value(scenario, name) for name in bounds}
    labels = {name: u.label for name, u in spec.uncertainties.items()}
    return Space(spec, bounds, labels, defaults, fixed, str(path), str(posterior) if posterior else None)


def _base(spec: SpaceFile, path: Path) -> Scenario:
    from sim.experiments.spec import Experiment

    try:
        return base_scenario(Experiment(name="claims", scenario=spec.scenario, customers=spec.customers))
    except ScenarioError as err:
        raise ScenarioError(f"{path}: scenario: {str(err).split(': scenario: ', 1)[-1]}") from None


def _probe(scenario: Scenario, values: dict[str, Any], where: str) -> None:
    data = apply(scenario.model_dump(), 0, values)
    try:
        Scenario.model_validate(data)
    except ValidationError as err:
        problem = err.errors()[0]["msg"].removeprefix("Value error, ")
        raise ScenarioError(f"{where}: {problem} (got {values})") from None


def _value(scenario: Scenario, name: str) -> Any:
    section, key = name.split(".", 1)
    return getattr(getattr(scenario, section), key)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Quantile ``q`` of weighted samples (linear between the midpoints of the weights' cumulative mass)."""
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return float(np.interp(q, cdf, v))


def posterior_ranges(
    path: str | Path, listed: list[str], interval: tuple[float, float]
) -> tuple[dict[str, tuple[float, float]], dict[str, float]]:
    """Ranges of the listed parameters and medians of the others, from a weighted posterior parquet file."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise ScenarioError(f"{path}: no such file")
    try:
        table = pd.read_parquet(path)
    except Exception as err:  # noqa: BLE001 - any unreadable file is bad input
        raise ScenarioError(f"{path}: not a parquet table: {type(err).__name__}") from None
    weight_col = next((c for c in WEIGHT_COLUMNS if c in table.columns), None)
    weights = table[weight_col].to_numpy(float) if weight_col else np.ones(len(table))
    if len(table) == 0 or not np.all(np.isfinite(weights)) or (weights < 0).any() or weights.sum() <= 0:
        raise ScenarioError(f"{path}: {weight_col or 'rows'}: needs rows with non-negative weights summing above 0")
    names = [c for c in table.columns if "." in str(c) and not str(c).startswith(STATISTIC_PREFIX)]
    known = set(parameter_names())
    for name in names:
        if name not in known:
            raise ScenarioError(f"{path}: column {name!r}: unknown parameter{suggest(name, known)}")
    if not names:
        raise ScenarioError(f"{path}: no column names a parameter (expected dotted names such as behaviour.inertia)")
    ranges, medians = {}, {}
    for name in names:
        values = table[name].to_numpy(float)
        if name.split(".", 1)[0] not in SECTIONS or name.startswith(("levers.", "mechanisms.")):
            raise ScenarioError(f"{path}: column {name!r}: not a market parameter")
        if name in listed:
            low, high = (weighted_quantile(values, weights, q) for q in interval)
            if not low < high:
                raise ScenarioError(f"{path}: column {name!r}: the posterior interval is empty ({low:g})")
            ranges[name] = (low, high)
        else:
            medians[name] = weighted_quantile(values, weights, 0.5)
    return ranges, medians
