"""``bwsim diff`` and :mod:`simulator.analysis.model_diff`: what changed between two model versions, and
where a scenario's results first diverge on them (expected times reasoned from the lags)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from simulator.analysis.model_diff import FieldChange, result_divergence, structural_diff
from simulator.analysis.model_diff_text import change_lines
from simulator.cli.main import app
from simulator.io.spec_files import load_model, load_scenario
from simulator.results import RunResult
from simulator.scenario_run import prepare_scenario, run_deterministic
from simulator.spec import FixedValue

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "model-diff"
V1, V2, SCENARIO = EXAMPLE / "model-v1.yaml", EXAMPLE / "model-v2.yaml", EXAMPLE / "scenario.yaml"
HEERLEN = ROOT / "models" / "medtech-heerlen.yaml"
GROWTH = ROOT / "scenarios" / "medtech-growth.yaml"
runner = CliRunner()


def _run(model: Path, scenario: Path = SCENARIO) -> RunResult:
    loaded = load_model(model)
    return run_deterministic(prepare_scenario(load_scenario(scenario, loaded).spec, loaded.spec))


def test_the_example_pair_lists_exactly_what_the_edit_changed():
    diff = structural_diff(load_model(V1).checked, load_model(V2).checked)
    assert [(c.subject, c.action, c.key) for c in diff.changes] == [
        ("node", "added", "commuter_car_km"),
        ("node", "changed", "life_satisfaction"),
        ("link", "added", ("jobs_total", "commuter_car_km")),
        ("link", "removed", ("unemployment_rate", "life_satisfaction")),
        ("link", "changed", ("jobs_total", "unemployment_rate")),
        ("link", "changed", ("jobs_total", "disposable_income")),
    ]
    changed = {c.key: c.fields for c in diff.changes if c.action == "changed"}
    assert changed["life_satisfaction"] == (FieldChange("max", None, 10.0),)
    assert changed[("jobs_total", "unemployment_rate")] == (
        FieldChange("weight", FixedValue.fixed(-0.0001), FixedValue.fixed(-0.00012)),
    )
    assert changed[("jobs_total", "disposable_income")] == (
        FieldChange("lag", FixedValue.fixed(1.0), FixedValue.fixed(2.0)),
    )
    # the title differs too, but it is the model's name for people: not listed (titles are not compared)
    assert not diff.of("model", "changed")


def test_the_changes_in_words_dutch_and_english():
    diff = structural_diff(load_model(V1).checked, load_model(V2).checked)
    assert change_lines(diff, "nl") == [
        "knopen erbij (1):",
        '  + commuter_car_km: "Autokilometers forenzen", basispad 500, eenheid mln vkm',
        "knopen gewijzigd (1):",
        "  life_satisfaction: max geen → 10",
        "verbanden erbij (1):",
        "  + jobs_total → commuter_car_km: gewicht 0,004, vertraging 0,5 jaar (exponentieel)",
        "verbanden weg (1):",
        "  - unemployment_rate → life_satisfaction: gewicht -0,05",
        "verbanden gewijzigd (2):",
        "  jobs_total → unemployment_rate: gewicht -0,0001 → -0,00012",
        "  jobs_total → disposable_income: vertraging (jaar) 1 → 2",
    ]
    english = change_lines(diff, "en")
    assert "  life_satisfaction: max none → 10" in english
    assert "  jobs_total → disposable_income: lag (years) 1 → 2" in english


def test_results_first_diverge_where_the_lags_say():
    old, new = _run(V1), _run(V2)
    div = result_divergence(old, new)
    assert div.compared == (
        "medtech_jobs",
        "jobs_total",
        "unemployment_rate",
        "disposable_income",
        "life_satisfaction",
    )  # commuter_car_km is only in the new model
    assert len(div.times) == 41
    first = {n.node: n for n in div.nodes}
    # the step starts in 2026; jobs follow at once and are the same in both models
    assert set(first) == {"disposable_income", "life_satisfaction", "unemployment_rate"}
    # a changed weight behind a 2-year fixed delay: 2 years after the step
    assert first["unemployment_rate"].first_time == 2028.0
    assert first["unemployment_rate"].new - first["unemployment_rate"].old == pytest.approx(-1400 * 0.00002)
    # a changed exponential lag: the smoother's first step after the step, dt * s / tau apart
    income = first["disposable_income"]
    assert income.first_time == 2026.25
    assert income.new - income.old == pytest.approx(0.25 * 28 / 2 - 0.25 * 28 / 1)
    # life satisfaction reads income (and, in v1 only, unemployment): it diverges with income
    assert first["life_satisfaction"].first_time == 2026.25
    # the first divergence: income, which differs more than life satisfaction relative to its size
    assert div.first is income and div.simultaneous() == 2
    # the largest gap of income: two smoothers of 28 with tau 1 and 2 (Euler, dt 0.25), worked out here
    s = np.where(new.times >= 2026, 28.0, 0.0)
    y1, y2 = np.zeros_like(s), np.zeros_like(s)
    for k in range(len(s) - 1):
        y1[k + 1] = y1[k] + 0.25 * (s[k] - y1[k]) / 1
        y2[k + 1] = y2[k] + 0.25 * (s[k] - y2[k]) / 2
    worst = int(np.argmax(np.abs(y2 - y1)))
    assert income.largest == pytest.approx((y2 - y1)[worst], rel=1e-12)
    assert income.largest_time == new.times[worst]


def test_a_tolerance_above_every_gap_finds_no_divergence():
    div = result_divergence(_run(V1), _run(V2), tolerance=1.0)
    assert div.agrees and div.first is None and div.nodes == ()


def test_runs_are_compared_at_the_times_both_report():
    times = np.array([2025.0, 2025.5, 2026.0])
    old = RunResult("s", ("a", "b"), times, np.ones((3, 2)), np.array([[0, 0], [0, 0], [0, 1.0]]))
    finer = np.array([2025.0, 2025.25, 2025.5, 2025.75, 2026.0])
    new = RunResult("s", ("b", "c"), finer, np.ones((5, 2)), np.array([[0, 0], [0, 5], [0, 0], [9, 0], [1.0, 0]]))
    div = result_divergence(old, new)
    assert div.compared == ("b",) and list(div.times) == [2025.0, 2025.5, 2026.0]
    assert div.agrees  # b is 1 + 1 at 2026 on both; 9 at 2025.75 is not a time the old run reports


def test_a_baseline_change_diverges_at_the_start(tmp_path: Path):
    data = yaml.safe_load(HEERLEN.read_text(encoding="utf-8"))
    node = next(n for n in data["nodes"] if n["id"] == "population")
    node["baseline"] = node["baseline"] + 1000 if isinstance(node["baseline"], (int, float)) else 250000
    edited = tmp_path / "heerlen.yaml"
    edited.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = runner.invoke(app, ["diff", str(HEERLEN), str(edited), str(GROWTH), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [(c["subject"], c["action"], c["key"], [f["field"] for f in c["fields"]]) for c in report["changes"]] == [
        ("node", "changed", "population", ["baseline"])
    ]
    first = report["divergence"]["first"]
    assert first["first_time"] == 2025.0  # a baseline is there from the first step, before any intervention
    assert "population" in {n["node"] for n in report["divergence"]["nodes"]}


def test_identical_models_have_no_differences_and_the_same_results():
    result = runner.invoke(app, ["diff", str(HEERLEN), str(HEERLEN), str(GROWTH)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{HEERLEN} → {HEERLEN}: geen verschillen",
        "",
        "scenario medtech-growth op beide modellen (tolerantie 1e-09; 69 knopen op 101 tijdstippen vergeleken)",
        "de resultaten lopen niet uiteen: elke knoop stemt overeen binnen de tolerantie",
    ]
    english = runner.invoke(app, ["diff", str(HEERLEN), str(HEERLEN), "--lang", "en"])
    assert english.stdout.splitlines() == [f"{HEERLEN} → {HEERLEN}: no differences"]


def test_the_report_in_dutch_names_the_first_divergence_and_each_diverging_node():
    result = runner.invoke(app, ["diff", str(V1), str(V2), str(SCENARIO)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{V1} → {V2}: 6 verschil(len)"
    assert "de resultaten lopen voor het eerst uiteen bij disposable_income in 2026,25 (verschil -3,5 euro)" in lines
    table = lines[lines.index("3 van 5 knopen lopen uiteen (2 daarvan voor het eerst in 2026,25):") + 1 :]
    assert table[0].split() == ["knoop", "eerst", "uiteen", "grootste", "verschil", "in"]
    assert [row.split()[:2] for row in table[1:]] == [
        ["disposable_income", "2026,25"],
        ["life_satisfaction", "2026,25"],
        ["unemployment_rate", "2028"],
    ]
    english = runner.invoke(app, ["diff", str(V1), str(V2), str(SCENARIO), "--lang", "en"])
    assert "the results first diverge at disposable_income in 2026.25 (difference -3.5 euro)" in english.stdout


def test_json_holds_the_changes_and_the_divergence():
    result = runner.invoke(app, ["diff", str(V1), str(V2), str(SCENARIO), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["old_file"] == str(V1) and report["identical"] is False
    link = next(c for c in report["changes"] if c["key"] == ["jobs_total", "unemployment_rate"])
    assert link == {
        "subject": "link",
        "action": "changed",
        "key": ["jobs_total", "unemployment_rate"],
        "fields": [{"field": "weight", "old": -0.0001, "new": -0.00012}],
    }
    added = next(c for c in report["changes"] if c["action"] == "added" and c["subject"] == "node")
    assert added["spec"]["id"] == "commuter_car_km" and added["spec"]["baseline"] == 500.0
    div = report["divergence"]
    assert div["first"]["node"] == "disposable_income" and div["first"]["first_time"] == 2026.25
    assert div["nodes_compared"] == 5 and div["times_compared"] == 41 and not div["agrees"]


def test_a_shape_and_a_range_are_shown_in_words(tmp_path: Path):
    new = tmp_path / "v2.yaml"
    text = V1.read_text(encoding="utf-8").replace(
        "{from: medtech_jobs, to: jobs_total, weight: 1.4}",
        "{from: medtech_jobs, to: jobs_total, weight: {low: 1.2, mode: 1.4, high: 1.7}, "
        "shape: {kind: saturation, max: 5000}}",
    )
    new.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["diff", str(V1), str(new)])
    assert result.exit_code == 0, result.output
    assert (
        "    medtech_jobs → jobs_total: gewicht 1,4 → 1,4 (1,2 tot 1,7); vorm geen → verzadiging bij 5000"
        in result.stdout.splitlines()
    )


def test_a_scenario_that_does_not_load_on_one_model_is_refused_after_the_diff(tmp_path: Path):
    scenario = tmp_path / "cars.yaml"
    scenario.write_text(
        "name: cars\nmodel: model-v2.yaml\ninterventions:\n"
        "  - {node: commuter_car_km, shape: step, height: 10, start: 2026}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["diff", str(V1), str(V2), str(scenario)])
    assert result.exit_code == 2
    assert result.stdout.splitlines()[0] == f"{V1} → {V2}: 6 verschil(len)"  # what changed says why
    assert f"{scenario}:4: interventions[0].node: onbekende knoop 'commuter_car_km'" in result.stderr
    assert f"(op {V1})" in result.stderr and str(V2) not in result.stderr.replace(str(V1), "")
    assert "Traceback" not in result.output
    as_json = runner.invoke(app, ["diff", str(V1), str(V2), str(scenario), "--json"])
    assert as_json.exit_code == 2 and "onbekende knoop 'commuter_car_km'" in as_json.stderr
    report = json.loads(as_json.stdout)  # the structural diff, whole, and no divergence
    assert len(report["changes"]) == 6 and report["divergence"] is None


def test_bad_input_exits_2_with_the_file(tmp_path: Path):
    missing = runner.invoke(app, ["diff", str(tmp_path / "nope.yaml"), str(V2)])
    assert missing.exit_code == 2 and "nope.yaml" in missing.stderr and "Traceback" not in missing.output
    swapped = runner.invoke(app, ["diff", str(SCENARIO), str(V2)])
    assert swapped.exit_code == 2
    assert f"{SCENARIO}: is een scenariobestand, geen modelbestand" in swapped.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        V2.read_text(encoding="utf-8").replace("to: life_satisfaction", "to: life_satisfactoin"), encoding="utf-8"
    )
    both = runner.invoke(app, ["diff", str(broken), str(tmp_path / "nope.yaml")])
    assert both.exit_code == 2
    assert "life_satisfactoin" in both.stderr and "nope.yaml" in both.stderr  # both files' problems at once
    not_scenario = runner.invoke(app, ["diff", str(V1), str(V2), str(V2)])
    assert not_scenario.exit_code == 2 and f"{V2}: is geen scenariobestand" in not_scenario.stderr
    negative = runner.invoke(app, ["diff", str(V1), str(V2), "--tolerance", "-1"])
    assert negative.exit_code == 2
    assert "--tolerance moet een getal van 0 of meer zijn, niet -1" in negative.stderr


def test_the_horizon_a_growth_baseline_a_source_and_scores_are_compared_field_by_field(tmp_path: Path):
    text = V1.read_text(encoding="utf-8")
    edited = (
        text.replace("time: {start: 2025, end: 2035, dt: 0.25}", "time: {start: 2025, end: 2040, dt: 0.25}")
        .replace(
            "    baseline: 100000\n", "    baseline: {value: 100000, growth: 0.01}\n    indicator: {source: LISA}\n"
        )
        .replace(
            "{from: disposable_income, to: life_satisfaction, weight: 0.0001}",
            "{from: disposable_income, to: life_satisfaction, form: elasticity, score: 2}",
        )
    )
    new = tmp_path / "v2.yaml"
    new.write_text(edited, encoding="utf-8")
    diff = structural_diff(load_model(V1).checked, load_model(new).checked)
    assert [(c.key, [f.field for f in c.fields]) for c in diff.changes] == [
        ("time", ["end"]),
        ("jobs_total", ["baseline", "indicator.source"]),
        (("disposable_income", "life_satisfaction"), ["weight", "form"]),
    ]
    assert change_lines(diff, "nl") == [
        "model (1):",
        "  time: end 2035 → 2040",
        "knopen gewijzigd (1):",
        "  jobs_total: basispad 100000 → 100000, groei 0,01 per jaar; indicator.source geen → LISA",
        "verbanden gewijzigd (1):",
        "  disposable_income → life_satisfaction: gewicht 0,0001 → scores +2 (centraal 0,3); "
        "verbandsvorm linear → elasticity",
    ]
