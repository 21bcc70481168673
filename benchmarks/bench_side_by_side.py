"""Benchmark: bwsim, PySD, Simlin and the command line side by side, in one run (issue #14, item 5).

Run by hand (not part of CI's pass/fail):

    .venv/bin/python benchmarks/bench_side_by_side.py            # everything, a few minutes
    .venv/bin/python benchmarks/bench_side_by_side.py --quick    # 1,000 and 10,000 members, 1 start-up round

On the Heerlen model (scenario scenarios/medtech-growth.yaml on models/medtech-heerlen.yaml) it
prints, in one run and with the load average before each part:

1. the machine and its load;
2. bwsim's deterministic run in the library (median of 200, ms);
3. ensembles of 1,000 / 10,000 / 100,000 / 1,000,000 members (``--quick``: 1,000 and 10,000) on
   1 and 2 threads: member-runs per second and peak memory, each in a fresh subprocess
   (``bench_engine.child_ensemble``: the one runner, as ``bwsim run`` uses it; the peak is
   ``ru_maxrss`` of that process, "before" the same process after imports and a warm-up);
4. the same ensemble through the command line, ``bwsim run --samples N`` less a deterministic
   ``bwsim run``, as member-runs per second against the library's;
5. the other engines on the scenario's export (``bwsim export``'s ``.mdl``): first the numbers
   (``simulator.io.crosscheck``: every node within 1e-9 of bwsim, both formats), only then the
   times -- the load (PySD: translation and import; Simlin: parse and compile) apart from a run
   of the loaded model -- each as a ratio to bwsim's time per member-run;
   SDEverywhere is reported as not installable here, with the reason;
6. the start-up of ``bwsim --help``, ``bwsim validate`` (Heerlen files) and ``bwsim run`` (one
   scenario), each paired with ``python -c "import numpy"`` started just before it
   (``bench_startup``'s commands).

Every figure is set against the issue's target (met, or missed by how much). Timings drift on
shared machines (STACK.md: about 30 %); compare ratios, and CPU with wall.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_engine  # noqa: E402  (the ensemble children and the machine line)
import bench_startup  # noqa: E402  (the start-up commands)

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "medtech-growth.yaml"
BWSIM = str(Path(sys.executable).parent / "bwsim")

TARGETS = {
    "deterministic_ms": 0.05,
    "rate_1_thread_100k": 150_000,
    "rate_2_threads_100k": 300_000,
    "cli_share": 0.80,
    "peak_mb_1m": 1024,
    "pysd_ratio": 30_000,
    "sdeverywhere_ratio": 3,
}

SDEVERYWHERE = (
    "SDEverywhere: not run. `npm install @sdeverywhere/compile` (0.7.28) fails on this machine: its "
    "dependency `xlsx` is fetched from cdn.sheetjs.com, which cannot be reached from here; no ratio "
    f"(target: every bwsim figure >= {TARGETS['sdeverywhere_ratio']}x its compiled C per member-run)"
)


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (5 min {five:.2f}) on {os.cpu_count()} cores"


def _status(value: float, target: float, higher_is_better: bool, unit: str = "") -> str:
    """``met`` or ``missed by ...`` for ``value`` against ``target``."""
    if (value >= target) if higher_is_better else (value <= target):
        return "met"
    if higher_is_better:
        return f"missed: {value:,.4g}{unit}, {target / value:.1f}x short of the target"
    return f"missed by {value - target:,.3g}{unit} ({value / target:.1f}x)"


# ---------------------------------------------------------------- children (each a fresh process)


def child_engines(pysd_runs: int, min_simlin_s: float) -> dict:
    """The other engines on the export: agreement first, then load and run times (seconds)."""
    warnings.simplefilter("ignore")
    from simulator.io.crosscheck import crosscheck
    from simulator.io.export_equations import build_equations
    from simulator.io.export_mdl import write_mdl

    prepared = bench_engine._prepared()
    folder = Path(tempfile.mkdtemp(prefix="bwsim-side-"))
    (folder / "check").mkdir()
    agreement = {
        run.label: {"worst": run.worst, "node": run.worst_node, "error": run.error, "agrees": run.agrees}
        for run in crosscheck(prepared, ["pysd", "simlin"], folder / "check")
    }
    mdl = folder / "timed.mdl"
    mdl.write_text(write_mdl(build_equations(prepared)), encoding="utf-8")
    columns = [f"{node}_delta" for node in prepared.compiled.node_ids]
    result: dict = {"agreement": agreement, "versions": {}}

    if agreement.get("pysd (mdl)", {}).get("agrees"):
        import pysd

        t0 = time.perf_counter()
        model = pysd.read_vensim(str(mdl))
        load = time.perf_counter() - t0
        model.run(return_columns=columns)  # the first run apart (it may set up caches)
        t0 = time.perf_counter()
        for _ in range(pysd_runs):
            model.run(return_columns=columns)
        result["pysd"] = {"load_s": load, "run_s": (time.perf_counter() - t0) / pysd_runs, "runs": pysd_runs}
        result["versions"]["pysd"] = bench_engine._version("pysd")

    if agreement.get("simlin (mdl)", {}).get("agrees"):
        import simlin

        t0 = time.perf_counter()
        model = simlin.load(mdl)
        t1 = time.perf_counter()
        sim = model.simulate(enable_ltm=False)  # compiles the model for its engine
        t2 = time.perf_counter()
        sim.run_to_end()
        runs, t0_runs = 0, time.perf_counter()
        while True:  # a run of the loaded model: back to the initial state, then to the end
            sim.reset()
            sim.run_to_end()
            runs += 1
            elapsed = time.perf_counter() - t0_runs
            if elapsed >= min_simlin_s and runs >= 20:
                break
        t3 = time.perf_counter()
        frame = model.run(analyze_loops=False).results  # as crosscheck runs it: compile, run, results table
        full = time.perf_counter() - t3
        assert set(columns) <= set(frame.columns)
        result["simlin"] = {
            "load_s": t1 - t0,
            "compile_s": t2 - t1,
            "run_s": elapsed / runs,
            "runs": runs,
            "model_run_s": full,
        }
        result["versions"]["simlin"] = bench_engine._version("pysimlin")
    return result


def _child(*args: str) -> dict:
    """Run this script as a child measuring one thing; its JSON answer."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS=os.environ.get("OPENBLAS_NUM_THREADS", "1"))
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, cwd=ROOT, env=env
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _run_child(kind: str, rest: list[str]) -> dict:
    if kind == "deterministic":
        return bench_engine.child_deterministic()
    if kind == "ensemble":
        return bench_engine.child_ensemble(int(rest[0]), None, int(rest[1]))
    if kind == "engines":
        return child_engines(int(rest[0]), float(rest[1]))
    raise SystemExit(f"unknown child {kind}")


