"""Page: export and share. Results as CSV and Excel, a chart as PNG, the scenario file, a link."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from simulator import overrides as ov
from simulator.analysis.scorecard import scorecard, summary
from simulator.app import charts, exporting, numbers, plain_text, policy_note, report_panel, state, tables
from simulator.app import future as fut
from simulator.app.state import tr
from simulator.themes import in_cbs_order


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


def _year(cur: state.Current) -> float:
    return float(st.session_state.get("year") or cur.model.spec.time.start + 10)


def _scenario_title(cur: state.Current) -> str:
    """The starting scenario's title in the page's language, "(aangepast)" when the sliders moved."""
    future = state.get_future()
    spec = cur.scenarios.get(future.scenario or "")
    name = (spec.title.get(state.language()) if spec is not None and spec.title else future.scenario) or tr("baseline")
    moved = future.levers or future.timing or future.assumptions
    return name + (" (" + ("aangepast" if state.language() == "nl" else "adjusted") + ")" if moved else "")


def _lever_changes(cur: state.Current, lang: str) -> list[policy_note.Change]:
    future = state.get_future()
    base = cur.scenarios.get(future.scenario or "")
    items = ov.levers(cur.model.spec, list(cur.scenarios.values()))
    sizes = ov.lever_sizes(items, base)
    out = []
    for lever in items:
        value = future.levers.get(lever.key)
        if value is not None and value != sizes[lever.key]:
            what = fut.lever_label(cur.model.spec, lever, lang)
            out.append(
                policy_note.Change(
                    tr("xl_lever", what=what), numbers.plain(sizes[lever.key], lang), numbers.plain(value, lang)
                )
            )
        if lever.key in future.timing:
            default = lever.timing or ()
            out.append(
                policy_note.Change(
                    tr("xl_timing", what=fut.lever_label(cur.model.spec, lever, lang)),
                    " – ".join(numbers.plain(x, lang) for x in default),
                    " – ".join(numbers.plain(x, lang) for x in future.timing[lever.key]),
                )
            )
    return out


def changes(cur: state.Current) -> list[policy_note.Change]:
    """What the future sets differently from the default: levers, timing, assumptions, own-model edits."""
    lang = state.language()
    model = cur.model.spec
    future = state.get_future()
    base = cur.scenarios.get(future.scenario or "")
    out = _lever_changes(cur, lang)
    weights = ov.scenario_weights(model, base)
    for key, value in fut.changed_assumptions(model, base, future).items():
        source, target = key.split("->")
        what = f"{state.label_of(model, source)} → {state.label_of(model, target)}"
        out.append(
            policy_note.Change(
                tr("xl_assumption", what=what), numbers.plain(weights[key], lang), numbers.plain(value, lang)
            )
        )
    if st.session_state.get("model_choice") == state.OWN_MODEL:
        default = state.current_default().model.spec
        edits, _ = ov.model_edits(default, model)
        for item in edits.links:
            link = next(k for k in default.links if (k.source, k.target) == (item.source, item.target))
            fields = item.model_dump(exclude_none=True, exclude={"source", "target"})
            what = f"{state.label_of(model, item.source)} → {state.label_of(model, item.target)}"
            before = "; ".join(f"{f} {_value(getattr(link, f), lang)}" for f in fields)
            after = "; ".join(f"{f} {_value(getattr(item, f), lang)}" for f in fields)
            out.append(policy_note.Change(tr("xl_model_edit", what=what), before, after))
        for node_edit in edits.nodes:
            node = default.node(node_edit.id)
            fields = node_edit.model_dump(exclude_none=True, exclude={"id"})
            before = "; ".join(f"{f} {_value(getattr(node, f), lang)}" for f in fields)
            after = "; ".join(f"{f} {_value(getattr(node_edit, f), lang)}" for f in fields)
            out.append(policy_note.Change(tr("xl_model_edit", what=state.label_of(model, node_edit.id)), before, after))
    return out


def _value(value: object, lang: str) -> str:
    """A model field's value for the summary: a number in the page's language, a range as low–mode–high."""
    if isinstance(value, int | float):
        return numbers.plain(float(value), lang)
    central = getattr(value, "central", None)
    if central is not None:
        low, high = getattr(value, "support", (central, central))
        if low == high:
            return numbers.plain(central, lang)
        return f"{numbers.plain(central, lang)} ({numbers.plain(low, lang)} – {numbers.plain(high, lang)})"
    return str(value)


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
        placeholder=tr("choose"),
    )
    _, _, defaults, own = state.future_specs(cur)
    lang = state.language()
    year = _year(cur)
    subtitle = tr("note_subtitle", scenario=_scenario_title(cur), year=f"{year:g}")
    source = policy_note.source_line(model, lang, numbers_date())
    if node == SCORECARD:
        card = state.scorecard_of(cur, own or defaults, year)
        themes = in_cbs_order(n.theme for n in model.nodes)
        pushed = frozenset(lever.node for lever in ov.levers(model, list(cur.scenarios.values())))
        fig = charts.scorecard_figure(summary(card), lang, "", themes, card=card, skip=pushed)
        fig = policy_note.for_note(
            fig, tr("scorecard"), subtitle, policy_note.plain_legend(tr("scorecard_legend")), source, lang
        )
    else:
        runs = {tr("with_defaults"): state.run(cur, defaults)}
        if own is not None:
            runs[tr("with_own")] = state.run(cur, own)
        table = tables.path_table(runs, node, tr("series_baseline"))
        fig = charts.path_figure(table, "", state.unit_of(model, node), height=420)
        fig.update_layout(showlegend=True)
        title = f"{state.label_of(model, node)} ({state.unit_of(model, node)})"
        fig = policy_note.for_note(fig, title, subtitle, tr("note_path_legend"), source, lang)
    st.plotly_chart(fig, key="export_chart")
    return fig, "scorekaart" if node == SCORECARD else node


def numbers_date() -> str:
    """Today as a date people read: "1 december 2026" (nl) or "1 December 2026" (en)."""
    from babel.dates import format_date

    return format_date(dt.date.today(), format="long", locale=numbers.locale(state.language()))


def _workbook(cur: state.Current, frame: pd.DataFrame, card: pd.DataFrame) -> bytes:
    """The Excel export: a summary sheet in the page's language first, then the full tables."""
    model = cur.model.spec
    _, _, defaults, own = state.future_specs(cur)
    year_card = state.scorecard_of(cur, own or defaults, _year(cur))
    pushed = frozenset(lever.node for lever in ov.levers(model, list(cur.scenarios.values())))
    blocks = policy_note.summary_blocks(model, year_card, changes(cur), _scenario_title(cur), state.language(), pushed)
    return exporting.excel_bytes(
        {"results": frame, "scorecard": card, "scorecard_summary": summary(card)}, (tr("xl_summary"), blocks)
    )


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
        _workbook(cur, frame, card),
        file_name="results.xlsx",
        key="dl_xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    fig, node = _chart(cur)
    if st.button(tr("make_png"), key="make_png"):
        try:
            st.session_state["png"] = (node, exporting.png_bytes(fig, int(fig.layout.width), int(fig.layout.height)))
        except Exception as exc:  # kaleido needs a Chrome; the toolbar's camera works without
            st.warning(tr("png_unavailable", reason=type(exc).__name__))
    png = st.session_state.get("png")
    if png is not None and png[0] == node:
        st.download_button(tr("download_png"), png[1], file_name=f"{node}.png", mime="image/png", key="dl_png")
    _, _, defaults, own = state.future_specs(cur)
    scenario = own or defaults
    report_panel.council_report_panel(cur, scenario)
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
