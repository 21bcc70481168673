"""Uncertainty ensembles: many parameter sets through the batched engine, summarised on the fly.

Members run in fixed blocks of :data:`~simulator.sampling.BLOCK_SIZE`, each as
engine calls of as many members as fit in memory
(:func:`simulator.budget.call_members`: the whole block for a small model; narrower
when the rest of the ensemble leaves less, :func:`simulator.budget.ensemble_shape`:
13 members for the 342-gemeente one), members on the last array axis. Blocks are grouped into
chunks, the unit of work handed to an executor (:mod:`simulator.distributed`).
Each chunk returns a small :class:`Reduction`, never the member paths, so peak
memory does not grow with the number of samples (except for the exact mode
below, and the Latin hypercube design of :mod:`simulator.sampling`, held as its
permutations: 2 or 3 bytes a member and parameter, :mod:`simulator.lhs`).

Summaries of the deviation ``d`` per node and time (all in node units):

- **mean**: each block's sum over its members (eight running sums over the
  members in order, carried from one engine call of the block to the next, then
  added pairwise: :func:`_fold_into`), then the block sums added in block order;
  so the mean is the same, bit for bit, for any chunking, any number of workers
  and any number of engine calls per block.
- **quantiles** (5 %, 50 %, 95 %):

  * *exact* when ``samples x nodes x times <= exact_limit`` (default 5 million
    values, 40 MB): every member's path is kept and ``numpy.quantile`` (linear
    interpolation) is used.
  * otherwise from *fixed histograms*: the first engine call of the first block
    (the whole block, unless the model is too large for that) is run first as a
    pilot; per node and time, ``n_bins`` equal bins span the pilot's range widened by
    25 % on each side, plus an underflow and an overflow bin bounded by the
    exact minimum and maximum. Counts are integers, so they add up the same in
    any order. A quantile is found by linear interpolation inside its bin and
    is exact to within one bin width, ``1.5 x pilot range / n_bins`` (0.15 % of
    the pilot range with 1,000 bins; fewer bins when 1,000 per node and time would not
    fit in memory, :func:`simulator.budget.bins_that_fit`), whenever it falls inside the widened
    pilot range; the width per node and time is reported as ``resolution``. A
    quantile in the under- or overflow bin (only when more than 5 % of members
    fall outside the widened pilot range) is interpolated between the pilot
    edge and the exact extreme and is coarser.

A member whose values become non-finite is never averaged in: the run stops
with a :class:`~simulator.errors.NumericalError` naming the member, the node,
the time and the member's parameter values.
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from simulator.budget import (
    QUANTILE_ROWS,
    Need,
    Shape,
    call_members,
    check_budget,
    ensemble_shape,
    fits,
)
from simulator.compiler import CompiledModel
from simulator.distributed import map_chunks, parallel_blocks
from simulator.engine import jit, simulate
from simulator.errors import InputError, NumericalError, Problem
from simulator.io.spec_files import ModelFile
from simulator.messages import joined, msg
from simulator.network import lag_problems
from simulator.sampling import BLOCK_SIZE, ParameterSample, changed_values, draw
from simulator.scenario_run import PreparedScenario

QUANTILES = (0.05, 0.5, 0.95)
ENSEMBLE_COLUMNS = ["scenario", "node", "time", "mean", "p05", "p50", "p95"]
DEFAULT_CHUNK = 10_000
THREAD_CHUNKS = 4
"""Chunks per thread of an in-process run on threads (at most :data:`DEFAULT_CHUNK` members each)."""
EXACT_LIMIT = 5_000_000
N_BINS = 1000
COUNT_TYPE = np.int32
"""Histogram counts: a cell's count is at most the members (refused above 2**31 - 1: :data:`MAX_WORK`)."""
CHUNK_COUNT_TYPE = np.uint16
"""Histogram counts of one chunk of at most 65,535 members (:func:`run_chunk`; half the memory of
:data:`COUNT_TYPE` for each chunk in flight and on its way back from a worker), added into the total's."""
_SUBCOUNTS = 4
"""Histograms (uint16) a row's members are counted into in turn, then added into the counts: consecutive
increments of one bin no longer wait for each other (about 2x faster counts); integer sums are exact."""
_SEGMENT = _SUBCOUNTS * 65_535
"""Most members counted into the uint16 sub-histograms before they are added up (none can overflow)."""
_WIDEN = 0.25

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Bins:
    """Fixed histogram bins per node and time, from a pilot block.

    Attributes
    ----------
    low : ndarray (K + 1, N)
        Left edge of the first regular bin, node units.
    width : ndarray (K + 1, N)
        Bin width, node units (always > 0).
    n_bins : int
        Regular bins; there is one underflow and one overflow bin besides.
    """

    low: np.ndarray
    width: np.ndarray
    n_bins: int

    @classmethod
    def from_pilot(cls, d: np.ndarray, n_bins: int = N_BINS) -> Bins:
        """Bins spanning the range of ``d`` (shape (K + 1, N, M)), widened by 25 % each side."""
        lo, hi = d.min(axis=2), d.max(axis=2)
        span = hi - lo
        floor = 1e-12 * np.maximum(1.0, np.maximum(np.abs(lo), np.abs(hi)))
        span = np.where(span > floor, span, floor)
        return cls(lo - _WIDEN * span, (1 + 2 * _WIDEN) * span / n_bins, n_bins)

    def counts(self, d: np.ndarray) -> np.ndarray:
        """Histogram of ``d`` (K + 1, N, M): counts of shape ((K + 1) * N, n_bins + 2), :data:`COUNT_TYPE`.

        Bin 0 is the underflow, ``n_bins + 1`` the overflow. Each value's bin
        depends on that value alone, so counts never depend on chunking.
        """
        counts = np.zeros((self.low.size, self.n_bins + 2), dtype=COUNT_TYPE)
        self.add_counts(d, counts)
        return counts

    def add_counts(self, d: np.ndarray, counts: np.ndarray) -> None:
        """Add the histogram of finite ``d`` (K + 1, N, M) to ``counts`` (see :meth:`counts`), in place.

        A value's bin is ``floor(clip((d - low) * (1 / width) + 1, 0, n_bins + 1))``.
        """
        _count(np.ascontiguousarray(d, dtype=np.float64), self.low, self.inverse_width, self.n_bins, counts)

    @property
    def inverse_width(self) -> np.ndarray:
        """``1 / width`` per node and time (1 / node units): a value's bin is found by a multiplication."""
        return 1.0 / self.width