# ---------------------------------------------------------------- the report


def report_bwsim(sizes: tuple[int, ...]) -> tuple[dict, dict[tuple[int, int], dict]]:
    print(f"\n[bwsim in the library] {_load()}")
    det = _child("deterministic")
    print(
        f"  deterministic run ({det['nodes']} nodes, {det['links']} links, {det['steps']} steps): "
        f"median {det['wall_ms']:.3f} ms wall, {det['cpu_ms']:.3f} ms CPU, best {det['best_ms']:.3f} ms; "
        f"target <= {TARGETS['deterministic_ms']} ms: "
        f"{_status(det['wall_ms'], TARGETS['deterministic_ms'], False, ' ms')}"
    )
    print("  ensembles (seed 0, Latin hypercube, the one runner; CPU s = this process's, all threads):")
    print(
        f"    {'members':>9} {'threads':>7} {'wall s':>8} {'CPU s':>8} {'member-runs/s':>14} {'peak MB':>8} "
        f"{'before MB':>9} {'own MB':>7}  load"
    )
    runs: dict[tuple[int, int], dict] = {}
    for n in sizes:
        for threads in (1, 2):
            r = _child("ensemble", str(n), str(threads))
            runs[(n, threads)] = r
            print(
                f"    {n:>9,} {threads:>7} {r['wall_s']:>8.3f} {r['cpu_s']:>8.3f} {r['members_per_s']:>14,.0f} "
                f"{r['peak_mb']:>8.0f} {r['rss_before_mb']:>9.0f} {r['peak_mb'] - r['rss_before_mb']:>7.0f}  "
                f"{os.getloadavg()[0]:.1f}"
            )
            if threads == 2 and r["check_p50_2050"] != runs[(n, 1)]["check_p50_2050"]:
                print(f"    !! {n:,} members: p50 of life_satisfaction in 2050 differs between 1 and 2 threads")
    big = max(sizes)
    at = 100_000 if 100_000 in sizes else big
    note = "" if at == 100_000 else f" (measured at {at:,}: --quick)"
    print(f"  targets at 100,000 members{note}:")
    print(
        f"    1 thread  >= {TARGETS['rate_1_thread_100k']:,} member-runs/s: "
        f"{_status(runs[(at, 1)]['members_per_s'], TARGETS['rate_1_thread_100k'], True, '/s')}"
    )
    print(
        f"    2 threads >= {TARGETS['rate_2_threads_100k']:,} member-runs/s: "
        f"{_status(runs[(at, 2)]['members_per_s'], TARGETS['rate_2_threads_100k'], True, '/s')}"
    )
    if 1_000_000 in sizes:
        peak = max(runs[(1_000_000, t)]["peak_mb"] for t in (1, 2))
        print(
            f"    1,000,000 members, peak <= {TARGETS['peak_mb_1m']:,} MB: "
            f"{_status(peak, TARGETS['peak_mb_1m'], False, ' MB')} ({peak:,.0f} MB)"
        )
    return det, runs


