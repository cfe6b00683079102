"""Calibration of the status-quo market to public figures (ABC-SMC with pyabc) and its summary statistics.

A quick calibration of a shipped file, shrunk::

    from sim.calibration import calibrate, load_calibration

    cal = load_calibration("calibration/status_quo.toml", population=20, max_generations=2, customers=400)
    out = calibrate(cal, "out/cal", workers=2)   # posterior.parquet, calibrated.toml, predictive_check.csv ...

The statistics (``STATISTICS``) need only numpy; running a calibration needs the ``calibrate`` extra.
"""

from __future__ import annotations

from sim.calibration.spec import Calibration, Target, load_calibration
from sim.calibration.statistics import STATISTICS, Observation, Watcher, measure, statistic


def calibrate(*args, **kwargs):
    """Run or resume a calibration; see :func:`sim.calibration.run.calibrate`."""
    from sim.calibration.run import calibrate as run

    return run(*args, **kwargs)


__all__ = [
    "STATISTICS",
    "Calibration",
    "Observation",
    "Target",
    "Watcher",
    "calibrate",
    "load_calibration",
    "measure",
    "statistic",
]
