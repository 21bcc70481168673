"""Editable number cells: shown in the reader's language, read back exactly, refused when ambiguous."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.app.editable_numbers import as_text_columns, cell_text, parse_cell, parse_columns


@pytest.mark.parametrize(
    ("value", "nl", "en"),
    [
        (-0.00025, "-0,00025", "-0.00025"),
        (1234.5, "1.234,5", "1,234.5"),
        (8e-05, "0,00008", "0.00008"),
        (3.0, "3", "3"),
        (0.1 + 0.2, "0,30000000000000004", "0.30000000000000004"),  # every digit: nothing rounded away
        (None, "", ""),
        (math.nan, "", ""),
    ],
)
def test_a_cell_shows_every_digit_in_the_readers_separators(value, nl, en):
    assert cell_text(value, "nl") == nl
    assert cell_text(value, "en") == en


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_an_unchanged_cell_reads_back_to_the_same_float(value):
    for language in ("nl", "en"):
        assert parse_cell(cell_text(value, language), language) == value


@pytest.mark.parametrize(
    ("text", "language", "value"),
    [
        ("0,25", "nl", 0.25),
        ("1.234,5", "nl", 1234.5),
        ("1234,5", "nl", 1234.5),
        (" -3 ", "nl", -3.0),
        ("0.25", "en", 0.25),
        ("1,234.5", "en", 1234.5),
        ("", "nl", None),
        ("  ", "en", None),
    ],
)
def test_what_a_person_types_is_read_in_their_language(text, language, value):
    assert parse_cell(text, language) == value


@pytest.mark.parametrize(
    ("text", "language", "suggestion"),
    [
        ("0.25", "nl", "0,25"),  # a Dutch reader's 0.25 could be 25 (grouping) or 0,25: asked, never guessed
        ("abc", "nl", ""),
        ("1,2,3", "en", "123"),
    ],
)
def test_text_that_is_no_number_in_the_language_is_refused(text, language, suggestion):
    with pytest.raises(ValueError) as exc:
        parse_cell(text, language)
    assert str(exc.value) == suggestion


def test_a_table_reads_back_with_a_sentence_per_unreadable_cell():
    frame = pd.DataFrame({"name": ["a", "b"], "weight": [0.5, -0.00025], "lag": [1.0, None]})
    shown = as_text_columns(frame, ["weight", "lag"], "nl")
    assert list(shown["weight"]) == ["0,5", "-0,00025"] and list(shown["lag"]) == ["1", ""]
    back, problems = parse_columns(shown, ["weight", "lag"], "nl", lambda row: f"{row['name']}: ")
    assert problems == []
    assert list(back["weight"]) == [0.5, -0.00025] and back["lag"].iloc[0] == 1.0 and math.isnan(back["lag"].iloc[1])
    shown.loc[1, "weight"] = "0.3"
    back, problems = parse_columns(shown, ["weight"], "nl", lambda row: f"{row['name']}: ")
    assert problems == ["b: gewicht: '0.3' is geen getal (bedoelt u 0,3?)."]
    assert math.isnan(back["weight"].iloc[1])
