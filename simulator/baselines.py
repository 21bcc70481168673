"""Baseline paths ``b_i(t)``: what each indicator does without the intervention."""

from __future__ import annotations

import numpy as np

from simulator.spec import Baseline, GrowthBaseline, NodeSpec, SeriesBaseline


def baseline_path(baseline: Baseline, times: np.ndarray, start: float) -> np.ndarray:
    """Evaluate one baseline at ``times`` (years), in the node's unit.

    Parameters
    ----------
    baseline : float | GrowthBaseline | SeriesBaseline
        A constant; compound growth ``value * (1 + growth) ** (t - year)`` with
        ``year`` defaulting to ``start``; or a table, linearly interpolated and
        flat beyond its ends.
    times : ndarray, shape (K + 1,)
    start : float
        The run's start year.
    """
    if isinstance(baseline, GrowthBaseline):
        year = start if baseline.year is None else baseline.year
        with np.errstate(over="ignore"):  # an overflow is reported by the network checks
            return baseline.value * (1.0 + baseline.growth) ** (times - year)
    if isinstance(baseline, SeriesBaseline):
        years = np.array(sorted(baseline.series), dtype=float)
        values = np.array([baseline.series[y] for y in sorted(baseline.series)], dtype=float)
        return np.interp(times, years, values)
    return np.full(times.shape, float(baseline))


def baseline_matrix(nodes: list[NodeSpec], times: np.ndarray, start: float) -> np.ndarray:
    """Baselines of all nodes, shape ``(K + 1, n_nodes)``, in node order."""
    if not nodes:
        return np.zeros((times.size, 0))
    return np.stack([baseline_path(n.baseline, times, start) for n in nodes], axis=1)
