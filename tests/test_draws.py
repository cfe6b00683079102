"""The counter-based generator: Random123's known answers, uniform marginals, and keyed draws."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit
from scipy import stats
from scipy.special import ndtri

from sim.draws import (
    CHUNK,
    STREAM_ID,
    chunk_buffer,
    fill_normals,
    fill_uniforms,
    logistic,
    normal,
    philox,
    seed_key,
    uniform_table,
)
from sim.mechanisms.choice import logit_best
from sim.numerics import exp_array, log_array

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


@njit
def _chunked_table(key, stream, month, n, block):
    """What a kernel reads chunk by chunk, as the kernels loop over a market's customers."""
    buf, out = chunk_buffer(), np.empty((n, 4))
    for start in range(0, n, CHUNK):
        count = min(CHUNK, n - start)
        fill_uniforms(buf, key, stream, month, start, count, block)
        for t in range(count):
            out[start + t] = buf[:, t]
    return out


@pytest.mark.parametrize("n", [1, CHUNK - 1, CHUNK, 3 * CHUNK + 17])
def test_chunked_draws_equal_one_customer_at_a_time(n):
    key = seed_key(11)
    for block in (0, 3):
        expected = uniform_table(key, STREAM_ID["needs"], -4, n, block + 1)[:, 4 * block :]
        np.testing.assert_array_equal(_chunked_table(key, STREAM_ID["needs"], -4, n, block), expected)


@njit
def _transformed(u):
    """The normal and the logistic variate of each uniform of ``u``."""
    z, x = np.empty_like(u), np.empty_like(u)
    for i in range(u.shape[0]):
        z[i], x[i] = normal(u[i]), logistic(u[i])
    return z, x


def _normal_of(u):
    return _transformed(u)[0]


def _logistic_of(u):
    return _transformed(u)[1]


def test_normal_is_the_normal_quantile_to_double_precision_over_every_uniform_drawn():
    ends = [0.5 * 2.0**-32, 1 - 0.5 * 2.0**-32]  # the smallest and largest uniforms this module gives
    u = np.concatenate(
        [np.linspace(ends[0], ends[1], 200_001), ends, [0.075, 0.925], np.nextafter([0.075, 0.925], 0.5)]
    )
    np.testing.assert_allclose(_normal_of(u), ndtri(u), rtol=1e-14, atol=1e-14)
    z = _normal_of(uniform_table(seed_key(3), 2, 1, 20_000, 1).ravel())
    assert stats.kstest(z, "norm").pvalue > 1e-4


@pytest.mark.parametrize("count", [1, 7, CHUNK])
def test_a_chunk_of_normals_is_the_normal_of_each_uniform(count):
    u = uniform_table(seed_key(5), 2, 1, CHUNK, 1).T.copy()  # (4, CHUNK), as a kernel's buffer
    u[0, :4] = [0.5 * 2.0**-32, 1 - 0.5 * 2.0**-32, 0.075, 0.925]  # both ends and both branch points
    out = np.full((2, CHUNK), np.nan)
    fill_normals(out, u, count)
    np.testing.assert_array_equal(out[:, :count], _normal_of(u[:2, :count].ravel()).reshape(2, count))
    assert np.isnan(out[:, count:]).all()  # nothing past the chunk's customers is written


def test_logistic_is_the_difference_of_two_gumbels():
    u = uniform_table(seed_key(4), 2, 1, 20_000, 1)
    assert stats.kstest(_logistic_of(u[:, 0]), "logistic").pvalue > 1e-4
    gumbels = -np.log(-np.log(u[:, 1:3]))
    assert stats.ks_2samp(_logistic_of(u[:, 0]), gumbels[:, 0] - gumbels[:, 1]).pvalue > 1e-4


@njit
def _picks(values, scale, u):
    weights = np.empty_like(values)
    best, value = np.empty(u.shape[0], dtype=np.int64), np.empty(u.shape[0])
    for i in range(u.shape[0]):
        best[i], value[i] = logit_best(values, weights, scale, u[i])
    return best, value


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_logit_best_draws_what_the_best_of_gumbel_noised_options_is(seed):
    """Which option wins, and by how much over a noisy rival, match option-by-option Gumbel noise."""
    values, scale = np.array([0.3, -np.inf, 0.25, 0.1, 0.32]), 0.05
    u = uniform_table(seed_key(seed), 2, 1, 40_000, 1)
    best, part = _picks(values, scale, u[:, 0])
    noisy = values + scale * -np.log(-np.log(uniform_table(seed_key(seed + 9), 2, 1, 40_000, 2)[:, :5]))
    assert not np.any(best == 1)  # an option not on offer never wins
    expected = np.exp(values / scale) / np.exp(values / scale).sum()
    np.testing.assert_allclose(np.bincount(best, minlength=5) / len(best), expected, atol=0.01)
    np.testing.assert_allclose(np.bincount(noisy.argmax(1), minlength=5) / len(best), expected, atol=0.01)
    best_value = part + scale * -np.log(-np.log(u[:, 1]))
    assert stats.ks_2samp(best_value, noisy.max(1)).pvalue > 1e-4
    gain = part + scale * _logistic_of(u[:, 2]) - 0.3  # the best against a noisy 0.3
    rival = 0.3 + scale * -np.log(-np.log(uniform_table(seed_key(seed + 9), 2, 1, 40_000, 2)[:, 5]))
    assert stats.ks_2samp(gain, noisy.max(1) - rival).pvalue > 1e-4


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.one_of(st.floats(-3.0, 3.0), st.just(-np.inf)), min_size=1, max_size=8),
    scale=st.floats(1e-3, 2.0),
    u=st.floats(2.0**-33, 1 - 2.0**-33),
)
def test_logit_best_picks_the_first_option_whose_running_weight_passes_u(values, scale, u):
    """The branch-free pick is the rule written out: weights exp((V - top) / s); the first option on offer whose
    running sum exceeds u times the total (the last on offer if none does); value top + s log(total)."""
    v = np.array(values)
    got_best, got_value = _picks(v, scale, np.array([u]))
    if np.all(v == -np.inf):
        assert (got_best[0], got_value[0]) == (-1, -np.inf)
        return
    top = v.max()
    w = exp_array((v - top) / scale)
    total = sum(float(x) for x in w)  # in order, as the kernel adds them
    acc, best = 0.0, -1
    for k, x in enumerate(w):
        if x > 0:
            acc += x
            best = k
            if acc > u * total:
                break
    assert got_best[0] == best and v[best] > -np.inf
    assert got_value[0] == top + scale * log_array(np.array([total]))[0]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from([0.0, 0.5]), st.floats(-3.0, 3.0), st.just(-np.inf)), min_size=1, max_size=8))
def test_without_noise_the_best_is_the_first_of_the_highest_values(values):
    """``choice.logit_top`` (and the lookers' pass in ``switching``, through ``choice.higher_of``): ties go first."""
    v = np.array(values)
    best, value = _picks(v, 0.0, np.array([0.5]))
    if np.all(v == -np.inf):
        assert (best[0], value[0]) == (-1, -np.inf)
    else:
        assert (best[0], value[0]) == (int(np.argmax(v)), v.max())  # argmax: the first of equal ones


def test_logit_best_without_noise_is_the_first_highest_value():
    best, value = _picks(np.array([0.1, 0.4, 0.4, -np.inf]), 0.0, np.array([0.99]))
    assert (best[0], value[0]) == (1, 0.4)
