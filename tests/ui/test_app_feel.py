"""What makes the app quick, held by tests: the model checked once, not per slider move; the chart
code requested at the top of every run (benchmarks/bench_app_latency.py measures the effect)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from simulator import network
from simulator.app import chart_preload


def test_slider_moves_do_not_check_the_model_again(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first run checked the model; two moves of a lever prepare two new scenarios on the same
    model and check it at most once between them (before: four times per move)."""
    checked: list[str] = []
    real = network._check_model

    def counting(model, doc, time):
        checked.append(model.name)
        return real(model, doc, time)

    monkeypatch.setattr(network, "_check_model", counting)
    before = app.get("metric")[0].value
    app.slider(key="lever:jobs:step").set_value(150.0).run()
    app.slider(key="lever:jobs:step").set_value(200.0).run()
    assert not app.exception
    assert app.get("metric")[0].value != before, "the moves changed the answer"
    assert len(checked) <= 1, f"check_model ran {len(checked)} times for two slider moves"


def test_every_run_starts_loading_the_chart_code(app: AppTest) -> None:
    """Streamlit's plotly chunk is in this installation, and the first element of the sidebar imports it."""
    name = chart_preload.chunk_name()
    assert name.startswith("PlotlyChart.") and name.endswith(".js"), "Streamlit's chart chunk was not found"
    scripts = [el for el in app.sidebar if el.type == "html" and name in el.proto.body]
    assert scripts, "no element imports the chart code"
    assert scripts[0].proto.unsafe_allow_javascript


def test_the_server_does_not_collect_garbage_after_every_run() -> None:
    """``bwsim ui`` turns off Streamlit's full ``gc.collect(2)`` after each run (about half the server's CPU
    per slider move) and its polling of the source files."""
    from pathlib import Path

    from simulator.cli.ui import streamlit_command

    command = streamlit_command(Path("app.py"), 8501, "127.0.0.1")
    assert command[command.index("--runner.postScriptGC") + 1] == "false"
    assert command[command.index("--server.fileWatcherType") + 1] == "none"
