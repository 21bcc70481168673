"""Monitoring: are the observed values still inside what the scenario expected?

The scenario's expected band is the spread of its ensemble: every uncertain
weight and lag is drawn (Latin hypercube, :mod:`simulator.sampling`, the same
members as ``bwsim run --samples N --seed S``), run in batches
(:func:`simulator.ensemble.run_members`), and the band is given by exact
quantiles of the level ``b + d`` (node units).
An observation outside the band is flagged with its date, its indicator and the
distance to the nearest edge of the band: the monitor's signal function for a
policy in execution.
"""

from __future__ import annotations

import math
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator import ensemble
from simulator.distributed import parallel_blocks
from simulator.errors import InputError, Problem
from simulator.messages import msg
from simulator.observed import ObservedData
from simulator.sampling import ParameterSample, draw
from simulator.scenario_run import PreparedScenario

MONITOR_COLUMNS = ["node", "time", "observed", "low", "median", "high", "status", "outside_by", "outside_pct"]


@dataclass(frozen=True)
class Band:
    """Quantiles of the scenario's ensemble, per time and node.

    Attributes
    ----------
    node_ids : tuple of str
    times : ndarray (K + 1,)
        Years.
    low, median, high : ndarray (K + 1, n)
        Quantiles of ``b + d`` in node units, for the nodes in ``node_ids``.
    level : float
        Central probability the band covers (0.9: from the 5 % to the 95 % quantile).
    samples : int
    """

    node_ids: tuple[str, ...]
    times: np.ndarray
    low: np.ndarray
    median: np.ndarray
    high: np.ndarray
    level: float
    samples: int

    def at(self, node_id: str, times: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(low, median, high)`` of one node at ``times`` (years), linearly interpolated."""
        j = self.node_ids.index(node_id)
        return tuple(np.interp(times, self.times, q[:, j]) for q in (self.low, self.median, self.high))

    def to_frame(self) -> pd.DataFrame:
        """Long table ``node, time, low, median, high``."""
        n_times, n_nodes = self.low.shape
        return pd.DataFrame(
            {
                "node": np.tile(np.array(self.node_ids, dtype=object), n_times),
                "time": np.repeat(self.times, n_nodes),
                "low": self.low.ravel(),
                "median": self.median.ravel(),
                "high": self.high.ravel(),
            }
        )


def expected_band(
    prepared: PreparedScenario,
    nodes: list[str],
    samples: int = 1000,
    seed: int = 0,
    level: float = 0.9,
    executor: Executor | None = None,
    sample: ParameterSample | None = None,
) -> Band:
    """The scenario's expected band for ``nodes``: ensemble quantiles of their levels.

    Parameters
    ----------
    samples : int
        Ensemble members: the Latin-hypercube draws of :func:`simulator.sampling.draw`,
        the same members as ``bwsim run --samples N --seed S``.
    seed : int
        Same seed, same band, bit for bit.
    executor : concurrent.futures.Executor, optional
        Where the chunks run (Dask); None: in-process.
    level : float
        Central coverage of the band, between 0 and 1.
    sample : ParameterSample, optional
        The draws of :func:`band_sample` for ``samples`` and ``seed``, when already
        drawn (e.g. for the stability warning): they are not drawn again.
    """
    if not 0 < level < 1:
        raise InputError(
            Problem(
                "",
                "level",
                msg("band level {level:g} is not between 0 and 1", level=level),
                msg("use e.g. 0.9 for the 5-95 % band"),
            )
        )
    if samples < 2:
        raise InputError(
            Problem(
                "", "samples", msg("{samples} sample(s) cannot make a band", samples=samples), msg("use at least 100")
            )
        )
    problems = ensemble.sampled_lag_problems(prepared)
    if problems:
        raise InputError(problems)
    ensemble.check_ensemble_budget(
        prepared, samples, keep_nodes=len(nodes), histogram=False, parallel=parallel_blocks(executor)
    )
    cm = prepared.compiled
    index = [cm.index(n) for n in nodes]
    sample = band_sample(prepared, samples, seed) if sample is None else sample
    uncertain = bool(sample.parameters)
    if uncertain and sample.design is None:
        raise ValueError("a sample of uncertain parameters without its design")
    design = np.asarray(sample.design) if uncertain else np.zeros((1, 0))
    weights, lags = sample.values(design)
    d = ensemble.run_members(prepared, weights, lags, executor=executor, nodes=list(nodes))
    value = cm.baselines[:, index][:, :, None] + d
    alpha = (1 - level) / 2
    low, median, high = np.quantile(value, [alpha, 0.5, 1 - alpha], axis=2)
    return Band(tuple(nodes), cm.times.copy(), low, median, high, level, samples if uncertain else 1)


def band_sample(prepared: PreparedScenario, samples: int, seed: int = 0) -> ParameterSample:
    """The band's draws: the Latin hypercube of ``bwsim run --samples N --seed S``."""
    return draw(prepared.model, samples, seed, "lhs")


@dataclass(frozen=True)
class MonitorResult:
    """Observations against the band.

    Attributes
    ----------
    table : pandas.DataFrame
        Columns ``MONITOR_COLUMNS``: per observation the band, ``status``
        ("inside", "above", "below"), ``outside_by`` (observed minus the nearest
        edge of the band, node units; 0 inside) and ``outside_pct`` (that distance
        as % of the band's median; nan when the median is 0).
    band : Band
    tolerance : float
        Measurement tolerance, a fraction of the band's median: an observation is
        outside only when it lies further than this beyond the band.
    """

    scenario: str
    data_file: str
    table: pd.DataFrame
    band: Band
    tolerance: float = 0.0

    @property
    def flagged(self) -> pd.DataFrame:
        """Only the observations outside the band."""
        return self.table[self.table["status"] != "inside"].reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        """Per node: observations, how many outside, and the status of the latest one."""
        rows = []
        for node, group in self.table.groupby("node", sort=False):
            last = group.sort_values("time").iloc[-1]
            rows.append(
                {
                    "node": node,
                    "n": len(group),
                    "outside": int((group["status"] != "inside").sum()),
                    "latest_time": float(last["time"]),
                    "latest_status": last["status"],
                }
            )
        return pd.DataFrame(rows)


def monitor(
    prepared: PreparedScenario,
    observed: ObservedData,
    samples: int = 1000,
    seed: int = 0,
    level: float = 0.9,
    executor: Executor | None = None,
    tolerance: float = 0.0,
    sample: ParameterSample | None = None,
) -> MonitorResult:
    """Compare observed levels with the scenario's expected band.

    ``observed`` must have been checked against the scenario's model and horizon.
    The band holds parameter uncertainty only; ``tolerance`` (a fraction of the
    band's median, e.g. 0.02 for 2 %) allows for measurement error, so that an
    observation is flagged only when it lies further than that beyond the band.
    At the start year, before any lag has acted, the band is a single value and
    ``tolerance`` is what keeps a measured start level from being flagged.
    ``sample``: the band's draws when already drawn (:func:`band_sample`).
    """
    if not (math.isfinite(tolerance) and 0 <= tolerance < 1):
        raise InputError(
            Problem(
                "",
                "tolerance",
                msg("tolerance {pct:g} % is not between 0 and 100 %", pct=100 * tolerance),
                msg("give the measurement error as a percentage of the level, e.g. 2"),
            )
        )
    band = expected_band(prepared, observed.nodes, samples, seed, level, executor, sample)
    frames = []
    for node in observed.nodes:
        times, values = observed.series(node)
        low, median, high = band.at(node, times)
        slack = tolerance * np.abs(median)
        status = np.where(values > high + slack, "above", np.where(values < low - slack, "below", "inside"))
        by = np.where(status == "above", values - high, np.where(status == "below", values - low, 0.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            pct = np.where(median != 0, 100 * by / np.abs(median), np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "node": node,
                    "time": times,
                    "observed": values,
                    "low": low,
                    "median": median,
                    "high": high,
                    "status": status,
                    "outside_by": by,
                    "outside_pct": pct,
                },
                columns=MONITOR_COLUMNS,
            )
        )
    table = pd.concat(frames, ignore_index=True)
    return MonitorResult(prepared.name, observed.file, table, band, tolerance)
