"""Global sensitivity: which uncertain links matter most for an outcome, and when.

Every uncertain weight and lag of a model (a distribution with spread) is a
factor. SALib draws factor sets in the unit cube; each coordinate is mapped to
the factor's own distribution through its inverse CDF (triangular, uniform,
normal), so the analysis respects the elicited ranges and modes. All sets are
run on the batched engine as ensemble members, in chunks to bound memory
(``simulate(cm, u, weights (L, M), lags (L, M))``), and the indices are
computed for the output node's deviation at each requested year.

- **Sobol** (Saltelli sampling, first and total order; ``N (D + 2)`` runs):
  ``S1`` is the share of the output variance a factor explains alone, ``ST``
  including all its interactions.
- **Morris** (elementary effects; ``N (D + 1)`` runs): ``mu_star`` (mean absolute
  effect, in the output's unit per unit of the factor's quantile scale) and
  ``sigma`` (interaction or non-linearity); cheaper, for screening.

Members run through :func:`simulator.ensemble.run_members`, in chunks that an
executor can spread over Dask workers (``bwsim sensitivity --workers N``); one
Sobol analysis of the default model (N = 1,024) takes seconds on one core (see
benchmarks/bench_sensitivity.py). As for ensembles, a lag whose range reaches
below what ``dt`` allows is refused (:func:`simulator.ensemble.sampled_lag_problems`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

from simulator import ensemble
from simulator.distributed import parallel_blocks
from simulator.errors import InputError, Problem
from simulator.messages import msg
from simulator.sampling import Parameter, inverse_cdf, parameter_arrays, uncertain_parameters
from simulator.scenario_run import PreparedScenario
from simulator.spec import Distribution, ModelSpec

Method = Literal["sobol", "morris"]
CHUNK_MEMBERS = 10_000
"""Ensemble members per unit of work (engine calls are blocks of 1,000; see simulator.ensemble)."""
UNIT_EPS = 1e-6
"""Unit-cube samples are kept inside [eps, 1 - eps] so open distributions stay finite."""


Factor = Parameter
"""A factor of the analysis is an uncertain parameter (:class:`simulator.sampling.Parameter`)."""


def uncertain_factors(model: ModelSpec, dt: float) -> list[Parameter]:
    """Every weight and lag with a spread, in link order (weight before lag); lags with their floor at ``dt``."""
    return list(uncertain_parameters(model, dt))


def quantile(dist: Distribution, unit: np.ndarray) -> np.ndarray:
    """The distribution's inverse CDF at ``unit`` (values in [0, 1]), same shape (scipy's convention)."""
    return inverse_cdf(dist, unit, UNIT_EPS, "scipy")


def factor_values(factors: list[Parameter], unit: np.ndarray) -> np.ndarray:
    """Unit-cube samples (n, D) as factor values (n, D) in weight units or years (raised to each floor)."""
    values = np.empty(unit.shape)
    for j, factor in enumerate(factors):
        values[:, j] = np.maximum(quantile(factor.dist, unit[:, j]), factor.floor)
    return values


def member_parameters(
    prepared: PreparedScenario, factors: list[Parameter], values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Weights and lags, each shape (L, n), for factor values (n, D); other links at their central values."""
    cm = prepared.compiled
    return parameter_arrays(cm.weight, cm.lag, factors, values)


def run_members(
    prepared: PreparedScenario,
    factors: list[Parameter],
    values: np.ndarray,
    outputs: list[int],
    chunk: int = CHUNK_MEMBERS,
    executor: Executor | None = None,
) -> np.ndarray:
    """Deviations of ``outputs`` for every factor set, run in chunks of members.

    Uses :func:`simulator.ensemble.run_members`, so the chunks can run on Dask
    (``executor`` from :func:`simulator.distributed.dask_executor`) and the
    numbers do not depend on the chunking or the executor.

    Parameters
    ----------
    values : ndarray (n, D)
        Factor values; the other links keep their central values.
    outputs : list of int
        Node indices to keep.
    chunk : int
        Members per unit of work.

    Returns
    -------
    ndarray (K + 1, len(outputs), n)
        ``d`` in node units.
    """
    weights, lags = member_parameters(prepared, factors, values)
    nodes = [prepared.compiled.node_ids[i] for i in outputs]
    return ensemble.run_members(prepared, weights, lags, chunk_size=chunk, executor=executor, nodes=nodes)


