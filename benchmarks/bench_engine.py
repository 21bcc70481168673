"""Benchmark: deterministic runs, ensemble throughput and memory, PySD, and Dask (issue #3).

Run by hand (not part of CI's pass/fail):

    /work/venv/bin/python benchmarks/bench_engine.py            # everything
    /work/venv/bin/python benchmarks/bench_engine.py --quick    # 1,000 and 10,000 members only

On the default model (models/medtech-heerlen.yaml, scenario
scenarios/medtech-growth.yaml, 2025-2050 at dt = 0.25) it prints, in one run:

- the deterministic run's time (median of many runs);
- ensemble throughput (member-runs per second) and peak memory at 1,000,
  10,000 and 100,000 samples, each in a fresh subprocess so that peak memory
  (``resource.getrusage(...).ru_maxrss``) belongs to that run alone;
- PySD's runs per second on the same scenario exported with ``bwsim export
  --format mdl``, and the ratio to the ensemble throughput;
- the 100,000-member ensemble on a local Dask cluster of 2 workers against
  in-process, as a ratio of wall times (cluster start-up reported apart);
- the cost of the compiled kernels in a fresh process: numba's import, and the
  first runs with an empty cache (compilation) and with a filled one (loading).

Timings drift between runs on shared machines (STACK.md: about 30 %); compare
ratios. Wall time and CPU time of this process are both printed: when the
CPU time is much below the wall time, other work shared the cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "medtech-growth.yaml"
TARGETS = {
    "deterministic_ms": 5.0,
    "members_per_s_10k": 20_000,
    "pysd_ratio": 1_000,
    "peak_mb_100k": 1_500,
}


def _prepared():
    from simulator.io.spec_files import load_scenario
    from simulator.scenario_run import prepare_scenario

    loaded = load_scenario(SCENARIO)
    return prepare_scenario(loaded.spec, loaded.model.spec)


def _rss_mb() -> float:
    """Peak resident memory of this process so far, MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_deterministic(repeats: int = 200) -> dict:
    from simulator.engine import simulate

    prepared = _prepared()
    cm, u = prepared.compiled, prepared.inputs
    simulate(cm, u)
    walls, cpus = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        simulate(cm, u)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return {
        "wall_ms": 1e3 * statistics.median(walls),
        "cpu_ms": 1e3 * statistics.median(cpus),
        "best_ms": 1e3 * min(walls),
        "steps": int(cm.times.size - 1),
        "nodes": cm.n_nodes,
        "links": cm.n_links,
    }


def child_ensemble(samples: int, workers: int | None, threads: int | None = None) -> dict:
    """An ensemble through the one runner (:func:`simulator.runner.run_prepared`), as ``bwsim run`` runs it."""
    from simulator.distributed import dask_executor
    from simulator.ensemble import ensemble_summary
    from simulator.runner import Uncertainty, run_prepared

    def ensemble_summary_(prepared, samples, seed, executor=None, threads=1):
        run = run_prepared(
            prepared,
            Uncertainty(samples, seed, "lhs"),
            scorecard=False,
            warnings=(),
            executor=executor,
            threads=threads,
        )
        return run.ensemble

    prepared = _prepared()
    ensemble_summary_(prepared, 200, seed=1)  # warm-up: imports, caches, compiled kernels (timed apart)
    ensemble_summary(prepared, 2000, seed=1, exact_limit=0)  # the histogram path too
    before = _rss_mb()
    start_cluster = time.perf_counter()
    with dask_executor(workers=workers) as executor:
        started = time.perf_counter() - start_cluster
        if executor is not None:  # workers import simulator on their first task: warm them up too
            ensemble_summary(prepared, 4000, seed=1, executor=executor, chunk_size=1000)
        w0, c0 = time.perf_counter(), time.process_time()
        summary = ensemble_summary_(prepared, samples, seed=0, executor=executor, threads=threads or 1)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    i = summary.node_ids.index("life_satisfaction")
    return {
        "samples": samples,
        "workers": workers,
        "wall_s": wall,
        "cpu_s": cpu,
        "members_per_s": samples / wall,
        "peak_mb": _rss_mb(),
        "rss_before_mb": before,
        "cluster_start_s": started if workers else 0.0,
        "exact_quantiles": summary.exact,
        "check_p50_2050": float(summary.p50[-1, i]),
    }


def child_compile() -> dict:
    """First-call costs in this process (run with NUMBA_CACHE_DIR set to an empty or a filled folder)."""
    t0 = time.perf_counter()
    import numba  # noqa: F401  (timed: the engine imports it)

    t1 = time.perf_counter()
    import numpy as np

    from simulator.engine import simulate
    from simulator.ensemble import Bins, Reduction

    prepared = _prepared()
    t2 = time.perf_counter()
    simulate(prepared.compiled, prepared.inputs)
    t3 = time.perf_counter()
    d = np.zeros((2, 2, 3))  # the summaries' kernels (sums, extremes, histogram counts) on a tiny block
    Reduction().add(0, 0, d, Bins.from_pilot(d), False, ())
    t4 = time.perf_counter()
    return {"numba_import_s": t1 - t0, "first_run_s": t3 - t2, "first_summary_s": t4 - t3}


