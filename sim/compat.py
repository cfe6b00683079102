"""Every use of Mesa's internals, in one place, each guarded for the Mesa releases after the one checked.

Checked against Mesa 3.3.1 (``tests/test_compat.py`` holds one test per assumption, and simulates the later
API where it differs). What later releases change, and how each function copes:

- ``mesa.Agent._ids`` (3.3: a class-level dict that keeps every model alive) is gone from 3.4.2 on, with the
  leak: :func:`release` pops the model where the dict exists and does nothing otherwise.
- ``Model(seed=...)`` is deprecated in 3.5 in favour of ``rng=``: :func:`model_seed_kwargs` passes ``rng=``
  where the signature has it.
- ``Model._agents_by_type`` (the dict behind ``agents_by_type``): :func:`agents_by_type` falls back to
  Mesa's public property when the private dict is missing.
- ``model.steps`` goes in Mesa 4: :func:`steps` reads it, or counts the model's own ``time``.
- ``mesa.visualization.solara_viz.make_initial_grid_layout`` (SolaraViz's default grid): :func:`set_grid_layout`
  replaces it and hands back the default, or does nothing where the function no longer exists.
- Importing Mesa 3.3 (``mesa/batchrunner.py``) forces the "spawn" start method on the whole process:
  :func:`import_mesa` imports it and puts the start method back as it was.
"""

from __future__ import annotations

import importlib
import inspect
import multiprocessing
import weakref
from collections.abc import Callable
from types import ModuleType
from typing import Any

CHECKED = ((3, 3, 1),)  # Mesa releases the test suite has run against


def import_mesa() -> ModuleType:
    """``import mesa``, leaving the process's multiprocessing start method as it was before."""
    import sys

    if "mesa" in sys.modules:
        return sys.modules["mesa"]
    before = multiprocessing.get_start_method(allow_none=True)
    mesa = importlib.import_module("mesa")
    if multiprocessing.get_start_method(allow_none=True) != before:
        multiprocessing.set_start_method(before, force=True)  # None resets to the platform's default
    return mesa


mesa = import_mesa()


def mesa_version() -> tuple[int, ...]:
    """Mesa's version as a tuple of integers, e.g. ``(3, 3, 1)``."""
    parts = []
    for part in str(getattr(mesa, "__version__", "0")).split(".")[:3]:
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def release(model: Any) -> None:
    """Let Mesa forget ``model``: Mesa 3.3 keeps every model alive in ``Agent._ids``; later releases do not."""
    ids = getattr(mesa.Agent, "_ids", None)
    if ids is not None:
        ids.pop(model, None)


def model_seed_kwargs(seed: int) -> dict[str, int]:
    """Keyword arguments that seed ``mesa.Model.__init__``: ``rng=`` where Mesa has it, ``seed=`` before that.

    Mesa 3.3 accepts both (and treats an integer ``rng`` like ``seed``); 3.5 deprecates ``seed``; 4 removes it.
    """
    params = inspect.signature(mesa.Model.__init__).parameters
    return {"rng": seed} if "rng" in params else {"seed": seed}


def agents_by_type(model: Any) -> dict[type, Any]:
    """The model's own dict of agent sets by type (``Model._agents_by_type`` in Mesa 3), read without side effects."""
    found = model.__dict__.get("_agents_by_type")
    if isinstance(found, dict):
        return found
    return dict(mesa.Model.agents_by_type.fget(model))  # type: ignore[attr-defined]


def steps(model: Any) -> int:
    """Number of steps the model has taken (``model.steps`` in Mesa 3; its integer ``time`` after)."""
    value = model.__dict__.get("steps")
    if value is None:
        value = getattr(model, "time", 0)
    return int(value)


def set_grid_layout(layout: Callable[[int], list[dict]]) -> Callable[[int], list[dict]] | None:
    """Make SolaraViz place its components with ``layout(n)``; returns Mesa's default, or None where it is gone."""
    solara_viz = importlib.import_module("mesa.visualization.solara_viz")
    default = getattr(solara_viz, "make_initial_grid_layout", None)
    if default is None:
        return None
    default = getattr(default, "__wrapped__", default)
    if not hasattr(layout, "__wrapped__"):
        layout.__wrapped__ = default  # type: ignore[attr-defined]
    solara_viz.make_initial_grid_layout = layout  # type: ignore[attr-defined]
    return default


_CACHES: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def figure_cache(owner: Any) -> dict[str, Any]:
    """A dict of cached figures belonging to ``owner`` (e.g. a workshop model), freed with it.

    Held outside the object, so it works whatever attributes a Mesa model allows and never shows up in the
    model's own state.
    """
    return _CACHES.setdefault(owner, {})
