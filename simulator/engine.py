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


def _csr(gather: np.ndarray) -> sparse.csr_array:
    """A 0/1 gather matrix as CSR.

    Why: one thread and no BLAS; each target's sum is taken in link order
    whatever the number of members, so a member's result never depends on how
    many members share the call (and it is about 2x faster than a dense matmul
    for thousands of members, see STACK.md).
    """
    return sparse.csr_array(gather)


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
    straight through at ``t_0``). Bounds are applied after the solve.
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
    _clip(cm, dk, cm.bounded, 0)


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
    """The time loop. Long on purpose: one place holds the order of a step (ENGINE.md)."""
    n_times, n_nodes = cm.baselines.shape
    n_members, dt = w.shape[1], cm.dt
    d = np.zeros((n_times, n_nodes, n_members))
    exp_i, thr_i, fix_i = cm.links_of("exponential"), cm.links_of("third_order"), cm.links_of("fixed")
    lagged = np.concatenate([exp_i, thr_i, fix_i])
    gather_lagged = _csr(cm.gather_all[:, lagged])
    stock_i = np.flatnonzero(cm.is_stock)
    gather_stock, decay = _csr(cm.gather_all[stock_i]), cm.decay[stock_i][:, None]
    level_gathers = [_csr(lv.gather) for lv in cm.levels]
    bounded = set(cm.bounded.tolist())
    level_bounds = [np.array([n for n in lv.nodes if n in bounded], dtype=int) for lv in cm.levels]
    stock_bounds = np.array([n for n in stock_i if n in bounded], dtype=int)
    rate_exp = dt / tau[exp_i]
    rate_thr = dt / (tau[thr_i] / 3.0)
    n_fixed = fixed_steps(tau[fix_i], dt)
    history = np.zeros((n_times, fix_i.size, n_members))
    rows, cols = np.arange(fix_i.size)[:, None], np.arange(n_members)[None, :]
    out = np.zeros(w.shape)
    stock_state = np.zeros((stock_i.size, n_members))
    y_exp = y1 = y2 = y3 = None
    for k in range(n_times):
        dk = d[k]
        ew = w * cm.tgt_scale[k][:, None]
        if k == 0:
            _initial_step(cm, dk, u[0], ew)
        else:
            out[exp_i], out[thr_i] = y_exp, y3
            if fix_i.size:
                back = k - n_fixed
                out[fix_i] = np.where(back >= 0, history[np.maximum(back, 0), rows, cols], 0.0)
            dk[stock_i] = stock_state
            _clip(cm, dk, stock_bounds, k)
            pre = u[k][:, None] + gather_lagged @ (ew[lagged] * out[lagged])
            _evaluate_levels(cm, cm.levels, level_bounds, dk, pre, ew, k, level_gathers)
        signal = dk[cm.source] * cm.src_scale[k][:, None]
        if k == 0:
            y_exp, y1, y2, y3 = signal[exp_i], signal[thr_i], signal[thr_i].copy(), signal[thr_i].copy()
            out[:] = signal
            out[fix_i] = 0.0
        history[k] = signal[fix_i]
        out[cm.delay == 0] = signal[cm.delay == 0]
        if k + 1 == n_times:
            break
        inflow = u[k][stock_i][:, None] + gather_stock @ (ew * out) - decay * dk[stock_i]
        stock_state = dk[stock_i] + dt * inflow
        y_exp = y_exp + (signal[exp_i] - y_exp) * rate_exp
        y3 = y3 + (y2 - y3) * rate_thr
        y2 = y2 + (y1 - y2) * rate_thr
        y1 = y1 + (signal[thr_i] - y1) * rate_thr
    return d


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
