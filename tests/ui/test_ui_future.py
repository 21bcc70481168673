"""Levers, assumptions and the share-link form of a future (no Streamlit)."""

from __future__ import annotations

import pytest
from ui_helpers import GROW, SMALL

from simulator.io.spec_files import load_model_text, load_scenario_text
from simulator.scenario_run import prepare_scenario, run_deterministic
from ui import future as fut


@pytest.fixture
def model():
    return load_model_text(SMALL, "small.yaml")


@pytest.fixture
def grow(model):
    return load_scenario_text(GROW, "grow.yaml", model).spec


def test_levers_come_from_the_scenarios_with_room_to_double(model, grow):
    (lever,) = fut.levers(model.spec, [grow])
    assert (lever.key, lever.param, lever.low, lever.high) == ("jobs:step", "height", 0.0, 200.0)
    assert lever.label("en") == "Jobs (jobs)"


def test_without_scenarios_the_first_node_gets_a_lever(model):
    (lever,) = fut.levers(model.spec, [])
    assert lever.node == "jobs" and lever.low < 0 < lever.high


def test_assumptions_are_the_uncertain_links_within_their_range(model, grow):
    items = {a.key: a for a in fut.assumptions(model.spec, [grow])}
    assert set(items) == {"jobs->income", "jobs->elsewhere"}
    assert (
        items["jobs->income"].low,
        items["jobs->income"].default,
        items["jobs->income"].high,
    ) == (1, 2, 3)


def test_a_lever_value_replaces_the_scenario_size(model, grow):
    items = fut.levers(model.spec, [grow])
    defaults, own = fut.build_scenarios(
        model.spec, grow, items, fut.Future("grow", {"jobs:step": 150.0})
    )
    assert own is None
    assert [(i.node, i.height, i.start) for i in defaults.interventions] == [
        ("jobs", 150.0, 2026.0)
    ]


def test_changed_assumptions_make_a_second_scenario_and_leave_the_first_alone(model, grow):
    items = fut.levers(model.spec, [grow])
    future = fut.Future("grow", assumptions={"jobs->income": 3.0, "jobs->elsewhere": -0.25})
    defaults, own = fut.build_scenarios(model.spec, grow, items, future)
    assert defaults.overrides.links == []
    (override,) = own.overrides.links  # the unchanged one is not an override
    assert override.weight.central == 3.0 and override.weight.support == (1.0, 3.0)
    d_def = run_deterministic(prepare_scenario(defaults, model.spec))
    d_own = run_deterministic(prepare_scenario(own, model.spec))
    assert d_def.at(2035)[1] == pytest.approx(200.0)
    assert d_own.at(2035)[1] == pytest.approx(300.0)


def test_baseline_start_with_zero_levers_has_no_interventions(model, grow):
    items = fut.levers(model.spec, [grow])
    defaults, _ = fut.build_scenarios(model.spec, None, items, fut.Future())
    assert defaults.interventions == []


def test_timing_moves_a_ramp(model):
    text = GROW.replace(
        "shape: step, height: 100, start: 2026", "shape: ramp, slope: 10, start: 2026, end: 2030"
    )
    ramp = load_scenario_text(text, "g.yaml", model).spec
    items = fut.levers(model.spec, [ramp])
    future = fut.Future("grow", {"jobs:ramp": 20.0}, timing={"jobs:ramp": [2027.0, 2029.0]})
    defaults, _ = fut.build_scenarios(model.spec, ramp, items, future)
    (item,) = defaults.interventions
    assert (item.slope, item.start, item.end) == (20.0, 2027.0, 2029.0)


def test_share_code_round_trips():
    future = fut.Future(
        "grow", {"jobs:step": 150.0}, {"jobs:step": [2027.0, 2028.0]}, {"jobs->income": 2.5}
    )
    code = fut.encode_future(future)
    assert code.isascii() and "=" not in code and len(code) < 200
    assert fut.decode_future(code) == future


