"""Loops: exactly the cycles built, with the right polarity, lag and gain."""

from __future__ import annotations

import pytest

from simulator.analysis.loops import find_loops, loops_frame

from .helpers import link, model, node


def two_loop_model():
    # R: a -> b -> a (+0.5 * +0.4), lags 1 + 2; B: b -> c -> b (+0.3 * -2), lags 0.5 + 0
    return model(
        [node("a"), node("b"), node("c"), node("d")],
        [
            link("a", "b", 0.5, lag=1.0),
            link("b", "a", 0.4, lag=2.0, delay="fixed"),
            link("b", "c", 0.3, lag=0.5),
            link("c", "b", -2.0),
            link("c", "d", 1.0),
        ],
    )


def test_one_reinforcing_and_one_balancing_loop():
    loops = find_loops(two_loop_model())
    assert [(lp.id, lp.nodes, lp.polarity) for lp in loops] == [
        ("R1", ("a", "b"), "reinforcing"),
        ("B1", ("b", "c"), "balancing"),
    ]
    assert loops[0].lag == pytest.approx(3.0)
    assert loops[1].lag == pytest.approx(0.5)
    assert loops[0].gain == pytest.approx(0.2)
    assert loops[1].gain == pytest.approx(-0.6)
    assert loops[0].links == (0, 1)
    assert loops[1].path == "b -> c -> b"


def test_acyclic_model_has_no_loops_and_an_empty_table():
    spec = model([node("a"), node("b")], [link("a", "b", 1.0)])
    assert find_loops(spec) == []
    assert list(loops_frame([]).columns) == ["id", "polarity", "length", "lag", "gain", "path"]


def test_elasticity_polarity_is_the_weight_sign_and_gain_uses_baselines():
    spec = model(
        [node("a", baseline=10.0), node("b", baseline=200.0)],
        [link("a", "b", -0.5, form="elasticity", lag=1.0), link("b", "a", 2.0, lag=1.0)],
    )
    (loop,) = find_loops(spec)
    assert loop.polarity == "balancing"
    assert loop.gain == pytest.approx(-0.5 * 200.0 / 10.0 * 2.0)


def test_zero_weight_makes_an_inactive_loop_and_self_loops_count():
    spec = model(
        [node("a", kind="stock"), node("b")], [link("a", "a", 0.1), link("a", "b", 0.0, lag=1.0), link("b", "a", 1.0)]
    )
    loops = find_loops(spec)
    assert [(lp.nodes, lp.polarity) for lp in loops] == [(("a",), "reinforcing"), (("a", "b"), "inactive")]
    assert [lp.id for lp in loops] == ["R1", "N1"]


def test_three_node_loop_starts_at_the_first_node_in_file_order():
    spec = model(
        [node("x"), node("y"), node("z")], [link("y", "z", 1.0, lag=1.0), link("z", "x", -1.0), link("x", "y", -1.0)]
    )
    (loop,) = find_loops(spec)
    assert loop.nodes == ("x", "y", "z")
    assert loop.polarity == "reinforcing"


def test_loop_score_is_the_feedback_share_of_the_node_it_moves_most():
    # s' = u + g s: parts of s are the integrated intervention P and the feedback F of s -> s
    from simulator.analysis.loops import loop_scores
    from simulator.analysis.tracing import trace_paths
    from simulator.engine import simulate

    from .helpers import prepared

    spec = model([node("s", kind="stock"), node("t")], [link("s", "s", -0.4), link("s", "t", 1.0)])
    run = prepared(spec, [{"node": "s", "shape": "step", "height": 1.0, "start": 2025}])
    d = simulate(run.compiled, run.inputs)[:, :, 0]
    k = run.compiled.times.size - 1
    parts = trace_paths(run.compiled, run.inputs, d, 0, k)
    feedback = parts.loc[parts["part"] == "feedback", "value"].sum()
    expected = feedback / (abs(feedback) + 10.0)
    scores = loop_scores(find_loops(spec), run.compiled, run.inputs, d, k)
    assert list(scores["id"]) == ["B1"]
    assert scores["share"].iloc[0] == pytest.approx(expected)
    assert scores["score"].iloc[0] == pytest.approx(abs(expected))
    assert scores["node"].iloc[0] in ("s", "t")
