"""Files derived from the schema and the policy registry, written by one command.

The preset scenario files (``scenarios/<preset>.toml``, ``scenarios/market.toml``)
and the tables of ``docs/ODD.md`` and ``README.md`` between ``<!-- generated: NAME ... -->``
and ``<!-- end generated: NAME -->`` follow from ``sim/params.py``, ``sim/policies.py``
and ``sim/metrics.py``; nobody keeps them by hand. After changing a field, a bound,
a default or a policy, regenerate them (tests fail until then)::

    python -m sim.generate           # rewrite what is out of date
    python -m sim.generate --check   # list what is out of date; exit code 1 if anything is

>>> from sim.params import Customers
>>> parameter_row("customers.count", Customers.model_fields["count"])
'| `customers.count` | 2000 | 10 … 5000000 | customers in the market (with a firm or not) | choice of the study |'
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

import sim
from sim.params import LeverOverrides, Levers
from sim.policies import POLICIES, STATUS_QUO

ROOT = Path(__file__).resolve().parent.parent
COMMAND = "python -m sim.generate"
SECTIONS_IN_FULL = ("customers", "network")  # sections a preset file spells out with every default


# -- values -------------------------------------------------------------------------------------
def toml_value(value: Any) -> str:
    """A value as TOML writes it (strings, numbers, booleans)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def _choices(annotation: Any) -> tuple[Any, ...]:
    """The allowed values of a ``Literal`` field (empty for any other field)."""
    return typing.get_args(annotation) if typing.get_origin(annotation) is typing.Literal else ()


def _bound(field: FieldInfo, *keys: str) -> tuple[str, Any] | None:
    for meta in field.metadata:
        for key in keys:
            if getattr(meta, key, None) is not None:
                return key, getattr(meta, key)
    return None


def value_range(field: FieldInfo) -> str:
    """Allowed values in words: 'text', 'true / false', 'one of ...', or 'low … high' with '>'/'<' for strict bounds."""
    annotation = field.annotation
    if annotation is bool:
        return "true / false"
    if choices := _choices(annotation):
        return "one of " + ", ".join(f"`{c}`" for c in choices)
    if annotation is str:
        return "text"
    if set(typing.get_args(annotation)) == {str, type(None)}:
        return "text or none"
    low, high = _bound(field, "ge", "gt"), _bound(field, "le", "lt")
    text = ("> " if low and low[0] == "gt" else "") + (repr(low[1]) if low else "")
    text += " …" + (" " + ("< " if high[0] == "lt" else "") + repr(high[1]) if high else "")
    return text.strip()


def default(field: FieldInfo) -> str:
    """The default as a scenario file writes it ('required' when there is none, 'none' for None)."""
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    return "none" if value is None else toml_value(value)


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|")


# -- the ODD's tables ---------------------------------------------------------------------------
def leaf_fields(model: type[BaseModel] = sim.Scenario, prefix: str = "") -> Iterator[tuple[str, FieldInfo]]:
    """Every field a scenario file may set, by dotted name ('firms[].levers.exit_fee'), in schema order."""
    for name, field in model.model_fields.items():
        annotation = field.annotation
        is_list = typing.get_origin(annotation) is list
        inner = typing.get_args(annotation)[0] if is_list else annotation
        if inner is LeverOverrides:  # overrides default to the lever's own default
            inner = Levers
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            yield from leaf_fields(inner, f"{prefix}{name}{'[]' if is_list else ''}.")
        else:
            yield prefix + name, field


def parameter_row(name: str, field: FieldInfo) -> str:
    """One row of the ODD's parameter table: name, default, range, meaning, source (``sim.sources``)."""
    from sim.sources import source

    cells = (default(field), value_range(field), field.description or "", source(name))
    return f"| `{name}` | " + " | ".join(cell(c) for c in cells) + " |"


def parameter_table() -> str:
    rows = [parameter_row(name, field) for name, field in leaf_fields()]
    return "\n".join(["| parameter | default | range | meaning | source |", "| --- | --- | --- | --- | --- |", *rows])


