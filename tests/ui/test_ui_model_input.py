"""Uploads and edited tables: every bad input is refused with a message that names the place."""

from __future__ import annotations

import pytest
from ui_helpers import GROW, SMALL, UNSTABLE

from simulator.app import model_input, tables
from simulator.io.spec_files import load_model_text


@pytest.fixture
def current():
    return load_model_text(SMALL, "small.yaml")


def _check(text: str | bytes, current, **kw):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return model_input.check_upload(raw, "up.yaml", current, **kw)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: [unclosed", "YAML syntax error"),
        ("just a sentence", "expected a mapping"),
        (
            SMALL.replace(
                "theme: arbeid_en_vrije_tijd, dimension: hier_en_nu, unit: jobs",
                "theme: arbeid_en_vrije_tijd, dimension: now, unit: jobs",
            ),
            "nodes[0].dimension",
        ),
        (
            SMALL.replace("{from: jobs, to: income,", "{from: jobz, to: income,"),
            "unknown node 'jobz'",
        ),
        (SMALL + "  - {from: income, to: jobs, weight: 0.1}\n", "algebraic loop"),
        (UNSTABLE, "blew up"),
        (GROW.replace("node: jobs", "node: job"), "did you mean 'jobs'"),
    ],
)
def test_bad_uploads_are_refused_with_the_place(text, expected, current):
    outcome = _check(text, current)
    assert outcome.kind == "refused"
    assert expected in "\n".join(outcome.problems)


def test_files_over_the_limit_and_binary_files_are_refused(current):
    assert "limit" in _check("#" * 2000, current, limit=1000).problems[0]
    assert "UTF-8" in _check(b"\xff\xfe\x00bin", current).problems[0]


def test_a_good_model_and_a_good_scenario_are_accepted(current):
    outcome = _check(SMALL.replace("name: small", "name: other"), current)
    assert outcome.kind == "model" and outcome.model.spec.name == "other"
    outcome = _check(GROW, current)
    assert outcome.kind == "scenario" and outcome.scenario.name == "grow"


def test_a_model_is_test_run_with_the_scenarios_that_fit(current):
    # stable under the probe, but a scenario pushes a bounded node through a huge gain
    text = SMALL.replace("weight: 0.5, lag: 1, delay: fixed", "weight: 1.0e+307, lag: 1, delay: fixed")
    outcome = model_input.check_model_text(text, "m.yaml", {"grow.yaml": GROW})
    assert outcome.kind == "refused" and "blew up" in outcome.problems[0]


def test_edited_tables_apply_and_validate(current):
    links = tables.links_table(current.spec)
    nodes = tables.nodes_table(current.spec)
    links.loc[0, "weight"] = 2.5
    nodes.loc[1, "baseline"] = 31000.0
    data = tables.edited_model_data(current.spec, links, nodes)
    outcome = model_input.check_model_text(model_input.model_yaml(data), "own.yaml")
    assert outcome.kind == "model"
    spec = outcome.model.spec
    assert spec.links[0].weight.central == 2.5 and spec.links[0].weight.support == (1.0, 3.0)
    assert spec.node("income").baseline == 31000.0
    assert spec.links[1] == current.spec.links[1]  # untouched rows keep their form


def test_an_impossible_edit_names_the_link(current):
    links = tables.links_table(current.spec)
    links.loc[0, "low"] = 5.0  # above the mode
    data = tables.edited_model_data(current.spec, links, tables.nodes_table(current.spec))
    outcome = model_input.check_model_text(model_input.model_yaml(data), "own.yaml")
    assert outcome.kind == "refused"
    assert "links[0].weight" in outcome.problems[0] and "low <= mode <= high" in outcome.problems[0]


def test_edit_problems_name_the_row_with_its_numbers_in_the_readers_language(current):
    links, nodes = tables.links_table(current.spec), tables.nodes_table(current.spec)
    links.loc[0, "low"] = 2.5  # below the high of 3 but above the weight of 2
    links.loc[2, "lag"] = -1.0
    nodes.loc[0, "min"], nodes.loc[0, "max"] = 10.0, 5.0
    assert model_input.edit_problems(current.spec, links, nodes) == [
        "Verband Banen → Inkomen: het gewicht moet tussen laag en hoog liggen; het is 2, laag is 2,5 en hoog is 3.",
        "Verband Banen → Banen elders: de vertraging (-1 jaar) mag niet negatief zijn.",
        "Bouwblok Banen: het minimum (10) mag niet hoger zijn dan het maximum (5).",
    ]
    assert model_input.edit_problems(current.spec, links, nodes, "en")[0] == (
        "Link Jobs → Income: the weight must lie between low and high; it is 2, low is 2.5 and high is 3."
    )
    untouched = tables.links_table(current.spec), tables.nodes_table(current.spec)
    assert model_input.edit_problems(current.spec, *untouched) == []


def test_a_fixed_link_whose_weight_alone_changed_stays_fixed(current):
    links = tables.links_table(current.spec)
    links.loc[1, "weight"] = 0.7  # jobs -> emissions, fixed at 0.5 (low = high = 0.5 in the table)
    nodes = tables.nodes_table(current.spec)
    assert model_input.edit_problems(current.spec, links, nodes) == []
    data = tables.edited_model_data(current.spec, links, nodes)
    outcome = model_input.check_model_text(model_input.model_yaml(data), "own.yaml")
    assert outcome.kind == "model" and outcome.model.spec.links[1].weight.central == 0.7
    assert not outcome.model.spec.links[1].weight.is_uncertain
    untouched = tables.edited_model_data(current.spec, tables.links_table(current.spec), nodes)
    assert model_input.unchanged(current.spec, untouched)


def test_an_upload_that_names_places_keeps_each_nodes_own_place_as_the_command_line_does():
    """The monitor and calibration pages read only each node's own place (its region) from the horizon's
    start on: a band or a fit is never checked against Nederland's or another gemeente's rows."""
    from pathlib import Path

    from simulator.io.spec_files import load_model

    model = load_model(Path(__file__).resolve().parents[2] / "models" / "medtech-heerlen.yaml").spec
    regions = {node.id: node.region for node in model.nodes}  # disposable_income: heerlen
    text = (
        b"node,time,value,place\n"
        b"disposable_income,2024,37300,Heerlen\n"  # the past: for comparisons only
        b"disposable_income,2026,38000,Heerlen\n"
        b"disposable_income,2026,47600,Nederland\n"
        b"disposable_income,2026,41000,Kerkrade\n"
    )
    ids, horizon = list(model.node_ids), (2025.0, 2050.0)
    own = model_input.read_observed(text, "cbs.csv", ids, horizon, regions=regions)
    assert own.table[["node", "time", "value"]].values.tolist() == [["disposable_income", 2026.0, 38000.0]]
    with pytest.raises(Exception, match="2024 is outside the horizon"):  # without regions: as before
        model_input.read_observed(text, "cbs.csv", ids, horizon)
