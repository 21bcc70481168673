"""Capacity nodes (``kind: minimum`` / ``maximum``): analytic cases, the reference engine, bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from simulator.engine import simulate
from simulator.errors import InputError, NumericalError
from simulator.network import check_model
from simulator.spec import ModelSpec

from .builders import build_model, link, model_dict, node, prepare, run
from .reference_engine import reference_simulate
from .strategies import DELAYS, interventions, lagged_rings, link_shapes, models
from .test_cli import invoke
from .test_reference import assert_close

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "labour-capacity"
TIME = {"start": 2020.0, "end": 2030.0, "dt": 0.25}


def labour(**filled: Any) -> ModelSpec:
    """jobs_filled = min(demand, workers), vacancies = demand - filled (an ordinary auxiliary)."""
    nodes = [
        node("demand", 100.0),
        node("workers", 120.0),
        node("filled", kind="minimum", **filled),
        node("vacancies", 0.0),
    ]
    nodes[2].pop("baseline") if "baseline" not in filled else None
    links = [
        link("demand", "filled"),
        link("workers", "filled"),
        link("demand", "vacancies"),
        link("filled", "vacancies", -1.0),
    ]
    return build_model(nodes, links, TIME)


def column(result, node_id: str) -> np.ndarray:
    return result.delta[:, result.node_ids.index(node_id)]


def test_the_baseline_is_derived_and_the_baseline_run_returns_it():
    result = run(labour())
    assert np.all(result.baseline[:, result.node_ids.index("filled")] == 100.0)
    assert np.all(result.delta == 0.0)


def test_a_minimum_switches_to_the_other_input_when_demand_passes_the_workers():
    """Demand ramps by 10 a year from 2022: filled follows it until it reaches the 120 workers (2024)."""
    result = run(labour(), [{"node": "demand", "shape": "ramp", "slope": 10.0, "start": 2022.0, "end": 2030.0}])
    t = result.times
    demand = 10.0 * np.clip(t - 2022.0, 0.0, None)
    expected_filled = np.minimum(100.0 + demand, 120.0) - 100.0
    np.testing.assert_allclose(column(result, "filled"), expected_filled, rtol=0, atol=1e-12)
    np.testing.assert_allclose(column(result, "vacancies"), demand - expected_filled, rtol=0, atol=1e-12)
    assert column(result, "vacancies")[t <= 2024.0].max() == 0.0 and column(result, "vacancies")[-1] == 60.0


def test_a_maximum_takes_the_larger_input_and_an_intervention_adds_after_it():
    nodes = [node("a", 10.0), node("b", {"value": 5.0, "growth": 0.1}), node("top", kind="maximum")]
    nodes[2].pop("baseline")
    model = build_model(nodes, [link("a", "top"), link("b", "top", 2.0)], TIME)
    result = run(model, [{"node": "top", "shape": "step", "height": 1.0, "start": 2025.0}])
    t = result.times
    base = np.maximum(10.0, 2.0 * 5.0 * 1.1 ** (t - 2020.0))
    np.testing.assert_allclose(result.baseline[:, 2], base, rtol=1e-15)
    np.testing.assert_allclose(result.delta[:, 2], np.where(t >= 2025.0, 1.0, 0.0), atol=1e-12)


def test_lags_act_on_the_input_deviation_only():
    """A fixed lag of a year on the workers' input: a rise in workers fills jobs a year later."""
    nodes = [node("demand", 130.0), node("workers", 120.0), node("filled", kind="minimum")]
    nodes[2].pop("baseline")
    model = build_model(nodes, [link("demand", "filled"), link("workers", "filled", lag=1.0, delay="fixed")], TIME)
    result = run(model, [{"node": "workers", "shape": "step", "height": 5.0, "start": 2022.0}])
    t = result.times
    np.testing.assert_allclose(column(result, "filled"), np.where(t >= 2023.0 - 1e-9, 5.0, 0.0), atol=1e-12)


