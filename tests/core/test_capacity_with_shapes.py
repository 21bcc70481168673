"""Capacity nodes together with link shapes, expert scores and units (the features of main).

A shaped link INTO a capacity node is refused (its input is a value ``w * (b + L[d])``);
a capacity node may be the SOURCE of a shaped link (tested against the analytic value
and the reference engine, with and without a ``t_0`` loop); an expert-scored link into
one is refused (a score is a range of weights); a ``weight_unit`` into one is the
node's unit per the source's unit, as for every linear link.
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from hypothesis import assume, given

from simulator.engine import simulate
from simulator.errors import InputError
from simulator.network import check_model, unit_problems
from simulator.spec import ModelSpec

from .builders import build_model, link, model_dict, node, prepare, run
from .reference_engine import reference_simulate
from .test_capacity import SETTINGS, TIME, capacity_cases, capacity_node
from .test_cli import invoke
from .test_reference import assert_close


def problems_of(nodes: list[dict], links: list[dict]) -> list:
    return check_model(ModelSpec.model_validate(model_dict(nodes, links, TIME)))


# --- a shaped link into a capacity node: refused ---------------------------------------------------


@pytest.mark.parametrize(
    "shape",
    [
        {"kind": "saturation", "max": 5.0},
        {"kind": "threshold", "level": 9.0},
        {"kind": "lookup", "points": [[0.0, 0.0], [20.0, 20.0]]},
    ],
)
def test_a_shaped_link_into_a_capacity_node_is_refused_at_its_shape(shape):
    problems = problems_of(
        [node("a"), node("b"), capacity_node()], [link("a", "filled"), link("b", "filled", shape=shape)]
    )
    found = [p for p in problems if "into the minimum node 'filled'" in p.message]
    assert [p.place for p in found] == ["links[1].shape"], problems
    assert shape["kind"] in found[0].message and "b->filled" in found[0].message
    assert "auxiliary" in found[0].hint


def test_a_shaped_link_into_a_capacity_node_in_a_file_names_file_line_and_fix(tmp_path):
    text = yaml.safe_dump(
        model_dict(
            [node("a"), node("b"), capacity_node()],
            [link("a", "filled"), link("b", "filled", shape={"kind": "saturation", "max": 5.0})],
            TIME,
        ),
        sort_keys=False,
    )
    path = tmp_path / "model.yaml"
    path.write_text(text)
    done = invoke("validate", str(path), "--lang", "en")
    assert done.exit_code == 2, done.output
    assert "Traceback" not in done.output
    assert "model.yaml" in done.output and "links[1].shape" in done.output and "b->filled" in done.output
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "shape:" in row)
    assert f":{line}" in done.output
    assert "auxiliary" in done.output  # the fix


def test_a_shaped_link_into_a_capacity_node_built_in_code_is_refused_by_compile():
    from simulator.compiler import compile_model

    model = ModelSpec.model_validate(
        model_dict(
            [node("a"), node("b"), capacity_node()],
            [link("a", "filled"), link("b", "filled", shape={"kind": "threshold", "level": 9.0})],
            TIME,
        )
    )
    with pytest.raises(InputError) as caught:
        compile_model(model)
    assert [p.place for p in caught.value.problems] == ["links[1].shape"]


def test_a_shaped_link_on_a_start_loop_through_a_capacity_node_is_refused():
    """A capacity node passes its input through at t_0 like an auxiliary: a shape on that loop is refused."""
    nodes = [node("r", 10.0), node("z", 12.0), capacity_node(), node("back", 5.0)]
    links = [
        link("r", "filled", lag=1.0, delay="exponential"),
        link("z", "filled"),
        link("filled", "back", 0.5, shape={"kind": "saturation", "max": 3.0}),
        link("back", "r", 1.0, lag=1.0, delay="exponential"),
    ]
    problems = problems_of(nodes, links)
    assert [p.place for p in problems if "lies on a loop" in p.message] == ["links[2].shape"], problems


# --- an expert-scored link into a capacity node: refused, saying why ----------------------------


def test_an_expert_scored_link_into_a_capacity_node_is_refused_as_uncertain():
    scored = {"from": "b", "to": "filled", "score": 2}
    problems = problems_of([node("a"), node("b"), capacity_node()], [link("a", "filled"), scored])
    found = [p for p in problems if "into the minimum node" in p.message]
    assert [p.place for p in found] == ["links[1].score"], problems
    assert "expert-scored" in found[0].message and "uncertain" in found[0].message
    assert "instead of the score" in found[0].hint


# --- a capacity node as the source of a shaped link -----------------------------------------------


def test_a_capacity_node_feeds_a_saturation_analytically():
    """filled = min(demand, workers) ramps to the 120 workers; effect = max (1 - exp(-w d / max))."""
    nodes = [node("demand", 100.0), node("workers", 120.0), capacity_node(), node("service", 50.0)]
    links = [
        link("demand", "filled"),
        link("workers", "filled"),
        link("filled", "service", 0.5, shape={"kind": "saturation", "max": 4.0}),
    ]
    result = run(
        build_model(nodes, links, TIME),
        [{"node": "demand", "shape": "ramp", "slope": 10.0, "start": 2022.0, "end": 2030.0}],
    )
    t = result.times
    filled = np.minimum(10.0 * np.clip(t - 2022.0, 0.0, None), 20.0)
    service = 4.0 * (1.0 - np.exp(-0.5 * filled / 4.0))
    i = result.node_ids.index
    np.testing.assert_allclose(result.delta[:, i("filled")], filled, rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.delta[:, i("service")], service, rtol=1e-12, atol=1e-12)
    assert service[-1] < 0.5 * 20.0  # the saturation levels it off


@SETTINGS
@given(capacity_cases(shaped=True))
def test_engine_matches_reference_with_a_capacity_node_feeding_a_shaped_link(case):
    model, items, time = case
    prepared = prepare(model, items, time)
    assert prepared.compiled.has_shapes
    ours = simulate(prepared.compiled, prepared.inputs)[:, :, 0]
    assert_close(ours, reference_simulate(prepared.model, prepared.time, prepared.inputs))


@SETTINGS
@given(capacity_cases(rings=True, shaped=True))
def test_engine_matches_reference_with_shapes_capacity_nodes_and_a_start_loop(case):
    """t_0 with a pass-through loop, capacity nodes and a shaped link: the group-by-group solve with
    capacity rows agrees with the reference engine's dense active-set solve."""
    model, items, time = case
    prepared = prepare(model, items, time)
    assert prepared.compiled.has_shapes
    assume(prepared.compiled.initial_levels is None)  # the ring closed (a drawn link may already hold a pair)
    ours = simulate(prepared.compiled, prepared.inputs, check_finite=False)[:, :, 0]
    assume(np.isfinite(ours).all())
    assert_close(ours, reference_simulate(prepared.model, prepared.time, prepared.inputs))


