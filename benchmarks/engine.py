"""Customer-steps per second and peak memory: the engine at several market sizes, and the
per-agent Mesa reference (``benchmarks/reference``) on the same markets.

Every measurement runs in a fresh process pinned to one core, with numerical libraries
limited to one thread, so peak memory (``ru_maxrss``) and speed are the run's own. The
market is the default one (one firm per policy preset) on seed 1. Set-up (drawing
the population and the network) is timed apart from the run. Speed is customer-steps per second of CPU time of the run (wall-clock run time is
shown too): on a machine shared with other work, CPU time is what the run itself costs. Usage::

    python benchmarks/engine.py                          # the table of the README
    python benchmarks/engine.py --sizes 1000 10000 --reference-sizes 1000 --years 2
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, os, resource, sys, time
sys.path.insert(0, {root!r})
os.sched_setaffinity(0, {{min(os.sched_getaffinity(0))}})
import sim
from sim.scenario import default_market
from benchmarks.reference import ReferenceModel
kind, n, years = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
scenario = default_market(customers=n).with_changes(years=years, seed=1, burn_in_years=0)  # months timed alike
Model = sim.MarketModel if kind == "engine" else ReferenceModel
t0 = time.perf_counter()
model = Model(scenario)
t1, c1 = time.perf_counter(), time.process_time()
model.run()
t2, c2 = time.perf_counter(), time.process_time()
model.release()
print(json.dumps({{"kind": kind, "customers": n, "years": years, "setup_s": t1 - t0, "run_s": t2 - t1,
                  "cpu_s": c2 - c1, "steps_per_s": n * scenario.months / (c2 - c1),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
THREADS = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def measure(kind: str, n: int, years: float) -> dict:
    """One run of ``kind`` ('engine' or 'reference') in a fresh, single-core process."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD.format(root=str(ROOT)), kind, str(n), str(years)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **THREADS},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    p.add_argument("--reference-sizes", type=int, nargs="*", default=[1_000, 10_000])
    p.add_argument("--years", type=float, default=10.0)
    p.add_argument("--years-1m", type=float, default=2.0, help="horizon for markets of a million customers or more")
    args = p.parse_args()
    rows = [measure("engine", n, args.years if n < 1_000_000 else args.years_1m) for n in args.sizes]
    rows += [measure("reference", n, args.years) for n in args.reference_sizes]
    engine = {r["customers"]: r for r in rows if r["kind"] == "engine"}
    print(
        f"{'model':>9} {'customers':>10} {'years':>6} {'setup s':>8} {'run s':>8} {'cpu s':>8} {'customer-steps/s':>17} "
        f"{'us/step':>8} {'peak MB':>8} {'engine/reference':>17}"
    )
    for r in rows:
        ratio = ""
        if r["kind"] == "reference" and r["customers"] in engine:
            ratio = f"{engine[r['customers']]['steps_per_s'] / r['steps_per_s']:.0f}x"
        print(
            f"{r['kind']:>9} {r['customers']:>10,} {r['years']:>6g} {r['setup_s']:>8.2f} {r['run_s']:>8.2f} {r['cpu_s']:>8.2f} "
            f"{r['steps_per_s']:>17,.0f} {1e6 / r['steps_per_s']:>8.3f} {r['peak_mb']:>8.0f} {ratio:>17}"
        )
    if 10_000 in engine and 1_000_000 in engine:
        scale = engine[10_000]["steps_per_s"] / engine[1_000_000]["steps_per_s"]
        print(f"\ncost per customer-step at 1M relative to 10k: {scale:.2f}")


if __name__ == "__main__":
    main()
