"""Tracing: link parts and path parts add up to the deviation; the built-in dominant path wins."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.analysis.tracing import (
    incoming,
    incoming_parts,
    link_effects,
    loop_parts,
    trace_paths,
)
from simulator.engine import simulate

from .helpers import link, model, node, prepared

DELAYS = [
    {"lag": 0.0},
    {"lag": 1.0, "delay": "exponential"},
    {"lag": 1.5, "delay": "third_order"},
    {"lag": 0.75, "delay": "fixed"},
]


def random_model(seed: int, cyclic: bool):
    """Six nodes (two stocks, one elasticity target), random weights and delays."""
    rng = np.random.default_rng(seed)
    nodes = [
        node("a"),
        node("b", kind="stock", decay=0.2),
        node("c", baseline=40.0),
        node("e"),
        node("f", kind="stock"),
        node("g", baseline=250.0),
    ]
    pairs = [("a", "b"), ("a", "c"), ("b", "c"), ("c", "e"), ("b", "e"), ("e", "f"), ("c", "g"), ("f", "g")]
    if cyclic:
        pairs += [("g", "a"), ("e", "b")]
    links = []
    for s, t in pairs:
        lag = DELAYS[int(rng.integers(len(DELAYS)))]
        if s == "g" and t == "a":
            lag = DELAYS[1]  # keep the loop free of zero-lag cycles
        form = "elasticity" if t == "g" else "linear"
        links.append(link(s, t, float(rng.uniform(-1, 1)) * (0.3 if cyclic else 1.0), form=form, **lag))
    return model(nodes, links)


def run(spec, interventions):
    p = prepared(spec, interventions)
    return p, simulate(p.compiled, p.inputs)[:, :, 0]


INTERVENTIONS = [
    {"node": "a", "shape": "ramp", "slope": 2.0, "start": 2026, "end": 2030},
    {"node": "b", "shape": "pulse", "height": 5.0, "start": 2027, "width": 1.0},
]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("cyclic", [False, True])
def test_incoming_parts_add_up_to_the_deviation(seed, cyclic):
    spec = random_model(seed, cyclic)
    p, d = run(spec, INTERVENTIONS)
    assert np.abs(d).max() > 0.1
    for i in range(p.compiled.n_nodes):
        own, links, parts, bounds = incoming_parts(p.compiled, p.inputs, d, i)
        assert np.allclose(own + parts.sum(axis=1), d[:, i], atol=1e-9, rtol=0)
        assert np.abs(bounds).max() < 1e-9


def test_link_effects_are_the_engines_auxiliary_sums():
    # an auxiliary's deviation is u + the sum of its incoming effects, every step
    spec = random_model(5, cyclic=True)
    p, d = run(spec, INTERVENTIONS)
    e = link_effects(p.compiled, d)
    cm = p.compiled
    gather_all = (cm.target[None, :] == np.arange(cm.n_nodes)[:, None]).astype(float)  # every link into its target
    gathered = e @ gather_all.T + p.inputs
    aux = ~p.compiled.is_stock
    assert np.allclose(gathered[:, aux], d[:, aux], atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("cyclic", [False, True])
def test_path_parts_add_up_exactly(seed, cyclic):
    spec = random_model(seed, cyclic)
    p, d = run(spec, INTERVENTIONS)
    cm = p.compiled
    for k in (cm.times.size - 1, 12):
        for target in ("g", "e", "b"):
            i = cm.index(target)
            paths = trace_paths(cm, p.inputs, d, i, k)
            listed = paths[paths["part"] != "other"]["value"].sum()
            assert listed == pytest.approx(d[k, i], abs=1e-9)
            assert abs(paths.iloc[-1]["value"]) < 1e-9 and paths.iloc[-1]["part"] == "other"
            if not cyclic:
                assert not (paths["part"] == "feedback").any()


def test_feedback_of_a_stock_self_loop_is_its_decay_like_part():
    # s' = u + g s: the parts are the intervention (integrated) and the loop s -> s
    spec = model([node("s", kind="stock")], [link("s", "s", -0.4)])
    p, d = run(spec, [{"node": "s", "shape": "step", "height": 1.0, "start": 2025}])
    k = p.compiled.times.size - 1
    paths = trace_paths(p.compiled, p.inputs, d, 0, k)
    parts = dict(zip(paths["part"], paths["value"], strict=True))
    assert parts["path"] == pytest.approx(10.0)  # 40 steps of 0.25 * 1
    assert parts["feedback"] == pytest.approx(d[k, 0] - 10.0)
    assert list(loop_parts(paths)["loop"]) == ["s -> s"]


def test_dominant_path_in_a_chain_is_the_one_built_to_dominate():
    spec = model(
        [node("x"), node("strong"), node("weak"), node("y")],
        [
            link("x", "strong", 2.0, lag=1.0),
            link("strong", "y", 1.5, lag=0.5, delay="fixed"),
            link("x", "weak", 0.2, lag=1.0),
            link("weak", "y", -0.5),
        ],
    )
    p, d = run(spec, [{"node": "x", "shape": "step", "height": 1.0, "start": 2026}])
    k = p.compiled.times.size - 1
    y = p.compiled.index("y")
    paths = trace_paths(p.compiled, p.inputs, d, y, k)
    assert list(paths["part"]) == ["path", "path", "other"]
    assert list(paths["path"][:2]) == ["x -> strong -> y", "x -> weak -> y"]
    assert paths["share"].iloc[0] == pytest.approx(3.0 / 2.9)  # 2*1.5 over 2*1.5 - 0.2*0.5
    table = incoming(p.compiled, p.inputs, d, y, k)
    assert list(table["link"]) == ["strong->y", "weak->y"]
    assert table["value"].sum() == pytest.approx(d[k, y], abs=1e-12)


def test_bounds_part_shows_clipping():
    spec = model([node("a"), node("b", max=101.0)], [link("a", "b", 1.0)])
    p, d = run(spec, [{"node": "a", "shape": "step", "height": 3.0, "start": 2026}])
    k = p.compiled.times.size - 1
    table = incoming(p.compiled, p.inputs, d, 1, k)
    parts = dict(zip(table["part"], table["value"], strict=True))
    assert parts["link"] == pytest.approx(3.0) and parts["bounds"] == pytest.approx(-2.0)
    assert table["value"].sum() == pytest.approx(d[k, 1])


def test_by_intervention_is_exact_superposition_and_shows_interaction_with_bounds():
    from simulator.analysis.tracing import by_intervention

    spec = random_model(2, cyclic=True)
    p, d = run(spec, INTERVENTIONS)
    k = p.compiled.times.size - 1
    table = by_intervention(p.compiled, p.interventions, p.compiled.index("g"), k)
    assert list(table["part"]) == ["intervention", "intervention", "interaction"]
    assert table["value"].sum() == pytest.approx(d[k, p.compiled.index("g")], abs=1e-12)
    assert abs(table["value"].iloc[-1]) < 1e-9
    assert all(abs(v) > 1e-6 for v in table["value"][:2])
    bounded = model([node("a"), node("b", max=101.0)], [link("a", "b", 1.0)])
    q, _ = run(
        bounded,
        [
            {"node": "a", "shape": "step", "height": 1.0, "start": 2026},
            {"node": "a", "shape": "step", "height": 1.5, "start": 2027},
        ],
    )
    table = by_intervention(q.compiled, q.interventions, 1, q.compiled.times.size - 1)
    assert list(table["value"]) == pytest.approx([1.0, 1.0, -1.0])  # max 101 caps each alone and both
