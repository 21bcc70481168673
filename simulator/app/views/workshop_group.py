"""Page: a group joins a workshop with the facilitator's code, builds futures and saves them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from simulator.app import charts, future_words, numbers, plain_text, state, workshop_save
from simulator.app.views.workshop_common import GROUP_SESSION, open_store, show_error, tx
from simulator.app.workshop_panel import report, show_future
from simulator.errors import InputError, SimulatorError
from simulator.results import RunResult
from simulator.workshop.futures import baseline_run, model_file, run_future
from simulator.workshop.records import FutureVersion, ModelVersion, Notes
from simulator.workshop.store import WorkshopStore
from simulator.workshop.view import history_table, model_change_lines

SESSION = GROUP_SESSION
NOTE_KEYS = ("question", "expectation", "found", "decision")


def join_form(store: WorkshopStore) -> None:
    """Code and group name; on success the session remembers both."""
    st.caption(tx("group_intro"))
    with st.form("ws_join"):
        code = st.text_input(tx("code"), max_chars=32, key="ws_join_code")
        group = st.text_input(tx("group"), max_chars=80, key="ws_join_group")
        if st.form_submit_button(tx("join"), type="primary"):
            try:
                name = store.join(code, group)
                st.session_state[SESSION] = (store.workshop(code).code, name)
                st.rerun()
            except InputError as exc:
                show_error(exc)


def _builder_text(store: WorkshopStore, code: str) -> str | None:
    """What 'Toekomst bouwen' holds, as a future on the workshop's model (None when it does not fit)."""
    try:
        cur = state.current()
        _base, _levers, defaults, own = state.future_specs(cur)
        ws_model = model_file(store.current_model(code))
        spec, lost = workshop_save.for_workshop(own or defaults, cur.model.spec, ws_model)
        if spec is None:
            return None
        text = workshop_save.future_text(spec, state.language())
        workshop_save.check_text(text, ws_model, "builder")
        return text
    except (InputError, SimulatorError, KeyError, ValueError):
        return None  # what the builder holds does not fit the workshop's model: not offered


def _start_text(text: str, store: WorkshopStore, code: str) -> str:
    """A start scenario in the editor: the app's comment in the reader's language and the scenario,
    without the file's English-only comments (kept as stored when it does not validate)."""
    try:
        spec = workshop_save.check_text(text, model_file(store.current_model(code)), "start")
    except InputError:
        return text
    return workshop_save.future_text(spec, state.language())


def _sources(store: WorkshopStore, code: str, mine: list[FutureVersion]) -> dict[str, tuple[str, str]]:
    """Where a future can start from: option key -> (label, scenario YAML); the builder's future first."""
    out = {}
    built = _builder_text(store, code)
    if built is not None:
        out["builder"] = (tx("from_builder"), built)
    out |= {
        f"start:{s.position}": (f"{tx('from_start')}: {s.name}", _start_text(s.yaml, store, code))
        for s in store.start_scenarios(code)
    }
    out |= {f"mine:{v.future}": (f"{tx('from_mine')}: {v.future} (v{v.version})", v.scenario_yaml) for v in mine}
    return out


def _words(store: WorkshopStore, code: str, text: str) -> None:
    """The future in the editor, in sentences (or why it is not a scenario yet)."""
    st.markdown(f"**{tx('what_is_saved')}**")
    ws_model = model_file(store.current_model(code))
    try:
        spec = workshop_save.check_text(text, ws_model, "editor")
    except InputError:
        st.info(tx("not_valid_yet"))
        return
    show_future(future_words.future_lines(ws_model.spec, spec, state.language()))


def _load(key: str, source: tuple[str, str]) -> None:
    """Put a source's text in the editor, remembering where it came from."""
    st.session_state["ws_yaml"] = source[1]
    st.session_state["ws_yaml_loaded"] = (key, source[1])


def _follow(sources: dict[str, tuple[str, str]]) -> None:
    """While the editor holds a source's text unedited, it follows that source: a group that moves a
    lever on 'Toekomst bouwen' after joining finds the new future here, not the one of before."""
    loaded = st.session_state.get("ws_yaml_loaded")
    if not loaded or loaded[0] not in sources or st.session_state.get("ws_yaml") != loaded[1]:
        return
    if sources[loaded[0]][1] != loaded[1]:
        _load(loaded[0], sources[loaded[0]])


def editor(store: WorkshopStore, code: str, group: str, mine: list[FutureVersion]) -> None:
    """Pick a start, read it in words, edit the scenario and the notes, save a new version."""
    st.caption(tx("build_there"))
    sources = _sources(store, code, mine)
    if not st.session_state.get("ws_yaml") and sources:  # an empty future cannot be saved anyway
        _load(*next(iter(sources.items())))
    _follow(sources)
    left, right = st.columns([3, 1])
    pick = left.selectbox(tx("start_from"), list(sources), format_func=lambda k: sources[k][0])
    if right.button(tx("load")) and pick:
        _load(pick, sources[pick])
        if pick.startswith("mine:"):
            st.session_state["ws_future_name"] = pick[len("mine:") :]
    st.text_input(tx("future_name"), max_chars=80, key="ws_future_name")
    _words(store, code, st.session_state.get("ws_yaml", ""))
    with st.expander(tx("yaml_box")):
        st.text_area(tx("scenario_yaml"), key="ws_yaml", height=260)
    cols = st.columns(4)
    for col, key in zip(cols, NOTE_KEYS, strict=True):
        col.text_area(tx(key), key=f"ws_note_{key}", height=100)
    if st.button(tx("save"), type="primary"):
        _save(store, code, group, mine)


