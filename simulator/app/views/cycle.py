"""Page: the policy cycle (issue #18). Where in the cycle the tool helps: voorbereiding (the futures against
the ambitions), uitvoering (the monitor's signal on the observations), evaluatie (the observed impact against
the scenario's expectation), each answer first with a link to where it is worked out, and the report for a
council proposal.

Answers first and quickly: every number comes from the cached runs the other pages use (the home page's
200-run band for the ambitions' chance, the monitor page's 500-run band) or from a small cached ensemble
(:data:`simulator.app.state.EVALUATION_SAMPLES` for the evaluation).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from simulator.analysis.compare_places import NATIONAL, compare_places, find_place
from simulator.analysis.compare_text import format_comparison
from simulator.analysis.text import format_number, node_labels, node_units
from simulator.app import answer, cycle, model_input, report_panel, state
from simulator.app.plain_text import markdown as md
from simulator.app.state import tr
from simulator.errors import InputError, NumericalError
from simulator.messages import localize_number, translate
from simulator.observed import load_observed
from simulator.spec import Pulse, Ramp, Step
from simulator.units import is_total

BAND_SAMPLES = 200  # as on the builder page: the same cached ensemble, so the same chances
OBSERVED_SAMPLE = state.REPO / "data" / "heerlen-observed-illustrative.csv"  # the monitor page's sample
EVALUATION_SCENARIO = state.REPO / "scenarios" / "examples" / "medtech-growth-evaluation.yaml"
EVALUATION_DATA = state.REPO / "data" / "heerlen-evaluation-illustrative.csv"
PLACE_DATA = state.REPO / "data" / "parkstad-observed.csv"  # real CBS figures with a place column


def _title(cur: state.Current, name: str) -> str:
    """A scenario's title in the page's language (its name when it has none)."""
    spec = cur.scenarios.get(name)
    return (spec.title.get(state.language()) if spec is not None and spec.title else name) or tr("baseline")


def _lines(lines: tuple[str, ...], numbered: bool = False) -> None:
    """The lines as a list (numbered: the ambitions, which the scenario grid names by number)."""
    if lines:
        marks = [f"{i}." if numbered else "-" for i in range(1, len(lines) + 1)]
        st.markdown("\n".join(f"{m} {md(line)}" for m, line in zip(marks, lines, strict=True)))  # plain-text: md()


def _headline(item: cycle.PhaseAnswer) -> None:
    if item.good:
        st.success(md(item.headline))
    else:
        st.warning(md(item.headline))


def _ambition_lines(cur: state.Current, found, scenario, members: bool) -> tuple[answer.AmbitionLine, ...]:
    """The ambitions judged on ``scenario``; with ``members``, their chance over the home page's band runs."""
    run = state.run(cur, scenario)
    members_at = None
    if members:
        experiments = state.experiments(cur, scenario, BAND_SAMPLES)
        if experiments.ensemble is not None:
            members_at = experiments.ensemble.member_deltas
    lang = state.language()
    key = (cur.key, state.scenario_key(scenario), members, lang, found.path)  # the home page's key
    return state.memo(
        "ambitions",
        key,
        lambda: tuple(answer.ambition_lines(cur.model.spec, found.spec, found.nodes, run, members_at, lang)),
    )


def preparation(cur: state.Current, scenario) -> None:
    """Voorbereiding: does the future being built reach the ambitions (distance, chance), and the scenarios?"""
    st.subheader(tr("cycle_prepare"))
    st.caption(tr("cycle_prepare_question"))
    try:
        found = state.ambitions_of(cur)
    except InputError as exc:
        st.warning(state.error_text(exc))
        return
    if found is None:
        st.info(tr("cycle_no_ambitions"))
        st.page_link("views/builder.py", label=tr("cycle_to_builder"), icon=":material/tune:")
        return
    lines = _ambition_lines(cur, found, scenario, True)
    if not lines:
        st.info(tr("cycle_no_ambitions_in_horizon"))
        return
    lang = state.language()
    _headline(cycle.ambitions_answer(lines, lang))
    future = state.get_future()
    st.caption(tr("cycle_prepare_for", scenario=md(_title(cur, future.scenario or "")), n=int(BAND_SAMPLES)))
    _lines(cycle.ambitions_answer(lines, lang).lines, numbered=True)
    number = {line.statement: str(i) for i, line in enumerate(lines, start=1)}
    rows = {}  # scenario title -> how many reached, then each ambition by its number: reached or not
    for name, spec in cur.scenarios.items():
        judged = _ambition_lines(cur, found, spec, False)
        row = {tr("cycle_col_reached"): tr("cycle_reached_of", k=sum(j.reached for j in judged), n=len(judged))}
        rows[_title(cur, name)] = row | {number[j.statement]: tr("yes" if j.reached else "no") for j in judged}
    if rows:
        st.markdown(f"**{tr('cycle_scenarios')}**")
        st.caption(tr("cycle_scenarios_help"))
        frame = pd.DataFrame.from_dict(rows, orient="index").fillna("")
        frame.index.name = tr("scenario")
        widths = {c: st.column_config.TextColumn(width="small") for c in frame.columns}  # the grid fits its column
        widths[tr("scenario")] = st.column_config.TextColumn(width="medium")
        st.dataframe(frame.reset_index(), hide_index=True, column_config=widths, key="cycle_scenarios")  # as typed
    st.page_link("views/builder.py", label=tr("cycle_to_builder"), icon=":material/tune:")
    st.page_link("views/compare.py", label=tr("cycle_to_compare"), icon=":material/compare_arrows:")


