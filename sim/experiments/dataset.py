"""One results dataset per sweep: ``DIR/results.parquet``, folded from the run files and read lazily.

Runs land a batch at a time as ``DIR/runs/<first key>+<runs>.parquet`` (so a killed sweep resumes exactly); at the end of a
sweep, or on ``crsim compact DIR``, :func:`compact` streams them into one zstd-compressed parquet file and
removes the run files it folded in. Its schema metadata carries the experiment's record (``experiment.json``:
resolved experiment and scenario, design, versions, model code) and, per run, its seed, row count and model
source, so the file proves itself like a run file does.

Schema (one row per run, firm and month): ``run_id``, ``policy``, ``firm``, ``firm_policy`` and the varied
switches are dictionary-encoded (pandas categoricals); ``point``, ``replication`` int32; ``seed`` int64;
``step`` int32 (months since the start, 0 = the starting state); ``year`` float64 (``step / 12``, the time
axis of the figures); ``focal`` bool; counts (customers, acquired, churned, complaints, ...) int32 whenever
their values are whole; other outcomes and varied parameters float64.

:func:`run_summaries` reduces every run to the focal firm's mean over the last months with a filtered
scan, so a report never holds every time series in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from sim.experiments.runfiles import named_runs, read_stamps, write_durable
from sim.scenario import ScenarioError

RESULTS = "results.parquet"
RUNS = "runs"
DATASET_KEY = b"crsim.dataset"
LABELS = ("run_id", "policy", "firm", "firm_policy")
INTEGERS = {"point": pa.int32(), "replication": pa.int32(), "seed": pa.int64(), "step": pa.int32()}
COUNTS = (
    "customers",
    "acquired",
    "churned",
    "complaints",
    "silent_failures",
    "defects_discovered",
    "complaint_queue",
    "word_of_mouth",
    "public_posts",
)
ROW_GROUP = 250_000  # rows per row group of the dataset


def typed(table: pa.Table, floats: frozenset[str] | set[str] = frozenset(), strict: bool = False) -> pa.Table:
    """A run table in the dataset's types (``floats``: counts kept real-valued; ``strict``: raise if one must be)."""
    fields = []
    for field in table.schema:
        name, kind = field.name, field.type
        if name in LABELS or pa.types.is_string(kind) or pa.types.is_large_string(kind):
            kind = pa.dictionary(pa.int32(), pa.string())
        elif name in INTEGERS:
            kind = INTEGERS[name]
        elif name in COUNTS and name not in floats:
            kind = pa.int32()
        fields.append(pa.field(name, kind))
    schema = pa.schema(fields)
    columns, fields_out = [], []
    for field in schema:
        column = table.column(field.name)
        if pa.types.is_dictionary(field.type) and not pa.types.is_dictionary(column.type):
            column = pc.dictionary_encode(column.cast(pa.string()))
        else:
            try:
                column = column.cast(field.type, safe=True)
            except pa.ArrowInvalid:  # a count with a fractional value (or a gap) stays real-valued
                if strict:
                    raise FractionalCount(field.name) from None
                field = pa.field(field.name, pa.float64())
                column = column.cast(pa.float64())
        fields_out.append(field)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=pa.schema(fields_out))


class FractionalCount(ValueError):
    """A count column holds a value that is not a whole number."""


def run_files(out: Path) -> list[Path]:
    """The run files not yet folded into the dataset, in design order."""
    folded = set(folded_runs(out))
    return [p for p in sorted((out / RUNS).glob("*.parquet")) if named_runs(p)[0] not in folded]


def dataset_meta(out: Path) -> dict[str, Any] | None:
    """The dataset's own metadata (record and runs), or None without a dataset; one line if it is damaged."""
    path = out / RESULTS
    if not path.exists():
        return None
    try:
        raw = (pq.read_schema(path).metadata or {}).get(DATASET_KEY)
        if raw is None:
            raise ValueError("it carries no crsim metadata")
        found: dict[str, Any] = json.loads(raw)
        return found
    except (OSError, pa.ArrowException, TypeError, ValueError) as err:
        raise ScenarioError(f"{path}: not a readable results dataset ({str(err).splitlines()[0]})") from None


def folded_runs(out: Path) -> dict[str, dict[str, Any]]:
    """Run id -> {seed, rows, source} of the runs in the dataset."""
    meta = dataset_meta(out)
    return meta["runs"] if meta else {}


