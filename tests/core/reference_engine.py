"""A slow, obviously correct implementation of ENGINE.md, for testing the fast engine.

One Python loop over time steps, nodes and links, reading the model spec
directly (not the compiled arrays), with no vectorisation, so that each line can
be checked against a sentence of ENGINE.md. Only the ``t_0`` step of a cycle of
pass-through lags needs a linear solve (the engine's documented rule). The delay
types and link shapes are written out here from their definitions in
:mod:`simulator.delays` and :mod:`simulator.shapes` (on purpose not calling them:
this engine is the independent check of those formulas).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from simulator.baselines import baseline_path
from simulator.spec import ModelSpec, TimeSpec


def reference_simulate(  # noqa: C901 (literal on purpose)
    model: ModelSpec,
    time: TimeSpec,
    u: np.ndarray,
    weights: list[float] | None = None,
    lags: list[float] | None = None,
    shape_parameters: list[float] | None = None,
) -> np.ndarray:
    """Deviations ``d`` of shape (K + 1, N) for inputs ``u`` of shape (K + 1, N).

    ``weights``, ``lags`` and ``shape_parameters`` (a saturation's max or a threshold's level; one per
    link, file order) default to the central values.
    """
    ids = [n.id for n in model.nodes]
    pos = {node_id: i for i, node_id in enumerate(ids)}
    n_times = time.n_steps + 1
    times = [time.start + k * time.dt for k in range(n_times)]
    dt = time.dt
    links = model.links
    base = [_baselines_at(model, t, time.start) for t in times]
    w = [lk.weight.central for lk in links] if weights is None else list(weights)
    tau = [lk.lag.central for lk in links] if lags is None else list(lags)
    kind = {n.id: n.kind for n in model.nodes}
    central = [getattr(lk.shape, "max", None) or getattr(lk.shape, "level", None) for lk in links]
    par = [0.0 if c is None else c.central for c in central] if shape_parameters is None else list(shape_parameters)
    lower = {n.id: -math.inf if n.min is None else n.min for n in model.nodes}
    upper = {n.id: math.inf if n.max is None else n.max for n in model.nodes}

    def clip(node_id: str, k: int, value: float) -> float:
        b = base[k][pos[node_id]]
        return min(max(b + value, lower[node_id]), upper[node_id]) - b

    def signal(j: int, d_k: dict[str, float], k: int) -> float:
        """The link's input: ``d_j``, or ``d_j / b_j`` for an elasticity; ``f(b + d) - f(b)`` for a shape
        (a saturation's ``max * (1 - exp(-w d / max))``)."""
        s = d_k[links[j].source]
        shape = links[j].shape
        b = base[k][pos[links[j].source]]
        if shape is None:
            return s / b if links[j].form == "elasticity" else s
        if shape.kind == "saturation":
            return par[j] * (1.0 - math.exp(-w[j] * s / par[j]))
        if shape.kind == "lookup":
            return _table(shape.points, b + s) - _table(shape.points, b)
        if shape.side == "above":
            return max(0.0, b + s - par[j]) - max(0.0, b - par[j])
        return max(0.0, par[j] - b - s) - max(0.0, par[j] - b)

    def effect(j: int, lagged_signal: float, k: int) -> float:
        """``e_ji = w * L[s]``, times ``b_i(t)`` for an elasticity; ``L[s]`` for a saturation."""
        if links[j].shape is not None and links[j].shape.kind == "saturation":
            return lagged_signal
        scale = base[k][pos[links[j].target]] if links[j].form == "elasticity" else 1.0
        return w[j] * lagged_signal * scale

    d = np.zeros((n_times, len(ids)))
    history: dict[int, list[float]] = {j: [] for j in range(len(links))}  # signals of fixed links
    state: dict[int, list[float]] = {}  # exponential: [y]; third order: [y1, y2, y3]
    stock_next = {node_id: 0.0 for node_id in ids if kind[node_id] == "stock"}
    for k in range(n_times):
        d_k: dict[str, float] = {}
        # 1. delay outputs and stock values at t_k
        lag_out: dict[int, float] = {}
        for j, lk in enumerate(links):
            if lk.delay == "fixed":
                n = max(1, math.floor(tau[j] / dt + 0.5 + 1e-6))
                lag_out[j] = history[j][k - n] if k - n >= 0 else 0.0
            elif k > 0 and lk.delay == "exponential":
                lag_out[j] = state[j][0]
            elif k > 0 and lk.delay == "third_order":
                lag_out[j] = state[j][2]
        for node_id in stock_next:
            d_k[node_id] = clip(node_id, k, stock_next[node_id])
        # 2.-3. auxiliaries in dependency order, each clipped as soon as it is known
        instant = [j for j, lk in enumerate(links) if j not in lag_out and kind[lk.target] != "stock"]
        value_in = functools.partial(_input_value, links, w, base, k)
        if not _evaluate_recursively(
            ids, kind, links, instant, lag_out, u[k], d_k, k, signal, effect, clip, value_in, base
        ):
            _solve_cycle(
                ids, pos, kind, links, instant, lag_out, u[k], d_k, k, signal, effect, clip, base, lower, upper, w
            )
        for i, node_id in enumerate(ids):
            d[k, i] = d_k[node_id]
        # link signals now known; zero-lag and t_0 pass-through outputs
        sig = [signal(j, d_k, k) for j in range(len(links))]
        for j, lk in enumerate(links):
            if lk.delay == "fixed":
                history[j].append(sig[j])
            if j not in lag_out:
                lag_out[j] = sig[j]
            if k == 0 and lk.delay == "exponential":
                state[j] = [sig[j]]
            if k == 0 and lk.delay == "third_order":
                state[j] = [sig[j], sig[j], sig[j]]
        # 4. advance stocks and delay states to t_{k+1}
        for node_id in stock_next:
            inflow = u[k][pos[node_id]] - model.node(node_id).decay * d_k[node_id]
            for j, lk in enumerate(links):
                if lk.target == node_id:
                    inflow += effect(j, lag_out[j], k)
            stock_next[node_id] = d_k[node_id] + dt * inflow
        for j, lk in enumerate(links):
            if lk.delay == "exponential":
                y = state[j][0]
                state[j] = [y + dt * (sig[j] - y) / tau[j]]
            elif lk.delay == "third_order":
                y1, y2, y3 = state[j]
                stage = tau[j] / 3.0
                state[j] = [y1 + dt * (sig[j] - y1) / stage, y2 + dt * (y1 - y2) / stage, y3 + dt * (y2 - y3) / stage]
    return d


def _table(points: list[tuple[float, float]], x: float) -> float:
    """Piecewise-linear table: the first or last ``y`` beyond the ends (Vensim's rule)."""
    if x <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]


