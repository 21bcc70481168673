"""Trade-offs, scenario comparison and the words around them."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulator.analysis.scorecard import scorecard, summary
from simulator.analysis.text import format_number, scorecard_table, sentence, unit_label
from simulator.analysis.tradeoffs import TRADEOFF_COLUMNS, compare, tradeoffs
from simulator.io.spec_files import load_model

from .test_scorecard import four_nodes, grid


def cards():
    spec = four_nodes()
    times, base = grid(spec)
    a = scorecard(spec, times, base, np.tile([2.0, -0.3, 1.0, 5.0], (times.size, 1)), [2050], scenario="a")
    b = scorecard(spec, times, base, np.tile([-2.0, 0.0, -1.0, 0.0], (times.size, 1)), [2050], scenario="b")
    return a, b


def test_tradeoffs_pair_a_gaining_theme_with_a_losing_one():
    a, b = cards()
    table = tradeoffs(a)
    assert list(table.columns) == TRADEOFF_COLUMNS
    assert table[["gains_theme", "gains_dimension", "loses_theme", "loses_dimension"]].values.tolist() == [
        ["arbeid", "hier_en_nu", "milieu", "later"]
    ]
    assert tradeoffs(b).values.tolist() == [["b", 2050.0, "later", "milieu", 1, "hier_en_nu", "arbeid", -1]]


def test_compare_puts_scenarios_side_by_side():
    a, b = cards()
    table = compare([a, b]).set_index("node")
    assert table.loc["jobs", "a"] == "improves" and table.loc["jobs", "b"] == "worsens"
    assert table.loc["unemployment", "b"] == "level"
    assert table.loc["co2", "b:delta"] == -1.0


def test_numbers_and_sentences_in_dutch_and_english():
    assert format_number(-1234.567, "nl") == "-1.235"  # whole numbers are not cut
    assert format_number(0.6049, "nl") == "0,605"
    assert format_number(1234.5, "en", 5) == "1,234.5"
    a, _ = cards()
    row = a.set_index("node").loc["unemployment"].to_dict() | {"label": "de werkloosheid"}
    assert sentence(row) == (
        "In 2050 is de werkloosheid 0,3 procentpunt lager dan zonder het scenario: een verbetering."
    )
    assert sentence(row | {"share_agree": 0.92}, "en") == (
        "In 2050, de werkloosheid: 0.3 percentage points lower than without the scenario, an improvement "
        "(in 92 % of runs)."
    )
    neutral = a.set_index("node").loc["commuters"].to_dict()
    assert sentence(neutral).endswith("(niet gescoord) [expertoordeel].")


def test_scorecard_table_shows_every_dimension():
    a, _ = cards()
    text = scorecard_table(summary(a))
    for word in ("hier en nu", "later", "elders", "arbeid", "milieu", "2050"):
        assert word in text
    assert "+/- 2/1" not in text and "+ " in text


def test_sentences_say_unit_words_in_the_reader_language_once():
    row = {
        "year": 2050,
        "label": "Banen",
        "unit": "jobs",
        "delta": 3000.0,
        "verdict": "improves",
        "quantified": True,
        "share_agree": float("nan"),
    }
    assert sentence(row) == "In 2050 is Banen 3.000 banen hoger dan zonder het scenario: een verbetering."
    assert sentence(row, "en") == "In 2050, Banen: 3,000 jobs higher than without the scenario, an improvement."
    model = load_model(Path(__file__).resolve().parents[2] / "models" / "medtech-heerlen.yaml").spec
    for node in model.nodes:  # the app translates before it calls sentence(): a second pass changes nothing
        dutch = unit_label(node.unit, "nl")
        assert unit_label(dutch, "nl") == dutch, node.unit
