"""Page: build a future with sliders and see brede welvaart move (the home page)."""

from __future__ import annotations

import functools

import streamlit as st

from simulator import overrides as ov
from simulator.analysis.report import distribution_lines
from simulator.analysis.scorecard import measured_only
from simulator.app import answer, charts, numbers, places, state, tables, workshop_panel
from simulator.app import future as fut
from simulator.app.plain_text import markdown as md
from simulator.app.state import tr
from simulator.errors import InputError, NumericalError
from simulator.spec import DIMENSIONS

BAND_SAMPLES = 200
MAX_SELECT_OPTIONS = 2001  # a fractional slider offers at most this many values
CELL_COLOURS = {"improves": "green", "worsens": "red", "mixed": "orange", "level": "gray", "neutral": "gray"}


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
        placeholder=tr("choose"),
    )
    spec = cur.scenarios.get(future.scenario or "")
    if spec is not None and spec.description:
        st.caption(md(spec.description.get(state.language())))


def _grid(low: float, high: float, step: float) -> list[float]:
    """The values a fractional slider offers: ``low`` to ``high`` by ``step`` (coarser when too many)."""
    count = int(round((high - low) / step)) + 1
    while count > MAX_SELECT_OPTIONS:
        step *= 2
        count = int(round((high - low) / step)) + 1
    values = [round(low + i * step, 10) for i in range(count)]
    return values if values[-1] >= high - 1e-12 else [*values, round(high, 10)]


def dutch_slider(label: str, low: float, high: float, step: float, key: str) -> float:
    """A slider whose values read in the page's language.

    Streamlit's own slider formats with a printf string and knows no locale ("0.0088"),
    so a slider with fractional values is a select slider over the same grid, its values
    formatted by :mod:`simulator.app.numbers` ("0,0088"); whole-number sliders stay plain sliders.
    """
    whole = float(step).is_integer() and float(low).is_integer() and float(high).is_integer()
    if whole:
        value = st.slider(  # plain-text: the caller escapes the label (md)
            label, float(low), float(high), step=float(step), key=key, format="%.0f"
        )
        return float(value)
    lang = state.language()
    # The grid (up to 2,001 values) and its labels are made once per range and language: formatting them
    # on every rerun was the largest cost of a slider move (Babel, twice per option).
    grid, labels = state.memo(
        "slider_grid",
        (float(low), float(high), float(step), lang),
        lambda: _grid_labels(float(low), float(high), float(step), lang),
    )
    current = st.session_state.get(key)
    if current is not None and current not in labels:  # a linked or restored value: its nearest grid value
        st.session_state[key] = min(grid, key=lambda v: abs(v - float(current)))
    value = st.select_slider(  # plain-text: the caller escapes the label (md); the options are numbers
        label, grid, key=key, format_func=lambda v: labels[v] if v in labels else numbers.plain(v, lang)
    )
    return float(value)


def _grid_labels(low: float, high: float, step: float, lang: str) -> tuple[list[float], dict[float, str]]:
    grid = _grid(low, high, step)
    return grid, {v: numbers.plain(v, lang) for v in grid}


def lever_sliders(cur: state.Current, levers: list[ov.Lever]) -> None:
    """One slider per lever; values go into the session's future."""
    future = state.get_future()
    sizes = ov.lever_sizes(levers, cur.scenarios.get(future.scenario or ""))
    lang = state.language()
    st.markdown(f"**{tr('interventions')}**")
    for lever in levers:
        key = f"lever:{lever.key}"
        if key not in st.session_state:
            value = future.levers.get(lever.key, sizes[lever.key])
            st.session_state[key] = float(min(max(value, lever.low), lever.high))
        value = dutch_slider(md(fut.lever_label(cur.model.spec, lever, lang)), lever.low, lever.high, lever.step, key)
        if value != sizes[lever.key] or lever.key in future.levers:
            future.levers[lever.key] = float(value)
    with st.expander(tr("timing")):
        _timing_inputs(cur, levers)


