"""Analytic cases: every delay type, node kind, bound, shape and baseline against a closed form."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulator.timegrid import fixed_steps

from .builders import build_model, link, node, run

T0 = 2020.0


def times_of(result) -> np.ndarray:
    return result.times


# --- delays -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tau", "dt", "n"),
    [
        (1.0, 0.25, 4),
        (0.75, 0.25, 3),
        (0.6, 0.25, 2),  # 2.4 steps -> 2
        (0.625, 0.25, 3),  # 2.5 steps: halves round up, as in Vensim / PySD
        (0.1, 0.25, 1),
        (0.01, 0.5, 1),  # shorter than a step: still one step
        (2.0, 1.0, 2),
        (0.3, 0.1, 3),
    ],
)
def test_fixed_lag_shifts_an_impulse_by_exactly_n_steps(tau, dt, n):
    assert int(fixed_steps(np.array([tau]), dt)[0]) == n == max(1, math.floor(tau / dt + 0.5))
    model = build_model(
        [node("a"), node("b")],
        [link("a", "b", 2.0, lag=tau, delay="fixed")],
        {"start": T0, "end": T0 + 12 * dt, "dt": dt},
    )
    k0 = 2
    result = run(model, [{"node": "a", "shape": "pulse", "height": 1.0, "start": T0 + k0 * dt - dt / 2, "width": dt}])
    expected_a = np.zeros(13)
    expected_a[k0] = 1.0
    expected_b = np.zeros(13)
    expected_b[k0 + n] = 2.0
    np.testing.assert_array_equal(result.series("a"), expected_a)
    np.testing.assert_array_equal(result.series("b"), expected_b)


def test_fixed_lag_is_zero_before_start():
    """A step present from t_0 reaches the target only n steps later (zero history before start)."""
    model = build_model([node("a"), node("b")], [link("a", "b", lag=0.5, delay="fixed")])
    b = run(model, [{"node": "a", "shape": "step", "height": 3.0, "start": T0}]).series("b")
    np.testing.assert_array_equal(b[:2], [0.0, 0.0])
    np.testing.assert_array_equal(b[2:], 3.0)


@pytest.mark.parametrize(("tau", "dt"), [(1.0, 0.25), (2.0, 0.5), (0.25, 0.25), (3.7, 0.1)])
def test_first_order_lag_follows_its_euler_step_response(tau, dt):
    """Unit step from t_1: y(t_0) = s(t_0) = 0, then y_k = 1 - (1 - dt/tau)^(k-1)."""
    model = build_model(
        [node("a"), node("b")],
        [link("a", "b", lag=tau, delay="exponential")],
        {"start": T0, "end": T0 + 40 * dt, "dt": dt},
    )
    result = run(model, [{"node": "a", "shape": "step", "height": 1.0, "start": T0 + dt}])
    k = np.arange(41)
    expected = np.where(k >= 1, 1.0 - (1.0 - dt / tau) ** np.maximum(k - 1, 0), 0.0)
    np.testing.assert_allclose(result.series("b"), expected, rtol=0, atol=1e-14)


def test_first_order_lag_starts_at_its_input():
    """y(t_0) = s(t_0) (Vensim's DELAY1 default): a step from t_0, then a second step at t_1."""
    tau, dt = 1.0, 0.25
    model = build_model([node("a"), node("b")], [link("a", "b", lag=tau, delay="exponential")])
    result = run(
        model,
        [
            {"node": "a", "shape": "step", "height": 1.0, "start": T0},
            {"node": "a", "shape": "step", "height": 2.0, "start": T0 + dt},
        ],
    )
    k = np.arange(result.times.size)
    expected = np.where(k == 0, 1.0, 3.0 - 2.0 * (1.0 - dt / tau) ** np.maximum(k - 1, 0))
    np.testing.assert_allclose(result.series("b"), expected, rtol=0, atol=1e-14)


@pytest.mark.parametrize(("tau", "dt"), [(1.5, 0.25), (3.0, 1.0), (0.75, 0.25), (6.0, 0.5)])
def test_third_order_lag_follows_three_euler_stages(tau, dt):
    """Unit step from t_1 through three stages of rate r = dt/(tau/3):
    y_k = P(Binomial(k - 1, r) >= 3) = 1 - sum_{i<3} C(k-1, i) r^i (1-r)^(k-1-i)."""
    model = build_model(
        [node("a"), node("b")],
        [link("a", "b", lag=tau, delay="third_order")],
        {"start": T0, "end": T0 + 30 * dt, "dt": dt},
    )
    result = run(model, [{"node": "a", "shape": "step", "height": 1.0, "start": T0 + dt}])
    r = dt / (tau / 3)
    expected = [0.0] + [
        1.0 - sum(math.comb(k - 1, i) * r**i * (1 - r) ** (k - 1 - i) for i in range(min(3, k))) for k in range(1, 31)
    ]
    np.testing.assert_allclose(result.series("b"), expected, rtol=0, atol=1e-14)
    assert result.series("b")[3] == 0.0 and result.series("b")[4] == pytest.approx(r**3)


def test_third_order_lag_starts_at_its_input():
    model = build_model([node("a"), node("b")], [link("a", "b", lag=1.5, delay="third_order")])
    b = run(model, [{"node": "a", "shape": "step", "height": 2.5, "start": T0}]).series("b")
    np.testing.assert_array_equal(b, 2.5)


def test_zero_lag_chain_acts_in_the_same_step():
    model = build_model(
        [node("c"), node("b"), node("a")],  # file order is not evaluation order
        [link("b", "c", -0.5), link("a", "b", 3.0)],
    )
    result = run(model, [{"node": "a", "shape": "step", "height": 2.0, "start": 2021}])
    np.testing.assert_array_equal(result.series("b"), np.where(result.times >= 2021, 6.0, 0.0))
    np.testing.assert_array_equal(result.series("c"), np.where(result.times >= 2021, -3.0, 0.0))


def test_elasticity_scales_by_both_baselines():
    """1 % more of a gives w % more of b: d_b = b_b(t) * w * d_a / b_a(t)."""
    model = build_model(
        [node("a", {"value": 200.0, "growth": 0.03}), node("b", {"series": {2020: 50, 2030: 70}})],
        [link("a", "b", 0.5, form="elasticity")],
    )
    result = run(model, [{"node": "a", "shape": "step", "height": 0.1, "start": T0, "relative": True}])
    b_b = 50 + 2 * (result.times - 2020)
    np.testing.assert_allclose(result.series("b"), b_b * 0.5 * 0.1, rtol=1e-14)


def test_pass_through_cycle_at_t0_is_solved():
    """a -> b and b -> a both lagged: at t_0 both pass through, so d_a = 1 + 0.25 d_a."""
    model = build_model(
        [node("a"), node("b")],
        [link("a", "b", 0.5, lag=1.0, delay="exponential"), link("b", "a", 0.5, lag=1.5, delay="third_order")],
    )
    result = run(model, [{"node": "a", "shape": "step", "height": 1.0, "start": T0}])
    assert result.delta[0] == pytest.approx([4 / 3, 2 / 3], rel=1e-14)
    # the steady state of the loop is the same fixed point
    long = run(
        model, [{"node": "a", "shape": "step", "height": 1.0, "start": T0}], {"start": T0, "end": T0 + 200, "dt": 0.25}
    )
    assert long.delta[-1] == pytest.approx([4 / 3, 2 / 3], rel=1e-9)


# --- stocks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("decay", [0.0, 0.2, 1.0])
def test_stock_integrates_by_euler(decay):
    """Constant inflow h from t_0: d_k = h/decay (1 - (1 - dt decay)^k), or h k dt without decay."""
    dt, h = 0.25, 4.0
    model = build_model([node("s", 100.0, kind="stock", decay=decay)])
    result = run(model, [{"node": "s", "shape": "step", "height": h, "start": T0}])
    k = np.arange(result.times.size)
    expected = h * k * dt if decay == 0 else h / decay * (1 - (1 - dt * decay) ** k)
    np.testing.assert_allclose(result.series("s"), expected, rtol=1e-13, atol=1e-13)


def test_links_into_a_stock_are_flows_known_next_step():
    model = build_model([node("a"), node("s", kind="stock"), node("c")], [link("a", "s", 2.0), link("s", "c", 0.5)])
    result = run(model, [{"node": "a", "shape": "pulse", "height": 1.0, "start": 2021, "width": 0.25}])
    k = int(np.argmax(result.times >= 2021))
    s = result.series("s")
    np.testing.assert_array_equal(s[: k + 1], 0.0)  # flow at t_k raises the stock at t_{k+1}
    np.testing.assert_allclose(s[k + 1 :], 2.0 * 0.25)
    np.testing.assert_allclose(result.series("c"), 0.5 * s)  # and is read by c in the same step


# --- bounds -------------------------------------------------------------------------------


def test_bound_clips_before_anything_reads_it():
    model = build_model([node("a", 10.0, max=11.0), node("b", 0.0)], [link("a", "b", 2.0)])
    result = run(model, [{"node": "a", "shape": "step", "height": 3.0, "start": 2021}])
    on = result.times >= 2021
    np.testing.assert_array_equal(result.series("a"), np.where(on, 1.0, 0.0))
    np.testing.assert_array_equal(result.series("b"), np.where(on, 2.0, 0.0))  # reads 1, not 3
    assert result.value[:, 0].max() == 11.0


def test_bound_on_a_stock_with_a_moving_baseline():
    """A stock drained at 1 a year stops at its floor; the floor is on the value b(t) + d."""
    model = build_model(
        [node("s", {"value": 5.0, "growth": 0.1}, kind="stock", min=4.5), node("c", 0.0)],
        [link("s", "c", 1.0, lag=0.25, delay="fixed")],
    )
    result = run(model, [{"node": "s", "shape": "step", "height": -1.0, "start": T0}])
    value = result.value[:, 0]
    assert value.min() == pytest.approx(4.5)
    assert np.all(value >= 4.5 - 1e-12)
    np.testing.assert_allclose(result.series("c")[1:], result.series("s")[:-1])  # clipped value passed on


def test_bound_on_a_lagged_source_passes_the_clipped_value():
    model = build_model([node("a", 10.0, min=9.0), node("b", 0.0)], [link("a", "b", 1.0, lag=0.5, delay="exponential")])
    result = run(model, [{"node": "a", "shape": "step", "height": -5.0, "start": T0}])
    np.testing.assert_array_equal(result.series("a"), -1.0)
    np.testing.assert_allclose(result.series("b"), -1.0)  # never sees -5


# --- intervention shapes ------------------------------------------------------------------


def lone(shape: dict, baseline=10.0):
    model = build_model([node("x", baseline)])
    result = run(model, [{"node": "x", **shape}])
    return result.times, result.series("x")


def test_step():
    t, d = lone({"shape": "step", "height": 2.0, "start": 2021})
    np.testing.assert_array_equal(d, np.where(t >= 2021, 2.0, 0.0))
    assert d[list(t).index(2021.0)] == 2.0 and d[list(t).index(2020.75)] == 0.0


def test_pulse():
    t, d = lone({"shape": "pulse", "height": 3.0, "start": 2021, "width": 0.5})
    np.testing.assert_array_equal(d, np.where((t >= 2021) & (t < 2021.5), 3.0, 0.0))
    assert d.sum() == 6.0  # two steps: 2021 and 2021.25


def test_ramp():
    t, d = lone({"shape": "ramp", "slope": 2.0, "start": 2021, "end": 2022})
    expected = {2020.75: 0.0, 2021.0: 0.0, 2021.25: 0.5, 2021.5: 1.0, 2022.0: 2.0, 2024.0: 2.0}
    for year, value in expected.items():
        assert d[list(t).index(year)] == value


def test_series_interpolates_and_is_flat_beyond_its_ends():
    t, d = lone({"shape": "series", "values": {2023: 3.0, 2021: 1.0}})
    expected = {2020.0: 1.0, 2021.0: 1.0, 2022.0: 2.0, 2022.5: 2.5, 2023.0: 3.0, 2025.0: 3.0}
    for year, value in expected.items():
        assert d[list(t).index(year)] == pytest.approx(value, abs=1e-15)


def test_interventions_on_one_node_add_up():
    model = build_model([node("x")])
    result = run(
        model,
        [
            {"node": "x", "shape": "step", "height": 2.0, "start": 2021},
            {"node": "x", "shape": "step", "height": -0.5, "start": 2022},
        ],
    )
    t = result.times
    np.testing.assert_array_equal(result.series("x"), np.where(t >= 2021, 2.0, 0) + np.where(t >= 2022, -0.5, 0))


@pytest.mark.parametrize(
    "shape",
    [
        {"shape": "step", "height": 0.1, "start": 2021},
        {"shape": "pulse", "height": 0.1, "start": 2021, "width": 1},
        {"shape": "ramp", "slope": 0.02, "start": 2021, "end": 2023},
        {"shape": "series", "values": {2020: 0.0, 2025: 0.1}},
    ],
)
def test_relative_shapes_are_fractions_of_the_baseline(shape):
    baseline = {"value": 100.0, "growth": 0.02}
    t, absolute = lone(shape | {"relative": False}, baseline)
    _, relative = lone(shape | {"relative": True}, baseline)
    np.testing.assert_allclose(relative, absolute * 100.0 * 1.02 ** (t - 2020), rtol=1e-14)
    assert np.abs(relative).max() > 0


# --- baselines -----------------------------------------------------------------------------


def baselines_of(baseline, time=None):
    model = build_model([node("x", baseline)])
    result = run(model, [], time)
    np.testing.assert_array_equal(result.delta, 0.0)
    return result.times, result.baseline[:, 0]


def test_constant_baseline():
    _, b = baselines_of(7.5)
    np.testing.assert_array_equal(b, 7.5)


def test_growth_baseline_year_defaults_to_run_start():
    t, b = baselines_of({"value": 100.0, "growth": 0.05})
    np.testing.assert_allclose(b, 100.0 * 1.05 ** (t - 2020), rtol=1e-15)
    assert b[0] == 100.0
    t, b = baselines_of({"value": 100.0, "growth": 0.05}, {"start": 2030, "end": 2032, "dt": 0.5})
    assert b[0] == 100.0  # the scenario's start, not the model's
    np.testing.assert_allclose(b, 100.0 * 1.05 ** (t - 2030), rtol=1e-15)


def test_growth_baseline_with_a_year():
    t, b = baselines_of({"value": 100.0, "growth": -0.1, "year": 2022})
    np.testing.assert_allclose(b, 100.0 * 0.9 ** (t - 2022), rtol=1e-15)
    assert b[list(t).index(2022.0)] == pytest.approx(100.0, rel=1e-15)


def test_series_baseline_interpolates_and_is_flat_beyond_its_ends():
    t, b = baselines_of({"series": {2024: 20.0, 2018: 5.0, 2022: 10.0}})
    expected = {2020.0: 5.0 + 5.0 * 2 / 4, 2021.0: 8.75, 2022.0: 10.0, 2023.0: 15.0, 2024.0: 20.0, 2025.0: 20.0}
    for year, value in expected.items():
        assert b[list(t).index(year)] == pytest.approx(value, rel=1e-15)
    _, b = baselines_of({"series": {2000: 3.0}})
    np.testing.assert_array_equal(b, 3.0)


def test_a_loop_of_gain_one_at_t0_marks_only_its_member():
    """No unique initial value for the member whose loop gain is 1; the others run normally."""
    from simulator.engine import simulate
    from simulator.errors import NumericalError

    from .builders import prepare

    model = build_model(
        [node("z"), node("a"), node("b")],
        [link("a", "b", 0.5, lag=1.0, delay="exponential"), link("b", "a", 0.5, lag=1.5, delay="third_order")],
    )
    prepared = prepare(model, [{"node": "a", "shape": "step", "height": 1.0, "start": T0}])
    weights = np.array([[0.5, 2.0, 0.5], [0.5, 0.5, 0.5]])  # member 1: gain 2 * 0.5 = 1
    d = simulate(prepared.compiled, prepared.inputs, weights, check_finite=False)
    assert np.isnan(d[0, 1:, 1]).all() and d[0, 0, 1] == 0.0
    assert np.isfinite(d[:, :, [0, 2]]).all()
    with pytest.raises(NumericalError) as info:
        simulate(prepared.compiled, prepared.inputs, weights)
    assert (info.value.node, info.value.time, info.value.member) == ("a", T0, 1)


def test_a_bound_in_a_pass_through_cycle_at_t0_holds_before_the_loop_reads_it():
    """a -> b -> a, both lagged, a capped at +1: at t_0 b reads the capped a (0.5 * 1), not the
    unbounded solution (0.5 * 2). The engine once clipped after the solve, so b(t_0) was 1."""
    model = build_model(
        [node("a", 10.0, max=11.0), node("b", 10.0)],
        [link("a", "b", 0.5, lag=1.0, delay="exponential"), link("b", "a", 0.5, lag=1.5, delay="third_order")],
    )
    result = run(model, [{"node": "a", "shape": "step", "height": 1.5, "start": T0}])
    np.testing.assert_array_equal(result.series("a"), 1.0)
    np.testing.assert_allclose(result.series("b"), 0.5, rtol=0, atol=1e-15)  # steady from t_0 on


def test_at_t0_a_node_reads_the_clipped_value_of_a_bounded_node_upstream_of_a_pass_through_loop():
    """ENGINE.md: bounds hold before anything reads a node. n0 (min 0.9, baseline 1) is pushed to 0 and
    clipped to 0.9; n1 = 0.5 * d_n0 through an exponential lag (which passes its input through at t_0), on a
    self-loop that makes the t_0 step a linear solve: n1 reads the clipped -0.1, so -0.05 (not -0.1, what
    holding every node that the unclipped solve puts out of bounds gave)."""
    import numpy as np

    from simulator.scenario_run import prepare_scenario, run_deterministic
    from simulator.spec import ModelSpec, ScenarioSpec

    def node(i: str) -> dict:
        return {"id": i, "label": i, "theme": "samenleving", "dimension": "hier_en_nu", "baseline": 1.0, "min": 0.9}

    model = ModelSpec.model_validate(
        {
            "name": "m",
            "title": "m",
            "time": {"start": 2020, "end": 2021, "dt": 0.1},
            "nodes": [node("n0"), node("n1")],
            "links": [
                {"from": "n1", "to": "n1", "weight": 0.0, "lag": 1.0, "delay": "exponential"},
                {"from": "n0", "to": "n1", "weight": 0.5, "lag": 1.0, "delay": "exponential"},
            ],
        }
    )
    scenario = ScenarioSpec.model_validate(
        {"name": "s", "model": "m", "interventions": [{"node": "n0", "shape": "step", "height": -1.0, "start": 2020}]}
    )
    d = run_deterministic(prepare_scenario(scenario, model)).delta
    assert np.allclose(d[:, 0], -0.1) and np.allclose(d[:, 1], -0.05, rtol=0, atol=1e-15)
