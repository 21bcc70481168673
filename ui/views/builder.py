"""Page: build a future with sliders and see brede welvaart move (the home page)."""

from __future__ import annotations

import streamlit as st

from simulator import overrides as ov
from simulator.analysis.report import distribution_lines
from simulator.analysis.scorecard import summary
from simulator.errors import InputError, NumericalError
from simulator.themes import in_cbs_order
from ui import charts, model_input, state, tables, workshop_panel
from ui import future as fut
from ui import sensitivity_charts as monitor_charts
from ui.plain_text import markdown as md
from ui.plain_text import markdown_lines
from ui.state import tr

BAND_SAMPLES = 200
SAMPLE_DATA = state.REPO / "data" / "heerlen-observed-illustrative.csv"
MONITOR_MARGIN_YEARS = 3.0  # the band is drawn this far past the last observation


def _title(cur: state.Current, name: str) -> str:
    spec = cur.scenarios.get(name)
    if not name or spec is None:
        return tr("baseline")
    return spec.title.get(state.language()) if spec.title else name


def _on_scenario() -> None:
    state.set_future(fut.Future(scenario=st.session_state.get(state.wkey("scenario_pick")) or ""))


def scenario_picker(cur: state.Current) -> None:
    """The starting scenario; choosing one resets the sliders to it."""
    future = state.get_future()
    names = ["", *cur.scenarios]
    if future.scenario not in names:
        future.scenario = fut.default_scenario(cur.scenarios)  # e.g. after a model switch
    if st.session_state.get(state.wkey("scenario_pick")) not in names:
        st.session_state[state.wkey("scenario_pick")] = future.scenario
    st.selectbox(
        tr("scenario"),
        names,
        key=state.wkey("scenario_pick"),
        format_func=lambda n: _title(cur, n),
        on_change=_on_scenario,
    )
    spec = cur.scenarios.get(future.scenario)
    if spec is not None and spec.description:
        st.caption(md(spec.description.get(state.language())))


def lever_sliders(cur: state.Current, levers: list[ov.Lever]) -> None:
    """One slider per lever; values go into the session's future."""
    future = state.get_future()
    sizes = ov.lever_sizes(levers, cur.scenarios.get(future.scenario))
    lang = state.language()
    st.markdown(f"**{tr('interventions')}**")
    for lever in levers:
        key = f"lever:{lever.key}"
        if key not in st.session_state:
            value = future.levers.get(lever.key, sizes[lever.key])
            st.session_state[key] = float(min(max(value, lever.low), lever.high))
        value = st.slider(
            md(fut.lever_label(cur.model.spec, lever, lang)),
            float(lever.low),
            float(lever.high),
            step=float(lever.step),
            key=key,
            format="%.0f" if lever.step >= 1 else "%.3g",
        )
        if value != sizes[lever.key] or lever.key in future.levers:
            future.levers[lever.key] = float(value)
    with st.expander(tr("timing")):
        _timing_inputs(cur, levers)


def _timing_inputs(cur: state.Current, levers: list[ov.Lever]) -> None:
    future = state.get_future()
    time = cur.model.spec.time
    for lever in levers:
        tpl = lever.template
        if tpl.shape not in ("ramp", "pulse"):
            continue
        second = tpl.end if tpl.shape == "ramp" else tpl.width
        start, other = future.timing.get(lever.key, [tpl.start, second])
        label = fut.lever_label(cur.model.spec, lever, state.language()).split(" (")[0]
        cols = st.columns(2)
        new_start = cols[0].number_input(
            md(f"{label}: start"),
            float(time.start),
            float(time.end),
            float(start),
            step=1.0,
            key=f"timing:{lever.key}:start",
        )
        other_label = "eind" if tpl.shape == "ramp" else "duur"
        if state.language() == "en":
            other_label = "end" if tpl.shape == "ramp" else "years"
        new_other = cols[1].number_input(
            md(f"{label}: {other_label}"),
            0.0 if tpl.shape == "pulse" else float(time.start),
            float(time.end),
            float(other),
            step=1.0,
            key=f"timing:{lever.key}:other",
        )
        if (new_start, new_other) != (tpl.start, second):
            future.timing[lever.key] = [float(new_start), float(new_other)]
        else:
            future.timing.pop(lever.key, None)


def _assumption_label(cur: state.Current, key: str) -> str:
    source, target = key.split("->")
    return f"{state.label_of(cur.model.spec, source)} → {state.label_of(cur.model.spec, target)}"


