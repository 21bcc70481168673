"""Page: observed data, calibration, sensitivity and monitoring (issue #6).

Upload observed data (or use the illustrative sample), fit chosen links and see
the fit and the intervals, rank the assumptions by Sobol or Morris indices, and
check observations against the scenario's expected band. All numerics live in
:mod:`simulator.calibrate`, :mod:`simulator.sensitivity` and
:mod:`simulator.monitor`; figures in :mod:`simulator.app.sensitivity_charts`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import streamlit as st

from simulator.app import model_input, numbers, plain_text, state
from simulator.app import sensitivity_charts as charts
from simulator.calibrate import calibrate, select_parameters, with_notes
from simulator.errors import InputError
from simulator.io.fitted_model import fitted_model_text
from simulator.monitor import monitor
from simulator.observed import ObservedData, observed_from_text
from simulator.sensitivity import scenario_sensitivity

SAMPLE_DATA = state.REPO / "data" / "heerlen-observed-illustrative.csv"
MAX_UPLOAD_BYTES = 5_000_000

TEXT: dict[str, dict[str, str]] = {
    "title": {"nl": "Kalibreren, gevoeligheid en monitoren", "en": "Calibration, sensitivity and monitoring"},
    "intro": {
        "nl": "Laat de verbanden rusten op data waar die er zijn, en zie eerlijk welke verbanden de data niet "
        "kunnen vastleggen. Kies welke aannames er het meest toe doen, en volg of wat we waarnemen nog "
        "binnen de verwachte band valt.",
        "en": "Let the links rest on data where data exist, and see honestly which links the data cannot pin "
        "down. Find which assumptions matter most, and check whether what we observe is still inside "
        "the expected band.",
    },
    "scenario": {
        "nl": "Scenario (wat er gebeurde / wat gepland is)",
        "en": "Scenario (what happened / what is planned)",
    },
    "data": {"nl": "Waarnemingen", "en": "Observed data"},
    "sample": {
        "nl": "Voorbeelddata (illustratief, synthetisch: geen echte waarnemingen)",
        "en": "Sample data (illustrative, synthetic: not real observations)",
    },
    "upload": {"nl": "Eigen CSV uploaden (node,time,value)", "en": "Upload own CSV (node,time,value)"},
    "no_data": {
        "nl": "Upload een CSV met de kolommen node,time,value (optioneel region,source).",
        "en": "Upload a CSV with the columns node,time,value (optionally region,source).",
    },
    "too_big": {"nl": "Bestand is te groot (max. 5 MB).", "en": "File is too large (max 5 MB)."},
    "n_obs": {"nl": "{n} waarnemingen van {k} indicatoren", "en": "{n} observations of {k} indicators"},
    "tab_calibrate": {"nl": "Kalibreren", "en": "Calibrate"},
    "tab_sensitivity": {"nl": "Gevoeligheid", "en": "Sensitivity"},
    "tab_monitor": {"nl": "Monitor", "en": "Monitor"},
    "links": {"nl": "Verbanden om te schatten", "en": "Links to fit"},
    "fit_lags": {"nl": "Ook vertragingen schatten", "en": "Also fit lags"},
    "starts": {"nl": "Startpunten", "en": "Starts"},
    "bootstrap": {"nl": "Bootstrap-herhalingen (0: Jacobiaan)", "en": "Bootstrap replicates (0: Jacobian)"},
    "run_fit": {"nl": "Kalibreer", "en": "Calibrate"},
    "estimates": {"nl": "Schattingen en intervallen", "en": "Estimates and intervals"},
    "fit": {"nl": "Passing per indicator", "en": "Fit per indicator"},
    "warnings": {"nl": "Wat de data niet kunnen vastleggen", "en": "What the data cannot pin down"},
    "download": {"nl": "Gekalibreerd model downloaden (YAML)", "en": "Download calibrated model (YAML)"},
    "output": {"nl": "Uitkomst", "en": "Outcome"},
    "year": {"nl": "Jaar", "en": "Year"},
    "method": {"nl": "Methode", "en": "Method"},
    "samples": {"nl": "Basissteekproef N", "en": "Base samples N"},
    "run_sa": {"nl": "Bereken gevoeligheid", "en": "Compute sensitivity"},
    "ranking": {"nl": "Welke aannames doen er het meest toe", "en": "Which assumptions matter most"},
    "over_time": {"nl": "Door de tijd (top 5)", "en": "Over time (top 5)"},
    "band_samples": {"nl": "Trekkingen voor de band", "en": "Draws for the band"},
    "level": {"nl": "Breedte van de band", "en": "Band coverage"},
    "tolerance": {"nl": "Meetonzekerheid (% van het niveau)", "en": "Measurement tolerance (% of the level)"},
    "tolerance_help": {
        "nl": "De band bevat alleen de onzekerheid van het model. Een waarneming telt pas als afwijkend wanneer "
        "ze verder dan dit percentage buiten de band ligt; in het startjaar is de band één waarde.",
        "en": "The band holds model uncertainty only. An observation counts as off only when it lies further "
        "than this percentage beyond the band; in the start year the band is a single value.",
    },
    "run_monitor": {"nl": "Vergelijk met de verwachting", "en": "Compare with expectation"},
    "flagged": {"nl": "Buiten de verwachte band", "en": "Outside the expected band"},
    "all_inside": {
        "nl": "Alle waarnemingen vallen binnen de verwachte band.",
        "en": "All observations lie inside the expected band.",
    },
    "indicator": {"nl": "Indicator", "en": "Indicator"},
}


def _t(key: str, **values: object) -> str:
    text = TEXT[key][state.language()]
    return text.format(**values) if values else text


def _observed(prepared) -> ObservedData | None:
    """The observed data chosen on the page, checked against the scenario (None when none yet)."""
    source = st.radio(
        _t("data"), ["sample", "upload"], horizontal=True, key=state.wkey("obs_source"), format_func=lambda x: _t(x)
    )
    ids = list(prepared.compiled.node_ids)
    horizon = (float(prepared.compiled.times[0]), float(prepared.compiled.times[-1]))
    regions = {node.id: node.region for node in prepared.model.nodes}  # data with places: each node's own
    if source == "sample":
        return observed_from_text(SAMPLE_DATA.read_text(encoding="utf-8"), SAMPLE_DATA.name, ids, horizon)
    file = st.file_uploader(_t("upload"), type=["csv", "txt"], key="obs_upload")
    if file is None:
        st.info(_t("no_data"))
        return None
    raw = file.getvalue()
    if len(raw) > MAX_UPLOAD_BYTES:
        st.error(_t("too_big"))
        return None
    return model_input.read_observed(raw, file.name, ids, horizon, regions=regions)


def _link_label(cur: state.Current, key: str) -> str:
    """A link ``from->to`` in words: the two nodes' labels in the current language."""
    source, target = key.split("->")
    return f"{state.label_of(cur.model.spec, source)} → {state.label_of(cur.model.spec, target)}"


