"""Uncertain values are a tagged union on ``dist``: each member holds only its own fields."""

from __future__ import annotations

import copy
import pickle

import pytest
from pydantic import ValidationError

from simulator.spec import Distribution, FixedValue, LinkSpec, Normal, Triangular, Uniform


@pytest.mark.parametrize(("written", "member", "fields"), [
    (1.5, FixedValue, {"mode"}),
    ({"low": 1, "mode": 2, "high": 3}, Triangular, {"low", "mode", "high"}),
    ({"dist": "normal", "mean": 1, "sd": 0.5}, Normal, {"mean", "sd"}),
    ({"dist": "uniform", "low": 1, "high": 2}, Uniform, {"low", "high"}),
])
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
