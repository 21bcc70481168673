"""Properties that must hold for every model: zero in, zero out; superposition; no leaks."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.engine import simulate
from simulator.network import apply_overrides
from simulator.spec import ScenarioSpec

from .builders import build_model, link, node, prepare, run
from .strategies import interventions, models

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TIME = {"start": 2020.0, "end": 2026.0, "dt": 0.25}


def fit_time(dt: float) -> dict:
    return {"start": 2020.0, "end": 2020.0 + min(24, round(6 / dt)) * dt, "dt": dt}


@SETTINGS
@given(models())
def test_no_interventions_give_zero_deviation_and_the_baselines(drawn):
    """Bounds included: every generated baseline lies inside its bounds."""
    nodes, links, dt = drawn
    model = build_model(nodes, links, fit_time(dt))
    result = run(model, [])
    np.testing.assert_array_equal(result.delta, 0.0)
    np.testing.assert_array_equal(result.value, result.baseline)


@SETTINGS
@given(models(), st.data())
def test_zero_weights_keep_everything_but_the_intervened_nodes_at_baseline(drawn, data):
    nodes, links, dt = drawn
    auxiliaries = [n["id"] for n in nodes if n.get("kind", "auxiliary") == "auxiliary"]
    if not auxiliaries:
        return
    links = [lk | {"weight": 0.0} for lk in links]
    model = build_model(nodes, links, fit_time(dt))
    items = data.draw(interventions(auxiliaries))
    result = run(model, items)
    touched = {item["node"] for item in items}
    for i, node_id in enumerate(result.node_ids):
        if node_id not in touched:
            np.testing.assert_array_equal(result.delta[:, i], 0.0)


@SETTINGS
@given(models(linear_only=True, bounds=False), st.data(), st.floats(-3.0, 3.0))
def test_superposition_for_linear_models_without_bounds(drawn, data, factor):
    """Scaling every intervention scales every deviation; two scenarios' inputs add up."""
    nodes, links, dt = drawn
    model = build_model(nodes, links, fit_time(dt))
    ids = [n["id"] for n in nodes]
    first = prepare(model, data.draw(interventions(ids)))
    second = prepare(model, data.draw(interventions(ids)))
    cm = first.compiled
    d1, d2 = simulate(cm, first.inputs), simulate(cm, second.inputs)
    scale = max(1.0, np.abs(d1).max(), np.abs(d2).max())
    np.testing.assert_allclose(simulate(cm, 2.0 * first.inputs), 2.0 * d1, rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(
        simulate(cm, factor * first.inputs), factor * d1, rtol=0, atol=1e-12 * scale * max(1.0, abs(factor))
    )
    np.testing.assert_allclose(simulate(cm, first.inputs + second.inputs), d1 + d2, rtol=0, atol=1e-12 * scale)


def test_doubling_every_intervention_doubles_every_deviation_through_scenario_files():
    """The same property on the file form: each height, slope and series value doubled."""
    model = build_model(
        [node("a"), node("s", kind="stock", decay=0.1), node("c", 5.0)],
        [
            link("a", "s", 0.5, lag=1.0, delay="third_order"),
            link("s", "c", -1.0),
            link("c", "a", 0.2, lag=0.5, delay="fixed"),
        ],
    )
    items = [
        {"node": "a", "shape": "ramp", "slope": 1.0, "start": 2021, "end": 2023},
        {"node": "c", "shape": "pulse", "height": 0.3, "start": 2020.5, "width": 1},
        {"node": "s", "shape": "series", "values": {2021: 1.0, 2024: -1.0}},
        {"node": "c", "shape": "step", "height": 0.1, "start": 2022, "relative": True},
    ]
    doubled = [dict(item) for item in items]
    for item in doubled:
        for key in ("slope", "height"):
            if key in item:
                item[key] *= 2
        if "values" in item:
            item["values"] = {y: 2 * v for y, v in item["values"].items()}
    once, twice = run(model, items).delta, run(model, doubled).delta
    assert np.abs(once).max() > 0
    np.testing.assert_allclose(twice, 2 * once, rtol=1e-13, atol=1e-13)


@SETTINGS
@given(models(), st.data())
def test_a_one_member_ensemble_is_the_deterministic_run(drawn, data):
    nodes, links, dt = drawn
    model = build_model(nodes, links, fit_time(dt))
    prepared = prepare(model, data.draw(interventions([n["id"] for n in nodes])))
    cm = prepared.compiled
    deterministic = simulate(cm, prepared.inputs)
    members = simulate(cm, prepared.inputs, cm.weight[:, None], cm.lag[:, None])
    np.testing.assert_array_equal(members, deterministic)
    many = simulate(cm, prepared.inputs, np.repeat(cm.weight[:, None], 4, 1), np.repeat(cm.lag[:, None], 4, 1))
    for m in range(4):
        np.testing.assert_array_equal(many[:, :, m], deterministic[:, :, 0])


def test_a_scenario_never_changes_its_model():
    model = build_model([node("a"), node("b", 4.0)], [link("a", "b", 1.0, lag=1.0, delay="exponential")])
    before = model.model_dump()
    overrides = {
        "links": [{"from": "a", "to": "b", "weight": 3.0, "lag": 2.0}],
        "nodes": [{"id": "b", "baseline": 9.0, "max": 20.0}],
    }
    changed = run(model, [{"node": "a", "shape": "step", "height": 1.0, "start": 2021}], overrides=overrides)
    assert model.model_dump() == before
    plain = run(model, [{"node": "a", "shape": "step", "height": 1.0, "start": 2021}])
    assert changed.baseline[0, 1] == 9.0 and plain.baseline[0, 1] == 4.0
    assert changed.delta[-1, 1] > 2.5 and plain.delta[-1, 1] < 1.0 + 1e-12
    scenario = ScenarioSpec.model_validate({"name": "s", "model": "m", "overrides": overrides})
    assert apply_overrides(model, scenario).links[0].weight.central == 3.0
    assert model.links[0].weight.central == 1.0
