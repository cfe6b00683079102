"""crsim claims on a real Dask cluster (a scheduler and two workers on 127.0.0.1) gives the serial atlas."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
from claims_helpers import TOYS, space_file

pytest.importorskip("distributed")
pytestmark = pytest.mark.slow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "experiments"))
from test_parallel import dask_cluster  # noqa: E402, F401 - the sweeps' cluster: real processes on loopback

from sim.claims.evaluate import effects, run_claims  # noqa: E402
from sim.claims.space import load_space  # noqa: E402
from sim.cli import main  # noqa: E402


def test_claims_on_a_dask_cluster_give_the_serial_effects(tmp_path, dask_cluster, capsys):  # noqa: F811
    space = load_space(space_file(tmp_path, customers=100, samples=4, replications=2))
    serial = run_claims(TOYS[1:], space, tmp_path / "serial", progress=False)
    code = main(["claims", "budget_sales_acquisitions", "--uncertainties", str(tmp_path / "space.toml"),
                 "--samples", "4", "--replications", "2", "--customers", "100", "--out", str(tmp_path / "cli"),
                 "--scheduler", dask_cluster, "--quiet"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "cli" / "claims.md").is_file()
    clustered = run_claims(TOYS[1:], space, tmp_path / "cluster", scheduler=dask_cluster, progress=False)
    pd.testing.assert_frame_equal(effects(TOYS[1:], clustered), effects(TOYS[1:], serial))
