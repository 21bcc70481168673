"""Baseline paths ``b_i(t)``: what each indicator does without the intervention."""

from __future__ import annotations

import numpy as np

from simulator.spec import Baseline, GrowthBaseline, ModelSpec, NodeSpec, SeriesBaseline


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
    return np.stack([baseline_path(0.0 if n.baseline is None else n.baseline, times, start) for n in nodes], axis=1)


# --- capacity nodes (minimum / maximum): derived baselines ---------------------------------


def capacity_order(model: ModelSpec) -> list[int] | None:
    """Capacity nodes (positions) in an order where each comes after the capacity nodes it reads;
    None when capacity nodes read each other in a loop (their baselines cannot be derived)."""
    import graphlib

    capacity = {n.id: i for i, n in enumerate(model.nodes) if n.is_capacity}
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter({c: () for c in capacity})
    for link in model.links:
        if link.target in capacity and link.source in capacity:
            sorter.add(link.target, link.source)
    try:
        return [capacity[c] for c in sorter.static_order()]
    except graphlib.CycleError:
        return None


def model_baselines(model: ModelSpec, times: np.ndarray, start: float) -> np.ndarray:
    """Baselines of all nodes, shape ``(K + 1, n_nodes)``, with each capacity node's derived.

    A ``minimum`` (``maximum``) node's baseline is the smallest (largest) of its
    inputs' baseline values ``w_j * b_j(t)`` (ENGINE.md, capacity nodes), whatever
    the file gives (the checks refuse a given baseline that disagrees). Inputs are
    the links into it; their weight is the central value (a fixed number: the checks
    refuse a distribution). Capacity nodes in a loop of each other keep their own
    rows (the checks refuse such a model).
    """
    nodes = model.nodes
    if not any(n.is_capacity for n in nodes):
        return baseline_matrix(nodes, times, start)
    base = np.stack([baseline_path(0.0 if n.baseline is None else n.baseline, times, start) for n in nodes], axis=1)
    pos = {n.id: i for i, n in enumerate(nodes)}
    for i in capacity_order(model) or []:
        node = nodes[i]
        inputs = [
            lk.weight.central * base[:, pos[lk.source]]
            for lk in model.links
            if lk.target == node.id and lk.source in pos
        ]
        if inputs:
            base[:, i] = (np.min if node.kind == "minimum" else np.max)(np.stack(inputs), axis=0)
    return base
