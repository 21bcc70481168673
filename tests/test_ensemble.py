"""Ensembles: exact against deterministic runs, known quantiles, the same for any chunking."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.engine import simulate
from simulator.ensemble import ENSEMBLE_COLUMNS, ensemble_summary, run_members, summarise_sample
from simulator.errors import InputError, NumericalError
from simulator.network import check_model
from simulator.sampling import BLOCK_SIZE, draw
from simulator.scenario_run import PreparedScenario, prepare_scenario, run_deterministic
from simulator.spec import ModelSpec, ScenarioSpec

TIME = {"start": 2020.0, "end": 2030.0, "dt": 0.25}


def node(node_id, baseline=10.0, **extra):
    return {
        "id": node_id,
        "label": node_id,
        "theme": "samenleving",
        "dimension": "hier_en_nu",
        "baseline": baseline,
        **extra,
    }


def model(nodes, links) -> ModelSpec:
    spec = ModelSpec.model_validate({"name": "case", "title": "case", "time": TIME, "nodes": nodes, "links": links})
    assert not check_model(spec)
    return spec


def prepare(spec: ModelSpec, interventions, overrides=None) -> PreparedScenario:
    scenario = ScenarioSpec.model_validate(
        {
            "name": "case",
            "model": "case.yaml",
            "time": TIME,
            "interventions": interventions,
            "overrides": overrides or {},
        }
    )
    return prepare_scenario(scenario, spec)


@pytest.fixture(scope="module")
def rich() -> PreparedScenario:
    """Every delay type, an elasticity, a stock and a loop; uncertain weights and lags."""
    nodes = [
        node("a"),
        node("b", 50.0),
        node("c", 5.0),
        node("s", 100.0, kind="stock", decay=0.1),
        node("e", 20.0, min=0.0),
    ]
    links = [
        {"from": "a", "to": "b", "weight": {"low": 0.5, "mode": 1.0, "high": 2.0}},
        {
            "from": "b",
            "to": "c",
            "weight": {"dist": "normal", "mean": 0.2, "sd": 0.05},
            "delay": "exponential",
            "lag": {"low": 1.0, "mode": 1.5, "high": 3.0},
        },
        {"from": "c", "to": "s", "weight": {"dist": "uniform", "low": 0.5, "high": 1.5}},
        {
            "from": "s",
            "to": "b",
            "weight": -0.05,
            "delay": "third_order",
            "lag": {"dist": "uniform", "low": 0.9, "high": 2.0},
        },
        {
            "from": "b",
            "to": "e",
            "weight": {"low": 0.1, "mode": 0.3, "high": 0.4},
            "form": "elasticity",
            "delay": "fixed",
            "lag": {"dist": "uniform", "low": 0.5, "high": 1.5},
        },
    ]
    return prepare(
        model(nodes, links),
        [{"node": "a", "shape": "ramp", "slope": 2.0, "start": 2021, "end": 2024}],
    )


@pytest.fixture(scope="module")
def uniform_link() -> PreparedScenario:
    """b = w * a with a stepped to 1 and w ~ uniform(1, 3): b's deviation is distributed as w."""
    spec = model(
        [node("a"), node("b")],
        [{"from": "a", "to": "b", "weight": {"dist": "uniform", "low": 1.0, "high": 3.0}}],
    )
    return prepare(spec, [{"node": "a", "shape": "step", "height": 1.0, "start": 2020}])


def test_one_member_ensemble_equals_the_deterministic_run_exactly(rich):
    summary = ensemble_summary(rich, samples=1, seed=4)
    values = draw(rich.model, 1, 4).member_values(0)
    overrides = {}
    for name, value in values.items():
        key, _, field = name.rpartition(":")
        source, target = key.split("->")
        overrides.setdefault(key, {"from": source, "to": target})[field] = value
    fixed = prepare(
        rich.model,
        [i.model_dump(exclude_none=True) for i in rich.interventions],
        {"links": list(overrides.values())},
    )
    det = run_deterministic(fixed).delta
    for stat in (summary.mean, summary.p05, summary.p50, summary.p95):
        assert np.array_equal(stat, det)