def _timing_inputs(cur: state.Current, levers: list[ov.Lever]) -> None:
    future = state.get_future()
    time = cur.model.spec.time
    for lever in levers:
        tpl = lever.template
        if lever.timing is None:
            continue
        first, second = lever.timing
        start, other = future.timing.get(lever.key, [first, second])
        label = fut.lever_label(cur.model.spec, lever, state.language()).split(" (")[0]
        cols = st.columns(2)
        new_start = cols[0].number_input(
            md(f"{label}: start"),
            float(time.start),
            float(time.end),
            float(start),
            step=1.0,
            format="%.0f",
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
            format="%.0f",
            key=f"timing:{lever.key}:other",
        )
        if (new_start, new_other) != (first, second):
            future.timing[lever.key] = [float(new_start), float(new_other)]
        else:
            future.timing.pop(lever.key, None)


def _assumption_label(cur: state.Current, key: str) -> str:
    source, target = key.split("->")
    return f"{state.label_of(cur.model.spec, source)} → {state.label_of(cur.model.spec, target)}"


def _node_labels(cur: state.Current) -> dict[str, str]:
    """Every node's label in the current language, made once per model and language: the pickers'
    ``format_func`` is called for each option on every rerun (about 140 link and 40 node options)."""
    lang = state.language()
    return state.memo("node_labels", (cur.key, lang), lambda: {n.id: n.label.get(lang) for n in cur.model.spec.nodes})


def _assumption_labels(cur: state.Current, keys: list[str]) -> dict[str, str]:
    """:func:`_assumption_label` of each of ``keys``, made once per model and language."""
    labels = _node_labels(cur)

    def make() -> dict[str, str]:
        return {k: f"{labels[k.split('->')[0]]} → {labels[k.split('->')[1]]}" for k in keys}

    return state.memo("assumption_labels", (cur.key, state.language(), tuple(keys)), make)


def assumption_sliders(cur: state.Current) -> None:
    """Sliders for the uncertain link weights a group wants to argue about (a few shown, more on demand)."""
    future = state.get_future()
    scenarios = list(cur.scenarios.values())
    items = {a.key: a for a in ov.assumptions(cur.model.spec, scenarios)}
    if not items:
        return
    weights = ov.scenario_weights(cur.model.spec, cur.scenarios.get(future.scenario or ""))
    if (
        not set(st.session_state.get(state.wkey("assume_pick")) or []) <= set(items)
        or state.wkey("assume_pick") not in st.session_state
    ):
        defaults = fut.default_assumption_keys(list(items.values()), scenarios)
        st.session_state[state.wkey("assume_pick")] = defaults + [
            k for k in future.assumptions if k in items and k not in defaults
        ]
    labels = _assumption_labels(cur, list(items))
    st.markdown(f"**{tr('assumptions')}**")
    for key in st.session_state[state.wkey("assume_pick")]:
        item, widget = items[key], f"assume:{key}"
        if widget not in st.session_state:
            st.session_state[widget] = float(min(max(future.assumptions.get(key, weights[key]), item.low), item.high))
        value = dutch_slider(md(labels[key]), item.low, item.high, ov.nice_step(item.high - item.low) / 10, widget)
        if value != weights[key] or key in future.assumptions:
            future.assumptions[key] = float(value)
    with st.expander(tr("more_assumptions")):
        st.caption(tr("assumptions_help"))
        st.multiselect(
            tr("choose_assumptions"),
            list(items),
            key=state.wkey("assume_pick"),
            placeholder=tr("choose"),
            format_func=labels.__getitem__,
        )
        if st.button(tr("reset"), key="reset_future"):
            state.set_future(fut.Future(scenario=future.scenario))
            st.session_state.pop(state.wkey("assume_pick"), None)
            st.rerun()