def report_cli_ensemble(n: int, library: dict) -> None:
    print(f"\n[bwsim run --samples {n:,} through the command line] {_load()}")
    with tempfile.TemporaryDirectory(prefix="bwsim-side-cli-") as tmp:
        base = [BWSIM, "run", str(SCENARIO.relative_to(ROOT))]
        bench_startup._timed([*base, "--out", f"{tmp}/warm"])  # untimed: file and numba caches
        det_wall, det_cpu = bench_startup._timed([*base, "--out", f"{tmp}/det"])
        ens_wall, ens_cpu = bench_startup._timed([*base, "--samples", str(n), "--seed", "0", "--out", f"{tmp}/ens"])
    extra = ens_wall - det_wall
    rate = n / extra if extra > 0 else float("inf")
    share = rate / library["members_per_s"]
    print(
        f"  deterministic {det_wall:.2f} s wall ({det_cpu:.2f} s CPU); with {n:,} members {ens_wall:.2f} s "
        f"({ens_cpu:.2f} s CPU); the members' share {extra:.2f} s: {rate:,.0f} member-runs/s, "
        f"{share:.0%} of the library's {library['members_per_s']:,.0f} (1 thread)"
    )
    print(
        f"  target >= {TARGETS['cli_share']:.0%} of the library's rate: "
        f"{_status(100 * share, 100 * TARGETS['cli_share'], True, ' %')}"
    )


