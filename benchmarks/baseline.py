"""An earlier commit of the engine, checked out beside this one, so a benchmark can time both in the same run."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The last engine of whole-array numpy phases (before the compiled kernels): what speed-ups are measured against.
NUMPY_ENGINE = "03fdacab4c89e2e2b385e14ffddcb56d8e759257"


@contextmanager
def checkout(rev: str) -> Iterator[Path]:
    """A detached worktree of ``rev`` in a temporary folder (removed afterwards); put it first on ``sys.path``."""
    with tempfile.TemporaryDirectory(prefix="crsim-baseline-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), rev], check=True)
        try:
            yield tree
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
