"""Every class of bad input is refused with a message naming the file, the place and the line.

Through the Python API here (``InputError.problems``); the command line is in test_cli.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from simulator.errors import InputError
from simulator.io.spec_files import load_model, load_scenario
from simulator.io.yaml_file import MAX_FILE_BYTES, parse_yaml
from simulator.scenario_run import prepare_scenario, run_scenario
from simulator.spec import ModelSpec, ScenarioSpec

MODEL = """\
name: m
title: t
nodes:
  - {id: jobs, label: J, theme: samenleving, dimension: hier_en_nu, baseline: 10}
  - {id: income, label: I, theme: samenleving, dimension: hier_en_nu, baseline: 5}
links:
  - {from: jobs, to: income, weight: 1}
"""
SCENARIO = """\
name: s
model: m.yaml
interventions:
  - {node: jobs, shape: step, height: 1, start: 2026}
"""
LAGGED = MODEL.replace("weight: 1}", "weight: 1, lag: 1, delay: exponential}")


def shaped(shape: str) -> str:
    """MODEL with ``shape`` (flow YAML) on its link."""
    return MODEL.replace("weight: 1}", f"weight: 1, shape: {shape}}}")


def problems_of(load, path: Path) -> list:
    with pytest.raises(InputError) as info:
        load(path)
    assert info.value.problems, "an InputError carries its problems"
    assert isinstance(info.value, ValueError)
    return info.value.problems


def only_problem(load, path: Path):
    problems = problems_of(load, path)
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert problem.file == str(path)
    assert str(path) in str(problem)
    return problem


# (case, text of m.yaml, place, line, words the message must contain)
MODEL_CASES = [
    ("yaml syntax", "name: m\ntitle: [t\nnodes: []\n", "", 3, "YAML syntax error"),
    ("tab indentation", "name: m\n\ttitle: t\n", "", 2, "YAML syntax error"),
    ("empty file", "", "", None, "empty"),
    ("only a comment", "# nothing here\n", "", None, "empty"),
    ("not a mapping", "- a\n- b\n", "", 1, "expected a mapping"),
    ("two documents", MODEL + "---\n" + MODEL, "", 9, "several YAML documents"),
    ("unknown key", MODEL.replace("title: t", "title: t\ntitel: x"), "titel", 3, "unknown key 'titel'"),
    (
        "unknown node key",
        MODEL.replace("baseline: 10}", "baseline: 10, colour: red}"),
        "nodes[0].colour",
        4,
        "unknown key 'colour'",
    ),
    (
        "unknown link key",
        MODEL.replace("weight: 1}", "weight: 1, wieght: 2}"),
        "links[0].wieght",
        7,
        "unknown key 'wieght'",
    ),
    ("missing key", MODEL.replace("title: t\n", ""), "title", 1, "missing key 'title'"),
    (
        "missing node key",
        MODEL.replace("dimension: hier_en_nu, baseline: 10", "baseline: 10"),
        "nodes[0].dimension",
        4,
        "missing key 'dimension'",
    ),
    ("missing weight", MODEL.replace(", weight: 1}", "}"), "links[0].weight", 7, "missing key 'weight'"),
    ("duplicate key", MODEL.replace("title: t", "title: t\ntitle: u"), "title", 3, "duplicate key 'title'"),
    (
        "duplicate link",
        MODEL + "  - {from: jobs, to: income, weight: 2}\n",
        "links[1]",
        8,
        "duplicate link jobs->income",
    ),
    ("unknown node in a link", MODEL.replace("to: income", "to: incme"), "links[0].to", 7, "unknown node 'incme'"),
    ("nan weight", MODEL.replace("weight: 1}", "weight: .nan}"), "links[0].weight", 7, "finite"),
    ("infinite baseline", MODEL.replace("baseline: 10}", "baseline: .inf}"), "nodes[0].baseline", 4, "finite"),
    ("infinite bound", MODEL.replace("baseline: 10}", "baseline: 10, max: .inf}"), "nodes[0].max", 4, "finite"),
    ("text for a number", MODEL.replace("weight: 1}", "weight: lots}"), "links[0].weight", 7, "'lots'"),
    ("boolean for a number", MODEL.replace("weight: 1}", "weight: yes}"), "links[0].weight", 7, "number"),
    ("text baseline", MODEL.replace("baseline: 10}", "baseline: ten}"), "nodes[0].baseline", 4, "'ten'"),
    (
        "low > high",
        MODEL.replace("weight: 1}", "weight: {low: 2, mode: 1.5, high: 1}}"),
        "links[0].weight",
        7,
        "low <= mode <= high",
    ),
    (
        "uniform low > high",
        MODEL.replace("weight: 1}", "weight: {dist: uniform, low: 2, high: 1}}"),
        "links[0].weight",
        7,
        "low <= high",
    ),
    (
        "incomplete distribution",
        MODEL.replace("weight: 1}", "weight: {low: 1, high: 2}}"),
        "links[0].weight",
        7,
        "takes exactly",
    ),
    (
        "min > max",
        MODEL.replace("baseline: 10}", "baseline: 10, min: 20, max: 5}"),
        "nodes[0]",
        4,
        "min (20) is larger than max (5)",
    ),
    (
        "negative lag",
        MODEL.replace("weight: 1}", "weight: 1, lag: -1, delay: fixed}"),
        "links[0].lag",
        7,
        "cannot be negative",
    ),
    (
        "negative lag range",
        MODEL.replace("weight: 1}", "weight: 1, lag: {low: -1, mode: 1, high: 2}}"),
        "links[0].lag",
        7,
        "cannot be negative",
    ),
    (
        "exponential lag too short",
        MODEL.replace("weight: 1}", "weight: 1, lag: 0.1, delay: exponential}"),
        "links[0].lag",
        7,
        "too short for an exponential delay at dt = 0.25",
    ),
    (
        "third-order lag too short",
        MODEL.replace("weight: 1}", "weight: 1, lag: 0.5, delay: third_order}"),
        "links[0].lag",
        7,
        "too short for a third_order delay",
    ),
    (
        "lag with delay none",
        MODEL.replace("weight: 1}", "weight: 1, lag: 1, delay: none}"),
        "links[0]",
        7,
        "needs lag 0",
    ),
    (
        "algebraic loop",
        MODEL + "  - {from: income, to: jobs, weight: 0.1}\n",
        "links[0]",
        7,
        "algebraic loop: jobs -> income -> jobs",
    ),
    (
        "algebraic self loop",
        MODEL + "  - {from: income, to: income, weight: 0.1}\n",
        "links[1]",
        8,
        "algebraic loop: income -> income",
    ),
    (
        "elasticity on a zero baseline",
        MODEL.replace("baseline: 5", "baseline: 0").replace("weight: 1}", "weight: 1, form: elasticity}"),
        "links[0].form",
        7,
        "non-zero baseline for 'income'",
    ),
    (
        "elasticity on a series through zero",
        MODEL.replace("baseline: 5", "baseline: {series: {2025: 0, 2030: 1}}").replace(
            "weight: 1}", "weight: 1, form: elasticity}"
        ),
        "links[0].form",
        7,
        "non-zero baseline",
    ),
    (
        "end before start",
        MODEL.replace("title: t", "title: t\ntime: {start: 2030, end: 2030}"),
        "time",
        3,
        "end (2030) must be after start (2030)",
    ),
    ("dt zero", MODEL.replace("title: t", "title: t\ntime: {dt: 0}"), "time", 3, "dt must be above 0"),
    ("dt negative", MODEL.replace("title: t", "title: t\ntime: {dt: -0.5}"), "time", 3, "dt must be above 0"),
    (
        "horizon not a whole number of steps",
        MODEL.replace("title: t", "title: t\ntime: {start: 2025, end: 2050, dt: 0.3}"),
        "time",
        3,
        "2025 to 2050 is not a whole number of steps of dt = 0.3 (83.3333 steps); use end 2049.9 or 2050.2",
    ),
    (
        "baseline above its max",
        MODEL.replace("baseline: 10}", "baseline: 10, max: 8}"),
        "nodes[0].baseline",
        4,
        "the baseline of 'jobs' is 10 in 2025, above its max 8",
    ),
    (
        "growth baseline passing its max",
        MODEL.replace("baseline: 10}", "baseline: {value: 10, growth: 0.02}, max: 12}"),
        "nodes[0].baseline",
        4,
        "is 16.4061 in 2050, above its max 12 (above it from 2034.25 on)",
    ),
    (
        "series baseline under its min",
        MODEL.replace("baseline: 5}", "baseline: {series: {2025: 10, 2030: 4}}, min: 5}"),
        "nodes[1].baseline",
        5,
        "the baseline of 'income' is 4 in 2030, below its min 5 (below it from 2029.25 on)",
    ),
    (
        "baseline a hair above its max",
        MODEL.replace("baseline: 10}", "baseline: 10.000000001, max: 10}"),
        "nodes[0].baseline",
        4,
        "is 10.000000001 in 2025, above its max 10",
    ),
    (
        "growth of -100 %",
        MODEL.replace("baseline: 10}", "baseline: {value: 10, growth: -1}}"),
        "nodes[0].baseline.growth",
        4,
        "greater than -1",
    ),
    (
        "overflowing growth",
        MODEL.replace("baseline: 10}", "baseline: {value: 10, growth: 1.0e+300}}"),
        "nodes[0].baseline",
        4,
        "not a finite number",
    ),
    (
        "bad dimension",
        MODEL.replace("dimension: hier_en_nu, baseline: 10", "dimension: nu, baseline: 10"),
        "nodes[0].dimension",
        4,
        "'nu' is not allowed",
    ),
    ("bad id", MODEL.replace("id: jobs", "id: Jobs"), "nodes[0].id", 4, "not a valid id"),
    (
        "bad delay type",
        MODEL.replace("weight: 1}", "weight: 1, lag: 1, delay: cubic}"),
        "links[0].delay",
        7,
        "'cubic' is not allowed",
    ),
    (
        "decay on an auxiliary",
        MODEL.replace("baseline: 10}", "baseline: 10, decay: 0.1}"),
        "nodes[0]",
        4,
        "decay is for stocks only",
    ),
    (
        "empty series",
        MODEL.replace("baseline: 10}", "baseline: {series: {}}}"),
        "nodes[0].baseline.series",
        4,
        "non-empty",
    ),
    (
        "precision of zero",
        MODEL.replace("baseline: 10}", "baseline: 10, indicator: {precision: 0}}"),
        "nodes[0].indicator.precision",
        4,
        "greater than 0",
    ),
    ("python tag", MODEL.replace("title: t", "title: !!python/object/apply:os.system ['true']"), "title", 2, "tag"),
    ("local tag", MODEL.replace("title: t", "title: !secret {a: 1}"), "title", 2, "tag"),
    (
        "lookup with unsorted x",
        shaped("{kind: lookup, points: [[0, 0], [2, 1], [1, 3]]}"),
        "links[0].shape.points",
        7,
        "must be sorted by x: 1 comes after 2",
    ),
    (
        "lookup with a duplicate x",
        shaped("{kind: lookup, points: [[0, 0], [0, 1]]}"),
        "links[0].shape.points",
        7,
        "x = 0 is given twice",
    ),
    (
        "lookup with one point",
        shaped("{kind: lookup, points: [[0, 0]]}"),
        "links[0].shape.points",
        7,
        "at least two points",
    ),
    ("lookup with no points", shaped("{kind: lookup, points: []}"), "links[0].shape.points", 7, "at least two points"),
    (
        "lookup with a non-finite y",
        shaped("{kind: lookup, points: [[0, .nan], [1, 1]]}"),
        "links[0].shape.points[0][1]",
        7,
        "finite",
    ),
    (
        "lookup with an infinite x",
        shaped("{kind: lookup, points: [[0, 0], [.inf, 1]]}"),
        "links[0].shape.points[1][0]",
        7,
        "finite",
    ),
    (
        "lookup point of three numbers",
        shaped("{kind: lookup, points: [[0, 0, 1], [1, 1]]}"),
        "links[0].shape.points[0]",
        7,
        "2 items",
    ),
    ("saturation max of zero", shaped("{kind: saturation, max: 0}"), "links[0].shape.max", 7, "must not be 0"),
    (
        "saturation max of the wrong sign",
        shaped("{kind: saturation, max: -5}"),
        "links[0].shape.max",
        7,
        "levels off at max -5, but its weight can be 1, of the other sign",
    ),
    (
        "saturation max against a weight range",
        shaped("{kind: saturation, max: 5}").replace("weight: 1,", "weight: {low: -0.5, mode: 1, high: 2},"),
        "links[0].shape.max",
        7,
        "its weight can be -0.5",
    ),
    (
        "saturation max range through zero",
        shaped("{kind: saturation, max: {low: -1, mode: 2, high: 3}}"),
        "links[0].shape.max",
        7,
        "must stay on one side of 0, but its range goes from -1 to 3",
    ),
    ("unknown shape kind", shaped("{kind: sigmoid}"), "links[0].shape.kind", 7, "'sigmoid' is not allowed"),
    ("unknown shape key", shaped("{kind: threshold, level: 1, lvl: 2}"), "links[0].shape.lvl", 7, "unknown key 'lvl'"),
    ("missing shape key", shaped("{kind: saturation}"), "links[0].shape.max", 7, "missing key 'max'"),
    (
        "bad threshold side",
        shaped("{kind: threshold, level: 1, side: left}"),
        "links[0].shape.side",
        7,
        "'left' is not allowed",
    ),
    (
        "shape on an elasticity",
        shaped("{kind: threshold, level: 1}").replace("weight: 1,", "weight: 1, form: elasticity,"),
        "links[0].form",
        7,
        "not on an elasticity",
    ),
    (
        "shape on a loop passing through at the start",
        LAGGED + "  - {from: income, to: jobs, weight: 0.1, lag: 1, shape: {kind: threshold, level: 4}}\n",
        "links[1].shape",
        8,
        "lies on a loop whose links pass their input straight through at the start",
    ),
    (
        "net_of names no node",
        MODEL.replace("baseline: 5}", "baseline: 5, net_of: jbos}"),
        "nodes[1].net_of",
        5,
        "unknown node 'jbos'",
    ),
    (
        "net_of names the node itself",
        MODEL.replace("baseline: 5}", "baseline: 5, net_of: income}"),
        "nodes[1].net_of",
        5,
        "named as its own gross node",
    ),
    (
        "net_of in another unit",
        MODEL.replace("baseline: 10}", "baseline: 10, unit: jobs}").replace(
            "baseline: 5}", "baseline: 5, net_of: jobs}"
        ),
        "nodes[1].net_of",
        5,
        "its gross node 'jobs' in 'jobs'",
    ),
]


@pytest.mark.parametrize(
    ("text", "place", "line", "words"), [c[1:] for c in MODEL_CASES], ids=[c[0] for c in MODEL_CASES]
)
def test_bad_model(tmp_path, text, place, line, words):
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    problem = only_problem(load_model, path)
    assert words in problem.message
    assert problem.place == place
    assert problem.line == line


def test_duplicate_node_id_names_both_places(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(MODEL.replace("id: income", "id: jobs"), encoding="utf-8")
    problems = problems_of(load_model, path)
    first = problems[0]
    assert (first.place, first.line) == ("nodes[1].id", 5)
    assert "duplicate node id 'jobs'" in first.message and "nodes[0]" in first.hint


def test_unknown_node_suggests_the_closest_id(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(MODEL.replace("to: income", "to: incme"), encoding="utf-8")
    assert only_problem(load_model, path).hint == "did you mean 'income'?"


def test_every_problem_is_reported_at_once(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(
        MODEL.replace("title: t", "title: t\ntitel: x")
        .replace("weight: 1}", "weight: .nan}")
        .replace("dimension: hier_en_nu, baseline: 10", "dimension: nu, baseline: 10"),
        encoding="utf-8",
    )
    places = {p.place for p in problems_of(load_model, path)}
    assert places == {"titel", "links[0].weight", "nodes[0].dimension"}


def test_algebraic_loop_names_every_node_of_the_loop(tmp_path):
    path = tmp_path / "m.yaml"
    text = MODEL.replace("  - {id: income", "  - {id: rent, label: R, theme: wonen, dimension: later}\n  - {id: income")
    text += "  - {from: income, to: rent, weight: 0.1}\n  - {from: rent, to: jobs, weight: 0.1}\n"
    path.write_text(text, encoding="utf-8")
    problem = only_problem(load_model, path)
    assert "algebraic loop" in problem.message
    loop = problem.message.split(": ", 1)[1].split(" (")[0].split(" -> ")
    assert loop[0] == loop[-1] and set(loop) == {"jobs", "income", "rent"}


def test_a_loop_through_a_stock_or_a_lag_is_not_algebraic(tmp_path):
    path = tmp_path / "m.yaml"
    stock = MODEL.replace("baseline: 5}", "baseline: 5, kind: stock}") + "  - {from: income, to: jobs, weight: 0.1}\n"
    lagged = MODEL + "  - {from: income, to: jobs, weight: 0.1, lag: 0.1, delay: fixed}\n"
    for text in (stock, lagged):
        path.write_text(text, encoding="utf-8")
        load_model(path)


def test_missing_and_directory_model_files(tmp_path):
    missing = tmp_path / "nope.yaml"
    assert "not found" in only_problem(load_model, missing).message
    assert "directory" in only_problem(load_model, tmp_path).message


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_bytes(b"\xff\xfe\x00name")
    assert "UTF-8" in only_problem(load_model, path).message


# --- YAML read safely ---------------------------------------------------------------------------

BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)


def test_alias_bomb_is_refused_after_bounded_work():
    """9^9 values if expanded; refused once MAX_NODES have been visited (so it cannot hang)."""
    with pytest.raises(InputError, match="expands to more than") as info:
        parse_yaml(BOMB, "bomb.yaml")
    assert info.value.problems[0].file == "bomb.yaml"


def test_file_of_many_megabytes_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * (MAX_FILE_BYTES + 10) + "\nname: m\n", encoding="utf-8")
    problem = only_problem(load_model, path)
    assert "larger than" in problem.message
    with pytest.raises(InputError, match="larger than"):
        parse_yaml("# " + "x" * (MAX_FILE_BYTES + 10), "big.yaml")


@pytest.mark.parametrize(
    "text",
    [
        "!!python/object/apply:os.system ['echo unsafe']",
        "a: !!python/name:os.system",
        "a: !!python/object:builtins.dict {}",
        "a: !!set {b, c}",
    ],
)
def test_tags_that_build_objects_are_refused(text):
    with pytest.raises(InputError, match="tag"):
        parse_yaml(text, "t.yaml")


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000 + "]" * 5000,
        "a: " + "{b: " * 3000 + "1" + "}" * 3000,
        "a:\n" + "".join("  " * i + "- \n" for i in range(1, 600)),
    ],
)
def test_deeply_nested_document_is_refused_not_crashed(text):
    with pytest.raises(InputError, match="nested"):
        parse_yaml(text, "deep.yaml")


# --- scenarios ----------------------------------------------------------------------------------

SCENARIO_CASES = [
    ("model missing", SCENARIO.replace("m.yaml", "nope.yaml"), "model", 2, "model file 'nope.yaml' not found"),
    ("model key missing", SCENARIO.replace("model: m.yaml\n", ""), "model", 1, "missing key 'model'"),
    ("unknown node", SCENARIO.replace("node: jobs", "node: jbos"), "interventions[0].node", 4, "unknown node 'jbos'"),
    ("step without start", SCENARIO.replace(", start: 2026", ""), "interventions[0]", 4, "a step needs start"),
    (
        "pulse without width",
        SCENARIO.replace("shape: step", "shape: pulse"),
        "interventions[0]",
        4,
        "a pulse needs width",
    ),
    (
        "ramp without slope",
        SCENARIO.replace("shape: step, height: 1", "shape: ramp, end: 2030"),
        "interventions[0]",
        4,
        "a ramp needs slope",
    ),
    (
        "series without values",
        SCENARIO.replace("shape: step, height: 1, start: 2026", "shape: series"),
        "interventions[0]",
        4,
        "a series needs values",
    ),
    (
        "parameter of another shape",
        SCENARIO.replace("start: 2026", "start: 2026, width: 1"),
        "interventions[0]",
        4,
        "width is not a parameter of a step",
    ),
    (
        "unknown shape",
        SCENARIO.replace("shape: step", "shape: wave"),
        "interventions[0].shape",
        4,
        "'wave' is not allowed",
    ),
    (
        "pulse of zero width",
        SCENARIO.replace("shape: step", "shape: pulse").replace("2026}", "2026, width: 0}"),
        "interventions[0]",
        4,
        "width > 0",
    ),
    (
        "ramp ending before it starts",
        SCENARIO.replace("shape: step, height: 1, start: 2026", "shape: ramp, slope: 1, start: 2026, end: 2020"),
        "interventions[0]",
        4,
        "end >= start",
    ),
    ("nan height", SCENARIO.replace("height: 1", "height: .nan"), "interventions[0].height", 4, "finite"),
    (
        "text in a series",
        SCENARIO.replace("shape: step, height: 1, start: 2026", "shape: series, values: {2020: hi}"),
        "interventions[0].values[2020]",
        4,
        "'hi'",
    ),
    ("end before start", SCENARIO + "time: {start: 2030, end: 2020}\n", "time.end", 5, "end (2020) must be after"),
    ("dt zero", SCENARIO + "time: {dt: 0}\n", "time", 5, "dt must be above 0"),
    ("dt too long for a lag", SCENARIO + "time: {dt: 2.5}\n", "links[0].lag", 5, "too short"),
    (
        "horizon not a whole number of steps",
        SCENARIO + "time: {end: 2040.1}\n",
        "time.end",
        5,
        "2025 to 2040.1 is not a whole number of steps of dt = 0.25 (60.4 steps); use end 2040 or 2040.25",
    ),
    (
        "override of a missing link",
        SCENARIO + "overrides: {links: [{from: income, to: jobs, weight: 2}]}\n",
        "overrides.links[0]",
        5,
        "no link income->jobs",
    ),
    (
        "override of a missing node",
        SCENARIO + "overrides: {nodes: [{id: incom, baseline: 2}]}\n",
        "overrides.nodes[0].id",
        5,
        "unknown node 'incom'",
    ),
    (
        "override with min > max",
        SCENARIO + "overrides:\n  nodes: [{id: income, min: 3, max: 1}]\n",
        "overrides.nodes[0]",
        6,
        "min (3) is larger than max (1)",
    ),
    (
        "override decay on an auxiliary",
        SCENARIO + "overrides:\n  nodes: [{id: income, decay: 0.5}]\n",
        "overrides.nodes[0]",
        6,
        "decay is for stocks only",
    ),
    (
        "override with a negative lag",
        SCENARIO + "overrides:\n  links:\n    - {from: jobs, to: income, lag: -1}\n",
        "overrides.links[0].lag",
        7,
        "cannot be negative",
    ),
    (
        "override removing the delay of a lag",
        SCENARIO + "overrides:\n  links: [{from: jobs, to: income, delay: none}]\n",
        "overrides.links[0]",
        6,
        "needs lag 0",
    ),
    (
        "override with a too short lag",
        SCENARIO + "overrides:\n  links: [{from: jobs, to: income, lag: 0.1}]\n",
        "overrides.links[0].lag",
        6,
        "too short",
    ),
    (
        "override making an elasticity on zero",
        SCENARIO + "overrides:\n  links: [{from: jobs, to: income, form: elasticity}]\n"
        "  nodes: [{id: income, baseline: 0}]\n",
        "overrides.links[0].form",
        6,
        "non-zero baseline",
    ),
    (
        "override putting a baseline above its max",
        SCENARIO + "overrides:\n  nodes: [{id: income, baseline: 50, max: 40}]\n",
        "overrides.nodes[0].baseline",
        6,
        "the baseline of 'income' is 50 in 2025, above its max 40",
    ),
    (
        "override putting a bound above the baseline",
        SCENARIO + "overrides:\n  nodes: [{id: income, min: 6}]\n",
        "overrides.nodes[0]",
        6,
        "the baseline of 'income' is 5 in 2025, below its min 6",
    ),
    (
        "link overridden twice",
        SCENARIO + "overrides:\n  links:\n    - {from: jobs, to: income, weight: 2}\n"
        "    - {from: jobs, to: income, lag: 3}\n",
        "overrides.links[1]",
        8,
        "jobs->income is overridden twice",
    ),
    (
        "node overridden twice",
        SCENARIO + "overrides:\n  nodes: [{id: income, baseline: 2}, {id: income, max: 9}]\n",
        "overrides.nodes[1]",
        6,
        "income is overridden twice",
    ),
    ("no samples", SCENARIO + "uncertainty: {samples: 0}\n", "uncertainty.samples", 5, "greater than or equal to 1"),
]


@pytest.mark.parametrize(
    ("text", "place", "line", "words"), [c[1:] for c in SCENARIO_CASES], ids=[c[0] for c in SCENARIO_CASES]
)
def test_bad_scenario(tmp_path, text, place, line, words):
    (tmp_path / "m.yaml").write_text(LAGGED, encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    problem = only_problem(load_scenario, path)
    assert words in problem.message
    assert problem.place == place
    assert problem.line == line


def test_scenario_on_a_bad_model_names_the_model_file(tmp_path):
    (tmp_path / "m.yaml").write_text(LAGGED.replace("to: income", "to: incme"), encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    problems = problems_of(load_scenario, path)
    assert [(p.file, p.place) for p in problems] == [(str(tmp_path / "m.yaml"), "links[0].to")]


def test_a_key_of_the_other_kind_of_file_gets_no_silly_hint(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(MODEL + "interventions: []\n", encoding="utf-8")
    problem = only_problem(load_model, path)
    assert problem.message == "unknown key 'interventions'"
    assert "did you mean 'interventions'" not in problem.hint


@pytest.mark.parametrize("where", ["weight: 1}", "baseline: 10}", "baseline: 5}"])
def test_an_integer_too_large_for_a_float_is_refused(tmp_path, where):
    big = "1" + "0" * 400
    path = tmp_path / "m.yaml"
    replacement = {
        "weight: 1}": f"weight: {big}}}",
        "baseline: 10}": f"baseline: {big}}}",
        "baseline: 5}": f"baseline: {{series: {{{big}: 1}}}}}}",
    }[where]
    path.write_text(MODEL.replace(where, replacement), encoding="utf-8")
    assert "too large" in only_problem(load_model, path).message


def test_a_partial_time_block_takes_the_rest_from_the_model(tmp_path):
    (tmp_path / "m.yaml").write_text(
        LAGGED.replace("title: t", "title: t\ntime: {start: 2025, end: 2040, dt: 0.5}"), encoding="utf-8"
    )
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO + "time: {end: 2035}\n", encoding="utf-8")
    time = load_scenario(path).spec.time
    assert (time.start, time.end, time.dt) == (2025, 2035, 0.5)
    result = run_scenario(path)
    np.testing.assert_array_equal(result.times, 2025 + 0.5 * np.arange(21))
    path.write_text(SCENARIO + "time: {dt: 2.5}\n", encoding="utf-8")  # valid alone, not with the model's lag
    assert "too short" in only_problem(load_scenario, path).message
    path.write_text(SCENARIO + "time: {start: 2045}\n", encoding="utf-8")  # after the model's end
    problem = only_problem(load_scenario, path)
    assert (problem.file, problem.place, problem.line) == (str(path), "time.start", 5)
    assert "end (2040) must be after start (2045) (the model's time gives end and dt)" in problem.message
    path.write_text(SCENARIO + "time: {end: 2039.9}\n", encoding="utf-8")  # 29.8 steps of the model's dt
    problem = only_problem(load_scenario, path)
    assert (problem.place, problem.line) == ("time.end", 5)
    assert "not a whole number of steps of dt = 0.5" in problem.message


def test_a_partial_time_block_is_not_checked_against_the_format_defaults(tmp_path):
    """``end: 2020`` is before the format's default start (2025), not before the model's (2010)."""
    (tmp_path / "m.yaml").write_text(
        LAGGED.replace("title: t", "title: t\ntime: {start: 2010, end: 2030, dt: 0.5}"), encoding="utf-8"
    )
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.replace("2026", "2012") + "time: {end: 2020}\n", encoding="utf-8")
    time = load_scenario(path).spec.time
    assert (time.start, time.end, time.dt) == (2010, 2020, 0.5)
    path.write_text(SCENARIO + "time: {dt: 0.3}\n", encoding="utf-8")  # 2025..2050 would not divide either
    problem = only_problem(load_scenario, path)
    assert (problem.place, problem.line) == ("time.dt", 5)
    assert "2010 to 2030 is not a whole number of steps of dt = 0.3" in problem.message


def test_a_scenario_horizon_can_carry_a_baseline_past_its_bound(tmp_path):
    model = LAGGED.replace("title: t", "title: t\ntime: {start: 2025, end: 2030, dt: 0.25}")
    (tmp_path / "m.yaml").write_text(
        model.replace("baseline: 10}", "baseline: {value: 10, growth: 0.02}, max: 12}"), encoding="utf-8"
    )
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    load_scenario(path)  # 10 * 1.02 ** 5 = 11.04 by 2030
    path.write_text(SCENARIO + "time: {end: 2040}\n", encoding="utf-8")
    problem = only_problem(load_scenario, path)
    assert (problem.file, problem.place, problem.line) == (str(path), "nodes[0].baseline", 5)
    assert "the baseline of 'jobs' is 13.4587 in 2040, above its max 12 (above it from 2034.25 on)" in problem.message


def test_prepare_scenario_refuses_what_loading_refuses_for_specs_built_in_code():
    text = LAGGED.replace("title: t", "title: t\ntime: {start: 2025, end: 2040, dt: 0.5}")
    model = ModelSpec.model_validate(yaml.safe_load(text))
    scenario = ScenarioSpec.model_validate({"name": "s", "model": "m.yaml", "time": {"end": 2030}})
    assert prepare_scenario(scenario, model).compiled.times[-1] == 2030
    assert prepare_scenario(scenario, model).time.dt == 0.5
    late = ScenarioSpec.model_validate({"name": "s", "model": "m.yaml", "time": {"start": 2045}})
    with pytest.raises(InputError, match="end .2040. must be after start .2045.") as info:
        prepare_scenario(late, model)
    assert info.value.problems[0].place == "time.start"
    capped = ScenarioSpec.model_validate(
        {"name": "s", "model": "m.yaml", "overrides": {"nodes": [{"id": "income", "max": 4}]}}
    )
    with pytest.raises(InputError, match="the baseline of 'income' is 5 in 2025, above its max 4"):
        prepare_scenario(capped, model)
    bad = model.model_copy(update={"nodes": [model.nodes[0].model_copy(update={"min": 11.0}), model.nodes[1]]})
    with pytest.raises(InputError, match="below its min 11"):
        prepare_scenario(ScenarioSpec(name="s", model="m.yaml"), bad)


def test_a_bad_merge_key_is_a_problem_not_a_crash():
    with pytest.raises(InputError, match="cannot merge") as info:
        parse_yaml("a: &a [1]\nb: {<<: [*a]}\n", "t.yaml")
    assert (info.value.problems[0].place, info.value.problems[0].line) == ("b", 2)


def test_recursive_alias_is_refused():
    with pytest.raises(InputError, match="nested"):
        parse_yaml("a: &a [*a]\n", "t.yaml")


def test_exponent_without_a_dot_is_a_number(tmp_path):
    """YAML 1.1 reads 1e3 as text; a model file means a number (quoted, it stays text)."""
    data = parse_yaml("a: 1e3\nb: -2.5E-2\nc: '1e3'\nd: 1e3x\n", "t.yaml").data
    assert data == {"a": 1000.0, "b": -0.025, "c": "1e3", "d": "1e3x"}
    path = tmp_path / "m.yaml"
    path.write_text(MODEL.replace("baseline: 10}", "baseline: 5e3}"), encoding="utf-8")
    assert load_model(path).spec.nodes[0].baseline == 5000.0


def test_relative_intervention_on_a_zero_baseline_is_refused(tmp_path):
    (tmp_path / "m.yaml").write_text(LAGGED.replace("baseline: 10}", "baseline: 0}"), encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.replace("start: 2026}", "start: 2026, relative: true}"), encoding="utf-8")
    problem = only_problem(load_scenario, path)
    assert (problem.place, problem.line) == ("interventions[0].relative", 4)
    assert "does nothing" in problem.message
    path.write_text(SCENARIO, encoding="utf-8")  # in the node's unit it is fine
    load_scenario(path)
