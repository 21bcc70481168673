"""Page: the monitor. Observations (the real CBS snapshot, an illustrative sample or an uploaded CSV) against
the expected band of the future built on the home page; the points outside it in a table."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from simulator.app import model_input, numbers, state, tables
from simulator.app import sensitivity_charts as monitor_charts
from simulator.app.plain_text import markdown_lines
from simulator.app.state import tr
from simulator.errors import InputError, NumericalError

SAMPLE_DATA = state.REPO / "data" / "heerlen-observed-illustrative.csv"  # synthetic, with a known truth
REAL_DATA = state.REPO / "data" / "parkstad-observed.csv"  # real CBS figures, each node in its own place
MONITOR_MARGIN_YEARS = 3.0  # the band is drawn this far past the last observation


def _observed(cur: state.Current, scenario):
    """The observations chosen in the monitor section (sample or upload), checked; None when there are none.

    The real CBS snapshot (the default) and the illustrative sample are offered only on a model and horizon
    they fit (the Heerlen model's scenarios).
    """
    prepared = state.prepared(cur, scenario)
    ids = list(prepared.compiled.node_ids)
    horizon = (float(prepared.compiled.times[0]), float(prepared.compiled.times[-1]))
    regions = {node.id: node.region for node in prepared.model.nodes}  # data with places: each node's own
    real = model_input.read_real_sample(REAL_DATA, ids, horizon, regions)
    try:
        sample = model_input.read_observed(SAMPLE_DATA.read_bytes(), SAMPLE_DATA.name, ids, horizon)
    except (InputError, OSError):
        sample = None
    samples = {"real": real, "sample": sample}
    options = [name for name, data in samples.items() if data is not None] + ["upload"]
    if st.session_state.get(state.wkey("monitor_source")) not in options:
        st.session_state[state.wkey("monitor_source")] = options[0]
    source = st.radio(
        tr("monitor_source"),
        options,
        key=state.wkey("monitor_source"),
        horizontal=True,
        format_func=lambda x: tr(f"monitor_{x}"),
    )
    if source in samples:
        st.session_state.pop("monitor_observed", None)
        st.caption(tr(f"monitor_{source}_note"))
        return samples[source]
    file = st.file_uploader(tr("monitor_upload_label"), type=["csv", "txt"], key="monitor_upload")
    if file is None:
        st.info(tr("monitor_no_file"))
        return None
    observed = model_input.read_observed(file.getvalue(), file.name, ids, horizon, regions=regions)
    # the policy-cycle page reads the same upload, on this model only
    st.session_state["monitor_observed"] = (cur.key, observed)
    return observed


def _flagged_table(cur: state.Current, result) -> pd.DataFrame:
    """The points outside the band with date, indicator and by how much, Dutch or English columns."""
    model = cur.model.spec
    flagged = result.flagged
    return flagged.assign(
        node=[state.label_of(model, n) for n in flagged["node"]],
        time=[tables.date_label(t, state.language()) for t in flagged["time"]],
        status=[tr(s) for s in flagged["status"]],
        unit=[state.unit_of(model, n) for n in flagged["node"]],
    )[["time", "node", "observed", "low", "high", "status", "outside_by", "unit", "outside_pct"]].rename(
        columns={
            "time": tr("col_date"),
            "node": tr("indicator"),
            "observed": tr("col_observed"),
            "low": tr("col_band_low"),
            "high": tr("col_band_high"),
            "status": tr("col_side"),
            "outside_by": tr("col_outside_by"),
            "unit": tr("unit"),
            "outside_pct": tr("col_outside_pct"),
        }
    )


def monitor_section(cur: state.Current) -> None:
    """Observed values against the future's expected band; points outside it in a table (issue #6)."""
    _, _, defaults, own = state.future_specs(cur)
    scenario = own or defaults
    st.subheader(tr("monitor"))
    try:
        observed = _observed(cur, scenario)
    except InputError as exc:
        st.error(tr("monitor_bad_data") + "\n\n" + markdown_lines(exc.problems))
        return
    if observed is None:
        return
    result = state.monitor_of(cur, scenario, observed)
    deterministic = result.band.samples <= 1
    st.caption(tr("monitor_no_band") if deterministic else tr("monitor_help", n=int(result.band.samples)))
    model = cur.model.spec
    if st.session_state.get(state.wkey("monitor_node")) not in observed.nodes:
        st.session_state[state.wkey("monitor_node")] = observed.nodes[0]
    node = st.selectbox(
        tr("indicator"),
        observed.nodes,
        key=state.wkey("monitor_node"),
        format_func=lambda n: state.label_of(model, n),
        placeholder=tr("choose"),
    )
    points = result.table[result.table["node"] == node]
    band = result.band.to_frame()
    band = band[(band["node"] == node) & (band["time"] <= points["time"].max() + MONITOR_MARGIN_YEARS)]
    labels = {k: tr(f"legend_{k}") for k in monitor_charts.MONITOR_LABELS}
    fig = monitor_charts.monitor_figure(
        band, points, state.label_of(model, node), state.unit_of(model, node), labels, deterministic
    )
    st.plotly_chart(numbers.localize_figure(fig, state.language()), key="monitor_chart")
    flagged = result.flagged
    if flagged.empty:
        st.success(tr("monitor_all_inside", n=len(result.table)))
        return
    st.markdown(f"**{tr('monitor_flagged')}**: {tr('monitor_count', k=len(flagged), n=len(result.table))}")
    shown = _flagged_table(cur, result)
    lang = state.language()
    measured = [c for c in shown.columns if c not in (tr("col_date"), tr("indicator"), tr("col_side"), tr("unit"))]
    shown = shown.assign(**{c: [numbers.number(v, lang, 4) for v in shown[c]] for c in measured})  # Dutch cells
    st.dataframe(
        shown,
        hide_index=True,
        column_config={c: st.column_config.TextColumn(width="small") for c in measured}
        | {
            tr("col_date"): st.column_config.TextColumn(width="small"),
            tr("col_side"): st.column_config.TextColumn(width="small"),
            tr("unit"): st.column_config.TextColumn(width="medium"),
        },
    )


def page() -> None:
    """The page."""
    cur = state.current()
    st.title(tr("page_monitor"))
    st.caption(tr("monitor_intro"))
    try:
        monitor_section(cur)
    except NumericalError as exc:
        state.show_error(exc)


page()