def test_central_values_as_one_member_equal_the_default_run_bit_for_bit(rich):
    cm = rich.compiled
    one = simulate(cm, rich.inputs, cm.weight[:, None], cm.lag[:, None])
    assert np.array_equal(one, simulate(cm, rich.inputs))


def test_a_member_gets_the_same_numbers_in_any_block_size(rich):
    sample = draw(rich.model, 300, 2)
    weights, lags = sample.block(0)
    full = simulate(rich.compiled, rich.inputs, weights, lags)
    some = simulate(rich.compiled, rich.inputs, weights[:, 40:47], lags[:, 40:47])
    assert np.array_equal(full[:, :, 40:47], some)


@pytest.mark.parametrize("exact_limit", [10**9, 0], ids=["exact", "histogram"])
def test_quantiles_of_a_uniform_weight_match_the_exact_ones(uniform_link, exact_limit):
    summary = ensemble_summary(uniform_link, samples=4000, seed=1, exact_limit=exact_limit)
    b = summary.node_ids.index("b")
    # LHS puts one draw in each 1/4000 stratum: sample quantiles are within ~2/4000 of the range
    tol = 2 * 2.0 / 4000 + summary.resolution[:, b].max()
    assert summary.p05[:, b] == pytest.approx(1.1, abs=tol)
    assert summary.p50[:, b] == pytest.approx(2.0, abs=tol)
    assert summary.p95[:, b] == pytest.approx(2.9, abs=tol)
    assert summary.mean[:, b] == pytest.approx(2.0, abs=1e-3)
    assert summary.exact == (exact_limit > 0)


def test_monte_carlo_quantiles_match_within_sampling_error(uniform_link):
    summary = ensemble_summary(uniform_link, samples=3000, seed=9, method="mc", exact_limit=0)
    p05, p50, p95 = (x[-1] for x in summary.band("b"))
    # binomial standard error of a quantile estimate, in units of w: sqrt(q(1-q)/n) * range
    for got, want, q in ((p05, 1.1, 0.05), (p50, 2.0, 0.5), (p95, 2.9, 0.95)):
        assert abs(got - want) < 4 * np.sqrt(q * (1 - q) / 3000) * 2.0 + 0.01


@pytest.mark.parametrize("exact_limit", [10**9, 0], ids=["exact", "histogram"])
def test_same_seed_same_summary_whatever_the_chunking_and_threads(rich, exact_limit):
    n = 3 * BLOCK_SIZE + 321
    runs = [
        ensemble_summary(rich, samples=n, seed=7, chunk_size=chunk, exact_limit=exact_limit, threads=threads)
        for chunk, threads in (
            (1, 1),
            (BLOCK_SIZE, 1),
            (2 * BLOCK_SIZE, 1),
            (10**9, 1),
            (BLOCK_SIZE, 2),
            (BLOCK_SIZE, 3),
            (BLOCK_SIZE, 4),
        )
    ]
    for other in runs[1:]:
        for stat in ("mean", "p05", "p50", "p95", "resolution"):  # bit for bit: signed zeros too
            assert getattr(runs[0], stat).tobytes() == getattr(other, stat).tobytes(), stat


def test_chunks_count_in_uint16_up_to_65535_members_and_the_total_in_int32():
    from simulator.ensemble import Reduction, _count_type

    assert _count_type(65_535) is np.uint16 and _count_type(65_536) is np.int32
    total = Reduction()
    for _ in range(3):  # three chunks each near the uint16 limit in one cell: the total holds 180,000
        chunk = Reduction(count_type=np.uint16, counts=np.array([[60_000, 1]], dtype=np.uint16))
        total.merge(chunk)
        assert chunk.counts is not None and chunk.counts.dtype == np.uint16
    assert total.counts is not None and total.counts.dtype == np.int32
    assert total.counts.tolist() == [[180_000, 3]]