def test_superposition_fails_where_the_limit_binds_and_holds_where_it_does_not():
    model = labour()
    small = [{"node": "demand", "shape": "step", "height": 5.0, "start": 2022.0}]
    large = [{"node": "demand", "shape": "step", "height": 30.0, "start": 2022.0}]
    twice = [{**small[0], "height": 10.0}]
    assert np.array_equal(column(run(model, twice), "filled"), 2 * column(run(model, small), "filled"))
    double = [{**large[0], "height": 60.0}]
    binding, doubled = column(run(model, large), "filled"), column(run(model, double), "filled")
    assert binding.max() == 20.0 and doubled.max() == 20.0  # capped at the workers: not 2 x
    assert not np.allclose(doubled, 2 * binding)


# --- agreement with the reference engine on random models with capacity nodes -------------------


@st.composite
def capacity_cases(draw: st.DrawFn, rings: bool = False, shaped: bool = False):
    """Random models with one or two capacity nodes; c0 feeds 'after' (with ``shaped``, through a
    link shape: a capacity node as the source of a shaped link)."""
    nodes, links, dt = draw(lagged_rings() if rings else models(max_nodes=4))
    if len(nodes) < 2:
        nodes = [*nodes, node("z", draw(st.floats(1.0, 2.0)))]
    ids = [n["id"] for n in nodes]
    extra_nodes, extra_links = [], []
    for c in range(draw(st.integers(1, 2))):
        cid = f"c{c}"
        readable = ids + [f"c{i}" for i in range(c)]
        sources = draw(st.lists(st.sampled_from(readable), min_size=2, max_size=3, unique=True))
        bounds = {}
        if draw(st.booleans()):
            bounds["max"] = 1e6  # a bound far away (a capacity node's bounds clip like any node's)
        extra_nodes.append({**node(cid, **bounds), "kind": draw(st.sampled_from(["minimum", "maximum"]))})
        extra_nodes[-1].pop("baseline")
        for s in sources:
            delay = draw(st.sampled_from(DELAYS))
            lag = {
                "none": 0.0,
                "fixed": draw(st.floats(0.05, 2.0)),
                "exponential": draw(st.floats(dt, 2.0)),
                "third_order": draw(st.floats(3 * dt, 3.0)),
            }[delay]
            extra_links.append(link(s, cid, draw(st.floats(0.5, 1.5)), lag=lag, delay=delay))
    extra_nodes.append(node("after", 2.0))
    if shaped:
        weight = draw(st.floats(-1.0, 1.0).filter(lambda w: w != 0))
        extra_links.append(link("c0", "after", weight, shape=draw(link_shapes(weight))))
    else:
        extra_links.append(
            link("c0", "after", draw(st.floats(-1.0, 1.0)), form=draw(st.sampled_from(["linear", "elasticity"])))
        )
    steps = draw(st.integers(1, min(24, int(round(10 / dt)))))
    time = {"start": 2020.0, "end": 2020.0 + steps * dt, "dt": dt}
    model = build_model(nodes + extra_nodes, links + extra_links, time)
    items = draw(interventions([n["id"] for n in nodes + extra_nodes]))
    items.append({"node": ids[0], "shape": "step", "height": draw(st.floats(-3.0, 3.0)), "start": 2020.0})
    return model, items, time


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(capacity_cases())
def test_engine_matches_reference_with_capacity_nodes(case):
    model, items, time = case
    prepared = prepare(model, items, time)
    ours = simulate(prepared.compiled, prepared.inputs)[:, :, 0]
    assert_close(ours, reference_simulate(prepared.model, prepared.time, prepared.inputs))


