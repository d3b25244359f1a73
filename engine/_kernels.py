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


# Cells of the grid that binned_counts lays over the edges, per edge.
_GRID_CELLS_PER_EDGE = 64


@numba.njit(cache=True, nogil=True)
def binned_counts(x, edges):
    """Counts of x in the bins (-inf, e0], (e0, e1], ..., (e_last, inf).

    A value's bin is the number of edges below it. A binary search for it (np.searchsorted)
    takes 40 ns a value, most of it the processor's wrong guesses at its coin-flip branches;
    instead a grid of equal cells over [e0, e_last] says how many edges lie below each cell, and
    a value starts from its cell's count and steps over the few edges inside the cell (5 ns)."""
    m = edges.shape[0]
    counts = np.zeros(m + 1, dtype=np.int64)
    if m == 0:
        counts[0] = x.shape[0]
        return counts
    low = edges[0]
    cells = _GRID_CELLS_PER_EDGE * m
    width = edges[m - 1] - low
    scale = cells / width if width > 0 else 0.0
    below = np.empty(cells, dtype=np.int64)  # below[c]: edges below the start of cell c
    j = 0
    for c in range(cells):
        start = low + c / scale if scale > 0 else low
        while j < m and edges[j] < start:
            j += 1
        below[c] = j
    for i in range(x.shape[0]):
        v = x[i]
        if v != v:  # NaN sorts after everything, as in np.searchsorted
            counts[m] += 1
            continue
        position = (v - low) * scale  # NaN for an infinite v when all edges are equal
        if position >= cells - 1:
            k = below[cells - 1]
        elif position > 0:
            k = below[int(position)]
        else:
            k = 0
        # the cell's count is exact up to rounding at its start: step either way to the bin
        while k < m and edges[k] < v:
            k += 1
        while k > 0 and not edges[k - 1] < v:
            k -= 1
        counts[k] += 1
    return counts
