"""Static checks run as tests, so CI enforces them: mypy on sim/, ruff's linter and formatter on everything."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def check(*command: str) -> None:
    done = subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"`{' '.join(command)}` failed:\n{done.stdout}{done.stderr}"


def test_mypy_is_clean_on_sim():
    check("mypy")  # configured in pyproject.toml: files, plugins, strict modules


def test_ruff_check_is_clean():
    check("ruff", "check", ".")


def test_ruff_format_leaves_every_file_as_it_is():
    check("ruff", "format", "--check", ".")
