"""Plotly figures from plain tables: pure functions, testable without Streamlit or a browser.

Each function takes tables (pandas) or specs and returns a ``go.Figure``; none
runs the model or touches widgets. Every text a figure shows that comes from a model,
a scenario or a user (labels, series names, titles, units, theme ids) is escaped here
with :func:`simulator.app.plain_text.plotly`, so callers pass plain text and nothing renders as HTML.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from simulator import network_layout
from simulator.analysis.text import format_number, score_text, shape_text, unit_label
from simulator.app.i18n import t, theme_label
from simulator.app.plain_text import plotly as _plain
from simulator.spec import DIMENSIONS, LinkSpec, ModelSpec, NodeSpec
from simulator.themes import in_cbs_order

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
        change (:func:`simulator.app.answer.cell_mark`, "▲ 3,4 %") instead of counts ("▲2 ▼1").

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
        from simulator.app.answer import cell_mark, cells

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
    return "<br>".join(_plain(x) for x in network_layout.wrap(text, width))


def _cell_text(row: Any) -> str:
    """A scorecard heatmap cell: ``row`` is a row of ``DataFrame.itertuples()``."""
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


class PathSeries(NamedTuple):
    """One line of a path chart: its legend name, the years, the values (node units), baseline or not."""

    name: str
    time: np.ndarray
    value: np.ndarray
    baseline: bool = False


def path_series(paths: pd.DataFrame) -> list[PathSeries]:
    """The lines of a path table (columns ``time, series, value`` and optionally ``baseline``), in order."""
    out = []
    for name in dict.fromkeys(paths["series"]):
        part = paths[paths["series"] == name]
        is_base = bool(part["baseline"].iloc[0]) if "baseline" in part else False
        out.append(PathSeries(str(name), part["time"].to_numpy(), part["value"].to_numpy(), is_base))
    return out


def path_figure(
    paths: pd.DataFrame | Sequence[PathSeries],
    title: str = "",
    unit: str = "",
    band: pd.DataFrame | None = None,
    height: int = 280,
    locale: dict | None = None,
    steady: bool = False,
) -> go.Figure:
    """Time paths of one indicator: several series, the baseline dashed grey, an optional band.

    ``steady``: for a chart the browser redraws on every slider move (the home page's key paths): margins
    reserved as wide as its axis labels and legend usually need (:data:`STEADY_MARGIN`), so that plotly's
    automatic margins push nothing and it draws the chart once per update instead of twice (a wider label
    still pushes its margin out), and tick labels not checked for overflowing the chart (they fit the margins).

    ``locale``: layout entries of :func:`simulator.app.numbers.figure_locale`, set in the same constructor
    call (the same figure as :func:`~simulator.app.numbers.localize_figure` afterwards, made faster).

    Parameters
    ----------
    paths : DataFrame or sequence of PathSeries
        Columns ``time`` (years), ``series`` (legend name), ``value`` (node units),
        and ``baseline`` (bool): True for the baseline series. Or the lines themselves
        (:func:`simulator.app.tables.path_lines`): the same figure without a table, which the home
        page builds on every slider move.
    band : DataFrame, optional
        Columns ``time``, ``series``, ``low``, ``high``: a shaded range per series.
    """
    long_unit = len(unit) > LONG_UNIT  # a long unit does not fit along the y axis: it goes under the title
    title, unit = _plain(title), _plain(unit)
    lines = path_series(paths) if isinstance(paths, pd.DataFrame) else list(paths)
    banded = set(band["series"]) if band is not None else set()
    colours = iter(SERIES_COLOURS)
    traces: list[dict] = []
    for line in lines:
        colour = BASELINE_COLOUR if line.baseline else next(colours, "#000000")
        if band is not None and line.name in banded:
            traces.append(_band_trace(band[band["series"] == line.name], colour, line.name))
        traces.append(
            {
                "type": "scatter",
                "x": np.asarray(line.time),
                "y": np.asarray(line.value),
                "name": _plain(line.name),
                "mode": "lines",
                "line": {"color": colour, "width": 2, "dash": "dash" if line.baseline else "solid"},
            }
        )
    series = [line.name for line in lines]
    yaxis: dict = {"gridcolor": "#eeeeee"}
    xaxis: dict = {"gridcolor": "#eeeeee"}
    if locale:
        yaxis |= locale["yaxis"]
        xaxis |= locale["xaxis"]
    if steady:
        yaxis["ticklabeloverflow"] = xaxis["ticklabeloverflow"] = "allow"
    yaxis["title"] = {"text": unit} if unit and not long_unit else {}  # the empty title object it always had
    layout: dict = {
        "title": {
            "text": f"{title}<br><span style='font-size:11px;color:#666666'>{unit}</span>" if long_unit else title,
            "font": {"size": 14},
        },
        "height": height,
        "margin": _margin(steady, long_unit, len(series) > 1),
        "yaxis": yaxis,
        "xaxis": xaxis,
        "legend": {"orientation": "h", "y": -0.2},
        "showlegend": len(series) > 1,
        "plot_bgcolor": "white",
        "template": _default_template(),
    }
    if locale:
        layout["separators"] = locale["separators"]
    # Not validated: plotly's property validation was most of a path chart's cost (about 8 ms of 10),
    # and these few fixed properties are valid; tests/ui/test_ui_charts.py holds that validating the
    # figure changes nothing in its JSON. The default template, which validation adds, is set here.
    return go.Figure(data=traces, layout=layout, _validate=False)


# A steady chart's margins (px): the widest y tick labels with the unit beside them (plotly pushed the left
# margin to 65-86 px on the Heerlen model's key paths), the x labels with a two-line legend below (88 px), and
# on the right the end of that legend (it starts at the plot's left edge).
STEADY_MARGIN = {"l": 90, "r": 25, "t": 40, "b": 90}
STEADY_BOTTOM_NO_LEGEND = 30


def _margin(steady: bool, long_unit: bool, legend: bool) -> dict:
    """The layout's margins: small ones that plotly's automatic margins widen (a chart drawn once), or the
    reserved ones of a steady chart (see :func:`path_figure`)."""
    top = 55 if long_unit else 40
    if not steady:
        return {"l": 10, "r": 10, "t": top, "b": 10}
    return STEADY_MARGIN | {"t": top, "b": STEADY_MARGIN["b"] if legend else STEADY_BOTTOM_NO_LEGEND}


def _default_template() -> dict:
    """The layout template a validated figure gets: plotly's current default (Streamlit's own, whose
    placeholder colours the browser replaces, once Streamlit is imported), as plain data, read only:
    plotly builds each figure's own template objects from it (a figure's changes stay in that figure)."""
    return _template(str(pio.templates.default))


@functools.cache
def _template(name: str) -> dict:
    return go.Figure().layout.template.to_plotly_json()


def _band_trace(band: pd.DataFrame, colour: str, name: str) -> dict:
    x = band["time"].to_numpy()
    return {
        "type": "scatter",
        "x": np.concatenate([x, x[::-1]]),
        "y": np.concatenate([band["high"].to_numpy(), band["low"].to_numpy()[::-1]]),
        "fill": "toself",
        "fillcolor": _transparent(colour),
        "line": {"width": 0},
        "hoverinfo": "skip",
        "name": _plain(f"{name} 5-95%"),
        "showlegend": False,
    }


def _transparent(colour: str, alpha: float = 0.2) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def bar_figure(table: pd.DataFrame, title: str = "", unit: str = "", height: int | None = None) -> go.Figure:
    """Horizontal bars, largest at the top: columns ``label`` and ``value``; green > 0, red < 0
    unless a ``colour`` column says otherwise."""
    table = table.iloc[::-1]
    colours = table["colour"] if "colour" in table else np.where(table["value"] >= 0, "#1a9850", "#d73027")
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


def _focus_positions(model: ModelSpec, focus: str) -> dict[str, tuple[float, float]]:
    """Causes on the left, the node in the middle, effects on the right (both ways: on top)."""
    causes = [n for n in model.node_ids if any(k.source == n and k.target == focus for k in model.links)]
    effects = [n for n in model.node_ids if any(k.source == focus and k.target == n for k in model.links)]
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


NETWORK_WORDS = {
    "nl": {
        "positive": "versterkt (+)",
        "negative": "remt af (−)",
        "delayed": "met vertraging (‖, gestippeld)",
        "weight": "gewicht",
        "per": "{target} per {source}",
        "elasticity": "% per %",
        "lag": "vertraging",
        "years": "jaar",
        "none": "geen",
        "unit": "eenheid",
        "fixed": "vast",
        "exponential": "geleidelijk (exponentieel)",
        "third_order": "geleidelijk (derde orde)",
    },
    "en": {
        "positive": "increases (+)",
        "negative": "decreases (−)",
        "delayed": "delayed (‖, dotted)",
        "weight": "weight",
        "per": "{target} per {source}",
        "elasticity": "% per %",
        "lag": "delay",
        "years": "years",
        "none": "none",
        "unit": "unit",
        "fixed": "fixed",
        "exponential": "gradual (exponential)",
        "third_order": "gradual (third order)",
    },
}
POSITIVE, NEGATIVE = "#1a9850", "#d73027"
CURVE = 0.12  # a link bends this far sideways (share of its length): A->B and B->A stay apart
SAME_COLUMN_CURVE = 0.3  # a link within one column bends further, around the nodes between its ends


def _curve(p0: tuple[float, float], p1: tuple[float, float], n: int = 14) -> np.ndarray:
    """Points of a gently bent line from ``p0`` to ``p1`` (a quadratic Bézier curve), shape (n, 2)."""
    a, b = np.asarray(p0, dtype=float), np.asarray(p1, dtype=float)
    d = b - a
    bend = CURVE if abs(d[0]) > 1e-9 else SAME_COLUMN_CURVE  # within a column: round the nodes between
    control = (a + b) / 2 + bend * np.array([-d[1], d[0]])
    s = np.linspace(0.0, 1.0, n)[:, None]
    return (1 - s) ** 2 * a + 2 * (1 - s) * s * control + s**2 * b


def _link_hover(model: ModelSpec, link: LinkSpec, language: str) -> str:
    w = NETWORK_WORDS["en" if language == "en" else "nl"]
    src, tgt = model.node(link.source), model.node(link.target)
    unit = (
        w["elasticity"]
        if link.form == "elasticity"
        else w["per"].format(target=unit_label(tgt.shown_unit, language), source=unit_label(src.shown_unit, language))
    )
    if getattr(link, "weight_unit", "") and link.form != "elasticity":  # declared in the file, checked by validate
        unit = unit_label(link.weight_unit, language)
    lag = link.lag.central
    delay = w["none"] if not lag else f"{format_number(lag, language)} {w['years']}"
    if lag and link.delay and link.delay != "none":
        delay += f", {w.get(link.delay, link.delay)}"
    return "<br>".join(
        [
            _plain(f"{src.label.get(language)} → {tgt.label.get(language)}"),
            _plain(f"{w['weight']}: {format_number(link.weight.central, language)} ({unit})"),
            _plain(f"{w['lag']}: {delay}"),
            *([_plain(score_text(link, language))] if getattr(link, "is_scored", False) else []),
            *([_plain(shape_text(link, language))] if getattr(link, "shape", None) is not None else []),
        ]
    )


def _delayed(link: LinkSpec) -> bool:
    return bool(link.delay and link.delay != "none" and link.lag.central > 0)


def _add_links(fig: go.Figure, model: ModelSpec, links: list, pos: dict, language: str) -> list[dict]:
    """Links as bent lines, one trace per (sign, delay) with its legend entry; returns their arrowheads
    and marks (+ / − and ‖) as annotations. An invisible point mid-link carries the hover text."""
    w = NETWORK_WORDS["en" if language == "en" else "nl"]
    annotations, hover_x, hover_y, hover_text = [], [], [], []
    groups: dict[tuple[bool, bool], tuple[list, list]] = {}
    for link in links:
        points = _curve(pos[link.source], pos[link.target])
        positive, delayed = link.weight.central >= 0, _delayed(link)
        xs, ys = groups.setdefault((positive, delayed), ([], []))
        xs += [*points[:, 0], None]
        ys += [*points[:, 1], None]
        colour = POSITIVE if positive else NEGATIVE
        tail, head = points[-3], points[-1]
        annotations.append(
            {
                "x": head[0],
                "y": head[1],
                "ax": tail[0],
                "ay": tail[1],
                "xref": "x",
                "yref": "y",
                "axref": "x",
                "ayref": "y",
                "showarrow": True,
                "arrowhead": 2,
                "arrowsize": 1.6,
                "arrowwidth": 1.6,
                "standoff": 9,
                "arrowcolor": colour,
                "text": "",
            }
        )
        middle = points[len(points) // 2]
        annotations.append(
            {
                "x": middle[0],
                "y": middle[1],
                "xref": "x",
                "yref": "y",
                "showarrow": False,
                "text": ("+" if positive else "−") + (DELAY_MARK if delayed else ""),
                "font": {"size": 14, "color": colour},
                "bgcolor": "rgba(255,255,255,0.8)",
            }
        )
        hover_x.append(middle[0])
        hover_y.append(middle[1])
        hover_text.append(_link_hover(model, link, language))
    for (positive, delayed), (xs, ys) in sorted(groups.items(), reverse=True):
        name = w["positive"] if positive else w["negative"]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                hoverinfo="skip",
                legendgroup="links",
                name=_plain(f"{name}, {w['delayed']}" if delayed else name),
                line={
                    "color": _transparent(POSITIVE if positive else NEGATIVE, 0.55),
                    "width": 1.6,
                    "dash": "dot" if delayed else "solid",
                },
            )
        )
    if hover_x:
        fig.add_trace(
            go.Scatter(
                x=hover_x,
                y=hover_y,
                mode="markers",
                marker={"size": 14, "opacity": 0},
                hovertext=hover_text,
                hoverinfo="text",
                showlegend=False,
            )
        )
    return annotations


def _headers(lay: network_layout.Layout, language: str) -> list[dict]:
    """The theme's name above each column, the dimension's name above its first column."""
    out, seen = [], set()
    for column in lay.columns:
        out.append(
            {
                "x": column.x,
                "y": column.y - 0.35,
                "xref": "x",
                "yref": "y",
                "showarrow": False,
                "text": "<br>".join(_plain(x) for x in network_layout.wrap(theme_label(column.theme, language))),
                "font": {"size": 12, "color": "#444444"},
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        )
        if column.dimension not in seen:
            seen.add(column.dimension)
            out.append(
                {
                    "x": column.x - 0.45,
                    "y": column.y + 0.2,
                    "xref": "x",
                    "yref": "y",
                    "showarrow": False,
                    "xanchor": "left",
                    "text": _plain(t(column.dimension, language).capitalize()),
                    "font": {"size": 14, "color": "#222222", "weight": "bold"},
                    "bgcolor": "rgba(255,255,255,0.85)",
                }
            )
    return out


def _node_label(pos: dict, node: NodeSpec, language: str) -> dict:
    """A node's name under its marker, on a white ground so that links passing behind do not cross it."""
    x, y = pos[node.id]
    return {
        "x": x,
        "y": y,
        "xref": "x",
        "yref": "y",
        "showarrow": False,
        "yanchor": "top",
        "yshift": -(network_layout.MARKER_PX / 2 + 2),
        "text": "<br>".join(_plain(line) for line in network_layout.wrap(node.label.get(language))),
        "font": {"size": network_layout.FONT_PX, "color": "#222222"},
        "bgcolor": "rgba(255,255,255,0.85)",
        "borderpad": 0,
    }


