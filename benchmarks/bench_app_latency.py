"""Benchmark: how the app feels in a real browser (issue 16, item 5).

Run by hand (not part of CI's pass/fail); needs Debian's chromium at /usr/bin/chromium:

    .venv/bin/python benchmarks/bench_app_latency.py                 # 1 then 5 sessions, 12 moves each
    .venv/bin/python benchmarks/bench_app_latency.py --sessions 5 --moves 20

Starts ``bwsim ui --headless`` on a free port, warms it with one visit, then measures:

- **first visit**: a new browser (empty cache) opening the home page until it is complete
  (the headline metrics shown, the four key charts drawn, no "running" indicator), three times one
  after the other;
- **slider to redrawn charts**: for each count in ``--sessions`` (default 1, then 5), that many
  browsers at once, each on the home page, each moving a *lever* slider (the year slider comes first
  on the answer-first page and moves no chart; session i takes lever i modulo the number of levers,
  every other round of them starting leftwards) one step with the arrow keys ``--moves`` times with
  a short random pause (turning at the slider's end); the time from the key press until the
  headline metrics and the key charts hold new data and the app is idle again. Median and p90 over
  all moves of all sessions.

Prints the machine, its load before and after, and the figures against the targets (slider 0.3 s
median with 5 sessions, first visit 3 s on a warm server). Timings drift on shared machines; the
server's CPU time per move (user + system seconds of the server process over a session count's moves,
divided by the moves) hardly depends on the load, so it compares runs on a busy machine; so does, less
well, the browsers' main-thread time per move (Chrome's ``Performance.getMetrics`` in thread time: all
tasks, and of them script, layout and style; summed over the sessions, divided by the moves), which is
where most of a move's CPU goes (0.3 s against the server's 0.05 s on the Heerlen home page).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_engine import machine  # noqa: E402  (the same machine line as the engine benchmark)

from simulator.cli.ui import free_port, serving  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TARGET_SLIDER_S, TARGET_FIRST_S = 0.3, 3.0
# Chrome's main-thread figures (seconds): every task, and of them script, layout and style recalculation.
BROWSER_METRICS = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")
KEY_CHARTS = 4  # the answer-first home page draws four key paths
YEAR_LABELS = ("Jaar", "Year")  # simulator.app.i18n "year": the first slider, which moves the scorecard, not the charts
# Mark the charts and metrics as they are now: the plotly elements' data arrays (Plotly.react replaces gd.data
# with the new figure's array, so a reference comparison is cheap to poll) and the metric texts (textContent:
# innerText would make the page lay itself out on every poll, every 10 ms, adding the benchmark's own work to
# the browser's while it draws).
MARK = """() => { window.__bench = {
    data: Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => el.data),
    metrics: Array.from(document.querySelectorAll('[data-testid="stMetric"]'))
        .map(el => el.textContent).join('|')}; }"""
COMPLETE = f"""() => !document.querySelector('[data-testid="stStatusWidget"]')
    && document.querySelectorAll('[data-testid="stMetric"]').length >= 3
    && document.querySelectorAll('.js-plotly-plot').length >= {KEY_CHARTS}
    && Array.from(document.querySelectorAll('.js-plotly-plot')).every(el => el._fullLayout)
    && !document.querySelector('[data-stale="true"]')"""
# Redrawn: the headline metrics changed, some key chart holds a new data array (a chart whose figure did
# not change keeps its element), and the app is idle with nothing stale (every chart drawn).
REDRAWN = f"""() => {{ const m = window.__bench;
    const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
    return plots.length >= {KEY_CHARTS} && plots.some(el => !m.data.includes(el.data))
        && Array.from(document.querySelectorAll('[data-testid="stMetric"]')).map(el => el.textContent).join('|')
           !== m.metrics
        && ({COMPLETE})(); }}"""
# Streamlit 1.67's sliders are <input type="range"> elements (role slider), labelled by aria-label; the
# levers are those that are neither the year nor an assumption ("Banen → Inkomen").
LEVER = (
    'input[type="range"]'
    + "".join(f':not([aria-label="{label}"])' for label in YEAR_LABELS)
    + ':not([aria-label*="→"])'
)


def first_visit(url: str) -> tuple[float, float, float, int, float]:
    """Seconds from opening the home page in a fresh browser to a complete page; and when the session's
    websocket opened (the JavaScript loaded and started) and when its last message arrived (the server's
    first run done), both from the start; the bytes of JavaScript loaded; and when the chart code
    (Streamlit's ``PlotlyChart`` chunk) was requested, from the start."""
    from playwright.sync_api import sync_playwright

    opened: list[float] = []
    frames: list[float] = []
    scripts: list[int] = []
    charts: list[float] = []

    def script(response) -> None:
        if response.request.resource_type == "script":
            try:
                scripts.append(len(response.body()))
            except Exception:  # noqa: BLE001 - a redirect or an aborted load has no body
                pass

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
        page.on(
            "websocket",
            lambda ws: (
                opened.append(time.perf_counter()),
                ws.on("framereceived", lambda _: frames.append(time.perf_counter())),
            ),
        )
        page.on("response", script)
        page.on("request", lambda r: "PlotlyChart" in r.url and charts.append(time.perf_counter()))
        start = time.perf_counter()
        page.goto(url)
        page.wait_for_function(COMPLETE, timeout=120_000, polling=20)
        seconds = time.perf_counter() - start
        browser.close()
    return (
        seconds,
        (opened[0] if opened else start) - start,
        (frames[-1] if frames else start) - start,
        sum(scripts),
        (charts[0] if charts else math.nan) - start,
    )


def _main_thread(cdp) -> dict[str, float]:
    """The page's main-thread seconds so far (Chrome's ``Performance.getMetrics``): all tasks, and of them
    script, layout and style recalculation."""
    values = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {name: values.get(name, 0.0) for name in BROWSER_METRICS}


def session(
    url: str,
    moves: int,
    seed: int,
    out: list[float],
    ready: threading.Barrier,
    served: list[float] | None = None,
    browser_cpu: list[dict[str, float]] | None = None,
) -> None:
    """One browser on the home page moving the first lever slider ``moves`` times; appends each latency
    to ``out`` and, to ``served``, the time from the key press to the last websocket message the server
    sent for that move (the server's rerun and the transfer; the rest is the browser drawing); and to
    ``browser_cpu`` the page's main-thread seconds over all its moves (:func:`_main_thread`)."""
    from playwright.sync_api import sync_playwright

    rng = random.Random(seed)
    frames: list[float] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
            page.on("websocket", lambda ws: ws.on("framereceived", lambda _: frames.append(time.perf_counter())))
            page.set_default_timeout(120_000)
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
            page.goto(url)
            page.wait_for_function(COMPLETE, polling=50)
            levers = page.locator(LEVER)
            # Sessions move different levers, half of them starting downwards: groups in a room do not
            # try the same futures, so a session rarely finds its runs cached by another.
            slider = levers.nth(seed % levers.count())
            direction = "ArrowLeft" if (seed // levers.count()) % 2 else "ArrowRight"
            ready.wait()
            before = _main_thread(cdp)
            for _ in range(moves):
                page.wait_for_timeout(rng.uniform(300, 800))
                now, high, low = slider.input_value(), slider.get_attribute("max"), slider.get_attribute("min")
                if now == high:
                    direction = "ArrowLeft"
                elif now == low:
                    direction = "ArrowRight"
                page.evaluate(MARK)
                slider.focus()
                start = time.perf_counter()
                slider.press(direction)
                page.wait_for_function(REDRAWN, polling=10)
                end = time.perf_counter()
                out.append(end - start)
                if served is not None:
                    last = [f for f in frames if start <= f <= end]
                    served.append((last[-1] if last else end) - start)
            if browser_cpu is not None:
                after = _main_thread(cdp)
                browser_cpu.append({name: after[name] - before[name] for name in BROWSER_METRICS})
        finally:
            ready.abort()  # a session that fails must not leave the others waiting
            browser.close()


def sliders(
    url: str, sessions: int, moves: int, pid: int
) -> tuple[list[float], list[float], float, float, float, dict[str, float]]:
    """``sessions`` browsers at once moving sliders; the latencies, the server's part of them (see
    :func:`session`), the load before and after, the server's CPU seconds per move (from the moment
    every session has its page loaded, so the sessions' first visits are not counted), and the browsers'
    main-thread seconds per move (:func:`_main_thread`, summed over the sessions)."""
    latencies: list[float] = []
    served: list[float] = []
    browser_cpu: list[dict[str, float]] = []
    cpu_start: list[float] = []
    ready = threading.Barrier(sessions, action=lambda: cpu_start.append(server_cpu(pid)))
    threads = [
        threading.Thread(target=session, args=(url, moves, i, latencies, ready, served, browser_cpu))
        for i in range(sessions)
    ]
    load_before = os.getloadavg()[0]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if len(latencies) < sessions * moves:
        raise SystemExit(f"only {len(latencies)} of {sessions * moves} moves were measured (a session failed)")
    cpu = (server_cpu(pid) - cpu_start[0]) / len(latencies)
    browser = {name: sum(b[name] for b in browser_cpu) / len(latencies) for name in BROWSER_METRICS}
    return latencies, served, load_before, os.getloadavg()[0], cpu, browser


def start_ui(root: Path, extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """``bwsim ui --headless`` started in ``root`` on a free port, on the built-in model, with a workshop
    database of its own (and ``extra_env``); the process and its URL (not yet waited for)."""
    env = {k: v for k, v in os.environ.items() if k != "BWSIM_MODEL"}
    env["BWSIM_WORKSHOP_DB"] = str(Path(tempfile.mkdtemp()) / "workshop.sqlite")
    env |= extra_env or {}
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "bwsim"), "ui", "--headless", "--port", str(port)],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process, f"http://127.0.0.1:{port}"


def stop(process: subprocess.Popen) -> None:
    """Stop a server :func:`start_ui` started (killed when it does not stop within 10 s)."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def server_cpu(pid: int) -> float:
    """User + system CPU seconds the server process has used so far (Linux ``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sessions", type=int, nargs="+", default=[1, 5], help="session counts, run one after the other"
    )
    parser.add_argument("--moves", type=int, default=12)
    parser.add_argument("--visits", type=int, default=3, help="first visits of a new browser")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    process, url = start_ui(ROOT)
    try:
        if not serving(url, 90.0, process):
            raise SystemExit("bwsim ui did not answer /_stcore/health (or stopped)")
        warm = first_visit(url)[0]
        print(f"warm-up visit (cold server): {warm:.2f} s")
        parts = [first_visit(url) for _ in range(args.visits)]
        visits = [p[0] for p in parts]
        print(
            f"first visit, warm server, new browser: median {statistics.median(visits):.2f} s "
            f"({', '.join(f'{v:.2f}' for v in visits)}); target {TARGET_FIRST_S:.1f} s"
        )
        opened, served = statistics.median(p[1] for p in parts), statistics.median(p[2] for p in parts)
        print(
            f"  of which: websocket open (JavaScript loaded) at median {opened:.2f} s, "
            f"chart code requested at {statistics.median(p[4] for p in parts):.2f} s, "
            f"server's last message at {served:.2f} s; "
            f"{parts[-1][3] / 2**20:.1f} MB of JavaScript"
        )
        verdicts = [("first visit", statistics.median(visits), TARGET_FIRST_S)]
        for count in args.sessions:
            latencies, served, load_before, load_after, cpu, browser = sliders(url, count, args.moves, process.pid)
            median, p90 = statistics.median(latencies), _p90(latencies)
            print(
                f"slider to redrawn charts, {count} session{'s at once' if count > 1 else ''}, "
                f"{len(latencies)} moves: median {median:.2f} s, p90 {p90:.2f} s, max {max(latencies):.2f} s "
                f"(of which until the server's last message: median {statistics.median(served):.2f} s); "
                f"server CPU {cpu:.3f} s per move; "
                f"browser main thread {browser['TaskDuration']:.3f} s per move (script "
                f"{browser['ScriptDuration']:.3f}, layout {browser['LayoutDuration']:.3f}, "
                f"style {browser['RecalcStyleDuration']:.3f}); "
                f"load average {load_before:.2f} before, {load_after:.2f} after"
            )
            if count == 5 or count == max(args.sessions):
                verdicts.append((f"slider median, {count} session(s)", median, TARGET_SLIDER_S))
        print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
        for name, value, target in verdicts:
            verdict = "met" if value <= target else f"missed by {value - target:.2f} s"
            print(f"{name}: {verdict} (target {target:.1f} s)")
    finally:
        stop(process)


if __name__ == "__main__":
    main()
