"""Stability of the linearised model, checked before a run.

The engine (ENGINE.md) is a linear map from one time step to the next when
bounds do not bind: its state is the deviation of every stock, every
exponential delay's level, the three stages of every third-order delay and the
last ``n`` inputs of every fixed delay (a shift register). Auxiliaries are no
state: at each step they solve ``d = G0 d + P x`` (``G0``: zero-lag links into
auxiliaries, acyclic because algebraic loops are refused). :func:`step_map`
builds the matrix ``A`` with ``x(t_{k+1}) = A x(t_k) + (inputs)`` at the central
weights, with elasticity links at the baselines of one time step.

The model is **stable** when the spectral radius of ``A`` (the largest
``|eigenvalue|``) is at most ``1 + 1e-9`` and no feedback loop closes with a
gain of exactly 1. A stock without decay or feedback keeps an eigenvalue of
exactly 1: it holds its level, which is not growth (a constant inflow makes it
grow, as a flow should). But a loop that closes with gain exactly 1 (``a -> b ->
a`` with weights whose product is 1, through a lag) adds an eigenvalue of
exactly 1 that the links without the loop do not have: the loop is an undamped
integrator, and a sustained change makes its deviations climb without bound
(0, 1, 2, 3, ... per step). Such a **neutral loop** is not stable: the check
counts the eigenvalues within :data:`NEUTRAL_TOLERANCE` of 1 with every loop's
links and with the links on loops at weight 0; more with the loops means a
neutral loop. A map that is not finite (weights of 1e308 overflow) is unstable
with an infinite radius, never a ``LinAlgError``. The check is made at the start
and at the end of the horizon, because elasticity coefficients follow the
baselines. When unstable, the loops to blame are those that are unstable (or
neutral) on their own (every other link at weight 0); when no single loop is,
the loop whose removal lowers the spectral radius most.

**Capacity nodes** (``kind: minimum`` / ``maximum``) are piecewise linear: where
one input is the active one (the smallest, or largest), the node is that input's
linear link and the other inputs carry nothing. The map is linearised around a
run: at each checked time, the active input of every capacity node is the one
of that run (``check_stability(..., run=d)``); without a run (the check before
a run), the baseline's (the input whose ``w_j b_j`` is the smallest, or largest;
the first in file order on a tie). Stability then holds where the active inputs
stay as they are; a switch changes the map.

**Nonlinear links.** A shaped link (:mod:`simulator.shapes`) enters the map by
its slope: the check works on the model *linearised around a path*, each shaped
link's coefficient being ``f'(b + d)`` (a saturation's ``w exp(-w d / max)``) at
the source's deviation ``d`` on that path. Before a run that path is the
baseline (``d = 0``); given a recorded run (``check_stability(..., run=d)``, as
``bwsim loops`` does for a scenario), every time step of the run is checked,
since the slopes change along it. The report says which
(:attr:`StabilityReport.linearised`). Stability of the linearisation is local:
it says that small changes around that path die out, not that every
intervention does. A model with both takes each capacity node's active input
and each shaped link's slope from the same path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simulator.analysis.loops import Loop, find_loops
from simulator.budget import MAX_BYTES
from simulator.checked import checked
from simulator.compiler import MINIMUM, CompiledModel
from simulator.delays import DELAY_TYPES, STAGES, fixed_steps, smoothing_rate
from simulator.digraph import strongly_connected_components
from simulator.spec import ModelSpec, TimeSpec

TOLERANCE = 1e-9
NEUTRAL_TOLERANCE = 1e-7
"""An eigenvalue within this of 1 is a unit eigenvalue (a Jordan block of two is computed to about 1e-8)."""


@dataclass(frozen=True)
class StateLayout:
    """Where each delay and stock lives in the state vector ``x`` (length ``n_states``).

    Attributes
    ----------
    stock : ndarray of int (N,)
        State index of each stock node, -1 for auxiliaries.
    out : ndarray of int (L,)
        State index a lagged link's output is read from (-1 for zero-lag links).
    feed : ndarray of int (L,)
        State index of a lagged link's first stage (exponential level, third-order
        stage 1, fixed register slot 0); -1 for zero-lag links.
    n_states : int
    """

    stock: np.ndarray
    out: np.ndarray
    feed: np.ndarray
    n_states: int


def state_layout(cm: CompiledModel, lags: np.ndarray | None = None) -> StateLayout:
    """Lay out the state vector of ``cm`` (central lags unless ``lags``, shape (L,), years)."""
    lags = cm.lag if lags is None else np.asarray(lags, dtype=float)
    stock = np.full(cm.n_nodes, -1)
    n = 0
    for i in np.flatnonzero(cm.is_stock):
        stock[i], n = n, n + 1
    out, feed = np.full(cm.n_links, -1), np.full(cm.n_links, -1)
    for j in range(cm.n_links):
        kind = DELAY_TYPES[cm.delay[j]]
        size = STAGES.get(kind)
        if size is None:
            size = int(fixed_steps(lags[j], cm.dt))
        if size:
            feed[j], out[j], n = n, n + size - 1, n + size
    return StateLayout(stock, out, feed, n)


# --- capacity nodes (minimum / maximum): the active input at a time -----------------------


def active_at(
    cm: CompiledModel,
    k: int,
    weights: np.ndarray | None = None,
    run: np.ndarray | None = None,
    lags: np.ndarray | None = None,
) -> np.ndarray:
    """1.0 per link that carries at ``t_k``, 0.0 for an inactive input of a capacity node, shape (L,).

    With ``run`` (a recorded run ``d``, shape (K + 1, N)), the run's active inputs
    (:func:`simulator.analysis.tracing.active_inputs`); else the baseline's: the input
    whose ``w_j b_j(t_k)`` is the smallest (largest), the first in file order on a tie.
    """
    active = np.ones(cm.n_links)
    if not cm.capacity.any():
        return active
    if run is not None:
        from simulator.analysis.tracing import active_inputs

        return active_inputs(cm, run[: k + 1])[k]
    w = cm.weight if weights is None else np.asarray(weights, dtype=float)
    for i in np.flatnonzero(cm.capacity):
        links = np.flatnonzero(cm.target == i)
        values = w[links] * cm.baselines[k, cm.source[links]]
        active[links] = 0.0
        active[links[np.argmin(values) if cm.capacity[i] == MINIMUM else np.argmax(values)]] = 1.0
    return active


def _active_by_time(
    cm: CompiledModel, times: range | list[int], run: np.ndarray | None
) -> dict[int, np.ndarray | None]:
    """:func:`active_at` at each of ``times`` (None for all on a model without capacity nodes)."""
    if not cm.capacity.any():
        return {k: None for k in times}
    if run is not None:
        from simulator.analysis.tracing import active_inputs

        every = active_inputs(cm, run[: max(times) + 1])
        return {k: every[k] for k in times}
    return {k: active_at(cm, k) for k in times}


def step_map(
    cm: CompiledModel,
    k: int = 0,
    weights: np.ndarray | None = None,
    lags: np.ndarray | None = None,
    run: np.ndarray | None = None,
    active: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, StateLayout]:
    """The one-step map of the unbounded model, without inputs.

    Parameters
    ----------
    cm : CompiledModel
    k : int
        Time index whose elasticity scales (baselines) are used.
    weights, lags : ndarray (L,), optional
        Link weights and lags (years); the central values when omitted.
    run : ndarray (K + 1, N), optional
        A recorded run: shaped links are linearised at its deviations at ``t_k``
        (at the baseline when omitted); linear links do not depend on it.
    active : ndarray (L,), optional
        :func:`active_at`: a capacity node's inactive inputs count at weight 0 (its
        active input as a linear link); the baseline's active inputs when omitted.

    Returns
    -------
    a : ndarray (S, S)
        ``x(t_{k+1}) = a @ x(t_k)`` for the state laid out by ``layout``.
    values : ndarray (N, S)
        Node deviations at a step from the state at that step: ``d = values @ x``.
    layout : StateLayout
    """
    w = cm.weight if weights is None else np.asarray(weights, dtype=float)
    if cm.capacity.any():
        w = w * (active_at(cm, k, w) if active is None else active)
    lay = state_layout(cm, lags)
    lags = cm.lag if lags is None else np.asarray(lags, dtype=float)
    n_nodes, n_states, dt = cm.n_nodes, lay.n_states, cm.dt
    ew, scale = cm.linear_coefficients(k, None if run is None else run[k], w)
    instant = (cm.delay == 0) & ~cm.is_stock[cm.target]
    g0 = np.zeros((n_nodes, n_nodes))
    np.add.at(g0, (cm.target[instant], cm.source[instant]), ew[instant] * scale[instant])
    p = np.zeros((n_nodes, n_states))
    stocks = np.flatnonzero(cm.is_stock)
    p[stocks, lay.stock[stocks]] = 1.0
    lagged = (lay.out >= 0) & ~cm.is_stock[cm.target]
    np.add.at(p, (cm.target[lagged], lay.out[lagged]), ew[lagged])
    with np.errstate(all="ignore"):  # extreme weights: overflow gives a non-finite map, reported as such
        try:
            values = np.linalg.solve(np.eye(n_nodes) - g0, p)
        except np.linalg.LinAlgError:  # singular or not finite: (I - G0) cannot be solved
            values = np.full((n_nodes, n_states), np.nan)
        return _assemble(cm, lay, values, ew, scale, lags, stocks, dt)


def _assemble(
    cm: CompiledModel,
    lay: StateLayout,
    values: np.ndarray,
    ew: np.ndarray,
    scale: np.ndarray,
    lags: np.ndarray,
    stocks: np.ndarray,
    dt: float,
) -> tuple[np.ndarray, np.ndarray, StateLayout]:
    """The rows of ``a`` from the node values of the state (see :func:`step_map`)."""
    n_states = lay.n_states
    signal = scale[:, None] * values[cm.source]  # (L, S)
    out = signal.copy()
    has_state = lay.out >= 0
    out[has_state] = 0.0
    out[np.flatnonzero(has_state), lay.out[has_state]] = 1.0
    a = np.zeros((n_states, n_states))
    for i in stocks:
        row = lay.stock[i]
        into = np.flatnonzero(cm.target == i)
        a[row] = dt * (ew[into] @ out[into])
        a[row, row] += 1.0 - dt * cm.decay[i]
    for j in np.flatnonzero(has_state):
        _delay_rows(a, DELAY_TYPES[cm.delay[j]], lay.feed[j], lay.out[j], signal[j], lags[j], dt)
    return a, values, lay


def _delay_rows(a: np.ndarray, kind: str, first: int, last: int, signal: np.ndarray, tau: float, dt: float) -> None:
    """Rows of ``a`` for one delay's states, in place (the engine's Euler updates, :mod:`simulator.delays`)."""
    if kind == "fixed":
        a[first] = signal
        for slot in range(first + 1, last + 1):
            a[slot, slot - 1] = 1.0
        return
    rate = smoothing_rate(kind, tau, dt)
    a[first] = rate * signal
    a[first, first] += 1.0 - rate
    for stage in range(first + 1, last + 1):
        a[stage, stage] += 1.0 - rate
        a[stage, stage - 1] += rate


DENSE_LIMIT = 1500


MAP_COPIES = 4
"""Dense arrays of the one-step map alive at once while it is built and its eigenvalues found
((I - G0) and G0, N x N; the node values, N x S; the map, S x S), for :func:`map_bytes`."""


def map_bytes(cm: CompiledModel, lags: np.ndarray | None = None) -> int:
    """Bytes the dense one-step map of ``cm`` needs while it is built and checked (about)."""
    n, s = cm.n_nodes, state_layout(cm, lags).n_states
    return 8 * MAP_COPIES * max(n * n, n * s, s * s)


MAP_MAX_BYTES = MAX_BYTES
"""The most the one-step map may need (the run's memory budget, :data:`simulator.budget.MAX_BYTES`)."""


def too_large_to_check(cm: CompiledModel, lags: np.ndarray | None = None) -> bool:
    """Whether the one-step map would need more than :data:`MAP_MAX_BYTES`: a model over hundreds of
    places (12,000 element nodes) is not checked for stability rather than stopped by an out-of-memory
    error before its run starts."""
    return map_bytes(cm, lags) > MAP_MAX_BYTES


def spectral_radius(a: np.ndarray) -> float:
    """Largest absolute eigenvalue of ``a`` (0 for an empty matrix; infinite when ``a`` is not finite).

    Above ``DENSE_LIMIT`` states (long fixed delays make many) ARPACK finds the
    largest eigenvalue of the sparse matrix; it falls back to the dense solver
    when that does not converge.
    """
    if not a.size:
        return 0.0
    if not np.isfinite(a).all():
        return math.inf
    if a.shape[0] > DENSE_LIMIT:
        from scipy.sparse import csr_matrix
        from scipy.sparse.linalg import ArpackNoConvergence, eigs

        try:
            values = eigs(csr_matrix(a), k=1, which="LM", return_eigenvectors=False, tol=1e-12)
            return float(np.abs(values).max())
        except ArpackNoConvergence:
            pass
    with np.errstate(all="ignore"):
        try:
            radius = float(np.max(np.abs(np.linalg.eigvals(a))))
        except np.linalg.LinAlgError:  # the eigenvalue iteration did not converge: entries beyond float range
            return math.inf
    return radius if math.isfinite(radius) else math.inf


def unit_eigenvalues(a: np.ndarray) -> int:
    """How many eigenvalues of ``a`` lie within :data:`NEUTRAL_TOLERANCE` of 1 (0 when ``a`` is not finite)."""
    if not a.size or not np.isfinite(a).all():
        return 0
    try:
        values = np.linalg.eigvals(a)
    except np.linalg.LinAlgError:
        return 0
    return int(np.sum(np.abs(values - 1.0) <= NEUTRAL_TOLERANCE))


@dataclass(frozen=True)
class StabilityReport:
    """Whether deviations can grow without bound, and which loop makes them.

    Attributes
    ----------
    stable : bool
    spectral_radius : float
        Largest ``|eigenvalue|`` of the one-step map (at ``year``); per step of ``dt``.
    growth_per_year : float
        ``spectral_radius ** (1 / dt)``: the factor the fastest mode grows by in a year.
    year : float
        The time whose elasticity scales gave the largest radius.
    culprits : tuple of Loop
        The loops that make the model grow (empty when stable).
    neutral : bool
        Not stable because a loop closes with gain exactly 1 (a unit eigenvalue the
        links off the loops do not have): deviations grow linearly, not exponentially.
    linearised : str
        ``""`` for a model without shaped links (the map is exact); else the path the
        nonlinear model was linearised around: ``"baseline"`` or ``"run"``.
    """

    stable: bool
    spectral_radius: float
    growth_per_year: float
    year: float
    culprits: tuple[Loop, ...] = ()
    neutral: bool = False
    linearised: str = ""

    def message(self, model: ModelSpec | None = None) -> str:
        """A one-paragraph description (a message, English unless translated; empty when stable).

        With ``model``, the loops are named by their nodes' labels, else by node ids. For a model
        with shaped links it says around which path the model was linearised.
        """
        if self.stable:
            return ""
        return self._with_linearisation(self._text(model))

    def _with_linearisation(self, text: str) -> str:
        from simulator.messages import msg

        if self.linearised == "run":
            return msg("{text} (the model has nonlinear links: this is its linearisation around the run)", text=text)
        if self.linearised == "baseline":
            return msg(
                "{text} (the model has nonlinear links: this is its linearisation around the baseline)", text=text
            )
        return text

    def stable_note(self) -> str:
        """For a stable model with shaped links: which linearisation was found stable ("" otherwise)."""
        from simulator.messages import msg

        if self.linearised == "run":
            return msg("the model has nonlinear links: stable is said of its linearisation around the run")
        if self.linearised == "baseline":
            return msg("the model has nonlinear links: stable is said of its linearisation around the baseline")
        return ""

    def _text(self, model: ModelSpec | None) -> str:
        from simulator.analysis.text import POLARITIES, labelled_text
        from simulator.messages import joined, msg

        values = {"growth": self.growth_per_year, "radius": self.spectral_radius, "year": self.year}
        if not math.isfinite(self.spectral_radius):
            text = msg(
                "the model is unstable: its weights are so large that deviations overflow (the one-step map "
                "is not finite at {year:g}); check the weights of the loops",
                **values,
            )
        elif self.neutral:
            text = msg(
                "the model is not stable: a feedback loop closes with a gain of exactly 1, so a sustained "
                "change makes deviations grow without bound, by the same amount every step (a unit "
                "eigenvalue, spectral radius {radius:.6g} per step, at {year:g})",
                **values,
            )
        else:
            text = msg(
                "the model is unstable: deviations grow by a factor {growth:.4g} per year (spectral radius "
                "{radius:.6g} per step, at {year:g})",
                **values,
            )
        if not self.culprits:
            return text
        loops = [
            msg(
                "{id} ({polarity}) {path}",
                id=lp.id,
                polarity=POLARITIES.get(lp.polarity, lp.polarity),
                path=labelled_text(lp.path, model) if model is not None else lp.path,
            )
            for lp in self.culprits
        ]
        return msg("{text}; the loop(s) that make it grow: {loops}", text=text, loops=joined("; ", loops))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict (keys: stable, spectral_radius, growth_per_year, year, culprits, neutral, and
        ``linearised`` for a model with shaped links)."""
        out: dict[str, object] = {
            "stable": self.stable,
            "spectral_radius": self.spectral_radius,
            "growth_per_year": self.growth_per_year,
            "year": self.year,
            "culprits": [lp.id for lp in self.culprits],
            "neutral": self.neutral,
        }
        if self.linearised:
            out["linearised"] = self.linearised
        return out


def _radius_with(
    cm: CompiledModel, k: int, keep: np.ndarray, run: np.ndarray | None = None, active: np.ndarray | None = None
) -> float:
    """Spectral radius with only the links in ``keep`` (bool (L,)) at their weights."""
    return spectral_radius(step_map(cm, k, np.where(keep, cm.weight, 0.0), run=run, active=active)[0])


def _links_on_loops(cm: CompiledModel) -> np.ndarray:
    """Bool (L,): links on some feedback loop (both ends in one strongly connected group, or a self-link)."""
    group = np.array(
        strongly_connected_components(cm.n_nodes, list(zip(cm.source.tolist(), cm.target.tolist(), strict=True))),
        dtype=np.int64,
    )
    return group[cm.source] == group[cm.target]


def _neutral(
    cm: CompiledModel,
    k: int,
    keep: np.ndarray,
    a: np.ndarray | None = None,
    run: np.ndarray | None = None,
    active: np.ndarray | None = None,
) -> bool:
    """True when the links in ``keep`` add a unit eigenvalue to the map without the links on loops."""
    if a is None:
        a = step_map(cm, k, np.where(keep, cm.weight, 0.0), run=run, active=active)[0]
    open_loop = step_map(cm, k, np.where(keep & ~_links_on_loops(cm), cm.weight, 0.0), run=run, active=active)[0]
    return unit_eigenvalues(a) > unit_eigenvalues(open_loop)


def _neutral_culprits(
    cm: CompiledModel, k: int, loops: list[Loop], run: np.ndarray | None = None, active: np.ndarray | None = None
) -> tuple[Loop, ...]:
    found = []
    for lp in loops:
        keep = np.zeros(cm.n_links, dtype=bool)
        keep[list(lp.links)] = True
        if _neutral(cm, k, keep, run=run, active=active):
            found.append(lp)
    return tuple(found)


def _culprits(
    cm: CompiledModel,
    k: int,
    loops: list[Loop],
    radius: float,
    run: np.ndarray | None = None,
    active: np.ndarray | None = None,
) -> tuple[Loop, ...]:
    alone = []
    for lp in loops:
        keep = np.zeros(cm.n_links, dtype=bool)
        keep[list(lp.links)] = True
        r = _radius_with(cm, k, keep, run, active)
        if r > 1.0 + TOLERANCE:
            alone.append((r, lp))
    if alone:
        return tuple(lp for _, lp in sorted(alone, key=lambda item: -item[0]))
    best, best_drop = None, 0.0
    for lp in loops:
        keep = np.ones(cm.n_links, dtype=bool)
        keep[list(lp.links)] = False
        drop = radius - _radius_with(cm, k, keep, run, active)
        if drop > best_drop:
            best, best_drop = lp, drop
    return () if best is None else (best,)


def check_stability(
    model: ModelSpec,
    cm: CompiledModel,
    time: TimeSpec | None = None,
    loops: list[Loop] | None = None,
    run: np.ndarray | None = None,
) -> StabilityReport:
    """Check the linearised model at the central weights, at the start and end of the horizon.

    A capacity node counts as its active input at each of those times: the run's
    when ``run`` (deviations ``d``, shape (K + 1, N)) is given, else the baseline's
    (see the module docstring). A model with shaped links is linearised around the
    baseline, or around ``run`` at every time step when it is given.

    Parameters
    ----------
    model : ModelSpec
        The (effective) model ``cm`` was compiled from; used to name loops.
    cm : CompiledModel
    time : TimeSpec, optional
        The run's time (for loop gains); default the model's.
    loops : list of Loop, optional
        Loops of ``model`` when already found.
    run : ndarray (K + 1, N), optional
        Deviations of a run to linearise shaped links around (ignored without them).

    Raises
    ------
    InputError
        When ``model`` has problems on ``time`` (those of ``bwsim validate``), before any work.
    """
    checked(model, time)
    capacity_run = run if cm.capacity.any() else None
    shape_run = run if cm.has_shapes else None
    linearised = "" if not cm.has_shapes else ("baseline" if shape_run is None else "run")
    best_k, best_r, maps = 0, -1.0, {}
    times = range(cm.times.size) if shape_run is not None else sorted({0, cm.times.size - 1})
    act = _active_by_time(cm, times, capacity_run)
    for k in times:
        maps[k] = step_map(cm, k, run=shape_run, active=act[k])[0]
        r = spectral_radius(maps[k])
        if r > best_r:
            best_k, best_r = k, r
    with np.errstate(over="ignore"):
        growth = float(np.power(best_r, 1.0 / cm.dt)) if best_r > 0 else 0.0  # inf, not OverflowError
    if best_r <= 1.0 + TOLERANCE:
        all_links = np.ones(cm.n_links, dtype=bool)
        neutral = [
            k
            for k in maps
            if spectral_radius(maps[k]) >= 1.0 - NEUTRAL_TOLERANCE
            and _neutral(cm, k, all_links, maps[k], shape_run, act[k])
        ]
        if not neutral:
            return StabilityReport(True, best_r, growth, float(cm.times[best_k]), linearised=linearised)
        loops = find_loops(model, time) if loops is None else loops
        return StabilityReport(
            False,
            best_r,
            growth,
            float(cm.times[neutral[0]]),
            _neutral_culprits(cm, neutral[0], loops, shape_run, act[neutral[0]]),
            neutral=True,
            linearised=linearised,
        )
    loops = find_loops(model, time) if loops is None else loops
    return StabilityReport(
        False,
        best_r,
        growth,
        float(cm.times[best_k]),
        _culprits(cm, best_k, loops, best_r, shape_run, act[best_k]),
        linearised=linearised,
    )


@dataclass(frozen=True)
class EnsembleStability:
    """How many ensemble members make the model unstable although its central weights do not.

    Attributes
    ----------
    checked : int
        Members whose one-step map was checked.
    unstable : int
        Of those, members with a spectral radius above 1.
    worst_member : int
        Index (in the ensemble's draw order) of the member with the largest radius.
    worst_radius : float
        Its spectral radius per step of ``dt``.
    """

    checked: int
    unstable: int
    worst_member: int
    worst_radius: float


def ensemble_stability(
    cm: CompiledModel, weights: np.ndarray, lags: np.ndarray, first_member: int = 0
) -> EnsembleStability:
    """Check each member's one-step map, at the start and the end of the horizon.

    ``weights`` and ``lags`` (years) have shape (L, M), one column per member, as
    :meth:`simulator.sampling.ParameterSample.block` gives them; ``first_member``
    is the draw index of the first column.
    """
    ends = sorted({0, cm.times.size - 1})
    radii = np.array(
        [
            max(spectral_radius(step_map(cm, k, weights[:, m], lags[:, m])[0]) for k in ends)
            for m in range(weights.shape[1])
        ]
    )
    worst = int(np.argmax(radii)) if radii.size else 0
    return EnsembleStability(
        int(radii.size),
        int(np.sum(radii > 1.0 + TOLERANCE)),
        first_member + worst,
        float(radii[worst]) if radii.size else 0.0,
    )
