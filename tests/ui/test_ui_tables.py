"""Tables behind the pages: paths, effect sentences, differences (no Streamlit)."""

from __future__ import annotations

import pytest
from ui_helpers import SMALL

from simulator.analysis.scorecard import scorecard
from simulator.app import tables
from simulator.io.spec_files import load_model_text
from simulator.scenario_run import prepare_scenario, run_deterministic
from simulator.spec import ScenarioSpec


def _run(height: float, name: str = "s"):
    model = load_model_text(SMALL, "small.yaml").spec
    spec = ScenarioSpec(
        name=name,
        model="",
        interventions=[{"node": "jobs", "shape": "step", "height": height, "start": 2026}],
    )
    result = run_deterministic(prepare_scenario(spec, model))
    return (
        model,
        result,
        scorecard(model, result.times, result.baseline, result.delta, [2035.0], language="en"),
    )


def test_path_table_holds_the_baseline_and_each_run():
    _, result, _ = _run(100)
    table = tables.path_table({"s": result}, "income", "base")
    at_2035 = table[table["time"] == 2035.0].set_index("series")["value"]
    assert at_2035["base"] == 30000 and at_2035["s"] == pytest.approx(30200)


def test_key_nodes_prefer_one_per_theme():
    _, _, card = _run(100)
    assert tables.key_nodes(card, 3, skip={"jobs"}) == [
        "emissions",
        "income",
        "elsewhere",
    ]  # 50 %, 0.67 %, 0.5 %


def test_effect_sentences_say_size_direction_verdict_and_timing():
    _, result, card = _run(100)
    en = tables.effect_sentences(card, result, ["emissions", "elsewhere", "jobs"], "en")
    assert en[0] == (
        "In 2035, Emissions: 50 kt higher than without the scenario, a worsening; half of it by 2027."
    )  # fixed lag of 1 year after the 2026 step
    assert en[1] == "In 2035, Jobs elsewhere: 25 jobs lower than without the scenario, a worsening; half of it by 2026."
    nl = tables.effect_sentences(card, result, ["emissions", "elsewhere"], "nl")
    assert nl[0].startswith("In 2035 is Emissions 50 kt hoger dan zonder het scenario: een verslechtering")
    assert nl[1].startswith("In 2035 is Jobs elsewhere 25 banen lager")  # unit words in Dutch, once


def test_tradeoffs_name_the_themes_that_gain_and_lose():
    _, _, card = _run(100)
    lines = tables.tradeoff_lines(card, "en")
    assert "Materiële welvaart (hier en nu) gains, Milieu (later) loses" in lines


def test_differences_rank_by_spread_of_relative_change():
    _, _, small = _run(100, "a")
    _, _, large = _run(300, "b")
    diff = tables.differences({"a": small, "b": large})
    assert diff["node"].tolist()[0] == "emissions"  # +50 % vs +150 %
    assert diff.loc[0, "spread"] == pytest.approx(100.0)
    assert diff.loc[0, "a"] == pytest.approx(50.0) and diff.loc[0, "b"] == pytest.approx(150.0)


@pytest.mark.parametrize(
    ("year", "language", "text"),
    [(2027.0, "nl", "2027"), (2027.25, "nl", "apr 2027"), (2026.75, "en", "Oct 2026"), (2025.9999999999, "nl", "2026")],
)
def test_dates_read_as_years_or_months(year: float, language: str, text: str):
    assert tables.date_label(year, language) == text


@pytest.mark.parametrize("with_band", [False, True])
@pytest.mark.parametrize("locale", [None, "nl"])
def test_path_lines_draw_the_same_chart_as_the_path_table(with_band: bool, locale: str | None):
    """The home page draws its key paths from the runs' arrays (no pandas table per move and chart):
    the figure's JSON is the table's, with and without a band and the Dutch locale."""
    from simulator.app import charts, numbers

    _, first, _ = _run(100, "a")
    _, second, _ = _run(250, "b")
    runs = {"met standaardaannames": first, "met eigen aannames": second}
    band = None
    if with_band:
        import pandas as pd

        band = pd.DataFrame(
            {"time": first.times, "series": "met eigen aannames", "low": first.times * 0.9, "high": first.times * 1.1}
        )
    layout = numbers.figure_locale(locale) if locale else None
    for node in ("income", "jobs", "emissions"):
        table = charts.path_figure(tables.path_table(runs, node, "basispad"), "Inkomen", "euro", band, locale=layout)
        lines = charts.path_figure(tables.path_lines(runs, node, "basispad"), "Inkomen", "euro", band, locale=layout)
        assert lines.to_json() == table.to_json()
