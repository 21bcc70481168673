"""Evaluation after the fact: the observed impact of a policy against what its scenario expected.

bwsim works in deviation form: a node's level is its baseline ``b(t)`` plus the
deviation ``d(t)`` the scenario's interventions cause. Before the policy starts
``d = 0``, so observations from before the policy identify the **baseline** of an
indicator, not the link weights. Per observed indicator (docs/evaluation.md):

1. **Counterfactual fit** on the observations before ``since``: the model's own
   baseline adjusted to the data, ``c(t) = b(t) + a + beta (t - since)``: a level
   shift ``a`` (node units), and a trend ``beta`` (node units per year) when there
   are at least :data:`MIN_TREND_POINTS` points and the small-sample Akaike
   criterion (AICc) of the residuals prefers it. Ordinary least squares with the
   residual variance ``s^2`` and the parameters' covariance ``s^2 (X^T X)^-1``.
2. **Observed impact** at each observation from ``since`` on: observed minus the
   continued fit, with a band of the fit's uncertainty plus the observation noise
   (the prediction interval ``+- t_{n-p} sqrt(x^T Cov x + s^2)``, ``s^2`` from the
   pre-policy residuals).
3. **Expected impact**: the scenario's deviation ``d(t)``, its band the ensemble's
   5 % and 95 % quantiles (:func:`simulator.runner.run_prepared`).
4. **Verdict** per observation: ``zero`` (the observed band holds 0: not
   distinguishable from zero), else ``as_expected`` (the observed band overlaps
   the expected band), ``larger`` or ``smaller`` (beyond, or short of, the
   expected band in the direction of the expected effect).

Numbers only: no files, no printing; the verdicts are codes that a front end puts
into words. Bad input is an :class:`~simulator.errors.InputError`.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.errors import InputError, Problem
from simulator.messages import msg
from simulator.observed import ObservedData
from simulator.runner import ScenarioRun, Uncertainty, run_prepared
from simulator.scenario_run import PreparedScenario

LEVEL = 0.9
"""Central coverage of both bands: the ensemble's p05..p95, and the same for the observed impact."""

MIN_PRE_POINTS = 3
"""Observations before the policy a counterfactual needs: a level shift and at least two for its noise."""

MIN_TREND_POINTS = 5
"""Observations before the policy from which a trend is considered (AICc needs n > p + 2, p = 2 and the noise)."""

FORMS = ("level", "trend")
VERDICTS = ("zero", "as_expected", "larger", "smaller")

EVALUATION_COLUMNS = [
    "node",
    "time",
    "observed",
    "counterfactual",
    "impact",
    "impact_low",
    "impact_high",
    "expected",
    "expected_low",
    "expected_median",
    "expected_high",
    "vs_expected",
    "verdict",
]


