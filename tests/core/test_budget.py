"""The work and memory budget checked before every run (issue 11, item 1).

A model of a few kilobytes that validates (61 nodes, 200 links, dt 1e-6) took the
app server to 6.4 GB and the command line to a MemoryError: every run is now
sized before anything is allocated, and refused with the size and the limit.
"""

from __future__ import annotations

import random
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from simulator import budget
from simulator.cli.main import app
from simulator.ensemble import check_ensemble_budget, ensemble_summary, run_members
from simulator.errors import InputError
from simulator.io.spec_files import load_model, load_scenario
from simulator.scenario_run import prepare_scenario, run_deterministic

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))


def wide_model(dt: float, n_nodes: int = 61, n_links: int = 200, ranged: bool = False) -> str:
    """The tester's model: a 12 KB file of ``n_nodes`` nodes and ``n_links`` acyclic links over one year."""
    rng = random.Random(1)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < n_links:
        a, b = sorted(rng.sample(range(n_nodes), 2))
        pairs.add((a, b))
    weight = "{low: 0.005, mode: 0.01, high: 0.02}" if ranged else "0.01"
    return (
        "\n".join(
            ["name: wide", "title: t", f"time: {{start: 2025, end: 2026, dt: {dt}}}", "nodes:"]
            + [
                f"  - {{id: n{i}, label: N{i}, theme: samenleving, dimension: hier_en_nu, baseline: 10}}"
                for i in range(n_nodes)
            ]
            + ["links:"]
            + [f"  - {{from: n{a}, to: n{b}, weight: {weight}}}" for a, b in sorted(pairs)]
        )
        + "\n"
    )


SCENARIO = "name: s\nmodel: m.yaml\ninterventions:\n  - {node: n0, shape: step, height: 1, start: 2025.5}\n"


@pytest.fixture
def huge(tmp_path):
    (tmp_path / "m.yaml").write_text(wide_model(1e-6), encoding="utf-8")
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    return tmp_path


def test_a_small_file_asking_for_gigabytes_is_refused_before_compiling(huge):
    loaded = load_scenario(huge / "s.yaml")  # it validates
    tracemalloc.start()
    with pytest.raises(InputError) as info:
        prepare_scenario(loaded.spec, loaded.model.spec, loaded.path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50e6, "refused before the arrays are allocated"
    problem = info.value.problems[0]
    assert (problem.file, problem.place) == (str(huge / "s.yaml"), "time")
    assert "1,000,000 steps x 61 nodes and 200 links" in problem.message
    assert "GB of memory; the limit is 1 GB" in problem.message
    assert "larger dt" in problem.hint


def test_the_cli_refuses_it_with_exit_2_and_writes_nothing(huge):
    result = CliRunner().invoke(app, ["run", "--lang", "en", str(huge / "s.yaml"), "--out", str(huge / "out")])
    assert result.exit_code == 2, result.output
    assert "the run is too large" in result.stderr and "the limit is 1 GB" in result.stderr
    assert "Traceback" not in result.output and not (huge / "out").exists()


def test_an_ensemble_too_large_is_refused_before_any_run(tmp_path):
    (tmp_path / "m.yaml").write_text(wide_model(1e-3, ranged=True), encoding="utf-8")
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    loaded = load_scenario(tmp_path / "s.yaml")
    prepared = prepare_scenario(loaded.spec, loaded.model.spec, loaded.path)  # one run fits
    with pytest.raises(InputError, match="x 100,000 members is 2.61e\\+10 node-and-link steps of work"):
        ensemble_summary(prepared, 100_000)
    result = CliRunner().invoke(
        app, ["run", "--lang", "en", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "out"), "--samples", "100000"]
    )
    assert result.exit_code == 2 and "use at most" in result.stderr, result.output
    assert not (tmp_path / "out").exists()
    result = CliRunner().invoke(
        app,
        [
            "sensitivity",
            "--lang",
            "en",
            str(tmp_path / "s.yaml"),
            "--output",
            "n60",
            "--year",
            "2026",
            "--samples",
            "8192",
        ],
    )
    assert result.exit_code == 2 and "the run is too large" in result.stderr, result.output
    # 50,001 times x 61 nodes: one run fits, an ensemble's running sums and block sums do not
    (tmp_path / "m.yaml").write_text(wide_model(2e-5, ranged=True), encoding="utf-8")
    result = CliRunner().invoke(app, ["scorecard", "--lang", "en", str(tmp_path / "s.yaml"), "--samples", "1000"])
    assert result.exit_code == 2 and "the run is too large" in result.stderr, result.output
    assert f"{tmp_path / 's.yaml'}: time:" in result.stderr


