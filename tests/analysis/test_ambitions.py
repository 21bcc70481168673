"""Ambitions: the distance to a target by hand, reached or not, the ensemble's chance against an analytic
distribution, the scorecard's lines and JSON, and every bad input with file, line and fix (exit 2)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from simulator.ambitions import AmbitionsSpec, ambition_nodes
from simulator.analysis.ambitions import ambition_times, distance, is_reached, judge
from simulator.cli.main import app
from simulator.errors import InputError
from simulator.io.spec_files import load_scenario
from simulator.runner import Uncertainty, run_prepared
from simulator.scenario_run import prepare_scenario

LOW, HIGH = 0.2, 1.2
"""The link's weight is uniform on [LOW, HIGH]; a step of 1 on the source makes the target 10 + w."""

MODEL = f"""
name: one-link
title: one link
time: {{start: 2025, end: 2035, dt: 0.5}}
nodes:
  - {{id: push, label: Push, theme: arbeid_en_vrije_tijd, dimension: hier_en_nu, region: heerlen, baseline: 0}}
  - {{id: jobless, label: {{nl: Werkloosheid, en: Unemployment}}, theme: arbeid_en_vrije_tijd,
     dimension: hier_en_nu, region: heerlen, unit: "%", baseline: 10, direction: down}}
links:
  - {{from: push, to: jobless, weight: {{dist: uniform, low: {LOW}, high: {HIGH}}}}}
"""
SCENARIO = """
name: step
model: one-link.yaml
interventions:
  - {node: push, shape: step, height: 1, start: 2025}
"""
AMBITIONS = """
model: one-link
ambitions:
  - {indicator: jobless, place: heerlen, below: 10.5, year: 2030}
  - {indicator: jobless, at_least: 10.9, year: 2032, label: "Minstens 10,9", source: "raadsbesluit 12"}
  - {indicator: jobless, direction: fall, year: 2030}
"""


def bwsim(*args):
    """The command, in English unless the test gives --lang."""
    args = [str(a) for a in args]
    return CliRunner().invoke(app, args if "--lang" in args else [*args, "--lang", "en"])


@pytest.fixture()
def files(tmp_path):
    (tmp_path / "one-link.yaml").write_text(MODEL, encoding="utf-8")
    (tmp_path / "step.yaml").write_text(SCENARIO, encoding="utf-8")
    (tmp_path / "one-link.ambitions.yaml").write_text(AMBITIONS, encoding="utf-8")
    return tmp_path


def _spec(*ambitions: dict) -> AmbitionsSpec:
    return AmbitionsSpec.model_validate({"ambitions": list(ambitions)})


@pytest.mark.parametrize(
    ("target", "expected", "reached"),
    [
        ({"below": 10.5}, 10.4 - 10.5, True),
        ({"below": 10.4}, 0.0, False),  # strictly below: on the target is not there
        ({"at_most": 10.4}, 0.0, True),
        ({"at_most": 10.3}, 10.4 - 10.3, False),
        ({"above": 10.5}, 10.5 - 10.4, False),
        ({"above": 10.3}, 10.3 - 10.4, True),
        ({"at_least": 10.4}, 0.0, True),
        ({"at_least": 11.0}, 11.0 - 10.4, False),
        ({"direction": "rise"}, -0.4, True),  # the deviation is +0.4: the value rises against the baseline
        ({"direction": "fall"}, 0.4, False),
    ],
)
def test_distance_is_signed_so_that_positive_is_still_to_go(target, expected, reached):
    spec = _spec({"indicator": "jobless", "year": 2030, **target})
    ambition = spec.ambitions[0]
    dist = float(distance(ambition.comparison, ambition.target, 10.0, 0.4))
    assert dist == pytest.approx(expected, abs=1e-12)
    assert bool(is_reached(ambition.comparison, dist)) is reached


def test_the_deterministic_run_is_judged_at_the_ambitions_year(files):
    loaded = load_scenario(files / "step.yaml")
    prepared = prepare_scenario(loaded.spec, loaded.model.spec)
    run = run_prepared(prepared, scorecard=False)
    spec = AmbitionsSpec.model_validate(
        {
            "ambitions": [
                {"indicator": "jobless", "below": 10.5, "year": 2030},  # central weight 0.7: 10.7, 0.2 to go
                {"indicator": "jobless", "at_most": 10.7, "year": 2030.2},  # nearest reported time 2030.0
                {"indicator": "jobless", "direction": "rise", "year": 2035},
            ]
        }
    )
    cm = prepared.compiled
    results = judge(spec, ambition_nodes(spec, prepared.model), cm.node_ids, cm.times, cm.baselines, run.result.delta)
    first, second, third = results
    assert (first.time, first.baseline, first.value) == (2030.0, 10.0, pytest.approx(10.7))
    assert first.distance == pytest.approx(0.2) and not first.reached
    assert first.baseline_distance == pytest.approx(-0.5) and first.baseline_reached
    assert second.time == 2030.0 and second.distance == pytest.approx(0.0, abs=1e-12) and second.reached
    assert third.distance == pytest.approx(-0.7) and third.reached and not third.baseline_reached
    assert all(r.chance is None and r.n_members == 0 for r in results)


