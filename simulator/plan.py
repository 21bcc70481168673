"""The compiled plan the kernel runs: index arrays built once per compiled model.

:func:`simulator.compiler.compile_model` builds a :class:`KernelPlan` with every
:class:`~simulator.compiler.CompiledModel` (its ``plan``); the kernel
(:func:`simulator.engine._time_loop`) takes the plan's arrays as they are. Its
arrays are read-only: a plan is shared by every run of its compiled model. No
numba, scipy or networkx here: building a plan needs numpy (and :mod:`simulator.digraph`) only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from simulator.delays import EXPONENTIAL, FIXED, THIRD_ORDER
from simulator.digraph import strongly_connected_components

if TYPE_CHECKING:
    from simulator.compiler import CompiledModel


def contiguous(a: np.ndarray) -> np.ndarray:
    """``a`` as a C-contiguous float64 array (one compiled kernel for every model)."""
    return np.require(a, dtype=np.float64, requirements=["C"])


def frozen(a: np.ndarray) -> np.ndarray:
    """``a`` made read-only in place, returned."""
    a.flags.writeable = False
    return a


@dataclass(frozen=True)
class Group:
    """Nodes of the ``t_0`` system solved together: one loop, or one node outside any loop.

    ``inside`` and ``outside`` are positions in the list of pass-through links
    (:func:`initial_links`): links within the group (with the rows and columns
    of their target and source in ``nodes``) and links into it from earlier groups
    (with their target's row).
    """

    nodes: np.ndarray
    inside: np.ndarray
    inside_rows: np.ndarray
    inside_cols: np.ndarray
    outside: np.ndarray
    outside_rows: np.ndarray


@dataclass(frozen=True)
class LoopBatch:
    """The loops of one :class:`Depth` that have ``size`` nodes, solved as one stack of dense systems.

    ``rows`` (G, size): each loop's nodes as rows of its depth's ``nodes`` (in the
    loop's :class:`Group` order); ``loop``, ``inside_rows``, ``inside_cols`` and
    ``inside`` (one entry per link within a loop): the loop (0 .. G - 1), the row
    and column of the link's target and source in it, and its position in the
    pass-through links.
    """

    size: int
    rows: np.ndarray
    loop: np.ndarray
    inside_rows: np.ndarray
    inside_cols: np.ndarray
    inside: np.ndarray


@dataclass(frozen=True)
class Depth:
    """Every group of the ``t_0`` system at one depth of its condensation, solved at once.

    A group's depth is one more than the deepest group it reads (0: it reads none),
    so the groups of one depth never read each other. ``nodes``: their nodes, group
    after group. ``ranks``: per rank ``r``, the rows (in ``nodes``) of the targets
    that have an ``r``-th link from an earlier depth, that link's position in the
    pass-through links, and its source node: adding rank after rank adds each
    node's links in the order :func:`simulator.engine._solve_by_loops` always took
    (link order), so the sums are the same, bit for bit. ``loops``: the depth's
    loops, by size.
    """

    nodes: np.ndarray
    ranks: tuple[tuple[np.ndarray, np.ndarray, np.ndarray], ...]
    loops: tuple[LoopBatch, ...]


@dataclass(frozen=True)
class KernelPlan:
    """The index arrays the kernel walks, per model (all int64 or bool, C-contiguous).

    Attributes
    ----------
    base, lower, upper, src_scale, tgt_scale
        The compiled model's arrays as C-contiguous float64 (one kernel for every model).
    source, delay, elastic : (L,)
        Per link, file order.
    shape, shape_parameter, table_ptr, table_x, table_y
        Per link: its shape code (:mod:`simulator.shapes`), max or level, and lookup points (as in the
        compiled model).
    bounded : (N,) bool
    stocks : (S,)
        Stock nodes; ``decay`` (S,) per year.
    stock_ptr, stock_links
        Links into stock ``s`` (file order): ``stock_links[stock_ptr[s]:stock_ptr[s + 1]]``.
    nodes : (A,)
        Auxiliaries in evaluation order (level by level).
    add_instant : (A,) bool
        The node's level has zero-lag links (its value is ``pre + sum``, else ``pre``).
    lagged_ptr, lagged_links
        Lagged links into each of ``nodes``, exponential, then third-order, then fixed (each in file order).
    instant_ptr, instant_links
        Zero-lag links into each of ``nodes``, file order.
    initial_groups
        The ``t_0`` system's groups, each after every group it reads (:func:`simulator.engine._solve_shaped_initial`).
    initial_depths
        The same groups by depth (:func:`initial_depths_of`), as :func:`simulator.engine._solve_by_loops` solves them.
    writes_all
        Every node is a stock or in ``nodes``, so the kernel writes all of ``d[k]``.
    capacity : (N,)
        ``CompiledModel.capacity``: 0, or 1 (``minimum``) / 2 (``maximum``) for a
        capacity node, whose value the kernel takes as the smallest (largest) of
        its lagged and zero-lag inputs' values instead of their sum.

    The orders of the sums are those of the numpy engine this kernel replaced, so
    the numbers are the same, bit for bit.
    """

    base: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    src_scale: np.ndarray
    tgt_scale: np.ndarray
    source: np.ndarray
    delay: np.ndarray
    elastic: np.ndarray
    shape: np.ndarray
    shape_parameter: np.ndarray
    table_ptr: np.ndarray
    table_x: np.ndarray
    table_y: np.ndarray
    bounded: np.ndarray
    stocks: np.ndarray
    decay: np.ndarray
    stock_ptr: np.ndarray
    stock_links: np.ndarray
    nodes: np.ndarray
    add_instant: np.ndarray
    lagged_ptr: np.ndarray
    lagged_links: np.ndarray
    instant_ptr: np.ndarray
    instant_links: np.ndarray
    initial_groups: tuple[Group, ...]
    initial_depths: tuple[Depth, ...]
    writes_all: bool
    capacity: np.ndarray

    def __post_init__(self) -> None:
        for value in vars(self).values():
            if isinstance(value, np.ndarray):
                frozen(value)
        for depth in self.initial_depths:
            frozen(depth.nodes)
            for arrays in depth.ranks:
                for a in arrays:
                    frozen(a)
            for batch in depth.loops:
                for a in (batch.rows, batch.loop, batch.inside_rows, batch.inside_cols, batch.inside):
                    frozen(a)


def build_plan(cm: CompiledModel) -> KernelPlan:
    """The kernel's index arrays for ``cm`` (they depend on nothing else), read-only."""

    def grouped(groups: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        ptr = np.zeros(len(groups) + 1, dtype=np.int64)
        ptr[1:] = np.cumsum([len(g) for g in groups])
        flat = np.array([j for g in groups for j in g], dtype=np.int64)
        return ptr, flat

    targets = cm.target.tolist()  # Python ints: no numpy scalar per link below

    def by_target(links: Iterable[int]) -> dict[int, list[int]]:
        # each target's links in the order of ``links``: one pass, not one per node (342 gemeenten)
        into: dict[int, list[int]] = defaultdict(list)
        for j in links.tolist() if isinstance(links, np.ndarray) else links:
            into[targets[j]].append(int(j))
        return into

    lag_order = [int(j) for code in (EXPONENTIAL, THIRD_ORDER, FIXED) for j in np.flatnonzero(cm.delay == code)]
    lagged_into = by_target(lag_order)
    stocks = np.flatnonzero(cm.is_stock)
    nodes, add_instant, lagged, instant = [], [], [], []
    for level in cm.levels:
        instant_into = by_target(level.links)
        for i in level.nodes:
            nodes.append(int(i))
            add_instant.append(level.links.size > 0)
            lagged.append(lagged_into.get(int(i), []))
            instant.append(instant_into.get(int(i), []))
    stock_into = by_target(range(cm.n_links))
    stock_ptr, stock_links = grouped([stock_into.get(int(s), []) for s in stocks])
    lagged_ptr, lagged_links = grouped(lagged)
    instant_ptr, instant_links = grouped(instant)
    groups = initial_groups_of(cm)
    return KernelPlan(
        base=contiguous(cm.baselines),
        lower=contiguous(cm.lower),
        upper=contiguous(cm.upper),
        src_scale=contiguous(cm.src_scale),
        tgt_scale=contiguous(cm.tgt_scale),
        source=np.ascontiguousarray(cm.source, dtype=np.int64),
        delay=np.ascontiguousarray(cm.delay, dtype=np.int64),
        elastic=np.ascontiguousarray(cm.elastic, dtype=np.bool_),
        shape=np.ascontiguousarray(cm.shape, dtype=np.int64),
        shape_parameter=contiguous(cm.shape_parameter),
        table_ptr=np.ascontiguousarray(cm.table_ptr, dtype=np.int64),
        table_x=contiguous(cm.table_x),
        table_y=contiguous(cm.table_y),
        bounded=np.isfinite(cm.lower) | np.isfinite(cm.upper),
        stocks=stocks.astype(np.int64),
        decay=np.ascontiguousarray(cm.decay[stocks], dtype=np.float64),
        stock_ptr=stock_ptr,
        stock_links=stock_links,
        nodes=np.array(nodes, dtype=np.int64),
        add_instant=np.array(add_instant, dtype=np.bool_),
        lagged_ptr=lagged_ptr,
        lagged_links=lagged_links,
        instant_ptr=instant_ptr,
        instant_links=instant_links,
        initial_groups=groups,
        initial_depths=initial_depths_of(cm, groups),
        writes_all=sorted(nodes + stocks.tolist()) == list(range(cm.n_nodes)),
        capacity=np.ascontiguousarray(cm.capacity, dtype=np.int64),
    )


def initial_links(cm: CompiledModel) -> np.ndarray:
    """Links in the ``t_0`` system: every link that is not a fixed delay, into an auxiliary."""
    return np.flatnonzero((cm.delay != FIXED) & ~cm.is_stock[cm.target])


def initial_groups_of(cm: CompiledModel) -> tuple[Group, ...]:
    """Strongly connected groups of the ``t_0`` link graph, each after every group it reads."""
    links = initial_links(cm)
    # Tarjan numbers a group after every group it reaches (those that read it): sinks first
    group_of = np.array(
        strongly_connected_components(
            cm.n_nodes, list(zip(cm.source[links].tolist(), cm.target[links].tolist(), strict=True))
        ),
        dtype=np.int64,
    )
    n_groups = int(group_of.max()) + 1 if cm.n_nodes else 0
    by_group = np.argsort(group_of[cm.target[links]], kind="stable")  # positions in links, ascending per group
    bounds = np.searchsorted(group_of[cm.target[links]][by_group], np.arange(n_groups + 1))
    members = np.argsort(group_of, kind="stable")  # nodes ascending within each group
    starts = np.searchsorted(group_of[members], np.arange(n_groups + 1))
    # a link is inside its target's group when its source is in the same group (for all links at once,
    # rather than np.isin per group: about 10,000 groups in the 342-gemeente model)
    inside_all = group_of[cm.source[links]] == group_of[cm.target[links]]
    groups = []
    for c in range(n_groups - 1, -1, -1):  # each group after every group it reads
        nodes = members[starts[c] : starts[c + 1]].astype(np.int64)
        into = by_group[bounds[c] : bounds[c + 1]]  # the links into the group, in link order (one sort, no scans)
        within = inside_all[into]
        inside, outside = into[within], into[~within]
        groups.append(
            Group(
                nodes=nodes,
                inside=inside,
                inside_rows=np.searchsorted(nodes, cm.target[links[inside]]),
                inside_cols=np.searchsorted(nodes, cm.source[links[inside]]),
                outside=outside,
                outside_rows=np.searchsorted(nodes, cm.target[links[outside]]),
            )
        )
    return tuple(groups)


def initial_depths_of(cm: CompiledModel, groups: tuple[Group, ...]) -> tuple[Depth, ...]:
    """``groups`` (from :func:`initial_groups_of`) gathered by depth, shallowest first (see :class:`Depth`).

    In the 342-gemeente model about 10,000 groups fall into a few dozen depths, so the
    ``t_0`` solve takes a few dozen numpy steps instead of 10,000."""
    links = initial_links(cm)
    group_of = np.zeros(cm.n_nodes, dtype=np.int64)
    for g, group in enumerate(groups):
        group_of[group.nodes] = g
    depth_of = np.zeros(len(groups), dtype=np.int64)
    for g, group in enumerate(groups):  # topological order: every group read is already done
        if group.outside.size:
            depth_of[g] = depth_of[group_of[cm.source[links[group.outside]]]].max() + 1
    depths = []
    for d in range(int(depth_of.max()) + 1 if groups else 0):
        members = [groups[g] for g in np.flatnonzero(depth_of == d)]
        offsets = np.cumsum([0] + [group.nodes.size for group in members])
        nodes = np.concatenate([group.nodes for group in members])
        # each target's links from earlier depths, in link order (a group's ``outside`` is ascending)
        into: dict[int, list[int]] = defaultdict(list)
        for offset, group in zip(offsets, members, strict=False):
            for row, p in zip(group.outside_rows.tolist(), group.outside.tolist(), strict=True):
                into[int(offset) + row].append(p)
        ranks = []
        for r in range(max((len(ps) for ps in into.values()), default=0)):
            rows = np.array(sorted(row for row, ps in into.items() if len(ps) > r), dtype=np.int64)
            positions = np.array([into[int(row)][r] for row in rows], dtype=np.int64)
            ranks.append((rows, positions, np.ascontiguousarray(cm.source[links[positions]], dtype=np.int64)))
        loops = []
        sizes = sorted({group.nodes.size for group in members if group.inside.size})
        for size in sizes:
            chosen = [
                (o, group)
                for o, group in zip(offsets, members, strict=False)
                if group.inside.size and group.nodes.size == size
            ]
            loops.append(
                LoopBatch(
                    size=int(size),
                    rows=np.array([np.arange(o, o + size) for o, _ in chosen], dtype=np.int64).reshape(-1, size),
                    loop=np.concatenate([np.full(g.inside.size, n, dtype=np.int64) for n, (_, g) in enumerate(chosen)]),
                    inside_rows=np.concatenate([g.inside_rows for _, g in chosen]).astype(np.int64),
                    inside_cols=np.concatenate([g.inside_cols for _, g in chosen]).astype(np.int64),
                    inside=np.concatenate([g.inside for _, g in chosen]).astype(np.int64),
                )
            )
        depths.append(Depth(nodes=nodes, ranks=tuple(ranks), loops=tuple(loops)))
    return tuple(depths)


@dataclass(frozen=True)
class FlatDepths:
    """:attr:`KernelPlan.initial_depths` as flat index arrays, for the compiled ``t_0`` sums
    (:func:`simulator.engine._depth_sums`); all int64 (``has_loops`` bool), read-only.

    Depth ``d``'s nodes are ``nodes[node_ptr[d]:node_ptr[d + 1]]``, its ranks
    ``rank_ptr[d] .. rank_ptr[d + 1] - 1``; rank ``r``'s links are entries
    ``elem_ptr[r] .. elem_ptr[r + 1] - 1`` of ``rows``, ``positions`` and ``sources``
    (as in :class:`Depth`). ``max_nodes``: the most nodes of one depth.
    """

    node_ptr: np.ndarray
    nodes: np.ndarray
    rank_ptr: np.ndarray
    elem_ptr: np.ndarray
    rows: np.ndarray
    positions: np.ndarray
    sources: np.ndarray
    has_loops: np.ndarray
    max_nodes: int


def flat_depths(depths: tuple[Depth, ...]) -> FlatDepths:
    """``depths`` as :class:`FlatDepths` (built once per compiled model)."""

    def joined(parts: list[np.ndarray]) -> np.ndarray:
        return frozen(np.ascontiguousarray(np.concatenate(parts) if parts else np.zeros(0), dtype=np.int64))

    def pointers(sizes: list[int]) -> np.ndarray:
        return frozen(np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).astype(np.int64))

    ranks = [rank for depth in depths for rank in depth.ranks]
    return FlatDepths(
        node_ptr=pointers([depth.nodes.size for depth in depths]),
        nodes=joined([depth.nodes for depth in depths]),
        rank_ptr=pointers([len(depth.ranks) for depth in depths]),
        elem_ptr=pointers([rank[0].size for rank in ranks]),
        rows=joined([rank[0] for rank in ranks]),
        positions=joined([rank[1] for rank in ranks]),
        sources=joined([rank[2] for rank in ranks]),
        has_loops=frozen(np.array([bool(depth.loops) for depth in depths], dtype=bool)),
        max_nodes=max((depth.nodes.size for depth in depths), default=0),
    )