def _baselines_at(model: ModelSpec, t: float, start: float) -> list[float]:
    """Every node's baseline at ``t``; a minimum (maximum) node's is the smallest (largest) of
    ``w_j * b_j(t)`` over its links (ENGINE.md, capacity nodes), found depth first."""
    by_id = {n.id: n for n in model.nodes}
    known: dict[str, float] = {}

    def value(node_id: str) -> float:
        if node_id not in known:
            node = by_id[node_id]
            if node.kind in ("minimum", "maximum"):
                inputs = [lk.weight.central * value(lk.source) for lk in model.links if lk.target == node_id]
                known[node_id] = min(inputs) if node.kind == "minimum" else max(inputs)
            else:
                known[node_id] = float(baseline_path(node.baseline, np.array([t]), start)[0])
        return known[node_id]

    return [value(n.id) for n in model.nodes]


def _input_value(links, w, base, k, j: int, lagged_deviation: float, pos: dict[str, int]) -> float:
    """A capacity node's input through link ``j``: ``w * (b_source + L[d_source])``."""
    return w[j] * (base[k][pos[links[j].source]] + lagged_deviation)


def _evaluate_recursively(  # noqa: C901
    ids,
    kind,
    links,
    instant,
    lag_out,
    u_k,
    d_k,
    k,
    signal,
    effect,
    clip,
    value_in,
    base,
) -> bool:
    """Evaluate auxiliaries (and capacity nodes) depth first; False when the instant links form a cycle."""
    pos = {node_id: i for i, node_id in enumerate(ids)}
    busy: set[str] = set()

    def value(node_id: str) -> float | None:
        if node_id in d_k:
            return d_k[node_id]
        if node_id in busy:
            return None
        busy.add(node_id)
        if kind[node_id] in ("minimum", "maximum"):
            inputs = []
            for j, lk in enumerate(links):
                if lk.target != node_id:
                    continue
                if j in instant:
                    if value(lk.source) is None:
                        return None
                    inputs.append(value_in(j, d_k[lk.source], pos))
                else:
                    inputs.append(value_in(j, lag_out[j], pos))
            chosen = min(inputs) if kind[node_id] == "minimum" else max(inputs)
            d_k[node_id] = clip(node_id, k, chosen - base[k][pos[node_id]] + u_k[pos[node_id]])
            return d_k[node_id]
        total = u_k[pos[node_id]]
        for j, lk in enumerate(links):
            if lk.target != node_id:
                continue
            if j in instant:
                if value(lk.source) is None:
                    return None
                total += effect(j, signal(j, d_k, k), k)
            else:
                total += effect(j, lag_out[j], k)
        d_k[node_id] = clip(node_id, k, total)
        return d_k[node_id]

    for node_id in ids:
        if kind[node_id] != "stock" and value(node_id) is None:
            return False
    return True


