"""Toy claims on a two-parameter space, small enough to run through the real runner in seconds."""

from __future__ import annotations

from pathlib import Path

from sim.claims import Arm, Claim, Window

from conftest import UNCALIBRATED_SETTINGS

# Customers may leave any month: a dearer price drives away the price sensitive, so the dearer firm's revenue
# is higher only while price sensitivity is low (below about a third, with price weighing 0.3 in a choice).
# Choices as noisy as before calibration, so that a dear firm keeps some customers everywhere in the space.
FREE = Arm("permanent_exit", {**UNCALIBRATED_SETTINGS, "behaviour.weight_price": 0.3})
DEAR = Arm("permanent_exit", {**UNCALIBRATED_SETTINGS, "behaviour.weight_price": 0.3, "levers.price": 1.6})

SPACE = """
scenario = "business_as_usual"
customers = {customers}
samples = {samples}
replications = {replications}
seed = 7
density = 0.8
mass_min = 0.05

[uncertainties]
"customers.price_sensitivity" = {{ low = 0.0, high = 1.0, label = "price sensitivity" }}
"behaviour.bond_decay" = {{ low = 0.005, high = 0.02, label = "fading of bond" }}
"""


def space_file(folder: Path, *, customers: int = 300, samples: int = 30, replications: int = 1) -> Path:
    path = folder / "space.toml"
    path.write_text(SPACE.format(customers=customers, samples=samples, replications=replications))
    return path


class SameArmNoWorse(Claim):
    """Holds by construction: an arm against itself on common random numbers differs by exactly zero."""

    name = "toy_same_arm"
    title = "A firm is no worse than itself"
    seed = german = english = "-"
    treatment = control = FREE
    outcome, window, direction, min_effect = "trust", Window(1, 12), "higher", -1e-9


class DearerEarnsMorePerCustomer(Claim):
    """Holds by construction: a higher price brings more revenue per remaining customer."""

    name = "toy_dearer_per_customer"
    title = "A dearer firm earns more per customer"
    seed = german = english = "-"
    treatment, control = DEAR, FREE
    outcome, window, direction = "revenue_per_customer", Window(1, 12), "higher"


class DearerEarnsMore(Claim):
    """Flips on price sensitivity: a dearer firm's revenue is higher only while customers barely mind the price."""

    name = "toy_dearer_revenue"
    title = "A dearer firm earns more"
    seed = german = english = "-"
    treatment, control = DEAR, FREE
    outcome, window, statistic, direction = "revenue", Window(1, 12), "total_per_100", "higher"


TOYS = [SameArmNoWorse, DearerEarnsMorePerCustomer, DearerEarnsMore]
