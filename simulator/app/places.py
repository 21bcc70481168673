"""Places in the app: which element nodes lie in a place, a family's change per place, and the tile map.

For a model written with dimensions (places and groups, :mod:`simulator.dimensions`) the home
page offers a place picker, a schematic tile map of the places coloured by one indicator family's
change (green better, red worse, by the nodes' ``direction``) and the scorecard of the chosen
place beside the whole region's. The map is a plotly heatmap of tiles at the grid positions of
:mod:`simulator.place_grid`: no map tiles from the internet. Pure functions, no Streamlit.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from simulator.analysis.places import nodes_of_place, place_dimensions
from simulator.app import numbers
from simulator.app.i18n import t
from simulator.app.plain_text import plotly as _plain
from simulator.place_grid import grid_positions
from simulator.spec import ModelSpec

GOOD_BAD_SCALE = [[0.0, "#d73027"], [0.5, "#f7f7f7"], [1.0, "#1a9850"]]
"""Tile colours for a family with a direction: red (worse), white (no change), green (better)."""
LOW_HIGH_SCALE = [[0.0, "#2166ac"], [0.5, "#f7f7f7"], [1.0, "#b2182b"]]
"""Tile colours for a family without a direction (neutral): blue (lower), white, red (higher)."""


def place_dimension(model: ModelSpec) -> str | None:
    """The dimension whose elements are the places of ``model``: its first dimension of places
    (:func:`simulator.analysis.places.place_dimensions`); None for a model without one (no dimensions, or
    groups only, such as the Heerlen model's income groups: a group is no place to pick)."""
    return next(iter(place_dimensions(model.expansion)), None)


def places(model: ModelSpec) -> tuple[str, ...]:
    """The places of ``model`` (the elements of :func:`place_dimension`, in file order); empty without."""
    dimension = place_dimension(model)
    return () if dimension is None else tuple(model.expansion.dimensions[dimension])  # type: ignore[union-attr]


def place_name(place: str) -> str:
    """How a place's element id reads: ``heerlen`` -> ``Heerlen`` (as in the element nodes' labels)."""
    return place.replace("_", " ").capitalize()


def _place_of_nodes(model: ModelSpec, dimension: str) -> dict[str, str]:
    """Element node id -> its element along ``dimension`` (a wijk's node: its gemeente), in model order."""
    expansion = model.expansion
    if expansion is None:
        return {}
    where: dict[str, str] = {}
    for node, origin in zip(model.nodes, expansion.nodes, strict=True):
        dims = expansion.families.get(origin.family, ())
        for k, dim in enumerate(dims):
            nesting = expansion.within.get(dim)
            if dim == dimension:
                where[node.id] = origin.element[k]
            elif nesting is not None and nesting.dimension == dimension:
                where[node.id] = nesting.elements[origin.element[k]]
    return where


def map_families(model: ModelSpec) -> list[str]:
    """The families that can colour the map: those over the place dimension alone (one node per place)."""
    dimension = place_dimension(model)
    if dimension is None:
        return []
    families = model.expansion.families  # type: ignore[union-attr]
    return [family for family, dims in families.items() if tuple(dims) == (dimension,)]


def default_family(model: ModelSpec, skip: frozenset[str] = frozenset()) -> str | None:
    """The family the map shows first: the first of :func:`map_families` none of whose nodes is in ``skip``
    (the nodes the levers push: their change is the lever's own), else the first; None when there is none."""
    families = map_families(model)
    expansion = model.expansion
    if not families or expansion is None:
        return None
    pushed = {origin.family for node, origin in zip(model.nodes, expansion.nodes, strict=True) if node.id in skip}
    return next((f for f in families if f not in pushed), families[0])


def family_label(model: ModelSpec, family: str, language: str) -> str:
    """A family's label without its element: ``Banen`` for the nodes ``Banen (Heerlen)``, ..."""
    expansion = model.expansion
    if expansion is None:
        return family
    for node, origin in zip(model.nodes, expansion.nodes, strict=True):
        if origin.family == family:
            label = node.label.get(language) if node.label else family
            suffix = f" ({', '.join(place_name(e) for e in origin.element)})"
            return label.removesuffix(suffix)
    return family


def family_changes(model: ModelSpec, card: pd.DataFrame, family: str) -> pd.DataFrame:
    """One row per place of the family's change in the card's year, in the place dimension's order.

    Columns ``place``, ``node``, ``delta`` (node unit), ``relative`` (delta / |baseline|),
    ``direction``, ``verdict``, ``row``, ``column`` (the tile) and ``colour``: the change signed so that
    + is better (``delta`` for a node going ``up``, ``-delta`` for ``down``; ``delta`` for a neutral node).
    """
    dimension = place_dimension(model)
    where = _place_of_nodes(model, dimension) if dimension else {}
    rows = card.set_index("node")
    nodes = {n.id: n for n in model.nodes}
    expansion = model.expansion
    ordered = [
        (where[node_id], node_id)
        for node_id in nodes
        if node_id in where
        and expansion is not None
        and expansion.nodes[model.node_ids.index(node_id)].family == family
    ]
    tiles = grid_positions([place for place, _ in ordered])
    out = []
    for place, node_id in ordered:
        delta = float(rows.at[node_id, "delta"]) if node_id in rows.index else math.nan
        relative = float(rows.at[node_id, "relative"]) if node_id in rows.index else math.nan
        direction = nodes[node_id].direction
        sign = -1.0 if direction == "down" else 1.0
        out.append(
            {
                "place": place,
                "node": node_id,
                "delta": delta,
                "relative": relative,
                "direction": direction,
                "verdict": str(rows.at[node_id, "verdict"]) if node_id in rows.index else "",
                "row": tiles[place][0],
                "column": tiles[place][1],
                "colour": sign * delta,
            }
        )
    return pd.DataFrame(
        out, columns=["place", "node", "delta", "relative", "direction", "verdict", "row", "column", "colour"]
    )


def place_card(model: ModelSpec, card: pd.DataFrame, place: str) -> pd.DataFrame:
    """The rows of a scorecard for the nodes that lie in ``place``."""
    return card[card["node"].isin(set(nodes_of_place(model, place)))].reset_index(drop=True)


def place_map_figure(changes: pd.DataFrame, title: str, unit: str, language: str = "nl") -> go.Figure:
    """A tile map: one tile per row of ``changes`` (:func:`family_changes`) at its grid position (rows and
    columns without a tile left out), coloured
    by its ``colour`` on a diverging scale centred at 0 (green better, red worse; without a direction,
    blue lower and red higher), the place's name on the tile and its change on hover, localized.
    ``unit``: as shown (in the page's language, :func:`simulator.app.state.unit_of`).
    """
    # rows and columns of the grid that hold no tile of this map are left out (the order is kept)
    row_of = {r: i for i, r in enumerate(sorted(set(changes["row"])))}
    col_of = {c: i for i, c in enumerate(sorted(set(changes["column"])))}
    n_rows, n_cols = max(1, len(row_of)), max(1, len(col_of))
    z: list[list[float | None]] = [[None] * n_cols for _ in range(n_rows)]
    hover: list[list[str]] = [[""] * n_cols for _ in range(n_rows)]
    names: list[list[str]] = [[""] * n_cols for _ in range(n_rows)]
    shown_unit = _plain(unit)
    for item in changes.to_dict("records"):
        r, c = row_of[item["row"]], col_of[item["column"]]
        colour = float(item["colour"])
        z[r][c] = colour if math.isfinite(colour) else None
        change = numbers.number(item["delta"], language, 3, sign=True)
        share = numbers.percent(item["relative"], language, 2, sign=True) if math.isfinite(item["relative"]) else ""
        words = f"{change} {shown_unit}".strip() + (f" ({share})" if share else "")
        names[r][c] = _plain(place_name(item["place"]))
        hover[r][c] = f"{names[r][c]}: {words}"
    neutral = bool(len(changes)) and all(d not in ("up", "down") for d in changes["direction"])
    finite = [abs(v) for row in z for v in row if v is not None]
    extent = max(finite) if finite and max(finite) > 0 else 1.0
    ends = (
        (t("place_lower", language), t("place_higher", language))
        if neutral
        else (t("place_worse", language), t("place_better", language))
    )
    fig = go.Figure(
        go.Heatmap(
            z=z,
            text=names,
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            texttemplate="%{text}",
            colorscale=LOW_HIGH_SCALE if neutral else GOOD_BAD_SCALE,
            zmin=-extent,
            zmax=extent,
            zmid=0,
            xgap=4,
            ygap=4,
            hoverongaps=False,
            colorbar={"tickvals": [-extent, 0, extent], "ticktext": [ends[0], t("place_same", language), ends[1]]},
        )
    )
    fig.update_layout(
        title=_plain(title),
        height=120 + 110 * n_rows,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        plot_bgcolor="white",
    )
    fig.update_xaxes(visible=False, showgrid=False)
    fig.update_yaxes(visible=False, showgrid=False, autorange="reversed", scaleanchor="x")
    return fig
