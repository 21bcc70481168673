"""Feedback loops of a causal network: every cycle, its polarity, lag and gain.

A loop is a simple cycle of the model's links (from -> to). Its
**polarity** is the sign of the product of the signs of its links' central
weights (for elasticity links too: a positive elasticity is a positive link):
``reinforcing`` when positive, ``balancing`` when negative, ``inactive`` when a
weight is zero. Its **lag** is the sum of the central lags of its links (years).
Its **gain** is the product of the links' local coefficients at the run's start
(linear: ``w``; elasticity: ``w * b_target(t0) / b_source(t0)``); for a loop
without stocks it is the factor a deviation is multiplied by once around the
loop in steady state, a loop through a stock adds a "per year". A shaped link's
coefficient is its slope at the baseline (``w f'(b)``; a saturation's ``w``).
Its gain **at the run** (:func:`gains_at`) takes every link's coefficient at a
recorded run's deviations at one time instead (for linear links the same as at
the baseline, for shaped links their slope there, ``w f'(b + d)``).

A link into a capacity node (``kind: minimum`` / ``maximum``) counts with its
weight while it is the node's active input and 0 otherwise: in :class:`Loop`
``gain``, at the baseline's active inputs at the start; :func:`gains_at` gives
every loop's gain at a time of a recorded run, with that run's active inputs
and the elasticity scales of that time.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from simulator import shapes
from simulator.baselines import model_baselines
from simulator.checked import checked
from simulator.compiler import CompiledModel
from simulator.spec import LinkSpec, Lookup, ModelSpec, Saturation, Threshold, TimeSpec

MAX_LOOPS = 10_000
SCORE_COLUMNS = ["id", "polarity", "score", "node", "share", "mean_share", "path"]


@dataclass(frozen=True)
class Loop:
    """One feedback loop.

    Attributes
    ----------
    id : str
        ``R1``, ``R2``, ... for reinforcing loops, ``B1``, ... for balancing ones,
        ``N1``, ... for inactive ones (a zero weight); numbered in the order of
        :func:`find_loops`.
    nodes : tuple of str
        The loop's nodes, starting at the one that comes first in the model file.
    links : tuple of int
        Link indices (model file order): ``nodes[i] -> nodes[i + 1]``, the last
        one closing the loop.
    polarity : str
        ``reinforcing``, ``balancing`` or ``inactive``.
    lag : float
        Sum of the central lags of the links, years.
    gain : float
        Product of the local link coefficients at the run's start (see module).
    """

    id: str
    nodes: tuple[str, ...]
    links: tuple[int, ...]
    polarity: str
    lag: float
    gain: float

    @property
    def path(self) -> str:
        """``a -> b -> c -> a``."""
        return " -> ".join([*self.nodes, self.nodes[0]])

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict (keys: id, polarity, lag, gain, length, nodes, path, links)."""
        return {
            "id": self.id,
            "polarity": self.polarity,
            "lag": self.lag,
            "gain": self.gain,
            "length": len(self.nodes),
            "nodes": list(self.nodes),
            "path": self.path,
            "links": list(self.links),
        }


def _rotate(cycle: list[str], order: dict[str, int]) -> tuple[str, ...]:
    first = min(range(len(cycle)), key=lambda i: order[cycle[i]])
    return tuple(cycle[first:] + cycle[:first])


def _link_coefficients(model: ModelSpec, time: TimeSpec) -> np.ndarray:
    """Local coefficient of each link at the run's start, shape (L,)."""
    start = np.array([time.start])
    row = model_baselines(model, start, time.start)[0]  # capacity nodes' baselines derived
    base = {n.id: float(row[i]) for i, n in enumerate(model.nodes)}
    coef = []
    for link in model.links:
        w = link.weight.central
        if link.form == "elasticity" and base[link.source] != 0:
            w *= base[link.target] / base[link.source]
        if link.shape is not None:
            w = _shape_slope(link, base[link.source])
        coef.append(w)
    return np.array(coef, dtype=float) * _baseline_active(model, base)