def network_figure(model: ModelSpec, language: str = "nl", focus: str | None = None, height: int = 900) -> go.Figure:
    """The causal diagram: one block of columns per dimension, one column per theme (CBS order), nodes
    coloured by theme; links green (+, increases) or red (−, decreases) with arrowheads, dotted and
    marked ‖ when delayed; weight (with its unit) and delay on hover over a link's middle.

    With ``focus``, only that node, its direct causes and its direct effects are drawn (causes left,
    effects right). Node traces carry ``customdata`` = node ids; link traces carry none.
    """
    shown = set(model.node_ids)
    links = list(model.links)
    lay = None
    if focus is not None:
        links = [link for link in links if focus in (link.source, link.target)]
        shown = {focus} | {link.source for link in links} | {link.target for link in links}
        pos = _focus_positions(model, focus)
    else:
        lay = network_layout.layout(model)
        pos = lay.positions
    themes = in_cbs_order(n.theme for n in model.nodes)
    fig = go.Figure()
    annotations = _add_links(fig, model, links, pos, language)
    if lay is not None:
        annotations += _headers(lay, language)
    for k, theme in enumerate(themes):
        nodes = [n for n in model.nodes if n.theme == theme and n.id in shown]
        if not nodes:
            continue
        fig.add_trace(
            go.Scatter(
                x=[pos[n.id][0] for n in nodes],
                y=[pos[n.id][1] for n in nodes],
                mode="markers",
                customdata=[n.id for n in nodes],
                name=_plain(theme_label(theme, language)),
                showlegend=False,
                marker={
                    "size": [22 if n.id == focus else network_layout.MARKER_PX for n in nodes],
                    "color": THEME_COLOURS[k % len(THEME_COLOURS)],
                    "symbol": ["square" if n.kind == "stock" else "circle" for n in nodes],
                    "line": {"width": 1.5, "color": "white"},
                },
                hovertext=[
                    _plain(f"{n.label.get(language)} ({unit_label(n.shown_unit, language)})")
                    + "<br>"
                    + _plain(f"{theme_label(n.theme, language)} · {t(n.dimension, language)}")
                    for n in nodes
                ],
                hoverinfo="text",
            )
        )
    annotations += [_node_label(pos, n, language) for n in model.nodes if n.id in shown]  # last: on top
    if lay is not None:
        height = lay.height_px + 70
        axes = {
            "xaxis": {"visible": False, "range": list(lay.x_range), "fixedrange": True},
            "yaxis": {"visible": False, "range": list(lay.y_range), "fixedrange": True},
        }
    else:
        height = min(height, 260 + 60 * len(shown))
        axes = {"xaxis": {"visible": False, "range": [-1.8, 1.8]}, "yaxis": {"visible": False}}
    fig.update_layout(
        annotations=annotations,
        height=height,
        plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": 10, "b": 60},
        legend={"font": {"size": 12}, "orientation": "h", "y": -0.01, "yanchor": "top"},
        hoverlabel={"font": {"size": 13}},
        **axes,
    )
    return fig


def figure_values(fig: go.Figure) -> list[np.ndarray]:
    """The y values of every trace (for tests and for change detection)."""
    return [np.asarray(trace.y, dtype=float) for trace in fig.data if trace.y is not None]
