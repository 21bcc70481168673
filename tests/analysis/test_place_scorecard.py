"""The scorecard per place and for the whole, elders computed, and verdeling over families (issue 13 item 4)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from simulator.analysis.places import elsewhere_nodes, gap, nodes_of_place, whole_nodes
from simulator.analysis.report import scenario_scorecard
from simulator.analysis.scorecard import distribution
from simulator.cli.main import app
from simulator.errors import InputError
from simulator.io.spec_files import load_scenario
from simulator.scenario_run import prepare_scenario
from simulator.spec import ModelSpec

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "places" / "jobs-in-heerlen.yaml"


def prepared(path: Path = EXAMPLE):
    loaded = load_scenario(path)
    return prepare_scenario(loaded.spec, loaded.model.spec, loaded.path)


def two_groups(measure: str | None = None) -> ModelSpec:
    gap_key = {} if measure is None else {"gap": measure}
    return ModelSpec.model_validate(
        {
            "name": "groups",
            "title": "two groups",
            "time": {"start": 2025, "end": 2030, "dt": 1.0},
            "dimensions": {"groep": ["laag", "hoog"]},
            "nodes": [
                {
                    "id": "income",
                    "label": "Income",
                    "over": ["groep"],
                    "theme": "materiele_welvaart",
                    "dimension": "hier_en_nu",
                    "baseline": {"laag": 20.0, "hoog": 60.0},
                    "direction": "up",
                    **gap_key,
                }
            ],
        }
    )


def test_verdeling_gap_and_direction_on_two_groups_by_hand():
    spec = two_groups()
    times = np.arange(2025, 2031, dtype=float)
    base = np.tile([20.0, 60.0], (6, 1))
    d = np.tile([3.0, 1.0], (6, 1))  # the low group gains 3, the high 1: the gap 40 -> 38
    row = distribution(spec, times, base, d, [2030]).iloc[0]
    assert (row["indicator"], row["over"], row["measure"], row["groups"]) == ("income", "groep", "range", "laag,hoog")
    assert (row["gap_baseline"], row["gap_scenario"], row["change"]) == (40.0, 38.0, -2.0)
    assert row["verdict"] == "narrows"
    assert distribution(spec, times, base, -d, [2030]).iloc[0]["verdict"] == "widens"
    # sd of (23, 61) is 19 against 20; ratio 61/23 against 3
    assert distribution(two_groups("sd"), times, base, d, [2030]).iloc[0]["change"] == pytest.approx(-1.0)
    ratio = distribution(two_groups("ratio"), times, base, d, [2030]).iloc[0]
    assert ratio["gap_scenario"] == pytest.approx(61 / 23) and ratio["verdict"] == "narrows"
    members = np.stack([d, -d, d, d], axis=2)  # three of four members narrow it
    row = distribution(spec, times, base, members, [2030], central=d).iloc[0]
    assert row["share_narrows"] == pytest.approx(0.75) and row["change"] == -2.0 and row["n_members"] == 4


def test_gap_measures():
    assert gap([1.0, 4.0]) == 3.0 and gap([1.0, 4.0], "sd") == 1.5 and gap([1.0, 4.0], "ratio") == 4.0
    assert np.isnan(gap([0.0, 4.0], "ratio"))


def test_nodes_of_place_and_the_whole():
    spec = prepared().model
    assert nodes_of_place(spec, "kerkrade") == [
        "jobs[kerkrade]",
        "employed_residents[kerkrade]",
        "unemployment_rate[kerkrade]",
    ]
    # jobs and unemployment_rate have aggregate nodes; employed_residents does not: listed per gemeente
    assert whole_nodes(spec) == [
        "regional_jobs",
        "employed_residents[heerlen]",
        "employed_residents[kerkrade]",
        "jobs_parkstad",
        "unemployment_parkstad",
    ]
    with pytest.raises(InputError) as info:
        nodes_of_place(spec, "maastricht")
    assert "heerlen, kerkrade" in info.value.problems[0].hint


def test_nodes_of_place_counts_a_wijk_in_its_gemeente():
    spec = ModelSpec.model_validate(
        {
            "name": "wijken",
            "title": "wijken",
            "dimensions": {
                "gemeente": ["heerlen", "kerkrade"],
                "wijk": {"within": "gemeente", "elements": {"heerlen": ["centrum", "noord"], "kerkrade": ["west"]}},
            },
            "nodes": [
                {"id": "trust", "over": ["wijk"], "label": "Trust", "theme": "samenleving", "dimension": "hier_en_nu"},
                {
                    "id": "jobs",
                    "label": "Jobs",
                    "over": ["gemeente"],
                    "theme": "arbeid_en_vrije_tijd",
                    "dimension": "hier_en_nu",
                },
            ],
        }
    )
    assert nodes_of_place(spec, "heerlen") == ["trust[centrum]", "trust[noord]", "jobs[heerlen]"]
    assert nodes_of_place(spec, "west") == ["trust[west]"]


def test_elders_is_computed_on_examples_places():
    run = prepared()
    assert elsewhere_nodes(run) == ("jobs[kerkrade]", "employed_residents[kerkrade]", "unemployment_rate[kerkrade]")
    card = scenario_scorecard(run, [2035])
    where = dict(zip(card["node"], card["dimension"], strict=True))
    assert where["unemployment_rate[kerkrade]"] == "elders"  # the file says hier_en_nu
    assert where["unemployment_rate[heerlen]"] == "hier_en_nu" and where["unemployment_parkstad"] == "hier_en_nu"
    # a regional intervention (regional_jobs has no place) has no own place: nothing is elsewhere
    assert elsewhere_nodes(prepared(EXAMPLE.with_name("regional-jobs.yaml"))) == ()


def bwsim(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_scorecard_of_a_place_beside_the_whole():
    result = bwsim("scorecard", EXAMPLE, "--place", "kerkrade", "--lang", "en")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Scorecard of Kerkrade" in out and "unemployment (Kerkrade)" in out
    assert "unemployment (Heerlen)" not in out
    assert (
        "Unemployment rate over gemeente (highest minus lowest, heerlen against kerkrade): "
        "2030: 0.6 without, 0.29 with the scenario: "
        "narrows (-0.31 percentage points)" in out
    )
    assert "Kerkrade       whole" in out
    data = json.loads(bwsim("scorecard", EXAMPLE, "--place", "kerkrade", "--json").output)["scenarios"][0]
    assert data["place"] == "kerkrade"
    assert {r["node"] for r in data["nodes"]} == {
        "jobs[kerkrade]",
        "employed_residents[kerkrade]",
        "unemployment_rate[kerkrade]",
    }
    assert {r["dimension"] for r in data["nodes"]} == {"hier_en_nu"}  # Kerkrade's own view
    assert "jobs_parkstad" in {r["node"] for r in data["whole"]["nodes"]}
    row = next(r for r in data["distribution"] if r["indicator"] == "unemployment_rate" and r["year"] == 2035)
    assert row["verdict"] == "narrows" and row["gap_baseline"] == pytest.approx(0.6)


def test_scorecard_with_an_ensemble_says_how_many_members_narrow_the_gap():
    out = bwsim("scorecard", EXAMPLE, "--samples", "20", "--lang", "en").output
    assert "narrows (-0.31 percentage points), narrower in 100 % of 20 runs" in out


def test_run_with_an_ensemble_says_how_many_members_narrow_the_gap_as_the_scorecard_does(tmp_path: Path):
    out = bwsim("run", EXAMPLE, "--samples", "20", "--lang", "en", "--out", str(tmp_path / "out")).output
    assert "narrows (-0.31 percentage points), narrower in 100 % of 20 runs" in out


def test_an_aggregate_named_after_its_places_is_de_werkloosheid_not_het_aantal():
    from simulator.analysis.text import subject

    model = prepared().model
    names = {n.id: n.label.get("nl") for n in model.nodes}
    aggregate = next(i for i, label in names.items() if label.startswith("Werkloosheid") and " en " in label)
    assert subject(model, aggregate, "nl").startswith("de werkloosheid ")
    out = bwsim("scorecard", EXAMPLE).output
    assert "de werkloosheid Heerlen en Kerkrade" in out and "het aantal werkloosheid" not in out


def test_place_not_an_element_exits_2_with_the_places_listed():
    result = bwsim("scorecard", EXAMPLE, "--place", "maastricht", "--lang", "en")
    assert result.exit_code == 2
    assert "'maastricht' is not a place of the model" in result.output
    assert "places of this model: heerlen, kerkrade" in result.output and "Traceback" not in result.output


def _example_with_dimension(tmp_path: Path, name: str, declared: str) -> Path:
    """examples/places with its dimension renamed ``name`` and declared as ``declared`` (YAML)."""
    folder = tmp_path / "places"
    folder.mkdir()
    for path in EXAMPLE.parent.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path.name == "model.yaml":
            text = text.replace("  gemeente: [heerlen, kerkrade]\n", f"  {name}: {declared}\n")
            text = text.replace("gemeente", name)
        (folder / path.name).write_text(text, encoding="utf-8")
    return folder / EXAMPLE.name


def test_a_dimension_declared_of_places_makes_elders_whatever_its_name(tmp_path: Path):
    scenario = _example_with_dimension(tmp_path, "corridor", "{elements: [heerlen, kerkrade], of: places}")
    assert elsewhere_nodes(prepared(scenario)) == (
        "jobs[kerkrade]",
        "employed_residents[kerkrade]",
        "unemployment_rate[kerkrade]",
    )
    out = bwsim("scorecard", scenario, "--place", "kerkrade", "--lang", "en").output
    assert "Scorecard of Kerkrade" in out


def test_a_dimension_declared_of_groups_is_never_elders_even_when_named_gemeente(tmp_path: Path):
    scenario = _example_with_dimension(tmp_path, "gemeente", "{elements: [heerlen, kerkrade], of: groups}")
    assert elsewhere_nodes(prepared(scenario)) == ()


def test_an_undeclared_dimension_with_another_name_is_one_of_groups(tmp_path: Path):
    scenario = _example_with_dimension(tmp_path, "corridor", "[heerlen, kerkrade]")
    assert elsewhere_nodes(prepared(scenario)) == ()


def test_a_dimension_of_something_else_exits_2_with_the_place_and_the_fix(tmp_path: Path):
    scenario = _example_with_dimension(tmp_path, "gemeente", "{elements: [heerlen, kerkrade], of: towns}")
    result = bwsim("validate", scenario.with_name("model.yaml"), "--lang", "en")
    assert result.exit_code == 2
    assert "dimensions.gemeente.of" in result.output and "of: must be places or groups, got 'towns'" in result.output
    assert "Traceback" not in result.output
