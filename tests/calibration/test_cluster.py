"""The same calibration on a real Dask cluster (scheduler and workers on 127.0.0.1) gives the same posterior."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
from cal_helpers import write

pytestmark = pytest.mark.slow
pytest.importorskip("pyabc")
pytest.importorskip("distributed")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "experiments"))
from test_parallel import dask_cluster  # noqa: E402, F401  (the fixture: a real scheduler and two workers)

from sim.calibration import calibrate, load_calibration  # noqa: E402


def test_dask_cluster_gives_the_serial_posterior(tmp_path, dask_cluster):  # noqa: F811
    path = write(tmp_path)
    serial = calibrate(load_calibration(path), tmp_path / "serial")
    cluster = calibrate(load_calibration(path), tmp_path / "cluster", scheduler=dask_cluster)
    for name in ("posterior.parquet", "predictive_runs.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(cluster / name), pd.read_parquet(serial / name))


def test_unreachable_scheduler_is_one_line_exit_2(tmp_path, capsys):
    from sim.cli import main

    out = tmp_path / "out"
    assert main(["calibrate", str(write(tmp_path)), "--out", str(out), "--scheduler", "tcp://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Dask scheduler" in err
    assert not out.exists()
