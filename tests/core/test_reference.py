"""The fast engine matches the slow reference loop of ENGINE.md on random small models."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.engine import simulate

from .builders import build_model, prepare
from .reference_engine import reference_simulate
from .strategies import interventions, models

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_close(ours: np.ndarray, reference: np.ndarray) -> None:
    scale = max(1.0, float(np.abs(reference).max(initial=0.0)))
    np.testing.assert_allclose(ours, reference, rtol=1e-12, atol=1e-12 * scale)


@st.composite
def cases(draw: st.DrawFn, **model_options):
    nodes, links, dt = draw(models(**model_options))
    steps = draw(st.integers(1, min(24, int(round(10 / dt)))))
    time = {"start": 2020.0, "end": 2020.0 + steps * dt, "dt": dt}
    model = build_model(nodes, links, time)
    return model, draw(interventions([n["id"] for n in nodes])), time


@SETTINGS
@given(cases())
def test_engine_matches_reference(case):
    model, items, time = case
    prepared = prepare(model, items, time)
    ours = simulate(prepared.compiled, prepared.inputs)[:, :, 0]
    assert_close(ours, reference_simulate(prepared.model, prepared.time, prepared.inputs))


@SETTINGS
@given(cases(), st.integers(0, 2**32 - 1))
def test_every_ensemble_member_matches_reference(case, seed):
    """Members are the last axis: each column is its own run with its own weights and lags."""
    model, items, time = case
    prepared = prepare(model, items, time)
    rng = np.random.default_rng(seed)
    n_members, dt = 3, prepared.time.dt
    weights = np.array([[lk.weight.central * f for f in rng.uniform(-2, 2, n_members)] for lk in model.links])
    minimum = {"none": 0.0, "fixed": 0.05, "exponential": dt, "third_order": 3 * dt}
    lags = np.array([[0.0 if lk.delay == "none" else minimum[lk.delay] + rng.uniform(0, 2)
                      for _ in range(n_members)] for lk in model.links])
    ours = simulate(prepared.compiled, prepared.inputs, weights.reshape(-1, n_members),
                    lags.reshape(-1, n_members))
    assert ours.shape == (prepared.compiled.times.size, len(model.nodes), n_members)
    for m in range(n_members):
        reference = reference_simulate(prepared.model, prepared.time, prepared.inputs,
                                       list(weights[:, m]) if model.links else None,
                                       list(lags[:, m]) if model.links else None)
        assert_close(ours[:, :, m], reference)
