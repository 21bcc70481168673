"""Expert-scored links in the app's tables (no Streamlit): shown as their pooled weight, kept when not
edited, replaced by the weight when it is; the hover text and the neighbour table name the scores."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.io.spec_files import load_model, load_model_text
from simulator.io.yaml_writer import dump_yaml
from ui import charts, tables

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
