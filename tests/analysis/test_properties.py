"""Property tests on random models (the core's hypothesis strategies): tracing is exact, always."""

from __future__ import annotations

import numpy as np
from core.builders import build_model, prepare
from core.strategies import interventions, models
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.analysis.tracing import incoming_parts, trace_paths
from simulator.engine import simulate

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def fit_time(dt: float) -> dict:
    return {"start": 2020.0, "end": 2020.0 + min(24, round(6 / dt)) * dt, "dt": dt}


@SETTINGS
@given(models(), st.data())
def test_link_and_path_parts_add_up_to_every_deviation(drawn, data):
    """Bounds, elasticities, stocks with decay and every delay type included."""
    nodes, links, dt = drawn
    model = build_model(nodes, links, fit_time(dt))
    prepared = prepare(model, data.draw(interventions([n["id"] for n in nodes])), fit_time(dt))
    cm, u = prepared.compiled, prepared.inputs
    d = simulate(cm, u)[:, :, 0]
    tol = 1e-9 * (1.0 + np.abs(d).max())
    k = data.draw(st.integers(0, cm.times.size - 1))
    for i in range(cm.n_nodes):
        own, _, parts, bounds = incoming_parts(cm, u, d, i)
        np.testing.assert_allclose(own + parts.sum(axis=1) + bounds, d[:, i], rtol=0, atol=tol)
        paths = trace_paths(cm, u, d, i, k)
        assert abs(paths["value"].iloc[-1]) <= tol  # 'other': nothing left over
        assert abs(paths["value"].sum() - d[k, i]) <= tol
    if not (np.isfinite(cm.lower).any() or np.isfinite(cm.upper).any()):
        for i in range(cm.n_nodes):
            assert np.abs(incoming_parts(cm, u, d, i)[3]).max() <= tol  # no bounds, no bounds part
