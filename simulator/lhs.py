"""scipy's Latin hypercube, held as its permutations and read a block of rows at a time.

``scipy.stats.qmc.LatinHypercube(d, rng=rng).random(n)`` (scrambled, no
optimisation) draws ``n x d`` uniforms ``U`` first, then shuffles ``d`` copies of
``1 .. n`` (one per dimension, in order) and returns ``(P.T - U) / n``: ``n x d``
float64 values (968 MB for 1,000,000 members and 121 parameters) plus ``n x d``
int64 permutations and the uniforms while it builds them, about three times as much.

:class:`LatinDesign` makes the same numbers, bit for bit, holding only the
permutations, in 2 bytes a value up to 65,535 samples and 3 up to 16,777,215 (4 above:
:func:`permutation_bytes`; scipy's peak is about 24), one row shuffled at a time: it notes the
generator's state, moves it past the ``n x d`` uniforms (``advance`` of numpy's
PCG64, O(1); other bit generators draw and drop them in pieces), shuffles the
permutations with the very same calls, and recomputes a block's uniforms from the
noted state when the block is asked for. Every integer of ``1 .. n`` is exact in
float64, so each value is ``(p - u) / n`` with the same ``p``, ``u`` and ``n``.

The shuffles are numpy's ``Generator.shuffle`` (Fisher-Yates from the last entry
down, each swap partner ``random_interval(i)``: the smallest bit mask above ``i``
applied to 32-bit draws until one is at most ``i``; PCG64's 32-bit draws are the
low, then the high half of each 64-bit output), compiled (:func:`_fisher_yates`)
on the generator's raw outputs, so the same permutations at a fraction of the
time (1.1 s for 100,000 x 121 with numpy's loop, which scipy's sampler runs).
The tests compare with scipy's design, bit for bit.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

PERMUTATION_BYTES = 4
"""Bytes a Latin hypercube holds at most per member and parameter (:func:`permutation_bytes`: fewer up to
16,777,215 samples)."""

_RAW_CHUNK = 1 << 20
"""64-bit outputs of the generator drawn at once for the shuffles (8 MB)."""

_DISCARD_ROWS = 65_536
"""Rows of uniforms drawn and dropped at once when the bit generator cannot ``advance``."""


def permutation_bytes(samples: int) -> int:
    """Bytes a Latin hypercube of ``samples`` rows holds per value of its permutations (``1 .. samples``):
    2 (uint16) up to 65,535 samples, 3 (uint16 and uint8) up to 16,777,215, else 4 (int32)."""
    return 2 if samples <= 0xFFFF else 3 if samples <= 0xFFFFFF else PERMUTATION_BYTES


class _Permutations:
    """``D`` permutations of ``1 .. n`` in as few bytes as hold ``n`` (:func:`permutation_bytes`): the
    low 16 bits as uint16 and, above 65,535, the next 8 as uint8 (or all as int32 above 16,777,215)."""

    def __init__(self, dimensions: int, samples: int):
        size = permutation_bytes(samples)
        self._low = np.empty((dimensions, samples), dtype=np.int32 if size == 4 else np.uint16)
        self._high = np.empty((dimensions, samples), dtype=np.uint8) if size == 3 else None

    @property
    def nbytes(self) -> int:
        return int(self._low.nbytes + (0 if self._high is None else self._high.nbytes))

    def set(self, dimension: int, row: np.ndarray) -> None:
        """Store dimension ``dimension``'s permutation ``row`` (int32)."""
        if self._high is None:
            self._low[dimension] = row
        else:
            self._low[dimension] = row & 0xFFFF
            self._high[dimension] = row >> 16

    def columns(self, start: int, stop: int) -> np.ndarray:
        """Entries ``start .. stop - 1`` of every permutation, (D, stop - start) int32: the values stored."""
        low = self._low[:, start:stop].astype(np.int32)
        if self._high is not None:
            low |= self._high[:, start:stop].astype(np.int32) << 16
        return low


