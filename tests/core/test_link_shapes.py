"""Nonlinear link shapes (lookup, saturation, threshold): analytic cases, superposition, the reference
engine, tracing, stability and loop gains on nonlinear models (ENGINE.md, "Link shapes")."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulator.analysis.loops import find_loops, gains_at
from simulator.analysis.stability import check_stability, step_map
from simulator.analysis.tracing import by_intervention, incoming, trace_paths
from simulator.engine import simulate
from simulator.ensemble import ensemble_summary
from simulator.sampling import draw

from .builders import build_model, link, node, prepare
from .reference_engine import reference_simulate

STEP = {"node": "a", "shape": "step", "height": 3.0, "start": 2020.0}  # acts from t_0
SATURATION = {"kind": "saturation", "max": 2.0}
LOOKUP = {"kind": "lookup", "points": [[9.0, 0.0], [11.0, 4.0], [12.0, 5.0]]}  # flat beyond 9 and 12


def deltas(model, items, **kwargs) -> np.ndarray:
    prepared = prepare(model, items, **kwargs)
    return simulate(prepared.compiled, prepared.inputs)[:, :, 0]


def pair(shape: dict, weight: float = 1.5, baseline: float = 10.0, **extra) -> object:
    return build_model([node("a", baseline), node("b", 5.0)], [link("a", "b", weight, shape=shape, **extra)])


def test_saturation_levels_off_at_its_max_with_the_weight_as_its_slope():
    d = deltas(pair(SATURATION), [STEP])
    assert d[0, 1] == pytest.approx(2.0 * (1 - math.exp(-1.5 * 3.0 / 2.0)), rel=1e-15)
    small = deltas(pair(SATURATION), [{**STEP, "height": 1e-6}])[0, 1]
    assert small == pytest.approx(1.5e-6, rel=1e-5)  # w * d for small changes
    huge = deltas(pair(SATURATION), [{**STEP, "height": 1e3}])[0, 1]
    assert huge == pytest.approx(2.0, rel=1e-15)  # never beyond max


@pytest.mark.parametrize(
    ("height", "expected"),
    [
        (0.5, 2.0 * 3.0 - 2.0 * 2.0),  # 10.5 on the first segment: T = 3, T(10) = 2; times the weight 2
        (1.5, 2.0 * 4.5 - 2.0 * 2.0),  # 11.5 on the second segment
        (5.0, 2.0 * 5.0 - 2.0 * 2.0),  # 15: flat beyond the last point
        (-4.0, 2.0 * 0.0 - 2.0 * 2.0),  # 6: flat below the first point
    ],
)
def test_lookup_interpolates_between_points_and_is_flat_beyond_them(height, expected):
    d = deltas(pair(LOOKUP, weight=2.0), [{**STEP, "height": height}])
    assert d[0, 1] == pytest.approx(expected, rel=1e-14)


def test_lookup_without_a_weight_gives_its_table_as_it_is():
    model = build_model([node("a", 10.0), node("b", 5.0)], [{"from": "a", "to": "b", "shape": LOOKUP}])
    assert model.links[0].weight.central == 1.0
    assert deltas(model, [{**STEP, "height": 1.0}])[0, 1] == pytest.approx(4.0 - 2.0)


@pytest.mark.parametrize(
    ("side", "height", "expected"),
    [
        ("above", 1.0, 0.0),  # 11 stays under the level 12
        ("above", 3.0, 4.0 * 1.0),  # 13: one unit beyond the level, times the weight 4
        ("below", -1.0, 0.0),  # 9 stays above the level 8
        ("below", -4.0, 4.0 * 2.0),  # 6: two units below the level
        ("below", 3.0, 0.0),
    ],
)
def test_threshold_has_no_effect_on_the_quiet_side_of_its_level(side, height, expected):
    level = 12.0 if side == "above" else 8.0
    d = deltas(pair({"kind": "threshold", "level": level, "side": side}, weight=4.0), [{**STEP, "height": height}])
    assert d[0, 1] == pytest.approx(expected, abs=1e-14)


def test_threshold_crossed_by_the_baseline_counts_only_the_change():
    """f(b + d) - f(b): a baseline already beyond the level passes on the change one for one."""
    d = deltas(pair({"kind": "threshold", "level": 8.0}, weight=4.0), [{**STEP, "height": -1.0}])
    assert d[0, 1] == pytest.approx(-4.0)
    d = deltas(pair({"kind": "threshold", "level": 8.0}, weight=4.0), [{**STEP, "height": -5.0}])
    assert d[0, 1] == pytest.approx(-4.0 * 2.0)  # from 10 down to 5: only 10 -> 8 counts


def test_the_shape_comes_before_the_lag():
    """An exponential lag smooths the saturated signal: y_k = s (1 - (1 - dt/tau)^k) after a step at t_1."""
    model = pair(SATURATION, lag=1.0, delay="exponential")
    d = deltas(model, [{**STEP, "start": 2020.25}])
    s = 2.0 * (1 - math.exp(-1.5 * 3.0 / 2.0))
    k = np.arange(d.shape[0])
    expected = np.where(k >= 1, s * (1 - (1 - 0.25) ** np.maximum(k - 1, 0)), 0.0)
    np.testing.assert_allclose(d[:, 1], expected, rtol=1e-13, atol=1e-15)


def test_a_fixed_delay_passes_on_the_shaped_signal_later():
    model = pair(LOOKUP, weight=2.0, lag=0.5, delay="fixed")
    d = deltas(model, [{**STEP, "height": 1.5}])
    assert np.all(d[:2, 1] == 0.0)
    assert d[2, 1] == pytest.approx(2.0 * 4.5 - 2.0 * 2.0)


def every_shape_model(loop: bool = False):
    nodes = [
        node("a", {"value": 10.0, "growth": 0.02}),
        node("b", 5.0),
        node("c", 2.0, max=2.5),
        node("s", 1.0, kind="stock", decay=0.1),
    ]
    links = [
        link("a", "b", 2.0, shape=SATURATION, lag=1.0),
        link("b", "c", 0.5, shape={"kind": "lookup", "points": [[4, 0], [6, 3], [9, 4]]}),
        link("c", "s", 1.0),
        link("s", "a", -0.2, lag=1.0, delay="third_order"),
        link("a", "s", 0.3, shape={"kind": "threshold", "level": 11.0}, lag=0.5, delay="fixed"),
    ]
    if loop:  # a loop of pass-through lags at t_0, feeding a shaped link
        nodes += [node("r1", 3.0), node("r2", 4.0)]
        links += [
            link("a", "r1", 0.5),
            link("r1", "r2", 0.6, lag=0.5),
            link("r2", "r1", 0.4, lag=1.0),
            link("r2", "c", 1.0, shape={"kind": "threshold", "level": 4.5, "side": "below"}),
        ]
    return build_model(nodes, links)


ITEMS = [
    {"node": "a", "shape": "ramp", "slope": 1.0, "start": 2020.0, "end": 2023.0},
    {"node": "b", "shape": "step", "height": 0.5, "start": 2020.0},
]


def test_no_intervention_gives_no_deviation_on_a_shaped_model():
    for loop in (False, True):
        assert np.all(deltas(every_shape_model(loop), []) == 0.0)


@pytest.mark.parametrize("loop", [False, True], ids=["no_loop", "t0_loop"])
def test_engine_matches_the_reference_engine_with_every_shape(loop):
    model = every_shape_model(loop)
    prepared = prepare(model, ITEMS)
    assert (prepared.compiled.initial_levels is None) == loop
    ours = simulate(prepared.compiled, prepared.inputs)[:, :, 0]
    reference = reference_simulate(prepared.model, prepared.time, prepared.inputs)
    np.testing.assert_allclose(ours, reference, rtol=1e-12, atol=1e-12)
    assert np.abs(ours).max() > 0 and np.any(ours[:, 2] == 0.5)  # moves, and c meets its max


def test_every_member_of_a_shaped_ensemble_matches_the_reference_engine():
    model = every_shape_model(loop=True)
    prepared = prepare(model, ITEMS)
    rng = np.random.default_rng(3)
    central = np.array([lk.weight.central for lk in model.links])
    weights = central[:, None] * rng.uniform(0.5, 1.5, (central.size, 4))
    ours = simulate(prepared.compiled, prepared.inputs, weights)
    for m in range(weights.shape[1]):
        reference = reference_simulate(prepared.model, prepared.time, prepared.inputs, weights=list(weights[:, m]))
        np.testing.assert_allclose(ours[:, :, m], reference, rtol=1e-12, atol=1e-12)


def chain(shape: dict | None):
    extra = {} if shape is None else {"shape": shape}
    return build_model(
        [node("a", 10.0), node("b", 5.0), node("c", 1.0, kind="stock")],
        [link("a", "b", 1.5, lag=1.0, **extra), link("b", "c", 0.5)],
    )


@pytest.mark.parametrize(
    "shape",
    [None, SATURATION, LOOKUP, {"kind": "threshold", "level": 11.0}],
    ids=["linear", "saturation", "lookup", "threshold"],
)
def test_superposition_holds_without_shapes_and_fails_with_them(shape):
    one = [{"node": "a", "shape": "step", "height": 1.5, "start": 2021.0}]
    two = [{**one[0], "height": 3.0}]
    model = chain(shape)
    gap = np.abs(deltas(model, two) - 2.0 * deltas(model, one)).max()
    if shape is None:
        assert gap < 1e-12
    else:
        assert gap > 1e-3  # the shape bends: twice the change is not twice the effect
    prepared = prepare(model, [one[0], {**one[0], "start": 2022.0}])
    interaction = by_intervention(prepared.compiled, prepared.interventions, 2, 16)
    assert (abs(interaction["value"].iloc[-1]) < 1e-12) == (shape is None)


@pytest.mark.parametrize("loop", [False, True], ids=["no_loop", "t0_loop"])
def test_tracing_parts_add_up_to_the_change_on_a_nonlinear_model(loop):
    prepared = prepare(every_shape_model(loop), ITEMS)
    cm, u = prepared.compiled, prepared.inputs
    d = simulate(cm, u)[:, :, 0]
    for i in range(cm.n_nodes):
        for k in (4, 12, 20):
            total = d[k, i]
            paths = trace_paths(cm, u, d, i, k)
            listed = paths.loc[paths["part"] != "other", "value"].sum()
            assert listed == pytest.approx(total, abs=1e-12 * max(1.0, abs(total)))
            assert incoming(cm, u, d, i, k)["value"].sum() == pytest.approx(total, abs=1e-12)


def test_a_saturated_link_passes_on_its_sources_parts_in_proportion():
    """Two interventions on a, one saturated link a -> b: b's parts are a's parts times s / d_a."""
    model = pair(SATURATION)
    items = [STEP, {**STEP, "height": 1.0}]
    prepared = prepare(model, items)
    cm, u = prepared.compiled, prepared.inputs
    d = simulate(cm, u)[:, :, 0]
    paths = trace_paths(cm, u, d, 1, 0)
    ratio = 2.0 * (1 - math.exp(-1.5 * 4.0 / 2.0)) / 4.0
    assert paths.loc[paths["part"] == "path", "value"].sum() == pytest.approx(4.0 * ratio)
    assert paths.loc[paths["part"] == "path", "value"].iloc[0] == pytest.approx(4.0 * ratio)  # one path, a -> b


def loop_model():
    """a -> b saturated (lagged), b -> a linear: a loop whose gain falls as the run saturates it."""
    return build_model(
        [node("a", 10.0), node("b", 5.0)],
        [
            link("a", "b", 2.0, lag=1.0, shape={"kind": "saturation", "max": 1.0}),
            link("b", "a", 0.45, lag=0.5, delay="fixed"),
        ],
    )


def test_stability_linearises_a_shaped_link_at_its_slope_on_the_run():
    model = loop_model()
    prepared = prepare(model, [{"node": "a", "shape": "step", "height": 1.0, "start": 2021.0}])
    cm = prepared.compiled
    d = simulate(cm, prepared.inputs)[:, :, 0]
    k = cm.times.size - 1
    slope = 2.0 * math.exp(-2.0 * d[k, 0] / 1.0)
    linear = build_model(
        [node("a", 10.0), node("b", 5.0)],
        [link("a", "b", slope, lag=1.0), link("b", "a", 0.45, lag=0.5, delay="fixed")],
    )
    expected = np.sort_complex(np.linalg.eigvals(step_map(prepare(linear).compiled, k)[0]))
    # the saturation carries w f'(d) d through its lag, the linear twin d: the same map up to a scaling of a state
    ours = np.sort_complex(np.linalg.eigvals(step_map(cm, k, run=d)[0]))
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-14)
    assert not np.allclose(np.sort_complex(np.linalg.eigvals(step_map(cm, k)[0])), expected)  # not the baseline's
    at_baseline = check_stability(prepared.model, cm, prepared.time)
    at_run = check_stability(prepared.model, cm, prepared.time, run=d)
    assert at_baseline.linearised == "baseline" and at_run.linearised == "run"
    assert at_baseline.stable and at_run.stable  # loop gain 2 * 0.45 < 1, and less on the run
    assert at_run.spectral_radius <= at_baseline.spectral_radius
    assert "around the run" in at_run.stable_note()


def test_an_unstable_linearisation_says_around_which_path():
    model = build_model(
        [node("a", 10.0), node("b", 5.0)],
        [
            link("a", "b", 2.0, lag=1.0, shape={"kind": "saturation", "max": 1.0}),
            link("b", "a", 0.6, lag=0.5, delay="fixed"),
        ],
    )  # loop gain 1.2 at the baseline
    prepared = prepare(model)
    report = check_stability(prepared.model, prepared.compiled, prepared.time)
    assert not report.stable
    assert "linearisation around the baseline" in report.message()
    assert report.to_dict()["linearised"] == "baseline"


def test_loop_gain_at_the_run_uses_the_slopes_there():
    model = loop_model()
    prepared = prepare(model, [{"node": "a", "shape": "step", "height": 1.0, "start": 2021.0}])
    cm = prepared.compiled
    d = simulate(cm, prepared.inputs)[:, :, 0]
    (loop,) = find_loops(prepared.model, prepared.time)
    assert loop.gain == pytest.approx(2.0 * 0.45)  # at the baseline: the saturation's weight
    k = cm.times.size - 1
    assert gains_at([loop], cm, d, k)[0] == pytest.approx(2.0 * math.exp(-2.0 * d[k, 0]) * 0.45)
    assert gains_at([loop], cm, np.zeros_like(d), k)[0] == pytest.approx(loop.gain)


def test_a_linear_model_is_checked_as_before():
    model = chain(None)
    prepared = prepare(model)
    report = check_stability(prepared.model, prepared.compiled, prepared.time, run=np.ones((21, 3)))
    assert report.linearised == "" and "linearised" not in report.to_dict()


def test_a_sampled_max_and_level_are_drawn_per_member_like_weights():
    model = build_model(
        [node("a", 10.0), node("b", 5.0), node("c", 1.0)],
        [
            link(
                "a",
                "b",
                {"low": 1, "mode": 1.5, "high": 2},
                lag=1.0,
                shape={"kind": "saturation", "max": {"low": 1, "mode": 2, "high": 3}},
            ),
            link("a", "c", 1.0, shape={"kind": "threshold", "level": {"dist": "uniform", "low": 10.5, "high": 12}}),
        ],
    )
    prepared = prepare(model, [{"node": "a", "shape": "step", "height": 3.0, "start": 2021.0}])
    sample = draw(prepared.model, 6, seed=4)
    assert [p.name for p in sample.parameters] == ["a->b:weight", "a->b:max", "a->c:level"]
    weights, lags = sample.block(0)
    parameters = sample.shape_values(sample.uniforms(0))
    assert parameters[0].min() >= 1 and parameters[0].max() <= 3 and np.ptp(parameters[1]) > 0
    ours = simulate(prepared.compiled, prepared.inputs, weights, lags, shape_parameters=parameters)
    for m in range(6):
        reference = reference_simulate(
            prepared.model,
            prepared.time,
            prepared.inputs,
            weights=list(weights[:, m]),
            lags=list(lags[:, m]),
            shape_parameters=list(parameters[:, m]),
        )
        np.testing.assert_allclose(ours[:, :, m], reference, rtol=1e-12, atol=1e-12)
    assert sample.member_values(2)["a->c:level"] == parameters[1, 2]
    # the ensemble runs its members with their own max and level (same seed, same draws)
    summary = ensemble_summary(prepared, 6, seed=4)
    np.testing.assert_allclose(summary.mean, ours.mean(axis=2), rtol=1e-13, atol=1e-13)
    # a deterministic run uses the modes
    central = simulate(prepared.compiled, prepared.inputs)[-1, :, 0]
    assert central[1] == pytest.approx(2.0 * (1 - math.exp(-1.5 * 3.0 / 2.0)) * (1 - 0.75**16))  # 16 lagged steps
    assert central[2] == pytest.approx(3.0 + 10.0 - 11.25)  # 13 - level 11.25, baseline 10 below it