def report_engines(det: dict, runs: dict[tuple[int, int], dict], pysd_runs: int, quick: bool) -> None:
    print(f"\n[other engines on the export, {SCENARIO.name}] {_load()}")
    result = _child("engines", str(pysd_runs), "0.5" if quick else "2")
    print("  numbers first (simulator.io.crosscheck, largest difference per node over time, bar 1e-9):")
    for label, a in result["agreement"].items():
        verdict = "agrees" if a["agrees"] else f"DISAGREES ({a['error'] or a['node']})"
        print(f"    {label:<16} worst {a['worst']:.1e}  {verdict}")
    at = 100_000 if (100_000, 1) in runs else max(n for n, _ in runs)
    per_member = {t: 1.0 / runs[(at, t)]["members_per_s"] for t in (1, 2)}
    det_s = det["wall_ms"] / 1e3
    print(
        f"  bwsim per member-run at {at:,} members: {per_member[1] * 1e6:.2f} us (1 thread), "
        f"{per_member[2] * 1e6:.2f} us (2 threads); a deterministic run {det_s * 1e3:.3f} ms"
    )
    print("    a run's time as a multiple of bwsim's per member-run (1 and 2 threads) and of its deterministic run:")
    print(f"    {'engine':<22}{'load s':>8}{'run ms':>10}{'x 1 thread':>15}{'x 2 threads':>15}{'x determ.':>13}")
    for engine, label in (("pysd", "PySD {v} (.mdl)"), ("simlin", "Simlin {v} (.mdl)")):
        if engine not in result:
            print(f"    {engine}: no times (its numbers did not agree, see above)")
            continue
        e = result[engine]
        load = e["load_s"] + e.get("compile_s", 0.0)
        print(
            f"    {label.format(v=result['versions'][engine]):<22}{load:>8.2f}{e['run_s'] * 1e3:>10.3f}"
            f"{e['run_s'] / per_member[1]:>14,.0f}x{e['run_s'] / per_member[2]:>14,.0f}x"
            f"{e['run_s'] / det_s:>12,.1f}x"
        )
    if "simlin" in result:
        s = result["simlin"]
        print(
            f"    Simlin: load = parse {s['load_s']:.3f} s + compile {s['compile_s']:.3f} s; run = reset and "
            f"run_to_end of the compiled model ({s['runs']} runs); model.run() with its results table "
            f"(as crosscheck) {s['model_run_s'] * 1e3:.1f} ms"
        )
    if "pysd" in result:
        ratio = result["pysd"]["run_s"] / per_member[1]
        print(
            f"  target bwsim >= {TARGETS['pysd_ratio']:,}x PySD per member-run (1 thread): "
            f"{_status(ratio, TARGETS['pysd_ratio'], True, 'x')}"
        )
    print(f"  {SDEVERYWHERE}")


def report_startup(rounds: int) -> None:
    print(f"\n[start-up of the command line, {rounds} round(s), each paired with the reference] {_load()}")
    reference = [sys.executable, "-c", "import numpy"]
    with tempfile.TemporaryDirectory(prefix="bwsim-side-start-") as tmp:
        commands = bench_startup._commands(Path(tmp) / "out")
        for argv in commands.values():  # untimed: numba's cache, the file cache
            bench_startup._timed(argv)
        figures: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
        refs: list[tuple[float, float]] = []
        for _ in range(rounds):
            for name, argv in commands.items():
                ref = bench_startup._timed(reference)
                wall, cpu = bench_startup._timed(argv)
                refs.append(ref)
                figures[name].append((wall, cpu, wall / ref[0]))
    print(f"    {'command':<32}{'wall s':>8}{'CPU s':>8}{'ratio':>8}{'target s':>10}  status (wall; CPU)")
    label = 'python -c "import numpy"'
    print(
        f"    {label:<32}{statistics.median(r[0] for r in refs):>8.3f}"
        f"{statistics.median(r[1] for r in refs):>8.3f}{1.0:>8.2f}"
    )
    for name, rows in figures.items():
        wall, cpu, ratio = (statistics.median(r[i] for r in rows) for i in range(3))
        target = bench_startup.TARGETS_S[name]
        print(
            f"    {name:<32}{wall:>8.3f}{cpu:>8.3f}{ratio:>8.2f}{target:>10.1f}  "
            f"{_status(wall, target, False, ' s')}; CPU {_status(cpu, target, False, ' s')}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="1,000 and 10,000 members, 1 start-up round, fewer PySD runs"
    )
    parser.add_argument("--rounds", type=int, default=None, help="start-up rounds (default 3, --quick 1)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        print(json.dumps(_run_child(kind, rest)))
        return
    started = time.perf_counter()
    print(f"machine: {bench_engine.machine()}")
    print(f"model: {SCENARIO.relative_to(ROOT)} on models/medtech-heerlen.yaml; {_load()}")
    sizes = (1_000, 10_000) if args.quick else (1_000, 10_000, 100_000, 1_000_000)
    det, runs = report_bwsim(sizes)
    cli_n = 10_000 if args.quick else 100_000
    report_cli_ensemble(cli_n, runs[(cli_n, 1)])
    report_engines(det, runs, 2 if args.quick else 5, args.quick)
    report_startup(args.rounds if args.rounds is not None else (1 if args.quick else 3))
    print(f"\n{_load()} at the end; the whole run took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
