"""Compiled kernels are cached per version of the model's source, so an edited rule is never run from an old cache."""

import os
import subprocess
import sys

import numba.core.config

import sim  # noqa: F401 - importing the package points numba's cache
from sim.experiments.runfiles import source_fingerprint
from sim.kernel_cache import KEEP_DAYS, _mark_and_prune, kernel_cache_dir, model_source_hash


def test_numba_caches_into_the_folder_of_this_model_source():
    folder = kernel_cache_dir()
    assert folder.name == f"crsim-{model_source_hash()}" == f"crsim-{source_fingerprint()}"
    assert numba.core.config.CACHE_DIR == str(folder) == os.environ["NUMBA_CACHE_DIR"]


def test_a_worker_process_uses_the_same_folder_and_a_users_base_folder_is_kept(tmp_path):
    code = "import sim, numba.core.config as c; print(c.CACHE_DIR)"
    inherited = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert inherited.stdout.strip() == str(kernel_cache_dir())
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    own = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert own.stdout.strip() == str(tmp_path / f"crsim-{model_source_hash()}")


def test_folders_of_other_versions_unused_for_a_month_are_removed(tmp_path):
    now = 1_000 * 86400.0
    ours, recent, stale, foreign = (tmp_path / n for n in ("crsim-a", "crsim-b", "crsim-c", "other"))
    for folder, days in ((ours, 400), (recent, KEEP_DAYS - 1), (stale, KEEP_DAYS + 1), (foreign, 400)):
        folder.mkdir()
        os.utime(folder, (now - days * 86400, now - days * 86400))
    _mark_and_prune(ours, now)
    assert ours.exists() and ours.stat().st_mtime == now  # in use, however old it was
    assert recent.exists() and foreign.exists() and not stale.exists()
