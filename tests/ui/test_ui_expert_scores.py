"""Expert-scored links in the app's tables (no Streamlit): shown as their pooled weight, kept when not
edited, replaced by the weight when it is; the hover text and the neighbour table name the scores."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.app import charts, tables
from simulator.io.spec_files import load_model, load_model_text
from simulator.io.yaml_writer import dump_yaml

EXAMPLE = Path(__file__).resolve().parents[2] / "models" / "examples" / "expert-scores.yaml"


def test_the_links_table_shows_a_scored_links_pooled_range_and_central_weight():
    model = load_model(EXAMPLE).spec
    row = tables.links_table(model).iloc[4]
    weight = model.links[4].weight
    assert (row["low"], row["weight"], row["high"]) == (*weight.support[:1], weight.central, weight.support[1])


def test_editing_a_scored_links_lag_keeps_its_scores_and_editing_its_weight_replaces_them():
    model = load_model(EXAMPLE).spec
    links = tables.links_table(model)
    links.loc[4, "lag"] = 3.0
    data = tables.edited_model_data(model, links, tables.nodes_table(model))
    kept = load_model_text(dump_yaml(data), "edited.yaml").spec.links[4]
    assert kept.is_scored and kept.weight == model.links[4].weight and kept.lag.central == 3.0
    links.loc[4, "weight"] = 0.0003
    data = tables.edited_model_data(model, links, tables.nodes_table(model))
    edited = load_model_text(dump_yaml(data), "edited.yaml").spec.links[4]
    assert not edited.is_scored and edited.weight.central == pytest.approx(0.0003)
    assert edited.weight.support == pytest.approx(model.links[4].weight.support)


def test_the_hover_text_of_a_scored_link_names_its_scores():
    model = load_model(EXAMPLE).spec
    text = charts._link_hover(model, model.links[4], "en")
    assert "groep Noord +2, groep Zuid -1, gemeente +1" in text
    assert "scores" not in charts._link_hover(model, model.links[0], "en")


NONLINEAR = Path(__file__).resolve().parents[2] / "examples" / "nonlinear" / "distribution-centres.yaml"


def test_a_shaped_link_says_its_shape_in_the_hover_text_and_the_neighbour_table():
    from simulator.analysis.text import shape_text

    model = load_model(NONLINEAR).spec
    saturation, threshold = model.links[1], model.links[3]
    assert shape_text(saturation, "nl") == "vlakt af bij 0,8 (0,6 tot 1)"
    assert shape_text(saturation, "en") == "levels off at 0.8 (0.6 to 1)"
    assert shape_text(threshold, "nl") == "geen effect boven 2"
    assert shape_text(model.links[0], "nl") == ""
    assert "vlakt af bij 0,8" in charts._link_hover(model, saturation, "nl")
    assert "vlakt af" not in charts._link_hover(model, model.links[0], "nl")


def test_a_lookup_says_how_many_points_and_where_it_turns_flat():
    from simulator.analysis.text import shape_text
    from simulator.spec import LinkSpec

    link = LinkSpec.model_validate(
        {"from": "a", "to": "b", "shape": {"kind": "lookup", "points": [[0, 0], [1, 0.4], [4, 0.7]]}}
    )
    assert shape_text(link, "en") == "table of 3 points, flat beyond 0 and 4"
    assert shape_text(link, "nl") == "tabel van 3 punten, vlak voorbij 0 en 4"
