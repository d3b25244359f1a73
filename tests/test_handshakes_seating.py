"""handshakes seats its first school by drawing the set of seats in one go (see the module):
check that every set of seats is equally likely, in both of the kernel's ways of drawing it."""

from math import comb

import numba
import numpy as np
import pytest
from scipy import stats

from puzzles import handshakes


@numba.njit
def _seat_sets(rng, trials, a, n, choose):
    seats = np.empty(n, dtype=np.int8)
    masks = np.empty(trials, dtype=np.int64)
    for t in range(trials):
        handshakes._seat_first_school(rng, a, n, choose, seats)
        mask = 0
        for s in range(n):
            mask |= np.int64(seats[s]) << s
        masks[t] = mask
    return masks


@pytest.mark.parametrize("a,b", [(3, 5), (1, 2), (4, 4), (2, 7)])
@pytest.mark.parametrize("unrank", [True, False])
def test_every_set_of_seats_is_equally_likely(a, b, unrank, monkeypatch):
    n = a + b
    choose = handshakes._binomials(n)
    if not unrank:  # force the seat-by-seat path by pretending the table is huge
        choose = choose.copy()
        choose[n, a] = 2.0 ** 41
    rng = np.random.default_rng(2024)
    masks = _seat_sets(rng, 200_000, a, n, choose)
    assert all(bin(m).count("1") == a for m in masks[:1000])
    values, counts = np.unique(masks, return_counts=True)
    assert len(values) == comb(n, a)  # every subset occurs
    p = stats.chisquare(counts).pvalue
    assert p > 1e-4, p
