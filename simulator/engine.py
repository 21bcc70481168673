"""The simulation core: Euler integration of deviations, all members at once.

Semantics are those of ENGINE.md (and so of Vensim / PySD): deviation form,
``linear`` and ``elasticity`` links, ``none`` / ``fixed`` / ``exponential`` /
``third_order`` lags, stocks with decay, bounds. Ensemble members are the last
array axis, so one call runs any number of parameter sets as one array
computation; there is no Python loop over nodes or members, only over time
steps and over the few evaluation levels of the zero-lag graph.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from simulator.compiler import CompiledModel, Level
from simulator.errors import NumericalError


def fixed_steps(tau: np.ndarray, dt: float) -> np.ndarray:
    """Steps of a fixed delay: ``max(1, round(tau / dt))``, halves rounded up (as Vensim and PySD)."""
    return np.maximum(1, np.floor(np.asarray(tau) / dt + 0.5 + 1e-6)).astype(int)


def _as_members(values: np.ndarray | None, central: np.ndarray, n_members: int) -> np.ndarray:
    """Link parameters as shape ``(L, M)``."""
    if values is None:
        return np.repeat(central[:, None], n_members, axis=1)
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    return np.broadcast_to(values, (central.size, n_members))


try:  # the kernel scipy's own ``csr @ dense`` calls, without its per-call checks
    from scipy.sparse._sparsetools import csr_matvecs as _csr_matvecs
except ImportError:  # pragma: no cover - a future scipy may move it; the public path is the same sum
    _csr_matvecs = None


class _Gather:
    """Sums link effects into their targets: ``y[i] = sum_j G[i, j] x[j]`` with a 0/1 ``G``.

    Why CSR: one thread and no BLAS; each target's sum is taken in the order of
    the columns, whatever the number of members, so a member's result never
    depends on how many members share the call (and it is faster than a dense
    matmul for thousands of members, see STACK.md).
    """

    def __init__(self, gather: np.ndarray):
        self.matrix = sparse.csr_array(gather)
        self.n_rows, self.n_cols = gather.shape

    def __matmul__(self, x: np.ndarray) -> np.ndarray:
        if _csr_matvecs is None:
            return self.matrix @ x
        m = self.matrix
        if not x.flags.c_contiguous:
            x = np.ascontiguousarray(x)
        y = np.zeros((self.n_rows, x.shape[1]))
        _csr_matvecs(self.n_rows, self.n_cols, x.shape[1], m.indptr, m.indices, m.data, x, y)
        return y


def _csr(gather: np.ndarray) -> _Gather:
    """A 0/1 gather matrix, applied as CSR (see :class:`_Gather`)."""
    return _Gather(gather)


class _Bounds:
    """Clips the value ``b + d`` of some nodes into their bounds, in place (as :func:`_clip`).

    Bounds and baselines are gathered once per run; ``maximum`` then
    ``minimum`` is exactly what ``np.clip`` computes, with less overhead per step.
    """

    def __init__(self, cm: CompiledModel, nodes: np.ndarray):
        self.nodes = np.asarray(nodes, dtype=int)
        self.base = cm.baselines[:, self.nodes]
        self.lower, self.upper = cm.lower[self.nodes][:, None], cm.upper[self.nodes][:, None]

    def __call__(self, dk: np.ndarray, k: int) -> None:
        if self.nodes.size:
            b = self.base[k, :, None]
            dk[self.nodes] = np.minimum(np.maximum(b + dk[self.nodes], self.lower), self.upper) - b


def _clip(cm: CompiledModel, dk: np.ndarray, nodes: np.ndarray, k: int) -> None:
    """Clip the value ``b + d`` of bounded ``nodes`` into their bounds, in place."""
    if nodes.size:
        b = cm.baselines[k, nodes][:, None]
        dk[nodes] = np.clip(b + dk[nodes], cm.lower[nodes][:, None], cm.upper[nodes][:, None]) - b


def _evaluate_levels(cm: CompiledModel, levels: tuple[Level, ...], bounded: list[np.ndarray],
                     dk: np.ndarray, pre: np.ndarray, ew: np.ndarray, k: int,
                     gathers: list[sparse.csr_array]) -> None:
    """Evaluate auxiliaries level by level: ``d = pre + sum of instant link effects``, then clip."""
    scale = cm.src_scale[k]
    for level, clip_nodes, gather in zip(levels, bounded, gathers):
        value = pre[level.nodes]
        if level.links.size:
            links = level.links
            value = value + gather @ (ew[links] * dk[cm.source[links]] * scale[links][:, None])
        dk[level.nodes] = value
        _clip(cm, dk, clip_nodes, k)


def _solve_initial(cm: CompiledModel, dk: np.ndarray, u0: np.ndarray, ew: np.ndarray) -> None:
    """``t_0`` when the pass-through graph has a cycle: solve ``(I - G) d = u`` per member.

    ``G`` holds every non-fixed link into an auxiliary (lags pass their input
    straight through at ``t_0``). Bounds hold before anything reads them: a node
    that the solve puts outside its bounds is fixed at the bound and the rest is
    solved again (:func:`_solve_bounded`), so ``d = clip(u + G d)``.
    """
    n, m = dk.shape
    links = np.flatnonzero((cm.delay != 1) & ~cm.is_stock[cm.target])
    g = np.zeros((m, n, n))
    coef = (ew[links] * cm.src_scale[0, links][:, None]).T  # (M, l)
    # (target, source) pairs are unique (duplicate links are refused), so a plain
    # assignment equals np.add.at on zeros, and is much faster
    g[:, cm.target[links], cm.source[links]] = coef
    rhs = np.where(cm.is_stock[:, None], 0.0, u0[:, None] + np.zeros((n, m)))
    a = np.eye(n)[None] - g
    try:
        dk[:] = np.linalg.solve(a, rhs.T[..., None])[..., 0].T
    except np.linalg.LinAlgError:
        for j in range(m):
            dk[:, j] = _solve_or_nan(a[j], rhs[:, j])
    unclipped = dk.copy()
    _clip(cm, dk, cm.bounded, 0)
    for j in np.flatnonzero(np.any(dk != unclipped, axis=0)):  # only members where a bound binds
        dk[:, j] = _solve_bounded(cm, a[j], rhs[:, j], unclipped[:, j])
    _clip(cm, dk, cm.bounded, 0)


def _solve_bounded(cm: CompiledModel, a: np.ndarray, rhs: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``a x = rhs`` with every node the solution puts outside its bounds held at the bound.

    Adds the nodes that leave their bounds one round at a time (at most one round
    per bounded node), so that no node reads a value its neighbour will not have.
    """
    a, rhs, held = a.copy(), rhs.copy(), np.zeros(x.size, dtype=bool)
    base = cm.baselines[0]
    for _ in range(cm.bounded.size):
        value = base + x
        leaving = ((value < cm.lower) | (value > cm.upper)) & ~held  # not clip(x) != x: rounding
        if not leaving.any():
            break
        held |= leaving
        rows = np.flatnonzero(leaving)
        a[rows] = 0.0
        a[rows, rows] = 1.0
        rhs[rows] = np.clip(value[rows], cm.lower[rows], cm.upper[rows]) - base[rows]
        x = _solve_or_nan(a, rhs)
    return x


