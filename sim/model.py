"""The market: a Mesa model in which customers and firms live month by month.

One step is one month. The phases run top-down in the order of the model brief,
each over all customers at once; each is one function in ``sim.mechanisms``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import mesa  # first imported by sim.compat (through sim/__init__), which keeps the start method
import networkx as nx
import numpy as np
import pandas as pd

from sim import compat
from sim.agents import Customer, Firm
from sim.engine import Engine
from sim.metrics import measure
from sim.network import to_networkx
from sim.parameters import set_parameters
from sim.policies import POLICIES
from sim.scenario import Scenario, Shock, resolve_scenario

SEED_MASK = 2**63 - 1  # seeds fit a signed 64-bit column


class MarketModel(mesa.Model):
    """A market of customers and firms.

    >>> model = MarketModel("permanent_exit", seed=1, years=1)
    >>> _ = model.run()
    >>> model.outcomes().groupby("firm").size().tolist()
    [13, 13, 13, 13]
    >>> model.release()
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        *,
        seed: int | None = None,
        rng: Any = None,
        years: float | None = None,
        customers: int | None = None,
        **parameters: float | int | bool,
    ):
        """``scenario`` (object, file, preset name; None = the default market) with ``parameters`` set by dotted
        name (``**{"customers.count": 800, "levers.exit_fee": 3}``, or ``customers__count=800``), as
        ``mesa.batch_run`` passes them. ``seed`` (or ``rng``: an integer, a numpy Generator or SeedSequence)
        seeds the run; with neither, the scenario's seed, and when it has none, fresh entropy, recorded as
        ``model.scenario.seed`` and in every result row.
        """
        scenario = resolve_scenario(scenario)
        if customers is not None:
            parameters = {"customers.count": customers, **parameters}
        scenario = set_parameters(scenario, parameters).with_changes(years=years)
        run_seed = _seed(seed, rng, scenario.seed)
        scenario = scenario.with_changes(seed=run_seed)
        super().__init__(**compat.model_seed_kwargs(run_seed))
        self.scenario = scenario
        self.engine = Engine(scenario, [run_seed])
        self.market = self.engine.state
        self.shocks: list[Shock] = self.engine.shocks  # shocks fired from the page join the engine's list
        self.firms = [
            Firm(self, i, spec.name, POLICIES[spec.policy], lv)
            for i, (spec, lv) in enumerate(zip(scenario.firms, self.market.levers.levers, strict=True))
        ]
        self._firm_index = self.engine.firm_index
        self._customers: list[Customer] | None = None  # Mesa handles, created on first use

        outcomes = list(measure(self.market))
        reporters = {"firm": "name", "policy": "policy_name"}
        reporters.update({name: _outcome(name) for name in outcomes})
        # the focal (first) firm's outcomes as model reporters, which mesa.batch_run reads
        focal = {"seed": _constant(scenario.seed), "focal_firm": _constant(self.firms[0].name)}
        focal.update({name: _focal_outcome(name) for name in outcomes})
        self.datacollector = mesa.DataCollector(model_reporters=focal, agenttype_reporters={Firm: reporters})
        self.engine.burn_in()  # simulated, not recorded
        self._collect()

    # -- one month, in the order of the brief (sim.engine) ----------------------------------------
    def step(self) -> None:
        """One month; a step asked for past the horizon ends the run instead (as ``mesa.batch_run`` expects)."""
        if compat.steps(self) > self.scenario.months:
            self.running = False
            return
        self.simulate_month(compat.steps(self))
        self.engine.record()
        self._collect()

    def simulate_month(self, month: int) -> None:
        """One month of the market, phase by phase (``Engine.simulate_month``); burn-in months are <= 0."""
        self.engine.simulate_month(month)
        for firm, levers in zip(self.firms, self.market.levers.levers, strict=True):
            firm.levers = levers  # re-steering may have changed them

    def _collect(self) -> None:
        outcomes = self.engine.outcomes
        names, per_firm = list(outcomes), np.array(list(outcomes.values())).T.tolist()  # Python floats, one call
        for firm in self.firms:
            firm.outcomes = dict(zip(names, per_firm[firm.index], strict=True))
        self.datacollector.collect(self)

    # -- use -------------------------------------------------------------------------------
    def run(self, months: int | None = None, progress=None) -> MarketModel:
        """Run the horizon (or ``months`` more months); ``progress(done, total)`` is called each month."""
        total = self.scenario.months - compat.steps(self) if months is None else months
        for done in range(1, total + 1):
            self.step()
            if progress is not None:
                progress(done, total)
        if compat.steps(self) >= self.scenario.months:
            self.running = False
        return self

    def customer(self, index: int) -> Customer:
        """The Mesa agent of customer ``index``."""
        return self.customer_handles()[index]

    def customer_handles(self) -> list[Customer]:
        """All customers' Mesa agents, created on first use.

        The month runs on the arrays alone, so a market that is only run (a sweep, a
        million customers) never pays for a million Python objects; the first look at a
        customer creates every handle at once, in index order, so ids do not depend on
        which customer was asked for first.
        """
        if self._customers is None:
            self._customers = [Customer(self, i) for i in range(self.scenario.customers.count)]
        return self._customers

    @property
    def agents(self) -> mesa.AgentSet:
        """All agents (firms, then customers), as in Mesa."""
        self.customer_handles()
        return super().agents

    @property
    def agent_types(self) -> list[type]:
        return list(self.agents_by_type)

    @property
    def agents_by_type(self) -> Mapping[type[mesa.Agent], mesa.AgentSet]:
        """Agents by type, as in Mesa; asking for customers creates their handles."""
        return _AgentsByType(self)

    def firm(self, name: str) -> Firm:
        """The firm called ``name``."""
        return self.firms[self._firm_index[name]]

    def social_network(self) -> nx.Graph:
        """The customers' social network as a networkx graph (node = customer index)."""
        return to_networkx(self.market.network)

    def fire_shock(self, kind: str, firm: str | None = None, severity: float = 0.5, months: int = 12) -> Shock:
        """Start a shock next month in the running simulation (e.g. from the workshop page)."""
        shock = Shock(kind=kind, firm=firm, severity=severity, months=months, year=(compat.steps(self) + 1) / 12)
        if firm is not None and firm not in self._firm_index:
            raise ValueError(f"unknown firm {firm!r}")
        self.shocks.append(shock)
        return shock

    def outcomes(self) -> pd.DataFrame:
        """Tidy table: one row per firm and month, stamped with step, year and seed."""
        df = self.datacollector.get_agenttype_vars_dataframe(Firm).reset_index()
        df = df.rename(columns={"Step": "step"}).drop(columns=["AgentID"])
        df.insert(1, "year", df["step"] / 12.0)
        df.insert(2, "seed", self.scenario.seed)
        df.insert(3, "scenario", self.scenario.name)
        return df.sort_values("step", kind="stable").reset_index(drop=True)

    def release(self) -> None:
        """Let go of this model: Mesa 3.3 keeps every model alive through ``Agent._ids`` otherwise."""
        compat.release(self)


