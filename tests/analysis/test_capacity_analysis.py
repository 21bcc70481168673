"""Stability and loops with capacity nodes: linearised at the run's active inputs (or the baseline's)."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.analysis.loops import find_loops, gains_at
from simulator.analysis.stability import active_at, check_stability, spectral_radius, step_map

from .helpers import link, model, node, prepared


def migration_model():
    """filled = min(demand 100, workers 120); filled feeds a stock of newcomers that adds workers.

    The loop newcomers -> workers -> filled -> newcomers has a gain of 2 per year while the
    workers are the active input, 0 while demand is (as at the baseline)."""
    nodes = [
        node("demand"),
        node("workers", baseline=120.0),
        node("filled", kind="minimum"),
        node("newcomers", baseline=0.0, kind="stock"),
    ]
    del nodes[2]["baseline"]
    links = [
        link("demand", "filled", 1.0),
        link("workers", "filled", 1.0),
        link("filled", "newcomers", 2.0),
        link("newcomers", "workers", 1.0),
    ]
    return model(nodes, links)


def run_with_demand_above_workers(cm):
    """A recorded run (K + 1, N) where demand is +50 from the start: the workers (120) are the active input."""
    d = np.zeros(cm.baselines.shape)
    d[:, cm.index("demand")] = 50.0
    d[:, cm.index("filled")] = 20.0
    return d


def test_the_active_input_is_the_baselines_without_a_run_and_the_runs_with_one():
    spec = migration_model()
    cm = prepared(spec, []).compiled
    assert list(active_at(cm, 0)) == [1.0, 0.0, 1.0, 1.0]
    assert list(active_at(cm, 5, run=run_with_demand_above_workers(cm))) == [0.0, 1.0, 1.0, 1.0]


def test_stability_is_checked_at_the_runs_active_inputs():
    spec = migration_model()
    p = prepared(spec, [])
    cm = p.compiled
    assert check_stability(spec, cm, p.time).stable  # at the baseline the loop carries nothing
    report = check_stability(spec, cm, p.time, run=run_with_demand_above_workers(cm))
    assert not report.stable
    assert report.growth_per_year == pytest.approx((1 + 2.0 * cm.dt) ** (1 / cm.dt))
    assert [lp.path for lp in report.culprits] == ["workers -> filled -> newcomers -> workers"]
    k = cm.times.size - 1
    radius = spectral_radius(step_map(cm, k, active=active_at(cm, k, run=run_with_demand_above_workers(cm)))[0])
    assert radius == pytest.approx(1 + 2.0 * cm.dt)


def test_loop_gains_at_the_baseline_and_at_the_run():
    spec = migration_model()
    cm = prepared(spec, []).compiled
    loops = find_loops(spec)
    assert [lp.path for lp in loops] == ["workers -> filled -> newcomers -> workers"]
    assert loops[0].gain == 0.0  # workers are not the baseline's active input
    d = run_with_demand_above_workers(cm)
    assert list(gains_at(loops, cm, d, cm.times.size - 1)) == [2.0]
    assert list(gains_at(loops, cm, np.zeros_like(d), 0)) == [0.0]
