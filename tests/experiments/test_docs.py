"""The README documents every field of the experiment file, and its Python example runs."""

from __future__ import annotations

import re

from exp_helpers import ROOT

from sim.experiments import Design, Experiment


def readme() -> str:
    return (ROOT / "README.md").read_text()


def test_readme_documents_every_experiment_field():
    text = readme().split("### The experiment file", 1)[1].split("### Experiments from Python", 1)[0]
    assert "[design]" in text
    for name in [f for f in Experiment.model_fields if f != "design"] + list(Design.model_fields):
        assert re.search(rf"^#? ?{name} = ", text, re.MULTILINE), f"README does not show the field {name!r}"


def test_readme_python_example_runs(tmp_path, monkeypatch):
    block = readme().split("### Experiments from Python", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    (tmp_path / "experiments").symlink_to(ROOT / "experiments")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)
    rep = namespace["rep"]
    assert set(rep.summary["policy"]) == set(namespace["table"]["policy"]) and len(rep.summary["policy"].unique()) == 6
    assert all(p.exists() for p in rep.files) and "trajectories" in rep.figures
