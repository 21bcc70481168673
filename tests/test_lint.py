"""The code base passes ``ruff check``, ``ruff format --check`` and ``mypy`` (configured in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    answer = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert answer.returncode == 0, answer.stdout + answer.stderr


def test_ruff_format_changes_nothing():
    """Every file is as ``ruff format`` writes it: run ``ruff format .`` before committing."""
    answer = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert answer.returncode == 0, answer.stdout + answer.stderr


def test_mypy_finds_nothing():
    """``mypy`` on simulator/ (``[tool.mypy]`` in pyproject.toml says what is checked and how strictly)."""
    answer = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert answer.returncode == 0, answer.stdout + answer.stderr
