"""The ``crsim calibrate`` command."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.scenario import ScenarioError


def cmd_calibrate(args: argparse.Namespace) -> int:
    try:
        import pyabc  # noqa: F401
    except ImportError:
        raise ScenarioError("crsim calibrate needs pyabc: pip install 'crsim[calibrate]'") from None
    from sim.calibration.run import calibrate
    from sim.calibration.spec import load_calibration

    if args.workers < 1:
        raise ScenarioError(f"command line: --workers: must be at least 1 (got {args.workers})")
    cal = load_calibration(
        args.calibration, population=args.population, max_generations=args.generations, customers=args.customers
    )
    if args.compare:
        from sim.calibration.compare import SUMMARY, compare_posterior

        summary = compare_posterior(cal, args.out, workers=args.workers, scheduler=args.scheduler)
        for row in summary.itertuples():
            print(
                f"  {row.claim:<32} at the mean {row.effect_at_mean:+.3f}, holds at {row.share_holds:>4.0%}: {row.verdict}"
            )
        print(f"wrote {args.out / SUMMARY}")
        return 0
    out = calibrate(cal, args.out, workers=args.workers, scheduler=args.scheduler, resume=args.resume, quiet=args.quiet)
    print(f"{cal.name}: posterior, calibrated.toml, diagnostics and predictive check in {out}")
    summary = (out / "predictive_check.csv").read_text().splitlines()
    print(f"{len(summary) - 1} targets checked; see {out / 'predictive_check.csv'}")
    return 0


def add_calibration_command(sub) -> None:
    """Add ``calibrate`` to the ``crsim`` sub-command parsers."""
    c = sub.add_parser("calibrate", help="calibrate the status-quo market to public targets (ABC-SMC, pyabc)")
    c.add_argument("calibration", type=Path, help="calibration file (TOML), e.g. calibration/status_quo.toml")
    c.add_argument("--out", type=Path, required=True, help="results folder (history.db, posterior.parquet, ...)")
    c.add_argument("--workers", type=int, default=1, help="local worker processes (default 1: in this process)")
    c.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://127.0.0.1:8786")
    c.add_argument("--resume", action="store_true", help="go on from the generations stored in --out")
    c.add_argument("--population", type=int, help="override the particles per generation")
    c.add_argument("--generations", type=int, help="override the maximum number of generations")
    c.add_argument("--customers", type=int, help="override the market size")
    c.add_argument("--quiet", action="store_true", help="no progress lines")
    c.add_argument(
        "--compare",
        action="store_true",
        help="re-run the claims of the file's [compare] section across the posterior in --out (no calibration)",
    )
    c.set_defaults(func=cmd_calibrate)
