"""The simulation core: Euler integration of deviations, all members at once.

Semantics are those of ENGINE.md (and so of Vensim / PySD): deviation form,
``linear`` and ``elasticity`` links, ``none`` / ``fixed`` / ``exponential`` /
``third_order`` lags (defined in :mod:`simulator.delays`), stocks with decay,
bounds. Ensemble members are the last array axis, so one call runs any number of
parameter sets. Its input is a :class:`~simulator.compiler.CompiledModel`, which
only a checked model compiles to, and that model's
:class:`~simulator.plan.KernelPlan`, the index arrays the kernel walks.

How: the values at ``t_0`` are set up with numpy (:func:`_initial_step`, a
linear solve when pass-through lags form a loop); the time loop from there on is
one compiled kernel (:func:`_time_loop`, numba), which walks the members in
tiles of :data:`TILE` and, per tile, every time step in the order of ENGINE.md.
Every member gets the same sequence of floating-point operations whatever the
number of members in the call (no reassociation, no fused multiply-add, no
threads), so a member's numbers never depend on its block, chunk or worker.
The first call compiles the kernel (a few seconds); numba caches the machine
code on disk (``cache=True``: in ``__pycache__`` beside this file, or, when that
is not writable, in numba's user cache directory), so later processes load it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numba
import numpy as np

from simulator.budget import check_budget, engine_need
from simulator.compiler import MINIMUM, CompiledModel, Level
from simulator.delays import EXPONENTIAL as _EXPONENTIAL
from simulator.delays import FIXED as _FIXED
from simulator.delays import NONE as _NONE
from simulator.delays import THIRD_ORDER as _THIRD_ORDER
from simulator.errors import NumericalError
from simulator.plan import initial_links as _initial_links
from simulator.shapes import ABOVE as _ABOVE
from simulator.shapes import LOOKUP as _LOOKUP
from simulator.shapes import NONE as _NO_SHAPE
from simulator.shapes import SATURATION as _SATURATION


def _load_numba_array_support() -> None:
    """Import numba's array functions (``numba.np.arraymath``) and its cffi support without scipy and cffi.

    numba imports them when the first kernel is compiled or loaded from the cache.
    ``numba.np.arraymath`` imports ``scipy.linalg`` (about 0.2-0.5 s of every ``bwsim run``)
    only to note whether a BLAS is there, which changes how ``np.correlate`` and
    ``np.convolve`` would be compiled; no kernel here calls them, and ``np.dot`` or
    ``np.linalg`` in a kernel still imports scipy's BLAS when it is compiled.
    ``numba.core.typing.cffi_utils`` builds a ``cffi.FFI()`` (pycparser's C parser, about
    0.05 s) only to recognise cffi functions passed to a kernel; no kernel here takes one,
    so numba's cffi support is off in a process that ran the engine before importing cffi.
    Each package is marked absent during that one import, as
    :func:`simulator.units._import_pint` does for pint, and only when no other thread runs
    (one could be importing it at that moment) and it is not imported yet.
    """
    import threading

    from simulator.import_guard import packages_hidden

    with packages_hidden(() if threading.active_count() > 1 else ("scipy.linalg", "cffi")):
        import numba.core.typing.cffi_utils  # noqa: F401
        import numba.np.arraymath  # noqa: F401


_load_numba_array_support()

TILE = 512
"""Members advanced together by the kernel: their states stay in the CPU cache (L2: a tile's delay states
are ``5 x links x TILE`` floats, 1.5 MB for the Heerlen model; 512 ran a block of 1,000 Heerlen members in
about 15 % less time than 256, and 1,024 slower again)."""


def jit(**options: Any) -> Callable[[Callable], Callable]:
    """``numba.njit(cache=True, nogil=True, **options)``; without a writable cache directory, no cache.

    numba caches in ``__pycache__`` beside the source, else in the user's cache
    directory (``NUMBA_CACHE_DIR``, ``~/.cache/numba``); when neither can be
    written it refuses ``cache=True`` at import: then every process compiles anew.
    """

    def decorate(function: Callable) -> Callable:
        try:
            return numba.njit(cache=True, nogil=True, **options)(function)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            return numba.njit(cache=False, nogil=True, **options)(function)

    return decorate


def _as_members(values: np.ndarray | None, central: np.ndarray, n_members: int) -> np.ndarray:
    """Link parameters as shape ``(L, M)``."""
    if values is None:
        return np.repeat(central[:, None], n_members, axis=1)
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    return np.broadcast_to(values, (central.size, n_members))


class _Gather:
    """Sums link effects into their targets: ``y[i] = sum_j G[i, j] x[j]`` with a 0/1 ``G`` (``G[rows[p], p] = 1``).

    Why compressed rows: one thread and no BLAS; each target's sum is taken in the order of
    the columns, whatever the number of members, so a member's result never depends on how
    many members share the call. The sum is the one scipy's ``csr_array @ dense`` took
    (``y = 0``, then ``y[i] += 1.0 * x[j]`` column by column), compiled here so that the
    engine does not import scipy (about 0.15 s of every ``bwsim run``).
    """

    def __init__(self, rows: np.ndarray, n_rows: int):
        rows = np.asarray(rows, dtype=np.int64)
        self.indptr = np.zeros(n_rows + 1, dtype=np.int64)
        self.indptr[1:] = np.cumsum(np.bincount(rows, minlength=n_rows))
        self.indices = np.argsort(rows, kind="stable").astype(np.int64)  # columns ascending within each row
        self.n_rows = n_rows

    def __matmul__(self, x: np.ndarray) -> np.ndarray:
        y = np.zeros((self.n_rows, x.shape[1]))
        _gather_rows(self.indptr, self.indices, _writable(x), y)
        return y


@jit()
def _gather_rows(
    indptr: np.ndarray, indices: np.ndarray, x: np.ndarray, y: np.ndarray
) -> None:  # pragma: no cover (compiled)
    """``y[i] += 1.0 * x[j]`` for the columns ``j`` of row ``i`` in order (scipy's ``csr_matvecs``)."""
    for i in range(indptr.size - 1):
        for jj in range(indptr[i], indptr[i + 1]):
            j = indices[jj]
            for m in range(x.shape[1]):
                y[i, m] += 1.0 * x[j, m]


def warm_gather() -> None:
    """Compile (or load from numba's cache) the ``t_0`` sum of models without pass-through loops.

    :mod:`simulator.warmup` runs a scenario of the Heerlen model, whose ``t_0`` has a loop
    and so never calls it; the types are those of every call (int64 pointers, float64 arrays).
    """
    _Gather(np.zeros(1, dtype=np.int64), 1) @ np.zeros((1, 1))


def _csr(level: Level) -> _Gather:
    """A level's 0/1 gather matrix, applied as CSR (see :class:`_Gather`)."""
    return _Gather(level.rows, level.nodes.size)


def _clip(cm: CompiledModel, dk: np.ndarray, nodes: np.ndarray, k: int) -> None:
    """Clip the value ``b + d`` of bounded ``nodes`` into their bounds, in place."""
    if nodes.size:
        b = cm.baselines[k, nodes][:, None]
        dk[nodes] = np.clip(b + dk[nodes], cm.lower[nodes][:, None], cm.upper[nodes][:, None]) - b


def _evaluate_levels(
    cm: CompiledModel,
    levels: tuple[Level, ...],
    bounded: list[np.ndarray],
    dk: np.ndarray,
    pre: np.ndarray,
    ew: np.ndarray,
    k: int,
    gathers: list[_Gather],
    wsig: np.ndarray,
    spar: np.ndarray,
) -> None:
    """Evaluate auxiliaries level by level: ``d = pre + sum of instant link effects``, then clip.

    ``ew`` is each link's factor of its signal, ``wsig`` its weight (inside a saturation's shape), ``spar``
    its shape parameter (L, M or 1). A capacity node's value is its inputs' smallest (largest) value
    instead (:func:`_capacity_initial`)."""
    scale = cm.src_scale[k]
    for level, clip_nodes, gather in zip(levels, bounded, gathers, strict=True):
        value = pre[level.nodes]
        if level.links.size:
            links = level.links
            effects = ew[links] * dk[cm.source[links]] * scale[links][:, None]
            for p in np.flatnonzero(cm.shape[links] != _NO_SHAPE):
                j = links[p]
                effects[p] = ew[j] * cm.signal(j, dk[cm.source[j]], k, wsig[j], spar[j])
            value = value + gather @ effects
        dk[level.nodes] = value
        _capacity_initial(cm, dk, pre, ew, level.nodes)
        _clip(cm, dk, clip_nodes, k)


# --- capacity nodes at t_0 (minimum / maximum): the kernel's _capacity_value, in numpy ---------


def _capacity_initial(cm: CompiledModel, dk: np.ndarray, pre: np.ndarray, ew: np.ndarray, nodes: np.ndarray) -> None:
    """``d_i(t_0) = (min_j w_j (b_j + L[d_j]) - b_i) + u_i`` for the capacity nodes among ``nodes``, in place.

    At ``t_0`` a fixed delay gives 0, every other lag passes its input through.
    ``ew`` is ``w`` (every input is linear: ``b_target`` scaling is 1). Inputs in
    the kernel's order (exponential, third-order, fixed, then zero-lag links).
    """
    for i in nodes[cm.capacity[nodes] != 0]:
        into = np.flatnonzero(cm.target == i)
        lagged = [j for code in (_EXPONENTIAL, _THIRD_ORDER, _FIXED) for j in into if cm.delay[j] == code]
        order = lagged + [j for j in into if cm.delay[j] == _NONE]
        value = None
        for j in order:
            signal = 0.0 if cm.delay[j] == _FIXED else dk[cm.source[j]]
            v = ew[j] * (cm.baselines[0, cm.source[j]] + signal)
            value = v if value is None else _pick_array(value, v, cm.capacity[i] == 1)
        dk[i] = (value - cm.baselines[0, i]) + pre[i]


def _pick_array(current: np.ndarray, value: np.ndarray, smallest: bool) -> np.ndarray:
    """Elementwise :func:`_pick`: the smaller (larger) value, NaN winning."""
    better = value < current if smallest else value > current
    return np.where(np.isnan(current), current, np.where(np.isnan(value) | better, value, current))


def _solve_initial_capacity(
    cm: CompiledModel, dk: np.ndarray, u0: np.ndarray, ew: np.ndarray, wsig: np.ndarray, spar: np.ndarray
) -> None:
    """``t_0`` of a model with capacity nodes whose pass-through graph has a loop: each capacity node
    is the linear row of its **active** input, and the system is solved as in :func:`_solve_initial`.

    The active input starts as the baseline's (the smallest, or largest, ``w_j b_j(t_0)``);
    when the solution makes another input smaller (larger), that one becomes active
    and the system is solved again, per member, until no input switches (at most
    one round per input; a member that does not settle gets NaN on its capacity
    nodes, reported as a :class:`NumericalError`). Row ``i`` reads ``d_i - w_a d_a
    = (w_a b_a - b_i) + u_i`` (``w_a d_a`` left out for a fixed delay, 0 at
    ``t_0``). Models without capacity nodes keep :func:`_solve_initial` (their
    numbers are unchanged).
    """
    n, m = dk.shape
    links = _initial_links(cm)
    base = cm.baselines[0]
    capacity = np.flatnonzero(cm.capacity)
    into = {int(i): np.flatnonzero(cm.target == i) for i in capacity}
    position = {int(j): p for p, j in enumerate(links)}
    rhs0 = np.where(cm.is_stock[:, None], 0.0, u0[:, None] + np.zeros((n, m)))
    active = {i: _argbest(cm, i, ew[js] * base[cm.source[js]][:, None]) for i, js in into.items()}  # (M,) each
    settled = np.zeros(m, dtype=bool)
    for _ in range(sum(js.size for js in into.values()) + 1):
        coef = ew[links] * cm.src_scale[0, links][:, None]
        rhs = rhs0.copy()
        for i, js in into.items():
            chosen = js[active[i]]  # (M,) the active link per member
            for j in js:
                if int(j) in position:
                    coef[position[int(j)]] = np.where(chosen == j, ew[j], 0.0)
            rhs[i] += ew[chosen, np.arange(m)] * base[cm.source[chosen]] - base[i]
        _solve_linear_initial(cm, dk, links, coef, rhs, ew, wsig, spar)
        settled[:] = True
        for i, js in into.items():
            signal = np.where((cm.delay[js] == _FIXED)[:, None], 0.0, dk[cm.source[js]])
            values = ew[js] * (base[cm.source[js]][:, None] + signal)
            now = _argbest(cm, i, values)
            best = values[now, np.arange(m)]
            switched = values[active[i], np.arange(m)] != best
            active[i] = np.where(switched, now, active[i])
            settled &= ~switched
        if settled.all():
            return
    dk[np.ix_(capacity, np.flatnonzero(~settled))] = np.nan


def _argbest(cm: CompiledModel, i: int, values: np.ndarray) -> np.ndarray:
    """Per member (column), the row of the smallest (``minimum`` node ``i``) or largest value, the first on a tie."""
    return np.argmin(values, axis=0) if cm.capacity[i] == MINIMUM else np.argmax(values, axis=0)


def _solve_initial(
    cm: CompiledModel, dk: np.ndarray, u0: np.ndarray, ew: np.ndarray, wsig: np.ndarray, spar: np.ndarray
) -> None:
    """``t_0`` when the pass-through graph has a cycle: solve ``(I - G) d = u`` per member.

    ``G`` holds every non-fixed link into an auxiliary (lags pass their input
    straight through at ``t_0``). Bounds hold before anything reads them: a node
    that the solve puts outside its bounds is fixed at the bound and the rest is
    solved again (:func:`_solve_bounded`), so ``d = clip(u + G d)``.

    The system is block triangular: its loops (strongly connected groups of
    nodes) are solved one after the other, in the order of the links between
    them, each as a small dense system for all members at once; the nodes
    outside any loop are plain sums. A loop that is singular for some member (a
    loop gain of exactly 1) falls back to the whole system per member, which
    marks that loop's nodes NaN (:func:`_solve_or_nan`).

    A model with shaped links is solved group by group throughout
    (:func:`_solve_shaped_initial`): its shaped links are never inside a loop
    (:func:`simulator.network.shape_problems`), so each is a known function of an
    earlier group.
    """
    n, m = dk.shape
    links = _initial_links(cm)
    coef = ew[links] * cm.src_scale[0, links][:, None]  # (l, M)
    rhs = np.where(cm.is_stock[:, None], 0.0, u0[:, None] + np.zeros((n, m)))
    _solve_linear_initial(cm, dk, links, coef, rhs, ew, wsig, spar)


def _solve_linear_initial(
    cm: CompiledModel,
    dk: np.ndarray,
    links: np.ndarray,
    coef: np.ndarray,
    rhs: np.ndarray,
    ew: np.ndarray,
    wsig: np.ndarray,
    spar: np.ndarray,
) -> None:
    """``d = clip(rhs + G d)`` at ``t_0``, ``G`` from ``coef`` (l, M) of the pass-through ``links``
    (see :func:`_solve_initial`), into ``dk`` (N, M); with shaped links group by group
    (:func:`_solve_shaped_initial`, which reads ``coef`` for every linear link)."""
    m = dk.shape[1]
    if cm.has_shapes:
        dk[:] = _solve_shaped_initial(cm, links, coef, rhs, ew, wsig, spar)
        return
    try:
        dk[:] = _solve_by_loops(cm, links, coef, rhs)
    except np.linalg.LinAlgError:
        a = _initial_matrix(cm, links, coef, np.arange(m))
        for j in range(m):
            dk[:, j] = _solve_or_nan(a[j], rhs[:, j])
    unclipped = dk.copy()
    _clip(cm, dk, cm.bounded, 0)
    binding = np.flatnonzero(np.any(dk != unclipped, axis=0))  # only members where a bound binds
    if binding.size:  # group by group, so that a later group reads an earlier one's clipped value

        def members(a: np.ndarray) -> np.ndarray:  # the binding members' columns (a column of one: shared)
            return a[:, binding] if a.ndim == 2 and a.shape[1] == m else a

        dk[:, binding] = _solve_shaped_initial(
            cm, links, members(coef), members(rhs), members(ew), members(wsig), members(spar)
        )
    _clip(cm, dk, cm.bounded, 0)


def _initial_matrix(cm: CompiledModel, links: np.ndarray, coef: np.ndarray, members: np.ndarray) -> np.ndarray:
    """``I - G`` of the ``t_0`` system for some members, shape (len(members), N, N)."""
    n = cm.n_nodes
    g = np.zeros((members.size, n, n))
    # (target, source) pairs are unique (duplicate links are refused), so a plain
    # assignment equals np.add.at on zeros
    g[:, cm.target[links], cm.source[links]] = coef[:, members].T
    return np.eye(n)[None] - g


def _solve_by_loops(cm: CompiledModel, links: np.ndarray, coef: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """``(I - G) x = rhs`` for every member (columns), group by group (see :func:`_solve_initial`).

    The groups of one depth of the condensation read only shallower ones, so they
    are taken together (:class:`simulator.plan.Depth`): each node's links from
    earlier groups are added in link order, one rank at a time, and the depth's
    loops of one size are solved as one stack of dense systems, each the same
    ``gesv`` call as alone; every number is the one a group-by-group loop gives.

    Raises
    ------
    numpy.linalg.LinAlgError
        When a loop's system is singular for some member.
    """
    m = rhs.shape[1]
    x = np.zeros(rhs.shape)
    flat = cm.initial_flat
    rhs = _writable(rhs)
    coef = _writable(np.broadcast_to(coef, (coef.shape[0], m)))
    buffer = np.empty((flat.max_nodes, m))
    depth, n_depths = 0, flat.has_loops.size
    while depth < n_depths:
        # the sums of every depth up to the next one with loops, compiled (numpy took 0.2 ms for 45 ranks)
        depth = _depth_sums(
            x,
            rhs,
            coef,
            buffer,
            depth,
            flat.node_ptr,
            flat.nodes,
            flat.rank_ptr,
            flat.elem_ptr,
            flat.rows,
            flat.positions,
            flat.sources,
            flat.has_loops,
        )
        if depth == n_depths:
            break
        depth_plan = cm.plan.initial_depths[depth]
        value = buffer[: depth_plan.nodes.size]
        for batch in depth_plan.loops:
            size = batch.size
            a = np.zeros((batch.rows.shape[0], m, size, size))
            a[:, :, np.arange(size), np.arange(size)] = 1.0
            a[batch.loop, :, batch.inside_rows, batch.inside_cols] -= coef[batch.inside]
            b = value[batch.rows].transpose(0, 2, 1)[..., None]  # (G, M, size, 1)
            value[batch.rows] = np.linalg.solve(a, b)[..., 0].transpose(0, 2, 1)
        x[depth_plan.nodes] = value
        depth += 1
    return x


@jit()
def _depth_sums(
    x: np.ndarray,
    rhs: np.ndarray,
    coef: np.ndarray,
    value: np.ndarray,
    first: int,
    node_ptr: np.ndarray,
    nodes: np.ndarray,
    rank_ptr: np.ndarray,
    elem_ptr: np.ndarray,
    rows: np.ndarray,
    positions: np.ndarray,
    sources: np.ndarray,
    has_loops: np.ndarray,
) -> int:  # pragma: no cover (compiled)
    """The ``t_0`` sums of :func:`_solve_by_loops` from depth ``first`` on (:class:`simulator.plan.FlatDepths`).

    Per depth: ``value = rhs[nodes]``, then rank by rank ``value[rows] += coef[positions] * x[sources]``
    (the numpy statement it replaces, element by element: the same products and sums in the same order),
    then ``x[nodes] = value``. Stops at a depth with loops, its sums in ``value``, and returns that
    depth (the caller solves its loops); returns the number of depths when all are done.
    """
    n_members = x.shape[1]
    for depth in range(first, node_ptr.size - 1):
        lo, hi = node_ptr[depth], node_ptr[depth + 1]
        for q in range(hi - lo):
            for m in range(n_members):
                value[q, m] = rhs[nodes[lo + q], m]
        for r in range(rank_ptr[depth], rank_ptr[depth + 1]):
            for e in range(elem_ptr[r], elem_ptr[r + 1]):
                row, p, s = rows[e], positions[e], sources[e]
                for m in range(n_members):
                    value[row, m] = value[row, m] + coef[p, m] * x[s, m]
        if has_loops[depth]:
            return depth
        for q in range(hi - lo):
            for m in range(n_members):
                x[nodes[lo + q], m] = value[q, m]
    return node_ptr.size - 1


def _solve_shaped_initial(
    cm: CompiledModel,
    links: np.ndarray,
    coef: np.ndarray,
    rhs: np.ndarray,
    ew: np.ndarray,
    wsig: np.ndarray,
    spar: np.ndarray,
) -> np.ndarray:
    """``d = clip(u + G(d))`` at ``t_0`` group by group, with shaped links (see :func:`_solve_initial`).

    Each group's right-hand side adds the links from earlier groups (a shaped one
    as ``ew * f(b + d) - f(b)``); a loop (linear links only) is solved as a dense
    system for all members, then its bounds are held as in :func:`_solve_bounded`.
    """
    base, x = cm.baselines[0], np.zeros(rhs.shape)
    for group in cm.plan.initial_groups:
        nodes = group.nodes
        value = rhs[nodes].copy()
        for row, p in zip(group.outside_rows, group.outside, strict=True):
            j = links[p]
            if cm.shape[j] != _NO_SHAPE:
                value[row] += ew[j] * cm.signal(j, x[cm.source[j]], 0, wsig[j], spar[j])
            else:
                value[row] += coef[p] * x[cm.source[j]]
        b, lo, hi = base[nodes][:, None], cm.lower[nodes][:, None], cm.upper[nodes][:, None]
        if group.inside.size:
            size = nodes.size
            a = np.zeros((rhs.shape[1], size, size))
            a[:, np.arange(size), np.arange(size)] = 1.0
            a[:, group.inside_rows, group.inside_cols] -= coef[group.inside].T
            try:
                solved = np.linalg.solve(a, value.T[..., None])[..., 0].T
            except np.linalg.LinAlgError:
                solved = np.stack([_solve_or_nan(a[m], value[:, m]) for m in range(value.shape[1])], axis=1)
            clipped = np.clip(b + solved, lo, hi) - b
            for member in np.flatnonzero(np.any(clipped != solved, axis=0)):
                solved[:, member] = _solve_bounded(
                    a[member], value[:, member], solved[:, member], base[nodes], cm.lower[nodes], cm.upper[nodes]
                )
            value = solved
        x[nodes] = np.clip(b + value, lo, hi) - b
    return x


def _solve_bounded(
    a: np.ndarray, rhs: np.ndarray, x: np.ndarray, base: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> np.ndarray:
    """``a x = rhs`` with every node the solution puts outside its bounds held at the bound.

    ``base``, ``lower``, ``upper`` are the nodes' baselines and bounds at ``t_0``.
    Adds the nodes that leave their bounds one round at a time (at most one round
    per bounded node), so that no node reads a value its neighbour will not have.

    The result must solve ``x = clip(u + G x)``: a node held at a bound whose own
    value, ``u + G x`` from the others, lies inside its bounds makes the held set
    inconsistent (a loop of gain above 1 through a bound can have no start value at
    all). Then every node is NaN, so that the run reports a :class:`NumericalError`
    instead of a start value that no equation gives.
    """
    original, given = a, rhs
    a, rhs, held = a.copy(), rhs.copy(), np.zeros(x.size, dtype=bool)
    for _ in range(int(np.count_nonzero(np.isfinite(lower) | np.isfinite(upper)))):
        value = base + x
        leaving = ((value < lower) | (value > upper)) & ~held  # not clip(x) != x: rounding
        if not leaving.any():
            break
        held |= leaving
        rows = np.flatnonzero(leaving)
        a[rows] = 0.0
        a[rows, rows] = 1.0
        rhs[rows] = np.clip(value[rows], lower[rows], upper[rows]) - base[rows]
        x = _solve_or_nan(a, rhs)
    if held.any() and np.isfinite(x).all():
        # row r of (I - G) x = u gives the value before its clip: b_r + u_r + (G x)_r = b_r + x_r + u_r - (a x)_r
        free = base + x + given - original @ x
        margin = 1e-9 * (1.0 + np.abs(base + x))
        if np.any(held & (free > lower + margin) & (free < upper - margin)):
            return np.full_like(x, np.nan)
    return x


def _solve_or_nan(a: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Solve ``a x = rhs``; when ``a`` is singular (a loop gain of exactly 1), NaN on the
    loop's nodes and 0 elsewhere, so that the run reports them as a :class:`NumericalError`."""
    try:
        return np.linalg.solve(a, rhs)
    except np.linalg.LinAlgError:
        null = np.linalg.svd(a)[2][-1]  # spans the directions the loop leaves undetermined
        return np.where(np.abs(null) > 1e-9, np.nan, 0.0)


def simulate(
    cm: CompiledModel,
    u: np.ndarray,
    weights: np.ndarray | None = None,
    lags: np.ndarray | None = None,
    check_finite: bool = True,
    shape_parameters: np.ndarray | None = None,
) -> np.ndarray:
    """Run the model and return the deviations ``d`` from the baseline.

    Parameters
    ----------
    cm : CompiledModel
    u : ndarray, shape (K + 1, N)
        Interventions in node units (flows per year into stocks).
    weights, lags : ndarray, shape (L, M) or (L,), optional
        Link weights and lags (years) per ensemble member; the central values
        (modes) when omitted.
    check_finite : bool
        Raise on a non-finite value (default). An ensemble passes False to find
        and report every member that blew up itself.
    shape_parameters : ndarray, shape (L, M), optional
        Each shaped link's saturation ``max`` (target units) or threshold ``level``
        (source units) per member; the central values when omitted (entries of links
        without such a parameter are not read).

    Returns
    -------
    ndarray, shape (K + 1, N, M)
        ``d_i(t_k)`` per member, in node units. ``M`` is 1 for a deterministic run.

    Raises
    ------
    NumericalError
        When a value becomes non-finite; names the node, the time and the member.
    InputError
        When the call is above the budget of :mod:`simulator.budget` (before anything is allocated).
    """
    n_members = max(
        1 if weights is None else np.atleast_2d(weights.T).shape[0],
        1 if lags is None else np.atleast_2d(lags.T).shape[0],
        1 if shape_parameters is None else np.atleast_2d(np.asarray(shape_parameters).T).shape[0],
    )
    check_budget(engine_need(cm.times.size, cm.n_nodes, cm.n_links, n_members))
    w = _as_members(weights, cm.weight, n_members)
    tau = _as_members(lags, cm.lag, n_members)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        d = _integrate(
            cm,
            np.asarray(u, dtype=float),
            w,
            tau,
            None if shape_parameters is None else _as_members(shape_parameters, cm.shape_parameter, n_members),
        )
    if check_finite:
        _check_finite(cm, d)
    return d


def _integrate(
    cm: CompiledModel, u: np.ndarray, w: np.ndarray, tau: np.ndarray, spar: np.ndarray | None = None
) -> np.ndarray:
    """All time steps: ``t_0`` with numpy, then the compiled time loop (:func:`_time_loop`).

    ``spar`` (L, M): shape parameters per member; None: the central ones for all (read with stride 0)."""
    n_times, n_nodes = cm.baselines.shape
    w = _writable(w)
    tau = _writable(tau)
    plan = cm.plan  # the kernel's input: index arrays built once per compiled model
    # the kernel writes every node at every t_k, k >= 1 (see KernelPlan.writes_all): no need to zero them first
    d = np.empty((n_times, n_nodes, w.shape[1])) if plan.writes_all else np.zeros((n_times, n_nodes, w.shape[1]))
    d[0] = 0.0
    outer = _outer_weights(cm, w)
    sstride = 0 if spar is None else 1
    spar = _writable(cm.shape_parameter[:, None] if spar is None else spar)
    _initial_step(cm, d[0], u[0], outer * cm.tgt_scale[0][:, None], w, spar)  # (elasticity) weights times b_target(t_0)
    _time_loop(
        d,
        _writable(u),
        outer,
        tau,
        float(cm.dt),
        plan.base,
        plan.lower,
        plan.upper,
        plan.src_scale,
        plan.tgt_scale,
        plan.source,
        plan.delay,
        plan.elastic,
        plan.bounded,
        plan.stocks,
        plan.decay,
        plan.stock_ptr,
        plan.stock_links,
        plan.nodes,
        plan.add_instant,
        plan.lagged_ptr,
        plan.lagged_links,
        plan.instant_ptr,
        plan.instant_links,
        plan.capacity,
        w,
        plan.shape,
        spar,
        sstride,
        plan.table_ptr,
        plan.table_x,
        plan.table_y,
    )
    return d


def _outer_weights(cm: CompiledModel, w: np.ndarray) -> np.ndarray:
    """The factor of each link's lagged signal: its weight, or 1 for a saturation (its weight is inside)."""
    return cm.outer_weights(w)


def _writable(a: np.ndarray) -> np.ndarray:
    """``a`` as a C-contiguous, writable float64 array (one compiled kernel for all calls)."""
    return np.require(a, dtype=np.float64, requirements=["C", "W"])


@jit(inline="always")
def _clipped(
    d: np.ndarray,
    k: int,
    i: int,
    first: int,
    values: np.ndarray,
    row: int,
    nt: int,
    bounded: bool,
    b: float,
    lo: float,
    hi: float,
) -> None:  # pragma: no cover (compiled)
    """``d[k, i, first:first + nt] = clip(b + values[row], lo, hi) - b`` for a bounded node, else ``values[row]``."""
    if bounded:
        for m in range(nt):
            v = b + values[row, m]
            if v < lo:  # not max(): NaN stays NaN, as with np.maximum
                v = lo
            if v > hi:
                v = hi
            d[k, i, first + m] = v - b
    else:
        for m in range(nt):
            d[k, i, first + m] = values[row, m]


@jit(inline="always")
def _clipped_sum(
    d: np.ndarray,
    k: int,
    i: int,
    first: int,
    acc: np.ndarray,
    y: np.ndarray,
    nt: int,
    bounded: bool,
    b: float,
    lo: float,
    hi: float,
) -> None:  # pragma: no cover (compiled)
    """:func:`_clipped` of ``acc[0] + y`` (one pass: the sum, then the clip, per member)."""
    if bounded:
        for m in range(nt):
            v = b + (acc[0, m] + y[m])
            if v < lo:  # not max(): NaN stays NaN, as with np.maximum
                v = lo
            if v > hi:
                v = hi
            d[k, i, first + m] = v - b
    else:
        for m in range(nt):
            d[k, i, first + m] = acc[0, m] + y[m]


@jit(inline="always")
def _add_lagged_pass(
    acc: np.ndarray,
    w: np.ndarray,
    j_link: int,
    first: int,
    out: np.ndarray,
    nt: int,
    elastic: bool,
    scale: float,
    is_first: bool,
    is_last: bool,
    uk: float,
) -> None:  # pragma: no cover (compiled)
    """One lagged effect of a node's sum ``acc`` (:func:`_add_lagged`): the first onto ``0.0`` (in
    place of zeroing ``acc`` first), and after the last, ``acc = uk + acc`` in the same pass."""
    if not (is_first or is_last):
        _add_lagged(acc, w, j_link, first, out, nt, elastic, scale)
        return
    s = scale if elastic else 1.0  # w * 1.0 == w: exact
    if is_first and is_last:
        for m in range(nt):
            acc[0, m] = uk + (0.0 + (w[j_link, first + m] * s) * out[j_link, m])
    elif is_first:
        for m in range(nt):
            acc[0, m] = 0.0 + (w[j_link, first + m] * s) * out[j_link, m]
    else:
        for m in range(nt):
            acc[0, m] = uk + (acc[0, m] + (w[j_link, first + m] * s) * out[j_link, m])


@jit(inline="always")
def _add_lagged(
    acc: np.ndarray, w: np.ndarray, j_link: int, first: int, out: np.ndarray, nt: int, elastic: bool, scale: float
) -> None:  # pragma: no cover (compiled)
    """``acc += w * L[s]`` of one link (``w`` times ``b_target`` for an elasticity)."""
    if elastic:
        for m in range(nt):
            acc[0, m] = acc[0, m] + (w[j_link, first + m] * scale) * out[j_link, m]
    else:
        for m in range(nt):
            acc[0, m] = acc[0, m] + w[j_link, first + m] * out[j_link, m]


@jit(inline="always")
def _pick(current: float, value: float, smallest: bool) -> float:  # pragma: no cover (compiled)
    """The smaller (``smallest``) or larger of two input values; NaN wins, so a blow-up is reported."""
    if current != current:
        return current
    if value != value:
        return value
    if smallest:
        return value if value < current else current
    return value if value > current else current


@jit(inline="always")
def _capacity_value(
    acc: np.ndarray,
    d: np.ndarray,
    k: int,
    i: int,
    first: int,
    nt: int,
    w: np.ndarray,
    out: np.ndarray,
    base: np.ndarray,
    source: np.ndarray,
    smallest: bool,
    lagged: np.ndarray,
    instant: np.ndarray,
    uk: float,
) -> None:  # pragma: no cover (compiled)
    """``acc[0] = (min_j w_j (b_j + L[d_j]) - b_i) + u_i`` of capacity node ``i`` at ``t_k`` (max when not
    ``smallest``): each input is a link's value, its weight times the source's baseline plus its lagged
    deviation (ENGINE.md, capacity nodes). The checks make every input linear with a fixed weight."""
    started = False
    for p in range(lagged.size):
        j_link = lagged[p]
        bs = base[k, source[j_link]]
        for m in range(nt):
            v = w[j_link, first + m] * (bs + out[j_link, m])
            acc[0, m] = _pick(acc[0, m], v, smallest) if started else v
        started = True
    for p in range(instant.size):
        j_link = instant[p]
        src = source[j_link]
        bs = base[k, src]
        for m in range(nt):
            v = w[j_link, first + m] * (bs + d[k, src, first + m])
            acc[0, m] = _pick(acc[0, m], v, smallest) if started else v
        started = True
    bi = base[k, i]
    for m in range(nt):
        acc[0, m] = (acc[0, m] - bi) + uk


@jit(inline="always")
def _table(tx: np.ndarray, ty: np.ndarray, lo: int, hi: int, x: float) -> float:  # pragma: no cover (compiled)
    """A lookup's value at ``x``: linear between points, flat beyond the ends (as ``numpy.interp``)."""
    if x <= tx[lo]:
        return ty[lo]
    if x >= tx[hi - 1]:
        return ty[hi - 1]
    j = lo
    while tx[j + 1] <= x:
        j += 1
    return (ty[j + 1] - ty[j]) / (tx[j + 1] - tx[j]) * (x - tx[j]) + ty[j]


@jit(inline="always")
def _shaped(
    code: int, dv: float, b: float, wv: float, p: float, tx: np.ndarray, ty: np.ndarray, lo: int, hi: int
) -> float:  # pragma: no cover (compiled)
    """A shaped link's signal ``f(b + dv) - f(b)`` (simulator.shapes.signal, inline)."""
    if code == _SATURATION:
        return p * (1.0 - math.exp(-(wv * dv) / p))
    x = b + dv
    if code == _LOOKUP:
        return _table(tx, ty, lo, hi, x) - _table(tx, ty, lo, hi, b)
    if code == _ABOVE:
        above, base_above = x - p, b - p
    else:
        above, base_above = p - x, p - b
    if above < 0.0:  # not max(): NaN stays NaN, as with np.maximum
        above = 0.0
    if base_above < 0.0:
        base_above = 0.0
    return above - base_above


@jit()
def _time_loop(  # noqa: C901 (one place holds a step)
    d,
    u,
    w,
    tau,
    dt,
    base,
    lower,
    upper,
    src_scale,
    tgt_scale,
    source,
    delay,
    elastic,
    bounded,
    stocks,
    decay,
    stock_ptr,
    stock_links,
    nodes,
    add_instant,
    lagged_ptr,
    lagged_links,
    instant_ptr,
    instant_links,
    capacity,
    wsig,
    shape,
    sparam,
    sstride,
    tptr,
    tx,
    ty,
):  # pragma: no cover
    """Advance ``d`` (K + 1, N, M) from its values at ``t_0`` to the end, in place (ENGINE.md's step).

    Per tile of members and per step ``k``: (1) stocks and delay outputs at
    ``t_k``; (2) auxiliaries level by level, ``d = (u + sum of lagged effects) +
    sum of zero-lag effects``, each clipped into its bounds; (3) stocks and
    delay states to ``t_{k+1}`` (Euler). A link's signal is ``d_source`` (times
    ``1 / b_source`` for an elasticity), its effect ``w * L[signal]`` (``w``
    times ``b_target`` for an elasticity). Fixed delays read their signal back
    from ``d``. A shaped link's signal is ``f(b + d) - f(b)`` (:mod:`simulator.shapes`;
    ``wsig`` holds a saturation's weight, which is inside its shape, and ``w`` is 1
    for it; ``sparam[j, m * sstride]`` is a saturation's max or a threshold's
    level, ``sstride`` 0 when it is the same for every member). A capacity node
    (``capacity[i]`` 1 or 2) takes the smallest (largest) of its inputs' values
    instead (:func:`_capacity_value`; its inputs are never shaped). Branches sit
    outside the loops over members. (Compiled by numba; the coverage tool cannot
    see inside.)
    """
    n_times, n_nodes, n_members = d.shape
    n_links = source.size
    n_stocks = stocks.size
    # a tile's columns: no wider than the members (a deterministic run of 26,000 links would
    # otherwise zero 250 MB of tiles and use one column in 256)
    width = min(TILE, max(n_members, 1))
    out = np.zeros((n_links, width))  # each link's lagged signal L[s](t_k); exponential / 3rd-stage state
    y1 = np.zeros((n_links, width))  # first and second stage of third-order delays
    y2 = np.zeros((n_links, width))
    rate = np.zeros((n_links, width))  # dt / tau (exponential), dt / (tau / 3) (third order)
    steps = np.zeros((n_links, width), dtype=np.int64)  # fixed delays: steps back
    stock = np.zeros((n_stocks, width))  # stock deviations at t_{k+1}
    acc = np.zeros((1, width))  # a node's sum of effects
    y = np.zeros(width)
    stride = np.uint64(sstride)
    for start in range(0, n_members, TILE):
        # unsigned: an index ``first + m`` of signed integers could be negative for all numba knows, and
        # its wraparound check turned each contiguous load and store of the members into a gather
        first = np.uint64(start)
        nt = np.uint64(min(TILE, n_members - start))
        for j_link in range(n_links):
            code = delay[j_link]
            for m in range(nt):
                t = tau[j_link, first + m]
                if code == _EXPONENTIAL:  # simulator.delays.smoothing_rate and fixed_steps, inline
                    rate[j_link, m] = dt / t
                elif code == _THIRD_ORDER:
                    rate[j_link, m] = dt / (t / 3.0)
                elif code == _FIXED:
                    n = math.floor(t / dt + 0.5 + 1e-6)
                    steps[j_link, m] = 1 if n < 1.0 else int(n)
        for k in range(n_times):
            if k > 0:
                # 1. stocks and delay outputs at t_k
                for s in range(n_stocks):
                    i = stocks[s]
                    _clipped(d, k, i, first, stock, s, nt, bounded[i], base[k, i], lower[i], upper[i])
                for j_link in range(n_links):
                    if delay[j_link] != _FIXED:
                        continue
                    src = source[j_link]
                    code = shape[j_link]
                    if code != _NO_SHAPE:
                        lo, hi = tptr[j_link], tptr[j_link + 1]
                        for m in range(nt):
                            back = k - steps[j_link, m]
                            out[j_link, m] = (
                                _shaped(
                                    code,
                                    d[back, src, first + m],
                                    base[back, src],
                                    wsig[j_link, first + m],
                                    sparam[j_link, (first + m) * stride],
                                    tx,
                                    ty,
                                    lo,
                                    hi,
                                )
                                if back >= 0
                                else 0.0
                            )
                        continue
                    for m in range(nt):
                        back = k - steps[j_link, m]
                        out[j_link, m] = d[back, src, first + m] if back >= 0 else 0.0
                    if elastic[j_link]:
                        for m in range(nt):
                            back = k - steps[j_link, m]
                            if back >= 0:
                                out[j_link, m] = out[j_link, m] * src_scale[back, j_link]
                # 2. auxiliaries in evaluation order, each clipped
                for a in range(nodes.size):
                    i = nodes[a]
                    if capacity[i] != 0:  # a minimum / maximum node: its own block
                        _capacity_value(
                            acc,
                            d,
                            k,
                            i,
                            first,
                            nt,
                            w,
                            out,
                            base,
                            source,
                            capacity[i] == 1,
                            lagged_links[lagged_ptr[a] : lagged_ptr[a + 1]],
                            instant_links[instant_ptr[a] : instant_ptr[a + 1]],
                            u[k, i],
                        )
                        _clipped(d, k, i, first, acc, 0, nt, bounded[i], base[k, i], lower[i], upper[i])
                        continue
                    # pre = u + lagged effects (acc = 0, acc += each, acc = u + acc), then d = clip(pre + y), y = 0
                    # and y += each zero-lag effect: the same operations per member, in fewer passes over the tile
                    # (the first effect is added to 0.0, the intervention in the last effect's pass)
                    uk = u[k, i]
                    lag_first, lag_last = lagged_ptr[a], lagged_ptr[a + 1] - 1
                    if lag_last < lag_first:
                        for m in range(nt):
                            acc[0, m] = uk + 0.0
                    for p in range(lag_first, lag_last + 1):
                        j_link = lagged_links[p]
                        _add_lagged_pass(
                            acc,
                            w,
                            j_link,
                            first,
                            out,
                            nt,
                            elastic[j_link],
                            tgt_scale[k, j_link],
                            p == lag_first,
                            p == lag_last,
                            uk,
                        )
                    if add_instant[a]:  # (a level's flag: a node of it may have no zero-lag input, y = 0)
                        start = instant_ptr[a]
                        if start == instant_ptr[a + 1]:
                            for m in range(nt):
                                y[m] = 0.0
                        for p in range(start, instant_ptr[a + 1]):
                            j_link = instant_links[p]
                            src = source[j_link]
                            code = shape[j_link]
                            if code != _NO_SHAPE:
                                lo, hi, bs = tptr[j_link], tptr[j_link + 1], base[k, src]
                                if p == start:
                                    for m in range(nt):
                                        y[m] = 0.0
                                for m in range(nt):
                                    y[m] = y[m] + w[j_link, first + m] * _shaped(
                                        code,
                                        d[k, src, first + m],
                                        bs,
                                        wsig[j_link, first + m],
                                        sparam[j_link, (first + m) * stride],
                                        tx,
                                        ty,
                                        lo,
                                        hi,
                                    )
                            elif elastic[j_link]:
                                ts, ss = tgt_scale[k, j_link], src_scale[k, j_link]
                                if p == start:
                                    for m in range(nt):
                                        y[m] = 0.0 + ((w[j_link, first + m] * ts) * d[k, src, first + m]) * ss
                                else:
                                    for m in range(nt):
                                        y[m] = y[m] + ((w[j_link, first + m] * ts) * d[k, src, first + m]) * ss
                            elif p == start:
                                for m in range(nt):
                                    y[m] = 0.0 + w[j_link, first + m] * d[k, src, first + m]
                            else:
                                for m in range(nt):
                                    y[m] = y[m] + w[j_link, first + m] * d[k, src, first + m]
                        _clipped_sum(d, k, i, first, acc, y, nt, bounded[i], base[k, i], lower[i], upper[i])
                    else:
                        _clipped(d, k, i, first, acc, 0, nt, bounded[i], base[k, i], lower[i], upper[i])
            # signals at t_k: zero-lag outputs; at t_0 delay states start at the signal
            for j_link in range(n_links):
                code = delay[j_link]
                if k > 0 and code != _NONE:
                    continue
                if code == _FIXED:
                    for m in range(nt):
                        out[j_link, m] = 0.0
                    continue
                src = source[j_link]
                shape_code = shape[j_link]
                if shape_code != _NO_SHAPE:
                    lo, hi, bs = tptr[j_link], tptr[j_link + 1], base[k, src]
                    for m in range(nt):
                        out[j_link, m] = _shaped(
                            shape_code,
                            d[k, src, first + m],
                            bs,
                            wsig[j_link, first + m],
                            sparam[j_link, (first + m) * stride],
                            tx,
                            ty,
                            lo,
                            hi,
                        )
                else:
                    for m in range(nt):
                        out[j_link, m] = d[k, src, first + m]
                if elastic[j_link]:
                    ss = src_scale[k, j_link]
                    for m in range(nt):
                        out[j_link, m] = out[j_link, m] * ss
                if code == _THIRD_ORDER:
                    for m in range(nt):
                        y1[j_link, m] = out[j_link, m]
                        y2[j_link, m] = out[j_link, m]
            if k + 1 == n_times:
                break
            # 3. stocks and delay states to t_{k+1}, from values at t_k
            for s in range(n_stocks):
                i = stocks[s]
                for m in range(nt):
                    acc[0, m] = 0.0
                for p in range(stock_ptr[s], stock_ptr[s + 1]):
                    j_link = stock_links[p]
                    _add_lagged(acc, w, j_link, first, out, nt, elastic[j_link], tgt_scale[k, j_link])
                uk, dec = u[k, i], decay[s]
                for m in range(nt):
                    di = d[k, i, first + m]
                    stock[s, m] = di + dt * ((uk + acc[0, m]) - dec * di)
            for j_link in range(n_links):
                code = delay[j_link]
                if code != _EXPONENTIAL and code != _THIRD_ORDER:
                    continue
                src = source[j_link]
                shape_code = shape[j_link]
                if shape_code != _NO_SHAPE:  # the shaped signal at t_k into the smoother
                    lo, hi, bs = tptr[j_link], tptr[j_link + 1], base[k, src]
                    for m in range(nt):
                        y[m] = _shaped(
                            shape_code,
                            d[k, src, first + m],
                            bs,
                            wsig[j_link, first + m],
                            sparam[j_link, (first + m) * stride],
                            tx,
                            ty,
                            lo,
                            hi,
                        )
                    if code == _EXPONENTIAL:
                        for m in range(nt):
                            o = out[j_link, m]
                            out[j_link, m] = o + (y[m] - o) * rate[j_link, m]
                    else:
                        for m in range(nt):
                            r = rate[j_link, m]
                            o, a1, a2 = out[j_link, m], y1[j_link, m], y2[j_link, m]
                            out[j_link, m] = o + (a2 - o) * r
                            y2[j_link, m] = a2 + (a1 - a2) * r
                            y1[j_link, m] = a1 + (y[m] - a1) * r
                    continue
                ss = src_scale[k, j_link] if elastic[j_link] else 1.0  # x * 1.0 == x: exact
                if code == _EXPONENTIAL:
                    for m in range(nt):
                        o = out[j_link, m]
                        out[j_link, m] = o + (d[k, src, first + m] * ss - o) * rate[j_link, m]
                else:
                    for m in range(nt):
                        r = rate[j_link, m]
                        o, a1, a2 = out[j_link, m], y1[j_link, m], y2[j_link, m]
                        out[j_link, m] = o + (a2 - o) * r
                        y2[j_link, m] = a2 + (a1 - a2) * r
                        y1[j_link, m] = a1 + (d[k, src, first + m] * ss - a1) * r


def _initial_step(
    cm: CompiledModel, dk: np.ndarray, u0: np.ndarray, ew: np.ndarray, wsig: np.ndarray, spar: np.ndarray
) -> None:
    """Values at ``t_0``: stocks at zero deviation, lags passing their input through.

    ``ew`` is each link's factor of its signal (times ``b_target`` for an elasticity), ``wsig`` its weight."""
    if cm.initial_levels is None:
        if cm.capacity.any():
            _solve_initial_capacity(cm, dk, u0, ew, wsig, spar)
        else:
            _solve_initial(cm, dk, u0, ew, wsig, spar)
        return
    pre = np.where(cm.is_stock, 0.0, u0)[:, None] + np.zeros(dk.shape)
    dk[cm.is_stock] = 0.0
    _clip(cm, dk, np.flatnonzero(cm.is_stock & (np.isfinite(cm.lower) | np.isfinite(cm.upper))), 0)
    bounded = set(cm.bounded.tolist())
    level_bounds = [np.array([n for n in lv.nodes if n in bounded], dtype=int) for lv in cm.initial_levels]
    _evaluate_levels(
        cm, cm.initial_levels, level_bounds, dk, pre, ew, 0, [_csr(lv) for lv in cm.initial_levels], wsig, spar
    )


def _check_finite(cm: CompiledModel, d: np.ndarray) -> None:
    """Raise :class:`NumericalError` at the first non-finite value (earliest time)."""
    bad = ~np.isfinite(d)
    if not bad.any():
        return
    k, node, member = np.argwhere(bad)[0]
    raise NumericalError(
        cm.node_ids[node],
        float(cm.times[k]),
        int(member) if d.shape[2] > 1 else None,
        "check weights and lags of the loops through this node",
    )