@SETTINGS
@given(capacity_cases(rings=True))
def test_engine_matches_reference_with_capacity_nodes_after_a_lagged_ring(case):
    """The t_0 step solves the ring and then evaluates the capacity nodes that read it."""
    model, items, time = case
    prepared = prepare(model, items, time)
    ours = simulate(prepared.compiled, prepared.inputs, check_finite=False)[:, :, 0]
    assume(np.isfinite(ours).all())
    assert_close(ours, reference_simulate(prepared.model, prepared.time, prepared.inputs))


@SETTINGS
@given(capacity_cases(), st.integers(0, 2**32 - 1))
def test_every_member_matches_reference_with_capacity_nodes(case, seed):
    model, items, time = case
    prepared = prepare(model, items, time)
    rng = np.random.default_rng(seed)
    dt, n_members = prepared.time.dt, 3
    minimum = {"none": 0.0, "fixed": 0.05, "exponential": dt, "third_order": 3 * dt}
    lags = np.array(
        [
            [0.0 if lk.delay == "none" else minimum[lk.delay] + rng.uniform(0, 2) for _ in range(n_members)]
            for lk in model.links
        ]
    )
    ours = simulate(prepared.compiled, prepared.inputs, None, lags)
    for m in range(n_members):
        reference = reference_simulate(prepared.model, prepared.time, prepared.inputs, None, list(lags[:, m]))
        assert_close(ours[:, :, m], reference)


# --- bad input -----------------------------------------------------------------------------------


def problems_of(nodes: list[dict], links: list[dict]) -> list:
    return check_model(ModelSpec.model_validate(model_dict(nodes, links, TIME)))


def capacity_node(**extra: Any) -> dict:
    data = {**node("filled"), "kind": "minimum", **extra}
    if "baseline" not in extra:
        data.pop("baseline")
    return data


@pytest.mark.parametrize(
    ("nodes", "links", "place", "words"),
    [
        ([node("a"), capacity_node()], [link("a", "filled")], "nodes[1].kind", "1 input(s); it needs at least two"),
        (
            [node("a"), node("b"), capacity_node()],
            [link("a", "filled"), link("b", "filled", form="elasticity")],
            "links[1].form",
            "is an elasticity",
        ),
        (
            [node("a"), node("b"), capacity_node()],
            [link("a", "filled"), link("b", "filled", {"low": 0.5, "mode": 1.0, "high": 1.5})],
            "links[1].weight",
            "is uncertain",
        ),
        (
            [node("a", 10.0), node("b", 12.0), capacity_node(baseline=11.0)],
            [link("a", "filled"), link("b", "filled")],
            "nodes[2].baseline",
            "the smallest of its inputs' baselines, 10",
        ),
        (
            [node("a"), capacity_node(), {**capacity_node(), "id": "other"}],
            [
                link("a", "filled"),
                link("other", "filled", lag=1.0),
                link("a", "other"),
                link("filled", "other", lag=1.0),
            ],
            "nodes[2].kind",
            "read each other in a loop",
        ),
    ],
)
def test_bad_capacity_nodes_are_refused_with_place_and_fix(nodes, links, place, words):
    problems = problems_of(nodes, links)
    assert [p.place for p in problems if words in p.message] == [place], problems
    assert all(p.hint for p in problems)


