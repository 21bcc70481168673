"""What users take away: Excel, PNG, share links, and YAML files that ``bwsim validate`` accepts."""

from __future__ import annotations

import io
import os
from pathlib import Path

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest
from typer.testing import CliRunner
from ui_helpers import GROW, SMALL

from simulator import overrides as ov
from simulator.app import exporting
from simulator.app import future as fut
from simulator.app.state import model_to_yaml, scenario_to_yaml
from simulator.cli.main import app as cli
from simulator.io.spec_files import load_model_text, load_scenario, load_scenario_text


def test_excel_has_one_sheet_per_table():
    data = exporting.excel_bytes({"results": pd.DataFrame({"a": [1.5, 2.5]}), "x" * 40: pd.DataFrame({"b": ["t"]})})
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["results", "x" * 31]
    assert [c.value for c in book["results"]["A"]] == ["a", 1.5, 2.5]


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("http://127.0.0.1:8501/vergelijken?f=old#x", "http://127.0.0.1:8501/?f=CODE"),
        ("https://host/", "https://host/?f=CODE"),
        ("", "/?f=CODE"),
    ],
)
def test_share_link_points_at_the_home_page(url, link):
    assert exporting.share_link(url, "CODE") == link


def test_downloaded_model_and_own_scenario_pass_bwsim_validate(tmp_path: Path):
    model = load_model_text(SMALL, "small.yaml")
    grow = load_scenario_text(GROW, "grow.yaml", model).spec
    items = ov.levers(model.spec, [grow])
    future = fut.Future("grow", {"jobs:step": 150.0}, {}, {"jobs->income": 2.5})
    _, own = fut.build_scenarios(model.spec, grow, items, future)
    (tmp_path / "small.yaml").write_text(model_to_yaml(model.spec), encoding="utf-8")
    (tmp_path / "own.yaml").write_text(scenario_to_yaml(own, "small.yaml"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "small.yaml"), str(tmp_path / "own.yaml")])
    assert result.exit_code == 0, result.output
    loaded = load_scenario(tmp_path / "own.yaml").spec
    assert loaded.interventions == own.interventions and loaded.overrides == own.overrides


@pytest.mark.browser
def test_png_through_kaleido_and_chromium():
    if not exporting.CHROMIUM.is_file():
        if os.environ.get("CI"):
            pytest.fail("/usr/bin/chromium is missing")
        pytest.skip("/usr/bin/chromium is missing")
    data = exporting.png_bytes(go.Figure(go.Scatter(y=[1, 3, 2])), 300, 200)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
