"""The lost boarding pass: does the last passenger get his own seat?

Derivation. Call seat 1 (the lost ticket's) and the seats of passengers still to board "open".
Whenever someone picks at random -- passenger 1, or a later passenger whose seat is taken -- he
picks uniformly among the free seats, and the free seats then are seat 1, the seats of the
passengers still to board, and none other: seats of those already seated are taken. Only a
random pick of seat 1 ends the displacements (everyone after sits in his own seat); a pick of
seat j displaces passenger j, who picks again. Consider passenger k and the seats {1, k, k+1,
..., n} (n - k + 2 seats). Until one of them is picked, nothing distinguishes them: each random
pick that lands in this set is equally likely to be any of them, and the set is still free. The
first pick landing in it decides k's fate: seat k (probability 1/(n - k + 2)) displaces k; seat 1
seats everyone from then on, k included; seat j > k displaces j, who picks again among a set
that still holds 1 and k symmetrically. So by symmetry between seats 1 and k at every stage,
P(k is displaced) = 1/(n - k + 2), and P(k finds his seat) = (n - k + 1)/(n - k + 2); for
k = n this is the classic 1/2.
The expected number displaced among 2..n is the sum of 1/(n - k + 2) over k = 2..n, i.e.
1/2 + 1/3 + ... + 1/n = H_n - 1.
"""

import numba
import numpy as np
from sympy import harmonic, symbols

from puzzles import Integer, Mean, Probability, Puzzle

n, k = symbols("n k", integer=True, positive=True)


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n, k):
    # Seats are numbered from 0 (passenger i, from 0, holds seat i). The candidates are kept as a
    # stack, seat 0 at the bottom and the seats of the passengers still to board above it,
    # lowest on top: [0, n-1, n-2, ..., i] when passenger i boards. He pops his own seat off the
    # top; a seat taken by someone else's random pick stays in the stack, marked taken, until
    # its owner pops it. A random pick is a uniform entry of the stack, tried again while it
    # lands on a taken seat: a uniform choice among the free seats. The stack's contents never
    # change, only its height, so nothing is reset between flights.
    stack = np.empty(n, dtype=np.int64)
    stack[0] = 0
    for i in range(1, n):
        stack[i] = n - i
    taken_in = np.full(n, -1, dtype=np.int64)  # seat -> the last flight in which it was taken
    out = np.empty((trials, 2))  # columns: passenger k finds his seat (1/0), passengers displaced
    for t in range(trials):
        height = n
        displaced = 0
        k_seated = False
        # passenger 1 (index 0) picks at random
        while True:
            seat = stack[int(rng.random() * height)]
            if taken_in[seat] != t:
                break
        taken_in[seat] = t
        for passenger in range(1, n):
            height -= 1  # his own seat leaves the candidates: he sits in it, or it is taken
            own_free = taken_in[passenger] != t
            if passenger == k - 1:
                k_seated = own_free
            if own_free:
                taken_in[passenger] = t
            else:
                displaced += 1
                while True:
                    seat = stack[int(rng.random() * height)]
                    if taken_in[seat] != t:
                        break
                taken_in[seat] = t
        out[t, 0] = k_seated
        out[t, 1] = displaced
    return out


PUZZLE = Puzzle(
    name="airplane-seat",
    title="The lost boarding pass: who finds his own seat",
    statement=(
        "n passengers board a plane with n seats, one at a time in the order 1, 2, ..., n; "
        "passenger i holds a ticket for seat i. Passenger 1 has lost his ticket and takes a "
        "seat chosen uniformly at random. Every later passenger takes his own seat if it is "
        "free, and otherwise a seat chosen uniformly at random among the free ones."
    ),
    outcomes=["k_finds_seat", "displaced"],
    parameters=[
        Integer(n, 100, "number of passengers (and of seats)", min=2),
        Integer(k, 100, "a passenger other than the first", min=2, max=n),
    ],
    quantities=[
        Probability((n - k + 1) / (n - k + 2), of="k_finds_seat"),
        Mean(harmonic(n) - 1, of="displaced"),
    ],
    simulate=_simulate_kernel,
    # one draw for passenger 1 and one for each displaced passenger
    naive_draws=harmonic(n),
    bounds={"k_finds_seat": (0, 1), "displaced": (0, n - 1)},
    examples=[{"n": 2, "k": 2}, {"n": 10, "k": 3}, {"n": 7, "k": 7}],
)