# --- units of links into a capacity node ----------------------------------------------------------


def unit_model(weight_unit: str) -> ModelSpec:
    return ModelSpec.model_validate(
        model_dict(
            [
                node("demand", 100.0, unit="jobs"),
                node("workers", 120.0, unit="persons"),
                {**capacity_node(), "unit": "jobs"},
            ],
            [link("demand", "filled", weight_unit="jobs/jobs"), link("workers", "filled", weight_unit=weight_unit)],
            TIME,
        )
    )


@pytest.mark.parametrize("weight_unit", ["jobs/person", "jobs per person"])
def test_a_weight_into_a_capacity_node_in_target_per_source_unit_passes(weight_unit):
    assert not unit_problems(unit_model(weight_unit))


@pytest.mark.parametrize(
    ("weight_unit", "words"),
    [
        ("persons/job", "does not fit its nodes"),  # the inverse
        ("jobs", "does not fit its nodes"),  # a value, not a rate per source unit
        ("kjobs/person", "times"),  # the right dimension, 1000 times too large
    ],
)
def test_a_weight_into_a_capacity_node_in_another_unit_is_refused(weight_unit, words):
    problems = unit_problems(unit_model(weight_unit))
    assert [p.place for p in problems] == ["links[1].weight_unit"], problems
    assert words in problems[0].message and "jobs per person" in problems[0].message + problems[0].hint


def test_the_labour_capacity_example_has_units_pint_reads():
    from pathlib import Path

    from simulator.io.spec_files import load_model

    root = Path(__file__).resolve().parents[2]
    model = load_model(root / "examples" / "labour-capacity" / "model.yaml").spec
    assert not unit_problems(model)


# --- a scored link out of a capacity node: its scale reads the derived baseline ---------------------


def test_a_scored_link_from_a_capacity_node_is_scaled_by_its_derived_baseline():
    """filled = min(100, 2 * 60) = 100 at the start; a score on filled -> service (baseline 50) is an
    elasticity at the baselines, so its scale is 50 / 100."""
    model = build_model(
        [node("demand", 100.0), node("workers", 60.0), capacity_node(), node("service", 50.0)],
        [link("demand", "filled"), link("workers", "filled", 2.0), {"from": "filled", "to": "service", "score": 2}],
        TIME,
    )
    weight = model.links[2].weight
    assert weight.scale == pytest.approx(0.5, rel=1e-15)
    result = run(model, [{"node": "demand", "shape": "step", "height": -10.0, "start": 2021.0}])
    i = result.node_ids.index
    np.testing.assert_allclose(result.delta[-1, i("service")], -10.0 * weight.central, rtol=1e-12)


# --- stability of a model with both: one run gives the active inputs and the slopes ---------------


def test_stability_of_a_model_with_both_is_taken_around_the_run():
    """filled = min(demand, workers) feeds a saturation into a stock that feeds demand back: the check
    around a run reads the run's active input at every step and says it is linearised around the run."""
    from simulator.analysis.stability import active_at, check_stability, step_map

    nodes = [
        node("demand", 100.0),
        node("workers", 120.0),
        capacity_node(),
        node("pool", 10.0, kind="stock"),
        node("service", 5.0),
    ]
    links = [
        link("demand", "filled"),
        link("workers", "filled"),
        link("filled", "service", 0.5, shape={"kind": "saturation", "max": 4.0}),
        link("service", "pool", 1.0),
        link("pool", "demand", 0.3, lag=1.0, delay="exponential"),
    ]
    model = build_model(nodes, links, TIME)
    prepared = prepare(model, [{"node": "demand", "shape": "step", "height": 40.0, "start": 2021.0}], TIME)
    cm = prepared.compiled
    d = simulate(cm, prepared.inputs)[:, :, 0]
    before = check_stability(model, cm)
    around = check_stability(model, cm, run=d)
    assert before.linearised == "baseline" and around.linearised == "run"
    k = cm.times.size - 1  # demand 140 + feedback > 120 workers: the workers' input is active at the end
    assert active_at(cm, k, run=d)[1] == 1.0 and active_at(cm, k, run=d)[0] == 0.0
    # with the workers active, the loop through the capacity node is open: no eigenvalue from the loop
    with_run = step_map(cm, k, run=d, active=active_at(cm, k, run=d))[0]
    at_base = step_map(cm, k, run=d, active=active_at(cm, k))[0]
    assert not np.allclose(with_run, at_base)