def test_the_refusal_names_the_most_samples_that_fit(tmp_path):
    import re

    (tmp_path / "m.yaml").write_text(wide_model(1e-3, ranged=True), encoding="utf-8")
    loaded = load_scenario(_scenario(tmp_path))
    prepared = prepare_scenario(loaded.spec, loaded.model.spec, loaded.path)
    with pytest.raises(InputError) as info:
        ensemble_summary(prepared, 100_000)
    hint = info.value.problems[0].hint
    most = int(
        re.fullmatch(r"use at most ([\d,]+) samples, or a larger dt or a shorter horizon", hint)[1].replace(",", "")
    )
    check_ensemble_budget(prepared, most)  # fits
    with pytest.raises(InputError):
        check_ensemble_budget(prepared, most + 1)
    result = CliRunner().invoke(
        app, ["run", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "out"), "--samples", "100000"]
    )  # Dutch by default
    assert result.exit_code == 2 and f"gebruik hoogstens {most:,}".replace(",", ".") in result.stderr, result.stderr


def test_a_1000_member_ensemble_of_the_342_gemeenten_fits_with_bins_bounded_by_memory():
    """benchmarks/bench_places.py's model (36 nodes a gemeente then): 101 times, 12,312 nodes, 25,992 links."""
    times, nodes, links = 101, 12_312, 25_992
    call = budget.call_members(times, nodes, links, 1000)
    assert 8 * (times * nodes + 2 * links) * call <= budget.CALL_BYTES < 8 * (times * nodes + 2 * links) * (call + 1)
    n_bins = budget.bins_that_fit(times, nodes, links, 1000, block=1000, n_bins=1000)
    assert budget.MIN_BINS <= n_bins < 1000
    need = budget.ensemble_need(times, nodes, links, 1000, block=1000, exact=False, histogram=True, n_bins=n_bins)
    budget.check_budget(need)
    too_many = budget.ensemble_need(
        times, nodes, links, 1000, block=1000, exact=False, histogram=True, n_bins=n_bins + 1
    )
    assert too_many.bytes > budget.MAX_BYTES
    assert budget.bins_that_fit(101, 36, 72, 100_000, block=1000, n_bins=1000) == 1000  # the Heerlen model: all


SHAPE = {"block": 1000, "exact": False, "histogram": True, "n_bins": 1000}


def test_the_46_node_342_gemeenten_model_runs_in_narrower_calls_instead_of_being_refused():
    """With 46 nodes a gemeente (15,732 nodes, 34,200 links) calls of ``call_members`` (22) and the fewest bins
    asked 1.11 GB: a call of 13 members fits, and with the scorecard's members (3 years) 200 of them are kept."""
    times, nodes, links = 101, 15_732, 34_200
    widest = budget.call_members(times, nodes, links, 1000)
    old = budget.ensemble_need(times, nodes, links, 1000, **SHAPE | {"n_bins": budget.MIN_BINS}, call=widest)
    assert old.bytes > budget.MAX_BYTES  # what was refused
    shape = budget.ensemble_shape(times, nodes, links, 1000, **SHAPE)
    assert shape.bins == budget.MIN_BINS and 1 <= shape.call < widest and shape.kept_members == 0
    budget.check_budget(shape.need)  # fits
    wider = budget.ensemble_need(times, nodes, links, 1000, **SHAPE | {"n_bins": shape.bins}, call=shape.call + 1)
    assert wider.bytes > budget.MAX_BYTES  # the widest call that fits
    kept = budget.ensemble_shape(times, nodes, links, 1000, **SHAPE, kept_times=3, kept_members=5000)
    assert kept.kept_members == budget.MIN_KEPT and 1 <= kept.call < shape.call
    budget.check_budget(kept.need)
    # the Heerlen model: nothing shrinks
    assert budget.ensemble_shape(101, 46, 100, 100_000, **SHAPE, kept_times=3, kept_members=5000) == budget.Shape(
        1000, 1000, 5000, budget.ensemble_need(101, 46, 100, 100_000, **SHAPE, kept_times=3, kept_members=5000)
    )
    # four times the gemeenten: not even one member a call fits, and it is still refused
    big = budget.ensemble_shape(times, 4 * nodes, 4 * links, 1000, **SHAPE)
    assert big.call == 1 and big.need.bytes > budget.MAX_BYTES
    with pytest.raises(InputError, match="needs about .* GB of memory; the limit is 1 GB"):
        budget.check_budget(big.need, "s.yaml")


