"""Page: the facilitator creates a workshop and puts all groups' futures side by side."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from simulator.errors import InputError, Problem
from simulator.workshop.codes import format_code
from simulator.workshop.compare import (
    Comparison,
    dimension_summary,
    disputed_links,
    intervention_table,
    paths,
    scorecard,
)
from simulator.workshop.database import mask_database_url
from simulator.workshop.exchange import export_text, import_workshop, parse_export
from simulator.workshop.records import FutureVersion
from simulator.workshop.store import WorkshopStore
from simulator.workshop.view import (
    chart_paths,
    dimension_pivot,
    futures_table,
    notes_table,
    scorecard_pivot,
)
from ui import charts, plain_text, state, workshop_runs
from ui.views.workshop_common import TEXT, open_store, show_error, tx

SESSION = "ws_facilitator_code"
MAX_IMPORT_BYTES = 50_000_000


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def create_form(store: WorkshopStore) -> None:
    """Name, model and start scenarios; shows the new join code."""
    with st.form("ws_create"):
        name = st.text_input(tx("ws_name"), max_chars=80)
        models = state.model_paths()
        model = st.selectbox(state.tr("model"), models, format_func=lambda p: p.stem)
        scenarios = st.multiselect(
            tx("start_scenarios"),
            state.scenario_paths(models[0]),
            format_func=lambda p: p.stem,
            placeholder=state.tr("choose"),
        )
        if st.form_submit_button(tx("create"), type="primary"):
            try:
                workshop = store.create_workshop(
                    name,
                    _read(model),
                    [_read(p) for p in scenarios],
                    model_source=model.name,
                    scenario_sources=[p.name for p in scenarios],
                )
                st.session_state[SESSION] = workshop.code
                st.success(tx("created"))
                st.code(format_code(workshop.code), language=None)
            except InputError as exc:
                show_error(exc)
            except (OSError, UnicodeDecodeError) as exc:
                st.error(plain_text.markdown(exc))


def import_form(store: WorkshopStore) -> None:
    """Upload an export; it becomes a workshop here."""
    upload = st.file_uploader(tx("import"), type=["json"], key="ws_import")
    if upload is None or st.session_state.get("ws_imported") == upload.file_id:
        return
    st.session_state["ws_imported"] = upload.file_id
    try:
        raw = upload.getvalue()
        if len(raw) > MAX_IMPORT_BYTES:
            raise InputError(Problem(upload.name, "", "too large for a workshop export"))
        workshop = import_workshop(store, parse_export(raw, upload.name))
        st.session_state[SESSION] = workshop.code
        st.success(tx("imported"))
        st.code(format_code(workshop.code), language=None)
    except InputError as exc:
        show_error(exc)


def _signature(store: WorkshopStore, code: str) -> tuple:
    """What the comparison depends on: every latest version and the current model."""
    return (
        store.current_model(code).sha256,
        tuple((v.group, v.future, v.version) for v in store.latest(code)),
    )


@st.cache_resource(max_entries=8, show_spinner=False)
def _comparison(_store: WorkshopStore, code: str, signature: tuple, lang: str) -> Comparison:
    """All futures run; one that fails is marked with the reason (in ``lang``), the others compared."""

    def describe(version: FutureVersion, reason: str) -> str:
        return TEXT["future_failed"][lang].format(future=version.label, reason=reason)

    return workshop_runs.comparison(_store, code, describe)


@st.cache_resource(max_entries=32, show_spinner=False)
def _disputes(
    _comparison_obj: Comparison, signature: tuple, outcome: str, reference: str | None, year: float
):
    return disputed_links(_comparison_obj, outcome, reference, year)


def comparison_view(store: WorkshopStore, code: str) -> None:
    """All groups' latest futures side by side."""
    comparison = _comparison(store, code, _signature(store, code), state.language())
    st.caption(tx("groups"))
    st.text(", ".join(store.groups(code)) or "-")
    if not comparison.runs:
        st.info(tx("nothing_yet"))
        return
    for problem in comparison.problems:
        st.warning(plain_text.markdown(problem))
    model = comparison.model.spec
    lang = state.language()
    default = model.node_ids.index("jobs_total") if "jobs_total" in model.node_ids else 0
    if st.session_state.get(state.wkey("ws_outcome")) not in model.node_ids:
        st.session_state[state.wkey("ws_outcome")] = model.node_ids[default]
    outcome = st.selectbox(
        tx("outcome"),
        model.node_ids,
        key=state.wkey("ws_outcome"),
        format_func=lambda n: model.node(n).label.get(lang),
    )
    times = comparison.baseline.times
    year = st.select_slider(
        state.tr("year"),
        options=[float(x) for x in times if float(x).is_integer()],
        value=float(times[-1]),
        key="ws_year",
    )
    st.subheader(tx("futures"))
    st.dataframe(futures_table(comparison, outcome, year), hide_index=True)
    card = scorecard(comparison, year, lang)
    st.subheader(tx("dimensions"))
    st.dataframe(dimension_pivot(dimension_summary(card)))
    st.subheader(tx("indicators"))
    if not set(st.session_state.get(state.wkey("ws_nodes")) or [outcome]) <= set(model.node_ids):
        st.session_state.pop(state.wkey("ws_nodes"))
    st.session_state.setdefault(state.wkey("ws_nodes"), [outcome])
    chosen = st.multiselect(
        tx("indicators"),
        model.node_ids,
        key=state.wkey("ws_nodes"),
        placeholder=state.tr("choose"),
        format_func=lambda n: model.node(n).label.get(lang),
    )
    st.dataframe(scorecard_pivot(card, chosen or [outcome]))
    st.subheader(tx("paths"))
    figure = charts.path_figure(
        chart_paths(paths(comparison, outcome), tx("baseline")),
        title=model.node(outcome).label.get(lang),
        unit=state.unit_of(model, outcome),
        height=360,
    )
    st.plotly_chart(figure, key="ws_paths")
    st.subheader(tx("interventions"))
    comparison = workshop_runs.analysable(comparison)  # these tables read every future's text again
    st.dataframe(intervention_table(comparison), hide_index=True)
    st.subheader(tx("disputes"))
    st.caption(tx("disputes_help"))
    labels = [v.label for v, _ in comparison.comparable]
    reference = st.selectbox(tx("reference"), labels, key="ws_reference") if labels else None
    table = _disputes(comparison, _signature(store, code), outcome, reference, year)
    if table.empty:
        st.info(tx("no_disputes"))
    else:
        shown = table.drop(columns=["weights"]).assign(
            weights=[", ".join(f"{k}: {v:g}" for k, v in w.items()) for w in table.weights]
        )
        st.dataframe(shown, hide_index=True)
    st.subheader(tx("notes"))
    st.dataframe(notes_table(comparison), hide_index=True)
    st.download_button(
        tx("export"),
        export_text(store, code),
        file_name=f"workshop-{code}.json",
        mime="application/json",
        key="ws_export",
    )


def main() -> None:
    """The page."""
    st.title(tx("fac_title"))
    store = open_store()
    if store is None:
        return
    st.caption(f"{tx('db')}: {plain_text.markdown(mask_database_url(store.where))}")
    with st.expander(tx("create"), expanded=SESSION not in st.session_state):
        create_form(store)
        import_form(store)
    st.header(tx("compare"))
    with st.form("ws_open"):
        typed = st.text_input(
            tx("code"),
            value=format_code(st.session_state[SESSION]) if SESSION in st.session_state else "",
            max_chars=32,
        )
        if st.form_submit_button(tx("open")):
            try:
                st.session_state[SESSION] = store.workshop(typed).code
            except InputError as exc:
                st.session_state.pop(SESSION, None)
                show_error(exc)
    if SESSION in st.session_state:
        comparison_view(store, st.session_state[SESSION])


try:
    main()
except InputError as exc:
    show_error(exc)
