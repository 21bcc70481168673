"""Benchmark: the synthetic model over 342 gemeenten (issue 13 item 7, issue 14 item 4).

Run by hand (not part of CI's pass/fail):

    .venv/bin/python benchmarks/bench_places.py                  # 342 gemeenten
    .venv/bin/python benchmarks/bench_places.py --gemeenten 50   # a smaller one

It writes the model with ``benchmarks/make_gemeenten_model.py`` into a
temporary folder (the Heerlen structure in every gemeente, a commuting matrix
to 4 neighbours each; scenario: the Medlands ramp in the first gemeente,
2025-2050 at dt = 0.25) and prints, in one run, each in a fresh subprocess so
that its peak memory (``resource.getrusage(...).ru_maxrss``) is its own:

- prepare: reading the files, expanding the dimensions, the checks, compiling
  (``load_scenario`` + ``prepare_scenario``), wall and CPU time;
- the deterministic run in the library (``simulate``, median of repeats);
- a 1,000-member ensemble through the one runner (``run_prepared``, Latin
  hypercube, seed 0, no scorecard), as ``bwsim run --samples 1000`` runs it
  after its preparation;
- the deterministic run with its scorecard (``run_prepared``, the summary);
- peak memory of each child;

with the machine and its load, each figure against issue 14's target
(deterministic <= 20 ms, 1,000 members <= 3 s, peak memory <= 2 GB).
Timings drift on a shared machine; when CPU time is well below wall time,
other work shared the cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

TARGET_DETERMINISTIC_MS = 20.0
TARGET_ENSEMBLE_S = 3.0
TARGET_PEAK_MB = 2048.0


def _peak_mb() -> float:
    """Peak resident memory of this process so far, MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _prepare(scenario: Path):
    from simulator.io.spec_files import load_scenario
    from simulator.scenario_run import prepare_scenario

    loaded = load_scenario(scenario)
    return prepare_scenario(loaded.spec, loaded.model.spec)


def child_prepare(scenario: Path) -> dict:
    import simulator.engine  # noqa: F401  (imports are not preparation)

    before = _peak_mb()
    w0, c0 = time.perf_counter(), time.process_time()
    prepared = _prepare(scenario)
    _ = prepared.compiled.plan
    return {
        "wall_s": time.perf_counter() - w0,
        "cpu_s": time.process_time() - c0,
        "peak_mb": _peak_mb(),
        "before_mb": before,
        "nodes": prepared.compiled.n_nodes,
        "links": prepared.compiled.n_links,
        "steps": int(prepared.compiled.times.size - 1),
    }


def child_deterministic(scenario: Path, repeats: int) -> dict:
    from simulator.engine import simulate

    prepared = _prepare(scenario)
    cm, u = prepared.compiled, prepared.inputs
    simulate(cm, u)  # warm-up: the plan, the compiled kernels
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
        "peak_mb": _peak_mb(),
    }


def child_ensemble(scenario: Path, samples: int) -> dict:
    import numpy as np

    from simulator.errors import InputError
    from simulator.runner import Uncertainty, run_prepared

    prepared = _prepare(scenario)
    try:  # the memory budget refuses what would not fit before anything runs
        run_prepared(prepared, Uncertainty(2, 1, "lhs"), scorecard=False, warnings=())  # warm-up (kernels)
        before = _peak_mb()
        w0, c0 = time.perf_counter(), time.process_time()
        run = run_prepared(prepared, Uncertainty(samples, 0, "lhs"), scorecard=False, warnings=())
    except InputError as exc:
        return {"refused": exc.problems[0].message, "peak_mb": _peak_mb()}
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "members_per_s": samples / wall,
        "peak_mb": _peak_mb(),
        "before_mb": before,
        "finite": bool(np.isfinite(run.ensemble.p50).all()),
    }


def child_scorecard(scenario: Path) -> dict:
    from simulator.runner import run_prepared

    prepared = _prepare(scenario)
    run_prepared(prepared, None, scorecard=False, warnings=())  # warm-up
    w0, c0 = time.perf_counter(), time.process_time()
    run = run_prepared(prepared, None, scorecard=True, language="en")
    return {
        "wall_s": time.perf_counter() - w0,
        "cpu_s": time.process_time() - c0,
        "peak_mb": _peak_mb(),
        "scored": run.scorecard is not None,
    }


def _child(*args: str) -> dict:
    """Run this script as a child measuring one thing; its JSON answer."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS=os.environ.get("OPENBLAS_NUM_THREADS", "1"))
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, cwd=ROOT, env=env
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _verdict(value: float, target: float) -> str:
    return "met" if value <= target else f"MISSED by {value / target:.1f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gemeenten", type=int, default=342)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        what, scenario, *rest = args.child
        func = {
            "prepare": child_prepare,
            "deterministic": child_deterministic,
            "ensemble": child_ensemble,
            "scorecard": child_scorecard,
        }[what]
        print(json.dumps(func(Path(scenario), *(int(x) for x in rest))))
        return

    from bench_engine import machine  # the one machine line of the benchmarks
    from make_gemeenten_model import write_model

    print(f"machine: {machine()}")
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as folder:
        write_model(Path(folder), args.gemeenten)
        scenario = str(Path(folder) / "scenario.yaml")
        p = _child("prepare", scenario)
        print(
            f"model: {args.gemeenten} gemeenten, {p['nodes']:,} element nodes, {p['links']:,} element links, "
            f"{p['steps']} steps"
        )
        print(
            f"prepare (read, expand, check, compile, plan): {p['wall_s']:.2f} s wall, {p['cpu_s']:.2f} s CPU; "
            f"peak {p['peak_mb']:.0f} MB ({p['before_mb']:.0f} MB after imports)"
        )
        d = _child("deterministic", scenario, str(args.repeats))
        print(
            f"deterministic run: median {d['wall_ms']:.1f} ms wall, {d['cpu_ms']:.1f} ms CPU, best "
            f"{d['best_ms']:.1f} ms (target <= {TARGET_DETERMINISTIC_MS:g} ms: "
            f"{_verdict(d['wall_ms'], TARGET_DETERMINISTIC_MS)}); peak {d['peak_mb']:.0f} MB"
        )
        e = _child("ensemble", scenario, str(args.samples))
        if "refused" in e:
            print(
                f"ensemble, {args.samples:,} members: REFUSED by the memory budget (target <= "
                f"{TARGET_ENSEMBLE_S:g} s and <= {TARGET_PEAK_MB:g} MB: MISSED): {e['refused']}"
            )
        else:
            print(
                f"ensemble, {args.samples:,} members (one thread): {e['wall_s']:.2f} s wall, "
                f"{e['cpu_s']:.2f} s CPU, {e['members_per_s']:,.0f} member-runs/s "
                f"(target <= {TARGET_ENSEMBLE_S:g} s: {_verdict(e['wall_s'], TARGET_ENSEMBLE_S)}); "
                f"finite: {e['finite']}"
            )
            print(
                f"  peak {e['peak_mb']:.0f} MB, {e['before_mb']:.0f} MB before the ensemble (target <= "
                f"{TARGET_PEAK_MB:g} MB: {_verdict(e['peak_mb'], TARGET_PEAK_MB)})"
            )
        s = _child("scorecard", scenario)
        print(
            f"deterministic run with its scorecard: {s['wall_s']:.2f} s wall, {s['cpu_s']:.2f} s CPU; "
            f"peak {s['peak_mb']:.0f} MB; scored: {s['scored']}"
        )
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
