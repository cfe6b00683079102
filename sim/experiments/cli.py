"""The experiment commands of ``crsim``: ``sweep`` runs a declared experiment, ``report`` analyses it."""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import BrokenExecutor
from pathlib import Path

import pandas as pd

from sim.scenario import ScenarioError

INTERRUPTED = 130  # Ctrl-C, as a shell reports it
FAILED = 1  # a fault of the machine, not of the input (disk full, a worker process died)
INCOMPLETE = 3  # report written, but from an unfinished sweep


def cmd_sweep(args: argparse.Namespace) -> int:
    from sim.experiments import load_experiment, run_experiment

    if args.workers < 1:
        raise ScenarioError(f"command line: --workers: must be at least 1 (got {args.workers})")
    if args.scheduler is not None:
        check_scheduler(args.scheduler)
    out = args.resume if isinstance(args.resume, Path) else args.out
    if out is None and args.dry_run:
        out = Path(".")
    if out is None:
        raise ScenarioError("command line: --out: give a results folder (or --resume DIR to finish one)")
    if args.experiment is None and not isinstance(args.resume, Path):
        raise ScenarioError("command line: give an experiment file, or --resume DIR to finish a sweep")
    exp = None
    if args.experiment is not None:
        exp = with_sets(load_experiment(args.experiment, any_scenario=args.any_scenario), args.set)
    try:
        out = run_experiment(
            exp,
            out,
            workers=args.workers,
            scheduler=args.scheduler,
            resume=bool(args.resume),
            progress=not args.quiet,
            replications=args.replications,
            years=args.years,
            customers=args.customers,
            accept_code_change=args.accept_code_change,
            force=args.force,
            dry_run=args.dry_run,
        )
    except KeyboardInterrupt:
        print(f"crsim: interrupted: {_kept(out)}; `crsim sweep --resume {out}` finishes it", file=sys.stderr)
        return INTERRUPTED
    except BrokenExecutor:
        print(
            f"crsim: a worker process died (killed, or out of memory): {_kept(out)}; "
            f"`crsim sweep --resume {out}` finishes it",
            file=sys.stderr,
        )
        return FAILED
    except OSError as err:
        print(f"crsim: {err.filename or out}: {err.strerror or err}: {_kept(out)}", file=sys.stderr)
        return FAILED
    if args.dry_run:
        return 0
    print(f"{(exp.name if exp else out.name)}: results in {out}; next: crsim report {out}")
    return 0


def check_scheduler(address: str) -> None:
    """Accept ``tcp://host:port`` (or ``host:port``); other Dask protocols need set-up the command line lacks."""
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    if scheme == "tls":
        raise ScenarioError(
            f"--scheduler: {address}: tls:// needs certificates (distributed.security.Security), which the "
            "command line does not take; from Python, pass a connected Client to run_experiment(executor=...)"
        )
    if scheme != "tcp":
        raise ScenarioError(f"--scheduler: {address}: crsim sweep connects over tcp:// only (got {scheme}://)")
    host, _, port = rest.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ScenarioError(f"--scheduler: {address}: expected tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786")


def _kept(out: Path) -> str:
    """'41/120 runs kept' for a results folder (every run file in it is complete: they land atomically)."""
    try:
        total = json.loads((out / "experiment.json").read_text())["runs"]
    except (OSError, ValueError, KeyError):
        total = "?"
    from sim.experiments.dataset import folded_runs, run_files
    from sim.experiments.runfiles import named_runs

    try:
        kept = len(folded_runs(out)) + sum(named_runs(p)[1] for p in run_files(out))
    except (ScenarioError, OSError):
        kept = sum(named_runs(p)[1] for p in (out / "runs").glob("*.parquet"))
    return f"{kept}/{total} runs kept"


def cmd_compact(args: argparse.Namespace) -> int:
    from sim.experiments.dataset import compact, folded_runs

    path = compact(args.dir)
    print(f"{path}: {len(folded_runs(args.dir))} runs in one dataset")
    return 0


def with_sets(exp, sets: list[str] | None):
    """The experiment with ``--set`` values added to its fixed parameters (refused for a varied one)."""
    from sim.experiments.spec import resolve
    from sim.overrides import parse_sets

    values = parse_sets(sets)
    for name in values:
        if name in exp.design.parameters:
            raise ScenarioError(f"command line: --set {name}: the design varies it; change the experiment file")
    if not values:
        return exp
    exp = exp.with_changes(fixed={**exp.fixed, **values})
    resolve(exp)
    return exp