def _baseline_active(model: ModelSpec, base: dict[str, float]) -> np.ndarray:
    """1.0 per link, 0.0 for a capacity node's input that is not the baseline's active one (L,)."""
    active = np.ones(len(model.links))
    for node in model.nodes:
        if not node.is_capacity:
            continue
        into = [j for j, lk in enumerate(model.links) if lk.target == node.id]
        values = [model.links[j].weight.central * base[model.links[j].source] for j in into]
        best = (min if node.kind == "minimum" else max)(values)
        for j in into:
            active[j] = 0.0
        active[into[values.index(best)]] = 1.0
    return active


def _shape_slope(link: LinkSpec, b: float) -> float:
    """A shaped link's coefficient at the baseline ``b`` of its source: ``w f'(b)`` (saturation: ``w``)."""
    shape, w = link.shape, link.weight.central
    if isinstance(shape, Saturation):
        return float(shapes.slope(shapes.SATURATION, 0.0, b, w, shape.max.central))
    if isinstance(shape, Lookup):
        xs, ys = (np.array([p[i] for p in shape.points], dtype=float) for i in (0, 1))
        return w * float(shapes.slope(shapes.LOOKUP, 0.0, b, points_x=xs, points_y=ys))
    if isinstance(shape, Threshold):
        code = shapes.ABOVE if shape.side == "above" else shapes.BELOW
        return w * float(shapes.slope(code, 0.0, b, parameter=shape.level.central))
    return w


def gains_at(loops: list[Loop], cm: CompiledModel, d: np.ndarray, k: int) -> np.ndarray:
    """Each loop's gain at a run: the product of its links' coefficients at the run's deviations ``d[k]``.

    ``d`` (K + 1, N) is a recorded run of ``cm`` (node units), ``k`` a time index. A linear link's
    coefficient is that of :func:`find_loops` at ``t_k`` (``w``, or ``w b_target / b_source``); a shaped
    link's its slope ``w f'(b + d)`` there; 0 for a capacity node's input that is not active in the run
    at ``t_k`` (:func:`simulator.analysis.tracing.active_inputs`). Equal to ``Loop.gain`` at ``t_0`` of
    a run where the baseline's inputs stay active. Shape (number of loops,).
    """
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        ew, scale = cm.linear_coefficients(k, d[k])
        coef = ew * scale
        if cm.capacity.any():
            from simulator.analysis.tracing import active_inputs

            coef = coef * active_inputs(cm, d[: k + 1])[k]
        return np.array([float(np.prod(coef[list(lp.links)])) for lp in loops], dtype=float)


def find_loops(model: ModelSpec, time: TimeSpec | None = None, max_loops: int = MAX_LOOPS) -> list[Loop]:
    """Every feedback loop of ``model`` (an empty list for a network without cycles).

    Parameters
    ----------
    model : ModelSpec
        A checked model (link ends exist, no duplicate links).
    time : TimeSpec, optional
        Sets the start year at which elasticity gains are taken (default: the model's).
    max_loops : int
        At most this many loops are returned (the number of cycles can grow
        exponentially with the network's size).

    Returns
    -------
    list of Loop
        Sorted by length, then by the file order of their nodes.

    Raises
    ------
    InputError
        When ``model`` has problems (those of ``bwsim validate``), before any work.
    """
    import networkx as nx  # here: 0.2 s that the check of a stable model and a plain run do not need

    time = checked(model, time).time
    order = {node_id: i for i, node_id in enumerate(model.node_ids)}
    index = {(lk.source, lk.target): j for j, lk in enumerate(model.links)}
    graph = nx.DiGraph()
    graph.add_nodes_from(model.node_ids)
    graph.add_edges_from(index)
    cycles = [_rotate(c, order) for c in itertools.islice(nx.simple_cycles(graph), max_loops)]
    cycles.sort(key=lambda c: (len(c), [order[n] for n in c]))
    coef = _link_coefficients(model, time)
    counters = {"reinforcing": 0, "balancing": 0, "inactive": 0}
    loops = []
    for nodes in cycles:
        links = tuple(index[(a, b)] for a, b in zip(nodes, nodes[1:] + nodes[:1], strict=True))
        with np.errstate(over="ignore", invalid="ignore"):  # extreme weights: an infinite gain, not a warning
            gain = float(np.prod(coef[list(links)]))
        sign = np.prod(np.sign([model.links[j].weight.central for j in links]))
        polarity = "inactive" if sign == 0 else ("reinforcing" if sign > 0 else "balancing")
        counters[polarity] += 1
        lag = float(sum(model.links[j].lag.central for j in links))
        prefix = {"reinforcing": "R", "balancing": "B", "inactive": "N"}[polarity]
        loops.append(Loop(f"{prefix}{counters[polarity]}", nodes, links, polarity, lag, gain))
    return loops