def _calibrate_tab(cur: state.Current, prepared, observed: ObservedData) -> None:
    model = prepared.model
    suggested, _ = select_parameters(model, observed.nodes, None, False, prepared.compiled.dt)
    options = list(dict.fromkeys(p.key for p in suggested))
    if not set(st.session_state.get(state.wkey("cal_links")) or []) <= set(options):
        st.session_state.pop(state.wkey("cal_links"))
    st.session_state.setdefault(state.wkey("cal_links"), options[: min(6, len(options))])
    chosen = st.multiselect(
        _t("links"),
        options,
        key=state.wkey("cal_links"),
        placeholder=state.tr("choose"),
        format_func=lambda k: _link_label(cur, k),
    )
    left, mid, right = st.columns(3)
    fit_lags = left.checkbox(_t("fit_lags"), key="cal_lags")
    st.session_state.setdefault("cal_starts", 3)
    starts = mid.slider(_t("starts"), 1, 10, key="cal_starts")
    bootstrap = right.selectbox(_t("bootstrap"), [0, 50, 100, 200], key="cal_boot", placeholder=state.tr("choose"))
    if st.button(_t("run_fit"), type="primary", key="cal_run") and chosen:
        pairs = [(source, target) for source, target in (key.split("->", 1) for key in chosen)]
        params, notes = select_parameters(model, observed.nodes, pairs, fit_lags, prepared.compiled.dt)
        with st.spinner("…"):
            result = with_notes(calibrate(prepared, observed, params, n_starts=starts, bootstrap=bootstrap), notes)
        st.session_state["cal_result"] = (observed.file, prepared.name, result)
    stored = st.session_state.get("cal_result")
    if stored and stored[:2] == (observed.file, prepared.name):
        _show_calibration(cur, prepared, observed, stored[2])