@pytest.mark.parametrize("code", ["", "!!!", "x" * 9000, fut.encode_future(fut.Future()).upper()])
def test_damaged_share_codes_raise_value_error(code):
    with pytest.raises(ValueError):
        fut.decode_future(code)


def test_share_codes_with_wrong_values_are_refused():
    import base64
    import json
    import zlib

    raw = json.dumps({"s": "grow", "l": {"jobs:step": "lots"}}).encode()
    code = base64.urlsafe_b64encode(zlib.compress(raw)).decode()
    with pytest.raises(ValueError, match="finite number"):
        fut.decode_future(code)


def _edited(text: str):
    return load_model_text(text, "eigen-model.yaml").spec


def test_a_link_carries_the_model_name_and_the_scenario_text():
    future = fut.Future("grow-gedeeld", {"jobs:step": 150.0})
    link = fut.decode_link(fut.encode_future(future, "other", "name: grow-gedeeld\n"))
    assert (link.future, link.model, link.scenario) == (future, "other", "name: grow-gedeeld\n")
    assert fut.decode_link(fut.encode_future(future)).model is None


def test_model_edits_from_the_table_become_overrides_with_the_same_numbers(model, grow):
    edited = SMALL.replace("{low: 1, mode: 2, high: 3}", "{low: 1, mode: 2.5, high: 4}").replace(
        "weight: 0.5, lag: 1,", "weight: 0.5, lag: 2,"
    ).replace("baseline: 30000", "baseline: 31000")
    own = _edited(edited)
    overrides, lost = fut.model_edits(model.spec, own)
    assert lost == []
    assert {(o.source, o.target) for o in overrides.links} == {("jobs", "income"), ("jobs", "emissions")}
    assert [(o.id, o.baseline) for o in overrides.nodes] == [("income", 31000.0)]
    spec, lost = fut.shared_scenario(model.spec, own, grow, "../models/small.yaml")
    assert lost == [] and spec.name == "grow-gedeeld" and spec.interventions == grow.interventions
    on_base = run_deterministic(prepare_scenario(spec, model.spec))
    on_own = run_deterministic(prepare_scenario(grow, own))
    assert (on_base.value == on_own.value).all()  # bit for bit: the same model, said as overrides


def test_a_starting_scenario_s_own_overrides_win_over_the_model_edits(model):
    grow = load_scenario_text(
        GROW + "overrides:\n  links:\n    - {from: jobs, to: income, weight: 1.5}\n", "g.yaml", model
    ).spec
    own = _edited(SMALL.replace("{low: 1, mode: 2, high: 3}", "{low: 1, mode: 2.5, high: 4}"))
    spec, _ = fut.shared_scenario(model.spec, own, grow, "m.yaml")
    (link,) = spec.overrides.links
    assert link.weight.central == 1.5
    assert (run_deterministic(prepare_scenario(spec, model.spec)).value
            == run_deterministic(prepare_scenario(grow, own)).value).all()


def test_what_overrides_cannot_say_is_listed(model):
    other_network = SMALL.replace("  - {from: jobs, to: elsewhere, weight: {low: -0.5, mode: -0.25, high: 0}}\n", "")
    assert fut.model_edits(model.spec, _edited(other_network))[1] == [
        "the network itself (nodes or links added or removed)"
    ]
    kind = SMALL.replace("unit: kt,", "unit: kt, kind: stock,")
    assert fut.model_edits(model.spec, _edited(kind))[1] == ["node emissions: kind"]
    relabelled = SMALL.replace("nl: Inkomen", "nl: Besteedbaar inkomen")
    assert fut.model_edits(model.spec, _edited(relabelled)) == (fut.Overrides(), [])


def test_a_bound_removed_in_the_table_is_listed_as_not_travelling():
    bounded = load_model_text(SMALL.replace("baseline: 100, direction: down", "baseline: 100, min: 0, direction: down"),
                              "b.yaml").spec
    plain = load_model_text(SMALL, "small.yaml").spec
    assert fut.model_edits(bounded, plain)[1] == ["node emissions: min removed"]
