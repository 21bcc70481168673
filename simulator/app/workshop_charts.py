"""Figures of the facilitator's projector view: futures' scorecards with their differences marked,
and one indicator's paths overlaid with lines told apart by colour and dash and named at their ends.

Pure functions from tables to ``go.Figure`` (no Streamlit). Every text from a group or a model
(future labels, indicator names, units) is escaped with :func:`simulator.app.plain_text.plotly`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from simulator.app import charts
from simulator.app.plain_text import plotly as _plain
from simulator.spec import DIMENSIONS

DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
"""Line styles in turn: with the colours, lines stay apart in grey print and for colour-blind readers."""
DIFFERENCE_COLOUR = "#000000"
TITLE_ROOM = 30  # pixels
END_LABEL_GAP = 0.055  # fraction of the y range between two end labels
END_LABEL_CHARS = 22  # an end label longer than this is cut with "…"


def marked_scorecard(
    summary: pd.DataFrame,
    language: str,
    title: str,
    themes: Sequence[str],
    differs: set[tuple[str, str]],
) -> go.Figure:
    """One future's compact scorecard (:func:`simulator.app.charts.scorecard_figure`) with a thick black frame
    around every (dimension, theme) cell in which the futures do not agree."""
    fig = charts.scorecard_figure(summary, language, title, themes, compact=True)
    top = fig.layout.margin.t + TITLE_ROOM  # the future's name above the column headings, not beside them
    fig.update_layout(
        height=fig.layout.height + TITLE_ROOM,
        margin={"t": top},
        title={
            "y": 1.0,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 6},
            "x": 0.0,
            "xanchor": "left",
            "font": {"size": 14},
        },
    )
    for dimension, theme in sorted(differs):
        if theme not in themes or dimension not in DIMENSIONS:
            continue
        i, j = list(themes).index(theme), DIMENSIONS.index(dimension)
        fig.add_shape(
            type="rect",
            x0=j - 0.46,
            x1=j + 0.46,
            y0=i - 0.42,
            y1=i + 0.42,
            line={"color": DIFFERENCE_COLOUR, "width": 3},
            fillcolor="rgba(0,0,0,0)",
        )
    return fig


def _short(text: str) -> str:
    return text if len(text) <= END_LABEL_CHARS else text[: END_LABEL_CHARS - 1] + "…"


def spread_labels(ends: list[float], gap: float) -> list[float]:
    """Label heights near ``ends`` (y values, any order) at least ``gap`` apart, each as close as it can be."""
    order = np.argsort(ends, kind="stable")
    placed = np.array(ends, dtype=float)[order]
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    shift = (placed - np.array(ends, dtype=float)[order]).mean() if len(placed) else 0.0
    placed -= shift / 2  # share the push between the lower and the upper labels
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    out = np.empty_like(placed)
    out[order] = placed
    return [float(y) for y in out]


def overlay_figure(paths: pd.DataFrame, title: str, unit: str, height: int = 380) -> go.Figure:
    """An indicator's time paths of several futures in one chart.

    Parameters
    ----------
    paths : DataFrame
        Columns ``time`` (years), ``series`` (future label), ``value`` (node units) and
        ``baseline`` (bool, True for the baseline's rows), as :func:`simulator.workshop.view.chart_paths`.

    Each future has its own colour and dash; the baseline is grey and dotted. Every line is named
    at its right end (labels pushed apart so they never sit on each other); the legend repeats them.
    """
    fig = go.Figure()
    series = list(dict.fromkeys(paths["series"]))
    ends, names, colours = [], [], []
    k = 0
    for name in series:
        part = paths[paths["series"] == name]
        is_base = bool(part["baseline"].iloc[0])
        colour = charts.BASELINE_COLOUR if is_base else charts.SERIES_COLOURS[k % len(charts.SERIES_COLOURS)]
        dash = "dot" if is_base else DASHES[k % len(DASHES)]
        k += 0 if is_base else 1
        x, y = part["time"].to_numpy(), part["value"].to_numpy(dtype=float)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                name=_plain(name),
                mode="lines",
                line={"color": colour, "width": 2 if is_base else 3, "dash": dash},
                hovertemplate="%{y:.3s}<extra>" + _plain(name) + "</extra>",
            )
        )
        ends.append(float(y[-1]) if len(y) else 0.0)
        names.append(name)
        colours.append(colour)
    values = paths["value"].to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    span = high - low or max(abs(high), 1.0)
    heights = spread_labels(ends, END_LABEL_GAP * span)
    last = float(paths["time"].max()) if len(paths) else 0.0
    annotations = [
        {
            "x": last,
            "y": y_label,
            "xref": "x",
            "yref": "y",
            "xanchor": "left",
            "xshift": 6,
            "text": _plain(_short(name)),
            "showarrow": False,
            "font": {"size": 13, "color": colour},
        }
        for name, y_label, colour in zip(names, heights, colours, strict=True)
    ]
    fig.update_layout(
        title={
            "text": _plain(title)
            + (f"<br><span style='font-size:12px;color:#555555'>{_plain(unit)}</span>" if unit else ""),
            "font": {"size": 17},
        },
        height=height,
        annotations=annotations,
        margin={"l": 10, "r": 190, "t": 64, "b": 10},
        showlegend=True,
        legend={"orientation": "h", "y": -0.12, "font": {"size": 12}},
        plot_bgcolor="white",
        font={"size": 13},
    )
    lo, hi = min(low, *heights) if heights else low, max(high, *heights) if heights else high
    fig.update_yaxes(gridcolor="#eeeeee", range=[lo - 0.05 * span, hi + 0.05 * span])
    first = float(paths["time"].min()) if len(paths) else 0.0
    fig.update_xaxes(gridcolor="#eeeeee", range=[first, last])  # the end labels sit in the right margin
    return fig