def _observed(cur: state.Current, scenario):
    """(observations, where they come from): the file uploaded on the monitor page for this model, else the
    real CBS snapshot, else the illustrative sample, each when it fits the model (the monitor page's order);
    (None, "") when there are none."""
    uploaded = st.session_state.get("monitor_observed")
    if uploaded is not None and uploaded[0] == cur.key:
        return uploaded[1], "upload"
    prepared = state.prepared(cur, scenario)
    horizon = (float(prepared.compiled.times[0]), float(prepared.compiled.times[-1]))
    ids = list(prepared.compiled.node_ids)
    real = model_input.read_real_sample(PLACE_DATA, ids, horizon, {n.id: n.region for n in prepared.model.nodes})
    if real is not None:
        return real, "real"
    try:
        raw = OBSERVED_SAMPLE.read_bytes()
        return model_input.read_observed(raw, OBSERVED_SAMPLE.name, list(prepared.compiled.node_ids), horizon), "sample"
    except (InputError, OSError):
        return None, ""


@st.cache_resource(show_spinner=False)
def _place_data(model_key: str, _node_ids: tuple[str, ...]):
    """The real CBS snapshot (``data/parkstad-observed.csv``) read for the model's nodes, or None when it names
    none of them or cannot be read (the app then leaves the comparison out)."""
    try:
        return load_observed(PLACE_DATA, list(_node_ids), None)
    except (InputError, OSError):
        return None


def _compared_with_places_and_past(cur: state.Current, phase: str) -> None:
    """The place against Nederland, the other places and its own past, from the real CBS snapshot: what
    ``bwsim compare-places MODEL data/parkstad-observed.csv --place P`` prints (issue #18 item 3).

    Shown once, under uitvoering (``phase``): the evaluatie column reads the same comparison."""
    if phase != "uitvoering":
        return
    model = cur.model.spec
    observed = _place_data(cur.key, tuple(model.node_ids))
    if observed is None or observed.table.empty:
        return
    places = [p for p in dict.fromkeys(observed.table["place"]) if p and p != NATIONAL]
    if not places:
        return
    regions = [str(n.region) for n in model.nodes if n.region]
    default = next((i for i, p in enumerate(places) if find_place(p, regions)), 0)
    with st.expander(tr("cycle_places_title")):
        st.caption(tr("cycle_places_caption"))
        place = st.selectbox(tr("cycle_place"), places, index=default, key="cycle_place")
        lang = state.language()
        directions = {node.id: node.direction for node in model.nodes}
        totals = {node.id for node in model.nodes if is_total(node.unit)}
        try:
            comparison = compare_places(observed, directions, place or places[default], totals=totals)
        except InputError as exc:
            st.warning(md(state.error_text(exc)))
            return
        name = PLACE_DATA.relative_to(state.REPO).as_posix()
        text = format_comparison(comparison, name, node_labels(model, lang), node_units(model, lang), lang)
        st.text(text)  # what the command line prints; text from the files shown as text, never rendered


def implementation(cur: state.Current, scenario) -> None:
    """Uitvoering: the monitor's signal. Are the observations on track, inside the future's expected band?"""
    st.subheader(tr("cycle_implement"))
    st.caption(tr("cycle_implement_question"))
    observed, source = _observed(cur, scenario)
    if observed is None:
        st.info(tr("cycle_no_observed"))
        st.page_link("views/monitor.py", label=tr("cycle_to_monitor"), icon=":material/monitoring:")
        return
    result = state.monitor_of(cur, scenario, observed)
    _headline(cycle.monitor_answer(result, cur.model.spec, state.language()))
    if source in ("real", "sample"):
        st.caption(tr(f"monitor_{source}_note"))
    else:
        st.caption(tr("cycle_uploaded", file=md(observed.file)))
    samples = int(result.band.samples)
    st.caption(tr("monitor_no_band") if samples <= 1 else tr("cycle_band", n=int(samples)))
    _lines(cycle.monitor_answer(result, cur.model.spec, state.language()).lines)
    _compared_with_places_and_past(cur, "uitvoering")
    st.page_link("views/monitor.py", label=tr("cycle_to_monitor"), icon=":material/monitoring:")


