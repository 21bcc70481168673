"""What a link's delay does: the one place that defines the four delay types.

A link ``from -> to`` passes its signal ``s(t)`` (the source's deviation, over
the source's baseline for an elasticity) through a lag operator ``L[s]`` of one
of :data:`DELAY_TYPES`, with lag ``tau`` years, on the Euler grid of step ``dt``
(ENGINE.md; the same as Vensim and PySD):

``none``
    ``L[s](t_k) = s(t_k)``: the same step (a zero-lag link; these must not form a loop).
``fixed`` (Vensim ``DELAY FIXED``)
    ``L[s](t_k) = s(t_{k-n})`` with ``n = max(1, round(tau / dt))`` steps, halves
    rounded up (:func:`fixed_steps`), and 0 before the start.
``exponential`` (``DELAY1``, a first-order material delay / ``SMOOTH``)
    one Euler smoother ``y += (s - y) * rate`` with ``rate = dt / tau``
    (:func:`smoothing_rate`), starting at ``s(t_0)``.
``third_order`` (``DELAY3``)
    three such stages in series, each with ``rate = dt / (tau / 3)``, the last
    stage updated first; the output is the third stage.

Euler is stable for a smoother only when ``rate <= 1``: :func:`shortest_lag`
gives the least ``tau`` a ``dt`` allows (refused below it by
:func:`simulator.network.lag_problems`). The kernel (:mod:`simulator.engine`)
writes these formulas inline (compiled code cannot call back into Python); the
stability check, the tracing of effects, the equation export and the reference
engine of the tests implement exactly these definitions and point here.
"""

from __future__ import annotations

import numpy as np

DELAY_TYPES: tuple[str, ...] = ("none", "fixed", "exponential", "third_order")
"""The delay types, in the order of their integer codes in compiled models."""

NONE, FIXED, EXPONENTIAL, THIRD_ORDER = range(len(DELAY_TYPES))

STAGES: dict[str, int] = {"none": 0, "exponential": 1, "third_order": 3}
"""State variables per link of each smoothing type (a fixed delay keeps ``n`` past values)."""

VENSIM_FUNCTIONS: dict[str, str] = {"fixed": "DELAY FIXED", "exponential": "DELAY1", "third_order": "DELAY3"}
"""The Vensim (and PySD) built-in each lagged delay type is written as on export."""


def code(delay_type: str) -> int:
    """The integer code of ``delay_type`` in compiled models."""
    return DELAY_TYPES.index(delay_type)


def fixed_steps(tau: np.ndarray | float, dt: float) -> np.ndarray:
    """Steps of a fixed delay: ``max(1, round(tau / dt))``, halves rounded up (as Vensim and PySD)."""
    return np.maximum(1, np.floor(np.asarray(tau) / dt + 0.5 + 1e-6)).astype(int)


def smoothing_rate(delay_type: str, tau: np.ndarray | float, dt: float) -> np.ndarray | float:
    """Per-step rate of each stage of an exponential or third-order delay: ``dt / (tau / stages)``.

    Written as the kernel computes it (``dt / tau``; ``dt / (tau / 3.0)``), so the numbers are the same bit for bit.
    """
    if delay_type == "exponential":
        return dt / tau
    if delay_type == "third_order":
        return dt / (tau / 3.0)
    raise ValueError(f"a {delay_type} delay has no smoothing rate")


def shortest_lag(delay_type: str, dt: float) -> float | None:
    """The least lag (years) Euler at step ``dt`` allows for ``delay_type``; None when any lag will do."""
    stages = STAGES.get(delay_type, 0)
    return stages * dt if stages else None
