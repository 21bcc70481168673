"""``bwsim ui``: a bad --model is refused before any server starts (exit 2, no traceback)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from simulator.cli.main import app as cli
from simulator.cli.ui import app_path


def test_a_bad_model_is_refused_before_starting(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nnodes: 3\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ui", "--model", str(bad), "--headless"])
    assert result.exit_code == 2
    assert "bad.yaml" in result.output and "Traceback" not in result.output


def test_the_app_script_is_where_the_command_looks():
    assert app_path().is_file() and app_path().parent.name == "app"
