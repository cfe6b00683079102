"""Each assumption sim/compat.py makes about Mesa's internals, checked on the installed Mesa; where a later
Mesa differs, the newer API is simulated (Mesa 3.4 and later need Python 3.12 and cannot be installed here)."""

from __future__ import annotations

import gc
import inspect
import subprocess
import sys
import tomllib
import weakref
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import sim
from sim import compat

mesa = compat.mesa
ROOT = Path(__file__).resolve().parent.parent


def test_declared_mesa_range_is_the_checked_one():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    mesa_req = next(Requirement(d) for d in deps if Requirement(d).name == "mesa")
    assert mesa.__version__ in mesa_req.specifier
    for checked in compat.CHECKED:
        assert ".".join(map(str, checked)) in mesa_req.specifier
    assert compat.mesa_version() in compat.CHECKED


def test_agent_ids_keeps_models_alive_and_release_frees_them():
    model = sim.MarketModel("permanent_exit", customers=50, years=0.1, seed=1)
    assert model in mesa.Agent._ids  # Mesa 3.3.1: a class-level dict keyed by model
    model.release()
    assert model not in mesa.Agent._ids
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None


def test_release_without_agent_ids_does_not_crash(monkeypatch):
    model = sim.MarketModel("permanent_exit", customers=50, years=0.1, seed=1)
    monkeypatch.delattr(mesa.Agent, "_ids")  # Mesa >= 3.4.2
    model.release()
    compat.release(model)


def test_integer_rng_seeds_mesa_like_seed():
    a, b = mesa.Model(seed=7), mesa.Model(rng=7)
    assert a.random.random() == b.random.random() and a.rng.random() == b.rng.random()
    assert compat.model_seed_kwargs(7) == {"rng": 7}


def test_seed_keyword_where_mesa_has_no_rng(monkeypatch):
    def old_init(self, *args, seed=None, **kwargs):  # a Mesa without rng=
        pass

    monkeypatch.setattr(mesa.Model, "__init__", old_init)
    assert compat.model_seed_kwargs(7) == {"seed": 7}


def test_agents_by_type_dict_and_its_fallback(monkeypatch):
    model = sim.MarketModel("permanent_exit", customers=50, years=0.1, seed=1)
    assert compat.agents_by_type(model) is model._agents_by_type
    assert set(compat.agents_by_type(model)) == {sim.Firm}  # no customer handles made by looking
    assert len(model.agents_by_type[sim.Customer]) == 50
    found = dict(model._agents_by_type)
    monkeypatch.delitem(model.__dict__, "_agents_by_type")  # a Mesa that keeps it elsewhere
    monkeypatch.setattr(mesa.Model, "agents_by_type", property(lambda self: found))
    assert compat.agents_by_type(model) == found
    model.release()


def test_steps_counts_wrapped_steps_and_falls_back_to_time():
    model = sim.MarketModel("permanent_exit", customers=50, years=0.25, seed=1)
    model.step()
    model.step()
    assert model.steps == 2 == compat.steps(model)

    class Mesa4Like:  # no ``steps``, a ``time`` counter instead
        time = 5.0

    assert compat.steps(Mesa4Like()) == 5
    model.release()


def test_grid_layout_is_read_by_solaraviz_at_call_time(monkeypatch):
    solara_viz = pytest.importorskip("mesa.visualization.solara_viz")
    original = solara_viz.make_initial_grid_layout  # Mesa's, or the workshop page's if it was imported
    mesas = getattr(original, "__wrapped__", original)
    # SolaraViz calls the module-level function by name, so a replacement is what it uses
    callers = inspect.getsource(solara_viz).split("def make_initial_grid_layout", 1)[0]
    assert "make_initial_grid_layout(" in callers

    def layout(n):
        return [{"i": i} for i in range(n)]

    try:
        default = compat.set_grid_layout(layout)
        assert default is mesas and solara_viz.make_initial_grid_layout is layout
        assert compat.set_grid_layout(layout) is mesas  # setting twice still hands back Mesa's default
        assert len(mesas(3)) == 3
    finally:
        solara_viz.make_initial_grid_layout = original
    monkeypatch.delattr(solara_viz, "make_initial_grid_layout")
    assert compat.set_grid_layout(layout) is None


def test_figure_cache_belongs_to_its_owner_and_goes_with_it():
    class Owner:
        pass

    a, b = Owner(), Owner()
    compat.figure_cache(a)["x"] = 1
    assert compat.figure_cache(a) == {"x": 1} and compat.figure_cache(b) == {}
    assert "x" not in vars(a)
    n = len(compat._CACHES)
    del a
    gc.collect()
    assert len(compat._CACHES) == n - 1


def _start_method_after(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return out.stdout.strip()


@pytest.mark.skipif(compat.mesa_version() >= (3, 4), reason="Mesa 3.3's batchrunner forces 'spawn'")
def test_importing_mesa_forces_spawn():
    assert _start_method_after("import multiprocessing, mesa; print(multiprocessing.get_start_method(True))") == "spawn"


@pytest.mark.parametrize("before", [None, "forkserver", "fork"])
def test_import_sim_leaves_the_start_method_as_it_was(before):
    setup = f"multiprocessing.set_start_method({before!r}); " if before else ""
    code = f"import multiprocessing; {setup}import sim, sim.model, sim.experiments; print(multiprocessing.get_start_method(True))"
    assert _start_method_after(code) == str(before)
