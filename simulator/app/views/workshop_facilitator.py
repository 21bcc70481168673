"""Page: the facilitator creates a workshop and puts all groups' futures side by side."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from simulator.app import numbers, plain_text, state, workshop_charts, workshop_runs
from simulator.app.views.workshop_common import TEXT, open_store, show_error, tx
from simulator.errors import InputError, Problem
from simulator.messages import msg
from simulator.themes import in_cbs_order
from simulator.workshop.codes import format_code
from simulator.workshop.compare import (
    Comparison,
    DisputeRuns,
    dispute_runs,
    disputes_at,
    intervention_table,
    paths,
)
from simulator.workshop.database import mask_database_url
from simulator.workshop.exchange import export_text, import_workshop, parse_export
from simulator.workshop.export_file import MAX_IMPORT_BYTES
from simulator.workshop.records import FutureVersion
from simulator.workshop.store import WorkshopStore
from simulator.workshop.view import (
    chart_paths,
    differing_cells,
    dispute_sentences,
    disputes_display,
    futures_display,
    interventions_display,
    model_change_lines,
    notes_display,
    scorecard_summaries,
)

SESSION = "ws_facilitator_code"


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
            raise InputError(
                Problem(
                    upload.name,
                    "",
                    msg("the file is larger than {n:,} bytes, too large for a workshop export", n=MAX_IMPORT_BYTES),
                )
            )
        workshop = import_workshop(store, parse_export(raw, upload.name))
        st.session_state[SESSION] = workshop.code
        st.success(tx("imported"))
        st.code(format_code(workshop.code), language=None)
    except InputError as exc:
        show_error(exc)


def _signature(store: WorkshopStore, code: str) -> tuple:
    """What the comparison depends on: the current model's and every latest future's checksum."""
    return (
        store.current_model(code).sha256,
        tuple((v.group, v.future, v.version, v.content_sha256) for v in store.latest(code)),
    )


@dataclass(frozen=True)
class Prepared:
    """What a page of one workshop shows for any outcome and year, computed once per signature."""

    comparison: Comparison
    interventions: pd.DataFrame
    analysable: Comparison
    computed_at: str


@st.cache_resource(max_entries=8, show_spinner=False)
def _prepared(_store: WorkshopStore, code: str, signature: tuple, lang: str) -> Prepared:
    """All futures run; one that fails is marked with the reason (in ``lang``), the others compared."""

    def describe(version: FutureVersion, reason: str) -> str:
        return TEXT["future_failed"][lang].format(future=version.label, reason=reason)

    comparison = workshop_runs.comparison(_store, code, describe)
    kept = workshop_runs.analysable(comparison)  # these tables read every future's text again
    return Prepared(comparison, intervention_table(kept), kept, datetime.now().strftime("%H:%M:%S"))


@st.cache_resource(max_entries=16, show_spinner=False)
def _dispute_runs(_comparison_obj: Comparison, signature: tuple, reference: str | None) -> DisputeRuns:
    """The reference re-run at every future's value of every disputed link: once, for all outcomes."""
    return dispute_runs(_comparison_obj, reference)


@st.cache_data(max_entries=256, show_spinner=False)
def _summaries(_comparison_obj: Comparison, signature: tuple, year: float) -> dict:
    return scorecard_summaries(_comparison_obj, year)


def _label(model, lang: str):
    return lambda n: model.node(n).label.get(lang)


def _outcome(comparison: Comparison, lang: str) -> str:
    """The outcome the facilitator looks at (default: the jobs, when the model has them)."""
    model = comparison.model.spec
    default = model.node_ids.index("jobs_total") if "jobs_total" in model.node_ids else 0
    if st.session_state.get(state.wkey("ws_outcome")) not in model.node_ids:
        st.session_state[state.wkey("ws_outcome")] = model.node_ids[default]
    return st.selectbox(tx("outcome"), model.node_ids, key=state.wkey("ws_outcome"), format_func=_label(model, lang))


def _year(comparison: Comparison) -> float:
    times = comparison.baseline.times
    year = st.select_slider(
        state.tr("year"),
        options=[float(x) for x in times if float(x).is_integer()],
        value=float(times[-1]),
        key="ws_year",
        format_func=lambda y: f"{y:.0f}",
    )
    return float(year)


def _table(frame: pd.DataFrame, typed: tuple[str, ...] = ()) -> None:
    """A static table (wraps, never cuts a column off); it renders Markdown, so every text cell is
    escaped, and a column of typed labels as well as the headings (future labels are typed)."""
    shown = frame.copy()
    shown.columns = [plain_text.markdown(c) for c in frame.columns]
    for column in shown.columns:
        if not pd.api.types.is_numeric_dtype(shown[column]):
            shown[column] = [plain_text.markdown(v) for v in shown[column]]
    st.table(shown.set_index(shown.columns[0]))  # plain-text: every cell and heading escaped above


