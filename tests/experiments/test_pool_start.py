"""Workers of a local pool are forked from a server that has the model, its kernels and single-threaded BLAS."""

from __future__ import annotations

import os

from sim.experiments.runner import make_executor

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
