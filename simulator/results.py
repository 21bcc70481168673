"""Results of a run, labelled by node and time, and their long-table form."""

from __future__ import annotations

import csv
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


def format_floats(values: np.ndarray) -> list[str]:
    """Each float as ``results.csv`` and ``ensemble.csv`` write it: ``%.17g`` (every bit kept, as pandas'
    ``float_format``), NaN as an empty field (pandas' ``na_rep``). A long table repeats its values (times,
    baselines, deviations of 0 before an intervention), so each distinct value is formatted once."""
    flat = np.asarray(values, dtype=np.float64).reshape(-1)
    distinct, where = np.unique(flat, return_inverse=True)  # NaN last, once (numpy >= 1.21)
    if distinct.size > flat.size // 2:  # mostly distinct: format each value
        fields = [f"{v:.17g}" for v in flat.tolist()]
    else:
        formatted = np.array([f"{v:.17g}" for v in distinct.tolist()], dtype=object)
        fields = formatted[where.reshape(-1)].tolist()
    for j in np.flatnonzero(np.isnan(flat)).tolist():
        fields[j] = ""
    return fields


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
            n_times, n_nodes = result.delta.shape
            times = format_floats(np.repeat(result.times, n_nodes))
            values, baselines, deltas = (format_floats(a) for a in (result.value, result.baseline, result.delta))
            nodes = list(result.node_ids) * n_times
            writer.writerows(zip([result.scenario] * len(nodes), nodes, times, values, baselines, deltas, strict=True))