def test_memory_bounded_chunked_run_equals_an_unchunked_one(rich):
    n = 2500
    sample = draw(rich.model, n, seed=3)
    weights = np.concatenate([sample.block(b)[0] for b in range(sample.n_blocks)], axis=1)
    lags = np.concatenate([sample.block(b)[1] for b in range(sample.n_blocks)], axis=1)
    everything = simulate(rich.compiled, rich.inputs, weights, lags)  # (K+1, N, n) at once
    chunked = summarise_sample(rich, sample, chunk_size=BLOCK_SIZE, exact_limit=0, n_bins=500)
    exact = summarise_sample(rich, sample, chunk_size=BLOCK_SIZE)
    np.testing.assert_allclose(chunked.mean, everything.mean(axis=2), rtol=1e-12, atol=1e-12)
    want = np.quantile(everything, [0.05, 0.5, 0.95], axis=2)
    for i, stat in enumerate((exact.p05, exact.p50, exact.p95)):
        assert np.array_equal(stat, want[i])
    for i, stat in enumerate((chunked.p05, chunked.p50, chunked.p95)):
        # within one bin, plus the gap between neighbouring order statistics
        gap = np.abs(np.diff(np.sort(everything, axis=2), axis=2)).max(axis=2)
        assert np.all(np.abs(stat - want[i]) <= chunked.resolution + gap + 1e-12)


def _calls_of(monkeypatch, prepared, members):
    """Make the engine calls of an ensemble block ``members`` wide (as on a model too large for a whole block)."""
    from simulator import budget

    cm = prepared.compiled
    monkeypatch.setattr(budget, "CALL_BYTES", members * 8 * (cm.times.size * cm.n_nodes + 2 * cm.n_links))


@pytest.mark.parametrize("exact_limit", [10**9, 0], ids=["exact", "histogram"])
def test_blocks_split_into_engine_calls_give_the_same_means_bit_for_bit(rich, monkeypatch, exact_limit):
    n = 2 * BLOCK_SIZE + 77
    whole = ensemble_summary(rich, samples=n, seed=5, exact_limit=exact_limit, keep_nodes=["e"], chunk_size=1)
    for width in (37, 8, 1):  # not a divisor of the block, a multiple of the eight running sums, one member
        _calls_of(monkeypatch, rich, width)
        split = ensemble_summary(rich, samples=n, seed=5, exact_limit=exact_limit, keep_nodes=["e"], chunk_size=1)
        assert split.mean.tobytes() == whole.mean.tobytes()
        assert split.paths["e"].tobytes() == whole.paths["e"].tobytes()
        if exact_limit:  # exact quantiles: every member's path, however it was run
            assert split.p50.tobytes() == whole.p50.tobytes() and split.p95.tobytes() == whole.p95.tobytes()
        else:  # the bins come from the first engine call (the pilot), so binned quantiles may differ
            assert np.isfinite(split.p50).all() and (split.p05 <= split.p95).all()


def test_bwsim_run_writes_the_same_means_when_its_blocks_are_split(files, tmp_path, monkeypatch):
    import pandas as pd

    from simulator import budget

    scenario = files()
    result = _bwsim("run", scenario, "--out", tmp_path / "whole", "--samples", 1500, "--seed", 2)
    assert result.exit_code == 0, result.output
    monkeypatch.setattr(budget, "CALL_BYTES", 8 * 24 * (21 * 2 + 2))  # 24 members a call (21 times, 2 nodes, 1 link)
    result = _bwsim("run", scenario, "--out", tmp_path / "split", "--samples", 1500, "--seed", 2)
    assert result.exit_code == 0, result.output
    whole, split = (pd.read_csv(tmp_path / out / "ensemble.csv", dtype=str) for out in ("whole", "split"))
    assert len(whole) == 2 * 21 and whole["mean"].tolist() == split["mean"].tolist()
    assert (tmp_path / "whole" / "results.csv").read_bytes() == (tmp_path / "split" / "results.csv").read_bytes()


def test_a_member_blowing_up_in_a_later_engine_call_of_its_block_is_still_named(monkeypatch):
    spec = model(
        [node("a"), node("s", 1.0, kind="stock")],
        [
            {"from": "a", "to": "s", "weight": 1.0},
            {"from": "s", "to": "s", "weight": {"dist": "uniform", "low": 0.0, "high": 1e20}},
        ],
    )
    prepared = prepare(spec, [{"node": "a", "shape": "step", "height": 1.0, "start": 2020}])
    _calls_of(monkeypatch, prepared, 3)
    with pytest.raises(NumericalError) as info:
        ensemble_summary(prepared, samples=50, seed=0)
    assert "ensemble member" in str(info.value) and "s->s:weight = " in str(info.value)


