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
def _random_free_seat(rng, stack, height, taken_in, t):
    """A uniform choice among the free seats: a uniform entry of stack[:height] (which holds
    every free seat, and maybe some taken ones), tried again while it lands on a taken seat."""
    while True:
        seat = stack[int(rng.random() * height)]
        if taken_in[seat] != t:
            return seat


@numba.njit(cache=True, nogil=True)
def _simulate_kernel(rng, trials, n, k):
    # Seats are numbered from 0 (passenger i, from 0, holds seat i). When passenger i boards,
    # the seats that can still be free are seat 0 and the seats of the passengers after him:
    # the stack [0, n-1, n-2, ..., i+1], i.e. stack[:n - i], whose contents never change.
    # A seat taken by a random pick is marked with the flight's number in taken_in, so nothing
    # is reset between flights. Passengers whose seat is free just sit down, so the flight jumps
    # from one displaced passenger to the next: the lowest seat taken by a random pick whose
    # owner has not boarded yet (the `ahead` list).
    stack = np.empty(n, dtype=np.int64)
    stack[0] = 0
    for i in range(1, n):
        stack[i] = n - i
    taken_in = np.full(n, -1, dtype=np.int64)  # seat -> the last flight in which it was taken
    ahead = np.empty(n, dtype=np.int64)         # seats taken by picks, owners still to board
    out = np.empty((trials, 2))  # columns: passenger k finds his seat (1/0), passengers displaced
    for t in range(trials):
        seat = _random_free_seat(rng, stack, n, taken_in, t)  # passenger 1 (index 0)
        taken_in[seat] = t
        waiting = 0
        if seat != 0:
            ahead[0] = seat
            waiting = 1
        displaced = 0
        while waiting > 0:
            # the next passenger to find his seat taken
            first = 0
            for w in range(1, waiting):
                if ahead[w] < ahead[first]:
                    first = w
            passenger = ahead[first]
            waiting -= 1
            ahead[first] = ahead[waiting]
            displaced += 1
            seat = _random_free_seat(rng, stack, n - passenger, taken_in, t)
            taken_in[seat] = t
            if seat != 0:  # a seat after his: its owner will be displaced in turn
                ahead[waiting] = seat
                waiting += 1
        # seat k-1 can be taken only by a random pick made before passenger k boards
        out[t, 0] = taken_in[k - 1] != t
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