# --------------------------------------------------------------------------- generic analysis


@dataclass(frozen=True)
class Indices:
    """Sensitivity indices of one output at several times.

    Attributes
    ----------
    method : "sobol" | "morris"
    names : tuple of str
        Factor names, length D.
    times : ndarray (T,)
        Years (or output labels for a generic function).
    values : dict of str to ndarray (T, D)
        Sobol: ``S1``, ``S1_conf``, ``ST``, ``ST_conf``; Morris: ``mu``, ``mu_star``,
        ``mu_star_conf``, ``sigma``. Outputs without variance give zeros.
    variance : ndarray (T,)
        Output variance over the samples (output units squared).
    n_runs : int
        Model runs (ensemble members) used.
    """

    method: str
    names: tuple[str, ...]
    times: np.ndarray
    values: dict[str, np.ndarray]
    variance: np.ndarray
    n_runs: int

    @property
    def main(self) -> str:
        """The index that ranks factors: ``ST`` (Sobol) or ``mu_star`` (Morris)."""
        return "ST" if self.method == "sobol" else "mu_star"

    def ranking(self, time: float) -> pd.DataFrame:
        """One row per factor at the reported time closest to ``time``, most important first."""
        k = int(np.argmin(np.abs(self.times - time)))
        frame = pd.DataFrame({"factor": self.names} | {key: v[k] for key, v in self.values.items()})
        frame = frame.sort_values(self.main, ascending=False, kind="stable").reset_index(drop=True)
        frame.insert(0, "rank", np.arange(1, len(frame) + 1))
        return frame

    def over_time(self, index: str | None = None) -> pd.DataFrame:
        """Long table ``time, factor, value`` of one index (default: the ranking one)."""
        index = index or self.main
        data = self.values[index]
        return pd.DataFrame(
            {
                "time": np.repeat(self.times, len(self.names)),
                "factor": np.tile(np.array(self.names, dtype=object), self.times.size),
                "value": data.ravel(),
            }
        )


def _problem(n_factors: int) -> dict:
    return {"num_vars": n_factors, "names": [f"x{j}" for j in range(n_factors)], "bounds": [[0.0, 1.0]] * n_factors}


def _bootstrap_seed(seed: int) -> int:
    """The seed of SALib's bootstrap of the confidence intervals: ``seed + 1``.

    SALib tests ``if seed:``, so seed 0 (our default) would leave the bootstrap
    unseeded and the ``*_conf`` columns would change from run to run.
    """
    return seed + 1


def _sobol(problem: dict, y: np.ndarray, seed: int, resamples: int) -> dict[str, np.ndarray]:
    from SALib.analyze import sobol as sobol_analyze

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = sobol_analyze.analyze(
            problem, y, calc_second_order=False, num_resamples=resamples, seed=_bootstrap_seed(seed)
        )
    return {k: np.asarray(res[k], dtype=float) for k in ("S1", "S1_conf", "ST", "ST_conf")}


def _morris(
    problem: dict, x: np.ndarray, y: np.ndarray, seed: int, resamples: int, levels: int
) -> dict[str, np.ndarray]:
    from SALib.analyze import morris as morris_analyze

    res = morris_analyze.analyze(problem, x, y, num_resamples=resamples, num_levels=levels, seed=_bootstrap_seed(seed))
    return {k: np.asarray(res[k], dtype=float) for k in ("mu", "mu_star", "mu_star_conf", "sigma")}


def design(n_factors: int, method: Method = "sobol", n_base: int = 1024, seed: int = 0, levels: int = 4) -> np.ndarray:
    """SALib's samples in the unit cube, shape (n, D): Saltelli (Sobol) or Morris trajectories."""
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    problem = _problem(n_factors)
    if method == "sobol":
        return sobol_sample.sample(problem, n_base, calc_second_order=False, seed=seed)
    return morris_sample.sample(problem, n_base, num_levels=levels, seed=seed)


