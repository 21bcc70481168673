"""Benchmark: how the app feels in a real browser (issue 16, item 5).

Run by hand (not part of CI's pass/fail); needs Debian's chromium at /usr/bin/chromium:

    .venv/bin/python benchmarks/bench_app_latency.py                 # 5 sessions, 12 moves each
    .venv/bin/python benchmarks/bench_app_latency.py --sessions 1 --moves 20

Starts ``bwsim ui --headless`` on a free port, warms it with one visit, then measures:

- **first visit**: a new browser (empty cache) opening the home page until it is complete
  (title, every chart drawn, no "running" indicator), three times one after the other;
- **slider to redrawn charts**: ``--sessions`` browsers at once, each on the home page, each moving
  the first lever slider one step (arrow key) ``--moves`` times with a short random pause; the time
  from the key press until the charts hold new data and the app is idle again. Median and p90 over
  all moves of all sessions.

Prints the machine, its load before and after, and the figures against the targets (slider 0.3 s
median with 5 sessions, first visit 3 s on a warm server). Timings drift on shared machines.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_engine import machine  # noqa: E402  (the same machine line as the engine benchmark)

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TARGET_SLIDER_S, TARGET_FIRST_S = 0.3, 3.0
# The charts' y data as sent (plotly 7 sends arrays base64-encoded: {dtype, bdata}; stringified either way).
CHART_DATA = """() => JSON.stringify(Array.from(document.querySelectorAll('.js-plotly-plot')).map(
    el => (el.data || []).map(t => t.y === undefined ? null : t.y)))"""
COMPLETE = """() => !document.querySelector('[data-testid="stStatusWidget"]')
    && document.querySelectorAll('.js-plotly-plot').length >= 4
    && Array.from(document.querySelectorAll('.js-plotly-plot')).every(el => el._fullLayout)
    && !document.querySelector('[data-stale="true"]')"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"bwsim ui stopped with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("bwsim ui did not answer /_stcore/health")


def first_visit(url: str) -> float:
    """Seconds from opening the home page in a fresh browser to a complete page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
        start = time.perf_counter()
        page.goto(url)
        page.wait_for_function(COMPLETE, timeout=120_000, polling=20)
        seconds = time.perf_counter() - start
        browser.close()
    return seconds


def session(url: str, moves: int, seed: int, out: list[float], ready: threading.Barrier) -> None:
    """One browser on the home page moving the first slider ``moves`` times; appends each latency."""
    from playwright.sync_api import sync_playwright

    rng = random.Random(seed)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
        page.set_default_timeout(120_000)
        page.goto(url)
        page.wait_for_function(COMPLETE, polling=50)
        slider = page.get_by_role("slider").first
        ready.wait()
        for _ in range(moves):
            page.wait_for_timeout(rng.uniform(300, 800))
            before = page.evaluate(CHART_DATA)
            slider.focus()
            start = time.perf_counter()
            slider.press("ArrowRight")
            page.wait_for_function(f"() => ({CHART_DATA})() !== {json.dumps(before)} && ({COMPLETE})()",
                                   polling=10)
            out.append(time.perf_counter() - start)
        browser.close()


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--moves", type=int, default=12)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "BWSIM_MODEL"}
    env["BWSIM_WORKSHOP_DB"] = str(Path(tempfile.mkdtemp()) / "workshop.sqlite")
    process = subprocess.Popen([str(Path(sys.executable).parent / "bwsim"), "ui", "--headless", "--port", str(port)],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        warm = first_visit(url)
        print(f"warm-up visit (cold server): {warm:.2f} s")
        visits = [first_visit(url) for _ in range(3)]
        print(f"first visit, warm server, new browser: median {statistics.median(visits):.2f} s "
              f"({', '.join(f'{v:.2f}' for v in visits)}); target {TARGET_FIRST_S:.1f} s")
        latencies: list[float] = []
        ready = threading.Barrier(args.sessions)
        threads = [threading.Thread(target=session, args=(url, args.moves, i, latencies, ready))
                   for i in range(args.sessions)]
        load_before = os.getloadavg()[0]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        median, p90 = statistics.median(latencies), _p90(latencies)
        print(f"slider to redrawn charts, {args.sessions} sessions at once, {len(latencies)} moves: "
              f"median {median:.2f} s, p90 {p90:.2f} s, max {max(latencies):.2f} s; target median "
              f"{TARGET_SLIDER_S:.1f} s")
        print(f"load average: {load_before:.2f} before the sessions, {os.getloadavg()[0]:.2f} after")
        for name, value, target in (("slider median", median, TARGET_SLIDER_S),
                                    ("first visit", statistics.median(visits), TARGET_FIRST_S)):
            verdict = "met" if value <= target else f"missed by {value - target:.2f} s"
            print(f"{name}: {verdict}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    main()