@st.composite
def capacity_in_rings(draw: st.DrawFn):
    """A capacity node inside a ring of exponential / third-order links (a loop that passes its input
    through at t_0), reading the ring and an outside node, with bounds on some ring nodes."""
    dt = draw(st.sampled_from([0.1, 0.25, 0.5]))
    kind = draw(st.sampled_from(["minimum", "maximum"]))
    ring = [node(f"r{i}", draw(st.floats(1.0, 2.0))) for i in range(draw(st.integers(1, 3)))]
    for n in ring:
        if draw(st.booleans()):
            n["min"] = n["baseline"] - draw(st.floats(0.05, 0.5))
    outside = node("z", draw(st.floats(1.0, 2.0)))
    cap = {**node("c"), "kind": kind}
    cap.pop("baseline")
    order = ["c", *[n["id"] for n in ring]]

    def lagged(source: str, target: str, weight: float) -> dict:
        delay = draw(st.sampled_from(["exponential", "third_order"]))
        lag = draw(st.floats(dt, 2.0)) if delay == "exponential" else draw(st.floats(3 * dt, 3.0))
        return link(source, target, weight, lag=lag, delay=delay)

    links = [
        lagged(here, there, draw(st.floats(0.5, 1.2)) if here == "c" or there == "c" else draw(st.floats(-1.0, 1.0)))
        for here, there in zip(order, order[1:] + order[:1], strict=True)
    ]
    links.append(
        link(
            "z",
            "c",
            draw(st.floats(0.5, 1.5)),
            **draw(st.sampled_from([{"lag": 0.0, "delay": "none"}, {"lag": 0.5, "delay": "fixed"}])),
        )
    )
    steps = draw(st.integers(1, 12))
    time = {"start": 2020.0, "end": 2020.0 + steps * dt, "dt": dt}
    model = build_model([*ring, outside, cap], links, time)
    items = [
        {
            "node": draw(st.sampled_from(order + ["z"])),
            "shape": "step",
            "height": draw(st.floats(-3.0, 3.0)),
            "start": 2020.0,
        }
    ]
    items += draw(interventions([*order, "z"]))
    return model, items, time


@SETTINGS
@given(capacity_in_rings())
def test_engine_matches_reference_with_a_capacity_node_inside_a_lagged_ring(case):
    """At t_0 the ring through the capacity node is solved with its active input, switching until settled."""
    model, items, time = case
    prepared = prepare(model, items, time)
    assert prepared.compiled.initial_levels is None  # a loop at t_0
    ours = simulate(prepared.compiled, prepared.inputs, check_finite=False)[:, :, 0]
    assume(np.isfinite(ours).all())  # a ring of gain exactly 1 has no start value
    assert_close(ours, reference_simulate(prepared.model, prepared.time, prepared.inputs))


def test_a_ring_of_gain_above_one_through_a_bound_has_no_start_value_and_is_reported():
    """c = max(1.125 r2, 0.5 z) -> r0 -> r1 (min 0.5) -> r2 -> c, +1 on c at t_0: neither input of c and
    neither side of r1's bound gives a start value (d_c = -8 leaves the bound; held there, d_c = 0.4375
    puts r1 back inside), so the run stops with a NumericalError rather than report a value no
    equation gives (hypothesis found it; the reference engine does not settle either)."""
    ring = [node("r0", 1.0), {**node("r1", 1.0), "min": 0.5}, node("r2", 1.0)]
    cap = {**node("c"), "kind": "maximum"}
    cap.pop("baseline")
    links = [
        link("c", "r0", 1.0, lag=1.0, delay="exponential"),
        link("r0", "r1", 1.0, lag=1.0, delay="exponential"),
        link("r1", "r2", 1.0, lag=1.0, delay="exponential"),
        link("r2", "c", 1.125, lag=1.0, delay="exponential"),
        link("z", "c", 0.5),
    ]
    time = {"start": 2020.0, "end": 2020.1, "dt": 0.1}
    prepared = prepare(
        build_model([*ring, node("z", 1.0), cap], links, time),
        [{"node": "c", "shape": "step", "height": 1.0, "start": 2020.0}],
        time,
    )
    with pytest.raises(NumericalError):
        simulate(prepared.compiled, prepared.inputs)
    with pytest.raises(RuntimeError, match="did not settle"):
        reference_simulate(prepared.model, prepared.time, prepared.inputs)


