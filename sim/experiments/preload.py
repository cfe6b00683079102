"""What the fork server of a worker pool imports before it forks workers (``runner.make_executor``).

Every worker forked from it starts with:

- **single-threaded BLAS**: the model does no linear algebra, and a BLAS thread pool in each worker
  costs about half a second of start-up and spins on the cores the other workers run on (a user's
  own ``OPENBLAS_NUM_THREADS`` and the like are kept);
- **the compiled kernels loaded** from numba's cache: loading them (and the first call of what a run
  calls) takes from 0.3 s on an idle core to a second on a busy machine, paid here once instead of by
  every worker at its first run.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")  # before numpy is first imported in this process

from sim.engine import run_batch  # noqa: E402
from sim.scenario import default_market  # noqa: E402


def load_kernels() -> None:
    """Step a tiny market for a month: every kernel of a month and of the outcome pass is loaded (or compiled)."""
    run_batch(default_market(customers=40).with_changes(burn_in_years=0), [1, 2], years=1 / 12)


try:
    load_kernels()
except Exception:  # noqa: BLE001 - only a head start: a worker that meets the same error reports it itself
    pass
