"""A pyabc sampler whose result does not depend on the number of workers, nor on their speed.

pyabc's own parallel samplers (multicore, Dask) seed each worker at random and accept particles in the
order they happen to finish, so the same run gives another posterior each time. Here evaluation ``i`` of
generation ``t`` seeds numpy's global generator (which pyabc's priors and perturbation kernels draw from)
with ``SeedSequence([seed, t + 1, i])``; evaluations are submitted in index order to any
``concurrent.futures``-style executor (in-process, a local process pool, a Dask cluster) and the
generation is the first ``n`` accepted particles *by index*, as in evaluation-parallel sampling (Jagiella
et al. 2017, "Parallelization and high-performance computing enables automated statistical inference of
multi-scale models", *Cell Systems* 4). Results that come back beyond the ``n``-th acceptance are
discarded. The same seed therefore gives the same particles, weights and evaluation counts, serially or
in parallel, and a resumed run continues exactly as an uninterrupted one would have.
"""

from __future__ import annotations

import random
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait

import cloudpickle
import numpy as np
from pyabc.sampler import Sampler


def evaluate(simulate_one: bytes, seed: int, t: int, i: int):
    """One evaluation (propose, simulate, compare) with numpy's global generator seeded for ``(t, i)``."""
    words = np.random.SeedSequence([seed, t + 1, i]).generate_state(4)
    np.random.seed(words)
    random.seed(int(words[0]))
    return cloudpickle.loads(simulate_one)()


class OrderedSampler(Sampler):
    """Evaluation-parallel sampling on an executor, accepting the first ``n`` particles by evaluation index."""

    def __init__(self, executor: Executor, seed: int, window: int = 1):
        super().__init__()
        self.executor, self.seed, self.window = executor, seed, max(1, window)

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):
        job = cloudpickle.dumps(simulate_one)
        done: dict[int, object] = {}
        running: dict[Future, int] = {}
        submitted = accepted_upto = 0  # evaluations submitted; evaluations 0..accepted_upto-1 all returned
        n_accepted, last = 0, None  # acceptances among 0..accepted_upto-1; index of the n-th acceptance
        try:
            while last is None and accepted_upto < max_eval:
                while len(running) < self.window and submitted < max_eval and (last is None):
                    running[self.executor.submit(evaluate, job, self.seed, t, submitted)] = submitted
                    submitted += 1
                finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for future in finished:
                    done[running.pop(future)] = future.result()
                while accepted_upto in done and last is None:
                    if done[accepted_upto].accepted:  # type: ignore[attr-defined]
                        n_accepted += 1
                        if n_accepted == n:
                            last = accepted_upto
                    accepted_upto += 1
        finally:
            for future in running:
                future.cancel()
        end = accepted_upto if last is None else last + 1
        sample = self._create_empty_sample()
        for i in range(end):
            sample.append(done[i])
        self.nr_evaluations_ = end
        if sample.n_accepted < n:
            sample.ok = False
        return sample
