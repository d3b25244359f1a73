"""Cover time of the cycle by a simple random walk, and the last vertex visited.

Derivation. Unwrap the cycle onto the integers: the visited vertices are always an interval of
the walk's range, and the cycle is covered when the range holds n points. When the range first
holds j + 1 points the walk stands at one of its ends; it adds a point when it first steps
just outside the interval: from 0, the first exit from {0, ..., j} to -1 or j + 1, a
gambler's-ruin exit at distance a = 1 from one end of an interval of length L = j + 2. The exit time has mean a(L - a) = j + 1 and variance
a(L - a)(a^2 + (L - a)^2 - 2)/3 = j(j + 1)(j + 2)/3, and these stages are independent (the strong
Markov property). Summing over j = 0..n-2:
E[C] = n(n - 1)/2 and Var[C] = (n - 2)(n - 1) n (n + 1)/12.
The last vertex: vertex k is last iff the walk reaches both of its neighbours k - 1 and k + 1
before k; going round the other way, it reaches one of them first (from 0), and from there it
must get to the other one the long way round, n - 2 steps away, before stepping onto k, 1 step
away: probability 1/(n - 1) whichever of them came first (gambler's ruin). So the last vertex is
uniform over the n - 1 others: P = 1/(n - 1).
"""

import numba
import numpy as np
from sympy import oo, symbols

from puzzles import Integer, Mean, Probability, Puzzle, Variance

n, k = symbols("n k", integer=True, positive=True)


_TWO_TO_53 = 2.0 ** 53


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n, k):
    outcome = np.empty((trials, 2))
    # Each step is a fair coin flip. rng.random() is k / 2^53 with k uniform on 53 bits, so one
    # draw gives 53 independent flips, read from the lowest bit up (in local variables: an
    # array or a helper returning a tuple here runs slower than one draw per flip).
    bits = 0
    unread = 0
    for t in range(trials):
        # The walk on the cycle, followed on the integers: vertex = position mod n. The visited
        # vertices are those of the range [lowest, highest], all of the cycle once it spans n.
        position = 0
        lowest = 0
        highest = 0
        steps = 0
        while highest - lowest < n - 1:
            if unread == 0:
                bits = np.int64(rng.random() * _TWO_TO_53)
                unread = 53
            position += 2 * (bits & 1) - 1  # heads +1, tails -1
            bits >>= 1
            unread -= 1
            lowest = min(lowest, position)
            highest = max(highest, position)
            steps += 1
        outcome[t, 0] = steps
        outcome[t, 1] = position % n == k  # the vertex just reached is the last one
    return outcome


PUZZLE = Puzzle(
    name="cycle-cover",
    title="Cover time of a cycle and its last vertex",
    statement=(
        "The vertices of a cycle are labelled 0, 1, ..., n-1 (vertex i is joined to i-1 and "
        "i+1, modulo n). A token starts at vertex 0 and at every step moves to one of the two "
        "neighbours of its current vertex, each with probability 1/2, independently of the "
        "past. Let C be the number of steps until every vertex has been visited (the start "
        "counts as a visit to vertex 0)."
    ),
    outcomes=["C", "last_is_k"],
    parameters=[
        Integer(n, 10, "number of vertices", min=3),
        Integer(k, 5, "a vertex other than the start", min=1, max=n - 1),
    ],
    quantities=[
        Mean(n * (n - 1) / 2),
        Variance((n - 2) * (n - 1) * n * (n + 1) / 12),
        Probability(1 / (n - 1), of="last_is_k"),
    ],
    simulate=_simulate_kernel,
    bounds={"C": (n - 1, oo), "last_is_k": (0, 1)},
    examples=[{"n": 3, "k": 1}, {"n": 4, "k": 2}, {"n": 7, "k": 1}, {"n": 30, "k": 17}],
    naive_draws=n * (n - 1) / 2,  # one draw per step (the kernel reads 53 steps from a draw)
)