def test_a_capacity_node_in_a_ring_switches_input_at_the_start():
    """r -> c (min with z) -> r, both exponential: at t_0, d_r = u_r + 0.5 d_c and d_c = min(...) - b_c."""
    nodes = [node("r", 10.0), node("z", 12.0), {**node("c"), "kind": "minimum"}]
    nodes[2].pop("baseline")
    links = [
        link("r", "c", 1.0, lag=1.0, delay="exponential"),
        link("z", "c", 1.0),
        link("c", "r", 0.5, lag=1.0, delay="exponential"),
    ]
    time = {"start": 2020.0, "end": 2021.0, "dt": 0.25}
    prepared = prepare(
        build_model(nodes, links, time), [{"node": "r", "shape": "step", "height": 6.0, "start": 2020.0}], time
    )
    d = simulate(prepared.compiled, prepared.inputs)[0, :, 0]
    # with r active: d_c = d_r = 6 + 0.5 d_c -> 12, r = 22 > z = 12: so z is active, d_c = 12 - 10 = 2
    assert d[2] == 2.0 and d[0] == 6.0 + 0.5 * 2.0
    assert_close(
        simulate(prepared.compiled, prepared.inputs)[:, :, 0],
        reference_simulate(prepared.model, prepared.time, prepared.inputs),
    )


def test_a_given_baseline_that_agrees_is_accepted():
    assert not problems_of(
        [node("a", 10.0), node("b", 12.0), capacity_node(baseline=10.0)], [link("a", "filled"), link("b", "filled")]
    )


def test_decay_on_a_capacity_node_is_refused():
    with pytest.raises(ValueError, match="is a minimum node"):
        ModelSpec.model_validate(model_dict([node("a"), node("b"), capacity_node(decay=0.1)], [], TIME))


def test_a_bad_capacity_node_in_a_file_is_refused_with_file_and_line(tmp_path):
    model = yaml.safe_load((EXAMPLE / "model.yaml").read_text())
    model["links"] = [lk for lk in model["links"] if lk["from"] != "available_workers" or lk["to"] != "jobs_filled"]
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump(model, sort_keys=False))
    done = invoke("validate", str(path))
    assert done.exit_code == 2, done.output
    text = done.output
    assert "model.yaml" in text and "nodes[2].kind" in text and "needs at least two" in text
    assert "Traceback" not in text
    line = next(i for i, row in enumerate(path.read_text().splitlines(), 1) if "kind: minimum" in row)
    assert f":{line}" in text


def test_the_example_validates_and_runs_through_the_cli(tmp_path):
    for args in (
        ["validate", str(EXAMPLE / "model.yaml"), str(EXAMPLE / "scenario.yaml")],
        ["run", str(EXAMPLE / "scenario.yaml"), "--out", str(tmp_path)],
    ):
        done = invoke(*args)
        assert done.exit_code == 0, done.output
    import csv

    rows = {
        (r["node"], float(r["time"])): r
        for r in csv.DictReader((tmp_path / "results.csv").open())
        if r["scenario"] != "baseline"
    }
    assert float(rows[("jobs_filled", 2030.0)]["value"]) == 4200.0  # demand 5,000, workers 4,200
    assert float(rows[("vacancies", 2030.0)]["value"]) == 800.0
    assert float(rows[("jobs_filled", 2035.0)]["value"]) == 4500.0  # 300 more workers from 2032 (+ 0.5 y)


def test_a_spec_built_in_code_is_refused_by_compile_with_the_same_message():
    from simulator.compiler import compile_model

    spec = ModelSpec.model_validate(model_dict([node("a"), capacity_node()], [link("a", "filled")], TIME))
    with pytest.raises(InputError, match="needs at least two"):
        compile_model(spec)


