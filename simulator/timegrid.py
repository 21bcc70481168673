"""The run's time grid: ``t_k = start + k * dt`` for ``k = 0 .. K`` (years)."""

from __future__ import annotations

import numpy as np

from simulator.delays import fixed_steps  # re-exported: where it lived before simulator.delays
from simulator.spec import TimeSpec

__all__ = ["fixed_steps", "time_grid"]


def time_grid(time: TimeSpec) -> np.ndarray:
    """Reported times in years, shape ``(K + 1,)``, computed as ``start + k * dt``."""
    return time.start + np.arange(time.n_steps + 1, dtype=float) * time.dt
