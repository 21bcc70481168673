"""``bwsim ui``: start the Streamlit app."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import typer

from simulator.cli.common import Lang, fail, language_option, reports_errors
from simulator.io.spec_files import load_model
from simulator.messages import msg

MAX_UPLOAD_MB = 5  # the app's pages check their own, smaller limits too


def app_path() -> Path:
    """The Streamlit entry script."""
    return Path(__file__).resolve().parents[2] / "ui" / "app.py"


@reports_errors
def ui(
    port: int = typer.Option(8501, help="Port to serve on."),
    model: Path | None = typer.Option(
        None, help="Model file to open (default: the Heerlen model)."
    ),
    address: str = typer.Option(
        "127.0.0.1", help="Address to listen on (0.0.0.0 for a workshop LAN)."
    ),
    headless: bool = typer.Option(False, help="Do not open a browser window."),
    language: Lang = language_option(),
) -> None:
    """Start the Streamlit app on the Heerlen model (or --model FILE)."""
    env = dict(os.environ)
    if model is not None:
        load_model(model)  # refuse a bad model before starting a server
        env["BWSIM_MODEL"] = str(model.resolve())
    script = app_path()
    if not script.is_file():
        fail(msg("the app is not installed ({script} missing)", script=str(script)), 1)
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--browser.gatherUsageStats",
        "false",
        "--server.maxUploadSize",
        str(MAX_UPLOAD_MB),
        "--server.headless",
        "true" if headless else "false",
        "--client.toolbarMode",
        "minimal",  # no "Deploy" button: this app is served by bwsim, not deployed to a Streamlit cloud
    ]
    if hasattr(os, "execve"):
        # Become the server: the PID a caller holds is then the server's, so stopping it stops the app
        # (a child process would be orphaned, and would keep the caller's pipes open).
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(sys.executable, command, env)
    raise typer.Exit(subprocess.call(command, env=env))
