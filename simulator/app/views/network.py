"""Page: the causal network, its feedback loops and a node's traced contributions."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from simulator.analysis.behaviour import detail, share_text, statement
from simulator.analysis.loops import find_loops
from simulator.analysis.text import score_text, shape_text
from simulator.analysis.tracing import incoming, trace_paths
from simulator.app import charts, numbers, state
from simulator.app.plain_text import markdown as md
from simulator.app.state import tr
from simulator.errors import InputError, NumericalError
from simulator.messages import translate


def _focus(cur: state.Current) -> str | None:
    model = cur.model.spec
    options = ["", *model.node_ids]
    pending = st.session_state.pop("focus_pending", None)
    if pending in options:
        st.session_state[state.wkey("focus_pick")] = pending
    if st.session_state.get(state.wkey("focus_pick")) not in options:
        st.session_state[state.wkey("focus_pick")] = ""
    choice = st.selectbox(
        tr("focus"),
        options,
        key=state.wkey("focus_pick"),
        format_func=lambda n: tr("all_nodes") if not n else state.label_of(model, n),
        placeholder=tr("choose"),
    )
    return choice or None


def _link_rows(cur: state.Current, links: list, end: str) -> pd.DataFrame:
    model = cur.model.spec
    rows = [
        {
            "": "+" if link.weight.central >= 0 else "−",
            tr("focus"): state.label_of(model, getattr(link, end)),
            tr("col_weight"): link.weight.central,
            tr("col_score"): score_text(link, state.language()),
            tr("col_shape"): shape_text(link, state.language()),
            tr("col_lag"): link.lag.central,
            tr("col_delay"): tr(f"delay_{link.delay}") if link.delay else "",
            tr("col_evidence"): tr(f"evidence_{link.evidence.strength}"),
        }
        for link in links
    ]
    frame = pd.DataFrame(rows)
    if not any(link.is_scored for link in links):  # the column only where experts scored a link
        frame = frame.drop(columns=[tr("col_score")], errors="ignore")
    if not any(link.shape is not None for link in links):  # and only where a link has a shape
        frame = frame.drop(columns=[tr("col_shape")], errors="ignore")
    return frame


def _neighbours(cur: state.Current, focus: str) -> None:
    model = cur.model.spec
    causes = [link for link in model.links if link.target == focus]
    effects = [link for link in model.links if link.source == focus]
    left, right = st.columns(2)
    left.markdown(f"**{tr('causes')}**")
    left.dataframe(numbers.text_table(_link_rows(cur, causes, "source"), state.language()), hide_index=True)
    right.markdown(f"**{tr('consequences')}**")
    right.dataframe(numbers.text_table(_link_rows(cur, effects, "target"), state.language()), hide_index=True)


MAX_PATHS = 8
POLARITY = {
    "reinforcing": ("versterkend (R)", "reinforcing (R)"),
    "balancing": ("balancerend (B)", "balancing (B)"),
    "inactive": ("inactief", "inactive"),
}


def _loops(cur: state.Current, focus: str | None) -> None:
    model = cur.model.spec
    st.subheader(tr("loops"))
    every = find_loops(model, model.time)
    loops = [lp for lp in every if focus is None or focus in lp.nodes]
    if not loops:
        if focus is None or not every:
            st.caption(tr("no_loops"))
        else:
            st.caption(tr("node_on_no_loop", node=md(state.label_of(model, focus)), n=len(every)))
        return
    if focus is not None:
        st.caption(tr("node_loops", node=md(state.label_of(model, focus)), k=len(loops), n=len(every)))
    en = state.language() == "en"
    frame = pd.DataFrame(
        [
            {
                "id": lp.id,
                tr("loop_type"): POLARITY[lp.polarity][en],
                tr("col_lag"): lp.lag,
                tr("loop_gain"): lp.gain,
                tr("loop_path"): md(" → ".join(state.label_of(model, n) for n in [*lp.nodes, lp.nodes[0]])),
            }
            for lp in loops
        ]
    ).set_index("id")
    # A static table wraps the loop's path (a data grid would cut it off); it renders Markdown:
    st.table(frame)  # plain-text: its text cells are escaped above


def _tracing(cur: state.Current, focus: str) -> None:
    _, _, defaults, _ = state.future_specs(cur)
    if not defaults.interventions:
        return
    prepared = state.prepared(cur, defaults)
    result = state.run(cur, defaults)
    year = float(st.session_state.get("year") or result.times[0] + 10)
    k = int(abs(result.times - year).argmin())
    node = result.node_ids.index(focus)
    parts = incoming(prepared.compiled, prepared.inputs, result.delta, node, k)
    parts = parts[parts["value"] != 0]
    st.subheader(tr("tracing"))
    st.caption(tr("tracing_help") + f" ({result.times[k]:g})")
    if parts.empty:
        st.caption("—")
        return
    labels = [
        state.label_of(cur.model.spec, s) if s else p for s, p in zip(parts["source"], parts["part"], strict=True)
    ]
    table = pd.DataFrame({"label": labels, "value": parts["value"].to_numpy()})
    bars = charts.bar_figure(table, unit=state.unit_of(cur.model.spec, focus))
    st.plotly_chart(numbers.localize_figure(bars, state.language(), time_axis=False), key="trace")
    paths = trace_paths(prepared.compiled, prepared.inputs, result.delta, node, k)
    paths = paths[paths["part"] == "path"].head(MAX_PATHS)
    if not paths.empty:
        st.markdown(f"**{tr('trace_paths')}**")
        model = cur.model.spec
        shown = pd.DataFrame(
            {
                tr("path"): [" → ".join(state.label_of(model, n) for n in p.split(" -> ")) for p in paths["path"]],
                tr("value"): paths["value"].to_numpy(),
                "%": (100 * paths["share"]).round().to_numpy(),
            }
        )
        st.dataframe(numbers.text_table(shown, state.language()), hide_index=True)


CHECK_SAMPLES = 200


def _checks(cur: state.Current) -> None:
    """The model's behaviour tests: each one's statement (as typed in the file), whether it holds, what
    decided it and, when asked for, the share of an ensemble's runs in which it holds."""
    model = cur.model.spec
    st.subheader(tr("checks"))
    if not model.checks:
        st.caption(tr("no_checks"))
        return
    st.caption(tr("checks_intro"))
    wanted = st.toggle(tr("checks_ensemble", n=CHECK_SAMPLES), key="checks_ensemble")  # plain-text: a number
    samples = CHECK_SAMPLES if wanted else 0
    try:
        runs = state.checks_of(cur, samples)
    except (InputError, NumericalError) as exc:
        state.show_error(exc)
        return
    language = state.language()
    rows = []
    for result in runs.results:
        row = {
            "#": result.index + 1,
            tr("col_check"): translate(statement(result.check, model), language),  # a grid cell: shown as typed
            tr("col_outcome"): tr("check_holds") if result.passed else tr("check_fails"),
            tr("col_detail"): translate(detail(result.check, result.central), language),
        }
        if result.share is not None:
            row[tr("col_share")] = translate(share_text(result.share, result.runs, result.check.min_share), language)
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    held, n = len(runs.results) - len(runs.failed), len(runs.results)
    (st.success if not runs.failed else st.warning)(tr("checks_summary", held=held, n=n))


def _clicked(event: Any, fig: go.Figure) -> str | None:
    """The node id of a clicked point (its trace's ``customdata``), or None."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for point in points:
        curve = point.get("curve_number")
        index = point.get("point_index", point.get("point_number"))
        if curve is None or index is None or curve >= len(fig.data):
            continue
        data = fig.data[curve].customdata
        if data is not None and index < len(data):
            return str(data[index])
    return None


def page() -> None:
    """The page."""
    cur = state.current()
    st.title(tr("page_network"))
    st.markdown(tr("network_intro"))
    focus = _focus(cur)
    fig = charts.network_figure(cur.model.spec, state.language(), focus)
    event = st.plotly_chart(
        fig, key=f"network:{focus}", on_select="rerun", selection_mode="points"
    )  # numbers: a drawing, no axes
    clicked = _clicked(event, fig)
    if clicked and clicked != focus:
        st.session_state["focus_pending"] = clicked
        st.rerun()
    if focus is not None:
        _neighbours(cur, focus)
        _tracing(cur, focus)
    _loops(cur, focus)
    _checks(cur)


page()
