"""Stability: the one-step map is the engine's, and unstable loops are caught before a run."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from simulator.analysis.stability import check_stability, ensemble_stability, spectral_radius, step_map
from simulator.cli.main import app
from simulator.compiler import compile_model
from simulator.engine import simulate
from simulator.errors import NumericalError

from .helpers import link, model, node, prepared


def test_stock_with_reinforcing_self_link_grows_by_one_plus_g_dt():
    spec = model([node("s", kind="stock")], [link("s", "s", 0.2)])
    a, _, _ = step_map(compile_model(spec))
    assert a.shape == (1, 1)
    assert a[0, 0] == pytest.approx(1.0 + 0.2 * 0.25)
    report = check_stability(spec, compile_model(spec))
    assert not report.stable
    assert report.culprits[0].nodes == ("s",)
    assert report.growth_per_year == pytest.approx(1.05**4)
    assert "s -> s" in report.message()


def test_balancing_loop_too_strong_for_euler_is_unstable():
    # eigenvalue 1 - 10 * 0.25 = -1.5: an Euler overshoot that grows
    spec = model([node("s", kind="stock")], [link("s", "s", -10.0)])
    report = check_stability(spec, compile_model(spec))
    assert not report.stable
    assert report.spectral_radius == pytest.approx(1.5)
    assert report.culprits[0].polarity == "balancing"


def test_exponential_loop_eigenvalue_and_simulated_growth_agree():
    # b = w * E, a = u + v * b, E' = E + dt/tau * (a - E): eigenvalue 1 + dt/tau * (v w - 1)
    v, w, tau = 1.5, 2.0, 1.0
    spec = model([node("a"), node("b")], [link("a", "b", w, lag=tau), link("b", "a", v)])
    cm = compile_model(spec)
    expected = 1 + 0.25 / tau * (v * w - 1)
    assert spectral_radius(step_map(cm)[0]) == pytest.approx(expected)
    run = prepared(spec, [{"node": "a", "shape": "pulse", "height": 1.0, "start": 2025.5, "width": 0.25}])
    d = simulate(run.compiled, run.inputs)[:, 0, 0]
    assert d[-1] / d[-2] == pytest.approx(expected, rel=1e-9)
    report = check_stability(spec, cm)
    assert not report.stable and report.culprits[0].polarity == "reinforcing"


@pytest.mark.parametrize("delay", ["exponential", "third_order", "fixed"])
def test_values_map_replays_the_engine_on_random_models(delay):
    # x(k+1) = A x(k) and d = V x must reproduce the engine after the inputs stop
    rng = np.random.default_rng(3)
    nodes = [node("a"), node("b", kind="stock", decay=0.1), node("c"), node("e", baseline=50.0)]
    links = [
        link("a", "b", 0.7),
        link("b", "c", rng.uniform(-1, 1), lag=1.0, delay=delay),
        link("c", "a", rng.uniform(-1, 1), lag=1.5, delay=delay),
        link("c", "e", 0.5, form="elasticity"),
        link("e", "b", -0.3, lag=0.75, delay="fixed"),
    ]
    spec = model(nodes, links)
    run = prepared(spec, [{"node": "a", "shape": "pulse", "height": 1.0, "start": 2025.5, "width": 1.0}])
    d = simulate(run.compiled, run.inputs)[:, :, 0]
    a, values, _ = step_map(run.compiled)
    # recover the state at a step after the pulse from the values at the following steps
    k0 = 10
    stacked = np.vstack([values @ np.linalg.matrix_power(a, m) for m in range(a.shape[0] + 2)])
    x0 = np.linalg.lstsq(stacked, d[k0 : k0 + a.shape[0] + 2].ravel(), rcond=None)[0]
    for m in range(20):
        assert np.allclose(values @ np.linalg.matrix_power(a, m) @ x0, d[k0 + m], atol=1e-9)


def test_stable_model_reports_stable_and_no_culprits():
    spec = model([node("a"), node("b")], [link("a", "b", 0.5, lag=1.0), link("b", "a", -0.5)])
    report = check_stability(spec, compile_model(spec))
    assert report.stable and report.culprits == () and report.message() == ""
    assert report.spectral_radius < 1


def test_long_fixed_delays_use_the_sparse_solver_with_the_same_answer(monkeypatch):
    from simulator.analysis import stability

    spec = model([node("a"), node("b")], [link("a", "b", 1.1, lag=3.0, delay="fixed"), link("b", "a", 1.0)], dt=0.25)
    a = step_map(compile_model(spec))[0]
    dense = spectral_radius(a)
    monkeypatch.setattr(stability, "DENSE_LIMIT", 4)
    assert spectral_radius(a) == pytest.approx(dense, rel=1e-9)
    assert dense == pytest.approx(1.1 ** (1 / 12), rel=1e-9)  # x(k+12) = 1.1 x(k)


def test_two_loops_stable_alone_but_unstable_together_name_the_one_that_matters_most():
    # each loop alone: eigenvalue 1 + dt/tau (g - 1) < 1 for g = 0.6 / 0.7; together g = 1.3 > 1
    spec = model(
        [node("a"), node("b"), node("c")],
        [link("a", "b", 0.6, lag=1.0), link("b", "a", 1.0), link("a", "c", 0.7, lag=1.0), link("c", "a", 1.0)],
    )
    report = check_stability(spec, compile_model(spec))
    assert not report.stable
    assert report.spectral_radius == pytest.approx(1 + 0.25 * 0.3)
    assert [lp.nodes for lp in report.culprits] == [("a", "c")]  # the stronger of the two


def test_members_whose_weights_make_a_stock_loop_grow_are_counted():
    """A stock with a self-link: weight w gives the radius 1 + w dt, unstable for every w > 0."""
    spec = model([node("s", kind="stock")], [link("s", "s", {"low": -0.5, "mode": -0.2, "high": 0.5})])
    cm = compile_model(spec)
    weights = np.array([[-0.4, -0.1, 0.1, 0.3]])
    lags = np.zeros_like(weights)
    report = ensemble_stability(cm, weights, lags, first_member=10)
    assert (report.checked, report.unstable, report.worst_member) == (4, 2, 13)
    assert report.worst_radius == pytest.approx(1.0 + 0.3 * 0.25)
    none = ensemble_stability(cm, weights[:, :2], lags[:, :2])
    assert none.unstable == 0


def test_run_warns_when_ensemble_members_are_unstable_though_the_central_model_is_not(tmp_path):
    (tmp_path / "m.yaml").write_text(
        "name: m\ntitle: m\ntime: {start: 2025, end: 2035, dt: 0.25}\nnodes:\n"
        "  - {id: a, label: A, theme: samenleving, dimension: hier_en_nu, baseline: 100}\n"
        "  - {id: b, label: B, theme: samenleving, dimension: hier_en_nu, baseline: 100}\n"
        "links:\n  - {from: a, to: b, weight: 0.5, lag: 1}\n"
        "  - {from: b, to: a, weight: {low: 0.4, mode: 0.6, high: 4}, lag: 2, delay: fixed}\n",
        encoding="utf-8",
    )
    (tmp_path / "s.yaml").write_text(
        "name: s\nmodel: m.yaml\ninterventions:\n  - {node: a, shape: step, height: 1, start: 2026}\n", encoding="utf-8"
    )
    runner = CliRunner()
    plain = runner.invoke(app, ["run", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "o1"), "--lang", "en"])
    assert plain.exit_code == 0 and "warning" not in plain.stderr
    ensemble = runner.invoke(
        app, ["run", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "o2"), "--samples", "100", "--lang", "en"]
    )
    assert ensemble.exit_code == 0, ensemble.output
    assert "of the first 100 ensemble members make the model unstable" in ensemble.stderr
    assert "b->a:weight = " in ensemble.stderr and "The central model is stable" in ensemble.stderr


# --- exact at gain 1, robust to extreme weights (issue 11, item 4) ------------------------------------


@pytest.mark.parametrize("delay", ["exponential", "fixed"])
def test_a_loop_of_gain_exactly_one_grows_without_bound_and_is_not_stable(delay):
    """a = u + 2 L[b], b = 0.5 a: once around the loop a deviation comes back whole (gain 2 x 0.5 = 1).

    By hand (fixed delay of 1 year, dt 0.25): a(t) = u + a(t - 1), so a step of 1
    gives a = 1, 1, 1, 1, 2, 2, 2, 2, 3, ... without bound. The one-step map is a
    shift register of 4 slots closed with gain 1: its eigenvalues are the fourth
    roots of unity, spectral radius exactly 1, and it was reported stable. With an
    exponential delay the loop is the same integrator (E grows by dt u / 2 every
    step); at t_0 the delay passes its input through, so a = u + a has no
    solution and the run stops there with a NumericalError.
    """
    spec = model([node("a"), node("b")], [link("a", "b", 0.5), link("b", "a", 2.0, lag=1.0, delay=delay)])
    run = prepared(spec, [{"node": "a", "shape": "step", "height": 1.0, "start": 2025.0}])
    if delay == "fixed":
        d = simulate(run.compiled, run.inputs)[:, 0, 0]
        np.testing.assert_allclose(d, 1.0 + np.arange(d.size) // 4, rtol=1e-12)
        assert d[-1] == 11.0
    else:
        with pytest.raises(NumericalError, match="t=2025"):
            simulate(run.compiled, run.inputs)
    cm = run.compiled
    assert spectral_radius(step_map(cm)[0]) == pytest.approx(1.0, abs=1e-12)
    report = check_stability(spec, cm)
    assert not report.stable and report.neutral
    assert [lp.path for lp in report.culprits] == ["a -> b -> a"]
    assert "gain of exactly 1" in report.message() and "without bound" in report.message()


def test_near_gain_one_and_an_undamped_oscillation_stay_stable():
    """Gain 0.99 settles; gain -1 through a fixed delay swings between two values for ever: bounded."""
    settling = model([node("a"), node("b")], [link("a", "b", 0.5), link("b", "a", 1.98, lag=1.0)])
    assert check_stability(settling, compile_model(settling)).stable
    swinging = model([node("a"), node("b")], [link("a", "b", 0.5), link("b", "a", -2.0, lag=1.0, delay="fixed")])
    run = prepared(swinging, [{"node": "a", "shape": "step", "height": 1.0, "start": 2025.0}])
    d = simulate(run.compiled, run.inputs)[:, 0, 0]
    assert set(np.round(d, 12)) == {0.0, 1.0}
    assert check_stability(swinging, run.compiled).stable


def test_a_stock_without_decay_holds_its_level_and_stays_stable():
    """A stock integrates its inflow (an eigenvalue of 1 with no loop): the intended meaning of a flow."""
    spec = model([node("s", kind="stock"), node("a")], [link("s", "a", 0.5)])
    report = check_stability(spec, compile_model(spec))
    assert report.stable and not report.neutral


@pytest.mark.parametrize("weight", [1e308, -1e308, 1e200])
def test_extreme_weights_give_a_clear_report_not_a_linalg_error(weight):
    spec = model(
        [node("s", kind="stock"), node("a"), node("b")],
        [link("s", "a", weight), link("a", "b", weight), link("b", "s", 1.0)],
    )
    report = check_stability(spec, compile_model(spec))
    assert not report.stable and report.spectral_radius == np.inf
    assert "so large that deviations overflow" in report.message()
    assert report.culprits


def test_run_with_weights_of_1e308_refuses_without_a_traceback(tmp_path):
    lines = [
        "name: m",
        "title: t",
        "nodes:",
        "  - {id: s, label: S, theme: samenleving, dimension: hier_en_nu, baseline: 10, kind: stock}",
        "  - {id: a, label: A, theme: samenleving, dimension: hier_en_nu, baseline: 10}",
        "links:",
        "  - {from: s, to: a, weight: 1e308}",
        "  - {from: a, to: s, weight: 1e308}",
    ]
    (tmp_path / "m.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "s.yaml").write_text(
        "name: s\nmodel: m.yaml\ninterventions:\n  - {node: a, shape: step, height: 1, start: 2026}\n", encoding="utf-8"
    )
    runner = CliRunner()
    for args in (
        ["run", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "out")],
        ["loops", str(tmp_path / "s.yaml")],
    ):
        result = runner.invoke(app, [*args, "--lang", "en"])
        assert "Traceback" not in result.output and not isinstance(result.exception, np.linalg.LinAlgError), args
        assert result.exit_code == 2, (args, result.output)
        assert ("overflow" if args[0] == "run" else "numerical problem") in result.stderr, (args, result.output)
    assert not (tmp_path / "out").exists()
