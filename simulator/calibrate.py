"""Fit link weights (and lags) to observed data by weighted least squares.

What is compared
----------------
Observed values are indicator *levels*; the model's level is ``b + d``
(baseline plus deviation, ENGINE.md). The baseline is not fitted, so fitting
``value`` against ``b + d`` and fitting ``value - b`` against ``d`` give the
same residuals: both readings are the same fit. An error in a baseline shows up
as a systematic residual, not as a changed weight only.

How
---
- Parameters: the weight of each chosen link, and (on request) its lag, when
  the delay is exponential or third-order (a fixed delay moves in whole steps,
  so it has no useful derivative). Bounds are the link's range (``low``/``high``
  of its distribution; a lag at least ``dt`` or ``3 dt`` as the engine needs).
- Residuals ``(model - observed) / sigma_s`` per observation, with one scale
  ``sigma_s`` per observed series: first the spread of the series, then (second
  pass) the series' own residual RMSE, so that series in different units and
  of different noise count fairly (feasible weighted least squares).
- ``scipy.optimize.least_squares`` (trust region reflective, bounded), from the
  central values and from further Latin-hypercube starts inside the ranges;
  the best converged start wins.
- The Jacobian comes from central differences computed in *one* batched engine
  call (every perturbed parameter set is an ensemble member).
- Standard errors: ``s^2 (J^T J)^-1`` at the optimum, with Student-t intervals;
  or, on request, a residual bootstrap with percentile intervals.
- Identifiability: parameters the observed nodes do not depend on, flat
  directions of ``J^T J`` (its condition number), high correlations between
  estimates, estimates on a bound and intervals as wide as the range are all
  reported as warnings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx
import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.stats import qmc

from simulator.engine import simulate
from simulator.errors import InputError, NumericalError, Problem, SimulatorError
from simulator.messages import msg
from simulator.observed import ObservedData
from simulator.sampling import Parameter, parameter, parameter_arrays
from simulator.scenario_run import PreparedScenario
from simulator.spec import ModelSpec, ScenarioSpec

ParameterKind = Literal["weight", "lag"]
CORRELATION_WARNING = 0.95
"""Absolute correlation between two estimates above which they are reported as hard to separate."""
CONDITION_WARNING = 1e8
"""Condition number of ``J^T J`` (scaled to unit ranges) above which a flat direction is reported."""


class CalibrationError(SimulatorError):
    """The fit did not converge (or every start failed); nothing should be written."""


@dataclass(frozen=True)
class FitParameter:
    """One uncertain parameter (:class:`simulator.sampling.Parameter`) to fit, with its start and bounds.

    Attributes
    ----------
    parameter : simulator.sampling.Parameter
        The weight or lag of one link, its distribution and its lag floor.
    start : float
        The central value (mode or mean): the first start of the fit.
    low, high : float
        Bounds (the link's range, a lag at least its floor; ``-inf``/``inf`` for an open normal).
    spread_low, spread_high : float
        A finite range for further starts (for a normal: mean +- 2 sd).
    """

    parameter: Parameter
    start: float
    low: float
    high: float
    spread_low: float
    spread_high: float

    @property
    def link(self) -> int:
        """Index of the link in the model's ``links``."""
        return self.parameter.link

    @property
    def key(self) -> str:
        """``from->to``."""
        return self.parameter.key

    @property
    def kind(self) -> ParameterKind:
        """``"weight"`` or ``"lag"`` (calibration fits no shape parameter)."""
        field = self.parameter.field
        if field not in ("weight", "lag"):
            raise ValueError(f"calibration fits weights and lags, not a {field}")
        return field

    @property
    def name(self) -> str:
        """``from->to:weight`` or ``from->to:lag``."""
        return self.parameter.name


@dataclass(frozen=True)
class ParameterEstimate:
    """A fitted parameter with its uncertainty (units: the link's weight units, or years)."""

    parameter: FitParameter
    estimate: float
    se: float
    low: float
    high: float
    interval: str
    at_bound: bool
    identified: bool
    cut_to_range: bool = False
    """The interval reached past the link's range and was cut at its bounds."""


@dataclass(frozen=True)
class SeriesFit:
    """Fit of one observed node: ``n`` points, RMSE in the node's unit, R^2 (nan when undefined)."""

    node: str
    n: int
    rmse: float
    r2: float


@dataclass(frozen=True)
class CalibrationResult:
    """What a calibration found.

    Attributes
    ----------
    estimates : tuple of ParameterEstimate
    series : tuple of SeriesFit
    correlation : ndarray (P, P)
        Correlation matrix of the estimates (nan where undefined).
    warnings : tuple of str
        Identifiability and fit warnings, each saying what to try.
    notes : tuple of str
        Links left out and other information.
    n_obs : int
    cost : float
        Half the sum of squared weighted residuals at the optimum.
    starts : int
        Starts tried; ``converged`` of them converged.
    predicted : ndarray (n_obs,)
        Model values ``b + d`` at the observations (rows of ``observed.table``).
    """

    scenario: str
    data_file: str
    data_sha256: str
    estimates: tuple[ParameterEstimate, ...]
    series: tuple[SeriesFit, ...]
    correlation: np.ndarray
    warnings: tuple[str, ...]
    notes: tuple[str, ...]
    n_obs: int
    cost: float
    starts: int
    converged: int
    predicted: np.ndarray = field(repr=False)

    def parameter_frame(self) -> pd.DataFrame:
        """One row per parameter: link, kind, start, estimate, se, interval, bounds, flags."""
        return pd.DataFrame(
            [
                {
                    "link": e.parameter.key,
                    "kind": e.parameter.kind,
                    "start": e.parameter.start,
                    "estimate": e.estimate,
                    "se": e.se,
                    "low": e.low,
                    "high": e.high,
                    "interval": e.interval,
                    "bound_low": e.parameter.low,
                    "bound_high": e.parameter.high,
                    "at_bound": e.at_bound,
                    "identified": e.identified,
                    "cut_to_range": e.cut_to_range,
                }
                for e in self.estimates
            ]
        )

    def series_frame(self) -> pd.DataFrame:
        """One row per observed node: n, rmse, r2."""
        return pd.DataFrame([{"node": s.node, "n": s.n, "rmse": s.rmse, "r2": s.r2} for s in self.series])

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready form (nan becomes None)."""

        def clean(value: Any) -> Any:
            if isinstance(value, float) and not math.isfinite(value):
                return None
            return value

        params = [{k: clean(v) for k, v in row.items()} for row in self.parameter_frame().to_dict(orient="records")]
        series = [{k: clean(v) for k, v in row.items()} for row in self.series_frame().to_dict(orient="records")]
        return {
            "scenario": self.scenario,
            "data": self.data_file,
            "data_sha256": self.data_sha256,
            "n_obs": self.n_obs,
            "cost": self.cost,
            "starts": self.starts,
            "converged": self.converged,
            "parameters": params,
            "series": series,
            "warnings": list(self.warnings),
            "notes": list(self.notes),
            "correlation": [[clean(float(x)) for x in row] for row in self.correlation],
        }


# --------------------------------------------------------------------------- parameters


def parse_link(text: str) -> tuple[str, str]:
    """``"from:to"`` (or ``"from->to"``) as a pair of node ids."""
    for sep in ("->", ":"):
        if sep in text:
            source, _, target = text.partition(sep)
            return source.strip(), target.strip()
    raise InputError(
        Problem(
            "", "link", msg("'{text}' is not a link", text=text), msg("write FROM:TO, e.g. medtech_jobs:jobs_total")
        )
    )


def parse_start(text: str) -> tuple[str, float]:
    """``"from:to=value"`` (a weight) or ``"from:to:lag=value"`` as ``(parameter name, value)``."""
    head, sep, value_text = text.partition("=")
    kind = "weight"
    if head.endswith((":lag", ":weight")):
        head, _, kind = head.rpartition(":")
    try:
        value = float(value_text)
    except ValueError:
        value = math.nan
    if not sep or not math.isfinite(value):
        raise InputError(
            Problem(
                "",
                "start",
                msg("'{text}' is not a start value", text=text),
                msg("write FROM:TO=VALUE (a weight) or FROM:TO:lag=VALUE"),
            )
        )
    source, target = parse_link(head)
    return f"{source}->{target}:{kind}", value


def _parameter(model: ModelSpec, index: int, kind: ParameterKind, dt: float) -> FitParameter:
    par = parameter(model, index, kind, dt)
    low, high = par.dist.support
    low = max(low, par.floor)
    spread = (low, high)
    if par.dist.dist == "normal" and par.dist.param("sd") > 0:
        mean, sd = par.dist.param("mean"), par.dist.param("sd")
        spread = (max(low, mean - 2 * sd), min(high, mean + 2 * sd))
    return FitParameter(par, par.dist.central, low, high, *spread)


def _influences(model: ModelSpec, observed_nodes: list[str]) -> dict[str, set[str]]:
    """For each node, the observed nodes its changes reach (itself included)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(model.node_ids)
    graph.add_edges_from((lk.source, lk.target) for lk in model.links)
    wanted = set(observed_nodes)
    return {n: ({n} | nx.descendants(graph, n)) & wanted for n in model.node_ids}


def select_parameters(
    model: ModelSpec,
    observed_nodes: list[str],
    links: list[tuple[str, str]] | None = None,
    fit_lags: bool = False,
    dt: float = 1.0,
    initial: dict[str, float] | None = None,
) -> tuple[list[FitParameter], list[str]]:
    """The parameters to fit, and notes on links left out.

    Parameters
    ----------
    model : ModelSpec
        The model the scenario runs (its overrides applied).
    observed_nodes : list of str
    links : list of (from, to), optional
        Links to fit; by default every link with a weight range whose target
        reaches an observed node.
    fit_lags : bool
        Also fit the lags of those links (exponential or third-order delays with a range).
    dt : float
        Time step (years): exponential lags stay >= dt, third-order >= 3 dt.
    initial : dict, optional
        Start values by parameter name (``from->to:weight``) instead of the central values.

    Raises
    ------
    InputError
        A link that does not exist, a link without a range, a lag that cannot be
        fitted, a link no observed node depends on, a start value outside its bounds.
    """
    reach = _influences(model, observed_nodes)
    problems: list[Problem] = []
    notes: list[str] = []
    if links is None:
        chosen = _default_links(model, reach, problems, notes)
    else:
        chosen = _named_links(model, links, reach, fit_lags, problems)
    params = []
    for i in dict.fromkeys(chosen):
        link = model.links[i]
        if link.weight.is_uncertain:
            params.append(_parameter(model, i, "weight", dt))
        if fit_lags and link.lag.is_uncertain:
            if link.delay == "fixed":
                notes.append(
                    msg(
                        "the lag of {link} is a fixed delay (whole time steps) and is not fitted; "
                        "give it delay: exponential to fit it",
                        link=link.key,
                    )
                )
            else:
                params.append(_parameter(model, i, "lag", dt))
    params = [_with_initial(p, initial, problems) for p in params]
    if problems:
        raise InputError(problems)
    return params, notes


def _default_links(
    model: ModelSpec, reach: dict[str, set[str]], problems: list[Problem], notes: list[str]
) -> list[int]:
    """Every link with a weight range whose target reaches an observed node."""
    ranged = [i for i, lk in enumerate(model.links) if lk.weight.is_uncertain]
    chosen = [i for i in ranged if reach[model.links[i].target]]
    if len(chosen) < len(ranged):
        notes.append(
            msg("{n} link(s) with a range were left out: no observed node depends on them", n=len(ranged) - len(chosen))
        )
    if not chosen:
        problems.append(
            Problem(
                "",
                "link",
                msg("no link with a range (low/high) leads to an observed node"),
                msg("name the links to fit (FROM:TO), or observe other nodes"),
            )
        )
    return chosen


def _named_links(
    model: ModelSpec, links: list[tuple[str, str]], reach: dict[str, set[str]], fit_lags: bool, problems: list[Problem]
) -> list[int]:
    """Indices of the links asked for; a problem for each that does not exist or cannot be fitted."""
    index = {(lk.source, lk.target): i for i, lk in enumerate(model.links)}
    chosen = []
    for source, target in links:
        i = index.get((source, target))
        if i is None:
            problems.append(_missing_link_problem(model, source, target))
            continue
        link = model.links[i]
        if not link.weight.is_uncertain and not (fit_lags and link.lag.is_uncertain):
            problems.append(
                Problem(
                    "",
                    "link",
                    msg(
                        "link {link} has a fixed weight {weight:g}, so there is no range to fit within",
                        link=link.key,
                        weight=link.weight.central,
                    ),
                    msg("give it a range in the model, e.g. weight: {{low: .., mode: .., high: ..}}"),
                )
            )
        elif not reach[link.target]:
            problems.append(
                Problem(
                    "",
                    "link",
                    msg("no observed node depends on link {link}", link=link.key),
                    msg("observe '{node}' or a node downstream of it", node=link.target),
                )
            )
        chosen.append(i)
    return chosen


def override_notes(scenario: ScenarioSpec, params: list[FitParameter]) -> list[str]:
    """Notes for fitted parameters that the scenario itself overrides.

    The fit uses the scenario's values as starts and bounds; the fitted values are
    written to the model, where this scenario's override will still replace them.
    """
    overridden = {
        (f"{o.source}->{o.target}", kind)
        for o in scenario.overrides.links
        for kind in ("weight", "lag")
        if getattr(o, kind) is not None
    }
    return [
        msg(
            "{parameter}: the scenario overrides it; its range there bounded the fit, and the fitted value "
            "written to the model is replaced by that override whenever this scenario runs",
            parameter=p.name,
        )
        for p in params
        if (p.key, p.kind) in overridden
    ]


def _missing_link_problem(model: ModelSpec, source: str, target: str) -> Problem:
    import difflib

    keys = [f"{lk.source}:{lk.target}" for lk in model.links]
    close = difflib.get_close_matches(f"{source}:{target}", keys, n=1, cutoff=0.6)
    hint = (
        msg("did you mean '{name}'?", name=close[0])
        if close
        else msg("list the model's links with bwsim validate, or see the model file")
    )
    link = f"{source}->{target}"
    return Problem("", "link", msg("the model has no link {link}", link=link), hint)


def _with_initial(p: FitParameter, initial: dict[str, float] | None, problems: list[Problem]) -> FitParameter:
    start = p.start if not initial or p.name not in initial else float(initial[p.name])
    if not p.low <= start <= p.high:
        problems.append(
            Problem(
                "",
                p.name,
                msg(
                    "start value {start:g} lies outside the bounds {low:g} .. {high:g}",
                    start=start,
                    low=p.low,
                    high=p.high,
                ),
                msg("choose a start inside the link's range, or widen the range in the model"),
            )
        )
        return p
    return FitParameter(p.parameter, start, p.low, p.high, min(p.spread_low, start), max(p.spread_high, start))


# --------------------------------------------------------------------------- model as a function


@dataclass(frozen=True)
class _Setup:
    """The prepared scenario, parameters and observations, as arrays."""

    prepared: PreparedScenario
    params: tuple[FitParameter, ...]
    node: np.ndarray  # (n_obs,) node index of each observation
    k0: np.ndarray  # (n_obs,) grid index left of the observation time
    frac: np.ndarray  # (n_obs,) interpolation weight of k0 + 1
    y: np.ndarray  # (n_obs,) observed values
    series: np.ndarray  # (n_obs,) series index
    series_nodes: tuple[str, ...]

    def predict(self, theta: np.ndarray) -> np.ndarray:
        """Model values ``b + d`` at the observations, shape (n_obs, M) for ``theta`` (P, M)."""
        cm = self.prepared.compiled
        theta = np.atleast_2d(np.asarray(theta, dtype=float).T).T
        weights, lags = parameter_arrays(cm.weight, cm.lag, [p.parameter for p in self.params], theta.T)
        d = simulate(cm, self.prepared.inputs, weights, lags)
        k1 = np.minimum(self.k0 + 1, cm.times.size - 1)
        v0 = cm.baselines[self.k0, self.node][:, None] + d[self.k0, self.node]
        v1 = cm.baselines[k1, self.node][:, None] + d[k1, self.node]
        return v0 + self.frac[:, None] * (v1 - v0)

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        """``d predict / d theta`` by central differences in one batched run, shape (n_obs, P)."""
        lo = np.array([p.low for p in self.params])
        hi = np.array([p.high for p in self.params])
        h = 1e-6 * np.maximum(1.0, np.abs(theta))
        up = np.minimum(theta + h, hi)
        down = np.maximum(theta - h, lo)
        n = theta.size
        members = np.repeat(theta[:, None], 2 * n, axis=1)
        members[np.arange(n), np.arange(n)] = up
        members[np.arange(n), n + np.arange(n)] = down
        pred = self.predict(members)
        return (pred[:, :n] - pred[:, n:]) / (up - down)


def _setup(prepared: PreparedScenario, observed: ObservedData, params: list[FitParameter]) -> _Setup:
    cm = prepared.compiled
    table = observed.table
    times = table["time"].to_numpy(float)
    k = np.clip(np.searchsorted(cm.times, times, side="right") - 1, 0, cm.times.size - 1)
    k1 = np.minimum(k + 1, cm.times.size - 1)
    span = cm.times[k1] - cm.times[k]
    frac = np.where(span > 0, (times - cm.times[k]) / np.where(span > 0, span, 1.0), 0.0)
    series_nodes = tuple(dict.fromkeys(table["node"]))
    series = np.array([series_nodes.index(n) for n in table["node"]])
    node = np.array([cm.index(n) for n in table["node"]])
    return _Setup(prepared, tuple(params), node, k, frac, table["value"].to_numpy(float), series, series_nodes)


# --------------------------------------------------------------------------- fitting


def _series_scale(setup: _Setup, residual: np.ndarray | None) -> np.ndarray:
    """Per-observation scale ``sigma_s``: series spread (first pass) or residual RMSE (second)."""
    scale = np.ones(setup.y.size)
    for s in range(len(setup.series_nodes)):
        rows = setup.series == s
        if residual is None:
            y = setup.y[rows]
            value = np.std(y) if y.size > 1 and np.std(y) > 0 else max(abs(float(np.mean(y))), 1.0)
        else:
            value = math.sqrt(float(np.mean(residual[rows] ** 2)))
            value = value if value > 0 else 1e-12 * max(1.0, float(np.max(np.abs(setup.y[rows]))))
        scale[rows] = value
    return scale


def _fit_once(setup: _Setup, x0: np.ndarray, scale: np.ndarray, max_nfev: int) -> optimize.OptimizeResult:
    lo = np.array([p.low for p in setup.params])
    hi = np.array([p.high for p in setup.params])
    return optimize.least_squares(
        lambda th: (setup.predict(th)[:, 0] - setup.y) / scale,
        x0,
        jac=lambda th: setup.jacobian(th) / scale[:, None],
        bounds=(lo, hi),
        method="trf",
        x_scale="jac",
        max_nfev=max_nfev,
        xtol=1e-10,
        ftol=1e-10,
        gtol=1e-10,
    )


def _starts(params: tuple[FitParameter, ...], n_starts: int, seed: int) -> np.ndarray:
    first = np.array([p.start for p in params])
    if n_starts <= 1:
        return first[None]
    lo = np.array([p.spread_low for p in params])
    hi = np.array([p.spread_high for p in params])
    unit = qmc.LatinHypercube(d=len(params), seed=np.random.default_rng(seed)).random(n_starts - 1)
    return np.vstack([first, lo + unit * (hi - lo)])


def _best_fit(
    setup: _Setup, scale: np.ndarray, starts: np.ndarray, max_nfev: int
) -> tuple[optimize.OptimizeResult | None, int, list[str]]:
    best, converged, failures = None, 0, []
    for x0 in starts:
        try:
            fit = _fit_once(setup, x0, scale, max_nfev)
        except NumericalError as exc:
            failures.append(str(exc))
            continue
        if fit.status > 0:
            converged += 1
            if best is None or fit.cost < best.cost:
                best = fit
        else:
            failures.append(fit.message)
    return best, converged, failures


def _check_budget(prepared: PreparedScenario, n_par: int, fits: int, max_nfev: int) -> None:
    """The repeated runs of a calibration against the budget (:mod:`simulator.budget`), before the first.

    Memory: the largest engine call, the Jacobian's ``2 n_par`` members. Work: every
    fit (each start, each bootstrap refit) may take ``max_nfev`` evaluations, each
    a run and a Jacobian.
    """
    from simulator.budget import Need, check_budget, engine_need

    cm = prepared.compiled
    call = engine_need(cm.times.size, cm.n_nodes, cm.n_links, max(1, 2 * n_par))
    check_budget(call, prepared.file, fix=msg("use a larger dt or a shorter horizon, or fit fewer links"))
    runs = fits * max_nfev * (2 * n_par + 1)
    check_budget(
        Need(call.times, call.nodes, call.links, runs, call.bytes),
        prepared.file,
        fix=msg("use fewer starts, bootstrap replicates or evaluations, or a larger dt"),
    )


def calibrate(
    prepared: PreparedScenario,
    observed: ObservedData,
    params: list[FitParameter],
    *,
    n_starts: int = 5,
    seed: int = 0,
    bootstrap: int = 0,
    max_nfev: int = 200,
    confidence: float = 0.95,
) -> CalibrationResult:
    """Fit ``params`` of ``prepared``'s model to ``observed``.

    Parameters
    ----------
    prepared : PreparedScenario
        What happened over the observed period: the scenario's interventions on its model.
    observed : ObservedData
        Checked against the scenario's model and horizon.
    params : list of FitParameter
        From :func:`select_parameters`.
    n_starts : int
        Starts of the local optimiser: the central values plus ``n_starts - 1``
        Latin-hypercube points inside the ranges.
    seed : int
        Seed of the extra starts and of the bootstrap.
    bootstrap : int
        Replicates of a residual bootstrap for the intervals; 0 uses the Jacobian.
    max_nfev : int
        Largest number of model evaluations per start.
    confidence : float
        Level of the reported intervals.

    Raises
    ------
    InputError
        Too few observations for the number of parameters, or runs above the work and
        memory budget (:mod:`simulator.budget`).
    CalibrationError
        No start converged.
    """
    n_obs, n_par = len(observed), len(params)
    if n_obs <= n_par:
        raise InputError(
            Problem(
                observed.file,
                "",
                msg("{n_obs} observation(s) cannot fit {n_par} parameter(s)", n_obs=n_obs, n_par=n_par),
                msg("give at least {need} observations (many more is better), or fit fewer links", need=n_par + 1),
            )
        )
    _check_budget(prepared, n_par, n_starts + bootstrap, max_nfev)
    setup = _setup(prepared, observed, params)
    scale = _series_scale(setup, None)
    best, converged, failures = _best_fit(setup, scale, _starts(setup.params, n_starts, seed), max_nfev)
    if best is None:
        detail = "; ".join(dict.fromkeys(failures))[:400]
        raise CalibrationError(
            msg(
                "the fit did not converge from any of {starts} start(s) ({detail}). Try: more evaluations, "
                "more starts, fewer links, or check that the scenario describes what happened over the observed "
                "period",
                starts=n_starts,
                detail=detail,
            )
        )
    residual = setup.predict(best.x)[:, 0] - setup.y
    scale = _series_scale(setup, residual)
    second = _fit_once(setup, best.x, scale, max_nfev)
    if second.status > 0:
        best = second
    return _summarise(setup, observed, best, scale, n_starts, converged, bootstrap, seed, confidence, max_nfev)


# --------------------------------------------------------------------------- uncertainty and diagnostics


def _covariance(jac: np.ndarray, s2: float) -> tuple[np.ndarray, float, np.ndarray]:
    """``s2 (J^T J)^-1``, the condition number of ``J^T J`` scaled to unit columns, and the flat parameters.

    A parameter with a sizeable share (loading above 0.1) in a direction along
    which ``J^T J`` is (numerically) flat is not determined by the data: its
    variance is reported as nan rather than the small number a pseudo-inverse
    would give.
    """
    jtj = jac.T @ jac
    norms = np.sqrt(np.diag(jtj))
    safe = np.where(norms > 0, norms, 1.0)
    scaled = jtj / np.outer(safe, safe)
    eig, vectors = np.linalg.eigh(scaled)
    cond = float(eig[-1] / eig[0]) if eig[0] > 0 else math.inf
    flat_dirs = vectors[:, eig <= eig[-1] / CONDITION_WARNING]
    flat = (norms == 0) | (np.abs(flat_dirs) > 0.1).any(axis=1)
    cov = s2 * np.linalg.pinv(jtj, rcond=1e-12, hermitian=True)
    cov[flat, :] = np.nan
    cov[:, flat] = np.nan
    return cov, cond, flat


def _bootstrap(
    setup: _Setup, fit: optimize.OptimizeResult, scale: np.ndarray, replicates: int, seed: int, max_nfev: int
) -> np.ndarray:
    """Parameter sets refitted to fitted values plus resampled residuals, shape (B, P)."""
    rng = np.random.default_rng(seed)
    fitted = setup.predict(fit.x)[:, 0]
    standardised = (setup.y - fitted) / scale
    # centred and inflated by sqrt(n / (n - p)): fitted residuals are smaller than the errors (Davison & Hinkley)
    standardised = (standardised - standardised.mean()) * math.sqrt(setup.y.size / (setup.y.size - fit.x.size))
    draws = []
    for _ in range(replicates):
        y_star = fitted + scale * rng.choice(standardised, size=standardised.size, replace=True)
        boot = _Setup(
            setup.prepared, setup.params, setup.node, setup.k0, setup.frac, y_star, setup.series, setup.series_nodes
        )
        try:
            refit = _fit_once(boot, fit.x, scale, max_nfev)
        except NumericalError:
            continue
        if refit.status > 0:
            draws.append(refit.x)
    return np.array(draws).reshape(-1, fit.x.size)


def _summarise(
    setup: _Setup,
    observed: ObservedData,
    fit: optimize.OptimizeResult,
    scale: np.ndarray,
    n_starts: int,
    converged: int,
    bootstrap: int,
    seed: int,
    confidence: float,
    max_nfev: int,
) -> CalibrationResult:
    params = setup.params
    n_obs, n_par = setup.y.size, len(params)
    jac = setup.jacobian(fit.x) / scale[:, None]
    deaf = ~np.any(np.abs(jac) > 0, axis=0)
    if deaf.any():  # no observation responds to them: the winning start's value means nothing; keep the model's
        x = np.where(deaf, [p.start for p in params], fit.x)
        fit = optimize.OptimizeResult({**fit, "x": x})
        jac = setup.jacobian(fit.x) / scale[:, None]
    predicted = setup.predict(fit.x)[:, 0]
    dof = n_obs - n_par
    s2 = float(np.sum(((predicted - setup.y) / scale) ** 2) / dof)
    cov, cond, flat = _covariance(jac, s2)
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.outer(se, se)
    t = float(stats.t.ppf(0.5 + confidence / 2, dof))
    low, high, how = fit.x - t * se, fit.x + t * se, msg("{confidence:.0%} t (Jacobian)", confidence=confidence)
    if bootstrap:
        draws = _bootstrap(setup, fit, scale, bootstrap, seed, max_nfev)
        if len(draws) >= 10:
            alpha = (1 - confidence) / 2
            low, high = np.quantile(draws, alpha, axis=0), np.quantile(draws, 1 - alpha, axis=0)
            how = msg(
                "{confidence:.0%} bootstrap ({n} of {replicates} replicates)",
                confidence=confidence,
                n=len(draws),
                replicates=bootstrap,
            )
    warnings, identified = _identifiability(params, jac, se, corr, cond, flat, fit.x, low, high)
    # an interval reaching past the link's range says nothing beyond the range: cut it there, and say so
    bounds_low, bounds_high = np.array([p.low for p in params]), np.array([p.high for p in params])
    clipped = (low < bounds_low) | (high > bounds_high)
    low, high = np.maximum(low, bounds_low), np.minimum(high, bounds_high)
    estimates = tuple(
        ParameterEstimate(
            p,
            float(fit.x[i]),
            float(se[i]),
            float(low[i]),
            float(high[i]),
            how,
            _on_bound(float(fit.x[i]), p),
            identified[i],
            bool(clipped[i]),
        )
        for i, p in enumerate(params)
    )
    return CalibrationResult(
        setup.prepared.name,
        observed.file,
        observed.sha256,
        estimates,
        _series_fits(setup, predicted),
        corr,
        tuple(warnings),
        (),
        n_obs,
        float(fit.cost),
        n_starts,
        converged,
        predicted,
    )


def _on_bound(x: float, p: FitParameter) -> bool:
    width = p.high - p.low if math.isfinite(p.high - p.low) else max(1.0, abs(x))
    return bool(abs(x - p.low) <= 1e-6 * width or abs(x - p.high) <= 1e-6 * width)


def _identifiability(
    params: tuple[FitParameter, ...],
    jac: np.ndarray,
    se: np.ndarray,
    corr: np.ndarray,
    cond: float,
    flat: np.ndarray,
    x: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
) -> tuple[list[str], list[bool]]:
    """Warnings on what the data cannot pin down, and a per-parameter 'identified' flag."""
    warnings: list[str] = []
    ok = [True] * len(params)
    for i, p in enumerate(params):
        width = p.high - p.low
        if not np.any(np.abs(jac[:, i]) > 0):
            warnings.append(
                msg(
                    "{parameter}: the observations do not respond to it over the observed period "
                    "(no intervention reaches it yet, or its effect is nil); it keeps the model's value",
                    parameter=p.name,
                )
            )
            ok[i] = False
        elif flat[i]:
            ok[i] = False
        elif not np.isfinite(se[i]) or (math.isfinite(width) and high[i] - low[i] >= width):
            warnings.append(
                msg(
                    "{parameter}: the data barely constrain it (interval as wide as its range); "
                    "observe more nodes or a longer period, or fix it from literature",
                    parameter=p.name,
                )
            )
            ok[i] = False
        if _on_bound(x[i], p):
            warnings.append(
                msg(
                    "{parameter}: the estimate {estimate:g} sits on a bound of its range "
                    "{low:g} .. {high:g}; the range may be too narrow, or the model misses a path",
                    parameter=p.name,
                    estimate=float(x[i]),
                    low=p.low,
                    high=p.high,
                )
            )
    flat_names = [p.name for i, p in enumerate(params) if flat[i] and np.any(np.abs(jac[:, i]) > 0)]
    if cond > CONDITION_WARNING and flat_names:
        warnings.append(
            msg(
                "the data cannot separate {names}: some combination of them is not determined "
                "(condition number {cond:.2g}); fit fewer links, observe nodes between them, or fix "
                "some from literature",
                names=", ".join(flat_names),
                cond=cond,
            )
        )
    warnings += _correlated_groups(params, corr, ok)
    return warnings, ok


def _correlated_groups(params: tuple[FitParameter, ...], corr: np.ndarray, ok: list[bool]) -> list[str]:
    """One warning per group of estimates linked by correlations above the threshold."""
    graph = nx.Graph()
    for i in range(len(params)):
        for j in range(i + 1, len(params)):
            if np.isfinite(corr[i, j]) and abs(corr[i, j]) > CORRELATION_WARNING:
                graph.add_edge(i, j, r=float(corr[i, j]))
    warnings: list[str] = []
    for group in nx.connected_components(graph):
        members = sorted(group)
        for i in members:
            ok[i] = False
        strongest = max(graph.subgraph(members).edges(data="r"), key=lambda e: abs(e[2]))
        warnings.append(
            msg(
                "{names}: estimates correlated up to {r:+.2f}; the data cannot separate them well: "
                "fit one, or observe a node between them",
                names=", ".join(params[i].name for i in members),
                r=strongest[2],
            )
        )
    return warnings


def _series_fits(setup: _Setup, predicted: np.ndarray) -> tuple[SeriesFit, ...]:
    fits = []
    for s, node in enumerate(setup.series_nodes):
        rows = setup.series == s
        y, r = setup.y[rows], predicted[rows] - setup.y[rows]
        ss_tot = float(np.sum((y - y.mean()) ** 2))
        r2 = 1 - float(np.sum(r**2)) / ss_tot if ss_tot > 0 else math.nan
        fits.append(SeriesFit(node, int(rows.sum()), math.sqrt(float(np.mean(r**2))), r2))
    return tuple(fits)


def with_notes(result: CalibrationResult, notes: list[str]) -> CalibrationResult:
    """``result`` with ``notes`` added (e.g. from :func:`select_parameters`)."""
    from dataclasses import replace

    return replace(result, notes=tuple(result.notes) + tuple(notes))
