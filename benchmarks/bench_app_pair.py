"""Benchmark: one lever move's cost in the browser, two trees side by side (issue 16, item 5).

Run by hand (not part of CI's pass/fail); needs Debian's chromium at /usr/bin/chromium:

    git archive 61b8490 | tar -x -C /tmp/base
    .venv/bin/python benchmarks/bench_app_pair.py /tmp/base .            # 12 moves each
    .venv/bin/python benchmarks/bench_app_pair.py /tmp/base . --moves 20

On a busy machine the latencies of ``bench_app_latency.py`` swing with the load by more than a change to
the page, and even CPU time grows with it. This script starts ``bwsim ui --headless`` from each tree (its own
``PYTHONPATH``), opens one browser page on each (after a first page that warms the server's caches for the
values moved through), and moves the first lever one arrow-key step at a time, **alternating between the
trees move by move**, so both see the same minutes and the same load. Per tree and move it prints:

- the page's main-thread seconds (Chrome's ``Performance.getMetrics`` in thread time: every task, and of
  them script), from the key press until the charts are redrawn and 150 ms more;
- the DOM changes (a ``MutationObserver`` counting every change record), which do not depend on the load;
- the server's CPU seconds (``/proc/<pid>/stat``) and the latency (median).

The last line gives the ratios of the second tree to the first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_app_latency import (  # noqa: E402
    ARGS,
    CHROMIUM,
    COMPLETE,
    LEVER,
    MARK,
    REDRAWN,
    _main_thread,
    server_cpu,
    start_ui,
    stop,
)
from bench_engine import machine  # noqa: E402

from simulator.cli.ui import serving  # noqa: E402

COUNT_CHANGES = """() => { window.__changes = 0;
    new MutationObserver(records => { window.__changes += records.length; })
        .observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true}); }"""
WARM_STEPS = 3  # the warm-up page moves this many steps right and back: the values the measured moves visit


def _move(page, slider, key: str) -> float:
    page.evaluate(MARK)
    slider.focus()
    start = time.perf_counter()
    slider.press(key)
    page.wait_for_function(REDRAWN, polling=20)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("trees", nargs=2, type=Path, help="two source trees (e.g. a git archive of main, and .)")
    parser.add_argument("--moves", type=int, default=12)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    from playwright.sync_api import sync_playwright

    servers = [start_ui(root.resolve(), {"PYTHONPATH": str(root.resolve())}) for root in args.trees]
    try:
        for process, url in servers:
            if not serving(url, 90.0, process):
                raise SystemExit(f"bwsim ui did not answer at {url}")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            pages = []
            for _, url in servers:
                warm = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
                warm.set_default_timeout(120_000)
                warm.goto(url)
                warm.wait_for_function(COMPLETE, polling=50)
                lever = warm.locator(LEVER).nth(0)
                for key in ("ArrowRight",) * WARM_STEPS + ("ArrowLeft",) * WARM_STEPS:
                    _move(warm, lever, key)
                warm.close()
                page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
                page.set_default_timeout(120_000)
                cdp = page.context.new_cdp_session(page)
                cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
                page.goto(url)
                page.wait_for_function(COMPLETE, polling=50)
                page.evaluate(COUNT_CHANGES)
                pages.append((page, cdp, page.locator(LEVER).nth(0)))
            totals = [{"task": 0.0, "script": 0.0, "server": 0.0, "latency": []} for _ in pages]
            load_before = os.getloadavg()[0]
            for i in range(args.moves):
                key = "ArrowRight" if (i // WARM_STEPS) % 2 == 0 else "ArrowLeft"
                for (page, cdp, lever), (process, _), total in zip(pages, servers, totals, strict=True):
                    page.wait_for_timeout(300)
                    before, cpu = _main_thread(cdp), server_cpu(process.pid)
                    total["latency"].append(_move(page, lever, key))
                    page.wait_for_timeout(150)  # what the browser still does after the charts are drawn
                    after = _main_thread(cdp)
                    total["task"] += after["TaskDuration"] - before["TaskDuration"]
                    total["script"] += after["ScriptDuration"] - before["ScriptDuration"]
                    total["server"] += server_cpu(process.pid) - cpu
            changes = [page.evaluate("() => window.__changes") / args.moves for page, _, _ in pages]
            browser.close()
        for root, total, change in zip(args.trees, totals, changes, strict=True):
            print(
                f"{root}: browser main thread {1000 * total['task'] / args.moves:.0f} ms per move "
                f"(script {1000 * total['script'] / args.moves:.0f}); DOM changes {change:.0f} per move; "
                f"server CPU {1000 * total['server'] / args.moves:.0f} ms per move; "
                f"latency median {statistics.median(total['latency']):.2f} s"
            )
        first, second = totals
        print(
            f"{args.trees[1]} / {args.trees[0]}: browser {second['task'] / first['task']:.2f}, "
            f"DOM changes {changes[1] / changes[0]:.2f}, server {second['server'] / max(first['server'], 1e-9):.2f}; "
            f"{args.moves} moves each, alternating; load average {load_before:.2f} before, "
            f"{os.getloadavg()[0]:.2f} after"
        )
    finally:
        for process, _ in servers:
            stop(process)


if __name__ == "__main__":
    main()
