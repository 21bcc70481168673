"""Dutch unit words: the models write units in English; the Dutch app shows Dutch ones."""

from __future__ import annotations

import pytest

from simulator.app.i18n import unit_label


@pytest.mark.parametrize(
    ("unit", "dutch"),
    [
        ("jobs", "banen"),
        ("mln packages/yr", "mln pakketten/jaar"),
        ("% of labour force", "% van de beroepsbevolking"),
        ("% adults satisfied (7–10)", "% volwassenen tevreden (7–10)"),
        ("per 1,000 inh.", "per 1.000 inw."),
        ("€ / yr", "€ / jaar"),
        ("kt CO2", "kt CO2"),
        ("µg/m³", "µg/m³"),
        ("", ""),
    ],
)
def test_common_unit_words_are_dutch_in_dutch(unit: str, dutch: str):
    assert unit_label(unit, "nl") == dutch


def test_english_units_stay_english_and_words_inside_words_are_left_alone():
    assert unit_label("mln packages/yr", "en") == "mln packages/yr"
    assert unit_label("jobsite", "nl") == "jobsite"


def test_every_unit_of_the_heerlen_model_reads_dutch():
    from pathlib import Path

    from simulator.io.spec_files import load_model

    model = load_model(Path(__file__).resolve().parents[2] / "models" / "medtech-heerlen.yaml").spec
    english = {"jobs", "persons", "dwellings", "households", "years", "yr", "adults", "of", "packages", "moves"}
    for node in model.nodes:
        words = set(unit_label(node.unit, "nl").replace("/", " ").replace("(", " ").split())
        assert not words & english, (node.id, node.unit)
