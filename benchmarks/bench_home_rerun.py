"""Benchmark: the home page's per-move work outside the runs, against an earlier commit (issue 16, item 5).

Run by hand:

    .venv/bin/python benchmarks/bench_home_rerun.py              # against b953d15 (before path charts without
    .venv/bin/python benchmarks/bench_home_rerun.py --ref HEAD~2 #   pandas tables and plotly validation)

Times, as CPU seconds of this process (median of ``--reps``), two things a lever move on the Heerlen
model redoes, once with this tree's modules and once with ``--ref``'s (read with ``git show`` into a
temporary folder, so both run in the same minutes on the same load):

- the four key path charts, built and then processed as ``st.plotly_chart`` does (its figure-to-dict
  and JSON);
- the answer's texts of a new one-year scorecard (headlines, cells, dimension sentences, the cells' lines).

Prints the machine and its load, each figure and the ratio reference / this tree.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import plotly.io as pio  # noqa: E402
import plotly.tools  # noqa: E402
from bench_engine import machine  # noqa: E402

from simulator.analysis.scorecard import scorecard  # noqa: E402
from simulator.app import answer, charts, numbers, tables  # noqa: E402
from simulator.io.spec_files import load_model  # noqa: E402
from simulator.scenario_run import prepare_scenario, run_deterministic  # noqa: E402
from simulator.spec import ScenarioSpec  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MODULES = ("charts", "answer", "tables")


def _reference(ref: str, folder: Path) -> dict:
    """``simulator.app.{charts, answer, tables}`` as they were at ``ref``, imported under other names."""
    out = {}
    for name in MODULES:
        text = subprocess.run(
            ["git", "show", f"{ref}:simulator/app/{name}.py"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout
        path = folder / f"ref_{name}.py"
        path.write_text(text, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(f"ref_{name}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
        out[name] = module
    return out


def _cpu(fn, reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ref", default="b953d15")
    parser.add_argument("--reps", type=int, default=30)
    args = parser.parse_args()
    print("machine:", machine())
    model = load_model(ROOT / "models" / "medtech-heerlen.yaml").spec
    ramp = {"node": "medtech_jobs", "shape": "ramp", "slope": 600, "start": 2025, "end": 2030}
    run = run_deterministic(prepare_scenario(ScenarioSpec(name="s", model="", interventions=[ramp]), model))
    runs = {"met standaardaannames": run}
    nodes = answer.default_path_nodes(model, {"medtech_jobs"})[:4]
    locale = numbers.figure_locale("nl")
    with tempfile.TemporaryDirectory() as folder:
        ref = _reference(args.ref, Path(folder))

        def streamlit_side(fig) -> str:  # what st.plotly_chart does with a go.Figure
            return pio.to_json(
                plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True), validate=False
            )

        def charts_ref() -> None:
            for node in nodes:
                table = ref["tables"].path_table(runs, node, "basispad")
                streamlit_side(ref["charts"].path_figure(table, "t", "u", locale=locale))

        def charts_new() -> None:
            for node in nodes:
                streamlit_side(charts.path_figure(tables.path_lines(runs, node, "basispad"), "t", "u", locale=locale))

        def card():
            return scorecard(model, run.times, run.baseline, run.delta, [2035.0], language="nl")

        def texts(module, cards: list) -> None:
            c = cards.pop()  # a new card each time, as after a slider move
            module.headlines(model, c)
            module.cells(c)
            module.dimension_sentences(model, c)
            module.all_cell_indicators(model, c)

        old_cards = [card() for _ in range(args.reps)]
        new_cards = [c.copy() for c in old_cards]
        rows = [
            (
                "four key path charts, with st.plotly_chart's processing",
                _cpu(charts_ref, args.reps),
                _cpu(charts_new, args.reps),
            ),
            (
                "the answer's texts of a new scorecard",
                _cpu(lambda: texts(ref["answer"], old_cards), args.reps),
                _cpu(lambda: texts(answer, new_cards), args.reps),
            ),
        ]
    for label, before, after in rows:
        print(
            f"{label}: {args.ref} {before * 1e3:.1f} ms, this tree {after * 1e3:.1f} ms CPU; ratio {before / after:.2f}"
        )
    print("load average after:", " ".join(f"{x:.2f}" for x in __import__("os").getloadavg()))


if __name__ == "__main__":
    main()
