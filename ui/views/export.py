"""Page: export and share. Results as CSV and Excel, a chart as PNG, the scenario file, a link."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from simulator.analysis.scorecard import scorecard, summary
from simulator.themes import in_cbs_order
from ui import charts, exporting, plain_text, state, tables
from ui.state import tr


def results_frame(cur: state.Current) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(results in the columns of results.csv, the scorecard) of the baseline and the current future."""
    _, _, defaults, own = state.future_specs(cur)
    specs = [state.baseline_spec(cur, defaults), defaults] + ([own] if own is not None else [])
    runs = [state.run(cur, spec) for spec in specs]
    frame = pd.concat([r.to_frame() for r in runs], ignore_index=True)
    card = pd.concat(
        [
            scorecard(
                cur.model.spec,
                r.times,
                r.baseline,
                r.delta,
                scenario=r.scenario,
                language=state.language(),
            )
            for r in runs[1:]
        ],
        ignore_index=True,
    )
    return frame, card


def _page_url() -> str:
    try:
        return st.context.url or ""
    except Exception:  # no browser context (AppTest) or an older Streamlit
        return ""


SCORECARD = "__scorecard__"


def _chart(cur: state.Current):
    """The chart to export: the scorecard of the current future, or one indicator's path."""
    model = cur.model.spec
    options = [SCORECARD, *model.node_ids]
    if st.session_state.get(state.wkey("export_node")) not in options:
        st.session_state[state.wkey("export_node")] = SCORECARD
    node = st.selectbox(
        tr("chart"),
        options,
        key=state.wkey("export_node"),
        format_func=lambda n: tr("scorecard") if n == SCORECARD else state.label_of(model, n),
    )
    _, _, defaults, own = state.future_specs(cur)
    if node == SCORECARD:
        year = float(st.session_state.get("year") or model.time.start + 10)
        card = state.scorecard_of(cur, own or defaults, year)
        themes = in_cbs_order(n.theme for n in model.nodes)
        title = f"{tr('scorecard')} {year:g}"
        fig = charts.scorecard_figure(summary(card), state.language(), title, themes)
    else:
        runs = {tr("with_defaults"): state.run(cur, defaults)}
        if own is not None:
            runs[tr("with_own")] = state.run(cur, own)
        table = tables.path_table(runs, node, tr("series_baseline"))
        fig = charts.path_figure(
            table, state.label_of(model, node), state.unit_of(model, node), height=380
        )
    st.plotly_chart(fig, key="export_chart")
    return fig, "scorekaart" if node == SCORECARD else node


def page() -> None:
    """The page."""
    cur = state.current()
    st.title(tr("page_export"))
    st.markdown(tr("export_intro"))
    frame, card = results_frame(cur)
    cols = st.columns(2)
    cols[0].download_button(
        tr("download_csv"),
        frame.to_csv(index=False, float_format="%.17g"),
        file_name="results.csv",
        mime="text/csv",
        key="dl_csv",
    )
    cols[1].download_button(
        tr("download_xlsx"),
        exporting.excel_bytes(
            {"results": frame, "scorecard": card, "scorecard_summary": summary(card)}
        ),
        file_name="results.xlsx",
        key="dl_xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    fig, node = _chart(cur)
    if st.button(tr("make_png"), key="make_png"):
        try:
            st.session_state["png"] = (node, exporting.png_bytes(fig))
        except Exception as exc:  # kaleido needs a Chrome; the toolbar's camera works without
            st.warning(tr("png_unavailable", reason=type(exc).__name__))
    png = st.session_state.get("png")
    if png is not None and png[0] == node:
        st.download_button(
            tr("download_png"), png[1], file_name=f"{node}.png", mime="image/png", key="dl_png"
        )
    _, _, defaults, own = state.future_specs(cur)
    scenario = own or defaults
    st.download_button(
        tr("download_scenario"),
        state.scenario_to_yaml(scenario, cur.file_ref),
        file_name=f"{scenario.name}.yaml",
        mime="application/x-yaml",
        key="dl_scen",
    )
    st.subheader(tr("share"))
    st.caption(tr("share_help"))
    link = state.share(cur)
    st.code(exporting.share_link(_page_url(), link.code), language=None, wrap_lines=True)
    for key in link.carries:
        st.caption(tr(key))
    if link.lost:
        st.warning(tr("share_lost", what=plain_text.markdown("; ".join(_lost_text(item) for item in link.lost))))


def _lost_text(item: str) -> str:
    """One thing that cannot travel in the link, in the current language."""
    if item.startswith("the network itself"):
        return tr("lost_network")
    if item == "the time horizon":
        return tr("lost_time")
    if item == "the link would be too long":
        return tr("lost_long")
    return item.replace("link ", tr("lost_link") + " ", 1).replace("node ", tr("lost_node") + " ", 1)


page()
