"""Figures from tables: pure functions, checked without Streamlit or a browser."""

from __future__ import annotations

import numpy as np
import pandas as pd
from ui_helpers import SMALL

from simulator.analysis.scorecard import scorecard, summary
from simulator.io.spec_files import load_model_text
from simulator.scenario_run import prepare_scenario, run_deterministic
from simulator.spec import ScenarioSpec
from ui import charts


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
    shown = sorted(x for tr in full.data for x in tr.customdata)
    assert shown == sorted(model.node_ids)
    marks = [a.text for a in full.layout.annotations if a.text]
    assert sorted(marks) == ["+", "+" + charts.DELAY_MARK, "−"]
    focus = charts.network_figure(model, "en", focus="income")
    assert sorted(x for tr in focus.data for x in tr.customdata) == ["income", "jobs"]


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


def test_the_network_layout_is_fixed_and_fills_the_square():
    from pathlib import Path

    from simulator.io.spec_files import load_model

    model = load_model(Path(__file__).resolve().parents[2] / "models" / "medtech-heerlen.yaml").spec
    first = charts._positions(model)
    assert first == charts._positions(model)
    xs, ys = zip(*first.values(), strict=True)
    assert min(xs) == -1 and max(xs) == 1 and min(ys) == -1 and max(ys) == 1
