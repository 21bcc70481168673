"""Compiled inverse CDFs of a block of draws (numba; imported when a block is mapped, not at start-up)."""

from __future__ import annotations

import math

import numpy as np

from simulator.engine import jit


@jit()
def triangular_columns(
    u: np.ndarray, columns: np.ndarray, low: np.ndarray, mode: np.ndarray, high: np.ndarray, eps: float, out: np.ndarray
) -> None:  # pragma: no cover (compiled)
    """``out[m, c] = `` the triangular inverse CDF at ``clip(u[m, c], eps, 1 - eps)`` for each ``c`` in ``columns``.

    The operations of :func:`simulator.sampling.inverse_cdf`'s closed form, in its
    order and without fused multiply-adds, so each value is the same, bit for bit:
    ``low + sqrt(u (high - low) (mode - low))`` below ``(mode - low) / (high - low)``,
    else ``high - sqrt((1 - u) (high - low) (high - mode))``. ``low``, ``mode``, ``high``:
    one value per entry of ``columns``.
    """
    n_members, n_columns = u.shape[0], columns.size
    top = 1.0 - eps
    width = high - low
    split = (mode - low) / width
    below, above = mode - low, high - mode
    x = np.empty(n_columns)
    for m in range(n_members):  # members outer, parameters inner: no branch in the inner loops (vectorised)
        for p in range(n_columns):
            v = u[m, columns[p]]
            v = eps if v < eps else v  # np.clip (NaN stays NaN)
            x[p] = top if v > top else v
        for p in range(n_columns):
            left = low[p] + math.sqrt(x[p] * width[p] * below[p])
            right = high[p] - math.sqrt((1.0 - x[p]) * width[p] * above[p])
            out[m, columns[p]] = left if x[p] < split[p] else right
