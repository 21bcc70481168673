"""The third stage: a checked model on a time grid, compiled into read-only arrays.

Only a :class:`~simulator.checked.CheckedModel` without problems is compiled: given
a bare :class:`~simulator.spec.ModelSpec`, :func:`compile_model` checks it first
and refuses it with the :class:`~simulator.errors.InputError` of ``bwsim validate``.
Node order is the model file's order, links are in file order too. The
:class:`CompiledModel` carries the :class:`~simulator.plan.KernelPlan` that the
kernel runs (built once, here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx
import numpy as np

from simulator import delays
from simulator.baselines import model_baselines
from simulator.checked import CheckedModel, checked
from simulator.network import instant_graph
from simulator.plan import KernelPlan, build_plan, frozen
from simulator.spec import ModelSpec, TimeSpec
from simulator.timegrid import time_grid

_MADE_BY_COMPILE = object()

NOT_CAPACITY, MINIMUM, MAXIMUM = 0, 1, 2
"""Codes of :attr:`CompiledModel.capacity`: an ordinary node, a ``minimum`` node, a ``maximum`` node."""


@dataclass(frozen=True)
class Level:
    """Auxiliaries that can be evaluated together, and the zero-lag links into them.

    Attributes
    ----------
    nodes : ndarray of int, shape (n,)
    links : ndarray of int, shape (m,)
        Zero-lag (or, at ``t_0``, all non-fixed) links into ``nodes``.
    gather : ndarray of float, shape (n, m)
        0/1 matrix summing link effects into their targets.
    """

    nodes: np.ndarray
    links: np.ndarray
    gather: np.ndarray

    def __post_init__(self) -> None:
        for array in (self.nodes, self.links, self.gather):
            frozen(array)


@dataclass(frozen=True)
class CompiledModel:
    """A model fixed on a time grid, as arrays. Shapes: N nodes, L links, K + 1 times.

    Attributes
    ----------
    node_ids : tuple of str
    times : ndarray (K + 1,)
        Years.
    dt : float
        Years.
    baselines : ndarray (K + 1, N)
        ``b_i(t_k)`` in node units.
    is_stock : ndarray of bool (N,)
    decay : ndarray (N,)
        Per year; zero for auxiliaries.
    lower, upper : ndarray (N,)
        Bounds on the value ``b + d`` (``-inf``/``+inf`` when absent).
    source, target : ndarray of int (L,)
    delay : ndarray of int (L,)
        Index into :data:`simulator.delays.DELAY_TYPES`.
    elastic : ndarray of bool (L,)
    src_scale, tgt_scale : ndarray (K + 1, L)
        For elasticity links ``1 / b_source(t)`` and ``b_target(t)``; 1 otherwise.
    weight, lag : ndarray (L,)
        Central values (mode or mean) used by a deterministic run.
    capacity : ndarray of int (N,)
        :data:`NOT_CAPACITY`, :data:`MINIMUM` or :data:`MAXIMUM` per node: a capacity
        node's value is the smallest (largest) of its inputs' values (ENGINE.md).
    levels : tuple of Level
        Evaluation order of auxiliaries (and capacity nodes) at ``t_k``, ``k >= 1``.
    initial_levels : tuple of Level | None
        Evaluation order at ``t_0``, where exponential and third-order lags pass
        their input straight through; None when that graph has a cycle (the
        engine then solves the linear system at ``t_0``).
    plan : KernelPlan
        The index arrays the kernel runs (built once, on the first run).

    Every array is read-only: one compiled model serves every run and every thread.
    """

    node_ids: tuple[str, ...]
    times: np.ndarray
    dt: float
    baselines: np.ndarray
    is_stock: np.ndarray
    decay: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    source: np.ndarray
    target: np.ndarray
    delay: np.ndarray
    elastic: np.ndarray
    src_scale: np.ndarray
    tgt_scale: np.ndarray
    weight: np.ndarray
    lag: np.ndarray
    levels: tuple[Level, ...]
    initial_levels: tuple[Level, ...] | None
    capacity: np.ndarray
    _token: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._token is not _MADE_BY_COMPILE:
            raise TypeError("a CompiledModel is made by simulator.compiler.compile_model, from a checked model")
        for value in vars(self).values():
            if isinstance(value, np.ndarray):
                frozen(value)

    @cached_property
    def plan(self) -> KernelPlan:
        """The index arrays the kernel runs, built on first use and kept with this model (read-only)."""
        return build_plan(self)

    @property
    def n_nodes(self) -> int:
        """Number of nodes N."""
        return len(self.node_ids)

    @property
    def n_links(self) -> int:
        """Number of links L."""
        return self.source.size

    @property
    def bounded(self) -> np.ndarray:
        """Indices of nodes with a lower or upper bound."""
        return np.flatnonzero(np.isfinite(self.lower) | np.isfinite(self.upper))

    def index(self, node_id: str) -> int:
        """Position of ``node_id`` in the node order."""
        return self.node_ids.index(node_id)


def _levels(graph: nx.DiGraph, aux: set[str], order: dict[str, int], link_ok: list[bool],
            sources: np.ndarray, targets: np.ndarray, ids: list[str]) -> tuple[Level, ...]:
    levels = []
    for generation in nx.topological_generations(graph):
        nodes = np.array(sorted(order[n] for n in generation if n in aux), dtype=int)
        if nodes.size == 0:
            continue
        links = np.array([j for j in range(len(link_ok)) if link_ok[j] and targets[j] in set(nodes)], dtype=int)
        gather = (targets[links][None, :] == nodes[:, None]).astype(float)
        levels.append(Level(nodes, links, gather))
    return tuple(levels)


def compile_model(model: ModelSpec | CheckedModel, time: TimeSpec | None = None) -> CompiledModel:
    """Turn a checked model into arrays on the grid of ``time`` (default: the one it was checked on).

    A bare spec, or a checked model on another horizon, is checked on ``time`` first.

    Raises
    ------
    InputError
        When the model has problems (those of ``bwsim validate``), before anything is compiled.
    """
    sound = checked(model, time)
    model, time = sound.spec, sound.time
    ids = model.node_ids
    order = {node_id: i for i, node_id in enumerate(ids)}
    times = time_grid(time)
    base = model_baselines(model, times, time.start)  # capacity nodes' rows derived from their inputs
    src = np.array([order[lk.source] for lk in model.links], dtype=int)
    tgt = np.array([order[lk.target] for lk in model.links], dtype=int)
    delay = np.array([delays.code(lk.delay) for lk in model.links], dtype=int)
    elastic = np.array([lk.form == "elasticity" for lk in model.links], dtype=bool)
    is_stock = np.array([n.kind == "stock" for n in model.nodes], dtype=bool)
    with np.errstate(divide="ignore"):
        src_scale = np.where(elastic, 1.0 / base[:, src], 1.0) if src.size else np.ones((times.size, 0))
    tgt_scale = np.where(elastic, base[:, tgt], 1.0) if tgt.size else np.ones((times.size, 0))
    aux = {n.id for n in model.nodes if n.kind != "stock"}  # auxiliaries and capacity nodes
    into_aux = [not is_stock[t] for t in tgt]
    instant_ok = [d == delays.NONE and a for d, a in zip(delay, into_aux, strict=True)]
    levels = _levels(instant_graph(model), aux, order, instant_ok, src, tgt, ids)
    initial_graph = nx.DiGraph()
    initial_graph.add_nodes_from(ids)
    initial_ok = [d != delays.FIXED and a for d, a in zip(delay, into_aux, strict=True)]
    initial_graph.add_edges_from((ids[s], ids[t]) for s, t, ok in zip(src, tgt, initial_ok, strict=True) if ok)
    initial_levels = (_levels(initial_graph, aux, order, initial_ok, src, tgt, ids)
                      if nx.is_directed_acyclic_graph(initial_graph) else None)
    return CompiledModel(
        node_ids=tuple(ids), times=times, dt=float(time.dt), baselines=base, is_stock=is_stock,
        decay=np.array([n.decay for n in model.nodes], dtype=float),
        lower=np.array([-np.inf if n.min is None else n.min for n in model.nodes], dtype=float),
        upper=np.array([np.inf if n.max is None else n.max for n in model.nodes], dtype=float),
        source=src, target=tgt, delay=delay, elastic=elastic, src_scale=src_scale, tgt_scale=tgt_scale,
        weight=np.array([lk.weight.central for lk in model.links], dtype=float),
        lag=np.array([lk.lag.central for lk in model.links], dtype=float),
        levels=levels, initial_levels=initial_levels,
        capacity=np.array([{"minimum": MINIMUM, "maximum": MAXIMUM}.get(n.kind, NOT_CAPACITY)
                           for n in model.nodes], dtype=np.int64),
        _token=_MADE_BY_COMPILE,
    )
