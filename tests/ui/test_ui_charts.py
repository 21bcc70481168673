"""Figures from tables: pure functions, checked without Streamlit or a browser."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from ui_helpers import SMALL

from simulator.analysis.scorecard import scorecard, summary
from simulator.app import charts
from simulator.io.spec_files import load_model_text
from simulator.scenario_run import prepare_scenario, run_deterministic
from simulator.spec import ScenarioSpec


def _run(step: float = 100.0):
    model = load_model_text(SMALL, "small.yaml").spec
    spec = ScenarioSpec(
        name="s",
        model="",
        interventions=[{"node": "jobs", "shape": "step", "height": step, "start": 2026}],
    )
    return model, run_deterministic(prepare_scenario(spec, model))


def test_scorecard_cells_are_coloured_by_verdict():
    model, result = _run()
    card = scorecard(model, result.times, result.baseline, result.delta, [2035.0])
    fig = charts.scorecard_figure(summary(card), "nl", themes=["arbeid_en_vrije_tijd", "milieu", "materiele_welvaart"])
    z = np.asarray(fig.data[0].z)
    code = charts.VERDICT_CODE
    # columns: hier_en_nu, later, elders
    assert z[0].tolist() == [
        code["improves"],
        code["none"],
        code["worsens"],
    ]  # arbeid en vrije tijd: jobs up, elsewhere down
    assert z[1].tolist() == [
        code["none"],
        code["worsens"],
        code["none"],
    ]  # milieu: emissions up (bad)
    assert z[2].tolist() == [code["improves"], code["none"], code["none"]]  # materiële welvaart: income up
    assert fig.data[0].text[0][0] == "▲1" and fig.data[0].text[1][1] == "▼1"
    assert list(fig.data[0].x) == ["hier en nu", "later", "elders"]


def test_scorecard_of_no_change_is_level():
    model, result = _run(0.0)
    card = scorecard(model, result.times, result.baseline, result.delta, [2035.0])
    z = np.asarray(charts.scorecard_figure(summary(card)).data[0].z)
    assert set(z.ravel()) == {charts.VERDICT_CODE["level"], charts.VERDICT_CODE["none"]}


def test_path_figure_draws_baseline_dashed_and_a_band():
    table = pd.DataFrame(
        {
            "time": [0, 1, 0, 1],
            "series": ["base", "base", "s", "s"],
            "value": [1, 1, 1, 2],
            "baseline": [True, True, False, False],
        }
    )
    band = pd.DataFrame({"time": [0, 1], "series": ["s", "s"], "low": [1, 1.5], "high": [1, 2.5]})
    fig = charts.path_figure(table, "x", "u", band)
    names = [tr.name for tr in fig.data]
    assert names == ["base", "s 5-95%", "s"]
    assert fig.data[0].line.dash == "dash" and fig.data[2].line.dash == "solid"
    assert list(fig.data[1].y) == [1.0, 2.5, 1.5, 1.0]


def test_network_figure_shows_everything_or_one_nodes_neighbourhood():
    model = load_model_text(SMALL, "small.yaml").spec
    full = charts.network_figure(model, "en")
    shown = sorted(x for tr in full.data if tr.customdata is not None for x in tr.customdata)
    assert shown == sorted(model.node_ids)
    marks = [a.text for a in full.layout.annotations if a.text in ("+", "−", "+" + charts.DELAY_MARK)]
    assert sorted(marks) == ["+", "+" + charts.DELAY_MARK, "−"]
    arrows = [a for a in full.layout.annotations if a.showarrow]
    assert len(arrows) == len(model.links)  # one arrowhead per link
    focus = charts.network_figure(model, "en", focus="income")
    assert sorted(x for tr in focus.data if tr.customdata is not None for x in tr.customdata) == ["income", "jobs"]


def test_bar_figure_colours_sign():
    fig = charts.bar_figure(pd.DataFrame({"label": ["a", "b"], "value": [2.0, -1.0]}))
    assert list(fig.data[0].y) == ["b", "a"]  # largest on top
    assert list(fig.data[0].marker.color) == ["#d73027", "#1a9850"]


def test_a_long_unit_goes_under_the_title_not_along_the_axis():
    paths = pd.DataFrame({"time": [2025.0, 2026.0], "series": "a", "value": [1.0, 2.0], "baseline": False})
    short = charts.path_figure(paths, "Banen", "banen")
    assert short.layout.yaxis.title.text == "banen"
    long = charts.path_figure(paths, "Werkloosheid", "% van de beroepsbevolking")
    assert long.layout.yaxis.title.text is None
    assert "% van de beroepsbevolking" in long.layout.title.text


def _heerlen():
    from pathlib import Path

    from simulator.io.spec_files import load_model

    return load_model(Path(__file__).resolve().parents[2] / "models" / "medtech-heerlen.yaml").spec


def test_the_network_is_laid_out_in_columns_by_dimension_and_theme():
    from simulator import network_layout
    from simulator.themes import in_cbs_order

    model = _heerlen()
    lay = network_layout.layout(model)
    assert lay == network_layout.layout(model)  # fixed: no randomness
    assert set(lay.positions) == set(model.node_ids)
    for column in lay.columns:
        assert {model.node(n).theme for n in column.nodes} == {column.theme}
        assert {model.node(n).dimension for n in column.nodes} == {column.dimension}
        assert len({lay.positions[n][0] for n in column.nodes}) == 1  # one column
    order = [(c.dimension, c.theme) for c in lay.columns]
    for dimension in ("hier_en_nu", "later", "elders"):
        themes = [th for d, th in order if d == dimension]
        assert themes == in_cbs_order(themes)


def test_no_two_network_labels_overlap_and_no_label_covers_a_node():
    """The label boxes computed from the layout at the narrowest width the app gives the chart."""
    from simulator import network_layout

    model = _heerlen()
    lay = network_layout.layout(model)
    for language in ("nl", "en"):
        boxes = network_layout.label_boxes(lay, {n.id: n.label.get(language) for n in model.nodes})
        markers = network_layout.marker_boxes(lay)
        names = sorted(boxes)
        clashes = [
            (a, b) for i, a in enumerate(names) for b in names[i + 1 :] if network_layout.overlap(boxes[a], boxes[b])
        ]
        assert clashes == []
        covered = [(a, b) for a in names for b in names if a != b and network_layout.overlap(boxes[a], markers[b])]
        assert covered == []
        assert all(0 <= box[0] and box[2] <= network_layout.MIN_WIDTH_PX for box in boxes.values())
        assert all(box[3] <= lay.height_px for box in boxes.values())


def test_the_network_label_test_would_see_an_overlap():
    from simulator import network_layout

    assert network_layout.overlap((0, 0, 10, 10), (9, 9, 20, 20))
    assert not network_layout.overlap((0, 0, 10, 10), (10, 0, 20, 10))


def test_a_links_hover_says_its_weight_unit_and_delay():
    model = _heerlen()
    fig = charts.network_figure(model, "nl")
    hover = next(tr for tr in fig.data if tr.hovertext is not None and tr.customdata is None)
    assert len(hover.hovertext) == len(model.links)
    delayed = next(lk for lk in model.links if lk.delay not in (None, "none") and lk.lag.central > 0)
    text = hover.hovertext[list(model.links).index(delayed)]
    assert "gewicht: " in text and " per " in text and "vertraging: " in text and "jaar" in text
    styles = {tr.name: tr.line.dash for tr in fig.data if tr.mode == "lines"}
    assert any(d == "dot" for d in styles.values()) and any(d == "solid" for d in styles.values())


@pytest.mark.parametrize("unit", ["", "banen", "% van de beroepsbevolking"])
@pytest.mark.parametrize("with_band", [False, True])
@pytest.mark.parametrize("language", [None, "nl", "en"])
@pytest.mark.parametrize("steady", [False, True])
def test_a_path_chart_is_what_plotly_validation_makes_of_it(
    unit: str, with_band: bool, language: str | None, steady: bool
):
    """Path charts are built without plotly's property validation (most of their cost per slider move):
    validating the figure again changes nothing in the JSON the browser gets (template included)."""
    import json

    import plotly.graph_objects as go

    from simulator.app import numbers

    paths = pd.DataFrame(
        {
            "time": [2025.0, 2026.0, 2027.0] * 3,
            "series": ["basis"] * 3 + ["met <b>standaard</b>"] * 3 + ["eigen"] * 3,
            "value": [1.0, 1.5, 2.0, 1.0, 2.0, 3.5, 1.0, 2.5, 4.0],
            "baseline": [True] * 3 + [False] * 6,
        }
    )
    band = pd.DataFrame({"time": [2025.0, 2026.0, 2027.0], "series": "eigen", "low": [1, 2, 3], "high": [1, 3, 5]})
    locale = numbers.figure_locale(language) if language else None
    fig = charts.path_figure(
        paths, "Werk & <i>inkomen</i>", unit, band if with_band else None, locale=locale, steady=steady
    )
    validated = go.Figure(fig.to_dict())
    if validated.layout.yaxis.title.text is None:
        validated.update_layout(yaxis_title=None)  # the empty title object path charts always had
    assert json.loads(fig.to_json()) == json.loads(validated.to_json())
    assert fig.layout.template.layout.colorway  # the default template is there
    if steady:  # margins reserved, so plotly's automatic margins push nothing on the home page's charts
        assert fig.layout.margin.l == charts.STEADY_MARGIN["l"] and fig.layout.xaxis.ticklabeloverflow == "allow"
    else:
        assert fig.layout.margin.l == 10 and fig.layout.xaxis.ticklabeloverflow is None


def test_a_path_chart_takes_the_template_that_is_the_default_when_it_is_made(monkeypatch: pytest.MonkeyPatch):
    """Streamlit makes its own template plotly's default when it is imported; a path chart made before and
    one made after each carry the default of their moment, as validation would give them."""
    import plotly.graph_objects as go
    import plotly.io as pio

    paths = pd.DataFrame({"time": [2025.0, 2026.0], "series": "a", "value": [1.0, 2.0], "baseline": False})
    for name in ("plotly", "plotly_white"):
        monkeypatch.setattr(pio.templates, "default", name)
        fig = charts.path_figure(paths, "x", "u")
        assert fig.layout.template == go.Figure().layout.template
        fig.update_layout(template_layout_colorway=["#111111"], template_layout_font_color="red")
        assert charts.path_figure(paths, "x", "u").layout.template == go.Figure().layout.template, "shared template"