def loop_frame_columns() -> list[str]:
    """Columns of :func:`loops_frame`."""
    return ["id", "polarity", "length", "lag", "gain", "path"]


def loops_frame(loops: list[Loop]) -> pd.DataFrame:
    """The loops as a table with the columns of :func:`loop_frame_columns`."""
    import pandas as pd  # tables only: finding loops (and validate) needs no pandas

    return pd.DataFrame(
        [{k: v for k, v in lp.to_dict().items() if k in loop_frame_columns()} for lp in loops],
        columns=loop_frame_columns(),
    )


def loop_scores(loops: list[Loop], cm: CompiledModel, u: np.ndarray, d: np.ndarray, k: int) -> pd.DataFrame:
    """How much of a scenario's effect each loop carries at ``t_k``.

    For every node ``i`` that deviates at ``t_k``, :func:`~simulator.analysis.tracing.trace_paths`
    splits ``d_i(t_k)`` exactly into open-loop paths and loop feedback terms.
    A loop's **share** at ``i`` is the sum of its feedback terms divided by the
    sum of the absolute values of all parts of ``d_i`` (so it lies in [-1, 1]
    and does not depend on units); its **score** is the largest ``|share|``
    over the nodes (``node`` says where, ``share`` keeps the sign: negative when
    the loop pulls the node back), ``mean_share`` the mean ``|share|`` over the
    deviating nodes.

    Parameters
    ----------
    loops : list of Loop
        Loops of the model ``cm`` was compiled from.
    cm : CompiledModel
    u, d : ndarray (K + 1, N)
        Interventions and the recorded run, node units.
    k : int
        Time index.

    Returns
    -------
    DataFrame
        Columns ``SCORE_COLUMNS``, highest score first.
    """
    import pandas as pd

    from simulator.analysis.tracing import loop_parts, trace_paths

    by_path = {lp.path: lp for lp in loops}
    shares = {lp.path: np.zeros(cm.n_nodes) for lp in loops}
    moving = np.flatnonzero(d[k] != 0)
    for i in moving:
        paths = trace_paths(cm, u, d, int(i), k)
        denominator = float(np.abs(paths.loc[paths["part"] != "other", "value"]).sum())
        if denominator == 0:
            continue
        for _, row in loop_parts(paths).iterrows():
            if row["loop"] in shares:
                shares[row["loop"]][i] = row["value"] / denominator
    rows = []
    for path, share in shares.items():
        lp = by_path[path]
        best = int(np.argmax(np.abs(share)))
        rows.append(
            (
                lp.id,
                lp.polarity,
                float(abs(share[best])),
                cm.node_ids[best] if share[best] else "",
                float(share[best]),
                float(np.abs(share[moving]).mean()) if moving.size else 0.0,
                path,
            )
        )
    rows.sort(key=lambda r: -r[2])
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)
