"""``bwsim check``: a model's behaviour tests run through the runner; exit 0 all hold, 1 one fails, 2 bad input.

The verdicts on hand-written paths are in tests/analysis/test_behaviour.py; here small
models whose runs are known analytically, the ensemble's share, bad input through the
command line, ``bwsim validate`` and the API, and the shipped Heerlen model's checks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from simulator.checked import check
from simulator.cli.main import app
from simulator.errors import InputError
from simulator.io.spec_files import load_model
from simulator.reality_checks import run_checks
from simulator.runner import Uncertainty
from simulator.spec import ModelSpec

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

# jobs -> unemployment: -0.002 pp per job at the mode, but the range reaches +0.001 (a share of draws rises);
# jobs -> people: 0.5 persons a year per job into a stock.
MODEL = """\
name: tiny
title: {nl: Klein, en: Tiny}
time: {start: 2020, end: 2030, dt: 0.25}
nodes:
  - {id: jobs, label: Jobs, theme: samenleving, dimension: hier_en_nu, unit: jobs, baseline: 1000}
  - {id: unemployment, label: Unemployment, theme: samenleving, dimension: hier_en_nu, unit: "%", baseline: 5}
  - {id: people, label: People, theme: samenleving, dimension: hier_en_nu, unit: persons, kind: stock,
     baseline: 90000}
links:
  - {from: jobs, to: unemployment, weight: {low: -0.003, mode: -0.002, high: 0.001}, lag: 1, delay: exponential}
  - {from: jobs, to: people, weight: 0.5}
checks:
  - {node: unemployment, expect: falls, within: 5, with: {node: jobs, shape: step, height: 1000, start: 2022}}
  - {node: people, expect: never_below, value: 0}
  - {node: people, expect: between, low: 80000, high: 95000, with: {node: jobs, shape: step, height: 1000,
     start: 2022}}
  - {node: unemployment, expect: lower, year: 2028, with: {node: jobs, shape: ramp, slope: 100, start: 2021,
     end: 2025}}