@jit(inline="always")
def _first_equal(first: float, row: np.ndarray, value: float) -> float:  # pragma: no cover (compiled)
    """``first`` when it equals ``value``, else the first entry of ``row`` that does (``value`` if none)."""
    if first == value:
        return first
    for j in range(row.size):
        if row[j] == value:
            return row[j]
    return value


_NO_BINS = (np.zeros((1, 1)), np.ones((1, 1)), 0, np.zeros((1, 1), dtype=COUNT_TYPE))
"""The histogram arguments of :func:`_fold_into` when it only sums (no bins: ``n_bins`` 0)."""


@jit()
def _count(
    d: np.ndarray, low: np.ndarray, inverse_width: np.ndarray, n_bins: int, counts: np.ndarray
) -> None:  # pragma: no cover (compiled)
    """``counts[k * N + i, bin of d[k, i, m]] += 1`` for every member ``m`` (see :meth:`Bins.add_counts`)."""
    n_times, n_nodes, n_members = d.shape
    top = n_bins + 1.0
    index = np.empty(n_members, dtype=np.uint32)
    scratch = np.zeros((_SUBCOUNTS, n_bins + 2), dtype=np.uint16)
    for k in range(n_times):
        for i in range(n_nodes):
            _count_rows(d[k, i], low[k, i], inverse_width[k, i], top, index, scratch, counts[k * n_nodes + i])


@jit()
def _fold(d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover (compiled)
    """Per node and time of ``d`` (K + 1, N, M): the sum, the smallest and the largest value over the members.

    The sum runs over members in order in eight running sums (member ``m``
    into sum ``m % 8``), then adds them pairwise: a fixed order for a given
    number of members, so a block's sum never depends on where it runs. The
    extremes of non-finite values are meaningless (such blocks are rejected).
    """
    n_times, n_nodes, n_members = d.shape
    total = np.empty((n_times, n_nodes))
    low = np.empty((n_times, n_nodes))
    high = np.empty((n_times, n_nodes))
    part = np.zeros(8)
    for k in range(n_times):
        for i in range(n_nodes):
            part[:] = 0.0
            lo = hi = d[k, i, 0]
            for m in range(n_members):
                v = d[k, i, m]
                part[m % 8] += v
                if v < lo:
                    lo = v
                if v > hi:
                    hi = v
            total[k, i] = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]))
            low[k, i] = lo
            high[k, i] = hi
    return total, low, high


@jit(inline="always")
def _fold_row(
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
def _row_finite(row: np.ndarray, acc: np.ndarray, lo: float, hi: float) -> bool:  # pragma: no cover (compiled)
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
def _count_row(
    row: np.ndarray, low: float, inverse: float, top: float, index: np.ndarray, scratch: np.ndarray, out: np.ndarray
) -> None:  # pragma: no cover (compiled)
    """Add the bins of finite ``row`` to one node and time's counts ``out`` (see :meth:`Bins.add_counts`).

    At most :data:`_SEGMENT` members (so that no uint16 count can overflow: :func:`_count_rows` splits
    longer rows). ``index`` (uint32, at least ``row.size``) and ``scratch`` (:data:`_SUBCOUNTS` x
    ``out.size``, uint16, zero, and left zero) are work space. Bins first (no branches: vectorised;
    unsigned indices need no wraparound check), then the counts into the sub-histograms in turn, then
    those added into ``out`` (vectorised)."""
    n_members = row.size
    for j in range(n_members):
        t = (row[j] - low) * inverse + 1.0
        t = 0.0 if t < 0.0 else t
        t = top if t > top else t
        index[j] = np.uint32(t)  # truncation = floor, as t >= 0
    j = 0
    while j + 4 <= n_members:
        scratch[0, index[j]] += 1
        scratch[1, index[j + 1]] += 1
        scratch[2, index[j + 2]] += 1
        scratch[3, index[j + 3]] += 1
        j += 4
    while j < n_members:
        scratch[0, index[j]] += 1
        j += 1
    for b in range(out.size):
        out[b] += (scratch[0, b] + scratch[1, b]) + (scratch[2, b] + scratch[3, b])
        scratch[0, b] = 0
        scratch[1, b] = 0
        scratch[2, b] = 0
        scratch[3, b] = 0


@jit(inline="always")
def _count_rows(
    row: np.ndarray, low: float, inverse: float, top: float, index: np.ndarray, scratch: np.ndarray, out: np.ndarray
) -> None:  # pragma: no cover (compiled)
    """:func:`_count_row` of ``row`` in pieces of at most :data:`_SEGMENT` members."""
    if row.size <= _SEGMENT:
        _count_row(row, low, inverse, top, index, scratch, out)
        return
    for start in range(0, row.size, _SEGMENT):
        _count_row(row[start : start + _SEGMENT], low, inverse, top, index, scratch, out)


@jit()
def _fold_into(
    d: np.ndarray,
    parts: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    offset: int,
    bin_low: np.ndarray,
    inverse_width: np.ndarray,
    n_bins: int,
    counts: np.ndarray,
) -> bool:  # pragma: no cover (compiled)
    """Add ``d`` (K + 1, N, m), members ``offset .. offset + m - 1`` of a block, into the block's eight
    running sums ``parts`` (K + 1, N, 8) (member ``j`` into sum ``j % 8``) and extremes, in place;
    with ``n_bins`` > 0, also into its histogram ``counts`` (as :func:`_count`), in the same pass.

    At ``offset`` 0 the extremes start from ``d``'s first member (``parts`` must be zero). The
    block's sum is then :func:`_pairwise` of ``parts``: the same numbers, in the same order, as
    :func:`_fold` of the whole block, however the block is split. Returns False when ``d`` holds
    a non-finite value (a node and time holding one is not counted, the others may be: the
    run stops on the blown members).

    Each node and time's row of members is read once, while it is in the cache: its sums and
    extremes in eight lanes (:func:`_fold_row`), its bins and its counts (:func:`_count_row`).
    """
    n_times, n_nodes, n_members = d.shape
    finite = True
    head = min(n_members, (8 - offset % 8) % 8)  # members before the first one of sum 0
    top = n_bins + 1.0
    index = np.empty(n_members, dtype=np.uint32)
    scratch = np.zeros((_SUBCOUNTS, n_bins + 2), dtype=np.uint16)
    for k in range(n_times):
        for i in range(n_nodes):
            row = d[k, i]
            acc = parts[k, i]
            if offset == 0:
                lo = hi = row[0]
            else:
                lo, hi = low[k, i], high[k, i]
            lo, hi = _fold_row(row, acc, offset, head, lo, hi)
            low[k, i] = lo
            high[k, i] = hi
            if not _row_finite(row, acc, lo, hi):
                finite = False
            elif n_bins > 0:
                _count_rows(row, bin_low[k, i], inverse_width[k, i], top, index, scratch, counts[k * n_nodes + i])
    return finite


def _blown_members(d: np.ndarray, first_member: int) -> list[tuple[int, int, int]]:
    """(member, node index, time index) of each member of ``d`` (K + 1, N, m) with a non-finite value,
    at its first one; members numbered from ``first_member``."""
    blown = []
    for m in np.flatnonzero(~np.isfinite(d).all(axis=(0, 1))):
        k, n = np.argwhere(~np.isfinite(d[:, :, m]))[0]
        blown.append((first_member + int(m), int(n), int(k)))
    return blown


def _pairwise(parts: np.ndarray) -> np.ndarray:
    """The sum of the eight running sums (K + 1, N, 8), added pairwise as :func:`_fold` adds them."""
    p = [parts[:, :, j] for j in range(8)]
    return ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]))


