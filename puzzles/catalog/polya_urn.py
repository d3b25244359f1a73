"""Polya's urn: red draws in n draws with reinforcement.

Derivation. Any one sequence with x reds among n draws has probability
r(r+1)...(r+x-1) * b(b+1)...(b+n-x-1) / ((r+b)(r+b+1)...(r+b+n-1)): the numerators of the red
and of the blue draws rise one by one whatever the order, and the denominator grows by one per
draw. Times C(n, x) orders this is the beta-binomial(n, r, b) law; divided through by factorials,
P(X = x) = C(x+r-1, x) C(n-x+b-1, n-x) / C(n+r+b-1, n) (binomials evaluate far faster in sympy
than rising factorials: about 1 s for the whole pmf at n = 1000). Each draw is red with
probability r/(r+b) by exchangeability, so E[X] = n r/(r+b); two distinct draws are both red
with probability r(r+1)/((r+b)(r+b+1)), which gives Var[X] = n r b (r+b+n) / ((r+b)^2 (r+b+1)).
"""

import numba
import numpy as np
from sympy import binomial, symbols

from puzzles import Integer, Mean, Pmf, Puzzle, Variance

n, r, b = symbols("n r b", integer=True, positive=True)
x = symbols("x", integer=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n, r, b):
    reds_drawn = np.empty(trials)
    for t in range(trials):
        red, blue = r, b
        for _ in range(n):
            # draw ball number int(u * balls); balls 0..red-1 are the red ones. Five times
            # faster than rng.integers in numba, and as uniform up to 2^-53.
            if int(rng.random() * (red + blue)) < red:
                red += 1
            else:
                blue += 1
        reds_drawn[t] = red - r
    return reds_drawn


PUZZLE = Puzzle(
    name="polya-urn",
    title="Polya's urn: how many red balls are drawn",
    statement=(
        "An urn holds r red and b blue balls. Repeat n times: draw a ball uniformly at random, "
        "then put it back together with one extra ball of the same colour. Let X be the number "
        "of red balls drawn."
    ),
    outcomes=["X"],
    parameters=[
        Integer(n, 10, "number of draws", min=1),
        Integer(r, 1, "initial red balls", min=1),
        Integer(b, 1, "initial blue balls", min=1),
    ],
    quantities=[
        Mean(n * r / (r + b)),
        Variance(n * r * b * (r + b + n) / ((r + b) ** 2 * (r + b + 1))),
        Pmf(binomial(x + r - 1, x) * binomial(n - x + b - 1, n - x) / binomial(n + r + b - 1, n),
            x, support=(0, n)),
    ],
    simulate=_simulate_kernel,
    naive_draws=n,  # one draw per ball drawn
    bounds=(0, n),
    examples=[{"n": 1, "r": 1, "b": 1}, {"n": 5, "r": 7, "b": 2}, {"n": 30, "r": 2, "b": 5}],
)
