"""The lady tasting tea (Fisher's exact test under the null hypothesis).

Derivation. Without any ability, the m cups she names are a uniformly random m-subset of the N
cups, whichever m of them had the milk first. X of the named cups are milk-first when she picks
x of the m milk-first cups and m - x of the N - m others:
P(X = x) = C(m, x) C(N - m, m - x) / C(N, m), the hypergeometric law (0 when m - x > N - m).
Writing X as a sum of m indicators (named cup i is milk-first, probability m/N; two named cups
both are with probability m(m-1)/(N(N-1))):
E[X] = m^2/N, Var[X] = m^2 (N - m)^2 / (N^2 (N - 1)).
All correct: x = m, one subset of C(N, m).
"""

import numba
import numpy as np
from sympy import binomial, symbols

from puzzles import Integer, Mean, Pmf, Probability, Puzzle, Variance

N, m = symbols("N m", integer=True, positive=True)
x = symbols("x", integer=True)


@numba.njit(cache=True, nogil=True)
def _pick(rng, items, m):
    """Move a uniformly random m-subset of items to items[:m] (a partial Fisher-Yates shuffle;
    any starting order of items will do)."""
    size = items.shape[0]
    for i in range(m):
        j = i + int(rng.random() * (size - i))
        items[i], items[j] = items[j], items[i]


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, N, m):
    cups = np.arange(N)   # the serving order decides which m cups get the milk first
    named = np.arange(N)  # the cups she names
    milk_first_in = np.full(N, -1, dtype=np.int64)  # cup -> the trial where it was milk-first
    out = np.empty((trials, 2))  # columns: X, all correct (1/0)
    for t in range(trials):
        _pick(rng, cups, m)
        for i in range(m):
            milk_first_in[cups[i]] = t
        _pick(rng, named, m)
        right = 0
        for i in range(m):
            right += milk_first_in[named[i]] == t
        out[t, 0] = right
        out[t, 1] = right == m
    return out


PUZZLE = Puzzle(
    name="lady-tasting-tea",
    title="The lady tasting tea: how many milk-first cups a guesser names",
    statement=(
        "A lady claims she can taste whether the milk or the tea was poured into the cup first. "
        "She is served N cups in random order, m of them with the milk poured first; she knows "
        "m and names m cups as milk-first. Suppose she has no such ability, so that the m cups "
        "she names are a uniformly random choice among the N. Let X be the number of "
        "milk-first cups among those she names (the statistic of Fisher's exact test)."
    ),
    outcomes=["X", "all_correct"],
    parameters=[
        Integer(N, 8, "number of cups", min=2),
        Integer(m, 4, "number of milk-first cups", min=1, max=N - 1),
    ],
    quantities=[
        Mean(m ** 2 / N),
        Variance(m ** 2 * (N - m) ** 2 / (N ** 2 * (N - 1))),
        Probability(1 / binomial(N, m), of="all_correct"),
        Pmf(binomial(m, x) * binomial(N - m, m - x) / binomial(N, m), x, support=(0, m)),
    ],
    simulate=_simulate_kernel,
    naive_draws=N - 1 + m,  # shuffle the N cups, then choose the m she names
    bounds={"X": (0, m), "all_correct": (0, 1)},
    examples=[{"N": 2, "m": 1}, {"N": 5, "m": 2}, {"N": 10, "m": 9}],
)