def _solve_cycle(  # noqa: C901
    ids,
    pos,
    kind,
    links,
    instant,
    lag_out,
    u_k,
    d_k,
    k,
    signal,
    effect,
    clip,
    base,
    lower,
    upper,
    w,
) -> None:
    """``t_0`` with a cycle of pass-through links: solve ``d = clip(u + G d)`` for the auxiliaries.

    Solve the linear system; hold every node the solution puts outside its bounds at
    the bound and solve again, until no further node leaves its bounds. A capacity
    node (in the cycle or not) is the row of its active
    input (first the baseline's smallest, or largest); when the solution makes
    another input the smallest (largest), that one becomes active and all is solved
    again (an active set, as the engine's; here for all auxiliaries as one dense system).
    A shaped link (never on the cycle, never into a capacity node) adds its effect at
    the previous solution to the right-hand side, and the solve is repeated until the
    solution no longer changes.
    """
    import networkx as nx

    aux = [node_id for node_id in ids if kind[node_id] != "stock"]
    row = {node_id: r for r, node_id in enumerate(aux)}
    # a link between two strongly connected groups reads its source's clipped value (bounds hold before
    # anything reads a node), at the previous round's solution; only links inside a group are solved together
    graph = nx.DiGraph()
    graph.add_nodes_from(aux)
    graph.add_edges_from(
        (links[j].source, links[j].target) for j in instant if links[j].source in row and links[j].target in row
    )
    group = {node_id: g for g, members in enumerate(nx.strongly_connected_components(graph)) for node_id in members}
    held: dict[str, float] = {}
    into = {c: [j for j, lk in enumerate(links) if lk.target == c] for c in aux if kind[c] in ("minimum", "maximum")}

    def pick(c: str, values: list[float]) -> int:
        best = min(values) if kind[c] == "minimum" else max(values)
        return into[c][values.index(best)]

    active = {c: pick(c, [w[j] * base[k][pos[links[j].source]] for j in js]) for c, js in into.items()}
    guess = {node_id: 0.0 for node_id in aux} | {n: d_k[n] for n in d_k}
    rounds = 0
    for _ in range(1000):  # a bound held or an input switched per round; far fewer rounds in practice
        a = np.eye(len(aux))
        rhs = np.array([held.get(node_id, u_k[pos[node_id]]) for node_id in aux], dtype=float)
        for c, j in active.items():
            if c in held:
                continue
            source = links[j].source
            rhs[row[c]] += w[j] * base[k][pos[source]] - base[k][pos[c]]
            if j not in instant:
                rhs[row[c]] += w[j] * lag_out[j]
            elif source in row:
                a[row[c], row[source]] -= w[j]
            else:
                rhs[row[c]] += w[j] * d_k[source]
        for j, lk in enumerate(links):
            if lk.target not in row or lk.target in held or lk.target in into:
                continue
            if j in instant and lk.source in row and (lk.shape is not None or group[lk.source] != group[lk.target]):
                rhs[row[lk.target]] += effect(
                    j, signal(j, {**guess, lk.source: clip(lk.source, k, guess[lk.source])}, k), k
                )
            elif j in instant and lk.source in row:
                probe = {lk.source: 1.0}
                a[row[lk.target], row[lk.source]] -= effect(j, signal(j, probe, k), k)
            elif j in instant:
                rhs[row[lk.target]] += effect(j, signal(j, d_k, k), k)
            else:
                rhs[row[lk.target]] += effect(j, lag_out[j], k)
        solution = {node_id: float(x) for node_id, x in zip(aux, np.linalg.solve(a, rhs), strict=True)}
        known = {**d_k, **{n: clip(n, k, x) for n, x in solution.items()}}
        changed = {}
        for c, js in into.items():
            values = [
                w[j] * (base[k][pos[links[j].source]] + (known[links[j].source] if j in instant else lag_out[j]))
                for j in js
            ]
            best = min(values) if kind[c] == "minimum" else max(values)
            if c not in held and values[js.index(active[c])] != best:
                changed[c] = pick(c, values)
        if changed:
            active.update(changed)
            continue
        clipped = {node_id: clip(node_id, k, x) for node_id, x in solution.items()}
        rounds += 1
        if any(clipped[n] != guess[n] for n in aux) and rounds < 4 * len(aux) + 4:
            guess |= clipped
            continue
        leaving = {
            node_id: clip(node_id, k, x)
            for node_id, x in solution.items()
            if node_id not in held and not lower[node_id] <= base[k][pos[node_id]] + x <= upper[node_id]
        }
        if not leaving:
            break
        held.update(leaving)
    else:
        raise RuntimeError("the reference t_0 solve did not settle")
    for node_id in aux:
        d_k[node_id] = clip(node_id, k, solution[node_id])