class _AgentsByType(Mapping):
    """Mesa's agents-by-type dict with the customers' handles created when first looked up."""

    def __init__(self, model: MarketModel):
        self._model = model

    def __getitem__(self, kind: type[mesa.Agent]) -> mesa.AgentSet:
        if kind is Customer:
            self._model.customer_handles()
        return compat.agents_by_type(self._model)[kind]

    def __iter__(self) -> Iterator[type[mesa.Agent]]:
        present = compat.agents_by_type(self._model)
        yield from present
        if Customer not in present:
            yield Customer

    def __len__(self) -> int:
        present = compat.agents_by_type(self._model)
        return len(present) + (Customer not in present)


def _outcome(name: str):
    def report(firm: Firm) -> float:
        return firm.outcomes[name]

    report.__name__ = name
    return report


def _focal_outcome(name: str):
    def report(model: MarketModel) -> float:
        return model.firms[0].outcomes[name]

    report.__name__ = name
    return report


def _constant(value):
    return lambda model: value


def _seed(seed: int | None, rng, scenario_seed: int | None) -> int:
    """The run's seed from ``seed`` or ``rng`` (not both), else the scenario's, else fresh entropy."""
    if seed is not None and rng is not None:
        raise ValueError("pass seed or rng, not both")
    if seed is None and rng is not None:
        if isinstance(rng, int | np.integer):
            seed = int(rng)
        elif isinstance(rng, np.random.SeedSequence):
            seed = int(rng.generate_state(1, dtype=np.uint64)[0]) & SEED_MASK
        else:
            seed = int(np.random.default_rng(rng).integers(SEED_MASK, dtype=np.int64))
    if seed is None:
        seed = scenario_seed
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0]) & SEED_MASK
    return int(seed)