def test_an_ensemble_the_budget_refused_runs_in_narrower_calls_within_it(tmp_path, monkeypatch):
    """A limit of 120 MB on the 61-node model at dt 5e-4 (2,001 times): calls of the whole block and the fewest
    bins do not fit, narrower calls do; the run stays under the limit and its means and kept paths are those of
    the unlimited run, bit for bit; at a limit below even one member a call, the command line still refuses it."""
    (tmp_path / "m.yaml").write_text(wide_model(5e-4, ranged=True), encoding="utf-8")
    loaded = load_scenario(_scenario(tmp_path))
    prepared = prepare_scenario(loaded.spec, loaded.model.spec, loaded.path)
    cm = prepared.compiled
    whole = ensemble_summary(prepared, 300, seed=3, exact_limit=0, keep_nodes=["n60"])
    limit = 120_000_000
    monkeypatch.setattr(budget, "MAX_BYTES", limit)
    widest = budget.call_members(cm.times.size, cm.n_nodes, cm.n_links, 1000)
    old = budget.ensemble_need(
        cm.times.size, cm.n_nodes, cm.n_links, 300, **SHAPE | {"n_bins": budget.MIN_BINS}, kept_nodes=1, call=widest
    )
    assert widest > 300 and old.bytes > limit  # refused before (calls of the whole block)
    shape = check_ensemble_budget(prepared, 300, exact_limit=0, keep_nodes=1)
    assert shape.bins == budget.MIN_BINS and shape.call < widest
    tracemalloc.start()
    split = ensemble_summary(prepared, 300, seed=3, exact_limit=0, keep_nodes=["n60"])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak <= limit
    assert split.mean.tobytes() == whole.mean.tobytes()
    assert split.paths["n60"].tobytes() == whole.paths["n60"].tobytes()
    assert np.isfinite(split.p50).all() and (split.p05 <= split.p95).all()  # bins from a narrower pilot
    monkeypatch.setattr(budget, "MAX_BYTES", limit // 3)
    result = CliRunner().invoke(
        app, ["run", "--lang", "en", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "out"), "--samples", "300"]
    )
    assert result.exit_code == 2 and "the run is too large" in result.stderr, result.output
    assert "Traceback" not in result.output and not (tmp_path / "out" / "ensemble.csv").exists()


def test_explicit_members_are_sized_with_their_weight_arrays(tmp_path):
    (tmp_path / "m.yaml").write_text(wide_model(1e-3, ranged=True), encoding="utf-8")
    prepared = prepare_scenario(load_scenario(_scenario(tmp_path)).spec, load_model(tmp_path / "m.yaml").spec)
    cm = prepared.compiled
    many = np.broadcast_to(cm.weight[:, None], (cm.n_links, 3_000_000))  # a view: no memory until it runs
    with pytest.raises(InputError, match="the run is too large"):
        run_members(prepared, many, many, nodes=["n60"])


