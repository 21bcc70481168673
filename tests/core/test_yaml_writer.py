"""The one YAML writer: what it writes reads back as the same values, and a rewrite keeps comments and order."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.io.spec_files import load_model, load_model_text
from simulator.io.yaml_file import parse_yaml
from simulator.io.yaml_writer import SharedValueError, dump_yaml, rewrite_yaml

HEERLEN = "models/medtech-heerlen.yaml"


def test_text_that_yaml_1_1_reads_as_something_else_is_quoted():
    data = {
        "s": "yes",
        "o": "on",
        "y": "y",
        "d": "2030-01-01",
        "e": "1e3",
        "n": "null",
        "t": "~",
        "f": 1e-05,
        "big": 1e20,
        "inf": -math.inf,
        "b": False,
        "none": None,
        "u": "café",
        "long": "word " * 40,
    }
    text = dump_yaml(data)
    assert parse_yaml(text, "t").data == data
    assert "f: 1.0e-05" in text and "u: café" in text  # a float with a dot, as YAML 1.1 needs; unicode as is


_VALUES = st.one_of(
    st.text(max_size=20), st.floats(allow_nan=False), st.integers(-(10**9), 10**9), st.booleans(), st.none()
)


@given(st.dictionaries(st.text(min_size=1, max_size=8), st.one_of(_VALUES, st.lists(_VALUES, max_size=3)), max_size=8))
def test_any_plain_document_reads_back_as_written_and_as_rewritten(data):
    text = dump_yaml(data)
    assert parse_yaml(text, "t").data == data
    assert parse_yaml(rewrite_yaml(text, {}), "t").data == data  # values left alone stay the same values


def test_text_with_line_breaks_yaml_folds_and_floats_ruamel_would_round_are_kept():
    data = {"\x85": None, "ls": "x\u2028y", "big": 5.990298808508469e16, "empty": [None]}
    text = dump_yaml(data)
    assert parse_yaml(text, "t").data == data
    assert parse_yaml(rewrite_yaml(text, {}), "t").data == data


def test_a_header_is_written_as_comments():
    text = dump_yaml({"name": "x"}, "made by bwsim\n# already a comment")
    assert text.startswith("# made by bwsim\n# already a comment\nname: x\n")


def test_a_rewrite_changes_only_what_it_is_told():
    text = (
        "# top\nname: x   # the name\nlinks:\n  - from: a  # first\n    to: b\n    weight: 1.5\n"
        "  - from: b\n    to: c\n"
    )
    new = rewrite_yaml(
        text,
        {("links", 0, "weight"): {"low": 1.0, "mode": 1.2, "high": 2.0}, ("links", 1, "evidence", "strength"): "data"},
        "Calibrated",
    )
    assert new.startswith("# Calibrated\n# top\nname: x   # the name\nlinks:\n  - from: a  # first\n")
    data = parse_yaml(new, "t").data
    assert data["links"][0]["weight"] == {"low": 1.0, "mode": 1.2, "high": 2.0}
    assert data["links"][1] == {"from": "b", "to": "c", "evidence": {"strength": "data"}}


def test_a_rewrite_with_no_changes_gives_the_heerlen_model_back_byte_for_byte():
    text = load_model(HEERLEN).document.text
    assert rewrite_yaml(text, {}) == text


def test_a_rewritten_heerlen_model_keeps_its_comments_and_validates():
    model = load_model(HEERLEN)
    new = rewrite_yaml(model.document.text, {("links", 0, "evidence", "note"): "checked"})
    comments = [line for line in model.document.text.splitlines() if line.lstrip().startswith("#")]
    assert [line for line in new.splitlines() if line.lstrip().startswith("#")] == comments
    assert load_model_text(new, "new.yaml").spec.links[0].evidence.note == "checked"


def test_a_path_into_nothing_is_a_bug_not_a_silent_write():
    with pytest.raises(KeyError):
        rewrite_yaml("links:\n  - from: a\n", {("links", 3, "weight"): 1.0})
    with pytest.raises(KeyError):
        rewrite_yaml("name: x\n", {("name", "sub"): 1.0})


def test_a_change_inside_a_value_shared_through_an_anchor_is_refused():
    text = "links:\n  - &first {from: a, to: b, weight: 1}\n  - <<: *first\n    note: c\n  - {from: c, to: d}\n"
    for index in (0, 1):  # links[1] shares links[0]'s keys: a change to either would reach the other
        with pytest.raises(SharedValueError) as caught:
            rewrite_yaml(text, {("links", index, "weight"): 2.0})
        assert caught.value.path == ("links", index)
    new = rewrite_yaml(text, {("links", 2, "weight"): 2.0})
    assert [link.get("weight") for link in parse_yaml(new, "t").data["links"]] == [1, 1, 2.0]


def test_a_translatable_message_is_written_as_its_text():
    from simulator.messages import msg

    assert dump_yaml({"note": msg("the model")}) == "note: the model\n"
    assert rewrite_yaml("a: 1\n", {("note",): msg("the model")}) == "a: 1\nnote: the model\n"
