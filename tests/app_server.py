"""The app served for the browser tests: Debian's chromium, and ``bwsim ui --headless`` on a free port.

One place for what every browser test needs: the chromium it drives (missing: a failure under CI, a
skip elsewhere) and the server it talks to, started as a user starts it and stopped afterwards, with
no traceback in its log.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from simulator.cli.ui import free_port, serving

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_WAIT_S = 90.0


def need_chromium() -> None:
    """Fail (under CI) or skip when Debian's chromium is not installed."""
    if not CHROMIUM.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium for the browser tests")
        pytest.skip(f"{CHROMIUM} is missing")


def app_env(drop: tuple[str, ...] = ("BWSIM_MODEL",), **extra: str) -> dict[str, str]:
    """This process's environment without ``drop`` (the built-in model by default), plus ``extra``."""
    return {k: v for k, v in os.environ.items() if k not in drop} | extra


@contextmanager
def served_app(log: Path, env: dict[str, str]) -> Iterator[str]:
    """``bwsim ui --headless --port <free port>`` on 127.0.0.1 with ``env``; yields its URL.

    The server's stderr goes to ``log`` (a file, not a pipe: a full pipe would stall the server); on
    leaving, the server is stopped and its log must hold no traceback.
    """
    port = free_port()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "bwsim"), "ui", "--headless", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        if not serving(url, SERVER_WAIT_S, process):
            raise RuntimeError("bwsim ui did not answer /_stcore/health (or stopped)")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        text = log.read_text(encoding="utf-8", errors="replace")
        assert "Traceback" not in text, text[-3000:]
