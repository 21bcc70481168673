"""Page: export and share. Results as CSV and Excel, a chart as PNG, the scenario file, a link."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd
import streamlit as st

from simulator.analysis.scorecard import scorecard, summary
from ui import charts, state, tables
from ui.future import encode_future
from ui.state import tr

CHROMIUM = Path("/usr/bin/chromium")


def results_frame(cur: state.Current) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(results in the columns of results.csv, the scorecard) of the baseline and the current future."""
    _, _, defaults, own = state.future_specs(cur)
    specs = [state.baseline_spec(cur, defaults), defaults] + ([own] if own is not None else [])
    runs = [state.run(cur, spec) for spec in specs]
    frame = pd.concat([r.to_frame() for r in runs], ignore_index=True)
    card = pd.concat([scorecard(cur.model.spec, r.times, r.baseline, r.delta, scenario=r.scenario,
                                language=state.language()) for r in runs[1:]], ignore_index=True)
    return frame, card


def excel_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one sheet per table (openpyxl)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()


def png_bytes(fig) -> bytes:
    """The figure as PNG through kaleido, using Debian's chromium when there is one."""
    if CHROMIUM.is_file():
        os.environ.setdefault("BROWSER_PATH", str(CHROMIUM))
    return fig.to_image(format="png", width=1000, height=600, scale=1)


def share_link(code: str) -> str:
    """The app's address with the future in its query (``?f=``)."""
    try:
        base = (st.context.url or "").split("?")[0]
    except Exception:  # older Streamlit or no browser context (AppTest)
        base = ""
    base = base.rsplit("/", 1)[0] + "/" if "://" in base else "/"
    return f"{base}?f={code}"


def _chart(cur: state.Current, frame: pd.DataFrame):
    model = cur.model.spec
    if st.session_state.get("export_node") not in model.node_ids:
        st.session_state["export_node"] = model.node_ids[0]
    node = st.selectbox(tr("indicator"), model.node_ids, key="export_node",
                        format_func=lambda n: state.label_of(model, n))
    _, _, defaults, own = state.future_specs(cur)
    runs = {tr("with_defaults"): state.run(cur, defaults)}
    if own is not None:
        runs[tr("with_own")] = state.run(cur, own)
    table = tables.path_table(runs, node, tr("series_baseline"))
    fig = charts.path_figure(table, state.label_of(model, node), model.node(node).unit, height=380)
    st.plotly_chart(fig, key="export_chart")
    return fig, node


def page() -> None:
    """The page."""
    cur = state.current()
    st.title(tr("page_export"))
    st.markdown(tr("export_intro"))
    frame, card = results_frame(cur)
    cols = st.columns(2)
    cols[0].download_button(tr("download_csv"), frame.to_csv(index=False, float_format="%.17g"),
                            file_name="results.csv", mime="text/csv", key="dl_csv")
    cols[1].download_button(tr("download_xlsx"), excel_bytes({"results": frame, "scorecard": card,
                                                              "scorecard_summary": summary(card)}),
                            file_name="results.xlsx", key="dl_xlsx",
                            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    fig, node = _chart(cur, frame)
    if st.button(tr("make_png"), key="make_png"):
        try:
            st.session_state["png"] = (node, png_bytes(fig))
        except Exception as exc:  # kaleido needs a Chrome; the toolbar's camera works without
            st.warning(tr("png_unavailable", reason=type(exc).__name__))
    png = st.session_state.get("png")
    if png is not None and png[0] == node:
        st.download_button(tr("download_png"), png[1], file_name=f"{node}.png", mime="image/png", key="dl_png")
    _, _, defaults, own = state.future_specs(cur)
    scenario = own or defaults
    st.download_button(tr("download_scenario"), state.scenario_to_yaml(scenario, cur.file_ref),
                       file_name=f"{scenario.name}.yaml", mime="application/x-yaml", key="dl_scen")
    st.subheader(tr("share"))
    st.caption(tr("share_help"))
    st.code(share_link(encode_future(state.get_future())), language=None)


page()