def test_kept_paths_are_the_members_and_only_for_the_nodes_asked(rich):
    summary = ensemble_summary(rich, samples=1500, seed=2, keep_nodes=["e"], chunk_size=BLOCK_SIZE)
    assert set(summary.paths) == {"e"}
    paths = summary.paths["e"]
    assert paths.shape == (summary.times.size, 1500)
    e = summary.node_ids.index("e")
    np.testing.assert_allclose(paths.mean(axis=1), summary.mean[:, e], rtol=1e-12, atol=1e-12)


def test_run_members_equals_one_big_engine_call(rich):
    sample = draw(rich.model, 2100, seed=8, method="mc")
    weights = np.concatenate([sample.block(b)[0] for b in range(sample.n_blocks)], axis=1)
    lags = np.concatenate([sample.block(b)[1] for b in range(sample.n_blocks)], axis=1)
    got = run_members(rich, weights, lags, chunk_size=BLOCK_SIZE, nodes=["c", "s"])
    want = simulate(rich.compiled, rich.inputs, weights, lags)[:, [2, 3], :]
    assert np.array_equal(got, want)


def test_frame_has_the_ensemble_csv_columns(uniform_link):
    frame = ensemble_summary(uniform_link, samples=20, seed=0).to_frame()
    assert list(frame.columns) == ENSEMBLE_COLUMNS
    assert len(frame) == 2 * uniform_link.compiled.times.size
    assert (frame["p05"] <= frame["p50"]).all() and (frame["p50"] <= frame["p95"]).all()


def test_a_member_that_blows_up_is_reported_with_its_parameters():
    spec = model(
        [node("a"), node("s", 1.0, kind="stock")],
        [
            {"from": "a", "to": "s", "weight": 1.0},
            {"from": "s", "to": "s", "weight": {"dist": "uniform", "low": 0.0, "high": 1e20}},
        ],
    )
    prepared = prepare(spec, [{"node": "a", "shape": "step", "height": 1.0, "start": 2020}])
    with pytest.raises(NumericalError) as info:
        ensemble_summary(prepared, samples=50, seed=0)
    text = str(info.value)
    assert "ensemble member" in text and "s->s:weight = " in text and "averaged into the band" in text


def test_a_lag_that_can_be_drawn_below_dt_is_refused_before_running():
    spec = model(
        [node("a"), node("b")],
        [
            {
                "from": "a",
                "to": "b",
                "weight": 1.0,
                "delay": "exponential",
                "lag": {"dist": "uniform", "low": 0.1, "high": 2.0},
            }
        ],
    )
    with pytest.raises(InputError) as info:
        ensemble_summary(prepare(spec, []), samples=10)
    assert "can be drawn as low as 0.1" in str(info.value)


def test_unknown_node_to_keep_is_an_input_error(uniform_link):
    with pytest.raises(InputError, match="unknown node 'zz'"):
        ensemble_summary(uniform_link, samples=5, keep_nodes=["zz"])


# --- bwsim run --samples/--seed ------------------------------------------------------------------

MODEL_YAML = """
name: small
title: small
time: {start: 2020, end: 2025, dt: 0.25}
nodes:
  - {id: a, label: a, theme: samenleving, dimension: hier_en_nu, baseline: 10}
  - {id: b, label: b, theme: samenleving, dimension: hier_en_nu, baseline: 10}
links:
  - {from: a, to: b, weight: {dist: uniform, low: 1, high: 3}, delay: exponential, lag: LAG}
"""

SCENARIO_YAML = """
name: grow
model: small.yaml
interventions:
  - {node: a, shape: step, height: 1, start: 2020}
"""


@pytest.fixture()
def files(tmp_path):
    def write(lag="{low: 0.5, mode: 1, high: 2}", extra=""):
        (tmp_path / "small.yaml").write_text(MODEL_YAML.replace("LAG", lag), encoding="utf-8")
        (tmp_path / "grow.yaml").write_text(SCENARIO_YAML + extra, encoding="utf-8")
        return tmp_path / "grow.yaml"

    return write


