"""Uncertain values and interventions are tagged unions (on ``dist``, on ``shape``): each member holds
only its own fields."""

from __future__ import annotations

import copy
import pickle

import pytest
from pydantic import ValidationError

from simulator.spec import (
    Distribution,
    FixedValue,
    InterventionSpec,
    LinkSpec,
    Normal,
    Pulse,
    Ramp,
    ScenarioSpec,
    Series,
    Step,
    Triangular,
    Uniform,
)


@pytest.mark.parametrize(
    ("written", "member", "fields"),
    [
        (1.5, FixedValue, {"mode"}),
        ({"low": 1, "mode": 2, "high": 3}, Triangular, {"low", "mode", "high"}),
        ({"dist": "normal", "mean": 1, "sd": 0.5}, Normal, {"mean", "sd"}),
        ({"dist": "uniform", "low": 1, "high": 2}, Uniform, {"low", "high"}),
    ],
)
def test_each_file_form_makes_the_member_with_only_its_fields(written, member, fields):
    value = Distribution.model_validate(written)
    assert type(value) is member and isinstance(value, Distribution)
    assert set(type(value).model_fields) == {"dist"} | fields
    assert Distribution.model_validate(value.to_yaml()) == value  # the shortest file form reads back
    link = LinkSpec.model_validate({"from": "a", "to": "b", "weight": written})
    assert link.weight == value
    assert pickle.loads(pickle.dumps(link)) == link and copy.deepcopy(link) == link


def test_the_base_class_builds_the_member_its_dist_names():
    value = Distribution(dist="triangular", low=0, mode=1, high=2)
    assert type(value) is Triangular and value.support == (0.0, 2.0) and value.central == 1.0
    assert type(Distribution.fixed(3.0)) is FixedValue and Distribution.fixed(3.0).central == 3.0
    assert Normal(dist="normal", mean=1.0, sd=0.0).support == (1.0, 1.0)
    assert Uniform(dist="uniform", low=1.0, high=3.0).central == 2.0


def test_a_member_refuses_the_fields_of_another():
    with pytest.raises(ValidationError):
        Normal(dist="normal", mean=1.0, sd=0.1, low=0.0)
    with pytest.raises(ValidationError, match="takes exactly mean, sd"):
        Distribution.model_validate({"dist": "normal", "mean": 1.0, "sd": 0.1, "low": 0.0})


@pytest.mark.parametrize(
    ("written", "member", "params"),
    [
        ({"shape": "step", "height": 1, "start": 2026}, Step, {"height", "start"}),
        ({"shape": "pulse", "height": 1, "start": 2026, "width": 2}, Pulse, {"height", "start", "width"}),
        ({"shape": "ramp", "slope": 1, "start": 2026, "end": 2030}, Ramp, {"slope", "start", "end"}),
        ({"shape": "series", "values": {2026: 1, 2030: 2}}, Series, {"values"}),
    ],
)
def test_each_shape_makes_the_member_with_only_its_parameters(written, member, params):
    item = InterventionSpec.model_validate({"node": "jobs", **written})
    assert type(item) is member and isinstance(item, InterventionSpec)
    assert set(type(item).model_fields) == {"node", "shape", "relative", "label"} | params
    assert InterventionSpec(node="jobs", **written) == item
    assert InterventionSpec.model_validate(item.model_dump(exclude_none=True)) == item
    scenario = ScenarioSpec.model_validate(
        {"name": "s", "model": "m.yaml", "interventions": [{"node": "jobs", **written}]}
    )
    assert scenario.interventions[0] == item
    assert pickle.loads(pickle.dumps(scenario)) == scenario


def test_an_unknown_shape_is_named_and_a_member_refuses_another_shapes_parameter():
    with pytest.raises(ValidationError, match="'step', 'pulse', 'ramp' or 'series'"):
        InterventionSpec.model_validate({"node": "jobs", "shape": "wave", "height": 1})
    with pytest.raises(ValidationError):
        Step(node="jobs", shape="step", height=1.0, start=2026.0, width=1.0)
