"""The ensemble summaries' per-row kernels, and their fold of one tile and step inside the time loop.

A node and time's *row* is its values over some members. Its sums run in eight lanes
(member ``j`` of a block into lane ``j % 8``, members in order), its extremes keep the
first value seen on a tie, and its histogram counts are integers: the same numbers
however a block's members are cut into engine calls or tiles, as long as the pieces
are folded in member order. :func:`fold_step` folds one tile at one step while the
time loop (:func:`simulator.engine._time_loop`) still has it in the cache, so the
summaries need no second pass over the deviations (:func:`simulator.ensemble._fold_into`
is that second pass, for the engine call that fixes the bins).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from simulator.jit import jit

COUNT_TYPE = np.int32
"""Histogram counts: a cell's count is at most the members (refused above 2**31 - 1:
:data:`simulator.budget.MAX_WORK`)."""


class StepFold(NamedTuple):
    """What :func:`simulator.engine.simulate` folds its deviations ``d`` (K + 1, N, m) into, per tile and step.

    ``parts`` (K + 1, N, 8): a block's eight running sums, ``low`` and ``high`` (K + 1, N) its extremes
    (node units), in place; ``offset``: the block's members before this engine call (at 0 the extremes
    start from the call's first member and ``parts`` must be zero). With ``n_bins`` > 0 the finite rows'
    bins (``bin_low``, ``inverse_width``: (K + 1, N), node units and their inverse) are added to
    ``counts`` ((K + 1) * N, n_bins + 2). ``finite[0]`` is set to 0 when a value is not finite (the
    run then stops on the blown members; their rows' counts may be partly in).
    """

    parts: np.ndarray
    low: np.ndarray
    high: np.ndarray
    offset: int
    bin_low: np.ndarray
    inverse_width: np.ndarray
    n_bins: int
    counts: np.ndarray
    finite: np.ndarray


NO_FOLD = StepFold(
    np.zeros((1, 1, 8)),
    np.zeros((1, 1)),
    np.zeros((1, 1)),
    0,
    np.zeros((1, 1)),
    np.ones((1, 1)),
    0,
    np.zeros((1, 1), dtype=COUNT_TYPE),
    np.ones(1, dtype=np.int64),
)
"""The time loop's fold arguments when it folds nothing (a call without summaries: its ``fold`` flag off)."""


@jit(inline="always")
def _first_equal(first: float, row: np.ndarray, value: float) -> float:  # pragma: no cover (compiled)
    """``first`` when it equals ``value``, else the first entry of ``row`` that does (``value`` if none)."""
    if first == value:
        return first
    for j in range(row.size):
        if row[j] == value:
            return row[j]
    return value


@jit(inline="always")
def fold_row(
    row: np.ndarray, acc: np.ndarray, offset: int, head: int, lo: float, hi: float
) -> tuple[float, float]:  # pragma: no cover (compiled)
    """Add one node and time's members ``row`` into its eight running sums ``acc`` (member ``offset + j``
    into sum ``(offset + j) % 8``; ``head`` members come before sum 0's first); return the extremes of
    ``lo``, ``hi`` and ``row``, the first one seen on a tie (as one running comparison finds it)."""
    n_members = row.size
    first = lo  # the extremes before this row's members
    for m in range(head):
        v = row[m]
        acc[(offset + m) % 8] += v
        lo = v if v < lo else lo
        hi = v if v > hi else hi
    a0, a1, a2, a3, a4, a5, a6, a7 = acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], acc[7]
    l0 = l1 = l2 = l3 = l4 = l5 = l6 = l7 = lo
    h0 = h1 = h2 = h3 = h4 = h5 = h6 = h7 = hi
    m = head
    while m + 8 <= n_members:  # eight lanes: vectorised
        v0, v1, v2, v3 = row[m], row[m + 1], row[m + 2], row[m + 3]
        v4, v5, v6, v7 = row[m + 4], row[m + 5], row[m + 6], row[m + 7]
        a0 += v0
        a1 += v1
        a2 += v2
        a3 += v3
        a4 += v4
        a5 += v5
        a6 += v6
        a7 += v7
        l0 = v0 if v0 < l0 else l0
        l1 = v1 if v1 < l1 else l1
        l2 = v2 if v2 < l2 else l2
        l3 = v3 if v3 < l3 else l3
        l4 = v4 if v4 < l4 else l4
        l5 = v5 if v5 < l5 else l5
        l6 = v6 if v6 < l6 else l6
        l7 = v7 if v7 < l7 else l7
        h0 = v0 if v0 > h0 else h0
        h1 = v1 if v1 > h1 else h1
        h2 = v2 if v2 > h2 else h2
        h3 = v3 if v3 > h3 else h3
        h4 = v4 if v4 > h4 else h4
        h5 = v5 if v5 > h5 else h5
        h6 = v6 if v6 > h6 else h6
        h7 = v7 if v7 > h7 else h7
        m += 8
    acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], acc[7] = a0, a1, a2, a3, a4, a5, a6, a7
    for v in (l0, l1, l2, l3, l4, l5, l6, l7):
        lo = v if v < lo else lo
    for v in (h0, h1, h2, h3, h4, h5, h6, h7):
        hi = v if v > hi else hi
    for j in range(m, n_members):
        v = row[j]
        acc[(offset + j) % 8] += v
        lo = v if v < lo else lo
        hi = v if v > hi else hi
    # equal values other than zeros have equal bits; of -0.0 and 0.0 the first one seen is kept
    if lo == 0.0:
        lo = _first_equal(first, row, 0.0)
    if hi == 0.0:
        hi = _first_equal(first, row, 0.0)
    return lo, hi


