"""The ``crsim claims`` command: test the essays' claims across the plausible space and write the atlas."""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

from sim.scenario import ScenarioError

UNCERTAINTIES = Path("claims/uncertainties.toml")


def cmd_claims(args: argparse.Namespace) -> int:
    from sim.claims import CLAIMS, lookup
    from sim.claims.atlas import build_atlas
    from sim.claims.evaluate import run_claims
    from sim.claims.space import load_space

    if args.workers < 1:
        raise ScenarioError(f"command line: --workers: must be at least 1 (got {args.workers})")
    try:
        claims = [lookup(name) for name in args.claims] if args.claims else list(CLAIMS.values())
    except KeyError as err:
        raise ScenarioError(f"command line: claims: {err.args[0]}") from None
    space = load_space(
        args.uncertainties,
        args.posterior,
        samples=args.samples,
        replications=args.replications,
        customers=args.customers,
        seed=args.seed,
    )
    if importlib.util.find_spec("ema_workbench") is None:  # fail before running anything, not after
        raise ScenarioError('scenario discovery needs EMA Workbench: pip install "crsim[atlas]"')
    start = time.perf_counter()
    run_claims(
        claims, space, args.out, workers=args.workers, scheduler=args.scheduler, resume=args.resume,
        progress=not args.quiet,
    )  # fmt: skip
    atlas = build_atlas(claims, space, args.out)
    seconds = time.perf_counter() - start
    spec = space.spec
    print(f"{len(claims)} claims, {spec.samples} points x {spec.replications} replications, {seconds:.0f} s")
    for row in atlas.table.itertuples():
        effect = f"effect {row.effect_mean:+.3g} [{row.effect_ci_low:+.3g}, {row.effect_ci_high:+.3g}]"
        print(
            f"  {row.claim:<36} holds at {row.share_holds:>4.0%}  {effect}  p_holm {row.p_holm:.2g}  {row.fails_when}"
        )
    print(f"wrote {atlas.folder / 'claims.md'}, {atlas.folder / 'claims.csv'} and {len(atlas.figures)} figures")
    return 0


def add_claims_command(sub) -> None:
    """Add ``claims`` to the ``crsim`` sub-command parsers."""
    c = sub.add_parser("claims", help="test the essays' claims across the plausible space and write the claims atlas")
    c.add_argument("claims", nargs="*", metavar="CLAIM", help="claims to test (default: every registered claim)")
    c.add_argument("--out", type=Path, required=True, help="folder of the runs and the atlas (claims.md, claims.csv)")
    c.add_argument(
        "--uncertainties",
        type=Path,
        default=UNCERTAINTIES,
        help=f"ranges of the uncertainties (default {UNCERTAINTIES})",
    )
    c.add_argument("--posterior", type=Path, help="calibration posterior (parquet): ranges from its weighted quantiles")
    c.add_argument("--samples", type=int, help="Latin hypercube points (default: the uncertainties file's)")
    c.add_argument("--replications", type=int, help="replications per arm and point (default: the file's)")
    c.add_argument("--customers", type=int, help="market size (default: the file's)")
    c.add_argument("--seed", type=int, help="master seed (default: the file's)")
    where = c.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=1, help="local worker processes (default 1: in this process)")
    where.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://127.0.0.1:8786")
    c.add_argument("--resume", action="store_true", help="finish an interrupted run, skipping complete runs")
    c.add_argument("--quiet", action="store_true", help="no progress bars")
    c.set_defaults(func=cmd_claims)