@dataclass
class Reduction:
    """What a chunk of members leaves behind: enough for the summaries, no more.

    Attributes
    ----------
    sums : dict of int to ndarray (K + 1, N)
        Per block, the sum of ``d`` over its members.
    low, high : ndarray (K + 1, N)
        Smallest and largest ``d`` over the members seen.
    counts : ndarray ((K + 1) * N, n_bins + 2) or None
        Histogram counts (histogram mode).
    values : dict of int to ndarray (K + 1, N, m)
        Per block, every member's ``d`` (exact mode only).
    paths : dict of int to ndarray (K + 1, n_keep, m)
        Per block, the full paths of the nodes asked for.
    blown : list of (member, node index, time index)
        Members with a non-finite value, at its first occurrence.
    members : int
    bins : Bins or None
        The histogram bins (set on the total by the driver).
    kept : dict of int to ndarray (T, N, m)
        Per block, every node's ``d`` at the chosen time indices, for the first
        members only (the scorecard's agreement shares).
    count_type : numpy dtype
        Of the counts this reduction makes (:data:`COUNT_TYPE`; :data:`CHUNK_COUNT_TYPE` for a chunk
        that can hold no count above its largest value); merged counts become :data:`COUNT_TYPE`.
    """

    sums: dict[int, np.ndarray] = field(default_factory=dict)
    low: np.ndarray | None = None
    high: np.ndarray | None = None
    counts: np.ndarray | None = None
    values: dict[int, np.ndarray] = field(default_factory=dict)
    paths: dict[int, np.ndarray] = field(default_factory=dict)
    blown: list[tuple[int, int, int]] = field(default_factory=list)
    members: int = 0
    bins: Bins | None = None
    kept: dict[int, np.ndarray] = field(default_factory=dict)
    count_type: type = COUNT_TYPE

    def add(
        self,
        block: int,
        first_member: int,
        d: np.ndarray,
        bins: Bins | None,
        exact: bool,
        keep: tuple[int, ...],
        members_at: tuple[tuple[int, ...], int] = ((), 0),
    ) -> None:
        """Fold one block's deviations ``d`` (K + 1, N, m) into the reduction (see :meth:`add_parts`)."""
        self.add_parts(block, first_member, (d,), bins, exact, keep, members_at)

    def add_parts(
        self,
        block: int,
        first_member: int,
        parts: Iterable[np.ndarray],
        bins: Bins | None,
        exact: bool,
        keep: tuple[int, ...],
        members_at: tuple[tuple[int, ...], int] = ((), 0),
    ) -> None:
        """Fold one block into the reduction, given as its engine calls' deviations (K + 1, N, m_c) in order.

        ``members_at``: (time indices, members) whose ``d`` is kept for every node (see ``kept``).
        A block with a non-finite member is not counted; its blown members are recorded.
        """
        sums = low = high = None
        held: tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]] = ([], [], [])  # values, paths, kept
        offset, blown = 0, list[tuple[int, int, int]]()
        counting = bins is not None and not exact
        if counting and self.counts is None and bins is not None:
            self.counts = np.zeros((bins.low.size, bins.n_bins + 2), dtype=self.count_type)
        for d in parts:
            d = np.ascontiguousarray(d, dtype=np.float64)
            if sums is None:
                sums = np.zeros(d.shape[:2] + (8,))
                low, high = np.empty(d.shape[:2]), np.empty(d.shape[:2])
            if counting and not blown and bins is not None and self.counts is not None:  # sums and counts, one pass
                finite = _fold_into(d, sums, low, high, offset, bins.low, bins.inverse_width, bins.n_bins, self.counts)
            else:
                finite = _fold_into(d, sums, low, high, offset, *_NO_BINS)
            if not finite:
                blown += _blown_members(d, first_member + offset)
            if not blown:
                self._hold(d, first_member + offset, exact, keep, members_at, held)
            offset += d.shape[2]
            del d  # before the next engine call: one call's deviations at a time
        if blown:  # counts of its good engine calls may be in: the run stops on the blown members
            self.blown.extend(blown)
            return
        if sums is None or low is None or high is None:
            return
        self.members += offset
        self.sums[block] = _pairwise(sums)
        self._extremes(low, high)
        for into, arrays in zip((self.values, self.paths, self.kept), held, strict=True):
            if arrays:
                into[block] = arrays[0] if len(arrays) == 1 else np.concatenate(arrays, axis=2)

    def _hold(
        self,
        d: np.ndarray,
        start: int,
        exact: bool,
        keep: tuple[int, ...],
        members_at: tuple[tuple[int, ...], int],
        held: tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]],
    ) -> None:
        """One engine call's part of a block (members from ``start``): what the block keeps."""
        values, paths, kept = held
        if exact:
            values.append(d)
        if keep:
            paths.append(d[:, list(keep), :].copy())
        times, n_kept = members_at
        if times and start < n_kept:
            kept.append(d[list(times), :, : n_kept - start].copy())

    def _extremes(self, low: np.ndarray, high: np.ndarray) -> None:
        self.low = low if self.low is None else np.minimum(self.low, low)
        self.high = high if self.high is None else np.maximum(self.high, high)

    def merge(self, other: Reduction) -> None:
        """Add another chunk's reduction (any order gives the same result)."""
        self.sums.update(other.sums)
        self.values.update(other.values)
        self.paths.update(other.paths)
        self.kept.update(other.kept)
        self.blown.extend(other.blown)
        self.members += other.members
        if other.low is not None and other.high is not None:  # set together by _extremes
            self._extremes(other.low, other.high)
        if other.counts is not None:
            if self.counts is None:
                self.counts = other.counts.astype(COUNT_TYPE, copy=other.counts.dtype != COUNT_TYPE)
            elif self.counts.dtype != COUNT_TYPE:  # a chunk's small counts: to the total's type first
                self.counts = self.counts.astype(COUNT_TYPE) + other.counts
            else:
                self.counts += other.counts


