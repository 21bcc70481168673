"""Figures for calibration, sensitivity and monitoring: pure functions, table -> figure.

None of these runs the model or touches widgets; they take the tables of
:mod:`simulator.calibrate`, :mod:`simulator.sensitivity` and
:mod:`simulator.monitor` and return ``plotly`` figures, testable without a browser.
Titles, units, labels and factor names are escaped here (:func:`simulator.app.plain_text.plotly`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from simulator.app.plain_text import plotly as _plain

TOTAL_COLOUR, FIRST_COLOUR = "#1f77b4", "#aec7e8"
BAND_COLOUR, OBSERVED_COLOUR, FLAG_COLOUR = "#1f77b4", "#333333", "#d73027"
LINE_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"]


def _layout(fig: go.Figure, title: str, height: int, **extra: object) -> go.Figure:
    fig.update_layout(
        title={"text": _plain(title), "font": {"size": 14}},
        height=height,
        plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        **extra,
    )
    fig.update_xaxes(gridcolor="#eeeeee")
    fig.update_yaxes(gridcolor="#eeeeee")
    return fig


def tornado_figure(
    ranking: pd.DataFrame, top: int = 15, title: str = "", labels: dict[str, str] | None = None
) -> go.Figure:
    """Which assumptions matter most: horizontal bars, the most important at the top.

    Parameters
    ----------
    ranking : DataFrame
        :meth:`simulator.sensitivity.Indices.ranking`: a ``factor`` column and either
        ``ST``/``S1`` (Sobol; total order dark, first order light) or ``mu_star``/``sigma``
        (Morris), sorted most important first.
    top : int
        Bars shown.
    labels : dict, optional
        Display names by factor name.
    """
    part = ranking.head(top).iloc[::-1]
    names = [_plain((labels or {}).get(f, f)) for f in part["factor"]]
    fig = go.Figure()
    if "ST" in part:
        fig.add_trace(
            go.Bar(y=names, x=part["ST"].to_numpy(), orientation="h", name="ST (total)", marker_color=TOTAL_COLOUR)
        )
        fig.add_trace(
            go.Bar(
                y=names, x=part["S1"].to_numpy(), orientation="h", name="S1 (first order)", marker_color=FIRST_COLOUR
            )
        )
        axis = "share of variance"
    else:
        fig.add_trace(
            go.Bar(
                y=names,
                x=part["mu_star"].to_numpy(),
                orientation="h",
                name="mu*",
                marker_color=TOTAL_COLOUR,
                error_x={"type": "data", "array": part["mu_star_conf"].to_numpy()} if "mu_star_conf" in part else None,
            )
        )
        fig.add_trace(
            go.Bar(y=names, x=part["sigma"].to_numpy(), orientation="h", name="sigma", marker_color=FIRST_COLOUR)
        )
        axis = "mean |elementary effect|"
    return _layout(
        fig,
        title,
        max(240, 28 * len(part) + 90),
        barmode="group",
        xaxis_title=axis,
        legend={"orientation": "h", "y": -0.15},
    )


def indices_over_time_figure(
    over_time: pd.DataFrame, factors: Sequence[str], title: str = "", labels: dict[str, str] | None = None
) -> go.Figure:
    """An index of chosen factors over the years (which assumption matters when).

    ``over_time``: :meth:`simulator.sensitivity.Indices.over_time`, columns ``time, factor, value``.
    """
    fig = go.Figure()
    for i, factor in enumerate(factors):
        part = over_time[over_time["factor"] == factor]
        fig.add_trace(
            go.Scatter(
                x=part["time"].to_numpy(),
                y=part["value"].to_numpy(),
                mode="lines+markers",
                name=_plain((labels or {}).get(factor, factor)),
                line={"color": LINE_COLOURS[i % len(LINE_COLOURS)]},
            )
        )
    return _layout(fig, title, 320, legend={"orientation": "h", "y": -0.25})


def estimates_figure(parameters: pd.DataFrame, title: str = "") -> go.Figure:
    """Fitted parameters with their intervals, each against its prior range (scaled to 0..1).

    ``parameters``: :meth:`simulator.calibrate.CalibrationResult.parameter_frame`. Each row is
    drawn on its own range ``bound_low .. bound_high`` mapped to 0..1, so links in
    different units share one axis; grey = the range, dot = the start value,
    bar = the interval, diamond = the estimate (red when not identified).
    """
    rows = parameters.iloc[::-1]
    names = [_plain(f"{link}:{kind}") for link, kind in zip(rows["link"], rows["kind"], strict=True)]
    low, high = rows["bound_low"].to_numpy(float), rows["bound_high"].to_numpy(float)
    width = np.where(np.isfinite(high - low) & (high > low), high - low, 1.0)
    base = np.where(np.isfinite(low), low, rows["estimate"].to_numpy(float) - 0.5)

    def scaled(column: str) -> np.ndarray:
        return np.clip((rows[column].to_numpy(float) - base) / width, -0.05, 1.05)

    est, lo, hi = scaled("estimate"), scaled("low"), scaled("high")
    colour = np.where(rows["identified"].to_numpy(bool), TOTAL_COLOUR, FLAG_COLOUR)
    fig = go.Figure()
    fig.add_trace(
        go.Bar(y=names, x=np.ones(len(rows)), orientation="h", marker_color="#eeeeee", name="range", hoverinfo="skip")
    )
    fig.add_trace(
        go.Scatter(y=names, x=scaled("start"), mode="markers", name="start", marker={"color": "#999999", "size": 7})
    )
    fig.add_trace(
        go.Scatter(
            y=names,
            x=est,
            mode="markers",
            name="estimate",
            marker={"color": colour, "size": 11, "symbol": "diamond"},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": np.nan_to_num(hi - est),
                "arrayminus": np.nan_to_num(est - lo),
            },
            customdata=rows["estimate"].to_numpy(float),
            hovertemplate="%{y}: %{customdata:.4g}<extra></extra>",
        )
    )
    return _layout(
        fig,
        title,
        max(220, 30 * len(rows) + 90),
        xaxis={"range": [-0.08, 1.08], "title": "position in the link's range (0 = low, 1 = high)"},
        legend={"orientation": "h", "y": -0.2},
    )


def fit_figure(
    observed: pd.DataFrame, title: str = "", unit: str = "", model_path: pd.DataFrame | None = None
) -> go.Figure:
    """Observed points of one node with the fitted model at the same times (and optionally its path).

    ``observed``: columns ``time``, ``value`` (observed) and ``predicted`` (fitted model,
    ``b + d``); ``model_path``: columns ``time``, ``value`` for the fitted model's full path.
    """
    fig = go.Figure()
    if model_path is not None:
        fig.add_trace(
            go.Scatter(
                x=model_path["time"].to_numpy(),
                y=model_path["value"].to_numpy(),
                mode="lines",
                name="model",
                line={"color": TOTAL_COLOUR},
            )
        )
    else:
        fig.add_trace(
            go.Scatter(
                x=observed["time"].to_numpy(),
                y=observed["predicted"].to_numpy(),
                mode="lines",
                name="model",
                line={"color": TOTAL_COLOUR},
            )
        )
    fig.add_trace(
        go.Scatter(
            x=observed["time"].to_numpy(),
            y=observed["value"].to_numpy(),
            mode="markers",
            name="observed",
            marker={"color": OBSERVED_COLOUR, "size": 7},
        )
    )
    return _layout(fig, title, 280, yaxis_title=_plain(unit) or None, legend={"orientation": "h", "y": -0.25})


MONITOR_LABELS = {
    "band": "expected band",
    "median": "median",
    "path": "scenario path",
    "inside": "observed, inside",
    "outside": "observed, outside",
}


def monitor_figure(
    band: pd.DataFrame,
    observed: pd.DataFrame,
    title: str = "",
    unit: str = "",
    labels: dict[str, str] | None = None,
    deterministic: bool = False,
) -> go.Figure:
    """The expected band of one indicator with the observations; points outside marked red.

    Parameters
    ----------
    band : DataFrame
        Columns ``time``, ``low``, ``median``, ``high`` (node units): one node of
        :meth:`simulator.monitor.Band.to_frame`.
    observed : DataFrame
        Columns ``time``, ``observed``, ``status`` ("inside", "above", "below"): one
        node of :attr:`simulator.monitor.MonitorResult.table`.
    labels : dict, optional
        Legend names by :data:`MONITOR_LABELS` key (another language); missing keys keep the English ones.
    deterministic : bool
        No ensemble (a model without uncertain links): the band is one line, drawn as the scenario's path.
    """
    names = {k: _plain(v) for k, v in (MONITOR_LABELS | (labels or {})).items()}
    x = band["time"].to_numpy()
    fig = go.Figure()
    if not deterministic:
        fig.add_trace(
            go.Scatter(
                x=np.concatenate([x, x[::-1]]),
                y=np.concatenate([band["high"].to_numpy(), band["low"].to_numpy()[::-1]]),
                fill="toself",
                fillcolor="rgba(31,119,180,0.18)",
                line={"width": 0},
                name=names["band"],
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=band["median"].to_numpy(),
            mode="lines",
            name=names["path" if deterministic else "median"],
            line={"color": BAND_COLOUR, "dash": "solid" if deterministic else "dot"},
        )
    )
    inside = observed["status"] == "inside"
    for mask, key, colour in ((inside, "inside", OBSERVED_COLOUR), (~inside, "outside", FLAG_COLOUR)):
        if mask.any():
            fig.add_trace(
                go.Scatter(
                    x=observed.loc[mask, "time"].to_numpy(),
                    y=observed.loc[mask, "observed"].to_numpy(),
                    mode="markers",
                    name=names[key],
                    marker={"color": colour, "size": 9 if colour == FLAG_COLOUR else 7},
                )
            )
    return _layout(fig, title, 300, yaxis_title=_plain(unit) or None, legend={"orientation": "h", "y": -0.25})
