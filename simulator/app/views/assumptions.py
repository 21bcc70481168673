"""Page: own assumptions. Edit links and nodes in a table, download and upload model and scenario files.

Every edit or upload is validated exactly as ``bwsim validate`` does and
test-run (:mod:`simulator.app.model_input`); a refused one shows its messages and the
previous model, scenarios and sliders stay as they were.
"""

from __future__ import annotations

import streamlit as st

from simulator.app import charts, editable_numbers, future_words, model_input, numbers, plain_text, state, tables
from simulator.app.state import tr
from simulator.spec import DELAY_TYPES, ModelSpec

OWN_NAME = "eigen-model.yaml"


def _scenario_texts() -> dict[str, str]:
    """Shipped scenario files and uploaded ones, to test-run a new model with."""
    texts = {}
    for path in state.scenario_paths(state.default_model_path().resolve()):
        try:
            texts[path.name] = path.read_text(encoding="utf-8")
        except OSError:
            continue
    return texts | st.session_state.get("uploaded_scenarios", {})


def _adopt_model(text: str, name: str) -> None:
    st.session_state["own_model"] = {"text": text, "name": name}
    st.session_state["model_pending"] = state.OWN_MODEL


def _refusal(outcome: model_input.Outcome) -> list[tuple[str, str]]:
    return [("error", tr("invalid") + "\n\n" + plain_text.markdown_lines(outcome.problems))]


# Number cells are text in the reader's language at full precision (simulator.app.editable_numbers): an edit of
# -0,00025 shows as -0,00025, and a Dutch page never shows or asks for 0.25.
# (A comment, not a docstring: Streamlit's magic would write a bare string on the page.)
LINK_NUMBERS = ("low", "weight", "high", "lag")
NODE_NUMBERS = ("baseline", "min", "max")


def _link_columns(model: ModelSpec) -> dict:
    """Column heads in the reader's language; nodes by their label and delay types in words (values stay codes).

    Numbers at full precision; each row's weight unit in a read-only column beside them.
    """
    names = {"low": tr("col_low"), "weight": tr("col_weight"), "high": tr("col_high"), "lag": tr("col_lag")}
    columns = {k: st.column_config.TextColumn(v) for k, v in names.items()}
    columns[UNIT] = st.column_config.TextColumn(tr("col_weight_unit"), disabled=True)
    for key in ("from", "to"):
        columns[key] = st.column_config.SelectboxColumn(
            tr(f"col_{key}"), options=list(model.node_ids), format_func=lambda n: state.label_of(model, str(n))
        )
    columns["delay"] = st.column_config.SelectboxColumn(
        tr("col_delay"), options=list(DELAY_TYPES), format_func=lambda d: tr(f"delay_{d}")
    )
    return columns


def _node_columns() -> dict:
    """Column heads of the node table in the reader's language; numbers at full precision."""
    columns = {key: st.column_config.Column(tr(f"col_{key}")) for key in ("label", "unit")}
    return columns | {key: st.column_config.TextColumn(tr(f"col_{key}")) for key in NODE_NUMBERS}


UNIT = "weight_unit"


def _links_with_units(model: ModelSpec):
    """The link table with each weight's unit ("banen per baan") after the numbers (shown, not edited)."""
    table = tables.links_table(model)
    table.insert(
        5,
        UNIT,
        [
            future_words.weight_unit(model, link.source, link.target, state.language(), link.form)
            for link in model.links
        ],
    )
    return table


def preview(cur: state.Current) -> None:
    """The current future on the model in use (and on the default model, when an own model is in use)."""
    _, _, defaults, own = state.future_specs(cur)
    scenario = own or defaults
    if not scenario.interventions:
        return
    model = cur.model.spec
    runs = {tr("model_in_use"): state.run(cur, scenario)}
    if st.session_state.get("model_choice") == state.OWN_MODEL:
        try:
            base = state.current_default()
            runs[tr("default_model")] = state.run(base, scenario)
        except Exception:  # the own model may have other nodes: then there is nothing to set beside it
            pass
    st.subheader(tr("preview"))
    if st.session_state.get(state.wkey("preview_node")) not in model.node_ids:
        st.session_state[state.wkey("preview_node")] = model.node_ids[min(1, len(model.node_ids) - 1)]
    node = st.selectbox(
        tr("indicator"),
        model.node_ids,
        key=state.wkey("preview_node"),
        format_func=lambda n: state.label_of(model, n),
        placeholder=tr("choose"),
    )
    table = tables.path_table(runs, node, tr("series_baseline"))
    st.plotly_chart(
        numbers.localize_figure(
            charts.path_figure(table, state.label_of(model, node), state.unit_of(model, node)), state.language()
        ),
        key="preview",
    )


