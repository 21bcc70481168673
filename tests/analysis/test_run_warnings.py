"""The warnings before a run, in every command that runs one, and in validate (issue 11, item 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.analysis.run_warnings import horizon_warnings
from simulator.cli.main import app
from simulator.io.spec_files import load_scenario
from simulator.scenario_run import prepare_scenario

runner = CliRunner()

NODES = (
    "nodes:\n"
    "  - {id: a, label: A, theme: samenleving, dimension: hier_en_nu, baseline: 100}\n"
    "  - {id: b, label: B, theme: samenleving, dimension: hier_en_nu, baseline: 100}\n"
)
# central weight 0.6 (gain 0.3: stable); up to 4 (gain 2: members grow)
MEMBERS_GROW = (
    f"name: m\ntitle: m\ntime: {{start: 2025, end: 2035, dt: 0.25}}\n{NODES}"
    "links:\n  - {from: a, to: b, weight: 0.5, lag: 1}\n"
    "  - {from: b, to: a, weight: {low: 0.4, mode: 0.6, high: 4}, lag: 2, delay: fixed}\n"
)
UNSTABLE = MEMBERS_GROW.replace("{low: 0.4, mode: 0.6, high: 4}", "3")
SCENARIO = "name: s\nmodel: m.yaml\ninterventions:\n  - {node: a, shape: step, height: 1, start: 2026}\n"


def files(folder: Path, model: str, scenario: str = SCENARIO) -> tuple[Path, Path]:
    (folder / "m.yaml").write_text(model, encoding="utf-8")
    (folder / "s.yaml").write_text(scenario, encoding="utf-8")
    return folder / "m.yaml", folder / "s.yaml"


def invoke(*args: object):
    """The command in English (these tests check the English warnings)."""
    return runner.invoke(app, [str(a) for a in args] + ["--lang", "en"])


def test_validate_warns_for_an_unstable_model_and_still_exits_0(tmp_path):
    """validate said ok for an unstable model; only run and loops warned."""
    model, scenario = files(tmp_path, UNSTABLE)
    result = invoke("validate", model, scenario)
    assert result.exit_code == 0, result.output
    assert f"ok: {model} (model, 2 nodes, 2 links); 1 warning(s)" in result.stdout
    assert f"ok: {scenario} (scenario on m); 1 warning(s)" in result.stdout
    assert result.stderr.count("warning: ") == 2 and "the model is unstable" in result.stderr
    stable = files(tmp_path, MEMBERS_GROW)
    quiet = invoke("validate", *stable)
    assert quiet.exit_code == 0 and "warning" not in quiet.output


def test_validate_warns_when_a_run_would_be_too_large(tmp_path):
    from tests.core.test_budget import wide_model

    model, _ = files(tmp_path, wide_model(1e-6))
    result = invoke("validate", model)
    assert result.exit_code == 0, result.output
    assert "the run is too large" in result.stderr and "bwsim run will refuse it" in result.stderr


AFTER = SCENARIO + "  - {node: b, shape: pulse, height: 1, start: 2040, width: 1}\n"


def test_an_intervention_after_the_horizon_is_named_with_its_file(tmp_path):
    _, scenario = files(tmp_path, MEMBERS_GROW, AFTER)
    loaded = load_scenario(scenario)
    warnings = horizon_warnings(prepare_scenario(loaded.spec, loaded.model.spec, loaded.path))
    assert warnings == [
        f"{scenario}: interventions[1]: the pulse on 'b' starts at 2040, after the horizon "
        "ends at 2035, so it changes nothing in this run (start it earlier, or set a later "
        "time: end:)"
    ]
    assert (
        horizon_warnings(prepare_scenario(loaded.spec.model_copy(update={"interventions": []}), loaded.model.spec))
        == []
    )


@pytest.mark.parametrize(
    "command",
    [
        ["validate"],
        ["run", "--out", "{out}"],
        ["scorecard"],
        ["explain", "--node", "a"],
        ["loops"],
    ],
)
def test_every_command_that_runs_warns_about_an_intervention_after_the_horizon(tmp_path, command):
    _, scenario = files(tmp_path, MEMBERS_GROW, AFTER)
    args = [command[0], scenario, *(a.replace("{out}", str(tmp_path / "out")) for a in command[1:])]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert f"{scenario}: interventions[1]: the pulse on 'b' starts at 2040" in result.stderr


def test_scorecard_monitor_and_sensitivity_warn_about_unstable_members_as_run_does(tmp_path):
    """run --samples warned; scorecard --samples, monitor and sensitivity ran the same members silently."""
    _, scenario = files(tmp_path, MEMBERS_GROW)
    (tmp_path / "obs.csv").write_text("node,time,value\na,2030,100\n", encoding="utf-8")
    expected = "ensemble members make the model unstable"
    run = invoke("run", scenario, "--out", tmp_path / "out", "--samples", "100")
    assert run.exit_code == 0 and expected in run.stderr
    for args in (
        ["scorecard", scenario, "--samples", "100"],
        ["monitor", scenario, tmp_path / "obs.csv", "--samples", "100"],
        ["sensitivity", scenario, "--output", "a", "--year", "2030", "--samples", "64"],
    ):
        result = invoke(*args)
        assert result.exit_code == 0, (args, result.output)
        assert expected in result.stderr and "b->a:weight = " in result.stderr, (args, result.stderr)
    same = invoke("scorecard", scenario, "--samples", "100").stderr
    assert same == run.stderr, "the same draws give the same warning"
