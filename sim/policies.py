"""Relationship policies: named presets of levers, discovered through a registry.

A policy is one small class with a ``name``, a plain-language ``description``,
a ``classifier`` dict (what kind of policy it is, as in Axelrod-Python's
strategy classifiers) and the ``levers`` it sets; every lever it does not set
keeps the business-as-usual value. Adding a policy means writing one class with
the ``@register`` decorator; scenarios, the CLI, tests and the app find it in
:data:`POLICIES`.

>>> sorted(POLICIES)[:3]
['authentic_service', 'budget_sales', 'business_as_usual']
>>> POLICIES["permanent_exit"].levers.exit_fee
0.0
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from sim.params import Behaviour, Levers

POLICIES: dict[str, type[Policy]] = {}


def register(cls: type[Policy]) -> type[Policy]:
    """Class decorator: make a policy known to scenarios, CLI and app by its name."""
    if cls.name in POLICIES:
        raise ValueError(f"policy {cls.name!r} registered twice")
    POLICIES[cls.name] = cls
    return cls


class Policy:
    """Base class: a named set of lever values on top of business as usual."""

    name: ClassVar[str]
    label: ClassVar[str]
    description: ClassVar[str]
    classifier: ClassVar[dict[str, bool]]
    changes: ClassVar[dict[str, float]] = {}
    levers: ClassVar[Levers]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.levers = Levers.model_validate({**STATUS_QUO, **cls.changes})

    @classmethod
    def adapt(cls, outcomes: Mapping[str, float], levers: Levers, rule: Behaviour) -> dict[str, float]:
        """Lever changes a firm makes after a month (when ``mechanisms.re_steering`` is on); {} = none.

        ``outcomes`` are the firm's outcomes this month plus ``customer_change``, the relative
        change of its customers over the last twelve months. The default is the re-steering the
        essays describe: a firm that keeps losing customers does not look at why, it pushes
        sales and discounts for new customers harder (by ``resteer_step`` a month, once it has
        lost ``resteer_threshold`` of its customers in a year). A policy may override it.
        """
        if outcomes["customer_change"] > -rule.resteer_threshold:
            return {}
        return {
            "sales_pressure": min(levers.sales_pressure + rule.resteer_step, 1.0),
            "acquisition_discount": min(levers.acquisition_discount + rule.resteer_step, 1.0),
            "discount_months": max(levers.discount_months, 6),
        }


#: Lever values of business as usual; every preset changes some of them.
STATUS_QUO: dict[str, float] = {
    "contract_term": 12,
    "exit_fee": 2.0,
    "loyalty_points": 0.02,
    "staff_authority": 0.3,
    "tailoring": 0.2,
    "listening": 0.02,
    "contact_rate": 0.1,
    "sales_pressure": 0.4,
    "sales_target": 0.01,
    "acquisition_discount": 0.15,
    "discount_months": 6,
    "marketing": 0.5,
    "over_promise": 0.15,
    "service_capacity": 3.0,
    "service_decay": 0.2,
    "surface_acting": 0.5,
    "transparency": 0.3,
    "decline_poor_fit": 0.0,
}


@register
class BusinessAsUsual(Policy):
    name = "business_as_usual"
    label = "Business as usual"
    description = "The status quo: a year's contract, some sales pressure, scripted friendliness, little authority at the front line."
    classifier = {"lock_in": True, "exit_option": False, "empowered": False, "sales_budget": True}


@register
class LoyaltyLockIn(Policy):
    name = "loyalty_lock_in"
    label = "Loyalty lock-in"
    description = "Bind customers: two-year contracts, high exit fees and loyalty points that are lost on leaving."
    classifier = {"lock_in": True, "exit_option": False, "empowered": False, "sales_budget": True}
    changes = {"contract_term": 24, "exit_fee": 6.0, "loyalty_points": 0.05}


@register
class PermanentExit(Policy):
    name = "permanent_exit"
    label = "Permanent exit"
    description = "Customers may leave any month at no cost; no points to lose."
    classifier = {"lock_in": False, "exit_option": True, "empowered": False, "sales_budget": True}
    changes = {"contract_term": 0, "exit_fee": 0.0, "loyalty_points": 0.0}


@register
class EmpoweredStaff(Policy):
    name = "empowered_staff"
    label = "Empowered staff"
    description = "Front-line staff decide: they solve problems at first contact and fit the offer to what the customer needs now."
    classifier = {"lock_in": True, "exit_option": False, "empowered": True, "sales_budget": True}
    changes = {"staff_authority": 0.9, "tailoring": 0.8}


@register
class BudgetSales(Policy):
    name = "budget_sales"
    label = "Budget sales"
    description = "Sales targets and bonuses: push offers, court new customers with discounts, contact existing ones mainly to sell."
    classifier = {"lock_in": True, "exit_option": False, "empowered": False, "sales_budget": True}
    changes = {
        "contact_rate": 0.3,
        "sales_pressure": 0.9,
        "sales_target": 0.03,
        "acquisition_discount": 0.35,
        "discount_months": 12,
    }


@register
class NoSalesBudgets(Policy):
    name = "no_sales_budgets"
    label = "No sales budgets"
    description = "No sales targets, no sales bonuses, no pushing and no discounts that only new customers get."
    classifier = {"lock_in": True, "exit_option": False, "empowered": False, "sales_budget": False}
    changes = {"sales_pressure": 0.0, "sales_target": 0.0, "acquisition_discount": 0.0, "discount_months": 0}


@register
class RelationshipFirst(Policy):
    name = "relationship_first"
    label = "Relationship first"
    description = "What the essays recommend: a permanent exit option, empowered staff and no sales budgets."
    classifier = {"lock_in": False, "exit_option": True, "empowered": True, "sales_budget": False}
    changes = {**PermanentExit.changes, **EmpoweredStaff.changes, **NoSalesBudgets.changes}


@register
class Listening(Policy):
    name = "listening"
    label = "Listening"
    description = "The firm listens and moves each customer's offer along as their needs drift."
    classifier = {"lock_in": True, "exit_option": False, "empowered": False, "sales_budget": True}
    changes = {"listening": 0.1}


@register
class Transparent(Policy):
    name = "transparent"
    label = "Transparent"
    description = "The firm tells customers about almost every defect instead of hoping they will not notice."
    classifier = {"lock_in": True, "exit_option": False, "empowered": False, "sales_budget": True}
    changes = {"transparency": 0.9}


@register
class HonestMarketing(Policy):
    name = "honest_marketing"
    label = "Honest marketing"
    description = "Advertising promises what the service delivers, and no more."
    classifier = {"lock_in": True, "exit_option": False, "empowered": False, "sales_budget": True}
    changes = {"over_promise": 0.0}


@register
class Selective(Policy):
    name = "selective"
    label = "Selective"
    description = "The firm declines applicants whose needs its offer does not fit, as a maker who chooses its dealers."
    classifier = {"lock_in": True, "exit_option": False, "empowered": False, "sales_budget": True}
    changes = {"decline_poor_fit": 0.6}


@register
class AuthenticService(Policy):
    name = "authentic_service"
    label = "Authentic service"
    description = "Staff are not asked to show enthusiasm they do not feel: no scripted friendliness."
    classifier = {"lock_in": True, "exit_option": False, "empowered": False, "sales_budget": True}
    changes = {"surface_acting": 0.0}


@register
class LastingService(Policy):
    name = "lasting_service"
    label = "Lasting service"
    description = "Long-standing customers get the same service as new ones: quality does not decay with tenure."
    classifier = {"lock_in": True, "exit_option": False, "empowered": False, "sales_budget": True}
    changes = {"service_decay": 0.0}