"""

STEP = {"node": "jobs", "shape": "step", "height": 1000, "start": 2022}


def invoke(*args: str):
    args = [str(a) for a in args]
    return runner.invoke(app, args if "--lang" in args else [*args, "--lang", "en"])


def write(folder: Path, data: dict | str, name: str = "m.yaml") -> Path:
    path = folder / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def with_checks(*checks: dict) -> dict:
    data = yaml.safe_load(MODEL)
    data["checks"] = list(checks)
    return data


def test_every_form_holds_where_built_to(tmp_path):
    result = invoke("check", write(tmp_path, MODEL))
    assert result.exit_code == 0, result.output
    assert result.stdout.count(" holds ") == 4 and "4 of 4 behaviour test(s) hold" in result.stdout


@pytest.mark.parametrize(
    "failing",
    [
        {"node": "unemployment", "expect": "rises", "within": 5, "with": STEP},
        {"node": "unemployment", "expect": "falls", "within": 5, "with": {**STEP, "height": -1000}},
        {"node": "people", "expect": "never_above", "value": 93999, "with": STEP},  # +500/yr for 8 years: 94,000
        {"node": "people", "expect": "never_below", "value": 90001},  # the baseline itself
        {"node": "people", "expect": "between", "low": 80000, "high": 93999, "with": STEP},
        {"node": "unemployment", "expect": "higher", "year": 2028, "with": STEP},
        {"node": "people", "expect": "lower", "year": 2025, "with": STEP},
    ],
)
def test_every_form_fails_where_built_to_and_the_exit_status_is_1(tmp_path, failing):
    result = invoke(
        "check", write(tmp_path, with_checks(failing, {"node": "people", "expect": "never_below", "value": 0}))
    )
    assert result.exit_code == 1, result.output
    assert " FAILS " in result.stdout and "1 of 2 behaviour test(s) hold" in result.stdout
    assert result.stderr == ""


def test_the_stock_reaches_what_euler_gives(tmp_path):
    model = load_model(write(tmp_path, MODEL)).spec
    outcome = run_checks(model).results[2]
    assert outcome.holds_at_modes
    assert outcome.central.year[0] == 2030 and outcome.central.value[0] == pytest.approx(94000, abs=1e-6)


def test_the_ensemble_gives_the_share_of_runs(tmp_path):
    model = load_model(write(tmp_path, MODEL)).spec
    runs = run_checks(model, Uncertainty(400, 5, "lhs"))
    falls = runs.results[0]
    # the weight is triangular(-0.003, -0.002, 0.001): it is positive with probability 0.001^2 / (0.004 * 0.003)
    assert falls.runs == 400
    assert falls.share == pytest.approx(1 - 1 / 12, abs=0.02)
    assert runs.results[1].share == 1.0
    again = run_checks(model, Uncertainty(400, 5, "lhs"))
    assert [r.share for r in again.results] == [r.share for r in runs.results]  # same seed, same shares


def test_min_share_decides_with_an_ensemble(tmp_path):
    strict = {"node": "unemployment", "expect": "falls", "within": 5, "with": STEP, "min_share": 0.99}
    path = write(tmp_path, with_checks(strict))
    assert invoke("check", path).exit_code == 0  # without an ensemble, the run at the modes decides
    result = invoke("check", path, "--samples", "400", "--seed", "5")
    assert result.exit_code == 1, result.output
    assert "of 400 runs (needs 99 %)" in result.stdout
    lenient = write(tmp_path, with_checks({**strict, "min_share": 0.8}), "lenient.yaml")
    assert invoke("check", lenient, "--samples", "400", "--seed", "5").exit_code == 0


def test_the_table_is_dutch_by_default(tmp_path):
    result = runner.invoke(app, ["check", str(write(tmp_path, MODEL)), "--samples", "50"])
    assert result.exit_code == 0, result.output
    assert "gedragstests van Klein" in result.stdout
    assert "met Jobs +1.000 banen vanaf 2022: Unemployment daalt binnen 5 jaar" in result.stdout
    assert "geldt in 100 % van 50 runs" in result.stdout  # People is never below 0
    assert "4 van 4 gedragstest(s) gelden" in result.stdout


BAD = [
    (
        {"node": "unemploymnt", "expect": "falls", "within": 5, "with": STEP},
        "checks[0].node",
        "unknown node 'unemploymnt'",
        "did you mean 'unemployment'?",
    ),
    (
        {"node": "people", "expect": "falls", "within": 5, "with": {**STEP, "node": "jbs"}},
        "checks[0].with[0].node",
        "unknown node 'jbs'",
        "did you mean 'jobs'?",
    ),
    (
        {"node": "people", "expect": "higher", "year": 2031, "with": STEP},
        "checks[0].year",
        "year 2031 is outside the model's horizon 2020-2030",
        "choose a year from 2020 to 2030",
    ),
    (
        {"node": "people", "expect": "falls", "within": 9, "with": STEP},
        "checks[0].within",
        "9 years after 2022 is after the model's horizon ends in 2030",
        "use within: 8 or less",
    ),
    (
        {"node": "people", "expect": "falls", "within": 1, "with": {**STEP, "start": 2035}},
        "checks[0].with",
        "the interventions start in 2035, outside the model's horizon",
        "start them from 2020 to 2030",
    ),
    (
        {"node": "people", "expect": "between", "low": 95000, "high": 80000},
        "checks[0]",
        "a range needs low <= high, got low=95000, high=80000",
        "swap them",
    ),
    ({"node": "people", "expect": "sometimes"}, "checks[0].expect", "'sometimes' is not allowed", "'between'"),
    ({"node": "people", "expect": "never_below", "low": 0}, "checks[0]", "a 'never_below' check needs value", "add it"),
]


@pytest.mark.parametrize(("bad", "place", "message", "fix"), BAD)
@pytest.mark.parametrize("command", ["check", "validate"])
def test_bad_checks_are_refused_with_file_line_and_fix(tmp_path, bad, place, message, fix, command):
    path = write(tmp_path, with_checks(bad))
    result = invoke(command, path)
    assert result.exit_code == 2, result.output
    assert f"{path}:" in result.stderr and f": {place}: " in result.stderr
    line = int(result.stderr.split(f"{path}:")[1].split(":")[0])
    assert line >= yaml.safe_dump(with_checks(bad), sort_keys=False).splitlines().index("checks:") + 1
    assert message in result.stderr and fix in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("bad", "place", "message", "fix"), [b for b in BAD if "." in b[1] and "expect" not in b[1]])
def test_a_model_built_in_code_is_refused_by_check_with_the_same_message(bad, place, message, fix):
    model = ModelSpec.model_validate(with_checks(bad))
    problems = check(model).problems
    assert [(p.place, p.file, p.line) for p in problems] == [(place, "", None)]
    assert message in problems[0].message and fix in problems[0].hint
    with pytest.raises(InputError):
        run_checks(model)


def test_a_scenario_on_a_shorter_horizon_does_not_make_the_checks_wrong(tmp_path):
    """Checks are judged on the model's own horizon: a scenario ending earlier still runs."""
    from simulator.scenario_run import prepare_scenario
    from simulator.spec import ScenarioSpec

    model = ModelSpec.model_validate(yaml.safe_load(MODEL))
    short = ScenarioSpec(name="s", model="", time={"start": 2020, "end": 2024, "dt": 0.25})
    assert prepare_scenario(short, model).compiled.times[-1] == 2024


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--samples", "0"], "--samples must be at least 1"),
        (["--seed", "-1"], "--seed must be 0 or more"),
        (["--method", "sobol"], "--method must be lhs or mc"),
    ],
)
def test_bad_options_exit_2(tmp_path, args, words):
    result = invoke("check", write(tmp_path, MODEL), *args)
    assert result.exit_code == 2 and words in result.stderr


