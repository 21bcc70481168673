"""Small summaries of scenario effects for people: which changes are largest, how fast they came,
where futures differ most. Pure functions on run results and scorecards (no I/O, no UI).

They serve the app (``simulator/app/``) and are kept here so the app holds no numerics.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from simulator.results import RunResult


def largest_changes(card: pd.DataFrame, n: int = 4, skip: set[str] | None = None) -> list[str]:
    """The ``n`` nodes of a one-year scorecard with the largest ``|relative|`` change, one per theme first.

    Nodes in ``skip`` and nodes without a change are left out.
    """
    rows = card[~card["node"].isin(skip or set())].copy()
    rows["size"] = rows["relative"].abs().fillna(0.0)
    rows = rows[rows["size"] > 0].sort_values("size", ascending=False, kind="stable")
    chosen = list(rows.drop_duplicates("theme")["node"][:n])
    chosen += [x for x in rows["node"] if x not in chosen][: n - len(chosen)]
    return chosen


def half_time(result: RunResult, node: str, year: float) -> float | None:
    """The first reported time (years) at which ``node``'s deviation reached half its size at ``year``.

    None when the deviation at ``year`` is 0.
    """
    d = result.series(node)
    k = int(np.argmin(np.abs(result.times - year)))
    target = d[k]
    if target == 0:
        return None
    reached = np.flatnonzero(d[: k + 1] * np.sign(target) >= 0.5 * abs(target))
    return float(result.times[reached[0]]) if reached.size else None


def differences(cards: Mapping[str, pd.DataFrame], n: int = 10) -> pd.DataFrame:
    """Where futures differ most: per node, the spread of the relative change across futures.

    Parameters
    ----------
    cards : mapping of str to DataFrame
        Future name -> one-year scorecard (same model nodes in each).
    n : int
        Rows kept.

    Returns
    -------
    DataFrame
        Columns ``node, label, unit``, one column per future (change in node units),
        ``spread`` (largest minus smallest relative change across the futures, in
        percentage points of the baseline; with one future its ``|relative|``); the
        ``n`` largest spreads above 0, largest first.
    """
    names = list(cards)
    first = cards[names[0]].set_index("node")
    table = pd.DataFrame({"node": first.index, "label": first["label"].to_numpy(), "unit": first["unit"].to_numpy()})
    rel = []
    for name in names:
        card = cards[name].set_index("node").reindex(first.index)
        table[name] = card["delta"].to_numpy()
        rel.append(card["relative"].fillna(0.0).to_numpy())
    table["spread"] = np.ptp(np.vstack(rel), axis=0) * 100 if len(rel) > 1 else np.abs(rel[0]) * 100
    table = table[table["spread"] > 0].sort_values("spread", ascending=False, kind="stable")
    return table.head(n).reset_index(drop=True)
