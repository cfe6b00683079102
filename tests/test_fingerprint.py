"""The fingerprint comparison tells a new or missing outcome column apart from a changed result."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("fingerprint", ROOT / "benchmarks" / "fingerprint.py")
assert _spec and _spec.loader
fingerprint = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fingerprint)


def test_new_missing_and_changed_columns_are_told_apart():
    stored = {"a": {"outcomes.trust": "1", "outcomes.bond": "2", "outcomes.gone": "3"}, "old": {"outcomes.x": "4"}}
    now = {"a": {"outcomes.trust": "1", "outcomes.bond": "9", "outcomes.fresh": "5"}, "b": {"outcomes.trust": "6"}}
    verdicts = fingerprint.compare(stored, now)
    assert verdicts == {
        "a": {
            "outcomes.trust": "same",
            "outcomes.bond": "changed",
            "outcomes.fresh": "new",
            "outcomes.gone": "missing",
        },
        "b": {"outcomes.trust": "new"},
        "old": {"outcomes.x": "missing"},
    }
    lines = fingerprint.report(verdicts)
    assert lines[0].split() == [
        "a", "1", "of", "4", "same;", "changed:", "outcomes.bond;", "missing:", "outcomes.gone;", "new:", "outcomes.fresh",
    ]  # fmt: skip


def test_stored_fingerprints_are_per_column_of_known_markets():
    stored = json.loads((ROOT / "benchmarks" / "fingerprint.json").read_text())
    assert set(stored) <= set(fingerprint.cases())
    for market, prints in stored.items():
        assert "outcomes.trust" in prints and "state.trust" in prints, market
        assert all(k.split(".")[0] in ("outcomes", "state") and len(v) == 64 for k, v in prints.items()), market
