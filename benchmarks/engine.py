"""Customer-steps per second and peak memory: the engine at several market sizes, the last numpy
engine (``baseline.NUMPY_ENGINE``, checked out beside this one) and the per-agent Mesa reference
(``benchmarks/reference``) on the same markets, all in the same run.

Every measurement runs in a fresh process pinned to one core, with numerical libraries
limited to one thread, so peak memory (``ru_maxrss``) and speed are the run's own. The
market is the default one (one firm per policy preset) on seed 1. Each process first runs a
month of a tiny market (``load s``: the engine loads its compiled kernels from numba's cache,
about 0.3 s once a process, as a sweep's worker does once); set-up (drawing the population and
the network) is timed apart from the run. Speed is customer-steps per second of CPU time of the
run (wall-clock run time is shown too): on a machine shared with other work, CPU time is what
the run itself costs. Every measurement is taken ``--repeat`` times (3), round after round, and
the fastest is shown: this machine's speed varies by a fifth or more from one minute to the next,
and a slow spell in one round then hits every model alike. Usage::

    python benchmarks/engine.py                          # the table of the README
    python benchmarks/engine.py --sizes 1000 10000 --reference-sizes 1000 --years 2
    python benchmarks/engine.py --baseline-sizes          # without the numpy engine

The compiled kernels are built once per machine (numba's cache); a warm-up process builds them before
anything is timed, and ``--cold`` also times a first run with an empty cache (what the first
``crsim run`` after installing costs). ``state B/customer`` is the customer arrays and the network,
in bytes per customer.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from baseline import NUMPY_ENGINE, checkout  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

# argv: kind, customers, years, source tree
CHILD = """
import json, os, resource, sys, time
sys.path.insert(0, sys.argv[4])
os.sched_setaffinity(0, {{min(os.sched_getaffinity(0))}})
import sim
from sim.scenario import default_market
from benchmarks.reference import ReferenceModel
kind, n, years = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
scenario = default_market(customers=n).with_changes(years=years, seed=1, burn_in_years=0)  # months timed alike
Model = sim.MarketModel if kind == "engine" else ReferenceModel
w0 = time.perf_counter()  # a month of a tiny market first: the kernels are loaded from numba's cache once a process
warm = Model(default_market(customers=50).with_changes(years=1 / 12, seed=2, burn_in_years=0))
warm.run()
getattr(warm, "release", lambda: None)()
t0 = time.perf_counter()
model = Model(scenario)
t1, c1 = time.perf_counter(), time.process_time()
model.run()
t2, c2 = time.perf_counter(), time.process_time()
state = 0.0
if kind == "engine":
    c, net = model.market.customers, model.market.network
    arrays = [v for v in vars(c).values() if hasattr(v, "nbytes")] + [net.data, net.indices, net.indptr]
    state = sum(a.nbytes for a in arrays) / n
model.release()
print(json.dumps({{"kind": kind, "customers": n, "years": years, "load_s": t0 - w0, "setup_s": t1 - t0, "run_s": t2 - t1,
                  "cpu_s": c2 - c1, "steps_per_s": n * scenario.months / (c2 - c1), "state_b": state,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
THREADS = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def measure(kind: str, n: int, years: float, root: Path = ROOT, env: dict | None = None) -> dict:
    """One run of ``kind`` ('engine' or 'reference') of the code at ``root`` in a fresh, single-core process."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD.format(), kind, str(n), str(years), str(root)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **THREADS, "PYTHONPATH": str(root), **(env or {})},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def first_runs(years: float) -> list[tuple[str, float]]:
    """Wall time of a whole small run (import, build, run) with numba's cache empty, then filled."""
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        for label in ("first run, empty cache", "second run, cache filled"):
            t0 = time.perf_counter()
            measure("engine", 1_000, years, env={"NUMBA_CACHE_DIR": cache})
            rows.append((label, time.perf_counter() - t0))
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    p.add_argument("--baseline-sizes", type=int, nargs="*", default=None, help="numpy engine sizes (default: --sizes)")
    p.add_argument("--baseline", default=NUMPY_ENGINE, help="commit of the engine to compare with")
    p.add_argument("--reference-sizes", type=int, nargs="*", default=[1_000, 10_000])
    p.add_argument("--years", type=float, default=10.0)
    p.add_argument("--years-1m", type=float, default=2.0, help="horizon for markets of a million customers or more")
    p.add_argument("--cold", action="store_true", help="also time a first run with an empty kernel cache")
    p.add_argument("--repeat", type=int, default=3, help="rounds of every measurement; the fastest of each is shown")
    args = p.parse_args()
    horizon = {n: args.years if n < 1_000_000 else args.years_1m for n in {*args.sizes, *(args.baseline_sizes or [])}}
    cold = first_runs(1.0) if args.cold else []
    measure("engine", 1_000, 0.5)  # builds the kernels into numba's cache before anything is timed
    baseline_sizes = args.sizes if args.baseline_sizes is None else args.baseline_sizes
    best: dict[tuple[str, int], dict] = {}  # the fastest of the rounds, per model and size
    with checkout(args.baseline) if baseline_sizes else nullcontext(None) as tree:
        for _ in range(args.repeat):  # round after round, so a slow spell of the machine hits every model alike
            cells = [("engine", n, horizon[n], ROOT) for n in args.sizes]
            cells += [("numpy", n, horizon[n], tree) for n in baseline_sizes]
            cells += [("reference", n, args.years, ROOT) for n in args.reference_sizes]
            for kind, n, years, root in cells:
                row = {**measure("reference" if kind == "reference" else "engine", n, years, root), "kind": kind}
                if (kind, n) not in best or row["steps_per_s"] > best[kind, n]["steps_per_s"]:
                    best[kind, n] = row
    rows = list(best.values())
    engine = {r["customers"]: r for r in rows if r["kind"] == "engine"}
    print(
        f"{'model':>9} {'customers':>10} {'years':>6} {'load s':>7} {'setup s':>8} {'run s':>8} {'cpu s':>8} {'customer-steps/s':>17} "
        f"{'ns/step':>8} {'peak MB':>8} {'state B/customer':>16} {'engine/this':>12}"
    )
    for r in rows:
        ratio = ""
        if r["kind"] != "engine" and r["customers"] in engine:
            ratio = f"{engine[r['customers']]['steps_per_s'] / r['steps_per_s']:.1f}x"
        state = f"{r['state_b']:.0f}" if r["state_b"] else ""
        print(
            f"{r['kind']:>9} {r['customers']:>10,} {r['years']:>6g} {r['load_s']:>7.2f} {r['setup_s']:>8.2f} {r['run_s']:>8.2f} {r['cpu_s']:>8.2f} "
            f"{r['steps_per_s']:>17,.0f} {1e9 / r['steps_per_s']:>8.0f} {r['peak_mb']:>8.0f} {state:>16} {ratio:>12}"
        )
    for label, seconds in cold:
        print(f"{label} (1,000 customers, 1 year, import included): {seconds:.1f} s")
    print(f"fastest of {args.repeat} rounds; baseline: {args.baseline[:12]}; load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
