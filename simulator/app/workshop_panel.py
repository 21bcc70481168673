"""On 'Toekomst bouwen': save the future being built into the workshop the session joined as a group.

Shown only after joining on 'Workshop: groep'. What is saved is exactly what the
page shows (levers, timing and changed assumptions; an own model's edits as
overrides), said in sentences before the button; the app says "saved" only after
reading the version back and finding the numbers on screen.
"""

from __future__ import annotations

import streamlit as st

from simulator.app import future_words, plain_text, state, workshop_save
from simulator.app.views.workshop_common import GROUP_SESSION, open_store, show_error, tx
from simulator.errors import InputError
from simulator.workshop.futures import model_file
from simulator.workshop.records import Notes
from simulator.workshop.store import WorkshopStore


def show_future(lines: tuple[list[str], list[str]]) -> None:
    """A future's interventions and changed assumptions as bullet sentences (escaped: labels are model text)."""
    levers, changed = lines
    if not levers and not changed:
        st.caption(tx("nothing_to_save"))
        return
    for head, items in ((tx("words_levers"), levers), (tx("words_assumptions"), changed)):
        if items:
            bullets = "\n".join(f"- {plain_text.markdown(line)}" for line in items)
            st.markdown(f"**{head}**\n" + bullets)  # plain-text: head is the app's own text, each line escaped


def _future_name(store: WorkshopStore, code: str, group: str) -> tuple[str, int]:
    """The future name typed (cleaned) and the version it would follow (0: a new future)."""
    name = " ".join(str(st.session_state.get("ws_builder_future", "")).split())
    latest = {v.future: v.version for v in store.latest(code, group)}
    return name, latest.get(name, 0)


def panel(cur: state.Current) -> None:
    """The 'save to my workshop' section (nothing when the session has not joined a workshop)."""
    session = st.session_state.get(GROUP_SESSION)
    if not session:
        return
    store = open_store()
    if store is None:
        return
    code, group = session
    st.divider()
    st.markdown(f"**{tx('to_workshop')}**")
    try:
        workshop = store.workshop(code)
        ws_model = model_file(store.current_model(code))
    except InputError as exc:
        show_error(exc)
        return
    st.text(f"{workshop.name} / {group}")
    _, _, defaults, own = state.future_specs(cur)
    built = own or defaults
    spec, lost = workshop_save.for_workshop(built, cur.model.spec, ws_model)
    if spec is None:
        st.warning(
            tx(
                "cannot_save_model",
                model=plain_text.markdown(ws_model.spec.name),
                lost=plain_text.markdown("; ".join(lost)),
            )
        )
        return
    st.caption(tx("to_workshop_help"))
    show_future(future_words.future_lines(ws_model.spec, spec, state.language()))
    st.text_input(tx("future_name"), max_chars=80, key="ws_builder_future")
    if st.button(tx("save_to_workshop"), key="ws_builder_save", type="primary"):
        _save(store, code, group, cur, built, spec)


def _save(store: WorkshopStore, code: str, group: str, cur: state.Current, built, spec) -> None:
    name, base = _future_name(store, code, group)
    if not name:
        st.error(tx("name_needed"))
        return
    text = workshop_save.future_text(spec, state.language())
    try:
        check = workshop_save.save_checked(store, code, group, name, text, Notes(), base, shown=state.run(cur, built))
    except InputError as exc:
        show_error(exc)
        return
    st.session_state["ws_history_future"] = check.version.future  # the group page shows it next
    st.session_state.pop("ws_history_version", None)
    report(check)


def report(check: workshop_save.SaveCheck) -> None:
    """ "Saved" only when the read-back found what was shown; else what differs."""
    if check.ok:
        future = plain_text.markdown(check.version.future)
        st.success(tx("saved_checked", future=future, version=check.version.version))  # plain-text: version is an int
        return
    differences = "\n".join(f"- {tx('differs_' + key)}" for key in check.differences)
    st.error(tx("saved_differs", version=check.version.version) + "\n" + differences)  # plain-text: app texts, an int