@jit(inline="always")
def row_finite(row: np.ndarray, acc: np.ndarray, lo: float, hi: float) -> bool:  # pragma: no cover (compiled)
    """True when every value of ``row`` is finite, from its extremes and its sums ``acc`` (a scan only
    when a sum is not finite: a NaN compares false, but makes its sum NaN)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):  # an infinity is an extreme
        return False
    total = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
    if math.isfinite(total):
        return True
    for j in range(row.size):  # a NaN, or finite values whose sum overflows
        if row[j] != row[j]:
            return False
    return True


@jit(inline="always")
def count_row(
    row: np.ndarray, low: float, inverse: float, top: float, index: np.ndarray, out: np.ndarray
) -> None:  # pragma: no cover (compiled)
    """Add the bins of finite ``row`` to one node and time's counts ``out`` (see :meth:`Bins.add_counts`)."""
    for j in range(row.size):  # bins first (no branches: vectorised), then the counts
        t = (row[j] - low) * inverse + 1.0
        t = 0.0 if t < 0.0 else t
        t = top if t > top else t
        index[j] = int(t)  # truncation = floor, as t >= 0
    for j in range(row.size):
        out[index[j]] += 1


@jit()
def fold_step(
    d: np.ndarray,
    k: int,
    first: int,
    nt: int,
    parts: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    offset: int,
    bin_low: np.ndarray,
    inverse_width: np.ndarray,
    n_bins: int,
    counts: np.ndarray,
    finite: np.ndarray,
    index: np.ndarray,
) -> None:  # pragma: no cover (compiled)
    """Fold members ``first .. first + nt - 1`` of ``d`` (K + 1, N, M) at time index ``k`` (see :class:`StepFold`).

    Called by the time loop for each tile in member order, once the tile's values at ``t_k`` are
    final: the same lanes, extremes and counts as :func:`simulator.ensemble._fold_into` of the
    whole call. ``index`` is scratch of at least ``nt`` int64.
    """
    n_nodes = d.shape[1]
    start = offset + first  # the tile's first member within its block
    head = min(nt, (8 - start % 8) % 8)
    top = n_bins + 1.0
    for i in range(n_nodes):
        row = d[k, i, first : first + nt]
        acc = parts[k, i]
        if start == 0:
            lo = hi = row[0]
        else:
            lo, hi = low[k, i], high[k, i]
        lo, hi = fold_row(row, acc, start, head, lo, hi)
        low[k, i] = lo
        high[k, i] = hi
        if not row_finite(row, acc, lo, hi):
            finite[0] = 0
        elif n_bins > 0:
            count_row(row, bin_low[k, i], inverse_width[k, i], top, index, counts[k * n_nodes + i])