def _year(cur: state.Current, times) -> tuple[float, bool]:
    """The year of the scorecard, and whether the uncertainty (ensemble) is on; the answer's heading beside them."""
    start, end = int(round(times[0])), int(round(times[-1]))
    default = min(max(start + 10, start), end)
    if st.session_state.get("year") is None or not start <= st.session_state["year"] <= end:
        st.session_state["year"] = default
    cols = st.columns([2, 3, 1], vertical_alignment="bottom")
    heading = cols[0].empty()
    year = float(cols[1].slider(tr("year"), start, end, key="year"))
    band = cols[2].toggle(tr("band"), key="band", help=tr("band_help"))
    heading.markdown(f"### {tr('answer_title', year=f'{year:g}')}")
    return year, band


def _answer(cur: state.Current, card, year: float, skip: frozenset[str], key: tuple = ()) -> None:
    """The answer first: the headline indicators with their change, and one verdict per dimension.

    ``key``: the card's cache key (:func:`_card_key`); the headlines and sentences are then made once per
    card and reused by every rerun and session that shows the same card."""
    lang = state.language()
    model = cur.model.spec

    def make() -> tuple[list, list[str]]:
        lines = []
        for _, sentence in answer.dimension_sentences(model, card, lang, skip):
            name, _, rest = sentence.partition(": ")
            lines.append(f"**{md(name)}**: {md(rest)}")
        return answer.headlines(model, card, lang), lines

    heads, lines = state.memo("answer", (*key, tuple(sorted(skip))), make) if key else make()
    if heads:
        for col, head in zip(st.columns(len(heads)), heads, strict=True):
            col.metric(md(head.label), head.value, head.delta, delta_color=head.colour, help=md(head.help), border=True)
    for line in lines:
        st.markdown(line)  # plain-text: escaped with md() where the line is made (make() above)
    st.caption(tr("answer_against"))


def _ambitions(cur: state.Current, scenario, run, band_on: bool) -> None:
    """The model's ambitions (the file beside it), judged on the future shown: reached or not, the distance
    and, with the band on, the share of its runs that reach each (docs/analysis.md, "Ambitions")."""
    try:
        found = state.ambitions_of(cur)
    except InputError as exc:
        st.warning(md(state.error_text(exc)))
        return
    if found is None:
        return
    lang = state.language()
    members_at = None
    if band_on:
        experiments = state.experiments(cur, scenario, BAND_SAMPLES)
        if experiments.ensemble is not None:
            members_at = experiments.ensemble.member_deltas
    key = (cur.key, state.scenario_key(scenario), band_on, lang, found.path)
    lines = state.memo(
        "ambitions",
        key,
        lambda: tuple(answer.ambition_lines(cur.model.spec, found.spec, found.nodes, run, members_at, lang)),
    )
    if not lines:
        return
    with st.expander(tr("ambitions_title", reached=int(sum(line.reached for line in lines)), n=len(lines))):
        for line in lines:
            text = f"{md(line.statement)}  \n{md(line.detail)}"
            if line.reached:
                st.markdown(f":green[**{tr('ambition_reached')}**] {text}")  # plain-text: text is md() above
            else:
                st.markdown(f":orange[**{tr('ambition_not_reached')}**] {text}")  # plain-text: as above
        st.caption(md(found.path))


def _cell_label(cell: dict, lang: str) -> str:
    colour = CELL_COLOURS.get(cell["verdict"], "gray")
    mark = md(answer.cell_mark(cell, lang))
    return f"{md(answer.theme_title(cell['theme'], lang))} :{colour}-background[{mark}]"