def child_pysd(runs: int) -> dict:
    warnings.simplefilter("ignore")
    import pysd

    folder = Path(tempfile.mkdtemp(prefix="bwsim-bench-"))
    mdl = folder / "medtech-growth.mdl"
    bwsim = Path(sys.executable).with_name("bwsim")
    subprocess.run(
        [str(bwsim), "export", str(SCENARIO), "--format", "mdl", "--out", str(mdl)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    t0 = time.perf_counter()
    model = pysd.read_vensim(str(mdl))
    translate = time.perf_counter() - t0
    prepared = _prepared()
    columns = [f"{node}_delta" for node in prepared.compiled.node_ids]
    model.run(return_columns=columns)
    t0 = time.perf_counter()
    for _ in range(runs):
        model.run(return_columns=columns)
    seconds = (time.perf_counter() - t0) / runs
    return {
        "runs_per_s": 1.0 / seconds,
        "seconds_per_run": seconds,
        "translate_s": translate,
        "pysd": _version("pysd"),
    }


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def _child(*args: str, **extra_env: str) -> dict:
    """Run this script as a child measuring one thing; its JSON answer."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS=os.environ.get("OPENBLAS_NUM_THREADS", "1"), **extra_env)
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> str:
    cpu = "unknown cpu"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores ({cpu}), "
        f"{mem:.0f} GiB; numpy {_version('numpy')}, scipy {_version('scipy')}, "
        f"numba {_version('numba')}, dask {_version('dask')}; load average {os.getloadavg()[0]:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 members; no Dask")
    parser.add_argument("--pysd-runs", type=int, default=5)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        result = {
            "deterministic": lambda: child_deterministic(),
            "ensemble": lambda: child_ensemble(
                int(rest[0]), int(rest[1]) or None, int(rest[2]) or None if len(rest) > 2 else None
            ),
            "pysd": lambda: child_pysd(int(rest[0])),
            "compile": child_compile,
        }[kind]()
        print(json.dumps(result))
        return
    report(args)


def report(args: argparse.Namespace) -> None:
    print(f"machine: {machine()}")
    print(f"model: {SCENARIO.relative_to(ROOT)} on models/medtech-heerlen.yaml\n")
    det = _child("deterministic")
    print(
        f"deterministic run ({det['nodes']} nodes, {det['links']} links, {det['steps']} steps): "
        f"median {det['wall_ms']:.2f} ms wall, {det['cpu_ms']:.2f} ms CPU, "
        f"best {det['best_ms']:.2f} ms (target < {TARGETS['deterministic_ms']:g} ms)"
    )
    sizes = (1_000, 10_000) if args.quick else (1_000, 10_000, 100_000)
    runs = {}
    print("\nensemble (in-process, seed 0, Latin hypercube; CPU s is this process's, all threads):")
    print(
        f"  {'samples':>8} {'threads':>7} {'wall s':>8} {'CPU s':>8} {'member-runs/s':>14} "
        f"{'peak MB':>8} {'before MB':>9}  quantiles"
    )
    cases = [(n, None) for n in sizes] + [(10_000, os.cpu_count())]
    for n, threads in cases:
        r = _child("ensemble", str(n), "0", str(threads or 0))
        if threads is None:
            runs[n] = r
        kind = "exact" if r["exact_quantiles"] else "histogram"
        print(
            f"  {n:>8,} {threads or 1:>7} {r['wall_s']:>8.3f} {r['cpu_s']:>8.3f} "
            f"{r['members_per_s']:>14,.0f} {r['peak_mb']:>8.0f} {r['rss_before_mb']:>9.0f}  {kind}"
        )
    print(
        f"  targets: 10,000 members < 0.5 s (>= {TARGETS['members_per_s_10k']:,} member-runs/s); "
        f"100,000 members peak < {TARGETS['peak_mb_100k']:,} MB"
    )
    _report_pysd(args, runs[10_000])
    if not args.quick:
        _report_dask(runs[100_000])
    _report_compile()
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")


def _report_compile() -> None:
    with tempfile.TemporaryDirectory(prefix="bwsim-numba-") as cache:
        cold = _child("compile", NUMBA_CACHE_DIR=cache)
        warm = _child("compile", NUMBA_CACHE_DIR=cache)
    print(
        f"\ncompiled kernels in a fresh process: numba import {warm['numba_import_s']:.2f} s; "
        f"first deterministic run {cold['first_run_s']:.2f} s with an empty cache (compiling), "
        f"{warm['first_run_s']:.2f} s with a filled one (loading); ensemble summaries "
        f"+{cold['first_summary_s']:.2f} s / +{warm['first_summary_s']:.2f} s"
    )


def _report_pysd(args: argparse.Namespace, ensemble: dict) -> None:
    try:
        pysd_result = _child("pysd", str(args.pysd_runs))
    except RuntimeError as exc:
        print(f"\nPySD: pending ({str(exc).strip().splitlines()[-1]})")
        return
    ratio = ensemble["members_per_s"] / pysd_result["runs_per_s"]
    print(
        f"\nPySD {pysd_result['pysd']} on the exported .mdl: {pysd_result['runs_per_s']:.2f} runs/s "
        f"({pysd_result['seconds_per_run'] * 1e3:.0f} ms a run; "
        f"translation {pysd_result['translate_s']:.1f} s)"
    )
    print(f"  ensemble member-runs/s at 10,000 / PySD runs/s: {ratio:,.0f}x (target >= {TARGETS['pysd_ratio']:,}x)")


def _report_dask(in_process: dict) -> None:
    n = in_process["samples"]
    dask = _child("ensemble", str(n), "2")
    ratio = dask["wall_s"] / in_process["wall_s"]
    same = dask["check_p50_2050"] == in_process["check_p50_2050"]
    print(
        f"\nDask, 2 local workers, {n:,} members: {dask['wall_s']:.2f} s "
        f"({dask['members_per_s']:,.0f} member-runs/s); cluster start {dask['cluster_start_s']:.1f} s "
        "(not included)"
    )
    print(
        f"  Dask / in-process wall time: {ratio:.2f} (target <= 1); identical p50 of life_satisfaction in 2050: {same}"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