def preset_table() -> str:
    """Lever values of every policy preset; a value in bold differs from business as usual."""
    names, usual = list(POLICIES), Levers.model_validate(STATUS_QUO)
    rows = ["| lever | " + " | ".join(f"`{n}`" for n in names) + " |", "| --- |" + " --- |" * len(names)]
    for lever in Levers.model_fields:
        cells = []
        for name in names:
            value = getattr(POLICIES[name].levers, lever)
            cells.append(f"**{value!r}**" if value != getattr(usual, lever) else repr(value))
        rows.append(f"| `{lever}` | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def outcome_table() -> str:
    """Every column of the results table with its unit, label and meaning (``sim/metrics.py``)."""
    from sim.metrics import OUTCOMES

    rows = [f"| `{o.name}` | {cell(o.unit)} | {cell(o.label)} | {cell(o.description)} |" for o in OUTCOMES.values()]
    return "\n".join(["| outcome | unit | label | meaning |", "| --- | --- | --- | --- |", *rows])


def policy_table() -> str:
    """The README's list of presets: name and what the firm does."""
    rows = [f"| `{name}` | {cell(cls.description)} |" for name, cls in POLICIES.items()]
    return "\n".join(["| preset | what the firm does |", "| --- | --- |", *rows])


#: File -> marked block -> what fills it.
TABLES = {
    Path("docs") / "ODD.md": {"outcomes": outcome_table, "presets": preset_table, "parameters": parameter_table},
    Path("README.md"): {"policies": policy_table},
}


def fill(text: str, name: str, content: str, source: str) -> str:
    """``text`` with the block between the markers of ``name`` replaced by ``content``."""
    pattern = re.compile(rf"(<!-- generated: {name} [^\n]*-->\n)(.*?)(<!-- end generated: {name} -->)", re.S)
    if not pattern.search(text):
        raise ValueError(f"{source}: no '<!-- generated: {name} ... -->' ... '<!-- end generated: {name} -->' block")
    return pattern.sub(lambda mo: mo.group(1) + content + "\n" + mo.group(3), text, count=1)


# -- the preset scenario files ------------------------------------------------------------------
def scenario_file(scenario: sim.Scenario) -> str:
    """A preset scenario as a commented TOML file."""
    lines = [
        f"# Generated by `{COMMAND}` from the schema and the policy presets; to make your own, edit a copy.",
        *(f"{key} = {toml_value(getattr(scenario, key))}" for key in ("name", "description", "years")),
        f"seed = {scenario.seed or 0}                        # a shipped file pins its seed; leave it out for fresh entropy",
    ]
    for section in SECTIONS_IN_FULL:
        part: BaseModel = getattr(scenario, section)
        lines += ["", f"[{section}]"]
        for key, field in type(part).model_fields.items():
            lines.append(f"{key} = {toml_value(getattr(part, key))}".ljust(32) + f"# {field.description}")
    lines += [
        "",
        "# Behaviour, economics and mechanism switches keep their defaults unless set here, e.g.",
        "# [behaviour]",
        f"# trust_asymmetry = {toml_value(scenario.behaviour.trust_asymmetry)}",
        "# [mechanisms]",
        "# word_of_mouth = false",
    ]
    for firm in scenario.firms:
        lines += ["", "[[firms]]", f"name = {toml_value(firm.name)}", f"policy = {toml_value(firm.policy)}"]
    kinds = shock_kinds()
    others = f"   # or {', '.join(toml_value(k) for k in kinds[1:])}" if len(kinds) > 1 else ""
    lines += [
        "",
        "# Shocks a scenario can schedule, e.g.",
        "# [[shocks]]",
        f'# kind = "scandal"{others}',
        "# year = 4.0",
        f"# firm = {toml_value(scenario.firms[0].name)}",
        "# severity = 0.4",
    ]
    return "\n".join(lines) + "\n"


def shock_kinds() -> tuple[str, ...]:
    """Kinds of shock a scenario may schedule, from the shock registry."""
    from sim.mechanisms.shocks import SHOCKS

    return tuple(SHOCKS)


def preset_scenarios() -> dict[str, sim.Scenario]:
    """File stem -> scenario: one file per registered policy preset, and the default market."""
    from sim.scenario import default_market, preset_scenario

    return {**{name: preset_scenario(name) for name in POLICIES}, "market": default_market()}


# -- all of it ----------------------------------------------------------------------------------
def outputs(root: Path = ROOT) -> dict[Path, str]:
    """Every derived file (relative path -> the content it must have), given the current sources."""
    out = {Path("scenarios") / f"{stem}.toml": scenario_file(s) for stem, s in preset_scenarios().items()}
    for path, tables in TABLES.items():
        text = (root / path).read_text(encoding="utf-8")
        for name, table in tables.items():
            text = fill(text, name, table(), str(path))
        out[path] = text
    return out


def stale(root: Path = ROOT) -> list[Path]:
    """Derived files whose content differs from what the sources give."""
    return [
        path for path, text in outputs(root).items() if not (root / path).is_file() or (root / path).read_text() != text
    ]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--check", action="store_true", help="only list out-of-date files; exit code 1 if any")
    args = p.parse_args(argv)
    if not (ROOT / "docs" / "ODD.md").is_file():
        print(f"{COMMAND}: {ROOT}: not a source checkout (docs/ODD.md missing)", file=sys.stderr)
        return 2
    todo = stale()
    if args.check:
        for path in todo:
            print(f"{path}: out of date; run `{COMMAND}`")
        return 1 if todo else 0
    texts = outputs()
    for path in todo:
        (ROOT / path).write_text(texts[path], encoding="utf-8")
        print(f"wrote {path}")
    if not todo:
        print("every derived file is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