def indices_of(
    x: np.ndarray,
    y: np.ndarray,
    names: list[str],
    times: np.ndarray,
    method: Method = "sobol",
    seed: int = 0,
    resamples: int = 100,
    levels: int = 4,
) -> Indices:
    """Indices of outputs ``y`` (T, n) computed at the samples ``x`` (n, D) of :func:`design`."""
    problem = _problem(len(names))
    y = np.asarray(y, dtype=float)
    variance = y.var(axis=1)
    rows: dict[str, list[np.ndarray]] = {}
    for k in range(y.shape[0]):
        if variance[k] <= 1e-24 * max(1.0, float(np.mean(y[k] ** 2))):
            keys = (
                ("S1", "S1_conf", "ST", "ST_conf") if method == "sobol" else ("mu", "mu_star", "mu_star_conf", "sigma")
            )
            result = {key: np.zeros(len(names)) for key in keys}
        elif method == "sobol":
            result = _sobol(problem, y[k], seed, resamples)
        else:
            result = _morris(problem, x, y[k], seed, resamples, levels)
        for key, value in result.items():
            rows.setdefault(key, []).append(value)
    values = {key: np.vstack(v) for key, v in rows.items()}
    return Indices(method, tuple(names), np.asarray(times, dtype=float), values, variance, x.shape[0])


def analyse(
    model_fn: Callable[[np.ndarray], np.ndarray],
    names: list[str],
    times: np.ndarray,
    method: Method = "sobol",
    n_base: int = 1024,
    seed: int = 0,
    resamples: int = 100,
    levels: int = 4,
) -> Indices:
    """Sobol or Morris indices of a vectorised model on the unit cube.

    Parameters
    ----------
    model_fn : callable
        Maps unit-cube samples (n, D) to outputs (T, n): one row per reported time.
    names : list of str
        Factor names, length D.
    times : ndarray (T,)
        Labels of the output rows (years).
    n_base : int
        SALib's ``N``: base samples (a power of 2 for Sobol).
    resamples : int
        Bootstrap resamples of the confidence intervals.
    """
    x = design(len(names), method, n_base, seed, levels)
    return indices_of(x, model_fn(x), names, times, method, seed, resamples, levels)


# --------------------------------------------------------------------------- on a scenario


def report_years(prepared: PreparedScenario, year: float, every: float = 5.0) -> np.ndarray:
    """Years for the indices over time: every ``every`` years over the horizon, plus ``year``."""
    times = prepared.compiled.times
    grid = np.arange(math.ceil(times[0] / every) * every, times[-1] + 1e-9, every)
    return np.unique(np.concatenate([grid, [year]]))


def scenario_sensitivity(
    prepared: PreparedScenario,
    output: str,
    year: float,
    method: Method = "sobol",
    n_base: int = 1024,
    seed: int = 0,
    years: np.ndarray | None = None,
    resamples: int = 100,
    chunk: int = CHUNK_MEMBERS,
    executor: Executor | None = None,
) -> Indices:
    """Sensitivity of ``output``'s deviation to every uncertain weight and lag of the scenario's model.

    Parameters
    ----------
    prepared : PreparedScenario
    output : str
        Node id.
    year : float
        The year of interest; must lie inside the horizon.
    years : ndarray, optional
        Years for the indices over time (default: :func:`report_years`).
    chunk : int
        Members per unit of work.
    executor : concurrent.futures.Executor, optional
        Where the chunks run (e.g. Dask, :func:`simulator.distributed.dask_executor`); None: in-process.

    Raises
    ------
    InputError
        Unknown output node, a year outside the horizon, no uncertain parameter,
        too few samples, lags whose range reaches below what ``dt`` allows.
    """
    return scenario_sensitivities(prepared, [output], year, method, n_base, seed, years, resamples, chunk, executor)[
        output
    ]


class SensitivityDesign(NamedTuple):
    """The runs of one analysis, drawn once: the factors, SALib's unit-cube samples ``x`` (n, D) and the
    members' weights and lags, each (L, n), in weight units and years."""

    factors: list[Parameter]
    x: np.ndarray
    weights: np.ndarray
    lags: np.ndarray


def sensitivity_design(
    prepared: PreparedScenario,
    outputs: list[str],
    year: float,
    method: Method = "sobol",
    n_base: int = 1024,
    seed: int = 0,
) -> SensitivityDesign:
    """Check the request and draw its design once (the stability check and the runs then share it).

    Raises
    ------
    InputError
        As :func:`scenario_sensitivity` for a request it refuses.
    """
    _check_request(prepared, outputs, year, n_base, method)
    factors = uncertain_factors(prepared.model, prepared.compiled.dt)
    x = design(len(factors), method, n_base, seed)
    weights, lags = member_parameters(prepared, factors, factor_values(factors, x))
    return SensitivityDesign(factors, x, weights, lags)


