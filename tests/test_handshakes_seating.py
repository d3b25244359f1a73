"""handshakes seats its first school by drawing the set of seats in one go (see the module):
check that every set of seats is equally likely, in both of the kernel's ways of drawing it."""

from math import comb

import numba
import numpy as np
import pytest
from scipy import stats

from puzzles.catalog import handshakes


@numba.njit
def _unranked_sets(rng, trials, a, n, subsets, tables_at_once):
    masks = np.empty(trials, dtype=np.int64)
    for first in range(0, trials, tables_at_once):
        handshakes._seat_tables(rng, a, n, subsets, masks[first:first + tables_at_once])
    return masks


@numba.njit
def _one_by_one_sets(rng, trials, a, n):
    seats = np.empty(n, dtype=np.int8)
    masks = np.empty(trials, dtype=np.int64)
    for t in range(trials):
        handshakes._seat_one_by_one(rng, a, n, seats)
        mask = 0
        for s in range(n):
            mask |= np.int64(seats[s]) << s
        masks[t] = mask
    return masks


@pytest.mark.parametrize("a,b", [(3, 5), (1, 2), (4, 4), (2, 7)])
@pytest.mark.parametrize("unrank", [True, False])
def test_every_set_of_seats_is_equally_likely(a, b, unrank):
    n = a + b
    rng = np.random.default_rng(2024)
    if unrank:
        subsets = handshakes._subsets_table(n)
        assert subsets[n, a + 1] == comb(n, a)
        masks = _unranked_sets(rng, 200_000, a, n, subsets, handshakes._TABLES_AT_ONCE)
    else:
        masks = _one_by_one_sets(rng, 200_000, a, n)
    assert all(bin(m).count("1") == a for m in masks[:1000])
    values, counts = np.unique(masks, return_counts=True)
    assert len(values) == comb(n, a)  # every subset occurs
    assert values.min() >= 0 and values.max() < 2 ** n
    p = stats.chisquare(counts).pvalue
    assert p > 1e-4, p


def test_the_subsets_table_is_exact_up_to_the_largest_table_unranked():
    n = handshakes._UNRANK_MAX_SEATS
    subsets = handshakes._subsets_table(n)
    for m in range(n + 1):
        assert subsets[m, 0] == 0
        for k in range(1, n + 2):
            assert subsets[m, k] == comb(m, k - 1), (m, k)


def test_large_tables_are_seated_one_by_one():
    # past 62 seats (a 64-bit word) or 2^40 subsets the kernel picks seats one by one; either
    # way X is even, between 2 and 2 min(a, b)
    for a, b in ((2, 100), (25, 24), (1, 70)):
        x = handshakes._simulate_kernel(np.random.default_rng(3), 2000, a, b)
        assert np.all(x % 2 == 0) and x.min() >= 2 and x.max() <= 2 * min(a, b)
