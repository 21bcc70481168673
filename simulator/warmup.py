"""Compile bwsim's numba kernels into numba's on-disk cache, once, at set-up.

The kernels (:func:`simulator.engine._time_loop`, the ``t_0`` sums, the ensemble
summaries in :mod:`simulator.ensemble`) are compiled on their first call, which takes
several seconds, and cached on disk (``cache=True``). Without this step the
first user command of each kind pays that compile. ``scripts/run-heerlen.sh``
(the README's first command) runs ``python -m simulator.warmup SCENARIO`` so
that no user does: a deterministic run and two small ensembles (exact and
binned summaries) of the scenario, in memory; nothing is written but numba's
cache. Kernels already cached are loaded, not compiled again.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def warm_up(scenario: str | Path) -> float:
    """Run ``scenario`` once deterministically and as two small ensembles; return the seconds taken."""
    from simulator.engine import warm_gather
    from simulator.ensemble import BLOCK_SIZE, ensemble_summary
    from simulator.io.spec_files import load_scenario
    from simulator.scenario_run import prepare_scenario, run_deterministic

    start = time.perf_counter()
    loaded = load_scenario(scenario)
    prepared = prepare_scenario(loaded.spec, loaded.model.spec)
    run_deterministic(prepared)
    ensemble_summary(prepared, samples=64, seed=0)  # exact quantiles
    # binned quantiles (large ensembles): more than one block, so the later blocks are counted as a chunk's
    # counts (uint16) beside the pilot block's
    ensemble_summary(prepared, samples=BLOCK_SIZE + 64, seed=0, exact_limit=0)
    warm_gather()  # the t_0 of a model without pass-through loops, which a scenario may not use
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """``python -m simulator.warmup SCENARIO...``: warm the kernels on each scenario; exit 2 on bad input."""
    from simulator.errors import InputError

    paths = sys.argv[1:] if argv is None else argv
    if not paths:
        print("usage: python -m simulator.warmup SCENARIO...", file=sys.stderr)
        return 2
    for path in paths:
        try:
            seconds = warm_up(path)
        except InputError as exc:
            print(f"bwsim warm-up: invalid input: {exc}", file=sys.stderr)
            return 2
        print(f"numba kernels ready ({path}, {seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
