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
from puzzles.catalog._bits import ones

a, b, x = symbols("a b x", integer=True)
N = a + b


# Seating people uniformly at random means: the set of seats taken by the first school is a
# uniformly random a-subset of the a+b seats (who sits where within a school never changes a
# handshake). Small tables draw that subset directly, with one random number per table instead
# of a+b-1: a uniform index into the C(a+b, a) subsets, decoded seat by seat (the combinatorial
# number system) into the bits of one 64-bit word, bit s set when seat s goes to the first
# school. The draw is exact -- a 53-bit integer, rejected above the largest multiple of the
# number of subsets -- so every subset has the same probability. Larger tables (more than 62
# seats, or more than 2^40 subsets) pick seats one by one (selection sampling: seat s joins the
# first school with probability left/remaining), also exactly uniform.
# tests/test_handshakes_seating.py checks both; tests/test_fast_kernels.py checks the kernel
# against the same story told with an if per seat.
_UNRANK_LIMIT = 2 ** 40
_UNRANK_MAX_SEATS = 62  # a table in one 64-bit word; C(62, 31) < 2^63: the binomials are exact
_TWO_53 = 2.0 ** 53
_TWO_53_INT = 2 ** 53
# Tables seated in one go: their decodings run side by side (see _seat_tables).
_TABLES_AT_ONCE = 64


@numba.njit(cache=True, nogil=True)
def _subsets_table(n):
    """table[m, k] = C(m, k - 1): with m seats after this one and k people of the first school
    still to seat, the subsets that give them this seat (0 when nobody is left to seat)."""
    table = np.zeros((n + 1, n + 2), dtype=np.int64)
    for m in range(n + 1):
        table[m, 1] = 1
        for k in range(2, m + 2):
            table[m, k] = table[m - 1, k - 1] + table[m - 1, k]
    return table


@numba.njit(cache=True, nogil=True)
def _seat_tables(rng, a, n, subsets, tables):
    """For each table, a uniformly random a-subset of its n seats as the bits of tables[t]."""
    total = subsets[n, a + 1]
    index = np.empty(len(tables), dtype=np.int64)
    left = np.full(len(tables), a)
    for t in range(len(tables)):
        while True:
            draw = np.int64(rng.random() * _TWO_53)  # exact: random() is k / 2^53
            index[t] = draw % total
            if draw - index[t] + total <= _TWO_53_INT:  # the draw's run of `total` values is whole
                break
        tables[t] = 0
    # Decoding one table is a chain of steps, each waiting for the one before; the chains of
    # different tables are independent, so going seat by seat across all the tables lets the
    # processor work on many at once. Each seat's school is chosen with arithmetic, not with an
    # if: the choice is a coin flip, and the processor's wrong guesses at such a branch would
    # cost more than the decoding.
    for s in range(n):
        for t in range(len(tables)):
            # subsets that put seat s in the first school come first in the order
            with_s = subsets[n - s - 1, left[t]]
            first_school = np.int64(index[t] < with_s)
            index[t] -= 0 if first_school else with_s
            left[t] -= first_school
            tables[t] |= first_school << s


@numba.njit(cache=True, nogil=True)
def _seat_one_by_one(rng, a, n, seats):
    """A uniformly random a-subset of n seats, seats[s] = 1 when seat s is in it: each seat
    joins the first school with probability (places left) / (seats left)."""
    left = a
    for s in range(n):
        seats[s] = rng.random() * (n - s) < left
        left -= seats[s]


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, a, b):
    n = a + b
    handshakes = np.empty(trials)
    subsets = _subsets_table(n if n <= _UNRANK_MAX_SEATS else 0)
    if n <= _UNRANK_MAX_SEATS and subsets[n, a + 1] <= _UNRANK_LIMIT:
        tables = np.empty(_TABLES_AT_ONCE, dtype=np.int64)
        everyone = (np.int64(1) << n) - 1
        for first in range(0, trials, _TABLES_AT_ONCE):
            seated = tables[:min(_TABLES_AT_ONCE, trials - first)]
            _seat_tables(rng, a, n, subsets, seated)
            for t in range(len(seated)):
                # turn the table by one seat: each seat meets its neighbour's school; the bits
                # that differ are the handshakes
                turned = ((seated[t] << 1) | (seated[t] >> (n - 1))) & everyone
                handshakes[first + t] = ones(seated[t] ^ turned)
        return handshakes
    seats = np.empty(n, dtype=np.int8)  # 1 = first school, 0 = second
    for trial in range(trials):
        _seat_one_by_one(rng, a, n, seats)
        count = 0
        for i in range(n):
            count += seats[i] != seats[i - 1]  # seat -1 is the last: the table is round
        handshakes[trial] = count
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
