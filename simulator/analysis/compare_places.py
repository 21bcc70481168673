"""Comparison with other places and with the past, as the CBS brede-welvaart monitor phrases it.

Numbers only (no I/O, no words): per indicator the place's latest level, the
Dutch average at the same time, the comparable gemeenten at the same time (their
median and range), and the change since an earlier observation of the place.
Each comparison becomes a verdict from the node's ``direction`` in the model:
``better`` / ``worse`` / ``similar`` against a reference for a node whose good
direction is known (``up`` or ``down``), ``higher`` / ``lower`` / ``similar`` for a
``neutral`` one; the trend is ``improved`` / ``worsened`` / ``unchanged`` (or
``rose`` / ``fell``). A difference within ``threshold`` (a fraction of the
reference, e.g. 0.01 for 1 %) counts as similar or unchanged: the snapshot holds
no margins, so a smaller difference is not read as one.

The observations are long rows with a ``place`` (see
:mod:`simulator.observed`); the place named :data:`NATIONAL` is the Dutch average.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.errors import InputError, Problem
from simulator.messages import msg
from simulator.observed import ObservedData, place_key
from simulator.spec import ModelSpec
from simulator.units import is_total

NATIONAL = "Nederland"
"""The place whose rows are the Dutch average (CBS writes the country's row so)."""


@dataclass(frozen=True)
class PlaceComparison:
    """One indicator of one place against Nederland, comparable places and its own past.

    Levels are in the node's unit; times in years. A part the data cannot give is None
    (no row for Nederland or for any comparable place at the place's latest time, or no
    earlier observation of the place).
    """

    node: str
    direction: str
    place: str
    time: float
    value: float
    period: str
    table: str
    national: float | None
    peers: tuple[str, ...]
    peer_median: float | None
    peer_low: float | None
    peer_high: float | None
    past_time: float | None
    past_value: float | None
    versus_national: str | None
    versus_peers: str | None
    trend: str | None
    total: bool = False
    """The level is a total (a count): not judged against other places."""


@dataclass(frozen=True)
class Comparison:
    """A place's comparisons: the place and its comparable places as the data name them, one item per indicator."""

    place: str
    peers: tuple[str, ...]
    items: tuple[PlaceComparison, ...]
    peers_given: bool
    """True when the comparable places were chosen; False: every other place in the data."""


def find_place(name: str, places: Sequence[str]) -> str | None:
    """The place of ``places`` that ``name`` names (see :func:`place_key`), or None."""
    return {place_key(p): p for p in places}.get(place_key(name))


def verdict(value: float, reference: float, direction: str, threshold: float) -> str:
    """``better``/``worse``/``similar`` (``higher``/``lower``/``similar`` for a neutral node) of ``value``."""
    difference = value - reference
    if abs(difference) <= threshold * abs(reference):
        return "similar"
    if direction == "neutral":
        return "higher" if difference > 0 else "lower"
    good = difference > 0 if direction == "up" else difference < 0
    return "better" if good else "worse"


def trend(value: float, past: float, direction: str, threshold: float) -> str:
    """``improved``/``worsened``/``unchanged`` (``rose``/``fell``/``unchanged`` for a neutral node) since ``past``."""
    word = verdict(value, past, direction, threshold)
    return {
        "similar": "unchanged",
        "better": "improved",
        "worse": "worsened",
        "higher": "rose",
        "lower": "fell",
    }[word]


def _resolve(name: str, places: list[str], file: str, where: str) -> str:
    by_key = {place_key(p): p for p in places}
    found = by_key.get(place_key(name))
    if found is not None:
        return found
    close = difflib.get_close_matches(place_key(name), list(by_key), n=1, cutoff=0.6)
    hint = (
        msg("did you mean '{name}'?", name=by_key[close[0]])
        if close
        else msg("the data hold {n} place(s), e.g. {some}", n=len(places), some=", ".join(places[:5]))
    )
    raise InputError(Problem(file, where, msg("no rows for place '{name}'", name=name), hint))


def compare_places(
    observed: ObservedData,
    directions: Mapping[str, str],
    place: str,
    peers: Sequence[str] | None = None,
    nodes: Sequence[str] | None = None,
    since: float | None = None,
    threshold: float = 0.01,
    totals: Collection[str] = (),
) -> Comparison:
    """Each indicator of ``place`` against Nederland, ``peers`` and its past.

    Parameters
    ----------
    observed : ObservedData
        Rows with a ``place``; read with or without a horizon.
    directions : mapping node id -> "up" | "down" | "neutral"
        The model's directions (which way is good).
    place : str
        The place compared (matched ignoring case and spaces).
    peers : sequence of str, optional
        Comparable places; None: every place in the data other than ``place`` and Nederland
        (which are left out when named here too).
    nodes : sequence of str, optional
        Indicators to compare; None: every node with rows for ``place``, in the data's order.
    since : float, optional
        Year of the past the trend starts from: the place's first observation at or after
        it; None: its first observation.
    threshold : float
        Differences within this fraction of the reference count as similar (0.01 = 1 %).
    totals : collection of node ids
        Indicators whose level is a total (persons, households, dwellings:
        :func:`simulator.units.is_total`): a total says how large a place is, so its
        level is not compared with other places (``national`` and the peers' values
        are still given); only its trend is judged.

    Raises
    ------
    InputError
        Data without a ``place`` column; an unknown place or comparable place (with the
        nearest name); an indicator without rows for ``place``; a threshold outside [0, 1).
    """
    table = observed.table
    file = observed.file
    if not (math.isfinite(threshold) and 0 <= threshold < 1):
        raise InputError(
            Problem(
                "",
                "threshold",
                msg("threshold {pct:g} % is not between 0 and 100 %", pct=100 * threshold),
                msg("give the smallest difference that counts, as a percentage, e.g. 1"),
            )
        )
    places = list(dict.fromkeys(p for p in table["place"] if p))
    if not places:
        raise InputError(
            Problem(
                file,
                "header",
                msg("the data have no place column (or it is empty)"),
                msg("add a column place naming the gemeente of each row, and rows for Nederland"),
            )
        )
    place = _resolve(place, places, file, "place")
    if peers is None:
        peer_names = [p for p in places if p not in (place, NATIONAL)]
    else:
        peer_names = [
            name for name in (_resolve(p, places, file, "compare") for p in peers) if name not in (place, NATIONAL)
        ]
    own = table[table["place"] == place]
    if nodes is None:
        node_ids = list(dict.fromkeys(own["node"]))
    else:
        missing = [n for n in nodes if n not in set(own["node"])]
        if missing:
            raise InputError(
                [
                    Problem(
                        file,
                        "indicator",
                        msg("no rows for '{node}' in place '{place}'", node=n, place=place),
                        msg("add rows for it, or leave the indicator out")
                        if n in set(table["node"])
                        else msg(
                            "no row of the data has that node; the data's nodes: {nodes}",
                            nodes=", ".join(dict.fromkeys(table["node"])),
                        ),
                    )
                    for n in missing
                ]
            )
        node_ids = list(dict.fromkeys(nodes))
    items = tuple(
        _compare_one(table, node, directions.get(node, "neutral"), place, peer_names, since, threshold, node in totals)
        for node in node_ids
    )
    return Comparison(place, tuple(dict.fromkeys(peer_names)), items, peers is not None)


def _compare_one(
    table: pd.DataFrame,
    node: str,
    direction: str,
    place: str,
    peers: list[str],
    since: float | None,
    threshold: float,
    total: bool,
) -> PlaceComparison:
    rows = table[table["node"] == node]
    own = rows[rows["place"] == place].sort_values("time", kind="stable")
    last = own.iloc[-1]
    time = float(last["time"])
    value = float(last["value"])
    at_time = rows[np.isclose(rows["time"].to_numpy(float), time)]
    national_rows = at_time[at_time["place"] == NATIONAL]
    national = float(national_rows["value"].iloc[0]) if len(national_rows) else None
    peer_rows = at_time[at_time["place"].isin(peers)]
    peer_values = peer_rows["value"].to_numpy(float)
    earlier = own[own["time"] < time - 1e-9]
    if since is not None:
        earlier = earlier[earlier["time"] >= since - 1e-9]
    past_time = float(earlier["time"].iloc[0]) if len(earlier) else None
    past_value = float(earlier["value"].iloc[0]) if len(earlier) else None
    median = float(np.median(peer_values)) if len(peer_values) else None
    return PlaceComparison(
        node=node,
        direction=direction,
        place=place,
        time=time,
        value=value,
        period=str(last["period"]),
        table=str(last["table"]),
        national=national,
        peers=tuple(peer_rows["place"]),
        peer_median=median,
        peer_low=float(peer_values.min()) if len(peer_values) else None,
        peer_high=float(peer_values.max()) if len(peer_values) else None,
        past_time=past_time,
        past_value=past_value,
        versus_national=None if national is None or total else verdict(value, national, direction, threshold),
        versus_peers=None if median is None or total else verdict(value, median, direction, threshold),
        trend=None if past_value is None else trend(value, past_value, direction, threshold),
        total=total,
    )


def elsewhere_and_past(model: ModelSpec, own: ObservedData, context: ObservedData) -> list[PlaceComparison]:
    """The monitor's comparisons: each monitored node's latest own observation against Nederland, every other
    place in ``context`` and the node's own past there (its region is its place; 1 % threshold).

    ``own``: the rows the band was checked against (:func:`simulator.observed.own_rows`); ``context``: every row.
    Nodes whose region is not a place of the data are left out.
    """
    places = list(dict.fromkeys(p for p in context.table["place"] if p))
    directions = {node.id: node.direction for node in model.nodes}
    totals = {node.id for node in model.nodes if is_total(node.unit)}
    items: list[PlaceComparison] = []
    for node in model.nodes:
        place = find_place(node.region, places)
        if place is None or node.id not in own.nodes:
            continue
        if not ((context.table["node"] == node.id) & (context.table["place"] == place)).any():
            continue
        items += compare_places(context, directions, place, None, [node.id], None, 0.01, totals).items
    return items