@pytest.mark.parametrize(
    ("override", "place", "words"),
    [
        ("nodes: [{id: jobs_filled, baseline: 4100}]", "overrides.nodes[0].baseline", "the smallest of its inputs"),
        (
            "links: [{from: labour_demand, to: jobs_filled, weight: {low: 0.9, mode: 1, high: 1.1}}]",
            "overrides.links[0].weight",
            "is uncertain",
        ),
    ],
)
def test_a_scenarios_override_that_breaks_a_capacity_node_is_refused_at_the_override(tmp_path, override, place, words):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(
        f"name: s\nmodel: {EXAMPLE / 'model.yaml'}\ntitle: s\n"
        f"interventions: [{{node: labour_demand, shape: step, height: 100, start: 2027}}]\n"
        f"overrides:\n  {override}\n"
    )
    done = invoke("validate", str(scenario))
    assert done.exit_code == 2 and place in done.output and words in done.output, done.output
    assert "scenario.yaml:6:" in done.output  # the override's line


def test_tracing_parts_add_up_on_random_models_with_capacity_nodes():
    """Hypothesis: incoming and path parts add up to the deviation through capacity nodes."""
    from simulator.analysis.tracing import incoming, trace_paths

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(capacity_cases())
    def check(case):
        model, items, time = case
        prepared = prepare(model, items, time)
        cm = prepared.compiled
        d = simulate(cm, prepared.inputs)[:, :, 0]
        k = cm.times.size - 1
        for i in np.flatnonzero(cm.capacity).tolist() + [cm.index("after")]:
            scale = max(1.0, float(np.abs(d[:, i]).max()))
            assert incoming(cm, prepared.inputs, d, i, k)["value"].sum() == pytest.approx(d[k, i], abs=1e-9 * scale)
            paths = trace_paths(cm, prepared.inputs, d, i, k)
            assert abs(paths.iloc[-1]["value"]) <= 1e-9 * scale  # "other": the rounding only

    check()


def test_a_ring_with_bounds_before_a_capacity_node_keeps_the_rings_start_values():
    """Found by hypothesis: at t_0 the ring's nodes leaving their bounds are held together, as in a
    model without the capacity node (ENGINE.md's t_0 solve), and the capacity node reads the result."""
    nodes = [node("n0", 1.0, min=0.9), node("n1", 1.5, min=0.9), {**node("c0"), "kind": "minimum"}, node("after", 2.0)]
    nodes[2].pop("baseline")
    links = [
        link("n1", "n0", 0.0, lag=1.0, delay="fixed"),
        link("n0", "n0", 0.0, lag=1.0, delay="exponential"),
        link("n0", "n1", 1.0, lag=1.0, delay="exponential"),
        link("n0", "c0"),
        link("n1", "c0"),
        link("c0", "after", 0.5),
    ]
    time = {"start": 2020.0, "end": 2020.1, "dt": 0.1}
    items = [{"node": "n0", "shape": "step", "height": -1.0, "start": 2020.0}]
    prepared = prepare(build_model(nodes, links, time), items, time)
    ours = simulate(prepared.compiled, prepared.inputs)[:, :, 0]
    without = prepare(build_model(nodes[:2], links[:3], time), items, time)
    np.testing.assert_array_equal(ours[:, :2], simulate(without.compiled, without.inputs)[:, :, 0])
    assert ours[0, 2] == pytest.approx(0.9 - 1.0)  # min(n0 = 0.9, n1 = 0.9) - min(1.0, 1.5)
    assert_close(ours, reference_simulate(prepared.model, prepared.time, prepared.inputs))


def test_explain_shows_the_switch_part_of_a_capacity_node():
    done = invoke("explain", str(EXAMPLE / "scenario.yaml"), "--node", "jobs_filled", "--year", "2031")
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert any(line.split()[:2] == ["switch", "200"] for line in lines), done.output  # 4,200 workers - 4,000
    assert "a capacity limit (a minimum or maximum node) switched input" in done.output


def test_the_apps_probe_scenario_reads_a_capacity_nodes_derived_baseline():
    from simulator.app.model_input import probe_scenario
    from simulator.io.spec_files import load_model

    items = {i.node: i.param("height") for i in probe_scenario(load_model(EXAMPLE / "model.yaml").spec).interventions}
    assert items["jobs_filled"] == 40.0  # 1 % of the derived 4,000
