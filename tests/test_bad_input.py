"""Every failure is one line: odd files, wrong types, meaningless input, and a fuzz over the whole schema."""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from sim.checks import InputWarning, meaningless
from sim.cli import main
from sim.scenario import Scenario, ScenarioError, load_scenario

GOOD = 'name = "t"\nyears = 2\n[customers]\ncount = 300\n[[firms]]\nname = "A"\npolicy = "permanent_exit"\n'


def cli(*args: str) -> tuple[int, str]:
    """``crsim ARGS`` in this process: exit code and stderr."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(list(args))
    return code, err.getvalue()


def one_line(code: int, err: str, *fragments: str) -> None:
    assert code == 2 and err.count("\n") == 1 and err.startswith("crsim: "), err
    for fragment in fragments:
        assert fragment in err, err


def test_a_directory_is_not_a_scenario_file(tmp_path):
    one_line(*cli("validate", str(tmp_path)), "is a directory")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.toml")
    one_line(*cli("run", str(tmp_path / "pipe.toml")), "not a regular file")


def test_a_symlink_loop_is_named_as_such(tmp_path):
    (tmp_path / "a.toml").symlink_to(tmp_path / "b.toml")
    (tmp_path / "b.toml").symlink_to(tmp_path / "a.toml")
    one_line(*cli("run", str(tmp_path / "a.toml")), "a.toml: cannot be read", "ymbolic links")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_named(tmp_path):
    path = tmp_path / "secret.toml"
    path.write_text(GOOD)
    path.chmod(0)
    one_line(*cli("run", str(path)), "secret.toml: cannot be read (Permission denied)")


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_scenario(path).customers.count == 300


def test_deeply_nested_toml_is_one_line(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    one_line(*cli("validate", str(path)), "nested too deeply")


def test_bytes_that_are_not_utf8_are_one_line(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(GOOD.replace('"t"', '"Caf\xe9"').encode("latin-1"))
    one_line(*cli("validate", str(path)), "not UTF-8 text")


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("years = 2", "years = true", "years: Input should be a valid number"),
        ("count = 300", 'count = "300"', "customers.count: Input should be a valid integer"),
        ("count = 300", "count = 300.0", "customers.count: Input should be a valid integer"),
        ("years = 2", "years = 2\n[economics]\ndiscount_rate = 0", "economics.discount_rate"),
        (
            'policy = "permanent_exit"\n',
            'policy = "permanent_exit"\n[[firms]]\nname = " a"\npolicy = "budget_sales"\n',
            "differ by more than case",
        ),
    ],
)
def test_wrong_types_and_names_that_differ_only_by_case_are_refused(tmp_path, old, new, field):
    path = tmp_path / "s.toml"
    path.write_text(GOOD.replace(old, new))
    one_line(*cli("validate", str(path)), str(path), field)


def test_a_whole_number_is_still_a_real_number():
    assert Scenario.model_validate({"years": 3, "firms": [{"name": "A", "policy": "permanent_exit"}]}).years == 3.0


def test_meaningless_input_warns_in_one_line(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        GOOD
        + '[[shocks]]\nkind = "scandal"\nyear = 5\nfirm = "A"\n[[shocks]]\nkind = "recession"\nyear = 1\nfirm = "A"\n'
    )
    code, err = cli("validate", str(path))
    assert code == 0
    assert err.splitlines() == [
        f"crsim: warning: {path}: shocks[0].year: 5 is after the horizon of 2 years; the shock never happens",
        f"crsim: warning: {path}: shocks[1].firm: a recession hits the whole market; firm 'A' is ignored",
    ]
    assert meaningless(load_scenario(path).with_changes(years=6))[0].startswith("shocks[1]")


def test_integer_bounds_that_collapse_warn(tmp_path):
    from sim.experiments import load_experiment

    path = tmp_path / "e.toml"
    path.write_text(
        'name = "e"\nscenario = "business_as_usual"\n[design]\nkind = "latin_hypercube"\nsamples = 4\n'
        "bounds = { 'levers.contract_term' = [0.1, 0.4], 'behaviour.trust_gain' = [0.01, 0.1] }\n"
    )
    with pytest.warns(InputWarning, match=r"design.bounds.levers.contract_term: \[0.1, 0.4\] rounds to 0"):
        load_experiment(path)


def test_unwritable_out_is_refused_before_simulating(tmp_path):
    (tmp_path / "file").write_text("")
    one_line(*cli("run", "--years", "100", "--out", str(tmp_path / "file" / "out")), "not a directory")


def test_a_corrupt_record_is_one_line_on_resume(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "experiment.json").write_text("{not json")
    one_line(
        *cli("sweep", "--resume", str(tmp_path / "out")), "experiment.json: cannot be read as an experiment record"
    )


def test_experiment_files_may_not_read_scenarios_from_anywhere(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (tmp_path / "study").mkdir()
    elsewhere.mkdir()
    (elsewhere / "s.toml").write_text(GOOD)
    path = tmp_path / "study" / "e.toml"
    path.write_text('name = "e"\nscenario = "../elsewhere/s.toml"\n')
    one_line(*cli("sweep", str(path), "--out", str(tmp_path / "o")), "lies outside the experiment's folder")
    from sim.experiments import load_experiment

    assert load_experiment(path, any_scenario=True).scenario.endswith("s.toml")
    (tmp_path / "study" / "mine.toml").write_text(GOOD)
    path.write_text('name = "e"\nscenario = "mine.toml"\n')
    assert load_experiment(path).scenario.endswith("mine.toml")


# -- fuzz: every field of the schema, mutated, gives exit 0 or one line with exit 2 ------------------------------


def fields(schema: type[BaseModel], prefix: str = "") -> list[str]:
    out = []
    for name, field in schema.model_fields.items():
        inner = field.annotation
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            out += fields(inner, f"{prefix}{name}.")
        else:
            out.append(prefix + name)
    return out


FIELDS = [f for f in fields(Scenario) if f not in ("firms", "shocks")] + [
    "firms.name",
    "firms.policy",
    *(f"firms.levers.{k}" for k in ("price", "contract_term", "exit_fee", "staff_authority", "discount_months")),
    "shocks.kind",
    "shocks.year",
    "shocks.firm",
    "shocks.severity",
    "shocks.months",
]
VALUES = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=50),
    st.sampled_from(["1", "0.5", "1e999", "nan", "True", " A", "a", "A "]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def scenario_text(field: str, value) -> str:
    data = {"name": "f", "years": 1, "customers": {"count": 60}, "network": {"degree": 4}}
    firms = [
        {"name": "A", "policy": "permanent_exit", "levers": {}},
        {"name": "B", "policy": "budget_sales", "levers": {}},
    ]
    shocks = [{"kind": "scandal", "year": 0.5, "firm": "A"}]
    parts = field.split(".")
    target = {"firms": firms[0], "shocks": shocks[0]}.get(parts[0], data)
    parts = parts[1:] if parts[0] in ("firms", "shocks") else parts
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value
    lines = [f"{k} = {toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for k, v in data.items():
        if isinstance(v, dict):
            lines += [f"[{k}]", *(f"{kk} = {toml_value(vv)}" for kk, vv in v.items())]
    for firm in firms:
        lines += ["[[firms]]", *(f"{k} = {toml_value(v)}" for k, v in firm.items())]
    for shock in shocks:
        lines += ["[[shocks]]", *(f"{k} = {toml_value(v)}" for k, v in shock.items())]
    return "\n".join(lines) + "\n"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(FIELDS), value=VALUES)
def test_fuzz_every_mutation_is_accepted_or_one_line_with_exit_2(field, value):
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)
        path = Path(folder) / "fuzz.toml"
        path.write_text(scenario_text(field, value))
        code, err = cli("validate", str(path))
        if code != 0:
            one_line(code, err, str(path))
        if (
            isinstance(value, bool)
            and field.split(".")[-1] not in Scenario.model_fields["mechanisms"].annotation.model_fields
        ):
            assert code == 2, f"{field} = {value} was taken as a number"


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=300))
def test_fuzz_any_text_is_accepted_or_one_line_with_exit_2(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "junk.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        code, err = cli("validate", str(path))
        assert code == 0 or (code == 2 and err.count("\n") == 1), err


def test_scenario_errors_never_hide_a_traceback():
    with pytest.raises(ScenarioError):
        load_scenario(Path("/nonexistent/x.toml"))


def test_the_page_warns_when_it_binds_beyond_loopback(monkeypatch, capsys):
    from sim.app import serve as module

    class Served(Exception):
        pass

    def execve(*args):
        raise Served

    monkeypatch.setattr(module.os, "execve", execve)
    monkeypatch.setattr(module.os, "name", "posix")
    for host, warned in (("0.0.0.0", True), ("127.0.0.1", False)):
        with pytest.raises(Served):
            module.serve(None, host=host)
        err = capsys.readouterr().err
        assert ("the page has no login" in err) is warned, err