def _bwsim(*args):
    from typer.testing import CliRunner

    from simulator.cli.main import app

    args = [str(a) for a in args]  # in English unless the test gives --lang
    return CliRunner().invoke(app, args if "--lang" in args else [*args, "--lang", "en"])


def test_run_with_samples_writes_a_reproducible_ensemble_csv(files, tmp_path):
    import json

    import pandas as pd

    scenario = files()
    for out in ("one", "two"):
        result = _bwsim("run", scenario, "--out", tmp_path / out, "--samples", 300, "--seed", 4)
        assert result.exit_code == 0, result.output
    first = (tmp_path / "one" / "ensemble.csv").read_bytes()
    assert first == (tmp_path / "two" / "ensemble.csv").read_bytes()
    table = pd.read_csv(tmp_path / "one" / "ensemble.csv")
    assert list(table.columns) == ENSEMBLE_COLUMNS
    final = table[(table.node == "b") & (table.time == 2025)].iloc[0]
    assert final.p05 < final.p50 < final.p95 and 1.0 < final.p05 and final.p95 < 3.0
    settings = json.loads((tmp_path / "one" / "manifest.json").read_text())["settings"]
    assert settings["ensembles"] == {"grow": {"samples": 300, "seed": 4, "method": "lhs"}}


def test_the_scenario_uncertainty_block_alone_runs_an_ensemble_and_flags_override_it(files, tmp_path):
    import json

    scenario = files(extra="uncertainty: {samples: 40, seed: 2, method: mc}\n")
    assert _bwsim("run", scenario, "--out", tmp_path / "file").exit_code == 0
    assert _bwsim("run", scenario, "--out", tmp_path / "flag", "--seed", 3).exit_code == 0
    file_settings = json.loads((tmp_path / "file" / "manifest.json").read_text())["settings"]["ensembles"]
    flag_settings = json.loads((tmp_path / "flag" / "manifest.json").read_text())["settings"]["ensembles"]
    assert file_settings == {"grow": {"samples": 40, "seed": 2, "method": "mc"}}
    assert flag_settings == {"grow": {"samples": 40, "seed": 3, "method": "mc"}}
    assert (tmp_path / "file" / "ensemble.csv").read_bytes() != (tmp_path / "flag" / "ensemble.csv").read_bytes()


def test_without_samples_or_block_no_ensemble_is_written(files, tmp_path):
    assert _bwsim("run", files(), "--out", tmp_path / "out").exit_code == 0
    assert not (tmp_path / "out" / "ensemble.csv").exists()


@pytest.mark.parametrize(
    "args, lag, message",
    [
        (("--samples", 0), None, "--samples must be at least 1"),
        (("--samples", 5, "--seed", -2), None, "--seed must be 0 or more"),
        (("--samples", 5, "--workers", 0), None, "needs 1 or more workers"),
        (("--samples", 5), "{low: 0.1, mode: 1, high: 2}", "can be drawn as low as 0.1"),
    ],
)
def test_bad_ensemble_input_exits_2_before_writing_anything(files, tmp_path, args, lag, message):
    scenario = files(lag) if lag else files()
    result = _bwsim("run", scenario, "--out", tmp_path / "out", *args)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_blow_up_exits_2_naming_the_member_and_its_values(tmp_path):
    (tmp_path / "small.yaml").write_text(
        "name: small\ntitle: small\ntime: {start: 2020, end: 2030, dt: 0.25}\nnodes:\n"
        "  - {id: a, label: a, theme: samenleving, dimension: hier_en_nu, baseline: 1}\n"
        "  - {id: s, label: s, theme: samenleving, dimension: hier_en_nu, baseline: 1, kind: stock}\n"
        "links:\n  - {from: a, to: s, weight: 1}\n"
        "  - {from: s, to: s, weight: {low: 0, mode: 0, high: 1.0e+20}}\n",
        encoding="utf-8",
    )
    (tmp_path / "grow.yaml").write_text(SCENARIO_YAML, encoding="utf-8")
    result = _bwsim("run", tmp_path / "grow.yaml", "--out", tmp_path / "out", "--samples", 20)
    assert result.exit_code == 2
    assert "ensemble member" in result.output and "s->s:weight = " in result.output
    assert not (tmp_path / "out").exists()