def test_a_model_without_checks_or_a_scenario_is_refused(tmp_path):
    data = yaml.safe_load(MODEL)
    del data["checks"]
    result = invoke("check", write(tmp_path, data))
    assert result.exit_code == 2 and "has no behaviour tests" in result.stderr
    result = invoke("check", ROOT / "scenarios" / "medtech-growth.yaml")
    assert result.exit_code == 2 and "is a scenario file" in result.stderr


def test_the_heerlen_checks_hold_at_the_modes_and_over_an_ensemble():
    model = load_model(ROOT / "models" / "medtech-heerlen.yaml").spec
    assert {c.expect for c in model.checks} >= {"falls", "never_below", "between", "higher"}
    runs = run_checks(model, Uncertainty(1000, 1, "lhs"))
    assert not runs.failed
    assert all(r.holds_at_modes and r.share >= (r.check.min_share or 1.0) for r in runs.results)
    trust = next(r for r in runs.results if r.check.node == "social_trust")
    assert 0.85 <= trust.share < 0.9  # its links' ranges reach below 0; 96 % before the labour account
    population = next(r for r in runs.results if r.check.node == "population")
    assert 240_000 < population.central.value[0] < 250_000  # Parkstad (the node's region) in 2050
    assert invoke("check", ROOT / "models" / "medtech-heerlen.yaml").exit_code == 0


def test_checks_change_no_run():
    """A model's checks are statements about runs: removing them changes no number."""
    from simulator.io.spec_files import load_scenario
    from simulator.scenario_run import prepare_scenario, run_deterministic, run_scenario

    result = run_scenario(ROOT / "scenarios" / "medtech-growth.yaml")
    model = load_model(ROOT / "models" / "medtech-heerlen.yaml").spec
    bare = model.model_copy(update={"checks": []})
    scenario = load_scenario(ROOT / "scenarios" / "medtech-growth.yaml").spec
    assert np.array_equal(run_deterministic(prepare_scenario(scenario, bare)).delta, result.delta)


def test_an_ensemble_the_model_cannot_draw_is_refused_with_the_line(tmp_path):
    data = yaml.safe_load(MODEL)
    data["links"][0]["lag"] = {"low": 0.1, "mode": 1, "high": 2}  # draws below dt = 0.25
    path = write(tmp_path, data)
    assert invoke("check", path).exit_code == 0  # at the central values the lag is 1 year
    result = invoke("check", path, "--samples", "10")
    assert result.exit_code == 2, result.output
    assert (
        f"{path}:" in result.stderr
        and ": links[0].lag: lag of jobs->unemployment can be drawn as low as 0.1" in result.stderr
    )


def test_a_model_without_uncertain_links_gives_shares_of_0_or_1(tmp_path):
    data = yaml.safe_load(MODEL)
    data["links"][0]["weight"] = -0.002
    model = load_model(write(tmp_path, data)).spec
    runs = run_checks(model, Uncertainty(20, 0, "mc"))
    assert [r.share for r in runs.results] == [1.0, 1.0, 1.0, 1.0] and all(r.runs == 20 for r in runs.results)