def _evaluation_inputs(cur: state.Current):
    """(scenario, observations, since) of the illustrative evaluation, or None when it does not fit the model.

    The policy's start (``since``) is the first start of the scenario's interventions (2025)."""
    found = state.file_scenarios(cur.model, [EVALUATION_SCENARIO])
    if not found:
        return None
    spec = next(iter(found.values()))
    starts = [float(i.start) for i in spec.interventions if isinstance(i, (Step, Pulse, Ramp))]
    if not starts:
        return None
    prepared = state.prepared(cur, spec)
    horizon = (float(prepared.compiled.times[0]), float(prepared.compiled.times[-1]))
    name = EVALUATION_DATA.relative_to(state.REPO).as_posix()
    try:
        observed = model_input.read_observed(
            EVALUATION_DATA.read_bytes(), name, list(prepared.compiled.node_ids), horizon
        )
    except (InputError, OSError):
        return None
    return spec, observed, min(starts)


def _evaluation_table(cur: state.Current, result) -> pd.DataFrame:
    """Every evaluated observation, numbers as ``bwsim evaluate`` prints them, headings in the page's language."""
    lang = state.language()
    model = cur.model.spec
    rows = result.table
    return pd.DataFrame(
        {
            tr("indicator"): [state.label_of(model, n) for n in rows["node"]],
            tr("year"): [localize_number(f"{t:g}", lang) for t in rows["time"]],
            tr("col_observed"): [format_number(v, lang, 5) for v in rows["observed"]],
            tr("cycle_col_counterfactual"): [format_number(v, lang, 5) for v in rows["counterfactual"]],
            tr("cycle_col_impact"): [
                cycle.band_text(r.impact, r.impact_low, r.impact_high, lang) for r in rows.itertuples()
            ],
            tr("cycle_col_expected"): [
                cycle.band_text(r.expected, r.expected_low, r.expected_high, lang) for r in rows.itertuples()
            ],
            tr("cycle_col_verdict"): [translate(cycle.VERDICT_TEXT[v], lang) for v in rows["verdict"]],
        }
    )


def evaluation(cur: state.Current, scenario=None) -> None:
    """Evaluatie: did the policy do what its scenario expected? Observed impact against the counterfactual.

    The policy evaluated is the illustrative one of ``EVALUATION_SCENARIO`` (its horizon starts ten years
    before the policy), not the future being built (``scenario``, unused), whose horizon starts with it."""
    st.subheader(tr("cycle_evaluate"))
    st.caption(tr("cycle_evaluate_question"))
    inputs = _evaluation_inputs(cur)
    if inputs is None:
        st.info(tr("cycle_no_evaluation"))
        return
    spec, observed, since = inputs
    result = state.evaluation_of(cur, spec, observed, since)
    lang = state.language()
    found = cycle.evaluation_answer(result, cur.model.spec, lang)
    _headline(found)
    st.caption(
        tr(
            "cycle_evaluate_for",
            scenario=md(spec.title.get(lang) if spec.title else spec.name),
            since=md(localize_number(f"{since:g}", lang)),
            n=int(result.run.ensemble.samples) if result.run.ensemble is not None else 0,
        )
    )
    st.caption(tr("cycle_evaluation_note"))
    _lines(found.lines)
    _compared_with_places_and_past(cur, "evaluatie")
    with st.expander(tr("cycle_evaluation_worked_out")):
        st.dataframe(_evaluation_table(cur, result), hide_index=True, key="cycle_evaluation")


def page() -> None:
    """The page."""
    cur = state.current()
    st.title(tr("page_cycle"))
    st.caption(tr("cycle_intro"))
    _, _, defaults, own = state.future_specs(cur)
    scenario = own or defaults
    prepare, implement, evaluate = st.columns(3, border=True)
    for column, phase in ((prepare, preparation), (implement, implementation), (evaluate, evaluation)):
        with column:
            try:
                phase(cur, scenario)
            except (InputError, NumericalError) as exc:  # one phase failing leaves the others standing
                state.show_error(exc)
    st.subheader(tr("cycle_report"))
    st.caption(tr("cycle_report_help"))
    report_panel.council_report_panel(cur, scenario, key="cycle_")


page()
