"""Trade-offs within a scenario and comparisons between scenarios, from scorecards.

A **trade-off** is a pair of (dimension, theme) groups of one scenario and year
where one group's net movement is an improvement and the other's a worsening:
``net = n_improves - n_worsens`` of the group's nodes (see
:func:`simulator.analysis.scorecard.summary`), positive against negative.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from simulator.analysis.scorecard import summary

TRADEOFF_COLUMNS = [
    "scenario",
    "year",
    "gains_dimension",
    "gains_theme",
    "gains_net",
    "loses_dimension",
    "loses_theme",
    "loses_net",
]


def tradeoffs(card: pd.DataFrame, year: float | None = None) -> pd.DataFrame:
    """Pairs of themes that move in opposite directions, columns ``TRADEOFF_COLUMNS``.

    Parameters
    ----------
    card : DataFrame
        A scorecard (:func:`simulator.analysis.scorecard.scorecard`).
    year : float, optional
        Only this year (default: every year in ``card``).

    Returns
    -------
    DataFrame
        One row per (gaining group, losing group) pair; the ``*_net`` columns are
        the net counts of improving minus worsening nodes. Empty when nothing
        moves in opposite directions.
    """
    if year is not None:
        card = card[card["year"] == float(year)]
    groups = summary(card)
    groups = groups.assign(net=groups["n_improves"] - groups["n_worsens"])
    rows = []
    for (scenario, yr), part in groups.groupby(["scenario", "year"], sort=False):
        gains, loses = part[part["net"] > 0], part[part["net"] < 0]
        for _, g in gains.iterrows():
            for _, lo in loses.iterrows():
                rows.append(
                    (
                        scenario,
                        yr,
                        g["dimension"],
                        g["theme"],
                        int(g["net"]),
                        lo["dimension"],
                        lo["theme"],
                        int(lo["net"]),
                    )
                )
    return pd.DataFrame(rows, columns=TRADEOFF_COLUMNS)


def compare(cards: Sequence[pd.DataFrame], year: float | None = None) -> pd.DataFrame:
    """Several scenarios side by side: one row per node, a verdict and a delta column per scenario.

    Parameters
    ----------
    cards : sequence of DataFrame
        Scorecards of scenarios on the same model (different ``scenario`` names).
    year : float, optional
        The year to compare (default: the horizon of each card).

    Returns
    -------
    DataFrame
        Columns ``dimension, theme, node, label, direction``, then per scenario
        ``<scenario>`` (verdict) and ``<scenario>:delta`` (node units).
    """
    keys = ["dimension", "theme", "node", "label", "direction"]
    table = None
    for card in cards:
        rows = card[card["year"] == float(year)] if year is not None else card[card["horizon"]]
        name = str(rows["scenario"].iloc[0]) if len(rows) else ""
        part = rows[keys + ["verdict", "delta"]].rename(columns={"verdict": name, "delta": f"{name}:delta"})
        table = part if table is None else table.merge(part, on=keys, how="outer", sort=False)
    return pd.DataFrame(columns=keys) if table is None else table.reset_index(drop=True)