def _save(store: WorkshopStore, code: str, group: str, mine: list[FutureVersion]) -> None:
    """Save the editor's text; "saved" only after the stored version was read back and matches."""
    name = st.session_state.get("ws_future_name", "")
    text = st.session_state.get("ws_yaml", "")
    notes = Notes(*(st.session_state.get(f"ws_note_{k}", "") for k in NOTE_KEYS))
    base = {v.future: v.version for v in mine}.get(" ".join(str(name).split()), 0)
    try:
        check = workshop_save.save_checked(store, code, group, name, text, notes, base)
    except InputError as exc:
        show_error(exc)
        return
    st.session_state["ws_history_future"] = check.version.future  # show what was just saved
    st.session_state.pop("ws_history_version", None)
    if check.ok:
        st.success(tx("saved", version=check.version.version))  # plain-text: version is an int
    else:
        report(check)


@st.cache_resource(max_entries=64, show_spinner=False)
def _runs(
    model_yaml: str, model_sha: str, current_yaml: str, current_sha: str, version: FutureVersion
) -> tuple[RunResult | None, RunResult | None, RunResult, tuple[str, ...]]:
    made_with = ModelVersion(0, "", model_sha, model_yaml, "")
    current = ModelVersion(0, "", current_sha, current_yaml, "")
    run = run_future(version, made_with, current)
    return run.result, run.current, baseline_run(current), run.problems


def preview(store: WorkshopStore, code: str, version: FutureVersion) -> None:
    """The chosen version's path of one indicator; both models when the model changed since."""
    made_with, current = store.model_version(code, version.model_id), store.current_model(code)
    own, now, base, problems = _runs(made_with.yaml, made_with.sha256, current.yaml, current.sha256, version)
    for problem in problems:
        st.warning(plain_text.markdown(problem))
    model = model_file(current).spec
    node = st.selectbox(
        tx("indicator"),
        model.node_ids,
        format_func=lambda n: state.label_of(model, n),
        key=state.wkey("ws_preview_node"),
    )
    series: list[tuple[str, RunResult | None, bool]] = [(tx("baseline"), base, True)]
    if made_with.sha256 != current.sha256:
        st.info(tx("model_changed"))
        changes = model_change_lines(made_with, current, state.language())
        if changes:  # the lines bwsim diff prints; st.text shows the model's ids and labels as typed
            st.caption(tx("model_changes"))
            st.text("\n".join(changes))
        series += [(tx("made_with"), own, False), (tx("with_current"), now, False)]
    else:
        series.append((f"v{version.version}", own, False))
    frames = [
        pd.DataFrame(
            {
                "time": r.times,
                "series": name,
                "value": r.value[:, r.node_ids.index(node)],
                "baseline": is_base,
            }
        )
        for name, r, is_base in series
        if r is not None and node in r.node_ids
    ]
    if frames:
        st.plotly_chart(
            numbers.localize_figure(
                charts.path_figure(pd.concat(frames, ignore_index=True), unit=state.unit_of(model, node)),
                state.language(),
            ),
            key="ws_preview_chart",
        )


def history(store: WorkshopStore, code: str, group: str, mine: list[FutureVersion]) -> None:
    """Every version of one of our futures, and a look at one of them."""
    st.subheader(tx("history"))
    if not mine:
        st.info(tx("no_futures"))
        return
    names = [v.future for v in mine]
    name = st.selectbox(tx("future_name"), names, key="ws_history_future")
    versions = store.history(code, group, name)
    st.dataframe(history_table(versions, store.current_model(code).sha256), hide_index=True)
    number = st.selectbox(tx("version"), [v.version for v in versions][::-1], key="ws_history_version")
    chosen = next(v for v in versions if v.version == number)
    made_with = model_file(store.model_version(code, chosen.model_id))
    try:
        spec = workshop_save.check_text(chosen.scenario_yaml, made_with, chosen.future)
        show_future(future_words.future_lines(made_with.spec, spec, state.language()))
    except InputError:
        pass  # the preview below says why it does not run
    with st.expander(tx("yaml_box")):
        st.code(chosen.scenario_yaml, language="yaml")
    preview(store, code, chosen)


def main() -> None:
    """The page."""
    st.title(tx("group_title"))
    store = open_store()
    if store is None:
        return
    session = st.session_state.get(SESSION)
    if not session:
        join_form(store)
        return
    code, group = session
    try:
        workshop = store.workshop(code)
    except InputError as exc:
        st.session_state.pop(SESSION, None)
        show_error(exc)
        return
    st.caption(tx("joined"))
    st.text(f"{workshop.name} / {group}")
    if st.button(tx("leave")):
        st.session_state.pop(SESSION, None)
        st.rerun()
    mine = store.latest(code, group)
    editor(store, code, group, mine)
    history(store, code, group, store.latest(code, group))


try:
    main()
except InputError as exc:
    show_error(exc)