def _scorecards(prepared: Prepared, signature: tuple, year: float, lang: str) -> None:
    comparison = prepared.comparison
    summaries = _summaries(comparison, signature, year)
    if not summaries:  # every future failed: the page says why for each, there is no scorecard to show
        return
    differs = differing_cells(summaries)
    themes = in_cbs_order(n.theme for n in comparison.model.spec.nodes)
    st.subheader(tx("fac_scorecards", year=f"{year:.0f}"))
    st.caption(tx("fac_scorecards_help"))
    per_row = min(len(summaries), 5)
    labels = list(summaries)
    for start in range(0, len(labels), per_row):
        cols = st.columns(per_row)
        for col, label in zip(cols, labels[start : start + per_row], strict=False):
            fig = workshop_charts.marked_scorecard(summaries[label], lang, label, themes, differs)
            col.plotly_chart(
                fig, key=f"ws_card:{label}", config={"displayModeBar": False}
            )  # numbers: verdict words on category axes


@st.fragment
def _overlays(comparison: Comparison, outcome: str, lang: str) -> None:
    """A fragment: choosing indicators redraws only these charts."""
    model = comparison.model.spec
    st.subheader(tx("paths"))
    if not set(st.session_state.get(state.wkey("ws_nodes")) or [outcome]) <= set(model.node_ids):
        st.session_state.pop(state.wkey("ws_nodes"))
    st.session_state.setdefault(state.wkey("ws_nodes"), [outcome])
    chosen = st.multiselect(
        tx("indicators"),
        model.node_ids,
        key=state.wkey("ws_nodes"),
        placeholder=state.tr("choose"),
        format_func=_label(model, lang),
        max_selections=6,
    )
    grid = st.columns(2)
    for i, node in enumerate(chosen or [outcome]):
        fig = workshop_charts.overlay_figure(
            chart_paths(paths(comparison, node), tx("baseline")),
            title=model.node(node).label.get(lang),
            unit=state.unit_of(model, node),
        )
        grid[i % 2].plotly_chart(numbers.localize_figure(fig, lang), key=f"ws_paths:{node}")


def _disputes(prepared: Prepared, signature: tuple, outcome: str, year: float, lang: str) -> None:
    comparison = prepared.analysable
    model = comparison.model.spec
    st.subheader(tx("disputes"))
    labels = [v.label for v, _ in comparison.comparable]
    reference = st.selectbox(tx("reference"), labels, key="ws_reference", help=tx("disputes_help")) if labels else None
    runs = _dispute_runs(comparison, signature, reference)
    table = disputes_at(runs, outcome, year)
    if table.empty:
        st.info(tx("no_disputes"))
        return
    st.markdown(plain_text.markdown_lines(dispute_sentences(table, model, outcome, year, lang)))
    with st.expander(tx("disputes_table")):
        _table(disputes_display(table, model, outcome, lang))


@st.fragment
def _by_outcome(prepared: Prepared, signature: tuple, year: float, lang: str) -> None:
    """A fragment: another outcome (or reference) reruns only this part, from the cached runs."""
    st.subheader(tx("futures"))
    outcome = _outcome(prepared.comparison, lang)
    _table(futures_display(prepared.comparison, outcome, year, lang))
    _disputes(prepared, signature, outcome, year, lang)


def _model_changes(store: WorkshopStore, code: str, comparison: Comparison, lang: str) -> None:
    """For each earlier model version a latest future was saved with: what changed since (as bwsim diff says)."""
    current = store.current_model(code)
    for model_id in sorted({r.version.model_id for r in comparison.runs if r.model_changed}):
        made_with = store.model_version(code, model_id)
        changes = model_change_lines(made_with, current, lang)
        if changes:
            with st.expander(tx("fac_model_changes", sha=made_with.sha256[:12])):  # plain-text: hex digits
                st.text("\n".join(changes))  # the model's ids and labels, shown as typed


def comparison_view(store: WorkshopStore, code: str) -> None:
    """All groups' latest futures side by side: scorecards, outcome, overlaid paths, disputes, notes."""
    lang = state.language()
    signature = _signature(store, code)
    prepared = _prepared(store, code, signature, lang)
    comparison = prepared.comparison
    st.caption(tx("groups"))
    st.text(", ".join(store.groups(code)) or "-")
    if not comparison.runs:
        st.info(tx("nothing_yet"))
        return
    for problem in comparison.problems:
        st.warning(plain_text.markdown(problem))
    year = _year(comparison)
    _scorecards(prepared, signature, year, lang)
    _by_outcome(prepared, signature, year, lang)
    _model_changes(store, code, comparison, lang)
    _overlays(comparison, st.session_state[state.wkey("ws_outcome")], lang)
    st.subheader(tx("interventions"))
    _table(interventions_display(prepared.interventions, lang))
    st.subheader(tx("notes"))
    _table(notes_display(comparison, lang))
    st.caption(tx("computed_at", time=prepared.computed_at))  # plain-text: the server clock's HH:MM:SS
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
