"""Results of a run, labelled by node and time, and their long-table form."""

from __future__ import annotations

from dataclasses import dataclass
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
