"""``bwsim ui`` on a fresh machine: it never prompts, starts without a terminal, opens the browser
itself only where there is a desktop, and serves with tracebacks hidden from visitors."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from simulator.cli.ui import free_port, local_url, serving

ROOT = Path(__file__).resolve().parents[2]
BWSIM = Path(sys.executable).parent / "bwsim"
RECORDER = "import pathlib, sys; pathlib.Path(sys.argv[1]).write_text(sys.argv[2])"


def _fresh_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A new user's environment: an empty home, no display, nothing of Streamlit's configured."""
    home = tmp_path / "home"
    home.mkdir()
    drop = {"DISPLAY", "WAYLAND_DISPLAY", "BROWSER", "BWSIM_MODEL"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("STREAMLIT_")}
    return env | {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")} | extra


@contextmanager
def _bwsim_ui(tmp_path: Path, env: dict[str, str], *args: str) -> Iterator[tuple[subprocess.Popen, str, Path]]:
    """``bwsim ui`` with stdin from /dev/null and output to a file: (process, url, log)."""
    port = free_port()
    log = tmp_path / "simulator.app.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(BWSIM), "ui", "--port", str(port), *args],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process, f"http://127.0.0.1:{port}", log
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_bwsim_ui_answers_within_20_s_on_a_fresh_machine_with_no_terminal(tmp_path: Path):
    with _bwsim_ui(tmp_path, _fresh_env(tmp_path)) as (process, url, log):
        assert serving(url, 20.0, process), log.read_text(errors="replace")[-2000:]
        command = Path(f"/proc/{process.pid}/cmdline").read_bytes().split(b"\0")
        output = log.read_text(errors="replace")
    assert "Email" not in output and "Welcome to Streamlit" not in output
    assert b"--client.showErrorDetails" in command  # the server itself: bwsim became it
    assert command[command.index(b"--client.showErrorDetails") + 1] == b"none"
    assert command[command.index(b"--server.headless") + 1] == b"true"


def test_bwsim_ui_opens_the_users_browser_once_the_server_answers(tmp_path: Path):
    opened = tmp_path / "opened.txt"
    browser = f"{sys.executable} -c '{RECORDER}' {opened} %s"
    env = _fresh_env(tmp_path, DISPLAY=":0", BROWSER=browser)
    with _bwsim_ui(tmp_path, env) as (process, url, log):
        assert serving(url, 20.0, process), log.read_text(errors="replace")[-2000:]
        deadline = time.monotonic() + 20
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert opened.exists(), "the browser was not opened"
        assert opened.read_text() == url


@pytest.mark.parametrize("why", ["--headless", "no display"])
def test_bwsim_ui_opens_no_browser_when_headless_or_without_a_desktop(tmp_path: Path, why: str):
    opened = tmp_path / "opened.txt"
    browser = f"{sys.executable} -c '{RECORDER}' {opened} %s"
    env = _fresh_env(tmp_path, BROWSER=browser, **({"DISPLAY": ":0"} if why == "--headless" else {}))
    args = ["--headless"] if why == "--headless" else []
    with _bwsim_ui(tmp_path, env, *args) as (process, url, log):
        assert serving(url, 20.0, process), log.read_text(errors="replace")[-2000:]
        time.sleep(1.5)
        assert not opened.exists()


def test_the_browser_is_pointed_at_this_machine():
    assert local_url("127.0.0.1", 8501) == "http://127.0.0.1:8501"
    assert local_url("0.0.0.0", 8600) == "http://127.0.0.1:8600"  # a workshop server: open it here
    assert local_url("::1", 8501) == "http://[::1]:8501"


def test_waiting_for_a_server_that_has_stopped_ends_at_once():
    """``serving`` gives up as soon as the server's process has ended, not after its timeout."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    started = time.monotonic()
    assert not serving(f"http://127.0.0.1:{free_port()}", 60.0, process)
    assert time.monotonic() - started < 5.0