@dataclass(frozen=True)
class CounterfactualFit:
    """The fit of one indicator's counterfactual on its pre-policy observations.

    Attributes
    ----------
    node : str
    form : {"level", "trend"}
        ``c(t) = b(t) + a`` or ``c(t) = b(t) + a + beta (t - since)``.
    since : float
        The policy's first year.
    coefficients : ndarray (p,)
        ``a`` (node units), and for a trend ``beta`` (node units per year).
    covariance : ndarray (p, p)
        ``s^2 (X^T X)^-1``.
    sigma : float
        Residual standard deviation ``s`` (node units), with ``n - p`` degrees of freedom.
    n : int
        Pre-policy observations.
    aicc : dict of str to float
        AICc of every form that was tried (smaller is better; a form with too few points is absent).
    residuals : ndarray (n,)
        Observed minus fitted, node units.
    """

    node: str
    form: str
    since: float
    coefficients: np.ndarray
    covariance: np.ndarray
    sigma: float
    n: int
    aicc: dict[str, float]
    residuals: np.ndarray

    @property
    def autocorrelation(self) -> float:
        """Lag-1 autocorrelation of the residuals in time order (nan with fewer than 3)."""
        r = self.residuals
        if r.size < 3 or not np.any(r):
            return float("nan")
        return float(np.sum(r[1:] * r[:-1]) / np.sum(r * r))

    @property
    def autocorrelated(self) -> bool:
        """True when the residuals' lag-1 autocorrelation exceeds ``1.645 / sqrt(n)``, its one-sided 5 % bound
        for independent noise: then the bands, which assume independent noise, are likely too narrow."""
        return bool(self.autocorrelation > 1.645 / np.sqrt(self.n))

    @property
    def dof(self) -> int:
        """Residual degrees of freedom ``n - p``."""
        return self.n - self.coefficients.size

    def predict(self, times: np.ndarray, baseline: np.ndarray, level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
        """The continued counterfactual at ``times`` and the half-width of its prediction band.

        Parameters
        ----------
        times : ndarray (m,)
            Years.
        baseline : ndarray (m,)
            The model's baseline ``b`` at ``times``, node units.

        Returns
        -------
        (counterfactual, half_width) : ndarray (m,) each, node units
            ``half_width = t_{n-p, (1+level)/2} sqrt(x^T Cov x + s^2)``: the fit's uncertainty
            plus one observation's noise.
        """
        from scipy import stats

        x = _design(np.asarray(times, float), self.since, self.form)
        fitted = np.asarray(baseline, float) + x @ self.coefficients
        variance = np.einsum("ij,jk,ik->i", x, self.covariance, x) + self.sigma**2
        return fitted, float(stats.t.ppf((1 + level) / 2, self.dof)) * np.sqrt(variance)


def _design(times: np.ndarray, since: float, form: str) -> np.ndarray:
    columns = [np.ones_like(times)] + ([times - since] if form == "trend" else [])
    return np.column_stack(columns)


def _aicc(rss: float, n: int, p: int) -> float:
    """Small-sample Akaike criterion of a Gaussian least-squares fit with ``p`` coefficients and its variance."""
    k = p + 1
    with np.errstate(divide="ignore"):
        return float(n * np.log(rss / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1))


def fit_counterfactual(
    node: str, times: np.ndarray, values: np.ndarray, baseline: np.ndarray, since: float
) -> CounterfactualFit:
    """Fit ``values - baseline`` on a level (and a trend, when AICc prefers it) by least squares.

    Parameters
    ----------
    times, values, baseline : ndarray (n,)
        Pre-policy observation years, observed levels and the model's baseline there (node units).
    since : float
        The policy's first year; the trend is measured from it, so ``a`` is the shift at ``since``.

    Raises
    ------
    ValueError
        Fewer than :data:`MIN_PRE_POINTS` points (callers refuse such data first, as input).
    """
    times, values, baseline = (np.asarray(v, float) for v in (times, values, baseline))
    n = times.size
    if n < MIN_PRE_POINTS:
        raise ValueError(f"{n} points cannot fit a counterfactual; at least {MIN_PRE_POINTS} are needed")
    y = values - baseline
    fits, aicc = {}, {}
    for form in FORMS:
        p = 1 if form == "level" else 2
        if n < (MIN_PRE_POINTS if p == 1 else MIN_TREND_POINTS):
            continue
        x = _design(times, since, form)
        coefficients, *_ = np.linalg.lstsq(x, y, rcond=None)
        residuals = y - x @ coefficients
        rss = float(residuals @ residuals)
        fits[form] = (x, coefficients, residuals, rss, p)
        if n > p + 2:
            aicc[form] = _aicc(rss, n, p)
    form = "trend" if "trend" in aicc and aicc["trend"] < aicc["level"] else "level"
    x, coefficients, residuals, rss, p = fits[form]
    sigma2 = rss / (n - p)
    covariance = sigma2 * np.linalg.inv(x.T @ x)
    return CounterfactualFit(
        node, form, float(since), coefficients, covariance, float(np.sqrt(sigma2)), n, aicc, residuals
    )


def relation(
    low: np.ndarray, high: np.ndarray, expected_low: np.ndarray, expected_high: np.ndarray, direction: np.ndarray
) -> np.ndarray:
    """``inside``, ``larger`` or ``smaller``: where the band ``low..high`` lies against the expected band.

    ``direction`` (+1 or -1 per row) is the sign of the expected effect: "larger"
    is further from zero that way (a fall in unemployment larger than expected is
    a lower value). Bands that overlap are ``inside``.
    """
    lo = np.minimum(direction * low, direction * high)
    hi = np.maximum(direction * low, direction * high)
    elo = np.minimum(direction * expected_low, direction * expected_high)
    ehi = np.maximum(direction * expected_low, direction * expected_high)
    return np.where(lo > ehi, "larger", np.where(hi < elo, "smaller", "inside"))


def verdicts(low: np.ndarray, high: np.ndarray, vs_expected: np.ndarray) -> np.ndarray:
    """``zero`` where the observed band holds 0, else ``as_expected``, ``larger`` or ``smaller``."""
    judged = np.where(vs_expected == "inside", "as_expected", vs_expected)
    return np.where((low <= 0) & (high >= 0), "zero", judged)


@dataclass(frozen=True)
class Evaluation:
    """What :func:`evaluate` finds.

    Attributes
    ----------
    scenario, data_file : str
    since : float
    table : pandas.DataFrame
        Columns :data:`EVALUATION_COLUMNS`, one row per observation from ``since`` on
        (node units): the continued ``counterfactual``, the observed ``impact`` with
        its band, the scenario's ``expected`` deviation (deterministic run) and its
        ensemble band, ``vs_expected`` ("inside", "larger", "smaller") and ``verdict``
        (one of :data:`VERDICTS`).
    fits : dict of str to CounterfactualFit
        Per observed node.
    run : ScenarioRun
        The scenario's run (deterministic and ensemble) the expectation comes from.
    level : float
    warnings : tuple of str
        The run's warnings and this evaluation's own (messages for people).
    """

    scenario: str
    data_file: str
    since: float
    table: pd.DataFrame
    fits: dict[str, CounterfactualFit]
    run: ScenarioRun
    level: float = LEVEL
    warnings: tuple[str, ...] = ()

    def summary(self) -> pd.DataFrame:
        """Per node: the fit (form, n, sigma), post-policy observations, the count of each verdict, the latest one."""
        rows = []
        for node, fit in self.fits.items():
            group = self.table[self.table["node"] == node]
            counts = group["verdict"].value_counts()
            rows.append(
                {
                    "node": node,
                    "form": fit.form,
                    "n_before": fit.n,
                    "sigma": fit.sigma,
                    "n_after": len(group),
                    **{v: int(counts.get(v, 0)) for v in VERDICTS},
                    "latest_time": float(group["time"].iloc[-1]),
                    "latest": str(group["verdict"].iloc[-1]),
                }
            )
        return pd.DataFrame(rows)


def data_problems(observed: ObservedData, since: float, horizon: tuple[float, float]) -> list[Problem]:
    """Why ``observed`` cannot be evaluated from ``since`` on (empty: it can).

    ``since`` outside the horizon; an indicator observed in several regions; one whose
    observations start after ``since``, or leave fewer than :data:`MIN_PRE_POINTS`
    before it; one with no observation from ``since`` on.
    """
    start, end = horizon
    if not start < since <= end:
        return [
            Problem(
                "",
                "since",
                msg(
                    "the policy's start {since:g} is outside the scenario's horizon "
                    "{start:g}-{end:g}, or at its first year",
                    since=since,
                    start=start,
                    end=end,
                ),
                msg(
                    "give the year the policy started, after the horizon's start; the horizon (time: start "
                    "in the scenario) must begin before the first observations"
                ),
            )
        ]
    problems = []
    table = observed.table
    for node in observed.nodes:
        rows = table[table["node"] == node]
        first = rows.iloc[0]
        regions = sorted(set(rows["region"]))
        if len(regions) > 1:
            problems.append(
                Problem(
                    observed.file,
                    msg("rows of '{node}'", node=node),
                    msg(
                        "'{node}' is observed in {n} regions ({regions}); an evaluation compares "
                        "one series per indicator",
                        node=node,
                        n=len(regions),
                        regions=", ".join(regions),
                    ),
                    msg("keep the rows of one region"),
                    int(first["line"]),
                )
            )
            continue
        before = int((rows["time"] < since).sum())
        if before == 0:
            problems.append(
                Problem(
                    observed.file,
                    msg("rows of '{node}'", node=node),
                    msg(
                        "the observations of '{node}' start in {first:g}, after the policy's start "
                        "{since:g}: there is no period before the policy to fit the "
                        "counterfactual on",
                        node=node,
                        first=float(first["time"]),
                        since=since,
                    ),
                    msg(
                        "add at least {n} observations from before {since:g}, or give a later start of the policy",
                        n=MIN_PRE_POINTS,
                        since=since,
                    ),
                    int(first["line"]),
                )
            )
        elif before < MIN_PRE_POINTS:
            problems.append(
                Problem(
                    observed.file,
                    msg("rows of '{node}'", node=node),
                    msg(
                        "'{node}' has {n} observation(s) before {since:g}; fitting its "
                        "counterfactual needs at least {needed} (a level shift, and the rest for "
                        "the noise; a trend is considered from {trend})",
                        node=node,
                        n=before,
                        since=since,
                        needed=MIN_PRE_POINTS,
                        trend=MIN_TREND_POINTS,
                    ),
                    msg("add observations from before {since:g}", since=since),
                    int(first["line"]),
                )
            )
        if before and int((rows["time"] >= since).sum()) == 0:
            last = rows.iloc[-1]
            problems.append(
                Problem(
                    observed.file,
                    msg("rows of '{node}'", node=node),
                    msg("'{node}' has no observation from {since:g} on: nothing to evaluate", node=node, since=since),
                    msg("add observations made since the policy started, or drop the rows of '{node}'", node=node),
                    int(last["line"]),
                )
            )
    return problems


def evaluate(
    prepared: PreparedScenario,
    observed: ObservedData,
    since: float,
    uncertainty: Uncertainty,
    *,
    executor: Executor | None = None,
    threads: int = 1,
) -> Evaluation:
    """Evaluate a policy after the fact: observed impact against the scenario's expected impact.

    Parameters
    ----------
    prepared : PreparedScenario
        The policy as planned, on a horizon that starts before the observations.
    observed : ObservedData
        Levels in node units, checked against the scenario's model and horizon.
    since : float
        The year the policy started: observations before it fit the counterfactual,
        those from it on are evaluated.
    uncertainty : Uncertainty
        Resolved ensemble settings (samples, seed, method) of the expected band.

    Raises
    ------
    InputError
        See :func:`data_problems`; also the ensemble's settings (as :func:`~simulator.runner.run_prepared`).
    """
    times = prepared.compiled.times
    problems = data_problems(observed, float(since), (float(times[0]), float(times[-1])))
    if problems:
        raise InputError(problems)
    run = run_prepared(prepared, uncertainty, scorecard=False, member_times="none", executor=executor, threads=threads)
    if run.ensemble is None:
        raise ValueError("evaluate needs ensemble settings with a sample size")
    warnings = list(run.warnings)
    fits, frames = {}, []
    for node in observed.nodes:
        t_obs, values = observed.series(node)
        j = prepared.compiled.index(node)
        baseline = np.interp(t_obs, times, prepared.compiled.baselines[:, j])
        central = np.interp(t_obs, times, run.result.delta[:, j])
        pre = t_obs < since
        scale = max(float(np.max(np.abs(run.result.delta[:, j]))), float(np.max(np.abs(baseline))), 1.0)
        if np.any(np.abs(central[pre]) > 1e-9 * scale):
            warnings.append(
                msg(
                    "the scenario already changes '{node}' before {since:g}: the counterfactual is fitted "
                    "on years the policy acted in (start the interventions at {since:g}, or give "
                    "their start as the policy's)",
                    node=node,
                    since=since,
                )
            )
        fit = fit_counterfactual(node, t_obs[pre], values[pre], baseline[pre], since)
        fits[node] = fit
        if fit.autocorrelated:
            warnings.append(
                msg(
                    "the residuals of the fit of '{node}' before {since:g} are autocorrelated (lag-1 "
                    "correlation {r:.2f} over {n} observations): its bands assume independent noise and "
                    "are likely too narrow",
                    node=node,
                    since=since,
                    r=fit.autocorrelation,
                    n=fit.n,
                )
            )
        post = ~pre
        counterfactual, half = fit.predict(t_obs[post], baseline[post])
        impact = values[post] - counterfactual
        p05, p50, p95 = (
            np.interp(t_obs[post], times, q[:, run.ensemble.node_ids.index(node)])
            for q in (run.ensemble.p05, run.ensemble.p50, run.ensemble.p95)
        )
        direction = np.where(np.where(p50 != 0, p50, central[post]) < 0, -1.0, 1.0)
        low, high = impact - half, impact + half
        vs = relation(low, high, p05, p95, direction)
        frames.append(
            pd.DataFrame(
                {
                    "node": node,
                    "time": t_obs[post],
                    "observed": values[post],
                    "counterfactual": counterfactual,
                    "impact": impact,
                    "impact_low": low,
                    "impact_high": high,
                    "expected": central[post],
                    "expected_low": p05,
                    "expected_median": p50,
                    "expected_high": p95,
                    "vs_expected": vs,
                    "verdict": verdicts(low, high, vs),
                },
                columns=EVALUATION_COLUMNS,
            )
        )
    table = pd.concat(frames, ignore_index=True)
    return Evaluation(prepared.name, observed.file, float(since), table, fits, run, LEVEL, tuple(warnings))
