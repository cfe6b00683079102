"""The ODD description's parameter table lists exactly the fields a scenario file can set."""

from __future__ import annotations

import re
import typing
from pathlib import Path

from pydantic import BaseModel

from sim.params import LeverOverrides
from sim.scenario import Scenario

ODD = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"


def schema_fields(model: type[BaseModel] = Scenario, prefix: str = "") -> set[str]:
    """Dotted names of all leaf fields, 'firms[].levers.exit_fee' style."""
    names = set()
    for name, field in model.model_fields.items():
        annotation = field.annotation
        is_list = typing.get_origin(annotation) is list
        inner = typing.get_args(annotation)[0] if is_list else annotation
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            names |= schema_fields(inner, f"{prefix}{name}{'[]' if is_list else ''}.")
        else:
            names.add(prefix + name)
    return names


def odd_table() -> set[str]:
    text = ODD.read_text()
    table = text[text.index("## Parameters") :]
    return set(re.findall(r"^\| `([^`]+)` \|", table, flags=re.M))


def test_parameter_table_matches_the_schema():
    in_schema, in_odd = schema_fields(), odd_table()
    assert in_schema - in_odd == set(), "in the schema but not in docs/ODD.md"
    assert in_odd - in_schema == set(), "in docs/ODD.md but not in the schema"


def test_lever_overrides_are_the_levers():
    levers = {f.removeprefix("firms[].levers.") for f in schema_fields() if f.startswith("firms[].levers.")}
    assert schema_fields(LeverOverrides) == levers


def test_submodels_name_parameters_that_exist():
    text = ODD.read_text()
    section = text[text.index("## 7. Submodels") : text.index("## Mechanisms and the claims")]
    submodels = "\n".join(line for line in section.splitlines() if not line.startswith("#"))  # not headings
    quoted = set(
        re.findall(
            r"`((?:customers|behaviour|economics|network|mechanisms|scores|measures|shocks\[\])\.[a-z_]+)`", submodels
        )
    )
    assert len(quoted) > 40
    assert quoted - schema_fields() == set()


def test_has_all_seven_elements():
    text = ODD.read_text()
    for heading in (
        "1. Purpose and patterns",
        "2. Entities, state variables and scales",
        "3. Process overview and scheduling",
        "4. Design concepts",
        "5. Initialization",
        "6. Input data",
        "7. Submodels",
    ):
        assert f"## {heading}" in text


def test_every_parameter_names_where_its_default_comes_from():
    from sim.sources import ASSUMED, SOURCES, calibrated, source

    fields = schema_fields()
    assert set(SOURCES) <= fields, "sim/sources.py names a parameter the schema lacks"
    assert calibrated() and set(calibrated()) <= fields  # the status-quo calibration's priors are parameters
    assert all(source(name) for name in fields)
    assert source("behaviour.choice_noise").startswith("calibrated")  # read from the calibration file
    assert source("behaviour.trust_asymmetry").startswith("Slovic")  # a literature source wins over "assumed"
    assert source("behaviour.fairness_sensitivity") == ASSUMED  # an assumption says so
    text = ODD.read_text()
    rows = re.findall(r"^\| `([^`]+)` \|(.*)\|$", text[text.index("## Parameters") :], flags=re.M)
    assert {name: cells.split(" | ")[-1].strip() for name, cells in rows} == {n: source(n) for n, _ in rows}
