"""``bwsim loops`` and ``bwsim explain``: readable tables, stable JSON, clear answers to bad input."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from simulator.cli.main import app

MODEL = """
name: small
title: small
time: {start: 2025, end: 2035, dt: 0.25}
nodes:
  - {id: a, label: A, theme: arbeid_en_vrije_tijd, dimension: hier_en_nu, baseline: 100, direction: up}
  - {id: b, label: B, theme: arbeid_en_vrije_tijd, dimension: hier_en_nu, baseline: 100, direction: up}
  - {id: c, label: C, theme: milieu, dimension: later, baseline: 10, direction: down}
  - {id: e, label: E, theme: handel_en_hulp, dimension: elders, baseline: 50, direction: up}
links:
  - {from: a, to: b, weight: 0.5, lag: 1}
  - {from: b, to: a, weight: 0.4, lag: 2, delay: fixed}
  - {from: b, to: c, weight: 0.3, lag: 0.5}
  - {from: c, to: b, weight: -0.2}
  - {from: a, to: e, weight: -0.1}
"""
CHAIN = """
name: chain
title: chain
time: {start: 2025, end: 2030, dt: 0.5}
nodes:
  - {id: x, label: X, theme: samenleving, dimension: hier_en_nu}
  - {id: y, label: Y, theme: samenleving, dimension: hier_en_nu}
links:
  - {from: x, to: y, weight: 2}
"""
SCENARIO = """
name: push
model: small.yaml
interventions:
  - {node: a, shape: step, height: 10, start: 2026}