def _show_calibration(cur: state.Current, prepared, observed: ObservedData, result) -> None:
    st.subheader(_t("estimates"))
    frame = result.parameter_frame()
    st.dataframe(numbers.text_table(frame, state.language()), hide_index=True)
    st.plotly_chart(
        numbers.localize_figure(charts.estimates_figure(frame), state.language(), time_axis=False), key="cal_estimates"
    )
    if result.warnings or result.notes:
        st.subheader(_t("warnings"))
        for text in [*result.warnings, *result.notes]:
            st.warning(plain_text.markdown(text))
    st.subheader(_t("fit"))
    st.dataframe(numbers.text_table(result.series_frame(), state.language()), hide_index=True)
    table = observed.table.assign(predicted=result.predicted)
    for node in observed.nodes:
        part = table[table["node"] == node]
        fig = charts.fit_figure(part, state.label_of(cur.model.spec, node), state.unit_of(cur.model.spec, node))
        st.plotly_chart(numbers.localize_figure(fig, state.language()), key=f"cal_fit_{node}")
    when = datetime.now(UTC).isoformat(timespec="seconds")
    text = fitted_model_text(cur.model, result, prepared.name, when)
    st.download_button(
        _t("download"),
        text,
        file_name=f"{cur.model.spec.name}-calibrated.yaml",
        mime="application/x-yaml",
        key="cal_download",
    )


def _sensitivity_tab(cur: state.Current, prepared) -> None:
    ids = list(prepared.compiled.node_ids)
    times = prepared.compiled.times
    left, mid, right, far = st.columns(4)
    default = ids.index("life_satisfaction") if "life_satisfaction" in ids else len(ids) - 1
    if st.session_state.get(state.wkey("sa_output")) not in ids:
        st.session_state[state.wkey("sa_output")] = ids[default]
    output = left.selectbox(
        _t("output"),
        ids,
        key=state.wkey("sa_output"),
        format_func=lambda n: state.label_of(cur.model.spec, n),
        placeholder=state.tr("choose"),
    )
    first, last = int(np.ceil(times[0])), int(np.floor(times[-1]))
    if not first <= (st.session_state.get("sa_year") or 0) <= last:
        st.session_state["sa_year"] = min(last, first + 10)
    year = mid.slider(_t("year"), first, last, key="sa_year")
    method = right.radio(_t("method"), ["sobol", "morris"], horizontal=True, key="sa_method")
    samples = far.selectbox(
        _t("samples"), [128, 256, 512, 1024], index=1, key="sa_samples", placeholder=state.tr("choose")
    )
    if st.button(_t("run_sa"), type="primary", key="sa_run"):
        with st.spinner("…"):
            indices = scenario_sensitivity(
                prepared, output, float(year), "morris" if method == "morris" else "sobol", samples
            )
        st.session_state["sa_result"] = (prepared.name, output, float(year), indices)
    stored = st.session_state.get("sa_result")
    if not stored or stored[0] != prepared.name:
        return
    _, output, year, indices = stored
    ranking = indices.ranking(year)
    st.subheader(f"{_t('ranking')}: {plain_text.markdown(state.label_of(cur.model.spec, output))}, {year:g}")
    st.plotly_chart(
        numbers.localize_figure(charts.tornado_figure(ranking), state.language(), time_axis=False), key="sa_tornado"
    )
    st.subheader(_t("over_time"))
    top = list(ranking["factor"].head(5))
    st.plotly_chart(
        numbers.localize_figure(
            charts.indices_over_time_figure(indices.over_time(), top, indices.main), state.language()
        ),
        key="sa_time",
    )
    st.dataframe(numbers.text_table(ranking, state.language()), hide_index=True)


