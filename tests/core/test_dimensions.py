"""Dimensions (places and groups): a model over sets is the flat model it stands for.

Bit for bit against the same model written out node by node, analytic values of a
matrix, an aggregation and an allocation, shared uncertain parameters, the
interventions' own places, and every class of bad input with its place and line.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pydantic
import pytest
import yaml

from simulator.analysis.places import intervention_places
from simulator.ensemble import ensemble_summary
from simulator.errors import InputError
from simulator.io.spec_files import load_model, load_model_text, load_scenario, load_scenario_text
from simulator.sampling import draw, uncertain_parameters
from simulator.scenario_run import prepare_scenario, run_deterministic
from simulator.spec import ModelSpec, ScenarioSpec

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "places"


def node(node_id: str, baseline: object = 0.0, **extra: object) -> dict:
    return {
        "id": node_id,
        "label": node_id,
        "theme": "samenleving",
        "dimension": "hier_en_nu",
        "baseline": baseline,
        **extra,
    }


def model_text(nodes: list, links: list, dimensions: dict | None = None, **extra: object) -> str:
    data: dict = {"name": "m", "title": "t", "time": {"start": 2025, "end": 2030, "dt": 0.25}}
    if dimensions is not None:
        data["dimensions"] = dimensions
    data |= {"nodes": nodes, "links": links, **extra}
    return yaml.safe_dump(data, sort_keys=False)


GEMEENTE = {"gemeente": ["heerlen", "kerkrade"]}
W_H = {"low": -0.0015, "mode": -0.0012, "high": -0.0009}
W_K = {"low": -0.0028, "mode": -0.0023, "high": -0.0018}


def dimensioned() -> str:
    """Jobs per gemeente, a commuting matrix, a lagged elasticity per element, a sum and a weighted mean."""
    return model_text(
        [
            node("regional", 0.0),
            {**node("jobs", {"heerlen": 52000, "kerkrade": 16000}), "over": ["gemeente"], "min": 0},
            {**node("employed", {"heerlen": 38000, "kerkrade": 20000}), "over": ["gemeente"]},
            {
                **node("unemployment", {"heerlen": 5.6, "kerkrade": 5.0}),
                "over": ["gemeente"],
                "max": {"heerlen": 20, "kerkrade": 30},
            },
            {
                **node("income", {"heerlen": {"value": 30000, "growth": 0.01}, "kerkrade": 31000}),
                "over": ["gemeente"],
                "kind": "stock",
                "decay": 0.1,
            },
            node("jobs_total", 68000),
            node("unemployment_mean", 5.4),
        ],
        [
            {"from": "regional", "to": "jobs", "shares": {"heerlen": 0.7, "kerkrade": 0.3}},
            {
                "from": "jobs",
                "to": "employed",
                "matrix": {
                    "heerlen": {"heerlen": 0.45, "kerkrade": 0.1},
                    "kerkrade": {"heerlen": 0.15, "kerkrade": 0.4},
                },
                "lag": 0.5,
                "delay": "exponential",
            },
            {"from": "employed", "to": "unemployment", "weight": {"heerlen": W_H, "kerkrade": W_K}},
            {
                "from": "employed",
                "to": "income",
                "weight": {"low": 0.1, "mode": 0.2, "high": 0.3},
                "form": "elasticity",
                "lag": 1.0,
                "delay": "third_order",
            },
            {"from": "jobs", "to": "jobs_total", "aggregate": "sum"},
            {
                "from": "unemployment",
                "to": "unemployment_mean",
                "aggregate": {"weights": {"heerlen": 0.65, "kerkrade": 0.35}},
            },
        ],
        GEMEENTE,
    )


def written_out(shared_income: dict) -> str:
    """The same model, node by node, with plain ids (``jobs_heerlen``)."""
    nodes = [
        node("regional", 0.0),
        node("jobs_heerlen", 52000, min=0),
        node("jobs_kerkrade", 16000, min=0),
        node("employed_heerlen", 38000),
        node("employed_kerkrade", 20000),
        node("unemployment_heerlen", 5.6, max=20),
        node("unemployment_kerkrade", 5.0, max=30),
        node("income_heerlen", {"value": 30000, "growth": 0.01}, kind="stock", decay=0.1),
        node("income_kerkrade", 31000, kind="stock", decay=0.1),
        node("jobs_total", 68000),
        node("unemployment_mean", 5.4),
    ]
    lag = {"lag": 0.5, "delay": "exponential"}
    inc = {"form": "elasticity", "lag": 1.0, "delay": "third_order"}
    links = [
        {"from": "regional", "to": "jobs_heerlen", "weight": 0.7},
        {"from": "regional", "to": "jobs_kerkrade", "weight": 0.3},
        {"from": "jobs_heerlen", "to": "employed_heerlen", "weight": 0.45, **lag},
        {"from": "jobs_heerlen", "to": "employed_kerkrade", "weight": 0.1, **lag},
        {"from": "jobs_kerkrade", "to": "employed_heerlen", "weight": 0.15, **lag},
        {"from": "jobs_kerkrade", "to": "employed_kerkrade", "weight": 0.4, **lag},
        {"from": "employed_heerlen", "to": "unemployment_heerlen", "weight": W_H},
        {"from": "employed_kerkrade", "to": "unemployment_kerkrade", "weight": W_K},
        {"from": "employed_heerlen", "to": "income_heerlen", "weight": shared_income["heerlen"], **inc},
        {"from": "employed_kerkrade", "to": "income_kerkrade", "weight": shared_income["kerkrade"], **inc},
        {"from": "jobs_heerlen", "to": "jobs_total", "weight": 1.0},
        {"from": "jobs_kerkrade", "to": "jobs_total", "weight": 1.0},
        {"from": "unemployment_heerlen", "to": "unemployment_mean", "weight": 0.65},
        {"from": "unemployment_kerkrade", "to": "unemployment_mean", "weight": 0.35},
    ]
    return model_text(nodes, links)


def scenario(node_id: str, height: float = 1000.0, **extra: object) -> ScenarioSpec:
    return ScenarioSpec.model_validate(
        {
            "name": "s",
            "model": "m.yaml",
            "interventions": [{"node": node_id, "shape": "step", "height": height, "start": 2026, **extra}],
        }
    )


FLAT_NAME = {"regional": "regional", "jobs_total": "jobs_total", "unemployment_mean": "unemployment_mean"}


def test_the_expanded_model_names_its_elements_in_order():
    spec = load_model_text(dimensioned(), "m.yaml").spec
    assert spec.node_ids[:5] == [
        "regional",
        "jobs[heerlen]",
        "jobs[kerkrade]",
        "employed[heerlen]",
        "employed[kerkrade]",
    ]
    assert spec.expansion.families["jobs"] == ("gemeente",)
    origin = spec.expansion.nodes[2]
    assert (origin.origin, origin.family, origin.element) == (1, "jobs", ("kerkrade",))
    assert [lk.key for lk in spec.links][2:4] == [
        "jobs[heerlen]->employed[heerlen]",
        "jobs[heerlen]->employed[kerkrade]",
    ]


@pytest.mark.parametrize("where", ["regional", "jobs[heerlen]", "jobs"])
def test_a_model_with_dimensions_runs_bit_for_bit_as_the_model_written_out(where):
    dims = load_model_text(dimensioned(), "m.yaml").spec
    same = {"heerlen": {"low": 0.1, "mode": 0.2, "high": 0.3}, "kerkrade": {"low": 0.1, "mode": 0.2, "high": 0.3}}
    flat = load_model_text(written_out(same), "flat.yaml").spec
    flat_where = {
        "regional": ["regional"],
        "jobs[heerlen]": ["jobs_heerlen"],
        "jobs": ["jobs_heerlen", "jobs_kerkrade"],
    }[where]
    ours = run_deterministic(prepare_scenario(scenario(where), dims)).delta
    flat_scenario = ScenarioSpec.model_validate(
        {
            "name": "s",
            "model": "m.yaml",
            "interventions": [{"node": n, "shape": "step", "height": 1000.0, "start": 2026} for n in flat_where],
        }
    )
    theirs = run_deterministic(prepare_scenario(flat_scenario, flat)).delta
    assert np.abs(ours).max() > 0
    assert np.array_equal(ours, theirs)


def per_element_income() -> str:
    """The dimensioned model with the income elasticity given per element (two parameters)."""
    text = dimensioned()
    data = yaml.safe_load(text)
    data["links"][3]["weight"] = {
        "heerlen": {"low": 0.1, "mode": 0.2, "high": 0.3},
        "kerkrade": {"low": 0.05, "mode": 0.15, "high": 0.35},
    }
    return yaml.safe_dump(data, sort_keys=False)


def test_an_ensemble_with_the_same_parameters_is_bit_for_bit_the_ensemble_of_the_model_written_out():
    dims = load_model_text(per_element_income(), "m.yaml").spec
    flat = load_model_text(
        written_out(
            {"heerlen": {"low": 0.1, "mode": 0.2, "high": 0.3}, "kerkrade": {"low": 0.05, "mode": 0.15, "high": 0.35}}
        ),
        "f.yaml",
    ).spec
    assert [p.name for p in uncertain_parameters(dims)] == [
        "employed[heerlen]->unemployment[heerlen]:weight",
        "employed[kerkrade]->unemployment[kerkrade]:weight",
        "employed[heerlen]->income[heerlen]:weight",
        "employed[kerkrade]->income[kerkrade]:weight",
    ]
    a = ensemble_summary(prepare_scenario(scenario("jobs[kerkrade]"), dims), samples=300, seed=4)
    flat_scenario = ScenarioSpec.model_validate(
        {
            "name": "s",
            "model": "m.yaml",
            "interventions": [{"node": "jobs_kerkrade", "shape": "step", "height": 1000.0, "start": 2026}],
        }
    )
    b = ensemble_summary(prepare_scenario(flat_scenario, flat), samples=300, seed=4)
    for field in ("mean", "p05", "p50", "p95"):
        assert np.array_equal(getattr(a, field), getattr(b, field)), field
    assert np.abs(a.p95 - a.p05).max() > 0


def test_a_range_given_once_for_a_family_is_one_parameter_drawn_once_per_member():
    dims = load_model_text(dimensioned(), "m.yaml").spec
    names = [p.name for p in uncertain_parameters(dims)]
    assert "employed->income:weight" in names and len(names) == 3  # two per-element weights + the shared one
    shared = next(p for p in uncertain_parameters(dims) if p.name == "employed->income:weight")
    assert len(shared.links) == 2
    weights, _ = draw(dims, 50, seed=1).block(0)
    heerlen, kerkrade = shared.links
    assert np.array_equal(weights[heerlen], weights[kerkrade])
    assert np.unique(weights[heerlen]).size == 50


def test_a_commuting_matrix_moves_an_effect_to_the_neighbour_as_computed_by_hand():
    text = model_text(
        [{**node("jobs", 100.0), "over": ["gemeente"]}, {**node("workers", 50.0), "over": ["gemeente"]}],
        [
            {
                "from": "jobs",
                "to": "workers",
                "matrix": {
                    "heerlen": {"heerlen": 0.45, "kerkrade": 0.1},
                    "kerkrade": {"heerlen": 0.15, "kerkrade": 0.4},
                },
            }
        ],
        GEMEENTE,
    )
    prepared = prepare_scenario(scenario("jobs[heerlen]"), load_model_text(text, "m.yaml").spec)
    run = run_deterministic(prepared)
    k = int(np.searchsorted(run.times, 2027))
    d = dict(zip(run.node_ids, run.delta[k], strict=True))
    assert d["workers[heerlen]"] == pytest.approx(450.0, abs=1e-12)
    assert d["workers[kerkrade]"] == pytest.approx(100.0, abs=1e-12)  # 1,000 jobs x 0.10 living in Kerkrade
    assert d["jobs[kerkrade]"] == 0.0


def test_aggregation_and_allocation_by_hand():
    text = model_text(
        [
            node("region", 0.0),
            {**node("jobs", {"heerlen": 60.0, "kerkrade": 40.0}), "over": ["gemeente"]},
            node("total", 100.0),
            node("mean", 50.0),
            node("weighted", 50.0),
        ],
        [
            {"from": "region", "to": "jobs", "shares": {"heerlen": 0.6, "kerkrade": 0.4}},
            {"from": "jobs", "to": "total", "aggregate": "sum"},
            {"from": "jobs", "to": "mean", "aggregate": "mean"},
            {"from": "jobs", "to": "weighted", "aggregate": {"weights": {"heerlen": 0.25, "kerkrade": 0.75}}},
        ],
        GEMEENTE,
    )
    run = run_deterministic(prepare_scenario(scenario("region", 10.0), load_model_text(text, "m.yaml").spec))
    d = dict(zip(run.node_ids, run.delta[-1], strict=True))
    assert d["jobs[heerlen]"] == pytest.approx(6.0) and d["jobs[kerkrade]"] == pytest.approx(4.0)
    assert d["total"] == pytest.approx(10.0)
    assert d["mean"] == pytest.approx(5.0)
    assert d["weighted"] == pytest.approx(0.25 * 6 + 0.75 * 4)


def test_two_dimensions_and_a_source_over_fewer():
    text = model_text(
        [
            {**node("price", 1.0), "over": ["gemeente"]},
            {
                **node("cost", {"heerlen,laag": 1, "heerlen,hoog": 2, "kerkrade,laag": 3, "kerkrade,hoog": 4}),
                "over": ["gemeente", "groep"],
            },
        ],
        [
            {
                "from": "price",
                "to": "cost",
                "weight": {"heerlen,laag": 1, "heerlen,hoog": 2, "kerkrade,laag": 3, "kerkrade,hoog": 4},
            }
        ],
        GEMEENTE | {"groep": ["laag", "hoog"]},
    )
    spec = load_model_text(text, "m.yaml").spec
    assert "cost[kerkrade,hoog]" in spec.node_ids
    run = run_deterministic(prepare_scenario(scenario("price[kerkrade]", 1.0), spec))
    d = dict(zip(run.node_ids, run.delta[-1], strict=True))
    assert (d["cost[kerkrade,laag]"], d["cost[kerkrade,hoog]"], d["cost[heerlen,laag]"]) == (3.0, 4.0, 0.0)


def test_a_matrix_from_a_csv_file(tmp_path):
    (tmp_path / "commuting.csv").write_text("from,heerlen,kerkrade\nheerlen,0.45,0.1\nkerkrade,0.15,0.4\n")
    text = model_text(
        [{**node("jobs", 100.0), "over": ["gemeente"]}, {**node("workers", 50.0), "over": ["gemeente"]}],
        [{"from": "jobs", "to": "workers", "matrix": "commuting.csv"}],
        GEMEENTE,
    )
    (tmp_path / "m.yaml").write_text(text)
    spec = load_model(tmp_path / "m.yaml").spec
    assert [lk.weight.central for lk in spec.links] == [0.45, 0.1, 0.15, 0.4]
    (tmp_path / "commuting.csv").write_text("from,heerlen,kerkrade\nheerlen,0.45\nkerkrade,0.15,0.4\n")
    with pytest.raises(InputError) as info:
        load_model(tmp_path / "m.yaml")
    problem = info.value.problems[0]
    assert problem.file.endswith("commuting.csv") and problem.line == 2 and "1 numbers" in str(problem.message)


def test_the_interventions_own_places_and_elsewhere():
    spec = load_model_text(dimensioned(), "m.yaml").spec
    places = intervention_places(prepare_scenario(scenario("jobs[heerlen]"), spec))
    assert places.own == ("heerlen",)
    assert "unemployment[kerkrade]" in places.elsewhere_nodes and "jobs[heerlen]" in places.own_nodes
    assert "jobs_total" not in places.own_nodes + places.elsewhere_nodes
    everywhere = intervention_places(prepare_scenario(scenario("jobs"), spec))
    assert everywhere.own == ("heerlen", "kerkrade") and everywhere.elsewhere_nodes == ()
    region = intervention_places(prepare_scenario(scenario("regional"), spec))
    assert region.own == () and region.elsewhere_nodes == ()
    with pytest.raises(InputError):
        intervention_places(prepare_scenario(scenario("jobs"), spec), "wijk")


def test_an_intervention_on_a_family_is_one_per_element():
    spec = load_model_text(dimensioned(), "m.yaml").spec
    prepared = prepare_scenario(scenario("jobs", 0.01, relative=True), spec)
    assert [item.node for item in prepared.interventions] == ["jobs[heerlen]", "jobs[kerkrade]"]
    run = run_deterministic(prepared)
    d = dict(zip(run.node_ids, run.delta[-1], strict=True))
    assert d["jobs[heerlen]"] == pytest.approx(520.0) and d["jobs[kerkrade]"] == pytest.approx(160.0)


def test_an_element_link_can_be_overridden_by_a_scenario():
    spec = load_model_text(dimensioned(), "m.yaml").spec
    override = ScenarioSpec.model_validate(
        {
            "name": "s",
            "model": "m.yaml",
            "interventions": [{"node": "jobs[heerlen]", "shape": "step", "height": 1000.0, "start": 2026}],
            "overrides": {"links": [{"from": "jobs[heerlen]", "to": "employed[kerkrade]", "weight": 0.2}]},
        }
    )
    run = run_deterministic(prepare_scenario(override, spec))
    d = dict(zip(run.node_ids, run.delta[-1], strict=True))
    assert d["employed[kerkrade]"] == pytest.approx(200.0, rel=1e-4)  # an exponential lag of 0.5 years, 4 years on


# --- bad input: the element, the place, the line and the fix -----------------------------------------


def two_nodes(jobs: dict | None = None, link: dict | None = None, dims: dict | None = None) -> str:
    return model_text(
        [node("region", 0.0), {**node("jobs", 1.0), "over": ["gemeente"], **(jobs or {})}, node("total", 1.0)],
        [link or {"from": "jobs", "to": "total", "aggregate": "sum"}],
        GEMEENTE if dims is None else dims,
    )


BAD = {
    "baseline element": (
        two_nodes({"baseline": {"heerlen": 1, "kerkrad": 2}}),
        "nodes[1].baseline.kerkrad",
        "'kerkrad' is not an element of gemeente",
        "kerkrade",
    ),
    "baseline missing": (
        two_nodes({"baseline": {"heerlen": 1, "brunssum": 2}}),
        "nodes[1].baseline.brunssum",
        "'brunssum' is not an element of gemeente",
        "heerlen, kerkrade",
    ),
    "weight element": (
        two_nodes(link={"from": "region", "to": "jobs", "weight": {"heerlen": 1, "kerkrade": 2, "landgraaf": 3}}),
        "links[0].weight.landgraaf",
        "'landgraaf' is not an element of gemeente",
        "",
    ),
    "matrix element": (
        two_nodes(
            link={
                "from": "jobs",
                "to": "jobs",
                "lag": 1,
                "delay": "fixed",
                "matrix": {"heerlen": {"heerlen": 1, "kerkrade": 0}, "kerkrade": {"heerlen": 0, "kerkrad": 1}},
            }
        ),
        "links[0].matrix.kerkrade.kerkrad",
        "'kerkrad' is not an element of gemeente",
        "kerkrade",
    ),
    "matrix missing row": (
        two_nodes(
            link={
                "from": "jobs",
                "to": "jobs",
                "lag": 1,
                "delay": "fixed",
                "matrix": {"heerlen": {"heerlen": 1, "kerkrade": 0}},
            }
        ),
        "links[0].matrix",
        "no value for the element(s) kerkrade",
        "every element",
    ),
    "shares element": (
        two_nodes(link={"from": "region", "to": "jobs", "shares": {"heerlen": 0.5, "kerkade": 0.5}}),
        "links[0].shares.kerkade",
        "'kerkade' is not an element of gemeente",
        "kerkrade",
    ),
    "shares sum": (
        two_nodes(link={"from": "region", "to": "jobs", "shares": {"heerlen": 0.5, "kerkrade": 0.4}}),
        "links[0].shares",
        "the shares sum to 0.9, not 1",
        "add up to 1",
    ),
    "undeclared": (two_nodes({"over": ["wijk"]}), "nodes[1].over[0]", "dimension 'wijk' is not declared", "gemeente"),
    "no dimensions": (
        model_text([{**node("jobs", 1.0), "over": ["gemeente"]}], []),
        "nodes[0].over",
        "'over' needs dimensions",
        "dimensions:",
    ),
    "aggregate over missing": (
        model_text(
            [{**node("jobs", 1.0), "over": ["gemeente"]}, {**node("cost", 1.0), "over": ["groep"]}],
            [{"from": "jobs", "to": "cost", "aggregate": "sum"}],
            GEMEENTE | {"groep": ["laag"]},
        ),
        "links[0].aggregate",
        "'cost' ranges over groep, which 'jobs' does not",
        "",
    ),
    "duplicate element": (
        two_nodes(dims={"gemeente": ["heerlen", "kerkrade", "heerlen"]}),
        "dimensions.gemeente[2]",
        "element 'heerlen' is listed twice in gemeente",
        "once",
    ),
    "bracket in id": (
        model_text([node("jobs[heerlen]", 1.0)], []),
        "nodes[0].id",
        "'[' in a node id is kept for the elements",
        "over: [dimension]",
    ),
    "family needs aggregate": (
        two_nodes(link={"from": "jobs", "to": "total", "weight": 1}),
        "links[0]",
        "say how its elements reach 'total'",
        "aggregate",
    ),
    "flat problem at its family": (
        two_nodes(
            {"baseline": {"heerlen": 1, "kerkrade": 2}},
            link={"from": "jobs", "to": "region", "weight": 1, "lag": 0.1, "delay": "exponential", "aggregate": "sum"},
        ),
        "links[0].lag",
        "",
        "",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_names_the_element_the_place_and_the_line(case):
    text, place, message, hint = BAD[case]
    with pytest.raises(InputError) as info:
        load_model_text(text, "m.yaml")
    found = [p for p in info.value.problems if p.place == place]
    assert found, [str(p) for p in info.value.problems]
    problem = found[0]
    assert problem.file == "m.yaml" and problem.line is not None
    assert message in str(problem.message) and hint in str(problem.hint), str(problem)
    assert len(info.value.problems) == len({(p.place, str(p.message)) for p in info.value.problems})


def test_a_bad_base_value_of_one_element_is_reported_at_that_element():
    with pytest.raises(InputError) as info:
        load_model_text(two_nodes({"baseline": {"heerlen": 1, "kerkrade": "many"}}), "m.yaml")
    assert info.value.problems[0].place.startswith("nodes[1].baseline.kerkrade")


def test_a_spec_built_in_code_is_refused_with_the_same_message():
    text, place, message, _ = BAD["shares sum"]
    with pytest.raises(pydantic.ValidationError) as info:
        ModelSpec.model_validate(yaml.safe_load(text))
    assert message in str(info.value) and place in str(info.value)
    built = ModelSpec.model_validate(yaml.safe_load(dimensioned()))
    assert built == load_model_text(dimensioned(), "m.yaml").spec


def test_a_scenario_naming_an_element_its_family_lacks():
    model = load_model_text(dimensioned(), "m.yaml")
    text = "name: s\nmodel: m.yaml\ninterventions:\n  - {node: 'jobs[heerlem]', shape: step, height: 1, start: 2026}\n"
    with pytest.raises(InputError) as info:
        load_scenario_text(text, "s.yaml", model)
    problem = info.value.problems[0]
    assert (problem.place, problem.line) == ("interventions[0].node", 4)
    assert "'heerlem' is not an element of gemeente" in str(problem.message) and "heerlen" in str(problem.hint)


def test_the_example_validates_and_runs_on_the_command_line(tmp_path):
    bwsim = [str(Path(sys.executable).parent / "bwsim")]
    done = subprocess.run(
        [*bwsim, "validate", str(EXAMPLE / "model.yaml"), str(EXAMPLE / "jobs-in-heerlen.yaml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    loaded = load_scenario(EXAMPLE / "jobs-in-heerlen.yaml")
    run = run_deterministic(prepare_scenario(loaded.spec, loaded.model.spec))
    d = dict(zip(run.node_ids, run.delta[-1], strict=True))
    assert d["unemployment_rate[kerkrade]"] == pytest.approx(-100 * 0.0023, rel=1e-6)
    bad = tmp_path / "bad.yaml"
    bad.write_text((EXAMPLE / "model.yaml").read_text().replace("kerkrade: 0.3}", "kerkrade: 0.2}"))
    done = subprocess.run([*bwsim, "validate", str(bad), "--lang", "en"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and "links[0].shares" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_one_plain_source_reaches_every_element_and_a_link_may_name_one_element():
    text = model_text(
        [
            node("rate", 1.0),
            {**node("cost", {"heerlen": 10.0, "kerkrade": 20.0}), "over": ["gemeente"]},
            node("kerkrade_watch", 0.0),
        ],
        [
            {"from": "rate", "to": "cost", "weight": 2.0},
            {"from": "cost[kerkrade]", "to": "kerkrade_watch", "weight": 0.5},
        ],
        GEMEENTE,
    )
    spec = load_model_text(text, "m.yaml").spec
    assert [lk.key for lk in spec.links] == [
        "rate->cost[heerlen]",
        "rate->cost[kerkrade]",
        "cost[kerkrade]->kerkrade_watch",
    ]
    run = run_deterministic(prepare_scenario(scenario("rate", 1.0), spec))
    d = dict(zip(run.node_ids, run.delta[-1], strict=True))
    assert (d["cost[heerlen]"], d["cost[kerkrade]"], d["kerkrade_watch"]) == (2.0, 2.0, 1.0)


@pytest.mark.parametrize(
    "text",
    [
        "nodes: 3\n",
        "nodes: 3\nlinks: 4\ndimensions: {gemeente: [a]}\n",
        "dimensions: 5\nnodes: [{id: x, over: gemeente}]\n",
    ],
)
def test_malformed_files_with_dimensions_are_refused_not_crashed(text):
    with pytest.raises(InputError):
        load_model_text("name: m\ntitle: t\n" + text, "m.yaml")


def test_a_scenario_overrides_a_whole_family_and_an_element_override_wins():
    spec = load_model_text(dimensioned(), "m.yaml").spec
    data = {
        "name": "s",
        "model": "m.yaml",
        "interventions": [{"node": "employed", "shape": "step", "height": 100.0, "start": 2026}],
        "overrides": {
            "links": [
                {"from": "employed[kerkrade]", "to": "unemployment[kerkrade]", "weight": -0.003},
                {"from": "employed", "to": "unemployment", "weight": {"low": -0.002, "mode": -0.001, "high": 0.0}},
            ],
            "nodes": [{"id": "unemployment", "baseline": 7.0}],
        },
    }
    prepared = prepare_scenario(ScenarioSpec.model_validate(data), spec)
    by_key = {lk.key: lk for lk in prepared.model.links}
    assert by_key["employed[heerlen]->unemployment[heerlen]"].weight.central == -0.001
    assert by_key["employed[kerkrade]->unemployment[kerkrade]"].weight.central == -0.003
    assert prepared.model.node("unemployment[kerkrade]").baseline == 7.0
    run = run_deterministic(prepared)
    d = dict(zip(run.node_ids, run.delta[-1], strict=True))
    assert d["unemployment[heerlen]"] == pytest.approx(-0.1) and d["unemployment[kerkrade]"] == pytest.approx(-0.3)
    # the family's range, given once by the override, is one parameter
    data["overrides"]["links"] = data["overrides"]["links"][1:]
    tied = prepare_scenario(ScenarioSpec.model_validate(data), spec)
    names = [p.name for p in uncertain_parameters(tied.model)]
    assert names.count("employed->unemployment:weight") == 1
    assert not any(n.startswith("employed[") and "unemployment" in n for n in names)


def test_a_family_override_in_a_scenario_file_is_checked(tmp_path):
    model = load_model_text(dimensioned(), "m.yaml")
    text = (
        "name: s\nmodel: m.yaml\noverrides:\n  links:\n    - {from: employed, to: unemployment, lag: 0.1, "
        "delay: exponential}\n"
    )
    with pytest.raises(InputError) as info:
        load_scenario_text(text, "s.yaml", model)
    assert any(p.file == "s.yaml" and p.line is not None for p in info.value.problems), info.value.problems
    text = "name: s\nmodel: m.yaml\noverrides:\n  links:\n    - {from: employed, to: unemploymen, weight: 1}\n"
    with pytest.raises(InputError) as info:
        load_scenario_text(text, "s.yaml", model)
    assert info.value.problems[0].place == "overrides.links[0]"


WIJKEN = GEMEENTE | {
    "wijk": {"within": "gemeente", "elements": {"heerlen": ["centrum", "noord"], "kerkrade": ["west"]}}
}


def nested(shares: dict | None = None) -> str:
    return model_text(
        [
            node("region", 0.0),
            {**node("jobs", 10.0), "over": ["gemeente"]},
            {**node("wijk_jobs", {"centrum": 4.0, "noord": 6.0, "west": 10.0}), "over": ["wijk"]},
            {**node("reach", 0.0), "over": ["wijk"]},
            {**node("gemeente_total", 10.0), "over": ["gemeente"]},
            {**node("gemeente_mean", 5.0), "over": ["gemeente"]},
        ],
        [
            {"from": "jobs", "to": "wijk_jobs", "shares": shares or {"centrum": 0.25, "noord": 0.75, "west": 1.0}},
            {"from": "jobs", "to": "reach", "weight": 2.0},
            {"from": "wijk_jobs", "to": "gemeente_total", "aggregate": "sum"},
            {"from": "wijk_jobs", "to": "gemeente_mean", "aggregate": "mean"},
        ],
        WIJKEN,
    )


def test_a_nested_dimension_by_hand():
    spec = load_model_text(nested(), "m.yaml").spec
    assert spec.expansion.within["wijk"].elements == {"centrum": "heerlen", "noord": "heerlen", "west": "kerkrade"}
    run = run_deterministic(prepare_scenario(scenario("jobs[heerlen]", 8.0), spec))
    d = dict(zip(run.node_ids, run.delta[-1], strict=True))
    assert (d["wijk_jobs[centrum]"], d["wijk_jobs[noord]"], d["wijk_jobs[west]"]) == (2.0, 6.0, 0.0)
    assert (d["reach[centrum]"], d["reach[noord]"], d["reach[west]"]) == (16.0, 16.0, 0.0)  # each wijk's gemeente
    assert (d["gemeente_total[heerlen]"], d["gemeente_total[kerkrade]"]) == (8.0, 0.0)
    assert d["gemeente_mean[heerlen]"] == pytest.approx(4.0)  # (2 + 6) / 2 wijken
    places = intervention_places(prepare_scenario(scenario("jobs[heerlen]", 8.0), spec), "gemeente")
    assert "wijk_jobs[noord]" in places.own_nodes and "wijk_jobs[west]" in places.elsewhere_nodes


@pytest.mark.parametrize(
    ("text", "place", "message"),
    [
        (nested({"centrum": 0.25, "noord": 0.5, "west": 1.0}), "links[0].shares", "sum to 0.75, not 1"),
        (
            model_text([{**node("x", 1.0), "over": ["wijk", "gemeente"]}], [], WIJKEN),
            "nodes[0].over",
            "'wijk' lies within 'gemeente'",
        ),
        (
            model_text([node("x", 1.0)], [], {"wijk": {"within": "gemeent", "elements": {}}}),
            "dimensions.wijk.within",
            "dimension 'gemeent' is not declared",
        ),
        (
            model_text(
                [node("x", 1.0)], [], GEMEENTE | {"wijk": {"within": "gemeente", "elements": {"heerlem": ["a"]}}}
            ),
            "dimensions.wijk.elements.heerlem",
            "'heerlem' is not an element of gemeente",
        ),
    ],
)
def test_bad_nested_dimensions(text, place, message):
    with pytest.raises(InputError) as info:
        load_model_text(text, "m.yaml")
    found = [p for p in info.value.problems if p.place == place]
    assert found and message in str(found[0].message) and found[0].line is not None, info.value.problems


def test_an_expanded_model_survives_its_own_dump():
    spec = load_model(EXAMPLE / "model.yaml").spec
    assert ModelSpec.model_validate(spec.model_dump(by_alias=True, exclude_none=True)) == spec
    assert ModelSpec.model_validate(spec.model_dump(mode="json", by_alias=True)) == spec
