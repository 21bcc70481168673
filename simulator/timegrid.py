"""The run's time grid: ``t_k = start + k * dt`` for ``k = 0 .. K`` (years)."""

from __future__ import annotations

import numpy as np

from simulator.spec import TimeSpec


def time_grid(time: TimeSpec) -> np.ndarray:
    """Reported times in years, shape ``(K + 1,)``, computed as ``start + k * dt``."""
    return time.start + np.arange(time.n_steps + 1, dtype=float) * time.dt


def fixed_steps(tau: np.ndarray, dt: float) -> np.ndarray:
    """Steps of a fixed delay: ``max(1, round(tau / dt))``, halves rounded up (as Vensim and PySD)."""
    return np.maximum(1, np.floor(np.asarray(tau) / dt + 0.5 + 1e-6)).astype(int)