def _monitor_tab(cur: state.Current, prepared, observed: ObservedData) -> None:
    left, middle, right = st.columns(3)
    samples = left.selectbox(
        _t("band_samples"), [200, 500, 1000, 2000], index=1, key="mon_samples", placeholder=state.tr("choose")
    )
    st.session_state.setdefault("mon_level", 0.9)
    level = middle.select_slider(_t("level"), [0.5, 0.8, 0.9, 0.95], key="mon_level", format_func=lambda x: f"{x:.0%}")
    tolerance = right.number_input(
        _t("tolerance"),
        min_value=0.0,
        max_value=50.0,
        value=0.0,
        step=0.5,
        key="mon_tolerance",
        help=_t("tolerance_help"),
    )
    if st.button(_t("run_monitor"), type="primary", key="mon_run"):
        st.session_state["mon_result"] = (
            observed.file,
            prepared.name,
            monitor(prepared, observed, samples, 0, level, tolerance=tolerance / 100),
        )
    stored = st.session_state.get("mon_result")
    if not stored or stored[:2] != (observed.file, prepared.name):
        return
    result = stored[2]
    flagged = result.flagged
    if flagged.empty:
        st.success(_t("all_inside"))
    else:
        st.subheader(_t("flagged"))
        st.dataframe(numbers.text_table(flagged, state.language()), hide_index=True)
    st.dataframe(numbers.text_table(result.summary(), state.language()), hide_index=True)
    if st.session_state.get(state.wkey("mon_node")) not in observed.nodes:
        st.session_state[state.wkey("mon_node")] = observed.nodes[0]
    node = st.selectbox(
        _t("indicator"),
        observed.nodes,
        key=state.wkey("mon_node"),
        format_func=lambda n: state.label_of(cur.model.spec, n),
        placeholder=state.tr("choose"),
    )
    band = result.band.to_frame()
    fig = charts.monitor_figure(
        band[band["node"] == node],
        result.table[result.table["node"] == node],
        state.label_of(cur.model.spec, node),
        state.unit_of(cur.model.spec, node),
    )
    st.plotly_chart(numbers.localize_figure(fig, state.language()), key="mon_figure")


def page() -> None:
    """The page: choose a scenario and data, then calibrate, rank assumptions or monitor."""
    st.title(_t("title"))
    st.caption(_t("intro"))
    cur = state.current()
    names = sorted(cur.scenarios)
    if not names:
        st.info(state.tr("no_model"))
        return
    default = names.index("medtech-growth") if "medtech-growth" in names else 0

    def title(name: str) -> str:
        spec_title = cur.scenarios[name].title
        return spec_title.get(state.language()) if spec_title else name

    name = st.selectbox(
        _t("scenario"), names, index=default, key="cal_scenario", format_func=title, placeholder=state.tr("choose")
    )
    prepared = state.prepared(cur, cur.scenarios[name or names[default]])
    try:
        observed = _observed(prepared)
    except InputError as exc:  # bad data: say what is wrong, keep the sensitivity tab usable
        state.show_error(exc)
        observed = None
    if observed is not None:
        st.caption(_t("n_obs", n=len(observed), k=len(observed.nodes)))
    tabs = st.tabs([_t("tab_calibrate"), _t("tab_sensitivity"), _t("tab_monitor")])
    with tabs[1]:
        _sensitivity_tab(cur, prepared)
    if observed is None:
        return
    with tabs[0]:
        _calibrate_tab(cur, prepared, observed)
    with tabs[2]:
        _monitor_tab(cur, prepared, observed)


page()
