"""engine._kernels.binned_counts finds bins through a grid instead of a binary search (faster,
see its docstring): its counts must be exactly np.searchsorted's, ties, infinities and NaN
included."""

import numpy as np
import pytest

from puzzles.engine._kernels import binned_counts


def searchsorted_counts(x, edges):
    return np.bincount(np.searchsorted(edges, x, side="left"), minlength=len(edges) + 1)


def edge_sets(rng):
    for m in (0, 1, 2, 5, 99, 250):
        yield np.sort(rng.random(m))
        yield np.sort(rng.random(m) ** 8)  # crowded near 0: many edges share a cell
        yield np.sort(np.round(rng.random(m), 2))  # repeated edges
        yield np.full(m, 0.5)  # all equal: a grid of zero width
        yield np.sort(rng.standard_normal(m) * 10.0 ** rng.uniform(-8, 8))


@pytest.mark.parametrize("seed", range(4))
def test_same_counts_as_a_binary_search(seed):
    rng = np.random.default_rng(seed)
    for edges in edge_sets(rng):
        x = np.concatenate([
            rng.choice(np.append(edges, 0.0), 300),  # exactly on an edge: the bin below it
            np.nextafter(edges, np.inf), np.nextafter(edges, -np.inf),
            rng.random(500) ** 5, rng.standard_normal(500) * 3,
            [np.nan, np.inf, -np.inf, 1e308, -1e308, 0.0],
        ])
        np.testing.assert_array_equal(binned_counts(x, edges), searchsorted_counts(x, edges))
