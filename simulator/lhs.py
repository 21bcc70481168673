"""scipy's Latin hypercube, held as its permutations and read a block of rows at a time.

``scipy.stats.qmc.LatinHypercube(d, rng=rng).random(n)`` (scrambled, no
optimisation) draws ``n x d`` uniforms ``U`` first, then shuffles ``d`` copies of
``1 .. n`` (one per dimension, in order) and returns ``(P.T - U) / n``: ``n x d``
float64 values (968 MB for 1,000,000 members and 121 parameters) plus ``n x d``
int64 permutations and the uniforms while it builds them, about three times as much.

:class:`LatinDesign` makes the same numbers, bit for bit, holding only the
permutations as int32 (4 bytes a value, a quarter of scipy's peak): it notes the
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
from typing import Any

import numpy as np

PERMUTATION_BYTES = 4
"""Bytes a Latin hypercube holds per member and parameter (its int32 permutations)."""

_RAW_CHUNK = 1 << 20
"""64-bit outputs of the generator drawn at once for the shuffles (8 MB)."""

_DISCARD_ROWS = 65_536
"""Rows of uniforms drawn and dropped at once when the bit generator cannot ``advance``."""


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
        perms = np.tile(np.arange(1, self.samples + 1, dtype=np.int32), (self.dimensions, 1))
        _shuffle_rows(rng, perms)
        self._perms = perms  # (D, n): row i is dimension i's permutation

    @property
    def shape(self) -> tuple[int, int]:
        """``(samples, dimensions)``, as the array scipy returns."""
        return self.samples, self.dimensions

    @property
    def nbytes(self) -> int:
        """Bytes held (the permutations)."""
        return int(self._perms.nbytes)

    def rows(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start .. stop - 1`` of the design, shape (stop - start, D), float64 in (0, 1)."""
        start, stop = max(0, int(start)), min(self.samples, int(stop))
        stop = max(start, stop)
        rng = np.random.Generator(copy.deepcopy(self._start))
        _skip(rng, start * self.dimensions, self.dimensions)
        uniforms = rng.uniform(size=(stop - start, self.dimensions))
        return (self._perms[:, start:stop].T - uniforms) / self.samples

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


def _shuffle_rows(rng: np.random.Generator, perms: np.ndarray) -> None:
    """``rng.shuffle(perms[i])`` for each row ``i`` in turn, in place: the same permutations and the same
    draws (with a bit generator other than PCG64, numpy's own loop)."""
    if type(rng.bit_generator).__name__ != "PCG64":  # pragma: no cover - numpy's default_rng is PCG64
        for row in perms:
            rng.shuffle(row)
        return
    from simulator.engine import jit  # numba: imported by the ensembles that draw, not at start-up

    fisher_yates = _compiled_fisher_yates(jit)
    halves = np.empty(0, dtype=np.uint32)
    pos = 0
    for row in perms:
        i = row.size - 1
        while i >= 1:
            if pos >= halves.size:  # PCG64's 32-bit draws: the low, then the high half of each output
                halves = rng.bit_generator.random_raw(_RAW_CHUNK).view(np.uint32)
                pos = 0
            i, pos = fisher_yates(row, i, halves, pos)


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