def _solve_or_nan(a: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Solve ``a x = rhs``; when ``a`` is singular (a loop gain of exactly 1), NaN on the
    loop's nodes and 0 elsewhere, so that the run reports them as a :class:`NumericalError`."""
    try:
        return np.linalg.solve(a, rhs)
    except np.linalg.LinAlgError:
        null = np.linalg.svd(a)[2][-1]  # spans the directions the loop leaves undetermined
        return np.where(np.abs(null) > 1e-9, np.nan, 0.0)


def simulate(cm: CompiledModel, u: np.ndarray, weights: np.ndarray | None = None,
             lags: np.ndarray | None = None, check_finite: bool = True) -> np.ndarray:
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

    Returns
    -------
    ndarray, shape (K + 1, N, M)
        ``d_i(t_k)`` per member, in node units. ``M`` is 1 for a deterministic run.

    Raises
    ------
    NumericalError
        When a value becomes non-finite; names the node, the time and the member.
    """
    n_members = max(1 if weights is None else np.atleast_2d(weights.T).shape[0],
                    1 if lags is None else np.atleast_2d(lags.T).shape[0])
    w = _as_members(weights, cm.weight, n_members)
    tau = _as_members(lags, cm.lag, n_members)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        d = _integrate(cm, np.asarray(u, dtype=float), w, tau)
    if check_finite:
        _check_finite(cm, d)
    return d


def _integrate(cm: CompiledModel, u: np.ndarray, w: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """The time loop. Long on purpose: one place holds the order of a step (ENGINE.md).

    Links are kept permuted by delay type (exponential, third-order, fixed,
    none) so that each group is a contiguous slice: no copies per step. Every
    sum still runs over links in the same order as in the file-ordered
    formulation, so the numbers are the same, bit for bit.
    """
    n_times, n_nodes = cm.baselines.shape
    n_members, dt = w.shape[1], cm.dt
    d = np.zeros((n_times, n_nodes, n_members))
    exp_i, thr_i, fix_i = cm.links_of("exponential"), cm.links_of("third_order"), cm.links_of("fixed")
    perm = np.concatenate([exp_i, thr_i, fix_i, cm.links_of("none")])
    inv = np.empty_like(perm)
    inv[perm] = np.arange(perm.size)
    n_exp, n_thr, n_lag = exp_i.size, thr_i.size, exp_i.size + thr_i.size + fix_i.size
    E, T, F, Z = slice(0, n_exp), slice(n_exp, n_exp + n_thr), slice(n_exp + n_thr, n_lag), slice(n_lag, None)
    wp, source = np.ascontiguousarray(w[perm]), cm.source[perm]
    elastic = np.flatnonzero(cm.elastic[perm])
    tgt_scale, src_scale = cm.tgt_scale[:, perm[elastic]], cm.src_scale[:, perm[elastic]]
    gather_lagged = _csr(cm.gather_all[:, perm[:n_lag]])
    stock_i = np.flatnonzero(cm.is_stock)
    into_stock = np.flatnonzero(cm.is_stock[cm.target])  # file order: the sums' order
    gather_stock, stock_pos = _csr(cm.gather_all[np.ix_(stock_i, into_stock)]), inv[into_stock]
    decay = cm.decay[stock_i][:, None]
    levels = _permuted_levels(cm, inv)
    bounded = set(cm.bounded.tolist())
    level_bounds = [_Bounds(cm, [n for n in lv.nodes if n in bounded]) for lv in cm.levels]
    clip_stocks = _Bounds(cm, [n for n in stock_i if n in bounded])
    taup = tau[perm]
    rate_exp = dt / taup[E]
    rate_thr = dt / (taup[T] / 3.0)
    n_fixed = fixed_steps(taup[F], dt)
    history = np.zeros((n_times, fix_i.size, n_members))
    rows, cols = np.arange(fix_i.size)[:, None], np.arange(n_members)[None, :]
    out = np.zeros(wp.shape)  # link outputs; out[E] and out[T] hold the exponential and 3rd stage states
    ew = wp.copy()  # weights times the target's baseline (elasticities); w itself elsewhere
    stock_state = np.zeros((stock_i.size, n_members))
    y1 = y2 = None
    for k in range(n_times):
        dk = d[k]
        if elastic.size:
            ew[elastic] = wp[elastic] * tgt_scale[k][:, None]
        if k == 0:
            _initial_step(cm, dk, u[0], ew[inv])
        else:
            if fix_i.size:
                back = k - n_fixed
                out[F] = np.where(back >= 0, history[np.maximum(back, 0), rows, cols], 0.0)
            dk[stock_i] = stock_state
            clip_stocks(dk, k)
            pre = u[k][:, None] + gather_lagged @ (ew[:n_lag] * out[:n_lag])
            _step_levels(cm, levels, level_bounds, dk, pre, ew, k)
        signal = dk[source]
        if elastic.size:
            signal[elastic] *= src_scale[k][:, None]
        if k == 0:
            y1, y2 = signal[T].copy(), signal[T].copy()
            out[:] = signal
            out[F] = 0.0
        if fix_i.size:
            history[k] = signal[F]
        out[Z] = signal[Z]
        if k + 1 == n_times:
            break
        if stock_i.size:
            inflow = u[k][stock_i][:, None] + gather_stock @ (ew[stock_pos] * out[stock_pos]) - decay * dk[stock_i]
            stock_state = dk[stock_i] + dt * inflow
        out[E] += (signal[E] - out[E]) * rate_exp
        out[T] += (y2 - out[T]) * rate_thr
        y2 += (y1 - y2) * rate_thr
        y1 += (signal[T] - y1) * rate_thr
    return d


def _permuted_levels(cm: CompiledModel, inv: np.ndarray) -> list[tuple[Level, np.ndarray, _Gather, bool]]:
    """Per level: the level, its links' positions in the permuted order, its gather, any elasticity."""
    return [(lv, inv[lv.links], _csr(lv.gather), bool(cm.elastic[lv.links].any())) for lv in cm.levels]


def _step_levels(cm: CompiledModel, levels: list[tuple[Level, np.ndarray, _Gather, bool]],
                 bounded: list[_Bounds], dk: np.ndarray, pre: np.ndarray, ew: np.ndarray, k: int) -> None:
    """:func:`_evaluate_levels` for ``k >= 1`` on permuted link arrays (a scale of 1 is skipped: exact)."""
    scale = cm.src_scale[k]
    for (level, pos, gather, elastic), clip in zip(levels, bounded):
        value = pre[level.nodes]
        if pos.size:
            effect = ew[pos] * dk[cm.source[level.links]]
            if elastic:
                effect *= scale[level.links][:, None]
            value = value + gather @ effect
        dk[level.nodes] = value
        clip(dk, k)


def _initial_step(cm: CompiledModel, dk: np.ndarray, u0: np.ndarray, ew: np.ndarray) -> None:
    """Values at ``t_0``: stocks at zero deviation, lags passing their input through."""
    if cm.initial_levels is None:
        _solve_initial(cm, dk, u0, ew)
        return
    pre = np.where(cm.is_stock, 0.0, u0)[:, None] + np.zeros(dk.shape)
    dk[cm.is_stock] = 0.0
    _clip(cm, dk, np.flatnonzero(cm.is_stock & (np.isfinite(cm.lower) | np.isfinite(cm.upper))), 0)
    bounded = set(cm.bounded.tolist())
    level_bounds = [np.array([n for n in lv.nodes if n in bounded], dtype=int) for lv in cm.initial_levels]
    _evaluate_levels(cm, cm.initial_levels, level_bounds, dk, pre, ew, 0,
                     [_csr(lv.gather) for lv in cm.initial_levels])


def _check_finite(cm: CompiledModel, d: np.ndarray) -> None:
    """Raise :class:`NumericalError` at the first non-finite value (earliest time)."""
    bad = ~np.isfinite(d)
    if not bad.any():
        return
    k, node, member = np.argwhere(bad)[0]
    raise NumericalError(cm.node_ids[node], float(cm.times[k]), int(member) if d.shape[2] > 1 else None,
                         "check weights and lags of the loops through this node")
