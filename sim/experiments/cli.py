"""The experiment commands of ``crsim``: ``sweep`` runs a declared experiment, ``report`` analyses it."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from sim.scenario import ScenarioError


def cmd_sweep(args: argparse.Namespace) -> int:
    from sim.experiments import load_experiment, run_experiment

    if args.workers < 1:
        raise ScenarioError(f"command line: --workers: must be at least 1 (got {args.workers})")
    exp = load_experiment(args.experiment, replications=args.replications, years=args.years, customers=args.customers)
    exp = with_sets(exp, args.set)
    out = run_experiment(
        exp, args.out, workers=args.workers, scheduler=args.scheduler, resume=args.resume, progress=not args.quiet
    )
    print(f"{exp.name}: results in {out}; next: crsim report {out}")
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
    from sim.experiments import report

    rep = report(args.dir)
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
    sw.add_argument("experiment", type=Path, help="experiment file (TOML)")
    sw.add_argument("--out", type=Path, required=True, help="results folder (runs/*.parquet, experiment.json)")
    sw.add_argument("--workers", type=int, default=1, help="local worker processes (default 1: in this process)")
    sw.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://127.0.0.1:8786")
    sw.add_argument("--resume", action="store_true", help="finish an interrupted sweep, skipping complete runs")
    sw.add_argument("--replications", type=int, help="override the experiment's replications")
    sw.add_argument("--years", type=float, help="override the experiment's horizon")
    sw.add_argument("--customers", type=int, help="override the market size")
    sw.add_argument("--set", action="append", metavar="NAME=VALUE", help="fix a parameter in every run (repeatable)")
    sw.add_argument("--quiet", action="store_true", help="no progress bar")
    sw.set_defaults(func=cmd_sweep)
    rp = sub.add_parser("report", help="summaries, paired differences, sensitivity indices and figures of a sweep")
    rp.add_argument("dir", type=Path, help="results folder of crsim sweep")
    rp.set_defaults(func=cmd_report)
