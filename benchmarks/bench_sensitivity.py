"""Benchmark: Sobol sensitivity of the Heerlen model over all its uncertain links.

Target (issue #6): N = 1,024 base samples over every uncertain weight and lag of
models/medtech-heerlen.yaml finishes in under two minutes on this machine.
Prints the wall time, split into sampling + engine runs and SALib's analysis,
the engine's member-runs per second, and the same for Morris; with
``--workers N`` also the run on a local Dask cluster and its speed-up ratio.

Usage: python benchmarks/bench_sensitivity.py [--samples 1024] [--workers 2]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from simulator import sensitivity
from simulator.io.spec_files import load_scenario
from simulator.scenario_run import prepare_scenario

ROOT = Path(__file__).resolve().parents[1]
OUTPUT, YEAR = "life_satisfaction", 2035.0


def timed_sobol(prepared, n_base: int, executor=None) -> tuple[float, float, sensitivity.Indices]:
    """Total seconds, seconds spent running members, and the indices."""
    spent = {"runs": 0.0}
    original = sensitivity.run_members

    def counting(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent["runs"] += time.perf_counter() - start

    sensitivity.run_members = counting
    try:
        start = time.perf_counter()
        indices = sensitivity.scenario_sensitivity(prepared, OUTPUT, YEAR, "sobol", n_base, seed=0, executor=executor)
        total = time.perf_counter() - start
    finally:
        sensitivity.run_members = original
    return total, spent["runs"], indices


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1024)
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args()
    loaded = load_scenario(ROOT / "scenarios" / "medtech-growth.yaml")
    prepared = prepare_scenario(loaded.spec, loaded.model.spec)
    factors = sensitivity.uncertain_factors(prepared.model, prepared.compiled.dt)
    steps = prepared.compiled.times.size
    print(
        f"model {prepared.model.name}: {prepared.compiled.n_nodes} nodes, {prepared.compiled.n_links} links, "
        f"{len(factors)} uncertain parameters, {steps} reported times"
    )

    total, runs, indices = timed_sobol(prepared, args.samples)
    print(
        f"sobol N={args.samples}: {indices.n_runs} runs, {total:.1f} s total "
        f"({runs:.1f} s engine, {total - runs:.1f} s sampling + SALib analysis of "
        f"{indices.times.size} years); {indices.n_runs / runs:,.0f} member-runs/s; "
        f"target < 120 s: {'met' if total < 120 else 'NOT met'} (ratio {total / 120:.2f})"
    )
    top = indices.ranking(YEAR).head(5)
    print("top 5 by ST in 2035:", ", ".join(f"{f} ({st:.2f})" for f, st in zip(top["factor"], top["ST"], strict=True)))
    start = time.perf_counter()
    morris = sensitivity.scenario_sensitivity(prepared, OUTPUT, YEAR, "morris", 100, seed=0)
    print(f"morris N=100: {morris.n_runs} runs, {time.perf_counter() - start:.1f} s")
    if args.workers:
        from simulator.distributed import dask_executor

        with dask_executor(args.workers) as executor:
            t_dask, _, dask_indices = timed_sobol(prepared, args.samples, executor)
        same = np.array_equal(dask_indices.values["ST"], indices.values["ST"])
        print(
            f"sobol on {args.workers} Dask workers: {t_dask:.1f} s (speed-up {total / t_dask:.2f}x, "
            f"cluster start included); indices identical to in-process: {same}"
        )


if __name__ == "__main__":
    main()
