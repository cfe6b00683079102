"""Mesa agents: customers and firms.

A ``Customer`` is a handle onto one row of the market's customer arrays: every
attribute reads (and writes) the shared state, so the agent is always current
while the month itself runs vectorised over all customers at once.
A ``Firm`` holds its policy, its levers and its latest outcomes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from sim.params import Levers
from sim.policies import Policy
from sim.typology import TYPES, classify

if TYPE_CHECKING:
    from sim.model import MarketModel


class _Column:
    """Attribute that reads/writes this customer's row of a customer array."""

    def __set_name__(self, owner, name):
        self.name = name
        self.__doc__ = f"The customer's {name.replace('_', ' ')} (row of ``model.market.customers.{name}``)."

    def __get__(self, agent, owner=None):
        if agent is None:
            return self
        value = getattr(agent.model.market.customers, self.name)[agent.index]
        return value.item() if np.ndim(value) == 0 else value.copy()

    def __set__(self, agent, value):
        getattr(agent.model.market.customers, self.name)[agent.index] = value


class Customer(mesa.Agent):
    """One customer, with its own changing needs and its relationship to a firm."""

    relationship_need = _Column()
    price_sensitivity = _Column()
    patience = _Column()
    reactance = _Column()
    talkativeness = _Column()
    needs = _Column()
    offer = _Column()
    tenure = _Column()
    trust = _Column()
    bond = _Column()
    satisfaction = _Column()
    expectation = _Column()
    resentment = _Column()
    contract_left = _Column()
    points = _Column()
    complaint_wait = _Column()
    trapped = _Column()
    experience = _Column()

    def __init__(self, model: MarketModel, index: int):
        super().__init__(model)
        self.index = index

    @property
    def firm(self) -> Firm | None:
        """The firm the customer is with, or None when out of the market."""
        f = int(self.model.market.customers.firm[self.index])
        return self.model.firms[f] if f >= 0 else None

    @property
    def open_complaint(self) -> bool:
        return self.complaint_wait > 0

    @property
    def relationship(self) -> str | None:
        """Relationship type (see ``sim.typology``), None without a firm."""
        kind = classify(self.model.market.customers, self.model.market.measures)[self.index]
        return TYPES[kind] if kind >= 0 else None

    def opinions(self) -> dict[str, float]:
        """What the customer thinks of each firm (0..1)."""
        row = self.model.market.customers.opinion[self.index]
        return {firm.name: float(row[firm.index]) for firm in self.model.firms}

    def snapshot(self) -> dict[str, Any]:
        """The customer's whole readable state as a dict (e.g. to follow one customer over time)."""
        return {
            "step": self.model.steps,
            "firm": self.firm.name if self.firm else None,
            "relationship": self.relationship,
            **{
                name: getattr(self, name)
                for name in (
                    "trust",
                    "bond",
                    "satisfaction",
                    "expectation",
                    "resentment",
                    "tenure",
                    "trapped",
                    "experience",
                )
            },
            "need_x": self.needs[0],
            "need_y": self.needs[1],
        }

    def __repr__(self) -> str:
        return f"Customer({self.index}, firm={self.firm.name if self.firm else None}, trust={self.trust:.2f})"


class Firm(mesa.Agent):
    """A firm running a relationship policy; its levers are the policy's preset plus overrides."""

    def __init__(self, model: MarketModel, index: int, name: str, policy: type[Policy], levers: Levers):
        super().__init__(model)
        self.index, self.name, self.policy, self.levers = index, name, policy, levers
        self.outcomes: dict[str, float] = {}

    @property
    def policy_name(self) -> str:
        return self.policy.name

    @property
    def customers(self) -> list[Customer]:
        """Handles of the firm's current customers."""
        idx = np.flatnonzero(self.model.market.customers.firm == self.index)
        return [self.model.customer(i) for i in idx]

    def set_levers(self, **changes: Any) -> None:
        """Change levers from now on (validated against the lever bounds)."""
        self.levers = Levers(**{**self.levers.model_dump(), **changes})
        self.model.market.levers.update([f.levers for f in self.model.firms])

    def __repr__(self) -> str:
        return f"Firm({self.name!r}, policy={self.policy.name!r})"
