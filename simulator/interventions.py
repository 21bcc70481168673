"""Intervention inputs ``u_i(t)`` on the time grid (ENGINE.md, "Interventions")."""

from __future__ import annotations

import numpy as np

from simulator.spec import InterventionSpec


def shape_values(spec: InterventionSpec, times: np.ndarray) -> np.ndarray:
    """The intervention's shape at ``times`` (years), before any ``relative`` scaling.

    - step: ``height`` for ``t >= start`` (Vensim ``height * STEP(1, start)``);
    - pulse: ``height`` for ``start <= t < start + width`` (``PULSE``);
    - ramp: ``slope * (min(t, end) - start)`` for ``t > start`` (``RAMP``);
    - series: the table, linearly interpolated, flat beyond its ends.
    """
    p = spec.param
    if spec.shape == "step":
        return np.where(times >= p("start"), p("height"), 0.0)
    if spec.shape == "pulse":
        on = (times >= p("start")) & (times < p("start") + p("width"))
        return np.where(on, p("height"), 0.0)
    if spec.shape == "ramp":
        return np.where(times > p("start"), p("slope") * (np.minimum(times, p("end")) - p("start")), 0.0)
    table = spec.table
    years = np.array(sorted(table), dtype=np.float64)
    values = np.array([table[y] for y in sorted(table)], dtype=np.float64)
    return np.interp(times, years, values)


def intervention_matrix(
    interventions: list[InterventionSpec], node_index: dict[str, int], times: np.ndarray, baselines: np.ndarray
) -> np.ndarray:
    """All interventions summed per node, shape ``(K + 1, n_nodes)``, in node units.

    ``relative`` interventions are multiplied by the node's baseline ``b_i(t)``.
    """
    u = np.zeros(baselines.shape)
    for spec in interventions:
        i = node_index[spec.node]
        values = shape_values(spec, times)
        u[:, i] += values * baselines[:, i] if spec.relative else values
    return u
