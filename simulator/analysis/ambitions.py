"""A scenario read against ambitions: its value in each ambition's year, the distance to go, reached or not,
and the ensemble's chance of reaching it. Numbers only: no files, no printing.

For an ambition on node ``i`` in year ``y`` (judged at the reported time ``t_k``
nearest ``y``), with baseline ``b = b_i(t_k)`` and the scenario's deviation
``d = d_i(t_k)`` (node units), the scenario's value is ``x = b + d`` and the
**distance** (node units, positive = still to go, zero or negative = there) is

| target | distance | reached when |
| --- | --- | --- |
| ``below: T`` | ``x - T`` | ``distance < 0`` |
| ``at_most: T`` | ``x - T`` | ``distance <= 0`` |
| ``above: T`` | ``T - x`` | ``distance < 0`` |
| ``at_least: T`` | ``T - x`` | ``distance <= 0`` |
| ``direction: rise`` | ``-d`` | ``distance < 0`` (``d > 0``) |
| ``direction: fall`` | ``d`` | ``distance < 0`` (``d < 0``) |

The **chance** of reaching it is the share of the ensemble's kept members
(:attr:`simulator.ensemble.EnsembleSummary.members`, the first
:data:`simulator.analysis.report.MAX_MEMBERS`) for which the same rule holds on
``b + d_member``: the members the ensemble ran, nothing drawn or run again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simulator.ambitions import Ambition, AmbitionsSpec
from simulator.analysis.scorecard import time_indices

STRICT = ("below", "above", "rise", "fall")
"""Targets reached only beyond them (a distance below 0); ``at_most`` and ``at_least`` also on them."""


def distance(
    comparison: str, target: float | None, baseline: float | np.ndarray, delta: float | np.ndarray
) -> np.ndarray:
    """The signed distance to an ambition's target, node units: positive = still to go (see the module table).

    ``baseline`` and ``delta`` broadcast (one value, or one per ensemble member).
    """
    delta = np.asarray(delta, dtype=float)
    value = np.asarray(baseline, dtype=float) + delta
    if comparison in ("below", "at_most"):
        return value - float(target)  # type: ignore[arg-type]
    if comparison in ("above", "at_least"):
        return float(target) - value  # type: ignore[arg-type]
    if comparison == "rise":
        return -delta
    if comparison == "fall":
        return delta
    raise ValueError(f"unknown comparison {comparison!r}")


def is_reached(comparison: str, dist: float | np.ndarray) -> np.ndarray:
    """Whether a distance means the target is reached (strict targets need a distance below 0)."""
    dist = np.asarray(dist, dtype=float)
    return dist < 0 if comparison in STRICT else dist <= 0


@dataclass(frozen=True)
class AmbitionResult:
    """One ambition judged on one scenario's run.

    Attributes
    ----------
    index : int
        The ambition's place in its file's list.
    ambition : Ambition
    node : str
        The node it names.
    time : float
        The reported time judged (the one nearest the ambition's year), years.
    baseline, delta, value : float
        The baseline's value, the scenario's deviation and their sum at ``time``, node units.
    distance : float
        To the target, node units; positive = still to go.
    reached : bool
        By the deterministic run (central values).
    baseline_distance : float
    baseline_reached : bool
        The same for the baseline (no scenario; a direction is never reached by it).
    chance : float or None
        Share (0-1) of the ensemble's kept members that reach it; None without an ensemble.
    n_members : int
        Members the chance is over (0 without an ensemble).
    """

    index: int
    ambition: Ambition
    node: str
    time: float
    baseline: float
    delta: float
    value: float
    distance: float
    reached: bool
    baseline_distance: float
    baseline_reached: bool
    chance: float | None = None
    n_members: int = 0


def ambition_times(spec: AmbitionsSpec, times: np.ndarray) -> list[int]:
    """Index of the reported time nearest each ambition's year (InputError for a year outside ``times``)."""
    return time_indices(times, [a.year for a in spec.ambitions], where="ambitions")


def judge(
    spec: AmbitionsSpec,
    nodes: Sequence[str],
    node_ids: Sequence[str],
    times: np.ndarray,
    baselines: np.ndarray,
    central: np.ndarray,
    members: np.ndarray | None = None,
) -> list[AmbitionResult]:
    """Every ambition of ``spec`` judged on one run.

    Parameters
    ----------
    spec : AmbitionsSpec
    nodes : sequence of str
        The node id of each ambition (:func:`simulator.ambitions.ambition_nodes`).
    node_ids : sequence of str
        The model's node ids, in the order of the arrays' node axis.
    times : ndarray (K + 1,)
        Reported times, years.
    baselines, central : ndarray (K + 1, N)
        Baselines and the deterministic run's deviations, node units.
    members : ndarray (len(spec.ambitions), N, m), optional
        The ensemble's kept members' deviations at each ambition's time (node
        units): ``ensemble.member_deltas(ambition_times(spec, times))`` of an
        ensemble run with ``runner.run_prepared(..., member_years=...)``.

    Raises
    ------
    InputError
        A year outside ``times``.
    """
    indices = ambition_times(spec, times)
    results = []
    for i, (ambition, node, k) in enumerate(zip(spec.ambitions, nodes, indices, strict=True)):
        n = list(node_ids).index(node)
        comparison, target = ambition.comparison, ambition.target
        b, d = float(baselines[k, n]), float(central[k, n])
        dist = float(distance(comparison, target, b, d))
        base = float(distance(comparison, target, b, 0.0))
        chance, n_members = None, 0
        if members is not None:
            spread = members[i, n, :]
            n_members = int(spread.size)
            chance = (
                float(np.mean(is_reached(comparison, distance(comparison, target, b, spread)))) if n_members else None
            )
        results.append(
            AmbitionResult(
                i,
                ambition,
                node,
                float(times[k]),
                b,
                d,
                b + d,
                dist,
                bool(is_reached(comparison, dist)),
                base,
                bool(is_reached(comparison, base)),
                chance,
                n_members,
            )
        )
    return results