class LatinDesign:
    """A Latin hypercube of ``samples`` rows over ``dimensions`` parameters, in (0, 1).

    Equal to ``scipy.stats.qmc.LatinHypercube(d=dimensions, rng=rng).random(samples)``
    for ``rng = numpy.random.default_rng(seed)``; rows are computed on request by :meth:`rows`.
    """

    def __init__(self, dimensions: int, samples: int, seed: int):
        from scipy.stats import qmc

        # the generator scipy's sampler draws from (it spawns a child of the one it is given)
        rng: np.random.Generator = qmc.LatinHypercube(d=dimensions, rng=np.random.default_rng(seed)).rng
        self.samples, self.dimensions = int(samples), int(dimensions)
        self._start = copy.deepcopy(rng.bit_generator)  # its state before the uniforms
        _skip(rng, self.samples * self.dimensions, self.dimensions)
        self._perms = _Permutations(self.dimensions, self.samples)  # (D, n): row i is dimension i's permutation
        _shuffle_rows(rng, self.dimensions, self.samples, self._perms.set)

    @property
    def shape(self) -> tuple[int, int]:
        """``(samples, dimensions)``, as the array scipy returns."""
        return self.samples, self.dimensions

    @property
    def nbytes(self) -> int:
        """Bytes held (the permutations: :func:`permutation_bytes` a value)."""
        return self._perms.nbytes

    def rows(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start .. stop - 1`` of the design, shape (stop - start, D), float64 in (0, 1)."""
        start, stop = max(0, int(start)), min(self.samples, int(stop))
        stop = max(start, stop)
        rng = np.random.Generator(copy.deepcopy(self._start))
        _skip(rng, start * self.dimensions, self.dimensions)
        uniforms = rng.uniform(size=(stop - start, self.dimensions))
        return (self._perms.columns(start, stop).T - uniforms) / self.samples

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        whole = self.rows(0, self.samples)
        return whole if dtype is None else whole.astype(dtype)


def _skip(rng: np.random.Generator, values: int, dimensions: int) -> None:
    """Move ``rng`` past ``values`` float64 uniforms (one 64-bit output each)."""
    if values <= 0:
        return
    bit_generator = rng.bit_generator
    if hasattr(bit_generator, "advance"):
        bit_generator.advance(values)
        return
    rows = max(1, _DISCARD_ROWS // max(dimensions, 1))  # pragma: no cover - numpy's default is PCG64
    left = values  # pragma: no cover
    while left > 0:  # pragma: no cover
        n = min(left, rows * max(dimensions, 1))
        rng.uniform(size=n)
        left -= n


def _shuffle_rows(rng: np.random.Generator, rows: int, samples: int, keep: Callable[[int, np.ndarray], None]) -> None:
    """``rng.shuffle`` of ``rows`` copies of ``1 .. samples`` (int32) in turn, each handed to ``keep(i, row)``
    once shuffled (so only one row is held as int32): the same permutations and the same draws as
    shuffling the rows of one array in order (with a bit generator other than PCG64, numpy's own loop)."""
    pcg64 = type(rng.bit_generator).__name__ == "PCG64"
    if pcg64:
        from simulator.engine import jit  # numba: imported by the ensembles that draw, not at start-up

        fisher_yates = _compiled_fisher_yates(jit)
    halves = np.empty(0, dtype=np.uint32)
    pos = 0
    for r in range(rows):
        row = np.arange(1, samples + 1, dtype=np.int32)
        if not pcg64:  # pragma: no cover - numpy's default_rng is PCG64
            rng.shuffle(row)
            keep(r, row)
            continue
        i = row.size - 1
        while i >= 1:
            if pos >= halves.size:  # PCG64's 32-bit draws: the low, then the high half of each output
                halves = rng.bit_generator.random_raw(_RAW_CHUNK).view(np.uint32)
                pos = 0
            i, pos = fisher_yates(row, i, halves, pos)
        keep(r, row)


_FISHER_YATES: list = []


def _compiled_fisher_yates(jit: Any) -> Any:
    """:func:`_fisher_yates`, compiled once (numba)."""
    if not _FISHER_YATES:
        _FISHER_YATES.append(jit()(_fisher_yates))
    return _FISHER_YATES[0]


def _fisher_yates(row: np.ndarray, i: int, halves: np.ndarray, pos: int) -> tuple[int, int]:  # pragma: no cover
    """Shuffle ``row`` from entry ``i`` down to entry 1 with 32-bit draws ``halves[pos:]``, as numpy's
    ``Generator.shuffle`` does (its ``random_interval``); return where it stopped when the draws ran out."""
    n_halves = halves.size
    while i >= 1:
        mask = i
        mask |= mask >> 1
        mask |= mask >> 2
        mask |= mask >> 4
        mask |= mask >> 8
        mask |= mask >> 16
        while True:
            if pos >= n_halves:
                return i, pos  # a rejected draw is used up, as in numpy: the next one starts afresh
            j = halves[pos] & mask
            pos += 1
            if j <= i:
                break
        row[i], row[j] = row[j], row[i]
        i -= 1
    return i, pos
