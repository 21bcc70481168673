"""The compiled engine: tiles of members, the t_0 solve loop by loop, the summaries' kernels, caching."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from simulator import engine
from simulator.engine import TILE, simulate
from simulator.ensemble import Bins, _fold
from simulator.network import check_model
from simulator.scenario_run import PreparedScenario, prepare_scenario
from simulator.spec import ModelSpec, ScenarioSpec

TIME = {"start": 2020.0, "end": 2026.0, "dt": 0.25}


def node(node_id: str, baseline: float = 10.0, **extra) -> dict:
    return {"id": node_id, "label": node_id, "theme": "t", "dimension": "hier_en_nu", "baseline": baseline, **extra}


def prepare(nodes: list[dict], links: list[dict], interventions: list[dict]) -> PreparedScenario:
    spec = ModelSpec.model_validate({"name": "k", "title": "k", "time": TIME, "nodes": nodes, "links": links})
    assert not check_model(spec)
    scenario = ScenarioSpec.model_validate(
        {"name": "k", "model": "k.yaml", "time": TIME, "interventions": interventions}
    )
    return prepare_scenario(scenario, spec)


@pytest.fixture(scope="module")
def looped() -> PreparedScenario:
    """A ring of pass-through lags (solved at t_0) fed by a chain, read by a stock and a bounded node;
    every delay type and an elasticity; inputs from t_0 on."""
    nodes = [
        node("x"),
        node("a", 20.0),
        node("b", 5.0),
        node("c", 8.0),
        node("s", 50.0, kind="stock", decay=0.2),
        node("e", 12.0, min=11.0, max=12.5),
        node("f"),
    ]
    links = [
        {"from": "x", "to": "a", "weight": 0.8},
        {"from": "a", "to": "b", "weight": 0.3, "delay": "exponential", "lag": 1.0},
        {"from": "b", "to": "c", "weight": 0.5, "delay": "third_order", "lag": 1.5, "form": "elasticity"},
        {"from": "c", "to": "a", "weight": -0.4, "delay": "exponential", "lag": 0.5},
        {"from": "c", "to": "s", "weight": 1.0},
        {"from": "s", "to": "e", "weight": 0.1},
        {"from": "a", "to": "f", "weight": 0.2, "delay": "fixed", "lag": 0.75},
        {"from": "f", "to": "e", "weight": 0.3, "form": "elasticity"},
    ]
    return prepare(
        nodes,
        links,
        [
            {"node": "x", "shape": "step", "height": 2.0, "start": 2020.0},
            {"node": "f", "shape": "ramp", "slope": 0.5, "start": 2021.0, "end": 2024.0},
        ],
    )


def members(prepared: PreparedScenario, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random parameter sets around the central values (lags at least the central lag)."""
    cm, rng = prepared.compiled, np.random.default_rng(seed)
    weights = cm.weight[:, None] * rng.uniform(0.5, 1.5, (cm.n_links, n))
    lags = cm.lag[:, None] * rng.uniform(1.0, 2.0, (cm.n_links, n))
    return weights, lags


def test_the_t0_system_really_is_solved(looped):
    assert looped.compiled.initial_levels is None  # the ring a -> b -> c -> a passes its input through at t_0


def test_a_member_gets_the_same_numbers_on_either_side_of_a_tile_boundary(looped):
    cm = looped.compiled
    weights, lags = members(looped, 2 * TILE + 5)
    full = simulate(cm, looped.inputs, weights, lags)
    for part in (slice(TILE - 3, TILE + 4), slice(TILE, TILE + 1), slice(2 * TILE + 1, 2 * TILE + 5)):
        alone = simulate(cm, looped.inputs, weights[:, part], lags[:, part])
        assert np.array_equal(full[:, :, part], alone)
    one = simulate(cm, looped.inputs, weights[:, 7], lags[:, 7])
    assert np.array_equal(one[:, :, 0], full[:, :, 7])


def test_the_loop_by_loop_t0_solve_equals_the_dense_solve(looped):
    cm = looped.compiled
    weights, _ = members(looped, 50, seed=3)
    d0 = simulate(cm, looped.inputs, weights, check_finite=False)[0]
    links = engine._initial_links(cm)
    coef = weights[links] * cm.tgt_scale[0, links][:, None] * cm.src_scale[0, links][:, None]
    a = engine._initial_matrix(cm, links, coef, np.arange(weights.shape[1]))
    rhs = np.where(cm.is_stock, 0.0, looped.inputs[0])
    dense = np.linalg.solve(a, np.broadcast_to(rhs, (weights.shape[1], cm.n_nodes))[..., None])[..., 0].T
    np.testing.assert_allclose(d0, dense, rtol=1e-13, atol=1e-13)
    assert (np.abs(d0[cm.index("c")]) > 0.01).all()  # the loop carries the input at t_0