@dataclass(frozen=True)
class BlockInput:
    """One engine call: uniforms (mapped on the worker) or explicit weights and lags (L, m)."""

    index: int
    first_member: int
    uniforms: np.ndarray | None = None
    weights: np.ndarray | None = None
    lags: np.ndarray | None = None

    @property
    def members(self) -> int:
        """Members in the block."""
        if self.uniforms is not None:
            return int(self.uniforms.shape[0])
        return 0 if self.weights is None else int(self.weights.shape[1])

    def part(self, start: int, stop: int) -> BlockInput:
        """Members ``start .. stop - 1`` of the block (one engine call)."""
        return BlockInput(
            self.index,
            self.first_member + start,
            None if self.uniforms is None else self.uniforms[start:stop],
            None if self.weights is None else self.weights[:, start:stop],
            None if self.lags is None else self.lags[:, start:stop],
        )


@dataclass(frozen=True)
class ChunkTask:
    """Everything a worker needs for one chunk; picklable, and small."""

    compiled: CompiledModel
    inputs: np.ndarray
    mapper: ParameterSample | None
    blocks: tuple[BlockInput, ...]
    bins: Bins | None
    exact: bool
    keep: tuple[int, ...]
    members_at: tuple[tuple[int, ...], int] = ((), 0)
    call: int = 0
    """Members per engine call (0: :func:`_call_size`; fewer when the budget leaves less, :func:`fitting_shape`)."""


def _count_type(members: int) -> type:
    """The counts' type of a reduction of ``members`` members: no count can exceed its largest value."""
    return CHUNK_COUNT_TYPE if members <= np.iinfo(CHUNK_COUNT_TYPE).max else COUNT_TYPE


def run_chunk(task: ChunkTask) -> Reduction:
    """Run the blocks of one chunk and reduce them (the function executors run)."""
    reduction = Reduction(count_type=_count_type(sum(block.members for block in task.blocks)))
    for block in task.blocks:
        reduction.add_parts(
            block.index,
            block.first_member,
            _block_calls(task, block),
            task.bins,
            task.exact,
            task.keep,
            task.members_at,
        )
    return reduction


def _call_size(cm: CompiledModel) -> int:
    """Members per engine call (:func:`simulator.budget.call_members`)."""
    return call_members(cm.times.size, cm.n_nodes, cm.n_links, BLOCK_SIZE)


