"""Benchmark: start-up of the command line (issue #14, item 1).

Run by hand (not part of CI's pass/fail):

    .venv/bin/python benchmarks/bench_startup.py            # 7 rounds
    .venv/bin/python benchmarks/bench_startup.py --rounds 15

Each round starts, in a fresh process each and in turn, the reference
``python -c "import numpy"`` and the three commands a user types first:

- ``bwsim --help``
- ``bwsim validate models/medtech-heerlen.yaml scenarios/*.yaml``
- ``bwsim run scenarios/medtech-growth.yaml --out <a temporary folder>``

and prints for each the median wall and CPU time (user + system of the child)
and the median ratio to the reference started just before it (pairing keeps
the ratio meaningful when the machine's speed drifts). The numba kernels must
be in their cache (``python -m simulator.warmup scenarios/medtech-growth.yaml``,
done by ``scripts/run-heerlen.sh``); one round before the timed ones fills it.
The commands run with ``PYTHONDONTWRITEBYTECODE`` removed from their environment, so
that the untimed round writes bwsim's ``.pyc`` files and the timed ones read them, as an
installed copy does (with it set, as in some development shells, every command compiled
bwsim's 50-odd modules from source again, about 0.1-0.3 s of ``bwsim run``).
Timings drift on shared machines (STACK.md: about 30 %); compare ratios, and
CPU with wall: when CPU is much below wall, other work shared the cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_engine import machine  # noqa: E402  (the same machine line as the engine benchmark)

ROOT = Path(__file__).resolve().parents[1]
TARGETS_S = {"bwsim --help": 0.3, "bwsim validate (Heerlen files)": 0.6, "bwsim run (one scenario)": 1.0}


def _commands(out: Path) -> dict[str, list[str]]:
    bwsim = str(Path(sys.executable).parent / "bwsim")
    files = ["models/medtech-heerlen.yaml", *sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("scenarios/*.yaml"))]
    return {
        "bwsim --help": [bwsim, "--help"],
        "bwsim validate (Heerlen files)": [bwsim, "validate", *files],
        "bwsim run (one scenario)": [bwsim, "run", "scenarios/medtech-growth.yaml", "--out", str(out)],
    }


ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
"""The commands' environment: bytecode is cached, as for an installed bwsim."""


def _timed(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one fresh process running ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds (after one untimed)")
    args = parser.parse_args()
    reference = [sys.executable, "-c", "import numpy"]
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        commands = _commands(Path(tmp) / "out")
        for argv in commands.values():  # untimed: fills numba's cache if needed, warms the file cache
            _timed(argv)
        figures: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
        ref_figures: list[tuple[float, float]] = []
        for _ in range(args.rounds):
            for name, argv in commands.items():
                ref_wall, ref_cpu = _timed(reference)
                wall, cpu = _timed(argv)
                ref_figures.append((ref_wall, ref_cpu))
                figures[name].append((wall, cpu, wall / ref_wall))
    ref_wall = statistics.median(w for w, _ in ref_figures)
    ref_cpu = statistics.median(c for _, c in ref_figures)
    print(f"\n{args.rounds} rounds; medians; ratio = wall time / wall time of the reference started just before")
    print(f"  {'command':<32}{'wall s':>8}{'CPU s':>8}{'ratio':>8}{'target s':>10}  status (wall)")
    label = 'python -c "import numpy"'
    print(f"  {label:<32}{ref_wall:>8.3f}{ref_cpu:>8.3f}{1.0:>8.2f}")
    for name, rows in figures.items():
        wall = statistics.median(r[0] for r in rows)
        cpu = statistics.median(r[1] for r in rows)
        ratio = statistics.median(r[2] for r in rows)
        target = TARGETS_S[name]
        status = "met" if wall <= target else f"missed by {wall - target:.2f} s ({wall / target:.1f}x)"
        print(f"  {name:<32}{wall:>8.3f}{cpu:>8.3f}{ratio:>8.2f}{target:>10.1f}  {status}")
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
