"""Page: several futures side by side: scorecards, overlaid paths, the differences that matter most."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from simulator import overrides as ov
from simulator.analysis.scorecard import summary
from simulator.app import charts, numbers, state, tables
from simulator.app.plain_text import markdown as md
from simulator.app.state import tr
from simulator.spec import ScenarioSpec
from simulator.themes import in_cbs_order

CURRENT = "__current__"
CURRENT_OWN = "__current_own__"
PER_ROW = 3
BAND_SAMPLES = 200  # as on the builder page: the same cached ensembles


def _futures(cur: state.Current) -> dict[str, tuple[str, ScenarioSpec]]:
    """Choosable futures: key -> (display name, spec)."""
    _, _, defaults, own = state.future_specs(cur)
    lang = state.language()
    out = {CURRENT: (tr("current_future"), defaults)}
    if own is not None:
        out[CURRENT_OWN] = (f"{tr('current_future')}, {tr('with_own').lower()}", own)
    for name, spec in cur.scenarios.items():
        out[name] = (spec.title.get(lang) if spec.title else name, spec)
    return out


def page() -> None:
    """The page."""
    cur = state.current()
    model = cur.model.spec
    st.title(tr("page_compare"))
    st.markdown(tr("compare_intro"))
    futures = _futures(cur)
    if st.session_state.get(state.wkey("compare_pick")) is None or not set(
        st.session_state[state.wkey("compare_pick")]
    ) <= set(futures):
        st.session_state[state.wkey("compare_pick")] = [k for k in futures if k != CURRENT_OWN][:PER_ROW]
    chosen = st.multiselect(
        tr("futures"),
        list(futures),
        key=state.wkey("compare_pick"),
        placeholder=tr("choose"),
        format_func=lambda k: futures[k][0],
    )
    if not chosen:
        st.info(tr("pick_two"))
        return
    runs = {futures[k][0]: state.run(cur, futures[k][1]) for k in chosen}
    first = next(iter(runs.values()))
    start, end = int(round(first.times[0])), int(round(first.times[-1]))
    if not start <= (st.session_state.get("compare_year") or 0) <= end:
        st.session_state["compare_year"] = min(start + 10, end)
    st.session_state.setdefault("compare_band", bool(st.session_state.get("band")))
    cols = st.columns([3, 1])
    year = float(cols[0].slider(tr("year"), start, end, key="compare_year"))
    band_on = cols[1].toggle(tr("band"), key="compare_band", help=tr("band_help"))
    samples = BAND_SAMPLES if band_on else 0
    lang = state.language()
    cards = {futures[k][0]: state.scorecard_of(cur, futures[k][1], year, samples) for k in chosen}
    themes = in_cbs_order(n.theme for n in model.nodes)
    pushed = frozenset(lever.node for lever in ov.levers(model, list(cur.scenarios.values())))
    st.subheader(tr("scorecard"))
    names = list(cards)
    for row in range(0, len(names), PER_ROW):
        cols = st.columns(PER_ROW)
        for col, name in zip(cols, names[row : row + PER_ROW], strict=False):
            col.markdown(f"**{md(name)}**")
            fig = charts.scorecard_figure(
                summary(cards[name]), lang, "", themes, compact=True, card=cards[name], skip=pushed
            )
            col.plotly_chart(
                fig, key=f"cmp_card:{name}", config={"displayModeBar": False}
            )  # numbers: verdict words on category axes
    st.caption(tr("scorecard_legend"))
    diff = tables.differences(cards)
    st.subheader(tr("key_paths"))
    default = diff["node"].iloc[0] if not diff.empty else model.node_ids[0]
    if st.session_state.get(state.wkey("compare_node")) not in model.node_ids:
        st.session_state[state.wkey("compare_node")] = default
    node = st.selectbox(
        tr("indicator"),
        model.node_ids,
        key=state.wkey("compare_node"),
        format_func=lambda n: state.label_of(model, n),
        placeholder=tr("choose"),
    )
    table = tables.path_table(runs, node, tr("series_baseline"))
    band = None
    if band_on:
        summaries = {futures[k][0]: state.ensemble(cur, futures[k][1], BAND_SAMPLES) for k in chosen}
        parts = [tables.band_table(s, runs[name], node, name) for name, s in summaries.items() if s is not None]
        band = pd.concat(parts, ignore_index=True) if parts else None
    st.plotly_chart(
        numbers.localize_figure(
            charts.path_figure(table, state.label_of(model, node), state.unit_of(model, node), band, height=380),
            state.language(),
        ),
        key="cmp_paths",
    )
    st.subheader(tr("differences"))
    if diff.empty:
        st.caption("—")
        return
    shown = (
        diff.assign(unit=[state.unit_of(model, n) for n in diff["node"]])
        .drop(columns=["node"])
        .rename(columns={"label": tr("indicator"), "unit": tr("unit"), "spread": tr("spread")})
    )
    st.dataframe(numbers.text_table(shown, state.language()), hide_index=True)


page()
