"""Where numba keeps the compiled kernels: one cache folder per version of the model's source.

numba's own cache (``cache=True``) notices when the file of a kernel changes, but not when a
function it calls from another file does, so after an edit or an upgrade a kernel could go on
running an old rule from the cache. Here every distinct model source (:func:`model_source_hash`:
the ``sim`` package without the page and the claims) compiles into its own folder,
``<base>/crsim-<hash>``, with ``<base>`` the user's ``NUMBA_CACHE_DIR``, else
``$XDG_CACHE_HOME/crsim/kernels``, else ``~/.cache/crsim/kernels``. Worker processes inherit the
folder through the environment. A folder is marked as used each time the package is imported, and folders
of other versions unused for :data:`KEEP_DAYS` days are removed (each holds a few MB). Importing this module (``sim`` does so first) points the cache; it uses only the standard
library, so that it runs before numba is first imported.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import sys
import time
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parent  # the ``sim`` package
NOT_MODEL = ("app", "claims")  # sub-packages that draw, serve or compare results but cannot change them
KEEP_DAYS = 30  # folders of other model versions unused this long are removed


def source_hash(root: Path) -> str:
    """Hash of every Python source file under ``root`` but those of the page and the claims."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts[0] in NOT_MODEL:
            continue
        digest.update(str(rel.as_posix()).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@functools.cache
def model_source_hash() -> str:
    """Hash of every Python source file of the model (the ``sim`` package without the page and the claims)."""
    return source_hash(SOURCE_ROOT)


def kernel_cache_dir() -> Path:
    """The folder of this model source's compiled kernels."""
    name = f"crsim-{model_source_hash()}"
    base = os.environ.get("NUMBA_CACHE_DIR")
    if base and Path(base).name == name:  # set by this module in a parent process
        return Path(base)
    if not base:
        base = str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "crsim" / "kernels")
    return Path(base) / name


def use_kernel_cache() -> Path:
    """Point numba's cache at :func:`kernel_cache_dir` (also if numba was imported already)."""
    folder = kernel_cache_dir()
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
    _mark_and_prune(folder)
    config = sys.modules.get("numba.core.config")
    if config is not None:
        config.CACHE_DIR = str(folder)  # type: ignore[attr-defined]
    return folder


def _mark_and_prune(folder: Path, now: float | None = None) -> None:
    """Mark ``folder`` as used now; remove the folders of other model versions beside it unused for KEEP_DAYS."""
    now = time.time() if now is None else now
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.utime(folder, (now, now))
        for other in folder.parent.glob("crsim-*"):
            if other != folder and other.is_dir() and now - other.stat().st_mtime > KEEP_DAYS * 86400:
                shutil.rmtree(other, ignore_errors=True)
    except OSError:  # a read-only or missing cache location: numba then falls back to its own
        pass


use_kernel_cache()