"""


def bwsim(*args):
    """The command, in English unless the test gives --lang."""
    args = [str(a) for a in args]
    return CliRunner().invoke(app, args if "--lang" in args else [*args, "--lang", "en"])


@pytest.fixture()
def files(tmp_path):
    (tmp_path / "small.yaml").write_text(MODEL, encoding="utf-8")
    (tmp_path / "chain.yaml").write_text(CHAIN, encoding="utf-8")
    (tmp_path / "push.yaml").write_text(SCENARIO, encoding="utf-8")
    return tmp_path


def test_loops_of_a_model_as_table_and_json(files):
    result = bwsim("loops", files / "small.yaml")
    assert result.exit_code == 0, result.output
    assert "R1" in result.output and "A -> B -> A" in result.output  # labels, not ids
    assert "B1" in result.output and "B -> C -> B" in result.output and "stable" in result.output
    data = json.loads(bwsim("loops", files / "small.yaml", "--json").output)
    assert set(data) == {"model", "scenario", "year", "n_loops", "loops", "stability"}
    assert data["scenario"] is None and data["n_loops"] == 2
    assert [(lp["id"], lp["polarity"], lp["lag"]) for lp in data["loops"]] == [
        ("R1", "reinforcing", 3.0),
        ("B1", "balancing", 0.5),
    ]
    assert set(data["loops"][0]) == {"id", "polarity", "lag", "gain", "length", "nodes", "path", "links"}
    assert data["stability"]["stable"] is True


def test_loops_of_a_scenario_score_them(files):
    data = json.loads(bwsim("loops", files / "push.yaml", "--json", "--year", 2030).output)
    assert data["scenario"] == "push" and data["year"] == 2030.0
    assert all({"score", "score_node", "score_share", "mean_share"} <= set(lp) for lp in data["loops"])
    assert all(0 < lp["score"] <= 1 for lp in data["loops"])
    assert bwsim("loops", files / "push.yaml", "--year", 2040).exit_code == 2


def test_a_model_without_cycles_is_an_answer_not_an_error(files):
    result = bwsim("loops", files / "chain.yaml")
    assert result.exit_code == 0 and "no feedback loops" in result.output
    data = json.loads(bwsim("loops", files / "chain.yaml", "--json").output)
    assert data["loops"] == [] and data["n_loops"] == 0


def test_an_unstable_loop_is_reported_with_its_path(files):
    (files / "small.yaml").write_text(MODEL.replace("weight: 0.4, lag: 2", "weight: 4, lag: 2"), encoding="utf-8")
    result = bwsim("loops", files / "small.yaml")
    assert result.exit_code == 0
    assert "warning: the model is unstable" in result.output and "R1 (reinforcing) A -> B -> A" in result.output
    dutch = bwsim("loops", files / "small.yaml", "--lang", "nl")
    assert "waarschuwing: het model is instabiel" in dutch.output and "R1 (versterkend) A -> B -> A" in dutch.output


def test_explain_table_and_json_add_up(files):
    result = bwsim("explain", files / "push.yaml", "--node", "c", "--year", 2032)
    assert result.exit_code == 0, result.output
    assert "link         B " in result.output and "A -> B -> C" in result.output  # labels, not ids
    data = json.loads(bwsim("explain", files / "push.yaml", "--node", "c", "--year", 2032, "--json").output)
    assert set(data) == {
        "scenario",
        "node",
        "label",
        "unit",
        "year",
        "baseline",
        "delta",
        "exact",
        "incoming",
        "paths",
        "n_paths",
        "loops",
        "interventions",
        "scored",
    }
    assert data["scored"] == []  # no expert-scored link leads into c
    assert sum(r["value"] for r in data["incoming"]) == pytest.approx(data["delta"], abs=1e-12)
    assert sum(r["value"] for r in data["paths"]) == pytest.approx(data["delta"], abs=1e-12)
    assert data["paths"][0]["path"] == "a -> b -> c" and data["exact"] is True
    assert {r["id"] for r in data["loops"]} == {"R1", "B1"}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--node", "bb"], "unknown node 'bb' (did you mean 'b'?)"),
        (["--node", "b", "--year", 2050], "year 2050 is outside the horizon 2025-2035"),
    ],
)
def test_explain_bad_input_exits_2_with_a_message(files, args, message):
    result = bwsim("explain", files / "push.yaml", *args)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_run_warns_about_an_unstable_loop_before_running_and_ends_with_the_scorecard(files, tmp_path):
    (files / "small.yaml").write_text(MODEL.replace("weight: 0.4, lag: 2", "weight: 4, lag: 2"), encoding="utf-8")
    result = bwsim("run", files / "push.yaml", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "warning: push: the model is unstable" in result.stderr and "A -> B -> A" in result.stderr
    assert result.output.index("unstable") < result.output.index("largest effects")
    text = result.stdout
    assert text.index("largest effects") < text.index("Brede-welvaart scorecard")
    for word in ("hier en nu", "later", "elders", "arbeid", "milieu", "handel"):
        assert word in text.split("Brede-welvaart scorecard")[1]


def test_run_of_two_scenarios_compares_them_and_a_stable_run_has_no_warning(files, tmp_path):
    (files / "pull.yaml").write_text(
        SCENARIO.replace("push", "pull").replace("height: 10", "height: -10"), encoding="utf-8"
    )
    result = bwsim("run", files / "push.yaml", files / "pull.yaml", "--out", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    assert "Scenarios side by side in 2035" in result.stdout
    side = result.stdout.split("Scenarios side by side in 2035")[1].splitlines()
    rows = {line[4:32].strip(): line[32:].split() for line in side if line.startswith("    ") and line[4] != " "}
    assert rows == {"arbeid en vrije tijd": ["+", "-"], "milieu": ["-", "+"], "handel en hulp": ["-", "+"]}


def test_scorecard_before_the_horizon_summarises_the_last_year_asked_for(files):
    (files / "pull.yaml").write_text(
        SCENARIO.replace("push", "pull").replace("height: 10", "height: -10"), encoding="utf-8"
    )
    result = bwsim("scorecard", files / "push.yaml", files / "pull.yaml", "--year", 2030, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "Scenarios side by side in 2030" in result.stdout
    assert "no scored change" not in result.stdout.split("Largest changes per dimension")[1]


def test_scorecard_command_json_keys_and_theme_filter(files):
    result = bwsim("scorecard", files / "push.yaml", "--json", "--year", 2030, "--year", 2035)
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.stdout)["scenarios"]
    assert set(report) == {"scenario", "years", "nodes", "themes", "dimensions", "distribution", "tradeoffs"}
    assert report["years"] == [2030.0, 2035.0]
    horizon = {r["node"]: r["verdict"] for r in report["nodes"] if r["horizon"]}
    assert horizon == {"a": "improves", "b": "improves", "c": "worsens", "e": "worsens"}
    assert [d["dimension"] for d in report["dimensions"]] == ["hier_en_nu", "later", "elders"] * 2
    text = bwsim("scorecard", files / "push.yaml", "--theme", "milieu", "--samples", 20, "--lang", "nl").stdout
    assert "milieu" in text and "arbeid" not in text and "(geen indicatoren)" in text and "%" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["--theme", "wonen"], "--theme: no node has the theme 'wonen'"),
        (["--year", 2020], "--year: year 2020 is outside the horizon 2025-2035"),
    ],
)
def test_scorecard_bad_input_exits_2(files, args, message):
    result = bwsim("scorecard", files / "push.yaml", *args)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_loops_year_on_a_model_file_is_a_clear_mistake(files):
    result = bwsim("loops", files / "small.yaml", "--year", 2030)
    assert result.exit_code == 2 and "--year scores loops on a scenario's run" in result.output
