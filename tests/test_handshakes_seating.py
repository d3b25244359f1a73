"""handshakes seats its first school by drawing the set of seats in one go (see the module):
check that every set of seats is equally likely, in both of the kernel's ways of drawing it."""

from math import comb

import numba
import numpy as np
import pytest
from scipy import stats

from puzzles.catalog import handshakes


@numba.njit
def _seat_sets(rng, trials, a, n, subsets, tables_at_once):
    seats = np.empty((tables_at_once, n), dtype=np.int8)
    masks = np.empty(trials, dtype=np.int64)
    for first in range(0, trials, tables_at_once):
        tables = min(tables_at_once, trials - first)
        handshakes._seat_first_school(rng, a, n, subsets, seats[:tables])
        for t in range(tables):
            mask = 0
            for s in range(n):
                mask |= np.int64(seats[t, s]) << s
            masks[first + t] = mask
    return masks


@pytest.mark.parametrize("a,b", [(3, 5), (1, 2), (4, 4), (2, 7)])
@pytest.mark.parametrize("unrank", [True, False])
def test_every_set_of_seats_is_equally_likely(a, b, unrank, monkeypatch):
    n = a + b
    subsets = handshakes._subsets_table(n)
    assert subsets[n, a + 1] == comb(n, a)
    if not unrank:  # force the seat-by-seat path by pretending the table is huge
        subsets[n, a + 1] = 2 ** 41
    rng = np.random.default_rng(2024)
    masks = _seat_sets(rng, 200_000, a, n, subsets, handshakes._TABLES_AT_ONCE)
    assert all(bin(m).count("1") == a for m in masks[:1000])
    values, counts = np.unique(masks, return_counts=True)
    assert len(values) == comb(n, a)  # every subset occurs
    p = stats.chisquare(counts).pvalue
    assert p > 1e-4, p


def test_the_subsets_table_is_exact_wherever_the_kernel_unranks():
    n = 70  # C(70, 35) ~ 1e20 overflows 64 bits: those entries are capped, never used
    subsets = handshakes._subsets_table(n)
    for m in range(n + 1):
        assert subsets[m, 0] == 0
        for k in range(1, n + 2):
            exact = comb(m, k - 1)
            if exact <= handshakes._UNRANK_LIMIT:
                assert subsets[m, k] == exact, (m, k)
            else:
                assert subsets[m, k] > handshakes._UNRANK_LIMIT, (m, k)
