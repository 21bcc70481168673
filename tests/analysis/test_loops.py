"""Loops: exactly the cycles built, with the right polarity, lag and gain."""

from __future__ import annotations

import pytest

from simulator.analysis.loops import find_loops, loops_frame

from .helpers import link, model, node


def two_loop_model():
    # R: a -> b -> a (+0.5 * +0.4), lags 1 + 2; B: b -> c -> b (+0.3 * -2), lags 0.5 + 0
    return model([node("a"), node("b"), node("c"), node("d")], [
        link("a", "b", 0.5, lag=1.0),
        link("b", "a", 0.4, lag=2.0, delay="fixed"),
        link("b", "c", 0.3, lag=0.5),
        link("c", "b", -2.0),
        link("c", "d", 1.0),
    ])


def test_one_reinforcing_and_one_balancing_loop():
    loops = find_loops(two_loop_model())
    assert [(lp.id, lp.nodes, lp.polarity) for lp in loops] == [
        ("R1", ("a", "b"), "reinforcing"), ("B1", ("b", "c"), "balancing")]
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
    spec = model([node("a", baseline=10.0), node("b", baseline=200.0)], [
        link("a", "b", -0.5, form="elasticity", lag=1.0),
        link("b", "a", 2.0, lag=1.0)])
    (loop,) = find_loops(spec)
    assert loop.polarity == "balancing"
    assert loop.gain == pytest.approx(-0.5 * 200.0 / 10.0 * 2.0)


def test_zero_weight_makes_an_inactive_loop_and_self_loops_count():
    spec = model([node("a", kind="stock"), node("b")], [
        link("a", "a", 0.1), link("a", "b", 0.0, lag=1.0), link("b", "a", 1.0)])
    loops = find_loops(spec)
    assert [(lp.nodes, lp.polarity) for lp in loops] == [(("a",), "reinforcing"), (("a", "b"), "inactive")]
    assert [lp.id for lp in loops] == ["R1", "N1"]


def test_three_node_loop_starts_at_the_first_node_in_file_order():
    spec = model([node("x"), node("y"), node("z")], [
        link("y", "z", 1.0, lag=1.0), link("z", "x", -1.0), link("x", "y", -1.0)])
    (loop,) = find_loops(spec)
    assert loop.nodes == ("x", "y", "z")
    assert loop.polarity == "reinforcing"
