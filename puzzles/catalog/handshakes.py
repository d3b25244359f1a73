"""Handshakes around a round table (statistics.md, 'Computing Functionals').

Derivation. With N = a + b seats, edge i joins seats i and i+1 (mod N); X counts edges whose two
ends come from different schools. One edge differs with probability 2ab / (N(N-1)), so
E[X] = 2ab/(N-1). For the variance, two edges sharing a seat both differ only in the patterns
ABA or BAB: probability ab/(N(N-1)); two disjoint edges both differ with probability
4ab(a-1)(b-1)/(N)_4. Counting ordered pairs (2N sharing a seat, N(N-3) disjoint):
E[X^2] = 4ab/(N-1) + 4ab(a-1)(b-1)/((N-1)(N-2)).
The pmf: X = 2R, R the number of runs of the first school around the circle; the labelled
circular arrangements with R = r runs number (N/r) C(a-1, r-1) C(b-1, r-1) among C(N, a).
"""

import numba
import numpy as np
from sympy import Eq, Min, Mod, Piecewise, binomial, symbols

from puzzles import Integer, Mean, Pmf, Puzzle, Variance

a, b, x = symbols("a b x", integer=True)
N = a + b


# Seating people uniformly at random means: the set of seats taken by the first school is a
# uniformly random a-subset of the a+b seats (who sits where within a school never changes a
# handshake). Drawing that subset directly needs one random number per table, not a+b-1: a
# uniform index into the C(a+b, a) subsets, decoded seat by seat (the combinatorial number
# system). The draw is exact -- a 53-bit integer, rejected above the largest multiple of the
# number of subsets -- so every subset has the same probability. Past 2^40 subsets the kernel
# picks seats one by one instead (selection sampling: seat s joins the first school with
# probability left/remaining), also exactly uniform. tests/test_handshakes_seating.py checks both.
_UNRANK_LIMIT = 2 ** 40
_TWO_53 = 2.0 ** 53
_TWO_53_INT = 2 ** 53
_CAP = 2 ** 61  # binomials past the unranking limit are never used: capped, they cannot overflow
# The table of binomials has (a+b+1)(a+b+2) entries: past this many seats the kernel does not
# build it (8 MB at the limit; it grew to 3.3 GB at a+b = 20010) and picks seats one by one.
_UNRANK_MAX_SEATS = 1000


@numba.njit(cache=True, nogil=True)
def _subsets_table(n):
    """table[m, k] = C(m, k - 1): with m seats after this one and k people of the first school
    still to seat, the subsets that give them this seat (0 when nobody is left to seat)."""
    table = np.zeros((n + 1, n + 2), dtype=np.int64)
    for m in range(n + 1):
        table[m, 1] = 1
        for k in range(2, m + 2):
            table[m, k] = min(table[m - 1, k - 1] + table[m - 1, k], _CAP)
    return table


# Tables seated in one go: their decodings run side by side (see _seat_first_school).
_TABLES_AT_ONCE = 64


@numba.njit(cache=True, nogil=True)
def _seat_first_school(rng, a, n, subsets, seats):
    """For each table (row of seats), mark a uniformly random a-subset of its n seats with 1,
    the others with 0; tables are independent."""
    tables = seats.shape[0]
    # a table too small for n seats (see _simulate_kernel) means: pick the seats one by one
    total = subsets[n, a + 1] if subsets.shape[0] > n else _CAP
    if total > _UNRANK_LIMIT:
        for t in range(tables):
            left = a
            for s in range(n):
                first_school = rng.random() * (n - s) < left
                left -= first_school
                seats[t, s] = first_school
        return
    index = np.empty(tables, dtype=np.int64)
    left = np.full(tables, a)
    for t in range(tables):
        while True:
            draw = np.int64(rng.random() * _TWO_53)  # exact: random() is k / 2^53
            index[t] = draw % total
            if draw - index[t] + total <= _TWO_53_INT:  # the draw's run of `total` values is whole
                break
    # Decoding one table is a chain of steps, each waiting for the one before; the chains of
    # different tables are independent, so going seat by seat across all the tables lets the
    # processor work on many at once. Each seat's school is chosen with arithmetic, not with an
    # if: the choice is a coin flip, and the processor's wrong guesses at such a branch would
    # cost more than the decoding.
    for s in range(n):
        for t in range(tables):
            # subsets that put seat s in the first school come first in the order
            with_s = subsets[n - s - 1, left[t]]
            first_school = index[t] < with_s
            index[t] -= 0 if first_school else with_s
            left[t] -= first_school
            seats[t, s] = first_school


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, a, b):
    n = a + b
    subsets = _subsets_table(n) if n <= _UNRANK_MAX_SEATS else np.zeros((1, 2), dtype=np.int64)
    seats = np.empty((_TABLES_AT_ONCE, n), dtype=np.int8)  # 1 = first school, 0 = second
    handshakes = np.empty(trials)
    for first in range(0, trials, _TABLES_AT_ONCE):
        tables = min(_TABLES_AT_ONCE, trials - first)
        _seat_first_school(rng, a, n, subsets, seats[:tables])
        for t in range(tables):
            count = 0
            for i in range(n):
                count += seats[t, i] != seats[t, i - 1]  # seat -1 is the last: the table is round
            handshakes[first + t] = count
    return handshakes


PUZZLE = Puzzle(
    name="handshakes",
    title="Handshakes between two schools at a round table",
    statement=(
        "Eight students from one school and ten from another (in general a and b) sit down in "
        "a uniformly random order around a round table with a+b seats. Each pair of neighbours "
        "who come from different schools shakes hands once. Let X be the number of handshakes."
    ),
    outcomes=["X"],
    parameters=[
        Integer(a, 8, "number of students from the first school", min=1),
        Integer(b, 10, "number of students from the second school", min=1),
    ],
    constraints=[a + b >= 3],
    quantities=[
        Mean(2 * a * b / (N - 1)),
        Variance(4 * a * b / (N - 1) + 4 * a * b * (a - 1) * (b - 1) / ((N - 1) * (N - 2))
                 - (2 * a * b / (N - 1)) ** 2),
        Pmf(Piecewise(
            (2 * N / x * binomial(a - 1, x / 2 - 1) * binomial(b - 1, x / 2 - 1) / binomial(N, a),
             Eq(Mod(x, 2), 0)),
            (0, True)), x, support=(2, 2 * Min(a, b))),
    ],
    simulate=_simulate_kernel,
    bounds=(0, 2 * Min(a, b)),
    examples=[{"a": 3, "b": 5}, {"a": 1, "b": 2}, {"a": 12, "b": 1}],
    naive_draws=N - 1,  # a Fisher-Yates shuffle of the seats
)
