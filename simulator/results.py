"""Results of a run, labelled by node and time, and their long-table form."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

RESULT_COLUMNS = ["scenario", "node", "time", "value", "baseline", "delta"]


@dataclass(frozen=True)
class RunResult:
    """A deterministic run of one scenario (at the modes).

    Attributes
    ----------
    scenario : str
        Scenario name.
    node_ids : tuple of str
    times : ndarray (K + 1,)
        Years.
    baseline : ndarray (K + 1, N)
        ``b_i(t_k)`` in node units.
    delta : ndarray (K + 1, N)
        ``d_i(t_k)``: scenario minus baseline, in node units.
    """

    scenario: str
    node_ids: tuple[str, ...]
    times: np.ndarray
    baseline: np.ndarray
    delta: np.ndarray

    @property
    def value(self) -> np.ndarray:
        """``b + d``, shape (K + 1, N)."""
        return self.baseline + self.delta

    def series(self, node_id: str) -> np.ndarray:
        """The deviation path of one node, shape (K + 1,)."""
        return self.delta[:, self.node_ids.index(node_id)]

    def at(self, year: float) -> np.ndarray:
        """Deviations of all nodes at the reported time closest to ``year``, shape (N,)."""
        return self.delta[int(np.argmin(np.abs(self.times - year)))]

    def to_frame(self) -> pd.DataFrame:
        """Long table with the columns of ``results.csv``: one row per node and time."""
        n_times, n_nodes = self.delta.shape
        import pandas as pd  # only when a table is asked for

        return pd.DataFrame(
            {
                "scenario": self.scenario,
                "node": np.tile(np.array(self.node_ids, dtype=object), n_times),
                "time": np.repeat(self.times, n_nodes),
                "value": self.value.ravel(),
                "baseline": self.baseline.ravel(),
                "delta": self.delta.ravel(),
            },
            columns=RESULT_COLUMNS,
        )


def _number(value: float) -> str:
    """A float as ``results.csv`` writes it: ``%.17g`` (every bit kept), NaN as an empty field."""
    return "" if math.isnan(value) else f"{value:.17g}"


def write_results_csv(results: Sequence[RunResult], path: str | Path) -> None:
    """``results.csv``: :meth:`RunResult.to_frame` of each result, one after the other, with the standard library.

    Byte for byte what ``pandas.concat(frames).to_csv(path, index=False, float_format="%.17g")`` writes
    (``tests/core/test_outputs.py`` compares them), without importing pandas (0.1 s of ``bwsim run``
    spent formatting a table of 9,000 rows).
    """
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(RESULT_COLUMNS)
        for result in results:
            values, baselines, deltas = (a.tolist() for a in (result.value, result.baseline, result.delta))
            for time, value, baseline, delta in zip(result.times.tolist(), values, baselines, deltas, strict=True):
                moment = _number(time)
                writer.writerows(
                    (result.scenario, node, moment, _number(v), _number(b), _number(d))
                    for node, v, b, d in zip(result.node_ids, value, baseline, delta, strict=True)
                )
