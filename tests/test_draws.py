"""The counter-based generator: Random123's known answers, uniform marginals, and keyed draws."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.draws import STREAM_ID, philox, seed_key, uniform_table

U = np.uint32

# Known-answer vectors of Philox4x32-10 from Random123 (kat_vectors): counter, key -> output.
KAT = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    (
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
]


@pytest.mark.parametrize(("counter", "key", "expected"), KAT)
def test_philox_gives_random123_known_answers(counter, key, expected):
    assert tuple(int(w) for w in philox(*map(U, counter), *map(U, key))) == expected


def test_uniforms_are_uniform_and_independent_across_words_and_blocks():
    table = uniform_table(seed_key(7), STREAM_ID["service"], 3, 20_000, 2)
    assert table.min() > 0 and table.max() < 1
    for column in table.T:
        assert stats.kstest(column, "uniform").pvalue > 1e-4
    corr = np.corrcoef(table.T)
    assert np.abs(corr[~np.eye(8, dtype=bool)]).max() < 0.04


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**63 - 1), month=st.integers(-120, 600), n=st.integers(1, 60))
def test_a_customers_draws_do_not_depend_on_the_size_of_the_market(seed, month, n):
    small = uniform_table(seed_key(seed), 2, month, n, 1)
    large = uniform_table(seed_key(seed), 2, month, n + 40, 1)
    np.testing.assert_array_equal(small, large[:n])


def test_seeds_streams_and_months_give_different_draws():
    base = uniform_table(seed_key(1), 2, 1, 100, 1)
    for other in (
        uniform_table(seed_key(2), 2, 1, 100, 1),
        uniform_table(seed_key(1), 3, 1, 100, 1),
        uniform_table(seed_key(1), 2, 2, 100, 1),
        uniform_table(seed_key(1 + 2**32), 2, 1, 100, 1),  # the high word of the seed counts too
    ):
        assert not np.any(base == other)


def test_seed_key_refuses_seeds_outside_64_bits():
    with pytest.raises(ValueError, match="seed"):
        seed_key(-1)
    assert seed_key(2**64 - 1).tolist() == [0xFFFFFFFF, 0xFFFFFFFF]
