"""Text from users and models shows as typed: the escaping helper, and every chart builder using it."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ui_helpers import SMALL

from simulator.analysis.scorecard import scorecard, summary
from simulator.app import charts, plain_text, sensitivity_charts
from simulator.io.spec_files import load_model_text
from simulator.scenario_run import prepare_scenario, run_deterministic
from simulator.spec import ScenarioSpec

EVIL = '![x](http://127.0.0.1:9/b.png) <a href="http://127.0.0.1:9/">Noord</a> **vet** :red[r] $x$ &lt;'
TAG = re.compile(r"<(?!br>|/?span\b|/?extra>)[a-z/]", re.IGNORECASE)  # a tag other than the builders' own


def _as_shown(markdown: str) -> str:
    """What a reader sees of escaped Markdown: backslash escapes resolved, word joiners invisible."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


@pytest.mark.parametrize(
    "text",
    [
        EVIL,
        "Groep 1",
        "a_b*c* ~~d~~ `e` | f \\*g",
        "<http://x.nl> www.x.nl WWW.X.NL a@b.nl mailto:a@b.nl",
        ":smile: :material/home: :+1: :blue-badge[b]",
        "# kop",
        "- lijst",
        "1. lijst",
        "[^1] [x]: http://127.0.0.1:9/c.png",
    ],
)
def test_markdown_defuses_every_construct_and_shows_the_text_as_typed(text: str):
    escaped = plain_text.markdown(text)
    assert _as_shown(escaped) == text
    for char in "[]<>*_$&`~|":
        assert re.search(rf"(?<!\\){re.escape(char)}", escaped) is None, (char, escaped)
    assert not re.search(r"(?i)://|www\.|[^\u2060]@|:[a-z/+]", escaped), escaped  # autolinks, emoji
    assert not re.match(r"\s*([#+\-=]|\d+[.)])", escaped), escaped  # no heading or list


def test_markdown_keeps_ordinary_text_readable_and_joins_lines():
    assert plain_text.markdown("Groep Noord") == "Groep Noord"
    assert plain_text.markdown("metingen.csv:2: row 1 (e.g. 6150.5)") == "metingen.csv:2: row 1 (e.g. 6150.5)"
    assert plain_text.markdown("een\ntwee\r\ndrie") == "een twee drie"
    assert plain_text.markdown_lines(["a*", "b"]) == "- a\\*\n- b"


def test_plotly_escapes_tags_entities_and_tex():
    escaped = plain_text.plotly(EVIL)
    assert "<" not in escaped and ">" not in escaped and "$" not in escaped
    assert '&lt;a href="http://127.0.0.1:9/"&gt;Noord&lt;/a&gt;' in escaped
    assert escaped.endswith("&amp;lt;")  # an entity someone typed shows as typed
    assert plain_text.plotly("Banen (jobs)") == "Banen (jobs)"
    assert plain_text.plotly("a\nb") == "a b"


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple, np.ndarray)):
        return [s for v in value for s in _strings(v)]
    return []


def _assert_plain(fig) -> None:
    texts = _strings(fig.to_plotly_json())
    assert any("Noord" in t for t in texts), "the hostile text should be in the figure"
    for text in texts:
        assert not TAG.search(text) and "$" not in text, text


def _evil_model():
    text = SMALL.replace("{nl: Banen, en: Jobs}", f"{{nl: '{EVIL}', en: '{EVIL}'}}").replace(
        "unit: jobs,\n     baseline: 1000", "unit: jobs, unit_label: '<b>jobs</b>',\n     baseline: 1000"
    )
    model = load_model_text(text, "evil.yaml").spec
    spec = ScenarioSpec(
        name="s", model="", interventions=[{"node": "jobs", "shape": "step", "height": 100, "start": 2026}]
    )
    return model, run_deterministic(prepare_scenario(spec, model))


def test_the_network_and_scorecard_show_model_labels_and_themes_as_text():
    model, result = _evil_model()
    assert model.node("jobs").label.get("nl") == EVIL
    _assert_plain(charts.network_figure(model, "nl"))
    _assert_plain(charts.network_figure(model, "nl", focus="jobs"))
    card = scorecard(model, result.times, result.baseline, result.delta, [2035.0])
    _assert_plain(charts.scorecard_figure(summary(card), "nl", title=EVIL))
    _assert_plain(charts.scorecard_figure(summary(card), "nl", title=EVIL, compact=True))


def test_path_and_bar_figures_show_names_titles_and_units_as_text():
    table = pd.DataFrame(
        {
            "time": [0, 1, 0, 1],
            "series": ["base", "base", EVIL, EVIL],
            "value": [1, 1, 1, 2],
            "baseline": [True, True, False, False],
        }
    )
    band = pd.DataFrame({"time": [0, 1], "series": [EVIL, EVIL], "low": [0, 1], "high": [2, 3]})
    fig = charts.path_figure(table, title=EVIL, unit=EVIL, band=band)
    _assert_plain(fig)
    assert [t.name for t in fig.data if t.showlegend is not False][-1] == plain_text.plotly(EVIL)
    _assert_plain(charts.path_figure(table, title=EVIL, unit="<b>x</b>"))
    _assert_plain(charts.bar_figure(pd.DataFrame({"label": [EVIL, "b"], "value": [1.0, -1.0]}), EVIL, EVIL))