@pytest.mark.parametrize(
    ("target", "chance"),
    [
        ({"below": 10.5}, (0.5 - LOW) / (HIGH - LOW)),  # P(w < 0.5) of w ~ U[0.2, 1.2]
        ({"at_least": 11.0}, (HIGH - 1.0) / (HIGH - LOW)),  # P(w >= 1.0)
        ({"direction": "fall"}, 0.0),  # w > 0: never below the baseline
    ],
)
def test_the_chance_of_reaching_an_ambition_is_the_share_of_the_ensembles_members(files, target, chance):
    loaded = load_scenario(files / "step.yaml")
    prepared = prepare_scenario(loaded.spec, loaded.model.spec)
    spec = _spec({"indicator": "jobless", "year": 2031, **target})
    samples = 4000
    run = run_prepared(prepared, Uncertainty(samples, 11, "mc"), member_years=[2031.0], scorecard=False)
    cm = prepared.compiled
    members = run.ensemble.member_deltas(ambition_times(spec, cm.times))
    (result,) = judge(
        spec, ambition_nodes(spec, prepared.model), cm.node_ids, cm.times, cm.baselines, run.result.delta, members
    )
    assert result.n_members == samples
    error = math.sqrt(chance * (1 - chance) / samples)
    assert abs(result.chance - chance) <= 4 * error + 1e-12, (result.chance, chance, error)
    # the members are the ensemble's own: their deviations at 2031 are the weights drawn (a step of 1)
    k = int(np.argmin(np.abs(cm.times - 2031.0)))
    weights = run.ensemble.member_deltas([k])[0, cm.node_ids.index("jobless")]
    assert weights.min() >= LOW and weights.max() <= HIGH


def test_the_scorecard_reads_the_ambitions_beside_the_model_in_dutch_and_english(files):
    dutch = bwsim("scorecard", files / "step.yaml", "--lang", "nl")
    assert dutch.exit_code == 0, dutch.output
    text = dutch.output[dutch.output.index("Ambities") :]
    assert text.splitlines()[:3] == [
        f"Ambities ({files / 'one-link.ambitions.yaml'})",
        "   1  niet gehaald  Werkloosheid (heerlen) onder 10,5 % in 2030",
        "                    in 2030: 10,7 %, zonder het scenario 10; nog 0,2 procentpunt te gaan",
    ]
    assert "   2  niet gehaald  Minstens 10,9" in text and "bron: raadsbesluit 12" in text
    assert text.splitlines()[-1] == "0 van 3 ambitie(s) gehaald"
    english = bwsim("scorecard", files / "step.yaml")
    assert "   3  not reached   Unemployment lower than without the scenario in 2030" in english.output
    assert "0.7 percentage points still to go" in english.output
    assert "Ambitions" not in bwsim("scorecard", files / "step.yaml", "--no-ambitions").output


def test_the_scorecard_with_samples_gives_the_chance_and_its_json_the_numbers(files):
    result = bwsim("scorecard", files / "step.yaml", "--samples", 200, "--seed", 3)
    assert result.exit_code == 0, result.output
    report = json.loads(bwsim("scorecard", files / "step.yaml", "--json", "--samples", 200, "--seed", 3).output)
    first = report["scenarios"][0]
    assert first["ambitions_file"] == str(files / "one-link.ambitions.yaml")
    row = first["ambitions"][0]
    assert {k: row[k] for k in ("node", "place", "year", "time", "comparison", "target", "reached", "n_members")} == {
        "node": "jobless",
        "place": "heerlen",
        "year": 2030.0,
        "time": 2030.0,
        "comparison": "below",
        "target": 10.5,
        "reached": False,
        "n_members": 200,
    }
    assert row["value"] == pytest.approx(10.7) and row["distance"] == pytest.approx(0.2)
    assert row["baseline"] == 10.0 and row["baseline_reached"] is True
    assert 0.15 < row["chance"] < 0.45  # P(w < 0.5) = 0.3
    assert f"reached in {100 * row['chance']:.0f} % of 200 runs" in result.output