def scenario_sensitivities(
    prepared: PreparedScenario,
    outputs: list[str],
    year: float,
    method: Method = "sobol",
    n_base: int = 1024,
    seed: int = 0,
    years: np.ndarray | None = None,
    resamples: int = 100,
    chunk: int = CHUNK_MEMBERS,
    executor: Executor | None = None,
    drawn: SensitivityDesign | None = None,
) -> dict[str, Indices]:
    """Like :func:`scenario_sensitivity` for several outputs from the same runs: indices by node id.

    ``drawn``: the design of :func:`sensitivity_design` for the same request, when already drawn.
    """
    cm = prepared.compiled
    if drawn is None:
        drawn = sensitivity_design(prepared, outputs, year, method, n_base, seed)
    years = report_years(prepared, year) if years is None else np.asarray(years, dtype=float)
    rows = np.array([int(np.argmin(np.abs(cm.times - y))) for y in years])
    names = [f.name for f in drawn.factors]
    _check_budget(prepared, len(outputs), method, n_base, parallel_blocks(executor))
    d = ensemble.run_members(
        prepared, drawn.weights, drawn.lags, chunk_size=chunk, executor=executor, nodes=list(outputs)
    )
    return {
        node: indices_of(drawn.x, d[rows, j, :], names, cm.times[rows], method, seed, resamples)
        for j, node in enumerate(outputs)
    }


def first_members(
    prepared: PreparedScenario,
    outputs: list[str],
    year: float,
    method: Method = "sobol",
    n_base: int = 1024,
    seed: int = 0,
    count: int = 200,
) -> tuple[np.ndarray, np.ndarray]:
    """Weights and lags, each (L, count), of the first runs :func:`scenario_sensitivities` makes.

    Draws the design; when the runs follow, draw it once with :func:`sensitivity_design` instead.
    """
    drawn = sensitivity_design(prepared, outputs, year, method, n_base, seed)
    return drawn.weights[:, :count], drawn.lags[:, :count]


def _check_request(prepared: PreparedScenario, outputs: list[str], year: float, n_base: int, method: str) -> None:
    import difflib

    cm = prepared.compiled
    problems = []
    for output in outputs:
        if output not in cm.node_ids:
            close = difflib.get_close_matches(output, cm.node_ids, n=1, cutoff=0.5)
            problems.append(
                Problem(
                    "",
                    "output",
                    msg("unknown node '{node}'", node=output),
                    msg("did you mean '{name}'?", name=close[0]) if close else msg("give a node id of the model"),
                )
            )
    if not outputs:
        problems.append(
            Problem("", "output", msg("no output node given"), msg("name the outcome, e.g. life_satisfaction"))
        )
    if not cm.times[0] <= year <= cm.times[-1]:
        problems.append(
            Problem(
                "",
                "year",
                msg(
                    "year {year:g} is outside the horizon {start:g}-{end:g}",
                    year=year,
                    start=float(cm.times[0]),
                    end=float(cm.times[-1]),
                ),
                msg("choose a year inside it"),
            )
        )
    if not uncertain_factors(prepared.model, cm.dt):
        problems.append(
            Problem(
                "",
                "",
                msg("the model has no uncertain weight or lag"),
                msg("give links a range, e.g. weight: {{low: .., mode: .., high: ..}}"),
            )
        )
    if n_base < 2 or (method == "sobol" and n_base & (n_base - 1)):
        problems.append(
            Problem(
                "",
                "samples",
                msg("{n} base samples", n=n_base),
                msg("use a power of 2 of at least 2 for Sobol (e.g. 1024), at least 2 for Morris"),
            )
        )
    if method not in ("sobol", "morris"):
        problems.append(
            Problem("", "method", msg("unknown method '{method}'", method=method), msg("use sobol or morris"))
        )
    problems += ensemble.sampled_lag_problems(prepared)
    if problems:
        raise InputError(problems)
    _check_budget(prepared, len(outputs), method, n_base)


def _check_budget(prepared: PreparedScenario, n_outputs: int, method: str, n_base: int, parallel: int = 1) -> None:
    """The runs' work and memory (:mod:`simulator.budget`), before the design is drawn."""
    n_factors = len(uncertain_factors(prepared.model, prepared.compiled.dt))
    n_members = n_base * (n_factors + (2 if method == "sobol" else 1))  # Saltelli; Morris trajectories
    ensemble.check_ensemble_budget(prepared, n_members, keep_nodes=n_outputs, histogram=False, parallel=parallel)
