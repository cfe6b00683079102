"""What the fork server of a worker pool imports before it forks workers (``pool.make_executor``).

Every worker forked from it starts with:

- **single-threaded BLAS** (``pool.THREADS``, in the environment the pool starts this server with, so
  that numpy sees them when it is first imported; a user's own ``OPENBLAS_NUM_THREADS`` and the like are kept);
- **the environment of the process that started the pool** otherwise: the pool starts this server with
  that process's search path in ``PYTHONPATH`` (:mod:`sim.experiments.pool`), given back here;
- **the compiled kernels loaded** from numba's cache: loading them (and the first call of what a run
  calls) takes from 0.3 s on an idle core to a second on a busy machine, paid here once instead of by
  every worker at its first run.
"""

from __future__ import annotations

import json
import os

from sim.engine import run_batch
from sim.experiments.pool import RESTORE  # imported already, with the package this module is in
from sim.scenario import default_market

for _name, _value in json.loads(os.environ.pop(RESTORE, "{}")).items():
    if _value is None:
        os.environ.pop(_name, None)
    else:
        os.environ[_name] = _value


def load_kernels() -> None:
    """Step a tiny market for a month: every kernel of a month and of the outcome pass is loaded (or compiled)."""
    run_batch(default_market(customers=40).with_changes(burn_in_years=0), [1, 2], years=1 / 12)


try:
    load_kernels()
except Exception:  # noqa: BLE001 - only a head start: a worker that meets the same error reports it itself
    pass
