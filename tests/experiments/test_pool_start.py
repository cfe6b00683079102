"""Workers of a local pool are forked from a server that has the model, its kernels and single-threaded BLAS."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sim.experiments.pool import make_executor

# What a worker sees, asked through builtins the pool can send by reference.
KERNELS_LOADED = "len(__import__('sim.mechanisms.switching', fromlist=['_']).__dict__['_decide_kernel'].signatures)"


def test_pool_workers_start_with_the_kernels_loaded_and_single_threaded_blas(monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    with make_executor(workers=2) as (pool, in_flight):
        threads = pool.submit(os.getenv, "OPENBLAS_NUM_THREADS").result()
        loaded = pool.submit(eval, KERNELS_LOADED).result()  # before the worker has run anything itself
        pid = pool.submit(os.getpid).result()
    assert in_flight == 4 and pid != os.getpid()
    assert threads == "1"
    assert loaded >= 1


# A sweep started from a folder that holds another ``sim`` (an older checkout, say), by a script kept elsewhere.
SWEEP_FROM_ELSEWHERE = """
import os, sys
import sim
from sim.experiments.pool import make_executor

if __name__ == "__main__":
    with make_executor(workers=2) as (pool, _):
        print(sim.__file__)
        print(pool.submit(eval, "__import__('sim').__file__").result())
        print(pool.submit(os.getenv, "PYTHONSAFEPATH", "unset").result())
        print(pool.submit(os.getenv, "PYTHONPATH", "unset").result())
"""


def test_pool_workers_run_the_code_of_the_runner_not_a_sim_in_the_working_folder(tmp_path):
    decoy = tmp_path / "elsewhere"
    (decoy / "sim").mkdir(parents=True)
    (decoy / "sim" / "__init__.py").write_text("")  # importable, but not the model
    script = tmp_path / "scripts" / "sweep.py"
    script.parent.mkdir()
    script.write_text(SWEEP_FROM_ELSEWHERE)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}
    out = subprocess.run(
        [sys.executable, str(script)], cwd=decoy, env=env, capture_output=True, text=True, check=True, timeout=300
    )
    runner, worker, safe_path, path = out.stdout.split()
    assert Path(runner).parent.name == "sim" and not Path(runner).is_relative_to(decoy)
    assert worker == runner  # the fork server did not take the working folder's ``sim``
    assert (safe_path, path) == ("unset", "unset")  # and its workers have the runner's environment
