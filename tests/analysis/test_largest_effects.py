"""The largest-effects table of ``bwsim run``: ranking, the nodes without a baseline level, numbers in words."""

from __future__ import annotations

from simulator.analysis.largest_effects import largest_effects, title
from simulator.scenario_run import prepare_scenario, run_deterministic
from simulator.spec import ModelSpec, ScenarioSpec

LONG = "Vakgeschoolde inwoners voor medtech en logistiek (Parkstad)"  # 58 characters: shown whole


def _run():
    """jobs (15,000) +3,000 by a step; a flow with baseline 0 and a small share with a long label follow."""
    nodes = [
        {
            "id": "jobs",
            "label": {"nl": "Banen", "en": "Jobs"},
            "theme": "t",
            "dimension": "hier_en_nu",
            "baseline": 15000,
            "unit": "jobs",
        },
        {
            "id": "moves",
            "label": {"nl": "Migratiesaldo", "en": "Net migration"},
            "theme": "t",
            "dimension": "hier_en_nu",
            "baseline": 0,
            "unit": "persons/yr",
        },
        {
            "id": "skilled",
            "label": {"nl": LONG, "en": LONG},
            "theme": "t",
            "dimension": "later",
            "baseline": 0.5,
            "unit": "fraction",
        },
        {"id": "idle", "label": "Ongemoeid", "theme": "t", "dimension": "later", "baseline": 7},
    ]
    links = [{"from": "jobs", "to": "moves", "weight": 0.001}, {"from": "jobs", "to": "skilled", "weight": 0.00001}]
    model = ModelSpec.model_validate(
        {"name": "m", "title": "m", "time": {"start": 2025, "end": 2030, "dt": 1}, "nodes": nodes, "links": links}
    )
    scenario = ScenarioSpec.model_validate(
        {"name": "s", "model": "", "interventions": [{"node": "jobs", "shape": "step", "height": 3000, "start": 2026}]}
    )
    return run_deterministic(prepare_scenario(scenario, model)), model


def test_relative_changes_are_ranked_and_zero_baselines_are_listed_apart():
    result, model = _run()
    text = largest_effects(result, model, "nl")
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["indicator", "basislijn", "verandering", "%"]
    assert lines[1].split()[0] == "Banen" and "15.000" in lines[1] and "+3.000" in lines[1] and "+20,0" in lines[1]
    assert lines[1].endswith("banen")  # unit words in Dutch
    assert LONG in lines[2] and "0,5" in lines[2] and "+0,03" in lines[2] and "+6,0" in lines[2]
    apart = text.split("Zonder basisniveau")[1]
    assert "Migratiesaldo" in apart and "+3" in apart and "personen/jaar" in apart and "%" not in apart
    assert "Migratiesaldo" not in text.split("Zonder basisniveau")[0]  # not ranked as an infinite percentage
    assert "Ongemoeid" not in text  # unchanged nodes are not listed


def test_english_numbers_and_heads():
    result, model = _run()
    text = largest_effects(result, model, "en")
    assert text.splitlines()[0].split()[:3] == ["indicator", "baseline", "change"]
    assert "15,000" in text and "+3,000" in text and "+20.0" in text and "Without a baseline level" in text
    assert title("Groei", "s", 2030.0, "en") == "Groei (s): largest effects in 2030"
    assert title("Groei", "s", 2030.0) == "Groei (s): grootste effecten in 2030"


def test_a_scenario_without_effect_says_so():
    result, model = _run()
    still = type(result)(result.scenario, result.node_ids, result.times, result.baseline, 0 * result.delta)
    assert largest_effects(still, model, "nl") == "  (geen effect op enige indicator)"
