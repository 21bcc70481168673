"""Causal tracing: through which links and paths a node's deviation came.

Everything here replays the engine's own arithmetic (ENGINE.md) on a recorded
run ``d``, so the parts are exact, not estimated.

**Incoming links.** A link ``j -> i`` adds ``e_ji(t) = w * L[s_j](t)`` (times
``b_i(t)`` and with ``s_j = d_j / b_j`` for elasticities) to an auxiliary, and
the same as a flow to a stock. :func:`link_effects` recomputes every ``e_ji``
from ``d`` by running the lag operators on the recorded source deviations.
:func:`incoming` splits ``d_i(t)`` into the intervention on ``i``, one part per
incoming link and a ``bounds`` part; for a stock each part is integrated with
the stock's Euler step and decay, so the parts add up to ``d_i(t)`` exactly.
The ``bounds`` part is what clipping to ``min``/``max`` removed; it is 0 (to
rounding) when no bound binds.

**Paths.** The engine is linear in ``d`` when no bound binds (elasticities
use the baselines, not the changed values), and each link is a linear, causal
operator (lag, weight, integration into a stock). Walking back from the target
along simple paths, every node's deviation is split the same way (own
intervention, bounds part, incoming links). A link from a node that is already
on the path is not followed: its part is kept as one ``feedback`` term, the
*whole* deviation of that node carried around the loop it closes and on to the
target. :func:`trace_paths` lists these parts: ``path`` (an intervention
carried along a simple path: the open-loop effect), ``feedback`` (what a loop
added or took away) and ``bounds``. They add up to the deviation exactly
(``other`` holds the rounding, or the rest when the list was cut at
``max_terms``). Summing the feedback terms per loop (:func:`loop_parts`) says
how much of a node's deviation each loop carried. With bounds that bind, the
parts are exact too, but the ``bounds`` terms then carry what clipping removed
at each node.

**Capacity nodes** (``kind: minimum`` / ``maximum``). Their deviation is
``d_i = (v_a - b_i) + u_i``, with ``v_j = w_j (b_j + L[d_j])`` the inputs'
values and ``a`` the *active* input at that time (the smallest, or largest;
ties: the first link in file order). It is split into the active link's part
``w_a L[d_a]`` (carried like a linear link's effect, while it is active; an
inactive input carries nothing), a ``switch`` part ``w_a b_a - b_i`` (the gap
between the active input's baseline value and the node's baseline, the smallest
or largest of them all: non-zero only while the active input differs from the
baseline's) and the intervention on ``i``. The ``switch`` part is carried on
along paths like a ``bounds`` part, so the parts still add up to the deviation
exactly. The attribution is at the run: which input is active is read from the
recorded run, time by time.

**Shaped links** (lookup, saturation, threshold: :mod:`simulator.shapes`) are
not linear, so a path's part through one needs a rule. The one used is
*proportional attribution at each time*: a shaped link whose source has the
deviation ``d_j(t)`` passes on the signal ``s(t) = f(b + d_j) - f(b)``, and
every part ``x`` of ``d_j(t)`` is carried on as ``x * s(t) / d_j(t)`` (at
``d_j(t) = 0``, where all parts sum to 0, at the slope ``f'(b)``). The parts of
the source then sum to the link's signal exactly, so the parts of every node
still add up to its deviation (:func:`trace_paths`' ``other`` row is rounding).
The incoming split (:func:`incoming`) needs no rule: each link's effect is
recomputed from the recorded run. :func:`by_intervention`'s ``interaction`` row
is not 0 on a model with shaped links: superposition does not hold there. A
capacity node's inputs are never shaped (the checks refuse it); a capacity node
may be the source of a shaped link, whose parts are then passed on in proportion
like any source's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator import shapes
from simulator.compiler import MINIMUM, CompiledModel
from simulator.delays import FIXED, STAGES, code, fixed_steps, smoothing_rate
from simulator.engine import simulate
from simulator.interventions import intervention_matrix

INCOMING_COLUMNS = ["part", "source", "link", "value", "share"]
PATH_COLUMNS = ["part", "path", "loop", "length", "value", "share"]
INTERVENTION_COLUMNS = ["part", "index", "node", "shape", "value", "share"]


def apply_lags(signal: np.ndarray, delay: np.ndarray, tau: np.ndarray, dt: float) -> np.ndarray:
    """The lag operators of :mod:`simulator.delays` applied to recorded signals.

    Parameters
    ----------
    signal : ndarray (K + 1, B)
        Input of each lag at each reported time.
    delay : ndarray of int (B,)
        Index into :data:`simulator.delays.DELAY_TYPES`.
    tau : ndarray (B,)
        Lags in years.
    dt : float
        Time step in years.

    Returns
    -------
    ndarray (K + 1, B)
        ``L[s](t_k)``: no delay, fixed (``n = max(1, round(tau/dt))`` steps, 0 before
        the start), exponential or third-order (Euler, starting at ``s(t_0)``).
    """
    out = signal.copy()
    n_times = signal.shape[0]
    fixed = np.flatnonzero(delay == FIXED)
    if fixed.size:
        back = np.arange(n_times)[:, None] - fixed_steps(tau[fixed], dt)[None, :]
        picked = signal[np.maximum(back, 0), fixed[None, :]]
        out[:, fixed] = np.where(back >= 0, picked, 0.0)
    for kind in ("exponential", "third_order"):
        cols = np.flatnonzero(delay == code(kind))
        if cols.size:
            out[:, cols] = _smooth(signal[:, cols], smoothing_rate(kind, tau[cols], dt), STAGES[kind])
    return out


def _smooth(signal: np.ndarray, rate: np.ndarray | float, stages: int) -> np.ndarray:
    """``stages`` first-order Euler smoothers in series, each starting at ``signal[0]``."""
    states = [signal[0].copy() for _ in range(stages)]
    out = np.empty_like(signal)
    for k in range(signal.shape[0]):
        out[k] = states[-1]
        for m in range(stages - 1, 0, -1):  # the engine updates the last stage first
            states[m] = states[m] + (states[m - 1] - states[m]) * rate
        states[0] = states[0] + (signal[k] - states[0]) * rate
    return out


def integrate(flow: np.ndarray, decay: np.ndarray | float, dt: float) -> np.ndarray:
    """A stock's Euler step applied to a flow: ``c(t_0) = 0``,
    ``c(t_{k+1}) = c(t_k) + dt * (flow(t_k) - decay * c(t_k))``.

    Parameters
    ----------
    flow : ndarray (K + 1, B)
        Per year.
    decay : float or ndarray (B,)
        Per year.
    """
    out = np.zeros_like(flow)
    keep = 1.0 - dt * np.asarray(decay, dtype=float)
    for k in range(flow.shape[0] - 1):
        out[k + 1] = keep * out[k] + dt * flow[k]
    return out


# --- capacity nodes (minimum / maximum) ---------------------------------------------------


def active_inputs(cm: CompiledModel, d: np.ndarray) -> np.ndarray:
    """Per time and link, 1.0 when the link carries its effect: every link, except a link into a
    capacity node while another input is the active one (0.0), shape (K + 1, L).

    ``d`` is a recorded run, shape (K + 1, N). The active input of a capacity node
    at ``t_k`` is the link whose value ``w (b_source + L[d_source])`` is the smallest
    (largest) there, the first in file order on a tie.
    """
    n = d.shape[0]
    mask = np.ones((n, cm.n_links))
    for i in np.flatnonzero(cm.capacity):
        links = np.flatnonzero(cm.target == i)
        lagged = apply_lags(d[:, cm.source[links]], cm.delay[links], cm.lag[links], cm.dt)
        values = cm.weight[links] * (cm.baselines[:n, cm.source[links]] + lagged)
        pick = np.argmin(values, axis=1) if cm.capacity[i] == MINIMUM else np.argmax(values, axis=1)
        mask[:, links] = 0.0
        mask[np.arange(n), links[pick]] = 1.0
    return mask


def switch_part(cm: CompiledModel, d: np.ndarray, node: int, mask: np.ndarray | None = None) -> np.ndarray:
    """A capacity node's ``switch`` part over time: ``w_a b_a - b_node``, ``a`` its active input
    (0 while the baseline's input is active; zeros for any other node), node units, shape (K + 1,)."""
    n = d.shape[0]
    if not cm.capacity[node]:
        return np.zeros(n)
    mask = active_inputs(cm, d) if mask is None else mask
    links = np.flatnonzero(cm.target == node)
    active = links[np.argmax(mask[:, links], axis=1)]
    return cm.weight[active] * cm.baselines[np.arange(n), cm.source[active]] - cm.baselines[:n, node]


def pass_ratio(cm: CompiledModel, link: int, d: np.ndarray) -> np.ndarray:
    """A shaped link's signal per unit of its source's deviation over time, ``s(t) / d_source(t)``
    (the slope ``f'(b)`` where ``d_source = 0``), shape (k + 1,); ``d`` is the run, (k + 1, N)."""
    n, src = d.shape[0], cm.source[link]
    ds = d[:, src]
    xs, ys = cm.table(link)
    at_baseline = shapes.slope(
        int(cm.shape[link]),
        np.zeros(n),
        cm.baselines[:n, src],
        cm.weight[link],
        float(cm.shape_parameter[link]),
        xs,
        ys,
    )
    moved = ds != 0
    ratio = at_baseline.astype(float)
    ratio[moved] = cm.signal(link, ds, np.arange(n))[moved] / ds[moved]
    return ratio


def carry(
    cm: CompiledModel, x: np.ndarray, links: np.ndarray, d: np.ndarray | None = None, mask: np.ndarray | None = None
) -> np.ndarray:
    """Carry source deviations through links into their targets.

    Parameters
    ----------
    cm : CompiledModel
    x : ndarray (k + 1, B)
        A part of the deviation of each link's source, node units, from ``t_0``.
    links : ndarray of int (B,)
    d : ndarray (k + 1, N), optional
        The recorded run; needed when a link has a shape (its parts are passed on in
        proportion, :func:`pass_ratio`).

    mask : ndarray (K + 1, L), optional
        :func:`active_inputs` of the run: a link into a capacity node carries only while active.

    Returns
    -------
    ndarray (k + 1, B)
        The part of each target's deviation it causes (integrated for stocks).
    """
    n = x.shape[0]
    signal = x * cm.src_scale[:n, links]
    n = x.shape[0]
    signal = x * cm.src_scale[:n, links]
    for c in np.flatnonzero(cm.shape[links] != shapes.NONE):
        if d is None:
            raise ValueError("carrying a part through a shaped link needs the recorded run d")
        signal[:, c] = x[:, c] * pass_ratio(cm, int(links[c]), d[:n])
    effect = (
        cm.outer_weights()[links] * cm.tgt_scale[:n, links] * apply_lags(signal, cm.delay[links], cm.lag[links], cm.dt)
    )
    if mask is not None and cm.capacity.any():
        effect = effect * mask[:n, links]
    stock = cm.is_stock[cm.target[links]]
    if stock.any():
        effect[:, stock] = integrate(effect[:, stock], cm.decay[cm.target[links[stock]]], cm.dt)
    return effect


def own_part(cm: CompiledModel, u: np.ndarray, node: int) -> np.ndarray:
    """The intervention's own part of ``d_node``: ``u`` for an auxiliary, its integral for a stock."""
    if cm.is_stock[node]:
        return integrate(u[:, [node]], cm.decay[node], cm.dt)[:, 0]
    return u[:, node].copy()


def link_effects(cm: CompiledModel, d: np.ndarray) -> np.ndarray:
    """``e_ji(t_k)`` of every link from a recorded deterministic run, shape (K + 1, L).

    ``d`` has shape (K + 1, N) (node units). Into a stock the effect is a flow per year.
    """
    if cm.n_links == 0:
        return np.zeros((d.shape[0], 0))
    n = d.shape[0]
    signal = d[:, cm.source] * cm.src_scale[:n]
    for j in np.flatnonzero(cm.shape != shapes.NONE):  # f(b + d) - f(b), simulator.shapes
        signal[:, j] = cm.signal(int(j), d[:, cm.source[j]], np.arange(n))
    effects = cm.outer_weights() * cm.tgt_scale[:n] * apply_lags(signal, cm.delay, cm.lag, cm.dt)
    if cm.capacity.any():  # an input of a capacity node acts only while it is the active one
        effects = effects * active_inputs(cm, d)
    return effects


def incoming_parts(
    cm: CompiledModel, u: np.ndarray, d: np.ndarray, node: int, effects: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Parts of ``d_node`` over time: intervention, each incoming link, bounds.

    Returns
    -------
    own : ndarray (K + 1,)
    links : ndarray of int (n,)
        Incoming link indices.
    parts : ndarray (K + 1, n)
    bounds : ndarray (K + 1,)
        ``d - own - parts.sum(1)`` (minus a capacity node's :func:`switch_part`): what
        clipping removed (0 when no bound binds).
    """
    effects = link_effects(cm, d) if effects is None else effects
    links = np.flatnonzero(cm.target == node)
    parts = effects[:, links]
    if cm.is_stock[node] and links.size:
        parts = integrate(parts, cm.decay[node], cm.dt)
    own = own_part(cm, u, node)
    bounds = d[:, node] - own - parts.sum(axis=1)
    if cm.capacity[node]:
        bounds = bounds - switch_part(cm, d, node)
    return own, links, parts, bounds


def _share(value: float, total: float) -> float:
    return value / total if total != 0 else float("nan")


def incoming(cm: CompiledModel, u: np.ndarray, d: np.ndarray, node: int, k: int) -> pd.DataFrame:
    """``d_node(t_k)`` split by incoming link, with the columns ``INCOMING_COLUMNS``.

    ``part`` is ``intervention``, ``link``, ``bounds`` or (a capacity node) ``switch``; ``source`` the link's
    source node; ``value`` in the node's unit; ``share`` = value / d (NaN when d = 0).
    Rows are sorted by ``|value|``, largest first; the values add up to ``d[k, node]``
    (a ``bounds``, ``switch`` or ``intervention`` row is left out when it is 0 to rounding).
    """
    own, links, parts, bounds = incoming_parts(cm, u, d, node)
    total = float(d[k, node])
    ids = cm.node_ids
    rows = [("intervention", ids[node], "", float(own[k]))]
    rows += [
        ("link", ids[cm.source[j]], f"{ids[cm.source[j]]}->{ids[node]}", float(parts[k, m]))
        for m, j in enumerate(links)
    ]
    rows.append(("bounds", "", "", float(bounds[k])))
    if cm.capacity[node]:
        rows.append(("switch", "", "", float(switch_part(cm, d, node)[k])))
    frame = pd.DataFrame([(*r, _share(r[3], total)) for r in rows], columns=INCOMING_COLUMNS)
    negligible = 1e-9 * max(abs(total), float(np.abs(d[: k + 1, node]).max()), 1e-300)
    frame = frame[(frame["part"] == "link") | (frame["value"].abs() > negligible)]
    order = np.argsort(-np.abs(frame["value"].to_numpy()), kind="stable")
    return frame.iloc[order].reset_index(drop=True)


@dataclass(frozen=True)
class Term:
    """One exact part of a node's deviation: a signal carried along a chain of links.

    Attributes
    ----------
    kind : str
        ``path``: the intervention on ``start`` carried to the target along a
        simple path; ``feedback``: the whole deviation of ``start``, a node already
        on the path, fed back into it (the loop ``loop`` closes); ``bounds``: what
        clipping removed at ``start``, carried on; ``switch``: a capacity node's
        switch part at ``start`` (see the module docstring), carried on.
    start : int
        Node index where the chain starts.
    chain : tuple of int
        Link indices, in order from ``start`` to the target (empty: the target itself).
    loop : tuple of int
        For ``feedback``: the loop's node indices, starting at ``start``.
    """

    kind: str
    start: int
    chain: tuple[int, ...]
    loop: tuple[int, ...] = ()


def path_terms(
    cm: CompiledModel, u: np.ndarray, d: np.ndarray, node: int, k: int, max_terms: int = 100_000
) -> tuple[list[Term], bool]:
    """Every part of ``d_node`` up to ``t_k`` along simple paths, and whether the list is complete.

    Walking back from ``node`` along simple paths, each node's deviation is
    split into its own intervention, its bounds part and its incoming links; a
    link from a node already on the path is not followed but kept as a
    ``feedback`` term carrying that node's whole deviation. Nodes with no
    deviation up to ``t_k`` are skipped (they carry nothing).
    """
    n = k + 1
    has_own = np.any(u[:n] != 0, axis=0)
    active = np.any(d[:n] != 0, axis=0) | has_own
    bounds_at = {}
    switch_at: dict[int, bool] = {}
    mask = active_inputs(cm, d[:n])  # all ones without capacity nodes
    terms: list[Term] = []
    stack: list[tuple[int, tuple[int, ...], tuple[int, ...]]] = [(node, (), (node,))]
    into = {i: np.flatnonzero(cm.target == i) for i in range(cm.n_nodes)}
    while stack:
        if len(terms) >= max_terms:
            return terms, False
        v, chain, on_path = stack.pop()
        if has_own[v]:
            terms.append(Term("path", v, chain))
        if v not in bounds_at:
            bounds = incoming_parts(cm, u[:n], d[:n], v)[3]
            bounds_at[v] = np.abs(bounds).max() > 1e-12 * max(np.abs(d[:n, v]).max(), 1e-300)
        if bounds_at[v]:
            terms.append(Term("bounds", v, chain))
        if cm.capacity[v]:
            if v not in switch_at:
                switch_at[v] = bool(np.any(switch_part(cm, d[:n], v, mask) != 0))
            if switch_at[v]:
                terms.append(Term("switch", v, chain))
        for m in into[v][::-1]:
            s = int(cm.source[m])
            if not active[s] or not mask[:, m].any():  # an input a capacity node never took
                continue
            if s in on_path:
                pos = on_path.index(s)
                terms.append(Term("feedback", s, (int(m),) + chain, (s,) + on_path[:pos]))
            else:
                stack.append((s, (int(m),) + chain, (s,) + on_path))
    return terms, True


def term_values(cm: CompiledModel, u: np.ndarray, d: np.ndarray, terms: list[Term], k: int) -> np.ndarray:
    """The value of each term at ``t_k`` (target node units), shape (T,)."""
    n = k + 1
    if not terms:
        return np.zeros(0)
    x = np.empty((n, len(terms)))
    bounds_cache: dict[int, np.ndarray] = {}
    mask = active_inputs(cm, d[:n]) if cm.capacity.any() else None
    for c, term in enumerate(terms):
        if term.kind == "path":
            x[:, c] = own_part(cm, u[:n], term.start)
        elif term.kind == "feedback":
            x[:, c] = d[:n, term.start]
        elif term.kind == "switch":
            x[:, c] = switch_part(cm, d[:n], term.start, mask)
        else:
            if term.start not in bounds_cache:
                bounds_cache[term.start] = incoming_parts(cm, u[:n], d[:n], term.start)[3]
            x[:, c] = bounds_cache[term.start]
    lengths = np.array([len(t.chain) for t in terms])
    for step in range(int(lengths.max())):
        cols = np.flatnonzero(lengths > step)
        links = np.array([terms[c].chain[step] for c in cols])
        x[:, cols] = carry(cm, x[:, cols], links, d[:n], mask)
    return x[k].copy()


def _canonical(loop: tuple[int, ...]) -> tuple[int, ...]:
    first = loop.index(min(loop))
    return loop[first:] + loop[:first]


def _describe(cm: CompiledModel, term: Term) -> tuple[str, str]:
    ids = cm.node_ids
    nodes = [term.start] + [int(cm.target[j]) for j in term.chain]
    text = " -> ".join(ids[i] for i in nodes)
    if term.kind == "feedback":
        loop = _canonical(term.loop)
        return "(loop) " + text, " -> ".join(ids[i] for i in (*loop, loop[0]))
    if term.kind == "bounds":
        return "(bounds) " + text, ""
    if term.kind == "switch":
        return "(switch) " + text, ""
    return text, ""


def trace_paths(
    cm: CompiledModel, u: np.ndarray, d: np.ndarray, node: int, k: int, max_terms: int = 100_000
) -> pd.DataFrame:
    """``d_node(t_k)`` split by the path it travelled from the interventions.

    Parameters
    ----------
    cm : CompiledModel
    u : ndarray (K + 1, N)
        Interventions (node units).
    d : ndarray (K + 1, N)
        The recorded run.
    node, k : int
        Node index and time index.
    max_terms : int
        At most this many parts are computed; the rest goes into ``other``.

    Returns
    -------
    DataFrame
        Columns ``PATH_COLUMNS``. ``part``: ``path`` (an intervention carried along
        a simple path, ``a -> b -> c``), ``feedback`` (the deviation of a node on the
        path fed back through the loop in ``loop``; ``path`` starts with
        ``(loop)``), ``bounds`` (clipping at the path's first node), ``switch`` (a
        capacity node's active input differing from the baseline's), ``other``
        (the last row: total minus the listed parts; 0 to rounding unless
        ``max_terms`` cut the list). ``length`` in links, ``value`` in the node's
        unit, ``share`` = value / d. Sorted by ``|value|``, largest first.
    """
    terms, _complete = path_terms(cm, u, d, node, k, max_terms)
    values = term_values(cm, u, d, terms, k)
    total = float(d[k, node])
    rows = []
    for term, value in zip(terms, values, strict=True):
        if value != 0:
            text, loop = _describe(cm, term)
            rows.append((term.kind, text, loop, len(term.chain), float(value), _share(float(value), total)))
    rows.sort(key=lambda r: -abs(r[4]))
    rest = total - float(np.sum([r[4] for r in rows]))
    rows.append(("other", "", "", 0, rest, _share(rest, total)))
    return pd.DataFrame(rows, columns=PATH_COLUMNS)


def loop_parts(paths: pd.DataFrame) -> pd.DataFrame:
    """Feedback parts summed per loop: columns ``loop, value, share``, largest ``|value|`` first."""
    fb = paths[paths["part"] == "feedback"]
    table = fb.groupby("loop", sort=False)[["value", "share"]].sum().reset_index()
    return table.iloc[np.argsort(-np.abs(table["value"].to_numpy()), kind="stable")].reset_index(drop=True)


def top_paths(paths: pd.DataFrame, n: int) -> pd.DataFrame:
    """The ``n`` largest parts of :func:`trace_paths`, the rest summed into the ``other`` row (still exact)."""
    listed = paths[paths["part"] != "other"].head(n)
    total = float(paths["value"].sum())
    rest = total - float(listed["value"].sum())
    other = pd.DataFrame([("other", "", "", 0, rest, _share(rest, total))], columns=PATH_COLUMNS)
    return pd.concat([listed, other], ignore_index=True)


def by_intervention(cm: CompiledModel, interventions: tuple, node: int, k: int) -> pd.DataFrame:
    """``d_node(t_k)`` split by intervention (superposition: each intervention run alone).

    Parameters
    ----------
    cm : CompiledModel
    interventions : sequence of InterventionSpec
        The scenario's interventions (``PreparedScenario.interventions``).
    node, k : int
        Node index and time index.

    Returns
    -------
    DataFrame
        Columns ``INTERVENTION_COLUMNS``: one ``intervention`` row per item (``index``
        in the scenario file, target ``node``, ``shape``), then an ``interaction``
        row: the full run minus the sum of the single runs. It is 0 to rounding
        when no bound binds and no link has a shape (the engine is then linear);
        otherwise it is what the interventions do together beyond their separate effects.
    """
    index = {node_id: i for i, node_id in enumerate(cm.node_ids)}
    singles = [intervention_matrix([spec], index, cm.times, cm.baselines) for spec in interventions]
    total_u = np.sum(singles, axis=0) if singles else np.zeros(cm.baselines.shape)
    total = float(simulate(cm, total_u)[k, node, 0])
    rows = []
    for i, (spec, u) in enumerate(zip(interventions, singles, strict=True)):
        value = float(simulate(cm, u)[k, node, 0])
        rows.append(("intervention", i, spec.node, spec.shape, value, _share(value, total)))
    rest = total - sum(r[4] for r in rows)
    rows.append(("interaction", -1, "", "", rest, _share(rest, total)))
    return pd.DataFrame(rows, columns=INTERVENTION_COLUMNS)
