"""Levers, assumptions, and the diff and merge of scenario overrides (simulator.overrides, no app)."""

from __future__ import annotations

import pytest

from simulator import overrides as ov
from simulator.io.spec_files import load_model_text, load_scenario_text
from simulator.scenario_run import prepare_scenario, run_deterministic
from simulator.spec import Overrides, ScenarioSpec

# jobs -> income (weight 2, range 1..3), jobs -> emissions (0.5, fixed lag 1), jobs -> elsewhere (-0.25)
SMALL = """\
name: small
title: Small
time: {start: 2025, end: 2040, dt: 0.25}
nodes:
  - {id: jobs, label: Jobs, theme: arbeid_en_vrije_tijd, dimension: hier_en_nu, unit: jobs, baseline: 1000}
  - {id: income, label: {nl: Inkomen, en: Income}, theme: materiele_welvaart, dimension: hier_en_nu, unit: eur,
     baseline: 30000}
  - {id: emissions, label: Emissions, theme: milieu, dimension: later, unit: kt, baseline: 100, direction: down}
  - {id: elsewhere, label: Elsewhere, theme: arbeid_en_vrije_tijd, dimension: elders, unit: jobs, baseline: 5000}
links:
  - {from: jobs, to: income, weight: {low: 1, mode: 2, high: 3}}
  - {from: jobs, to: emissions, weight: 0.5, lag: 1, delay: fixed}
  - {from: jobs, to: elsewhere, weight: {low: -0.5, mode: -0.25, high: 0}}
"""

GROW = """\
name: grow
model: small.yaml
interventions:
  - {node: jobs, shape: step, height: 100, start: 2026}
"""


@pytest.fixture
def model():
    return load_model_text(SMALL, "small.yaml")


@pytest.fixture
def grow(model):
    return load_scenario_text(GROW, "grow.yaml", model).spec


def _scenario(interventions, overrides=None) -> ScenarioSpec:
    return ScenarioSpec(name="s", model="small.yaml", interventions=interventions, overrides=overrides or Overrides())


def test_levers_come_from_the_scenarios_with_room_to_double(model, grow):
    (lever,) = ov.levers(model.spec, [grow])
    assert (lever.key, lever.param, lever.low, lever.high, lever.node) == ("jobs:step", "height", 0.0, 200.0, "jobs")


def test_without_scenarios_the_first_node_gets_a_lever(model):
    (lever,) = ov.levers(model.spec, [])
    assert lever.node == "jobs" and lever.low < 0 < lever.high


def test_assumptions_are_the_uncertain_links_within_their_range(model, grow):
    items = {a.key: a for a in ov.assumptions(model.spec, [grow])}
    assert set(items) == {"jobs->income", "jobs->elsewhere"}
    assert (items["jobs->income"].low, items["jobs->income"].default, items["jobs->income"].high) == (1, 2, 3)


def test_a_lever_size_replaces_the_scenario_size_and_keeps_its_timing(model, grow):
    items = ov.levers(model.spec, [grow])
    assert ov.lever_sizes(items, grow) == {"jobs:step": 100.0}
    (item,) = ov.with_levers(items, grow, {"jobs:step": 150.0}, {})
    assert (item.node, item.height, item.start) == ("jobs", 150.0, 2026.0)
    assert ov.with_levers(items, None, {}, {}) == []  # no base and no size set: nothing


def test_timing_moves_a_ramp(model):
    ramp = load_scenario_text(
        GROW.replace("shape: step, height: 100, start: 2026", "shape: ramp, slope: 10, start: 2026, end: 2030"),
        "g.yaml",
        model,
    ).spec
    items = ov.levers(model.spec, [ramp])
    (item,) = ov.with_levers(items, ramp, {"jobs:ramp": 20.0}, {"jobs:ramp": [2027.0, 2029.0]})
    assert (item.slope, item.start, item.end) == (20.0, 2027.0, 2029.0)


def test_chosen_weights_become_overrides_that_keep_the_range(model, grow):
    changed = ov.changed_weights(model.spec, grow, {"jobs->income": 3.0, "jobs->elsewhere": -0.25, "no->link": 1.0})
    assert changed == {"jobs->income": 3.0}  # the unchanged one and an unknown link are left out
    (override,) = ov.weight_overrides(model.spec, grow, changed).links
    assert override.weight.central == 3.0 and override.weight.support == (1.0, 3.0)
    own = _scenario(grow.interventions, ov.weight_overrides(model.spec, grow, changed))
    assert run_deterministic(prepare_scenario(own, model.spec)).at(2035)[1] == pytest.approx(300.0)


def _edited(text: str):
    return load_model_text(text, "eigen-model.yaml").spec


def test_model_edits_become_overrides_with_the_same_numbers(model, grow):
    edited = (
        SMALL.replace("{low: 1, mode: 2, high: 3}", "{low: 1, mode: 2.5, high: 4}")
        .replace("weight: 0.5, lag: 1,", "weight: 0.5, lag: 2,")
        .replace("baseline: 30000", "baseline: 31000")
    )
    own = _edited(edited)
    overrides, lost = ov.model_edits(model.spec, own)
    assert lost == []
    assert {(o.source, o.target) for o in overrides.links} == {("jobs", "income"), ("jobs", "emissions")}
    assert [(o.id, o.baseline) for o in overrides.nodes] == [("income", 31000.0)]
    on_base = run_deterministic(prepare_scenario(_scenario(grow.interventions, overrides), model.spec))
    on_own = run_deterministic(prepare_scenario(grow, own))
    assert (on_base.value == on_own.value).all()  # bit for bit: the same model, said as overrides


def test_what_overrides_cannot_say_is_listed(model):
    other_network = SMALL.replace("  - {from: jobs, to: elsewhere, weight: {low: -0.5, mode: -0.25, high: 0}}\n", "")
    assert ov.model_edits(model.spec, _edited(other_network))[1] == [
        "the network itself (nodes or links added or removed)"
    ]
    kind = SMALL.replace("unit: kt,", "unit: kt, kind: stock,")
    assert ov.model_edits(model.spec, _edited(kind))[1] == ["node emissions: kind"]
    relabelled = SMALL.replace("nl: Inkomen", "nl: Besteedbaar inkomen")
    assert ov.model_edits(model.spec, _edited(relabelled)) == (Overrides(), [])


def test_a_bound_removed_is_listed_as_not_said():
    bounded = _edited(SMALL.replace("baseline: 100, direction: down", "baseline: 100, min: 0, direction: down"))
    assert ov.model_edits(bounded, _edited(SMALL))[1] == ["node emissions: min removed"]


def test_merged_overrides_let_the_second_win_field_by_field():
    first = Overrides.model_validate(
        {
            "links": [{"from": "jobs", "to": "income", "weight": 2.5, "lag": 2}],
            "nodes": [{"id": "income", "baseline": 31000}],
        }
    )
    then = Overrides.model_validate(
        {
            "links": [
                {"from": "jobs", "to": "income", "weight": 1.5},
                {"from": "jobs", "to": "elsewhere", "weight": -0.1},
            ]
        }
    )
    merged = ov.merge_overrides(first, then)
    income, elsewhere = merged.links
    assert (income.weight.central, income.lag.central, elsewhere.weight.central) == (1.5, 2.0, -0.1)
    assert merged.nodes == first.nodes
