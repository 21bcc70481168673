"""The synthetic places model of benchmarks/make_gemeenten_model.py (issue 13 item 7), at a small N.

The benchmark (benchmarks/bench_places.py) times the 342-gemeente model; this test only checks, fast
and untimed, that the generated model validates, runs a 2-member ensemble with finite results and
is summarised, and that its commuting matrix is the one the generator computed.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from simulator.cli.main import app
from simulator.io.spec_files import load_model, load_scenario
from simulator.runner import Uncertainty, run_prepared
from simulator.scenario_run import prepare_scenario

ROOT = Path(__file__).resolve().parents[2]
N = 6
HEERLEN_NODES = sum(
    1 for origin in load_model(ROOT / "models" / "medtech-heerlen.yaml").spec.expansion.nodes if not origin.element
)
"""Plain nodes of the Heerlen model, each of which the generator puts over the gemeenten (49 with the net
effects); the generator leaves out the model's groups (the element nodes of its families)."""


def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_gemeenten_model", ROOT / "benchmarks" / "make_gemeenten_model.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gemeenten")
    generator = _generator()
    generator.write_model(folder, N, neighbours=2, seed=3)
    return generator, folder


def test_the_generated_model_validates(generated):
    _, folder = generated
    result = CliRunner().invoke(app, ["validate", str(folder / "model.yaml"), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert f"{HEERLEN_NODES * N} nodes" in result.output


def test_the_generated_model_runs_a_two_member_ensemble_with_finite_results_and_a_scorecard(generated):
    _, folder = generated
    loaded = load_scenario(folder / "scenario.yaml")
    prepared = prepare_scenario(loaded.spec, loaded.model.spec)
    assert prepared.compiled.n_nodes == HEERLEN_NODES * N
    run = run_prepared(prepared, Uncertainty(2, 0, "lhs"), language="en")
    assert np.isfinite(run.result.delta).all()
    assert np.isfinite(run.ensemble.p50).all() and np.isfinite(run.ensemble.p95).all()
    assert run.scorecard is not None and len(run.scorecard) > 0
    assert run.result.series("medtech_jobs[gm0001]")[-1] == pytest.approx(3000.0)  # the ramp: 600 a year, 5 years


def test_the_commuting_matrix_is_the_generators_shares_times_the_heerlen_weight(generated):
    generator, folder = generated
    loaded = load_scenario(folder / "scenario.yaml")
    model = loaded.model.spec
    cells = generator.commuting_shares(N, 2, 3) * 0.000266
    ids = generator.gemeente_ids(N)
    found = {
        (lk.source, lk.target): lk.weight.central
        for lk in model.links
        if lk.source.startswith("residents_employed[") and lk.target.startswith("employment_rate[")
    }
    expected = {
        (f"residents_employed[{ids[r]}]", f"employment_rate[{ids[c]}]"): cells[r, c]
        for r in range(N)
        for c in range(N)
        if cells[r, c] != 0
    }
    assert found == pytest.approx(expected, rel=1e-15)
    assert len(expected) == 3 * N  # own gemeente and 2 neighbours each
    assert np.allclose(cells.sum(axis=1), 0.000266)


def _group_by_group(cm, links, coef, rhs):
    """The t_0 solve as it was before the depths: one group at a time, each link of a group added in turn."""
    x = np.zeros(rhs.shape)
    for group in cm.plan.initial_groups:
        value = rhs[group.nodes]
        for row, p in zip(group.outside_rows, group.outside, strict=True):
            value[row] += coef[p] * x[cm.source[links[p]]]
        if group.inside.size:
            size = group.nodes.size
            a = np.zeros((rhs.shape[1], size, size))
            a[:, np.arange(size), np.arange(size)] = 1.0
            a[:, group.inside_rows, group.inside_cols] -= coef[group.inside].T
            value = np.linalg.solve(a, value.T[..., None])[..., 0].T
        x[group.nodes] = value
    return x


@pytest.mark.parametrize("n_members", [1, 9])
def test_the_t0_solve_by_depth_gives_the_numbers_of_the_solve_group_by_group_bit_for_bit(generated, n_members):
    from simulator import engine

    _, folder = generated
    loaded = load_scenario(folder / "scenario.yaml")
    cm = prepare_scenario(loaded.spec, loaded.model.spec).compiled
    plan = cm.plan
    # one loop per gemeente, solved together: far fewer numpy steps than groups
    assert len(plan.initial_depths) < len(plan.initial_groups) / 10
    assert any(batch.rows.shape[0] == N for depth in plan.initial_depths for batch in depth.loops)
    links = engine._initial_links(cm)
    rng = np.random.default_rng(4)
    coef = (cm.weight * cm.src_scale[0])[links][:, None] * rng.uniform(0.5, 1.5, (links.size, n_members))
    rhs = np.where(cm.is_stock[:, None], 0.0, rng.normal(size=(cm.n_nodes, n_members)))
    by_depth = engine._solve_by_loops(cm, links, coef, rhs)
    assert by_depth.tobytes() == _group_by_group(cm, links, coef, rhs).tobytes()
    assert np.abs(by_depth).min(axis=1).max() > 0  # not all zero


def test_a_model_too_large_for_the_dense_stability_map_runs_and_says_it_was_not_checked(
    generated, monkeypatch, tmp_path
):
    """The 342-gemeente model's one-step map would need more than 20 GB: bwsim run says the stability check is
    skipped and runs, rather than dying out of memory before the run (here with the limit set just below this
    model's need)."""
    from simulator.analysis import stability

    _, folder = generated
    loaded = load_scenario(folder / "scenario.yaml")
    cm = prepare_scenario(loaded.spec, loaded.model.spec).compiled
    assert not stability.too_large_to_check(cm)  # 294 nodes (49 x 6): checked
    monkeypatch.setattr(stability, "MAP_MAX_BYTES", stability.map_bytes(cm) - 1)
    assert stability.too_large_to_check(cm)
    result = CliRunner().invoke(
        app, ["run", str(folder / "scenario.yaml"), "--samples", "4", "--out", str(tmp_path / "out"), "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert f"not checked for stability: the one-step map of {HEERLEN_NODES * N} nodes would need about" in result.output
    assert (tmp_path / "out" / "results.csv").exists()
