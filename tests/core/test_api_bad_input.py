"""Bad models and scenarios built in code are refused by the Python API as ``bwsim validate`` refuses their files.

Every case of test_bad_input.py whose document can be made into specs in code (the
others are refused when the spec is built) is given, as unchecked specs, to each public
call that runs something. Each must raise :class:`InputError` with the problems that
loading the file gives (place, message, hint; a spec has no file or line), before any
work starts: never networkx's ``NetworkXUnfeasible``, a bare ``KeyError``, or a silent run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import yaml
from pydantic import ValidationError

from simulator.analysis.loops import find_loops
from simulator.analysis.stability import check_stability
from simulator.analysis.tracing import by_intervention
from simulator.checked import CheckedModel, check
from simulator.compiler import CompiledModel, compile_model
from simulator.engine import simulate
from simulator.ensemble import ensemble_summary
from simulator.errors import InputError
from simulator.io.spec_files import load_model, load_scenario
from simulator.io.yaml_file import parse_yaml
from simulator.scenario_run import prepare_scenario, run_deterministic
from simulator.spec import ModelSpec, ScenarioSpec
from tests.core.test_bad_input import LAGGED, MODEL, MODEL_CASES, SCENARIO, SCENARIO_CASES

GOOD_MODEL = ModelSpec.model_validate(yaml.safe_load(MODEL))
GOOD_SCENARIO = ScenarioSpec(name="s", model="m.yaml")


def _spec(text: str, spec_class: type) -> object | None:
    """The spec a document makes in code, or None when it is not YAML the project reads, or building
    the spec already refuses it (a schema error: pydantic's, at the field)."""
    try:
        data = parse_yaml(text, "m.yaml").data
    except InputError:
        return None
    try:
        return spec_class.model_validate(data)
    except (ValidationError, TypeError):
        return None


def _what(problems: list) -> list[tuple[str, str, str]]:
    return [(p.place, p.message, p.hint) for p in problems]


def _validate_says(load: Callable, path: Path) -> list[tuple[str, str, str]]:
    with pytest.raises(InputError) as info:
        load(path)
    return _what(info.value.problems)


def _model_calls(model: ModelSpec) -> dict[str, Callable[[], object]]:
    """Every public call that runs a model, given the unchecked ``model``."""
    good = compile_model(GOOD_MODEL)
    zeros = np.zeros((good.times.size, 2))
    return {
        "check": lambda: check(model).require(),
        "compile_model": lambda: compile_model(model),
        "prepare_scenario": lambda: prepare_scenario(GOOD_SCENARIO, model),
        "run_deterministic": lambda: run_deterministic(prepare_scenario(GOOD_SCENARIO, model)),
        "simulate": lambda: simulate(compile_model(model), zeros),
        "ensemble_summary": lambda: ensemble_summary(prepare_scenario(GOOD_SCENARIO, model), samples=4),
        "check_stability": lambda: check_stability(model, good, model.time),
        "find_loops": lambda: find_loops(model),
        "trace": lambda: by_intervention(compile_model(model), (), 0, 1),
    }


BUILDABLE_MODELS = [c for c in MODEL_CASES if _spec(c[1], ModelSpec) is not None]
BUILDABLE_SCENARIOS = [
    c for c in SCENARIO_CASES if _spec(c[1], ScenarioSpec) is not None and c[2] != "model"
]  # "model": a file not found


def test_the_cases_cover_every_structural_class():
    """Schema errors refuse the spec itself; the rest (checked on the whole model) must all be here."""
    names = {c[0] for c in BUILDABLE_MODELS}
    assert {
        "duplicate link",
        "unknown node in a link",
        "exponential lag too short",
        "third-order lag too short",
        "algebraic loop",
        "algebraic self loop",
        "elasticity on a zero baseline",
        "baseline above its max",
        "overflowing growth",
    } <= names
    assert len(BUILDABLE_SCENARIOS) >= 12


@pytest.mark.parametrize("call", list(_model_calls(GOOD_MODEL)))
@pytest.mark.parametrize("case", BUILDABLE_MODELS, ids=[c[0] for c in BUILDABLE_MODELS])
def test_a_bad_model_built_in_code_is_refused_as_validate_refuses_its_file(tmp_path, case, call):
    name, text, place, _, words = case
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    expected = _validate_says(load_model, path)
    with pytest.raises(InputError) as info:
        _model_calls(_spec(text, ModelSpec))[call]()
    assert _what(info.value.problems) == expected
    assert (info.value.problems[0].file, info.value.problems[0].line) == ("", None)
    assert words in info.value.problems[0].message and info.value.problems[0].place == place


@pytest.mark.parametrize("case", BUILDABLE_SCENARIOS, ids=[c[0] for c in BUILDABLE_SCENARIOS])
def test_a_bad_scenario_built_in_code_is_refused_as_validate_refuses_its_file(tmp_path, case):
    _, text, place, _, words = case
    (tmp_path / "m.yaml").write_text(LAGGED, encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    expected = _validate_says(load_scenario, path)
    model, scenario = _spec(LAGGED, ModelSpec), _spec(text, ScenarioSpec)
    for call in (
        lambda: prepare_scenario(scenario, model),
        lambda: run_deterministic(prepare_scenario(scenario, model)),
        lambda: ensemble_summary(prepare_scenario(scenario, model), samples=4),
    ):
        with pytest.raises(InputError) as info:
            call()
        assert _what(info.value.problems) == expected
        assert words in info.value.problems[0].message and info.value.problems[0].place == place


def test_the_three_failures_of_the_issue_are_input_errors():
    """A lag of 0.1 years at dt 0.25 ran and returned about -4e16; a loop raised NetworkXUnfeasible;
    an unknown node a bare KeyError."""
    short = _spec(MODEL.replace("weight: 1}", "weight: 1, lag: 0.1, delay: exponential}"), ModelSpec)
    loop = _spec(MODEL + "  - {from: income, to: jobs, weight: 0.1}\n", ModelSpec)
    unknown = _spec(MODEL.replace("to: income", "to: incme"), ModelSpec)
    for model, words in (
        (short, "too short for an exponential delay at dt = 0.25"),
        (loop, "algebraic loop: jobs -> income -> jobs"),
        (unknown, "unknown node 'incme'"),
    ):
        with pytest.raises(InputError, match=words):
            run_deterministic(prepare_scenario(GOOD_SCENARIO, model))
    scenario = ScenarioSpec.model_validate(yaml.safe_load(SCENARIO.replace("node: jobs", "node: jbos")))
    with pytest.raises(InputError, match="unknown node 'jbos'"):
        prepare_scenario(scenario, GOOD_MODEL)


def test_checked_and_compiled_models_are_made_only_by_check_and_compile():
    with pytest.raises(TypeError, match="check"):
        CheckedModel(GOOD_MODEL, GOOD_MODEL.time, ())
    good = compile_model(GOOD_MODEL)
    fields = {name: getattr(good, name) for name in CompiledModel.__dataclass_fields__ if name != "_token"}
    with pytest.raises(TypeError, match="compile_model"):
        CompiledModel(**fields)
    sound = check(GOOD_MODEL)
    assert sound.ok and check(sound) is sound and check(sound, GOOD_MODEL.time) is sound


def test_a_checked_model_carries_every_problem_with_its_place():
    text = (
        MODEL.replace("to: income", "to: incme")
        + "  - {from: jobs, to: income, weight: 2}\n"
        + "  - {from: jobs, to: income, weight: 3}\n"
    )
    found = check(_spec(text, ModelSpec))
    assert not found.ok
    assert [p.place for p in found.problems] == ["links[0].to", "links[2]"]


def test_compiled_arrays_are_read_only():
    cm = compile_model(GOOD_MODEL)
    for array in (cm.baselines, cm.source, cm.weight, cm.plan.base, cm.plan.nodes):
        with pytest.raises(ValueError, match="read-only"):
            array[...] = 0
    assert cm.plan is cm.plan  # built once per compiled model, kept with it (no global cache)


@pytest.mark.parametrize("case", BUILDABLE_MODELS, ids=[c[0] for c in BUILDABLE_MODELS])
def test_a_problem_found_without_the_file_gets_its_file_and_line_from_its_path(case):
    _, text, place, line, _ = case
    doc = parse_yaml(text, "m.yaml")
    found = check(_spec(text, ModelSpec))
    assert found.problems and found.problems[0].line is None
    located = found.in_file(doc)
    assert [(p.file, p.place, p.line, p.message) for p in located.problems] == [
        (p.file, p.place, p.line, p.message) for p in check(found.spec, doc=doc).problems
    ]
    assert (located.problems[0].place, located.problems[0].line) == (place, line)
