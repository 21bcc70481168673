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

import numpy as np

from simulator import delays, shapes
from simulator.baselines import model_baselines
from simulator.checked import CheckedModel, checked
from simulator.digraph import topological_generations
from simulator.network import instant_edges
from simulator.plan import FlatDepths, KernelPlan, build_plan, flat_depths, frozen
from simulator.spec import Lookup, ModelSpec, Saturation, Threshold, TimeSpec
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
    rows : ndarray of int, shape (m,)
        Position in ``nodes`` of each link's target: the 0/1 matrix that sums link effects into
        their targets, ``G[rows[p], p] = 1``, kept as its indices (a dense ``n x m`` matrix of a
        model over 342 gemeenten would take gigabytes; see :attr:`gather`).
    """

    nodes: np.ndarray
    links: np.ndarray
    rows: np.ndarray

    def __post_init__(self) -> None:
        for array in (self.nodes, self.links, self.rows):
            frozen(array)

    @property
    def gather(self) -> np.ndarray:
        """The 0/1 matrix (n, m) summing link effects into their targets, dense (for small models and tests)."""
        g = np.zeros((self.nodes.size, self.links.size))
        g[self.rows, np.arange(self.links.size)] = 1.0
        return g


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
    shape : ndarray of int (L,)
        Index of the link's shape code in :mod:`simulator.shapes` (0: no shape).
    shape_parameter : ndarray (L,)
        A saturation's ``max`` (target units) or a threshold's ``level`` (source units); 0 otherwise.
    table_ptr, table_x, table_y : ndarray
        Lookup points of link ``j``: ``table_x[table_ptr[j]:table_ptr[j + 1]]`` (source units) and
        ``table_y`` (empty for links without a lookup).
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
    shape: np.ndarray
    shape_parameter: np.ndarray
    table_ptr: np.ndarray
    table_x: np.ndarray
    table_y: np.ndarray
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

    @cached_property
    def initial_flat(self) -> FlatDepths:
        """The plan's ``t_0`` depths as flat arrays for the compiled sums, built on first use (read-only)."""
        return flat_depths(self.plan.initial_depths)

    @property
    def n_nodes(self) -> int:
        """Number of nodes N."""
        return len(self.node_ids)

    @property
    def n_links(self) -> int:
        """Number of links L."""
        return self.source.size

    @cached_property
    def bounded(self) -> np.ndarray:
        """Indices of nodes with a lower or upper bound (read-only; kept: every run's ``t_0`` reads it)."""
        return frozen(np.flatnonzero(np.isfinite(self.lower) | np.isfinite(self.upper)))

    @cached_property
    def has_shapes(self) -> bool:
        """True when any link has a nonlinear shape."""
        return bool(np.any(self.shape != shapes.NONE))

    def table(self, link: int) -> tuple[np.ndarray, np.ndarray]:
        """The lookup points ``(x, y)`` of ``link`` (empty arrays for a link without a lookup)."""
        lo, hi = self.table_ptr[link], self.table_ptr[link + 1]
        return self.table_x[lo:hi], self.table_y[lo:hi]

    def signal(
        self,
        link: int,
        d: np.ndarray,
        k: int | np.ndarray,
        weight: np.ndarray | float | None = None,
        parameter: np.ndarray | float | None = None,
    ) -> np.ndarray:
        """Link ``link``'s signal for source deviations ``d`` at time index ``k`` (:func:`simulator.shapes.signal`;
        the plain deviation, over the source's baseline for an elasticity, when it has no shape). ``weight`` and
        ``parameter`` (max or level) default to the central values; arrays give one per member."""
        src = self.source[link]
        if self.shape[link] == shapes.NONE:
            return d * self.src_scale[k, link] if self.elastic[link] else d
        xs, ys = self.table(link)
        return shapes.signal(
            int(self.shape[link]),
            d,
            self.baselines[k, src],
            self.weight[link] if weight is None else weight,
            float(self.shape_parameter[link]) if parameter is None else parameter,
            xs,
            ys,
        )

    def outer_weights(self, weights: np.ndarray | None = None) -> np.ndarray:
        """The factor of each link's lagged signal: its weight (central unless ``weights``, (L,) or (L, M)),
        or 1 for a saturation, whose weight is inside its shape."""
        w = self.weight if weights is None else np.asarray(weights, dtype=float)
        saturating = np.flatnonzero(self.shape == shapes.SATURATION)
        if saturating.size == 0:
            return w
        outer = np.array(w, dtype=float, copy=True)
        outer[saturating] = 1.0
        return outer

    def linear_coefficients(
        self, k: int, d: np.ndarray | None = None, weights: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The links linearised at time index ``k``: ``(ew, scale)``, each (L,), with the effect of a small
        change ``delta`` of the source's deviation ``ew * L[scale * delta]``.

        ``ew`` is the outer weight times ``b_target`` (elasticities); ``scale`` is ``1 / b_source``
        (elasticities), 1 (linear links), or a shaped link's slope ``d f / d x`` at the source's
        deviation ``d[source]`` (``d``, (N,), at ``t_k``; the baseline, ``d = 0``, when omitted).
        """
        w = self.weight if weights is None else np.asarray(weights, dtype=float)
        ew, scale = self.outer_weights(w) * self.tgt_scale[k], self.src_scale[k]
        shaped = np.flatnonzero(self.shape != shapes.NONE)
        if shaped.size:
            scale = scale.copy()
            for j in shaped:
                src = self.source[j]
                xs, ys = self.table(int(j))
                scale[j] = float(
                    shapes.slope(
                        int(self.shape[j]),
                        0.0 if d is None else d[src],
                        self.baselines[k, src],
                        w[j],
                        float(self.shape_parameter[j]),
                        xs,
                        ys,
                    )
                )
        return ew, scale

    def index(self, node_id: str) -> int:
        """Position of ``node_id`` in the node order (a ``ValueError`` for an unknown id, as ``tuple.index``)."""
        try:
            return self._positions[node_id]
        except KeyError:
            raise ValueError(f"{node_id!r} is not a node of the model") from None

    @cached_property
    def _positions(self) -> dict[str, int]:
        """Node id -> position, built once: ``index`` is asked per node in places (15,732 in the 342-gemeente model)."""
        return {node: i for i, node in enumerate(self.node_ids)}


def _levels(
    generations: list[list[str]],
    aux: set[str],
    order: dict[str, int],
    link_ok: list[bool],
    sources: np.ndarray,
    targets: np.ndarray,
    ids: list[str],
) -> tuple[Level, ...]:
    levels = []
    for generation in generations:
        nodes = np.array(sorted(order[n] for n in generation if n in aux), dtype=int)
        if nodes.size == 0:
            continue
        links = np.flatnonzero(np.asarray(link_ok, dtype=bool) & np.isin(targets, nodes)).astype(int)
        levels.append(Level(nodes, links, np.searchsorted(nodes, targets[links]).astype(int)))
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
    instant = topological_generations(ids, instant_edges(model))
    assert instant is not None, "a checked model has no algebraic loop"
    levels = _levels(instant, aux, order, instant_ok, src, tgt, ids)
    initial_ok = [d != delays.FIXED and a for d, a in zip(delay, into_aux, strict=True)]
    initial = topological_generations(
        ids, ((ids[s], ids[t]) for s, t, ok in zip(src.tolist(), tgt.tolist(), initial_ok, strict=True) if ok)
    )
    initial_levels = None if initial is None else _levels(initial, aux, order, initial_ok, src, tgt, ids)
    shape, parameter, ptr, table_x, table_y = _shape_arrays(model)
    return CompiledModel(
        node_ids=tuple(ids),
        times=times,
        dt=float(time.dt),
        baselines=base,
        is_stock=is_stock,
        decay=np.array([n.decay for n in model.nodes], dtype=float),
        lower=np.array([-np.inf if n.min is None else n.min for n in model.nodes], dtype=float),
        upper=np.array([np.inf if n.max is None else n.max for n in model.nodes], dtype=float),
        source=src,
        target=tgt,
        delay=delay,
        elastic=elastic,
        src_scale=src_scale,
        tgt_scale=tgt_scale,
        weight=np.array([lk.weight.central for lk in model.links], dtype=float),
        lag=np.array([lk.lag.central for lk in model.links], dtype=float),
        shape=shape,
        shape_parameter=parameter,
        table_ptr=ptr,
        table_x=table_x,
        table_y=table_y,
        levels=levels,
        initial_levels=initial_levels,
        capacity=np.array(
            [{"minimum": MINIMUM, "maximum": MAXIMUM}.get(n.kind, NOT_CAPACITY) for n in model.nodes], dtype=np.int64
        ),
        _token=_MADE_BY_COMPILE,
    )


def _shape_arrays(model: ModelSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per link: shape code, parameter (max or level), and the lookup tables flattened (see CompiledModel)."""
    codes, parameters, ptr, xs, ys = [], [], [0], [], []
    for link in model.links:
        shape = link.shape
        points: list[tuple[float, float]] = []
        if shape is None:
            codes.append(shapes.NONE)
            parameters.append(0.0)
        elif isinstance(shape, Lookup):
            codes.append(shapes.LOOKUP)
            parameters.append(0.0)
            points = list(shape.points)
        elif isinstance(shape, Saturation):
            codes.append(shapes.SATURATION)
            parameters.append(float(shape.max.central))
        elif isinstance(shape, Threshold):
            codes.append(shapes.ABOVE if shape.side == "above" else shapes.BELOW)
            parameters.append(float(shape.level.central))
        else:  # the spec's union admits no other kind
            raise ValueError(f"unknown link shape {shape.kind!r}")
        xs += [float(x) for x, _ in points]
        ys += [float(y) for _, y in points]
        ptr.append(len(xs))
    return (
        np.array(codes, dtype=int),
        np.array(parameters, dtype=float),
        np.array(ptr, dtype=int),
        np.array(xs, dtype=float),
        np.array(ys, dtype=float),
    )
