"""Declared experiments: policy comparisons, replicated sweeps and sensitivity analyses.

A quick, shrunken version of a shipped experiment::

    from sim.experiments import load_experiment, load_results, report, run_experiment

    exp = load_experiment("experiments/policy_comparison.toml", replications=3, years=2, customers=300)
    out = run_experiment(exp, "out/pc", workers=2)
    table = load_results(out)       # one row per run, firm and month
    rep = report(out)               # rep.summary, rep.differences, rep.sensitivity, rep.figures
"""

from __future__ import annotations

from sim.experiments.design import Run
from sim.experiments.report import Report, report
from sim.experiments.results import load_design, load_record, load_results
from sim.experiments.runner import plan, run_experiment
from sim.experiments.spec import Design, Experiment, load_experiment, parameter_names

__all__ = [
    "Design",
    "Experiment",
    "Report",
    "Run",
    "load_design",
    "load_experiment",
    "load_record",
    "load_results",
    "parameter_names",
    "plan",
    "report",
    "run_experiment",
]