def _then(first: list[np.ndarray], rest: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
    """The one array in ``first`` (taken out of it, so that only the consumer holds it), then ``rest``."""
    yield first.pop()
    yield from rest


def _block_calls(task: ChunkTask, block: BlockInput, start: int = 0) -> Iterator[np.ndarray]:
    """The block's deviations, one engine call of ``task.call`` members at a time, from member ``start``."""
    size = task.call or _call_size(task.compiled)
    for first in range(start, block.members, size):
        yield _simulate_block(task, block.part(first, min(block.members, first + size)))


def _simulate_block(task: ChunkTask, block: BlockInput) -> np.ndarray:
    if block.uniforms is not None:
        if task.mapper is None:
            raise ValueError("a block of uniforms needs the sample that maps them to parameter values")
        weights, lags = task.mapper.values(block.uniforms)
        shapes = task.mapper.shape_values(block.uniforms)  # a saturation's max, a threshold's level
        return simulate(task.compiled, task.inputs, weights, lags, check_finite=False, shape_parameters=shapes)
    if block.weights is not None and block.lags is not None:
        weights, lags = block.weights, block.lags
    else:
        raise ValueError("a block needs uniforms, or weights and lags")
    return simulate(task.compiled, task.inputs, weights, lags, check_finite=False)


@dataclass(frozen=True)
class EnsembleSummary:
    """Mean and quantiles of the deviation ``d`` per node and time over an ensemble.

    Attributes
    ----------
    scenario : str
    node_ids : tuple of str
    times : ndarray (K + 1,)
        Years.
    samples, seed : int
    method : str
        "lhs" or "mc"; "given" for explicit parameter arrays.
    mean, p05, p50, p95 : ndarray (K + 1, N)
        Node units.
    resolution : ndarray (K + 1, N)
        Upper bound of the quantiles' binning error, node units (0: exact quantiles).
    paths : dict of str to ndarray (K + 1, samples)
        Every member's deviation path, for the nodes asked for only.
    member_times : tuple of int
        Time indices at which ``members`` holds the first members' deviations.
    members : ndarray (len(member_times), N, m) or None
        Every node's ``d`` for the first ``m`` members at ``member_times`` (node
        units): what the scorecard's agreement shares are computed from.
    """

    scenario: str
    node_ids: tuple[str, ...]
    times: np.ndarray
    samples: int
    seed: int
    method: str
    mean: np.ndarray
    p05: np.ndarray
    p50: np.ndarray
    p95: np.ndarray
    resolution: np.ndarray
    paths: dict[str, np.ndarray] = field(default_factory=dict)
    member_times: tuple[int, ...] = ()
    members: np.ndarray | None = None

    def member_deltas(self, indices: Sequence[int]) -> np.ndarray:
        """The kept members' deviations at time ``indices`` (each one of ``member_times``), shape (T, N, m).

        Raises
        ------
        ValueError
            When a time index was not kept (a programming error, not a user's).
        """
        if self.members is None:
            raise ValueError("this ensemble kept no members")
        missing = [k for k in indices if k not in self.member_times]
        if missing:
            raise ValueError(f"time indices {missing} were not kept")
        return self.members[[self.member_times.index(k) for k in indices]]

    @property
    def exact(self) -> bool:
        """True when the quantiles are exact sample quantiles (no binning)."""
        return not np.any(self.resolution)

    def band(self, node_id: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(p05, p50, p95)`` of one node, each shape (K + 1,)."""
        i = self.node_ids.index(node_id)
        return self.p05[:, i], self.p50[:, i], self.p95[:, i]

    def to_frame(self, scenario: str | None = None) -> pd.DataFrame:
        """Long table with the columns of ``ensemble.csv``: one row per node and time."""
        n_times, n_nodes = self.mean.shape
        return pd.DataFrame(
            {
                "scenario": scenario or self.scenario,
                "node": np.tile(np.array(self.node_ids, dtype=object), n_times),
                "time": np.repeat(self.times, n_nodes),
                "mean": self.mean.ravel(),
                "p05": self.p05.ravel(),
                "p50": self.p50.ravel(),
                "p95": self.p95.ravel(),
            },
            columns=ENSEMBLE_COLUMNS,
        )


def sampled_lag_problems(
    prepared: PreparedScenario, file: str = "", model_file: ModelFile | None = None
) -> list[Problem]:
    """Lags whose draws can fall below what Euler needs at the scenario's ``dt``.

    With ``model_file``, a lag as written in the model file is located there (file
    and line); a lag a scenario override set is attributed to ``file``, the scenario.
    """
    found = lag_problems(prepared.model, prepared.time.dt, None, sampled=True)
    in_model = {}
    if model_file is not None:
        in_model = {
            (p.place, p.message): p
            for p in lag_problems(model_file.spec, prepared.time.dt, model_file.document, sampled=True)
        }
    return [in_model.get((p.place, p.message)) or replace(p, file=p.file or file) for p in found]


def check_ensemble_budget(
    prepared: PreparedScenario,
    samples: int,
    *,
    keep_nodes: int = 0,
    exact_limit: int = EXACT_LIMIT,
    n_bins: int = N_BINS,
    histogram: bool = True,
    parallel: int = 1,
    kept_times: int = 0,
    kept_members: int = 0,
) -> Shape:
    """Refuse an ensemble of ``samples`` members above the budget of :mod:`simulator.budget`, before it runs.

    ``keep_nodes``: nodes whose every member path is kept; ``histogram``: False for
    :func:`run_members` (paths only, no summary); ``parallel``: blocks held at once
    (threads or workers, each with results in flight); ``kept_times`` and
    ``kept_members``: every node kept at that many times for the first members (the
    scorecard's). Returns how it runs within the budget (:func:`fitting_shape`).

    Raises
    ------
    InputError
        Naming the scenario's file, the size asked for and the limit.
    """

    def shape(members: int) -> Shape:
        return fitting_shape(
            prepared,
            members,
            keep_nodes=keep_nodes,
            exact_limit=exact_limit,
            n_bins=n_bins,
            histogram=histogram,
            parallel=parallel,
            kept_times=kept_times,
            kept_members=kept_members,
        )

    asked = shape(samples)
    if fits(asked.need):
        return asked
    most = _most_members(lambda members: shape(members).need, samples)
    fix = (
        msg("use at most {most:,} samples, or a larger dt or a shorter horizon", most=most)
        if most
        else msg("use a larger dt or a shorter horizon")
    )
    check_budget(asked.need, prepared.file, fix=fix)
    return asked  # not reached: check_budget raised


def _most_members(need: Callable[[int], Need], samples: int) -> int:
    """The largest number of members below ``samples`` whose ``need`` fits the budget (0: none does)."""

    low, high = 0, samples  # fits(low) (or low == 0), not fits(high)
    while high - low > 1:
        middle = (low + high) // 2
        if fits(need(middle)):
            low = middle
        else:
            high = middle
    return low


def fitting_shape(
    prepared: PreparedScenario,
    samples: int,
    *,
    keep_nodes: int = 0,
    exact_limit: int = EXACT_LIMIT,
    n_bins: int = N_BINS,
    histogram: bool = True,
    parallel: int = 1,
    kept_times: int = 0,
    kept_members: int = 0,
) -> Shape:
    """Members per engine call, histogram bins and members kept for the scorecard of an ensemble of
    ``samples`` members: what was asked, or as much as fits in memory (:func:`simulator.budget.ensemble_shape`)."""
    cm = prepared.compiled
    return ensemble_shape(
        cm.times.size,
        cm.n_nodes,
        cm.n_links,
        samples,
        block=BLOCK_SIZE,
        exact=histogram and samples * cm.baselines.size <= exact_limit,
        histogram=histogram,
        n_bins=n_bins,
        kept_nodes=keep_nodes,
        parallel=parallel,
        table=histogram,
        kept_times=kept_times,
        kept_members=kept_members,
    )


def ensemble_summary(
    prepared: PreparedScenario,
    samples: int = 200,
    seed: int = 0,
    method: str = "lhs",
    *,
    chunk_size: int = DEFAULT_CHUNK,
    executor: Executor | None = None,
    keep_nodes: Sequence[str] = (),
    exact_limit: int = EXACT_LIMIT,
    n_bins: int = N_BINS,
    progress: Progress | None = None,
    threads: int = 1,
) -> EnsembleSummary:
    """Draw ``samples`` parameter sets with ``seed`` and summarise the deviations of the scenario.

    Parameters
    ----------
    prepared : PreparedScenario
    samples : int
        Ensemble members (at least 1).
    seed : int
        Seed of the draws (0 or more): the same seed gives the same numbers, bit
        for bit, whatever ``chunk_size`` and ``executor``.
    method : {"lhs", "mc"}
    chunk_size : int
        Members per unit of work, rounded up to whole blocks of ``BLOCK_SIZE``.
    executor : concurrent.futures.Executor, optional
        Where chunks run (see :func:`simulator.distributed.dask_executor`); None: in-process.
    keep_nodes : sequence of str
        Nodes whose every member path is kept in ``paths``.
    exact_limit : int
        Largest ``samples x nodes x times`` for exact quantiles; above it, histograms.
    n_bins : int
        Histogram bins per node and time.
    progress : callable(done, total), optional
        Called after each chunk with member counts.
    threads : int
        Threads for an in-process run (default 1). More threads give the same
        numbers; the compiled kernels release the GIL, so 2 threads on 2 idle
        cores are about 1.4x faster (benchmarks/README.md), but they compete
        with whatever else runs on a shared machine.

    Raises
    ------
    InputError
        Bad samples/seed/method, an unknown node in ``keep_nodes``, a lag whose
        draws can fall below what ``dt`` allows, or an ensemble above the budget
        (:func:`check_ensemble_budget`, before anything is drawn).
    NumericalError
        When members blow up; names them and their parameter values.
    """
    problems = sampled_lag_problems(prepared)
    if problems:
        raise InputError(problems)
    if isinstance(samples, int) and samples > 0:  # draw() refuses the rest with its own message
        check_ensemble_budget(
            prepared,
            samples,
            keep_nodes=len(keep_nodes),
            exact_limit=exact_limit,
            n_bins=n_bins,
            parallel=parallel_blocks(executor, threads),
        )
    sample = draw(prepared.model, samples, seed, method)
    return summarise_sample(
        prepared,
        sample,
        chunk_size=chunk_size,
        executor=executor,
        keep_nodes=keep_nodes,
        exact_limit=exact_limit,
        n_bins=n_bins,
        progress=progress,
        threads=threads,
    )


def summarise_sample(
    prepared: PreparedScenario,
    sample: ParameterSample,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    executor: Executor | None = None,
    keep_nodes: Sequence[str] = (),
    exact_limit: int = EXACT_LIMIT,
    n_bins: int = N_BINS,
    progress: Progress | None = None,
    threads: int = 1,
    member_times: Sequence[int] = (),
    max_members: int = 0,
) -> EnsembleSummary:
    """Run and summarise a drawn sample (see :func:`ensemble_summary`).

    ``member_times`` and ``max_members``: keep every node's deviation at these time
    indices for the first ``max_members`` members (:attr:`EnsembleSummary.members`),
    so that the scorecard's agreement shares reuse the ensemble's runs.
    """
    mapper = replace(sample, design=None)

    def block_input(b: int) -> BlockInput:
        return BlockInput(b, b * BLOCK_SIZE, uniforms=sample.uniforms(b))

    keep = _node_indices(prepared.compiled, keep_nodes)
    times = tuple(int(k) for k in member_times)
    reduction = _reduce(
        prepared,
        sample.samples,
        block_input,
        mapper,
        chunk_size,
        executor,
        keep,
        exact_limit,
        n_bins,
        progress,
        sample.member_values,
        threads=threads,
        members_at=(times, int(max_members) if times else 0),
    )
    summary = _summary(prepared, reduction, sample.samples, sample.seed, sample.method, keep)
    return replace(summary, member_times=times) if summary.members is not None else summary


def run_members(
    prepared: PreparedScenario,
    weights: np.ndarray,
    lags: np.ndarray | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    executor: Executor | None = None,
    nodes: Sequence[str] | None = None,
    progress: Progress | None = None,
    threads: int = 1,
) -> np.ndarray:
    """Run explicit parameter sets; return the paths of chosen nodes (e.g. for sensitivity).

    Parameters
    ----------
    prepared : PreparedScenario
    weights, lags : ndarray (L, M)
        Link weights and lags (years) per member; ``lags`` None: the central lags.
    chunk_size : int
        Members per unit of work (whole blocks of ``BLOCK_SIZE``).
    executor : concurrent.futures.Executor, optional
    nodes : sequence of str, optional
        Nodes to return (default: all).
    threads : int
        Threads for an in-process run (default 1; see :func:`ensemble_summary`).

    Returns
    -------
    ndarray (K + 1, n_nodes, M)
        Deviations ``d`` in node units; identical for any chunking and executor.
    """
    cm = prepared.compiled
    weights = np.asarray(weights, dtype=float)
    n_members = weights.shape[1]
    check_ensemble_budget(
        prepared,
        n_members,
        keep_nodes=cm.n_nodes if nodes is None else len(nodes),
        histogram=False,
        parallel=parallel_blocks(executor, threads),
    )  # before the lags below
    lags = np.repeat(cm.lag[:, None], n_members, axis=1) if lags is None else np.asarray(lags, dtype=float)
    keep = _node_indices(cm, list(cm.node_ids) if nodes is None else nodes)

    def block_input(b: int) -> BlockInput:
        start, stop = b * BLOCK_SIZE, min(n_members, (b + 1) * BLOCK_SIZE)
        return BlockInput(b, start, weights=weights[:, start:stop], lags=lags[:, start:stop])

    def describe(member: int) -> dict[str, float]:
        return _changed_parameters(prepared, weights[:, member], lags[:, member])

    reduction = _reduce(
        prepared,
        n_members,
        block_input,
        None,
        chunk_size,
        executor,
        keep,
        exact_limit=-1,
        n_bins=N_BINS,
        progress=progress,
        describe=describe,
        histogram=False,
        threads=threads,
    )
    return np.concatenate([reduction.paths[b] for b in sorted(reduction.paths)], axis=2)


def _node_indices(cm: CompiledModel, nodes: Sequence[str]) -> tuple[int, ...]:
    unknown = [n for n in nodes if n not in cm.node_ids]
    if unknown:
        raise InputError(
            [
                Problem("", "nodes", msg("unknown node '{node}'", node=n), msg("use a node id of the model"))
                for n in unknown
            ]
        )
    return tuple(cm.index(n) for n in nodes)


def _reduce(
    prepared: PreparedScenario,
    n_members: int,
    block_input: Callable[[int], BlockInput],
    mapper: ParameterSample | None,
    chunk_size: int,
    executor: Executor | None,
    keep: tuple[int, ...],
    exact_limit: int,
    n_bins: int,
    progress: Progress | None,
    describe: Callable[[int], dict[str, float]],
    histogram: bool = True,
    threads: int = 1,
    members_at: tuple[tuple[int, ...], int] = ((), 0),
) -> Reduction:
    """Run every block, chunk by chunk, and fold the chunks' reductions together.

    Without an executor, blocks run in this process, on a pool of ``threads``
    threads when more than one (the compiled engine and summary kernels release
    the GIL). Results are the same for any number of threads.
    """
    times, max_members = members_at
    shape = check_ensemble_budget(
        prepared,
        n_members,
        keep_nodes=len(keep),
        exact_limit=exact_limit,
        n_bins=n_bins,
        histogram=histogram,
        parallel=parallel_blocks(executor, threads),
        kept_times=len(times),
        kept_members=max_members if times else 0,
    )
    n_bins = shape.bins
    members_at = (times, shape.kept_members if times else max_members)
    n_blocks = -(-n_members // BLOCK_SIZE)
    blocks_per_chunk = max(1, -(-int(chunk_size) // BLOCK_SIZE))
    with contextlib.ExitStack() as stack:
        if executor is None and threads > 1 and n_blocks > 2:
            executor = stack.enter_context(ThreadPoolExecutor(threads, thread_name_prefix="bwsim"))
            # a few chunks per thread, no more: each chunk's reduction holds a histogram of all nodes and
            # times (14.6 MB for the Heerlen model) that the driver then adds up, under the GIL
            blocks_per_chunk = max(1, min(blocks_per_chunk, -(-n_blocks // (THREAD_CHUNKS * threads))))
        return _reduce_on(
            prepared,
            n_members,
            n_blocks,
            blocks_per_chunk,
            block_input,
            mapper,
            executor,
            keep,
            exact_limit,
            n_bins,
            progress,
            describe,
            histogram,
            members_at,
            shape.call,
        )


def _reduce_on(
    prepared: PreparedScenario,
    n_members: int,
    n_blocks: int,
    blocks_per_chunk: int,
    block_input: Callable[[int], BlockInput],
    mapper: ParameterSample | None,
    executor: Executor | None,
    keep: tuple[int, ...],
    exact_limit: int,
    n_bins: int,
    progress: Progress | None,
    describe: Callable[[int], dict[str, float]],
    histogram: bool,
    members_at: tuple[tuple[int, ...], int],
    size: int,
) -> Reduction:
    cm = prepared.compiled
    exact = n_members * cm.baselines.size <= exact_limit
    base = functools.partial(
        ChunkTask,
        compiled=cm,
        inputs=prepared.inputs,
        mapper=mapper,
        exact=exact,
        keep=keep,
        members_at=members_at,
        call=size,
    )
    total, first = Reduction(), 0
    bins = None
    if histogram and not exact:  # the pilot (block 0's first engine call) fixes the bins, then counts
        block = block_input(0)
        task = base(blocks=(block,), bins=None)
        d = _simulate_block(task, block.part(0, min(block.members, size)))
        bins = Bins.from_pilot(np.where(np.isfinite(d), d, 0.0), n_bins)
        total.bins = bins
        first_call = [d]
        del d  # held by first_call only, so that add_parts lets go of it before the next engine call
        total.add_parts(0, 0, _then(first_call, _block_calls(task, block, size)), bins, exact, keep, members_at)
        _raise_if_blown(total, cm, describe)
        first = 1
        _report(progress, total.members, n_members)
    starts = range(first, n_blocks, blocks_per_chunk)
    tasks = (
        base(blocks=tuple(block_input(b) for b in range(s, min(n_blocks, s + blocks_per_chunk))), bins=bins)
        for s in starts
    )
    for _, reduction in map_chunks(run_chunk, tasks, executor):
        total.merge(reduction)
        _raise_if_blown(total, cm, describe)
        _report(progress, total.members, n_members)
    return total


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def _raise_if_blown(reduction: Reduction, cm: CompiledModel, describe: Callable[[int], dict[str, float]]) -> None:
    if not reduction.blown:
        return
    blown = sorted(reduction.blown)
    member, node, k = blown[0]
    lines = []
    for m, _, _ in blown[:3]:
        values = ", ".join(f"{name} = {value:.6g}" for name, value in describe(m).items())
        lines.append(msg("member {member}: {values}", member=m, values=values or msg("the central values")))
    if len(blown) > 1:
        detail = msg(
            "no member is averaged into the band ({blown} members blew up; the first {shown}: {members}); "
            "narrow the ranges of the weights in the loops through this node",
            blown=len(blown),
            shown=min(3, len(blown)),
            members=joined("; ", lines),
        )
    else:
        detail = msg(
            "no member is averaged into the band ({members}); narrow the ranges of the weights in the "
            "loops through this node",
            members=joined("; ", lines),
        )
    raise NumericalError(cm.node_ids[node], float(cm.times[k]), member, detail)


def _changed_parameters(prepared: PreparedScenario, weights: np.ndarray, lags: np.ndarray) -> dict[str, float]:
    cm = prepared.compiled
    return changed_values([lk.key for lk in prepared.model.links], cm.weight, cm.lag, weights, lags)


def _summary(
    prepared: PreparedScenario,
    reduction: Reduction,
    samples: int,
    seed: int,
    method: str,
    keep: tuple[int, ...],
) -> EnsembleSummary:
    cm = prepared.compiled
    total = np.zeros(cm.baselines.shape)
    for block in sorted(reduction.sums):  # block order: the same sum for any chunking
        total += reduction.sums[block]
    mean = total / samples
    if reduction.counts is None:
        d = np.concatenate([reduction.values[b] for b in sorted(reduction.values)], axis=2)
        quantiles = np.quantile(d, QUANTILES, axis=2)
        resolution = np.zeros(cm.baselines.shape)
    else:
        bins, low, high = reduction.bins, reduction.low, reduction.high
        if bins is None or low is None or high is None:  # counted members always have bins and extremes
            raise ValueError("a histogram reduction without bins or extremes")
        quantiles = histogram_quantiles(reduction.counts, bins, low, high, QUANTILES)
        resolution = bins.width
    members = None
    if reduction.kept:
        members = np.concatenate([reduction.kept[b] for b in sorted(reduction.kept)], axis=2)
    paths = {}
    if keep:
        kept = np.concatenate([reduction.paths[b] for b in sorted(reduction.paths)], axis=2)
        paths = {cm.node_ids[i]: kept[:, j, :] for j, i in enumerate(keep)}
    return EnsembleSummary(
        prepared.name,
        cm.node_ids,
        cm.times,
        samples,
        seed,
        method,
        mean,
        quantiles[0],
        quantiles[1],
        quantiles[2],
        resolution,
        paths,
        members=members,
    )


def histogram_quantile(counts: np.ndarray, bins: Bins, low: np.ndarray, high: np.ndarray, q: float) -> np.ndarray:
    """The ``q`` quantile per node and time from histogram counts (see :func:`histogram_quantiles`).

    Parameters
    ----------
    counts : ndarray ((K + 1) * N, n_bins + 2)
        Underflow bin, ``n_bins`` regular bins, overflow bin.
    bins : Bins
    low, high : ndarray (K + 1, N)
        Exact smallest and largest values: the outer edges of the under- and overflow bins.
    q : float
        In (0, 1).

    Returns
    -------
    ndarray (K + 1, N)
        Linear interpolation of the empirical distribution function inside the
        bin holding the ``q * M``-th value; within one bin width of the sample quantile.
    """
    return histogram_quantiles(counts, bins, low, high, (q,))[0]


def histogram_quantiles(
    counts: np.ndarray, bins: Bins, low: np.ndarray, high: np.ndarray, qs: Sequence[float]
) -> np.ndarray:
    """The quantiles ``qs`` per node and time from histogram counts, shape (len(qs), K + 1, N).

    Each as :func:`histogram_quantile` gives it; the counts are cumulated once for all of them
    (a few rows at a time), not once per quantile.
    """
    n_cells, n_all = counts.shape
    edge, width = bins.low.ravel(), bins.width.ravel()
    lo, hi = low.ravel(), high.ravel()
    value = np.empty((len(qs), n_cells))
    for first in range(0, n_cells, QUANTILE_ROWS):  # the cumulated counts of a few rows at a time
        part = slice(first, min(n_cells, first + QUANTILE_ROWS))
        c = counts[part]
        rows = np.arange(c.shape[0])
        cum = np.cumsum(c, axis=1, dtype=np.int64)
        e, w, lo_p, hi_p = edge[part], width[part], lo[part], hi[part]
        for n, q in enumerate(qs):
            target = q * cum[:, -1]
            b = np.minimum((cum <= target[:, None]).sum(axis=1), n_all - 1)
            before = np.where(b > 0, cum[rows, np.maximum(b - 1, 0)], 0)
            inside = np.maximum(c[rows, b], 1)
            frac = np.clip((target - before) / inside, 0.0, 1.0)
            left = np.where(b == 0, lo_p, e + (b - 1) * w)
            right = np.where(b == 0, e, np.where(b == n_all - 1, hi_p, e + b * w))
            value[n, part] = np.clip(left + frac * (right - left), lo_p, hi_p)
    return value.reshape((len(qs),) + bins.low.shape)
