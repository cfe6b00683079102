"""The model written agent by agent, the way a Mesa user would write it.

Every customer is a ``mesa.Agent`` with its own attributes and a ``step``-style
method per phase, activated in random order with ``shuffle_do``; firms are agents
too; nothing is vectorised. It follows the engine's rules (``sim.mechanisms``) and
reads the same scenarios, mechanism by mechanism, so it is both a readable
specification of the rules and the yardstick the engine is docked against
(``tests/test_docking.py``) and timed against (``benchmarks/engine.py``).
Keep it in step whenever a mechanism changes.
"""

from benchmarks.reference.model import ReferenceModel, run_reference

__all__ = ["ReferenceModel", "run_reference"]