def _scenario(folder: Path) -> Path:
    (folder / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    return folder / "s.yaml"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_shipped_scenarios_run_with_100000_members(path):
    """benchmarks/README.md runs them at 100,000 members (507 MB peak): well inside the budget."""
    loaded = load_scenario(path)
    prepared = prepare_scenario(loaded.spec, loaded.model.spec, loaded.path)
    for parallel in (1, 2, 4):
        check_ensemble_budget(prepared, 100_000, parallel=parallel)


def test_the_estimate_bounds_what_a_run_really_allocates(tmp_path):
    """numpy reports its allocations to tracemalloc: the estimate is above the real peak, and not far above."""
    (tmp_path / "m.yaml").write_text(wide_model(0.0005, ranged=True), encoding="utf-8")
    loaded = load_scenario(_scenario(tmp_path))
    run_deterministic(prepare_scenario(loaded.spec, loaded.model.spec, loaded.path))  # the engine's modules load
    tracemalloc.start()  # outside what is traced: the budget sizes a run's arrays, not imports
    prepared = prepare_scenario(loaded.spec, loaded.model.spec, loaded.path)
    run_deterministic(prepared).to_frame()
    deterministic_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    cm = prepared.compiled
    deterministic = budget.deterministic_need(cm.times.size, cm.n_nodes, cm.n_links).bytes
    (tmp_path / "m.yaml").write_text(wide_model(0.005, ranged=True), encoding="utf-8")
    loaded = load_scenario(tmp_path / "s.yaml")
    prepared = prepare_scenario(loaded.spec, loaded.model.spec, loaded.path)
    tracemalloc.start()
    ensemble_summary(prepared, 3000, exact_limit=0).to_frame()
    ensemble_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    cm = prepared.compiled
    ensemble = budget.ensemble_need(
        cm.times.size, cm.n_nodes, cm.n_links, 3000, block=1000, exact=False, histogram=True, n_bins=1000
    ).bytes
    assert deterministic_peak <= deterministic <= 4 * deterministic_peak
    assert ensemble_peak <= ensemble <= 4 * ensemble_peak


def test_work_is_bounded_as_well_as_memory():
    need = budget.Need(times=1001, nodes=100, links=100, members=200_000, bytes=1)
    assert need.work == 1000 * 200 * 200_000
    with pytest.raises(InputError, match="node-and-link steps of work; the limit is 2e\\+10"):
        budget.check_budget(need, "s.yaml")
    budget.check_budget(budget.Need(1001, 100, 100, 1000, 1), "s.yaml")


def test_the_app_refuses_the_upload_with_the_message(tmp_path):
    """An uploaded model is test-run by the app: it is refused with the budget's message, not grown into."""
    from simulator.app import model_input

    outcome = model_input.check_model_text(wide_model(1e-6), "wide.yaml")
    assert outcome.kind == "refused"
    assert any("the run is too large" in message and "the limit is 1 GB" in message for message in outcome.problems), (
        outcome
    )


def test_calibrate_sizes_its_repeated_runs_before_the_first(tmp_path):
    """Every start and bootstrap refit may take --max-evaluations runs and Jacobians: bounded as work."""
    (tmp_path / "m.yaml").write_text(wide_model(1e-3, ranged=True), encoding="utf-8")
    scenario = _scenario(tmp_path)
    rows = "".join(f"n{i},{2025 + k / 40},10\n" for i in range(40, 61) for k in range(1, 40))
    (tmp_path / "obs.csv").write_text("node,time,value\n" + rows, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            "calibrate",
            "--lang",
            "en",
            str(scenario),
            str(tmp_path / "obs.csv"),
            "--out",
            str(tmp_path / "fit.yaml"),
            "--starts",
            "50",
            "--bootstrap",
            "200",
            "--max-evaluations",
            "1000",
        ],
    )
    assert result.exit_code == 2, result.output
    # the library names what to reduce, not the command line's flags (issue 10: the app has no flags)
    assert "node-and-link steps of work" in result.stderr and "evaluations" in result.stderr
    assert not (tmp_path / "fit.yaml").exists()


def test_bwsim_run_sizes_the_rows_of_every_scenario_it_keeps_together(tmp_path):
    """Each run fits, but results.csv holds every scenario's and the baseline's rows at once."""
    (tmp_path / "m.yaml").write_text(wide_model(2e-5), encoding="utf-8")  # 50,001 times x 61 nodes a run
    one = _scenario(tmp_path)
    two = tmp_path / "t.yaml"
    two.write_text(SCENARIO.replace("name: s", "name: t"), encoding="utf-8")
    budget.check_tables(3 * 50_001 * 61 // 2, 3)
    result = CliRunner().invoke(app, ["run", "--lang", "en", str(one), str(two), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert f"{one}, {two}: the results are too large: 3 runs of 9,150,183 node-times" in result.stderr
    assert "run fewer scenarios at once" in result.stderr and not (tmp_path / "out").exists()


def test_a_memory_error_that_gets_past_the_budget_is_a_message_not_a_traceback(capsys):
    import typer

    from simulator.cli.common import reports_errors

    @reports_errors
    def command() -> None:
        raise MemoryError

    with pytest.raises(typer.Exit) as info:
        command()
    assert info.value.exit_code == 2
    assert "geheugen op" in capsys.readouterr().err  # Dutch, the default language
