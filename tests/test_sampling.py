"""Parameter draws: reproducible, right distributions, the same however they are cut up."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from simulator.errors import InputError
from simulator.sampling import BLOCK_SIZE, draw, inverse_cdf, uncertain_parameters
from simulator.spec import Distribution, ModelSpec


def _model(weight=None, lag=None) -> ModelSpec:
    nodes = [{"id": n, "label": n, "theme": "t", "dimension": "hier_en_nu", "baseline": 10.0} for n in ("a", "b", "c")]
    links = [
        {"from": "a", "to": "b", "weight": weight or {"low": 1.0, "mode": 2.0, "high": 4.0}},
        {
            "from": "b",
            "to": "c",
            "weight": 0.5,
            "delay": "exponential",
            "lag": lag or {"dist": "uniform", "low": 1.0, "high": 3.0},
        },
        {"from": "a", "to": "c", "weight": {"dist": "normal", "mean": -1.0, "sd": 0.5}},
    ]
    return ModelSpec.model_validate({"name": "m", "title": "m", "nodes": nodes, "links": links})


def _all_members(sample):
    parts = [sample.block(b) for b in range(sample.n_blocks)]
    return np.concatenate([p[0] for p in parts], axis=1), np.concatenate([p[1] for p in parts], axis=1)


def test_only_uncertain_weights_and_lags_are_parameters_in_link_order():
    names = [p.name for p in uncertain_parameters(_model())]
    assert names == ["a->b:weight", "b->c:lag", "a->c:weight"]


@pytest.mark.parametrize("method", ["lhs", "mc"])
def test_same_seed_same_numbers_bit_for_bit_and_other_seed_differs(method):
    model = _model()
    w1, l1 = _all_members(draw(model, 2500, seed=11, method=method))
    w2, l2 = _all_members(draw(model, 2500, seed=11, method=method))
    w3, _ = _all_members(draw(model, 2500, seed=12, method=method))
    assert np.array_equal(w1, w2) and np.array_equal(l1, l2)
    assert not np.array_equal(w1, w3)
    assert w1.shape == (3, 2500)


def test_fixed_values_stay_at_their_value():
    weights, lags = _all_members(draw(_model(), 50, seed=0))
    assert np.all(weights[1] == 0.5)
    assert np.all(lags[0] == 0.0) and np.all(lags[2] == 0.0)


@pytest.mark.parametrize("method", ["lhs", "mc"])
def test_draws_follow_their_distributions(method):
    weights, lags = _all_members(draw(_model(), 4000, seed=3, method=method))
    tri = stats.triang(c=1 / 3, loc=1.0, scale=3.0)
    assert stats.kstest(weights[0], tri.cdf).pvalue > 0.001
    assert stats.kstest(lags[1], stats.uniform(1.0, 2.0).cdf).pvalue > 0.001
    assert stats.kstest(weights[2], stats.norm(-1.0, 0.5).cdf).pvalue > 0.001
    assert weights[0].min() >= 1.0 and weights[0].max() <= 4.0


def test_latin_hypercube_puts_one_draw_in_every_stratum():
    n = 400
    sample = draw(_model(), n, seed=5)
    strata = np.floor(np.asarray(sample.design) * n).astype(int)
    for column in strata.T:
        assert sorted(column) == list(range(n))


def test_blocks_are_fixed_slices_of_the_members():
    sample = draw(_model(), 2 * BLOCK_SIZE + 7, seed=1)
    assert sample.n_blocks == 3
    assert sample.block_range(2) == (2 * BLOCK_SIZE, 2 * BLOCK_SIZE + 7)
    weights, _ = sample.block(2)
    assert weights.shape == (3, 7)
    values = sample.member_values(2 * BLOCK_SIZE + 3)
    assert values["a->b:weight"] == weights[0, 3]


def test_inverse_cdf_of_a_normal_stays_finite_at_the_edges():
    dist = Distribution.model_validate({"dist": "normal", "mean": 0.0, "sd": 1.0})
    values = inverse_cdf(dist, np.array([0.0, 0.5, 1.0]))
    assert np.all(np.isfinite(values)) and values[1] == 0.0


@pytest.mark.parametrize("samples, seed, method", [(0, 1, "lhs"), (-5, 1, "lhs"), (10, -1, "lhs"), (10, 1, "sobol")])
def test_bad_sampling_settings_are_input_errors(samples, seed, method):
    with pytest.raises(InputError) as info:
        draw(_model(), samples, seed, method)
    assert info.value.problems[0].place in {"samples", "seed", "method"}


@pytest.mark.parametrize(
    "spec, frozen",
    [
        ({"low": 1.0, "mode": 2.0, "high": 4.0}, stats.triang(c=1 / 3, loc=1.0, scale=3.0)),
        ({"low": 1.0, "mode": 1.0, "high": 4.0}, stats.triang(c=0.0, loc=1.0, scale=3.0)),
        ({"low": 1.0, "mode": 4.0, "high": 4.0}, stats.triang(c=1.0, loc=1.0, scale=3.0)),
        ({"dist": "normal", "mean": -1.0, "sd": 0.5}, stats.norm(-1.0, 0.5)),
        ({"dist": "uniform", "low": 2.0, "high": 3.0}, stats.uniform(2.0, 1.0)),
    ],
)
def test_inverse_cdf_equals_scipy_ppf(spec, frozen):
    u = np.linspace(1e-6, 1 - 1e-6, 1001)
    np.testing.assert_allclose(inverse_cdf(Distribution.model_validate(spec), u), frozen.ppf(u), rtol=1e-12, atol=1e-12)


def test_a_latin_hypercube_too_big_for_memory_is_refused_before_drawing(monkeypatch):
    import simulator.sampling as sampling

    monkeypatch.setattr(sampling, "LHS_MEMORY_LIMIT", sampling.PERMUTATION_BYTES * 3 * 100)
    draw(_model(), 100, seed=1)
    with pytest.raises(InputError, match="use method mc"):
        draw(_model(), 101, seed=1)
    draw(_model(), 101, seed=1, method="mc")


@pytest.mark.parametrize(
    "dist",
    [
        Distribution(dist="triangular", low=-1.0, mode=0.3, high=2.0),
        Distribution(dist="normal", mean=0.5, sd=0.2),
        Distribution(dist="uniform", low=1.0, high=4.0),
    ],
)
def test_the_two_conventions_of_the_one_inverse_cdf_agree_to_rounding(dist):
    u = np.linspace(1e-6, 1 - 1e-6, 2001)
    closed = inverse_cdf(dist, u, 1e-6, "closed")
    scipy_form = inverse_cdf(dist, u, 1e-6, "scipy")
    np.testing.assert_allclose(closed, scipy_form, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("samples", "dimensions", "seed", "size"),
    [(1, 1, 0, 2), (7, 3, 5, 2), (2 * BLOCK_SIZE + 7, 5, 11, 2), (65_535, 1, 3, 2), (70_001, 2, 4, 3)],
)
def test_the_latin_design_is_scipys_latin_hypercube_bit_for_bit_in_any_blocks(samples, dimensions, seed, size):
    from scipy.stats import qmc

    from simulator.lhs import LatinDesign, permutation_bytes

    scipy_design = qmc.LatinHypercube(d=dimensions, rng=np.random.default_rng(seed)).random(samples)
    design = LatinDesign(dimensions, samples, seed)
    assert permutation_bytes(samples) == size  # uint16 up to 65,535 samples, then uint16 and uint8
    assert design.shape == scipy_design.shape and design.nbytes == size * samples * dimensions
    np.testing.assert_array_equal(np.asarray(design), scipy_design)
    for size in (1, 3, BLOCK_SIZE) if samples < 10_000 else (BLOCK_SIZE, 65_536):
        rows = np.concatenate([design.rows(s, s + size) for s in range(0, samples, size)])
        assert rows.tobytes() == scipy_design.tobytes()


def test_a_sample_s_blocks_are_rows_of_scipys_latin_hypercube():
    from scipy.stats import qmc

    sample = draw(_model(), BLOCK_SIZE + 3, seed=2)
    scipy_design = qmc.LatinHypercube(d=len(sample.parameters), rng=np.random.default_rng(2)).random(BLOCK_SIZE + 3)
    assert sample.uniforms(1).tobytes() == scipy_design[BLOCK_SIZE:].tobytes()


def test_a_block_s_draws_are_each_parameter_s_inverse_cdf_bit_for_bit():
    from simulator.sampling import draws, inverse_cdf

    sample = draw(_model(), 500, seed=4)
    u = sample.uniforms(0)
    expected = np.stack([inverse_cdf(p.dist, u[:, c]) for c, p in enumerate(sample.parameters)], axis=1)
    assert draws(sample.parameters, u).tobytes() == expected.tobytes()


def test_the_latin_design_s_shuffles_are_numpy_s_when_the_raw_draws_run_out_anywhere(monkeypatch):
    from scipy.stats import qmc

    import simulator.lhs as lhs

    scipy_design = qmc.LatinHypercube(d=4, rng=np.random.default_rng(9)).random(300)
    for chunk in (1, 7, 64):  # 2, 14, 128 draws of 32 bits at a time: refills inside a row and between rows
        monkeypatch.setattr(lhs, "_RAW_CHUNK", chunk)
        assert np.asarray(lhs.LatinDesign(4, 300, 9)).tobytes() == scipy_design.tobytes()