def _refused(files, text, *extra):
    (files / "goals.yaml").write_text(text, encoding="utf-8")
    result = bwsim("scorecard", files / "step.yaml", "--ambitions", files / "goals.yaml", *extra)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "ambitions:\n  - {indicator: joblesss, below: 4, year: 2030}\n",
            [
                "goals.yaml:2: ambitions[0].indicator: the model one-link has no indicator 'joblesss'",
                "did you mean 'jobless'?",
            ],
        ),
        (
            "ambitions:\n  - indicator: jobless\n    place: parkstad\n    below: 4\n    year: 2030\n",
            [
                "goals.yaml:3: ambitions[0].place: no indicator of the model one-link is measured in 'parkstad'",
                "jobless is measured in heerlen: write place: heerlen, or leave place out",
            ],
        ),
        (
            "ambitions:\n  - {indicator: jobless, place: heerlen, below: 4, year: 2030}\n"
            "  - {indicator: jobless, below: 4, year: 2040}\n",
            [
                "goals.yaml:3: ambitions[1].year: year 2040 is outside the horizon 2025-2035 of the scenario step",
                "choose a year from 2025 to 2035",
            ],
        ),
        (
            "ambitions:\n  - {indicator: jobless, below: 4, direction: fall, year: 2030}\n",
            ["goals.yaml:2: ambitions[0]: an ambition has one target, this one has below and direction"],
        ),
        (
            "ambitions:\n  - {indicator: jobless, year: 2030}\n",
            ["goals.yaml:2: ambitions[0]: an ambition needs a target"],
        ),
        ("", ["goals.yaml: the file is empty", "an ambitions file is a YAML mapping with the key ambitions"]),
        ("ambitions: []\n", ["goals.yaml:1: ambitions: the list of ambitions is empty", "add an ambition"]),
        (
            "ambitions:\n  - {indicator: jobless, belo: 4, year: 2030}\n",
            ["goals.yaml:2: ambitions[0].belo: unknown key 'belo'", "did you mean 'below'?"],
        ),
        (
            "ambitions:\n  - {indicator: jobless, below: 4, year: 2030}\ntarget: 3\n",
            ["goals.yaml:3: target: unknown key 'target'"],
        ),
        (
            "model: other\nambitions:\n  - {indicator: jobless, below: 4, year: 2030}\n",
            ["goals.yaml:1: model: these ambitions are for the model 'other', not 'one-link'"],
        ),
        ("title: x\n", ["this is not an ambitions file: it has no key 'ambitions'"]),
    ],
)
def test_bad_ambitions_are_refused_with_file_line_and_fix(files, text, expected):
    output = _refused(files, text)
    for part in expected:
        assert part in output


def test_every_problem_of_an_ambitions_file_is_reported_at_once_and_before_anything_runs(files):
    output = _refused(
        files,
        "ambitions:\n  - {indicator: jobles, below: 4, year: 2030}\n  - {indicator: jobless, below: 4, year: 2050}\n",
    )
    assert "ambitions[0].indicator" in output and "ambitions[1].year" in output


def test_a_missing_ambitions_file_and_both_switches_are_refused(files):
    result = bwsim("scorecard", files / "step.yaml", "--ambitions", files / "none.yaml")
    assert result.exit_code == 2 and "ambitions file not found" in result.output
    result = bwsim("scorecard", files / "step.yaml", "--ambitions", files / "one-link.ambitions.yaml", "--no-ambitions")
    assert result.exit_code == 2 and "exclude each other" in result.output


def test_a_spec_built_in_code_is_refused_with_the_same_message(files):
    model = load_scenario(files / "step.yaml").model.spec
    spec = _spec({"indicator": "jobles", "below": 4, "year": 2030})
    with pytest.raises(InputError) as caught:
        ambition_nodes(spec, model)
    (problem,) = caught.value.problems
    assert (problem.file, problem.place, problem.line) == ("", "ambitions[0].indicator", None)
    assert str(problem.message) == "the model one-link has no indicator 'jobles'"


def test_an_element_of_a_node_across_places_is_named_by_indicator_and_place():
    from simulator.spec import ModelSpec

    nodes = [
        {
            "id": "jobless",
            "label": "J",
            "theme": "arbeid_en_vrije_tijd",
            "dimension": "hier_en_nu",
            "region": "parkstad",
        }
    ]
    model = ModelSpec.model_validate({"name": "m", "title": "m", "nodes": nodes, "links": []})
    model = model.model_copy(
        update={
            "nodes": [
                *model.nodes,
                model.nodes[0].model_copy(update={"id": "unemployment[heerlen]", "region": "heerlen"}),
            ]
        }
    )  # as places and groups will name them
    spec = _spec(
        {"indicator": "unemployment", "place": "heerlen", "below": 4, "year": 2030},
        {"indicator": "unemployment[heerlen]", "below": 4, "year": 2030},
        {"indicator": "jobless", "place": "parkstad", "below": 4, "year": 2030},
    )
    assert ambition_nodes(spec, model) == ("unemployment[heerlen]", "unemployment[heerlen]", "jobless")


def test_the_heerlen_ambitions_file_reads_and_names_real_nodes():
    from pathlib import Path

    from simulator.io.ambition_files import ambitions_beside, load_ambitions
    from simulator.io.spec_files import load_model

    root = Path(__file__).resolve().parents[2]
    model = load_model(root / "models" / "medtech-heerlen.yaml")
    path = ambitions_beside(model.path)
    assert path.name == "medtech-heerlen.ambitions.yaml"
    loaded = load_ambitions(path, model.spec)
    assert 3 <= len(loaded.spec.ambitions) <= 5
    assert {"unemployment_rate", "perceived_health"} <= set(loaded.nodes)
