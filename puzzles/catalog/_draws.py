"""Random draws that several puzzles' simulators share (not a puzzle: the name starts with _)."""

import numba


@numba.njit(cache=True, nogil=True)
def draw_sorted_uniforms(rng, points):
    """Fill `points` with independent Uniform(0, 1) draws, in increasing order.

    Each draw is inserted where it belongs as it arrives (an insertion sort): for the handful of
    points a puzzle drops on a stick or a circle that is several times faster than np.sort, and
    the draws are the same numbers, in the same order, as drawing first and sorting after.
    """
    for i in range(points.shape[0]):
        point = rng.random()
        j = i
        while j > 0 and points[j - 1] > point:
            points[j] = points[j - 1]
            j -= 1
        points[j] = point