def test_histogram_counts_are_the_numpy_formula(looped):
    weights, lags = members(looped, 300, seed=5)
    d = simulate(looped.compiled, looped.inputs, weights, lags)
    bins = Bins.from_pilot(d[:, :, :40], n_bins=50)  # most members fall outside: under- and overflow too
    t = np.clip((d - bins.low[..., None]) * (1.0 / bins.width[..., None]) + 1.0, 0, bins.n_bins + 1)
    idx = t.astype(np.intp) + ((bins.n_bins + 2) * np.arange(bins.low.size)).reshape(bins.low.shape + (1,))
    expected = np.bincount(idx.ravel(), minlength=bins.low.size * (bins.n_bins + 2)).reshape(bins.low.size, -1)
    counts = bins.counts(d)
    assert np.array_equal(counts, expected)
    assert counts[:, 0].sum() > 0 and counts[:, -1].sum() > 0
    assert (counts.sum(axis=1) == 300).all()


def test_histogram_counts_of_rows_longer_than_the_uint16_sub_histograms_hold():
    from simulator.ensemble import _SEGMENT, _fold_into

    n = 2 * _SEGMENT + 7  # each of the four uint16 sub-histograms would overflow past 4 x 65,535 members
    d = np.zeros((2, 1, n))
    d[1, 0, ::3] = 1.0
    bins = Bins(np.full((2, 1), -0.5), np.full((2, 1), 0.5), 4)  # 0.0 in bin 2, 1.0 in bin 4 (0: underflow)
    expected = np.zeros((2, 6), dtype=np.int64)
    expected[0, 2] = n
    expected[1, 4] = len(range(0, n, 3))
    expected[1, 2] = n - expected[1, 4]
    assert np.array_equal(bins.counts(d), expected)
    counts = np.zeros_like(bins.counts(d[:, :, :0]))
    parts, lo, hi = np.zeros((2, 1, 8)), np.empty((2, 1)), np.empty((2, 1))
    assert _fold_into(d, parts, lo, hi, 0, bins.low, bins.inverse_width, bins.n_bins, counts)
    assert np.array_equal(counts, expected)


def test_block_sums_and_extremes(looped):
    weights, lags = members(looped, 37, seed=6)
    d = simulate(looped.compiled, looped.inputs, weights, lags)
    total, low, high = _fold(d)
    np.testing.assert_allclose(total, d.sum(axis=2), rtol=1e-14, atol=1e-12)
    assert np.array_equal(low, d.min(axis=2)) and np.array_equal(high, d.max(axis=2))
    one = d[:, :, 3:4]
    assert np.array_equal(_fold(np.ascontiguousarray(one))[0], one[:, :, 0])  # one member: its own values


def test_without_a_writable_cache_directory_the_kernels_compile_uncached(monkeypatch):
    real = numba.njit

    def refusing(*args, **options):
        if options.get("cache"):
            raise RuntimeError("cannot cache function 'f': no locator available for file 'f.py'")
        return real(*args, **options)

    monkeypatch.setattr(numba, "njit", refusing)

    @engine.jit()
    def twice(x: float) -> float:  # pragma: no cover (compiled)
        return 2.0 * x

    assert twice(2.5) == 5.0
    assert type(twice._cache).__name__ == "NullCache"


def test_one_pass_sums_extremes_and_counts_equal_the_separate_ones_however_a_block_is_split(looped):
    from simulator.ensemble import _NO_BINS, _fold_into, _pairwise

    weights, lags = members(looped, 301, seed=8)
    d = simulate(looped.compiled, looped.inputs, weights, lags)
    d[:, :, 5] = -0.0  # signed zeros: the first one seen is the extreme, as in one running pass
    d[:, :, 9] = 0.0
    bins = Bins.from_pilot(d[:, :, :40], n_bins=50)
    total, low, high = _fold(d)
    for cuts in ([301], [3, 298], [13, 100, 188], [1] * 20 + [281]):
        parts, lo, hi = np.zeros(d.shape[:2] + (8,)), np.empty(d.shape[:2]), np.empty(d.shape[:2])
        counts = np.zeros_like(bins.counts(d[:, :, :0]))
        offset = 0
        for n in cuts:
            part = np.ascontiguousarray(d[:, :, offset : offset + n])
            assert _fold_into(part, parts, lo, hi, offset, bins.low, bins.inverse_width, bins.n_bins, counts)
            offset += n
        assert _pairwise(parts).tobytes() == total.tobytes()
        assert lo.tobytes() == low.tobytes() and hi.tobytes() == high.tobytes()
        assert np.array_equal(counts, bins.counts(d))
    bad = d.copy()
    bad[3, 1, 200] = np.nan
    parts, lo, hi = np.zeros(d.shape[:2] + (8,)), np.empty(d.shape[:2]), np.empty(d.shape[:2])
    assert not _fold_into(bad, parts, lo, hi, 0, *_NO_BINS)
