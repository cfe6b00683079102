"""Sweep throughput: runs per second with 1 and 2 workers (target: at least 1.8x from 1 to 2).

    python benchmarks/sweep.py                       # policy comparison, 2,000 customers, 10 years, 96 runs
    python benchmarks/sweep.py --customers 1000 --years 2 --replications 6   # a quick look

Each setting runs the same shrunken ``experiments/policy_comparison.toml`` into a fresh folder. ``runs/s`` times
the whole sweep (pool start-up, simulation, Parquet writes, folding the run files into the dataset). The
fork server that starts the workers is warmed up first, as after a sweep's first seconds. (A rate from the
first finished run to the last would overstate the speed: runs land a batch of up to 16 at a time.) The machine's load average is printed
alongside, since other work on the machine lowers the speed-up. The same sweep is run with the last numpy
engine (``baseline.NUMPY_ENGINE``, checked out beside this one; ``--baseline ''`` skips it), and the
``vs numpy`` column is the ratio of runs/s at the same number of workers, from the same run of this script.
Both engines run with numerical libraries on one thread (``OPENBLAS_NUM_THREADS=1`` and the like).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# numerical libraries on one thread, for both engines and before numpy is first imported (as benchmarks/engine.py):
# neither engine does linear algebra, and an idle BLAS thread pool spins on the cores the runs need
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

sys.path.insert(0, str(Path(__file__).resolve().parent))
from baseline import NUMPY_ENGINE, checkout  # noqa: E402

from sim.experiments import load_experiment, run_experiment  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def baseline_rates(rev: str, argv: list[str]) -> dict[int, float]:
    """Runs/s by number of workers of the same sweep with the code of commit ``rev``."""
    with checkout(rev) as tree:
        out = subprocess.run(
            [sys.executable, __file__, *argv, "--baseline", ""],  # this script, on the other commit's package
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(tree)},
            # in the tree: before sim.experiments.pool, a pool's fork server put the working folder first on
            # its path (CPython gh-117378), so from here its workers would have run this engine instead
            cwd=tree,
        ).stdout
    rows = [line.split() for line in out.splitlines()]
    return {int(r[0]): float(r[3]) for r in rows if r and r[0].isdigit()}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--experiment", type=Path, default=ROOT / "experiments" / "policy_comparison.toml")
    p.add_argument("--customers", type=int, default=2000)
    p.add_argument("--years", type=float, default=10)
    p.add_argument("--replications", type=int, default=16)
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--baseline", default=NUMPY_ENGINE, help="commit to compare with ('' for none)")
    args = p.parse_args()
    argv = ["--experiment", str(args.experiment), "--customers", str(args.customers), "--years", str(args.years)]
    argv += ["--replications", str(args.replications), "--workers", *map(str, args.workers)]
    old = baseline_rates(args.baseline, argv) if args.baseline else {}
    exp = load_experiment(args.experiment, customers=args.customers, years=args.years, replications=args.replications)
    print(
        f"{exp.name}: {args.customers:,} customers, {args.years:g} years, {args.replications} replications, "
        f"{os.cpu_count()} cores"
    )
    print(
        f"{'workers':>7} {'runs':>5} {'seconds':>8} {'runs/s':>7} {'speed-up':>8} "
        f"{'load avg (1 min)':>17} {'numpy runs/s':>12} {'vs numpy':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp:  # imports, caches and compiled kernels are warm before timing
        warm = exp.with_changes(customers=200, years=0.5, replications=1)
        run_experiment(warm, Path(tmp) / "out", workers=max(args.workers), progress=False)
    base = None
    for workers in args.workers:
        with tempfile.TemporaryDirectory() as tmp:
            load = os.getloadavg()[0]
            stamps: list[float] = []
            start = time.perf_counter()
            run_experiment(
                exp,
                Path(tmp) / "out",
                workers=workers,
                progress=lambda done, total, s=stamps: s.append(time.perf_counter()),
            )
            seconds = time.perf_counter() - start
            runs = len(stamps)
        rate = runs / seconds
        base = base or rate
        print(
            f"{workers:>7} {runs:>5} {seconds:>8.2f} {rate:>7.2f} {rate / base:>7.2f}x "
            f"{load:>8.2f} -> {os.getloadavg()[0]:5.2f} "
            f"{old.get(workers, float('nan')):>12.2f} {rate / old.get(workers, float('nan')):>7.1f}x"
        )


if __name__ == "__main__":
    main()
