"""The t_0 rule for bounds in a cycle of pass-through lags agrees with PySD (via the export)."""

from __future__ import annotations

import warnings

import numpy as np
import pysd
import pytest

from simulator.io.export_equations import build_equations
from simulator.io.export_mdl import write_mdl
from simulator.scenario_run import run_deterministic

from .builders import build_model, link, node, prepare


@pytest.mark.parametrize(("height", "bound"), [(1.5, {"max": 11.0}), (-3.0, {"min": 9.2})])
def test_bound_in_a_lagged_ring_at_t0_agrees_with_pysd(tmp_path, height, bound):
    model = build_model(
        [node("a", 10.0, **bound), node("b", 10.0), node("c", 2.0)],
        [
            link("a", "b", 0.5, lag=1.0, delay="exponential"),
            link("b", "a", 0.5, lag=1.5, delay="third_order"),
            link("b", "c", 0.1, form="elasticity"),
        ],
    )
    prepared = prepare(
        model,
        [{"node": "a", "shape": "step", "height": height, "start": 2020}],
        {"start": 2020, "end": 2024, "dt": 0.25},
    )
    ours = run_deterministic(prepared).delta
    path = tmp_path / "ring.mdl"
    path.write_text(write_mdl(build_equations(prepared)), encoding="utf-8")
    columns = [f"{n}_delta" for n in prepared.compiled.node_ids]
    with warnings.catch_warnings():  # PySD's own deprecation chatter
        warnings.simplefilter("ignore")
        theirs = pysd.read_vensim(str(path)).run(return_columns=columns)[columns].to_numpy(dtype=float)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
    assert ours[0, 0] == pytest.approx(1.0 if height > 0 else -0.8)  # the bound binds at t_0
