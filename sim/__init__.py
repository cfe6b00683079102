"""crsim: an agent-based simulation of relationships between firms and their customers.

>>> import sim
>>> df = sim.run("permanent_exit", years=1, seed=3)
>>> sorted(df["firm"].unique())
['Permanent exit', 'Rival A', 'Rival B', 'Rival C']
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

# before any kernel module: compat imports Mesa, keeping the multiprocessing start method; kernel_cache points
# numba's cache at this model source's folder
from sim import compat, kernel_cache  # noqa: F401
from sim.agents import Customer, Firm
from sim.engine import run_batch
from sim.evaluation import evaluate
from sim.experiments.results import load_results
from sim.metrics import METRICS
from sim.model import MarketModel
from sim.parameters import parameter_names, set_parameters
from sim.params import Levers
from sim.policies import POLICIES, Policy, register
from sim.runner import run
from sim.scenario import Scenario, ScenarioError, default_market, load_scenario, preset_scenario
from sim.typology import TYPES

try:
    __version__ = version("crsim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

__all__ = [
    "METRICS",
    "POLICIES",
    "TYPES",
    "Customer",
    "Firm",
    "Levers",
    "MarketModel",
    "Policy",
    "Scenario",
    "ScenarioError",
    "default_market",
    "evaluate",
    "load_results",
    "load_scenario",
    "parameter_names",
    "preset_scenario",
    "register",
    "run",
    "run_batch",
    "set_parameters",
]
