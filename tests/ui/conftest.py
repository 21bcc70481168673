"""Fixtures of the app tests: a small project folder and an AppTest on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from ui_helpers import write_project

APP = Path(__file__).resolve().parents[2] / "simulator" / "app" / "app.py"


@pytest.fixture
def small_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The small model (and its scenario ``grow``) as the app's default model."""
    path = write_project(tmp_path)
    monkeypatch.setenv("BWSIM_MODEL", str(path))
    return path


@pytest.fixture
def app(small_model: Path) -> AppTest:
    """The app on the small model, run once."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception
    return at
