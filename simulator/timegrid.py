"""The run's time grid: ``t_k = start + k * dt`` for ``k = 0 .. K`` (years)."""

from __future__ import annotations

import numpy as np

from simulator.spec import TimeSpec


def time_grid(time: TimeSpec) -> np.ndarray:
    """Reported times in years, shape ``(K + 1,)``, computed as ``start + k * dt``."""
    return time.start + np.arange(time.n_steps + 1, dtype=float) * time.dt
