"""Per-chunk sufficient statistics, jitted so worker threads run them without the GIL."""

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def power_sums(x, shift):
    """Sums of (x - shift)**k for k = 1..4; shift near the mean keeps them well conditioned."""
    s1 = s2 = s3 = s4 = 0.0
    for i in range(x.shape[0]):
        d = x[i] - shift
        d2 = d * d
        s1 += d
        s2 += d2
        s3 += d2 * d
        s4 += d2 * d2
    return np.array([float(x.shape[0]), s1, s2, s3, s4])


@numba.njit(cache=True, nogil=True)
def integer_counts(x, low):
    """Counts of each integer value from `low` up; also how many values were not integers
    or fell below `low` (impossible for a correct simulator of that support)."""
    top = low
    for i in range(x.shape[0]):
        if x[i] > top:
            top = int(x[i])
    counts = np.zeros(top - low + 1, dtype=np.int64)
    bad = 0
    for i in range(x.shape[0]):
        v = x[i]
        k = int(v)
        if k != v or k < low:
            bad += 1
        else:
            counts[k - low] += 1
    return counts, bad


@numba.njit(cache=True, nogil=True)
def binned_counts(x, edges):
    """Counts of x in the bins (-inf, e0], (e0, e1], ..., (e_last, inf)."""
    counts = np.zeros(edges.shape[0] + 1, dtype=np.int64)
    idx = np.searchsorted(edges, x, side="left")
    for i in range(idx.shape[0]):
        counts[idx[i]] += 1
    return counts
