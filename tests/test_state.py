"""The market's per-firm tables are typed dataclasses whose fields follow the schema and the tally's names."""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from sim.params import Levers
from sim.policies import POLICIES
from sim.state import FirmTable, Tally


def array_fields(cls: type) -> list[str]:
    return [f.name for f in fields(cls) if f.type in ("FloatArray", "IntArray", "BoolArray")]


def test_firm_table_has_one_field_per_lever():
    assert array_fields(FirmTable) == list(Levers.model_fields)
    assert [f.name for f in fields(FirmTable)] == ["levers", *Levers.model_fields]


def test_tally_has_one_field_per_name():
    assert array_fields(Tally) == list(Tally.NAMES)
    assert [f.name for f in fields(Tally)] == ["n_firms", *Tally.NAMES]


def test_firm_table_holds_every_firms_levers_and_a_neutral_no_firm_entry():
    levers = [POLICIES["loyalty_lock_in"].levers, POLICIES["permanent_exit"].levers]
    table = FirmTable(levers)
    assert len(table) == 2
    for name in Levers.model_fields:
        column = getattr(table, name)
        assert column.dtype == np.float64
        assert column.tolist() == [float(getattr(lv, name)) for lv in levers] + [0.0]
    table.update(levers[::-1])
    assert table.exit_fee.tolist() == [levers[1].exit_fee, levers[0].exit_fee, 0.0]


def test_tally_counts_per_firm_and_resets():
    tally = Tally(2)
    slot = np.array([0, 1, 1, 2])  # slot 2 = no firm
    tally.add("complaints", slot, mask=np.array([True, True, False, True]))
    tally.add("revenue", slot, weights=np.array([1.0, 2.0, 3.0, 4.0]))
    assert tally.complaints.tolist() == [1.0, 1.0, 1.0]
    assert tally.revenue.tolist() == [1.0, 5.0, 4.0]
    tally.reset()
    assert all(getattr(tally, name).tolist() == [0.0, 0.0, 0.0] for name in Tally.NAMES)