def assumption_sliders(cur: state.Current) -> None:
    """Sliders for the uncertain link weights a group wants to argue about (a few shown, more on demand)."""
    future = state.get_future()
    scenarios = list(cur.scenarios.values())
    items = {a.key: a for a in ov.assumptions(cur.model.spec, scenarios)}
    if not items:
        return
    weights = ov.scenario_weights(cur.model.spec, cur.scenarios.get(future.scenario))
    if (
        not set(st.session_state.get(state.wkey("assume_pick")) or []) <= set(items)
        or state.wkey("assume_pick") not in st.session_state
    ):
        defaults = fut.default_assumption_keys(list(items.values()), scenarios)
        st.session_state[state.wkey("assume_pick")] = defaults + [
            k for k in future.assumptions if k in items and k not in defaults
        ]
    st.markdown(f"**{tr('assumptions')}**")
    for key in st.session_state[state.wkey("assume_pick")]:
        item, widget = items[key], f"assume:{key}"
        if widget not in st.session_state:
            st.session_state[widget] = float(
                min(max(future.assumptions.get(key, weights[key]), item.low), item.high)
            )
        value = st.slider(
            md(_assumption_label(cur, key)),
            float(item.low),
            float(item.high),
            step=ov.nice_step(item.high - item.low) / 10,
            key=widget,
            format="%.4g",
        )
        if value != weights[key] or key in future.assumptions:
            future.assumptions[key] = float(value)
    with st.expander(tr("more_assumptions")):
        st.caption(tr("assumptions_help"))
        st.multiselect(
            tr("choose_assumptions"),
            list(items),
            key=state.wkey("assume_pick"),
            placeholder=tr("choose"),
            format_func=lambda k: _assumption_label(cur, k),
        )
        if st.button(tr("reset"), key="reset_future"):
            state.set_future(fut.Future(scenario=future.scenario))
            st.session_state.pop(state.wkey("assume_pick"), None)
            st.rerun()


def _year(cur: state.Current, times) -> tuple[float, bool]:
    """The year of the scorecard, and whether the uncertainty (ensemble) is on."""
    start, end = int(round(times[0])), int(round(times[-1]))
    default = min(max(start + 10, start), end)
    if st.session_state.get("year") is None or not start <= st.session_state["year"] <= end:
        st.session_state["year"] = default
    cols = st.columns([3, 1])
    year = float(cols[0].slider(tr("year"), start, end, key="year"))
    band = cols[1].toggle(tr("band"), key="band", help=tr("band_help"))
    return year, band


def results(cur: state.Current, levers: list[ov.Lever]) -> None:
    """Scorecard(s), key paths and effect sentences of the future against the baseline."""
    base, _, defaults, own = state.future_specs(cur)
    lang = state.language()
    runs = {tr("with_defaults"): state.run(cur, defaults)}
    if own is not None:
        runs[tr("with_own")] = state.run(cur, own)
    first = runs[tr("with_defaults")]
    year, band_on = _year(cur, first.times)
    model = cur.model.spec
    specs = {tr("with_defaults"): defaults, tr("with_own"): own}
    samples = BAND_SAMPLES if band_on else 0
    cards = {name: state.scorecard_of(cur, specs[name], year, samples) for name in runs}
    warning = state.stability_warning(cur, own or defaults)
    if not warning and band_on:
        warning = state.ensemble_stability_warning(cur, own or defaults, BAND_SAMPLES)
    if warning:
        st.warning(md(warning))
    themes = in_cbs_order(n.theme for n in model.nodes)
    st.subheader(tr("scorecard"))
    st.caption(tr("scorecard_help"))
    cols = st.columns(len(cards))
    for col, (name, card) in zip(cols, cards.items(), strict=True):
        col.plotly_chart(
            charts.scorecard_figure(summary(card), lang, name if own is not None else "", themes),
            key=f"card:{name}",
            config={"displayModeBar": False},
        )
    if not defaults.interventions:
        st.info(tr("no_changes"))
        return
    _paths(cur, runs, cards, levers, defaults, own, band_on)


def _paths(cur, runs, cards, levers, defaults, own, band_on: bool) -> None:
    model = cur.model.spec
    card = next(iter(cards.values()))
    skip = {lever.node for lever in levers}
    default_nodes = tables.key_nodes(card, 4, skip) or model.node_ids[:4]
    st.subheader(tr("key_paths"))
    if state.wkey("paths_pick") not in st.session_state or not set(
        st.session_state[state.wkey("paths_pick")]
    ) <= set(model.node_ids):
        st.session_state[state.wkey("paths_pick")] = default_nodes
    nodes = st.multiselect(
        tr("indicators"),
        model.node_ids,
        key=state.wkey("paths_pick"),
        placeholder=tr("choose"),
        max_selections=8,
        format_func=lambda n: state.label_of(model, n),
    )
    bands = _bands(cur, runs, defaults, own) if band_on else {}
    grid = st.columns(2)
    for i, node in enumerate(nodes):
        table = tables.path_table(runs, node, tr("series_baseline"))
        band = None
        if bands:
            import pandas as pd

            band = pd.concat(
                [tables.band_table(s, runs[name], node, name) for name, s in bands.items()]
            )
        fig = charts.path_figure(table, state.label_of(model, node), state.unit_of(model, node), band)
        grid[i % 2].plotly_chart(fig, key=f"path:{node}")
    st.subheader(tr("effects"))
    first_name, first = next(iter(runs.items()))
    for sentence in tables.effect_sentences(
        cards[first_name], first, nodes or default_nodes, state.language()
    ):
        st.markdown(f"- {md(sentence)}")
    lines = tables.tradeoff_lines(cards[first_name], state.language())
    if lines:
        st.markdown(f"**{tr('tradeoffs')}**")
        for line in lines:
            st.markdown(f"- {md(line)}")
    year = float(cards[first_name]["year"].iloc[0])
    gaps = distribution_lines(model, first.times, first.baseline, first.delta, [year], state.language())
    if gaps:
        st.markdown(f"**{tr('distribution')}**")
        st.caption(tr("distribution_help"))
        for line in gaps:
            st.markdown(f"- {md(line)}")


