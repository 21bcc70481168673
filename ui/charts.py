"""Plotly figures from plain tables: pure functions, testable without Streamlit or a browser.

Each function takes tables (pandas) or specs and returns a ``go.Figure``; none
runs the model or touches widgets. Every text a figure shows that comes from a model,
a scenario or a user (labels, series names, titles, units, theme ids) is escaped here
with :func:`ui.plain_text.plotly`, so callers pass plain text and nothing renders as HTML.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from simulator.spec import DIMENSIONS, ModelSpec
from simulator.themes import in_cbs_order
from ui.i18n import t, theme_label
from ui.plain_text import plotly as _plain

VERDICT_COLOURS = {
    "improves": "#1a9850",
    "worsens": "#d73027",
    "mixed": "#fdae61",
    "level": "#e0e0e0",
    "neutral": "#f7f7f7",
    "none": "#ffffff",
}
VERDICT_CODE = {"none": 0, "neutral": 1, "level": 2, "mixed": 3, "worsens": 4, "improves": 5}
THEME_COLOURS = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
]
SERIES_COLOURS = [
    "#d62728",
    "#1f77b4",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#8c564b",
    "#e377c2",
    "#17becf",
]
BASELINE_COLOUR = "#555555"
LONG_UNIT = 14  # characters; longer units are written under a path chart's title
DELAY_MARK = "‖"  # the delay mark of causal loop diagrams (two strokes across the arrow)


def _colourscale() -> list[list]:
    """A discrete colour scale over the verdict codes 0..5."""
    n = len(VERDICT_CODE)
    scale = []
    for verdict, code in sorted(VERDICT_CODE.items(), key=lambda kv: kv[1]):
        scale += [[code / n, VERDICT_COLOURS[verdict]], [(code + 1) / n, VERDICT_COLOURS[verdict]]]
    return scale


def scorecard_figure(
    summary: pd.DataFrame,
    language: str = "nl",
    title: str = "",
    themes: Sequence[str] | None = None,
    compact: bool = False,
    card: pd.DataFrame | None = None,
    skip: frozenset[str] = frozenset(),
) -> go.Figure:
    """The scorecard as a coloured grid: themes (rows) x dimensions (columns).

    Parameters
    ----------
    summary : DataFrame
        One year of :func:`simulator.analysis.scorecard.summary`: columns ``dimension,
        theme, verdict, n_improves, n_worsens``.
    themes : sequence of str, optional
        Row order (default: the themes in ``summary`` in CBS's order, :data:`simulator.themes.THEMES`).
    compact : bool
        Narrow form for side-by-side use: column names and title wrapped.
    card : DataFrame, optional
        The one-year scorecard ``summary`` was made from: the cells then carry the size of the
        change (:func:`ui.answer.cell_mark`, "▲ 3,4 %") instead of counts ("▲2 ▼1").

    Returns
    -------
    Figure
        A heatmap whose ``z`` holds :data:`VERDICT_CODE` per cell and whose text
        reads ``▲n ▼m`` (or the size); cells without nodes are white and empty.
    """
    themes = list(themes) if themes is not None else in_cbs_order(summary["theme"])
    z = np.zeros((len(themes), len(DIMENSIONS)))
    text = [["" for _ in DIMENSIONS] for _ in themes]
    sized = {}
    if card is not None:
        from ui.answer import cell_mark, cells

        sized = {(c["dimension"], c["theme"]): cell_mark(c, language) for c in cells(card, skip).to_dict("records")}
    for row in summary.itertuples(index=False):
        if row.theme not in themes or row.dimension not in DIMENSIONS:
            continue
        i, j = themes.index(row.theme), DIMENSIONS.index(row.dimension)
        z[i, j] = VERDICT_CODE.get(row.verdict, 0)
        text[i][j] = sized.get((row.dimension, row.theme)) or _cell_text(row)
    columns = [t(d, language) for d in DIMENSIONS]
    if compact:
        columns = [c.replace("en nu", "en<br>nu") for c in columns]
        title = _wrap(title, 28)
    else:
        title = _plain(title)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=columns,
            y=[_plain(theme_label(x, language)) for x in themes],
            text=text,
            texttemplate="%{text}",
            textfont={"size": 14},
            colorscale=_colourscale(),
            zmin=0,
            zmax=len(VERDICT_CODE),
            showscale=False,
            xgap=3,
            ygap=3,
            hoverinfo="text",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(side="top")
    fig.update_yaxes(automargin=True)
    top = 60 + (18 * title.count("<br>") if compact else 0)
    fig.update_layout(
        title={"text": title, "font": {"size": 12 if compact else 14}} if title else None,
        height=top + 10 + 34 * len(themes),
        margin={"l": 10, "r": 10, "t": top, "b": 10},
        plot_bgcolor="white",
    )
    return fig


def _wrap(text: str, width: int) -> str:
    """Break ``text`` into lines of at most about ``width`` characters (plotly's ``<br>``), each escaped."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join(_plain(x) for x in ([*lines, line] if line else lines))


def _cell_text(row: object) -> str:
    parts = []
    if row.n_improves:
        parts.append(f"▲{row.n_improves}")
    if row.n_worsens:
        parts.append(f"▼{row.n_worsens}")
    if not parts:
        return "=" if row.verdict == "level" else "·"
    share = getattr(row, "share_agree", float("nan"))
    if share == share and row.verdict in (
        "improves",
        "worsens",
        "mixed",
    ):  # not NaN: an ensemble ran
        parts.append(f"({100 * share:.0f}%)")
    return " ".join(parts)


def path_figure(
    paths: pd.DataFrame,
    title: str = "",
    unit: str = "",
    band: pd.DataFrame | None = None,
    height: int = 280,
) -> go.Figure:
    """Time paths of one indicator: several series, the baseline dashed grey, an optional band.

    Parameters
    ----------
    paths : DataFrame
        Columns ``time`` (years), ``series`` (legend name), ``value`` (node units),
        and ``baseline`` (bool): True for the baseline series.
    band : DataFrame, optional
        Columns ``time``, ``series``, ``low``, ``high``: a shaded range per series.
    """
    fig = go.Figure()
    long_unit = len(unit) > LONG_UNIT  # a long unit does not fit along the y axis: it goes under the title
    title, unit = _plain(title), _plain(unit)
    series = list(dict.fromkeys(paths["series"]))
    colours = iter(SERIES_COLOURS)
    colour_of = {}
    for name in series:
        part = paths[paths["series"] == name]
        is_base = bool(part["baseline"].iloc[0]) if "baseline" in part else False
        colour_of[name] = BASELINE_COLOUR if is_base else next(colours, "#000000")
        if band is not None and name in set(band["series"]):
            _add_band(fig, band[band["series"] == name], colour_of[name], name)
        fig.add_trace(
            go.Scatter(
                x=part["time"].to_numpy(),
                y=part["value"].to_numpy(),
                name=_plain(name),
                mode="lines",
                line={"color": colour_of[name], "width": 2, "dash": "dash" if is_base else "solid"},
            )
        )
    fig.update_layout(
        title={
            "text": f"{title}<br><span style='font-size:11px;color:#666666'>{unit}</span>" if long_unit else title,
            "font": {"size": 14},
        },
        height=height,
        margin={"l": 10, "r": 10, "t": 55 if long_unit else 40, "b": 10},
        yaxis_title=None if long_unit else unit or None,
        legend={"orientation": "h", "y": -0.2},
        showlegend=len(series) > 1,
        plot_bgcolor="white",
    )
    fig.update_xaxes(gridcolor="#eeeeee")
    fig.update_yaxes(gridcolor="#eeeeee")
    return fig


def _add_band(fig: go.Figure, band: pd.DataFrame, colour: str, name: str) -> None:
    x = band["time"].to_numpy()
    fig.add_trace(
        go.Scatter(
            x=np.concatenate([x, x[::-1]]),
            y=np.concatenate([band["high"].to_numpy(), band["low"].to_numpy()[::-1]]),
            fill="toself",
            fillcolor=_transparent(colour),
            line={"width": 0},
            hoverinfo="skip",
            name=_plain(f"{name} 5-95%"),
            showlegend=False,
        )
    )


def _transparent(colour: str, alpha: float = 0.2) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def bar_figure(
    table: pd.DataFrame, title: str = "", unit: str = "", height: int | None = None
) -> go.Figure:
    """Horizontal bars, largest at the top: columns ``label`` and ``value``; green > 0, red < 0
    unless a ``colour`` column says otherwise."""
    table = table.iloc[::-1]
    colours = (
        table["colour"]
        if "colour" in table
        else np.where(table["value"] >= 0, "#1a9850", "#d73027")
    )
    fig = go.Figure(
        go.Bar(
            x=table["value"].to_numpy(),
            y=np.array([_plain(x) for x in table["label"]], dtype=object),
            orientation="h",
            marker_color=list(colours),
        )
    )
    fig.update_layout(
        title=_plain(title) or None,
        height=height or 80 + 26 * len(table),
        xaxis_title=_plain(unit) or None,
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        plot_bgcolor="white",
    )
    return fig


def _positions(model: ModelSpec) -> dict[str, tuple[float, float]]:
    """A fixed layout (no randomness): Kamada-Kawai on the undirected network, loosened by a seeded
    ForceAtlas2 with node sizes (it keeps nodes, and so their labels, apart), stretched to [-1, 1]^2."""
    graph = nx.Graph()
    graph.add_nodes_from(model.node_ids)
    graph.add_edges_from((link.source, link.target) for link in model.links)
    if graph.number_of_nodes() == 1:
        return {model.node_ids[0]: (0.0, 0.0)}
    spread = nx.kamada_kawai_layout(graph)
    if hasattr(nx, "forceatlas2_layout"):  # networkx >= 3.4
        spread = nx.forceatlas2_layout(
            graph, pos=spread, max_iter=500, scaling_ratio=6.0, node_size=dict.fromkeys(graph, 0.08), seed=0
        )
    xy = np.array([spread[n] for n in model.node_ids], dtype=float)
    low, high = xy.min(axis=0), xy.max(axis=0)
    xy = 2 * (xy - low) / np.where(high > low, high - low, 1.0) - 1
    return {n: (float(x), float(y)) for n, (x, y) in zip(model.node_ids, xy, strict=True)}


def _focus_positions(model: ModelSpec, focus: str) -> dict[str, tuple[float, float]]:
    """Causes on the left, the node in the middle, effects on the right (both ways: on top)."""
    causes = [
        n for n in model.node_ids if any(k.source == n and k.target == focus for k in model.links)
    ]
    effects = [
        n for n in model.node_ids if any(k.source == focus and k.target == n for k in model.links)
    ]
    both = [n for n in causes if n in effects]
    pos = {focus: (0.0, 0.0)}
    for x, group in (
        (-1.0, [n for n in causes if n not in both]),
        (1.0, [n for n in effects if n not in both]),
    ):
        for i, node in enumerate(group):
            pos[node] = (x, (len(group) - 1) / 2 - i)
    for i, node in enumerate(both):
        pos[node] = ((i - (len(both) - 1) / 2) * 0.5, 1.0 + 0.3 * (i % 2))
    return pos


def network_figure(
    model: ModelSpec, language: str = "nl", focus: str | None = None, height: int = 900
) -> go.Figure:
    """The causal diagram: nodes coloured by theme, arrows with + / − and ‖ for delays.

    With ``focus``, only that node, its direct causes and its direct effects are drawn.
    Returns a figure whose node trace has one point per shown node (``customdata`` = node id).
    """
    shown = set(model.node_ids)
    links = list(model.links)
    if focus is not None:
        links = [link for link in links if focus in (link.source, link.target)]
        shown = {focus} | {link.source for link in links} | {link.target for link in links}
    pos = _positions(model) if focus is None else _focus_positions(model, focus)
    themes = in_cbs_order(n.theme for n in model.nodes)
    fig = go.Figure()
    annotations = [_arrow(pos, link) for link in links]
    annotations += [_link_mark(pos, link) for link in links]
    for k, theme in enumerate(themes):
        nodes = [n for n in model.nodes if n.theme == theme and n.id in shown]
        if not nodes:
            continue
        fig.add_trace(
            go.Scatter(
                x=[pos[n.id][0] for n in nodes],
                y=[pos[n.id][1] for n in nodes],
                mode="markers+text",
                text=[_wrap(n.label.get(language), 22) for n in nodes],
                textposition=[_label_side(pos, n.id) for n in nodes],
                textfont={"size": 11, "color": "#333333"},
                customdata=[n.id for n in nodes],
                name=_plain(theme_label(theme)),
                marker={
                    "size": [22 if n.id == focus else 14 for n in nodes],
                    "color": THEME_COLOURS[k % len(THEME_COLOURS)],
                    "symbol": ["square" if n.kind == "stock" else "circle" for n in nodes],
                    "line": {"width": 1, "color": "white"},
                },
                hovertext=[
                    _plain(f"{n.label.get(language)} ({n.id})")
                    + "<br>"
                    + _plain(f"{theme_label(n.theme)} · {t(n.dimension, language)}")
                    for n in nodes
                ],
                hoverinfo="text",
            )
        )
    fig.update_layout(
        annotations=annotations,
        height=height if focus is None else min(height, 260 + 60 * len(shown)),
        plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"font": {"size": 10}, "orientation": "h", "y": -0.02, "yanchor": "top"},
        xaxis={"visible": False, "range": [-1.8, 1.8]}
        if focus is not None
        else {"visible": False, "range": [-1.15, 1.15]},
        yaxis={"visible": False} if focus is not None else {"visible": False, "range": [-1.1, 1.1]},
    )
    return fig


def _label_side(pos: dict, node: str) -> str:
    """Where a node's label goes: above it, or below it when a neighbour sits just above."""
    x, y = pos[node]
    crowded = any(0 < oy - y < 0.12 and abs(ox - x) < 0.3 for other, (ox, oy) in pos.items() if other != node)
    return "bottom center" if crowded else "top center"


def _arrow(pos: dict, link: object) -> dict:
    (x0, y0), (x1, y1) = pos[link.source], pos[link.target]
    sign = link.weight.central >= 0
    return {
        "x": x1,
        "y": y1,
        "ax": x0,
        "ay": y0,
        "xref": "x",
        "yref": "y",
        "axref": "x",
        "ayref": "y",
        "showarrow": True,
        "arrowhead": 2,
        "arrowsize": 1,
        "arrowwidth": 1.2,
        "standoff": 8,
        "arrowcolor": "rgba(26,152,80,0.55)" if sign else "rgba(215,48,39,0.55)",
        "text": "",
    }


def _link_mark(pos: dict, link: object) -> dict:
    (x0, y0), (x1, y1) = pos[link.source], pos[link.target]
    mark = "+" if link.weight.central >= 0 else "−"
    if link.delay != "none":
        mark += DELAY_MARK
    return {
        "x": (x0 + x1) / 2,
        "y": (y0 + y1) / 2,
        "xref": "x",
        "yref": "y",
        "text": mark,
        "showarrow": False,
        "font": {"size": 13, "color": "#1a9850" if link.weight.central >= 0 else "#d73027"},
    }
