"""Bit counting for kernels that keep many coin flips, or a table's seats, in one 64-bit word
(handshakes, sign-test)."""

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def ones(x):
    """The number of 1 bits of x >= 0 (a population count, in 64-bit arithmetic)."""
    x = np.uint64(x)
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return np.int64((x * np.uint64(0x0101010101010101)) >> np.uint64(56))