def editor(cur: state.Current) -> None:
    """The link and node tables; 'Apply' validates and switches to the edited model."""
    model = cur.model.spec
    lang = state.language()
    tab_links, tab_nodes = st.tabs([tr("links"), tr("nodes")])
    with tab_links:
        links = st.data_editor(
            editable_numbers.as_text_columns(_links_with_units(model), LINK_NUMBERS, lang),
            key=f"edit_links:{cur.key}",
            hide_index=True,
            disabled=["from", "to", UNIT],
            num_rows="fixed",
            column_config=_link_columns(model),
        )
    with tab_nodes:
        nodes = st.data_editor(
            editable_numbers.as_text_columns(tables.nodes_table(model, lang), NODE_NUMBERS, lang),
            key=f"edit_nodes:{cur.key}",
            hide_index=True,
            disabled=["id", "label", "unit"],
            num_rows="fixed",
            column_order=["label", "unit", "baseline", "min", "max"],  # the id stays in the data, unseen
            column_config=_node_columns(),
        )
        st.caption(f"{tr('col_baseline')}: {tr('nonlinear_baseline')}")
    links, unreadable = editable_numbers.parse_columns(
        links.drop(columns=[UNIT]), LINK_NUMBERS, lang, lambda row: model_input.link_head(model, row, lang)
    )
    nodes, unreadable_nodes = editable_numbers.parse_columns(
        nodes, NODE_NUMBERS, lang, lambda row: model_input.node_head(model, row, lang)
    )
    problems = unreadable + unreadable_nodes + model_input.edit_problems(model, links, nodes, lang)
    for problem in problems:  # row by row, as soon as a cell is out of range (labels may be uploaded text)
        st.error(plain_text.markdown(problem))
    if st.button(tr("apply"), key="apply_edits", type="primary"):
        _apply(model, links, nodes, problems)


def _apply(model: ModelSpec, links, nodes, problems: list[str]) -> None:
    """Validate and adopt the edited tables; nothing changed or a bad row keeps the model in use."""
    if problems:
        st.warning(tr("edit_refused"))
        return
    data = tables.edited_model_data(model, links, nodes)
    if model_input.unchanged(model, data):
        st.info(tr("edit_nothing"))
        return
    text = model_input.model_yaml(data)
    outcome = model_input.check_model_text(text, OWN_NAME, _scenario_texts())
    if outcome.kind == "refused":
        for level, message in _refusal(outcome):
            getattr(st, level)(message)
    else:
        _adopt_model(text, OWN_NAME)
        st.rerun()


def uploader() -> None:
    """Upload a model or a scenario; each upload is processed once, its messages stay while it is shown."""
    file = st.file_uploader(tr("upload"), type=["yaml", "yml"], key="upload")
    if file is None:
        return
    if st.session_state.get("upload_done") != file.file_id:
        st.session_state["upload_done"] = file.file_id
        outcome = model_input.check_upload(file.getvalue(), file.name, state.current().model, _scenario_texts())
        if outcome.kind == "refused":
            st.session_state["upload_messages"] = _refusal(outcome)
        elif outcome.kind == "scenario":
            st.session_state.setdefault("uploaded_scenarios", {})[file.name] = outcome.text
            st.session_state["upload_messages"] = [
                (
                    "success",
                    tr(
                        "upload_scenario_ok",
                        name=plain_text.markdown(outcome.scenario.name if outcome.scenario else file.name),
                    ),
                )
            ]
        else:
            _adopt_model(outcome.text, file.name)
            st.session_state["upload_messages"] = [
                ("success", tr("upload_model_ok", name=plain_text.markdown(file.name)))
            ]
            st.rerun()
    for level, message in st.session_state.get("upload_messages", []):
        getattr(st, level)(message)


def downloads(cur: state.Current) -> None:
    """The model in use and the current future as YAML files."""
    _, _, defaults, own = state.future_specs(cur)
    scenario = own or defaults
    model_file = f"{cur.model.spec.name}.yaml"
    cols = st.columns(2)
    cols[0].download_button(
        tr("download_model"),
        cur.model.document.text or state.model_to_yaml(cur.model.spec),  # the file as read, comments kept
        file_name=model_file,
        mime="application/x-yaml",
        key="dl_model",
    )
    cols[1].download_button(
        tr("download_scenario"),
        state.scenario_to_yaml(scenario, model_file),
        file_name=f"{scenario.name}.yaml",
        mime="application/x-yaml",
        key="dl_scenario",
    )


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
    preview(cur)
    downloads(cur)
    st.divider()
    uploader()


page()
