"""Counts written out in prose ("six firms", "three rivals") match the registry they describe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import sim
from sim.scenario import DEFAULT_MARKET, RIVALS

ROOT = Path(__file__).resolve().parent.parent
WORDS = "one two three four five six seven eight nine ten eleven twelve".split()
NUMBER = r"\b(\d+|" + "|".join(WORDS) + r")"
PROSE = [
    ROOT / "README.md",
    ROOT / "CONTRIBUTING.md",
    *sorted(ROOT.glob("*/README.md")),
    *sorted((ROOT / "docs").glob("*.md")),
    *sorted((ROOT / "sim").rglob("*.py")),
    *sorted((ROOT / "benchmarks").glob("*.py")),
    *sorted((ROOT / "notebooks").glob("*.py")),
    *sorted((ROOT / "experiments").glob("*.toml")),
    ROOT / "tests" / "conftest.py",
]


def value(word: str) -> int:
    return int(word) if word.isdigit() else WORDS.index(word.lower()) + 1


def mentions(pattern: str) -> list[tuple[str, int]]:
    """(where, number) for every match of NUMBER + pattern in the prose files."""
    found = []
    for path in PROSE:
        if not path.is_file():
            continue
        for row, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for mo in re.finditer(NUMBER + pattern, line, flags=re.I):
                found.append((f"{path.relative_to(ROOT)}:{row}: {mo.group(0)!r}", value(mo.group(1))))
    return found


def test_the_prose_is_scanned():
    assert mentions(r" (?:business-as-usual )?rivals\b"), "no mention found: the scan no longer reads the prose"


@pytest.mark.parametrize(
    "pattern,allowed,meaning",
    [
        # "one firm of each policy", a preset market (the focal firm and its rivals), the default market
        (r" firms?\b", {1, 1 + len(RIVALS), len(DEFAULT_MARKET)}, "firms in a preset market or the default market"),
        (r" (?:policies|policy presets)\b", {len(sim.POLICIES)}, "registered policy presets"),
        (r" (?:business-as-usual )?rivals\b", {len(RIVALS)}, "rivals in a preset market (sim.scenario.RIVALS)"),
    ],
)
def test_counts_in_prose_follow_the_registry(pattern, allowed, meaning):
    wrong = [where for where, n in mentions(pattern) if n not in allowed]
    assert not wrong, f"these counts of {meaning} should be one of {sorted(allowed)}: {wrong}"