def test_sensitivity_calibration_and_monitor_figures_show_labels_as_text():
    ranking = pd.DataFrame({"factor": ["a->b", "c->d"], "ST": [0.5, 0.2], "S1": [0.4, 0.1]})
    _assert_plain(sensitivity_charts.tornado_figure(ranking, title=EVIL, labels={"a->b": EVIL}))
    over = pd.DataFrame({"time": [0, 1], "factor": ["a->b", "a->b"], "value": [0.1, 0.2]})
    _assert_plain(sensitivity_charts.indices_over_time_figure(over, ["a->b"], EVIL, {"a->b": EVIL}))
    params = pd.DataFrame(
        {
            "link": [EVIL],
            "kind": ["weight"],
            "bound_low": [0.0],
            "bound_high": [1.0],
            "estimate": [0.5],
            "start": [0.4],
            "low": [0.3],
            "high": [0.7],
            "identified": [True],
        }
    )
    _assert_plain(sensitivity_charts.estimates_figure(params, EVIL))
    observed = pd.DataFrame({"time": [0.0, 1.0], "value": [1.0, 2.0], "predicted": [1.1, 1.9]})
    _assert_plain(sensitivity_charts.fit_figure(observed, EVIL, EVIL))
    band = pd.DataFrame({"time": [0.0, 1.0], "low": [0, 1], "median": [1, 2], "high": [2, 3]})
    points = pd.DataFrame({"time": [0.0, 1.0], "observed": [1.0, 5.0], "status": ["inside", "above"]})
    _assert_plain(sensitivity_charts.monitor_figure(band, points, EVIL, EVIL, {"band": EVIL}))


UNESCAPED = re.compile(r"(?<!\\)(!\[|<a |<b>|\*\*vet|:red\[|\$x)|://|(?i:www)\.")


def _page_texts(at) -> list[str]:
    kinds = ("markdown", "caption", "error", "warning", "info", "success", "subheader", "header", "title")
    texts = [e.value for kind in kinds for e in getattr(at, kind)]
    widgets = ("slider", "number_input", "selectbox", "multiselect", "toggle")
    texts += [w.label for kind in widgets for w in getattr(at, kind)]
    texts += [str(cell) for t in at.table for cell in t.value.to_numpy().ravel()]  # st.table renders Markdown
    return texts


@pytest.mark.parametrize("page", ["views/builder.py", "views/network.py", "views/compare.py"])
def test_the_pages_show_a_models_labels_and_a_scenarios_title_as_text(tmp_path, monkeypatch, page: str):
    from streamlit.testing.v1 import AppTest
    from ui_helpers import GROW, chart_specs, write_project

    evil = EVIL.replace("'", "")
    model = SMALL.replace('title: {nl: "Klein model", en: "Small model"}', f"title: '{evil}'").replace(
        "{nl: Banen, en: Jobs}", f"'{evil}'"
    )
    model += "  - {from: income, to: jobs, weight: 0.00001, lag: 1, delay: fixed}\n"  # a loop for the loop table
    scenario = GROW.replace('title: {nl: "Groei", en: "Growth"}', f"title: '{evil}'\ndescription: '{evil}'")
    monkeypatch.setenv("BWSIM_MODEL", str(write_project(tmp_path, model, {"grow.yaml": scenario})))
    at = AppTest.from_file(
        str(Path(__file__).resolve().parents[2] / "simulator" / "app" / "app.py"), default_timeout=60
    )
    at.run()
    at.switch_page(page)
    at.run()
    if page.endswith("builder.py"):
        at.selectbox(key="scenario_pick").set_value("grow").run()
    if page.endswith("network.py"):
        at.selectbox(key="focus_pick").set_value("jobs").run()
    assert not at.exception and not at.error
    texts = _page_texts(at)
    assert any(plain_text.markdown(evil) in t for t in texts), texts
    for text in texts:
        assert not UNESCAPED.search(text), text
    for spec in chart_specs(at):
        for text in _strings(spec):
            assert not TAG.search(text), text


def test_a_refused_upload_quotes_the_file_as_text(app):
    """The refusal names the file and quotes what is wrong; neither renders (an image, a link)."""
    evil = EVIL.replace("'", "")
    bad = SMALL.replace("{from: jobs, to: income,", f"{{from: '{evil}', to: income,")
    app.switch_page("views/assumptions.py").run()
    name = "![m](http:__127.0.0.1:9_m.png).yaml"
    app.file_uploader(key="upload").set_value((name, bad.encode(), "application/x-yaml")).run()
    assert not app.exception
    (error,) = [e.value for e in app.error]
    assert plain_text.markdown(evil) in error and plain_text.markdown(name) in error
    assert not UNESCAPED.search(error), error