def _bands(cur, runs, defaults, own) -> dict:
    out = {}
    specs = {tr("with_defaults"): defaults, tr("with_own"): own}
    for name in runs:
        summary_ = state.ensemble(cur, specs[name], BAND_SAMPLES)
        if summary_ is not None:
            out[name] = summary_
    return out


def changed_list(cur: state.Current) -> None:
    """Which assumptions the group changed, in words."""
    future = state.get_future()
    changed = fut.changed_assumptions(cur.model.spec, cur.scenarios.get(future.scenario), future)
    if changed:
        weights = ov.scenario_weights(cur.model.spec, cur.scenarios.get(future.scenario))
        st.caption(
            tr("changed_assumptions")
            + ": "
            + md(
                "; ".join(
                    f"{_assumption_label(cur, k)}: {weights[k]:.4g} → {v:.4g}"
                    for k, v in changed.items()
                )
            )
        )


def _observed(cur: state.Current, scenario):
    """The observations chosen in the monitor section (sample or upload), checked; None when there are none.

    The illustrative sample is offered only on a model it fits (the Heerlen model).
    """
    prepared = state.prepared(cur, scenario)
    ids = list(prepared.compiled.node_ids)
    horizon = (float(prepared.compiled.times[0]), float(prepared.compiled.times[-1]))
    try:
        sample = model_input.read_observed(SAMPLE_DATA.read_bytes(), SAMPLE_DATA.name, ids, horizon)
    except (InputError, OSError):
        sample = None
    options = ["sample", "upload"] if sample is not None else ["upload"]
    if st.session_state.get(state.wkey("monitor_source")) not in options:
        st.session_state[state.wkey("monitor_source")] = options[0]
    source = st.radio(
        tr("monitor_source"),
        options,
        key=state.wkey("monitor_source"),
        horizontal=True,
        format_func=lambda x: tr(f"monitor_{x}"),
    )
    if source == "sample":
        st.caption(tr("monitor_sample_note"))
        return sample
    file = st.file_uploader(tr("monitor_upload_label"), type=["csv", "txt"], key="monitor_upload")
    if file is None:
        st.info(tr("monitor_no_file"))
        return None
    return model_input.read_observed(file.getvalue(), file.name, ids, horizon)


def _flagged_table(cur: state.Current, result) -> object:
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
    )
    points = result.table[result.table["node"] == node]
    band = result.band.to_frame()
    band = band[(band["node"] == node) & (band["time"] <= points["time"].max() + MONITOR_MARGIN_YEARS)]
    labels = {k: tr(f"legend_{k}") for k in monitor_charts.MONITOR_LABELS}
    fig = monitor_charts.monitor_figure(
        band, points, state.label_of(model, node), state.unit_of(model, node), labels, deterministic
    )
    st.plotly_chart(fig, key="monitor_chart")
    flagged = result.flagged
    if flagged.empty:
        st.success(tr("monitor_all_inside", n=len(result.table)))
        return
    st.markdown(f"**{tr('monitor_flagged')}**: {tr('monitor_count', k=len(flagged), n=len(result.table))}")
    shown = _flagged_table(cur, result)
    numbers = [c for c in shown.columns if c not in (tr("col_date"), tr("indicator"), tr("col_side"), tr("unit"))]
    st.dataframe(
        shown,
        hide_index=True,
        column_config={c: st.column_config.NumberColumn(format="%.4g") for c in numbers}
        | {tr("col_date"): st.column_config.TextColumn(width="small"),
           tr("col_side"): st.column_config.TextColumn(width="small"),
           tr("unit"): st.column_config.TextColumn(width="medium")},
    )


def page() -> None:
    """The page."""
    cur = state.current()
    levers = ov.levers(cur.model.spec, list(cur.scenarios.values()))
    st.title(md(cur.model.spec.title.get(state.language())))
    heerlen = "heerlen" in cur.model.spec.name
    st.markdown(tr("intro") if heerlen else tr("intro_generic"))
    left, right = st.columns([1, 2], gap="large")
    with left:
        scenario_picker(cur)
        lever_sliders(cur, levers)
        assumption_sliders(cur)
        changed_list(cur)
        workshop_panel.panel(cur)
    with right:
        try:
            results(cur, levers)
        except NumericalError as exc:
            state.show_error(exc)
    st.divider()
    try:
        monitor_section(cur)
    except NumericalError as exc:
        state.show_error(exc)


page()
