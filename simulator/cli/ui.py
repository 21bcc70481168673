"""``bwsim ui``: start the Streamlit app.

The server always runs headless: Streamlit's first-run prompt ("Welcome to Streamlit! Email:")
would otherwise stop it on a fresh machine, and with no terminal it would never start. bwsim
opens the user's browser itself once the server answers, when there is a desktop to open it on
(skipped quietly otherwise, and with ``--headless``). Visitors never see a traceback
(``client.showErrorDetails none``); the server log keeps it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import webbrowser
from pathlib import Path

import typer

from simulator.cli.common import Lang, fail, language_option, reports_errors
from simulator.io.spec_files import load_model
from simulator.messages import msg

MAX_UPLOAD_MB = 5  # the app's pages check their own, smaller limits too
BROWSER_WAIT_S = 60.0  # how long the browser opener waits for the server to answer


def app_path() -> Path:
    """The Streamlit entry script."""
    return Path(__file__).resolve().parents[1] / "app" / "app.py"


def local_url(address: str, port: int) -> str:
    """The URL to open on this machine for a server listening on ``address``."""
    host = "127.0.0.1" if address in ("0.0.0.0", "", "::") else address
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def has_desktop() -> bool:
    """True when a graphical browser can be opened here (macOS, Windows, or an X11/Wayland display)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def serving(url: str, timeout: float = BROWSER_WAIT_S, process: subprocess.Popen | None = None) -> bool:
    """Wait until the app at ``url`` answers its health check (``/_stcore/health`` says "ok").

    Returns False after ``timeout`` seconds, or as soon as ``process`` (the server, when given) has ended.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (for a server started next)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def open_when_ready(url: str, timeout: float = BROWSER_WAIT_S) -> bool:
    """Wait until the app at ``url`` answers (:func:`serving`), then open ``url`` in the user's browser.

    Returns whether a browser was opened; gives up quietly after ``timeout`` seconds.
    """
    return serving(url, timeout) and webbrowser.open(url)


def _open_browser_later(url: str) -> None:
    """Open ``url`` once the server answers, from a detached process (this one becomes the server)."""
    if not hasattr(os, "fork"):
        threading.Thread(target=open_when_ready, args=(url,), daemon=True).start()
        return
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child:
        os.waitpid(child, 0)  # the child only forks the opener and leaves: no zombie under the server
        return
    try:
        if os.fork() == 0:  # the opener: its own session, no hold on the caller's terminal or pipes
            os.setsid()
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            open_when_ready(url)
    finally:
        os._exit(0)


def streamlit_command(script: Path, port: int, address: str) -> list[str]:
    """The ``streamlit run`` command line of the app server: headless, no usage statistics, no tracebacks."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",  # never the first-run e-mail prompt; bwsim opens the browser itself
        "--browser.gatherUsageStats",
        "false",
        "--server.maxUploadSize",
        str(MAX_UPLOAD_MB),
        "--client.showErrorDetails",
        "none",  # a visitor never sees a traceback (the pages show messages; the server log has the rest)
        "--client.toolbarMode",
        "minimal",  # no "Deploy" button: this app is served by bwsim, not deployed to a Streamlit cloud
        # No full garbage collection (gc.collect(2)) after every run: with the app's heap (numba, pandas,
        # plotly, cached runs) it took about half the server's CPU per slider move, holding the GIL for
        # every session; Python's own generational collection still runs.
        "--runner.postScriptGC",
        "false",
        # No polling of the app's source files for changes (a served app, not one being edited; a developer
        # runs `streamlit run simulator/app/app.py`, which still watches): about 15 % of the rest.
        "--server.fileWatcherType",
        "none",
    ]


@reports_errors
def ui(
    port: int = typer.Option(8501, help="Port to serve on."),
    model: Path | None = typer.Option(None, help="Model file to open (default: the Heerlen model)."),
    address: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0 for a workshop LAN)."),
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
    command = streamlit_command(script, port, address)
    if not headless and has_desktop():
        _open_browser_later(local_url(address, port))
    if hasattr(os, "execve"):
        # Become the server: the PID a caller holds is then the server's, so stopping it stops the app
        # (a child process would be orphaned, and would keep the caller's pipes open).
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(sys.executable, command, env)
    raise typer.Exit(subprocess.call(command, env=env))