def compact(out: str | Path) -> Path:
    """Fold every run file of ``out`` into ``out/results.parquet`` (streaming), then remove the folded files."""
    from sim.experiments.results import load_record

    out = Path(out)
    record = load_record(out)
    floats: set[str] = set()
    while True:
        try:
            folded = _write(out, record, floats)
            break
        except FractionalCount as err:  # keep that column real-valued throughout
            floats.add(str(err))
    for path in folded:
        path.unlink(missing_ok=True)
    return out / RESULTS


def _write(out: Path, record: dict[str, Any], floats: set[str]) -> list[Path]:
    """Write the dataset's rows, then every unfolded run file's, one at a time; returns the files folded in."""
    files = run_files(out)
    old = dataset_meta(out)
    if not files:
        return []
    runs = dict(old["runs"]) if old else {}
    for path in files:
        for stamp in read_stamps(path):
            runs[stamp["run_id"]] = {
                "seed": stamp["seed"],
                "rows": stamp["rows"],
                "source": stamp["code"].get("source"),
            }
    first = pq.read_schema(out / RESULTS) if old else typed(pq.read_table(files[0]), floats, strict=True).schema
    schema = pa.schema(
        [pa.field(f.name, pa.float64()) if f.name in floats else f for f in first.remove_metadata()]
    ).with_metadata({DATASET_KEY: json.dumps({"record": record, "runs": runs}).encode()})

    def tables() -> Iterator[pa.Table]:
        if old:
            for batch in pq.ParquetFile(out / RESULTS).iter_batches(ROW_GROUP):
                yield pa.Table.from_batches([batch])
        for file in files:
            yield typed(pq.read_table(file).replace_schema_metadata(None), floats, strict=True)

    def write(path: Path) -> None:
        with pq.ParquetWriter(path, schema, compression="zstd") as writer:
            pending: list[pa.Table] = []
            rows = 0
            for table in tables():
                pending.append(_unify(table, schema))
                rows += table.num_rows
                if rows >= ROW_GROUP:
                    writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP)
                    pending, rows = [], 0
            if pending:
                writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP)

    write_durable(out / RESULTS, write)
    return files


def _unify(table: pa.Table, schema: pa.Schema) -> pa.Table:
    columns = []
    for field in schema:
        column = table.column(field.name)
        if pa.types.is_dictionary(field.type):
            column = pc.dictionary_encode(column.cast(pa.string()))
        columns.append(column.cast(field.type))
    return pa.Table.from_arrays(columns, schema=schema.remove_metadata())


def sources(out: Path) -> list[Path]:
    """Every parquet file holding results of ``out``: the dataset, then unfolded run files."""
    return ([out / RESULTS] if (out / RESULTS).exists() else []) + run_files(out)


def scan(out: Path, columns: list[str] | None = None, filter: Any = None) -> pa.Table:
    """Rows of every source, only ``columns`` and only those passing ``filter`` (a pyarrow expression)."""
    tables = []
    for path in sources(out):
        data = ds.dataset(path, format="parquet")
        names = [c for c in (columns or data.schema.names) if c in data.schema.names]
        table = data.to_table(columns=names, filter=filter)
        tables.append(typed(table.replace_schema_metadata(None)))
    if not tables:
        return pa.table({})
    return pa.concat_tables(tables, promote_options="permissive")


def columns(out: Path) -> list[str]:
    """Column names of the results."""
    found = sources(out)
    return list(pq.read_schema(found[0]).names) if found else []


def run_summaries(out: Path, keys: list[str], outcomes: list[str], months: int, window: int) -> pd.DataFrame:
    """One row per run: the focal firm's outcomes averaged over the last ``window`` months of ``months``.

    A filtered scan reads only the focal firm's last months of the needed columns, never whole series.
    """
    first = max(1, months - window + 1)
    expression = (pc.field("focal") == True) & (pc.field("step") >= first)  # noqa: E712 - a pyarrow expression
    table = scan(out, [*keys, "step", *outcomes], expression)
    if table.num_rows == 0:
        return pd.DataFrame(columns=[*keys, *outcomes])
    table = pa.Table.from_arrays(
        [c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c for c in table.columns], names=table.column_names
    )
    grouped = table.group_by(keys, use_threads=False).aggregate([(o, "mean") for o in outcomes])
    frame = grouped.rename_columns([n.removesuffix("_mean") for n in grouped.column_names])
    return frame.to_pandas()[[*keys, *outcomes]].sort_values("run_id", kind="stable").reset_index(drop=True)
