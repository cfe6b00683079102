"""The README's set-up commands are the ones CI runs."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    command = ci[-1]
    assert command in readme
    assert "pytest" in command and '".[test]"' in command


def test_readme_names_every_preset():
    import sim

    readme = (ROOT / "README.md").read_text()
    assert all(f"`{name}`" in readme for name in sim.POLICIES)
