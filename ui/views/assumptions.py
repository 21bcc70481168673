"""Page: own assumptions. Edit links and nodes in a table, download and upload model and scenario files.

Every edit or upload is validated exactly as ``bwsim validate`` does
(:func:`simulator.io.spec_files.load_model_text` / ``load_scenario_text``);
an invalid one is refused with its messages and the previous model stays in use.
"""

from __future__ import annotations

import streamlit as st
import yaml

from simulator.errors import InputError, NumericalError
from simulator.io.spec_files import ModelFile, load_scenario_text
from simulator.io.yaml_file import parse_yaml
from ui import state, tables
from ui.state import tr

OWN_NAME = "eigen-model.yaml"


def _model_problem(text: str, name: str) -> str:
    """Why a model cannot be used ("" when it can): invalid, or a shipped scenario blows up on it."""
    try:
        model = state.model_from_text(text, name)
        probe = state.Current(model, model.sha256, {}, name)
        for path in state.scenario_paths(state.default_model_path().resolve()):
            try:
                spec = load_scenario_text(path.read_text(encoding="utf-8"), path.name, model).spec
            except (InputError, OSError):
                continue
            state.run(probe, spec)
    except (InputError, NumericalError) as exc:
        return state.error_text(exc)
    return ""


def _adopt_model(text: str, name: str) -> None:
    st.session_state["own_model"] = {"text": text, "name": name}
    st.session_state["model_pending"] = state.OWN_MODEL


def editor(cur: state.Current) -> None:
    """The link and node tables; 'Apply' validates and switches to the edited model."""
    model = cur.model.spec
    tab_links, tab_nodes = st.tabs([tr("links"), tr("nodes")])
    with tab_links:
        links = st.data_editor(tables.links_table(model), key=f"edit_links:{cur.key}", hide_index=True,
                               disabled=["from", "to"], num_rows="fixed",
                               column_config={"delay": st.column_config.SelectboxColumn(
                                   options=["none", "fixed", "exponential", "third_order"])})
    with tab_nodes:
        nodes = st.data_editor(tables.nodes_table(model, state.language()), key=f"edit_nodes:{cur.key}",
                               hide_index=True, disabled=["id", "label", "unit"], num_rows="fixed")
        st.caption(f"baseline: {tr('nonlinear_baseline')}")
    if st.button(tr("apply"), key="apply_edits", type="primary"):
        data = tables.edited_model_data(model, links, nodes)
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
        problem = _model_problem(text, OWN_NAME)
        if problem:
            st.error(tr("invalid"))
            st.error(problem)
        else:
            _adopt_model(text, OWN_NAME)
            st.rerun()


def uploader() -> None:
    """Upload a model or a scenario; a refused upload leaves everything as it was.

    Each upload is processed once; its messages stay on the page while the file is shown.
    """
    file = st.file_uploader(tr("upload"), type=["yaml", "yml"], key="upload")
    if file is None:
        return
    if st.session_state.get("upload_done") != file.file_id:
        st.session_state["upload_done"] = file.file_id
        messages, adopted = _process_upload(file.getvalue(), file.name)
        st.session_state["upload_messages"] = messages
        if adopted:
            st.rerun()
    for level, text in st.session_state.get("upload_messages", []):
        getattr(st, level)(text)


def _process_upload(raw: bytes, name: str) -> tuple[list[tuple[str, str]], bool]:
    """Validate an upload; returns (messages as (level, text), whether a new model is in use)."""
    limit = state.MAX_UPLOAD_BYTES
    if len(raw) > limit:
        return [("error", tr("too_large", size=f"{len(raw) / 1e6:.1f} MB", limit=f"{limit / 1e6:.0f} MB"))], False
    try:
        text = raw.decode("utf-8")
        doc = parse_yaml(text, name)
    except UnicodeDecodeError:
        return [("error", tr("not_text"))], False
    except InputError as exc:
        return [("error", tr("invalid")), ("error", state.error_text(exc))], False
    if isinstance(doc.data, dict) and "model" in doc.data:
        cur = state.current()
        try:
            spec = load_scenario_text(text, name, cur.model).spec
            state.run(cur, spec)
        except (InputError, NumericalError) as exc:
            return [("error", tr("invalid")), ("error", state.error_text(exc))], False
        st.session_state.setdefault("uploaded_scenarios", {})[name] = text
        return [("success", tr("upload_scenario_ok", name=spec.name))], False
    problem = _model_problem(text, name)
    if problem:
        return [("error", tr("invalid")), ("error", problem)], False
    _adopt_model(text, name)
    return [("success", tr("upload_model_ok", name=name))], True


def downloads(cur: state.Current) -> None:
    """The model in use and the current future as YAML files."""
    _, _, defaults, own = state.future_specs(cur)
    scenario = own or defaults
    model_name = cur.file_ref if cur.file_ref.endswith((".yaml", ".yml")) else f"{cur.model.spec.name}.yaml"
    cols = st.columns(2)
    cols[0].download_button(tr("download_model"), state.model_to_yaml(cur.model.spec),
                            file_name=f"{cur.model.spec.name}.yaml", mime="application/x-yaml", key="dl_model")
    cols[1].download_button(tr("download_scenario"), state.scenario_to_yaml(scenario, model_name),
                            file_name=f"{scenario.name}.yaml", mime="application/x-yaml", key="dl_scenario")


def page() -> None:
    """The page."""
    cur = state.current()
    st.title(tr("page_assumptions"))
    st.markdown(tr("assumptions_intro"))
    if st.session_state.get("model_choice") == state.OWN_MODEL:
        st.success(tr("applied"))
        if st.button(tr("back_to_default"), key="back_default"):
            st.session_state["model_pending"] = str(state.model_paths()[0])
            st.rerun()
    editor(cur)
    downloads(cur)
    st.divider()
    uploader()


page()