def cmd_report(args: argparse.Namespace) -> int:
    from sim.experiments import load_record, report

    rep = report(args.dir)
    expected = load_record(args.dir)["runs"]
    found = len(rep.finals)
    if found < expected:
        cells = rep.summary.drop_duplicates(["point", "policy"])
        index = [c for c in cells.columns if c not in ("outcome", "n", "mean", "sd", "ci_low", "ci_high")]
        print(
            f"crsim: {args.dir}: incomplete sweep, {found} of {expected} runs; runs per cell:\n"
            + cells[index + ["n"]].to_string(index=False),
            file=sys.stderr,
        )
    print_summary(rep.summary)
    if not rep.differences.empty:
        diff = rep.differences.assign(
            value=lambda d: d.apply(
                lambda r: (
                    f"{r['difference']:+.3f}"
                    + (f" [{r['ci_low']:+.3f}, {r['ci_high']:+.3f}]" if pd.notna(r["ci_low"]) else "")
                ),
                axis=1,
            )
        )
        index = [
            c
            for c in diff.columns
            if c not in ("outcome", "n", "difference", "ci_low", "ci_high", "p_value", "p_holm", "value")
        ]
        print(
            f"\ndifference against {diff['reference'].iloc[0]} [95% CI]"
            f"{', paired by replication' if rep.paired else ''}"
        )
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(diff.pivot(index=index, columns="outcome", values="value").head(60).to_string())
        tested = rep.differences["p_value"].notna().sum()
        if tested > 1:
            kept = (rep.differences["p_holm"] < 0.05).sum()
            print(f"{kept} of {tested} differences stay below p = 0.05 after Holm's correction (p_holm)")
    if not rep.sensitivity.empty:
        print("\nsensitivity indices")
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(rep.sensitivity.round(3).to_string(index=False))
    for note in rep.notes:
        print(f"note: {note}")
    print()
    for path in rep.files:
        print(f"wrote {path}")
    if found < expected:
        print(f"crsim: report of an incomplete sweep ({found} of {expected} runs)", file=sys.stderr)
        return INCOMPLETE
    return 0


def print_summary(summary: pd.DataFrame) -> None:
    """Mean [95 % CI] per design point and policy; with one run per point, the spread over the points instead."""
    if summary["n"].max() <= 1:
        over = summary.groupby(["policy", "outcome"], sort=False)["mean"]
        table = over.agg(points="count", mean="mean", sd="std", min="min", max="max").reset_index()
        print("one run per design point (no intervals): focal firm's last year, over the design points")
        with pd.option_context("display.width", 200, "display.max_columns", 20, "display.max_rows", 80):
            print(table.round(3).to_string(index=False))
        return
    table = summary.assign(
        value=lambda d: d.apply(
            lambda r: f"{r['mean']:.3f} [{r['ci_low']:.3f}, {r['ci_high']:.3f}]" if r["n"] > 1 else f"{r['mean']:.3f}",
            axis=1,
        )
    )
    index = [c for c in table.columns if c not in ("outcome", "n", "mean", "sd", "ci_low", "ci_high", "value")]
    wide = table.pivot(index=index, columns="outcome", values="value")
    print("mean [95% CI] over replications, focal firm, last year of the horizon")
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.max_rows", 60):
        print(wide.to_string() if len(wide) <= 60 else wide.head(60).to_string() + f"\n... ({len(wide)} rows)")


def add_experiment_commands(sub) -> None:
    """Add ``sweep`` and ``report`` to the ``crsim`` sub-command parsers."""
    sw = sub.add_parser("sweep", help="run a declared experiment (policy comparison, sweep, sensitivity analysis)")
    sw.add_argument("experiment", type=Path, nargs="?", help="experiment file (TOML); not needed with --resume DIR")
    sw.add_argument("--out", type=Path, help="results folder (runs/*.parquet, experiment.json)")
    sw.add_argument("--workers", type=int, default=1, help="local worker processes (default 1: in this process)")
    sw.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://127.0.0.1:8786")
    sw.add_argument(
        "--resume",
        nargs="?",
        const=True,
        default=False,
        type=Path,
        metavar="DIR",
        help="finish an interrupted sweep (of --out, or of DIR with the experiment and overrides it records)",
    )
    sw.add_argument(
        "--accept-code-change",
        action="store_true",
        help="resume although the model code changed since the sweep started (both versions are recorded)",
    )
    sw.add_argument("--replications", type=int, help="override the experiment's replications")
    sw.add_argument("--years", type=float, help="override the experiment's horizon")
    sw.add_argument("--customers", type=int, help="override the market size")
    sw.add_argument("--set", action="append", metavar="NAME=VALUE", help="fix a parameter in every run (repeatable)")
    sw.add_argument("--quiet", action="store_true", help="no progress bar")
    sw.add_argument(
        "--any-scenario", action="store_true", help="let the experiment read a scenario file from any folder"
    )
    sw.add_argument("--dry-run", action="store_true", help="print the plan (runs, memory) and run nothing")
    sw.add_argument("--force", action="store_true", help="run even if the memory estimate exceeds what is available")
    sw.set_defaults(func=cmd_sweep)
    rp = sub.add_parser("report", help="summaries, paired differences, sensitivity indices and figures of a sweep")
    rp.add_argument("dir", type=Path, help="results folder of crsim sweep")
    rp.set_defaults(func=cmd_report)
    cp = sub.add_parser("compact", help="fold a sweep's run files into one results dataset (done after every sweep)")
    cp.add_argument("dir", type=Path, help="results folder of crsim sweep")
    cp.set_defaults(func=cmd_compact)