def _grid_cells(cur: state.Current, card, skip: frozenset[str], lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(dimension, [(cell label, the markdown the cell opens to)]) in CBS order."""
    grid = answer.cells(card, skip)
    dims = [d for d in DIMENSIONS if not grid.empty and d in set(grid["dimension"])]
    indicators = answer.all_cell_indicators(cur.model.spec, card, lang)
    records = grid.to_dict("records")
    out = []
    for dim in dims:
        column = []
        for cell in (c for c in records if c["dimension"] == dim):
            lines = indicators.get((dim, cell["theme"]), [])
            text = "\n".join(f"- {md(line)}" for line in lines) if lines else tr("no_indicators")
            column.append((_cell_label(cell, lang), text))
        out.append((dim, column))
    return out


def scorecard_grid(cur: state.Current, card, skip: frozenset[str], key: tuple = ()) -> None:
    """The scorecard as a grid of cells (dimension columns, themes in CBS order) that open to their indicators.

    ``key``: the card's cache key (:func:`_card_key`); the cells' texts are then made once per card."""
    lang = state.language()
    if key:
        columns = state.memo("grid", (*key, tuple(sorted(skip))), lambda: _grid_cells(cur, card, skip, lang))
    else:
        columns = _grid_cells(cur, card, skip, lang)
    if not columns:
        return
    for col, (dim, cells) in zip(st.columns(len(columns)), columns, strict=True):
        col.markdown(f"**{md(tr(dim))}**")
        for label, text in cells:
            with col.popover(label, use_container_width=True, wrap=True):
                st.markdown(text)  # plain-text: escaped with md() in _grid_cells


def _scorecards(cur: state.Current, cards: dict, skip: frozenset[str], keys: dict) -> None:
    """The scorecard grid of each future; with a toggle for measured indicators only when the model has
    expert-scored indices (``quantified: false``), as ``bwsim scorecard --measured-only`` prints it."""
    st.subheader(tr("scorecard"))
    st.caption(tr("scorecard_help"))
    scored = [n.id for n in cur.model.spec.nodes if not n.quantified]
    if scored and st.toggle(tr("measured_only"), key="scorecard_measured", help=tr("measured_only_help")):
        cards = {name: measured_only(card) for name, card in cards.items()}
        keys = {name: (*key, "measured") for name, key in keys.items()}
        st.caption(tr("measured_only_on", n=len(scored)))
    if len(cards) == 1:
        name = next(iter(cards))
        scorecard_grid(cur, cards[name], skip, keys[name])
    else:
        for tab, name in zip(st.tabs([md(n) for n in cards]), cards, strict=True):
            with tab:
                scorecard_grid(cur, cards[name], skip, keys[name])
    st.caption(tr("scorecard_legend") + " " + tr("scorecard_click"))


def results(cur: state.Current, levers: list[ov.Lever], top) -> None:
    """The answer (year, headlines, verdicts; in the container ``top``, above the sliders), then the
    scorecard(s), key paths and sentences of the future against the baseline."""
    base, _, defaults, own = state.future_specs(cur)
    runs = {tr("with_defaults"): state.run(cur, defaults)}
    if own is not None:
        runs[tr("with_own")] = state.run(cur, own)
    first = runs[tr("with_defaults")]
    with top:
        year, band_on = _year(cur, first.times)
    specs = {tr("with_defaults"): defaults, tr("with_own"): own}
    samples = BAND_SAMPLES if band_on else 0
    shown = {name: spec for name, spec in specs.items() if spec is not None and name in runs}
    cards = {name: state.scorecard_of(cur, spec, year, samples) for name, spec in shown.items()}
    keys = {name: _card_key(cur, spec, year, samples) for name, spec in shown.items()}
    pushed = frozenset(lever.node for lever in levers)
    warning = state.stability_warning(cur, own or defaults)
    if not warning and band_on:
        warning = state.ensemble_stability_warning(cur, own or defaults, BAND_SAMPLES)
    with top:
        if warning:
            st.warning(md(warning))
        if not defaults.interventions:
            st.info(tr("no_changes"))
        # with own assumptions when the group changed some
        _answer(cur, list(cards.values())[-1], year, pushed, list(keys.values())[-1])
        _ambitions(cur, own or defaults, list(runs.values())[-1], band_on)
    _scorecards(cur, cards, pushed, keys)
    if places.places(cur.model.spec):  # a model with dimensions: per place, beside the whole region
        _places(cur, own or defaults, list(cards.values())[-1], year, pushed, list(keys.values())[-1])
    if not defaults.interventions:
        return
    _paths(cur, runs, cards, levers, defaults, own, band_on, keys)


def _default_place(cur: state.Current, scenario, options: tuple[str, ...]) -> str:
    """The interventions' own place when they have one along the place dimension, else the first place."""
    from simulator.analysis.places import intervention_places

    own = intervention_places(state.prepared(cur, scenario), places.place_dimension(cur.model.spec)).own
    return own[0] if own else options[0]


def _places(cur: state.Current, scenario, card, year: float, skip: frozenset[str], key: tuple) -> None:
    """A model with dimensions: the place picker, the tile map of the chosen indicator's change, and the
    chosen place's scorecard beside the whole region's (the future with own assumptions when there are any)."""
    model = cur.model.spec
    lang = state.language()
    options = places.places(model)
    st.subheader(tr("places_title"))
    st.caption(tr("places_help"))
    if st.session_state.get("place_pick") not in options:
        st.session_state["place_pick"] = _default_place(cur, scenario, options)
    families = places.map_families(model)
    cols = st.columns(2)
    place = cols[0].selectbox(tr("place_pick"), options, key="place_pick", format_func=places.place_name)
    if families:
        if st.session_state.get(state.wkey("place_family")) not in families:
            st.session_state[state.wkey("place_family")] = places.default_family(model, skip)
        family = cols[1].selectbox(
            tr("place_indicator"),
            families,
            key=state.wkey("place_family"),
            format_func=lambda f: places.family_label(model, f, lang),
        )
        changes = places.family_changes(model, card, family)

        def figure():
            title = tr("place_map_title", indicator=places.family_label(model, family, lang), year=f"{year:g}")
            fig = places.place_map_figure(changes, title, state.unit_of(model, changes["node"].iloc[0]), lang)
            return numbers.localize_figure(fig, lang, time_axis=False)

        fig = state.memo("place_map", (*key, family), figure)
        st.plotly_chart(fig, key="place_map")  # numbers: localized in figure() above (cached)
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{md(tr('place_card', place=places.place_name(place)))}**")
        _card_column(cur, places.place_card(model, card, place), skip, lang)
    with right:
        st.markdown(f"**{tr('region_card')}**")
        _card_column(cur, card, skip, lang)


def _card_column(cur: state.Current, card, skip: frozenset[str], lang: str) -> None:
    """A scorecard's cells stacked in one column (dimension by dimension), each opening to its indicators."""
    columns = _grid_cells(cur, card, skip, lang)
    if not columns:
        st.caption(tr("place_no_indicators"))
    for dim, cells in columns:
        st.markdown(f"*{md(tr(dim))}*")
        for label, text in cells:
            with st.popover(label, use_container_width=True, wrap=True):
                st.markdown(text)  # plain-text: escaped with md() in _grid_cells


def _card_key(cur: state.Current, scenario, year: float, samples: int) -> tuple:
    """What a one-year scorecard is made from (the cache key of :func:`state.scorecard_of`), for
    :func:`state.memo`: the model, the scenario, the year, the samples and the language."""
    return cur.key, state.scenario_key(scenario), float(year), int(samples), state.language()


def _paths(cur, runs, cards, levers, defaults, own, band_on: bool, keys: dict) -> None:
    model = cur.model.spec
    lang = state.language()
    skip = {lever.node for lever in levers}
    default_nodes = answer.default_path_nodes(model, skip) or model.node_ids[:4]
    st.subheader(tr("key_paths"))
    if state.wkey("paths_pick") not in st.session_state or not set(st.session_state[state.wkey("paths_pick")]) <= set(
        model.node_ids
    ):
        st.session_state[state.wkey("paths_pick")] = default_nodes
    nodes = st.multiselect(
        tr("indicators"),
        model.node_ids,
        key=state.wkey("paths_pick"),
        placeholder=tr("choose"),
        max_selections=8,
        format_func=_node_labels(cur).__getitem__,
    )
    bands = _bands(cur, runs, defaults, own) if band_on else {}
    # A path depends on the runs (both futures), the language and the band, not on the year: a figure is
    # built once per such key and reused by every rerun and session (a year move redraws none).
    runs_key = (cur.key, state.scenario_key(defaults), state.scenario_key(own), lang, tuple(runs), band_on)

    def figure(node: str):
        lines = tables.path_lines(runs, node, tr("series_baseline"))  # no pandas table: one per move and chart
        band = None
        if bands:
            import pandas as pd

            band = pd.concat([tables.band_table(s, runs[name], node, name) for name, s in bands.items()])
        # numbers: localized in the constructor (numbers.figure_locale, as numbers.localize_figure sets it)
        return charts.path_figure(
            lines,
            state.label_of(model, node),
            state.unit_of(model, node),
            band,
            locale=numbers.figure_locale(lang),
            steady=True,  # redrawn on every slider move: drawn once per update, not twice
        )

    grid = st.columns(2)
    for i, node in enumerate(nodes):
        fig = state.memo("path", (*runs_key, node), functools.partial(figure, node))
        grid[i % 2].plotly_chart(fig, key=f"path:{node}")  # numbers: localized in figure() above (cached)
    st.subheader(tr("effects"))
    first_name, first = next(iter(runs.items()))
    card = cards[first_name]
    year = float(card["year"].iloc[0])

    def sentences() -> tuple[list[str], list[str], list[str]]:
        return (
            tables.effect_sentences(card, first, nodes or default_nodes, lang, model),
            tables.tradeoff_lines(card, lang),
            distribution_lines(model, first.times, first.baseline, first.delta, [year], lang),
        )

    effects, lines, gaps = state.memo("effects", (*keys[first_name], tuple(nodes or default_nodes)), sentences)
    for sentence in effects:
        st.markdown(f"- {md(sentence)}")
    if lines:
        st.markdown(f"**{tr('tradeoffs')}**")
        for line in lines:
            st.markdown(f"- {md(line)}")
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
    changed = fut.changed_assumptions(cur.model.spec, cur.scenarios.get(future.scenario or ""), future)
    if changed:
        weights = ov.scenario_weights(cur.model.spec, cur.scenarios.get(future.scenario or ""))
        st.caption(
            tr("changed_assumptions")
            + ": "
            + md(
                "; ".join(
                    f"{_assumption_label(cur, k)}: {numbers.plain(weights[k], state.language())} → "
                    f"{numbers.plain(v, state.language())}"
                    for k, v in changed.items()
                )
            )
        )


def page() -> None:
    """The page."""
    cur = state.current()
    levers = ov.levers(cur.model.spec, list(cur.scenarios.values()))
    st.title(md(cur.model.spec.title.get(state.language())))
    heerlen = "heerlen" in cur.model.spec.name
    st.caption(tr("intro") if heerlen else tr("intro_generic"))
    workspace(cur, levers)


@st.fragment
def workspace(cur: state.Current, levers: list[ov.Lever]) -> None:
    """The answer, the sliders and everything that moves with them, as one Streamlit fragment.

    Moving a slider reruns only this function, not the app (sidebar, navigation, title): the
    headline, scorecard and key charts redraw without the rest of the page. Whatever must follow
    the sliders belongs inside; the language and model in the sidebar are outside, and changing
    them reruns the whole app.
    """
    top = st.container()  # the answer: filled by results() once the sliders below have been read
    left, right = st.columns([1, 2], gap="large")
    with left:
        scenario_picker(cur)
        lever_sliders(cur, levers)
        assumption_sliders(cur)
        changed_list(cur)
        workshop_panel.panel(cur)
    with right:
        try:
            results(cur, levers, top)
        except NumericalError as exc:
            state.show_error(exc)


page()
